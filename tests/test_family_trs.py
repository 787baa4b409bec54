"""The TRS family on saved pages of each shape (tests/families/trs/, README.md names where each was seen),
then real Scrapy crawls through the replica of two TRS portals: 昆明 (year folders, a folder that is the
report, a createPageHTML .shtml pager) and 福清 (a 动静结合 list whose search module is unavailable)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.db import connect
from crawler import families, pages
from crawler.families import Follow, trs
from crawler.registry import Portal
from replica.server import ReplicaServer
from replica.sites import trs_fuqing, trs_km
from tests.replica_kit import (
    FAMILIES,
    bundled_rows,
    crawl_json,
    fixture_text,
    registry_file,
    serving,
    sites_of,
)

FIXTURES = FAMILIES / "trs"
KM = "http://www.km.gov.cn/zfxxgk/zfxxgknb/"
FUQING = "http://www.fuqing.gov.cn/xjwz/zwgk/zfxxgknb/"
SANMING = "http://zjj.sm.gov.cn/zwgk/zfxxgknb/"
WAS5_API = "http://zjj.sm.gov.cn/was5/web/search?channelid=212807&templet=docs.jsp"


def read(name: str, url: str, kind: str = "listing", context: dict[str, str] | None = None) -> families.Listing:
    return trs.FAMILY.read(kind, fixture_text(FIXTURES, name), url, context or {})


def urls(follows: list[Follow]) -> list[str]:
    return [follow.url for follow in follows]


# -- pagers ------------------------------------------------------------------------------------------------


def test_create_page_html_honours_its_own_prefix() -> None:
    column = "http://www.cqkz.gov.cn/zwgk_72016/zfxxgknb_72026/"
    listing = read("createpage_list.html", column + "list.html")
    assert [item.url.rsplit("/", 1)[1] for item in listing.items] == [
        "t20260127_15357166.html",
        "t20260123_15349012.html",
        "t20251230_15301877.html",
    ]
    assert listing.pages == [column + "list_1.html", column + "list_2.html"]
    assert all(f.same_column and f.kind == "listing" for f in listing.follow)
    assert listing.declared is None and listing.problems == []


def test_create_page_html_honours_its_extension_from_a_later_page() -> None:
    listing = read("createpage_shtml_page1.html", KM + "2023n/index_1.shtml")
    assert listing.pages == [KM + "2023n/index_2.shtml", KM + "2023n/index_3.shtml"]  # page 0 led here
    assert len(listing.items) == 2


def test_six_argument_create_page_html_declares_the_record_count() -> None:
    column = "http://sthjj.example.gov.cn/zfxxgk/zfxxgknb/"
    listing = read("createpage_six_args.html", column)
    assert listing.pages == [column + "index_2.html", column + "index_3.html"]  # counted from 1: 3 pages
    assert listing.declared == 45


def test_six_argument_create_page_html_counts_from_one_on_later_pages_too() -> None:
    """Page 2 of csrc.gov.cn-style ``common_list`` (``('page_div',14, 2,'common_list','shtml',251)``): the
    other later pages up to the 14th, never a ``common_list_1`` that does not exist."""
    script = "<script>createPageHTML('page_div',14, 2,'common_list','shtml',251);</script>"
    found = trs.pager(trs.scripts(script), "http://www.example.gov.cn/col/common_list_2.shtml")
    assert found is not None
    pages = found.urls("http://www.example.gov.cn/col/common_list_2.shtml")
    assert pages[0].endswith("/col/common_list_3.shtml") and pages[-1].endswith("/col/common_list_14.shtml")
    assert len(pages) == 12 and found.records == 251


def test_attachment_named_only_in_the_hasfj_script_is_the_reports_file() -> None:
    """Chongqing TRS templates write the file links from ``var hasFJ='<a …>'``: no ``<a>`` in the page."""
    url = "http://www.cqkz.gov.cn/kz/zfcxjw/zwgk_72016/zfxxgknb_72026/202601/t20260127_15357190.html"
    page = pages.read_report_page(fixture_text(FIXTURES, "article_hasfj.html"), url)
    assert [(link.url, link.text) for link in page.attachments] == [
        (
            "http://www.cqkz.gov.cn/kz/zfcxjw/zwgk_72016/zfxxgknb_72026/202601/P020260127391846203557.pdf",
            "重庆市开州区住房和城乡建设委员会2025年政府信息公开工作年度报告.pdf",
        )
    ]
    assert page.is_shell and page.year == 2025


def test_year_folders_named_by_the_bare_year_are_sub_columns() -> None:
    column = "http://www.dwk.gov.cn/xxgk/zfxxgknb/"
    listing = read("year_folders_bare.html", column)
    assert [f.url for f in listing.follow if not f.same_column] == [column + "2024/", column + "2023/"]
    assert [item.url for item in listing.items] == [column + "2024/202501/t20250123_4802667.html"]


def test_count_page_pager_names_pages_after_its_first_page_link_and_ignores_commented_pagers() -> None:
    column = "http://www.example.gov.cn/zwgk/zfxxgknb/"
    listing = read("countpage_inline.html", column)
    assert listing.pages == [column + "index_1.shtml", column + "index_2.shtml"]  # not index_old / 9 pages
    assert listing.declared is None  # the record count is commented out


# -- start URLs: folders, year sub-columns, a folder that is the report ------------------------------------


def test_start_urls_are_columns() -> None:
    portal = Portal("km", "昆明市人民政府", "", "trs", ("www.km.gov.cn",), start_urls=(KM,))
    assert trs.FAMILY.start(portal, range(2020, 2024)) == [Follow(KM, same_column=False)]


def test_year_folders_are_sub_columns() -> None:
    listing = read("year_folders.html", KM)
    assert listing.items == [] and listing.problems == []
    assert listing.sub_listings == [KM + "2023nb/", KM + "2020n/", KM + "2009n/"]
    assert all(f.form is None and f.kind == "listing" for f in listing.follow)


def test_a_year_folder_rendering_its_report_is_followed_as_the_report() -> None:
    listing = read("year_folder_report.html", KM + "2009n/")
    assert listing.follow == [Follow(KM + "2009n/", kind="report", link_text="昆明市2009年政府信息公开工作年度报告")]
    assert listing.items == [] and listing.problems == []


# -- 动静结合: static first page, later pages from a search service ----------------------------------------


def test_list2_trsapi_list_is_partial_with_its_declared_total() -> None:
    listing = read("dongjing_list2trsapi.html", FUQING)
    assert len(listing.items) == 3  # the avalon template row (ms-attr-href) is no link
    assert listing.declared == 7
    assert listing.follow == []
    assert listing.problems == [
        "later pages come only from the TRS list2.trsapi search module, whose answer shape is unknown: "
        "3 item(s) on the static page"
    ]


def test_was5_list_follows_the_search_api_from_its_second_page() -> None:
    listing = read("dongjing_was5.html", SANMING)
    assert len(listing.items) == 2 and listing.declared == 5 and listing.problems == []
    (api,) = listing.follow
    assert api.kind == trs.WAS5 and api.same_column and api.method == "GET"
    assert api.url == (
        "http://zjj.sm.gov.cn/was5/web/search?channelid=212807&templet=docs.jsp"
        "&sortfield=-DOCORDERPRI,-docreltime&classsql=chnlid%3D8790&prepage=2&page=2"
    )
    assert api.context == {"page": "2", "column": SANMING}


def test_was5_answer_gives_its_documents_and_asks_for_the_remaining_pages() -> None:
    listing = read("was5_docs.json", WAS5_API + "&page=2", trs.WAS5, {"page": "2", "column": SANMING})
    assert [(item.url, item.text) for item in listing.items] == [
        (SANMING + "202201/t20220126_1702233.htm", "三明市住房和城乡建设局2021年政府信息公开工作 年度报告"),
        (SANMING + "202101/t20210129_1590871.htm", "三明市住房和城乡建设局2020年政府信息公开工作年度报告"),
    ]
    assert urls(listing.follow) == [WAS5_API + "&page=3"]
    assert listing.follow[0].context == {"page": "3", "column": SANMING, "rest": "asked"}
    later = read("was5_docs.json", WAS5_API + "&page=3", trs.WAS5, dict(listing.follow[0].context))
    assert later.follow == []  # the pages are asked for once


def test_was5_placeholder_rows_are_no_documents() -> None:
    listing = read("was5_placeholder.json", WAS5_API + "&page=2", trs.WAS5, {"page": "2", "column": SANMING})
    assert [item.url for item in listing.items] == [
        SANMING + "202001/t20200120_1478003.htm"
    ]  # not 文章标题 nor the closing {}


def test_irs_search_api_is_named_not_followed() -> None:
    listing = read("irs_list.html", "http://rst.guizhou.gov.cn/zwgk/zfxxgknb/")
    assert len(listing.items) == 1 and listing.follow == []
    assert listing.problems == [
        "later pages come only from the TRS IRS search API /irs/front/list (a JSON POST body, which the "
        "crawler cannot send): 1 item(s) on the static page"
    ]


# -- bad input ---------------------------------------------------------------------------------------------


def test_changed_listing_markup_is_a_problem() -> None:
    listing = read("changed_list.html", "http://www.cqkz.gov.cn/zwgk_72016/zfxxgknb_72026/")
    assert listing.items == []
    assert listing.problems == ["TRS list page of 2 pages: no article link matched (markup changed?)"]


def test_page_without_anything_to_read_is_a_problem() -> None:
    listing = trs.FAMILY.read("listing", "<html><body><p>栏目维护中</p></body></html>", FUQING, {})
    assert listing.problems == ["TRS list page: no article link, pager or sub-column matched (markup changed?)"]


def test_off_site_pager_is_never_followed() -> None:
    listing = read("offsite_pager.html", FUQING)
    assert listing.follow == []
    mirror = "http://www.fuqing.gov.cn.zfxxgk-mirror.com/xjwz/zwgk/zfxxgknb/index"
    assert listing.problems == [
        f"pager points off-site: {mirror}_1.htm",
        f"pager points off-site: {mirror}_2.htm",
    ]


def test_search_api_answering_html_is_a_problem() -> None:
    listing = read("was5_html_answer.html", WAS5_API + "&page=2", trs.WAS5, {"page": "2", "column": SANMING})
    assert listing.items == [] and listing.follow == []
    assert listing.problems == [f"TRS WAS5 search API answered HTML instead of its JSON list: {WAS5_API}&page=2"]


def test_search_api_answering_broken_json_is_a_problem() -> None:
    listing = trs.FAMILY.read(trs.WAS5, '{"pagenum":"2","docs":[{"title":', WAS5_API, {"column": SANMING})
    assert listing.problems == [f"TRS WAS5 search API answered no JSON instead of its JSON list: {WAS5_API}"]


# -- detection ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "url", "clue"),
    [
        ("createpage_list.html", "http://www.cqkz.gov.cn/zwgk_72016/zfxxgknb_72026/list.html", "createPageHTML"),
        ("countpage_inline.html", "http://www.example.gov.cn/zwgk/zfxxgknb/", "countPage pager script"),
        ("year_folders.html", KM, "TRS WAS5 search"),
        ("year_folder_report.html", KM + "2009n/", "TRS_Editor article body"),
        ("dongjing_list2trsapi.html", FUQING, "list2.trsapi list module"),
        ("dongjing_was5.html", SANMING, "TRS WAS5 search"),
        ("irs_list.html", "http://rst.guizhou.gov.cn/zwgk/zfxxgknb/", "TRS IRS search API"),
        ("article.htm", FUQING + "202001/t20200108_3168256.htm", "URL has the trs article shape"),
    ],
)
def test_detect_names_trs(name: str, url: str, clue: str) -> None:
    best = families.detect(fixture_text(FIXTURES, name), url)[0]
    assert best.family == "trs"
    assert any(found.startswith(clue) for found in best.clues), best.clues


#: Only our two portals: building every replica site costs seconds (PDFs rendered by LibreOffice).
trs_sites = sites_of(trs_km, trs_fuqing)


def test_detect_names_trs_on_every_replica_page() -> None:
    site = trs_sites(1)
    for host in (trs_km.HOST, trs_fuqing.HOST):
        for path, resource in site.resources[host].items():
            best = families.detect(resource.body.decode("utf-8"), f"http://{host}{path}")[0]
            assert best.family == "trs", (path, best)


# -- real crawls through the replica -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with serving(trs_sites) as server:
        yield server


def test_crawl_km_archives_each_report_once_at_its_real_url(replica: ReplicaServer, tmp_path: Path) -> None:
    replica.replica.log.clear()
    registry = registry_file(tmp_path, bundled_rows(lambda row: row["name"] == "km"))
    summary = crawl_json(tmp_path / "a.db", replica, "--registry", str(registry), timeout=2)
    (row,) = summary["portals"]
    assert row["status"] == "ok", row
    assert row["new"] == 3 and row["duplicate"] == 0 and row["failed"] == 0
    db = connect(tmp_path / "a.db")
    seen = sorted(db.execute("SELECT s.url, d.title FROM sightings s JOIN documents d ON d.id = s.document_id"))
    assert seen == [
        (KM + "2020n/", "昆明市人民政府2020年政府信息公开工作年度报告"),  # the year folder is the report
        (KM + "2023n/202401/t20240125_4467021.shtml", "昆明市科学技术局2023年政府信息公开工作年度报告"),
        (KM + "2023n/202401/t20240129_4468830.shtml", "昆明市统计局2023年政府信息公开工作年度报告"),  # page 2
    ]
    paths = [hit.path for hit in replica.replica.log if hit.host == trs_km.HOST]
    assert "/zfxxgk/zfxxgknb/2023n/index_1.shtml" in paths
    assert not any("/202402/" in path for path in paths)  # non-report items are not fetched


def test_crawl_fuqing_reports_the_dongjing_list_partial(replica: ReplicaServer, tmp_path: Path) -> None:
    registry = registry_file(tmp_path, bundled_rows(lambda row: row["name"] == "fuqing"))
    summary = crawl_json(tmp_path / "a.db", replica, "--registry", str(registry), "--strict", expect=1, timeout=2)
    (row,) = summary["portals"]
    assert row["status"] == "partial", row
    assert row["new"] == 1  # the report on the static page is archived
    assert any(problem.startswith(f"partial 10 of 20  {FUQING}") for problem in row["problems"]), row["problems"]
    assert summary["failing_portals"] == []  # partial, not failing: --strict exits 1 on the partial list alone
    db = connect(tmp_path / "a.db")
    assert [r[0] for r in db.execute("SELECT url FROM sightings")] == [FUQING + trs_fuqing.REPORT]
