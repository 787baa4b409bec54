"""An import killed with SIGKILL mid-way leaves no half-written document and no corrupt database."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlite_utils.utils import sqlite3

from archive.db import connect
from archive.fts import INDEXES
from tests.conftest import SEED_FILES, SEEDS

FILES = 400


def make_reports(folder: Path) -> None:
    base = (SEEDS / SEED_FILES["聊城"]).read_text(encoding="utf-8")
    folder.mkdir()
    for number in range(FILES):
        (folder / f"r{number:04d}.txt").write_text(base.replace("聊城", f"第{number}号城"), encoding="utf-8")


def count(db_path: Path, sql: str) -> int:
    """The count, or 0 while the importer has not created the schema yet."""
    db = connect(db_path, migrate=False)
    try:
        return int(db.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        db.conn.close()


def test_kill_9_mid_import_leaves_a_consistent_archive(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    make_reports(folder)
    db_path = tmp_path / "a.db"
    command = [sys.executable, "-m", "cli", "--db", str(db_path), "import", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if db_path.exists() and count(db_path, "SELECT count(*) FROM sightings") >= 30:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    done = count(db_path, "SELECT count(*) FROM documents")
    assert 30 <= done < FILES, "the kill must land mid-import"

    db = connect(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for table, _, _ in INDEXES:
        db.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    # every document is whole: bytes, report, sighting, index entry
    assert db.execute("SELECT count(*) FROM documents WHERE report_id IS NULL").fetchone()[0] == 0
    assert (
        db.execute(
            "SELECT count(*) FROM documents d LEFT JOIN blobs b ON b.sha256 = d.sha256 WHERE b.sha256 IS NULL"
        ).fetchone()[0]
        == 0
    )
    assert db.execute("SELECT count(*) FROM sightings").fetchone()[0] == done
    reports = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    for table, _, _ in INDEXES:
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == reports
    assert db.execute("SELECT new FROM runs WHERE id = 1").fetchone()[0] == done
    db.conn.close()

    # the next import finishes the job and marks the killed run
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip().endswith(f"{FILES - done} new, 0 changed, {done} duplicate, 0 failed")
    db = connect(db_path)
    assert db.execute("SELECT status FROM runs ORDER BY id").fetchall() == [("interrupted",), ("finished",)]
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == FILES
