"""A record as text for people: identity, the three tables as tables, failed checks marked.

Shared by ``nianbao parse`` and ``nianbao show`` (``describe``: a report of the archive with its files and
sightings). The status (pass, fail, incomplete, not_a_report) comes
right after the identity. Inferred cells carry a ``*``; cells named by a failed check are shown in red on a
terminal and with ``!`` otherwise, and each failure is listed with its numbers.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import click

from parsers import form
from parsers.checks import blank_tables, flagged_cells
from parsers.report import Region, ReportRecord


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


_LABEL_WIDTH = 32  # display columns for a row label; longer labels are cut with …
_CELL_WIDTH = 13
_TRAILING_NOTE = re.compile(r"(?<=.)（[^）]*）$")


def _label(text: str, indent: int = 0) -> str:
    """A form label cut to the label column: its trailing note (区分处理的，…) left out, then ``…``."""
    text = " " * indent + _TRAILING_NOTE.sub("", text)
    while _width(text) > _LABEL_WIDTH:
        text = text[:-2] + "…"
    return _pad(text, _LABEL_WIDTH)


def _cell(text: str, flagged: bool, color: bool) -> str:
    if not flagged:
        return _pad(text, _CELL_WIDTH, right=True)
    text = click.style(text, fg="red", bold=True) if color else text + "!"
    return " " * max(0, _CELL_WIDTH - _width(click.unstyle(text))) + text


def _value_row(table: str, row: form.FormRow, values: list[Any] | None, record: ReportRecord, color: bool) -> str:
    columns = form.TABLE3_COLUMNS if table == "applications" else form.TABLE4_COLUMNS
    inferred = set(record.get("inferred") or [])
    flagged = flagged_cells(record)
    cells = []
    for index, column in enumerate(columns):
        value = None if values is None else values[index]
        text = ("—" if value is None else str(value)) + ("*" if f"{table}.{row.key}[{index}]" in inferred else "")
        cells.append(_cell(text, (row.key, column) in flagged, color))
    return _label(row.label, 2 if row.group else 0) + "".join(cells)


def _header(columns: tuple[str, ...]) -> str:
    return _pad("", _LABEL_WIDTH) + "".join(_pad(column, _CELL_WIDTH, right=True) for column in columns)


def _table3(record: ReportRecord, color: bool) -> list[str]:
    """Table 三 with the form's labels, each group's rows indented under its merged label."""
    rows = record["applications"] or {}
    lines = [form.TABLE3_TITLE, _header(form.TABLE3_COLUMNS)]
    for row in form.table3_rows(record.get("format")):
        if row.group and form.GROUPS[row.group][0] == row.key:
            lines.append(_label(form.TABLE3_GROUPS[row.group]))
        lines.append(_value_row("applications", row, rows.get(row.key), record, color))
    return lines


def _table4(record: ReportRecord, color: bool) -> list[str]:
    rows = record["review_litigation"] or {}
    lines = [form.TABLE4_TITLE, _header(form.TABLE4_COLUMNS)]
    for row in form.TABLE4_ROWS:
        if row.group and row.key == next(r.key for r in form.TABLE4_ROWS if r.group == row.group):
            lines.append(_label(form.TABLE4_GROUPS[row.group]))
        lines.append(_value_row("review_litigation", row, rows.get(row.key), record, color))
    return lines


def _table2(record: ReportRecord) -> list[str]:
    """Table 二 row by row, each value after its column header (a format the form does not know: by key)."""
    active = record["active_disclosure"] or {}
    table_format = record.get("format")
    lines = [form.TABLE2_TITLE]
    if table_format not in form.TABLE2:
        for key, value in active.items():
            shown = value if not isinstance(value, dict) else ", ".join(f"{k} {v}" for k, v in value.items())
            lines.append(f"  {key:<20} {'—' if shown is None else shown}")
        return lines
    for section, row in form.table2_rows(table_format):
        value = active.get(row.key)
        if section.scalar:
            parts = [(section.columns[0].printed, value)]
        else:
            got = value if isinstance(value, dict) else {}
            parts = [(c.header, got.get(k)) for k, c in zip(section.record_columns(), section.columns, strict=True)]
        shown = "，".join(f"{header} {'—' if number is None else number}" for header, number in parts)
        lines.append(_label(row.label, 2) + shown)
    return lines


#: What each status means, after the word itself (parsers/checks.py, record_status).
STATUS_MEANING = {
    "pass": "every check that could run passed",
    "fail": "numbers that do not add up (see checks)",
    "incomplete": "statistics tables missing or blank: nothing to check",
    "not_a_report": "a notice, letter, blank form or comparison of years, not a report: no numbers kept",
}


def status_line(record: ReportRecord, color: bool = False) -> str:
    """The record's status word and what it means; red on a terminal unless it is ``pass``."""
    status = str(record.get("status") or "unknown")
    word = click.style(status, fg="red", bold=True) if color and status != "pass" else status
    meaning = STATUS_MEANING.get(status)
    return f"{word} — {meaning}" if meaning else word


