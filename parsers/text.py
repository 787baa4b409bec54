"""Small text helpers shared by the format extractors: normalisation, CJK measures, a title guess."""

from __future__ import annotations

import re
import unicodedata

from parsers.titles import MAX_TITLE_CHARS, TITLE_WINDOW

# Kangxi radicals and CJK radical supplements: some PDF fonts map ordinary characters (e.g. 一, 人, 工) to
# these look-alike code points, which breaks search. NFKC maps them back; applying NFKC to everything would
# also turn full-width punctuation into ASCII, which the parser reads as markers.
_RADICALS = re.compile("[\u2e80-\u2ef3\u2f00-\u2fd5]")
_PAGE_NUMBER = re.compile(r"^[\s\-—－–·.]*(第\s*)?\d{1,4}(\s*页)?(\s*/\s*\d{1,4})?[\s\-—－–·.]*$")
_TITLE_WORD = re.compile(r"报告|报\s*告")


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

    Reports print the agency on one line and "2022年政府信息公开工作年度报告" on the next. ``recorded``
    is the file's Title metadata, used when the first lines hold no title: it is often an authoring
    tool's placeholder or a file name, so only a Chinese one counts. A title is at most MAX_TITLE_CHARS
    long: a longer line is cut, a longer recorded title (a 400,000-character PDF /Title) is none."""
    lines = []
    for line in text[:TITLE_WINDOW].splitlines():
        line = line.strip()
        if line and not is_page_number(line):
            lines.append(line)
        if len(lines) == 3:
            break
    for index, line in enumerate(lines):
        if _TITLE_WORD.search(line):
            joined = "".join(lines[: index + 1])
            return joined if len(joined) <= 80 else line[:MAX_TITLE_CHARS]
    recorded = (recorded or "").strip()
    usable = len(recorded) <= MAX_TITLE_CHARS and not recorded.lower().startswith("microsoft word")
    if usable and any(is_cjk(char) for char in recorded):
        return recorded
    return lines[0][:MAX_TITLE_CHARS] if lines else None
