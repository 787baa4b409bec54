"""Table grids of a PDF page from its ruling lines, without pdfminer.

pdfplumber finds tables well (every table-三 cell of sound PDFs, blank cells kept) but spends 130–260 ms
per page parsing characters with pdfminer. Its table finder only needs the page's ruling lines, so we feed
it the straight segments of PDFium's path objects and read each cell's text from PDFium's text page:
the same grids at a few milliseconds per page. Merged cells (a cell spanning several grid columns or rows)
are expanded, so ``rows[r][c]`` is the text of whatever cell covers that position.
"""

from __future__ import annotations

import bisect
import ctypes
import functools
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber import table as plumber
from pdfplumber.table import TableSettings

from parsers.document import MAX_TABLE_CELLS
from parsers.text import is_cjk, normalise

Bbox = tuple[float, float, float, float]  # x0, top, x1, bottom, top-down like pdfplumber
Matrix = tuple[float, float, float, float, float, float]
Edge = dict[str, float | str]  # a pdfplumber edge: x0, x1, top, bottom, width, height, orientation, ...
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_STRAIGHT = 0.5  # points: a segment this close to horizontal or vertical is a ruling line
_SAME_LINE = 2.0  # points: cell borders closer than this are one grid line
#: A page needs at least this many ruling segments to hold a table (a bordered box has four).
MIN_EDGES = 6
#: Ruling-line crossings one page may have, counted as the pairs of a horizontal and a vertical line that meet
#: in height (every crossing is one; the finder examines each). Report pages have a few hundred, dense forms a
#: few thousand. Cells are found in time linear in the crossings (~0.4 s for 10,000); pdfplumber's own finder
#: was quadratic (a 15 KB page of a 300 × 300 ruled grid took two minutes), and past ~10,000 crossings the
#: cost per crossing climbs again with memory. A page over the cap is read as text, with a warning.
MAX_CROSSINGS = 10_000
_MAX_FORM_DEPTH = 8


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    a, b, c, d, e, f = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _points(path: Any, matrix: Matrix) -> Iterable[tuple[int, float, float, bool]]:
    """(segment type, x, y, closes) of each segment of a raw path object, in page space."""
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    for index in range(pdfium_c.FPDFPath_CountSegments(path)):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, index)
        if not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            continue
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        closes = bool(pdfium_c.FPDFPathSegment_GetClose(segment))
        yield kind, a * x.value + c * y.value + e, b * x.value + d * y.value + f, closes


def _segments(path: Any, matrix: Matrix) -> Iterable[tuple[float, float, float, float]]:
    """Straight line pieces of a path (curves only move the pen)."""
    start = current = None
    for kind, x, y, closes in _points(path, matrix):
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = current = (x, y)
            continue
        if kind == pdfium_c.FPDF_SEGMENT_LINETO and current is not None:
            yield (*current, x, y)
        current = (x, y)
        if closes and start is not None:
            yield (x, y, *start)
            current = start


def _matrix(obj: Any, outer: Matrix) -> Matrix:
    own = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, own):
        return outer
    return _compose((own.a, own.b, own.c, own.d, own.e, own.f), outer)


def _objects(page: pdfium.PdfPage) -> Iterator[tuple[Any, int, Matrix]]:
    """(raw object, type, page-space matrix) of the page's objects, descending into form XObjects.

    Raw PDFium calls: pypdfium2's object wrappers cost ~10 µs each, and a page of text has thousands."""

    def children(parent: Any, form: bool) -> Iterator[Any]:
        count = pdfium_c.FPDFFormObj_CountObjects(parent) if form else pdfium_c.FPDFPage_CountObjects(parent)
        get = pdfium_c.FPDFFormObj_GetObject if form else pdfium_c.FPDFPage_GetObject
        return (get(parent, index) for index in range(max(count, 0)))

    stack = [(children(page.raw, False), _IDENTITY)]
    while stack:
        siblings, outer = stack[-1]
        obj = next(siblings, None)
        if obj is None:
            stack.pop()
            continue
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM and len(stack) < _MAX_FORM_DEPTH:
            stack.append((children(obj, True), _matrix(obj, outer)))
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj, kind, _matrix(obj, outer)
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            yield obj, kind, outer


