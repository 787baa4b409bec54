"""Issue 12, the crawler's share: a hostile portal cannot grow the crawl or lead it off its hosts, and a
crawl that is killed says so.

Real crawls over real HTTP through the replica (a hostile site built below, tests/fixtures/hostile/crawl/
README.md says what each part attacks), with the caps set small so each crawl takes seconds; and real
`nianbao crawl` processes killed mid-way by signal.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from archive.db import connect
from crawler.families import base, trs
from crawler.spider import RequestBudget
from replica import large, templates
from replica.model import Answer, Api, Call, Resource, Site
from replica.server import CHUNK, Handler, Replica, ReplicaServer
from replica.sites.common import PDF, seed
from tests.replica_kit import Summary, crawl_json, events, one_portal_registry, portal

ROOT = Path(__file__).resolve().parents[1]
HOST = "www.hostile.gov.cn"
AGENCY = "敌意市人民政府"
LISTING = f"http://{HOST}/nb/"
REPORT = f"http://{HOST}/nb/202401/t20240115_1.html"
REPORT_TITLE = "敌意市人民政府2023年政府信息公开工作年度报告"
MIRROR = "mirror.elsewhere.example"
ROBOTS_ELSEWHERE = "http://robots.elsewhere.example/robots.txt"
MOVED = f"http://{HOST}/files/moved.pdf"
ENDLESS = f"http://{HOST}/files/endless.pdf"
#: A list of many reports, for the request caps.
MANY = f"http://{HOST}/many/"
MANY_REPORTS = 12
#: ``Resource.size`` of a file streamed without a Content-Length (the replica's stock handler announces one).
UNANNOUNCED = -1


def hostile_site(state: int = 1) -> Site:
    """The hostile portal: a TRS listing whose pager claims 3,000,000 pages, a robots.txt redirected to
    another host, a report whose attachments redirect off-site or stream without end and without a
    length, and a list of MANY_REPORTS reports."""
    site = Site()
    _, lines = seed("000")
    report = templates.Item("/nb/202401/t20240115_1.html", REPORT_TITLE)
    mirror = templates.Item(f"http://{MIRROR}/nb/202401/t20240115_1.html", REPORT_TITLE + "（镜像）")
    listing = templates.trs_list(AGENCY, "年报", [report, mirror], 0, 3_000_000)
    site.add(LISTING, Resource(body=listing.encode()))
    files = [templates.Item("/files/moved.pdf", "附件1.pdf"), templates.Item("/files/endless.pdf", "附件2.pdf")]
    site.add(REPORT, Resource(body=templates.article(AGENCY, HOST, REPORT_TITLE, lines, files).encode()))
    site.add(MOVED, Resource(behaviour="redirect", location=f"http://{MIRROR}/moved.pdf"))
    site.add(ENDLESS, Resource(behaviour="oversized", size=UNANNOUNCED, content_type=PDF))
    site.add(f"http://{HOST}/robots.txt", Resource(behaviour="redirect", location=ROBOTS_ELSEWHERE))
    many = [
        templates.Item(f"/many/t2024011{n % 10}_{n}.html", f"敌意市第{n}局2023年政府信息公开工作年度报告")
        for n in range(MANY_REPORTS)
    ]
    site.add(MANY, Resource(body=templates.link_list(AGENCY, "年报", many).encode()))
    for item in many:
        page = templates.article(AGENCY, HOST, item.title, lines[:20], [])
        site.add(f"http://{HOST}{item.href}", Resource(body=page.encode()))
    return site


class HostileHandler(Handler):
    """The replica's handler, plus what its stock one cannot serve: a robots.txt that is a resource of the
    site (here a redirect), and a file streamed without a Content-Length until the client hangs up."""

    def _answer(self, site: Site, host: str, path: str, form: bytes, replica: Replica) -> None:
        resource = site.find(host, path)
        if path == "/robots.txt" and resource is not None:
            self.send_response(302)
            self.send_header("Location", resource.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif resource is not None and resource.behaviour == "oversized" and resource.size == UNANNOUNCED:
            self.send_response(200)
            self.send_header("Content-Type", resource.content_type)
            self.send_header("Connection", "close")  # the body ends when the connection does
            self.end_headers()
            self.close_connection = True
            chunk = b"%PDF-1.4\n" + b"0" * (CHUNK - 9)
            for _ in range(64 * 1024 * 1024 // CHUNK):  # 64 MB at most, past any limit a test sets
                if not self._write(chunk):
                    break
        else:
            super()._answer(site, host, path, form, replica)


@contextmanager
def hostile_replica() -> Iterator[ReplicaServer]:
    """The hostile site served by the replica with HostileHandler, on a free port of 127.0.0.1."""
    server = ReplicaServer(Replica(hostile_site))
    server.RequestHandlerClass = HostileHandler
    server.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def hostile_crawl(folder: Path, server: ReplicaServer, start_url: str, *caps: str) -> Summary:
    """`nianbao crawl --json` of the hostile portal from ``start_url`` into ``folder/a.db``."""
    folder.mkdir(exist_ok=True)
    registry = one_portal_registry(folder, "hostile", AGENCY, "trs", start_url)
    return crawl_json(folder / "a.db", server, "--registry", str(registry), "--timeout", "3", *caps)


# -- item 5: the crawler's bounds ---------------------------------------------------------------------------


def test_a_hostile_portal_is_bounded_fenced_and_its_report_still_archived(tmp_path: Path) -> None:
    with hostile_replica() as server:
        summary = hostile_crawl(tmp_path, server, LISTING, "--max-list-pages", "5", "--max-size", "1")
        hits = list(server.replica.log)
    assert {hit.host for hit in hits} == {HOST}  # robots.txt, file and mirror redirects never left the host
    assert {hit.path for hit in hits} >= {"/robots.txt", "/nb/", "/nb/202401/t20240115_1.html"}
    # the pager claims 3,000,000 pages: the first five of the list are asked for, no more
    assert sorted(hit.path for hit in hits if hit.path.startswith("/nb/index_")) == [
        f"/nb/index_{n}.html" for n in range(1, 5)
    ]
    row = portal(summary, "hostile")
    assert (row["status"], row["new"]) == ("partial", 1)  # the report on the listing's first page is archived
    [problem] = row["problems"]
    assert problem.startswith("partial: pager declares 3000000 pages: only the first 1000 are read")
    skipped, failed = events(summary, "skipped"), events(summary, "failed")
    assert skipped[f"http://{HOST}/nb/index_5.html"] == "list cut at 5 pages (--max-list-pages)"
    robots = "robots.txt redirected to another host (robots.elsewhere.example): read as no robots.txt"
    assert skipped[f"http://{HOST}/robots.txt"] == robots
    assert skipped[f"http://{MIRROR}/moved.pdf"] == f"off-site host {MIRROR} (redirected)"  # MOVED's target
    assert skipped[f"http://{MIRROR}/nb/202401/t20240115_1.html"] == f"off-site host {MIRROR}"
    assert failed[ENDLESS] == "too large: larger than the 1 MB limit (no length announced)"
    db = connect(tmp_path / "a.db")
    assert db.execute("SELECT reason FROM failures WHERE url = ?", [ENDLESS]).fetchone()[0] == failed[ENDLESS]
    assert [row[0] for row in db.execute("SELECT title FROM documents")] == [REPORT_TITLE]


def test_requests_per_portal_are_capped(tmp_path: Path) -> None:
    reason = "portal request cap reached: 5 requests (--max-portal-requests)"
    with hostile_replica() as server:
        summary = hostile_crawl(tmp_path, server, MANY, "--max-portal-requests", "5")
        asked = [hit for hit in server.replica.log if hit.path != "/robots.txt"]
    assert len(asked) == 5  # the listing and four of its twelve reports
    row = portal(summary, "hostile")
    assert (row["status"], row["new"]) == ("partial", 4)
    assert row["problems"] == [f"partial: {reason} ({MANY}t20240114_4.html)  {MANY}"]
    assert list(events(summary, "skipped").values()).count(reason) == 1  # said once, not for every link


def test_request_caps_refuse_with_their_reason_once_per_portal() -> None:
    """The caps' arithmetic: pages of a list, requests of a portal, requests of the run (checked first)."""
    budget = RequestBudget(list_pages=2, portal_requests=3, run_requests=5)
    list_cut = "list cut at 2 pages (--max-list-pages)"
    portal_cut = "portal request cap reached: 3 requests (--max-portal-requests)"
    run_cut = "run request cap reached: 5 requests (--max-run-requests)"
    pages = (True, True, True, True, False, False, False)
    assert [budget.spend("a", "col", list_page) for list_page in pages] == [
        None, None, list_cut, "", None, portal_cut, ""
    ]  # fmt: skip
    assert [budget.spend("b", "col", list_page=False) for _ in range(4)] == [None, None, run_cut, ""]
    assert budget.spend("a", "col", list_page=False) == run_cut  # said for each portal it cuts
    assert (budget.total, budget.per_portal) == (5, Counter(a=3, b=2))


