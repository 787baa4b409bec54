"""Hanweb's annual-report module, City-Scrapers style: every fixture of tests/families/hanweb_annual/ read and
what comes out asserted; then a real Scrapy crawl of the Weihai portals through the replica."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.db import connect
from crawler import families, pages
from crawler.families import Follow, hanweb_annual
from crawler.registry import Portal
from replica.server import ReplicaServer
from replica.sites import weihai
from tests.replica_kit import FAMILIES, bundled_rows, crawl_json, events, fixture_text, registry_file, serving, sites_of

FIXTURES = FAMILIES / "hanweb_annual"
MODULE = "http://www.weihai.gov.cn/module/xxgk/xxgkAnnualReport.jsp"
KJJ_2023 = f"{MODULE}?area=11371000004359096D&fbtime=2023"
TJJ_2023 = f"{MODULE}?area=1137100000435982XT&fbtime=2023"
UNITS = ["11371000004359010J", "1137100000435982XT", "11371000004359096D"]
KJJ_TITLE = "威海市科学技术局2023年政府信息公开工作年度报告"


def reports(urls: list[str]) -> list[Follow]:
    return [Follow(url, kind="report", same_column=False) for url in urls]


# -- module pages -------------------------------------------------------------------------------------------


def test_module_page_is_a_report_with_its_pdf_and_docx() -> None:
    page = pages.read_report_page(fixture_text(FIXTURES, "module_report.html"), KJJ_2023)
    assert (page.title, page.year, page.is_shell) == (KJJ_TITLE, 2023, False)
    assert [(link.url, link.text) for link in page.attachments] == [
        ("http://www.weihai.gov.cn/picture/0/2401191530123.pdf", f"{KJJ_TITLE}.pdf"),
        ("http://www.weihai.gov.cn/picture/0/2401191530124.docx", f"{KJJ_TITLE}.docx"),
    ]
    assert families.detect(fixture_text(FIXTURES, "module_report.html"), KJJ_2023)[0].family == "hanweb"


def test_module_page_without_a_record_is_no_report() -> None:
    page = pages.read_report_page(
        fixture_text(FIXTURES, "module_no_record.html"), f"{MODULE}?area=11371000000000000X&fbtime=2023"
    )
    assert (page.year, page.attachments) == (None, [])


def test_challenge_answer_is_recognised() -> None:
    assert pages.is_challenge(fixture_text(FIXTURES, "module_challenge_412.html"))
    assert not pages.is_challenge(fixture_text(FIXTURES, "module_report.html"))


def test_start_enumerates_areas_by_year_and_asks_for_discovery_pages() -> None:
    portal = Portal(
        name="weihai-units",
        agency="威海市人民政府",
        region="",
        family="hanweb",
        hosts=("www.weihai.gov.cn",),
        annual_report_areas=("11371000004359096D",),
        annual_report_index=(weihai.UNIT_LIST,),
    )
    follows = families.get("hanweb").start(portal, range(2022, 2024))
    assert follows == [
        *reports([f"{MODULE}?area=11371000004359096D&fbtime=2022", KJJ_2023]),
        Follow(weihai.UNIT_LIST, kind="annual-areas", same_column=False, context={"first": "2022", "last": "2023"}),
    ]


# -- discovering the area codes -----------------------------------------------------------------------------


def read_discovery(name: str, url: str = weihai.UNIT_LIST) -> families.Listing:
    return families.get("hanweb").read(
        "annual-areas", fixture_text(FIXTURES, name), url, {"first": "2022", "last": "2023"}
    )


def test_unit_list_yields_each_unit_by_year() -> None:
    listing = read_discovery("unit_list.html")
    expected = [f"{MODULE}?area={area}&fbtime={year}" for area in UNITS for year in (2022, 2023)]
    assert (listing.items, listing.declared, listing.problems) == ([], None, [])
    assert listing.follow == reports(expected)


def test_codes_from_xxgk_shell_script_links_and_frames() -> None:
    """``vc_xxgkarea=`` written by the header script, ``area=`` of the tree.jsp frame and the guide link; the
    other host's module and a code of no known shape (``…-1``) are left out."""
    url = "http://www.weihai.gov.cn/col/col75281/index.html?vc_xxgkarea=11371000004359096D"
    assert hanweb_annual.areas_in(fixture_text(FIXTURES, "unit_xxgk_shell.html"), url) == [
        "11371000004359010J",
        "11371000004359096D",
    ]


def test_module_page_names_its_own_area() -> None:
    assert hanweb_annual.areas_in(fixture_text(FIXTURES, "module_report.html"), KJJ_2023) == ["11371000004359096D"]


def test_changed_unit_list_is_a_problem_not_an_exception() -> None:
    listing = read_discovery("unit_list_changed.html")
    assert listing.follow == []
    assert listing.problems == ["no unit area code (area=, vc_xxgkarea=) in the page's links to the xxgk module"]


