"""How many of a hand-labelled record's table values an extraction's grids hold, cell for cell.

Used by the extraction tests and ``bench/extract.py`` to measure extraction without the parser (which maps
labels to fields): table 三's 25 rows are the grid rows that end in seven value cells after a label cell,
in print order; table 四 is the row of fifteen value cells. A blank cell matches a null in the record,
never a zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from parsers.document import Table
from parsers.form import T3_KEYS, T4_KEYS

_ZERO_MARKS = {"—", "-", "/", "无", "－", "--"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class NotANumber(ValueError):
    pass


def value(cell: str | None) -> float | None:
    """A value cell's number (None when blank); raises NotANumber for text."""
    text = re.sub(r"[\s,，]", "", cell or "")
    if not text:
        return None
    if text in _ZERO_MARKS:
        return 0.0
    if not _NUMBER.match(text):
        raise NotANumber(text)
    return float(text)


def _values(cells: Sequence[str | None]) -> list[float | None] | None:
    try:
        return [value(cell) for cell in cells]
    except NotANumber:
        return None


def table3_rows(tables: Iterable[Table]) -> list[list[float | None]]:
    """Rows of the form label + 7 values, from every table, in order (tables split over pages join up)."""
    rows = []
    for table in tables:
        for index, row in enumerate(table.rows):
            values = _values(row[-7:]) if len(row) >= 8 else None
            if values is None or not row[-8] or _values(row[-8:-7]) is not None:
                continue
            if index == 0 and all(number is None for number in values):
                continue  # the rest of a row that a page break split: its values are on the page before
            rows.append(values)
    return rows


def table4_row(tables: Iterable[Table]) -> list[float | None] | None:
    for table in tables:
        for row in table.rows:
            values = _values(row[-15:]) if len(row) >= 15 else None
            if values is not None and any(number is not None for number in values):
                return values
    return None


def expected(record: Mapping[str, Any]) -> tuple[list[list[float | None]], list[float | None]]:
    applications = record["applications"]
    review = record["review_litigation"]
    return [applications[key] for key in T3_KEYS], [number for key in T4_KEYS for number in review[key]]


def count(record: Mapping[str, Any], tables: Sequence[Table]) -> tuple[int, int, int, int]:
    """(table-三 cells right, table-三 cells in the record, table-四 cells right, table-四 cells in the record)."""
    rows3, row4 = expected(record)
    got3, got4 = table3_rows(tables), table4_row(tables) or []
    right3 = sum(
        want == got
        for want_row, got_row in zip(rows3, got3, strict=False)
        for want, got in zip(want_row, got_row, strict=True)
    )
    right4 = sum(want == got for want, got in zip(row4, got4, strict=False))
    return right3, 7 * len(rows3), right4, len(row4)
