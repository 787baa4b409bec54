"""Reading the archive back: one report with its files, sightings and report-level record, and
whole-archive counts (of reports, not files: a report's PDF and HTML page are one report)."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from archive import fts, records
from archive.search import report_files

IDENTITY = ("title", "agency", "year", "province", "city", "county", "format")


def get_report(db: sqlite_utils.Database, report_id: int) -> dict[str, Any] | None:
    """A report: the identity of its primary document, its text, its files, every sighting and its
    record (``records.report_record``: built from all its files, saying which file each table came from)."""
    row = db.execute(
        f"""SELECT r.id, r.primary_document_id, r.created_at, {", ".join("d." + c for c in IDENTITY)},
                   d.text, d.needs_ocr, d.warnings
            FROM reports r JOIN documents d ON d.id = r.primary_document_id WHERE r.id = ?""",
        [report_id],
    ).fetchone()
    if row is None:
        return None
    report_id, primary, created_at, *identity, text, needs_ocr, warnings = row
    sightings = [
        dict(zip(("document_id", "url", "final_url", "seen_at", "http_status", "run_id"), values, strict=True))
        for values in db.execute(
            """SELECT s.document_id, s.url, s.final_url, s.seen_at, s.http_status, s.run_id
               FROM sightings s JOIN documents d ON d.id = s.document_id
               WHERE d.report_id = ? ORDER BY s.id""",
            [report_id],
        )
    ]
    return {
        "id": report_id,
        "primary_document_id": primary,
        "created_at": created_at,
        **dict(zip(IDENTITY, identity, strict=True)),
        "needs_ocr": bool(needs_ocr),
        "warnings": json.loads(warnings or "[]"),
        "files": report_files(db, report_id),
        "sightings": sightings,
        "text": text,
        "record": records.report_record(db, report_id),
    }


def _grouped(db: sqlite_utils.Database, sql: str) -> dict[str, int]:
    return {str(key) if key is not None else "": count for key, count in db.execute(sql)}


def index_bytes(db: sqlite_utils.Database) -> int:
    """Bytes held by the search indexes' shadow tables (their segments and term indexes)."""
    total = 0
    for table, _, _ in fts.INDEXES:
        total += db.execute(f"SELECT sum(length(block)) FROM {table}_data").fetchone()[0] or 0
        total += db.execute(f"SELECT sum(length(term) + 16) FROM {table}_idx").fetchone()[0] or 0
    return int(total)


def stats(db: sqlite_utils.Database) -> dict[str, Any]:
    """Whole-archive counts and sizes."""

    def scalar(sql: str) -> int:
        return int(db.execute(sql).fetchone()[0] or 0)

    return {
        "reports": scalar("SELECT count(*) FROM reports"),
        "documents": scalar("SELECT count(*) FROM documents"),
        "sightings": scalar("SELECT count(*) FROM sightings"),
        "runs": scalar("SELECT count(*) FROM runs"),
        "failures": scalar("SELECT count(*) FROM failures"),
        "needs_ocr": scalar("SELECT count(*) FROM documents WHERE needs_ocr"),
        "stored_bytes": scalar("SELECT sum(length(data)) FROM blobs"),
        "text_characters": scalar("SELECT sum(length(text)) FROM documents"),
        "index_bytes": index_bytes(db),
        "by_type": _grouped(db, "SELECT media_type, count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC"),
        "by_year": _grouped(  # reports, by the year their primary file names
            db,
            "SELECT d.year, count(*) FROM reports r JOIN documents d ON d.id = r.primary_document_id "
            "GROUP BY 1 ORDER BY 1",
        ),
    }
