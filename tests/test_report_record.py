"""One record per report (issue 11 item 9): a report's files give one record, and every listing, sum and
check sees the report once.

Shapes, from real portals (``../shared/spec/portals.md``): a report page with its report as a DOCX behind
``download.jsp`` whose page title names no agency where the DOCX does (zhada.gov.cn/info/1144/96851.htm,
VSB, §1 and §4); a page listing the same report as .pdf and .docx (zoucheng 2010, §3); pages whose tables
are images, so the page has section headings and no table text (jiedong 2019, §3); wrapper pages ("详见附件")
whose files are the reports; scanned PDFs that need OCR (huaian). The page fixture
(``fixtures/report_record/liaocheng-page.html``, README there) is the 聊城 seed report as such a page.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import typing
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner
from scrapy.http import HtmlResponse, Request

from archive import db as archive_db
from archive import records
from archive.reports import get_report
from cli.main import cli
from crawler import schema as crawler_schema
from crawler.ingest_worker import Request as WorkerRequest
from crawler.ingest_worker import archive as worker_archive
from crawler.items import DocumentItem
from crawler.spider import PortalSpider
from intake import linking
from intake import records as intake_records
from intake.ingest import Source, ingest, start_run
from parsers import merge
from parsers.report import ReportRecord
from replica.model import Site
from replica.server import Replica, ReplicaServer
from replica.sites import vsb_zhada
from tests.conftest import FIXTURES, RENDERED, SEED_FILES, SEEDS, RunCli
from web import serve

HERE = FIXTURES / "report_record"
PAGE_HTML = (HERE / "liaocheng-page.html").read_bytes()
DOCX = (RENDERED / "report-000.docx").read_bytes()  # the same report as the page, with table 四
PAGE = "http://kjj.liaocheng.gov.cn/info/1144/96851.htm"
DOCX_URL = "http://kjj.liaocheng.gov.cn/system/_content/download.jsp?urltype=news.DownloadAttachUrl&wbfileid=7654321"
LIAOCHENG = (SEEDS / SEED_FILES["聊城"]).read_bytes()
QUFU = (SEEDS / SEED_FILES["曲阜"]).read_bytes()
WEIHAI = (SEEDS / SEED_FILES["威海"]).read_bytes()
SCAN = FIXTURES / "extraction" / "scan-004.pdf"  # the 威海 report, scanned: no text layer
IN_FORCE = "active_disclosure.normative_documents.in_force"


def _page_and_docx(db: sqlite_utils.Database, page_first: bool, found_on: str | None = PAGE) -> tuple[int, int]:
    """Archive the page and its DOCX in either order; (page document id, DOCX document id)."""
    steps = [Source(PAGE, PAGE_HTML), Source(DOCX_URL, DOCX, found_on=found_on)]
    outcomes = [ingest(db, source) for source in (steps if page_first else steps[::-1])]
    page, docx = outcomes if page_first else outcomes[::-1]
    assert page.document_id is not None and docx.document_id is not None
    return page.document_id, docx.document_id


def _disagreement(where: str, values: dict[int, int]) -> str:
    """The warning for files printing different values (listed in document order)."""
    shown = ", ".join(f"{values[document]} (document {document})" for document in sorted(values))
    return f"files disagree on {where}: {shown}"


# -- linking by crawl provenance ------------------------------------------------------------------------------


@pytest.mark.parametrize("page_first", [True, False], ids=["page-first", "docx-first"])
def test_a_file_found_on_a_report_page_joins_its_report_whatever_comes_first(
    db: sqlite_utils.Database, page_first: bool
) -> None:
    """Two workers archive in parallel: the DOCX may be archived before its page. Either way one report,
    the page its primary file (the titles differ: 聊城市科技局… on the page, 聊城市科学技术局… in the DOCX)."""
    page, docx = _page_and_docx(db, page_first)
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    assert db.execute("SELECT primary_document_id FROM reports").fetchone()[0] == page
    assert db.execute("SELECT found_on FROM sightings WHERE document_id = ?", [docx]).fetchone()[0] == PAGE
    assert db.execute("SELECT files, title FROM browse").fetchone() == (2, "聊城市科技局2022年政府信息公开工作年度报告")


def test_without_provenance_the_page_and_its_docx_stay_two_reports(db: sqlite_utils.Database) -> None:
    """The gap provenance closes: titles and letters differ, so no rule on the texts joins them."""
    _page_and_docx(db, page_first=True, found_on=None)
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 2


def test_a_wrapper_page_that_is_not_archived_links_nothing(db: sqlite_utils.Database) -> None:
    """A "详见附件" page is not archived; its files may be several agencies' reports and stay apart."""
    wrapper = "http://www.example.gov.cn/zwgk/nb/2022.htm"
    for url, data in (("http://www.example.gov.cn/a.txt", LIAOCHENG), ("http://www.example.gov.cn/b.txt", QUFU)):
        ingest(db, Source(url, data, found_on=wrapper))
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 2