def _places(region: Region | None) -> list[str | None]:
    return [region["province"], region["city"], region["county"]] if region else [None, None, None]


def render_record(record: ReportRecord, color: bool = False) -> str:
    region = record.get("region")
    lines = [
        f"title:       {record.get('title') or '—'}",
        f"agency:      {record.get('agency') or '—'}",
        f"year:        {record.get('year') or '—'}    format: {record.get('format') or '—'}",
        "region:      " + " / ".join(name or "—" for name in _places(region)),
        f"signed:      {record.get('signed_date') or '—'}",
        f"portal urls: {', '.join(record.get('portal_urls') or []) or '—'}",
    ]
    lines.append(f"status:      {status_line(record, color)}")
    blank = blank_tables(record)  # printed without a number: the status line says so, no rows of dashes
    if record.get("active_disclosure") and "active_disclosure" not in blank:
        lines += _table2(record)
    if record.get("applications") and "applications" not in blank:
        lines += _table3(record, color)
    if record.get("review_litigation") and "review_litigation" not in blank:
        lines += _table4(record, color)
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


def describe(report: dict[str, Any], color: bool = False) -> str:
    """The human-readable form of ``get_report``'s answer (with its parsed tables when it has a record)."""
    from archive.reports import IDENTITY  # here: `nianbao parse` renders records without the archive's libraries

    lines = [f"report {report['id']}: {report['title'] or '(no title)'}"]
    for key in IDENTITY[1:]:
        lines.append(f"  {key + ':':<10} {report[key] if report[key] is not None else '—'}")
    lines.append(f"  {'text:':<10} {len(report['text'])} characters")
    for warning in report["warnings"]:
        lines.append(f"  warning:   {warning}")
    lines.append(f"files ({len(report['files'])}):")
    for file in report["files"]:
        lines.append(f"  document {file['document_id']}  {file['type']}  {file['size']} bytes  {file['sha256']}")
    lines.append(f"seen ({len(report['sightings'])}):")
    for sighting in report["sightings"]:
        status = f" HTTP {sighting['http_status']}" if sighting["http_status"] else ""
        lines.append(f"  {sighting['seen_at']}  document {sighting['document_id']}  {sighting['url']}{status}")
    if report.get("record"):
        lines.append("record:")
        lines.append(render_record(report["record"], color=color))
        lines.append(_sources_line(report["record"], len(report["files"])))
    return "\n".join(lines)


#: The statistics tables as the report numbers them.
_TABLE_NUMBERS = {"active_disclosure": "二", "applications": "三", "review_litigation": "四"}


def _sources_line(record: ReportRecord, files: int) -> str:
    """Which file each table's values came from (the most complete one, when the report has several)."""
    sources = record.get("sources") or {}
    shown = ", ".join(
        f"table {number} from document {sources[table]}"
        for table, number in _TABLE_NUMBERS.items()
        if sources.get(table) is not None
    )
    return f"values: {shown or 'no table'} (of {files} file(s))"
