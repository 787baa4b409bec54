"""Reading the three statistics tables out of a stream of rows (parsers/cells.py), by their labels.

Labels, not positions, decide which row is which: reports drop rows, split a label over lines, repeat a
parent label on every row or leave it out, and put a row's values on its parent's line. Values are
placed only where the layout says which cell they are; anything ambiguous stays None (a wrong cell is
worse than a missing one) and is reported in ``warnings``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from parsers import form
from parsers.cells import Row, fit, money_unit, money_unit_in_label, normalize, number
from parsers.form import GROUPS, SPLIT_OTHER, T3_KEYS, T4_KEYS
from parsers.report import ActiveDisclosure

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
        ("other_other", r"^(\d[.、．)]?)?其[他它]$"),
    ]
]
# Parent rows: they print no values of their own in format 2021; their first child is where shifted values go.
PARENTS = {
    "denied": (re.compile(r"不予公开"), GROUPS["denied"][0]),
    "unavailable": (re.compile(r"无法提供"), GROUPS["unavailable"][0]),
    "refused": (re.compile(r"不予处理"), GROUPS["refused"][0]),
    "other": (re.compile(r"其他处理"), GROUPS["other"][0]),
}
#: Print order of the rows and group labels: where a label sits tells which of two equally near rows it names.
_PRINTED = [
    key
    for row in form.TABLE3_ROWS
    for key in ([row.group] if row.group and GROUPS[row.group][0] == row.key else []) + [row.key]
]
_ORDER = {key: index for index, key in enumerate(_PRINTED)}
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d+[.、．)]?)+")
_NOTE = re.compile(r"\([^)]*\)?$|\([^)]*\)")
_PUNCTUATION = re.compile(r"[、，,。；;：:“”\"'‘’《》\s]")
_SENTENCE = re.compile(r"[，,。；;]|\d")
_T4_HEADER = re.compile(r"行政复议")
#: Cells that end table 三: table 四's headers and the report sections after it.
_T3_STOP = re.compile(r"行政复议|行政诉讼|结果维持|结果纠正|尚未审结|存在的主要问题|其他需要报告")
#: Table 四's header cells, which a table printed one cell per line leaves on the row of its values.
_T4_CELLS = [*form.TABLE4_COLUMNS, *(row.label for row in form.TABLE4_ROWS), *form.TABLE4_GROUPS.values()]
_T4_WORDS = re.compile("^({})$".format("|".join(_T4_CELLS)))
_T3_HEADER = re.compile(r"申请人情况|勾稽关系")
_T2_HEADER = re.compile(r"第二十条第?\(?[一二三四五六七八九十\d]+\)?项|信息内容")  # table 二's own cells
_T3_ROWS = 60  # table 三 is 28 rows at most, plus header and broken-label rows
#: Rows after table 四's 行政复议 header within which its values are looked for (header cells aside).
_T4_ROWS = 11


@dataclass
class Table3:
    """Table 三 as printed. ``rows`` holds the 25 rows by key and, under a parent key (``denied``, …), a
    group subtotal the table prints in a row of its own: ``parsers.infer`` uses it as one more equation;
    the record keeps only the 25 rows."""

    rows: dict[str, Values | None]
    has_split_other: bool  # (六) printed as three rows (format 2021) rather than one
    warnings: list[str] = field(default_factory=list)
    start: int = 0  # index of its first row (table 二 ends there)
    end: int = 0  # index of the row after it (table 四 is looked for from there)


@lru_cache(maxsize=8192)  # every label is looked at several times (start, keys, end of the table)
def _core(label: str) -> str:
    """A label's words: numbering, notes in brackets and punctuation left out."""
    return _PUNCTUATION.sub("", _NOTE.sub("", _NUMBERING.sub("", label)))


#: The form's wording of each row and group label, numbering and notes left out: a label one character off
#: still names it.
_FORM_LABELS = {
    **{row.key: _core(normalize(row.label)) for row in form.TABLE3_ROWS},
    **{group: _core(normalize(label)) for group, label in form.TABLE3_GROUPS.items()},
}


