"""Scrapy settings for the portal crawl (also what `scrapy crawl portal` reads, via scrapy.cfg).

Politeness first: these are small government servers. robots.txt is obeyed, AutoThrottle adapts the
pace to each server's latency, at most two requests per host are in flight, every request says who we
are and how to reach us, and nothing past the size limit or the timeout is waited for.
"""

from __future__ import annotations

import os

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spider"]
#: Who runs the crawl and how to reach them: set $NIANBAO_CONTACT (a URL or an e-mail address) when deploying.
CONTACT = os.environ.get("NIANBAO_CONTACT", "nianbao-operator@example.org")
USER_AGENT = f"nianbao-crawler/0.1 (+{CONTACT}) Scrapy"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024  # as `nianbao import`: a bigger file is no report
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
#: Processes that extract and archive documents beside the crawl (crawler/ingester.py).
NIANBAO_INGEST_WORKERS = min(2, os.cpu_count() or 1)
NIANBAO_RETRY_BACKOFF = 2.0  # seconds before the first retry, doubled for each next one
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"  # a URL given up on is a recorded failure, not a crawler error
REDIRECT_MAX_TIMES = 5  # a redirect loop is given up on quickly
#: The crawl's request caps (crawler/spider.py ``RequestBudget``), each marking what it cuts ``partial`` with
#: the reason. A hostile or broken listing (``createPageHTML(3000000, …)`` grew a crawl to 5.8 GB in 300 s)
#: costs at most this much. Pages and API batches of one list (a start URL or sub-column), however they are
#: found; `nianbao crawl --max-list-pages`. A single pager is believed up to families.base.MAX_PAGER_PAGES.
NIANBAO_MAX_LIST_PAGES = 1000
#: Requests made for one portal in a run (listings, reports, files; not robots.txt, retries or redirects);
#: `nianbao crawl --max-portal-requests`.
NIANBAO_MAX_PORTAL_REQUESTS = 5000
#: Requests made in one run, all portals together; `nianbao crawl --max-run-requests`.
NIANBAO_MAX_RUN_REQUESTS = 100_000
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.PortalHostsMiddleware": 40,
    "crawler.middlewares.AntiBotMiddleware": 560,  # after redirects are followed, before retries see it
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.ViaProxyMiddleware": 740,
    # last before the network, first after it: the request as sent, the response as received (not yet
    # decompressed or redirected); off unless NIANBAO_WARC names a file (crawler/warc.py)
    "crawler.warc.WarcMiddleware": 950,
}
ITEM_PIPELINES = {"crawler.pipeline.ArchivePipeline": 300}

NIANBAO_DB = os.environ.get("NIANBAO_DB", "nianbao.db")
NIANBAO_VIA = os.environ.get("NIANBAO_VIA", "")
#: A WARC file every request and response is written to (`nianbao crawl --warc DIR` names one in DIR); empty: none.
NIANBAO_WARC = os.environ.get("NIANBAO_WARC", "")
#: How feed exports (`scrapy crawl portal -O items.jsonl`) write a document's bytes: "digest" (sha256 and size)
#: or "base64" (those and the bytes). crawler/items.py says why not the bytes by default.
NIANBAO_EXPORT_BODY = os.environ.get("NIANBAO_EXPORT_BODY", "digest")

#: For the replica on 127.0.0.1 (demo, tests, benchmark): no pause between requests, short timeouts.
REPLICA_SETTINGS: dict[str, object] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_START_DELAY": 0.01,
    "AUTOTHROTTLE_MAX_DELAY": 1.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
    "DOWNLOAD_TIMEOUT": 3,
    "NIANBAO_RETRY_BACKOFF": 0.2,
}

#: A distributed crawl (`nianbao crawl --redis redis://HOST:PORT/N`, crawler/redis_pipeline.py): the Redis every
#: crawler, worker and the writer share; empty: the single-machine crawl, unchanged.
NIANBAO_REDIS = os.environ.get("NIANBAO_REDIS", "")
#: Seconds a crawler waits for the writer to open the run before it gives up.
NIANBAO_REDIS_WAIT = 60.0
#: Seconds without a heartbeat after which a crawler counts as dead and its in-flight requests are requeued.
NIANBAO_REDIS_DEAD_AFTER = float(os.environ.get("NIANBAO_REDIS_DEAD_AFTER", "10"))
#: Documents waiting for the workers (held in Redis's memory) at which crawlers pause their downloads.
NIANBAO_REDIS_BACKLOG = 500
if NIANBAO_REDIS:
    REDIS_URL = NIANBAO_REDIS
    SPIDER_MODULES = ["crawler.redis_pipeline"]
    SCHEDULER = "crawler.redis_pipeline.RedisScheduler"
    SCHEDULER_PERSIST = True  # the queue and dupefilter outlive any one crawler: the run's writer ends them
    SCHEDULER_QUEUE_KEY = "nianbao:requests"  # crawler/redis_queue.py QUEUE
    SCHEDULER_QUEUE_CLASS = "crawler.redis_pipeline.FairQueue"  # hosts take turns within a priority
    SCHEDULER_DUPEFILTER_KEY = "nianbao:seen"  # crawler/redis_queue.py SEEN
    DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"
    ITEM_PIPELINES = {"crawler.redis_pipeline.RedisPipeline": 300}
    EXTENSIONS = {"crawler.redis_pipeline.RedisCrawl": 500}
