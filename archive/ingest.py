"""Putting fetched bytes into the archive: the one code path of ``nianbao import`` and the crawler's pipeline.

Each document is written in one transaction (bytes, document row, report link, sighting, run counts),
so a process killed at any moment leaves either the whole document or nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import sqlite_utils

from archive import linking
from archive.db import write_transaction
from parsers.document import ExtractedDocument, ExtractionError
from parsers.extract import extract
from parsers.identity import identify

Status = Literal["new", "changed", "duplicate", "failed"]


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class Source:
    """Bytes and where they came from (a crawl response or a local file)."""

    url: str
    data: bytes
    final_url: str | None = None
    http_status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    status: Status
    url: str
    document_id: int | None = None
    report_id: int | None = None
    title: str | None = None
    reason: str | None = None  # why it failed, one line
    previous_document_id: int | None = None  # for 'changed': what the URL held before


def start_run(db: sqlite_utils.Database, kind: str, options: Mapping[str, object]) -> int:
    """Record a new run; runs left 'running' by a dead process are marked 'interrupted' first."""
    with write_transaction(db):
        for run_id, pid in db.execute("SELECT id, pid FROM runs WHERE status = 'running'").fetchall():
            if not _process_alive(pid):
                db.execute("UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id = ?", [now(), run_id])
        cursor = db.execute(
            "INSERT INTO runs (kind, started_at, status, pid, options) VALUES (?, ?, 'running', ?, ?)",
            [kind, now(), os.getpid(), json.dumps(options, ensure_ascii=False)],
        )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def finish_run(db: sqlite_utils.Database, run_id: int) -> dict[str, object]:
    with write_transaction(db):
        db.execute("UPDATE runs SET status = 'finished', finished_at = ? WHERE id = ?", [now(), run_id])
    return dict(db.table("runs").get(run_id))


def _process_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def record_failure(db: sqlite_utils.Database, run_id: int | None, url: str, reason: str) -> Outcome:
    with write_transaction(db):
        db.execute("INSERT INTO failures (run_id, url, reason, at) VALUES (?, ?, ?, ?)", [run_id, url, reason, now()])
        if run_id is not None:
            db.execute("UPDATE runs SET failed = failed + 1 WHERE id = ?", [run_id])
    return Outcome(status="failed", url=url, reason=reason)


def ingest(db: sqlite_utils.Database, source: Source, run_id: int | None = None) -> Outcome:
    """Archive ``source``: dedup by content hash, extract new content, link it to its report, log the sighting."""
    sha256 = hashlib.sha256(source.data).hexdigest()
    row = db.execute("SELECT id, report_id, title FROM documents WHERE sha256 = ?", [sha256]).fetchone()
    if row is not None:
        document_id, report_id, title = row
        with write_transaction(db):
            previous = _add_sighting(db, document_id, source, run_id)
            status: Status = "changed" if previous is not None else "duplicate"
            _count(db, run_id, status)
        return Outcome(status, source.url, document_id, report_id, title, previous_document_id=previous)

    try:
        extracted = extract(source.data, url=source.final_url or source.url, headers=source.headers)
    except ExtractionError as error:
        return record_failure(db, run_id, source.url, str(error))
    with write_transaction(db):
        previous = _last_document_at(db, source.url)
        document_id, report_id, title = _insert_document(db, sha256, source.data, extracted, previous)
        _add_sighting(db, document_id, source, run_id)
        status = "changed" if previous is not None else "new"
        _count(db, run_id, status)
    return Outcome(status, source.url, document_id, report_id, title, previous_document_id=previous)


def _insert_document(
    db: sqlite_utils.Database,
    sha256: str,
    data: bytes,
    extracted: ExtractedDocument,
    previous_document_id: int | None,
) -> tuple[int, int, str | None]:
    identity = identify(extracted.text, title_hint=extracted.title)
    title = identity.title or extracted.title
    key = linking.text_key(sha256, extracted.text)
    identified = identity.agency is not None and identity.year is not None
    report_id, make_primary = linking.find_report(db, key, extracted.text, title, identified, previous_document_id)
    db.execute("INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)", [sha256, data])
    cursor = db.execute(
        """INSERT INTO documents (sha256, size, media_type, encoding, title, text, text_key, page_count,
                                  needs_ocr, warnings, agency, year, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            sha256,
            len(data),
            extracted.media_type,
            extracted.encoding,
            title,
            extracted.text,
            key,
            extracted.page_count,
            int(extracted.needs_ocr),
            json.dumps(extracted.warnings, ensure_ascii=False),
            identity.agency,
            identity.year,
            now(),
        ],
    )
    document_id = cursor.lastrowid
    assert document_id is not None
    if report_id is None:
        report_cursor = db.execute(
            "INSERT INTO reports (primary_document_id, created_at) VALUES (?, ?)", [document_id, now()]
        )
        report_id = report_cursor.lastrowid
        assert report_id is not None
    elif make_primary:
        db.execute("UPDATE reports SET primary_document_id = ? WHERE id = ?", [document_id, report_id])
    db.execute("UPDATE documents SET report_id = ? WHERE id = ?", [report_id, document_id])
    return document_id, report_id, title


def _last_document_at(db: sqlite_utils.Database, url: str) -> int | None:
    last = db.execute("SELECT document_id FROM sightings WHERE url = ? ORDER BY id DESC LIMIT 1", [url]).fetchone()
    return None if last is None else int(last[0])


def _add_sighting(db: sqlite_utils.Database, document_id: int, source: Source, run_id: int | None) -> int | None:
    """Log where the bytes were seen; returns the document the URL held before, if it held another."""
    last = _last_document_at(db, source.url)
    previous = last if last != document_id else None
    headers = {name.lower(): value for name, value in source.headers.items()}
    db.execute(
        """INSERT INTO sightings (document_id, run_id, url, final_url, seen_at, http_status, etag,
                                  last_modified, previous_document_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            document_id,
            run_id,
            source.url,
            source.final_url or source.url,
            now(),
            source.http_status,
            headers.get("etag"),
            headers.get("last-modified"),
            previous,
        ],
    )
    return previous


def _count(db: sqlite_utils.Database, run_id: int | None, status: Status) -> None:
    if run_id is not None and status in ("new", "changed", "duplicate"):
        db.execute(f"UPDATE runs SET {status} = {status} + 1 WHERE id = ?", [run_id])
