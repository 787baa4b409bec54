"""Who published a report and for which year, read from its title.

A first cut of the identity fields of report-fields.md (title, agency, year); the region and the
table format come with the full parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_REPORT_WORDS = re.compile(r"(年度报告|年报)")
_TITLE_YEAR = re.compile(r"^(?P<agency>.*?)(?P<year>(19|20)\d{2})\s*年")
_MAX_TITLE_LINES = 4


@dataclass
class Identity:
    title: str | None = None
    agency: str | None = None
    year: int | None = None


def find_title(text: str, fallback: str | None = None) -> str | None:
    """The report title: the first lines up to the one naming the annual report, joined, spaces removed.

    Titles are often broken over lines ("聊城市科学技术局" / "2022 年政府信息公开工作年度报告")."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for end, line in enumerate(lines[: _MAX_TITLE_LINES + 2]):
        if _REPORT_WORDS.search(line):
            start = max(0, end - _MAX_TITLE_LINES + 1)
            joined = "".join(lines[start : end + 1])
            return re.sub(r"\s+", "", joined)
    return fallback


def identify(text: str, title_hint: str | None = None) -> Identity:
    title = find_title(text, fallback=title_hint)
    if not title:
        return Identity()
    match = _TITLE_YEAR.match(title)
    if not match:
        return Identity(title=title)
    return Identity(title=title, agency=match.group("agency") or None, year=int(match.group("year")))
