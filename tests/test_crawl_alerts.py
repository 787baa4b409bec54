"""Issue 15 item 4: runs that alert. A network outage is one line per failing portal (no traceback, no phantom
portal); each run is checked against the portal's previous run (crawler/alerts.py); `nianbao crawl`'s exit
codes; the documented alert path (the command the systemd OnFailure unit and the cron line run) on a failing
portal run.

Real crawls of the replica through `nianbao crawl` (in-process, or as a process where its stderr is what is
checked), into real archives; the alert arithmetic on real archives built by those crawls.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from archive.db import connect
from crawler import alerts, schema
from intake.ingest import finish_run, start_run
from replica import templates
from replica.model import Resource, Site
from replica.sites.common import seed
from tests.conftest import SEEDS
from tests.replica_kit import Summary, crawl_json, portal_row, registry_file, serving
from tests.replica_kit import nianbao as nianbao_cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
#: A portal whose list changes between the two states of its site, and one that never changes.
CHANGING, STEADY = "www.bian.gov.cn", "www.wen.gov.cn"
LIST = f"http://{CHANGING}/nb/"
PAGE_2 = f"{LIST}index_1.html"


def closed_port() -> str:
    """The URL of a port of 127.0.0.1 nothing listens on: every connection to it is refused, as when the
    network is down (the crawl's proxy, standing in for every portal host, is unreachable)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def two_portals(folder: Path) -> Path:
    """A registry of two portals, 甲 and 乙, on hosts of their own."""
    rows = portal_row("jia", "甲市人民政府", "trs", "http://www.jia.gov.cn/nb/")
    rows += portal_row("yi", "乙市人民政府", "trs", "http://www.yi.gov.cn/nb/")
    return registry_file(folder, rows)


#: The README's cron line (its paths made the test's): cron mails what it prints, which is nothing on a good
#: night: a line when the crawl exits non-zero, then the latest run's alerts, if any.
CRON = (
    "{nianbao} crawl --strict >> {log}/crawl.log 2>> {log}/crawl.err"
    ' || echo "nianbao crawl exited $? (see {log}/crawl.log)";'
    " {nianbao} runs --alerts --limit 1"
)


def test_a_network_outage_is_one_line_per_failing_portal_and_mails_the_alert(tmp_path: Path) -> None:
    """Reproduced first: each portal's unreachable robots.txt printed Scrapy's 69-line traceback. Here through
    the README's cron line, whose output is the mail: the crawl fails (--strict), its log has one line per
    portal, and `nianbao runs --alerts --limit 1` (what the systemd OnFailure unit runs too) gives the alerts."""
    registry, db = two_portals(tmp_path), tmp_path / "a.db"
    nianbao = f"{sys.executable} -m cli --db {db}"
    line = CRON.format(nianbao=nianbao, log=tmp_path).replace(
        "crawl --strict", f"crawl --registry {registry} --via-replica {closed_port()} --timeout 2 --strict", 1
    )
    mail = subprocess.run(["sh", "-c", line], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert mail.returncode == 1 and mail.stderr == ""  # the last command, `runs`: the latest run has alerts
    assert (tmp_path / "crawl.err").read_text(encoding="utf-8").splitlines() == [
        "jia: failing: unreachable: connection refused",
        "yi: failing: unreachable: connection refused",
    ]  # one line a portal: no traceback, no Scrapy log
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    table = [line.split()[:2] for line in log.splitlines() if line.startswith("  ") and len(line.split()) > 2]
    assert [row for row in table if row[1] in ("ok", "partial", "failing")] == [["jia", "failing"], ["yi", "failing"]]
    assert "events:" not in log  # an unreachable portal's retries are its one line (--json has them)
    assert mail.stdout.splitlines()[0] == f"nianbao crawl exited 1 (see {tmp_path}/crawl.log)"
    assert mail.stdout.splitlines()[2:] == [
        "  ! jia: failing: unreachable: connection refused",
        "  ! yi: failing: unreachable: connection refused",
    ]
    [run] = json.loads(nianbao_cli(db, "runs", "--alerts", "--limit", "1", "--json", expect=1).output)["runs"]
    assert [(a["kind"], a["portal"]) for a in run["alerts"]] == [("failing", "jia"), ("failing", "yi")]
    assert run["portals"] == {"ok": 0, "partial": 0, "failing": 2}
    assert run["counts"]["failed"] == 2  # each portal's start page; its retries are not failures


# -- alerts against the previous run ------------------------------------------------------------------------


def history_site(state: int) -> Site:
    """Two portals. 变 (CHANGING): a TRS list of two pages and three reports; in state 2 its second page and
    one report answer 404 (the list is partial, shrinks by one item, two URLs fail). 稳 (STEADY): one report,
    the same in both states."""
    site = Site()
    _, lines = seed("000")
    reports = [
        templates.Item(f"/nb/202401/t2024011{n}_{n}.html", f"变市第{n}局2023年政府信息公开工作年度报告")
        for n in range(3)
    ]
    site.add(LIST, Resource(body=templates.trs_list("变市人民政府", "年报", reports[:2], 0, 2).encode()))
    if state == 1:
        site.add(PAGE_2, Resource(body=templates.trs_list("变市人民政府", "年报", reports[2:], 1, 2).encode()))
    for n, item in enumerate(reports):
        if state == 1 or n != 1:
            page = templates.article("变市人民政府", CHANGING, item.title, lines[20:40], [])
            site.add(f"http://{CHANGING}{item.href}", Resource(body=page.encode()))
    steady = templates.Item("/nb/t20240115_9.html", "稳市人民政府2023年政府信息公开工作年度报告")
    site.add(f"http://{STEADY}/nb/", Resource(body=templates.link_list("稳市人民政府", "年报", [steady]).encode()))
    page = templates.article("稳市人民政府", STEADY, steady.title, lines[20:40], [])
    site.add(f"http://{STEADY}{steady.href}", Resource(body=page.encode()))
    return site


@dataclass
class History:
    db: Path
    first: Summary
    second: Summary


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    """Run 1 on state 1 (exit 0: all whole), run 2 on state 2 with --strict (exit 1: 变 is partial)."""
    folder = tmp_path_factory.mktemp("history")
    rows = portal_row("bian", "变市人民政府", "trs", LIST) + portal_row(
        "wen", "稳市人民政府", "trs", f"http://{STEADY}/nb/"
    )
    registry = registry_file(folder, rows)
    with serving(history_site) as server:
        first = crawl_json(folder / "a.db", server, "--registry", str(registry), expect=0)
        server.replica.set_state(2)
        second = crawl_json(folder / "a.db", server, "--registry", str(registry), "--strict", expect=1)
    yield History(folder / "a.db", first, second)


def test_a_run_like_its_last_raises_no_alert(history: History) -> None:
    assert history.first["alerts"] == [] and history.first["compared"] is None
    assert history.first["failing_portals"] == history.first["partial_portals"] == []


def test_a_list_that_shrank_went_partial_and_failed_more_is_alerted(history: History) -> None:
    run = history.first["run_id"]
    assert [(a["portal"], a["kind"], a["message"]) for a in history.second["alerts"]] == [
        (None, "run_shrank", f"3 report links found, 4 in run {run} (-25%)"),
        ("bian", "went_partial", f"partial: listing page lost: HTTP 404 ({PAGE_2})  {LIST} (read whole in run {run})"),
        ("bian", "listing_shrank", f"2 items, 3 in run {run}  {LIST}"),
        ("bian", "errors_rising", f"2 URLs failed, 0 in run {run}"),
    ]  # 稳, unchanged, raises none
    assert history.second["compared"] == {
        "run_id": run,
        "totals": {
            "reports_found": {"before": 4, "now": 3},
            "fetched": {"before": 4, "now": 0},
            "new": {"before": 4, "now": 0},
            "changed": {"before": 0, "now": 0},
            "unchanged": {"before": 0, "now": 2},  # the report on the lost page is not asked for
            "failed": {"before": 0, "now": 2},
            "retried": {"before": 0, "now": 0},
        },
        "newly_failing": [],
        "newly_partial": ["bian"],
        "recovered": [],
    }
    assert history.second["partial_portals"] == ["bian"]
    stored = alerts.stored(connect(history.db), [history.second["run_id"]])[history.second["run_id"]]
    assert [alert.to_json() for alert in stored] == history.second["alerts"]


def test_the_text_summary_shows_the_comparison_and_the_alerts(history: History) -> None:
    from cli.crawl_commands import describe

    text = describe(history.second)
    assert f"  since run {history.first['run_id']}: reports found 4 → 3; fetched 4 → 0;" in text
    assert "newly partial: bian" in text
    assert f"  ! bian: errors_rising: 2 URLs failed, 0 in run {history.first['run_id']}" in text.splitlines()


def test_no_report_about_last_year_after_february_is_alerted(history: History) -> None:
    """Both portals publish a report about 2023; by 1 March 2025 the one about 2024 is due."""
    db, run = connect(history.db), history.second["run_id"]

    def late(today: dt.date) -> list[tuple[str | None, str]]:
        return [(a.portal, a.message) for a in alerts.evaluate(db, run, today) if a.kind == "stopped_publishing"]

    message = "no report about 2024 archived (due by 31 January 2025); the latest is about 2023"
    assert late(dt.date(2025, 3, 1)) == [("bian", message), ("wen", message)]
    assert late(dt.date(2025, 2, 28)) == []  # not due yet
    assert late(dt.date(2024, 3, 1)) == []  # the report about 2023 is there
    assert late(dt.date(2027, 3, 1)) == []  # stopped long ago: said the year it stopped, not every year


def test_a_run_recorded_before_lists_were_counted_is_compared_by_its_status(history: History, tmp_path: Path) -> None:
    """Runs from before the alerts migration have no per-list counts: a list gone partial is still seen
    (the portal was ok), a shrunk one cannot be."""
    copy = tmp_path / "a.db"
    shutil.copy(history.db, copy)
    db = connect(copy)
    db.execute("UPDATE crawl_portal_runs SET columns = NULL WHERE run_id = ?", [history.first["run_id"]])
    db.conn.commit()
    kinds = [(a.portal, a.kind) for a in alerts.evaluate(db, history.second["run_id"])]
    assert kinds == [(None, "run_shrank"), ("bian", "went_partial"), ("bian", "errors_rising")]


def test_an_interrupted_run_raises_only_that(tmp_path: Path) -> None:
    db = schema.connect(tmp_path / "a.db")  # as a crawl opens the archive
    run = start_run(db, "crawl", {})
    finish_run(db, run, "interrupted")
    [alert] = alerts.check_run(db, run)
    assert (alert.kind, alert.portal, alert.message) == (
        "interrupted",
        None,
        "the run is interrupted: its counts stop where it stopped",
    )


def test_an_archive_of_an_earlier_release_migrates_and_lists_its_runs(tmp_path: Path) -> None:
    copy = tmp_path / "old.db"
    shutil.copy(FIXTURES / "archives" / "schema6.db", copy)
    listed = json.loads(nianbao_cli(copy, "runs", "--json").output)  # migrates on open; the import run has no alert
    assert [(run["kind"], run["alerts"]) for run in listed["runs"]] == [("import", [])]
    db = connect(copy)
    assert "columns" in db.table("crawl_portal_runs").columns_dict and db.table("crawl_alerts").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["crawl", "nowhere"],
        ["crawl", "--max-list-pages", "0"],
        ["crawl", "--warc", str(SEEDS / "000_0b3756e79a1f4c29.txt")],
    ],
    ids=["unknown-portal", "bad-value", "warc-not-a-folder"],
)
def test_wrong_usage_of_crawl_exits_2(tmp_path: Path, args: list[str]) -> None:
    nianbao_cli(tmp_path / "a.db", *args, expect=2)
