"""show, stats, --db / $NIANBAO_DB and --help of every command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import SEED_FILES, SEEDS, RunCli


@pytest.mark.parametrize("command", ["import", "search", "show", "stats", "reextract"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and f"nianbao {command}" in result.output.replace("--db reports.db ", "")


def test_show_prints_identity_files_and_sightings(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    output = run_cli("show", "4").output
    assert output.startswith("report 4: 曲阜市科学技术局2021年政府信息公开工作年度报告")
    assert "agency:    曲阜市科学技术局" in output and "year:      2021" in output
    assert "files (1):" in output and "txt" in output
    assert SEED_FILES["曲阜"] in output


def test_show_json_and_text(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    report = json.loads(run_cli("show", "1", "--json").output)
    assert report["id"] == 1 and report["year"] == 2022 and report["agency"] == "聊城市科学技术局"
    assert report["files"][0]["sha256"] and report["sightings"][0]["url"].startswith("file://")
    text = run_cli("show", "1", "--text").output
    assert text.strip() == (SEEDS / SEED_FILES["聊城"]).read_text(encoding="utf-8").strip()


def test_show_unknown_report_exits_1(run_cli: RunCli) -> None:
    result = run_cli("show", "99", expect=1)
    assert "no report 99" in result.output


def test_stats(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    run_cli("import", str(seeds))
    stats = json.loads(run_cli("stats", "--json").output)
    assert (stats["reports"], stats["documents"], stats["sightings"], stats["runs"]) == (5, 5, 10, 2)
    assert stats["by_type"] == {"text/plain": 5}
    assert stats["by_year"] == {"2021": 1, "2022": 2, "2023": 2}
    assert stats["stored_bytes"] == sum(path.stat().st_size for path in seeds.iterdir())
    assert stats["index_bytes"] > 0
    human = run_cli("stats").output
    assert "reports: 5" in human and "  2023: 2" in human


def test_db_from_environment(tmp_path: Path, seeds: Path) -> None:
    db_path = tmp_path / "from-env.db"
    env = {"NIANBAO_DB": str(db_path)}
    result = CliRunner().invoke(cli, ["import", str(seeds)], env=env)
    assert result.exit_code == 0 and db_path.exists()
    assert json.loads(CliRunner().invoke(cli, ["stats", "--json"], env=env).output)["reports"] == 5


def test_console_script_runs(tmp_path: Path) -> None:
    """The installed entry point, as a user runs it (`.venv/bin/nianbao`)."""
    script = Path(sys.executable).parent / "nianbao"
    result = subprocess.run([str(script), "--db", str(tmp_path / "a.db"), "stats"], capture_output=True, text=True)
    assert result.returncode == 0 and "reports: 0" in result.stdout


def test_reextract_updates_text_and_index_from_stored_bytes(run_cli: RunCli, seeds: Path, db_path: Path) -> None:
    run_cli("import", str(seeds))
    db = sqlite_utils.Database(db_path)
    for function in ("nianbao_fts_chars", "nianbao_fts_pairs"):  # simulate an old, worse extraction
        db.conn.create_function(function, 1, lambda text: "")
    db.execute("UPDATE documents SET text = '', title = NULL WHERE id = 4")
    db.conn.commit()
    assert run_cli("search", "曲阜", expect=1)
    output = run_cli("reextract", "--type", "txt").output
    assert output.strip().endswith("5 re-extracted, 0 failed")
    assert json.loads(run_cli("search", "曲阜", "--json").output)["total"] == 1
    assert json.loads(run_cli("show", "4", "--json").output)["title"].startswith("曲阜市科学技术局")


def test_reextract_failure_keeps_the_old_text(run_cli: RunCli, seeds: Path, db_path: Path) -> None:
    run_cli("import", str(seeds))
    db = sqlite_utils.Database(db_path)
    db.execute("UPDATE blobs SET data = x'00' WHERE sha256 = (SELECT sha256 FROM documents WHERE id = 2)")
    db.conn.commit()
    result = json.loads(run_cli("reextract", "1", "2", "99", "--json", expect=1).output)
    assert result == {
        "reextracted": 1,
        "failed": {"2": "binary content (NUL bytes), not text", "99": "no document 99"},
    }
    assert json.loads(run_cli("search", "周口", "--json").output)["total"] == 1  # old text and index kept
