"""Tables 三 and 四 from every text layout real reports come in: ``|``-separated tables, blank rows, prose that
names table rows, printed negatives and group subtotals, and row labels with typos.

Where each ``|`` shape was seen: tests/fixtures/parse_layouts/README.md. The generated layouts (replica/layouts.py)
are compared value by value with the truth: a printed cell must be read exactly, a blank one is null or what the
table's own arithmetic fixes, and nothing is ever invented.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.cells import text_rows
from parsers.form import SPLIT_OTHER as SPLIT_OTHER_KEYS
from parsers.form import T3_KEYS
from parsers.infer import infer
from replica.layouts import PARENT_STYLES, T3_LABELS, TEXT_LAYOUTS, Quirks, random_record, render_text
from testkit.layouts import typo
from testkit.records import parse_bytes
from tests.conftest import FIXTURES
from tests.test_parse_properties import CELLS, assert_parsed

LAYOUTS = FIXTURES / "parse_layouts"
EXPECTED = json.loads((LAYOUTS / "expected.json").read_text(encoding="utf-8"))
PIPE_LAYOUTS = ("pipes", "markdown", "pipe_cells", "pipe_between")
#: Every row of table 三 blank: what a row left empty prints.
ROW = range(7)


def _parse(text: str) -> dict[str, Any]:
    return parse_bytes(text.encode("utf-8"))


@pytest.mark.parametrize("name", sorted(path.name for path in LAYOUTS.glob("*.txt")))
def test_real_pipe_shapes_parse_exactly(name: str) -> None:
    record = _parse((LAYOUTS / name).read_text(encoding="utf-8"))
    assert record["format"] == "2021"
    assert record["applications"] == EXPECTED["applications"]
    assert record["review_litigation"] == EXPECTED["review_litigation"]
    assert record["active_disclosure"] == EXPECTED["active_disclosure"]
    assert all(check["status"] != "fail" for check in record["checks"].values())


def test_a_blank_last_row_is_fixed_by_the_balance_and_table_four_is_kept() -> None:
    """龙岗's shape with 四、结转下年度继续办理 left empty: the balance rule gives it back, marked inferred."""
    record = _parse((LAYOUTS / "lg-pipes-2024.txt").read_text(encoding="utf-8"))
    assert record["inferred"] == [f"applications.carried_over_out[{column}]" for column in ROW]
    assert record["review_litigation"]["review"] == [1, 0, 0, 1, 2]


def test_a_rows_first_value_on_its_label_line_and_the_rest_as_lone_bars() -> None:
    """A 区发改局 2020 page: ``一、本年新收政府信息公开申请数量 | 25 |``, four lone ``|`` lines, ``| 25 |``: one
    row (自然人 25, five blanks, 总计 25), not a row of one value and a row of blanks."""
    record = _parse((LAYOUTS / "partial" / "value-on-label-line-2020.txt").read_text(encoding="utf-8"))
    applications = record["applications"]
    printed = {key: (applications[key][0], applications[key][6]) for key in ("new_received", "granted")}
    assert printed == {"new_received": (12, 12), "granted": (9, 9)}
    assert applications["partially_granted"][0] == 3 and applications["carried_over_in"][6] == 0
    assert "applications.new_received[0]" not in record["inferred"]


def test_cells_one_per_line_join_their_label_but_a_sentence_takes_no_number() -> None:
    text = "行政处罚\n\n30\n\n行政强制\n\n0\n\n本年新收申请较上年有所增加。\n\n3\n"
    rows = [(row.labels, row.values) for row in text_rows(text)]
    assert rows[:2] == [(["行政处罚"], ["30"]), (["行政强制"], ["0"])]
    assert (["本年新收申请较上年有所增加。"], []) in rows  # the sentence's row has no value


def test_table_four_is_read_when_nothing_tells_the_form() -> None:
    """A 2020 report (either form) whose text holds table 四 only (a flipbook's page of it: 文登区 2020 and
    2022 pages at 180.76.149.248:88/book/…): table 四 is the same in both forms, so it is read; the form
    stays unknown."""
    table4 = (LAYOUTS / "lg-pipes-2024.txt").read_text(encoding="utf-8").split("四、政府信息公开行政复议")[1]
    text = "某区审计局2020年政府信息公开工作年度报告\n四、政府信息公开行政复议" + table4
    record = _parse(text)
    assert record["format"] is None and record["applications"] is None
    assert record["review_litigation"] == EXPECTED["review_litigation"]


