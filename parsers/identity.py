"""Who published a report, for which year, when it was signed and which web addresses it names.

The identity fields of report-fields.md, read from the text (the tables are parsers/tables.py's), and from a
web page's metadata box where the text names no agency. The covered year comes from the 统计期限 sentence
when there is one (the title may name the year of publication by mistake), else from the title.

Web pages put chrome before the title (tests/fixtures/parse_identity/README.md has the real pages): an
accessibility bar (无障碍 / 关怀版 / 返回首页), a breadcrumb that main-text extraction breaks into one line
per item (当前位置： / 首页 / > / 政务公开 / > / 政府信息公开年报), and a metadata box of label and value
lines (索 引 号 / 014289810/2025-00013, 名 称 / the title). None of it is ever the title or the agency.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from parsers.htmlmeta import LABEL_ONLY
from parsers.titles import (
    CN_DIGITS,
    MAX_TITLE_CHARS,
    REPORT_WORDS,
    TITLE_WINDOW,
    VIEWER_PAGE,
    arabic_years,
    is_report_title,
)

#: The agency before the title's year. The 年 may be lost in conversion (新疆 自治区人民政府办公厅's 2022 page:
#: "自治区人民政府办公厅2022" / "政府信息公开工作年度报告"): then the disclosure words follow the year.
_TITLE_YEAR = re.compile(r"^(?P<agency>.*?)(?P<year>(19|20)\d{2})\s*(?:年|(?=政府信息|政务公开|信息公开))")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
_DISCLOSURE_WORDS = "政府信息公开|政务公开|信息公开"
_MAX_TITLE_LINES = 4
#: How far into a text the title is looked for: lines that are not chrome (characters: TITLE_WINDOW).
_MAX_SCANNED_LINES = 12
_BULLETS = ("- ", "* ", "• ", "· ")
#: A section heading or a table row (一、总体情况, 一、本年新收政府信息公开申请数量 2 0 0 0 0 0 2, (一)予以公开):
#: a PDF page whose text starts mid-table puts such a row above the next page's header (文登区 审计局 2020).
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])")
_NOT_TITLE_LINE = re.compile(r"[:：|>›»]|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}")
#: A title cell: 标题 / 名称 then the title, after a colon, a cell bar or only a space (xwxq.gov.cn, 徐圩新区:
#: "标 题 徐圩新区2024年政府信息公开年度报告").
_LABELLED_TITLE = re.compile(
    r"(?:^|\|)\s*(?:[-*•·]\s+)?(?:标\s*题|名\s*称)(?:\s*[:：|]|\s)\s*\|?\s*(?P<title>[^|]+?)\s*(?:\||$)"
)
#: A report title printed as a table's only cell (dinghai.gov.cn: "舟山市定海区发展和改革局2023年…报告 |").
_LONE_CELL = re.compile(r"^\|?\s*([^|]+?)\s*\|$")
#: A column's name on a line of its own (政府信息公开), between a site's banner and the title: never its head.
_COLUMN_LINE = re.compile(rf"(?:{_DISCLOSURE_WORDS})+")
_MAX_TITLE_CHARS = 60
#: Page chrome: words of accessibility bars, site tools and breadcrumbs. A line of nothing else is chrome.
_CHROME_WORDS = re.compile(
    r"无障碍(?:阅读|浏览|模式)?|关怀版|长者模式|适老化|老年模式|返回首页|网站首页|设为首页|加入收藏|网站地图|手机版|"
    r"繁體|繁体|简体|English|登录|注册|站内搜索|搜索|(?:当前|您的|您现在的|现在的|所在)位置|首页|正文|打印本页|打印|"
    r"关闭窗口|关闭|分享到|字号|[大中小]"
)
_CHROME_MARKS = re.compile(r"[\s>›»/→|:：【】\[\]()（）·•\-]+")
_CRUMB = "[>›»/→]"
_CRUMB_LINE = re.compile(rf"^{_CRUMB}|{_CRUMB}$|^(?:网站)?首页\s*{_CRUMB}")
_CRUMB_END = re.compile(f"{_CRUMB}$")
_CRUMB_START = re.compile(_CRUMB)
#: A label of the generic kind: a few characters and a colon on a line of their own (附件：, 来源：).
_SHORT_LABEL = re.compile(r"^[\u4e00-\u9fff ]{1,8}[:：]$")
_TITLE_LABELS = ("名称", "标题")
_FILE_NAME = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|et|rar|zip)$", re.I)


class _Kind(Enum):
    TEXT = "text"
    CHROME = "chrome"  # accessibility bar, breadcrumb, tools
    LABEL = "label"
    VALUE = "value"  # the value of a label other than 名称 / 标题
    TITLE_VALUE = "title value"


@dataclass
class Identity:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    title_year: int | None = None
    is_report_title: bool = False


def _is_chrome(line: str) -> bool:
    """A line of chrome words and marks only (无障碍 / 关怀版 / 当前位置： / > / >> 正文)."""
    return not _CHROME_MARKS.sub("", _CHROME_WORDS.sub("", line))


def _label(line: str) -> str | None:
    """The label a line consists of (spaces removed), if it is one."""
    match = LABEL_ONLY.match(line)
    if match:
        return re.sub(r"\s+", "", match.group("label"))
    return line.rstrip(":： ") if _SHORT_LABEL.match(line) else None


def _kinds(lines: list[str]) -> list[_Kind]:
    """What each line is. Breadcrumb items are the lines next to a separator (extraction puts "首页", ">",
    "政务公开" on lines of their own); a label's value is the line after it, unless that line names a report
    (a value left empty lets the next line, often the title itself, follow the label)."""
    kinds: list[_Kind] = []
    label: str | None = None
    for index, line in enumerate(lines):
        before = lines[index - 1] if index else ""
        after = lines[index + 1] if index + 1 < len(lines) else ""
        own_label = _label(line)
        if _is_chrome(line) or _CRUMB_LINE.search(line) or _CRUMB_END.search(before) or _CRUMB_START.match(after):
            kind = _Kind.CHROME
        elif own_label:
            kind = _Kind.LABEL
        elif label in _TITLE_LABELS:
            kind = _Kind.TITLE_VALUE
        elif label and not (REPORT_WORDS.search(line) and not _FILE_NAME.search(line)):
            kind = _Kind.VALUE
        else:
            kind = _Kind.TEXT
        kinds.append(kind)
        label = own_label if kind is _Kind.LABEL else None
    return kinds


def _has_year(title: str) -> bool:
    return bool(_YEAR.search(arabic_years(title)))


def find_title(text: str, fallback: str | None = None) -> str | None:
    """The report title: the first lines up to the one naming the annual report, joined, spaces removed.

    Titles are often broken over lines ("聊城市科学技术局" / "2022 年政府信息公开工作年度报告"). Chrome lines
    (accessibility bars, breadcrumbs), labels and their values, table rows, dates, sentences and list items
    are never part of a title; a labelled title cell (标题：…, 名 称 | …) is the title itself.

    A title naming a year wins over one that names none (a breadcrumb's or box's column name,
    "政府信息公开年报"): the first such in the text, else ``fallback`` (a web page's ArticleTitle) when it
    names one. A text title that is only part of ``fallback`` is the fallback: extraction drops the head
    of a heading broken by <br>."""
    found = _candidates(text)
    dated = [candidate for candidate in found if _has_year(candidate)]
    # a report title first: "…年度报告-<site name>" (a page's <title> as its first line) is one only in part
    dated.sort(key=lambda candidate: not is_report_title(candidate))
    if dated:
        return _completed(dated[0], fallback)
    fallback = _FILE_NAME.sub("", fallback) if fallback else fallback  # a heading that is the file's name
    if fallback and REPORT_WORDS.search(fallback) and _has_year(fallback):
        return fallback
    return next(iter(found), None) or fallback


def _completed(title: str, fallback: str | None) -> str:
    """``fallback`` when the title is only part of it and it is a report title itself, unless what it adds is
    chrome: a breadcrumb (示范区教育局's page: "首页 / 政府信息公开 / 政府信息公开年报 / 正文") or a site's banner and
    column name (墨脱县加热萨乡's: "墨脱县人民政府" / "政府信息公开") glued on."""
    whole = re.sub(r"\s+", "", fallback or "")
    if title == whole or title not in whole or not is_report_title(whole):
        return title
    head = whole[: whole.index(title)]
    chrome = not _title_part(whole) or _CRUMB_LINE.search(whole) or re.search(_DISCLOSURE_WORDS, head)
    return title if chrome else whole


def _candidates(text: str) -> list[str]:
    """Every title candidate in the window, in order: labelled title cells and runs of title lines."""
    lines = [VIEWER_PAGE.sub("", line.strip()) for line in text[:TITLE_WINDOW].splitlines()]
    lines = [_LONE_CELL.sub(r"\1", line) if REPORT_WORDS.search(line) else line for line in lines if line]
    kinds = _kinds(lines)
    found: list[str] = []
    scanned = 0
    for end, (line, kind) in enumerate(zip(lines, kinds, strict=True)):
        if kind in (_Kind.CHROME, _Kind.LABEL, _Kind.VALUE):
            continue
        scanned += 1
        if scanned > _MAX_SCANNED_LINES:
            break
        labelled = _LABELLED_TITLE.search(line)
        if labelled and REPORT_WORDS.search(labelled.group("title")):
            found.append(re.sub(r"\s+", "", labelled.group("title")))
            continue
        if not REPORT_WORDS.search(line) or not _title_part(line):
            continue
        if kind is _Kind.TITLE_VALUE:
            found.append(re.sub(r"\s+", "", line))
            continue
        start = end
        while start > 0 and end - start < _MAX_TITLE_LINES - 1:
            if not _joins(lines[start - 1], kinds[start - 1], "".join(lines[start : end + 1])):
                break
            start -= 1
        joined = re.sub(r"\s+", "", "".join(lines[start : end + 1]))
        if len(joined) > _MAX_TITLE_CHARS:
            break  # a page whose text is one long line (layout tables): the page title is better
        found.append(joined)
    return found


def _joins(before: str, kind: _Kind, title: str) -> bool:
    """The line before is the head of the title so far (its agency, on a line of its own). A title names the
    report and its year once: a line naming either again is another item (a column name, a year folder)."""
    if kind is not _Kind.TEXT or not _title_part(before) or REPORT_WORDS.search(before):
        return False
    if _COLUMN_LINE.fullmatch(before.replace(" ", "")):
        return False
    if _has_year(before) and _has_year(title):
        return False
    # a line that only repeats the title's start is a site or unit name above it
    return not title.replace(" ", "").startswith(before.replace(" ", ""))


def _title_part(line: str) -> bool:
    """A line that may be (part of) a title: no label, cell, breadcrumb or date, not a sentence, not a
    list item (extracted page chrome: "- 2023-01-18", "- 聊城市科学技术局"), not a file name."""
    return (
        not _NOT_TITLE_LINE.search(line)
        and not line.endswith(("。", "；", ";"))
        and not line.startswith(_BULLETS)
        and not _FILE_NAME.search(line)
        and not _NUMBERED.match(line)
    )


_PERIOD_WORD = re.compile(r"统计(期限|时限|期间|时间|区间|周期|时段)|所列数据")
# 20231月1日: the 年 was lost in conversion; the year is still the first four digits.
_PERIOD_START = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:1|01|一)\s*月\s*(?:1|01|一)\s*日")
#: A whole calendar year spelled out as a span, whatever words surround it: 冷水滩区高科园's 2023 report says
#: "本报告相关数据为我单位自2023年1月1日至2023年12月31日统计的" (no 统计期限, no 所列数据).
_PERIOD_RANGE = re.compile(
    r"((?:19|20)\d{2})\s*年\s*(?:1|01|一)\s*月\s*(?:1|01|一)\s*日\s*起?\s*(?:至|到|—|－|-|~)\s*"
    r"(?:\1\s*年\s*)?(?:12|十二)\s*月\s*(?:31|三十一)\s*日"
)
#: How far the period sentence runs after its keyword when no full stop ends it sooner.
_PERIOD_SPAN = 100
#: The period is stated near the top: the span is looked for in this many first characters only.
_PERIOD_WINDOW = 3000


def period_year(text: str) -> int | None:
    """The first year of the statistics period ("统计期限自2023年1月1日起", "自二〇二三年一月一日起", or a
    whole year spelled out: "自2023年1月1日至2023年12月31日"), if the text states one."""
    text = arabic_years(text)  # same length: positions hold
    for match in _PERIOD_WORD.finditer(text):
        start = _PERIOD_START.search(text, match.end(), match.end() + 60)
        if start:
            return int(start.group(1))
    span = _PERIOD_RANGE.search(text, 0, _PERIOD_WINDOW)
    return int(span.group(1)) if span else None


def identify(text: str, title_hint: str | None = None, metadata: Mapping[str, str] | None = None) -> Identity:
    """Title, agency and years. The agency is the one the title names; a title naming none (札达's
    "2023年度政府信息公开年度报告") takes the page's 发文机构 / 发文机关 / 发布机构 from ``metadata``.

    The text is read in bounded windows (the title's first characters, the period sentence's neighbourhood);
    a ``title_hint`` longer than MAX_TITLE_CHARS is no title and is not used."""
    hint = title_hint if title_hint and len(title_hint) <= MAX_TITLE_CHARS else None
    title = find_title(text, fallback=hint)
    covered = period_year(text)
    fallback_agency = _metadata_agency(metadata or {})
    if not title:
        return Identity(agency=fallback_agency, year=covered)
    title = re.sub(r"\s+", "", title) if REPORT_WORDS.search(title) else title  # a report title, spaces removed
    is_report = is_report_title(title)
    match = _TITLE_YEAR.match(arabic_years(title))
    if match:
        agency = re.sub(r"(关于)$", "", match.group("agency")) or _agency_after_year(arabic_years(title))
        title_year = int(match.group("year"))
    else:
        agency, title_year = _agency_before_words(title), None
    agency = agency if agency and _is_agency(agency) else fallback_agency
    return Identity(title, agency, covered or title_year, title_year, is_report)


def _agency_after_year(title: str) -> str | None:
    """ "2022年聊城市科学技术局政府信息公开工作年度报告": the agency follows the year; in
    "2023年度政府信息公开年度报告" nothing does."""
    words = _DISCLOSURE_WORDS
    match = re.match(rf"^(?:19|20)\d{{2}}年度?(?!{words})(?P<agency>.+?)({words})", title)
    return match.group("agency") if match else None


def _agency_before_words(title: str) -> str | None:
    match = re.match(rf"^(?P<agency>.+?)({_DISCLOSURE_WORDS})", title)
    return match.group("agency") if match else None


#: Words that are not an agency's name though a title may put them where the name goes.
_NOT_AGENCIES = ("政府", "首页", "本机关", "本单位", "年度")


def _is_agency(name: str) -> bool:
    """A name, not chrome: no breadcrumb or cell mark, not a bare word."""
    return len(name) >= 2 and name not in _NOT_AGENCIES and not re.search(r"[>›»/|_:：]|首页", name)


def _metadata_agency(metadata: Mapping[str, str]) -> str | None:
    """The issuing body as the page's box names it (发文机构 on VSB Xizang, 发文机关 on Jiangxi portals,
    发布机构 elsewhere: portals.md §3; 发文单位 on mem.gov.cn). Never 所属机构: there it is the department
    that filed the page, not the body that issued it."""
    for label in ("发文机构", "发文机关", "发布机构", "发文单位"):
        name = (metadata.get(label) or "").strip()
        if name and _is_agency(name):
            return name
    return None


_SIGNATURE = re.compile(
    r"(?:^|(?<=[\s。|局府室会院委厅办部处]))"
    r"(?P<y>(?:19|20)\d{2}|[二][〇○零OＯ0一二三四五六七八九]{3})\s*年\s*"
    r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月\s*"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})[ \t]*日[ \t]*(?=$|\||\n)",
    re.M,
)


def signed_date(text: str) -> str | None:
    """The date printed on its own at the end of the report (the signature), as YYYY-MM-DD.

    "On its own": it ends a line or a table cell and follows a line break, a full stop or the agency's
    name, so dates inside sentences ("于2023年1月17日召开") never count, nor do the dates of the 统计期限
    sentence, even where PDF layout breaks it into lines ("…起至\\n2023年12月31日\\n止。"). The last such
    date wins."""
    periods = _period_spans(text)
    for match in reversed(list(_SIGNATURE.finditer(text))):
        if any(start <= match.start() < end for start, end in periods):
            continue
        year = int("".join(CN_DIGITS.get(c, c) for c in match.group("y")))
        month, day = _cn_number(match.group("m")), _cn_number(match.group("d"))
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _period_spans(text: str) -> list[tuple[int, int]]:
    """Where the statistics-period sentences run: from their keyword to the full stop (at most 100 characters)."""
    spans = []
    for match in _PERIOD_WORD.finditer(text):
        stop = text.find("。", match.end(), match.end() + _PERIOD_SPAN)
        spans.append((match.start(), stop if stop >= 0 else match.end() + _PERIOD_SPAN))
    return spans


def _cn_number(text: str) -> int:
    """12 or 十二 / 二十一 / 三十 → int."""
    if text.isdigit():
        return int(text)
    tens, _, units = text.partition("十")
    if "十" not in text:
        return int(CN_DIGITS[text])
    return (int(CN_DIGITS[tens]) if tens else 1) * 10 + (int(CN_DIGITS[units]) if units else 0)


# A URL broken over lines by PDF layout continues after a line break that follows / ? & = . - _ :
_URL_CHAR = r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]|(?<=[/?&=._:-])\n(?=[A-Za-z0-9]))"
#: An address printed without http:// or www. (kjj.weihai.gov.cn, xxgk.example.gov.cn/col/…): a host of
#: dotted names ending in a Chinese or generic top-level domain, not part of an e-mail address or a longer name.
_BARE_HOST = r"(?<![A-Za-z0-9@.\-/])(?=(?:[A-Za-z0-9-]+\.)+(?:cn|com|net|org)(?![A-Za-z0-9-]))[A-Za-z]"
_URL = re.compile(rf"(?:(?:https?://|www\.){_URL_CHAR}|{_BARE_HOST}){_URL_CHAR}*", re.I)


def portal_urls(text: str) -> list[str]:
    """Every web address in the text, in order of first appearance, as printed (trailing punctuation cut)."""
    urls: list[str] = []
    for match in _URL.finditer(text):
        url = match.group(0).replace("\n", "").rstrip(".,;:!?'")
        if url not in urls and "." in url:
            urls.append(url)
    return urls
