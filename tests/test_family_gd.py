"""Guangdong intensive platform, read from saved pages in the real shapes (tests/families/gd/)."""

from __future__ import annotations

from pathlib import Path

from archive.db import connect
from crawler import families
from crawler.families import gd
from replica.sites import gd_guangdong, gd_guangzhou
from tests.replica_kit import FAMILIES, SiteModule, Summary, crawl_portal, fixture_text, sites_of

FIXTURES = FAMILIES / "gd"
GZ = "http://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/bm/"
API = "http://www.gd.gov.cn/gkmlpt/api/all/4688?page=1&sid=2"


def test_static_year_list_items_and_index_n_pager() -> None:
    listing = gd.FAMILY.read("listing", fixture_text(FIXTURES, "year_list.html"), GZ + "2024n/index.html", {})
    assert [item.url.rsplit("/", 1)[-1] for item in listing.items] == [
        "post_10095458.html",
        "post_10095457.html",
        "post_10095401.html",
    ]
    assert listing.items[0].text == "广州市科学技术局2024年政府信息公开工作年度报告"
    assert listing.pages == [GZ + "2024n/index_2.html", GZ + "2024n/index_3.html"]
    assert listing.sub_listings == [] and listing.problems == [] and listing.declared is None


def test_group_list_gives_year_folders_and_says_the_off_site_pager() -> None:
    listing = gd.FAMILY.read("listing", fixture_text(FIXTURES, "group_list.html"), GZ + "index.html", {})
    assert listing.items == []
    assert listing.sub_listings == [GZ + f"{year}n/index.html" for year in (2024, 2023, 2022)]
    assert listing.pages == []  # the mirror's page 2 is never followed
    mirror = "http://www.gz.gov.cn.example-mirror.com/zfjgzy/gzsrmzfbgt/zfxxgknb/bm/index_2.html"
    assert listing.problems == [f"pager points off-site: {mirror}"]


def test_gkmlpt_index_follows_the_api_of_each_report_category() -> None:
    listing = gd.FAMILY.read(
        "listing", fixture_text(FIXTURES, "gkmlpt_index.html"), "http://www.gd.gov.cn/gkmlpt/index", {}
    )
    assert [(f.url, f.kind, f.same_column) for f in listing.follow] == [
        ("http://www.gd.gov.cn/gkmlpt/api/all/4?page=1&sid=2", "gkmlpt", False),
        ("http://www.gd.gov.cn/gkmlpt/api/all/4688?page=1&sid=2", "gkmlpt", False),
        ("http://www.gd.gov.cn/gkmlpt/api/all/4690?page=1&sid=2", "gkmlpt", False),
    ]  # 政府信息公开年报 and its two children; 机构职能 and the jump link 政策解读 are not
    assert listing.items == [] and listing.problems == []


def test_gkmlpt_api_page_items_total_and_next_page() -> None:
    listing = gd.FAMILY.read("gkmlpt", fixture_text(FIXTURES, "gkmlpt_api_page1.json"), API, {"sid": "2"})
    assert [item.text for item in listing.items] == [
        "广东省人民政府2024年政府信息公开工作年度报告",
        "广东省人民政府2023年政府信息公开工作年度报告",
        "关于做好2024年政务公开工作的通知",
    ]  # the untitled article is dropped
    assert listing.items[0].url == "http://www.gd.gov.cn/gkmlpt/content/4/4688/post_4688997.html"
    assert listing.declared == 17 and listing.problems == []
    (follow,) = listing.follow
    assert (follow.url, follow.kind, follow.same_column) == (API.replace("page=1", "page=2"), "gkmlpt", True)
    assert follow.context == {"sid": "2", "per_page": "4"}


def test_gkmlpt_short_last_page_declares_post_count_and_stops() -> None:
    url = API.replace("page=1", "page=6")
    listing = gd.FAMILY.read(
        "gkmlpt", fixture_text(FIXTURES, "gkmlpt_api_last.json"), url, {"sid": "2", "per_page": "4"}
    )
    assert [item.url for item in listing.items] == ["http://www.gd.gov.cn/gkmlpt/content/4/4600/post_4600010.html"]
    assert listing.declared == 17 and listing.follow == []