def test_a_blank_cell_printed_as_a_lone_bar_is_blank() -> None:
    """汉阳's shape: an empty cell is a lone ``|`` line; its column's total fixes it."""
    record = _parse((LAYOUTS / "hanyang-pipe-cells-2022.txt").read_text(encoding="utf-8"))
    assert record["inferred"] == ["applications.unavailable_unclear_after_correction[0]"]


def test_a_row_that_lost_its_blank_positions_stays_blank() -> None:
    """岳阳南湖's shape: a seven-column row printing two numbers and its blanks as a run of bars at the end.
    Which columns hold 58 and 66 is lost: the row is not read, and the warning says so."""
    text = (LAYOUTS / "hanyang-pipe-cells-2022.txt").read_text(encoding="utf-8")
    row = "一、本年新收政府信息公开申请数量 |\n58 |\n7 |\n0 |\n0 |\n1 |\n0 |\n66 | ||"
    assert row in text
    record = _parse(text.replace(row, "一、本年新收政府信息公开申请数量 |\n58 |\n66 |\n|||||||"))
    assert any(w.startswith("new_received:") and w.endswith("for 7 columns; left blank") for w in record["warnings"])
    new = record["applications"]["new_received"]
    assert new == EXPECTED["applications"]["new_received"]  # given back by the balance rule, not by position
    assert {f"applications.new_received[{column}]" for column in ROW} <= set(record["inferred"])


def _fixed_record(seed: int = 5) -> dict[str, Any]:
    return random_record(random.Random(seed))


@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
def test_blank_total_and_last_row_never_swallow_table_four(layout: str) -> None:
    """(七)总计 and 四、结转下年度继续办理 both left empty: table 三 stops at table 四's header, table 四's
    总计 column is not read as (七)总计, and table 四 is read whole."""
    truth = _fixed_record()
    blanks = frozenset((key, column) for key in ("total_processed", "carried_over_out") for column in ROW)
    record = _parse(render_text(truth, layout, Quirks(blanks=blanks)))
    assert record["review_litigation"] == truth["review_litigation"]
    for key in ("total_processed", "carried_over_out"):
        assert record["applications"][key] in (None, truth["applications"][key])
    assert_parsed(record, truth, Quirks(blanks=blanks))


@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
def test_a_sentence_naming_new_applications_neither_starts_table_three_nor_hides_table_two(layout: str) -> None:
    truth = _fixed_record(9)
    record = _parse(render_text(truth, layout, Quirks(prose=True)))
    assert record["active_disclosure"] == truth["active_disclosure"]
    assert record["applications"] == truth["applications"]


def test_a_label_like_line_of_prose_does_not_start_table_three() -> None:
    """PDF text can set a sentence's words apart like cells: 本年新收政府信息公开申请数量 12件."""
    truth = _fixed_record(9)
    text = render_text(truth, "spaces", Quirks())
    intro = "一、总体情况\n本年新收政府信息公开申请数量 12件\n本机关均按期答复。\n"
    record = _parse(text.replace("二、主动公开政府信息情况", intro + "二、主动公开政府信息情况", 1))
    assert record["active_disclosure"] == truth["active_disclosure"]
    assert record["applications"] == truth["applications"]


