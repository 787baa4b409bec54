"""The ``/public/`` xxgk platform family on saved-shape pages (column shells, the publicInfoList label API,
inline lists), and one real crawl of its replica portal."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from archive.db import connect
from crawler import families, pages
from crawler.families import xxgk_public
from replica.sites import public_bengbu
from tests.replica_kit import FAMILIES, crawl_json, fixture_text, one_portal_registry, serving, sites_of

FIXTURES = FAMILIES / "xxgk_public"
COLUMN = "http://www.bengbu.gov.cn/public/column/25461?type=4&catId=6769721&action=list&nav=3"
REPORT = "https://www.bengbu.gov.cn/public/25461/45854211.html"
FAMILY = xxgk_public.FAMILY
CONTEXT = {
    "column": COLUMN,
    "labelName": "publicInfoList",
    "siteId": "6795671",
    "organId": "25461",
    "catId": "6769721",
    "file": "/xxgk/publicInfoList_newest2020",
    "page": "1",
}


def test_article_shape() -> None:
    assert FAMILY.is_article("http://www.bengbu.gov.cn/public/25461/45854211.html")
    assert FAMILY.is_article("http://www.tjxzf.gov.cn/public/6599691/13023941.html")
    assert not FAMILY.is_article(COLUMN)


def test_column_shell_asks_the_label_api() -> None:
    listing = FAMILY.read("listing", fixture_text(FIXTURES, "column-shell.html"), COLUMN, {})
    assert listing.items == [] and listing.problems == []
    (follow,) = listing.follow
    assert (follow.kind, follow.method, follow.same_column) == ("label", "GET", True)
    parts = urlsplit(follow.url)
    assert (parts.netloc, parts.path) == ("www.bengbu.gov.cn", "/site/label/8888")
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["labelName"] == "publicInfoList" and query["dataType"] == "html"
    assert (query["siteId"], query["organId"], query["catId"], query["pageIndex"]) == (
        "6795671",
        "25461",
        "6769721",
        "1",
    )
    assert query["file"] == "/xxgk/publicInfoList_newest2020"
    assert dict(follow.context) == CONTEXT


def test_label_page_gives_items_and_the_other_pages() -> None:
    url = xxgk_public.label_follow(COLUMN, CONTEXT, 1).url
    listing = FAMILY.read("label", fixture_text(FIXTURES, "label-page1.html"), url, CONTEXT)
    assert [item.url for item in listing.items] == [
        REPORT,
        "https://www.bengbu.gov.cn/public/25461/45851107.html",
        "https://www.bengbu.gov.cn/public/25461/45850093.html",
    ]
    assert listing.items[0].text == "蚌埠市人民政府2023年政府信息公开工作年度报告"
    assert [parse_qs(urlsplit(f.url).query)["pageIndex"] for f in listing.follow] == [["2"], ["3"]]
    assert all(f.kind == "label" and f.same_column for f in listing.follow) and listing.problems == []
    later = FAMILY.read("label", fixture_text(FIXTURES, "label-page1.html"), url, {**CONTEXT, "page": "2"})
    assert later.follow == []  # only the first page schedules the others


def test_empty_label_list_is_no_problem() -> None:
    listing = FAMILY.read("label", fixture_text(FIXTURES, "label-empty.html"), COLUMN, CONTEXT)
    assert (listing.items, listing.follow, listing.problems) == ([], [], [])


def test_label_api_answering_json_or_an_error_page_is_a_problem() -> None:
    api = "http://www.bengbu.gov.cn/site/label/8888?labelName=publicInfoList"
    json_answer = FAMILY.read("label", fixture_text(FIXTURES, "label-json.json"), api, CONTEXT)
    assert json_answer.items == [] and json_answer.follow == []
    assert json_answer.problems == [f"label API answered JSON, not the HTML list asked for (dataType=html): {api}"]
    error_page = FAMILY.read("label", fixture_text(FIXTURES, "label-error-page.html"), api, CONTEXT)
    assert error_page.problems == [f"label API answered no publicInfoList list: {api}"]


def test_inline_column_pages_by_page_index() -> None:
    url = "http://www.tjxzf.gov.cn/public/column/6601171?type=4&action=list&nav=2&sub=0&catId=6715691"
    listing = FAMILY.read("listing", fixture_text(FIXTURES, "column-inline.html"), url, {})
    assert [item.url for item in listing.items] == ["http://www.tjxzf.gov.cn/public/6599691/13023941.html"]
    assert listing.pages == [url + "&pageIndex=2"] and listing.problems == []


def test_changed_column_is_a_problem() -> None:
    listing = FAMILY.read("listing", fixture_text(FIXTURES, "column-changed.html"), COLUMN, {})
    assert listing.items == [] and listing.follow == []
    assert listing.problems == ["no xxgk_nav_list list and no publicInfoList label call (markup changed?)"]


def test_article_page_is_a_wrapper_around_its_docx() -> None:
    page = pages.read_report_page(
        fixture_text(FIXTURES, "article-45854211.html"), "http://www.bengbu.gov.cn/public/25461/45854211.html"
    )
    assert (page.title, page.year, page.is_shell) == ("蚌埠市人民政府2023年政府信息公开工作年度报告", 2023, True)
    assert [link.url for link in page.attachments] == [
        "http://www.bengbu.gov.cn/group6/M00/0A/3C/wKgCFGXk1aSAXh3nAAE2uYc0QkE12.docx"
    ]


def test_detect_names_public_on_its_pages() -> None:
    for name, url in [("column-shell.html", COLUMN), ("article-45854211.html", REPORT), ("label-page1.html", COLUMN)]:
        evidence = families.detect(fixture_text(FIXTURES, name), url)
        assert evidence[0].family == "public", (name, evidence)


def test_crawl_archives_the_report_once_at_its_real_url(tmp_path: Path) -> None:
    with serving(sites_of(public_bengbu)) as server:
        start = f"http://{public_bengbu.HOST}{public_bengbu.COLUMN}"
        registry = one_portal_registry(tmp_path, "bengbu", "蚌埠市人民政府", "public", start)
        summary = crawl_json(tmp_path / "a.db", server, "--registry", str(registry))
        label_calls = [hit for hit in server.replica.log if hit.path.startswith("/site/label/8888")]
    (row,) = summary["portals"]
    assert (row["new"], row["status"]) == (1, "ok")  # the DOCX; the wrapper page ("详见附件") is not archived
    assert len(label_calls) == 2  # pageCount 2: both pages of the list, each once
    db = connect(tmp_path / "a.db")
    urls = [url for (url,) in db.execute("SELECT url FROM sightings")]
    assert urls == [f"http://{public_bengbu.HOST}{public_bengbu.DOCX_PATH}"]
    assert db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 1
