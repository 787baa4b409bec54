"""Writing parsed records: each file's own (``store``), and the report's (``rebuild``), with its checks.

Each file's record is stored as parsed (``records``, written inside the same transaction as its document,
or on ``nianbao reparse``). The report's record is built from them (``parsers.merge``; table
``report_records``) so that every listing, sum and check sees the report once; the checks run again on the
merged record, with the cross-year ones against last year's report of the same agency (re-run for next
year's report when a report changes). Tables 三 and 四 of the report's record are also kept cell by cell
(``record_cells``, under the file they came from) so that researchers can query them in SQL; its checks go
to ``record_checks`` (under the report's primary file).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from archive import aliases
from archive.records import file_records, report_record
from common import now
from parsers.checks import cross_year_checks, record_status, run_checks
from parsers.document import ExtractedDocument
from parsers.merge import assemble, choose_sources, disagreements
from parsers.record import PARSER_VERSION, parse
from parsers.report import Check, RecordStatus, ReportRecord

Record = ReportRecord
#: How a document's warnings begin when the parser failed on it (the exception follows).
PARSER_FAILED = "parser failed"


def parse_safely(extracted: ExtractedDocument) -> tuple[Record | None, str | None]:
    """The record, or None and why the parser failed: a parser bug must never cost the archive a document,
    and the reason goes to the document's warnings, where ``nianbao show`` and the report page list it."""
    try:
        return parse(extracted), None
    except MemoryError:
        raise  # the document's memory ceiling (intake/bounded.py): a failure of the document, not a parser bug
    except Exception as error:
        return None, f"{PARSER_FAILED}: {type(error).__name__}: {error}"[:500]


def identity_columns(record: Record | None) -> dict[str, object]:
    """The documents-table columns a record fills (search filters read them)."""
    if record is None:
        return {}
    region = record.get("region")
    return {
        "agency": record.get("agency"),
        "year": record.get("year"),
        "province": region and region["province"],
        "city": region and region["city"],
        "county": region and region["county"],
        "format": record.get("format"),
    }


def store(db: sqlite_utils.Database, document_id: int, record: Record) -> None:
    """Write the file's own record (replacing an older one); call inside a write transaction, then
    ``rebuild`` the file's report (whose record may now come from it)."""
    failed = sum(1 for check in (record.get("checks") or {}).values() if check["status"] == "fail")
    db.execute(
        "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?)",
        [
            document_id,
            record.get("parser", PARSER_VERSION),
            json.dumps(record, ensure_ascii=False),
            int(bool(record.get("not_a_report"))),
            failed,
            now(),
        ],
    )


def rebuild(db: sqlite_utils.Database, report_id: int, neighbours: bool = True) -> None:
    """Build the report's record from its files' records; call inside a write transaction whenever a file
    joins or leaves the report or a file's record changes. With ``neighbours``, next year's report of the
    same agency is rebuilt too (its cross-year checks read this one)."""
    built = _build(db, report_id, neighbours)
    if built is not None:
        for later in built.later:
            _build(db, later, False, built)


@dataclass
class _Built:
    """A report's record as ``_build`` just stored it, and next year's reports of its body (when asked)."""

    report_id: int
    record: Record
    warnings: list[str]
    checks: dict[str, Check]
    status: RecordStatus
    later: list[int]

    def read_back(self) -> Record:
        """What ``report_record`` would read back: a rebuilt neighbour's cross-year checks compare with
        this record without decoding it again from the rows just written."""
        warnings = [*self.record["warnings"], *self.warnings]
        return {**self.record, "warnings": warnings, "checks": self.checks, "status": self.status}


def _build(db: sqlite_utils.Database, report_id: int, neighbours: bool, rebuilt: _Built | None = None) -> _Built | None:
    """``rebuild`` for one report (None: no such report, or no file of it parsed); ``rebuilt``: the report
    whose rebuild asked for this one (its neighbour of the year before)."""
    primary_row = db.execute("SELECT primary_document_id FROM reports WHERE id = ?", [report_id]).fetchone()
    if primary_row is None:
        return None
    primary = int(primary_row[0])
    ids, files = file_records(db, report_id)
    if not files:  # nothing parsed yet: the report is listed as unparsed
        _store_rows(db, "record_cells", ids, [])
        _store_rows(db, "record_checks", ids, [])
        _write_report_row(db, report_id, {}, [], {}, None, False)
        return None
    sources = choose_sources(files, primary)
    record = assemble(files, sources)
    checks = _own_checks(files, primary) or run_checks(record)
    years = _neighbours(db, report_id, record, (-1, +1) if neighbours else (-1,))
    if years[-1] and (last_year := _read_back(db, years[-1][0], rebuilt)) is not None:
        checks.update(cross_year_checks(record, last_year))
    _store_rows(db, "record_cells", ids, _cells(record, sources))
    _store_rows(
        db,
        "record_checks",
        ids,
        [
            (primary, name, check["status"], json.dumps(check.get("failures"), ensure_ascii=False))
            for name, check in checks.items()
        ],
    )
    warnings = disagreements({i: file for i, file in files.items() if not file.get("not_a_report")})
    status = record_status(record, checks)
    _write_report_row(db, report_id, sources, warnings, checks, status, record["not_a_report"])
    return _Built(report_id, record, warnings, checks, status, years.get(+1, []))


