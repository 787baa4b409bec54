"""The Beijing district family (EasySite numbered nodes) on saved-shape pages, and one real crawl of its
replica portal."""

from __future__ import annotations

from pathlib import Path

from archive.db import connect
from crawler import families, pages
from crawler.families import beijing
from replica.sites import beijing_daxing
from tests.replica_kit import FAMILIES, crawl_portal, fixture_text, sites_of

FIXTURES = FAMILIES / "beijing"
ROOT = "http://www.bjdx.gov.cn/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/"
YEAR = ROOT + "735792/"
REPORT = YEAR + "735950/index.html"
FAMILY = beijing.FAMILY


def read(name: str, url: str) -> families.Listing:
    return FAMILY.read("listing", fixture_text(FIXTURES, name), url, {})


def test_article_shape() -> None:
    assert FAMILY.is_article(REPORT)
    assert FAMILY.is_article("http://www.bjpg.gov.cn/pgqrmzf/zwxx0/ldzc13/qzx/512299/index.html")
    assert not FAMILY.is_article(ROOT + "index.html")
    assert not FAMILY.is_article(YEAR + "cba5c47e-2.html")


def test_tree_gives_year_and_group_columns_not_items() -> None:
    listing = read("tree.html", ROOT + "index.html")
    assert listing.items == [] and listing.problems == [] and listing.pages == []
    assert listing.sub_listings == [
        YEAR + "index.html",
        ROOT + "2018n/index.html",
        ROOT + "2018n/xzjd/index.html",
    ]


def test_first_page_gives_items_and_every_page_up_to_the_last() -> None:
    listing = read("list-page1.html", YEAR + "index.html")
    assert [(item.url, item.text) for item in listing.items] == [
        (REPORT, "北京市大兴区人民政府2023年政府信息公开工作年度报告"),
        (YEAR + "735941/index.html", "北京市大兴区发展和改革委员会2023年政府信息公开工作年度报告"),
    ]
    assert listing.pages == [YEAR + f"cba5c47e-{n}.html" for n in (2, 3, 4)]
    assert listing.sub_listings == [] and listing.problems == []


def test_off_site_pager_is_a_problem_not_a_page() -> None:
    listing = read("list-offsite-pager.html", YEAR + "index.html")
    assert listing.pages == [YEAR + "cba5c47e-2.html"]
    assert listing.problems == [
        "pager points off-site: http://bjdx.gov.cn.mirror.example/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/735792/cba5c47e-4.html"
    ]


def test_changed_listing_is_a_problem() -> None:
    listing = read("list-changed.html", YEAR + "index.html")
    assert listing.items == [] and listing.follow == []
    assert listing.problems == ["no numbered-node article link, no pager and no sub-column (markup changed?)"]


def test_article_page_and_its_attachment() -> None:
    page = pages.read_report_page(fixture_text(FIXTURES, "article-735950.html"), REPORT)
    assert (page.title, page.year) == ("北京市大兴区人民政府2023年政府信息公开工作年度报告", 2023)
    assert [link.url for link in page.attachments] == [
        "http://www.bjdx.gov.cn/bjsdxqrmzf/resource/cms/2024/01/2024011910000012345.pdf"
    ]


def test_detect_names_beijing_on_its_pages() -> None:
    for name, url in [("list-page1.html", YEAR + "index.html"), ("article-735950.html", REPORT)]:
        evidence = families.detect(fixture_text(FIXTURES, name), url)
        assert evidence[0].family == "beijing", (name, evidence)


def test_crawl_archives_the_report_once_at_its_real_url(tmp_path: Path) -> None:
    build = sites_of(beijing_daxing)
    summary = crawl_portal(tmp_path / "a.db", build, "daxing", "北京市大兴区人民政府", "beijing", ROOT + "index.html")
    (row,) = summary["portals"]
    assert (row["new"], row["status"]) == (1, "ok")
    db = connect(tmp_path / "a.db")
    assert [url for (url,) in db.execute("SELECT url FROM sightings")] == [REPORT]
    assert db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 1


def test_report_links_whose_text_the_listing_cut_short_are_followed() -> None:
    """kjt.hebei.gov.cn prints "…2023年政府信息公开工作年度报..." with no title attribute: still the 2023
    report; the website's 年度报表 PDF beside it is no item at all."""
    column = "https://kjt.hebei.gov.cn/www/xxgk2020/212936/index.html"
    listing = read("list-hebei-cut-titles.html", column)
    years = {
        item.url.removeprefix("https://kjt.hebei.gov.cn/www/"): pages.report_year(item.text) for item in listing.items
    }
    assert years == {
        "xxgk2020/212936/298933/index.html": 2023,
        "xxgk2020/212936/276914/index.html": 2022,
        "xxgk2020/212936/254504/index.html": 2021,
        "xxgk2020/212936/214850/index.html": 2016,
    }
