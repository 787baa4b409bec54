"""The structured record of one report (``nianbao.report/1``, docs/report-fields.md), as types.

A record travels as JSON (the archive stores it, ``--json`` prints it, Datasette serves it), so its types
are TypedDicts: the same plain dicts, with their keys and value types checked by mypy. The tables' row
keys and columns are the report form's (``parsers.form``); ``tests/test_report_form.py`` checks these
types, the form and ``docs/report.schema.json`` against each other.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

Number = int | float
#: One row of table 三 (seven applicant columns) or 四 (five result columns); a blank cell is None.
TableRow = list[Number | None]
#: Table 三 or 四 by row key; a row the report does not print (format 2019's split (六) rows) is None.
Rows = dict[str, TableRow | None]
#: Table 二 by row key: a bare value (2021's 行政许可 …) or the row's columns by name.
ActiveDisclosure = dict[str, Number | dict[str, Number | None] | None]
TableFormat = Literal["2021", "2019", "legacy"]
CheckStatus = Literal["pass", "fail", "skip", "incomplete"]
RecordStatus = Literal["pass", "fail", "incomplete", "not_a_report"]


class Region(TypedDict):
    province: str | None
    city: str | None
    county: str | None


class Failure(TypedDict):
    """One broken instance of a check: where, and the numbers on both sides."""

    where: str
    left: Number | str | None
    right: Number | str | None


class Check(TypedDict):
    status: CheckStatus
    failures: NotRequired[list[Failure]]
    checked: NotRequired[int]
    skipped: NotRequired[int]
    missing: NotRequired[list[str]]  # tables.complete: the tables missing or blank


class ReportRecord(TypedDict):
    schema: str
    parser: NotRequired[int]  # the parser version that made it (``nianbao reparse`` redoes older ones)
    title: str | None
    agency: str | None
    year: int | None
    format: TableFormat | None
    region: Region | None
    signed_date: str | None
    portal_urls: list[str]
    active_disclosure: ActiveDisclosure | None
    applications: Rows | None
    review_litigation: Rows | None
    inferred: list[str]  # cells filled by the tables' arithmetic: ``applications.granted[3]``
    warnings: list[str]
    not_a_report: NotRequired[bool]
    checks: NotRequired[dict[str, Check]]
    status: NotRequired[RecordStatus]
    sources: NotRequired[dict[str, int | None]]  # a report-level record: the document each table came from
