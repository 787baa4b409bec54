"""Exporting the archive as tables for analysis (``nianbao export``): which reports, which rows, which file.

Four tables, each with a fixed set of columns (``fields``) whatever the reports selected:

* ``reports`` — one row per report (never per file: a report's HTML page and its PDF are one row): its
  identity, status and failed checks, table 二's values (the columns of both table formats: a report fills
  those of its own), the 总计 column of every row of table 三 and of table 四;
* ``cells`` — long form, one row per cell of tables 二, 三 and 四 of each report, labelled in Chinese as the
  form prints it (``parsers.form``), with the file the table came from and whether the value was inferred;
* ``checks`` — one row per consistency check of each report (its report-level record's checks);
* ``sightings`` — one row per place a file of each report was seen.

The values are the report-level records' (``archive.records.report_record``). A blank is None (null, an
empty cell), never 0. The writers (``write``) turn rows into CSV (UTF-8 with a BOM by default, so that
Excel reads Chinese), JSON Lines, Parquet (pyarrow) or XLSX (openpyxl), with English column keys or the
Chinese headers.

Reports are selected by the search module's query and filters (``archive.search``: status included).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

import sqlite_utils

from archive import records, search
from parsers import form
from parsers.document import SHORT_TYPES
from parsers.report import ReportRecord

WHATS = ("reports", "cells", "checks", "sightings")
FORMATS = ("csv", "jsonl", "parquet", "xlsx")
#: Formats that write a binary file (never to a terminal or a pipe).
BINARY_FORMATS = ("parquet", "xlsx")
#: File name endings that name a format (``-o reports.parquet``).
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".xlsx": "xlsx"}
#: An XLSX sheet's row limit, the header row included.
XLSX_MAX_ROWS = 1_048_576
PARQUET_BATCH_ROWS = 50_000

Kind = Literal["int", "float", "str", "bool"]
Row = list[Any]


class ExportError(ValueError):
    """The export cannot be written as asked (too many rows for a sheet…); the message says why."""


@dataclass(frozen=True)
class Field:
    """One column of an exported table: its English key, its Chinese header, the kind of its values."""

    key: str
    chinese: str
    kind: Kind = "str"


# -- which reports --------------------------------------------------------------------------------------------


def select_reports(db: sqlite_utils.Database, query: str | None, filters: search.Filters) -> list[int]:
    """The ids of the reports matching ``query`` (the search query language; None or blank: every report)
    and ``filters``, in id order (an export lists reports as the archive numbers them). Raises
    ``archive.search.QueryError`` for a query with nothing to search."""
    return sorted(search.matching_report_ids(db, query, filters))


# -- the columns ----------------------------------------------------------------------------------------------


def _table_name(title: str) -> str:
    """表二, 表三, 表四 from the form's table titles (二、主动公开政府信息情况 …)."""
    return "表" + title[0]


T2, T3, T4 = _table_name(form.TABLE2_TITLE), _table_name(form.TABLE3_TITLE), _table_name(form.TABLE4_TITLE)
T3_TOTAL = len(form.TABLE3_COLUMNS) - 1  # the last column, 总计
T4_TOTAL = len(form.TABLE4_COLUMNS) - 1


def _t3_label(row: form.FormRow) -> str:
    """A table 三 row's label with its merged parent's: （三）不予公开 1.属于国家秘密."""
    return f"{form.TABLE3_GROUPS[row.group]} {row.label}" if row.group else row.label


def _t4_label(row: form.FormRow) -> str:
    """A table 四 row's label with its merged parent's: 行政诉讼 复议后起诉."""
    return f"{form.TABLE4_GROUPS[row.group]} {row.label}" if row.group else row.label


def _column_label(column: form.Column) -> str:
    """A table 二 column's header, with the unit the record keeps money in (万元)."""
    return column.printed if column.unit_printed or not column.money else f"{column.header}（万元）"


@dataclass(frozen=True)
class _T2Cell:
    """Where a table 二 value of one format stands in the record: row, column key (None: a bare value)."""

    table_format: str
    row: form.FormRow
    index: int
    column: form.Column
    key: str | None

    @property
    def field(self) -> Field:
        name = f"t2_{self.row.key}" if self.key is None else f"t2_{self.row.key}_{self.key}"
        table = T2 if self.table_format == form.FORMATS[0] else f"{T2}（{self.table_format}年格式）"
        return Field(name, f"{table} {self.row.label} {_column_label(self.column)}", _number_kind(self.column))

    def value(self, disclosure: Any) -> Any:
        value = disclosure.get(self.row.key) if isinstance(disclosure, dict) else None
        if self.key is None:
            return None if isinstance(value, dict) else value
        return value.get(self.key) if isinstance(value, dict) else None