@dataclass
class Shapes:
    """What a page draws besides text: ruling lines (as pdfplumber edges), and counts of images and paths."""

    edges: list[Edge]
    images: int
    paths: int


def shapes(page: pdfium.PdfPage) -> Shapes:
    height = page.get_height()
    found = Shapes([], 0, 0)
    for obj, kind, matrix in _objects(page):
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            found.images += 1
            continue
        found.paths += 1
        for x0, y0, x1, y1 in _segments(obj, matrix):
            edge = _edge(x0, height - y0, x1, height - y1)
            if edge is not None:
                found.edges.append(edge)
    return found


def _edge(x0: float, top0: float, x1: float, top1: float) -> Edge | None:
    left, right, top, bottom = min(x0, x1), max(x0, x1), min(top0, top1), max(top0, top1)
    if bottom - top <= _STRAIGHT and right - left > _STRAIGHT:
        orientation = "h"
        top = bottom = (top + bottom) / 2
    elif right - left <= _STRAIGHT and bottom - top > _STRAIGHT:
        orientation = "v"
        left = right = (left + right) / 2
    else:
        return None
    return {
        "x0": left,
        "x1": right,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": right - left,
        "height": bottom - top,
        "orientation": orientation,
        "object_type": "line",
    }


def find_cells(edges: list[Edge]) -> list[list[Bbox]] | None:
    """The cells of each table on the page: pdfplumber's line strategy with its default settings; None if
    the page's ruling lines cross more than MAX_CROSSINGS times."""
    settings = TableSettings()
    lines = [edge for edge in edges if _length(edge) >= settings.edge_min_length_prefilter]
    merged = plumber.merge_edges(
        lines,
        snap_x_tolerance=settings.snap_x_tolerance,
        snap_y_tolerance=settings.snap_y_tolerance,
        join_x_tolerance=settings.join_x_tolerance,
        join_y_tolerance=settings.join_y_tolerance,
    )
    merged = [edge for edge in merged if _length(edge) >= settings.edge_min_length]
    intersections = _intersections(merged, settings.intersection_x_tolerance, settings.intersection_y_tolerance)
    return None if intersections is None else plumber.cells_to_tables(_cells(intersections))


Intersections = dict[tuple[float, float], dict[str, list[Edge]]]


def _intersections(edges: list[Edge], x_tolerance: float, y_tolerance: float) -> Intersections | None:
    """pdfplumber's ``edges_to_intersections`` (same points, same edges in the same order), with each vertical
    line compared only with the horizontal lines in its height (found by bisection) instead of all of them;
    None once more than MAX_CROSSINGS pairs were examined."""
    verticals = sorted((edge for edge in edges if edge["orientation"] == "v"), key=lambda e: (e["x0"], e["top"]))
    horizontals = sorted((edge for edge in edges if edge["orientation"] == "h"), key=lambda e: (e["top"], e["x0"]))
    tops = [float(edge["top"]) for edge in horizontals]
    found: Intersections = {}
    examined = 0
    for vertical in verticals:
        x, top, bottom = float(vertical["x0"]), float(vertical["top"]), float(vertical["bottom"])
        low = bisect.bisect_left(tops, top - y_tolerance)
        high = bisect.bisect_right(tops, bottom + y_tolerance)
        examined += high - low
        if examined > MAX_CROSSINGS:
            return None
        for horizontal in horizontals[low:high]:
            if float(horizontal["x0"]) - x_tolerance <= x <= float(horizontal["x1"]) + x_tolerance:
                point = found.setdefault((x, float(horizontal["top"])), {"v": [], "h": []})
                point["v"].append(vertical)
                point["h"].append(horizontal)
    return found


def _length(edge: Edge) -> float:
    return float(edge["width"] if edge["orientation"] == "h" else edge["height"])