def test_unknown_answer_kind_is_a_problem() -> None:
    listing = families.get("hanweb").read("annual-report-list", "<html></html>", weihai.UNIT_LIST, {})
    assert listing.problems == ["unknown annual-report module answer 'annual-report-list'"]


# -- the city's own report ----------------------------------------------------------------------------------


def test_city_column_lists_its_report_article() -> None:
    url = "http://www.weihai.gov.cn/col/col168496/index.html"
    listing = families.get("hanweb").read("listing", fixture_text(FIXTURES, "city_column.html"), url, {})
    assert [(item.url, item.text) for item in listing.items] == [
        (weihai.CITY_REPORT, "威海市人民政府2024年政府信息公开工作年度报告")
    ]
    assert (listing.declared, listing.problems) == (1, [])
    assert families.detect(fixture_text(FIXTURES, "city_column.html"), url)[0].family == "hanweb"


def test_city_article_is_the_2024_report() -> None:
    page = pages.read_report_page(fixture_text(FIXTURES, "city_article.html"), weihai.CITY_REPORT)
    assert (page.title, page.year, page.attachments) == ("威海市人民政府2024年政府信息公开工作年度报告", 2024, [])
    assert families.detect(fixture_text(FIXTURES, "city_article.html"), weihai.CITY_REPORT)[0].family == "hanweb"


# -- a real crawl through the replica -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with serving(sites_of(weihai)) as server:
        yield server


def test_crawl_archives_each_weihai_report_once_at_its_module_url(replica: ReplicaServer, tmp_path: Path) -> None:
    replica.replica.log.clear()
    registry = registry_file(tmp_path, bundled_rows(lambda row: row["name"] in ("weihai", "weihai-kjj")))
    summary = crawl_json(tmp_path / "a.db", replica, "--registry", str(registry), expect=None)
    assert (summary["failing_portals"], summary["partial_portals"]) == ([], [])
    assert events(summary, "failed") == {
        f"{MODULE}?area=11371000004359096D&fbtime=2022": "anti-bot challenge (HTTP 412)"
    }
    db = connect(tmp_path / "a.db")
    seen = db.execute(
        """SELECT d.title, s.url FROM sightings s JOIN documents x ON x.id = s.document_id
           JOIN reports r ON r.id = x.report_id JOIN documents d ON d.id = r.primary_document_id"""
    ).fetchall()
    assert sorted(seen) == sorted(
        [
            ("威海市人民政府2024年政府信息公开工作年度报告", weihai.CITY_REPORT),
            (KJJ_TITLE, f"http://www.weihai.gov.cn{weihai.FILES[0]}"),
            (KJJ_TITLE, f"http://www.weihai.gov.cn{weihai.FILES[1]}"),
            ("威海市统计局2023年政府信息公开工作年度报告", TJJ_2023),
            (KJJ_TITLE, KJJ_2023),
        ]
    )
    asked = [hit.path for hit in replica.replica.log if hit.path.startswith("/module/xxgk/")]
    years = range(2020, summary_last_year(asked) + 1)
    assert sorted(asked) == sorted(
        f"/module/xxgk/xxgkAnnualReport.jsp?area={a}&fbtime={y}" for a in UNITS for y in years
    )


def summary_last_year(paths: list[str]) -> int:
    """The crawl asks up to the current year; read it from the requests rather than the clock."""
    return max(int(path.rsplit("=", 1)[1]) for path in paths)


def test_crawl_discovers_the_units_from_the_portals_page(replica: ReplicaServer, tmp_path: Path) -> None:
    """A row naming no area code but a page linking the units; plus a code the module does not know."""
    row = (
        '[[portal]]\nname = "weihai-units"\nagency = "威海市人民政府"\nfamily = "hanweb"\n'
        f'annual_report_index = ["{weihai.UNIT_LIST}"]\nannual_report_areas = ["11371000000000000X"]\n'
        'hosts = ["www.weihai.gov.cn"]\n'
    )
    replica.replica.log.clear()
    registry = registry_file(tmp_path, row)
    summary = crawl_json(tmp_path / "b.db", replica, "--registry", str(registry), "--since", "2022", expect=None)
    assert events(summary, "failed") == {
        f"{MODULE}?area=11371000004359096D&fbtime=2022": "anti-bot challenge (HTTP 412)"
    }
    assert summary["failing_portals"] == [] and summary["partial_portals"] == []
    titles = {row[0] for row in connect(tmp_path / "b.db").execute("SELECT title FROM documents")}
    assert titles == {KJJ_TITLE, "威海市统计局2023年政府信息公开工作年度报告"}
    unknown = [hit for hit in replica.replica.log if "11371000000000000X" in hit.path]
    assert unknown and all(hit.status == 200 for hit in unknown)  # the module's page without a record: no failure
    discovered = {hit.path.split("area=")[1].split("&")[0] for hit in replica.replica.log if "fbtime=2022" in hit.path}
    assert discovered == {*UNITS, "11371000000000000X"}
