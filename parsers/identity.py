"""Who published a report, for which year, when it was signed and which web addresses it names.

The identity fields of report-fields.md, read from the text alone (the tables are parsers/tables.py's).
The covered year comes from the 统计期限 sentence when there is one (the title may name the year of
publication by mistake), else from the title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.titles import REPORT_WORDS, arabic_years, is_report_title

_TITLE_YEAR = re.compile(r"^(?P<agency>.*?)(?P<year>(19|20)\d{2})\s*年")
_MAX_TITLE_LINES = 4
#: How far into a text the title is looked for: lines, and characters (a bounded window: chrome comes first).
_MAX_SCANNED_LINES = 12
_TITLE_WINDOW = 4000
_BULLETS = ("- ", "* ", "• ", "· ")
_NOT_TITLE_LINE = re.compile(r"[:：|>›»]|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}")
_LABELLED_TITLE = re.compile(r"(?:^|\|)\s*(?:标\s*题|名\s*称)\s*[:：|]\s*\|?\s*(?P<title>[^|]+?)\s*(?:\||$)")
_MAX_TITLE_CHARS = 60
_PERIOD_WORD = re.compile(r"统计(期限|时限|期间|时间|区间|周期|时段)|所列数据")
# 20231月1日: the 年 was lost in conversion; the year is still the first four digits.
_PERIOD_START = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:1|01|一)\s*月\s*(?:1|01|一)\s*日")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0", "O": "0", "Ｏ": "0"}
_SIGNATURE = re.compile(
    r"(?:^|(?<=[\s。|局府室会院委厅办部处]))"
    r"(?P<y>(?:19|20)\d{2}|[二][〇○零OＯ一二三四五六七八九]{3})\s*年\s*"
    r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月\s*"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})[ \t]*日[ \t]*(?=$|\||\n)",
    re.M,
)
# A URL broken over lines by PDF layout continues after a line break that follows / ? & = . - _ :
_URL = re.compile(r"(?:https?://|www\.)(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]|(?<=[/?&=._:-])\n(?=[A-Za-z0-9]))+", re.I)


@dataclass
class Identity:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    title_year: int | None = None
    is_report_title: bool = False


def find_title(text: str, fallback: str | None = None) -> str | None:
    """The report title: the first lines up to the one naming the annual report, joined, spaces removed.

    Titles are often broken over lines ("聊城市科学技术局" / "2022 年政府信息公开工作年度报告"). Web pages
    put chrome before them: metadata labels (发布日期：…, 来源：…), table rows (名 称 | …), breadcrumbs
    (首页 > … > 年报) and sentences. Those lines are never part of a title; a labelled title cell
    (标题：…, 名 称 | …) is the title itself."""
    lines = [line.strip() for line in text[:_TITLE_WINDOW].splitlines() if line.strip()]
    for end, line in enumerate(lines[:_MAX_SCANNED_LINES]):
        labelled = _LABELLED_TITLE.search(line)
        if labelled and REPORT_WORDS.search(labelled.group("title")):
            return re.sub(r"\s+", "", labelled.group("title"))
        if not REPORT_WORDS.search(line) or not _title_part(line):
            continue
        start = end
        while start > 0 and end - start < _MAX_TITLE_LINES - 1 and _title_part(lines[start - 1]):
            if line.replace(" ", "").startswith(lines[start - 1].replace(" ", "")):
                break  # the line before only repeats the title's start (a site or unit name above it)
            start -= 1
        joined = re.sub(r"\s+", "", "".join(lines[start : end + 1]))
        if len(joined) <= _MAX_TITLE_CHARS:
            return joined
        break  # a page whose text is one long line (layout tables): the page title is better
    return fallback


def _title_part(line: str) -> bool:
    """A line that may be (part of) a title: no label, cell, breadcrumb or date, not a sentence, not a
    list item (extracted page chrome: "- 2023-01-18", "- 聊城市科学技术局")."""
    return not _NOT_TITLE_LINE.search(line) and not line.endswith(("。", "；", ";")) and not line.startswith(_BULLETS)


def period_year(text: str) -> int | None:
    """The first year of the statistics period ("统计期限自2023年1月1日起"), if the text states one."""
    for match in _PERIOD_WORD.finditer(text):
        start = _PERIOD_START.search(text, match.end(), match.end() + 60)
        if start:
            return int(start.group(1))
    return None


def identify(text: str, title_hint: str | None = None) -> Identity:
    title = find_title(text, fallback=title_hint)
    covered = period_year(text)
    if not title:
        return Identity(year=covered)
    title = re.sub(r"\s+", "", title) if REPORT_WORDS.search(title) else title  # a report title, spaces removed
    is_report = is_report_title(title)
    match = _TITLE_YEAR.match(arabic_years(title))
    if match:
        agency = re.sub(r"(关于)$", "", match.group("agency")) or _agency_after_year(title)
        title_year = int(match.group("year"))
    else:
        agency, title_year = _agency_before_words(title), None
    return Identity(title, agency or None, covered or title_year, title_year, is_report)


def _agency_after_year(title: str) -> str | None:
    """ "2022年聊城市科学技术局政府信息公开工作年度报告": the agency follows the year."""
    match = re.match(r"^(?:19|20)\d{2}年度?(?P<agency>.+?)(政府信息公开|政务公开|信息公开)", title)
    return match.group("agency") if match else None


def _agency_before_words(title: str) -> str | None:
    match = re.match(r"^(?P<agency>.+?)(政府信息公开|政务公开|信息公开)", title)
    return match.group("agency") if match else None


def signed_date(text: str) -> str | None:
    """The date printed on its own at the end of the report (the signature), as YYYY-MM-DD.

    "On its own": it ends a line or a table cell and follows a line break, a full stop or the agency's
    name, so dates inside sentences ("于2023年1月17日召开") never count. The last such date wins."""
    for match in reversed(list(_SIGNATURE.finditer(text))):
        year = int("".join(_CN_DIGITS.get(c, c) for c in match.group("y")))
        month, day = _cn_number(match.group("m")), _cn_number(match.group("d"))
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _cn_number(text: str) -> int:
    """12 or 十二 / 二十一 / 三十 → int."""
    if text.isdigit():
        return int(text)
    tens, _, units = text.partition("十")
    if "十" not in text:
        return int(_CN_DIGITS[text])
    return (int(_CN_DIGITS[tens]) if tens else 1) * 10 + (int(_CN_DIGITS[units]) if units else 0)


def portal_urls(text: str) -> list[str]:
    """Every web address in the text, in order of first appearance, as printed (trailing punctuation cut)."""
    urls: list[str] = []
    for match in _URL.finditer(text):
        url = match.group(0).replace("\n", "").rstrip(".,;:!?'")
        if url not in urls and "." in url:
            urls.append(url)
    return urls