def test_a_page_archived_after_its_files_merges_their_reports(db: sqlite_utils.Database) -> None:
    """Files of one page that went to different reports (the DOCX and a 解读 note) become one report when
    their page arrives; the note, which is no report, lends the report no numbers."""
    note = "关于《聊城市科学技术局2022年政府信息公开工作年度报告》的解读\n本报告分为六个部分，现解读如下。".encode()
    first = ingest(db, Source(DOCX_URL, DOCX, found_on=PAGE))
    second = ingest(db, Source("http://kjj.liaocheng.gov.cn/jiedu.txt", note, found_on=PAGE))
    assert first.report_id != second.report_id
    page = ingest(db, Source(PAGE, PAGE_HTML))
    assert db.execute("SELECT id, primary_document_id FROM reports").fetchall() == [(page.report_id, page.document_id)]
    assert db.execute("SELECT count(*) FROM browse").fetchone()[0] == 1
    sources = json.loads(db.execute("SELECT sources FROM report_records").fetchone()[0])
    assert second.document_id not in sources.values()


def test_a_scan_read_by_ocr_joins_the_report_of_its_agency_and_year(db: sqlite_utils.Database) -> None:
    """Rule 5 on its own: OCR text matches no file letter for letter and may misread the title (2O23)."""
    report = ingest(db, Source("http://kjj.weihai.gov.cn/nb.txt", WEIHAI)).report_id
    scanned = linking.Candidate(
        key="text:ocr",
        text="威海市科学技术局2O23年政府信息公开工作年度报告 本年新收政府信息公开申请数量 5",
        title="威海市科学技术局2O23年政府信息公开工作年度报告",
        agency="威海市科学技术局",
        year=2023,
        url="http://kjj.weihai.gov.cn/scan.pdf",
        read_by_ocr=True,
    )
    assert linking.find_report(db, scanned).report_id == report
    scanned.read_by_ocr = False  # a text file of the same agency and year may be another document
    assert linking.find_report(db, scanned).report_id is None


def test_a_stored_scan_read_by_ocr_later_joins_its_report(
    run_cli: RunCli, tmp_path: Path, db: sqlite_utils.Database
) -> None:
    """The scan is archived first without OCR (no text: a report of its own, incomplete); `reextract --ocr`
    reads it, and it joins the 威海 report. Table 四 is not read from the image: it comes from the text file."""
    folder = tmp_path / "weihai"
    folder.mkdir()
    (folder / "weihai.txt").write_bytes(WEIHAI)
    shutil.copy(SCAN, folder / SCAN.name)
    run_cli("import", str(folder))
    assert json.loads(run_cli("stats", "--json").output)["by_year"].get("2023") == 1  # the scan names no year yet
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 2
    scan_id = db.execute("SELECT id FROM documents WHERE needs_ocr").fetchone()[0]
    run_cli("reextract", "--ocr", str(scan_id))
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    assert json.loads(run_cli("stats", "--json").output)["by_year"] == {"2023": 1}
    report_id, text_id = db.execute("SELECT id, primary_document_id FROM reports").fetchone()
    shown = json.loads(run_cli("show", str(report_id), "--json").output)
    assert sorted(file["document_id"] for file in shown["files"]) == sorted([text_id, scan_id])
    assert shown["record"]["sources"]["review_litigation"] == text_id
    assert shown["record"]["status"] == "pass"


