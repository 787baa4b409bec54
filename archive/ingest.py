"""Putting fetched bytes into the archive: the one code path of ``nianbao import`` and the crawler's pipeline.

Each document is written in one transaction (bytes, document row, report link, sighting, run counts),
so a process killed at any moment leaves either the whole document or nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import sqlite_utils

from archive import linking, records
from archive.db import prepare_index_tokens, write_transaction
from parsers.document import SHORT_TYPES, ExtractedDocument, ExtractionError
from parsers.extract import extract
from parsers.identity import identify

Status = Literal["new", "changed", "duplicate", "failed"]
#: What the PDF extractor says of pages it read by OCR (parsers/pdf.py): such text links by agency and year.
_READ_BY_OCR = "read by OCR"


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
    found_on: str | None = None  # the report page the crawler found this file on (archive.linking, rule 1)


@dataclass
class Outcome:
    status: Status
    url: str
    document_id: int | None = None
    report_id: int | None = None
    title: str | None = None
    reason: str | None = None  # why it failed, one line
    previous_document_id: int | None = None  # for 'changed': what the URL held before
    sha256: str | None = None  # of the archived bytes


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


#: Extra writes a caller makes in the same transaction as an archived document (see ``ingest``).
AlsoWrite = Callable[[sqlite_utils.Database, Outcome], None]


def ingest(
    db: sqlite_utils.Database,
    source: Source,
    run_id: int | None = None,
    ocr: bool = False,
    also: AlsoWrite | None = None,
) -> Outcome:
    """Archive ``source``: dedup by content hash, extract new content, link it to its report, log the sighting.

    Extraction and parsing run before the write lock is taken, so parallel ingesters (the crawler's
    workers, an import beside a crawl) only queue for the short database writes. ``also`` runs inside
    the document's transaction once it is archived (not for a failure): the crawler keeps its
    conditional-GET cache that way, so the cache never names bytes the archive lacks."""
    sha256 = hashlib.sha256(source.data).hexdigest()
    if (known := _known(db, sha256)) is not None:
        with write_transaction(db):
            return _also(db, _sight_known(db, known, source, run_id, sha256), also)
    try:
        extracted = extract(source.data, url=source.final_url or source.url, headers=source.headers, ocr=ocr)
    except ExtractionError as error:
        return record_failure(db, run_id, source.url, str(error))
    record = records.parse_safely(extracted)
    columns = _extracted_columns(sha256, extracted, record)
    title = str(columns["title"]) if columns["title"] else None
    prepare_index_tokens(extracted.text)
    with write_transaction(db):
        if (known := _known(db, sha256)) is not None:  # another process archived the same bytes meanwhile
            return _also(db, _sight_known(db, known, source, run_id, sha256), also)
        previous = _last_document_at(db, source.url)
        candidate = _candidate(columns, source, previous, _read_by_ocr(extracted))
        document_id, report_id = _insert_document(db, sha256, source.data, columns, record, candidate)
        _add_sighting(db, document_id, source, run_id)
        status: Status = "changed" if previous is not None else "new"
        _count(db, run_id, status)
        outcome = Outcome(
            status, source.url, document_id, report_id, title, previous_document_id=previous, sha256=sha256
        )
        return _also(db, outcome, also)


def _also(db: sqlite_utils.Database, outcome: Outcome, also: AlsoWrite | None) -> Outcome:
    if also is not None:
        also(db, outcome)
    return outcome


def _known(db: sqlite_utils.Database, sha256: str) -> tuple[int, int, str | None] | None:
    """(document id, report id, title) of already archived bytes."""
    row = db.execute("SELECT id, report_id, title FROM documents WHERE sha256 = ?", [sha256]).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def _sight_known(
    db: sqlite_utils.Database, known: tuple[int, int, str | None], source: Source, run_id: int | None, sha256: str
) -> Outcome:
    """Archived bytes seen again: a sighting; 'changed' if the URL held other bytes before."""
    document_id, report_id, title = known
    previous = _add_sighting(db, document_id, source, run_id)
    status: Status = "changed" if previous is not None else "duplicate"
    _count(db, run_id, status)
    return Outcome(status, source.url, document_id, report_id, title, previous_document_id=previous, sha256=sha256)


def _extracted_columns(sha256: str, extracted: ExtractedDocument, record: records.Record | None) -> dict[str, object]:
    """The documents-table columns that come from extraction and parsing (shared by ingest and reextract).

    The parsed record fills agency, year, region and format; without one (a parser failure) the title
    still gives agency and year."""
    if record is not None:  # the parser identified the document already
        title, agency, year = record["title"], record["agency"], record["year"]
    else:
        identity = identify(extracted.text, title_hint=extracted.title, metadata=extracted.metadata)
        title, agency, year = identity.title, identity.agency, identity.year
    return {
        "media_type": extracted.media_type,
        "encoding": extracted.encoding,
        "title": title or extracted.title,
        "text": extracted.text,
        "text_key": linking.text_key(sha256, extracted.text),
        "page_count": extracted.page_count,
        "needs_ocr": int(extracted.needs_ocr),
        "warnings": json.dumps(extracted.warnings, ensure_ascii=False),
        "agency": agency,
        "year": year,
        **records.identity_columns(record),
    }


def _read_by_ocr(extracted: ExtractedDocument) -> bool:
    return any(_READ_BY_OCR in warning for warning in extracted.warnings)


def _candidate(
    columns: dict[str, object], source: Source, previous_document_id: int | None, read_by_ocr: bool
) -> linking.Candidate:
    """What report linking needs to know of a document about to be archived."""
    year = columns["year"]
    return linking.Candidate(
        key=str(columns["text_key"]),
        text=str(columns["text"]),
        title=str(columns["title"]) if columns["title"] else None,
        agency=str(columns["agency"]) if columns["agency"] else None,
        year=year if isinstance(year, int) else None,
        url=source.url,
        found_on=source.found_on,
        previous_document_id=previous_document_id,
        read_by_ocr=read_by_ocr,
    )


def _insert_document(
    db: sqlite_utils.Database,
    sha256: str,
    data: bytes,
    columns: dict[str, object],
    record: records.Record | None,
    candidate: linking.Candidate,
) -> tuple[int, int]:
    """Insert the document with its report id, and its record; a new report's row comes first with no
    primary file and gets it once the document row exists (its search-index trigger then reads the text),
    the report's record last (its row refreshes the browse row). Call inside a write transaction.

    (Not ``PRAGMA defer_foreign_keys`` to insert the document first: a flag pragma expires every prepared
    statement, so each statement after it was compiled again, ~2 ms a document with the browse trigger.)"""
    link = linking.find_report(db, candidate)
    report_id = link.report_id
    new_report = report_id is None
    if new_report:
        report_id = db.execute("INSERT INTO reports (primary_document_id, created_at) VALUES (0, ?)", [now()]).lastrowid
    db.execute("INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)", [sha256, data])
    columns = {**columns, "sha256": sha256, "report_id": report_id, "size": len(data), "created_at": now()}
    names = ", ".join(columns)
    cursor = db.execute(
        f"INSERT INTO documents ({names}) VALUES ({', '.join('?' * len(columns))})", list(columns.values())
    )
    document_id = cursor.lastrowid
    assert document_id is not None and report_id is not None
    if record is not None:
        records.store(db, document_id, record)
    if new_report or link.make_primary:
        db.execute("UPDATE reports SET primary_document_id = ? WHERE id = ?", [document_id, report_id])
    merge_reports(db, int(report_id), link.absorb)
    records.rebuild(db, int(report_id))
    return document_id, int(report_id)


def merge_reports(db: sqlite_utils.Database, into: int, others: list[int]) -> None:
    """Move every file of the ``others`` reports into report ``into`` and delete them (their report
    records go with them); the caller rebuilds ``into``'s record. Call inside a write transaction."""
    for other in others:
        db.execute("UPDATE documents SET report_id = ? WHERE report_id = ?", [into, other])
        db.execute("DELETE FROM reports WHERE id = ?", [other])


