"""What is not a report keeps no numbers; a report whose tables are missing or blank is ``incomplete``.

Issue 11, items 7 and 8. The fixtures (tests/fixtures/parse_status, README there says where each shape was
seen) are a notice with the blank 2021 form, a notice about compiling reports, a placeholder note filed in
a 年报 column, a blank template, two years side by side (text and HTML), a report printing headers only,
a report without table text, and a scan without a text layer. The status must be the same word in the
record, ``nianbao parse`` / ``show`` / ``checks``, the browse table and its facet, and the report page.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from archive import db as archive_db
from parsers.document import TEXT, ExtractedDocument
from parsers.record import parse
from testkit.records import parse_bytes
from tests.conftest import FIXTURES, SEED_FILES, SEEDS, RunCli
from web import serve

STATUS = FIXTURES / "parse_status"
TABLES = ("active_disclosure", "applications", "review_litigation")
NOT_REPORTS = [
    "notice-with-blank-form.txt",
    "notice-compilation.html",
    "letter-in-nianbao-column.html",
    "letter-titled-in-its-column.html",
    "blank-template.html",
    "comparison-2022-2023.txt",
    "comparison-2022-2023.html",
]
LIAOCHENG = (SEEDS / SEED_FILES["聊城"]).read_text(encoding="utf-8")
#: 聊城 cut before its table 四: tables 二 and 三 complete, 四 missing.
WITHOUT_TABLE_4 = LIAOCHENG[: LIAOCHENG.index("四、政府信息公开行政复议")]
SCAN = FIXTURES / "extraction" / "scan-004.pdf"


def _numbers(value: Any) -> list[int | float]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return [] if value is None else [value]


@pytest.mark.parametrize("name", NOT_REPORTS)
def test_what_is_not_a_report_is_flagged_and_keeps_no_numbers(name: str) -> None:
    record = parse_bytes((STATUS / name).read_bytes())
    assert record["not_a_report"] is True, record["title"]
    assert record["status"] == "not_a_report"
    assert all(record[table] is None for table in TABLES)
    assert record["inferred"] == [] and record["format"] is None
    assert record["checks"]["tables.complete"]["status"] == "incomplete"


@pytest.mark.parametrize("name", ["comparison-2022-2023.txt", "comparison-2022-2023.html"])
def test_two_years_side_by_side_were_read_as_table_three_and_are_now_dropped(name: str) -> None:
    """The rows carry 7 cells each (3 + 3 + 增减), so table 三 is found: the year columns above it tell."""
    record = parse_bytes((STATUS / name).read_bytes())
    assert record["year"] in (2022, 2023)  # a real year: it is the year columns, not a form, that decide
    assert _numbers({table: record[table] for table in TABLES}) == []


def test_a_letter_in_a_nianbao_column_is_titled_as_the_letter_not_the_column() -> None:
    record = parse_bytes((STATUS / "letter-titled-in-its-column.html").read_bytes())
    assert (record["title"], record["not_a_report"]) == ("关于2014年政府信息公开工作要点落实情况的函", True)


def test_a_report_with_a_comparison_in_its_prose_stays_a_report() -> None:
    """Year columns far above table 三 (a summary in section 一) do not make a report a comparison."""
    golden = json.loads((FIXTURES / "parse" / "seed-000.json").read_text(encoding="utf-8"))
    summary = "一、总体情况\n项目\t2021年\t2022年\n主动公开信息（条）\t120\t150\n政策解读（篇）\t8\t11\n"
    record = parse_bytes(LIAOCHENG.replace("一、总体情况\n", summary, 1).encode())
    assert record["not_a_report"] is False and record["status"] == "pass"
    assert record["applications"] == golden["applications"]


def test_a_table_whose_cells_run_together_is_incomplete_and_says_why() -> None:
    """A crawler that joins a page's text nodes glues each label to its cells (kjt.hebei.gov.cn's 2023 report
    in a public crawler's CSV): the numbers cannot be told apart, so none is read, and a warning says so."""
    glued = (
        "河北省科学技术厅2023年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况申请人情况自然人"
        "法人或其他组织总计一、本年新收政府信息公开申请数量170000017二、上年结转政府信息公开申请数量0000000"
        "三、本年度办理结果（一）予以公开170000017（七）总计170000017四、结转下年度继续办理0000000\n"
    )
    record = parse_bytes(glued.encode())
    assert (record["status"], record["applications"]) == ("incomplete", None)
    assert any("cells run together" in warning for warning in record["warnings"])
    assert not any("run together" in w for w in parse_bytes(LIAOCHENG.encode())["warnings"])


