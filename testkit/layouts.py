"""Report layouts only the tests and benchmarks use, on top of the renderer the replica serves
(``replica.layouts``): labels with typos, and table 二 of either format in the merged-cell shapes and
amount units real tables print (``random_active``, ``render_t2_*``).
"""

from __future__ import annotations

import html
import io
import random
from typing import Any

from parsers import form
from replica.layouts import (
    MergedCell,
    Quirks,
    join_plain,
    render_docx,
    render_html,
    render_pipes,
    render_text,
    stable_zip,
    t2_cells,
    t2_values,
)


def typo(label: str, rng: random.Random) -> str:
    """``label`` with one character of its words (not its numbering) changed or dropped; a label of fewer
    than four words (其他, 总计) is left as it is: one character off, it names nothing for sure."""
    words = len(label) - len(label.lstrip("0123456789.、（）()一二三四五六七"))
    if len(label) - words < 4:
        return label
    position = rng.randrange(words, len(label))
    replacement = rng.choice(["", "的", "之", "了", "等"])
    return label[:position] + replacement + label[position + 1 :]


# Table 二 in both formats, in the merged-cell shapes real tables print (tests/fixtures/parse_table2/README.md
# names where each was seen), with its amounts printed in 万元 or 元.
T2_SHAPES = ("template", "trailing", "doubled", "uneven")
#: How the fee (2021) or procurement (2019) amount shows its unit: in the header, in the cell, or nowhere.
T2_UNITS = ("header_wan", "header_yuan", "cell_yuan", "cell_wan", "cell_yuan_under_wan_header", "none")


def random_active(rng: random.Random, table_format: str) -> dict[str, Any]:
    """Table 二 of either format: counts (mostly small), 本年增/减 of either sign, amounts in 万元 to 2 places."""

    def count() -> int:
        return rng.choice([0, 0, 0, rng.randint(1, 9), rng.randint(10, 500), rng.randint(1000, 999999)])

    def amount() -> float | int:
        return rng.choice([0, round(rng.uniform(0, 20000), 2), round(rng.uniform(0, 5), 2)])

    def value(column: form.Column) -> float | int:
        return amount() if column.money else rng.randint(-20, 20) if column.signed else count()

    active: dict[str, Any] = {}
    for section, row in form.table2_rows(table_format):
        values = {key: value(column) for key, column in t2_values(section, row)}
        active[row.key] = values[row.key] if section.scalar else values
    return active


def render_t2_text(
    record: dict[str, Any], active: dict[str, Any], table_format: str, layout: str, quirks: Quirks, unit: str
) -> str:
    """The report of ``render_text`` (any of TEXT_LAYOUTS) with table 二 replaced by ``active``
    (``random_active``) in ``table_format``."""
    full = render_text(record, layout, quirks)
    head = "二、主动公开政府信息情况"
    rows = [[label, *cells] for label, cells in t2_cells(active, table_format, quirks, unit)]
    start = full.rindex("\n", 0, full.index(head)) + 1
    tail = full.rindex("\n", 0, full.index("三、收到和处理政府信息公开申请情况")) + 1
    if layout in ("tabs", "tabs_leaf", "blocks", "spaces"):
        table = join_plain([[head], *rows], layout) + ("\n\n" if layout == "blocks" else "\n")
    else:
        table = render_pipes(head, rows, layout) + "\n"
    return full[:start] + table + full[tail:]


def _t2_widths(shape: str) -> tuple[int, list[int], dict[int, list[int]], int]:
    """Label width, value widths of a three-column section, of a two- and one-column section, trailing blanks.

    A two-column section of the template leaves the third column blank (武汉 2019 format)."""
    if shape == "doubled":
        return 2, [2, 2, 2], {2: [3, 3], 1: [6]}, 0
    if shape == "uneven":
        return 1, [1, 2, 3], {2: [2, 4], 1: [6]}, 0
    return 1, [1, 1, 1], {2: [1, 1], 1: [3]}, 2 if shape == "trailing" else 0


def t2_grid(
    active: dict[str, Any], table_format: str, shape: str, quirks: Quirks, unit: str
) -> tuple[int, int, list[MergedCell]]:
    """Table 二 as merged cells (rows, columns, cells) in one of T2_SHAPES."""
    label, three, fewer, trailing = _t2_widths(shape)
    width = label + sum(three) + trailing
    cells: list[MergedCell] = []
    rows = t2_cells(active, table_format, quirks, unit)
    for row, (text, values) in enumerate(rows):
        if not values:
            cells.append(MergedCell(row, 0, text, colspan=width))
            continue
        cells.append(MergedCell(row, 0, text, colspan=label))
        column = label
        for value, span in zip(values, three if len(values) == 3 else fewer[len(values)], strict=True):
            cells.append(MergedCell(row, column, value, colspan=span))
            column += span
        if column < width:
            cells.append(MergedCell(row, column, "", colspan=width - column))
    return len(rows), width, cells


def render_t2_html(
    record: dict[str, Any], active: dict[str, Any], table_format: str, shape: str, quirks: Quirks, unit: str
) -> bytes:
    """``render_html`` with table 二 replaced by ``t2_grid``'s of ``active`` (colspan markup)."""
    rows, _, cells = t2_grid(active, table_format, shape, quirks, unit)
    markup = ["<table border='1'>"]
    for row in range(rows):
        tds = [f"<td colspan='{c.colspan}'>{html.escape(c.text)}</td>" for c in cells if c.row == row]
        markup.append("<tr>" + "".join(tds) + "</tr>")
    page = render_html(record, quirks).decode("utf-8")
    start = page.index("<table")
    end = page.index("</table>", start)
    return (page[:start] + "\n".join(markup) + page[end:]).encode("utf-8")


def render_t2_docx(
    record: dict[str, Any], active: dict[str, Any], table_format: str, shape: str, quirks: Quirks, unit: str
) -> bytes:
    """``render_docx`` with table 二 replaced by ``t2_grid``'s of ``active``, as Word merged cells."""
    import docx  # python-docx: only needed here

    document = docx.Document(io.BytesIO(render_docx(record, quirks)))
    rows, columns, cells = t2_grid(active, table_format, shape, quirks, unit)
    table = document.add_table(rows=rows, cols=columns)
    table.style = "Table Grid"
    for cell in cells:
        target = table.cell(cell.row, cell.col)
        if cell.colspan > 1:
            target = target.merge(table.cell(cell.row, cell.col + cell.colspan - 1))
        target.text = cell.text
    old = document.tables[0]._tbl
    old.addnext(table._tbl)
    old.getparent().remove(old)
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue())
