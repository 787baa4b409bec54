"""Random consistent tables, printed with random blanks and quirks in many layouts, parse back.

Never a wrong number: a printed cell is read exactly; a blank cell is either fixed by the table's
arithmetic (and then equals the truth, since the tables are consistent) or null.
"""

from __future__ import annotations

import random
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.form import T3_KEYS, T4_KEYS
from parsers.record import parse_bytes
from parsers.report import ReportRecord
from replica.layouts import TEXT_LAYOUTS, Quirks, docx_to_pdf, random_record, render_docx, render_html, render_text

CELLS = [("applications", key, column) for key in T3_KEYS for column in range(7)] + [
    ("review_litigation", key, column) for key in T4_KEYS for column in range(5)
]


@st.composite
def printed(draw: st.DrawFn, allow_blanks: bool = True) -> tuple[dict[str, Any], Quirks]:
    rng = random.Random(draw(st.integers(0, 2**32)))
    truth = random_record(rng)
    count = draw(st.sampled_from([0, 0, 1, 3, 12])) if allow_blanks else 0
    blanks = frozenset((key, column) for _, key, column in rng.sample(CELLS, count))
    quirks = Quirks(
        blanks=blanks,
        zero_mark=draw(st.sampled_from(["0", "0", "—", "/", "无", "-"])),
        full_width=draw(st.booleans()),
        thousands=draw(st.booleans()),
    )
    return truth, quirks


def assert_parsed(parsed: ReportRecord | dict[str, Any], truth: dict[str, Any], quirks: Quirks) -> None:
    record = cast(dict[str, Any], parsed)  # indexed by table name below
    assert record["active_disclosure"] == truth["active_disclosure"]
    for table, key, column in CELLS:
        got = (record[table][key] or [None] * 7)[column]
        expected = truth[table][key][column]
        if (key, column) in quirks.blanks:
            assert got in (None, expected), (key, column)
        else:
            assert got == expected, (key, column, record["warnings"])
    if not quirks.blanks:
        assert all(
            record["checks"][name]["status"] == "pass" for name in ("applications.balance", "review_litigation.total")
        )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=printed(), layout=st.sampled_from([layout for layout in TEXT_LAYOUTS if layout != "spaces"]))
def test_text_layouts_parse_back(case: tuple[dict[str, Any], Quirks], layout: str) -> None:
    truth, quirks = case
    assert_parsed(parse_bytes(render_text(truth, layout, quirks).encode()), truth, quirks)


@settings(max_examples=40, deadline=None)
@given(case=printed(allow_blanks=False))
def test_pdf_text_with_spaces_parses_back(case: tuple[dict[str, Any], Quirks]) -> None:
    """PDF text loses blank cells, so this layout is only tested without them."""
    truth, quirks = case
    assert_parsed(parse_bytes(render_text(truth, "spaces", quirks).encode()), truth, quirks)


@settings(max_examples=60, deadline=None)
@given(case=printed())
def test_html_rowspan_colspan_parses_back(case: tuple[dict[str, Any], Quirks]) -> None:
    truth, quirks = case
    assert_parsed(parse_bytes(render_html(truth, quirks)), truth, quirks)


@settings(max_examples=6, deadline=None)
@given(case=printed())
def test_docx_merged_cells_parse_back(case: tuple[dict[str, Any], Quirks]) -> None:
    truth, quirks = case
    assert_parsed(parse_bytes(render_docx(truth, quirks)), truth, quirks)


@pytest.mark.slow
def test_pdf_parses_back() -> None:
    """A handful of LibreOffice PDFs (one conversion run): grids from pdfplumber, blanks kept."""
    rng = random.Random(2024)
    cases = []
    for index in range(3):
        truth = random_record(rng)
        blanks = frozenset((key, column) for _, key, column in rng.sample(CELLS, 4 * index))
        cases.append((truth, Quirks(blanks=blanks, zero_mark=["0", "—", "/"][index], thousands=index == 1)))
    pdfs = docx_to_pdf([render_docx(truth, quirks) for truth, quirks in cases])
    for (truth, quirks), pdf in zip(cases, pdfs, strict=True):
        assert_parsed(parse_bytes(pdf), truth, quirks)