@pytest.mark.parametrize(
    ("name", "data", "missing"),
    [
        ("headers only", (STATUS / "headers-only-2023.txt").read_bytes(), list(TABLES)),
        ("tables absent", (STATUS / "tables-absent-2019.html").read_bytes(), list(TABLES)),
        ("table 四 cut off", WITHOUT_TABLE_4.encode(), ["review_litigation"]),
        ("scan without text", SCAN.read_bytes(), list(TABLES)),
    ],
)
def test_missing_or_blank_tables_are_incomplete_never_pass(name: str, data: bytes, missing: list[str]) -> None:
    record = parse_bytes(data)
    assert record["not_a_report"] is False, name
    assert record["status"] == "incomplete", name
    assert record["checks"]["tables.complete"] == {"status": "incomplete", "missing": missing}
    assert all(check["status"] != "fail" for check in record["checks"].values())


def test_seeds_keep_their_status() -> None:
    statuses = {place: parse_bytes((SEEDS / name).read_bytes())["status"] for place, name in SEED_FILES.items()}
    assert statuses == {"聊城": "pass", "周口": "pass", "博山": "fail", "曲阜": "pass", "威海": "pass"}


def test_extraction_warnings_reach_the_record() -> None:
    scan = parse_bytes(SCAN.read_bytes())
    assert any(w.startswith("extraction: ") and "needs OCR" in w for w in scan["warnings"])
    assert "needs_ocr: page(s) 1, 2 have no text layer; their tables were not read" in scan["warnings"]
    document = ExtractedDocument(TEXT, LIAOCHENG, warnings=["converted from binary Word format by LibreOffice"])
    document.needs_ocr, document.ocr_pages = True, [3]
    record = parse(document)
    assert record["warnings"][:2] == [
        "extraction: converted from binary Word format by LibreOffice",
        "needs_ocr: page(s) 3 have no text layer; their tables were not read",
    ]
    assert record["status"] == "pass"  # the text it has holds every table


def test_parse_prints_the_status(run_cli: RunCli) -> None:
    files = [
        STATUS / "headers-only-2023.txt",
        STATUS / "comparison-2022-2023.txt",
        SEEDS / SEED_FILES["博山"],
    ]
    text = run_cli("parse", *map(str, files)).output
    assert "status:      incomplete — statistics tables missing or blank" in text
    assert "status:      not_a_report — a notice, letter, blank form or comparison of years" in text
    assert "status:      fail" in text
    assert "missing or blank: active_disclosure, applications, review_litigation" in text
    lines = run_cli("parse", *map(str, files), "--json").output.splitlines()
    assert [json.loads(line)["status"] for line in lines] == ["incomplete", "not_a_report", "fail"]


@pytest.fixture
def mixed(tmp_path: Path, seeds: Path) -> Path:
    """The five seeds and the status fixtures in one folder (and the scan beside them)."""
    for path in STATUS.iterdir():
        if path.name != "README.md":
            shutil.copy(path, seeds / path.name)
    shutil.copy(SCAN, seeds / SCAN.name)
    return seeds


def _browse(db: sqlite_utils.Database) -> dict[str, str]:
    return dict(db.execute("SELECT b.title, b.check_status FROM browse b").fetchall())


EXPECTED = {
    "pass": 4,
    "fail": 1,
    "incomplete": 3,  # headers only, tables absent, the scan
    "not_a_report": 7,
}


