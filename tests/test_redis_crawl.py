"""A distributed crawl through a real Redis (redis-server on a free loopback port, started here in a temporary
folder with no persistence) over the real replica: the same archive as a single-process crawl, and nothing
lost or doubled when a crawler and a worker are killed with SIGKILL mid-run (crawler/redis_queue.py)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from scrapy import Request, Spider

from crawler import redis_queue
from crawler.redis_pipeline import FairQueue
from replica import large
from replica.model import Site
from replica.server import Hit, Replica, ReplicaServer
from tests.replica_kit import nianbao

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of our own on loopback, stopped (and its folder gone) at the end."""
    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis_queue.connect(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except Exception:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(10)


@contextmanager
def generated_site(
    folder: Path, portals: int, reports: int, serve: Callable[[Site], Replica] = lambda site: Replica(lambda _: site)
) -> Iterator[tuple[ReplicaServer, Path, int]]:
    """The generated replica (replica/large.py): ``portals`` portals × ``reports`` reports (a page and
    a PDF each) and their listings, served on loopback by the Replica ``serve`` makes of it; its registry
    file; how many pages it has."""
    site, registry_toml = large.build(portals, reports)
    registry = folder / "portals.toml"
    registry.write_text(registry_toml, encoding="utf-8")
    server = ReplicaServer(serve(site)).start()
    try:
        yield server, registry, sum(len(paths) for paths in site.resources.values())
    finally:
        server.shutdown()
        server.server_close()


def archive_of(db: Path) -> tuple[list[str], list[tuple[str, int]], int]:
    """What a crawl left: the documents' sha256 (sorted), each sighted URL with how many sightings, failures."""
    from archive.db import connect

    archive = connect(db, migrate=False)
    try:
        documents = sorted(row[0] for row in archive.execute("SELECT sha256 FROM documents"))
        sightings = list(archive.execute("SELECT url, count(*) FROM sightings GROUP BY url ORDER BY url"))
        failures = archive.execute("SELECT count(*) FROM failures").fetchone()[0]
    finally:
        archive.close()
    return documents, [(str(url), int(count)) for url, count in sightings], int(failures)


def env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "NIANBAO_REDIS": url,
        "NIANBAO_REDIS_DEAD_AFTER": "3",
        "SCRAPY_SETTINGS_MODULE": "crawler.settings",
        "PYTHONPATH": str(ROOT),
    }


def test_a_crawl_through_redis_makes_the_archive_a_local_crawl_makes(tmp_path: Path, redis_url: str) -> None:
    with generated_site(tmp_path, 3, 12) as (server, registry, _):
        common = ["crawl", "--json", "--via-replica", server.url, "--registry", str(registry)]
        local = json.loads(nianbao(tmp_path / "local.db", *common).output.strip().splitlines()[-1])
        redis_crawl = [*common, "--redis", redis_url, "--workers", "1"]
        shared = json.loads(nianbao(tmp_path / "redis.db", *redis_crawl).output.strip().splitlines()[-1])
    assert archive_of(tmp_path / "redis.db") == archive_of(tmp_path / "local.db")
    assert shared["totals"] == local["totals"] and shared["totals"]["new"] > 0
    assert [row["status"] for row in shared["portals"]] == [row["status"] for row in local["portals"]]
    assert shared["status"] == "finished"
    assert not redis_queue.connect(redis_url).keys(redis_queue.PREFIX + "*")  # the run's keys are gone


def test_killing_a_crawler_and_a_worker_mid_run_loses_nothing_and_doubles_nothing(
    tmp_path: Path, redis_url: str
) -> None:
    with generated_site(tmp_path, 5, 100) as (server, registry, pages):
        assert pages >= 1000
        kill_mid_run(tmp_path, redis_url, server, registry)