def _distance(a: str, b: str) -> int:
    """Levenshtein distance: the characters to change, add or drop to turn ``a`` into ``b``."""
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1]


@lru_cache(maxsize=8192)  # tables repeat their labels across rows and reports
def _near_keys(label: str) -> tuple[str, ...]:
    """The rows a label names with a typo: those whose wording is nearest to it, one character wrong, missing
    or added (two in a wording of 12 or more). Short words (其他, 总计) never match. Several rows when they
    are equally near (予公开: 予以公开 or 不予公开): the label's place in the table decides (``_span_keys``)."""
    core = _core(label)
    scored = [
        (_distance(core, form), key)
        for key, form in _FORM_LABELS.items()
        if len(form) >= 4 and abs(len(form) - len(core)) <= 2
    ]
    near = [(distance, key) for distance, key in scored if distance <= (2 if len(_FORM_LABELS[key]) >= 12 else 1)]
    best = min((distance for distance, _ in near), default=None)
    if best is None:
        scrambled = _ANAGRAMS.get(_letters(label))
        return (scrambled,) if scrambled else ()
    return tuple(key for distance, key in near if distance == best)


def _letters(label: str) -> tuple[str, ...]:
    return tuple(sorted(char for char in _core(label) if "\u4e00" <= char <= "\u9fff"))


#: Form labels by their characters in sorted order. A PDF cell of two lines set beside a taller glyph (a
#: larger numeral or bracket spanning both lines) is read by the text layer as ONE line whose characters
#: alternate between the two: every character is there, in the wrong order. Four or more characters, all
#: of one form label and no other, still name that row.
_ANAGRAMS = {_letters(form): key for key, form in _FORM_LABELS.items() if len(form) >= 4}


@lru_cache(maxsize=8192)
def _key(label: str) -> str | None:
    for key, pattern in _T3_PATTERNS:
        if pattern.search(label):
            return key
    for parent, (pattern, _) in PARENTS.items():
        if pattern.search(label):
            return parent
    return None


def _row_key(row: Row, near: bool = False) -> str | None:
    """The row a table row prints, by its most specific label (see ``_row_keys``), or None."""
    keys = _row_keys(row, near)
    return keys[0] if len(keys) == 1 else None


def _row_keys(row: Row, near: bool) -> tuple[str, ...]:
    """The rows the last label cell with words may name (with ``near``, one character off). The labels
    before it are its groups' (三、本年度办理结果, (三)不予公开) or headers merged into the row: when the last
    label names nothing, they do not name the row either (a child whose label is unreadable is not its
    parent, and 一、本年新收… with a typo is not the 总计 of the header printed before it)."""
    label = next((label for label in reversed(row.labels) if _core(label)), None)
    if label is None:
        return ()
    exact = _key(label)
    return (exact,) if exact else _near_keys(label) if near else ()


def _is_label(text: str) -> bool:
    """A table label rather than a sentence: no digits nor sentence punctuation outside its numbering and
    notes (本年新收政府信息公开申请12件，… is prose)."""
    core = _NOTE.sub("", _NUMBERING.sub("", text))
    return len(core) <= 45 and not _SENTENCE.search(core)


def _starts_table3(rows: list[Row], index: int) -> bool:
    """Row ``index`` is table 三's first row: a 本年新收 label (not a sentence) followed closely by another
    row of the table."""
    label = next((label for label in reversed(rows[index].labels) if _core(label)), "")
    if _row_keys(rows[index], near=True) != ("new_received",) or not _is_label(label):
        return False
    following = (_row_key(row, near=True) for row in rows[index + 1 : index + 7])
    return any(key not in (None, "new_received") for key in following)


def _numbers(cells: Sequence[str | None], warnings: list[str], where: str) -> Values | None:
    try:
        return [number(cell) for cell in cells]
    except ValueError as error:
        warnings.append(f"{where}: not a number: {error}")
        return None


