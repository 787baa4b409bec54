"""`nianbao export` (issue 13 item 2): every table in every format, read back and compared with the golden
records; the search filters; one row per report; blanks never 0; Chinese headers Excel can read.

The archive: the five seed reports, the 威海 report a second time as DOCX (one report, two files), and a
2019-format report (武汉, ``parse_table2``: table 二's 2019 columns, a negative change, an amount in 万元 with a
fraction, and no tables 三 and 四: ``incomplete``).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import sqlite_utils
from click.testing import CliRunner, Result

from archive import export, records
from archive.db import connect
from cli.export_commands import export_command
from cli.main import cli
from parsers import form
from parsers.record import parse_bytes
from tests.conftest import FIXTURES, RENDERED, SEEDS

GOLDEN = FIXTURES / "parse"
WEIHAI_DOCX = RENDERED / "report-004.docx"
WUHAN = FIXTURES / "parse_table2" / "wuhan-2020-format2019-trailing.html"

Rows = list[dict[str, Any]]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "archive.db"
    result = CliRunner().invoke(cli, ["--db", str(path), "import", str(SEEDS), str(WEIHAI_DOCX), str(WUHAN)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def db(archive: Path) -> sqlite_utils.Database:
    return connect(archive)


@pytest.fixture(scope="module")
def titles(db: sqlite_utils.Database) -> dict[int, str]:
    """Report id → title (of its primary file)."""
    sql = "SELECT r.id, d.title FROM reports r JOIN documents d ON d.id = r.primary_document_id"
    return dict(db.execute(sql).fetchall())


@pytest.fixture(scope="module")
def references() -> dict[str, dict[str, Any]]:
    """The records the export must show, by title: the hand-labelled golden records of the seeds, and the
    parser's record of the 2019-format page (no golden file)."""
    golden = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(GOLDEN.glob("seed-*.json"))]
    return {record["title"]: record for record in [*golden, parse_bytes(WUHAN.read_bytes())]}


def run(archive: Path, *args: str, expect: int = 0) -> Result:
    """``nianbao --db ARCHIVE export ARGS`` (the command object itself: cli/main.py registers it)."""
    result = CliRunner().invoke(export_command, list(args), obj=str(archive), catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result


def read_back(path: Path, to: str, what: str) -> Rows:
    """An exported file as rows of Python values, the way an analyst's tools read it."""
    if to == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if to == "parquet":
        return pq.read_table(path).to_pylist()
    if to == "xlsx":
        sheet = openpyxl.load_workbook(path)[what]
        header, *body = sheet.iter_rows(values_only=True)
        return [dict(zip(header, values, strict=True)) for values in body]
    kinds = {field.key: field.kind for field in export.fields(what)}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{key: _typed(value, kinds[key]) for key, value in row.items()} for row in csv.DictReader(handle)]


def _typed(text: str, kind: str) -> Any:
    if text == "":
        return None
    if kind == "bool":
        return {"true": True, "false": False}[text]
    if kind == "int":
        return int(text)
    return float(text) if kind == "float" else text


def _t2_values(disclosure: dict[str, Any] | None) -> dict[str, Any]:
    """Table 二 of a record as the reports table's columns."""
    out = {}
    for key, value in (disclosure or {}).items():
        if isinstance(value, dict):
            out.update({f"t2_{key}_{column}": item for column, item in value.items()})
        else:
            out[f"t2_{key}"] = value
    return out


def _total(table: dict[str, Any] | None, key: str) -> Any:
    values = (table or {}).get(key)
    return values[-1] if values else None


# -- every table in every format, compared with the golden records ---------------------------------------------


