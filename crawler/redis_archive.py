"""The archive side of a distributed crawl: workers (`nianbao worker --redis URL`, any machine) extract and
parse what the crawlers fetched; the one writer (`nianbao writer --redis URL --db FILE`, on the archive's
machine) writes it in batches and keeps the run's books (crawler/redis_queue.py draws the streams).

At-least-once, and no doubles: a worker acknowledges a document in the MULTI/EXEC that hands its analysis to
the writer; the writer acknowledges an entry only after the batch holding it is committed, and takes one
entry per URL per run (a spider asks for each URL once a run, so a second entry for a URL is a re-delivery:
a re-claimed entry, or a request re-done because its crawler died after sending its document). The URLs it
took are read back from the archive when a writer starts on a run already open, so a writer killed after a
commit and before its acknowledgement does not write that batch twice either. What comes twice thus ends
neither as a second document (``intake.ingest.write`` dedups by sha256 anyway) nor as a second sighting.

The conditional-GET state: the archive's cache table is the truth; the writer publishes it to Redis when it
opens the run (``nianbao:cache``) and every crawler reads it from there before its first request; the writer
updates the table as it commits (each document's entry in its savepoint, crawler.ingest_worker.Remember).
Within a run no URL is asked for twice, so the next run is the first that needs what this one learned.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis
import sqlite_utils

from archive import db as archive_db
from archive.db import write_transaction
from crawler import alerts, redis_queue, store
from crawler.ingest_worker import Analysed, Remember, analyse
from crawler.items import EventItem
from crawler.redis_pipeline import WrapperPage
from crawler.store import PortalResult
from intake.ingest import Batch, finish_run, record_failure, start_run

#: Seconds an entry may stay pending with a consumer before another one claims it (its consumer died, or
#: is stuck: a document's extraction is bounded well below this, intake/bounded.py).
CLAIM_AFTER = 60.0


def consumer_name(role: str) -> str:
    return f"{role}-{socket.gethostname()}-{os.getpid()}"


def serve_worker(
    server: redis.Redis,
    db_path: str | None,
    until_done: bool,
    claim_after: float = CLAIM_AFTER,
    on_document: Callable[[], None] | None = None,
) -> int:
    """Analyse documents from the stream until stopped (or, ``until_done``, until the run it served is
    over); how many. ``db_path``: an archive to read (bytes it holds are not extracted again), if here."""
    db = archive_db.connect(db_path, migrate=False) if db_path else None
    consumer, served, seen_run = consumer_name("worker"), 0, False
    redis_queue.ensure_group(server, redis_queue.DOCUMENTS, redis_queue.WORKERS_GROUP)
    while True:
        try:
            entries = redis_queue.take(
                server, redis_queue.DOCUMENTS, redis_queue.WORKERS_GROUP, consumer, 1, 500, claim_after
            )
        except redis.ResponseError as error:  # the writer ended the run and deleted the stream with its group
            if "NOGROUP" not in str(error) and "UNBLOCKED" not in str(error):
                raise
            if until_done and seen_run:
                return served
            redis_queue.ensure_group(server, redis_queue.DOCUMENTS, redis_queue.WORKERS_GROUP)
            continue
        for entry in entries:
            analysed = analyse(db, entry.payload)
            with server.pipeline(transaction=True) as pipe:  # handed on and acknowledged together
                pipe.xadd(redis_queue.ARCHIVE, redis_queue.encode("analysed", analysed))
                pipe.xack(redis_queue.DOCUMENTS, redis_queue.WORKERS_GROUP, entry.id)
                pipe.xdel(redis_queue.DOCUMENTS, entry.id)
                pipe.execute()
            served += 1
            if on_document is not None:
                on_document()
        running = server.exists(redis_queue.RUN)
        seen_run = seen_run or bool(running)
        if until_done and seen_run and not running and not entries:
            return served


@dataclass
class Books:
    """The run's per-portal counts and events, kept by the writer from what the crawlers and workers send."""

    results: dict[str, PortalResult] = field(default_factory=dict)
    retried: Counter[str] = field(default_factory=Counter)
    events: set[tuple[object, ...]] = field(default_factory=set)  # taken already: a re-done request's repeats

    def result(self, portal: str) -> PortalResult:
        return self.results.setdefault(portal, PortalResult(portal))

    def failed(self, portal: str, url: str, reason: str) -> None:
        self.result(portal).failed(url, reason)

    def event(self, db: sqlite_utils.Database, run_id: int, item: EventItem) -> None:
        """As crawler.pipeline.ArchivePipeline._event, once per distinct event."""
        key = (item.portal, item.kind, item.url, item.reason, item.column, item.items, item.reports, item.declared)
        if key in self.events:
            return
        self.events.add(key)
        if item.kind == "failed":
            record_failure(db, run_id, item.url, item.reason)
        self.result(item.portal).count(item)

    def stats(self, counted: dict[str, list[tuple[str, str, str]]]) -> None:
        """A crawler's retries and refusals (crawler.pipeline.ArchivePipeline._close)."""
        for portal, url, reason in counted.get("retries", []):
            self.retried[portal] += 1
            self.result(portal).events.append({"kind": "retried", "url": url, "reason": reason})
        for portal, url, reason in counted.get("refused", []):
            result = self.result(portal)
            result.counts["skipped"] += 1
            result.events.append({"kind": "skipped", "url": url, "reason": reason})