def _number_kind(column: form.Column) -> Kind:
    return "float" if column.money else "int"


def _t2_cells(table_format: str) -> list[_T2Cell]:
    """Table 二's cells of one format, in print order."""
    cells = []
    for section, row in form.table2_rows(table_format):
        keys: Sequence[str | None] = [None] if section.scalar else section.record_columns()
        for index, (column, key) in enumerate(zip(section.columns, keys, strict=True)):
            cells.append(_T2Cell(table_format, row, index, column, key))
    return cells


#: Table 二's columns of the reports table: the current form's, then the 2019 form's.
_T2_COLUMNS = [cell for table_format in form.FORMATS for cell in _t2_cells(table_format)]

_IDENTITY = [
    Field("report_id", "报告编号", "int"),
    Field("title", "标题"),
    Field("agency", "机关"),
    Field("year", "年度", "int"),
    Field("province", "省"),
    Field("city", "市"),
    Field("county", "县（区）"),
    Field("format", "表格格式"),
]
FIELDS: dict[str, list[Field]] = {
    "reports": [
        *_IDENTITY,
        Field("signed_date", "落款日期"),
        Field("status", "状态"),
        Field("failed_checks", "未通过的检查"),
        Field("files", "文件数", "int"),
        Field("document_id", "主文件编号", "int"),
        Field("url", "网址"),
        *(cell.field for cell in _T2_COLUMNS),
        *(
            Field(f"t3_{row.key}_total", f"{T3} {_t3_label(row)} {form.TABLE3_COLUMNS[T3_TOTAL]}", "int")
            for row in form.TABLE3_ROWS
        ),
        *(
            Field(f"t4_{row.key}_total", f"{T4} {_t4_label(row)} {form.TABLE4_COLUMNS[T4_TOTAL]}", "int")
            for row in form.TABLE4_ROWS
        ),
    ],
    "cells": [
        Field("report_id", "报告编号", "int"),
        Field("agency", "机关"),
        Field("year", "年度", "int"),
        Field("format", "表格格式"),
        Field("table", "表"),
        Field("row", "行"),
        Field("row_label", "行名称"),
        Field("col", "列", "int"),
        Field("column_label", "列名称"),
        Field("value", "数值", "float"),
        Field("inferred", "推算所得", "bool"),
        Field("document_id", "来源文件编号", "int"),
    ],
    "checks": [
        Field("report_id", "报告编号", "int"),
        Field("agency", "机关"),
        Field("year", "年度", "int"),
        Field("check", "检查"),
        Field("status", "结果"),
        Field("checked", "已检查", "int"),
        Field("skipped", "已跳过", "int"),
        Field("failures", "不符处数", "int"),
        Field("details", "详情"),
    ],
    "sightings": [
        Field("report_id", "报告编号", "int"),
        Field("document_id", "文件编号", "int"),
        Field("type", "文件类型"),
        Field("size", "字节数", "int"),
        Field("sha256", "SHA-256"),
        Field("url", "网址"),
        Field("final_url", "最终网址"),
        Field("found_on", "所在页面"),
        Field("seen_at", "发现时间"),
        Field("http_status", "HTTP状态码", "int"),
        Field("run_id", "运行编号", "int"),
    ],
}


def fields(what: str) -> list[Field]:
    """The columns of one exported table (``WHATS``)."""
    return FIELDS[what]


# -- the rows -------------------------------------------------------------------------------------------------


@dataclass
class _Report:
    id: int
    record: ReportRecord | None
    document_id: int
    title: str | None
    agency: str | None
    year: int | None
    province: str | None
    city: str | None
    county: str | None
    format: str | None
    status: str
    files: int
    url: str | None

    @property
    def identity(self) -> Row:
        return [self.id, self.title, self.agency, self.year, self.province, self.city, self.county, self.format]


def _report(db: sqlite_utils.Database, report_id: int, with_record: bool = True) -> _Report:
    """A report's identity as search shows it (its primary file's, which the filters match), its status and
    its report-level record."""
    row = db.execute(
        """SELECT r.primary_document_id, d.title, d.agency, d.year, d.province, d.city, d.county, d.format,
                  coalesce(x.status, 'unparsed'),
                  (SELECT count(*) FROM documents f WHERE f.report_id = r.id),
                  (SELECT s.url FROM sightings s WHERE s.document_id = d.id ORDER BY s.id LIMIT 1)
           FROM reports r JOIN documents d ON d.id = r.primary_document_id
           LEFT JOIN report_records x ON x.report_id = r.id WHERE r.id = ?""",
        [report_id],
    ).fetchone()
    record = records.report_record(db, report_id) if with_record else None
    return _Report(report_id, record, *row)


def _failed_checks(record: ReportRecord | None) -> str | None:
    checks = (record.get("checks") if record else None) or {}
    names = [name for name, check in checks.items() if check["status"] == "fail"]
    return ", ".join(names) or None