@pytest.mark.parametrize("to", export.FORMATS)
def test_reports_match_the_golden_records(archive: Path, tmp_path: Path, to: str, references: dict[str, Any]) -> None:
    out = tmp_path / f"reports.{to}"
    result = run(archive, "-o", str(out))
    assert "wrote 6 row(s) of reports for 6 report(s)" in result.stderr
    rows = read_back(out, to, "reports")
    assert [row["report_id"] for row in rows] == [1, 2, 3, 4, 5, 6]  # one row per report, 威海's two files too
    assert list(rows[0]) == [field.key for field in export.fields("reports")]
    for row in rows:
        ref = references[row["title"]]
        region = ref["region"] or {}
        identity = {key: row[key] for key in ("agency", "year", "format", "signed_date", "province", "city", "county")}
        assert identity == {
            **{key: ref[key] for key in ("agency", "year", "format", "signed_date")},
            **{key: region.get(key) for key in ("province", "city", "county")},
        }
        t2 = {key: value for key, value in row.items() if key.startswith("t2_") and value is not None}
        assert t2 == {key: value for key, value in _t2_values(ref["active_disclosure"]).items() if value is not None}
        for table, prefix in (("applications", "t3"), ("review_litigation", "t4")):
            keys = form.T3_KEYS if prefix == "t3" else form.T4_KEYS
            assert {key: row[f"{prefix}_{key}_total"] for key in keys} == {key: _total(ref[table], key) for key in keys}
    by_title = {row["title"][:2]: row for row in rows}
    assert by_title["威海"]["files"] == 2 and by_title["聊城"]["files"] == 1
    assert by_title["威海"]["t4_review_total"] is None  # blank in the report: never 0
    assert by_title["聊城"]["t2_fees_10k_yuan"] == 12872.06
    assert (by_title["博山"]["status"], by_title["博山"]["failed_checks"]) == ("fail", "signed_date.after_period")
    assert (by_title["曲阜"]["status"], by_title["曲阜"]["failed_checks"]) == ("pass", None)
    wuhan = by_title["武汉"]
    assert (wuhan["status"], wuhan["t2_licensing_change"], wuhan["t2_procurement_amount_10k_yuan"]) == (
        "incomplete",
        -5,
        25.1,
    )
    assert wuhan["t2_fees_previous"] is None and wuhan["t3_new_received_total"] is None


@pytest.mark.parametrize("to", export.FORMATS)
def test_cells_match_the_golden_records(
    archive: Path,
    tmp_path: Path,
    to: str,
    db: sqlite_utils.Database,
    titles: dict[int, str],
    references: dict[str, Any],
) -> None:
    out = tmp_path / f"cells.{to}"
    run(archive, "--what", "cells", "-o", str(out))
    rows = read_back(out, to, "cells")
    seen: dict[int, int] = {}
    for row in rows:
        ref = references[titles[row["report_id"]]]
        report = records.report_record(db, row["report_id"])
        assert report is not None
        table, key, col = row["table"], row["row"], row["col"]
        if table == "active_disclosure":
            section, form_row = next(pair for pair in form.table2_rows(ref["format"]) if pair[1].key == key)
            entry = ref[table][key]  # None: a row the report leaves out (武汉's 收费)
            value = entry if section.scalar else (entry or {}).get(section.record_columns()[col])
            assert row["row_label"] == form_row.label
        else:
            value = ref[table][key][col]
            labels = {r.key: r.label for r in form.table3_rows(ref["format"])} if table == "applications" else {}
            assert row["row_label"].endswith(labels.get(key, ""))
            columns = form.TABLE3_COLUMNS if table == "applications" else form.TABLE4_COLUMNS
            assert row["column_label"] == columns[col]
        assert row["value"] == value, (titles[row["report_id"]], table, key, col)
        assert row["inferred"] is (f"{table}.{key}[{col}]" in report["inferred"])
        assert row["document_id"] == report["sources"][table]
        assert (row["agency"], row["year"]) == (ref["agency"], ref["year"])
        seen[row["report_id"]] = seen.get(row["report_id"], 0) + 1
    t2_2021 = sum(1 if section.scalar else len(section.columns) for section, _ in form.table2_rows("2021"))
    t2_2019 = sum(len(section.columns) for section, _ in form.table2_rows("2019"))
    tables_3_4 = len(form.TABLE3_ROWS) * len(form.TABLE3_COLUMNS) + len(form.TABLE4_ROWS) * len(form.TABLE4_COLUMNS)
    assert seen == {1: t2_2021 + tables_3_4, 2: t2_2021 + tables_3_4, 3: t2_2021 + tables_3_4,
                    4: t2_2021 + tables_3_4, 5: t2_2021 + tables_3_4, 6: t2_2019}  # fmt: skip
    blank = [row["value"] for row in rows if row["report_id"] == 5 and row["row"] == "review"]
    assert blank == [None] * len(form.TABLE4_COLUMNS)  # 威海's blank 行政复议 cells: null, never 0
    assert any(row["inferred"] for row in rows)  # seeds 000–002: (六)其他处理 fixed by the arithmetic