def _read_back(db: sqlite_utils.Database, report_id: int, rebuilt: _Built | None) -> Record | None:
    """``report_record(db, report_id)``, from memory when it is the report just rebuilt."""
    if rebuilt is not None and rebuilt.report_id == report_id:
        return rebuilt.read_back()
    return report_record(db, report_id)


def _own_checks(files: Mapping[int, Record], primary: int) -> dict[str, Check] | None:
    """A report of one parsed file has that file's record, which the parser has checked already: its
    in-document checks, without re-running them while the write lock is held."""
    if list(files) != [primary]:
        return None
    checks = files[primary].get("checks") or {}
    return {name: check for name, check in checks.items() if not name.startswith("cross_year.")} or None


def _cells(record: Record, sources: Mapping[str, int | None]) -> list[tuple[object, ...]]:
    """The ``record_cells`` rows of tables 三 and 四, each under the file it came from."""
    inferred = set(record.get("inferred") or [])
    cells: list[tuple[object, ...]] = []
    tables = (("applications", record.get("applications")), ("review_litigation", record.get("review_litigation")))
    for table, rows in tables:
        source = sources.get(table)
        for row, values in (rows or {}).items():
            for column, value in enumerate(values or []):
                cells.append((source, table, row, column, value, int(f"{table}.{row}[{column}]" in inferred)))
    return cells


#: Each table ``_store_rows`` writes: its primary key (its first columns, in order) and how many columns it has.
_TABLES = {
    "record_cells": (("document_id", "table_name", "row_name", "col"), 6),
    "record_checks": (("document_id", "name"), 4),
}


def _store_rows(db: sqlite_utils.Database, table: str, ids: list[int], rows: list[tuple[object, ...]]) -> None:
    """Make ``table``'s rows of the documents ``ids`` exactly ``rows``, writing only what differs.

    Why: a report rebuilt for its neighbour's sake (next year's, whose cross-year checks changed) keeps its
    ~190 cells and most of its checks; deleting and inserting them all again cost ~1.4 ms of CPU a rebuild
    at 50,000 reports (pages all over the table's b-tree, dirtied and written to the log). A stored value
    counts as the same when Python finds it equal to the new one: where SQLite's NUMERIC affinity stores two
    equal values alike (3 and 3.0 both as the integer 3), and where it does not ("3" and 3), the row is
    written again — the table ends as a delete-and-insert would leave it."""
    columns, width = _TABLES[table]
    key = len(columns)
    marks = ", ".join("?" * len(ids))
    stored = {row[:key]: row[key:] for row in db.execute(f"SELECT * FROM {table} WHERE document_id IN ({marks})", ids)}
    values = ", ".join("?" * width)
    if not stored:  # a new report's: nothing to compare with
        if rows:
            db.conn.executemany(f"INSERT INTO {table} VALUES ({values})", rows)
        return
    wanted = {row[:key] for row in rows}
    where = " AND ".join(f"{column} = ?" for column in columns)
    writes = {
        f"DELETE FROM {table} WHERE {where}": [gone for gone in stored if gone not in wanted],
        # a plain INSERT where no row is stored: OR REPLACE costs ~60% more a row, even with nothing to replace
        f"INSERT INTO {table} VALUES ({values})": [row for row in rows if row[:key] not in stored],
        f"INSERT OR REPLACE INTO {table} VALUES ({values})": [
            row for row in rows if row[:key] in stored and stored[row[:key]] != row[key:]
        ],
    }
    for sql, parameters in writes.items():
        if parameters:  # an empty executemany still prepares its statement
            db.conn.executemany(sql, parameters)


def _write_report_row(
    db: sqlite_utils.Database,
    report_id: int,
    sources: Mapping[str, int | None],
    warnings: list[str],
    checks: Mapping[str, Any],
    status: str | None,
    not_a_report: bool,
) -> None:
    """The report_records row, last: its insert refreshes the report's browse row (archive/db.py)."""
    failed = sum(1 for check in checks.values() if check["status"] == "fail")
    db.execute(
        "INSERT OR REPLACE INTO report_records VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report_id,
            json.dumps(sources),
            json.dumps(warnings, ensure_ascii=False),
            json.dumps(checks, ensure_ascii=False),
            status,
            int(not_a_report),
            failed,
            now(),
        ],
    )


def _neighbours(
    db: sqlite_utils.Database, report_id: int, record: Record, steps: tuple[int, ...]
) -> dict[int, list[int]]:
    """Parsed reports of the same body for ``year + step``, for each of the ``steps`` (newest first): the
    same agency under any of its names within its region (聊城市科技局 = 聊城市科学技术局), by the body the
    archive keeps for each report (``report_bodies``, ``archive.aliases``). One query for both years."""
    found: dict[int, list[int]] = {step: [] for step in steps}
    year, region = record.get("year"), record.get("region")
    place = (region["province"], region["city"], region["county"]) if region else (None, None, None)
    body = aliases.body_key(record.get("agency"), *place)
    if body is None or year is None:
        return found
    rows = db.execute(
        f"""SELECT k.id, k.year FROM report_bodies k
           JOIN report_records x ON x.report_id = k.id AND x.status IS NOT NULL
           WHERE k.body = ? AND k.year IN ({", ".join("?" * len(steps))}) AND k.id != ? ORDER BY k.id DESC""",
        [body, *(year + step for step in steps), report_id],
    )
    for other, other_year in rows:
        found[int(other_year) - year].append(other)
    return found
