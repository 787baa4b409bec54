"""Bad input never stops an import: each file gets a one-line reason, the rest are archived."""

from __future__ import annotations

import json
import os
from pathlib import Path

import sqlite_utils

from archive.search import matching_report_ids
from tests.conftest import SEED_FILES, SEEDS, RunCli


def import_json(run_cli: RunCli, *args: str, expect: int = 0) -> dict:
    return json.loads(run_cli("import", "--json", *args, expect=expect).output)


def reasons(summary: dict) -> dict[str, str]:
    return {Path(file["path"]).name: file["reason"] for file in summary["files"] if file["status"] == "failed"}


def test_each_bad_file_gets_a_reason_and_the_import_goes_on(run_cli: RunCli, seeds: Path, tmp_path: Path) -> None:
    (seeds / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "blank.txt").write_bytes(b"  \n\t\n")
    (seeds / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(seeds / "pipe.txt")
    with (seeds / "huge.txt").open("wb") as handle:  # 200 MB, sparse: refused before a byte is read
        handle.truncate(200 * 1024 * 1024)
    summary = import_json(run_cli, str(seeds), expect=1)
    assert (summary["new"], summary["failed"]) == (5, 6)
    assert reasons(summary) == {
        "binary.txt": "binary content (NUL bytes), not text",
        "blank.txt": "empty content",
        "dangling.txt": "cannot read: no such file",
        "empty.txt": "empty content",
        "huge.txt": "cannot read: too large: 209.7 MB, over the 50 MB limit",
        "pipe.txt": "cannot read: not a regular file",
    }


def test_failures_are_recorded_in_the_archive(run_cli: RunCli, seeds: Path, db_path: Path) -> None:
    (seeds / "empty.txt").write_bytes(b"")
    run_cli("import", str(seeds), expect=1)
    db = sqlite_utils.Database(db_path)
    rows = db.execute("SELECT url, reason, run_id FROM failures").fetchall()
    assert len(rows) == 1 and rows[0][0].endswith("/empty.txt") and rows[0][1] == "empty content"
    assert db.execute("SELECT failed, new FROM runs WHERE id = ?", [rows[0][2]]).fetchone() == (1, 5)


def test_human_summary_names_the_reason(run_cli: RunCli, seeds: Path) -> None:
    (seeds / "empty.txt").write_bytes(b"")
    output = run_cli("import", str(seeds), expect=1).output
    assert f"failed     {seeds / 'empty.txt'}: empty content" in output
    assert output.strip().endswith("5 new, 0 changed, 0 duplicate, 1 failed")


def test_max_size_is_configurable(run_cli: RunCli, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("年度报告" * 200_000, encoding="utf-8")  # 2.4 MB
    summary = import_json(run_cli, "--max-size", "1", str(big), expect=1)
    assert reasons(summary) == {"big.txt": "cannot read: too large: 2.4 MB, over the 1 MB limit"}
    assert import_json(run_cli, "--max-size", "3", str(big))["new"] == 1


def test_gbk_text_without_a_declared_encoding_is_decoded(run_cli: RunCli, tmp_path: Path, db_path: Path) -> None:
    text = (SEEDS / SEED_FILES["周口"]).read_text(encoding="utf-8")
    gbk = tmp_path / "zhoukou-gbk.txt"
    gbk.write_bytes(text.encode("gbk"))
    summary = import_json(run_cli, str(gbk))
    assert summary["new"] == 1
    db = sqlite_utils.Database(db_path)
    stored, encoding = db.execute("SELECT text, encoding FROM documents").fetchone()
    assert stored == text.strip() and encoding == "gb18030"
    assert len(matching_report_ids(db, "周口市科技局")) == 1
    # the UTF-8 file of the same text is another file of the same report
    utf8 = tmp_path / "zhoukou-utf8.txt"
    utf8.write_text(text, encoding="utf-8")
    second = import_json(run_cli, str(utf8))
    assert second["new"] == 1 and second["files"][0]["report_id"] == summary["files"][0]["report_id"]


def test_a_named_file_is_typed_by_its_bytes_not_its_name(run_cli: RunCli, tmp_path: Path) -> None:
    page = tmp_path / "report.pdf"  # the extension lies: it is an HTML page
    page.write_text(
        "<!DOCTYPE html><html><head><title>某局2023年政府信息公开工作年度报告</title></head>"
        "<body><article><h1>某局2023年政府信息公开工作年度报告</h1>"
        + "<p>本年度报告根据《中华人民共和国政府信息公开条例》编制，统计期限从2023年1月1日到2023年12月31日。</p>" * 5
        + "</article></body></html>",
        encoding="utf-8",
    )
    summary = import_json(run_cli, str(page))
    assert summary["new"] == 1


def test_unusable_archive_path_is_a_clear_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli.main import cli

    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "missing" / "x.db"), "stats"])
    assert result.exit_code == 2
    assert "does not exist" in result.output
