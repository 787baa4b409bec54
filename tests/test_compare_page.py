"""One agency across years (issue 13 item 3): agency aliases (archive/aliases.py), the replica's agency with
three years of reports (replica/sites/liaocheng_rsj.py) and the compare page (``/-/compare``).

Real parts: the replica's own bytes (its three report pages and the 2023 DOCX) imported by `nianbao import`
beside the seeds, and once crawled by the real crawler through the replica; Datasette in-process over the
archive. (The compare page and the charts in Chromium: tests/test_browser.py.)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlite_utils
from click.testing import CliRunner

from archive.aliases import ABBREVIATIONS, Body, body_key, full_name, spellings
from archive.db import connect, write_transaction
from cli.main import cli
from intake.ingest import Source, ingest
from replica.model import Site
from replica.sites import liaocheng_rsj
from tests.conftest import SEED_FILES, SEEDS
from tests.replica_kit import crawl_json, serving, sites_of
from web import formatting, serve

pytestmark = pytest.mark.slow
RSJ = liaocheng_rsj.AGENCY
BODY_KEY = f"山东省|聊城市||{RSJ}"


def write_replica_reports(folder: Path) -> list[Path]:
    """The replica's files of the agency with three years (its report pages and the 2023 DOCX), as files."""
    site = Site()
    liaocheng_rsj.build(site, 1)
    pages = site.resources[liaocheng_rsj.HOST]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for year in liaocheng_rsj.YEARS:
        path = folder / f"rsj-{year}.html"
        path.write_bytes(pages[liaocheng_rsj.report_url(year).split(liaocheng_rsj.HOST, 1)[1]].body)
        written.append(path)
    docx = folder / "rsj-2023.docx"
    docx.write_bytes(pages[liaocheng_rsj.DOCX_PATH].body)
    return [*written, docx]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and the replica agency's three reports."""
    folder = tmp_path_factory.mktemp("compare")
    files = write_replica_reports(folder / "rsj")
    path = folder / "nianbao.db"
    result = CliRunner().invoke(cli, ["--db", str(path), "import", str(SEEDS), *map(str, files)])
    assert result.exit_code == 0, result.output
    serve.prepare_archive(path)
    return path


@pytest.fixture(scope="module")
def db(archive: Path) -> sqlite_utils.Database:
    return connect(archive)


def _get(archive: Path, path: str, **params: str) -> httpx.Response:
    response: httpx.Response = asyncio.run(serve.make_datasette(archive).client.get(path, params=params))
    return response


def _report_ids(db: sqlite_utils.Database) -> dict[int, int]:
    """The replica agency's report id of each year."""
    rows = db.execute("SELECT year, id FROM browse WHERE agency = ?", [RSJ]).fetchall()
    return {year: report_id for year, report_id in rows}


# -- aliases ------------------------------------------------------------------------------------------------


def test_short_and_full_names_are_one_body() -> None:
    assert full_name("聊城市科技局") == full_name("聊城市科学技术局") == "聊城市科学技术局"
    assert full_name("聊城市人社局") == RSJ
    assert spellings("聊城市科技局") == ["聊城市科学技术局", "聊城市科技局"]
    assert spellings("聊城市政府") == ["聊城市人民政府", "聊城市政府"]
    assert full_name("聊城市人民政府") == "聊城市人民政府"  # 人民政府 is not 人民 + 政府
    assert full_name("聊城市人民政府办公室") == full_name("聊城市政府办") == "聊城市人民政府办公室"
    assert spellings("札达县") == ["札达县"]  # no type of body: the name alone
    assert full_name("聊城市\n科技局") == "聊城市科学技术局"  # PDF text breaks names across lines