@pytest.mark.parametrize("to", export.FORMATS)
def test_checks_and_sightings(archive: Path, tmp_path: Path, to: str, db: sqlite_utils.Database) -> None:
    out = tmp_path / f"checks.{to}"
    run(archive, "--what", "checks", "-o", str(out))
    rows = read_back(out, to, "checks")
    expected = []
    for report_id in range(1, 7):
        report = records.report_record(db, report_id)
        assert report is not None
        expected += [(report_id, name, check["status"]) for name, check in report["checks"].items()]
    assert [(row["report_id"], row["check"], row["status"]) for row in rows] == expected
    failed = [row for row in rows if row["status"] == "fail"]
    assert [(row["report_id"], row["check"], row["failures"]) for row in failed] == [(3, "signed_date.after_period", 1)]
    assert failed[0]["details"] == "signed_date: 2023-01-17 ≠ after 2023-12-31"
    incomplete = next(row for row in rows if row["report_id"] == 6 and row["check"] == "tables.complete")
    assert incomplete["status"] == "incomplete" and "applications" in incomplete["details"]

    out = tmp_path / f"sightings.{to}"
    run(archive, "--what", "sightings", "-o", str(out))
    rows = read_back(out, to, "sightings")
    assert len(rows) == db.execute("SELECT count(*) FROM sightings").fetchone()[0] == 7
    weihai = [(row["document_id"], row["type"]) for row in rows if row["report_id"] == 5]
    assert weihai == [(5, "txt"), (6, "docx")]
    assert all(row["url"].startswith("file://") and len(row["sha256"]) == 64 for row in rows)


# -- selection ------------------------------------------------------------------------------------------------


def _places(archive: Path, *args: str) -> set[str]:
    output = run(archive, "--to", "jsonl", *args).stdout
    return {json.loads(line)["title"][:2] for line in output.splitlines()}


def test_filters_and_query_narrow_the_reports(archive: Path) -> None:
    assert _places(archive, "--year", "2023") == {"博山", "威海"}
    assert _places(archive, "--agency", "周口市科技局") == {"周口"}
    assert _places(archive, "--province", "河南省") == {"周口"}
    assert _places(archive, "--city", "淄博市") == {"博山"}
    assert _places(archive, "--format", "2019") == {"武汉"}
    assert _places(archive, "--type", "docx") == {"威海"}
    assert _places(archive, "--status", "fail") == {"博山"}
    assert _places(archive, "--status", "incomplete") == {"武汉"}
    assert _places(archive, "曲阜") == {"曲阜"}
    assert _places(archive, "威") == {"曲阜", "威海"}
    assert _places(archive, "复议", "--year", "2023", "--status", "pass") == {"威海"}
    assert _places(archive, "政务公开", "-微博", "--province", "山东省") <= {"聊城", "博山", "曲阜", "威海"}
    cells = run(archive, "--what", "cells", "--to", "jsonl", "--city", "淄博市").stdout.splitlines()
    assert {json.loads(line)["report_id"] for line in cells} == {3}


@pytest.mark.parametrize("to", export.FORMATS)
def test_no_match_writes_only_the_header_and_says_so(archive: Path, tmp_path: Path, to: str) -> None:
    out = tmp_path / f"none.{to}"
    result = run(archive, "--year", "1999", "-o", str(out))
    assert "no report matches" in result.stderr
    keys = [field.key for field in export.fields("reports")]
    if to == "csv":
        assert out.read_bytes() == codecs.BOM_UTF8 + (",".join(keys) + "\r\n").encode()
    elif to == "jsonl":
        assert out.read_bytes() == b""
    elif to == "parquet":
        table = pq.read_table(out)
        assert (table.num_rows, table.column_names) == (0, keys)
        assert table.schema.field("t3_new_received_total").type == pa.int64()
    else:
        sheet = openpyxl.load_workbook(out)["reports"]
        assert list(sheet.iter_rows(values_only=True)) == [tuple(keys)]


# -- CSV for Excel, pandas and R; Chinese headers --------------------------------------------------------------


