"""Crawl benchmark: the full pipeline against a bare Scrapy spider, over the same large replica.

    .venv/bin/python bench/crawl.py                      # 10 portals × 250 reports: ~5,300 requests
    .venv/bin/python bench/crawl.py --portals 5 --reports 40   # a quick look
    .venv/bin/python bench/crawl.py --latency 0.1               # portals that take 100 ms per answer

Both crawls run in child processes with the same Scrapy settings (robots.txt, ≤ 2 requests per host,
AutoThrottle tuned for 127.0.0.1): the full one through registry → spider → extraction → archive, the
bare one only downloading the very requests the full one made (replayed from the replica's log). The
ratio of their pages per second is what the pipeline costs; the target is ≥ 0.5. Writes
bench/results/crawl.md (crawl-latency-Nms.md with --latency).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler import settings as crawl_settings  # noqa: E402
from crawler.replica import large  # noqa: E402
from crawler.replica.server import Replica, ReplicaServer  # noqa: E402
from crawler.run import CrawlOptions, crawl  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def bare_crawl(requests_file: str) -> None:
    """The child of the bare run: download every request, parse nothing, store nothing. The replica is
    its proxy through $http_proxy, robots.txt requests included."""
    from scrapy import Request, Spider
    from scrapy.crawler import CrawlerProcess

    requests: list[dict[str, str]] = json.loads(Path(requests_file).read_text())

    class BareSpider(Spider):
        name = "bare"

        async def start(self) -> Any:
            form = {"Content-Type": "application/x-www-form-urlencoded"}
            for item in requests:
                headers = form if item["method"] == "POST" else {}
                yield Request(item["url"], method=item["method"], body=item["form"], headers=headers, dont_filter=True)

        def parse(self, response: Any) -> None:
            return None

    settings = {name: getattr(crawl_settings, name) for name in dir(crawl_settings) if name.isupper()}
    settings.update(crawl_settings.REPLICA_SETTINGS)
    settings.update(ITEM_PIPELINES={}, DOWNLOADER_MIDDLEWARES={}, LOG_LEVEL="ERROR")
    process = CrawlerProcess(settings)
    process.crawl(BareSpider)
    process.start()
    print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--portals", type=int, default=10)
    parser.add_argument("--reports", type=int, default=250, help="reports per portal (each: page + PDF)")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds the replica waits before each answer, as real portals do (default 0: CPU-bound worst case)",
    )
    parser.add_argument("--bare", metavar="REQUESTS_JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare_crawl(args.bare)
        return

    site, registry_toml = large.build(args.portals, args.reports)
    replica = Replica(lambda state: site, latency=args.latency)
    server = ReplicaServer(replica).start()
    peak: dict[str, float] = {}

    def progress(message: dict[str, object]) -> None:
        if "peak_rss_mb" in message:
            peak.update(full=float(str(message["peak_rss_mb"])), worker=float(str(message["worker_rss_mb"])))

    with tempfile.TemporaryDirectory() as folder:
        registry = Path(folder) / "portals.toml"
        registry.write_text(registry_toml, encoding="utf-8")
        options = CrawlOptions(via=server.url, fast=True, registry=str(registry))
        started = time.perf_counter()
        summary = crawl(Path(folder) / "bench.db", options, progress)
        full_elapsed = time.perf_counter() - started
        hits = list(replica.log)
        replayed = [
            {"method": hit.method, "url": f"http://{hit.host}{hit.path}", "form": hit.form}
            for hit in hits
            if hit.path != "/robots.txt"
        ]
        requests_file = Path(folder) / "requests.json"
        requests_file.write_text(json.dumps(replayed))
        replica.log.clear()
        command = [sys.executable, __file__, "--bare", str(requests_file)]
        started = time.perf_counter()
        output = subprocess.run(
            command, check=True, capture_output=True, text=True, env={**os.environ, "http_proxy": server.url}
        ).stdout
        bare_elapsed = time.perf_counter() - started
        bare_peak = json.loads(output.splitlines()[-1])["peak_rss_mb"]
        bare_hits = len(replica.log)
    server.shutdown()

    pdfs = sum(1 for hit in hits if hit.path.endswith(".pdf"))
    full_rate, bare_rate = len(hits) / full_elapsed, bare_hits / bare_elapsed
    totals = summary["totals"]
    assert isinstance(totals, dict)
    workers = crawl_settings.NIANBAO_INGEST_WORKERS
    memory = f"{peak['full']:.0f} + {workers} archiving workers × {peak['worker']:.0f}"
    latency = f" --latency {args.latency:g}" if args.latency else ""
    served = f"each answer delayed {args.latency * 1000:g} ms" if args.latency else "answers at loopback speed"
    report = f"""# Crawl benchmark

`.venv/bin/python bench/crawl.py --portals {args.portals} --reports {args.reports}{latency}` on {os.cpu_count()} CPU(s):
a generated replica of {args.portals} portals ({", ".join(large.FAMILIES)}), {site.page_count} resources, {served};
the full crawl made {len(hits)} requests ({pdfs} PDFs) and archived {totals["new"]} new documents
({totals["duplicate"]} duplicates: the PDFs cycle through {len(large.PDFS)} fixture files).

| crawl | responses | seconds | pages/s | peak RSS (MB) |
|---|---|---|---|---|
| full pipeline | {len(hits)} | {full_elapsed:.1f} | {full_rate:.0f} | {memory} |
| bare Scrapy (download only) | {bare_hits} | {bare_elapsed:.1f} | {bare_rate:.0f} | {bare_peak:.0f} |

**Ratio full / bare: {full_rate / bare_rate:.2f}** (target ≥ 0.5).

Seconds are wall time of each crawl's process, start-up included. Both run the same Scrapy settings
(robots.txt, ≤ 2 requests per host, AutoThrottle with the replica's short delays); the replica server
runs in the benchmark process and shares the CPUs.
"""
    results = RESULTS / (f"crawl-latency-{args.latency * 1000:g}ms.md" if args.latency else "crawl.md")
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
