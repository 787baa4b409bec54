"""Reading the three statistics tables out of a stream of rows (parsers/cells.py), by their labels.

Labels, not positions, decide which row is which: reports drop rows, split a label over lines, repeat a
parent label on every row or leave it out, and put a row's values on its parent's line. Values are
placed only where the layout says which cell they are; anything ambiguous stays None (a wrong cell is
worse than a missing one) and is reported in ``warnings``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from parsers.cellcheck import T3_KEYS, T4_KEYS
from parsers.cells import Row, fit, number

Number = int | float
Values = list[Number | None]

# Table 三 row labels: the most specific pattern first ("不予公开" must not win over its children).
_T3_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (key, re.compile(pattern))
    for key, pattern in [
        ("carried_over_out", r"结转下年"),
        ("carried_over_in", r"上年结转"),
        ("new_received", r"新收"),
        ("partially_granted", r"部分公开"),
        ("granted", r"予以公开"),
        ("denied_state_secret", r"国家秘密"),
        ("denied_prohibited_by_law", r"禁止公开"),
        ("denied_three_safeties_one_stability", r"三安全|一稳定|危及"),
        ("denied_third_party_rights", r"第三方"),
        ("denied_internal_affairs", r"内部事务"),
        ("denied_process_info", r"过程性"),
        ("denied_enforcement_files", r"执法案卷"),
        ("denied_administrative_query", r"行政查询|查询事项"),
        ("unavailable_not_held", r"不掌握"),
        ("unavailable_needs_creation", r"另行制作|现成信息"),
        ("unavailable_unclear_after_correction", r"仍不明确|补正后"),
        ("refused_petition", r"信访|举报|投诉"),
        ("refused_duplicate", r"重复申请"),
        ("refused_publication", r"出版物"),
        ("refused_excessive", r"大量反复|反复申请"),
        ("refused_confirmation", r"确认|重新出具"),
        ("other_overdue_correction", r"不补正|逾期不"),
        ("other_overdue_fee", r"收费通知|缴纳费用|未按收费"),
        ("total_processed", r"^(\(七\)|七、|七)?总计$"),
        ("other_other", r"^(\d[.、．)]?)?其他$"),
    ]
]
# Parent rows: they print no values of their own in format 2021; their first child is where shifted values go.
PARENTS = {
    "denied": (re.compile(r"不予公开"), "denied_state_secret"),
    "unavailable": (re.compile(r"无法提供"), "unavailable_not_held"),
    "refused": (re.compile(r"不予处理"), "refused_petition"),
    "other": (re.compile(r"其他处理"), "other_overdue_correction"),
}
RESULT_KEYS = T3_KEYS[2:23]
#: The two (六) rows format 2019 (and 23-row tables) do not have.
SPLIT_OTHER = ("other_overdue_correction", "other_overdue_fee")
_T4_HEADER = re.compile(r"行政复议")
_T3_HEADER = re.compile(r"申请人情况|勾稽关系")
_T2_HEADER = re.compile(r"第二十条|信息内容")


@dataclass
class Table3:
    rows: dict[str, Values | None]
    has_split_other: bool  # (六) printed as three rows (format 2021) rather than one
    warnings: list[str] = field(default_factory=list)
    start: int = 0  # index of its first row (table 二 ends there)
    end: int = 0  # index of the row after it (table 四 is looked for from there)


def _key(label: str) -> str | None:
    for key, pattern in _T3_PATTERNS:
        if pattern.search(label):
            return key
    for parent, (pattern, _) in PARENTS.items():
        if pattern.search(label):
            return parent
    return None


def _row_key(row: Row) -> str | None:
    """The key of the most specific label cell (the last one that names a row)."""
    for label in reversed(row.labels):
        key = _key(label)
        if key is not None:
            return key
    return None


def _numbers(cells: Sequence[str | None], warnings: list[str], where: str) -> Values | None:
    try:
        return [number(cell) for cell in cells]
    except ValueError as error:
        warnings.append(f"{where}: not a number: {error}")
        return None


def _fit_t3(row: Row, has_total: bool, key: str, warnings: list[str]) -> Values | None:
    """Seven values for a table-三 row, using the row's own 总计 to settle a stray extra cell."""
    cells = fit(row.values, 7, row.grid)
    if cells is not None:
        return _numbers(cells, warnings, key)
    present = [cell for cell in row.values if cell is not None]
    if not has_total and len(row.values) >= 6 and len(present) == 6:
        six = _numbers(present, warnings, key)
        return None if six is None else [*six, None]
    if 7 < len(present) <= 9:
        numbers = _numbers(present, warnings, key)
        if numbers is not None:
            candidates = {tuple(c) for c in _drop(numbers, len(numbers) - 7) if c[6] == sum(v or 0 for v in c[:6])}
            if len(candidates) == 1:
                warnings.append(f"{key}: {len(present)} values for 7 columns; kept the only reading that adds up")
                return list(candidates.pop())
    warnings.append(f"{key}: {len(row.values)} value cells for 7 columns; left blank")
    return None


def _drop(values: Values, count: int) -> list[Values]:
    if count == 0:
        return [values]
    return [c for i in range(len(values)) for c in _drop(values[:i] + values[i + 1 :], count - 1)]


