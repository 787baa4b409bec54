"""Parsed records in the archive: stored beside each document, queryable, checked across years.

A record is written inside the same transaction as its document (ingest) or on ``nianbao reparse``.
Tables 三 and 四 are also kept cell by cell (``record_cells``) so that researchers can query them in SQL;
checks go to ``record_checks``, including the cross-year ones, which need last year's report of the
same agency and are re-run for next year's report when a new record arrives.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlite_utils

from parsers.checks import cross_year_checks, record_status
from parsers.document import ExtractedDocument
from parsers.record import PARSER_VERSION, parse

_TABLES = ("applications", "review_litigation")


def parse_safely(extracted: ExtractedDocument) -> dict[str, Any] | None:
    """The record, or None if the parser fails: a parser bug must never cost the archive a document."""
    try:
        return parse(extracted)
    except Exception:
        return None


def identity_columns(record: dict[str, Any] | None) -> dict[str, object]:
    """The documents-table columns a record fills (search filters read them)."""
    if record is None:
        return {}
    region = record.get("region") or {}
    return {
        "agency": record.get("agency"),
        "year": record.get("year"),
        "province": region.get("province"),
        "city": region.get("city"),
        "county": region.get("county"),
        "format": record.get("format"),
    }


def store(db: sqlite_utils.Database, document_id: int, record: dict[str, Any]) -> None:
    """Write ``record`` for the document (replacing an older one); call inside a write transaction."""
    for table in ("records", "record_cells", "record_checks"):
        db.execute(f"DELETE FROM {table} WHERE document_id = ?", [document_id])
    inferred = set(record.get("inferred", []))
    cells = []
    for table in _TABLES:
        for row, values in (record.get(table) or {}).items():
            for column, value in enumerate(values or []):
                cells.append([document_id, table, row, column, value, int(f"{table}.{row}[{column}]" in inferred)])
    db.conn.executemany("INSERT INTO record_cells VALUES (?, ?, ?, ?, ?, ?)", cells)
    _store_record(db, document_id, record)
    for later in _neighbours(db, document_id, record, +1):
        _store_record(db, later, load(db, later) or {})


def _store_record(db: sqlite_utils.Database, document_id: int, record: dict[str, Any]) -> None:
    """The record row and its checks, with cross-year checks against last year's report if archived."""
    checks = dict(record.get("checks", {}))
    previous = _neighbours(db, document_id, record, -1)
    if previous:
        checks.update(cross_year_checks(record, load(db, previous[0]) or {}))
    db.execute("DELETE FROM record_checks WHERE document_id = ?", [document_id])
    db.conn.executemany(
        "INSERT INTO record_checks VALUES (?, ?, ?, ?)",
        [
            [document_id, name, check["status"], json.dumps(check.get("failures"), ensure_ascii=False)]
            for name, check in checks.items()
        ],
    )
    failed = sum(1 for check in checks.values() if check["status"] == "fail")
    stored = {**record, "checks": checks, "status": record_status(record, checks)}  # cross-year failures count
    db.execute(
        "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?)",
        [
            document_id,
            record.get("parser", PARSER_VERSION),
            json.dumps(stored, ensure_ascii=False),
            int(bool(record.get("not_a_report"))),
            failed,
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        ],
    )


def _neighbours(db: sqlite_utils.Database, document_id: int, record: dict[str, Any], step: int) -> list[int]:
    """Parsed primary documents of the same agency's report for ``year + step`` (other reports only)."""
    if not record.get("agency") or record.get("year") is None:
        return []
    rows = db.execute(
        """SELECT d.id FROM documents d JOIN reports r ON r.id = d.report_id AND r.primary_document_id = d.id
           JOIN records x ON x.document_id = d.id
           WHERE d.agency = ? AND d.year = ? AND d.id != ? ORDER BY d.id DESC""",
        [record["agency"], record["year"] + step, document_id],
    )
    return [row[0] for row in rows]


def load(db: sqlite_utils.Database, document_id: int) -> dict[str, Any] | None:
    row = db.execute("SELECT record FROM records WHERE document_id = ?", [document_id]).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def stale_document_ids(db: sqlite_utils.Database, everything: bool = False) -> list[int]:
    """Documents without a record or with one from an older parser version (all of them with ``everything``)."""
    condition = "1" if everything else "x.document_id IS NULL OR x.parser_version < ?"
    parameters = [] if everything else [PARSER_VERSION]
    sql = f"SELECT d.id FROM documents d LEFT JOIN records x ON x.document_id = d.id WHERE {condition} ORDER BY d.id"
    return [row[0] for row in db.execute(sql, parameters)]


def failing(db: sqlite_utils.Database, check: str | None = None) -> list[dict[str, Any]]:
    """Reports (primary documents) with failed checks, with each failure's numbers. What is not a report
    is left out: a notice's date is not a report's signature (``with_status(db, "not_a_report")``)."""
    sql = """SELECT r.id, d.id, d.title, c.name, c.details FROM record_checks c
             JOIN documents d ON d.id = c.document_id
             JOIN reports r ON r.id = d.report_id AND r.primary_document_id = d.id
             JOIN records x ON x.document_id = d.id AND NOT x.not_a_report
             WHERE c.status = 'fail' AND (? IS NULL OR c.name = ?) ORDER BY r.id, c.name"""
    out: dict[int, dict[str, Any]] = {}
    for report_id, document_id, title, name, details in db.execute(sql, [check, check]):
        entry = out.setdefault(report_id, {"report_id": report_id, "document_id": document_id, "title": title})
        entry.setdefault("failed", {})[name] = json.loads(details or "null")
    return list(out.values())


def with_status(db: sqlite_utils.Database, status: str) -> list[dict[str, Any]]:
    """Reports whose status (the browse table's ``check_status``) is ``status``, with the tables each lacks."""
    sql = """SELECT b.id, b.document_id, b.title, json_extract(x.record, '$.checks."tables.complete".missing')
             FROM browse b LEFT JOIN records x ON x.document_id = b.document_id
             WHERE b.check_status = ? ORDER BY b.id"""
    return [
        {"report_id": report_id, "document_id": document_id, "title": title, "missing": json.loads(missing or "[]")}
        for report_id, document_id, title, missing in db.execute(sql, [status])
    ]


def status_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How many reports have each status (as the browse table's ``check_status`` shows it)."""
    return dict(db.execute("SELECT check_status, count(*) FROM browse GROUP BY 1 ORDER BY 2 DESC").fetchall())