LIAOCHENG_T3 = """某县科学技术局2022年政府信息公开工作年度报告
本报告中所列数据统计期限自2022年1月1日起至2022年12月31日止。
二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t0\t0\t0
行政规范性文件\t1\t0\t3
三、收到和处理政府信息公开申请情况
\t申请人情况
\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计
一、本年新收政府信息公开申请数量\t5\t1\t0\t0\t0\t0\t6
二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0
三、本年度办理结果\t（一）予以公开\t3\t1\t0\t0\t0\t0\t4
三、本年度办理结果\t（二）部分公开\t1\t0\t0\t0\t0\t0\t1
三、本年度办理结果\t（三）不予公开\t0\t0\t0\t0\t0\t0\t0
三、本年度办理结果\t（四）无法提供\t1.本机关不掌握相关政府信息\t1\t0\t0\t0\t0\t0\t1
三、本年度办理结果\t（四）无法提供\t2.没有现成信息需要另行制作\t0\t0\t0\t0\t0\t0\t0
三、本年度办理结果\t（四）无法提供\t3.补正后申请内容仍不明确\t0\t0\t0\t0\t0\t0\t0
三、本年度办理结果\t（五）不予处理\t0\t0\t0\t0\t0\t0\t0
{other}
三、本年度办理结果\t（七）总计\t5\t1\t0\t0\t0\t0\t6
四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0
四、政府信息公开行政复议、行政诉讼情况
行政复议\t行政诉讼
结果维持\t结果纠正\t其他结果\t尚未审结\t总计
0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0
"""
SPLIT_OTHER = (
    "三、本年度办理结果\t（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0\n"
    "三、本年度办理结果\t（六）其他处理\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0\n"
    "三、本年度办理结果\t（六）其他处理\t3.其他\t0\t0\t0\t0\t0\t0\t0"
)


def test_a_printed_zero_group_total_makes_its_unprinted_rows_zero_marked_inferred() -> None:
    """(三)不予公开 and (五)不予处理 printed as one row of zeros, their rows left out."""
    record = _parse(LIAOCHENG_T3.format(other=SPLIT_OTHER))
    applications = record["applications"]
    for key in T3_KEYS:
        if key.startswith(("denied_", "refused_")):
            assert applications[key] == [0] * 7, key
            assert all(f"applications.{key}[{column}]" in record["inferred"] for column in ROW)
    assert record["checks"]["applications.total_processed"]["status"] == "pass"


def test_a_nonzero_group_total_fixes_only_what_it_fixes() -> None:
    """(三)不予公开 printed as 1 in 自然人, its eight rows left out: which row holds the 1 is not printed, so
    that column stays blank; the columns where the subtotal is 0 are 0."""
    text = LIAOCHENG_T3.format(other=SPLIT_OTHER)
    text = text.replace("（二）部分公开\t1\t0\t0\t0\t0\t0\t1", "（二）部分公开\t0\t0\t0\t0\t0\t0\t0")
    text = text.replace("（三）不予公开\t0\t0\t0\t0\t0\t0\t0", "（三）不予公开\t1\t0\t0\t0\t0\t0\t1")
    record = _parse(text)
    for key in T3_KEYS:
        if key.startswith("denied_"):
            assert record["applications"][key] == [None, 0, 0, 0, 0, 0, None], key
    assert record["checks"]["applications.total_processed"]["status"] != "fail"


def test_other_printed_as_one_row_in_a_2021_table_goes_to_other_other() -> None:
    """report-fields.md: the single (六) row is 3.其他; the two rows the table does not have stay null."""
    single = "三、本年度办理结果\t（六）其他处理\t0\t0\t0\t0\t0\t0\t0"
    record = _parse(LIAOCHENG_T3.format(other=single))
    assert record["format"] == "2021"
    applications = record["applications"]
    assert applications["other_other"] == [0] * 7
    assert applications["other_overdue_correction"] is applications["other_overdue_fee"] is None
    assert record["checks"]["applications.total_processed"]["status"] == "pass"


def test_a_printed_negative_is_a_warning_not_a_count() -> None:
    text = LIAOCHENG_T3.format(other=SPLIT_OTHER).replace("（一）予以公开\t3\t1", "（一）予以公开\t-3\t1")
    record = _parse(text)
    assert any("-3 printed; a count is never negative" in warning for warning in record["warnings"])
    assert record["applications"]["granted"][0] in (None, 3)  # blank, or given back by the column's total
    values = [
        v for table in ("applications", "review_litigation") for row in record[table].values() if row for v in row
    ]
    assert all(value is None or value >= 0 for value in values)


