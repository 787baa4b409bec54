"""HTML ``<table>`` markup → cell grids, straight from the DOM.

Main-text extraction flattens tables (a blank cell vanishes, digits run together), so the grids are read
from the markup with the HTML table model: each cell is placed at the first free position of its row and
fills ``rowspan`` × ``colspan`` positions. Spans are clamped, and tables too big to be a report table are
skipped, so a hostile page cannot make a grid of billions of cells.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from parsers.document import MAX_TABLE_CELLS, Table

MAX_COLSPAN = 100
MAX_TABLES = 200
_SPACE = re.compile(r"[^\S\n]+")  # white space other than line breaks, including U+00A0 and U+3000
_BREAKS = {"br", "p", "div", "li", "tr"}


def tables(tree: HtmlElement) -> tuple[list[Table], list[str]]:
    """Grids of the page's data tables, and warnings for what was skipped.

    Only innermost tables count: portals lay pages out with tables that wrap the data tables."""
    grids: list[Table] = []
    warnings: list[str] = []
    for element in tree.iter("table"):
        if element.find(".//table") is not None:
            continue
        if len(grids) == MAX_TABLES:
            warnings.append(f"more than {MAX_TABLES} tables: the rest skipped")
            break
        rows = grid(element)
        if rows is None:
            warnings.append(f"a table of over {MAX_TABLE_CELLS:,} cells skipped")
        elif rows:
            grids.append(Table(rows=rows))
    return grids, warnings


def _span(cell: HtmlElement, name: str, limit: int) -> int:
    try:
        value = int(str(cell.get(name, "1")).strip() or 1)
    except ValueError:
        return 1
    return limit if value <= 0 else min(value, limit)  # rowspan="0" spans to the end of the table


def grid(table: HtmlElement) -> list[list[str | None]] | None:
    """The table as a rectangular grid, merged cells repeated in every position they cover; None if too big."""
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    filled: dict[tuple[int, int], str | None] = {}
    for row_index, row in enumerate(rows):
        column = 0
        for cell in row.xpath("./td | ./th"):
            while (row_index, column) in filled:
                column += 1
            rowspan = _span(cell, "rowspan", len(rows) - row_index)
            colspan = _span(cell, "colspan", MAX_COLSPAN)
            if len(filled) + rowspan * colspan > MAX_TABLE_CELLS:
                return None
            text = cell_text(cell)
            for down in range(rowspan):
                for right in range(colspan):
                    filled[(row_index + down, column + right)] = text
            column += colspan
    if not filled:
        return []
    width = 1 + max(column for _, column in filled)
    return [[filled.get((row, column)) for column in range(width)] for row in range(len(rows))]


def cell_text(cell: HtmlElement) -> str | None:
    """The cell's text, line breaks kept (``<br>``, paragraphs), other white space collapsed; None if blank."""
    parts: list[str] = []
    for event, node in etree.iterwalk(cell, events=("start", "end")):
        is_element = isinstance(node.tag, str)  # comments and processing instructions have no text to show
        if event == "start":
            if node.tag in _BREAKS:
                parts.append("\n")
            if is_element and node.text and node.tag not in ("script", "style"):
                parts.append(node.text)
        elif node is not cell and node.tail:
            parts.append(node.tail)
    lines = (_SPACE.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line) or None
