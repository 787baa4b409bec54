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

import pytest

from archive.db import connect
from crawler.lock import CrawlLock
from crawler.registry import load as load_registry
from replica import sites
from replica.server import Hit, ReplicaServer
from replica.sites import common, huaian, liaocheng_kjj, vsb_zhada, weihai, zhoukou
from tests.replica_kit import Summary, crawl_json, events, nianbao, one_portal_registry, portal, serving

ROOT = Path(__file__).resolve().parents[1]
REGISTRY_HOSTS = {host for entry in load_registry() for host in entry.hosts}
#: The six real reports (five seeds and the 淮安 PDF) at the portals that publish them.
SEED_TITLES = [
    "聊城市科学技术局2022年政府信息公开工作年度报告",
    "周口市科技局2022年政府信息公开工作年度报告",
    "博山区科学技术局2023年度政府信息公开工作年度报告",
    "曲阜市科学技术局2021年政府信息公开工作年度报告",
    "威海市科学技术局2023年政府信息公开工作年度报告",
    "淮安市人民政府2024年政府信息公开工作年度报告",
]
#: Reports of the other family portals (generated with replica.layouts for their agencies).
FAMILY_TITLES = [
    "三亚市海棠区人民政府2020年政府信息公开工作年度报告",
    "北京市大兴区人民政府2023年政府信息公开工作年度报告",
    "威海市人民政府2024年政府信息公开工作年度报告",
    "威海市统计局2023年政府信息公开工作年度报告",
    "广东省人民政府2024年政府信息公开工作年度报告",
    "广州市科学技术局2024年政府信息公开工作年度报告",
    "昆明市人民政府2020年政府信息公开工作年度报告",
    "昆明市科学技术局2023年政府信息公开工作年度报告",
    "昆明市统计局2023年政府信息公开工作年度报告",
    "曲靖市人民政府2024年政府信息公开工作年度报告",
    "札达县2023年政府信息公开工作年度报告",  # no agency in the title, as on the real site; its DOCX joins it
    "白水县人民政府办公室2020年政府信息公开工作年度报告",
    "盐城市人民政府2021年政府信息公开工作年度报告",
    "福清市2019年政府信息公开工作年度报告",
    "郑州市金水区人民政府2022年政府信息公开工作年度报告",  # a portal of no known family: found by its title
    "蚌埠市人民政府2023年政府信息公开工作年度报告",
    # the agency with three years (liaocheng_rsj.py): the compare page and the cross-year checks
    "聊城市人力资源和社会保障局2021年政府信息公开工作年度报告",
    "聊城市人力资源和社会保障局2022年政府信息公开工作年度报告",
    "聊城市人力资源和社会保障局2023年政府信息公开工作年度报告",
]
REPORT_TITLES = SEED_TITLES + FAMILY_TITLES
ZHOUKOU = zhoukou.ROOT


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with serving(sites.build) as server:
        yield server


@dataclass
class Runs:
    db: Path
    first: Summary
    second: Summary
    third: Summary
    hits: list[list[Hit]]


