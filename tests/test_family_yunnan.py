"""The Yunnan family (PHPCMS v9 static portals) on saved-shape pages, and one real crawl of its replica portal."""

from __future__ import annotations

from pathlib import Path

from archive.db import connect
from crawler import families, pages
from crawler.families import yunnan
from replica.sites import yunnan_qujing
from tests.replica_kit import FAMILIES, crawl_portal, fixture_text, sites_of

FIXTURES = FAMILIES / "yunnan"
COLUMN = "http://www.qj.gov.cn/html/zfxxgk/zfxxgknb/2024n/"
FAMILY = yunnan.FAMILY


def read(name: str, url: str) -> families.Listing:
    return FAMILY.read("listing", fixture_text(FIXTURES, name), url, {})


def test_article_shapes() -> None:
    assert FAMILY.is_article("http://www.qj.gov.cn/html/2025/2024n_0310/272880.html")
    assert FAMILY.is_article("http://www.qj.gov.cn/html/2013/qjdsj_0419/3135.html")
    assert FAMILY.is_article("http://www.xinghai.gov.cn/html/5973/610465.html")  # the Qinghai variant
    assert FAMILY.is_article("http://www.qj.gov.cn/html/2010/catdir_0720/1_2.html")  # page 2 of an article
    assert not FAMILY.is_article("http://www.qj.gov.cn/html/zfxxgk/zfxxgknb/2024n/2.html")


def test_column_tree_gives_year_columns() -> None:
    listing = read("column-tree.html", "http://www.qj.gov.cn/html/zfxxgk/zfxxgknb/")
    assert listing.items == [] and listing.problems == [] and listing.pages == []
    assert listing.sub_listings == [
        "http://www.qj.gov.cn/html/zfxxgk/zfxxgknb/2024n/",
        "http://www.qj.gov.cn/html/zfxxgk/zfxxgknb/2023n/",
        "http://www.qj.gov.cn/html/zfxxgk/zfxxgknb/2022n/",
    ]


def test_first_page_gives_items_every_page_and_the_declared_size() -> None:
    listing = read("list-page1.html", COLUMN)
    assert [item.url.rsplit("/", 2)[-2:] for item in listing.items] == [
        ["2024n_0310", "272880.html"],
        ["2024n_0124", "270113.html"],
        ["2024n_0120", "269871.html"],
    ]
    assert listing.items[0].text == "曲靖市人民政府2024年政府信息公开工作年度报告"
    assert listing.pages == [COLUMN + "2.html", COLUMN + "3.html"]
    assert listing.declared == 47 and listing.problems == []


def test_last_page_names_no_new_page_but_the_same_size() -> None:
    listing = read("list-page3.html", COLUMN + "3.html")
    assert [item.text for item in listing.items] == ["曲靖市统计局2024年政府信息公开工作年度报告"]
    assert listing.pages == [COLUMN + "2.html"]  # index.html is page 1, not a page N.html
    assert listing.declared == 47


def test_off_site_pager_is_a_problem_not_a_page() -> None:
    listing = read("list-offsite-pager.html", COLUMN)
    assert listing.pages == [COLUMN + "2.html"]
    assert listing.problems == [
        "pager points off-site: http://www.qj-gov.cn.mirror.example/html/zfxxgk/zfxxgknb/2024n/3.html"
    ]


def test_changed_listing_is_a_problem() -> None:
    listing = read("list-changed.html", COLUMN)
    assert listing.items == [] and listing.follow == []
    assert listing.problems == ["no /html/YYYY/<column>_MMDD/ article link and no div#pages pager (markup changed?)"]


def test_article_page_and_its_attachment() -> None:
    url = "http://www.qj.gov.cn/html/2025/2024n_0310/272880.html"
    page = pages.read_report_page(fixture_text(FIXTURES, "article-272880.html"), url)
    assert (page.title, page.year) == ("曲靖市人民政府2024年政府信息公开工作年度报告", 2024)
    assert [link.url for link in page.attachments] == [
        "http://www.qj.gov.cn/uploadfile/2025/0310/20250310093512345.pdf"
    ]


def test_detect_names_yunnan_on_its_pages() -> None:
    article = "http://www.qj.gov.cn/html/2025/2024n_0310/272880.html"
    for name, url in [
        ("list-page1.html", COLUMN),
        ("list-page3.html", COLUMN + "3.html"),
        ("article-272880.html", article),
    ]:
        evidence = families.detect(fixture_text(FIXTURES, name), url)
        assert evidence[0].family == "yunnan", (name, evidence)


def test_crawl_archives_the_report_once_at_its_real_url(tmp_path: Path) -> None:
    build = sites_of(yunnan_qujing)
    summary = crawl_portal(tmp_path / "a.db", build, "qujing", "曲靖市人民政府", "yunnan", yunnan_qujing.TREE)
    (row,) = summary["portals"]
    assert (row["new"], row["status"]) == (2, "ok")  # the inline HTML and its DOCX copy
    db = connect(tmp_path / "a.db")
    urls = sorted(url for (url,) in db.execute("SELECT url FROM sightings"))
    assert urls == [
        "http://www.qj.gov.cn/html/2025/2024n_0310/272880.html",
        "http://www.qj.gov.cn/uploadfile/2025/0310/20250310093512345.docx",
    ]
    (count,) = db.execute("SELECT COUNT(*) FROM reports").fetchone()
    assert count == 1
