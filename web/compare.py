"""One agency across years (``/-/compare``): its reports side by side, year by year, with the change of every
cell from the report before, and the cross-year checks of each year.

The body is found with its aliases (archive/aliases.py): the same body under its short and full names,
with its region. Tables 三 (one applicant column at a time, 总计 by default) and 四 (all fifteen cells) are
compared cell by cell, and table 二's 2021-form counts with them (the ``cross_year.in_force`` check reads
them); rows and labels come from the report form (parsers/form.py). Everything here is plain data for
the Jinja template (which escapes every value) and for ``/-/compare.json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from archive import records
from archive.aliases import Body, spellings
from parsers import form
from parsers.report import Check, Failure, Number, ReportRecord
from web.report_page import CHECK_LABELS, STATUS_LABELS

#: The cross-year checks shown under the tables, in this order.
CROSS_YEAR_CHECKS = ("cross_year.carry_over", "cross_year.in_force")
#: Table 三's applicant columns (one is compared at a time), and the one compared unless another is asked for.
COLUMNS = form.TABLE3_COLUMNS
DEFAULT_COLUMN = COLUMNS[-1]
#: A ``Report`` as browse holds it.
_REPORT = "SELECT id, year, agency, title, check_status FROM browse"


class CompareError(ValueError):
    """A request that names no body the way the page reads one (the message says why)."""


class NotInArchive(CompareError):
    """A report or body this archive does not hold."""


@dataclass(frozen=True)
class Report:
    """One column of the comparison: a report of the body."""

    id: int
    year: int | None
    agency: str  # as the report prints it
    title: str | None
    status: str


@dataclass
class Cell:
    value: Number | None
    change: Number | None = None  # from the report before (None: either side blank, or the first report)
    inferred: bool = False
    failed: bool = False

    @property
    def trend(self) -> str:
        """``up``, ``down`` or ``same`` against the report before; empty when there is no change to show."""
        if self.change is None:
            return ""
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"


@dataclass
class Row:
    label: str
    key: str  # ``applications.granted[6]``: the record's cell, as ``inferred`` names it
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Section:
    title: str
    rows: list[Row]


@dataclass
class YearCheck:
    """A cross-year check of one report: its status and, when it fails, both sides of each broken equation."""

    name: str
    label: str
    status: str  # pass, fail, skip; "none" when last year's report is not archived
    failures: list[Failure] = field(default_factory=list)


@dataclass
class Comparison:
    body: Body
    reports: list[Report]
    column: str  # table 三's column shown
    sections: list[Section]
    checks: list[list[YearCheck]]  # one list per report, in the reports' order
    printed_names: dict[str, list[int]]  # each agency text the reports print → the years that print it


@dataclass(frozen=True)
class Choice:
    """A body the request may mean, with its reports' years (for a list of links)."""

    body: Body
    years: list[int]


# -- finding the body ---------------------------------------------------------------------------------------
# Each report's body is kept by the archive (``report_bodies``, archive/aliases.py): a body is found by its
# key, and grouped by its index.


def body_of_report(db: sqlite_utils.Database, report_id: int) -> Body:
    row = db.execute(
        "SELECT b.agency, k.body FROM browse b LEFT JOIN report_bodies k ON k.id = b.id WHERE b.id = ?", [report_id]
    ).fetchone()
    if row is None:
        raise NotInArchive(f"no report {report_id}")
    if row[1] is None:
        raise CompareError(f"report {report_id} names no agency: there is nothing to compare it with")
    return Body.stored(row[1])


def bodies_named(db: sqlite_utils.Database, name: str) -> list[Choice]:
    """The bodies whose reports print ``name`` under any of its spellings (several: one per region)."""
    forms = spellings(name)
    marks = ", ".join("?" * len(forms))
    return _choices(
        db,
        f"""SELECT k.body, json_group_array(DISTINCT k.year) FROM report_bodies k
            WHERE k.id IN (SELECT id FROM browse WHERE agency IN ({marks})) AND k.body IS NOT NULL
            GROUP BY k.body ORDER BY k.body""",
        forms,
    )


def several_years(db: sqlite_utils.Database) -> list[Choice]:
    """Every body with reports of two years or more, most years first: what there is to compare (one pass
    over the ``report_bodies`` index: no row, no sort; naming a body per distinct agency in Python took
    ~1.2 s at 100,000 reports)."""
    choices = _choices(
        db,
        """SELECT body, json_group_array(DISTINCT year) FROM report_bodies
           WHERE body IS NOT NULL AND year IS NOT NULL GROUP BY body HAVING count(DISTINCT year) > 1""",
        [],
    )
    return sorted(choices, key=lambda c: (-len(c.years), c.body.key))


def _choices(db: sqlite_utils.Database, sql: str, params: list[str]) -> list[Choice]:
    """A ``Choice`` per row of (a body's key, a JSON array of its years, null for a report of no year)."""
    return [
        Choice(Body.stored(key), sorted(year for year in json.loads(years) if year is not None))
        for key, years in db.execute(sql, params)
    ]


def _reports_of(db: sqlite_utils.Database, body: Body) -> list[Report]:
    """The body's reports, oldest year first."""
    rows = db.execute(
        f"{_REPORT} WHERE id IN (SELECT id FROM report_bodies WHERE body = ?) ORDER BY year IS NULL, year, id",
        [body.key],
    ).fetchall()
    return [Report(*row) for row in rows]


# -- the comparison -----------------------------------------------------------------------------------------