def _total(rows: Any, key: str, index: int) -> Any:
    values = (rows or {}).get(key)
    return values[index] if values and index < len(values) else None


def _report_rows(report: _Report) -> Iterator[Row]:
    record = report.record
    disclosure = record.get("active_disclosure") if record else None
    table_format = record.get("format") if record else None
    applications = record.get("applications") if record else None
    review = record.get("review_litigation") if record else None
    yield [
        *report.identity,
        record.get("signed_date") if record else None,
        report.status,
        _failed_checks(record),
        report.files,
        report.document_id,
        report.url,
        *(cell.value(disclosure) if cell.table_format == table_format else None for cell in _T2_COLUMNS),
        *(_total(applications, row.key, T3_TOTAL) for row in form.TABLE3_ROWS),
        *(_total(review, row.key, T4_TOTAL) for row in form.TABLE4_ROWS),
    ]


def _cell_rows(report: _Report) -> Iterator[Row]:
    """Every cell of the report's tables as the form of its format prints them; a table the report lacks
    has no cells, a row it leaves out (and nothing fixes) has blank ones."""
    record = report.record
    if record is None:
        return
    table_format = record.get("format")
    sources = record.get("sources") or {}
    inferred = set(record.get("inferred") or [])
    head = [report.id, report.agency, report.year, report.format]

    def cell(table: str, row: form.FormRow, label: str, index: int, column: str, value: Any) -> Row:
        flag = f"{table}.{row.key}[{index}]" in inferred
        return [*head, table, row.key, label, index, column, value, flag, sources.get(table)]

    disclosure = record.get("active_disclosure")
    if disclosure is not None and table_format in form.FORMATS:
        for t2 in _t2_cells(table_format):
            label = _column_label(t2.column)
            yield cell("active_disclosure", t2.row, t2.row.label, t2.index, label, t2.value(disclosure))
    applications = record.get("applications")
    if applications is not None:
        for row in form.table3_rows(table_format):
            values = applications.get(row.key) or [None] * len(form.TABLE3_COLUMNS)
            for index, (column, value) in enumerate(zip(form.TABLE3_COLUMNS, values, strict=False)):
                yield cell("applications", row, _t3_label(row), index, column, value)
    review = record.get("review_litigation")
    if review is not None:
        for row in form.TABLE4_ROWS:
            values = review.get(row.key) or [None] * len(form.TABLE4_COLUMNS)
            for index, (column, value) in enumerate(zip(form.TABLE4_COLUMNS, values, strict=False)):
                yield cell("review_litigation", row, _t4_label(row), index, column, value)


def _check_details(check: dict[str, Any]) -> str | None:
    parts = [f"{failure['where']}: {failure['left']} ≠ {failure['right']}" for failure in check.get("failures") or []]
    if check.get("missing"):
        parts.append("missing or blank: " + ", ".join(check["missing"]))
    return "; ".join(parts) or None


def _check_rows(report: _Report) -> Iterator[Row]:
    checks: dict[str, Any] = dict((report.record.get("checks") if report.record else None) or {})
    for name, check in checks.items():
        failures = check.get("failures")
        yield [
            report.id,
            report.agency,
            report.year,
            name,
            check["status"],
            check.get("checked"),
            check.get("skipped"),
            len(failures) if failures is not None else (1 if check["status"] == "fail" else 0),
            _check_details(check),
        ]


def _sighting_rows(db: sqlite_utils.Database, report_id: int) -> Iterator[Row]:
    for document_id, media_type, size, sha256, *rest in db.execute(
        """SELECT d.id, d.media_type, d.size, d.sha256, s.url, s.final_url, s.found_on, s.seen_at,
                  s.http_status, s.run_id
           FROM documents d JOIN sightings s ON s.document_id = d.id WHERE d.report_id = ? ORDER BY d.id, s.id""",
        [report_id],
    ):
        yield [report_id, document_id, SHORT_TYPES.get(media_type, media_type), size, sha256, *rest]


def rows(db: sqlite_utils.Database, what: str, report_ids: Iterable[int]) -> Iterator[Row]:
    """The rows of one exported table (``WHATS``) for the reports ``report_ids``, in that order; each row's
    values line up with ``fields(what)``."""
    for report_id in report_ids:
        if what == "sightings":
            yield from _sighting_rows(db, report_id)
            continue
        report = _report(db, report_id)
        if what == "reports":
            yield from _report_rows(report)
        elif what == "cells":
            yield from _cell_rows(report)
        elif what == "checks":
            yield from _check_rows(report)
        else:
            raise ValueError(f"unknown table {what!r}: one of {', '.join(WHATS)}")


# -- the writers ----------------------------------------------------------------------------------------------