def test_a_pager_count_is_clipped_before_any_list_is_built() -> None:
    """createPageHTML(3000000, …) once built three million page requests; 10x and 100,000x the count cost
    the same, and a count past int()'s 4,300 digits is read as a huge count, not a crash."""
    timings = []
    for count, declared in (("30000", 30_000), ("3000000", 3_000_000), ("9" * 5000, sys.maxsize)):
        page = templates.trs_list(AGENCY, "年报", [templates.Item("t20240115_1.html", REPORT_TITLE)], 0, 1)
        page = page.replace("createPageHTML(1,", f"createPageHTML({count},")
        started = time.perf_counter()
        listing = trs.FAMILY.read("listing", page, LISTING, {})
        timings.append(time.perf_counter() - started)
        assert len(listing.pages) == base.MAX_PAGER_PAGES - 1  # with the first page: the list's first 1000
        assert listing.problems == [f"pager declares {declared} pages: only the first {base.MAX_PAGER_PAGES} are read"]
    assert max(timings) < 10 * min(timings) + 0.05


# -- item 6: honest ends ------------------------------------------------------------------------------------

#: The generated portal killed mid-way: listing pages, REPORTS report pages and one PDF each (four distinct).
REPORTS = 12
DOCUMENTS = REPORTS + len(large.PDFS)
#: Documents (report pages and PDFs) served at once; the others wait for the gate: the signal lands mid-way.
OPEN = 6