def kill_mid_run(tmp_path: Path, redis_url: str, server: ReplicaServer, registry: Path) -> None:
    options = json.dumps({"via": server.url, "fast": True, "registry": str(registry), "portals": []})
    python = sys.executable
    claim = ["--claim-after", "3"]  # seconds before a dead worker's document is taken by another
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    writer = subprocess.Popen(
        [python, "-m", "cli", "--db", str(tmp_path / "redis.db"), "writer", "--redis", redis_url, "--json", *claim],
        env=env(redis_url),
        stdout=subprocess.PIPE,
    )
    worker = [python, "-m", "cli", "worker", "--redis", redis_url, "--until-done", *claim]
    workers = [subprocess.Popen(worker, env=env(redis_url), **quiet) for _ in range(2)]  # type: ignore[call-overload]
    crawler = [python, "-m", "crawler.run", "--db", os.devnull, "--options", options]
    crawlers = [
        subprocess.Popen(crawler, env=env(redis_url), stdin=subprocess.PIPE, **quiet)  # type: ignore[call-overload]
        for _ in range(3)
    ]
    client = redis_queue.connect(redis_url)
    try:
        deadline = time.monotonic() + 60
        while client.xlen(redis_queue.DOCUMENTS) + client.xlen(redis_queue.ARCHIVE) < 20 or not client.exists(
            redis_queue.RUN
        ):  # mid-run: documents are flowing
            assert time.monotonic() < deadline, "the crawl did not get going"
            time.sleep(0.1)
        crawlers[0].send_signal(signal.SIGKILL)
        workers[0].send_signal(signal.SIGKILL)
        output, _ = writer.communicate(timeout=150)
        assert writer.returncode == 0
        summary = json.loads(output)
        for process in crawlers[1:] + workers[1:]:  # the run is over: they leave by themselves
            process.wait(30)
    finally:
        for process in [writer, *workers, *crawlers]:
            if process.poll() is None:
                process.kill()
            process.wait()
    assert crawlers[0].returncode == -signal.SIGKILL and workers[0].returncode == -signal.SIGKILL
    assert [process.returncode for process in crawlers[1:] + workers[1:]] == [0, 0, 0]

    single = nianbao(tmp_path / "local.db", "crawl", "--json", "--via-replica", server.url, "--registry", str(registry))
    local = json.loads(single.output.strip().splitlines()[-1])
    documents, sightings, failures = archive_of(tmp_path / "redis.db")
    assert (documents, sightings, failures) == archive_of(tmp_path / "local.db")
    assert all(count == 1 for _, count in sightings)  # none doubled
    assert len(documents) == local["totals"]["new"] > 500  # none lost: every page and distinct PDF
    assert summary["totals"]["new"] == local["totals"]["new"]
    assert summary["totals"]["duplicate"] == local["totals"]["duplicate"]


def test_hosts_take_turns_in_the_shared_queue(redis_url: str) -> None:
    """Equal priorities used to pop in the order of the serialised requests, URL first: every request for
    one host before the next host's, so a crawler's downloads all waited on one host's 2 slots."""
    queue = FairQueue(redis_queue.connect(redis_url), Spider("portal"), redis_queue.QUEUE)
    for host in ("a.example", "b.example", "c.example"):
        for number in range(3):
            queue.push(Request(f"http://{host}/{number}.html"))
    queue.push(Request("http://c.example/report.pdf", priority=5))
    popped = [queue.pop().url for _ in range(len(queue))]
    assert popped == [
        "http://c.example/report.pdf",  # a higher priority first, whatever its host's turn
        *[f"http://{host}/{number}.html" for number in range(3) for host in ("a.example", "b.example", "c.example")],
    ]


class TimedReplica(Replica):
    """The replica, noting when each answer's first byte left (its request came ``latency`` earlier)."""

    def __init__(self, site: Site, latency: float) -> None:
        super().__init__(lambda _: site, latency=latency)
        self.answered: list[tuple[float, str]] = []

    def record(self, hit: Hit) -> None:
        self.answered.append((time.monotonic(), hit.host))
        super().record(hit)


def test_one_crawler_through_redis_downloads_from_every_host_at_once(tmp_path: Path, redis_url: str) -> None:
    """bench/scaleout.py: one crawler through Redis ran at 0.43× the single-process crawl, its downloads
    queued behind one host's 2 slots. Now while the crawl runs a request has others from most hosts beside it."""
    latency = 0.3
    with generated_site(tmp_path, 4, 12, lambda site: TimedReplica(site, latency)) as (server, registry, _):
        command = ["crawl", "--json", "--via-replica", server.url, "--registry", str(registry)]
        nianbao(tmp_path / "redis.db", *command, "--redis", redis_url, "--workers", "1")
    replica = server.replica
    assert isinstance(replica, TimedReplica)
    answered = replica.answered
    beside = sorted(
        len({host for other_end, host in answered if end - latency < other_end and other_end - latency < end})
        for end, _ in answered
    )
    assert len(answered) > 100
    assert beside[len(beside) // 2] >= 3, beside  # hosts in flight beside the median request, of 4
