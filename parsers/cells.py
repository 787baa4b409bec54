"""Rows of cells, whatever the source: extracted grids, tab-separated text, one-cell-per-line text, PDF text.

The table readers (parsers/tables.py) find rows by their labels, so every layout is first cut into the
same shape: the label cells of a row and the value cells that trail them. Positions inside the value
part are kept (a blank cell is None), because a blank is not a zero.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from parsers.document import Table

#: Cells that print "nothing happened": the spec reads them as 0.
ZERO_MARKS = frozenset({"—", "——", "-", "--", "/", "无", "－", "―", "─", "–", "／", "〇"})
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
_UNIT = re.compile(r"(万元|元|件|个|项|条|次|人次|人)$")
_SPACE = re.compile(r"\s+")
_UNIT_AFTER_SPACE = re.compile(r"(\d)\s+(万元|元)")


@dataclass
class Row:
    """One table row: its label cells (merged repeats dropped) and the value cells after them."""

    labels: list[str]
    values: list[str | None]
    grid: bool  # from an extracted grid (positions exact) rather than from text

    @property
    def label(self) -> str:
        return "".join(self.labels)


@lru_cache(maxsize=8192)  # tables repeat their cells ("0", row labels) across rows and reports
def normalize(cell: str | None) -> str:
    """NFKC (full-width digits and brackets, Kangxi radicals) with all white space removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", cell or ""))


def number(cell: str | None) -> int | float | None:
    """The number a value cell prints (None for a blank); raises ValueError for text.

    Thousands separators, full-width digits, a trailing unit (``12872.06 万元``) and the zero marks
    (``—``, ``/``, ``无``) are understood; ``-3`` is a negative number, a lone ``-`` is zero."""
    text = normalize(cell).replace("，", ",")
    if not text:
        return None
    if text in ZERO_MARKS:
        return 0
    text = _UNIT.sub("", text)
    match = _NUMBER.match(text)
    if not match:
        raise ValueError(text)
    sign, digits, fraction = match.groups()
    value = float(digits.replace(",", "") + (fraction or ""))
    value = -value if sign == "-" else value
    return int(value) if value.is_integer() and not fraction else value


@lru_cache(maxsize=8192)
def is_value(cell: str | None) -> bool:
    try:
        number(cell)
    except ValueError:
        return False
    return True


def split_row(cells: Sequence[str | None], grid: bool) -> Row:
    """Labels are the text cells up to the last one that is not a value; values are everything after."""
    last_label = max((index for index, cell in enumerate(cells) if not is_value(cell)), default=-1)
    labels: list[str] = []
    for cell in cells[: last_label + 1]:
        text = normalize(cell)
        if text and (not labels or labels[-1] != text):
            labels.append(text)
    values = [cell if normalize(cell) else None for cell in cells[last_label + 1 :]]
    return Row(labels, values, grid)


def grid_rows(tables: Iterable[Table]) -> list[Row]:
    """Every row of every extracted grid, in order: tables split over pages simply continue."""
    return [split_row(row, grid=True) for table in tables for row in table.rows]


def text_rows(text: str) -> list[Row]:
    """Rows from text: tab-separated lines, blocks of one tab-led cell per line, or space-separated lines.

    A block (曲阜's layout) is a run of lines that each start with a tab and hold one cell, ended by an
    empty line; a line without the tab continues the cell above (a label broken over lines)."""
    rows: list[Row] = []
    block: list[str] | None = None
    for line in text.splitlines():
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