def test_a_body_is_its_name_within_its_region() -> None:
    short = Body.of("淄博市博山区科技局", "山东省", "淄博市", "博山区")
    assert short == Body.of("博山区科学技术局", "山东省", "淄博市", "博山区")
    assert short.name == "博山区科学技术局" and short.key == "山东省|淄博市|博山区|博山区科学技术局"
    assert Body.from_key(short.key) == short
    assert Body.of("山东省淄博市博山区科技局", "山东省", "淄博市", "博山区") == short  # the places above left out
    beijing = Body.of("朝阳区人民政府", "北京市", "北京市", "朝阳区")
    assert beijing != Body.of("朝阳区人民政府", "吉林省", "长春市", "朝阳区")  # one name, two bodies
    for key in ("聊城市科技局", "a|b", "山东省|聊城市||"):
        with pytest.raises(ValueError, match="not an agency key"):
            Body.from_key(key)


#: The digest of ``ABBREVIATIONS`` the archive's stored keys were made with (migration 14, ``report_bodies``).
ABBREVIATIONS_KEYED = "e7c61f9a25dc6ad8324e834db2286d7949d82ef317ceeeebc7c3bd18f71b9b2d"


def test_the_abbreviations_are_those_the_stored_bodies_were_keyed_with() -> None:
    """A change to the table of abbreviations changes bodies' keys, and archives keep them (``report_bodies``):
    the release that changes it adds a migration keying ``report_bodies`` again, then updates this digest."""
    digest = hashlib.sha256(json.dumps(ABBREVIATIONS, ensure_ascii=False).encode()).hexdigest()
    assert digest == ABBREVIATIONS_KEYED, "ABBREVIATIONS changed: add a migration that keys report_bodies again"


def test_the_archive_keeps_each_report_s_body(db: sqlite_utils.Database) -> None:
    rows = db.execute(
        """SELECT b.agency, b.province, b.city, b.county, b.year, k.body, k.year FROM browse b
           LEFT JOIN report_bodies k ON k.id = b.id"""
    ).fetchall()
    assert len(rows) == len(SEED_FILES) + len(liaocheng_rsj.YEARS)
    assert all(key == body_key(*row[:4]) and year == row[4] for *row, key, year in rows)
    assert sorted(row[6] for row in rows if row[5] == BODY_KEY) == list(liaocheng_rsj.YEARS)


def test_the_body_follows_the_report_through_every_write(tmp_path: Path) -> None:
    """Written with the report, keyed again when its agency changes (through its document or in browse
    itself), gone with the report."""
    db = connect(tmp_path / "a.db")
    report_id = ingest(db, Source("https://a.example/r.txt", (SEEDS / SEED_FILES["聊城"]).read_bytes())).report_id
    keyed = "SELECT body FROM report_bodies WHERE id = ?"
    assert db.execute(keyed, [report_id]).fetchone() == ("山东省|聊城市||聊城市科学技术局",)
    with write_transaction(db):
        db.execute("UPDATE documents SET agency = '聊城市人社局' WHERE report_id = ?", [report_id])
    assert db.execute(keyed, [report_id]).fetchone() == (BODY_KEY,)
    with write_transaction(db):  # browse written directly (a later migration might): the body follows too
        db.execute("UPDATE browse SET agency = '聊城市科技局' WHERE id = ?", [report_id])
    assert db.execute(keyed, [report_id]).fetchone() == ("山东省|聊城市||聊城市科学技术局",)
    with write_transaction(db):
        db.execute("UPDATE documents SET agency = NULL WHERE report_id = ?", [report_id])
    assert db.execute(keyed, [report_id]).fetchone() == (None,)
    with write_transaction(db):
        db.execute("UPDATE documents SET report_id = NULL WHERE report_id = ?", [report_id])
        db.execute("DELETE FROM reports WHERE id = ?", [report_id])
    assert db.execute("SELECT count(*) FROM report_bodies").fetchone() == (0,)