# -- the report-level record ----------------------------------------------------------------------------------


def test_each_table_comes_from_the_most_complete_file_and_disagreements_are_warnings(
    db: sqlite_utils.Database,
) -> None:
    """Table 四 is an image on the page: it comes from the DOCX. Tables 二 and 三 are as complete on both:
    the primary file (the page) wins the tie, and the one value they print differently is a warning."""
    page, docx = _page_and_docx(db, page_first=False)
    record = records.report_record(db, 1)
    assert record is not None
    assert record["sources"] == {
        "identity": page,
        "active_disclosure": page,
        "applications": page,
        "review_litigation": docx,
    }
    tables = typing.cast(dict[str, Any], record)  # JSON-like below: the tables' optional levels are all there
    assert tables["active_disclosure"]["normative_documents"]["in_force"] == 13
    assert tables["review_litigation"]["review"] == [0, 0, 0, 0, 0]
    assert _disagreement(IN_FORCE, {page: 13, docx: 12}) in record["warnings"]
    assert record["status"] == "pass"  # the page alone is incomplete; the report is not
    assert records.load(db, page)["status"] == "incomplete"  # type: ignore[index]


def test_sums_over_cells_and_checks_count_each_report_once(db: sqlite_utils.Database) -> None:
    """A naive sum over record_cells must not double-count a report that has two files."""
    _page_and_docx(db, page_first=True)
    ingest(db, Source("http://www.qufu.gov.cn/nb.txt", QUFU))
    total = db.execute(
        """SELECT sum(value) FROM record_cells WHERE table_name = 'applications' AND row_name = 'new_received'
           AND col = 6"""
    ).fetchone()[0]
    assert total == db.execute("SELECT sum(new_received) FROM browse").fetchone()[0] == 1 + 0
    cells = db.execute("SELECT count(*) FROM record_cells").fetchone()[0]
    assert cells == 2 * (25 * 7 + 3 * 5)  # two reports, each table once
    names = db.execute("SELECT count(*), count(DISTINCT name) FROM record_checks").fetchone()
    assert names[0] == 2 * names[1]
    assert db.execute("SELECT review FROM browse WHERE id = 1").fetchone()[0] == 0  # from the DOCX


def test_a_corrected_version_wins_a_tie_and_the_old_value_is_a_warning(db: sqlite_utils.Database) -> None:
    url = "http://kjj.liaocheng.gov.cn/nb.txt"
    ingest(db, Source(url, LIAOCHENG))
    corrected = LIAOCHENG.replace("行政规范性文件\t4\t0\t12".encode(), "行政规范性文件\t4\t0\t11".encode())
    outcome = ingest(db, Source(url, corrected))
    assert outcome.report_id == 1
    record = records.report_record(db, 1)
    assert record is not None
    assert typing.cast(dict[str, Any], record)["active_disclosure"]["normative_documents"]["in_force"] == 11
    assert _disagreement(IN_FORCE, {1: 12, 2: 11}) in record["warnings"]


def test_the_report_record_is_what_cross_year_checks_compare(db: sqlite_utils.Database) -> None:
    """Next year's carried-in is checked against this report's record, once per report however many files
    it has; next year's report is checked again when a file joins this one."""
    carried_in = "二、上年结转政府信息公开申请数量"
    next_year = (
        LIAOCHENG.decode()
        .replace("2022", "2023")
        .replace("聊城市科学技术局", "聊城市科技局")  # the agency as the 2022 page names it
        .replace(carried_in + "\t0" * 7, carried_in + "\t2" + "\t0" * 5 + "\t2")
    )
    later = ingest(db, Source("http://kjj.liaocheng.gov.cn/2023.txt", next_year.encode())).report_id
    assert later is not None
    _page_and_docx(db, page_first=True)
    record = records.report_record(db, later)
    assert record is not None and record["checks"]["cross_year.carry_over"]["status"] == "fail"
    counts = db.execute("SELECT count(*) FROM record_checks WHERE name = 'cross_year.carry_over'").fetchone()
    assert counts[0] == 1


