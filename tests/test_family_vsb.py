"""VSB/博达, read from saved pages in the real shapes (tests/families/vsb/)."""

from __future__ import annotations

from pathlib import Path

from archive.db import connect
from crawler import families, pages
from crawler.families import vsb
from replica.sites import vsb_zhada
from tests.replica_kit import FAMILIES, crawl_portal, events, fixture_text, sites_of

FIXTURES = FAMILIES / "vsb"
LIST = "http://zhada.gov.cn/zwgk/zfxxgknb.htm"


def test_first_page_items_declared_total_and_every_page_counting_down() -> None:
    listing = vsb.FAMILY.read("listing", fixture_text(FIXTURES, "list.html"), LIST, {})
    assert [item.url for item in listing.items] == [
        "http://zhada.gov.cn/info/1144/96851.htm",
        "http://zhada.gov.cn/info/1144/96311.htm",
        "http://zhada.gov.cn/info/1144/90123.htm",
    ]
    assert listing.declared == 41 and listing.problems == []
    # the pager shows 2, 3, 4 … 14; all 13 later pages are asked for, 13.htm (page 2) first
    assert listing.pages == [f"http://zhada.gov.cn/zwgk/zfxxgknb/{page}.htm" for page in range(13, 0, -1)]


def test_last_page_links_back_but_asks_for_nothing_new_beyond_the_list() -> None:
    url = "http://zhada.gov.cn/zwgk/zfxxgknb/1.htm"
    listing = vsb.FAMILY.read("listing", fixture_text(FIXTURES, "page.html"), url, {})
    assert [item.text for item in listing.items] == ["札达县2010年政府信息公开工作年度报告"]
    assert listing.pages == ["http://zhada.gov.cn/zwgk/zfxxgknb/3.htm", "http://zhada.gov.cn/zwgk/zfxxgknb/2.htm"]
    assert listing.declared == 41


def test_pager_pointing_off_site_is_a_problem_and_not_followed() -> None:
    listing = vsb.FAMILY.read("listing", fixture_text(FIXTURES, "offsite_pager.html"), LIST, {})
    assert listing.pages == []
    assert listing.problems == ["pager points off-site: http://www.zhada-gov.cn.mirror.example/zwgk/zfxxgknb/1.htm"]


def test_changed_markup_yields_nothing_and_declares_nothing() -> None:
    listing = vsb.FAMILY.read("listing", fixture_text(FIXTURES, "changed_list.html"), LIST, {})
    assert (listing.items, listing.pages, listing.declared) == ([], [], None)


def test_jsp_list_pages_by_totalpage_and_pagenum() -> None:
    """lankao.gov.cn's shape: the pager links ?totalpage=6&PAGENUM=k; all pages 2…6 are asked for."""
    column = "http://www.lankao.gov.cn/zwgk/list.jsp?urltype=tree.TreeTempUrl&wbtreeid=1015"
    listing = vsb.FAMILY.read("listing", fixture_text(FIXTURES, "list_jsp_totalpage.html"), column, {})
    assert listing.items[0].text == "兰考县2025年政府信息公开工作年度报告"
    assert (
        listing.items[0].url
        == "http://www.lankao.gov.cn/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1015&wbnewsid=48759"
    )
    query = "&urltype=tree.TreeTempUrl&wbtreeid=1015"
    assert listing.pages == [
        f"http://www.lankao.gov.cn/zwgk/list.jsp?totalpage=6&PAGENUM={k}{query}" for k in range(2, 7)
    ]
    assert (listing.declared, listing.problems) == (53, [])
    assert families.detect(fixture_text(FIXTURES, "list_jsp_totalpage.html"), column)[0].family == "vsb"


def test_egovinfo_list_pages_by_its_module_numbered_parameters() -> None:
    """shangluo.gov.cn's 政务公开 module: ?ainfolist1501t=<pages>&ainfolist1501p=<k>&…; every page asked for."""
    column = "http://www.shangluo.gov.cn/zwgk/szfgkmlxxgk.jsp"
    html = fixture_text(FIXTURES, "egovinfo_list.html")
    listing = vsb.FAMILY.read("listing", html, column, {})
    assert (
        listing.items[0].url == "http://www.shangluo.gov.cn/info/egovinfo/zwgk/zwgk-nry/01606072-9-30/2026-0120005.htm"
    )
    rest = "&ainfolist1501c=15&urltype=egovinfo.EgovInfoList&subtype=2&wbtreeid=1232&sccode=zfxxgknb&gilevel=2"
    assert listing.pages == [f"{column}?ainfolist1501t=4&ainfolist1501p={k}{rest}" for k in (2, 3, 4)]
    assert families.detect(html, column)[0].family == "vsb"
    page3 = vsb.FAMILY.read("listing", html, listing.pages[1], {})
    assert listing.pages[1] not in page3.pages and len(page3.pages) == 2  # never itself


def test_detect_names_vsb_on_its_pages() -> None:
    for name, url in {"list.html": LIST, "article.html": "http://zhada.gov.cn/info/1144/96851.htm"}.items():
        assert families.detect(fixture_text(FIXTURES, name), url)[0].family == "vsb", name


def test_article_attachment_behind_download_jsp() -> None:
    page = pages.read_report_page(fixture_text(FIXTURES, "article.html"), "http://zhada.gov.cn/info/1144/96851.htm")
    assert page.year == 2023
    assert [link.url for link in page.attachments] == [
        "http://zhada.gov.cn/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1263415875&wbfileid=9876543"
    ]


def test_crawl_through_the_replica(tmp_path: Path) -> None:
    """A real Scrapy crawl over HTTP of the VSB replica portal: the report and its DOCX archived once, the
    looping report link recorded as a redirect loop."""

    summary = crawl_portal(tmp_path / "a.db", sites_of(vsb_zhada), "zhada", "札达县人民政府", "vsb", LIST)
    urls = sorted(row[0] for row in connect(tmp_path / "a.db").execute("SELECT url FROM sightings"))
    assert urls == [f"http://zhada.gov.cn{vsb_zhada.REPORT}", f"http://zhada.gov.cn{vsb_zhada.DOWNLOAD}"]
    assert summary["totals"]["new"] == 2 and summary["partial_portals"] == []  # 9 of 9 on two pages
    assert events(summary, "failed")[f"http://zhada.gov.cn{vsb_zhada.LOOP}?v=2"].startswith("redirect loop")
