"""Filling blank cells that the table's own arithmetic fixes (report-fields.md, "Values").

Every rule of tables 三 and 四 is a sum of non-negative counts equal to another. When all cells but
the unknown ones on one side are known, the unknowns are fixed: one unknown is the difference; several
unknowns whose side is already reached are all 0. Nothing else is ever filled in, an equation whose
printed cells already disagree fixes nothing, and no filled value is ever negative. A group subtotal
that table 三 prints in a row of its own (``(三)不予公开`` with values, its rows left out) is one more
rule: its rows add up to it, so a printed 0 makes every unprinted row of the group 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from parsers.form import GROUPS, RESULT_KEYS, T3_KEYS, T4_KEYS
from parsers.tables import Values

Cell = tuple[str, int]
Equation = tuple[list[Cell], list[Cell]]


def table3_equations(absent: frozenset[str] = frozenset()) -> Iterator[tuple[str, Equation]]:
    """(check name, equation) for every rule of table 三; ``absent`` rows are not part of the table."""
    return iter(_table3_equations(absent))


@cache  # the same few lists for every report (``absent`` is empty or the two (六) rows of format 2019)
def _table3_equations(absent: frozenset[str]) -> tuple[tuple[str, Equation], ...]:
    results = [key for key in RESULT_KEYS if key not in absent]
    equations: list[tuple[str, Equation]] = []
    for column in range(7):
        balance = [("new_received", column), ("carried_over_in", column)]
        equations.append(
            ("applications.balance", (balance, [("total_processed", column), ("carried_over_out", column)]))
        )
        equations.append(
            ("applications.total_processed", ([("total_processed", column)], [(key, column) for key in results]))
        )
    for key in T3_KEYS:
        if key not in absent:
            equations.append(("applications.column_total", ([(key, 6)], [(key, column) for column in range(6)])))
    return tuple(equations)


def table4_equations() -> Iterator[tuple[str, Equation]]:
    return iter(_TABLE4_EQUATIONS)


_TABLE4_EQUATIONS = tuple(
    ("review_litigation.total", ([(key, 4)], [(key, column) for column in range(4)])) for key in T4_KEYS
)


def group_equations(rows: dict[str, Values | None], width: int) -> list[Equation]:
    """Per column, a printed group subtotal (a parent key in ``rows``, see ``tables.Table3``) equals the sum
    of the group's rows."""
    return [
        ([(parent, column)], [(key, column) for key in members if key in rows])
        for parent, members in GROUPS.items()
        if rows.get(parent) is not None
        for column in range(width)
    ]


def infer(rows: dict[str, Values | None], equations: list[Equation], width: int) -> list[Cell]:
    """Fill ``rows`` in place where the equations (and the group subtotals ``rows`` holds) fix a blank;
    returns the cells filled, in order. A subtotal's own blank cells are never filled: it is not a row of
    the record."""
    grid: dict[str, Values] = {
        key: list(values) if values is not None else [None] * width for key, values in rows.items()
    }
    filled: list[Cell] = []
    if all(value is not None for values in grid.values() for value in values):
        return filled  # every cell printed: no blank to fix
    changed = True
    while changed:
        changed = False
        for left, right in [*equations, *group_equations(rows, width)]:
            for known_side, open_side in ((left, right), (right, left)):
                solved = [(cell, value) for cell, value in _solve(grid, known_side, open_side) if cell[0] not in GROUPS]
                for cell, value in solved:
                    grid[cell[0]][cell[1]] = value
                    filled.append(cell)
                    changed = True
    touched = {key for key, _ in filled}
    for key in touched:
        rows[key] = grid[key]
    return filled


def _solve(grid: dict[str, Values], known_side: list[Cell], open_side: list[Cell]) -> list[tuple[Cell, int]]:
    """The blanks of ``open_side`` that the equation fixes, when every cell of ``known_side`` is printed and
    every printed cell is a count (one pass over each side: this runs for every rule, both ways, per pass)."""
    known = 0
    for key, column in known_side:
        value = grid[key][column]
        if not isinstance(value, int) or value < 0:  # blank, an amount, or below zero: fixes nothing
            return []
        known += value
    unknown: list[Cell] = []
    printed = 0
    for cell in open_side:
        value = grid[cell[0]][cell[1]]
        if value is None:
            unknown.append(cell)
        elif not isinstance(value, int) or value < 0:
            return []
        else:
            printed += value
    gap = known - printed
    if not unknown or gap < 0:
        return []  # nothing to fill, or the printed cells already break the rule: a failed check
    if len(unknown) == 1:
        return [(unknown[0], gap)]
    return [(cell, 0) for cell in unknown] if gap == 0 else []
