"""One report as a page: identity, tables 二, 三 and 四 laid out as the report prints them, checks, files.

Everything here is plain data for the Jinja template (which escapes every value): each table is a list
of rows, each row a list of cells with their text, span and marks (inferred from the table's arithmetic;
named by a failed check).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parsers.checks import COLUMNS_T3, COLUMNS_T4, absent_rows
from parsers.layouts import T3_GROUPS, T3_LABELS  # the report's own row labels
from parsers.render import flagged_cells  # (row, column) of every cell a failed check names

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
_APPLICANTS = COLUMNS_T3[1:6]  # 法人或其他组织: the five organisation columns


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


def _value_cells(table: str, key: str, values: list[Any] | None, columns: list[str], record: dict[str, Any]):
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


def applications_table(record: dict[str, Any]) -> Table | None:
    """Table 三, rows labelled as printed: 一、二, 三、本年度办理结果 with its groups (三)–(六), 四."""
    rows = record.get("applications")
    if not rows:
        return None
    header = [
        [Cell("", header=True, colspan=3, rowspan=3), Cell("申请人情况", header=True, colspan=7)],
        [
            Cell(COLUMNS_T3[0], header=True, rowspan=2),
            Cell("法人或其他组织", header=True, colspan=5),
            Cell(COLUMNS_T3[6], header=True, rowspan=2),
        ],
        [Cell(name, header=True) for name in _APPLICANTS],
    ]
    absent = absent_rows(record)
    keys = [key for key in T3_LABELS if key not in absent]
    result_keys = keys[2:-1]
    table = Table("三、收到和处理政府信息公开申请情况", header)
    for key in keys:
        group, label = T3_LABELS[key]
        if key == "other_other" and absent:
            group, label = None, "（六）其他处理"
        labels: list[Cell] = []
        if key == result_keys[0]:
            labels.append(Cell("三、本年度办理结果", header=True, rowspan=len(result_keys)))
        if key in result_keys:
            if group is None:
                labels.append(Cell(label, header=True, colspan=2))
            else:
                members = [k for k in result_keys if T3_LABELS[k][0] == group]
                if key == members[0]:
                    labels.append(Cell(T3_GROUPS[group], header=True, rowspan=len(members)))
                labels.append(Cell(label, header=True))
        else:
            labels.append(Cell(label, header=True, colspan=3))
        table.rows.append(labels + _value_cells("applications", key, rows.get(key), COLUMNS_T3, record))
    return table


def review_table(record: dict[str, Any]) -> Table | None:
    """Table 四: 行政复议 and the two kinds of 行政诉讼, five columns each, in one row as printed."""
    rows = record.get("review_litigation")
    if not rows:
        return None
    header = [
        [Cell("行政复议", header=True, colspan=5), Cell("行政诉讼", header=True, colspan=10)],
        [Cell(name, header=True, rowspan=2) for name in COLUMNS_T4]
        + [Cell("未经复议直接起诉", header=True, colspan=5), Cell("复议后起诉", header=True, colspan=5)],
        [Cell(name, header=True) for name in COLUMNS_T4 * 2],
    ]
    values: list[Cell] = []
    for key in ("review", "litigation_direct", "litigation_after_review"):
        values += _value_cells("review_litigation", key, rows.get(key), COLUMNS_T4, record)
    return Table("四、政府信息公开行政复议、行政诉讼情况", header, [values])


_DOCUMENT_ROWS = {"regulations": "规章", "normative_documents": "行政规范性文件"}
_DECISION_ROWS = {"licensing": "行政许可", "punishment": "行政处罚", "coercion": "行政强制"}


def disclosure_table(record: dict[str, Any]) -> Table | None:
    """Table 二 of the 2021 format as printed (other formats: one labelled row per value)."""
    active = record.get("active_disclosure")
    if not active:
        return None
    title = "二、主动公开政府信息情况"
    if record.get("format") != "2021":
        table = Table(title, [[Cell("信息内容", header=True), Cell("数量", header=True)]])
        for key, value in active.items():
            shown = ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value
            table.rows.append([Cell(key, header=True), Cell("—" if shown is None else str(shown))])
        return table
    failed = {failure["where"] for failure in _failures(record)}
    table = Table(
        title,
        [
            [Cell("信息内容", header=True)]
            + [Cell(c, header=True) for c in ("本年制发件数", "本年废止件数", "现行有效件数")]
        ],
    )
    for key, label in _DOCUMENT_ROWS.items():
        counts = active.get(key) or {}
        table.rows.append(
            [Cell(label, header=True)]
            + [
                Cell(_shown(counts.get(name)), failed=name == "in_force" and f"{key}.in_force" in failed)
                for name in ("issued", "repealed", "in_force")
            ]
        )
    table.rows.append([Cell("信息内容", header=True), Cell("本年处理决定数量", header=True, colspan=3)])
    for key, label in _DECISION_ROWS.items():
        table.rows.append([Cell(label, header=True), Cell(_shown(active.get(key)), colspan=3)])
    table.rows.append([Cell("信息内容", header=True), Cell("本年收费金额（单位：万元）", header=True, colspan=3)])
    table.rows.append([Cell("行政事业性收费", header=True), Cell(_shown(active.get("fees_10k_yuan")), colspan=3)])
    return table


def _shown(value: Any) -> str:
    return "—" if value is None else _number(value)


def _failures(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [failure for check in (record.get("checks") or {}).values() for failure in check.get("failures") or []]


def checks(record: dict[str, Any]) -> list[dict[str, Any]]:
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
    record = report.get("record") or {}
    failed_where = {failure["where"] for failure in _failures(record)}
    region = record.get("region") or {}
    identity = [
        ("机关 agency", report["agency"], False),
        ("年度 year", report["year"], "year" in failed_where),
        ("省 province", report["province"] or region.get("province"), False),
        ("市 city", report["city"] or region.get("city"), False),
        ("县区 county", report["county"] or region.get("county"), False),
        ("表格格式 format", report["format"], False),
        ("成文日期 signed", record.get("signed_date"), "signed_date" in failed_where),
    ]
    tables = [disclosure_table(record), applications_table(record), review_table(record)]
    sources = record.get("sources") or {}
    for table, key in zip(tables, ("active_disclosure", "applications", "review_litigation"), strict=True):
        if table is not None:
            table.source = sources.get(key)
    check_rows = checks(record)
    return {
        "report": report,
        "identity": [(label, "—" if value is None else value, failed) for label, value, failed in identity],
        "portal_urls": [(url, link_target(url)) for url in record.get("portal_urls") or []],
        "tables": [table for table in tables if table is not None],
        "checks": check_rows,
        "failed_count": sum(1 for check in check_rows if check["status"] == "fail"),
        "status": record.get("status"),
        "status_label": STATUS_LABELS.get(record.get("status") or "", record.get("status")),
        "missing_tables": ((record.get("checks") or {}).get("tables.complete") or {}).get("missing") or [],
        "record_warnings": record.get("warnings") or [],
        "not_a_report": bool(record.get("not_a_report")),
        "has_record": bool(record),
        "several_files": len(report["files"]) > 1,
        "sightings": [{**s, "href": link_target(s["url"])} for s in report["sightings"]],
    }
