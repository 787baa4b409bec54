"""A record as text for people: identity, the three tables as tables, failed checks marked.

Shared by ``nianbao parse`` and ``nianbao show``. The status (pass, fail, incomplete, not_a_report) comes
right after the identity. Inferred cells carry a ``*``; cells named by a failed check are shown in red on a
terminal and with ``!`` otherwise, and each failure is listed with its numbers.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import click

from parsers.cellcheck import T3_KEYS, T4_KEYS
from parsers.checks import COLUMNS_T3, COLUMNS_T4, blank_tables

_WHERE = re.compile(r"^(\w+)\[(.+)\]$")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


def flagged_cells(record: dict[str, Any]) -> set[tuple[str, str]]:
    """(row, column name) of cells that a failed check names."""
    cells: set[tuple[str, str]] = set()
    for check in (record.get("checks") or {}).values():
        for failure in check.get("failures") or []:
            match = _WHERE.match(str(failure.get("where", "")))
            if match:
                cells.add((match.group(1), match.group(2)))
    return cells


def _table(title: str, rows: dict[str, Any], keys: list[str], columns: list[str], record: dict[str, Any], color: bool):
    inferred = set(record.get("inferred") or [])
    flagged = flagged_cells(record)
    table_name = "applications" if keys is T3_KEYS else "review_litigation"
    label_width = max(_width(key) for key in keys) + 1
    lines = [title, _pad("", label_width) + "".join(_pad(c, 13, right=True) for c in columns)]
    for key in keys:
        values = rows.get(key)
        cells = []
        for index, column in enumerate(columns):
            value = None if values is None else values[index]
            text = "—" if value is None else str(value)
            if f"{table_name}.{key}[{index}]" in inferred:
                text += "*"
            if (key, column) in flagged:
                text = click.style(text, fg="red", bold=True) if color else text + "!"
                cells.append(" " * max(0, 13 - len(click.unstyle(text))) + text)
            else:
                cells.append(_pad(text, 13, right=True))
        lines.append(_pad(key, label_width) + "".join(cells))
    return lines


#: What each status means, after the word itself (parsers/checks.py, record_status).
STATUS_MEANING = {
    "pass": "every check that could run passed",
    "fail": "numbers that do not add up (see checks)",
    "incomplete": "statistics tables missing or blank: nothing to check",
    "not_a_report": "a notice, letter, blank form or comparison of years, not a report: no numbers kept",
}


def status_line(record: dict[str, Any], color: bool = False) -> str:
    """The record's status word and what it means; red on a terminal unless it is ``pass``."""
    status = str(record.get("status") or "unknown")
    word = click.style(status, fg="red", bold=True) if color and status != "pass" else status
    meaning = STATUS_MEANING.get(status)
    return f"{word} — {meaning}" if meaning else word


def render_record(record: dict[str, Any], color: bool = False) -> str:
    region = record.get("region") or {}
    lines = [
        f"title:       {record.get('title') or '—'}",
        f"agency:      {record.get('agency') or '—'}",
        f"year:        {record.get('year') or '—'}    format: {record.get('format') or '—'}",
        "region:      " + " / ".join(str(region.get(k) or "—") for k in ("province", "city", "county")),
        f"signed:      {record.get('signed_date') or '—'}",
        f"portal urls: {', '.join(record.get('portal_urls') or []) or '—'}",
    ]
    lines.append(f"status:      {status_line(record, color)}")
    blank = blank_tables(record)  # printed without a number: the status line says so, no rows of dashes
    active = record.get("active_disclosure")
    if active and "active_disclosure" not in blank:
        lines.append("二 主动公开政府信息情况")
        for key, value in active.items():
            shown = value if not isinstance(value, dict) else ", ".join(f"{k} {v}" for k, v in value.items())
            lines.append(f"  {key:<20} {'—' if shown is None else shown}")
    if record.get("applications") and "applications" not in blank:
        lines += _table("三 收到和处理政府信息公开申请情况", record["applications"], T3_KEYS, COLUMNS_T3, record, color)
    if record.get("review_litigation") and "review_litigation" not in blank:
        lines += _table("四 行政复议、行政诉讼情况", record["review_litigation"], T4_KEYS, COLUMNS_T4, record, color)
    lines.append("checks:")
    for name, check in (record.get("checks") or {}).items():
        status = check["status"]
        mark = click.style(status, fg="red", bold=True) if color and status in ("fail", "incomplete") else status
        lines.append(f"  {name:<34} {mark}")
        if check.get("missing"):
            lines.append(f"      missing or blank: {', '.join(check['missing'])}")
        for failure in (check.get("failures") or [])[:6]:
            lines.append(f"      {failure['where']}: {failure['left']} ≠ {failure['right']}")
    for warning in record.get("warnings") or []:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)
