"""The one rule for "is this the title of an annual disclosure report, and of which year".

The crawler uses it to choose which listing links to follow, the parser to decide whether a document
without tables is a report at all; one rule, so both agree. Real titles vary (shared spec portals.md §3):
…政府信息公开工作年度报告 / …政府信息公开年度报告 / …年度信息公开工作报告 / …政务公开工作年度报告 / 年报,
and the year may be written in Chinese numerals (二〇二三年, 二零二三年度).

Not reports, though they carry the words: notices about the report (关于…年度报告…的通知), other annual
reports (法治政府建设年度报告, 年度工作总结), work plans (工作要点).
"""

from __future__ import annotations

import re

#: A title is at most this long (real ones run 20–60 characters; a link text adds a date or a file name).
#: Anything longer is a sentence, a paragraph or a whole page printed on one line, so it is no title, and it
#: never reaches the patterns below: ``_TRAILER`` rescans to the end at every bracket left open, which made a
#: 2 MB one-line text take minutes. No title the extractors hand on is longer (cut, or left out).
MAX_TITLE_CHARS = 200
#: A title is looked for in this many first characters of a text, never in a whole text that may be
#: megabytes on one line.
TITLE_WINDOW = 4000
#: A flipbook viewer's page prefix on a line ("Page 8 - 威海市文登区信访局2022年…": reports published as
#: page-by-page e-books, 文登区 2020 and 2022 at 180.76.149.248:88/book/…/files/basic-html/page8.html).
VIEWER_PAGE = re.compile(r"^Page\s*\d+\s*[-–—]\s*")
#: The report words: 年度报告, 年报, 年度(信息公开)工作报告, and (政府)信息公开 / 政务公开 工作报告 after a year
#: (gxt.hebei.gov.cn: "河北省工业和信息化厅2023年度政府信息公开工作报告"; 应急管理部 and 邢台高新区投资促进局:
#: "…2023年政府信息公开工作报告").
REPORT_WORDS = re.compile(r"年度报告|年报|年度(?:信息公开)?工作报告|(?:信息|政务)公开工作报告")
#: Whose report: information disclosure (a bare "…年报" in a 年报 column counts too).
_DISCLOSURE = re.compile(r"信息公开|政务公开|政府信息")
#: Not reports though they carry the words; 政府网站 (工作)年报/年度报表: the website's own annual report
#: (kjt.hebei.gov.cn lists "河北省科学技术厅政府网站工作年报（2022年度）" in its 年报 column).
_NOT_A_REPORT = re.compile(r"通知|通报|的函|工作要点|工作总结|工作计划|实施方案|(?:政府|门户)网站")
#: A form, not a report, even when only a bracketed note says so: …年度报告（模板）, （征求意见稿）.
_DRAFT_OR_FORM = re.compile(r"模板|样本|范本|样表|征求意见稿")
#: What may follow the report words in a title or link text: a note in brackets, a file extension, a date.
_TRAILER = re.compile(
    r"(?:[(（【\[][^)）】\]]*[)）】\]]|\.(?:pdf|docx?|wps|html?)|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})+$", re.I
)
_ENDS_AS_REPORT = re.compile(f"(?:{REPORT_WORDS.pattern})$")
#: 二〇二三, 二零二三, and 二0二三 typed with a digit zero.
_CN_YEAR = re.compile(r"[一二][〇○零OＯ0一二三四五六七八九]{3}(?=\s*年)")
#: Chinese digits (and the look-alikes printed for 〇) → Arabic digits.
CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | dict.fromkeys("○零OＯ0", "0")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
#: A listing's mark that it cut a link text short: ..., …, ……, 。。。
_CUT_SHORT = re.compile(r"(?:\.{2,}|…+|。{2,})\s*$")
#: How report titles end (portals.md §3), for completing a cut one.
_TITLE_ENDINGS = ("政府信息公开工作年度报告", "政府信息公开年度报告", "政务公开工作年度报告", "信息公开工作年度报告")


def arabic_years(text: str) -> str:
    """Years written in Chinese numerals (二〇二三年) rewritten in digits (2023年); nothing else changes."""
    return _CN_YEAR.sub(lambda match: "".join(CN_DIGITS[c] for c in match.group(0)), text)


def is_report_title(title: str) -> bool:
    """The title names an information-disclosure annual report (not a notice or plan about one, nor a
    sentence that mentions one): it ends with the report words, before any bracketed note or date."""
    compact = re.sub(r"\s+", "", title)
    if len(compact) > MAX_TITLE_CHARS:
        return False
    core = _TRAILER.sub("", compact)
    if not _ENDS_AS_REPORT.search(core) or _NOT_A_REPORT.search(core) or _DRAFT_OR_FORM.search(compact):
        return False
    return bool(_DISCLOSURE.search(core)) or core.endswith("年报")


def report_year(title: str) -> int | None:
    """The year a report title is about (its first year), None when the title is no report's."""
    if not is_report_title(title):
        return None
    match = _YEAR.search(arabic_years(title))
    return int(match.group(1)) if match else None


def listed_report_year(text: str) -> int | None:
    """The year of the report a listing link names, also when the listing cut its text short: what is
    left before the ellipsis must name information disclosure and a year and end partway into a report
    title's last words (kjt.hebei.gov.cn lists "河北省科学技术厅2023年政府信息公开工作年度报..." with no title
    attribute). The page it leads to is then judged by its own title."""
    year = report_year(text)
    cut = _CUT_SHORT.search(text)
    if year is not None or cut is None:
        return year
    head = re.sub(r"\s+", "", text[: cut.start()])
    if not _DISCLOSURE.search(head):
        return None
    for ending in _TITLE_ENDINGS:
        for length in range(len(ending) - 1, 0, -1):
            if head.endswith(ending[:length]):
                return report_year(head + ending[length:])
    return None
