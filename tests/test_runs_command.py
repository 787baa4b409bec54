"""`nianbao runs`: the latest runs with their status, counts and alerts; exit 1 when the latest has an alert.

A real archive: runs of `nianbao import` on the seed reports, and a crawl run that was interrupted (the
run row as a crawl killed mid-way leaves it, its alert raised by crawler/alerts.py as `nianbao crawl` does).
Runs of real crawls, failing and partial, are listed in tests/test_crawl_alerts.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from crawler import alerts, schema
from intake.ingest import finish_run, start_run
from tests.conftest import RunCli

WHY = "the run is interrupted: its counts stop where it stopped"
INTERRUPTED = f"run: interrupted: {WHY}"


def interrupted_crawl(db: sqlite_utils.Database) -> int:
    schema.apply_migrations(db)  # as a crawl opens the archive
    run = start_run(db, "crawl", {"portals": ["qufu"]})
    finish_run(db, run, "interrupted")
    alerts.check_run(db, run)
    return run


@pytest.fixture
def history(db: sqlite_utils.Database, run_cli: RunCli, seeds: Path) -> list[int]:
    """Run 1 an import, run 2 a crawl interrupted (an alert), run 3 an import again (all duplicates)."""
    run_cli("import", str(seeds))
    interrupted_crawl(db)
    run_cli("import", str(seeds))
    return [3, 2, 1]


def test_runs_lists_the_latest_runs_newest_first(history: list[int], run_cli: RunCli) -> None:
    lines = run_cli("runs").output.splitlines()  # exit 0: the latest run (the import) raised nothing
    assert [line.split()[:4] for line in lines if line.startswith("run ")] == [
        ["run", "3", "import", "finished"],
        ["run", "2", "crawl", "interrupted"],
        ["run", "1", "import", "finished"],
    ]
    assert "0 new, 0 changed, 5 duplicate, 0 failed" in lines[0]
    assert f"  ! {INTERRUPTED}" in lines


def test_limit_keeps_the_latest(history: list[int], run_cli: RunCli) -> None:
    assert [line.split()[1] for line in run_cli("runs", "--limit", "2").output.splitlines() if line[:4] == "run "] == [
        "3",
        "2",
    ]


def test_alerts_shows_only_runs_with_alerts(history: list[int], run_cli: RunCli) -> None:
    output = run_cli("runs", "--alerts").output
    assert output.splitlines()[0].split()[:4] == ["run", "2", "crawl", "interrupted"]
    assert output.splitlines()[1:] == [f"  ! {INTERRUPTED}"]
    assert run_cli("runs", "--alerts", "--limit", "1").output == ""  # the latest raised none: nothing to mail


def test_json(history: list[int], run_cli: RunCli, db: sqlite_utils.Database) -> None:
    listed = json.loads(run_cli("runs", "--json").output)
    assert [run["run_id"] for run in listed["runs"]] == history and listed["latest_has_alerts"] is False
    first = listed["runs"][2]
    assert first["counts"] == {"new": 5, "changed": 0, "duplicate": 0, "failed": 0} and first["portals"] is None
    crawl = listed["runs"][1]
    assert crawl["options"] == {"portals": ["qufu"]} and crawl["finished_at"]
    assert crawl["alerts"] == [{"kind": "interrupted", "portal": None, "message": WHY, "details": {}}]
    assert crawl["portals"] == {"ok": 0, "partial": 0, "failing": 0}  # killed before it counted per portal


def test_exit_1_when_the_latest_run_has_an_alert(db: sqlite_utils.Database, run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    run = interrupted_crawl(db)
    assert run_cli("runs", "--alerts", "--limit", "1", expect=1).output.splitlines()[1:] == [f"  ! {INTERRUPTED}"]
    assert json.loads(run_cli("runs", "--json", expect=1).output)["latest_has_alerts"] is True
    assert run_cli("runs", expect=1).output.startswith(f"run {run}")


def test_an_archive_without_runs(db: sqlite_utils.Database, run_cli: RunCli) -> None:
    assert run_cli("runs").output == "no runs yet\n"
    assert json.loads(run_cli("runs", "--json").output) == {"runs": [], "latest_has_alerts": False}


def test_a_limit_below_1_is_wrong_usage(db: sqlite_utils.Database, run_cli: RunCli) -> None:
    run_cli("runs", "--limit", "0", expect=2)
