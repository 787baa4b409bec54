"""The Henan intensive platform (周口), read from pages in the real shapes (tests/families/sitesources/),
and a real Scrapy crawl of the 周口 and 淮安 replicas through the registry rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive.db import connect
from cli.main import cli
from crawler import families, pages, registry
from crawler.families import sitesources
from crawler.replica.model import Site
from crawler.replica.server import Replica, ReplicaServer
from crawler.replica.sites import huaian, zhoukou

FIXTURES = Path(__file__).parent / "families" / "sitesources"
ROOT = "http://www.zhoukou.gov.cn/sitesources/zksrmzf/page_pc/zwgk/gkznhml/zfxxgknb/"
LIST = ROOT + "2022n/szbm/"
SEED = "周口市科技局2022年政府信息公开工作年度报告"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def read(name: str, url: str, kind: str = "listing", context: dict[str, str] | None = None) -> families.Listing:
    return sitesources.FAMILY.read(kind, fixture(name), url, context or {})


def test_column_front_page_gives_its_year_sub_columns() -> None:
    listing = read("column.html", ROOT + "index.html")
    assert listing.items == [] and listing.problems == [] and listing.pages == []
    assert listing.sub_listings == [ROOT + "2023n/index.html", ROOT + "2022n/index.html"]


def test_year_column_gives_its_group_list() -> None:
    listing = read("year.html", ROOT + "2022n/index.html")
    assert listing.sub_listings == [LIST + "list1.html"] and listing.items == [] and listing.problems == []


def test_first_list_page_items_and_its_script_json() -> None:
    listing = read("list1.html", LIST + "list1.html")
    assert [(item.url.removeprefix(LIST), item.text) for item in listing.items] == [
        (zhoukou.SEED_ARTICLE.removeprefix("2022n/szbm/"), SEED),
        (zhoukou.CHALLENGE_ARTICLE.removeprefix("2022n/szbm/"), "周口市教育局2022年政府信息公开工作年度报告"),
        (zhoukou.SLOW_ARTICLE.removeprefix("2022n/szbm/"), "周口市统计局2022年政府信息公开工作年度报告"),
        (zhoukou.GATEWAY, f"{SEED}（繁體）"),  # off-site copies stay items: the spider records them skipped
        (zhoukou.MIRROR, f"{SEED}（镜像）"),
        ("article0A1B2C3D4E5F40718293A4B5C6D7E8F9.html", "关于做好2022年度政府信息公开工作年度报告编制发布工作的通知"),
    ]
    assert [(f.url, f.kind, f.same_column) for f in listing.follow] == [(LIST + "script.json", "script_json", True)]
    assert listing.follow[0].context == {"column": LIST + "list1.html"}
    assert listing.problems == [] and listing.declared is None
    wanted = [item.text for item in listing.items if pages.report_year(item.text) == 2022]
    assert "关于做好2022年度政府信息公开工作年度报告编制发布工作的通知" not in wanted  # a notice, not a report


def test_script_json_pages_the_list() -> None:
    listing = read("script.json", LIST + "script.json", "script_json", {"column": LIST + "list1.html"})
    assert listing.pages == [LIST + "list2.html"] and listing.items == [] and listing.problems == []


def test_later_page_asks_no_script_json_again() -> None:
    listing = read("list2.html", LIST + "list2.html")
    assert len(listing.items) == 2 and listing.follow == [] and listing.problems == []


def test_empty_list_is_no_problem_of_its_own() -> None:
    listing = read("empty-list.html", ROOT + "2023n/szf/list1.html")
    assert listing.items == [] and listing.problems == []
    assert listing.follow[0].url == ROOT + "2023n/szf/script.json"


def test_report_page_is_a_wrapper_around_doc_and_pdf() -> None:
    page = pages.read_report_page(fixture("article.html"), LIST + zhoukou.SEED_ARTICLE.removeprefix("2022n/szbm/"))
    assert (page.title, page.year, page.is_shell) == (SEED, 2022, True)
    assert [link.url for link in page.attachments] == [
        "http://www.zhoukou.gov.cn" + zhoukou.DOC_FILE,
        "http://www.zhoukou.gov.cn" + zhoukou.PDF_FILE,
    ]


@pytest.mark.parametrize("name", ["column.html", "list1.html", "article.html"])
def test_detect_names_the_platform(name: str) -> None:
    url = LIST + (zhoukou.SEED_ARTICLE.removeprefix("2022n/szbm/") if name == "article.html" else name)
    assert families.detect(fixture(name), url)[0].family == "sitesources"


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("column.html", "index.html"),
        ("year.html", "2022n/index.html"),
        ("list1.html", "2022n/szbm/list1.html"),
        ("list2.html", "2022n/szbm/list2.html"),
        ("empty-list.html", "2023n/szf/list1.html"),
        ("script.json", "2022n/szbm/script.json"),
        ("article.html", zhoukou.SEED_ARTICLE),
    ],
)
def test_fixtures_are_what_the_replica_serves(name: str, path: str) -> None:
    served = _build(1).find("www.zhoukou.gov.cn", zhoukou.NIANBAO + path)
    assert served is not None and served.body == (FIXTURES / name).read_bytes()


def test_changed_list_markup_is_a_problem() -> None:
    listing = read("changed.html", LIST + "list1.html")
    assert listing.items == [] and listing.follow == []
    assert listing.problems == ["no div.hap_infoBox list and no sub-column on the page (markup changed?)"]


def test_script_json_answering_html_is_a_problem() -> None:
    context = {"column": LIST + "list1.html"}
    listing = read("script-json-html.html", LIST + "script.json", "script_json", context)
    assert listing.follow == []
    assert listing.problems == ["script.json is not JSON (HTML answer?): the list's later pages are unknown"]
    odd = sitesources.FAMILY.read("script_json", '{"pageSize": 15}', LIST + "script.json", context)
    assert odd.problems == ["script.json has no endPage page count ('None')"]


# -- a real crawl of both portals through the replica ----------------------------------------------


def _build(state: int) -> Site:
    site = Site()
    zhoukou.build(site, state)
    huaian.build(site, state)
    return site


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    server = ReplicaServer(Replica(_build)).start()
    yield server
    server.shutdown()
    server.server_close()


def _registry(folder: Path) -> Path:
    """The two registry rows of crawler/portals.toml, as a registry file of their own."""
    rows = [portal for portal in registry.load() if portal.name in ("zhoukou", "huaian")]
    text = "".join(
        f'[[portal]]\nname = "{p.name}"\nagency = "{p.agency}"\nfamily = "{p.family}"\n'
        f"start_urls = {json.dumps(list(p.start_urls))}\nhosts = {json.dumps(list(p.hosts))}\n\n"
        for p in rows
    )
    (folder / "portals.toml").write_text(text, encoding="utf-8")
    return folder / "portals.toml"


def test_crawl_archives_each_report_once_at_its_real_url(replica: ReplicaServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    args = ["--db", str(db), "crawl", "--json", "--via-replica", replica.url, "--timeout", "1"]
    result = CliRunner().invoke(cli, [*args, "--registry", str(_registry(tmp_path))], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.output.strip().splitlines()[-1])
    assert summary["failing_portals"] == []
    rows = connect(db).execute(
        "SELECT d.title, d.media_type, s.url FROM sightings s JOIN documents d ON d.id = s.document_id ORDER BY s.url"
    )
    assert [tuple(row) for row in rows] == [  # each file once, at its real-shape URL; no wrapper page
        (
            "淮安市人民政府2024年政府信息公开工作年度报告",
            "application/pdf",
            "http://www.huaian.gov.cn" + huaian.REPORT_PDF,
        ),
        (SEED, "application/msword", "http://www.zhoukou.gov.cn" + zhoukou.DOC_FILE),
        (SEED, "application/pdf", "http://www.zhoukou.gov.cn" + zhoukou.PDF_FILE),
    ]
    events = {(e["kind"], e["url"]): e["reason"] for row in summary["portals"] for e in row["events"]}
    assert events[("failed", ROOT + zhoukou.CHALLENGE_ARTICLE)] == "anti-bot challenge page (HTTP 200), not archived"
    assert events[("failed", ROOT + zhoukou.SLOW_ARTICLE)].startswith("timeout")
    assert events[("skipped", zhoukou.MIRROR)] == "off-site host www.zhoukou.gov.cn.zfxxgk-mirror.com"
    assert events[("skipped", zhoukou.GATEWAY)] == "off-site host www.gov.cn"
    assert events[("failed", "http://www.huaian.gov.cn" + huaian.SCAN_PDF)].startswith("too large: 300.0 MB")
    assert {hit.host for hit in replica.replica.log} == {"www.zhoukou.gov.cn", "www.huaian.gov.cn"}
