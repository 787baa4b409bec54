"""One report as a page: identity, tables 二, 三 and 四 laid out as the report prints them, checks, files.

Everything here is plain data for the Jinja template (which escapes every value): each table is a list
of rows, each row a list of cells with their text, span and marks (inferred from the table's arithmetic;
named by a failed check).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from parsers import form  # the report form's own rows, labels, columns and merged cells
from parsers.checks import (
    absent_rows,
    flagged_cells,  # (row, column) of every cell a failed check names
)
from parsers.report import Failure, ReportRecord

#: What each check tests, in Chinese and English (report-fields.md).
CHECK_LABELS = {
    "applications.balance": (
        "本年新收 + 上年结转 = 办理结果总计 + 结转下年度（每列）· received + carried in = processed + carried out"
    ),
    "applications.total_processed": "（七）总计 = 各项办理结果之和 · total processed = sum of the results",
    "applications.column_total": "总计列 = 六类申请人之和（每行）· 总计 column = sum of the six applicant columns",
    "review_litigation.total": "表四 总计 = 前四项之和 · table 四 总计 = sum of the first four",
    "signed_date.after_period": "成文日期晚于报告年度结束 · signed after the covered year ends",
    "title.year": "标题中的年份 = 报告年度 · the title's year is the covered year",
    "cross_year.carry_over": "本年上年结转 = 上年报告结转下年度 · carried in = last year's carried out",
    "cross_year.in_force": "上年现行有效 + 本年制发 − 本年废止 = 本年现行有效 · documents in force add up across years",
    "tables.complete": "表二、三、四均有数值 · tables 二, 三 and 四 are printed with numbers",
}
STATUS_LABELS = {
    "pass": "通过 pass",
    "fail": "未通过 fail",
    "skip": "跳过 skip",
    "incomplete": "不完整 incomplete",
    "not_a_report": "非年报 not_a_report",
}


@dataclass
class Cell:
    text: str
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    inferred: bool = False
    failed: bool = False
    column: str | None = None  # the column label of a value cell


@dataclass
class Table:
    title: str
    header: list[list[Cell]]
    rows: list[list[Cell]] = field(default_factory=list)
    source: int | None = None  # the document its values came from (the report's most complete file)


def _value_cells(table: str, key: str, values: list[Any] | None, columns: tuple[str, ...], record: ReportRecord):
    inferred = set(record.get("inferred") or [])
    flagged = flagged_cells(record)
    cells = []
    for index, column in enumerate(columns):
        value = None if values is None else values[index]
        cells.append(
            Cell(
                "—" if value is None else _number(value),
                inferred=f"{table}.{key}[{index}]" in inferred,
                failed=(key, column) in flagged,
                column=column,
            )
        )
    return cells


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def applications_table(record: ReportRecord) -> Table | None:
    """Table 三, rows labelled as printed: 一、二, 三、本年度办理结果 with its groups (三)–(六), 四."""
    rows = record.get("applications")
    if not rows:
        return None
    columns = form.TABLE3_COLUMNS
    organisations = columns[form.TABLE3_ORGANISATIONS]
    header = [
        [Cell("", header=True, colspan=3, rowspan=3), Cell(form.TABLE3_APPLICANTS_HEADER, header=True, colspan=7)],
        [
            Cell(columns[0], header=True, rowspan=2),
            Cell(form.TABLE3_ORGANISATIONS_HEADER, header=True, colspan=len(organisations)),
            Cell(columns[-1], header=True, rowspan=2),
        ],
        [Cell(name, header=True) for name in organisations],
    ]
    absent = absent_rows(record)
    printed = form.table3_rows("2019" if absent else "2021")
    under_results = [row for row in printed if row.key in form.RESULT_KEYS or row.key == "total_processed"]
    table = Table(form.TABLE3_TITLE, header)
    for row in printed:
        labels: list[Cell] = []
        if row is under_results[0]:
            labels.append(Cell(form.TABLE3_RESULTS_LABEL, header=True, rowspan=len(under_results)))
        if row not in under_results:
            labels.append(Cell(row.label, header=True, colspan=3))
        elif row.group is None:
            labels.append(Cell(row.label, header=True, colspan=2))
        else:
            members = [other for other in printed if other.group == row.group]
            if row is members[0]:
                labels.append(Cell(form.TABLE3_GROUPS[row.group], header=True, rowspan=len(members)))
            labels.append(Cell(row.label, header=True))
        table.rows.append(labels + _value_cells("applications", row.key, rows.get(row.key), columns, record))
    return table


def review_table(record: ReportRecord) -> Table | None:
    """Table 四: 行政复议 and the two kinds of 行政诉讼, five columns each, in one row as printed."""
    rows = record.get("review_litigation")
    if not rows:
        return None
    columns = form.TABLE4_COLUMNS
    review, *litigation = form.TABLE4_ROWS
    header = [
        [
            Cell(review.label, header=True, colspan=len(columns)),
            Cell(form.TABLE4_GROUPS["litigation"], header=True, colspan=len(columns) * len(litigation)),
        ],
        [Cell(name, header=True, rowspan=2) for name in columns]
        + [Cell(row.label, header=True, colspan=len(columns)) for row in litigation],
        [Cell(name, header=True) for name in columns * len(litigation)],
    ]
    values: list[Cell] = []
    for row in form.TABLE4_ROWS:
        values += _value_cells("review_litigation", row.key, rows.get(row.key), columns, record)
    return Table(form.TABLE4_TITLE, header, [values])


def disclosure_table(record: ReportRecord) -> Table | None:
    """Table 二 as printed: each section's 第二十条 item, its header row (信息内容 and the columns), its rows."""
    active = record.get("active_disclosure")
    if not active:
        return None
    table_format = record.get("format")
    if table_format not in form.TABLE2:
        table = Table(form.TABLE2_TITLE, [[Cell(form.TABLE2_LABEL_HEADER, header=True), Cell("数量", header=True)]])
        for key, value in active.items():
            shown = ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value
            table.rows.append([Cell(key, header=True), Cell("—" if shown is None else str(shown))])
        return table
    failed = {failure["where"] for failure in _failures(record)}
    width = max(len(section.columns) for section in form.TABLE2[table_format])
    table = Table(form.TABLE2_TITLE, [])
    for section in form.TABLE2[table_format]:
        spans = _spans(len(section.columns), width)
        table.rows.append([Cell(section.article, header=True, colspan=width + 1)])
        table.rows.append(
            [Cell(form.TABLE2_LABEL_HEADER, header=True)]
            + [
                Cell(column.printed, header=True, colspan=span)
                for column, span in zip(section.columns, spans, strict=True)
            ]
        )
        for row in section.rows:
            value = active.get(row.key)
            cells = [Cell(row.label, header=True)]
            if section.scalar:
                cells.append(Cell(_shown(value), colspan=width, failed=row.key in failed))
            else:
                got = value if isinstance(value, dict) else {}
                cells += [
                    Cell(_shown(got.get(key)), colspan=span, failed=f"{row.key}.{key}" in failed)
                    for key, span in zip(section.record_columns(), spans, strict=True)
                ]
            table.rows.append(cells)
    return table


