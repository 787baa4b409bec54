"""Parsed records in the archive, read back: each file's own (``load``), and one record per report
(``report_record``: built from its files' records by ``parsers.merge``, as ``intake.records.rebuild`` stored
its sources, checks and status); reports by check and by status.
"""

from __future__ import annotations

import json
import typing
from typing import Any

import sqlite_utils

from parsers.merge import assemble
from parsers.record import PARSER_VERSION
from parsers.report import ReportRecord

Record = ReportRecord


def file_records(db: sqlite_utils.Database, report_id: int) -> tuple[list[int], dict[int, Record]]:
    """The report's document ids, and the records of those that have one."""
    rows = db.execute(
        """SELECT d.id, x.record FROM documents d LEFT JOIN records x ON x.document_id = d.id
           WHERE d.report_id = ? ORDER BY d.id""",
        [report_id],
    ).fetchall()
    return [row[0] for row in rows], {row[0]: json.loads(row[1]) for row in rows if row[1] is not None}


def report_record(db: sqlite_utils.Database, report_id: int) -> Record | None:
    """The report's record as built by ``rebuild`` (None: no file of it is parsed): identity and tables
    from their sources (``sources``), the report's checks and status, disagreements among the warnings."""
    row = db.execute(
        "SELECT sources, warnings, checks, status FROM report_records WHERE report_id = ?", [report_id]
    ).fetchone()
    if row is None or row[3] is None:
        return None
    _, files = file_records(db, report_id)
    if not files:
        return None
    sources = {part: source for part, source in json.loads(row[0]).items()}
    record = assemble(files, sources)
    record["warnings"] += json.loads(row[1])
    record["checks"] = json.loads(row[2])
    record["status"] = row[3]
    return record


def load(db: sqlite_utils.Database, document_id: int) -> Record | None:
    """One file's own record, as parsed (the report's: ``report_record``)."""
    row = db.execute("SELECT record FROM records WHERE document_id = ?", [document_id]).fetchone()
    return None if row is None else typing.cast(Record, json.loads(row[0]))


def stale_document_ids(db: sqlite_utils.Database, everything: bool = False) -> list[int]:
    """Documents without a record or with one from an older parser version (all of them with ``everything``)."""
    condition = "1" if everything else "x.document_id IS NULL OR x.parser_version < ?"
    parameters = [] if everything else [PARSER_VERSION]
    sql = f"SELECT d.id FROM documents d LEFT JOIN records x ON x.document_id = d.id WHERE {condition} ORDER BY d.id"
    return [row[0] for row in db.execute(sql, parameters)]


def failing(db: sqlite_utils.Database, check: str | None = None) -> list[dict[str, Any]]:
    """Reports with failed checks (of their report-level record), with each failure's numbers. What is not
    a report is left out: a notice's date is not a report's signature (``with_status(db, "not_a_report")``)."""
    sql = """SELECT r.id, d.id, d.title, c.name, c.details FROM record_checks c
             JOIN documents d ON d.id = c.document_id
             JOIN reports r ON r.id = d.report_id AND r.primary_document_id = d.id
             JOIN report_records x ON x.report_id = r.id AND NOT x.not_a_report
             WHERE c.status = 'fail' AND (? IS NULL OR c.name = ?) ORDER BY r.id, c.name"""
    out: dict[int, dict[str, Any]] = {}
    for report_id, document_id, title, name, details in db.execute(sql, [check, check]):
        entry = out.setdefault(report_id, {"report_id": report_id, "document_id": document_id, "title": title})
        entry.setdefault("failed", {})[name] = json.loads(details or "null")
    return list(out.values())


def with_status(db: sqlite_utils.Database, status: str) -> list[dict[str, Any]]:
    """Reports whose status (the browse table's ``check_status``) is ``status``, with the tables each lacks."""
    sql = """SELECT b.id, b.document_id, b.title, json_extract(x.checks, '$."tables.complete".missing')
             FROM browse b LEFT JOIN report_records x ON x.report_id = b.id
             WHERE b.check_status = ? ORDER BY b.id"""
    return [
        {"report_id": report_id, "document_id": document_id, "title": title, "missing": json.loads(missing or "[]")}
        for report_id, document_id, title, missing in db.execute(sql, [status])
    ]


def status_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How many reports have each status (as the browse table's ``check_status`` shows it)."""
    return dict(db.execute("SELECT check_status, count(*) FROM browse GROUP BY 1 ORDER BY 2 DESC").fetchall())
