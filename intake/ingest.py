"""Putting fetched bytes into the archive: the one code path of ``nianbao import`` and the crawler's pipeline.

Two steps, so that the CPU-heavy one can run anywhere and the writes in one place: ``prepare`` extracts and
parses (in the bounded extraction child, intake/bounded.py: a memory ceiling and a deadline) and makes a
``Prepared``, plain data; ``write`` puts it in the archive inside a write transaction: bytes, document row,
report link, sighting, run counts, together or not at all. ``ingest`` does both for one document in one
transaction. A ``Batch`` commits many documents in one transaction, each still atomic (a savepoint each):
what a kill loses is the open batch, which the next run imports or fetches again.

A document that cannot be extracted, for any reason, is still archived: its bytes and a document row of no
report whose warnings say ``failed extraction: <reason>``, plus the failure with its reason in ``failures``.
``reextract`` tries it again, and a success files it in its report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

import sqlite_utils

from archive.db import deferred_search_index, write_transaction
from archive.fts import prepare_index_tokens
from common import now
from intake import bounded, linking, records
from parsers.document import SHORT_TYPES, ExtractedDocument, ExtractionError
from parsers.extract import extract
from parsers.identity import identify

Status = Literal["new", "changed", "duplicate", "failed"]
#: What the PDF extractor says of pages it read by OCR (parsers/pdf.py): such text links by agency and year.
_READ_BY_OCR = "read by OCR"
#: The warning of an archived document that could not be extracted (``failed extraction: <reason>``).
FAILED_EXTRACTION = "failed extraction"
#: The media type of a failed extraction until ``reextract`` reads it.
UNREAD_TYPE = "application/octet-stream"


@dataclass
class Source:
    """Bytes and where they came from (a crawl response or a local file)."""

    url: str
    data: bytes
    final_url: str | None = None
    http_status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    found_on: str | None = None  # the report page the crawler found this file on (intake.linking, rule 1)


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
        running = db.execute("SELECT id, pid, started_at FROM runs WHERE status = 'running'").fetchall()
        for run_id, pid, started_at in running:
            if not _process_alive(pid, started_at):
                db.execute("UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id = ?", [now(), run_id])
        cursor = db.execute(
            "INSERT INTO runs (kind, started_at, status, pid, options) VALUES (?, ?, 'running', ?, ?)",
            [kind, now(), os.getpid(), json.dumps(options, ensure_ascii=False)],
        )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def finish_run(
    db: sqlite_utils.Database, run_id: int, status: Literal["finished", "interrupted"] = "finished"
) -> dict[str, object]:
    """End a running run: ``finished`` (it ran to its end) or ``interrupted`` (stopped, killed or crashed
    before; its counts are what it archived). A run already ended keeps its status."""
    with write_transaction(db):
        db.execute(
            "UPDATE runs SET status = ?, finished_at = ? WHERE id = ? AND status = 'running'", [status, now(), run_id]
        )
    return dict(db.table("runs").get(run_id))


def _process_alive(pid: int | None, started_at: str | None = None) -> bool:
    """Whether the process that started a run (at ``started_at``) still runs. A process that started after
    the run is another one reusing a dead run's pid (where Linux's /proc tells when a process started)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat, open("/proc/stat", encoding="ascii") as system:
            fields = stat.read().rsplit(")", 1)[1].split()  # after the command name: state, ppid, …
            boot = int(next(line for line in system if line.startswith("btime")).split()[1])
    except (OSError, ValueError, IndexError, StopIteration):
        return True
    if fields[0] == "Z":  # exited, not yet reaped
        return False
    began = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start, in clock ticks after boot
    # a minute's slack: the boot time /proc gives moves with the wall clock, which NTP may step
    return started_at is None or began <= dt.datetime.fromisoformat(started_at).timestamp() + 60


def record_failure(db: sqlite_utils.Database, run_id: int | None, url: str, reason: str) -> Outcome:
    """A failure with nothing to archive (no bytes, or empty ones)."""
    with write_transaction(db):
        _insert_failure(db, run_id, url, reason)
    return Outcome(status="failed", url=url, reason=reason)


def _insert_failure(db: sqlite_utils.Database, run_id: int | None, url: str, reason: str) -> None:
    db.execute("INSERT INTO failures (run_id, url, reason, at) VALUES (?, ?, ?, ?)", [run_id, url, reason, now()])
    if run_id is not None:
        db.execute("UPDATE runs SET failed = failed + 1 WHERE id = ?", [run_id])