def _cells(intersections: Intersections) -> list[Bbox]:
    """pdfplumber's ``intersections_to_cells`` (the smallest rectangle from each crossing whose four sides are
    drawn), with each crossing's edges numbered once instead of hashed at every comparison (10× faster), and
    the crossings below and right of each one taken from its column and row instead of a scan of all the
    later ones (linear, not quadratic, in the crossings of a grid): same cells."""
    numbers: dict[Bbox, int] = {}  # an edge is known by its box, as pdfplumber compares them; numbered once
    known: dict[int, int] = {}  # id of an edge object → its number (each edge object is boxed once)
    vertical = {point: {_number(numbers, known, edge) for edge in edges["v"]} for point, edges in intersections.items()}
    horizontal = {
        point: {_number(numbers, known, edge) for edge in edges["h"]} for point, edges in intersections.items()
    }

    def connects(first: tuple[float, float], second: tuple[float, float]) -> bool:
        if first[0] == second[0] and not vertical[first].isdisjoint(vertical[second]):
            return True
        return first[1] == second[1] and not horizontal[first].isdisjoint(horizontal[second])

    points = sorted(intersections)  # by x, then y: each column top to bottom, each row left to right
    columns: dict[float, list[tuple[float, float]]] = {}
    rows: dict[float, list[tuple[float, float]]] = {}
    for point in points:
        columns.setdefault(point[0], []).append(point)
        rows.setdefault(point[1], []).append(point)
    in_column = {point: index for column in columns.values() for index, point in enumerate(column)}
    in_row = {point: index for row in rows.values() for index, point in enumerate(row)}
    cells = []
    for point in points:
        cell = next(
            (
                (point[0], point[1], corner[0], corner[1])
                for down in _after(columns[point[0]], in_column[point])
                if connects(point, down)
                for across in _after(rows[point[1]], in_row[point])
                if connects(point, across)
                for corner in [(across[0], down[1])]
                if corner in vertical and connects(corner, across) and connects(corner, down)
            ),
            None,
        )
        if cell is not None:
            cells.append(cell)
    return cells


def _number(numbers: dict[Bbox, int], known: dict[int, int], edge: Edge) -> int:
    number = known.get(id(edge))
    if number is None:
        number = known[id(edge)] = numbers.setdefault(plumber.utils.obj_to_bbox(edge), len(numbers))
    return number


def _after(line: list[tuple[float, float]], index: int) -> Iterator[tuple[float, float]]:
    """The crossings after ``index`` in a column or row, without copying the rest of it."""
    return (line[later] for later in range(index + 1, len(line)))


@dataclass
class Char:
    text: str
    x: float  # centre, top-down coordinates
    y: float
    left: float
    right: float
    size: float  # height of the glyph box


def page_chars(textpage: pdfium.PdfTextPage, height: float, text: str | None = None) -> list[Char]:
    """The page's printed characters with their boxes (PDFium's generated spaces and line breaks left out).

    Cell text is rebuilt from positions because PDFium's text follows the content stream, where a line's
    quotation marks in a fallback font can come after the characters they enclose. ``text``: the page's
    text as ``get_text_range`` gave it, one character per index (then white space is skipped without a call
    into PDFium for each: a third of the time here); ignored when its length is not the character count."""
    box = pdfium_c.FS_RECTF()  # the "loose" box: the font's line height, so a line's glyphs share a centre
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    codes = map(ord, text) if text is not None and len(text) == count else None
    unicode, generated, loose_box = (
        pdfium_c.FPDFText_GetUnicode,
        pdfium_c.FPDFText_IsGenerated,
        pdfium_c.FPDFText_GetLooseCharBox,
    )
    chars = []
    for index in range(count):
        code = next(codes) if codes is not None else unicode(raw, index)
        if code <= 32 or generated(raw, index) == 1 or not loose_box(raw, index, box):
            continue
        char = _normalised(code)
        if char.isspace():
            continue
        left, right, top, bottom = box.left, box.right, box.top, box.bottom
        chars.append(Char(char, (left + right) / 2, height - (top + bottom) / 2, left, right, top - bottom))
    return chars