def test_numbers_are_shown_in_plain_decimals() -> None:
    assert formatting.decimal(1.89e-06) == "0.00000189"
    assert formatting.decimal(0.1 + 0.2) == "0.3"
    assert formatting.decimal(12345.5) == "12,345.5" and formatting.decimal(3.0) == "3"
    assert formatting.number(12345, "granted") == "12,345"
    assert formatting.number(2023, "year") is None and formatting.number(7, "report_id") is None
    assert [formatting.cell(v) for v in (None, 0, 1234, 0.5)] == ["—", "0", "1,234", "0.5"]
    assert [formatting.change(v) for v in (None, 3, -2, 0)] == ["", "+3", "−2", "0"]


# -- the replica agency -------------------------------------------------------------------------------------


def test_replica_years_are_chained_with_one_slip() -> None:
    """Each year carries in what the year before carried out, except 2023's 自然人 (SLIP more): the
    cross-year check passes in 2022 and fails in 2023; documents in force add up every year."""
    series = liaocheng_rsj.records()
    for year in liaocheng_rsj.YEARS[1:]:
        before, now = series[year - 1], series[year]
        slip = liaocheng_rsj.SLIP if year == liaocheng_rsj.YEARS[-1] else 0
        carried_out = before["applications"]["carried_over_out"]
        expected = [carried_out[0] + slip, *carried_out[1:6], carried_out[6] + slip]
        assert now["applications"]["carried_over_in"] == expected
        last, this = before["active_disclosure"]["normative_documents"], now["active_disclosure"]["normative_documents"]
        assert this["in_force"] == last["in_force"] + this["issued"] - this["repealed"]


def test_archived_replica_reports_run_the_cross_year_checks(db: sqlite_utils.Database) -> None:
    ids = _report_ids(db)
    assert sorted(ids) == list(liaocheng_rsj.YEARS)
    rows = db.execute(
        "SELECT r.year, c.name, c.status, c.details FROM browse r JOIN record_checks c ON c.document_id = r.document_id"
        " WHERE r.agency = ? AND c.name GLOB 'cross_year.*'",
        [RSJ],
    ).fetchall()
    statuses = {(year, name): status for year, name, status, _ in rows}
    assert statuses == {
        (2022, "cross_year.carry_over"): "pass",
        (2022, "cross_year.in_force"): "pass",
        (2023, "cross_year.carry_over"): "fail",
        (2023, "cross_year.in_force"): "pass",
    }  # 2021: no report of 2020 archived, nothing to check against
    out_2022 = liaocheng_rsj.records()[2022]["applications"]["carried_over_out"]
    failures = json.loads(next(details for year, name, status, details in rows if status == "fail"))
    slipped = {"where": "carried_over_in[自然人]", "left": out_2022[0] + liaocheng_rsj.SLIP, "right": out_2022[0]}
    assert failures[0] == slipped
    files = db.execute("SELECT count(*) FROM documents WHERE report_id = ?", [ids[2023]]).fetchone()[0]
    assert files == 2  # the page and its DOCX: one report


@pytest.mark.timeout(120)
def test_the_crawler_archives_the_three_years(tmp_path: Path) -> None:
    """The replica portal, crawled as `nianbao demo` crawls it: one listing, three reports, four files."""
    with serving(sites_of(liaocheng_rsj)) as server:
        summary = crawl_json(tmp_path / "a.db", server, "liaocheng-rsj")
    [portal] = summary["portals"]
    assert (portal["status"], portal["reports_found"], portal["new"], portal["problems"]) == ("ok", 3, 4, [])
    titles = {row[0] for row in connect(tmp_path / "a.db").execute("SELECT title FROM browse")}
    assert titles == {liaocheng_rsj.title(year) for year in liaocheng_rsj.YEARS}


# -- the compare page ---------------------------------------------------------------------------------------


def _cells(comparison: dict[str, Any], section: int, key: str) -> list[dict[str, Any]]:
    row = next(row for row in comparison["sections"][section]["rows"] if row["key"] == key)
    cells: list[dict[str, Any]] = row["cells"]
    return cells


