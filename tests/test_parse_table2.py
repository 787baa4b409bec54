"""Table 二 (主动公开政府信息情况) read by its column headers, in both column sets and every layout.

Grids repeat a merged cell in every column it spans, so a value is placed under the header it sits under,
never by its position; where that cannot be known the value is null and a warning says so. Amounts are
in 万元 unless the header or the cell prints 元. Where each shape was seen: tests/fixtures/parse_table2/README.md.
"""

from __future__ import annotations

import json
import random
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.cells import money_unit, money_unit_in_label
from parsers.record import parse_bytes
from parsers.report import ReportRecord
from replica.layouts import TEXT_LAYOUTS, Quirks, random_record
from testkit.layouts import T2_SHAPES, T2_UNITS, random_active, render_t2_docx, render_t2_html, render_t2_text
from tests.conftest import FIXTURES, HUAIAN_PDF

HERE = FIXTURES / "parse_table2"
_INTRO = "某县科学技术局2019年政府信息公开工作年度报告\n本报告中所列数据统计期限自2019年1月1日起至2019年12月31日止。\n"


def _active(record: ReportRecord) -> dict[str, Any]:
    """The record's table 二, present, as a plain dict to index."""
    active = record["active_disclosure"]
    assert active is not None
    return dict(active)


def test_huaian_pdf_merged_cells_are_read_under_their_headers() -> None:
    """The real PDF's grid repeats 行政许可's 447228 in three columns: one value, no warning."""
    record = parse_bytes(HUAIAN_PDF.read_bytes())
    golden = json.loads((FIXTURES / "real" / "huaian-2024.json").read_text(encoding="utf-8"))
    assert record["active_disclosure"] == golden["active_disclosure"]
    assert not [warning for warning in record["warnings"] if warning.startswith("active_disclosure")]


def test_2019_columns_with_trailing_blank_columns_and_long_headers() -> None:
    """武汉 2020: two blank columns at the right of every row, notes in the headers, 采购总金额 in 元."""
    record = parse_bytes((HERE / "wuhan-2020-format2019-trailing.html").read_bytes())
    assert record["format"] == "2019"
    assert record["active_disclosure"] == {
        "regulations": {"made": 0, "published": 0, "in_public": 0},
        "normative_documents": {"made": 2, "published": 2, "in_public": 19},
        "licensing": {"previous": 8, "change": -5, "decisions": 93},
        "other_services": {"previous": 117, "change": 0, "decisions": 165},
        "punishment": {"previous": 90, "change": 0, "decisions": 22},
        "coercion": {"previous": 4, "change": 4, "decisions": 0},
        "fees": None,  # headers only: nothing printed, nothing invented
        "procurement": {"items": 3, "amount_10k_yuan": 25.1},
    }


def test_misaligned_word_columns_and_a_cell_in_yuan() -> None:
    """Counts spanning 1, 2 and 3 grid columns are each read once; ``251000元`` under a 万元 header is 25.1."""
    record = parse_bytes((HERE / "word-misaligned-2021.html").read_bytes())
    assert record["active_disclosure"] == {
        "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"issued": 3, "repealed": 1, "in_force": 40},
        "licensing": 1204,
        "punishment": 17,
        "coercion": 0,
        "fees_10k_yuan": 25.1,
    }
    assert record["warnings"] == []


def test_values_are_read_by_the_header_cell_above_them() -> None:
    """3 | 3 3 | 40 40 40 under header cells spanning 1, 2 and 3 grid columns: by the values alone it could
    also be 3 3 3 | 40 | 40 40; the header's columns say which it is."""
    page = (HERE / "word-misaligned-2021.html").read_text(encoding="utf-8")
    repeated = page.replace('<td colspan="2">1</td>', '<td colspan="2">3</td>')
    record = parse_bytes(repeated.encode())
    assert _active(record)["normative_documents"] == {"issued": 3, "repealed": 3, "in_force": 40}
    assert record["warnings"] == []


def test_values_drawn_across_the_header_boundaries_are_null_with_a_warning() -> None:
    """Value cells of two columns each (3 | 3 | 40) under header cells of 1, 2 and 3 columns: a value cell
    straddles two header cells, and 3 3 40 or 3 40 40 both fit the grid: no guess."""
    page = (HERE / "word-misaligned-2021.html").read_text(encoding="utf-8")
    row = '<tr><td>行政规范性文件</td><td>3</td><td colspan="2">1</td><td colspan="3">40</td></tr>'
    straddling = '<tr><td>行政规范性文件</td><td colspan="2">3</td><td colspan="2">3</td><td colspan="2">40</td></tr>'
    assert row in page
    record = parse_bytes(page.replace(row, straddling).encode())
    assert _active(record)["normative_documents"] is None
    assert _active(record)["regulations"] == {"issued": 0, "repealed": 0, "in_force": 0}
    assert any(w.startswith("active_disclosure.normative_documents: 6 value cells") for w in record["warnings"])