#: What a report's record leaves in the archive (its build time aside).
RECORD_ROWS = {
    "record_cells": "SELECT * FROM record_cells ORDER BY 1, 2, 3, 4",
    "record_checks": "SELECT * FROM record_checks ORDER BY 1, 2",
    "report_records": "SELECT report_id, sources, warnings, checks, status, not_a_report, failed_checks "
    "FROM report_records ORDER BY 1",
    "browse": "SELECT * FROM browse ORDER BY id",
}


def _record_rows(db: sqlite_utils.Database) -> dict[str, list[tuple[Any, ...]]]:
    return {table: db.execute(sql).fetchall() for table, sql in RECORD_ROWS.items()}


def test_rebuilt_records_are_what_building_every_report_afresh_gives(db: sqlite_utils.Database) -> None:
    """A rebuild writes only the cells and checks that changed and compares next year's report with the
    record it just built, not with one read back (intake/records.py): the archive must end as if every
    report's record had been built from nothing. Here next year's report comes first (its cross-year checks
    come with last year's), the DOCX joins the page's report, a parser that reads one cell of next year's
    report otherwise parses it again (as ``nianbao reparse`` stores a file's record and rebuilds its report),
    then a corrected file replaces the DOCX's table 三 and the report's primary file."""
    carried_in = "二、上年结转政府信息公开申请数量"
    next_year = LIAOCHENG.decode().replace("2022", "2023").replace(carried_in + "\t0" * 7, carried_in + "\t2" * 7)
    later = ingest(db, Source("http://kjj.liaocheng.gov.cn/2023.txt", next_year.encode()))
    assert later.document_id is not None and later.report_id is not None
    _page_and_docx(db, page_first=True)
    reparsed = records.load(db, later.document_id)
    assert reparsed is not None and reparsed["applications"] is not None
    carried_in_cells = reparsed["applications"]["carried_over_in"]
    assert carried_in_cells is not None
    carried_in_cells[0] = 1
    with archive_db.write_transaction(db):
        intake_records.store(db, later.document_id, reparsed)
        intake_records.rebuild(db, later.report_id)
    received = "一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1"
    corrected = DOCX_URL.replace("7654321", "7654322")
    ingest(db, Source(corrected, LIAOCHENG, found_on=PAGE))
    ingest(db, Source(corrected, LIAOCHENG.replace(received.encode(), received.replace("1", "3").encode())))
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 2
    incremental = _record_rows(db)
    assert incremental["record_checks"] and incremental["record_cells"]
    report_ids = [row[0] for row in db.execute("SELECT id FROM reports ORDER BY id DESC")]
    with archive_db.write_transaction(db):
        db.execute("DELETE FROM report_records")
        for _ in range(2):  # the second time, last year's report has a record for next year's to compare with
            db.execute("DELETE FROM record_cells")
            db.execute("DELETE FROM record_checks")
            for report_id in report_ids:
                intake_records.rebuild(db, report_id, neighbours=False)
    assert _record_rows(db) == incremental


