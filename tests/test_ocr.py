"""OCR of scanned pages (the optional extra `ocr`, installed by scripts/setup.sh): off by default, on with --ocr."""

from __future__ import annotations

import json
from pathlib import Path

from parsers.extract import extract
from parsers.ocr import _lines
from tests.conftest import FIXTURES, RunCli

SCAN = FIXTURES / "extraction" / "scan-004.pdf"
GOLDEN = json.loads((FIXTURES / "extraction" / "report-004.json").read_text(encoding="utf-8"))


def test_boxes_are_regrouped_into_lines_left_to_right() -> None:
    boxes: list[tuple[float, float, float, str]] = [
        (10, 30, 200, "商业企业"),
        (12, 31, 50, "自然人"),
        (50, 70, 50, "一、本年新收"),
        (49, 71, 200, "0"),
    ]
    assert [[text for *_, text in line] for line in _lines(boxes)] == [["自然人", "商业企业"], ["一、本年新收", "0"]]


def test_a_scan_is_only_flagged_without_ocr() -> None:
    document = extract(SCAN.read_bytes())
    assert document.needs_ocr and document.ocr_pages == [1, 2] and document.text == ""


def test_ocr_reads_the_scan_and_its_tables(run_cli: RunCli, db_path: Path) -> None:
    summary = json.loads(run_cli("import", "--ocr", "--json", str(SCAN)).output)
    assert summary["new"] == 1 and summary["files"][0]["title"] == "威海市科学技术局2023年政府信息公开工作年度报告"
    report = json.loads(run_cli("show", "1", "--json").output)
    assert not report["needs_ocr"]
    assert report["warnings"] == ["page(s) 1–2 of 2 read by OCR: check the text"]
    assert "统计期限" in report["text"] or "统计" in report["text"]
    record = report["record"]
    assert record["applications"] == GOLDEN["applications"]  # every table-三 cell, read from the image
    assert record["active_disclosure"] == GOLDEN["active_disclosure"]
    # table 四 is laid out differently in the image and is not read: nulls, never invented numbers
    assert all(value is None for value in record["review_litigation"].values())