#: Extra writes a caller makes in the same transaction as an archived document (see ``ingest``).
AlsoWrite = Callable[[sqlite_utils.Database, Outcome], None]


@dataclass
class Job:
    """One document for the extraction child (intake/bounded.py)."""

    data: bytes
    url: str | None
    headers: dict[str, str]
    ocr: bool
    sha256: str


@dataclass
class Analysis:
    """What the extraction child hands back: the documents-table columns and the file's record."""

    columns: dict[str, object]
    record: records.Record | None
    read_by_ocr: bool


def analyse(job: Job) -> Analysis:
    """Extract and parse one document (in the extraction child: ``bounded.run(analyse, job)``)."""
    extracted = extract(job.data, url=job.url, headers=job.headers, ocr=job.ocr)
    record, failure = records.parse_safely(extracted)
    if failure is not None:
        extracted.warnings.append(failure)
    return Analysis(_extracted_columns(job.sha256, extracted, record), record, _read_by_ocr(extracted))


@dataclass
class Prepared:
    """A document ready to be written: its bytes and provenance, their content hash, and what extraction and
    parsing made of them. Plain data, picklable: made where the CPU is (``prepare``: an import, the crawl's
    workers), written where the archive is (``write``: the crawl's one writer); issue 15 carries it over a
    Redis stream."""

    source: Source
    sha256: str
    analysis: Analysis | None = None  # None: archived already when prepared, or ``failure``
    failure: str | None = None  # why the bytes could not be read or extracted


def prepare(db: sqlite_utils.Database | None, source: Source, ocr: bool = False) -> Prepared:
    """Extract and parse ``source`` in the bounded extraction child, unless ``db`` (read only) holds its bytes
    already: a duplicate costs no extraction. Writes nothing, so it runs before any lock is taken."""
    sha256 = hashlib.sha256(source.data).hexdigest()
    if db is not None and _known(db, sha256) is not None:
        return Prepared(source, sha256)
    job = Job(source.data, source.final_url or source.url, dict(source.headers), ocr, sha256)
    try:
        return Prepared(source, sha256, bounded.run(analyse, job, _ocr_time(ocr)))
    except ExtractionError as error:
        return Prepared(source, sha256, failure=str(error))


def _ocr_time(ocr: bool) -> float:
    """The extra seconds a document may take when scanned pages are read by OCR (as many as the PDF
    extractor allows itself)."""
    from parsers import pdf  # pdfplumber loads only when a PDF is read

    return pdf.MAX_OCR_PAGES * pdf.OCR_SECONDS_PER_PAGE if ocr else 0.0


def unreadable(url: str, reason: str) -> Prepared:
    """A file that could not even be read (missing, too large): only its failure is written."""
    return Prepared(Source(url, b""), hashlib.sha256(b"").hexdigest(), failure=reason)


def write(db: sqlite_utils.Database, prepared: Prepared, run_id: int | None, also: AlsoWrite | None = None) -> Outcome:
    """Archive a prepared document: dedup by content hash, link it to its report, log the sighting. Call
    inside a write transaction (``ingest``, ``Batch``). Bytes archived meanwhile (by another process, or
    earlier in the same batch) become a sighting. ``also`` runs once the document is archived (not for a
    failure): the crawler keeps its conditional-GET cache that way, so the cache never names bytes the
    archive lacks."""
    source, sha256 = prepared.source, prepared.sha256
    if (known := _known(db, sha256)) is not None:
        return _also(db, _sight_known(db, known, source, run_id, sha256), also)
    if prepared.failure is not None:
        return _archive_failure(db, source, run_id, sha256, prepared.failure)
    if prepared.analysis is None:
        raise ValueError(f"{source.url}: prepared as archived already, but the archive has no such bytes")
    analysis, columns = prepared.analysis, prepared.analysis.columns
    previous = _last_document_at(db, source.url)
    candidate = _candidate(columns, source, previous, analysis.read_by_ocr)
    document_id, report_id = _insert_document(db, sha256, source.data, columns, analysis.record, candidate)
    _add_sighting(db, document_id, source, run_id)
    status: Status = "changed" if previous is not None else "new"
    _count(db, run_id, status)
    title = str(columns["title"]) if columns["title"] else None
    outcome = Outcome(status, source.url, document_id, report_id, title, previous_document_id=previous, sha256=sha256)
    return _also(db, outcome, also)