def test_linking_reads_letters_as_nfkc_does() -> None:
    """``letters`` (every document's text key, both sides of a similarity check) replaces the characters that
    decompose before normalizing: it must give what NFKC of the whole text gives, on the forms a text can take."""
    texts = [
        "聊城市科学技术局２０２２年，（一）予以公开：１件。",  # full-width digits and punctuation
        "Ｃａｆé café cafe\u0301 ﬁle Ⅻ ①㈠ ㎡ ℃ ½",  # composed and decomposed accents, ligatures, compatibility forms
        "한국어 \u1112\u1161\u11ab 漢字 \uf900\U0002f800 \U0001d400",  # Hangul, jamo, compatibility ideographs, astral
        "ΟΔΟΣ Σ σ ς \u0130 \u212b \u1e9b\u0323",  # final sigma, dotted I, Ångström sign, long s with dots
        "",
    ]
    for text in texts:
        expected = "".join(char for char in unicodedata.normalize("NFKC", text).lower() if char.isalnum())
        assert linking.letters(text) == expected
    assert linking.similarity(texts[0], texts[0] + "另有说明") > linking.SAME_REPORT_SIMILARITY > 0.0
    assert linking.similarity("", texts[0]) == 0.0


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # table 三: 3 numbers against 2, the primary (document 1) has fewer
        ({1: {"applications": {"granted": [1, 2, None]}}, 2: {"applications": {"granted": [1, 2, 3]}}}, 2),
        ({1: {"applications": {"granted": [1, 2]}}, 2: {"applications": {"granted": [1, 3]}}}, 1),  # a tie
        # a file that is no report (a notice) lends no numbers, however many it prints
        ({1: {"applications": {"granted": [1]}}, 2: {"not_a_report": True, "applications": {"granted": [1, 2]}}}, 1),
    ],
    ids=["most-complete", "tie-primary", "not-a-report"],
)
def test_choose_sources(files: dict[int, dict[str, Any]], expected: int) -> None:
    assert merge.choose_sources(_partial(files), primary=1)["applications"] == expected


def _partial(files: dict[int, dict[str, Any]]) -> dict[int, ReportRecord]:
    """Records holding only the keys merging reads (it reads every other key with ``.get``)."""
    return typing.cast(dict[int, ReportRecord], files)


def test_a_primary_that_is_no_report_gives_identity_but_not_status() -> None:
    files: dict[int, dict[str, Any]] = {
        1: {"title": "关于…的通知", "not_a_report": True},
        2: {"title": "某局2022年…年度报告", "applications": {}},
    }
    sources = merge.choose_sources(_partial(files), primary=1)
    assert sources["identity"] == 2 and merge.assemble(_partial(files), sources)["not_a_report"] is False
    only_notices = _partial({1: files[1]})
    assert merge.assemble(only_notices, merge.choose_sources(only_notices, primary=1))["not_a_report"] is True


# -- what people see: show, checks, stats, Datasette ----------------------------------------------------------


def test_show_checks_and_stats_read_the_report(run_cli: RunCli, db: sqlite_utils.Database) -> None:
    page, docx = _page_and_docx(db, page_first=True)
    shown = run_cli("show", "1").output
    tables = f"table 二 from document {page}, table 三 from document {page}, table 四 from document {docx}"
    assert f"values: {tables} (of 2 file(s))" in shown
    assert f"files disagree on {IN_FORCE}" in shown
    assert json.loads(run_cli("show", "1", "--json").output)["record"]["sources"]["review_litigation"] == docx
    assert "status: pass 1" in run_cli("checks").output
    stats = json.loads(run_cli("stats", "--json").output)
    assert (stats["reports"], stats["documents"], stats["by_year"]) == (1, 2, {"2022": 1})


def test_the_report_page_says_where_each_table_came_from(db: sqlite_utils.Database, db_path: Path) -> None:
    page, docx = _page_and_docx(db, page_first=True)
    serve.prepare_archive(db_path)
    datasette = serve.make_datasette(db_path)
    html = asyncio.run(datasette.client.get("/-/report/1")).text
    assert f'data-source="{docx}"' in html and f'data-source="{page}"' in html
    assert "files disagree on" in html
    facets = asyncio.run(datasette.client.get("/archive/browse.json", params={"_facet": "year"})).json()
    assert facets["facet_results"]["year"]["results"][0]["count"] == 1


def test_get_report_has_the_report_record(db: sqlite_utils.Database) -> None:
    _page_and_docx(db, page_first=True)
    report = get_report(db, 1)
    assert report is not None and report["record"]["sources"]["review_litigation"] == 2