def _spans(columns: int, width: int) -> list[int]:
    """Column spans that share ``width`` grid columns among a section's ``columns`` (the last takes the rest)."""
    span = width // columns
    return [span] * (columns - 1) + [width - span * (columns - 1)]


def _shown(value: Any) -> str:
    return "—" if value is None else _number(value)


def _failures(record: ReportRecord) -> list[Failure]:
    return [failure for check in (record.get("checks") or {}).values() for failure in check.get("failures") or []]


def checks(record: ReportRecord) -> list[dict[str, Any]]:
    """Every check with its status, description and, for a failure, both sides of each broken equation."""
    return [
        {
            "name": name,
            "label": CHECK_LABELS.get(name, name),
            "status": check["status"],
            "status_label": STATUS_LABELS.get(check["status"], check["status"]),
            "failures": check.get("failures") or [],
            "missing": check.get("missing") or [],
        }
        for name, check in (record.get("checks") or {}).items()
    ]


def link_target(url: str) -> str | None:
    """The URL as a link target, only for web addresses (never ``javascript:`` or ``file:``)."""
    return url if url.startswith(("http://", "https://")) else None


def context(report: dict[str, Any]) -> dict[str, Any]:
    """What the template shows for a report (``archive.reports.get_report``'s answer)."""
    record: ReportRecord | None = report.get("record")
    fields: Mapping[str, Any] = record or {}  # a report not parsed yet has no record: every field blank
    failed_where = {failure["where"] for failure in _failures(record)} if record else set()
    region = fields.get("region") or {}
    identity = [
        ("机关 agency", report["agency"], False),
        ("年度 year", report["year"], "year" in failed_where),
        ("省 province", report["province"] or region.get("province"), False),
        ("市 city", report["city"] or region.get("city"), False),
        ("县区 county", report["county"] or region.get("county"), False),
        ("表格格式 format", report["format"], False),
        ("成文日期 signed", fields.get("signed_date"), "signed_date" in failed_where),
    ]
    tables = [disclosure_table(record), applications_table(record), review_table(record)] if record else []
    sources = fields.get("sources") or {}
    for table, key in zip(tables, ("active_disclosure", "applications", "review_litigation"), strict=True):
        if table is not None:
            table.source = sources.get(key)
    check_rows = checks(record) if record else []
    return {
        "report": report,
        "identity": [(label, "—" if value is None else value, failed) for label, value, failed in identity],
        "portal_urls": [(url, link_target(url)) for url in fields.get("portal_urls") or []],
        "tables": [table for table in tables if table is not None],
        "checks": check_rows,
        "failed_count": sum(1 for check in check_rows if check["status"] == "fail"),
        "status": fields.get("status"),
        "status_label": STATUS_LABELS.get(fields.get("status") or "", fields.get("status")),
        "missing_tables": ((fields.get("checks") or {}).get("tables.complete") or {}).get("missing") or [],
        "record_warnings": fields.get("warnings") or [],
        "not_a_report": bool(fields.get("not_a_report")),
        "has_record": bool(record),
        "several_files": len(report["files"]) > 1,
        "sightings": [{**s, "href": link_target(s["url"])} for s in report["sightings"]],
    }