def ingest(
    db: sqlite_utils.Database,
    source: Source,
    run_id: int | None = None,
    ocr: bool = False,
    also: AlsoWrite | None = None,
) -> Outcome:
    """Archive ``source`` in a transaction of its own: ``prepare`` then ``write``. Extraction, parsing and the
    search tokens are done before the write lock is taken, so writers beside it only wait for the writes."""
    prepared = prepare(db, source, ocr)
    if prepared.analysis is not None:
        prepare_index_tokens(str(prepared.analysis.columns["text"]))
    with write_transaction(db):
        return write(db, prepared, run_id, also)


K = TypeVar("K")


@dataclass(frozen=True)
class BatchLimits:
    """When a ``Batch`` commits: at this many documents, at this many bytes of them (what it holds in memory),
    or this many seconds after its first document, whichever comes first."""

    documents: int = 200
    seconds: float = 2.0
    bytes: int = 64 * 1024 * 1024


class Batch(Generic[K]):
    """Prepared documents written and committed together: one transaction, its write lock, its commit and the
    search index's write-out (``archive.db.deferred_search_index``) shared by up to ``limits.documents``
    documents (``bench/ingest.py`` measures what that saves against a transaction per document).

    Nothing is written until ``flush``: the write lock is held while the batch is written, not while its
    documents are extracted. Each document is written inside a savepoint of its own, so an error writing one
    (a bug of ours) rolls back that document only; it is recorded as failed with the error as its reason (a
    savepoint costs ~0.3 ms of CPU of a document's ~5.5 ms of writing at 20,000 reports, measured side by side).
    A process killed before ``flush`` commits loses the documents added since the last flush, and only
    those: the next run imports or fetches them again (the crawl's conditional-GET entry of a document is
    written in its savepoint, so a lost document is downloaded again).

        batch: Batch[Path] = Batch(db)
        for path in paths:
            batch.add(path, prepare(db, Source(path.as_uri(), path.read_bytes())), run_id)
            if batch.due():
                report(batch.flush())  # [(path, Outcome)], committed
        report(batch.flush())
    """

    def __init__(self, db: sqlite_utils.Database, limits: BatchLimits | None = None) -> None:
        self.db = db
        self.limits = limits or BatchLimits()
        self._pending: list[tuple[K, Prepared, int | None, AlsoWrite | None]] = []
        self._bytes = 0
        self._opened = 0.0  # time.monotonic() of the first document since the last flush

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, key: K, prepared: Prepared, run_id: int | None, also: AlsoWrite | None = None) -> None:
        """Queue ``prepared`` for the next flush; ``key`` names it in what ``flush`` returns."""
        if not self._pending:
            self._opened = time.monotonic()
        self._pending.append((key, prepared, run_id, also))
        self._bytes += len(prepared.source.data)

    def seconds_left(self) -> float | None:
        """Seconds until the batch is due by age (0 when it is due), None while it is empty."""
        if not self._pending:
            return None
        return max(0.0, self.limits.seconds - (time.monotonic() - self._opened))

    def due(self) -> bool:
        """Whether to flush now: a limit is reached."""
        full = len(self._pending) >= self.limits.documents or self._bytes >= self.limits.bytes
        return full or self.seconds_left() == 0.0

    def flush(self) -> list[tuple[K, Outcome]]:
        """Write and commit every queued document; their outcomes, in the order added, once committed. An
        exception (the commit failed, an interrupt) rolls the whole batch back and is raised."""
        pending, self._pending, self._bytes = self._pending, [], 0
        if not pending:
            return []
        with write_transaction(self.db), deferred_search_index(self.db):
            return [(key, self._write_one(prepared, run_id, also)) for key, prepared, run_id, also in pending]

    def _write_one(self, prepared: Prepared, run_id: int | None, also: AlsoWrite | None) -> Outcome:
        self.db.execute("SAVEPOINT document")
        try:
            outcome = write(self.db, prepared, run_id, also)
        except Exception as error:
            self.db.execute("ROLLBACK TO document")
            self.db.execute("RELEASE document")
            reason = f"internal error while archiving: {type(error).__name__}: {error}"[:300]
            _insert_failure(self.db, run_id, prepared.source.url, reason)
            return Outcome("failed", prepared.source.url, reason=reason, sha256=prepared.sha256)
        self.db.execute("RELEASE document")
        return outcome