def test_a_value_under_a_blank_header_cell_is_ignored_with_a_warning() -> None:
    """A grid column whose header cell is blank holds no value of the form: its 9 is not read into a
    neighbouring column."""
    page = (HERE / "word-misaligned-2021.html").read_text(encoding="utf-8")
    header, row = '<td colspan="2">本年废止件数</td>', '<tr><td>规章</td><td>0</td><td colspan="2">0</td>'
    assert page.count(header) == 1 and page.count(row) == 1
    page = page.replace(header, "<td></td><td>本年废止件数</td>")
    page = page.replace(row, "<tr><td>规章</td><td>0</td><td>9</td><td>0</td>")
    record = parse_bytes(page.encode())
    assert _active(record)["regulations"] == {"issued": 0, "repealed": 0, "in_force": 0}
    assert "active_disclosure.regulations: a value under no column header; ignored" in record["warnings"]


def _2019_text(body: str, prose: str = "") -> bytes:
    header = "第二十条第（一）项\n信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n"
    return (
        _INTRO + prose + "二、主动公开政府信息情况\n" + header + body + "三、收到和处理政府信息公开申请情况\n"
    ).encode()


def test_negative_count_is_null_but_a_negative_change_is_kept() -> None:
    body = (
        "规章\t0\t-2\t4\n第二十条第（五）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政许可\t12\t-3\t-1\n"
    )
    record = parse_bytes(_2019_text(body))
    active = _active(record)
    assert active["regulations"] == {"made": 0, "published": None, "in_public": 4}
    assert active["licensing"] == {"previous": 12, "change": -3, "decisions": None}
    assert "active_disclosure.regulations: -2 is not a count; left blank" in record["warnings"]


def test_a_change_written_as_a_word_is_signed() -> None:
    """本年增/减 printed "减4" (a 2019-format table, one cell per line with ``|``: an agency's report
    mirrored at owenbabies.com/info/2647/50496.htm) is -4, "增3" is 3; 减 in a count column is no count."""
    header = "第二十条第(五)项 |\n信息内容 |\n上一年项目数量 |\n本年增/减 |\n处理决定数量 |\n"
    body = "规章\t0\t减1\t4\n" + header + "行政许可 |\n6 |\n减4 |\n2 |\n其他对外管理服务事项 |\n1 |\n增3 |\n4 |\n"
    record = parse_bytes(_2019_text(body))
    active = _active(record)
    assert active["licensing"] == {"previous": 6, "change": -4, "decisions": 2}
    assert active["other_services"] == {"previous": 1, "change": 3, "decisions": 4}
    assert active["regulations"] == {"made": 0, "published": None, "in_public": 4}


def test_the_prose_does_not_decide_the_column_set() -> None:
    """现行有效 in a sentence before a 2019-format table does not make it format 2021."""
    prose = "一、总体情况\n本机关现行有效规范性文件9件。\n"
    record = parse_bytes(_2019_text("规章\t0\t0\t0\n规范性文件\t2\t2\t9\n", prose))
    assert record["format"] == "2019"
    assert _active(record)["normative_documents"] == {"made": 2, "published": 2, "in_public": 9}


def test_two_values_under_one_header_are_not_guessed() -> None:
    text = (
        "某局2022年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n"
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t1\t0\t11\n第二十条第（五）项\n"
        "信息内容\t本年处理决定数量\n行政许可\t5\t\t6\n"
    )
    record = parse_bytes(text.encode())
    assert _active(record)["licensing"] is None
    assert _active(record)["regulations"] == {"issued": 1, "repealed": 0, "in_force": 11}
    assert any(w.startswith("active_disclosure.licensing:") for w in record["warnings"])


