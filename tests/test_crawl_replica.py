"""Real Scrapy crawls over real HTTP against the replica: every behaviour of the issue, end to end.

One replica and one archive for the module: run 1 archives everything, run 2 (unchanged site) must
download no report body, run 3 (state 2: a report replaced at the same URL) must report 1 changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from archive.db import connect
from cli.main import cli
from crawler.lock import CrawlLock
from crawler.replica import sites
from crawler.replica.server import Hit, Replica, ReplicaServer
from crawler.replica.sites import common

ROOT = Path(__file__).resolve().parents[1]
REGISTRY_HOSTS = {
    "kjj.liaocheng.gov.cn",
    "www.qufu.gov.cn",
    "www.weihai.gov.cn",
    "kjj.weihai.gov.cn",
    "www.zhoukou.gov.cn",
    "www.boshan.gov.cn",
    "www.huaian.gov.cn",
}
REPORT_TITLES = [
    "聊城市科学技术局2022年政府信息公开工作年度报告",
    "周口市科技局2022年政府信息公开工作年度报告",
    "博山区科学技术局2023年度政府信息公开工作年度报告",
    "曲阜市科学技术局2021年政府信息公开工作年度报告",
    "威海市科学技术局2023年政府信息公开工作年度报告",
    "淮安市人民政府2024年政府信息公开工作年度报告",
]
#: Short timeouts for the tests: the slow page answers after 8 s.
FAST = ["--timeout", "1"]


def nianbao(db: Path, *args: str, expect: int | None = 0) -> Any:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    if expect is not None:
        assert result.exit_code == expect, result.output
    return result


def crawl_json(db: Path, replica: ReplicaServer, *args: str, expect: int = 0) -> dict[str, Any]:
    result = nianbao(db, "crawl", "--json", "--via-replica", replica.url, *FAST, *args, expect=expect)
    summary: dict[str, Any] = json.loads(result.output.strip().splitlines()[-1])
    return summary


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    server = ReplicaServer(Replica(sites.build)).start()
    yield server
    server.shutdown()
    server.server_close()


@dataclass
class Runs:
    db: Path
    first: dict[str, Any]
    second: dict[str, Any]
    third: dict[str, Any]
    hits: list[list[Hit]]


@pytest.fixture(scope="module")
def runs(replica: ReplicaServer, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    summaries, hits = [], []
    for state in (1, 1, 2):
        replica.replica.set_state(state)
        replica.replica.log.clear()
        summaries.append(crawl_json(db, replica))
        hits.append(list(replica.replica.log))
    return Runs(db, *summaries, hits=hits)


def one_portal_registry(folder: Path, name: str, agency: str, family: str, start_url: str) -> Path:
    """A registry file of one portal, on the host of its start URL."""
    registry = folder / "portals.toml"
    host = urlsplit(start_url).hostname
    registry.write_text(
        f'[[portal]]\nname = "{name}"\nagency = "{agency}"\nfamily = "{family}"\n'
        f'start_urls = ["{start_url}"]\nhosts = ["{host}"]\n',
        encoding="utf-8",
    )
    return registry


def portal(summary: dict[str, Any], name: str) -> dict[str, Any]:
    return next(row for row in summary["portals"] if row["portal"] == name)


def events(summary: dict[str, Any], kind: str) -> dict[str, str]:
    return {e["url"]: e["reason"] for row in summary["portals"] for e in row["events"] if e["kind"] == kind}


def test_first_run_archives_every_report_once_with_its_files(runs: Runs) -> None:
    totals = runs.first["totals"]
    assert totals["new"] == 13 and totals["changed"] == 0
    assert runs.first["failing_portals"] == []
    db = connect(runs.db)
    reports = db.execute(
        """SELECT d.title, COUNT(*), GROUP_CONCAT(DISTINCT x.media_type) FROM reports r
           JOIN documents d ON d.id = r.primary_document_id JOIN documents x ON x.report_id = r.id GROUP BY r.id"""
    ).fetchall()
    assert sorted(title for title, _, _ in reports) == sorted(REPORT_TITLES)
    files = {title: count for title, count, _ in reports}
    assert files["威海市科学技术局2023年政府信息公开工作年度报告"] == 3  # HTML + PDF (on two portals) + DOCX
    assert files["周口市科技局2022年政府信息公开工作年度报告"] == 2  # DOC + PDF; the wrapper page is not archived
    assert files["博山区科学技术局2023年度政府信息公开工作年度报告"] == 3  # GBK HTML + DOCX + PDF
    pdf_urls = db.execute(
        """SELECT COUNT(DISTINCT s.url) FROM sightings s JOIN documents d ON d.id = s.document_id
           WHERE d.title LIKE '威海市科学技术局2023%' AND d.media_type = 'application/pdf'"""
    ).fetchone()[0]
    assert pdf_urls == 2  # the same PDF bytes seen on www.weihai.gov.cn and kjj.weihai.gov.cn


def test_provenance_keeps_real_urls(runs: Runs) -> None:
    db = connect(runs.db)
    urls = [row[0] for row in db.execute("SELECT url FROM sightings")]
    assert "http://www.huaian.gov.cn/module/download/downfile.jsp?classid=0&filename=szfgs2024.pdf" in urls
    assert all(url.split("/")[2] in REGISTRY_HOSTS for url in urls)


def test_every_injected_fault_is_in_the_summary(runs: Runs) -> None:
    failed, skipped, retried = (events(runs.first, kind) for kind in ("failed", "skipped", "retried"))
    assert failed["http://kjj.liaocheng.gov.cn/xxgk/zfxxgknb/202201/t20220120_3900001.html"] == "HTTP 404"
    assert skipped["http://kjj.liaocheng.gov.cn/xxgk/zfxxgknb/bak/t20230118_4101824.html"] == "disallowed by robots.txt"
    assert retried["http://www.qufu.gov.cn/module/web/jpage/dataproxy.jsp"] == "500 Internal Server Error"
    assert portal(runs.first, "qufu")["new"] == 2  # the retry got the list
    annual = "http://www.weihai.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11371000MB2841053X&fbtime="
    assert failed[annual + "2022"] == "anti-bot challenge (HTTP 412)"
    zhoukou = "http://www.zhoukou.gov.cn/zfxxgk/zfxxgknb/szbm/2023/"
    assert failed[zhoukou + "0128/jyj.html"] == "anti-bot challenge page (HTTP 200), not archived"
    assert failed[zhoukou + "0127/tjj.html"].startswith("timeout")
    assert failed["http://www.huaian.gov.cn/uploadfiles/2025/01/tjb2024-scan.pdf"].startswith("too large: 300.0 MB")
    assert failed["http://kjj.weihai.gov.cn/info/1092/40001.htm?v=2"].startswith("redirect loop")
    offsite = [url for url, reason in skipped.items() if reason.startswith("off-site host")]
    assert sorted(url.split("/")[2] for url in offsite) == ["www.gov.cn", "www.zhoukou.gov.cn.zfxxgk-mirror.com"]
    db = connect(runs.db)
    recorded = {row[0] for row in db.execute("SELECT url FROM failures WHERE run_id = ?", [runs.first["run_id"]])}
    assert recorded == set(failed)


def test_nothing_off_site_or_disallowed_is_requested(runs: Runs) -> None:
    for hits in runs.hits:
        assert {hit.host for hit in hits} <= REGISTRY_HOSTS
        assert not any("/bak/" in hit.path for hit in hits)
        # non-report articles sharing the columns are never fetched (their titles name no report)
        assert not any(part in hit.path for hit in hits for part in ("/202402/", "/art/2022/3/1/", "/info/1092/46"))
    challenge = "http://www.zhoukou.gov.cn/zfxxgk/zfxxgknb/szbm/2023/0128/jyj.html"
    db = connect(runs.db)
    assert db.execute("SELECT COUNT(*) FROM sightings WHERE url = ?", [challenge]).fetchone()[0] == 0


def test_second_run_reads_listings_but_downloads_no_report_body(runs: Runs) -> None:
    totals = runs.second["totals"]
    assert (totals["new"], totals["changed"], totals["fetched"]) == (0, 0, 0)
    assert runs.second["failing_portals"] == []
    db = connect(runs.db)
    cached = {row[0] for row in db.execute("SELECT url FROM crawl_cache")}
    # every archived file and every wrapper page ("详见附件") answered 304
    assert totals["unchanged"] == len(cached) == runs.first["totals"]["new"] + runs.first["totals"]["duplicate"] + 3
    report_hits = [hit for hit in runs.hits[1] if f"http://{hit.host}{hit.path}" in cached]
    assert len(report_hits) == len(cached)
    assert all(hit.conditional and hit.status == 304 for hit in report_hits)
    listings = [hit for hit in runs.hits[1] if hit.path.endswith(("index.html", "xxgknb.htm")) and hit.status == 200]
    assert len(listings) >= 5  # listings are read again every run


def test_replaced_report_becomes_a_new_version_and_both_stay(runs: Runs) -> None:
    totals = runs.third["totals"]
    assert (totals["new"], totals["changed"]) == (0, 1)
    assert portal(runs.third, "liaocheng-kjj")["changed"] == 1
    db = connect(runs.db)
    url = "http://kjj.liaocheng.gov.cn/xxgk/zfxxgknb/202301/t20230118_4101823.html"
    versions = db.execute(
        "SELECT DISTINCT s.document_id, d.report_id FROM sightings s JOIN documents d ON d.id = s.document_id"
        " WHERE s.url = ? ORDER BY s.id",
        [url],
    ).fetchall()
    assert len(versions) == 2 and versions[0][1] == versions[1][1]  # two versions, one report
    text = db.execute(
        "SELECT d.text FROM reports r JOIN documents d ON d.id = r.primary_document_id WHERE r.id = ?", [versions[1][1]]
    ).fetchone()[0]
    assert common.CORRECTION in text  # the corrected version is what search reads


def test_portals_lists_the_last_run(runs: Runs) -> None:
    output = nianbao(runs.db, "portals").output
    assert f"run {runs.third['run_id']}" in output and "never crawled" not in output
    listed = json.loads(nianbao(runs.db, "portals", "--json").output)
    assert {row["name"] for row in listed["portals"]} >= {"qufu", "huaian", "weihai-kjj"}


def test_discover_proposes_portals_named_by_reports(runs: Runs, tmp_path: Path) -> None:
    registry = one_portal_registry(
        tmp_path, "huaian", "淮安市人民政府", "hanweb", "http://www.huaian.gov.cn/col/col16727/index.html"
    )
    output = json.loads(nianbao(runs.db, "portals", "--registry", str(registry), "discover", "--json").output)
    proposed = {row["host"]: row for row in output["proposals"]}
    assert "www.qufu.gov.cn" in proposed and "kjj.liaocheng.gov.cn" in proposed
    assert "col15191" in proposed["www.qufu.gov.cn"]["start_url"]
    assert "www.huaian.gov.cn" not in proposed


def test_year_filter(replica: ReplicaServer, tmp_path: Path) -> None:
    replica.replica.log.clear()
    summary = crawl_json(tmp_path / "a.db", replica, "liaocheng-kjj", "weihai", "--year", "2021")
    hits = [hit.path for hit in replica.replica.log]
    assert not any("t20230118" in path for path in hits)  # the 2022 report is not fetched
    assert [p for p in hits if "fbtime" in p] == [
        "/module/xxgk/xxgkAnnualReport.jsp?area=11371000MB2841053X&fbtime=2021"
    ]
    assert summary["totals"]["new"] == 0


def test_strict_fails_on_a_portal_whose_selector_matches_nothing(replica: ReplicaServer, tmp_path: Path) -> None:
    registry = one_portal_registry(
        tmp_path, "empty", "周口市人民政府", "generic", "http://www.zhoukou.gov.cn/zfxxgk/zfxxgknb/szf/index.html"
    )
    summary = crawl_json(tmp_path / "a.db", replica, "--registry", str(registry), "--strict", expect=1)
    assert summary["failing_portals"] == ["empty"]
    assert portal(summary, "empty")["problems"] == ["listing selector matched nothing"]
    relaxed = crawl_json(tmp_path / "a.db", replica, "--registry", str(registry))
    assert relaxed["failing_portals"] == ["empty"]


def test_a_second_crawl_is_locked_out(replica: ReplicaServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    lock = CrawlLock(db)
    lock.acquire()
    try:
        result = nianbao(db, "crawl", "boshan", "--via-replica", replica.url, expect=1)
    finally:
        lock.release()
    assert "another crawl" in result.output


def test_unknown_portal_is_a_usage_error(tmp_path: Path) -> None:
    assert "unknown portal" in nianbao(tmp_path / "a.db", "crawl", "nowhere", expect=2).output


def test_scrapy_crawl_portal(replica: ReplicaServer, tmp_path: Path) -> None:
    db = tmp_path / "scrapy.db"
    env = {**os.environ, "NIANBAO_DB": str(db), "NIANBAO_VIA": replica.url}
    command = [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", "portal=boshan"]
    fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0.01", "-s", "LOG_LEVEL=ERROR"]
    subprocess.run([*command, *fast], cwd=ROOT, env=env, check=True, timeout=60, capture_output=True)
    titles = {row[0] for row in connect(db).execute("SELECT title FROM documents")}
    assert titles == {"博山区科学技术局2023年度政府信息公开工作年度报告"}


def test_demo(tmp_path: Path) -> None:
    output = nianbao(tmp_path / "demo.db", "demo").output
    assert "13 new, 0 changed, 0 unchanged" in output
    for title in REPORT_TITLES:
        assert output.count(title) == 1, title  # each report once in the sample search
    assert "anti-bot challenge (HTTP 412)" in output and "disallowed by robots.txt" in output
    assert "Browse:" in output
