"""Item → archive: where everything the spider learns is written down.

``ingest`` does extraction, dedup by content hash, report linking and the sighting with provenance (in
worker processes: crawler.ingester); this pipeline adds what only a crawl knows: the run and its lock,
per-portal counts, failures with reasons, and the conditional-GET cache that lets the next run skip
unchanged bodies. Its own writes happen in one thread, so the reactor never waits on SQLite.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import resource
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from archive import db as archive_db
from archive.ingest import Outcome, Source, finish_run, record_failure, start_run
from crawler import store
from crawler.ingester import Ingester
from crawler.items import DocumentItem, EventItem
from crawler.lock import CrawlLock
from crawler.store import PortalResult

#: Stats key under which the retry middleware lists the requests it retried (portal, url, reason).
RETRIES_STAT = "nianbao/retries"


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_path: str = crawler.settings["NIANBAO_DB"]
        self.progress: bool = crawler.settings.getbool("NIANBAO_PROGRESS")
        self.lock = CrawlLock(self.db_path)
        self.results: dict[str, PortalResult] = {}
        self.run_id = 0
        self.handled = 0
        #: One thread does the bookkeeping writes (an SQLite connection stays in its thread).
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive")
        self.workers = crawler.settings.getint("NIANBAO_INGEST_WORKERS", 2)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        pipeline = cls(crawler)
        pipeline.lock.acquire()  # before the engine starts: a locked-out crawl stops here, cleanly
        return pipeline

    def open_spider(self, spider: Spider | None = None) -> None:
        self.writer.submit(self._open).result()

    def _open(self) -> None:
        self.db = archive_db.connect(self.db_path)
        self.ingester = Ingester(self.db_path, self.workers)
        portals: list[str] = list(getattr(self.crawler.spider, "portals", {}))
        self.results = {name: PortalResult(name) for name in portals}
        self.run_id = start_run(self.db, "crawl", dict(self.crawler.settings.getdict("NIANBAO_OPTIONS")))
        self._emit({"run_id": self.run_id, "portals": portals})

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        """Archive in a worker process, then count in the writer thread: the reactor keeps downloading."""
        outcome = None
        if isinstance(item, DocumentItem) and item.archive:
            source = Source(item.url, item.body, item.final_url, item.http_status, item.headers)
            outcome = await asyncio.wrap_future(self.ingester.submit(source, self.run_id))
        await asyncio.wrap_future(self.writer.submit(self._process, item, outcome))
        return item

    def _process(self, item: Any, outcome: Outcome | None) -> None:
        result = self.results.setdefault(item.portal, PortalResult(item.portal))
        if isinstance(item, DocumentItem):
            self._document(item, result, outcome)
        elif isinstance(item, EventItem):
            self._event(item, result)
        self.handled += 1
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

    def _document(self, item: DocumentItem, result: PortalResult, outcome: Outcome | None) -> None:
        result.counts["fetched"] += 1
        sha256 = hashlib.sha256(item.body).hexdigest()
        if outcome is not None:
            if outcome.status == "failed":  # ingest has recorded it in the failures table
                self._failed(result, item.url, outcome.reason or "not archived", recorded=True)
                return
            cached = self.db.execute("SELECT sha256 FROM crawl_cache WHERE url = ?", [item.url]).fetchone()
            status: str = outcome.status
            if status == "duplicate" and cached is not None and cached[0] == sha256:
                status = "unchanged"  # the same bytes at the same URL, re-sent without validators
            result.counts[status] += 1
        store.remember(self.db, item.portal, item.url, item.headers, sha256, item.links)

    def _event(self, item: EventItem, result: PortalResult) -> None:
        if item.kind == "listing":
            result.counts["listings"] += 1
            result.selector_hits += item.items
        elif item.kind == "report":
            result.counts["reports_found"] += 1
        elif item.kind == "unchanged":
            result.counts["unchanged"] += 1
        elif item.kind == "failed":
            self._failed(result, item.url, item.reason)
        else:
            result.counts["skipped"] += 1
            result.events.append({"kind": "skipped", "url": item.url, "reason": item.reason})

    def _failed(self, result: PortalResult, url: str, reason: str, recorded: bool = False) -> None:
        if not recorded:
            record_failure(self.db, self.run_id, url, reason)
        result.counts["failed"] += 1
        result.events.append({"kind": "failed", "url": url, "reason": reason})

    def close_spider(self, spider: Spider | None = None) -> None:
        self.writer.submit(self._close).result()
        self.writer.shutdown()
        self.lock.release()

    def _close(self) -> None:
        retried: Counter[str] = Counter()
        assert self.crawler.stats is not None
        for portal, url, reason in self.crawler.stats.get_value(RETRIES_STAT, []):
            retried[portal] += 1
            self.results.setdefault(portal, PortalResult(portal)).events.append(
                {"kind": "retried", "url": url, "reason": reason}
            )
        store.save_results(self.db, self.run_id, list(self.results.values()), retried)
        finish_run(self.db, self.run_id)
        worker_mb = self.ingester.close()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self._emit({"finished": self.run_id, "peak_rss_mb": round(peak_mb, 1), "worker_rss_mb": round(worker_mb, 1)})
        self.db.close()

    def _emit(self, message: dict[str, object]) -> None:
        """Progress for the parent `nianbao crawl` (one JSON line each on stdout), when asked for."""
        if self.progress:
            sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
            sys.stdout.flush()