@functools.cache
def _normalised(code: int) -> str:
    return normalise(chr(code))


def _join(chars: list[Char]) -> str | None:
    """Characters of one cell → lines top to bottom, each left to right; a space only between Latin words."""
    lines: list[list[Char]] = []
    for char in sorted(chars, key=lambda char: char.y):
        if lines and abs(char.y - lines[-1][0].y) <= max(lines[-1][0].size, char.size, 1.0) / 2:
            lines[-1].append(char)
        else:
            lines.append([char])
    texts = []
    for line in lines:
        line.sort(key=lambda char: char.x)
        parts = [line[0].text]
        for before, after in itertools.pairwise(line):
            gap = after.left - before.right
            if gap > max(before.size, after.size) * 0.5 and not (is_cjk(before.text) or is_cjk(after.text)):
                parts.append(" ")
            parts.append(after.text)
        texts.append("".join(parts))
    return "\n".join(texts) or None


def _grid_lines(values: Iterable[float]) -> list[float]:
    lines: list[float] = []
    for value in sorted(values):
        if not lines or value - lines[-1] > _SAME_LINE:
            lines.append(value)
    return lines


class Layout:
    """Which cell covers each grid position of a table whose cells are known by their boxes.

    A merged cell spans several grid columns or rows; the grid lines are all the cells' edges. A table of
    more than MAX_TABLE_CELLS grid positions (``positions``: cells in a staircase give as many grid lines as
    cells, and positions as their square) gets no grid at all."""

    def __init__(self, cells: Sequence[Bbox]) -> None:
        self.xs = _grid_lines(value for x0, _, x1, _ in cells for value in (x0, x1))
        self.ys = _grid_lines(value for _, top, _, bottom in cells for value in (top, bottom))
        self.positions = max(len(self.xs) - 1, 0) * max(len(self.ys) - 1, 0)
        self.owner: list[list[int | None]] = []
        if self.positions > MAX_TABLE_CELLS:
            return
        self.owner = [[None] * (len(self.xs) - 1) for _ in range(len(self.ys) - 1)]
        for index, (x0, top, x1, bottom) in enumerate(cells):
            for row in range(_nearest(self.ys, top), _nearest(self.ys, bottom)):
                for col in range(_nearest(self.xs, x0), _nearest(self.xs, x1)):
                    self.owner[row][col] = index

    def locate(self, x: float, y: float) -> int | None:
        """The cell at a point, or None outside the table."""
        col, row = bisect.bisect(self.xs, x) - 1, bisect.bisect(self.ys, y) - 1
        if 0 <= row < len(self.owner) and 0 <= col < len(self.xs) - 1:
            return self.owner[row][col]
        return None

    def fill(self, texts: Sequence[str | None]) -> list[list[str | None]]:
        """The grid with each cell's text in every position it covers (None where no cell is)."""
        return [[None if index is None else texts[index] for index in row] for row in self.owner]


def _nearest(lines: list[float], value: float) -> int:
    """The grid line a cell edge lies on: each line is the lowest of edges within ``_SAME_LINE`` of it."""
    return min(bisect.bisect_left(lines, value - _SAME_LINE), len(lines) - 1)


def table_grid(cells: Sequence[Bbox], chars: Iterable[Char]) -> list[list[str | None]] | None:
    """A table's grid with the text of the page's characters whose centres fall in each cell; None if it
    would have more than MAX_TABLE_CELLS positions."""
    layout = Layout(cells)
    if layout.positions > MAX_TABLE_CELLS:
        return None
    contents: list[list[Char]] = [[] for _ in cells]
    left, right, top, bottom = layout.xs[0], layout.xs[-1], layout.ys[0], layout.ys[-1]
    for char in chars:
        if not (left <= char.x < right and top <= char.y < bottom):
            continue  # outside the table: what ``locate`` would find, without its two bisections
        index = layout.locate(char.x, char.y)
        if index is not None:
            contents[index].append(char)
    return layout.fill([_join(content) for content in contents])