@contextmanager
def gated_replica() -> Iterator[tuple[ReplicaServer, str, threading.Event]]:
    """The generated portal (large.build) and its registry row: its first OPEN documents asked for answer
    at once, the rest only once the gate is opened (or after a minute: a test never hangs)."""
    site, rows = large.build(1, REPORTS)
    gate = threading.Event()
    served = itertools.count()

    def gated(resource: Resource) -> Api:
        def answer(call: Call) -> Answer:
            if next(served) >= OPEN:
                gate.wait(60)
            return 200, resource.body, resource.content_type

        return answer

    for pages in site.resources.values():
        for path, resource in pages.items():
            if path.endswith(".pdf") or trs.FAMILY.is_article(path):
                pages[path] = Resource(behaviour="api", api=gated(resource))
    server = ReplicaServer(Replica(lambda state: site)).start()
    try:
        yield server, rows, gate
    finally:
        gate.set()
        server.shutdown()
        server.server_close()


def crawl_process(db: Path, server: ReplicaServer, registry: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "cli", "--db", str(db), "crawl", "--json", "--strict"]
    command += ["--via-replica", server.url, "--registry", str(registry), "--timeout", "60"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def running_crawl(db: Path, archived: int) -> int:
    """The pid of the crawl's child process (its run row's), once it has archived ``archived`` documents."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.05)
        try:
            with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as reader:
                row = reader.execute("SELECT pid, new FROM runs WHERE status = 'running'").fetchone()
        except sqlite3.OperationalError:  # not created yet
            continue
        if row is not None and row[1] >= archived:
            return int(row[0])
    raise AssertionError(f"the crawl archived fewer than {archived} documents in 60 s")


@pytest.mark.parametrize(
    ("target", "signals", "why"),
    [
        ("child", [signal.SIGKILL], "the crawl process was killed by SIGKILL"),
        ("child", [signal.SIGINT, signal.SIGINT], ""),  # the second may land before or after the first's end
        ("parent", [signal.SIGTERM], "stopped by SIGTERM before its end"),  # passed on: the child stops gracefully
    ],
    ids=["kill-9-crawl-process", "sigint-twice-crawl-process", "sigterm-nianbao-crawl"],
)
def test_a_killed_crawl_exits_3_and_says_what_it_archived(
    tmp_path: Path, target: str, signals: list[signal.Signals], why: str
) -> None:
    db = tmp_path / "a.db"
    with gated_replica() as (server, rows, gate):
        registry = tmp_path / "portals.toml"
        registry.write_text(rows, encoding="utf-8")
        process = crawl_process(db, server, registry)
        child = running_crawl(db, archived=3)
        for number, signum in enumerate(signals):
            time.sleep(0.2 * number)
            os.kill(child if target == "child" else process.pid, signum)
        gate.set()  # the downloads in flight end; a graceful stop waits for them
        output, errors = process.communicate(timeout=120)
        assert process.returncode == 3, errors
        summary = json.loads(output.strip().splitlines()[-1])
        assert summary["status"] == "interrupted" and summary["interrupted"].startswith(why)
        archive = connect(db)
        run = archive.execute("SELECT status, new, duplicate FROM runs WHERE id = ?", [summary["run_id"]]).fetchone()
        documents = archive.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        assert run[0] == "interrupted" and run[1] == documents == summary["totals"]["new"]
        assert 3 <= documents < DOCUMENTS, "the signal must land mid-way"
        # every archived document once: one sighting per URL, none of them also a failure
        sightings = archive.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM sightings").fetchone()
        assert sightings[0] == sightings[1] == run[1] + run[2]
        assert archive.execute("SELECT COUNT(*) FROM failures").fetchone()[0] == 0
        if target == "child" and signals == [signal.SIGKILL]:  # the next crawl archives the rest, nothing twice
            again = crawl_json(db, server, "--registry", str(registry), timeout=60)
            assert again["status"] == "finished" and again["totals"]["new"] == DOCUMENTS - documents
            assert archive.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == DOCUMENTS


def test_when_nianbao_crawl_is_killed_its_crawl_stops_and_marks_the_run(tmp_path: Path) -> None:
    """kill -9 of `nianbao crawl` itself: the crawl process sees its stdin pipe end, stops as on Ctrl-C and
    marks its run interrupted with what it archived, instead of crawling on unseen."""
    db = tmp_path / "a.db"
    with gated_replica() as (server, rows, gate):
        registry = tmp_path / "portals.toml"
        registry.write_text(rows, encoding="utf-8")
        process = crawl_process(db, server, registry)
        running_crawl(db, archived=3)
        process.kill()
        process.communicate(timeout=10)
        gate.set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            archive = connect(db)
            run = archive.execute("SELECT status, new FROM runs").fetchone()
            if run[0] != "running":
                break
            archive.close()
            time.sleep(0.1)
        assert run[0] == "interrupted"
        assert run[1] == archive.execute("SELECT COUNT(*) FROM documents").fetchone()[0] < DOCUMENTS
