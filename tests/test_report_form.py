"""The report form (parsers/form.py) is the one home of the tables' rows, labels and columns: the JSON schema
users validate against, the record's types, the parser, the renderers and the test layouts all agree with it."""

from __future__ import annotations

import json
import random
import re
import typing
from pathlib import Path

import pytest

from cli.render import render_record
from parsers import form
from parsers.record import parse_bytes
from parsers.report import ReportRecord
from replica.layouts import Quirks, random_record, render_html, render_text
from testkit.layouts import random_active, render_t2_text
from web.report_page import applications_table, disclosure_table, review_table

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text())
PROPERTIES = SCHEMA["properties"]


def _table2_schemas() -> dict[str, dict[str, typing.Any]]:
    return {option["title"].removeprefix("format "): option for option in PROPERTIES["active_disclosure"]["oneOf"][1:]}


def test_schema_table3_and_table4_are_the_forms_rows_and_columns() -> None:
    for name, rows, columns in (
        ("applications", form.TABLE3_ROWS, form.TABLE3_COLUMNS),
        ("review_litigation", form.TABLE4_ROWS, form.TABLE4_COLUMNS),
    ):
        table = PROPERTIES[name]
        assert table["required"] == [row.key for row in rows]
        assert table["additionalProperties"] is False
        for row in rows:
            cell = table["properties"][row.key]
            assert cell["minItems"] == cell["maxItems"] == len(columns)
            assert cell["items"]["type"] == ["integer", "null"]


@pytest.mark.parametrize("table_format", form.FORMATS)
def test_schema_table2_is_the_forms_sections(table_format: str) -> None:
    schema = _table2_schemas()[table_format]
    assert schema["required"] == [row.key for _, row in form.table2_rows(table_format)]
    for section, row in form.table2_rows(table_format):
        value = schema["properties"][row.key]
        if section.scalar:
            expected = "number" if section.columns[0].money else "integer"
            assert value["type"] == [expected, "null"]
        else:
            assert value["required"] == list(section.record_columns())
            for key, column in zip(section.record_columns(), section.columns, strict=True):
                assert value["properties"][key]["type"] == ["number" if column.money else "integer", "null"]


def test_record_type_names_every_schema_field() -> None:
    keys = typing.get_type_hints(ReportRecord).keys()
    assert set(PROPERTIES) <= keys
    assert set(SCHEMA["required"]) <= set(ReportRecord.__required_keys__)


def test_groups_and_results_follow_the_printed_order() -> None:
    keys = form.T3_KEYS
    for group, members in form.GROUPS.items():
        assert members, group
        first = keys.index(members[0])
        assert keys[first : first + len(members)] == members  # a merged label covers consecutive rows
    assert keys[keys.index("granted") : keys.index("total_processed")] == form.RESULT_KEYS
    assert form.table3_rows("2019")[-3].label == form.TABLE3_GROUPS["other"]  # 2019: (六) is one row
    assert [row.key for row in form.table3_rows("2019")] == [k for k in keys if k not in form.SPLIT_OTHER]


def test_parser_reads_the_forms_own_labels_in_every_text_layout() -> None:
    """A report printed with exactly the form's wording comes back value for value."""
    record = random_record(random.Random(7))
    for layout in ("tabs", "pipes", "markdown"):
        parsed = parse_bytes(render_text(record, layout, Quirks()).encode())
        assert parsed["applications"] == record["applications"], layout
        assert parsed["review_litigation"] == record["review_litigation"], layout


@pytest.mark.parametrize("table_format", form.FORMATS)
def test_parser_reads_table2_by_the_forms_columns(table_format: str) -> None:
    active = random_active(random.Random(3), table_format)
    text = render_t2_text(random_record(random.Random(3)), active, table_format, "tabs", Quirks(), "header_wan")
    assert parse_bytes(text.encode())["active_disclosure"] == active


def test_terminal_and_web_show_the_forms_labels() -> None:
    record = parse_bytes(render_html(random_record(random.Random(5)), Quirks()))
    text = render_record(record)
    page_labels = {
        cell.text
        for table in (disclosure_table(record), applications_table(record), review_table(record))
        if table is not None
        for row in [*table.header, *table.rows]
        for cell in row
        if cell.header
    }
    for row in form.TABLE3_ROWS:
        assert row.label in page_labels
        assert re.sub(r"（[^）]*）$", "", row.label)[:10] in text
    for row in form.TABLE4_ROWS:
        assert row.label in page_labels and row.label in text
    for section, row in form.table2_rows("2021"):
        assert row.label in page_labels and row.label in text
        assert section.article in page_labels
        assert all(column.printed in page_labels for column in section.columns)
    assert {*form.TABLE3_COLUMNS, *form.TABLE4_COLUMNS} <= page_labels
