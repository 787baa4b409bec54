"""`nianbao import` of the extraction fixtures: every sample archived with the right text, as a file of
its seed's report (issue 3's acceptance check, through the real CLI and archive)."""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from intake.linking import similarity
from tests.conftest import FIXTURES, RENDERED, SEED_FILES, SEEDS, RunCli

SEED_OF = {f"report-{number:03d}": place for number, place in enumerate(SEED_FILES)}


def test_every_fixture_is_archived_with_its_seeds_text(run_cli: RunCli, db_path: Path) -> None:
    run_cli("import", str(SEEDS))
    summary = json.loads(run_cli("import", "--json", str(FIXTURES / "extraction"), str(RENDERED), expect=1).output)
    failed = {Path(file["path"]).name: file["reason"] for file in summary["files"] if file["status"] == "failed"}
    assert failed == {"password-protected.pdf": "password-protected PDF: it cannot be opened without its password"}
    db = sqlite_utils.Database(db_path)
    seed_report = {
        place: db.execute("SELECT report_id, text FROM documents WHERE title LIKE ?", [place + "%"]).fetchone()
        for place in SEED_FILES
    }
    checked = 0
    for file in summary["files"]:
        name = Path(file["path"]).name
        stem = name.split(".")[0].removesuffix("-gbk")
        if stem not in SEED_OF:
            continue
        report_id, seed_text = seed_report[SEED_OF[stem]]
        text = db.execute("SELECT text FROM documents WHERE id = ?", [file["document_id"]]).fetchone()[0]
        assert file["report_id"] == report_id, name
        assert similarity(text, seed_text) > 0.8, name  # same words; tables laid out differently
        checked += 1
    assert checked == 12  # 5 DOCX, 5 PDF, 1 DOC, 1 GBK HTML
    encrypted = next(file for file in summary["files"] if file["path"].endswith("encrypted-empty-password.pdf"))
    assert encrypted["report_id"] == seed_report["周口"][0]
    scan = next(file for file in summary["files"] if file["path"].endswith("scan-004.pdf"))
    assert db.execute("SELECT needs_ocr, text FROM documents WHERE id = ?", [scan["document_id"]]).fetchone() == (1, "")
