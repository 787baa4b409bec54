"""Rows of cells, whatever the source: extracted grids, tab-separated text, one-cell-per-line text, PDF text.

The table readers (parsers/tables.py) find rows by their labels, so every layout is first cut into the
same shape: the label cells of a row and the value cells that trail them. Positions inside the value
part are kept (a blank cell is None), because a blank is not a zero.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from parsers.document import Table

#: Cells that print "nothing happened": the spec reads them as 0.
ZERO_MARKS = frozenset({"—", "——", "-", "--", "/", "无", "－", "―", "─", "–", "／", "〇"})
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
_UNIT = re.compile(r"(万元|元|件|个|项|条|次|人次|人)$")
_SPACE = re.compile(r"\s+")
#: A line holding one number and nothing else (a cell of a table printed one cell per line).
_LONE_NUMBER = re.compile(r"^[ \t]*[+-]?[\d０-９][\d０-９,.]*[ \t]*$", re.M)
#: The longest row label of the form (1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请), with room.
_MAX_LABEL_CHARS = 60
#: A change written as a word before its number (本年增/减 "减4" on an agency's 2019-format table 二; the
#: form asks for "减用负值表示"): 减 is minus, 增 plus. A count column never takes a negative (tables.py).
_CHANGE_WORD = re.compile(r"^([增减])(?=\d)")
_UNIT_AFTER_SPACE = re.compile(r"(\d)\s+(万元|元)")
_MONEY_UNIT = re.compile(r"(万元|元)$")
#: A unit a header or label prints for its amounts: ``（单位：万元）``, ``（元）``, ``金额(万元,保留4位小数)``.
_MONEY_UNIT_IN_LABEL = re.compile(r"单位[:：]?(万元|元)|[(（](万元|元)[,，;；)）]")


@dataclass
class Row:
    """One table row: its label cells (merged repeats dropped) and the value cells after them.

    A row of an extracted grid also keeps where its cells sit: grids repeat a merged cell's text in every
    column it spans, so a run of one label is one cell, and ``spans`` says which grid columns it covers.
    Table 二's sections merge cells differently from one another; a value is placed by the header cell
    above it, which only these columns tell (parsers/tables.py)."""

    labels: list[str]
    values: list[str | None]
    grid: bool  # from an extracted grid (positions exact) rather than from text
    spans: list[tuple[int, int]] = field(default_factory=list)  # grid rows: [start, stop) of each label cell
    width: int = 0  # grid rows: the grid's width; the values are its last ``len(values)`` columns

    @property
    def label(self) -> str:
        return "".join(self.labels)

    @property
    def values_start(self) -> int:
        """The grid column of the first value cell (grid rows)."""
        return self.width - len(self.values)


@lru_cache(maxsize=8192)  # tables repeat their cells ("0", row labels) across rows and reports
def normalize(cell: str | None) -> str:
    """NFKC (full-width digits and brackets, Kangxi radicals) with all white space removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", cell or ""))


def number(cell: str | None) -> int | float | None:
    """The number a value cell prints (None for a blank); raises ValueError for text.

    Thousands separators, full-width digits, a trailing unit (``12872.06 万元``) and the zero marks
    (``—``, ``/``, ``无``) are understood; ``-3`` is a negative number, a lone ``-`` is zero."""
    value = _parsed(cell)
    if isinstance(value, str):
        raise ValueError(value)
    return value


@lru_cache(maxsize=8192)  # every row is read more than once (split, then its values), and cells repeat
def _parsed(cell: str | None) -> int | float | str | None:
    """``number``'s reading of a cell, or, for a cell that is not a number, its normalized text."""
    text = normalize(cell).replace("，", ",")
    if not text:
        return None
    if text in ZERO_MARKS:
        return 0
    text = _CHANGE_WORD.sub(lambda word: "-" if word.group(1) == "减" else "+", _UNIT.sub("", text))
    match = _NUMBER.match(text)
    if not match:
        return text
    sign, digits, fraction = match.groups()
    value = float(digits.replace(",", "") + (fraction or ""))
    value = -value if sign == "-" else value
    return int(value) if value.is_integer() and not fraction else value


def money_unit(cell: str | None) -> str | None:
    """The money unit a value cell prints after its number (``251000元`` → ``元``), None when it prints none.

    ``number`` drops the unit; an amount's reader needs it, because a cell in 元 must not be read as 万元."""
    match = _MONEY_UNIT.search(normalize(cell))
    return match.group(1) if match else None


def money_unit_in_label(label: str | None) -> str | None:
    """The money unit a header or row label names for its amounts (``本年收费金额（单位：元）`` → ``元``)."""
    match = _MONEY_UNIT_IN_LABEL.search(normalize(label))
    return (match.group(1) or match.group(2)) if match else None


@lru_cache(maxsize=8192)
def is_value(cell: str | None) -> bool:
    """A blank, a number or a zero mark: a cell that is not a label."""
    return not isinstance(_parsed(cell), str)


