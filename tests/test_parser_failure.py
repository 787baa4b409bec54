"""A parser bug costs no document and hides nothing: the document is archived without a record, and the
parser's exception (its type and message) is in the document's warnings, where `nianbao show` lists it."""

from __future__ import annotations

import hashlib
import json

import pytest

from intake import records
from intake.ingest import Job, analyse
from parsers.document import ExtractedDocument
from tests.conftest import SEEDS


def _broken_parser(extracted: ExtractedDocument) -> None:
    raise ValueError("table 三 row 3 has 8 cells, the form 7")


def test_a_parser_exception_keeps_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "parse", _broken_parser)
    data = sorted(SEEDS.glob("*.txt"))[0].read_bytes()
    analysis = analyse(Job(data, None, {}, ocr=False, sha256=hashlib.sha256(data).hexdigest()))
    assert analysis.record is None
    warnings = json.loads(str(analysis.columns["warnings"]))
    assert "parser failed: ValueError: table 三 row 3 has 8 cells, the form 7" in warnings
    assert analysis.columns["text"]  # the text is kept: the report stays searchable


def test_a_working_parser_adds_no_warning() -> None:
    data = sorted(SEEDS.glob("*.txt"))[0].read_bytes()
    analysis = analyse(Job(data, None, {}, ocr=False, sha256=hashlib.sha256(data).hexdigest()))
    assert analysis.record is not None
    assert not any(
        warning.startswith(records.PARSER_FAILED) for warning in json.loads(str(analysis.columns["warnings"]))
    )


def test_memory_errors_are_not_parser_bugs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The document's memory ceiling (intake/bounded.py) fails the document, not just its record."""

    def exhausted(extracted: ExtractedDocument) -> None:
        raise MemoryError

    monkeypatch.setattr(records, "parse", exhausted)
    with pytest.raises(MemoryError):
        records.parse_safely(ExtractedDocument(text="x", media_type="text/plain"))