def write_batched(
    db: sqlite_utils.Database,
    prepared: Iterable[tuple[K, Prepared]],
    run_id: int | None,
    limits: BatchLimits | None = None,
) -> Iterator[tuple[K, Outcome]]:
    """Write ``prepared`` (prepared lazily, as the iterable is read) in batches; yield each document's key and
    outcome once its batch is committed."""
    batch: Batch[K] = Batch(db, limits)
    for key, document in prepared:
        batch.add(key, document, run_id)
        if batch.due():
            yield from batch.flush()
    yield from batch.flush()


def _archive_failure(
    db: sqlite_utils.Database, source: Source, run_id: int | None, sha256: str, reason: str
) -> Outcome:
    """Bytes that could not be extracted: archived all the same, as a document of no report (see the module
    docstring), with the failure recorded beside it. Empty bytes only fail. Call inside a write transaction."""
    if not source.data.strip():
        _insert_failure(db, run_id, source.url, reason)
        return Outcome(status="failed", url=source.url, reason=reason)
    db.execute("INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)", [sha256, source.data])
    columns = {
        "sha256": sha256,
        "size": len(source.data),
        "media_type": UNREAD_TYPE,
        "text": "",
        "text_key": linking.text_key(sha256, ""),
        "warnings": _failure_warnings(reason),
        "created_at": now(),
    }
    cursor = db.execute(
        f"INSERT INTO documents ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        list(columns.values()),
    )
    assert cursor.lastrowid is not None
    _add_sighting(db, cursor.lastrowid, source, run_id)
    _insert_failure(db, run_id, source.url, reason)
    return Outcome("failed", source.url, cursor.lastrowid, reason=reason, sha256=sha256)


def _also(db: sqlite_utils.Database, outcome: Outcome, also: AlsoWrite | None) -> Outcome:
    if also is not None and outcome.status != "failed":
        also(db, outcome)
    return outcome


@dataclass
class _Stored:
    """Archived bytes: their document, its report (None: a failed extraction), title and warnings."""

    document_id: int
    report_id: int | None
    title: str | None
    warnings: str | None

    @property
    def failure(self) -> str | None:
        """Why a failed extraction failed (its warning's reason); None for a document that was read."""
        if self.report_id is not None:
            return None
        prefix = f"{FAILED_EXTRACTION}: "
        reasons = [w.removeprefix(prefix) for w in json.loads(self.warnings or "[]") if w.startswith(prefix)]
        return reasons[0] if reasons else FAILED_EXTRACTION


def _known(db: sqlite_utils.Database, sha256: str) -> _Stored | None:
    row = db.execute("SELECT id, report_id, title, warnings FROM documents WHERE sha256 = ?", [sha256]).fetchone()
    return None if row is None else _Stored(*row)


def _sight_known(db: sqlite_utils.Database, known: _Stored, source: Source, run_id: int | None, sha256: str) -> Outcome:
    """Archived bytes seen again: a sighting; 'changed' if the URL held other bytes before. Bytes whose
    extraction failed fail again with their reason (``reextract`` is what tries them again)."""
    previous = _add_sighting(db, known.document_id, source, run_id)
    if (reason := known.failure) is not None:
        _insert_failure(db, run_id, source.url, reason)
        return Outcome("failed", source.url, known.document_id, reason=reason, sha256=sha256)
    status: Status = "changed" if previous is not None else "duplicate"
    _count(db, run_id, status)
    document_id, report_id, title = known.document_id, known.report_id, known.title
    return Outcome(status, source.url, document_id, report_id, title, previous_document_id=previous, sha256=sha256)