def _counts(cells: Sequence[str | None], warnings: list[str], where: str) -> Values | None:
    """The numbers of count cells; a printed negative is not a count: it is left blank, with a warning."""
    values = _numbers(cells, warnings, where)
    if values is None:
        return None
    for column, value in enumerate(values):
        if value is not None and value < 0:
            warnings.append(f"{where}[{column}]: {value} printed; a count is never negative, left blank")
            values[column] = None
    return values


def _fit_t3(row: Row, has_total: bool, key: str, warnings: list[str]) -> Values | None:
    """Seven values for a table-三 row, using the row's own 总计 to settle a stray extra cell."""
    cells = fit(row.values, 7, row.grid)
    if cells is not None:
        return _counts(cells, warnings, key)
    present = [cell for cell in row.values if cell is not None]
    if not has_total and len(row.values) >= 6 and len(present) == 6:
        six = _counts(present, warnings, key)
        return None if six is None else [*six, None]
    if 7 < len(present) <= 9:
        numbers = _counts(present, warnings, key)
        if numbers is not None and None not in numbers:
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


def _t3_end(rows: list[Row], start: int) -> int:
    """The row after table 三's last possible row: table 四's header, a later section, a row of table 四's
    fifteen values, or ``_T3_ROWS`` rows on. A blank last row (结转下年度 left empty) must not let the table
    run on into table 四."""
    for index in range(start + 1, min(len(rows), start + _T3_ROWS)):
        row = rows[index]
        if any(_T3_STOP.search(label) for label in row.labels):
            return index
        if sum(cell is not None for cell in row.values) > 9:
            return index
    return min(len(rows), start + _T3_ROWS)


def _span_keys(rows: list[Row], warnings: list[str]) -> list[str | None]:
    """Each row's key: by its label's words, else by a label one character off, when no other row of the
    table names that row (two rows never share a key through a typo). A label equally near two rows names
    the one that fits between the rows printed before and after it."""
    keys = [_row_key(row) for row in rows]
    claims: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if keys[index] is not None:
            continue
        before = next((_ORDER[key] for key in reversed(keys[:index]) if key is not None), -1)
        after = next((_ORDER[key] for key in keys[index + 1 :] if key is not None), len(_ORDER))
        fitting = [key for key in _row_keys(row, near=True) if before < _ORDER[key] < after]
        if len(fitting) == 1:
            claims.setdefault(fitting[0], []).append(index)
    for key, indexes in claims.items():
        if len(indexes) == 1 and key not in keys:
            keys[indexes[0]] = key
            warnings.append(f"{key}: label {rows[indexes[0]].labels[-1]!r} read as a typo of the form's")
        else:
            warnings.append(f"{key}: label typo shared by another row; not read")
    return keys


def read_table3(rows: list[Row]) -> Table3 | None:
    """Table 三 from its first row (本年新收) to the row labelled 结转下年度 or the end of the table."""
    start = next((i for i in range(len(rows)) if _starts_table3(rows, i)), None)
    if start is None:
        return None
    header = [label for row in rows[max(0, start - 8) : start + 1] for label in row.labels]
    has_header = any(_T3_HEADER.search(label) for label in header)
    has_total = not has_header or any("总计" in label for label in header)
    warnings: list[str] = []
    stop = _t3_end(rows, start)
    keys = _span_keys(rows[start:stop], warnings)
    items: list[tuple[str, Values | None]] = []
    awaiting = False  # the last item is a label still waiting for its values (on the next line)
    pending = ""  # label text of rows that name nothing yet (a label broken over lines)
    end = start
    for index in range(start, stop):
        row, end = rows[index], index + 1
        key = keys[index - start] or (_key(pending + row.label) if pending else None)
        has_values = any(cell is not None for cell in row.values)
        if key is None:
            if has_values and items and awaiting and not (row.labels and _NUMBERING.match(row.labels[0])):
                key = items.pop()[0]  # its values on the next line (after the rest of a broken label)
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
    """Rows by key; a parent's values go to its first child when that child printed none (a shifted row),
    to 3.其他 when (六) is a single row, and otherwise stand as the group's subtotal."""
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
        if found.get(key) is None:
            found[key] = values
        elif values is not None:
            warnings.append(f"{key}: printed twice; kept the first")
    split = any(key in found for key in SPLIT_OTHER)
    rows = {key: found.get(key) for key in T3_KEYS}
    rows.update({key: found[key] for key in PARENTS if found.get(key) is not None})
    return Table3(rows, has_split_other=split, warnings=warnings)