@pytest.fixture(scope="module")
def runs(replica: ReplicaServer, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    summaries: list[Summary] = []
    hits: list[list[Hit]] = []
    for state in (1, 1, 2):
        replica.replica.set_state(state)
        replica.replica.log.clear()
        summaries.append(crawl_json(db, replica))
        hits.append(list(replica.replica.log))
    first, second, third = summaries
    return Runs(db, first, second, third, hits=hits)


def test_first_run_archives_every_report_once_with_its_files(runs: Runs) -> None:
    totals = runs.first["totals"]
    assert totals["new"] == 37 and totals["changed"] == 0
    assert runs.first["failing_portals"] == []
    db = connect(runs.db)
    reports = db.execute(
        """SELECT d.title, COUNT(*), GROUP_CONCAT(DISTINCT x.media_type) FROM reports r
           JOIN documents d ON d.id = r.primary_document_id JOIN documents x ON x.report_id = r.id GROUP BY r.id"""
    ).fetchall()
    assert sorted(title for title, _, _ in reports) == sorted(REPORT_TITLES)
    files = {title: count for title, count, _ in reports}
    assert files["威海市科学技术局2023年政府信息公开工作年度报告"] == 3  # the module page + PDF + DOCX
    assert files["周口市科技局2022年政府信息公开工作年度报告"] == 2  # DOC + PDF; the wrapper page is not archived
    assert files["博山区科学技术局2023年度政府信息公开工作年度报告"] == 3  # GBK HTML + DOCX + PDF
    assert files["聊城市科学技术局2022年政府信息公开工作年度报告"] == 3  # HTML + PDF, and (run 3) the corrected HTML
    assert files["曲阜市科学技术局2021年政府信息公开工作年度报告"] == 2  # HTML + DOCX behind downfile.jsp
    assert files["札达县2023年政府信息公开工作年度报告"] == 2  # the page + its DOCX, linked by where it was found


def test_a_list_that_declares_more_than_it_yields_is_partial(runs: Runs) -> None:
    """福清's 动静结合 list: 10 static items of a declared 20, its search API not served."""
    assert runs.first["partial_portals"] == ["fuqing"]
    [problem] = portal(runs.first, "fuqing")["problems"]
    assert problem == "partial 10 of 20  http://www.fuqing.gov.cn/xjwz/zwgk/zfxxgknb/"


def test_provenance_keeps_real_urls(runs: Runs) -> None:
    db = connect(runs.db)
    urls = [row[0] for row in db.execute("SELECT url FROM sightings")]
    assert f"http://{huaian.HOST}{huaian.REPORT_PDF}" in urls
    assert f"http://{liaocheng_kjj.HOST}{liaocheng_kjj.REPORT}" in urls
    assert weihai.MODULE + "?area=11371000004359096D&fbtime=2023" in urls
    assert all(url.split("/")[2] in REGISTRY_HOSTS for url in urls)


def test_every_injected_fault_is_in_the_summary(runs: Runs) -> None:
    failed, skipped, retried = (events(runs.first, kind) for kind in ("failed", "skipped", "retried"))
    liaocheng = f"http://{liaocheng_kjj.HOST}"
    assert failed[liaocheng + liaocheng_kjj.MISSING] == "HTTP 404"
    assert skipped[liaocheng + liaocheng_kjj.BACKUP] == "disallowed by robots.txt"
    assert retried["http://www.qufu.gov.cn/module/web/jpage/dataproxy.jsp"] == "500 Internal Server Error"
    assert portal(runs.first, "qufu")["new"] == 2  # the retry got the list
    assert failed[weihai.MODULE + "?area=11371000004359096D&fbtime=2022"] == "anti-bot challenge (HTTP 412)"
    assert failed[ZHOUKOU + zhoukou.CHALLENGE_ARTICLE] == "anti-bot challenge page (HTTP 200), not archived"
    assert failed[ZHOUKOU + zhoukou.SLOW_ARTICLE].startswith("timeout")
    assert failed[f"http://{huaian.HOST}{huaian.SCAN_PDF}"].startswith("too large: 300.0 MB")
    assert failed[f"http://{vsb_zhada.HOST}{vsb_zhada.LOOP}?v=2"].startswith("redirect loop")
    offsite = [url for url, reason in skipped.items() if reason.startswith("off-site host")]
    assert sorted(offsite) == sorted([zhoukou.GATEWAY, zhoukou.MIRROR])
    db = connect(runs.db)
    recorded = {row[0] for row in db.execute("SELECT url FROM failures WHERE run_id = ?", [runs.first["run_id"]])}
    assert recorded == set(failed)


def test_nothing_off_site_or_disallowed_is_requested(runs: Runs) -> None:
    for hits in runs.hits:
        assert {hit.host for hit in hits} <= REGISTRY_HOSTS
        assert not any(hit.path.startswith("/bak/") for hit in hits)
        # non-report articles sharing the columns are never fetched (their titles name no report)
        assert not any(part in hit.path for hit in hits for part in ("doc_65c0a8e1", "/art/2022/3/1/"))
    db = connect(runs.db)
    challenge = ZHOUKOU + zhoukou.CHALLENGE_ARTICLE
    assert db.execute("SELECT COUNT(*) FROM sightings WHERE url = ?", [challenge]).fetchone()[0] == 0


def test_second_run_reads_listings_but_downloads_no_report_body(runs: Runs) -> None:
    totals = runs.second["totals"]
    # 昆明's 2020n/ folder is its own report: read as a listing every run, in full, and found unchanged
    assert (totals["new"], totals["changed"], totals["fetched"]) == (0, 0, 1)
    assert runs.second["failing_portals"] == []
    db = connect(runs.db)
    cached = {row[0] for row in db.execute("SELECT url FROM crawl_cache")}
    # every archived file and every wrapper page ("详见附件") was asked for conditionally and answered 304;
    # only 昆明's 2020n/ folder, a listing that is its own report, is read in full again
    asked = {f"http://{hit.host}{hit.path}": hit for hit in runs.hits[1] if f"http://{hit.host}{hit.path}" in cached}
    folders = {url for url in cached if url.endswith("/")}
    assert folders == {"http://www.km.gov.cn/zfxxgk/zfxxgknb/2020n/"} and set(asked) == cached
    assert all(hit.conditional and hit.status == 304 for url, hit in asked.items() if url not in folders)
    assert totals["unchanged"] == len(cached)
    listings = [hit for hit in runs.hits[1] if not hit.conditional and hit.status == 200]
    assert len(listings) >= 17  # listings are read again every run, on every portal


def test_replaced_report_becomes_a_new_version_and_both_stay(runs: Runs) -> None:
    totals = runs.third["totals"]
    assert (totals["new"], totals["changed"]) == (0, 1)
    assert portal(runs.third, "liaocheng-kjj")["changed"] == 1
    db = connect(runs.db)
    url = f"http://{liaocheng_kjj.HOST}{liaocheng_kjj.REPORT}"
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
    assert "partial 10 of 20" in output  # the last run's problems are shown with its status


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
    summary = crawl_json(tmp_path / "a.db", replica, "liaocheng-kjj", "weihai-kjj", "--year", "2021")
    hits = [hit.path for hit in replica.replica.log]
    assert liaocheng_kjj.REPORT not in hits  # the 2022 report is not fetched
    assert [p for p in hits if "fbtime" in p] == [
        "/module/xxgk/xxgkAnnualReport.jsp?area=11371000004359096D&fbtime=2021"
    ]
    assert summary["totals"]["new"] == 0


def test_strict_fails_on_a_portal_whose_selector_matches_nothing(replica: ReplicaServer, tmp_path: Path) -> None:
    registry = one_portal_registry(tmp_path, "empty", "周口市人民政府", "sitesources", ZHOUKOU + "2023n/szf/list1.html")
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
    assert "37 new, 0 changed, 0 unchanged" in output
    assert "partial 10 of 20" in output
    assert "anti-bot challenge (HTTP 412)" in output and "disallowed by robots.txt" in output
    assert "Browse:" in output