@pytest.mark.parametrize(
    ("cell", "unit"), [("251000元", "元"), ("12872.06 万元", "万元"), ("25.1", None), ("", None), ("5件", None)]
)
def test_money_unit_of_a_cell(cell: str, unit: str | None) -> None:
    assert money_unit(cell) == unit


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("本年收费金额（单位：万元）", "万元"),
        ("本年收费金额（单位：万元，保留4位小数）", "万元"),
        ("本年收费金额(单位:元)", "元"),
        ("采购总金额（元）", "元"),
        ("采购总金额", None),
    ],
)
def test_money_unit_of_a_header(label: str, unit: str | None) -> None:
    assert money_unit_in_label(label) == unit


# Property tests: random table 二 of either column set, printed with blanks, zero marks, full-width digits,
# thousands separators and every unit style, in every layout; compared value by value with the truth.
def _cells(active: dict[str, Any]) -> list[tuple[str, int, str | None]]:
    """Every value of table 二 as (row key, column, column key or None for a one-value row)."""
    out: list[tuple[str, int, str | None]] = []
    for key, value in active.items():
        names = list(value) if isinstance(value, dict) else [None]
        out += [(key, column, name) for column, name in enumerate(names)]
    return out


def _get(active: dict[str, Any] | None, key: str, name: str | None) -> Any:
    value = (active or {}).get(key)
    return value if name is None else (value or {}).get(name)


@st.composite
def _printed(draw: st.DrawFn, allow_blanks: bool = True) -> tuple[dict[str, Any], dict[str, Any], str, Quirks, str]:
    rng = random.Random(draw(st.integers(0, 2**32)))
    table_format = draw(st.sampled_from(["2021", "2019"]))
    active = random_active(rng, table_format)
    cells = [(key, column) for key, column, _ in _cells(active)]
    blanks = frozenset(rng.sample(cells, draw(st.sampled_from([0, 0, 1, 3])) if allow_blanks else 0))
    quirks = Quirks(
        blanks=blanks,
        zero_mark=draw(st.sampled_from(["0", "0", "—", "/", "无", "-"])),
        full_width=draw(st.booleans()),
        thousands=draw(st.booleans()),
    )
    return random_record(rng), active, table_format, quirks, draw(st.sampled_from(T2_UNITS))


def _assert_read(record: ReportRecord, truth: dict[str, Any], table_format: str, quirks: Quirks) -> None:
    """Every printed cell is read exactly (none left null, none wrong); blanks are null (none invented)."""
    assert record["format"] == table_format
    got = cast(dict[str, Any] | None, record["active_disclosure"])
    for key, column, name in _cells(truth):
        value = _get(got, key, name)
        if (key, column) in quirks.blanks:
            assert value is None, (key, name)
        else:
            assert value == _get(truth, key, name), (key, name, record["warnings"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_printed(), layout=st.sampled_from([layout for layout in TEXT_LAYOUTS if layout != "spaces"]))
def test_text_layouts(case: tuple[dict[str, Any], dict[str, Any], str, Quirks, str], layout: str) -> None:
    record, active, table_format, quirks, unit = case
    parsed = parse_bytes(render_t2_text(record, active, table_format, layout, quirks, unit).encode())
    _assert_read(parsed, active, table_format, quirks)


@settings(max_examples=30, deadline=None)
@given(case=_printed(allow_blanks=False))
def test_pdf_text_with_spaces(case: tuple[dict[str, Any], dict[str, Any], str, Quirks, str]) -> None:
    """PDF text loses blank cells, so this layout is only tested without them."""
    record, active, table_format, quirks, unit = case
    parsed = parse_bytes(render_t2_text(record, active, table_format, "spaces", quirks, unit).encode())
    _assert_read(parsed, active, table_format, quirks)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_printed(), shape=st.sampled_from(T2_SHAPES))
def test_html_merged_cells(case: tuple[dict[str, Any], dict[str, Any], str, Quirks, str], shape: str) -> None:
    """Every shape, ``doubled`` and ``uneven`` (sections whose cells span different grid columns) included,
    is read by the header cell above each value: all printed values placed."""
    record, active, table_format, quirks, unit = case
    parsed = parse_bytes(render_t2_html(record, active, table_format, shape, quirks, unit))
    _assert_read(parsed, active, table_format, quirks)


@settings(max_examples=12, deadline=None)
@given(case=_printed(), shape=st.sampled_from(T2_SHAPES))
def test_docx_merged_cells(case: tuple[dict[str, Any], dict[str, Any], str, Quirks, str], shape: str) -> None:
    record, active, table_format, quirks, unit = case
    parsed = parse_bytes(render_t2_docx(record, active, table_format, shape, quirks, unit))
    _assert_read(parsed, active, table_format, quirks)