def headers(columns: Sequence[Field], chinese: bool = False) -> list[str]:
    return [column.chinese if chinese else column.key for column in columns]


def write(
    out: BinaryIO,
    to: str,
    columns: Sequence[Field],
    make_rows: Callable[[], Iterable[Row]],
    *,
    chinese_headers: bool = False,
    bom: bool = True,
    sheet: str = "export",
) -> int:
    """Write the rows ``make_rows()`` gives to ``out`` as ``to`` (``FORMATS``); the number of rows written.

    ``make_rows`` may be called again: Parquet's column types are fixed before the first row, so a count
    column found holding a fraction (a misprint) is written again as a float column. Parquet and XLSX need a
    seekable ``out`` (a file). Raises ``ExportError`` when the rows do not fit the format."""
    names = headers(columns, chinese_headers)
    if to == "csv":
        return _write_csv(out, names, make_rows(), bom)
    if to == "jsonl":
        return _write_jsonl(out, names, make_rows())
    if to == "parquet":
        return _write_parquet(out, names, columns, make_rows)
    if to == "xlsx":
        return _write_xlsx(out, names, make_rows(), sheet)
    raise ExportError(f"unknown format {to!r}: one of {', '.join(FORMATS)}")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _write_csv(out: BinaryIO, names: list[str], rows: Iterable[Row], bom: bool) -> int:
    """RFC 4180 CSV (CRLF line ends, quotes where needed), UTF-8 with a byte-order mark unless ``bom`` is
    false: without it Excel reads UTF-8 as the local code page and shows Chinese as mojibake."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if bom else "utf-8", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow(names)
        count = 0
        for row in rows:
            writer.writerow([_csv_value(value) for value in row])
            count += 1
        text.flush()
    finally:
        text.detach()  # leave ``out`` open: it may be stdout
    return count


def _write_jsonl(out: BinaryIO, names: list[str], rows: Iterable[Row]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False).encode() + b"\n")
        count += 1
    out.flush()
    return count


class _Fraction(Exception):
    """A count column holds a number with a fraction: Parquet must write it as a float column."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _whole(value: Any, index: int) -> Any:
    if isinstance(value, float):
        if not value.is_integer():
            raise _Fraction(index)
        return int(value)
    return value


def _write_parquet(
    out: BinaryIO, names: list[str], columns: Sequence[Field], make_rows: Callable[[], Iterable[Row]]
) -> int:
    kinds = [column.kind for column in columns]
    while True:
        out.seek(0)
        out.truncate()
        try:
            return _write_parquet_once(out, names, columns, kinds, make_rows())
        except _Fraction as fraction:
            kinds[fraction.index] = "float"


def _write_parquet_once(
    out: BinaryIO, names: list[str], columns: Sequence[Field], kinds: list[Kind], rows: Iterable[Row]
) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_()}
    schema = pa.schema(
        [
            pa.field(name, types[kind], metadata={"key": column.key, "label": column.chinese})
            for name, kind, column in zip(names, kinds, columns, strict=True)
        ]
    )
    whole = [index for index, kind in enumerate(kinds) if kind == "int"]
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[Row] = []

        def flush() -> None:
            if batch:
                arrays = [pa.array([row[i] for row in batch], type=schema.field(i).type) for i in range(len(names))]
                writer.write_batch(pa.record_batch(arrays, schema=schema))
                batch.clear()

        for row in rows:
            if whole:
                row = list(row)
                for index in whole:
                    row[index] = _whole(row[index], index)
            batch.append(row)
            count += 1
            if len(batch) >= PARQUET_BATCH_ROWS:
                flush()
        flush()
    return count


def _write_xlsx(out: BinaryIO, names: list[str], rows: Iterable[Row], sheet: str) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet)
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in names:
        cell = WriteOnlyCell(worksheet, value=name)
        cell.font = bold
        header.append(cell)
    worksheet.append(header)

    def value(item: Any) -> Any:
        if not isinstance(item, str):
            return item
        item = ILLEGAL_CHARACTERS_RE.sub("", item)  # control characters a sheet cannot hold
        if item.startswith("="):  # text, never a formula
            cell = WriteOnlyCell(worksheet, value=item)
            cell.data_type = "s"
            return cell
        return item

    count = 0
    try:
        for row in rows:
            count += 1
            if count >= XLSX_MAX_ROWS:
                raise ExportError(
                    f"an XLSX sheet holds at most {XLSX_MAX_ROWS - 1:,} rows below its header and this export has "
                    "more: write CSV or Parquet, or select fewer reports"
                )
            worksheet.append([value(item) for item in row])
    except BaseException:
        worksheet.close()  # end the sheet's stream (a temporary file), or it fails when collected
        raise
    book.save(out)
    return count