def compare(db: sqlite_utils.Database, body: Body, column: str = DEFAULT_COLUMN) -> Comparison:
    """The body's reports compared cell by cell; ``column`` is table 三's applicant column to show."""
    if column not in form.TABLE3_COLUMNS:
        raise CompareError(f"no column {column!r} in table 三: one of {', '.join(form.TABLE3_COLUMNS)}")
    reports = _reports_of(db, body)
    if not reports:
        raise NotInArchive(f"no report of {body.name} ({body.region or 'no region'}) in this archive")
    loaded = [records.report_record(db, report.id) for report in reports]
    sections = [
        Section(form.TABLE3_TITLE + f"（{column}）", _rows(loaded, _table3_cells(column))),
        Section(form.TABLE4_TITLE, _rows(loaded, _table4_cells())),
        Section(form.TABLE2_TITLE, _rows(loaded, _table2_cells())),
    ]
    printed: dict[str, list[int]] = {}
    for report in reports:
        printed.setdefault(report.agency, []).append(report.year or 0)
    return Comparison(
        body=body,
        reports=reports,
        column=column,
        sections=sections,
        checks=[_cross_year(record) for record in loaded],
        printed_names=printed,
    )


@dataclass(frozen=True)
class Place:
    """Where one compared value sits in a record: its table, row and column (an index in tables 三 and 四, a
    column name in table 二, None for table 二's one-value rows), its label, and how a failed check names it
    (``where``: ``carried_over_in[自然人]``, ``regulations.in_force``)."""

    table: str
    key: str
    column: int | str | None
    label: str
    named: str

    @property
    def where(self) -> str:
        """The cell as the record's ``inferred`` names it (``applications.granted[6]``); table 二's by its
        column's name (``active_disclosure.regulations[in_force]``)."""
        return f"{self.table}.{self.key}" if self.column is None else f"{self.table}.{self.key}[{self.column}]"


def _table3_cells(column: str) -> list[Place]:
    index = form.TABLE3_COLUMNS.index(column)
    return [
        Place("applications", row.key, index, _t3_label(row), f"{row.key}[{column}]")
        for row in form.TABLE3_ROWS  # the 2021 form's rows: a 2019 report's split (六) rows are blank
    ]


def _t3_label(row: form.FormRow) -> str:
    parent = form.TABLE3_GROUPS.get(row.group or "")
    return f"{parent} {row.label}" if parent else row.label


def _table4_cells() -> list[Place]:
    places: list[Place] = []
    for row in form.TABLE4_ROWS:
        parent = form.TABLE4_GROUPS.get(row.group or "")
        name = f"{parent} {row.label}" if parent else row.label
        for index, column in enumerate(form.TABLE4_COLUMNS):
            places.append(Place("review_litigation", row.key, index, f"{name} · {column}", f"{row.key}[{column}]"))
    return places


def _table2_cells() -> list[Place]:
    """Table 二's counts in the 2021 form (a 2019 report's columns differ: blank here)."""
    places: list[Place] = []
    for section, row in form.table2_rows("2021"):
        for column, key in zip(section.columns, section.record_columns(), strict=True):
            if section.scalar:
                places.append(Place("active_disclosure", row.key, None, row.label, row.key))
            else:
                label = f"{row.label} · {column.header}"
                places.append(Place("active_disclosure", row.key, key, label, f"{row.key}.{key}"))
    return places


def _table(record: ReportRecord, table: str) -> Mapping[str, Any]:
    if table == "applications":
        return record.get("applications") or {}
    if table == "review_litigation":
        return record.get("review_litigation") or {}
    return record.get("active_disclosure") or {}


def _value(record: ReportRecord | None, place: Place) -> Number | None:
    if record is None:
        return None
    value = _table(record, place.table).get(place.key)
    if isinstance(place.column, int):
        return value[place.column] if isinstance(value, list) and place.column < len(value) else None
    if place.column is None:
        return value if isinstance(value, int | float) else None
    return value.get(place.column) if isinstance(value, dict) else None


def _rows(loaded: list[ReportRecord | None], places: list[Place]) -> list[Row]:
    flagged = [_failed_wheres(record) for record in loaded]
    inferred = [set(record.get("inferred") or []) if record else set() for record in loaded]
    rows = []
    for place in places:
        row = Row(place.label, place.where)
        previous: Number | None = None
        for index, record in enumerate(loaded):
            value = _value(record, place)
            change = None if index == 0 or value is None or previous is None else _round(value - previous)
            row.cells.append(Cell(value, change, place.where in inferred[index], place.named in flagged[index]))
            previous = value
        rows.append(row)
    return rows


def _checks(record: ReportRecord | None) -> dict[str, Check]:
    return (record.get("checks") or {}) if record is not None else {}


def _failed_wheres(record: ReportRecord | None) -> set[str]:
    """Every cell a failed check of the record names (its ``where``)."""
    checks = _checks(record)
    return {failure["where"] for check in checks.values() for failure in check.get("failures") or []}


def _round(number: Number) -> Number:
    """A difference as printed: money to the 万元 cent (no 0.30000000000000004), counts as they are."""
    return round(number, 2) if isinstance(number, float) else number


def _cross_year(record: ReportRecord | None) -> list[YearCheck]:
    checks = _checks(record)
    return [
        YearCheck(
            name,
            CHECK_LABELS[name],
            checks[name]["status"] if name in checks else "none",
            list(checks[name].get("failures") or []) if name in checks else [],
        )
        for name in CROSS_YEAR_CHECKS
    ]


def status_label(status: str) -> str:
    """A check's or report's status in Chinese and English ("none": no report of last year to check against)."""
    return "无上年报告 no report of last year" if status == "none" else STATUS_LABELS.get(status, status)