def split_row(cells: Sequence[str | None], grid: bool) -> Row:
    """Labels are the text cells up to the last one that is not a value; values are everything after.
    A label repeated (a merged cell, or a parent label printed again) is one label cell."""
    last_label = len(cells) - 1
    while last_label >= 0 and is_value(cells[last_label]):
        last_label -= 1
    labels: list[str] = []
    spans: list[tuple[int, int]] = []
    for column, cell in enumerate(cells[: last_label + 1]):
        text = normalize(cell)
        if not text:
            continue
        if labels and labels[-1] == text:
            spans[-1] = (spans[-1][0], column + 1)
        else:
            labels.append(text)
            spans.append((column, column + 1))
    values = [cell if normalize(cell) else None for cell in cells[last_label + 1 :]]
    if grid:
        return Row(labels, values, grid, spans, len(cells))
    return Row(labels, values, grid)


def grid_rows(tables: Iterable[Table]) -> list[Row]:
    """Every row of every extracted grid, in order: tables split over pages simply continue."""
    return [split_row(row, grid=True) for table in tables for row in table.rows]


def text_rows(text: str) -> list[Row]:
    """Rows from text: tab-separated lines, blocks of one tab-led cell per line, space-separated lines, and
    tables whose cells are separated by ``|`` (the shapes are described above ``_BAR``)."""
    if "|" not in text and "｜" not in text:  # no bar: no segments to find (most reports)
        return _plain_rows([line for line in text.splitlines() if not _is_rule(line)])
    rows: list[Row] = []
    plain: list[str] = []
    for kind, lines in _segments(text.splitlines()):
        if kind == "plain":
            plain += lines
            continue
        rows += _plain_rows(plain)
        plain = []
        rows += _pipe_rows(lines) if kind == "rows" else _stream_rows(lines)
    return rows + _plain_rows(plain)


def _plain_rows(lines: list[str]) -> list[Row]:
    """Rows from lines without ``|``: tab-separated lines, blocks of one tab-led cell per line, or
    space-separated lines.

    A block (曲阜's layout) is a run of lines that each start with a tab and hold one cell, ended by an
    empty line; a line without the tab continues the cell above (a label broken over lines)."""
    rows: list[Row] = []
    block: list[str] | None = None
    for line in _cell_per_line_rows(lines):
        if line.startswith("\t") and "\t" not in line[1:]:
            block = [*(block or []), line[1:]]
        elif block is not None and line.strip():
            if "\t" in line:
                rows.append(split_row(block, grid=False))
                block = None
                rows.append(split_row(line.split("\t"), grid=False))
            else:
                block[-1] += line
        else:
            if block is not None:
                rows.append(split_row(block, grid=False))
                block = None
            if "\t" in line:
                rows.append(split_row(line.split("\t"), grid=False))
            elif line.strip():
                rows.append(split_row(_UNIT_AFTER_SPACE.sub(r"\1\2", line).split(), grid=False))
    if block is not None:
        rows.append(split_row(block, grid=False))
    return rows


def _cell_per_line_rows(lines: list[str]) -> list[str]:
    """Tables printed one cell per line with nothing between the cells but line breaks (blank lines, often),
    joined into tab-separated rows: a label line and the number lines right after it are one row.

    Seen on real report pages whose tables a converter flattened that way (昌图县七家子镇 2023,
    福田区香蜜湖片区 2024: ``规章`` / ``0`` / ``0`` / ``0``, ``行政处罚`` / ``30``). A blank cell leaves no line
    there, so a row that had one comes out short, and its values are not placed (``fit``). A sentence is no
    label: only a short line without a full stop starts a row."""
    if not _LONE_NUMBER.search("\n".join(lines)):
        return lines  # no line holds a number alone: no such table (most texts), nothing to join
    joined: list[str] = []
    row: list[str] = []
    for line in lines:
        cell = line.strip()
        if not cell and row:
            continue  # the blank lines between one row's cells
        single = bool(cell) and not line.startswith("\t") and len(cell.split()) == 1
        if single and row and is_value(cell):
            row.append(cell)
            continue
        if row:
            joined.append("\t".join(row))
            row = []
        if single and not is_value(cell) and len(cell) <= _MAX_LABEL_CHARS and not cell.endswith(("。", "；", ";")):
            row = [cell]
        else:
            joined.append(line)
    if row:
        joined.append("\t".join(row))
    return joined


# `|`-separated tables, as web pages flattened to text print them (sources in tests/fixtures/parse_layouts/README.md):
# a row per line (``规章 | 0 | 0 | 0 |``, Markdown ``| a | b |`` with a ``|---|`` rule), or one cell per line
# with ``|`` after each cell or on a line of its own between cells and rows. Adjacent bars (``||||``) are the
# padding a converter prints for merged or hidden cells: they are not cells. A bar, white space and a bar is a
# blank cell.
_BAR = re.compile(r"[|｜]")
_RULE = re.compile(r"^\s*[|｜]?\s*:?-{3,}:?\s*(?:[|｜]\s*:?-{3,}:?\s*)*[|｜]?\s*$")


