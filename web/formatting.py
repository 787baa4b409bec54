"""Numbers as people read them in the browser: never ``1.89e-06`` or ``0.30000000000000004``.

Only the HTML pages use these (``plugin.render_cell``); JSON and CSV keep the values as stored, so a
script reads exact numbers. Counts get thousands separators (``12,345``) where the column is a count:
ids, years and codes are numbers too, and ``2,023`` would be wrong.
"""

from __future__ import annotations

import math

#: Columns holding counts (browse, the canned queries, record_cells, runs): shown with thousands separators.
COUNT_COLUMNS = frozenset(
    {
        *("new_received", "carried_over_in", "granted", "denied", "carried_over_out", "review", "litigation"),
        *("files", "reports", "with_tables", "fail", "pass", "skip", "incomplete", "value", "failures"),
        *("new", "changed", "duplicate", "failed", "size", "applications", "count"),
    }
)
#: Significant digits of a fraction below 1 (0.00000189 keeps 189).
FRACTION_DIGITS = 3


def number(value: int | float, column: str) -> str | None:
    """``value`` as shown in ``column``; None to leave it as Datasette shows it (ids, years, codes)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return decimal(value)
    return f"{value:,}" if column in COUNT_COLUMNS else None


def decimal(value: float) -> str:
    """A float in plain decimal notation: whole numbers without ``.0``, others to the cent (money in 万元 is
    kept to 2 places by reports), fractions below 1 to three significant digits, never an exponent."""
    if not math.isfinite(value):
        return str(value)
    if value.is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    places = FRACTION_DIGITS - 1 - math.floor(math.log10(abs(value)))
    return f"{value:.{places}f}".rstrip("0").rstrip(".")


def cell(value: int | float | None) -> str:
    """A table cell: ``—`` for a blank (never 0), counts with thousands separators, amounts in decimals."""
    if value is None:
        return "—"
    return decimal(value) if isinstance(value, float) else f"{value:,}"


def change(value: int | float | None) -> str:
    """A change from the year before: ``+3``, ``−2`` (a real minus sign), ``0``; empty when there is none."""
    if value is None:
        return ""
    shown = cell(abs(value))
    return f"+{shown}" if value > 0 else f"−{shown}" if value < 0 else "0"
