"""The consistency checks (勾稽关系) of report-fields.md, run against a record.

Each check is ``pass``, ``fail`` (with the numbers on both sides of every broken instance) or ``skip``
(a value it needs is null); ``tables.complete`` is ``incomplete`` when a statistics table is missing or
blank. ``record_status`` sums them up in one word for listings. A record that fails a check keeps what
the document prints: the failure is what tells a researcher not to trust those numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from parsers.form import SPLIT_OTHER, TABLE3_COLUMNS, TABLE4_COLUMNS
from parsers.infer import Equation, table3_equations, table4_equations
from parsers.report import Check, Failure, Number, RecordStatus, ReportRecord, Rows

#: The three statistics tables of a 2019/2021-format report (report-fields.md), as record keys.
TABLES = ("active_disclosure", "applications", "review_litigation")


def _result(instances: list[tuple[str, Any, Any]]) -> Check:
    """Combine per-instance (where, left, right) comparisons; None on either side means skipped."""
    failures = [
        Failure(where=where, left=left, right=right)
        for where, left, right in instances
        if left is not None and right is not None and left != right
    ]
    checked = sum(1 for _, left, right in instances if left is not None and right is not None)
    if failures:
        return {"status": "fail", "failures": failures, "checked": checked}
    if checked == 0:
        return {"status": "skip"}
    return {"status": "pass", "checked": checked, "skipped": len(instances) - checked}


def _side(rows: Rows, side: list[tuple[str, int]]) -> int | float | None:
    values = [None if (row := rows.get(key)) is None else row[column] for key, column in side]
    return None if any(value is None for value in values) else sum(v for v in values if v is not None)


def _where(left: list[tuple[str, int]], columns: Sequence[str]) -> str:
    key, column = left[0]
    return f"{key}[{columns[column]}]"


def _table_checks(rows: Rows | None, equations: Iterable[tuple[str, Equation]], columns: Sequence[str]) -> dict:
    grouped: dict[str, list[tuple[str, Any, Any]]] = {}
    for name, (left, right) in equations:
        entry = (_where(left, columns), _side(rows, left), _side(rows, right)) if rows else ("", None, None)
        grouped.setdefault(name, []).append(entry)
    return {name: _result(instances) for name, instances in grouped.items()}


def absent_rows(record: ReportRecord) -> frozenset[str]:
    """The (六) rows a one-row 其他处理 table does not have (format 2019, or a 23-row table)."""
    return absent_split_rows(record.get("format"), record.get("applications"))


def absent_split_rows(table_format: str | None, applications: Rows | None) -> frozenset[str]:
    """``absent_rows`` of a table 三 being read (before its record exists)."""
    rows = applications or {}
    single = all(rows.get(key) is None for key in SPLIT_OTHER) and rows.get("other_other") is not None
    return frozenset(SPLIT_OTHER) if table_format == "2019" or single else frozenset()


def _blank(value: Any) -> bool:
    """Holds no number at all (a table that is null, or whose every cell is null)."""
    if isinstance(value, dict):
        return all(_blank(item) for item in value.values())
    if isinstance(value, list):
        return all(_blank(item) for item in value)
    return value is None


def blank_tables(record: ReportRecord) -> list[str]:
    """The statistics tables the record lacks: missing from the document, or printed without a number."""
    return [table for table in TABLES if _blank(record.get(table))]


def tables_check(record: ReportRecord) -> Check:
    """``tables.complete``: every statistics table holds numbers. Without them the consistency checks can
    only skip, and a report that says nothing must not look like one that adds up."""
    missing = blank_tables(record)
    if missing:
        return {"status": "incomplete", "missing": missing}
    return {"status": "pass", "checked": len(TABLES), "skipped": 0}


def record_status(record: ReportRecord, checks: dict[str, Check]) -> RecordStatus:
    """The one status shown wherever a report is listed: ``not_a_report``, ``fail`` (numbers that do not
    add up come first: they are wrong, not only missing), ``incomplete`` (tables missing or blank), ``pass``."""
    if record.get("not_a_report"):
        return "not_a_report"
    if any(check["status"] == "fail" for check in checks.values()):
        return "fail"
    if any(check["status"] == "incomplete" for check in checks.values()):
        return "incomplete"
    return "pass"


def run_checks(record: ReportRecord) -> dict[str, Check]:
    """Every in-document check of the spec for ``record`` (cross-year checks: ``cross_year_checks``)."""
    checks = {"tables.complete": tables_check(record)}
    checks.update(_table_checks(record.get("applications"), table3_equations(absent_rows(record)), TABLE3_COLUMNS))
    checks.update(_table_checks(record.get("review_litigation"), table4_equations(), TABLE4_COLUMNS))
    year, signed = record.get("year"), record.get("signed_date")
    if year is None or signed is None:
        checks["signed_date.after_period"] = {"status": "skip"}
    elif signed > f"{year}-12-31":
        checks["signed_date.after_period"] = {"status": "pass", "checked": 1, "skipped": 0}
    else:
        failure = Failure(where="signed_date", left=signed, right=f"after {year}-12-31")
        checks["signed_date.after_period"] = {"status": "fail", "failures": [failure], "checked": 1}
    checks["title.year"] = _result([("year", _title_year(record.get("title")), year)])
    return checks


def _counts(record: ReportRecord, key: str) -> dict[str, Number | None]:
    """A table-二 row's columns (规章: issued, repealed, in_force), empty when the record has none."""
    value = (record.get("active_disclosure") or {}).get(key)
    return value if isinstance(value, dict) else {}


def _title_year(title: str | None) -> int | None:
    match = re.search(r"((?:19|20)\d{2})年", title or "")
    return int(match.group(1)) if match else None


def cross_year_checks(record: ReportRecord, previous: ReportRecord) -> dict[str, Check]:
    """Checks against last year's record of the same agency: carry-over and documents in force."""
    checks: dict[str, Check] = {}
    this_in = (record.get("applications") or {}).get("carried_over_in")
    last_out = (previous.get("applications") or {}).get("carried_over_out")
    checks["cross_year.carry_over"] = _result(
        [
            (
                f"carried_over_in[{TABLE3_COLUMNS[c]}]",
                None if this_in is None else this_in[c],
                None if last_out is None else last_out[c],
            )
            for c in range(7)
        ]
    )
    instances = []
    for key in ("regulations", "normative_documents"):
        now, before = _counts(record, key), _counts(previous, key)
        last, issued, repealed = before.get("in_force"), now.get("issued"), now.get("repealed")
        expected = None
        if last is not None and issued is not None and repealed is not None:
            expected = last + issued - repealed
        instances.append((f"{key}.in_force", now.get("in_force"), expected))
    checks["cross_year.in_force"] = _result(instances)
    return checks


_WHERE = re.compile(r"^(\w+)\[(.+)\]$")


def flagged_cells(record: ReportRecord) -> set[tuple[str, str]]:
    """(row, column name) of cells that a failed check names."""
    cells: set[tuple[str, str]] = set()
    for check in (record.get("checks") or {}).values():
        for failure in check.get("failures") or []:
            match = _WHERE.match(str(failure.get("where", "")))
            if match:
                cells.add((match.group(1), match.group(2)))
    return cells
