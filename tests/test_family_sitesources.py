"""The Henan intensive platform (周口), read from pages in the real shapes (tests/families/sitesources/),
and a real Scrapy crawl of the 周口 and 淮安 replicas through the registry rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.db import connect
from crawler import families, pages
from crawler.families import sitesources
from replica.server import ReplicaServer
from replica.sites import huaian, zhoukou
from tests.replica_kit import FAMILIES, bundled_rows, crawl_json, events, fixture_text, registry_file, serving, sites_of

FIXTURES = FAMILIES / "sitesources"
ROOT = "http://www.zhoukou.gov.cn/sitesources/zksrmzf/page_pc/zwgk/gkznhml/zfxxgknb/"
LIST = ROOT + "2022n/szbm/"
SEED = "周口市科技局2022年政府信息公开工作年度报告"


def read(name: str, url: str, kind: str = "listing", context: dict[str, str] | None = None) -> families.Listing:
    return sitesources.FAMILY.read(kind, fixture_text(FIXTURES, name), url, context or {})


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
    page = pages.read_report_page(
        fixture_text(FIXTURES, "article.html"), LIST + zhoukou.SEED_ARTICLE.removeprefix("2022n/szbm/")
    )
    assert (page.title, page.year, page.is_shell) == (SEED, 2022, True)
    assert [link.url for link in page.attachments] == [
        "http://www.zhoukou.gov.cn" + zhoukou.DOC_FILE,
        "http://www.zhoukou.gov.cn" + zhoukou.PDF_FILE,
    ]


@pytest.mark.parametrize("name", ["column.html", "list1.html", "article.html"])
def test_detect_names_the_platform(name: str) -> None:
    url = LIST + (zhoukou.SEED_ARTICLE.removeprefix("2022n/szbm/") if name == "article.html" else name)
    assert families.detect(fixture_text(FIXTURES, name), url)[0].family == "sitesources"


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


_build = sites_of(zhoukou, huaian)


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with serving(_build) as server:
        yield server


def test_crawl_archives_each_report_once_at_its_real_url(replica: ReplicaServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    # the two registry rows of crawler/portals.toml, as a registry file of their own
    registry = registry_file(tmp_path, bundled_rows(lambda row: row["name"] in ("zhoukou", "huaian")))
    summary = crawl_json(db, replica, "--registry", str(registry))
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
    failed, skipped = events(summary, "failed"), events(summary, "skipped")
    assert failed[ROOT + zhoukou.CHALLENGE_ARTICLE] == "anti-bot challenge page (HTTP 200), not archived"
    assert failed[ROOT + zhoukou.SLOW_ARTICLE].startswith("timeout")
    assert skipped[zhoukou.MIRROR] == "off-site host www.zhoukou.gov.cn.zfxxgk-mirror.com"
    assert skipped[zhoukou.GATEWAY] == "off-site host www.gov.cn"
    assert failed["http://www.huaian.gov.cn" + huaian.SCAN_PDF].startswith("too large: 300.0 MB")
    assert {hit.host for hit in replica.replica.log} == {"www.zhoukou.gov.cn", "www.huaian.gov.cn"}
