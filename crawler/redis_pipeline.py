"""The crawl side of a distributed crawl (`nianbao crawl --redis URL`; crawler/settings.py switches to these
when $NIANBAO_REDIS names a Redis): any number of crawler processes, on any machines, share one request
queue and one duplicate filter (scrapy-redis's scheduler and its Redis set), and send what they fetch to
Redis streams instead of local workers (crawler/redis_queue.py says what travels where).

scrapy-redis 0.9.1 with Scrapy 2.19: its ``Scheduler``, ``RFPDupeFilter`` and queues work (the scheduler
passes Scrapy's ``BaseScheduler`` check by duck typing); its ``RedisSpider`` does not (it relies on
``start_requests``, which Scrapy 2.16 removed: rmax/scrapy-redis issues #305 and #317), so the portal
spider keeps its own ``start`` and only the scheduler, queue and dupefilter key are scrapy-redis's.

What scrapy-redis alone would lose, and what is added here:
- a crawler killed mid-request: scrapy-redis pops a request destructively. ``RedisScheduler`` pops it into
  the crawler's in-flight hash (one Lua script) and removes it once Scrapy's engine is done with it (its
  items are on the streams and its new requests queued); a dead crawler's requests are requeued;
- one queue for every host: scrapy-redis hands the engine the best request whatever its host, so one
  crawler pulled its 16 requests from one host (equal priorities sort by their serialised bytes, URL first)
  and waited on that host's 2 slots: 0.43× the single-process crawl (bench/scaleout.py, 100 ms answers),
  whose Scrapy queue is downloader-aware. ``FairQueue`` lets hosts take turns, and ``RedisScheduler`` skips
  a request whose host has no free slot (``LOOKAHEAD``);
- a crawler closing while another one's responses may still add requests: ``RedisCrawl`` keeps every
  crawler open (DontCloseSpider) until no request is queued or in flight anywhere;
- the spider's own "one request per URL per run" set (its requests are ``dont_filter`` so that redirect
  loops reach the redirect limit, which the dupefilter would otherwise cut): ``RedisPortalSpider._claim``
  keeps it in a Redis hash with its claimant, so no URL is asked for twice by two live machines.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import os
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Self, cast

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.httpobj import urlparse_cached
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler import redis_queue
from crawler.ingest_worker import Request as DocumentRequest
from crawler.items import DocumentItem, EventItem
from crawler.pipeline import REFUSED_STAT, RETRIES_STAT
from crawler.spider import PortalSpider
from crawler.store import CacheEntry
from intake.ingest import Source

#: Seconds between two heartbeats (and sweeps of finished requests) of a crawler.
TICK = 0.25
#: Requests a crawler takes from the queue ahead of its engine, waiting for their host's download slot: two
#: per host of the 16 requests a crawler downloads at once (CONCURRENT_REQUESTS, crawler/settings.py).
LOOKAHEAD = 32
#: Turns a host takes within one priority before its later requests share one score (2**32: scores stay
#: exact doubles for priorities up to ±2 million).
TURNS_PER_PRIORITY = 2**32


@functools.cache
def crawler_id() -> str:
    """Unique per crawler process (one id for its scheduler and spider), readable in Redis: host, pid and a
    random suffix (pids repeat)."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class WrapperPage:
    """A report page that is only a wrapper ("详见附件"): the writer caches its validators and links."""

    portal: str
    url: str
    headers: dict[str, str]
    sha256: str
    links: list[str]


class RedisPortalSpider(PortalSpider):
    """The portal spider, its requests and cache shared through Redis; only the first crawler seeds."""

    name = "portal"
    server: redis.Redis
    run_id: int = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.server = redis_queue.connect(crawler.settings["NIANBAO_REDIS"])
        return spider

    async def start(self) -> AsyncIterator[Any]:
        """Wait for the writer to open the run, read its conditional-GET cache, and seed the queue if no
        crawler has (SET NX): a crawler that comes later only takes requests from the queue."""
        self.run_id = await self._run_id(self.settings.getfloat("NIANBAO_REDIS_WAIT"))
        published = cast(dict[bytes, bytes], self.server.hgetall(redis_queue.CACHE))
        self.cache = {url.decode(): CacheEntry(*json.loads(entry)) for url, entry in published.items()}
        if not self.server.set(redis_queue.SEEDED, b"seeding", nx=True):
            return
        self.server.xadd(redis_queue.ARCHIVE, redis_queue.encode("portals", list(self.portals)))
        for request in self.seeds():
            yield request
        self.server.set(redis_queue.SEEDED, b"done")

    def _claim(self, key: str) -> bool:
        """Claimed in Redis, so the check and the claim are one atomic step across crawlers; a key claimed by
        a crawler that died is claimed again (redis_queue.claim)."""
        fingerprint = hashlib.sha1(key.encode()).hexdigest()
        return redis_queue.claim(self.server, fingerprint, crawler_id())

    async def _run_id(self, wait: float) -> int:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while (run := self.server.get(redis_queue.RUN)) is None:
            if loop.time() > deadline:
                raise RuntimeError(f"no writer opened a run in Redis within {wait:.0f} s (start `nianbao writer`)")
            await asyncio.sleep(0.2)
        return int(run)