def recorded_outcome(db: sqlite_utils.Database, source: Source, run_id: int) -> Outcome | None:
    """The outcome of archiving ``source`` in run ``run_id`` as the archive holds it, or None if it holds no
    sighting of these bytes at that URL in that run: for a worker that died after its document's
    transaction committed and before it answered (the document must not also be recorded as failed)."""
    sha256 = hashlib.sha256(source.data).hexdigest()
    row = db.execute(
        """SELECT s.id, s.previous_document_id, d.id, d.report_id, d.title, d.warnings,
                  (SELECT min(id) FROM sightings WHERE document_id = d.id)
           FROM sightings s JOIN documents d ON d.id = s.document_id
           WHERE s.url = ? AND s.run_id = ? AND d.sha256 = ? ORDER BY s.id DESC LIMIT 1""",
        [source.url, run_id, sha256],
    ).fetchone()
    if row is None:
        return None
    sighting, previous, *stored, first_sighting = row
    known = _Stored(*stored)
    if (reason := known.failure) is not None:
        return Outcome("failed", source.url, known.document_id, reason=reason, sha256=sha256)
    status: Status = "changed" if previous is not None else "new" if sighting == first_sighting else "duplicate"
    document_id, report_id, title = known.document_id, known.report_id, known.title
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
    report_id = _report_of(db, link)
    db.execute("INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)", [sha256, data])
    columns = {**columns, "sha256": sha256, "report_id": report_id, "size": len(data), "created_at": now()}
    names = ", ".join(columns)
    cursor = db.execute(
        f"INSERT INTO documents ({names}) VALUES ({', '.join('?' * len(columns))})", list(columns.values())
    )
    document_id = cursor.lastrowid
    assert document_id is not None
    _file_in_report(db, document_id, report_id, link, record)
    return document_id, report_id


def _report_of(db: sqlite_utils.Database, link: linking.Link) -> int:
    """The report a file joins: the link's, or a new one whose primary file is set by ``_file_in_report``."""
    if link.report_id is not None:
        return link.report_id
    cursor = db.execute("INSERT INTO reports (primary_document_id, created_at) VALUES (0, ?)", [now()])
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _file_in_report(
    db: sqlite_utils.Database, document_id: int, report_id: int, link: linking.Link, record: records.Record | None
) -> None:
    """A file's row now names ``report_id``: store its record, make it the primary file of a new report (or
    where the link says so), absorb the reports the link names, rebuild the report's record."""
    if record is not None:
        records.store(db, document_id, record)
    if link.report_id is None or link.make_primary:
        db.execute("UPDATE reports SET primary_document_id = ? WHERE id = ?", [document_id, report_id])
    merge_reports(db, report_id, link.absorb)
    records.rebuild(db, report_id)


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
    """Extract a stored document again from its bytes (after the extractors improved or a bound was
    raised); no re-fetch. A failed extraction read at last is filed in its report as a new file would be.

    Returns None on success, or the reason it failed — in which case the old text stays (a failed
    extraction keeps the new reason)."""
    row = db.execute(
        """SELECT d.sha256, b.data, s.url, s.found_on, s.previous_document_id
           FROM documents d JOIN blobs b ON b.sha256 = d.sha256
           LEFT JOIN sightings s ON s.id = (SELECT min(id) FROM sightings WHERE document_id = d.id)
           WHERE d.id = ?""",
        [document_id],
    ).fetchone()
    if row is None:
        return f"no document {document_id}"
    sha256, data, url, found_on, previous = row
    try:
        analysis = bounded.run(analyse, Job(data, url, {}, ocr, sha256), _ocr_time(ocr))
    except ExtractionError as error:
        with write_transaction(db):
            db.execute(
                "UPDATE documents SET warnings = ? WHERE id = ? AND report_id IS NULL",
                [_failure_warnings(str(error)), document_id],
            )
        return str(error)
    columns = analysis.columns
    prepare_index_tokens(str(columns["text"]))
    assignments = ", ".join(f"{name} = ?" for name in columns)
    with write_transaction(db):
        report_id = db.execute("SELECT report_id FROM documents WHERE id = ?", [document_id]).fetchone()[0]
        if report_id is None:  # a failed extraction, read at last
            source = Source(url or "", data, found_on=found_on)
            link = linking.find_report(db, _candidate(columns, source, previous, analysis.read_by_ocr))
            report_id = _report_of(db, link)
            db.execute(
                f"UPDATE documents SET {assignments}, report_id = ? WHERE id = ?",
                [*columns.values(), report_id, document_id],
            )
            _file_in_report(db, document_id, report_id, link, analysis.record)
            return None
        db.execute(f"UPDATE documents SET {assignments} WHERE id = ?", [*columns.values(), document_id])
        if analysis.record is not None:
            records.store(db, document_id, analysis.record)
        if analysis.read_by_ocr:  # a scan now read: it joins its agency's report of that year (rule 5)
            report_id = _join_by_agency_and_year(db, report_id, columns)
        records.rebuild(db, report_id)
    return None


def _failure_warnings(reason: str) -> str:
    """The warnings column of a failed extraction."""
    return json.dumps([f"{FAILED_EXTRACTION}: {reason}"], ensure_ascii=False)


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
