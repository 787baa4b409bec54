"""Records in the archive: stored on import, queryable cell by cell, checked across years, re-parsed."""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from tests.conftest import SEED_FILES, RunCli


def test_import_stores_records_cells_and_checks(run_cli: RunCli, seeds: Path, db: sqlite_utils.Database) -> None:
    run_cli("import", str(seeds))
    assert db.execute("SELECT count(*) FROM records").fetchone()[0] == 5
    province, city, county, report_format = db.execute(
        "SELECT province, city, county, format FROM documents WHERE agency = '博山区科学技术局'"
    ).fetchone()
    assert (province, city, county, report_format) == ("山东省", "淄博市", "博山区", "2021")
    granted = db.execute(
        """SELECT value FROM record_cells c JOIN documents d ON d.id = c.document_id
           WHERE d.agency = '聊城市科学技术局' AND row_name = 'granted' ORDER BY col"""
    ).fetchall()
    assert [row[0] for row in granted] == [1, 0, 0, 0, 0, 0, 1]
    blanks = db.execute("SELECT count(*) FROM record_cells WHERE row_name = 'review' AND value IS NULL").fetchone()
    assert blanks[0] == 5  # 威海's blank 行政复议 cells stay null
    failed = db.execute("SELECT name FROM record_checks WHERE status = 'fail'").fetchall()
    assert failed == [("signed_date.after_period",)]


def test_search_filters_and_show_use_the_parsed_fields(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    result = json.loads(run_cli("search", "科", "--province", "河南省", "--json").output)
    assert [hit["agency"] for hit in result["hits"]] == ["周口市科技局"]
    result = json.loads(run_cli("search", "科", "--city", "济宁市", "--year", "2021", "--json").output)
    assert [hit["county"] for hit in result["hits"]] == ["曲阜市"]
    shown = run_cli("show", "3").output
    assert "收到和处理政府信息公开申请情况" in shown and "signed_date.after_period" in shown
    assert json.loads(run_cli("show", "3", "--json").output)["record"]["region"]["county"] == "博山区"


def test_checks_lists_failing_reports(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    output = run_cli("checks", expect=1).output  # reports fail: exit 1
    assert "博山区科学技术局" in output and "2023-01-17" in output
    assert output.rstrip().endswith("1 report(s) with failed checks")


def test_cross_year_checks_run_when_last_years_report_is_archived(
    run_cli: RunCli, seeds: Path, db: sqlite_utils.Database
) -> None:
    text = (seeds / SEED_FILES["聊城"]).read_text(encoding="utf-8")
    next_year = text.replace("2022", "2023").replace(
        "二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0", "二、上年结转政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2"
    )
    (seeds / "liaocheng-2023.txt").write_text(next_year, encoding="utf-8")
    run_cli("import", str(seeds))
    checks = dict(
        db.execute(
            """SELECT c.name, c.status FROM record_checks c JOIN documents d ON d.id = c.document_id
               WHERE d.agency = '聊城市科学技术局' AND d.year = 2023 AND c.name LIKE 'cross_year.%'"""
        ).fetchall()
    )
    assert checks == {"cross_year.carry_over": "fail", "cross_year.in_force": "fail"}


def test_cross_year_checks_find_last_year_under_the_agencys_short_name(
    run_cli: RunCli, seeds: Path, db: sqlite_utils.Database
) -> None:
    """The 2023 report signed 聊城市科技局 is the same body as the 2022 one of 聊城市科学技术局 (archive.aliases)."""
    text = (seeds / SEED_FILES["聊城"]).read_text(encoding="utf-8")
    next_year = text.replace("2022", "2023").replace("聊城市科学技术局", "聊城市科技局")
    (seeds / "liaocheng-2023.txt").write_text(next_year, encoding="utf-8")
    run_cli("import", str(seeds))
    checks = dict(
        db.execute(
            """SELECT c.name, c.status FROM record_checks c JOIN documents d ON d.id = c.document_id
               WHERE d.agency = '聊城市科技局' AND d.year = 2023 AND c.name LIKE 'cross_year.%'"""
        ).fetchall()
    )
    assert checks == {"cross_year.carry_over": "pass", "cross_year.in_force": "fail"}


def test_reparse_refreshes_stale_records(run_cli: RunCli, seeds: Path, db: sqlite_utils.Database) -> None:
    run_cli("import", str(seeds))
    assert "0 re-parsed" in run_cli("reparse").output
    db.execute("UPDATE records SET parser_version = 0 WHERE document_id = 2")
    db.execute("UPDATE documents SET province = NULL WHERE id = 2")
    db.conn.commit()
    assert "1 re-parsed, 0 failed" in run_cli("reparse").output
    assert db.execute("SELECT province FROM documents WHERE id = 2").fetchone()[0] == "河南省"