def read_table3(rows: list[Row]) -> Table3 | None:
    """Table 三 from the first row labelled 本年新收 to the row labelled 结转下年度 (or 40 rows on)."""
    start = next((i for i, row in enumerate(rows) if _row_key(row) == "new_received"), None)
    if start is None:
        return None
    header = [label for row in rows[max(0, start - 8) : start] for label in row.labels]
    has_header = any(_T3_HEADER.search(label) for label in header)
    has_total = not has_header or any("总计" in label for label in header)
    warnings: list[str] = []
    items: list[tuple[str, Values | None]] = []
    awaiting = False  # the last item is a label still waiting for its values (on the next line)
    pending = ""  # label text of rows that name nothing yet (a label broken over lines)
    end = start
    for index in range(start, min(len(rows), start + 60)):
        row, end = rows[index], index + 1
        key = _row_key(row) or (_key(pending + row.label) if pending else None)
        has_values = any(cell is not None for cell in row.values)
        if key is None:
            if has_values and items and awaiting:
                key = items.pop()[0]
            elif row.labels and not has_values:
                pending += row.label
                continue
            else:
                continue
        pending = ""
        values = _fit_t3(row, has_total, key, warnings) if has_values else None
        items.append((key, values))
        awaiting = values is None
        if key == "carried_over_out" and values is not None:
            break
    table = _assign(items, warnings)
    table.start, table.end = start, end
    return table


def _assign(items: list[tuple[str, Values | None]], warnings: list[str]) -> Table3:
    """Rows by key; a parent's values go to its first child when that child printed none (a shifted row)."""
    found: dict[str, Values | None] = {}
    keys = [key for key, _ in items]
    for position, (key, values) in enumerate(items):
        if key in PARENTS:
            if values is None:
                continue
            child = PARENTS[key][1]
            following = keys[position + 1 :]
            if key == "other" and not any(k in (*SPLIT_OTHER, "other_other") for k in following):
                key = "other_other"  # a single (六) row: format 2019 or a 23-row table
            elif following[:1] == [child] and items[position + 1][1] is None:
                warnings.append(f"{child}: values printed on its parent's line")
                key = child
            else:
                continue
        if found.get(key) is None:
            found[key] = values
        elif values is not None:
            warnings.append(f"{key}: printed twice; kept the first")
    split = any(key in found for key in SPLIT_OTHER)
    return Table3({key: found.get(key) for key in T3_KEYS}, has_split_other=split, warnings=warnings)


def read_table4(rows: list[Row], start: int) -> tuple[dict[str, Values | None], list[str]] | None:
    """Table 四: the first row of fifteen value cells after a header naming 行政复议."""
    header = next((i for i in range(start, len(rows)) if any(_T4_HEADER.search(x) for x in rows[i].labels)), None)
    if header is None:
        return None
    warnings: list[str] = []
    for row in rows[header + 1 : header + 12]:
        if len(row.values) < 10 or row.labels:
            continue
        cells = fit(row.values, 15, row.grid)
        values = None if cells is None else _numbers(cells, warnings, "review_litigation")
        if values is None:
            warnings.append(f"review_litigation: {len(row.values)} value cells for 15 columns; left blank")
            return {key: None for key in T4_KEYS}, warnings
        return {key: values[5 * i : 5 * i + 5] for i, key in enumerate(T4_KEYS)}, warnings
    return None


# Table 二: label → (key, number of values) per format.
_T2_ROWS_2021 = [
    ("regulations", r"^规章$", ("issued", "repealed", "in_force")),
    ("normative_documents", r"规范性文件", ("issued", "repealed", "in_force")),
    ("licensing", r"行政许可", None),
    ("punishment", r"行政处罚", None),
    ("coercion", r"行政强制", None),
    ("fees_10k_yuan", r"行政事业性收费", None),
]
_T2_ROWS_2019 = [
    ("regulations", r"^规章$", ("made", "published", "in_public")),
    ("normative_documents", r"规范性文件", ("made", "published", "in_public")),
    ("licensing", r"行政许可", ("previous", "change", "decisions")),
    ("other_services", r"其他对外管理服务", ("previous", "change", "decisions")),
    ("punishment", r"行政处罚", ("previous", "change", "decisions")),
    ("coercion", r"行政强制", ("previous", "change", "decisions")),
    ("fees", r"行政事业性收费", ("previous", "change")),
    ("procurement", r"政府集中采购", ("items", "amount_10k_yuan")),
]
_FORMAT_2019 = re.compile(r"本年新制作|本年新公开|对外公开总数量|上一年项目数量")
_FORMAT_2021 = re.compile(r"本年制发|本年废止|现行有效")


def table2_format(rows: list[Row], end: int) -> str | None:
    """'2021' or '2019', from table 二's column headers (before row ``end``)."""
    labels = [label for row in rows[:end] for label in row.labels]
    if any(_FORMAT_2021.search(label) for label in labels):
        return "2021"
    if any(_FORMAT_2019.search(label) for label in labels):
        return "2019"
    return None


def read_table2(rows: list[Row], end: int, table_format: str) -> tuple[dict[str, object], list[str]] | None:
    """Table 二 from its first 第二十条 header to row ``end`` (where table 三 starts)."""
    start = next((i for i, row in enumerate(rows[:end]) if any(_T2_HEADER.search(x) for x in row.labels)), None)
    if start is None:
        return None
    spec = _T2_ROWS_2021 if table_format == "2021" else _T2_ROWS_2019
    out: dict[str, object] = {key: None for key, _, _ in spec}
    warnings: list[str] = []
    for row in rows[start:end]:
        label = row.label
        if all(cell is None for cell in row.values):
            continue
        for key, pattern, columns in spec:
            if out[key] is not None or not re.search(pattern, label):
                continue
            if columns is None:
                present = [cell for cell in row.values if cell is not None]
                values = _numbers(present[:1], warnings, key) if present else None
                out[key] = values[0] if values else None
            else:
                cells = fit(row.values, len(columns), grid=False) if not row.grid else row.values[: len(columns)]
                numbers = _numbers(cells, warnings, key) if cells and len(cells) == len(columns) else None
                out[key] = dict(zip(columns, numbers or [None] * len(columns), strict=True))
            break
    if all(value is None for value in out.values()):
        return None
    return out, warnings
