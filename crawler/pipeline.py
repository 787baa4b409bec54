"""Item → archive: where everything the spider learns is written down.

``intake.ingest`` does extraction, dedup by content hash, report linking, the sighting with provenance and
the conditional-GET cache entry that lets the next run skip unchanged bodies (analysed in worker processes,
written in batches by one writer process: crawler.ingester); this pipeline adds what only a crawl knows: the
run and its lock, per-portal counts, failures with reasons. Its own writes happen in one thread, so the
reactor never waits on SQLite.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from archive.db import write_transaction
from crawler import schema, store
from crawler.ingest_worker import Archived
from crawler.ingester import Ingester, IngestError
from crawler.items import DocumentItem, EventItem
from crawler.lock import CrawlLock
from crawler.store import PortalResult
from intake.ingest import Source, finish_run, record_failure, start_run

#: Stats key under which the retry middleware lists the requests it retried (portal, url, reason).
RETRIES_STAT = "nianbao/retries"
#: Stats key under which the host fence lists what it refused that no callback hears of (portal, url, reason):
#: a robots.txt redirected to another host.
REFUSED_STAT = "nianbao/refused"
#: Seconds between two progress lines for the parent's progress bar.
PROGRESS_EVERY = 0.2


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_path: str = crawler.settings["NIANBAO_DB"]
        self.progress: bool = crawler.settings.getbool("NIANBAO_PROGRESS")
        self.lock = CrawlLock(self.db_path)
        self.results: dict[str, PortalResult] = {}
        self.run_id = 0
        self.handled = 0
        self.last_progress = 0.0
        #: One thread does the bookkeeping writes (an SQLite connection stays in its thread).
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive")
        self.workers = crawler.settings.getint("NIANBAO_INGEST_WORKERS", 2)
        self.worker_mb = 0.0
        self.settling: set[asyncio.Future[None]] = set()  # documents handed to the writer, not yet counted
        self.orphaned = False  # the parent reading our progress is gone

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        pipeline = cls(crawler)
        pipeline.lock.acquire()  # before the engine starts: a locked-out crawl stops here, cleanly
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    async def open_spider(self, spider: Spider | None = None) -> None:
        await self._write(self._open)
        self.ingester = Ingester(self.db_path, self.workers)
        await self.ingester.start()

    def _open(self) -> None:
        self.db = schema.connect(self.db_path)
        portals: list[str] = list(getattr(self.crawler.spider, "portals", {}))
        self.results = {name: PortalResult(name) for name in portals}
        self.run_id = start_run(self.db, "crawl", dict(self.crawler.settings.getdict("NIANBAO_OPTIONS")))
        self._emit({"run_id": self.run_id, "portals": portals})

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        """Count in the reactor thread; analyse in a worker process and archive in the writer process
        (crawler/ingester.py), write bookkeeping in the pipeline's own thread, so the reactor keeps
        downloading meanwhile."""
        result = self.results.setdefault(item.portal, PortalResult(item.portal))
        if isinstance(item, DocumentItem):
            await self._document(item, result)
        elif isinstance(item, EventItem):
            await self._event(item, result)
        self.handled += 1
        self._progress(item)
        return item

    async def _document(self, item: DocumentItem, result: PortalResult) -> None:
        result.counts["fetched"] += 1
        if not item.archive:  # a wrapper page: only its validators and links are kept, for the next run
            await self._write(self._remember, item)
            return
        source = Source(item.url, item.body, item.final_url, item.http_status, item.headers, item.found_on or None)
        try:
            committed = await self.ingester.submit(source, self.run_id, item.portal, item.links)
        except IngestError as error:
            await self._failed(result, item.url, str(error))
            return
        settling = asyncio.ensure_future(self._settle(result, item.url, committed))
        self.settling.add(settling)
        settling.add_done_callback(self.settling.discard)

    async def _settle(self, result: PortalResult, url: str, committed: asyncio.Future[Archived]) -> None:
        """Count the document once the writer has committed its batch; the crawl goes on meanwhile (waiting
        here would hold the response, and Scrapy stops downloading while responses held pass 5 MB)."""
        try:
            archived = await committed
        except IngestError as error:
            await self._failed(result, url, str(error))
            return
        outcome = archived.outcome
        if outcome.status == "failed":  # the writer has recorded it in the failures table
            result.failed(url, outcome.reason or "not archived")
        else:
            result.counts["unchanged" if archived.unchanged else outcome.status] += 1

    async def _failed(self, result: PortalResult, url: str, reason: str) -> None:
        """A document not archived for a reason of ours (a worker crash, a bug): recorded and counted."""
        await self._write(lambda: record_failure(self.db, self.run_id, url, reason))
        result.failed(url, reason)

    def _remember(self, item: DocumentItem) -> None:
        with write_transaction(self.db):
            sha256 = hashlib.sha256(item.body).hexdigest()
            store.remember(self.db, item.portal, item.url, item.headers, sha256, item.links)

    async def _event(self, item: EventItem, result: PortalResult) -> None:
        if item.kind == "failed":
            await self._write(lambda: record_failure(self.db, self.run_id, item.url, item.reason))
        result.count(item)

    async def _write(self, write: Callable[..., object], *args: Any) -> None:
        await asyncio.wrap_future(self.writer.submit(write, *args))

    def _progress(self, item: DocumentItem | EventItem) -> None:
        """At most PROGRESS_EVERY seconds apart: a line per item would cost the crawl more than the bar is worth."""
        now = time.monotonic()
        if now - self.last_progress < PROGRESS_EVERY:
            return
        self.last_progress = now
        stats = self.crawler.stats
        assert stats is not None
        self._emit(
            {
                "progress": self.handled,
                "requests": stats.get_value("scheduler/enqueued", 0),
                "done": stats.get_value("scheduler/dequeued", 0),
                "portal": item.portal,
                "url": item.url,
            }
        )

    async def close_spider(self, spider: Spider | None = None) -> None:
        """The workers finish what they were handed (none is cut off mid-way) and the writer commits it; every
        document is then counted. The run is written down when the close reason is known (``spider_closed``)."""
        self.worker_mb = await self.ingester.close()
        await asyncio.gather(*self.settling)

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        """A crawl that ran to its end is ``finished``; one stopped before (a signal, a shutdown) is
        ``interrupted``, with what it archived and counted so far."""
        status: Literal["finished", "interrupted"] = "finished" if reason == "finished" else "interrupted"
        await self._write(self._close, self.worker_mb, status)
        self.writer.shutdown()
        self.lock.release()

    def _close(self, worker_mb: float, status: Literal["finished", "interrupted"]) -> None:
        retried: Counter[str] = Counter()
        assert self.crawler.stats is not None
        for portal, url, reason in self.crawler.stats.get_value(RETRIES_STAT, []):
            retried[portal] += 1
            self.results.setdefault(portal, PortalResult(portal)).events.append(
                {"kind": "retried", "url": url, "reason": reason}
            )
        for portal, url, reason in self.crawler.stats.get_value(REFUSED_STAT, []):
            result = self.results.setdefault(portal, PortalResult(portal))
            result.counts["skipped"] += 1
            result.events.append({"kind": "skipped", "url": url, "reason": reason})
        store.save_results(self.db, self.run_id, list(self.results.values()), retried)
        finish_run(self.db, self.run_id, status)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self._emit(
            {
                "finished": self.run_id,
                "status": status,
                "peak_rss_mb": round(peak_mb, 1),
                "worker_rss_mb": round(worker_mb, 1),
            }
        )
        self.db.close()

    def _emit(self, message: dict[str, object]) -> None:
        """Progress for the parent `nianbao crawl` (one JSON line each on stdout), when asked for. A parent
        that died reads nothing more: the crawl is then stopping (run.py) and goes on saying nothing."""
        if self.progress and not self.orphaned:
            try:
                sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
                sys.stdout.flush()
            except BrokenPipeError:
                self.orphaned = True
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # what is left unsaid goes nowhere