def test_inference_never_makes_a_negative() -> None:
    """A total of 5 whose printed terms already make 9: the blank term is not -4, it stays blank; and a
    negative that slipped into a row fixes nothing."""
    rows: dict[str, list[int | float | None] | None] = {"total": [5], "a": [9], "b": [None]}
    assert infer(rows, [([("total", 0)], [("a", 0), ("b", 0)])], 1) == []
    assert rows["b"] == [None]
    rows = {"total": [5], "a": [-1], "b": [None]}
    assert infer(rows, [([("total", 0)], [("a", 0), ("b", 0)])], 1) == []


@pytest.mark.parametrize(
    ("printed", "key"),
    [
        ("一、本年新受政府信息公开申请数量", "new_received"),  # a wrong character
        ("二、上年结转政府信息公开申请数", "carried_over_in"),  # a missing one
        ("（一）予已公开", "granted"),
        ("（二）部份公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
        ("四、结转下年度继续力理", "carried_over_out"),
        ("3.其它", "other_other"),  # the variant spelling of 其他
    ],
)
def test_labels_one_character_off_are_read(printed: str, key: str) -> None:
    truth = _fixed_record(3)
    label = T3_LABELS[key][1]
    text = render_text(truth, "tabs", Quirks()).replace(label, printed)
    record = _parse(text)
    assert record["applications"][key] == truth["applications"][key]
    assert all(check["status"] != "fail" for check in record["checks"].values())


def test_a_typo_two_rows_would_share_is_read_for_neither() -> None:
    """Two rows one character off the same label: neither is guessed, nothing is invented."""
    truth = _fixed_record(3)
    text = render_text(truth, "tabs_leaf", Quirks())
    text = text.replace("2.重复申请", "2.重复申诸").replace("3.要求提供公开出版物", "3.重复申讨")
    record = _parse(text)
    for key in ("refused_duplicate", "refused_publication"):
        got, want = record["applications"][key] or [None] * 7, truth["applications"][key]
        assert all(value in (None, right) for value, right in zip(got, want, strict=True))  # 0 where both are 0
    assert any("label typo shared by another row" in warning for warning in record["warnings"])


def test_an_unreadable_leaf_behind_its_parent_is_not_the_parent() -> None:
    """A leaf label too far off to read, printed after its group's label: its values are not taken as the
    group's subtotal (nor as the row printed before it), so nothing is invented."""
    truth = _fixed_record(3)
    text = render_text(truth, "tabs", Quirks()).replace("1.属于国家秘密", "1.国秘")
    record = _parse(text)
    for key, values in record["applications"].items():
        assert all(v in (None, t) for v, t in zip(values or [None] * 7, truth["applications"][key], strict=True))


@pytest.mark.parametrize("layout", ["tabs", "pipes"])
def test_blank_split_other_rows_are_unknown_not_absent(layout: str) -> None:
    """(六)'s two new rows printed with every cell blank are not the 2019 form's one-row (六): taking them as
    absent dropped them from the column equations, and a blank cell above them got an invented value."""
    truth = _fixed_record(1)
    blanks = {(key, column) for key in SPLIT_OTHER_KEYS for column in range(7)} | {("refused_publication", 0)}
    record = _parse(render_text(truth, layout, Quirks(blanks=frozenset(blanks))))
    for key, values in record["applications"].items():
        assert all(v in (None, t) for v, t in zip(values or [None] * 7, truth["applications"][key], strict=True)), key
    assert record["applications"]["other_overdue_fee"] is not None  # a printed row, not an absent one


def _interleaved(label: str) -> str:
    """A two-line cell read as one line beside a taller glyph: after the numbering, the characters of the two
    lines alternate (其他法律行政 / 法规禁止公开 → 其法他规法禁律止行公政开)."""
    number = len(label) - len(label.lstrip("0123456789."))
    words = label[number:]
    half = (len(words) + 1) // 2
    first, second = words[:half], words[half:]
    return label[:number] + "".join(a + b for a, b in zip(first, second, strict=False)) + first[len(second) :]


@pytest.mark.parametrize("layout", ["tabs", "spaces"])
def test_a_label_whose_two_lines_were_interleaved_is_read(layout: str) -> None:
    """Every character of the form's label in another order still names its row, when no other row has the
    same characters; nothing else is read differently."""
    truth = _fixed_record(4)
    keys = ["denied_prohibited_by_law", "unavailable_needs_creation", "refused_confirmation"]
    typos = {key: _interleaved(T3_LABELS[key][1]) for key in keys}
    assert all(typos[key] != T3_LABELS[key][1] for key in keys)
    record = _parse(render_text(truth, layout, Quirks(typos=typos)))
    assert record["applications"] == truth["applications"]


@st.composite
def quirky(draw: st.DrawFn, layout: str) -> tuple[dict[str, Any], Quirks]:
    """A consistent table set printed with blank cells, blank rows (often the last one), typos in row labels,
    merged labels in every style, zero marks and digit forms, and sometimes the prose sentence."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    truth = random_record(rng)
    blanks: set[tuple[str, int]] = set()
    if layout != "spaces":  # PDF text loses blank cells: only whole blank rows are tested there
        blanks |= {(key, column) for _, key, column in rng.sample(CELLS, draw(st.sampled_from([0, 1, 3, 12])))}
    blank_rows = rng.sample(T3_KEYS, draw(st.sampled_from([0, 1, 2])))
    if draw(st.booleans()):
        blank_rows.append("carried_over_out")
    blanks |= {(key, column) for key in blank_rows for column in ROW}
    typos = {key: typo(T3_LABELS[key][1], rng) for key in rng.sample(T3_KEYS, draw(st.sampled_from([0, 1, 3])))}
    quirks = Quirks(
        blanks=frozenset(blanks),
        zero_mark=draw(st.sampled_from(["0", "—", "/", "无", "-"])),
        full_width=draw(st.booleans()),
        thousands=draw(st.booleans()),
        parents=draw(st.sampled_from(PARENT_STYLES)),
        typos=typos,
        prose=draw(st.booleans()),
    )
    return truth, quirks


@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
def test_every_text_layout_parses_back(layout: str) -> None:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(case=quirky(layout))
    def check(case: tuple[dict[str, Any], Quirks]) -> None:
        truth, quirks = case
        assert_parsed(_parse(render_text(truth, layout, quirks)), truth, quirks)

    check()


def measure(layout: str, reports: int, seed: int = 2024) -> Counter[str]:
    """Value-by-value counts over ``reports`` generated reports: printed cells read right, blank cells left
    null or filled right, values that differ from the truth (invented), nulls where a value was printed."""
    counts: Counter[str] = Counter()
    rng = random.Random(seed)
    for _ in range(reports):
        truth = random_record(rng)
        blanks = {(key, column) for _, key, column in rng.sample(CELLS, rng.choice([0, 1, 3, 12]))}
        if layout == "spaces":
            blanks = set()
        for key in [*rng.sample(T3_KEYS, rng.choice([0, 1, 2])), *(["carried_over_out"] * rng.randint(0, 1))]:
            blanks |= {(key, column) for column in ROW}
        typos = {key: typo(T3_LABELS[key][1], rng) for key in rng.sample(T3_KEYS, rng.choice([0, 1, 3]))}
        style = rng.choice(PARENT_STYLES)
        quirks = Quirks(
            frozenset(blanks), rng.choice(["0", "—", "/"]), parents=style, typos=typos, prose=rng.random() < 0.5
        )
        record = _parse(render_text(truth, layout, quirks))
        for table, key, column in CELLS:
            got = ((record[table] or {}).get(key) or [None] * 7)[column]
            want = truth[table][key][column]
            blank = (key, column) in quirks.blanks
            counts["cells"] += 1
            counts["printed"] += not blank
            if got is None:
                counts["null explained by a blank" if blank else "null unexplained"] += 1
            elif got != want:
                counts["invented"] += 1
            else:
                counts["right (blank filled by arithmetic)" if blank else "right"] += 1
    return counts


@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
def test_accuracy_per_layout(layout: str) -> None:
    """The done-when figures: ≥ 99.5% of printed values right, none invented, every null a blank cell."""
    counts = measure(layout, reports=12)
    print(layout, dict(counts))  # the per-layout figures, shown with -s
    assert counts["right"] / counts["printed"] >= 0.995
    assert counts["invented"] == 0
    assert counts["null unexplained"] == 0