class FairQueue(PriorityQueue):
    """scrapy-redis's priority queue (a sorted set), its hosts taking turns within a priority: a request's
    score is its priority, then its turn, the number of requests queued for its host before it this run.

    With the score the priority alone, equal scores sort by the serialised request, URL first: every request
    for one host came before the next host's, and a crawler's 16 downloads waited on that host's 2 slots
    (bench/scaleout.py, 100 ms answers: one crawler through Redis at 0.43× the single-process crawl, whose
    Scrapy queue is downloader-aware)."""

    def push(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        turn = min(int(self.server.hincrby(redis_queue.TURNS, host, 1)), TURNS_PER_PRIORITY - 1)
        score = -request.priority * TURNS_PER_PRIORITY + turn
        self.server.execute_command("ZADD", self.key, score, self._encode_request(request))


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler whose pop moves the request into this crawler's in-flight hash (atomically),
    and which removes it from there once the engine is done with it (``settle``).

    Downloader-aware, as Scrapy's own DownloaderAwarePriorityQueue: a popped request whose host has no free
    download slot here waits in ``waiting`` (still in the in-flight hash: a crash requeues it) while the
    next one is popped, up to ``LOOKAHEAD`` of them; the engine gets the first request, in the queue's order,
    that can start now."""

    id: str
    held: dict[Request, bytes]
    waiting: list[tuple[Request, bytes]]
    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        scheduler: RedisScheduler = super().from_crawler(crawler)
        scheduler.id = crawler_id()
        scheduler.held = {}  # request → as queued; strong references: a finished request must be seen to go
        scheduler.waiting = []
        scheduler.crawler = crawler
        return scheduler

    def next_request(self) -> Request | None:
        for index, (request, raw) in enumerate(self.waiting):
            if self._can_start(request):
                del self.waiting[index]
                return self._hand_over(request, raw)
        while len(self.waiting) < LOOKAHEAD:
            popped = redis_queue.pop_request(self.server, self.id)
            if popped is None:
                break
            request = self.queue._decode_request(popped)
            if self._can_start(request):
                return self._hand_over(request, popped)
            self.waiting.append((request, popped))
        return None

    def has_pending_requests(self) -> bool:
        return bool(self.waiting) or super().has_pending_requests()

    def _can_start(self, request: Request) -> bool:
        """Whether the request's download slot (its host) has a free place in this crawler now."""
        assert self.crawler.engine is not None
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        return slot is None or len(slot.active) < slot.concurrency

    def _hand_over(self, request: Request, raw: bytes) -> Request:
        self.held[request] = raw
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def settle(self, in_progress: set[Request]) -> None:
        """Requests the engine no longer holds are done: out of the in-flight hash."""
        finished = [request for request in self.held if request not in in_progress]
        if finished:
            self.server.hdel(redis_queue.INFLIGHT + self.id, *[self.held.pop(request) for request in finished])


class RedisCrawl:
    """The crawler's membership of the shared crawl: its heartbeat, the sweep of finished requests, staying
    open while other crawlers may still add requests, and its retry/refusal stats for the writer."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.server = redis_queue.connect(crawler.settings["NIANBAO_REDIS"])
        self.dead_after = crawler.settings.getfloat("NIANBAO_REDIS_DEAD_AFTER")
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisCrawl:
        extension = cls(crawler)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    @property
    def scheduler(self) -> RedisScheduler:
        assert self.crawler.engine is not None
        scheduler = self.crawler.engine.scheduler
        assert isinstance(scheduler, RedisScheduler), "NIANBAO_REDIS needs SCHEDULER = RedisScheduler"
        return scheduler

    def engine_started(self) -> None:
        self.server.sadd(redis_queue.CRAWLERS, self.scheduler.id)
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(TICK)

    def tick(self) -> None:
        """Beat, settle finished requests, and wake the engine: requests other crawlers queued are taken
        within a tick, not at the engine's own 5 s heartbeat."""
        self.server.set(redis_queue.ALIVE + self.scheduler.id, b"1", px=int(self.dead_after * 1000))
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)  # Scrapy keeps the requests it works on in its engine's slot
        if slot is None:
            return
        self.scheduler.settle(slot.inprogress)
        slot.nextcall.schedule()

    def spider_idle(self, spider: Spider) -> None:
        if not redis_queue.crawl_idle(self.server):
            raise DontCloseSpider

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Hand the writer this crawler's retries and refusals, give back what it still held (a crawl stopped
        early), and leave."""
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        stats = self.crawler.stats
        assert stats is not None
        counted = {"retries": stats.get_value(RETRIES_STAT, []), "refused": stats.get_value(REFUSED_STAT, [])}
        self.server.xadd(redis_queue.ARCHIVE, redis_queue.encode("stats", counted))
        self.server.delete(redis_queue.ALIVE + self.scheduler.id)
        redis_queue.requeue_dead(self.server)


class RedisPipeline:
    """Items to the streams: documents to the workers, everything else straight to the writer. Waits while
    the workers are ``NIANBAO_REDIS_BACKLOG`` documents behind (Redis holds the bytes in memory)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.server = redis_queue.connect(crawler.settings["NIANBAO_REDIS"])
        self.backlog = crawler.settings.getint("NIANBAO_REDIS_BACKLOG")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisPipeline:
        return cls(crawler)

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, DocumentItem) and item.archive:
            while int(self.server.xlen(redis_queue.DOCUMENTS)) >= self.backlog:
                await asyncio.sleep(0.1)
            source = Source(item.url, item.body, item.final_url, item.http_status, item.headers, item.found_on or None)
            run_id = getattr(self.crawler.spider, "run_id", 0)
            request = DocumentRequest(source, run_id, item.portal, item.links)
            self.server.xadd(redis_queue.DOCUMENTS, redis_queue.encode("document", request))
        elif isinstance(item, DocumentItem):
            sha256 = hashlib.sha256(item.body).hexdigest()
            page = WrapperPage(item.portal, item.url, item.headers, sha256, item.links)
            self.server.xadd(redis_queue.ARCHIVE, redis_queue.encode("remember", page))
        elif isinstance(item, EventItem):
            self.server.xadd(redis_queue.ARCHIVE, redis_queue.encode("event", item))
        return item