class Writer:
    """The one archive writer of a distributed run."""

    def __init__(self, server: redis.Redis, db: sqlite_utils.Database, claim_after: float = CLAIM_AFTER) -> None:
        self.server = server
        self.db = db
        self.claim_after = claim_after
        self.consumer = consumer_name("writer")
        self.books = Books()
        self.batch: Batch[tuple[bytes, Analysed, Remember]] = Batch(db)
        self.run_id = 0
        self.taken: set[str] = set()  # URLs of this run written or in the open batch
        self.later: list[bytes] = []  # entries handled outside the batch, acknowledged with it

    def open_run(self, options: dict[str, object]) -> int:
        """Resume the run Redis names (a writer restarted), or start one and publish the archive's cache."""
        redis_queue.ensure_group(self.server, redis_queue.ARCHIVE, redis_queue.WRITER_GROUP)
        redis_queue.ensure_group(self.server, redis_queue.DOCUMENTS, redis_queue.WORKERS_GROUP)
        if (running := self.server.get(redis_queue.RUN)) is not None:
            self.run_id = int(running)
            rows = self.db.execute(
                "SELECT url FROM sightings WHERE run_id = ? UNION SELECT url FROM failures WHERE run_id = ?",
                [self.run_id, self.run_id],
            )
            self.taken = {url for (url,) in rows}
            return self.run_id
        self.run_id = start_run(self.db, "crawl", options)
        portals = [portal for (portal,) in self.db.execute("SELECT DISTINCT portal FROM crawl_cache")]
        cache = store.load_cache(self.db, portals)
        for start in range(0, len(cache), 1000):
            chunk = list(cache.items())[start : start + 1000]
            mapping = {url: json.dumps([e.etag, e.last_modified, e.links], ensure_ascii=False) for url, e in chunk}
            self.server.hset(redis_queue.CACHE, mapping=mapping)  # type: ignore[arg-type]
        self.server.set(redis_queue.RUN, str(self.run_id))
        return self.run_id

    def serve(self, on_progress: Callable[[dict[str, Any]], None] | None = None) -> dict[str, object]:
        """Write until the run is over; its summary (as `nianbao crawl` prints it)."""
        checked = 0.0
        while True:
            entries = redis_queue.take(
                self.server, redis_queue.ARCHIVE, redis_queue.WRITER_GROUP, self.consumer, 200, 250, self.claim_after
            )
            for entry in entries:
                self.take(entry)
            if not entries or self.batch.due():
                self.commit()
                if on_progress is not None and entries:
                    on_progress({"written": len(self.taken), "run_id": self.run_id})
            if not entries and time.monotonic() - checked > 0.5:
                checked = time.monotonic()
                if redis_queue.run_done(self.server):
                    return self.close()

    def take(self, entry: redis_queue.Entry) -> None:
        if entry.kind == "analysed":
            analysed: Analysed = entry.payload
            url = analysed.prepared.source.url
            if url in self.taken:  # a re-delivery: written (or being written) already
                self.later.append(entry.id)
                return
            self.taken.add(url)
            self.books.result(analysed.portal).counts["fetched"] += 1
            remember = Remember(analysed)
            self.batch.add((entry.id, analysed, remember), analysed.prepared, self.run_id, remember)
            return
        if entry.kind == "remember":
            page: WrapperPage = entry.payload
            self.books.result(page.portal).counts["fetched"] += 1
            with write_transaction(self.db):
                store.remember(self.db, page.portal, page.url, page.headers, page.sha256, page.links)
        elif entry.kind == "event":
            self.books.event(self.db, self.run_id, entry.payload)
        elif entry.kind == "portals":
            for portal in entry.payload:
                self.books.result(portal)
        elif entry.kind == "stats":
            self.books.stats(entry.payload)
        self.later.append(entry.id)

    def commit(self) -> None:
        """Commit the open batch, count its documents, then acknowledge its entries (and those handled
        beside it): an entry is acknowledged only once what it brought is in the archive."""
        written = self.batch.flush()
        for (_, analysed, remember), outcome in written:
            if outcome.status == "failed":
                self.books.failed(analysed.portal, outcome.url, outcome.reason or "not archived")
            else:
                self.books.result(analysed.portal).counts["unchanged" if remember.unchanged else outcome.status] += 1
        ids = [entry_id for (entry_id, _, _), _ in written] + self.later
        self.later = []
        redis_queue.done(self.server, redis_queue.ARCHIVE, redis_queue.WRITER_GROUP, ids)

    def close(self) -> dict[str, object]:
        """The run is over: its books saved, its alerts checked, its Redis keys deleted."""
        self.commit()
        store.save_results(self.db, self.run_id, list(self.books.results.values()), self.books.retried)
        finish_run(self.db, self.run_id, "finished")
        raised = alerts.check_run(self.db, self.run_id)
        summary = store.run_summary(self.db, self.run_id)
        summary["alerts"] = [alert.to_json() for alert in raised]
        summary["compared"] = alerts.compare(self.db, self.run_id)
        redis_queue.end_run(self.server)
        return summary
