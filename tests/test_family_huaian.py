"""The 淮安 city platform, read from pages in the real shapes (tests/families/huaian/)."""

from __future__ import annotations

import pytest

from crawler import families, pages
from crawler.families import huaian
from replica.sites import huaian as site
from tests.replica_kit import FAMILIES, fixture_text, sites_of

FIXTURES = FAMILIES / "huaian"
HOST = "http://www.huaian.gov.cn"
COLUMN = HOST + "/col/18073_668815/"
REPORT = HOST + "/col/4122_231438/art/17383392/17404450095975A5KfNzE.html"
TITLE = "淮安市人民政府2024年政府信息公开工作年度报告"


def test_list_items_declared_size_and_static_pages() -> None:
    listing = huaian.FAMILY.read("listing", fixture_text(FIXTURES, "list.html"), COLUMN + "index.html", {})
    assert len(listing.items) == 20
    assert (listing.items[0].url, listing.items[0].text) == (REPORT, TITLE)
    assert all(huaian.FAMILY.is_article(item.url) for item in listing.items)
    assert [pages.report_year(item.text) for item in listing.items].count(2024) == 1  # the rest name no report
    assert listing.declared == 23  # nsetpage(1, 23, 20, …)
    assert listing.pages == [COLUMN + "index_2.html"] and listing.sub_listings == [] and listing.problems == []


def test_second_page_completes_the_declared_list() -> None:
    listing = huaian.FAMILY.read("listing", fixture_text(FIXTURES, "list-page2.html"), COLUMN + "index_2.html", {})
    assert len(listing.items) == 3 and listing.declared == 23
    assert listing.pages == [COLUMN + "index.html"]  # the spider asks for each page once


def test_report_page_metadata_title_and_files() -> None:
    text = fixture_text(FIXTURES, "article.html")
    assert "<th>索 引 号</th><td>014289810/2025-00013</td><th>发布机构</th>" in text
    assert f'<th>名 称</th><td colspan="3">{TITLE}</td>' in text
    page = pages.read_report_page(text, REPORT)
    assert (page.title, page.year, page.is_shell) == (TITLE, 2024, True)
    assert [link.url for link in page.attachments] == [HOST + site.REPORT_PDF, HOST + site.SCAN_PDF]


def test_article_url_shapes_of_the_city_platform() -> None:
    shapes = [
        REPORT,
        "https://scjgj.huaian.gov.cn/col/4039_446643/art/17356608/17364738729029ffO7DUB.html",
        "https://gaj.huaian.gov.cn/col/9105_151615/art/o/17881920/1788231205335x0MzpBwp.html",
        "https://cl.huaian.gov.cn/col/8349_118464/content/17144928/1715582990210UdXHUSlL.html",
    ]
    assert all(huaian.FAMILY.is_article(url) for url in shapes)
    assert not huaian.FAMILY.is_article(COLUMN + "index_2.html")


def test_detect_names_the_platform() -> None:
    assert families.detect(fixture_text(FIXTURES, "list.html"), COLUMN + "index.html")[0].family == "huaian"
    assert families.detect(fixture_text(FIXTURES, "article.html"), REPORT)[0].family == "huaian"


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("list.html", site.COLUMN + "index.html"),
        ("list-page2.html", site.COLUMN + "index_2.html"),
        ("article.html", site.REPORT),
    ],
)
def test_fixtures_are_what_the_replica_serves(name: str, path: str) -> None:
    resource = sites_of(site)(1).find("www.huaian.gov.cn", path)
    assert resource is not None and resource.body == (FIXTURES / name).read_bytes()


def test_changed_list_markup_is_a_problem() -> None:
    listing = huaian.FAMILY.read("listing", fixture_text(FIXTURES, "changed.html"), COLUMN + "index.html", {})
    assert listing.items == [] and listing.follow == [] and listing.declared is None
    assert listing.problems == ["no div.list-lb list on the page (markup changed?)"]