def test_archive_browse_show_and_checks_use_the_status(run_cli: RunCli, mixed: Path, db: sqlite_utils.Database) -> None:
    run_cli("import", str(mixed))
    statuses = _browse(db)
    assert statuses["雄县发展和改革局2023年政府信息公开工作年度报告"] == "incomplete"
    assert statuses["揭东区自然资源局2019年政府信息公开工作年度报告"] == "incomplete"
    assert statuses["某县司法局2023年政府信息公开申请办理情况与上年对比"] == "not_a_report"
    counts = dict(db.execute("SELECT check_status, count(*) FROM browse GROUP BY 1").fetchall())
    assert counts == EXPECTED
    report_id = db.execute("SELECT id FROM browse WHERE title LIKE '雄县%'").fetchone()[0]
    assert "status:      incomplete" in run_cli("show", str(report_id)).output
    assert json.loads(run_cli("show", str(report_id), "--json").output)["record"]["status"] == "incomplete"
    output = run_cli("checks", expect=1).output
    assert "status: not_a_report 7, pass 4, incomplete 3, fail 1" in output
    assert output.rstrip().endswith("1 report(s) with failed checks")
    listed = run_cli("checks", "--status", "incomplete", expect=1).output
    assert "雄县发展和改革局2023年政府信息公开工作年度报告  (missing or blank: active_disclosure" in listed
    assert listed.rstrip().endswith("3 report(s) incomplete")
    answer = json.loads(run_cli("checks", "--status", "not_a_report", "--json", expect=1).output)
    assert len(answer["not_a_report"]) == 7 and answer["statuses"]["incomplete"] == 3


def test_datasette_facet_and_report_page_show_the_status(
    run_cli: RunCli, mixed: Path, db_path: Path, db: sqlite_utils.Database
) -> None:
    run_cli("import", str(mixed))
    serve.prepare_archive(db_path)
    datasette = serve.make_datasette(db_path)
    answer = asyncio.run(datasette.client.get("/archive/browse.json", params={"_facet": "check_status"})).json()
    facet = {item["value"]: item["count"] for item in answer["facet_results"]["check_status"]["results"]}
    assert facet == EXPECTED
    report_id = db.execute("SELECT id FROM browse WHERE check_status = 'incomplete' ORDER BY id").fetchone()[0]
    page = asyncio.run(datasette.client.get(f"/-/report/{report_id}")).text
    assert 'data-status="incomplete"' in page and "不完整 incomplete" in page
    assert "missing or blank: active_disclosure, applications, review_litigation" in page
    other = db.execute("SELECT id FROM browse WHERE check_status = 'not_a_report' ORDER BY id").fetchone()[0]
    page = asyncio.run(datasette.client.get(f"/-/report/{other}")).text
    assert 'data-status="not_a_report"' in page and "no numbers kept" in page


def test_migration_gives_an_older_archive_the_records_status(run_cli: RunCli, db_path: Path) -> None:
    """An archive made by schema 6 (tests/fixtures/archives/README.md): its browse said 'pass' for reports
    whose tables are missing or blank. Migrating keeps every row; re-parsing gives each its status."""
    shutil.copy(FIXTURES / "archives" / "schema6.db", db_path)
    old = archive_db.connect(db_path, migrate=False)
    assert archive_db.schema_version(old) == 6
    before = dict(old.execute("SELECT check_status, count(*) FROM browse GROUP BY 1").fetchall())
    assert before == {"pass": 8, "fail": 3, "not a report": 3}
    old.conn.close()
    migrated = archive_db.connect(db_path)
    assert archive_db.schema_version(migrated) == len(archive_db.MIGRATIONS)
    assert migrated.execute("SELECT count(*) FROM browse").fetchone()[0] == 14
    run_cli("reparse", "--all")  # records of parser version 1 have no status: re-parsing gives it
    statuses = dict(migrated.execute("SELECT check_status, count(*) FROM browse GROUP BY 1").fetchall())
    assert statuses == {**EXPECTED, "not_a_report": 6}  # made before the 平潭 letter joined the fixtures
