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
from typing import Any

import sqlite_utils

from archive import aliases
from archive.records import file_records, report_record
from common import now
from parsers.checks import cross_year_checks, record_status, run_checks
from parsers.document import ExtractedDocument
from parsers.merge import assemble, choose_sources, disagreements
from parsers.record import PARSER_VERSION, parse
from parsers.report import Check, ReportRecord

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
    primary_row = db.execute("SELECT primary_document_id FROM reports WHERE id = ?", [report_id]).fetchone()
    if primary_row is None:
        return
    primary = int(primary_row[0])
    ids, files = file_records(db, report_id)
    marks = ", ".join("?" * len(ids))
    db.execute(f"DELETE FROM record_cells WHERE document_id IN ({marks})", ids)
    db.execute(f"DELETE FROM record_checks WHERE document_id IN ({marks})", ids)
    if not files:  # nothing parsed yet: the report is listed as unparsed
        _write_report_row(db, report_id, {}, [], {}, None, False)
        return
    sources = choose_sources(files, primary)
    record = assemble(files, sources)
    checks = _own_checks(files, primary) or run_checks(record)
    previous = _neighbours(db, report_id, record, -1)
    if previous and (last_year := report_record(db, previous[0])) is not None:
        checks.update(cross_year_checks(record, last_year))
    _write_cells(db, record, sources)
    db.conn.executemany(
        "INSERT INTO record_checks VALUES (?, ?, ?, ?)",
        [
            [primary, name, check["status"], json.dumps(check.get("failures"), ensure_ascii=False)]
            for name, check in checks.items()
        ],
    )
    warnings = disagreements({i: file for i, file in files.items() if not file.get("not_a_report")})
    status = record_status(record, checks)
    _write_report_row(db, report_id, sources, warnings, checks, status, record["not_a_report"])
    if neighbours:
        for later in _neighbours(db, report_id, record, +1):
            rebuild(db, later, neighbours=False)


def _own_checks(files: Mapping[int, Record], primary: int) -> dict[str, Check] | None:
    """A report of one parsed file has that file's record, which the parser has checked already: its
    in-document checks, without re-running them while the write lock is held."""
    if list(files) != [primary]:
        return None
    checks = files[primary].get("checks") or {}
    return {name: check for name, check in checks.items() if not name.startswith("cross_year.")} or None


def _write_cells(db: sqlite_utils.Database, record: Record, sources: Mapping[str, int | None]) -> None:
    inferred = set(record.get("inferred") or [])
    cells = []
    tables = (("applications", record.get("applications")), ("review_litigation", record.get("review_litigation")))
    for table, rows in tables:
        source = sources.get(table)
        for row, values in (rows or {}).items():
            for column, value in enumerate(values or []):
                cells.append([source, table, row, column, value, int(f"{table}.{row}[{column}]" in inferred)])
    db.conn.executemany("INSERT INTO record_cells VALUES (?, ?, ?, ?, ?, ?)", cells)


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


def _neighbours(db: sqlite_utils.Database, report_id: int, record: Record, step: int) -> list[int]:
    """Parsed reports of the same body for ``year + step`` (newest first), by their primary file: the same
    agency under any of its names within its region (聊城市科技局 = 聊城市科学技术局, ``archive.aliases``)."""
    year, agency = record.get("year"), record.get("agency")
    if not agency or year is None:
        return []
    region = record.get("region")
    place = (region["province"], region["city"], region["county"]) if region else (None, None, None)
    body = aliases.Body.of(agency, *place)
    names = body.names()
    rows = db.execute(
        f"""SELECT r.id, d.agency, d.province, d.city, d.county FROM documents d
           JOIN reports r ON r.primary_document_id = d.id
           JOIN report_records x ON x.report_id = r.id AND x.status IS NOT NULL
           WHERE d.agency IN ({", ".join("?" * len(names))}) AND d.year = ? AND r.id != ? ORDER BY r.id DESC""",
        [*names, year + step, report_id],
    )
    return [row[0] for row in rows if aliases.Body.of(*row[1:]) == body]