def _pieces(text: str) -> list[str | None]:
    """The cells between the bars of ``text``: adjacent bars and what follows the last bar dropped, a blank
    cell as None. What precedes the first bar is a cell unless the text starts with the bar (``| a | b |``):
    `` | 352 |`` is a row whose first cell is blank."""
    pieces = _BAR.split(text)
    if not pieces[0]:
        pieces = pieces[1:]
    if pieces and not pieces[-1].strip():
        pieces = pieces[:-1]
    return [piece.strip() or None for piece in pieces if piece]


def _is_rule(line: str) -> bool:
    return "---" in line and _RULE.match(line) is not None


@lru_cache(maxsize=8192)  # a table printed one cell per line repeats its lines (``|``, ``0 |``)
def _kind(line: str) -> str:
    """``rule`` (a Markdown separator), ``rows`` (a whole row: two cells or more), ``stream`` (a bar with at
    most one cell: a cell of a one-cell-per-line table), ``empty`` or ``plain`` (no bar)."""
    if not line.strip():
        return "empty"
    if "|" not in line and "｜" not in line:
        return "plain"
    if _is_rule(line):
        return "rule"
    return "rows" if sum(cell is not None for cell in _pieces(line)) >= 2 else "stream"


_GROUP = {"inner": "stream", "rule": "rows"}


def _segments(lines: list[str]) -> list[tuple[str, list[str]]]:
    """Runs of lines of one kind: ``plain`` (no bar), ``rows`` (a row per line) or ``stream`` (a table
    printed one cell per line). A line without a bar between two stream lines is one of their cells (the
    layout where ``|`` stands on its own line between cells), and so is a value just after a stream's last
    bar and an empty line inside a stream."""
    kinds = [_kind(line) for line in lines]
    solid = [index for index, kind in enumerate(kinds) if kind != "empty"]
    for index, following in itertools.pairwise(solid):
        if kinds[index] == "rows" and kinds[following] == "stream" and _ends_in_value(lines[index]):
            kinds[index] = "stream"  # a row's head on one line, its other cells one per line below it
    for before, index, after in zip(solid, solid[1:], [*solid[2:], None], strict=False):
        sandwiched = after is not None and kinds[after] == "stream"
        if kinds[index] == "plain" and kinds[before] == "stream" and (sandwiched or is_value(lines[index].strip())):
            kinds[index] = "inner"  # a cell between bars, or a table's last value after its last bar
    index = 0
    while index < len(kinds):  # a run of empty lines is inner when stream lines stand on both sides of it
        if kinds[index] != "empty":
            index += 1
            continue
        stop = index
        while stop < len(kinds) and kinds[stop] == "empty":
            stop += 1
        inside = {kinds[index - 1] if index else None, kinds[stop] if stop < len(kinds) else None}
        kinds[index:stop] = ["inner" if inside <= {"stream", "inner"} else "plain"] * (stop - index)
        index = stop
    segments: list[tuple[str, list[str]]] = []
    for line, kind in zip(lines, kinds, strict=True):
        group = _GROUP.get(kind, kind)
        if not segments or segments[-1][0] != group:
            segments.append((group, []))
        if kind != "rule" and not _is_rule(line):  # a separator line joins its segment, but is no row
            segments[-1][1].append(line)
    return segments


def _ends_in_value(line: str) -> bool:
    """The line's last cell is a number or a zero mark (``一、本年新收政府信息公开申请数量 | 25 |``): a table
    printed one cell per line after it goes on with the same row (a 区发改局 2020 page: the first value on
    the label's line, the other cells as lone bars below it)."""
    cells = [cell for cell in _pieces(line) if cell is not None]
    return bool(cells) and is_value(cells[-1])


def _pipe_rows(lines: list[str]) -> list[Row]:
    """A row per line."""
    return [split_row(_pieces(line), grid=False) for line in lines]


def _stream_rows(lines: list[str]) -> list[Row]:
    """A table printed one cell per line, its cells parted by bars: where a row ends is not printed (a lone
    ``|`` is a blank cell in one report and the start of a row in another), so a row starts at each label
    cell that follows a value or a blank; blanks beyond a row's width are dropped later (``fit``)."""
    cells: list[str | None] = []
    for piece in _pieces("\n".join(lines)):
        if piece is None or "\n" not in piece:  # (the lines hold no other line break: they were split)
            cells.append(piece)
        else:
            cells += [part for part in piece.split("\n") if part.strip()] or [None]
    rows: list[list[str | None]] = []
    after_value = False  # the cell before is a value or a blank
    for cell in cells:
        label = cell is not None and not is_value(cell)
        if not rows or (label and after_value):
            rows.append([])
        rows[-1].append(cell)
        after_value = not label
    return [split_row(row, grid=False) for row in rows]


def fit(values: Sequence[str | None], width: int, grid: bool) -> list[str | None] | None:
    """The ``width`` value cells of a row, or None when which cell is which cannot be known.

    Grids keep their positions (the last ``width`` cells). Text rows carry spacer cells from merged
    labels: blanks beyond ``width`` are dropped from the end, then from the start."""
    cells = list(values)
    if grid:
        return cells[-width:] if len(cells) >= width else None
    while len(cells) > width and cells[-1] is None:
        cells.pop()
    while len(cells) > width and cells[0] is None:
        cells.pop(0)
    return cells if len(cells) == width else None