# -- the archive of before: migration 8 -----------------------------------------------------------------------


def test_migration_gives_an_archive_of_schema_7_one_record_per_report(tmp_path: Path) -> None:
    """``schema7.db``: the page and the DOCX imported (as one report, by hand: schema 7 could not link them)
    by the code of migration 7 (README there). Migration 8 keeps one copy of each report's cells and
    checks (the primary's); `reparse --all` then merges the files."""
    path = tmp_path / "archive.db"
    shutil.copy(HERE / "schema7.db", path)
    old = sqlite3.connect(path)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 7
    assert old.execute("SELECT count(DISTINCT document_id) FROM record_cells").fetchone()[0] == 2
    old.close()
    db = archive_db.connect(path)
    assert db.execute("SELECT count(DISTINCT document_id) FROM record_cells").fetchone()[0] == 1
    assert db.execute("SELECT id, check_status, files, review FROM browse").fetchall() == [(1, "incomplete", 2, None)]
    result = CliRunner().invoke(cli, ["--db", str(path), "reparse", "--all"])
    assert result.exit_code == 0, result.output
    assert db.execute("SELECT id, check_status, files, review FROM browse").fetchall() == [(1, "pass", 2, 0)]


# -- the crawler's provenance plumbing ------------------------------------------------------------------------


def test_the_spider_says_which_page_a_file_was_found_on() -> None:
    spider = PortalSpider(portal="zhada")
    page_url = f"http://{vsb_zhada.HOST}{vsb_zhada.REPORT}"
    site = Site()
    vsb_zhada.build(site, 1)
    resource = site.find(vsb_zhada.HOST, vsb_zhada.REPORT)
    assert resource is not None
    request = Request(page_url, meta={"portal": "zhada"})
    response = HtmlResponse(page_url, body=resource.body, encoding="utf-8", request=request)
    outputs = list(spider.parse_report(response, link_text="札达县2023年政府信息公开工作年度报告"))
    [file_request] = [output for output in outputs if isinstance(output, Request)]
    assert file_request.cb_kwargs == {"found_on": page_url}
    file_response = HtmlResponse(file_request.url, body=b"PK", request=file_request)
    [item] = list(spider.parse_file(file_response, **file_request.cb_kwargs))
    assert isinstance(item, DocumentItem) and item.found_on == page_url


def test_a_worker_archives_the_provenance(db: sqlite_utils.Database) -> None:
    crawler_schema.apply_migrations(db)  # as a crawl opens the archive
    run = start_run(db, "crawl", {})
    worker_archive(db, WorkerRequest(Source(DOCX_URL, DOCX, found_on=PAGE), run, "liaocheng", []))
    worker_archive(db, WorkerRequest(Source(PAGE, PAGE_HTML), run, "liaocheng", [DOCX_URL]))
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1


def test_crawling_zhada_gives_one_report_with_its_page_and_docx(tmp_path: Path) -> None:
    """The replica of zhada.gov.cn: the page 札达县2023年… and its DOCX 札达县人民政府2023年… (a known gap of
    issue 10) are one report, the page its primary file, whichever of the two workers archives first."""
    db_path = tmp_path / "archive.db"

    def build(state: int) -> Site:
        site = Site()
        vsb_zhada.build(site, state)
        return site

    server = ReplicaServer(Replica(build)).start()
    try:
        command = ["--db", str(db_path), "crawl", "zhada", "--json", "--via-replica", server.url, "--timeout", "1"]
        result = CliRunner().invoke(cli, command, catch_exceptions=False)
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    db = archive_db.connect(db_path)
    rows = db.execute(
        """SELECT d.title, d.media_type, r.primary_document_id = d.id FROM documents d
           JOIN reports r ON r.id = d.report_id ORDER BY d.id"""
    ).fetchall()
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    assert sorted(rows) == sorted(
        [
            ("札达县2023年政府信息公开工作年度报告", "text/html", 1),
            (
                "札达县人民政府2023年政府信息公开工作年度报告",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                0,
            ),
        ]
    )
