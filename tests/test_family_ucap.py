"""开普云/Ucap, read from saved pages in the real shapes (tests/families/ucap/)."""

from __future__ import annotations

from pathlib import Path

from archive.db import connect
from crawler import families, pages
from crawler.families import ucap
from replica.sites import ucap_sanya_haitang
from tests.replica_kit import FAMILIES, crawl_portal, fixture_text, sites_of

FIXTURES = FAMILIES / "ucap"
LIST = "http://ht.sanya.gov.cn/htqsite/xxgknb/list.shtml"
CHANNEL = "3f2b7c9d1e8a4b6c9d0e1f2a3b4c5d6e"
QUERY = "_isAgg=true&_isJson=true&_pageSize=20&_template=index&_rangeTimeGte=&_channelName=&page="
SEARCH = f"http://ht.sanya.gov.cn/common/search/{CHANNEL}?{QUERY}"


def test_list_items_and_create_page_html_pager() -> None:
    listing = ucap.FAMILY.read("listing", fixture_text(FIXTURES, "list.html"), LIST, {})
    assert [item.text for item in listing.items] == [
        "三亚市海棠区人民政府2020年政府信息公开工作年度报告",
        "三亚市海棠区人民政府2019年政府信息公开工作年度报告",
        "海棠区2019年政务公开工作要点",
    ]
    assert listing.items[0].url == "http://ht.sanya.gov.cn/htqsite/xxgknb/202101/dee1e3c3a6f24a4c8b0d2e3f4a5b6c7d.shtml"
    assert listing.pages == [LIST.replace("list.", "list_2."), LIST.replace("list.", "list_3.")]
    assert listing.declared == 27 and listing.problems == []


def test_script_list_follows_the_search_api_from_its_script() -> None:
    listing = ucap.FAMILY.read("listing", fixture_text(FIXTURES, "script_list.html"), LIST, {})
    (follow,) = listing.follow
    assert (follow.url, follow.kind, follow.same_column) == (SEARCH + "1", "ucap-search", True)
    assert follow.context == {"path": "/common/search/", "page": "1"}


def test_search_api_page_items_total_and_next_page() -> None:
    context = {"path": "/common/search/", "page": "1"}
    listing = ucap.FAMILY.read("ucap-search", fixture_text(FIXTURES, "search_page1.json"), SEARCH + "1", context)
    assert [item.text for item in listing.items] == [
        "三亚市海棠区人民政府2020年政府信息公开工作年度报告",
        "三亚市海棠区人民政府2019年政府信息公开工作年度报告",  # the <em> highlight is dropped
        "海棠区2019年政务公开工作要点",
    ]
    assert listing.items[0].url == "http://ht.sanya.gov.cn/htqsite/xxgknb/202101/dee1e3c3a6f24a4c8b0d2e3f4a5b6c7d.shtml"
    assert listing.declared == 27
    (follow,) = listing.follow
    assert (follow.url, follow.same_column, follow.context["page"]) == (SEARCH + "2", True, "2")
    last = ucap.FAMILY.read(
        "ucap-search", fixture_text(FIXTURES, "search_page1.json"), SEARCH + "2", {**context, "page": "2"}
    )
    assert last.follow == []


def test_bad_answers_are_specific_problems() -> None:
    context = {"path": "/common/search/", "page": "1"}
    cases = {
        "search_html.html": "Ucap search API answered HTML instead of JSON",
        "search_unknown.json": "Ucap search API answer of unknown shape (no data.results)",
    }
    for name, problem in cases.items():
        listing = ucap.FAMILY.read("ucap-search", fixture_text(FIXTURES, name), SEARCH + "1", context)
        assert (listing.items, listing.follow, listing.problems) == ([], [], [problem])
    assert ucap.FAMILY.read("ucap-search", '{"data": {', SEARCH + "1", context).problems == [
        "Ucap search API answer is not JSON"
    ]


def test_channel_without_search_path_is_a_problem() -> None:
    html = fixture_text(FIXTURES, "script_list.html").replace(
        "'/common/search/' + channelId", "window.apiBase + channelId"
    )
    listing = ucap.FAMILY.read("listing", html, LIST, {})
    assert listing.follow == []
    assert listing.problems == ["Ucap column with a channelid but no search API path in its script"]


def test_detect_names_ucap_on_its_pages() -> None:
    article = "http://ht.sanya.gov.cn/htqsite/xxgknb/202101/dee1e3c3a6f24a4c8b0d2e3f4a5b6c7d.shtml"
    for name, url in {"list.html": LIST, "script_list.html": LIST, "article.html": article}.items():
        assert families.detect(fixture_text(FIXTURES, name), url)[0].family == "ucap", name
    assert ucap.FAMILY.is_article("http://www.hjs.gov.cn/hjs/c123665/202601/f58633c9a1b2c3d4e5f60718293a4b5c.shtml")


def test_article_title_year_and_attachment() -> None:
    url = "http://ht.sanya.gov.cn/htqsite/xxgknb/202101/dee1e3c3a6f24a4c8b0d2e3f4a5b6c7d.shtml"
    page = pages.read_report_page(fixture_text(FIXTURES, "article.html"), url)
    assert (page.title, page.year) == ("三亚市海棠区人民政府2020年政府信息公开工作年度报告", 2020)
    assert [link.url.rsplit("/", 1)[-1] for link in page.attachments] == ["7a8b9c0d.pdf"]


def test_crawl_through_the_replica(tmp_path: Path) -> None:
    """A real Scrapy crawl over HTTP of the Ucap replica portal: the report sits on list_2.shtml."""

    build = sites_of(ucap_sanya_haitang)
    summary = crawl_portal(tmp_path / "a.db", build, "sanya-haitang", "三亚市海棠区人民政府", "ucap", LIST)
    urls = [row[0] for row in connect(tmp_path / "a.db").execute("SELECT url FROM sightings")]
    assert urls == [f"http://{ucap_sanya_haitang.HOST}{ucap_sanya_haitang.REPORT}"]
    assert summary["totals"]["new"] == 1
    assert summary["failing_portals"] == [] and summary["partial_portals"] == []  # 13 of 13 on two pages