def read_table4(rows: list[Row], start: int) -> tuple[dict[str, Values | None], list[str]] | None:
    """Table 四: the first row of fifteen value cells after a header naming 行政复议 (its only labels, if
    any, are table 四's own column headers)."""
    header = next((i for i in range(start, len(rows)) if any(_T4_HEADER.search(x) for x in rows[i].labels)), None)
    if header is None:
        return None
    warnings: list[str] = []
    looked_at = 0
    for row in rows[header + 1 :]:
        headed = bool(row.labels) and all(_T4_WORDS.match(label) for label in row.labels)
        if headed and not row.values:
            continue  # a header cell on a row of its own (tables printed one cell per line): not counted
        looked_at += 1
        if looked_at > _T4_ROWS:
            break
        if len(row.values) < 10 or (row.labels and not (headed and any(cell is not None for cell in row.values))):
            continue
        values_from = 1 if headed and len(row.values) > 15 and row.values[0] is None else 0
        cells = fit(row.values[values_from:], 15, row.grid)  # (a lone | between headers and values starts the row)
        values = None if cells is None else _counts(cells, warnings, "review_litigation")
        if values is None:
            warnings.append(f"review_litigation: {len(row.values)} value cells for 15 columns; left blank")
            return {key: None for key in T4_KEYS}, warnings
        return {key: values[5 * i : 5 * i + 5] for i, key in enumerate(T4_KEYS)}, warnings
    return None


# Table 二. Every row is read by the column headers printed above it (信息内容 | 本年制发件数 | …), not by
# position: grids repeat a merged cell in every column it spans, and sections print different columns.
@dataclass(frozen=True)
class _T2Row:
    key: str
    label: re.Pattern[str]
    columns: tuple[tuple[str, str], ...]  # (record key, column name) in the form's order
    scalar: bool = False  # one column, recorded as a bare value rather than a dict


#: Labels real tables print in other words than the form: either form's wording of 规范性文件, and
#: 其他对外管理服务 without 事项.
_T2_LABELS = {"normative_documents": r"^(行政)?规范性文件", "other_services": r"^其他对外管理服务"}


def _t2_spec(table_format: str) -> list[_T2Row]:
    """Table 二's rows of a format (``parsers.form``), with the label pattern each is found by."""
    return [
        _T2Row(
            row.key,
            re.compile(_T2_LABELS.get(row.key, "^" + re.escape(row.label))),
            tuple(zip(section.record_columns(), (column.name for column in section.columns), strict=True)),
            section.scalar,
        )
        for section, row in form.table2_rows(table_format)
    ]


_T2_SPECS = {table_format: _t2_spec(table_format) for table_format in form.FORMATS}
# Column headers → column names, the most specific first (上一年项目数量 is not 采购项目数量).
_T2_COLUMNS = [
    (name, re.compile(pattern))
    for name, pattern in [
        ("previous", r"上一年|上年"),
        ("change", r"增/?减|增\(减\)"),
        ("decisions", r"处理决定"),
        ("issued", r"制发"),
        ("repealed", r"废止"),
        ("in_force", r"现行有效"),
        ("made", r"新制作|制作数"),
        ("in_public", r"公开总数|对外公开"),
        ("published", r"新公开|公开数"),
        ("items", r"项目数|采购数"),
        ("amount", r"金额"),
    ]
]
#: Columns whose value may be below zero (本年增/减: "减用负值表示"); every other one is a count or an amount.
_SIGNED = frozenset(c.name for sections in form.TABLE2.values() for s in sections for c in s.columns if c.signed)
_MONEY = frozenset(c.name for sections in form.TABLE2.values() for s in sections for c in s.columns if c.money)
_ENUMERATION = re.compile(r"^(\([一二三四五六七八九十\d]+\)|[一二三四五六七八九十\d]+[.、．])")
_FORMAT_2019 = re.compile(r"本年新制作|本年新公开|对外公开总数量|上一年项目数量")
_FORMAT_2021 = re.compile(r"本年制发|本年废止|现行有效")
_MAX_GRID_CELLS = 40  # value cells of one grid row beyond which their columns are not worked out
_Cell = tuple[Number | None, str | None]  # a value cell: its number and the money unit it prints