def test_csv_has_a_bom_for_excel_and_numbers_read_as_numbers(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports.csv"
    run(archive, "-o", str(out), "--chinese-headers")
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    header = data[len(codecs.BOM_UTF8) :].decode().split("\r\n")[0].split(",")
    assert header == [field.chinese for field in export.fields("reports")]
    assert f"表三 {form.T3_LABELS['new_received']} 总计" in header
    assert f"表四 {form.TABLE4_GROUPS['litigation']} {form.TABLE4_ROWS[1].label} 总计" in header
    table = pacsv.read_csv(out)  # a CSV reader that infers types, as pandas and R's read.csv do
    assert table.column_names == header  # the BOM is not part of the first name
    t3 = header[[field.key for field in export.fields("reports")].index("t3_new_received_total")]
    assert table.schema.field(t3).type == pa.int64()  # numbers, not strings
    assert table.column(t3).to_pylist() == [1, 0, 0, 0, 0, None]

    plain = tmp_path / "plain.csv"
    run(archive, "-o", str(plain), "--no-bom")
    assert plain.read_bytes().startswith(b"report_id,title,")
    assert not plain.read_bytes().startswith(codecs.BOM_UTF8)


def test_stdout_and_chinese_headers_in_every_text_format(archive: Path) -> None:
    chinese = [field.chinese for field in export.fields("cells")]
    line = run(archive, "--what", "cells", "--to", "jsonl", "--chinese-headers", "曲阜").stdout.splitlines()[0]
    assert list(json.loads(line)) == chinese
    csv_out = run(archive, "--what", "cells", "曲阜").stdout_bytes
    assert csv_out.startswith(codecs.BOM_UTF8 + b"report_id,agency,")
    for what in export.WHATS:
        keys = [field.key for field in export.fields(what)]
        labels = [field.chinese for field in export.fields(what)]
        assert len(set(keys)) == len(keys) and len(set(labels)) == len(labels), what


def test_xlsx_chinese_headers(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "checks.xlsx"
    run(archive, "--what", "checks", "--status", "fail", "-o", str(out), "--chinese-headers")
    sheet = openpyxl.load_workbook(out)["checks"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(field.chinese for field in export.fields("checks"))
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert {row[0] for row in rows[1:]} == {3}


# -- wrong usage ----------------------------------------------------------------------------------------------


def test_a_missing_archive_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = run(missing, expect=2)
    assert "no archive at" in result.output
    assert not missing.exists()
    text = tmp_path / "text.db"
    text.write_text("not a database")
    assert "not a nianbao archive" in run(text, expect=2).output
    empty = tmp_path / "empty.db"
    empty.touch()
    assert "not a nianbao archive" in run(empty, expect=2).output
    assert empty.stat().st_size == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "parquet"], "give -o FILE"),
        (["--to", "xlsx"], "give -o FILE"),
        (["--to", "csv", "-o", "out.parquet"], "make them agree"),
        (["-o", "out.txt"], "cannot tell a format"),
        (["--to", "jsonl", "--no-bom"], "--no-bom is for --to csv only"),
        (["-o", "no-such-folder/out.csv"], "does not exist"),
        (["--what", "files"], "Invalid value for '--what'"),
        (["--status", "broken"], "Invalid value for '--status'"),
        (["--year", str(10**20)], "Invalid value for '--year'"),
        (['""'], "empty query"),
    ],
)
def test_wrong_usage_exits_2(archive: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(export_command, args, obj=str(archive))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not Path("out.parquet").exists() and not Path("out.txt").exists()


def test_the_archive_is_never_the_output(archive: Path) -> None:
    assert "is the archive itself" in run(archive, "--to", "csv", "-o", str(archive), expect=2).output


def test_too_many_rows_for_a_sheet_leaves_no_file(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 100)
    out = tmp_path / "cells.xlsx"
    assert "at most 99 rows" in run(archive, "--what", "cells", "-o", str(out), expect=2).output
    assert list(tmp_path.iterdir()) == []


# -- the writers ----------------------------------------------------------------------------------------------


def test_parquet_writes_a_count_with_a_fraction_as_a_float_column() -> None:
    columns = [export.Field("n", "数", "int"), export.Field("name", "名")]
    out = io.BytesIO()
    assert export.write(out, "parquet", columns, lambda: [[1, "a"], [2.5, "b"], [None, None]]) == 3
    table = pq.read_table(io.BytesIO(out.getvalue()))
    assert table.schema.field("n").type == pa.float64()
    assert table.to_pylist() == [{"n": 1, "name": "a"}, {"n": 2.5, "name": "b"}, {"n": None, "name": None}]
    out = io.BytesIO()
    export.write(out, "parquet", columns, lambda: [[3.0, "c"]])
    assert pq.read_table(io.BytesIO(out.getvalue())).schema.field("n").type == pa.int64()


def test_xlsx_keeps_text_as_text(tmp_path: Path) -> None:
    columns = [export.Field("title", "标题"), export.Field("n", "数", "int")]
    path = tmp_path / "t.xlsx"
    with path.open("wb") as handle:
        export.write(handle, "xlsx", columns, lambda: [["=1+1", 3], ["a\x01b", None]], sheet="t")
    sheet = openpyxl.load_workbook(path)["t"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [["=1+1", 3], ["ab", None]]
    assert sheet["A2"].data_type == "s"
