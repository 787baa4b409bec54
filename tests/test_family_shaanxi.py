"""The Shaanxi family (19-digit article ids, ``<column>/N.html`` lists) on saved-shape pages, and one real
crawl of its replica portal."""

from __future__ import annotations

from pathlib import Path

from archive.db import connect
from crawler import families, pages
from crawler.families import shaanxi
from replica.sites import shaanxi_baishui
from tests.replica_kit import FAMILIES, crawl_portal, fixture_text, sites_of

FIXTURES = FAMILIES / "shaanxi"
COLUMN = "http://www.baishui.gov.cn/zfxxgk/zfxxgknb/bmxxgknb/"
REPORT = COLUMN + "1651146479113211905.html"
FAMILY = shaanxi.FAMILY


def read(name: str, url: str) -> families.Listing:
    return FAMILY.read("listing", fixture_text(FIXTURES, name), url, {})


def test_article_shape() -> None:
    assert FAMILY.is_article(REPORT)
    assert FAMILY.is_article("http://www.lintong.gov.cn/zwgk/xxgkml/xxgknb/bmxxgknb/2017052662977646594.html")
    assert not FAMILY.is_article(COLUMN + "2.html")
    assert not FAMILY.is_article(COLUMN + "165114647911321190.html")  # 18 digits


def test_first_page_gives_items_and_every_page_of_the_script() -> None:
    listing = read("list-page1.html", COLUMN + "1.html")
    assert [(item.url, item.text) for item in listing.items] == [
        (REPORT, "白水县人民政府办公室2020年政府信息公开工作年度报告"),
        (COLUMN + "1651146463799808001.html", "白水县教育局2020年政府信息公开工作年度报告"),
    ]
    assert listing.pages == [COLUMN + "2.html", COLUMN + "3.html"]
    assert listing.problems == [] and listing.declared is None


def test_last_page_pages_back_to_the_others() -> None:
    listing = read("list-page3.html", COLUMN + "3.html")
    assert [item.url for item in listing.items] == [REPORT]
    assert listing.pages == [COLUMN + "1.html", COLUMN + "2.html"]


def test_off_site_pager_is_a_problem_not_a_page() -> None:
    listing = read("list-offsite-pager.html", COLUMN + "1.html")
    assert listing.pages == [COLUMN + "2.html"]
    assert listing.problems == [
        "pager points off-site: http://baishui.gov.cn.cache.example/zfxxgk/zfxxgknb/bmxxgknb/3.html"
    ]


def test_changed_listing_is_a_problem() -> None:
    listing = read("list-changed.html", COLUMN + "1.html")
    assert listing.items == [] and listing.follow == []
    assert listing.problems == ["no m-lst36 list and no 19-digit article link on the page (markup changed?)"]


def test_article_page_and_its_attachment() -> None:
    html = fixture_text(FIXTURES, "article-1651146479113211905.html")
    page = pages.read_report_page(html, REPORT)
    assert (page.title, page.year) == ("白水县人民政府办公室2020年政府信息公开工作年度报告", 2020)
    assert [link.url for link in page.attachments] == [
        "http://www.baishui.gov.cn/uploadfiles/2021/01/20210128101502663.docx"
    ]


def test_detect_names_shaanxi_on_its_pages() -> None:
    for name, url in [("list-page1.html", COLUMN + "1.html"), ("article-1651146479113211905.html", REPORT)]:
        evidence = families.detect(fixture_text(FIXTURES, name), url)
        assert evidence[0].family == "shaanxi", (name, evidence)


def test_crawl_archives_the_report_once_at_its_real_url(tmp_path: Path) -> None:
    start = f"http://{shaanxi_baishui.HOST}{shaanxi_baishui.COLUMN}1.html"
    summary = crawl_portal(tmp_path / "a.db", sites_of(shaanxi_baishui), "baishui", "白水县人民政府", "shaanxi", start)
    (row,) = summary["portals"]
    assert (row["new"], row["status"]) == (2, "ok")  # the inline HTML and its DOCX copy
    db = connect(tmp_path / "a.db")
    urls = sorted(url for (url,) in db.execute("SELECT url FROM sightings"))
    assert urls == ["http://www.baishui.gov.cn/uploadfiles/2021/01/20210128101502663.docx", REPORT]
    assert db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 1