@dataclass
class _Header:
    """The columns a section prints: name per header cell (None: one the form does not have), its text, and
    how many blank cells end the header row (exact in a grid: those columns hold no value of the form). A
    grid header also keeps the grid columns each of its cells covers, and the grid's width."""

    names: list[str | None]
    texts: list[str]
    trailing: int = 0
    spans: list[tuple[int, int]] = field(default_factory=list)
    width: int = 0


def _t2_start(rows: list[Row], end: int) -> int | None:
    """The first row of table 二: its 第二十条第（一）项 or 信息内容 cell (not a sentence citing 第二十条)."""
    return next((i for i, row in enumerate(rows[:end]) if any(_T2_HEADER.match(x) for x in row.labels)), None)


def table2_format(rows: list[Row], end: int) -> Literal["2021", "2019"] | None:
    """'2021' or '2019', from table 二's column headers (before row ``end``).

    The headers inside the table decide; the text before it only when the table has no 第二十条 row, because
    the prose may say 现行有效 of a 2019-format report."""
    start = _t2_start(rows, end)
    for region in ([rows[start:end]] if start is not None else []) + [rows[:end]]:
        labels = [label for row in region for label in row.labels]
        if any(_FORMAT_2021.search(label) for label in labels):
            return "2021"
        if any(_FORMAT_2019.search(label) for label in labels):
            return "2019"
    return None


def read_table2(rows: list[Row], end: int, table_format: str) -> tuple[ActiveDisclosure, list[str]] | None:
    """Table 二 from its first 第二十条 row to row ``end`` (where table 三 starts); None when it prints nothing.

    A value is kept only where its column is certain; otherwise it is None and a warning says why."""
    start = _t2_start(rows, end)
    if start is None:
        return None
    spec_format = "2021" if table_format == "2021" else "2019"
    out: ActiveDisclosure = {entry.key: None for entry in _T2_SPECS[spec_format]}
    warnings: list[str] = []
    placed = _place(_t2_members(rows[start:end], spec_format), warnings)
    for (entry, row, header), reading in placed:
        value = None if reading is None else _t2_value(entry, row, header, reading, warnings)
        if value is None:
            continue
        if out[entry.key] is None:
            out[entry.key] = value
        elif out[entry.key] != value:
            warnings.append(f"active_disclosure.{entry.key}: printed twice; kept the first")
    if all(value is None for value in out.values()):
        return None
    return out, warnings


_Member = tuple[_T2Row, Row, _Header]


def _t2_members(rows: list[Row], spec_format: str) -> list[_Member]:
    """The rows of table 二 that print values, each with the header its values sit under.

    A header row holds until the next one; a bare section row (第二十条第（八）项) ends it, so a section that
    prints no header of its own is read in the form's column order."""
    members: list[_Member] = []
    header: _Header | None = None
    for row in rows:
        entry = _t2_entry(row, spec_format)
        if entry is None:
            found = _t2_header(row)
            if found is not None or any(_T2_HEADER.match(label) for label in row.labels):
                header = found
            continue
        if any(cell is not None for cell in row.values):
            names = [name for _, name in entry.columns]
            usable = header is not None and all(name in header.names for name in names)
            members.append((entry, row, header if header is not None and usable else _Header([*names], [])))
    return members