def stored_document_ids(db: sqlite_utils.Database, short_type: str | None = None) -> list[int]:
    """Ids of stored documents, optionally only those of one file type (``pdf``, ``html``…)."""
    media_types = [media for media, short in SHORT_TYPES.items() if short == short_type]
    if short_type is None:
        return [row[0] for row in db.execute("SELECT id FROM documents ORDER BY id")]
    return [row[0] for row in db.execute("SELECT id FROM documents WHERE media_type = ? ORDER BY id", media_types[:1])]


def reextract(db: sqlite_utils.Database, document_id: int, ocr: bool = False) -> str | None:
    """Extract a stored document again from its bytes (after the extractors improved); no re-fetch.

    Returns None on success, or the reason it failed — in which case the old text stays."""
    row = db.execute(
        """SELECT d.sha256, b.data, (SELECT url FROM sightings WHERE document_id = d.id ORDER BY id LIMIT 1)
           FROM documents d JOIN blobs b ON b.sha256 = d.sha256 WHERE d.id = ?""",
        [document_id],
    ).fetchone()
    if row is None:
        return f"no document {document_id}"
    sha256, data, url = row
    try:
        extracted = extract(data, url=url, ocr=ocr)
    except ExtractionError as error:
        return str(error)
    record = records.parse_safely(extracted)
    columns = _extracted_columns(sha256, extracted, record)
    assignments = ", ".join(f"{name} = ?" for name in columns)
    with write_transaction(db):
        db.execute(f"UPDATE documents SET {assignments} WHERE id = ?", [*columns.values(), document_id])
        if record is not None:
            records.store(db, document_id, record)
        report_id = db.execute("SELECT report_id FROM documents WHERE id = ?", [document_id]).fetchone()[0]
        if report_id is not None:
            if _read_by_ocr(extracted):  # a scan now read: it joins its agency's report of that year (rule 5)
                report_id = _join_by_agency_and_year(db, report_id, columns)
            records.rebuild(db, report_id)
    return None


def _join_by_agency_and_year(db: sqlite_utils.Database, report_id: int, columns: dict[str, object]) -> int:
    """The report a document read by OCR belongs to: another one of its agency and year, which absorbs
    the document's report, or its own."""
    agency, year = columns["agency"], columns["year"]
    if not isinstance(agency, str) or not isinstance(year, int):
        return report_id
    target = linking.same_agency_and_year(db, agency, year, report_id)
    if target is None:
        return report_id
    merge_reports(db, target, [report_id])
    return target


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
                                  last_modified, previous_document_id, found_on)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
            source.found_on,
        ],
    )
    return previous


def _count(db: sqlite_utils.Database, run_id: int | None, status: Status) -> None:
    if run_id is not None and status in ("new", "changed", "duplicate"):
        db.execute(f"UPDATE runs SET {status} = {status} + 1 WHERE id = ?", [run_id])