def test_compare_json_sets_the_years_side_by_side(archive: Path, db: sqlite_utils.Database) -> None:
    ids = _report_ids(db)
    answer = _get(archive, "/-/compare.json", report=str(ids[2022]))
    assert answer.status_code == 200
    comparison = answer.json()
    assert comparison["body"] == {"name": RSJ, "province": "山东省", "city": "聊城市", "county": None}
    assert [(r["year"], r["id"]) for r in comparison["reports"]] == [(year, ids[year]) for year in liaocheng_rsj.YEARS]
    series = liaocheng_rsj.records()
    received = [series[year]["applications"]["new_received"][6] for year in liaocheng_rsj.YEARS]
    cells = _cells(comparison, 0, "applications.new_received[6]")
    assert [cell["value"] for cell in cells] == received
    assert [cell["change"] for cell in cells] == [None, received[1] - received[0], received[2] - received[1]]
    carried_in = _cells(comparison, 0, "applications.carried_over_in[6]")
    assert [cell["failed"] for cell in carried_in] == [False, False, True]  # 2023's slip, named by the check
    review = [series[year]["review_litigation"]["review"][4] for year in liaocheng_rsj.YEARS]
    assert [cell["value"] for cell in _cells(comparison, 1, "review_litigation.review[4]")] == review
    documents = _cells(comparison, 2, "active_disclosure.normative_documents[in_force]")
    assert [cell["value"] for cell in documents] == [
        series[year]["active_disclosure"]["normative_documents"]["in_force"] for year in liaocheng_rsj.YEARS
    ]
    checks = [[check["status"] for check in year] for year in comparison["checks"]]
    assert checks == [["none", "none"], ["pass", "pass"], ["fail", "pass"]]


def test_compare_finds_the_body_by_any_of_its_names(archive: Path, db: sqlite_utils.Database) -> None:
    ids = _report_ids(db)
    for agency in ("聊城市人社局", RSJ, BODY_KEY, "聊城市人力资源社会保障局"):
        answer = _get(archive, "/-/compare.json", agency=agency).json()
        assert [report["id"] for report in answer["reports"]] == list(ids.values()), agency
    by_column = _get(archive, "/-/compare.json", agency="聊城市人社局", column="自然人").json()
    natural = [liaocheng_rsj.records()[year]["applications"]["new_received"][0] for year in liaocheng_rsj.YEARS]
    assert [cell["value"] for cell in _cells(by_column, 0, "applications.new_received[0]")] == natural


def test_compare_without_a_body_lists_the_bodies_with_several_years(archive: Path) -> None:
    choices = _get(archive, "/-/compare.json").json()["choices"]
    assert choices == [
        {"body": {"name": RSJ, "province": "山东省", "city": "聊城市", "county": None}, "years": [2021, 2022, 2023]}
    ]
    page = _get(archive, "/-/compare").text
    assert "有多个年度报告的机关" in page and f"{RSJ}</a>" in page


@pytest.mark.parametrize(
    ("params", "status", "reason"),
    [
        ({"report": "999"}, 404, "no report 999"),
        ({"agency": "不存在的局"}, 404, "no report of 不存在的局"),
        ({"report": "abc"}, 400, "report must be a report id"),
        ({"agency": "x|y"}, 400, "not an agency key"),
        ({"agency": RSJ, "column": "nosuch"}, 400, "no column 'nosuch' in table 三"),
    ],
)
def test_compare_refuses_what_it_cannot_read(archive: Path, params: dict[str, str], status: int, reason: str) -> None:
    answer = _get(archive, "/-/compare.json", **params)
    assert answer.status_code == status and reason in answer.json()["error"]


def test_every_report_page_links_to_its_comparison(archive: Path, db: sqlite_utils.Database) -> None:
    for report_id in [row[0] for row in db.execute("SELECT id FROM browse WHERE agency IS NOT NULL")]:
        page = _get(archive, f"/-/report/{report_id}").text
        assert f'class="compare-link" href="/-/compare?report={report_id}"' in page