def _t2_header(row: Row) -> _Header | None:
    if any(cell is not None for cell in row.values):
        return None
    names = [_t2_column(label) for label in row.labels]
    first = next((i for i, name in enumerate(names) if name is not None), None)
    if first is None:
        return None
    if not row.grid:
        return _Header(names[first:], row.labels[first:])
    return _Header(names[first:], row.labels[first:], len(row.values), row.spans[first:], row.width)


@lru_cache(maxsize=1024)
def _t2_column(label: str) -> str | None:
    return next((name for name, pattern in _T2_COLUMNS if pattern.search(label)), None)


def _t2_entry(row: Row, spec_format: str) -> _T2Row | None:
    """The form row a row prints, by its most specific label (a merged section label may come first)."""
    for label in reversed(row.labels):
        entry = _label_entry(label, spec_format)
        if entry is not None:
            return entry
    return None


@lru_cache(maxsize=4096)
def _label_entry(label: str, spec_format: str) -> _T2Row | None:
    bare = _ENUMERATION.sub("", label)
    return next((entry for entry in _T2_SPECS[spec_format] if entry.label.match(bare)), None)


def _place(members: list[_Member], warnings: list[str]) -> list[tuple[_Member, list[_Cell | None] | None]]:
    """Each member's value per header column, or None where the columns cannot be known.

    Grid rows under one header share its column boundaries, so a boundary that one row settles holds for
    the others (a row of zeros fits many boundaries, a row of 1 | 1 | 0 | 0 fits one)."""
    cells: list[list[_Cell] | None] = [_t2_cells(row, header, entry.key, warnings) for entry, row, header in members]
    groups: dict[tuple[int, int], list[int]] = {}
    for index, ((_, row, header), found) in enumerate(zip(members, cells, strict=True)):
        if row.grid and found is not None:
            groups.setdefault((id(header), len(found)), []).append(index)
    readings: list[list[_Cell | None] | None] = []
    for (entry, row, header), found in zip(members, cells, strict=True):
        width = len(header.names)
        if found is None:
            reading = None
        elif not row.grid:
            reading = _fit_cells(found, width)
        else:
            reading = _under_header(row, header, entry.key, warnings)
            if reading is None:
                group = groups[(id(header), len(found))]
                reading = _grid_reading(found, [cells[i] or [] for i in group], width)
        if reading is None and found is not None:
            warnings.append(
                f"active_disclosure.{entry.key}: {len(found)} value cells cannot be placed under "
                f"{width} column headers; left blank"
            )
        readings.append(reading)
    return list(zip(members, readings, strict=True))


def _t2_cells(row: Row, header: _Header, key: str, warnings: list[str]) -> list[_Cell] | None:
    """A row's value cells as numbers with their units; the cells under a grid header's trailing blank cells
    (an unnamed column) are dropped."""
    values = row.values[: len(row.values) - header.trailing] if row.grid else row.values
    if row.grid and any(cell is not None for cell in row.values[len(values) :]):
        warnings.append(f"active_disclosure.{key}: a value under no column header; ignored")
    try:
        return [_cell(cell) if cell is not None else (None, None) for cell in values]
    except ValueError as error:
        warnings.append(f"active_disclosure.{key}: not a number: {error}")
        return None


def _under_header(row: Row, header: _Header, key: str, warnings: list[str]) -> list[_Cell | None] | None:
    """The value under each header cell of a grid row, by the grid columns they share: a header cell's value
    is the one value printed in its columns (a merged cell repeats it; a blank beside it is the rest of the
    merge). None (then the columns are worked out from the values, ``_grid_reading``) when the header is
    not from a grid of this row's width, when the row's labels reach under a header cell, or when two
    values sit under one header cell: the row's cells are not drawn on the header's boundaries."""
    start = row.values_start
    if not header.spans or header.width != row.width or start > header.spans[0][0]:
        return None
    reading: list[_Cell | None] = []
    for begin, stop in header.spans:
        printed = {_cell(cell) for cell in row.values[begin - start : stop - start] if cell is not None}
        if len(printed) > 1:
            return None
        reading.append(printed.pop() if printed else None)
    headed = {column for begin, stop in header.spans for column in range(begin, stop)}
    last = header.spans[-1][1]  # values after the header's last cell are ``_t2_cells``'s to report
    if any(cell is not None and start + i not in headed and start + i < last for i, cell in enumerate(row.values)):
        warnings.append(f"active_disclosure.{key}: a value under no column header; ignored")
    return reading


