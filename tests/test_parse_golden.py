"""The parser's records equal the hand-labelled golden records, field by field, for every input type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from testkit.records import parse_bytes
from tests.conftest import FIXTURES, HUAIAN_PDF, RENDERED, SEED_FILES, SEEDS, RunCli

COMPARED = [
    "schema", "title", "agency", "year", "format", "region", "signed_date", "portal_urls",
    "active_disclosure", "applications", "review_litigation",
]  # fmt: skip
GOLDEN = FIXTURES / "parse"
EXTRACTION = FIXTURES / "extraction"


def _compared(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in COMPARED}


def _golden(path: Path) -> dict[str, Any]:
    return _compared(json.loads(path.read_text(encoding="utf-8")))


def test_parse_command_matches_golden_for_every_seed(run_cli: RunCli) -> None:
    paths = [SEEDS / name for name in SEED_FILES.values()]
    result = run_cli("parse", *map(str, paths), "--json")
    lines = result.output.splitlines()
    assert len(lines) == len(paths)
    for path, line in zip(paths, lines, strict=True):
        assert _compared(json.loads(line)) == _golden(GOLDEN / f"seed-{path.name[:3]}.json"), path.name


def test_real_pdf_matches_golden() -> None:
    record = parse_bytes(HUAIAN_PDF.read_bytes())
    assert _compared(record) == _golden(FIXTURES / "real" / "huaian-2024.json")
    assert record["not_a_report"] is False
    assert all(check["status"] != "fail" for check in record["checks"].values())


@pytest.mark.parametrize(
    "path",
    sorted(p for folder in (EXTRACTION, RENDERED) for p in folder.glob("report-*") if p.suffix != ".json"),
    ids=lambda path: path.name,
)
def test_extraction_fixtures_match_golden(path: Path) -> None:
    """The same reports as DOCX (Word merged cells), PDF, DOC and GBK HTML give the same record."""
    record = parse_bytes(path.read_bytes())
    assert _compared(record) == _golden(GOLDEN / f"seed-{path.name[7:10]}.json")


def test_seed_quirks_are_reported() -> None:
    """The shifted row of 威海 and the 8-cell rows of 聊城 are read, and said to be unusual."""
    weihai = parse_bytes((SEEDS / SEED_FILES["威海"]).read_bytes())
    assert any("parent's line" in warning for warning in weihai["warnings"])
    assert weihai["review_litigation"]["review"] == [None] * 5
    assert weihai["checks"]["review_litigation.total"]["status"] == "pass"  # the litigation rows add up
    boshan = parse_bytes((SEEDS / SEED_FILES["博山"]).read_bytes())
    assert boshan["checks"]["signed_date.after_period"]["status"] == "fail"  # signed 2023-01-17 for 2023