def test_bad_answers_are_specific_problems() -> None:
    cases = {
        "gkmlpt_api_html.html": "gkmlpt API answered HTML instead of JSON",
        "gkmlpt_api_unknown.json": "gkmlpt API answer of unknown shape (no articles list)",
    }
    for name, problem in cases.items():
        listing = gd.FAMILY.read("gkmlpt", fixture_text(FIXTURES, name), API, {"sid": "2"})
        assert (listing.items, listing.follow, listing.problems) == ([], [], [problem])
    broken = gd.FAMILY.read("gkmlpt", '{"total": 3, "articles": [', API, {})
    assert broken.problems == ["gkmlpt API answer is not JSON"]


def test_gkmlpt_index_without_report_category_or_tree() -> None:
    url = "http://www.gd.gov.cn/gkmlpt/index"
    no_reports = fixture_text(FIXTURES, "gkmlpt_index.html").replace("年报", "公报").replace("年度报告", "公告")
    assert gd.FAMILY.read("listing", no_reports, url, {}).problems == ["gkmlpt TREE has no 年报 category"]
    no_tree = "<html><script>window._CONFIG = { SID: '2', ROOT_URL: '/gkmlpt/' }</script></html>"
    assert gd.FAMILY.read("listing", no_tree, url, {}).problems == [
        "gkmlpt index page without a readable TREE of categories"
    ]


def test_detect_names_gd_on_its_pages() -> None:
    pages = {
        "year_list.html": GZ + "2024n/index.html",
        "article.html": GZ + "2024n/content/post_10095458.html",
        "gkmlpt_index.html": "http://www.gd.gov.cn/gkmlpt/index",
        "gkmlpt_article.html": "http://www.gd.gov.cn/gkmlpt/content/4/4688/post_4688997.html",
    }
    for name, url in pages.items():
        assert families.detect(fixture_text(FIXTURES, name), url)[0].family == "gd", name


def test_articles_attachments_are_found_by_the_shared_reader() -> None:
    from crawler import pages

    page = pages.read_report_page(fixture_text(FIXTURES, "article.html"), GZ + "2024n/content/post_10095458.html")
    assert page.year == 2024
    assert [link.url for link in page.attachments] == ["http://www.gz.gov.cn/attachment/7/7891/7891234/10095458.pdf"]


def test_gkmlpt_content_page_whose_file_is_only_in_its_detail_json() -> None:
    """gkmlpt pages that render in the browser: the body and its ``nfw-cms-attachment`` link are JSON-escaped
    in ``window._CONFIG.DETAIL.content`` (\\u003Ca … href=\\u0022https:\\/\\/….pdf\\u0022); the PDF is the
    page's file."""
    from crawler import pages

    url = "https://whly.gd.gov.cn/gkmlpt/content/4/4308/post_4308861.html"
    page = pages.read_report_page(fixture_text(FIXTURES, "gkmlpt_content_json.html"), url)
    assert (page.year, page.is_shell) == (2023, True)
    assert [(link.url, link.text) for link in page.attachments] == [
        (
            "https://whly.gd.gov.cn/attachment/0/520/520123/4308861.pdf",
            "广东省文化和旅游厅2023年政府信息公开工作年度报告.pdf",
        )
    ]


def crawl(tmp_path: Path, module: SiteModule, name: str, agency: str, start: str) -> tuple[Summary, list[str]]:
    """A real Scrapy crawl over HTTP of one replica portal (only this module's site); the archived URLs."""
    summary = crawl_portal(tmp_path / "a.db", sites_of(module), name, agency, "gd", start)
    return summary, [row[0] for row in connect(tmp_path / "a.db").execute("SELECT url FROM sightings")]


def test_crawl_static_year_folders(tmp_path: Path) -> None:
    start = "http://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/index.html"
    summary, urls = crawl(tmp_path, gd_guangzhou, "gz", "广州市人民政府办公厅", start)
    assert urls == [f"http://{gd_guangzhou.HOST}{gd_guangzhou.REPORT}"]
    assert summary["totals"]["new"] == 1
    assert summary["failing_portals"] == [] and summary["partial_portals"] == []


def test_crawl_gkmlpt_through_its_json_api(tmp_path: Path) -> None:
    summary, urls = crawl(tmp_path, gd_guangdong, "gd", "广东省人民政府", "http://www.gd.gov.cn/gkmlpt/index")
    assert urls == [f"http://{gd_guangdong.HOST}{gd_guangdong.REPORT}"]  # on the API's second page
    assert summary["totals"]["new"] == 1
    assert summary["failing_portals"] == [] and summary["partial_portals"] == []  # 13 of 13 over two API pages