def _cell(text: str) -> _Cell:
    return number(text), money_unit(text)


def _fit_cells(cells: list[_Cell], width: int) -> list[_Cell | None] | None:
    """Text cells cut to ``width`` as ``fit`` cuts them (spacer blanks off the end, then the start); None
    when more values than columns remain: text keeps no positions to tell which is which."""
    kept: list[_Cell | None] = [None if cell[0] is None else cell for cell in cells]
    while len(kept) > width and kept[-1] is None:
        kept.pop()
    while len(kept) > width and kept[0] is None:
        kept.pop(0)
    return kept if len(kept) == width else None


def _grid_reading(cells: list[_Cell], group: list[list[_Cell]], width: int) -> list[_Cell | None] | None:
    """The value under each of ``width`` header columns of a grid row, or None when it is not certain.

    A column is a run of adjacent cells whose printed values agree (a merged cell repeated, or one value
    beside blanks); the boundaries kept are those every row of the group allows, and the row's reading must
    be the same under all of them."""
    if not width or len(cells) < width or len(cells) > _MAX_GRID_CELLS:
        return None
    allowed = [_boundaries(row, width) for row in group]
    shared = set.intersection(*allowed) if allowed else set()
    readings = {tuple(_columns(cells, cuts) or []) for cuts in shared or _boundaries(cells, width)}
    return list(readings.pop()) if len(readings) == 1 else None


def _boundaries(cells: list[_Cell], width: int) -> set[tuple[int, ...]]:
    return {
        cuts for cuts in itertools.combinations(range(1, len(cells)), width - 1) if _columns(cells, cuts) is not None
    }


def _columns(cells: list[_Cell], cuts: tuple[int, ...]) -> list[_Cell | None] | None:
    """The value of each run of cells between ``cuts``: its one printed value, None if blank, or None for
    the whole reading when a run prints two different values."""
    out: list[_Cell | None] = []
    for begin, stop in zip((0, *cuts), (*cuts, len(cells)), strict=True):
        printed = {cell for cell in cells[begin:stop] if cell[0] is not None}
        if len(printed) > 1:
            return None
        out.append(printed.pop() if printed else None)
    return out


def _t2_value(
    entry: _T2Row, row: Row, header: _Header, reading: list[_Cell | None], warnings: list[str]
) -> Number | dict[str, Number | None] | None:
    """The record value of a placed row: counts never below zero, amounts in 万元."""
    values: dict[str, Number | None] = {}
    for key, name in entry.columns:
        column = header.names.index(name)
        cell = reading[column]
        value = None if cell is None else cell[0]
        if value is not None and value < 0 and name not in _SIGNED:
            warnings.append(f"active_disclosure.{entry.key}: {value} is not a count; left blank")
            value = None
        if value is not None and name in _MONEY:
            text = header.texts[column] if column < len(header.texts) else ""
            unit = (cell and cell[1]) or money_unit_in_label(text) or money_unit_in_label(row.label) or "万元"
            value = _in_10k_yuan(value, unit)
        values[key] = value
    if entry.scalar:
        return next(iter(values.values()))
    return values if any(value is not None for value in values.values()) else None


def _in_10k_yuan(value: Number, unit: str) -> Number:
    """An amount in 万元 (``251000`` 元 → ``25.1``), exact in decimal."""
    if unit != "元":
        return value
    amount = Decimal(str(value)) / 10000
    return int(amount) if isinstance(value, int) and amount == amount.to_integral_value() else float(amount)
