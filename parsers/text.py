"""Small text helpers shared by the format extractors: normalisation, CJK measures, a title guess."""

from __future__ import annotations

import re
import unicodedata

from parsers.titles import MAX_TITLE_CHARS, TITLE_WINDOW, VIEWER_PAGE

# Kangxi radicals and CJK radical supplements: some PDF fonts map ordinary characters (e.g. 一, 人, 工) to
# these look-alike code points, which breaks search. NFKC maps them back; applying NFKC to everything would
# also turn full-width punctuation into ASCII, which the parser reads as markers.
_RADICALS = re.compile("[\u2e80-\u2ef3\u2f00-\u2fd5]")
_PAGE_NUMBER = re.compile(r"^[\s\-—－–·.]*(第\s*)?\d{1,4}(\s*页)?(\s*/\s*\d{1,4})?[\s\-—－–·.]*$")
_TITLE_WORD = re.compile(r"报告|报\s*告")
#: What a title line never holds, seen above and instead of titles on real report pages (stored pages of
#: 利辛县望疃镇 2023, 福田区香蜜湖片区 2024, 龙岗区 2024, 昌图县七家子镇 2023, 冷水滩区高科园 2023): a sentence's
#: or a box's punctuation, a breadcrumb's separators (``首页 > 区部门网站 > …``), a cell bar.
_NOT_TITLE_MARK = re.compile(r"[。，,；;：:|>›»]")
_TAG = re.compile(r"<[^<>]*>")
#: A section heading ("一、总体情况") or a site banner's English line ("The People's Government of …").
_NOT_TITLE_LINE = re.compile(r"^[一二三四五六七八九十]+、|[A-Za-z]{3,}\s+[A-Za-z]{2,}")


def normalise(text: str) -> str:
    """Unify line breaks and map radical look-alikes to their ordinary characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _RADICALS.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)


def is_cjk(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or code >= 0x20000


def is_page_number(line: str) -> bool:
    """A line holding only a page number (``- 3 -``, ``第3页``, ``3/6``)."""
    return bool(_PAGE_NUMBER.match(line))


def guess_title(text: str, recorded: str | None = None) -> str | None:
    """The report's title from its first lines, joined when the title is printed over two or three lines.

    Reports print the agency on one line and "2022年政府信息公开工作年度报告" on the next. Only lines that
    may be a title take part (``_could_be_title``: no sentence, breadcrumb, box label or section heading),
    so a page's banner and breadcrumb are never glued onto its title, and a text whose first lines hold
    none has no title rather than its first sentence. ``recorded`` is the file's Title metadata, used when
    the first lines hold no title: it is often an authoring tool's placeholder or a file name, so only a
    Chinese one counts. A title is at most MAX_TITLE_CHARS long: a longer line is cut, a longer recorded
    title (a 400,000-character PDF /Title) is none."""
    lines = []
    for line in text[:TITLE_WINDOW].splitlines():
        line = VIEWER_PAGE.sub("", line.strip())
        if line and not is_page_number(line):
            lines.append(line)
        if len(lines) == 3:
            break
    for index, line in enumerate(lines):
        if _TITLE_WORD.search(line) and _could_be_title(line):
            start = index
            while start > 0 and _could_be_title(lines[start - 1]):
                start -= 1
            joined = "".join(lines[start : index + 1])
            return joined if len(joined) <= 80 else line[:MAX_TITLE_CHARS]
    recorded = (recorded or "").strip()
    usable = len(recorded) <= MAX_TITLE_CHARS and not recorded.lower().startswith("microsoft word")
    if usable and any(is_cjk(char) for char in recorded):
        return recorded
    return lines[0][:MAX_TITLE_CHARS] if lines and _could_be_title(lines[0]) else None


def _could_be_title(line: str) -> bool:
    """No sentence, breadcrumb or label marks (a tag's brackets are no breadcrumb: titles may carry markup)."""
    bare = _TAG.sub("", line)
    return not _NOT_TITLE_MARK.search(bare) and not _NOT_TITLE_LINE.search(bare)
