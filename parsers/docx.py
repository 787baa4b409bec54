"""DOCX → text in reading order and tables as grids, with python-docx.

The ZIP is checked before python-docx opens it, because a small file can inflate to gigabytes and python-docx
reads whole parts into memory: the inflated size, the ratio, and the number of XML nodes it would build (a
15 MB file of empty paragraphs within the size limits took 4.2 GB and 22 s). Table grids are read from the
XML's own grid attributes (w:gridBefore, w:gridSpan, w:gridAfter, w:vMerge), checked before any row is built,
in one pass: python-docx's ``row.cells`` builds a row as long as a span says (2,000,000,000) and follows a
vertical merge up its whole chain recursively for every cell of it (quadratic, RecursionError at ~1,000 rows).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from lxml.etree import _Element

from parsers.document import DOCX, MAX_TABLE_CELLS, ExtractedDocument, ExtractionError, Table, error_detail
from parsers.text import guess_title, normalise

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all parts together; real reports are a few MB with images
MAX_RATIO = 200  # deflate tops out near 1000:1 on zeros; XML reaches ~20:1
#: XML nodes (elements and attributes, counted as the "<" and "=" of the inflated XML parts) python-docx may
#: build: each costs ~200 bytes of tree and ~15 µs of reading. A long report has ~100,000 (the styles of
#: Word's template alone ~45,000). Over the limit the DOCX fails before it is parsed.
#: Environment: NIANBAO_DOCX_MAX_XML_NODES.
MAX_XML_NODES = int(os.environ.get("NIANBAO_DOCX_MAX_XML_NODES", "1000000"))
#: The widest a table row may say it is (w:gridBefore + w:gridSpan + w:gridAfter): Word stops at 63 columns.
#: A wider one is a corrupt or hostile file, refused before any row is built.
MAX_GRID_COLUMNS = 1000
_XML_PARTS = (".xml", ".rels")
_CHUNK = 1 << 20
_TC, _TR_PR, _TC_PR, _VAL = qn("w:tc"), qn("w:trPr"), qn("w:tcPr"), qn("w:val")
_GRID_BEFORE, _GRID_AFTER = qn("w:gridBefore"), qn("w:gridAfter")
_GRID_SPAN, _V_MERGE = qn("w:gridSpan"), qn("w:vMerge")
_COUNT = re.compile(r"\s*[0-9]{1,9}\s*")  # at most nine digits: int() of a 5,000-digit value raises


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open the ZIP and refuse one that is not a Word document or would inflate beyond the limits.

    The sizes come from the central directory; zipfile stops reading a member at its declared size (and
    fails its CRC), so a directory that lies cannot make python-docx read more than the limit. The XML
    parts are then inflated in chunks, never whole, to count the nodes python-docx would build of them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except Exception as error:  # BadZipFile, and ValueError, OSError, EOFError... on a mangled directory
        raise ExtractionError(f"corrupt or truncated DOCX: {error_detail(error)}") from error
    if "word/document.xml" not in names:
        kind = "an Excel workbook" if "xl/workbook.xml" in names else "a ZIP archive"
        raise ExtractionError(f"{kind}, not a Word document (no word/document.xml)")
    total = sum(info.file_size for info in archive.infolist())
    packed = sum(info.compress_size for info in archive.infolist())
    if total > MAX_UNCOMPRESSED or total > MAX_RATIO * max(packed, 1) + 1024 * 1024:
        raise ExtractionError(
            f"DOCX would inflate to {total / 2**20:.0f} MB from {len(data) / 2**10:.0f} KB (zip bomb?); "
            f"limit {MAX_UNCOMPRESSED // 2**20} MB, ratio {MAX_RATIO}:1"
        )
    nodes = sum(_xml_nodes(archive, info) for info in archive.infolist() if info.filename.endswith(_XML_PARTS))
    if nodes > MAX_XML_NODES:
        raise ExtractionError(
            f"DOCX has {nodes:,} XML elements and attributes, over the limit of {MAX_XML_NODES:,} "
            "(set NIANBAO_DOCX_MAX_XML_NODES to read it)"
        )
    return archive


def _xml_nodes(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Elements and attributes of one XML part, over-counted from its bytes ("<" not closing a tag, and "=")."""
    count = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                count += chunk.count(b"<") - chunk.count(b"</") + chunk.count(b"=")
    except Exception as error:  # BadZipFile (CRC), zlib.error, EOFError, RuntimeError (encrypted), ...
        raise ExtractionError(f"corrupt DOCX part {info.filename}: {error_detail(error)}") from error
    return count


def extract_docx(data: bytes, media_type: str = DOCX) -> ExtractedDocument:
    """``media_type`` is DOC when the DOCX was converted from a binary Word file."""
    check_zip(data).close()
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises KeyError, ValueError, lxml errors on broken parts
        raise ExtractionError(f"unreadable DOCX: {error_detail(error)}") from error
    blocks: list[str] = []
    tables: list[Table] = []
    warnings: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            blocks.append(block.text)
        else:
            found = table_grid(block, len(tables) + 1)
            if found is None:
                warnings.append(f"table {len(tables) + 1} skipped: over {MAX_TABLE_CELLS:,} cells")
                continue
            tables.append(Table(rows=found[0]))
            blocks.extend(found[1])
    text = normalise("\n".join(blocks)).strip()
    return ExtractedDocument(
        media_type=media_type,
        text=text,
        title=guess_title(text, document.core_properties.title),
        tables=tables,
        metadata=_core_metadata(document),
        warnings=warnings,
    )


@dataclass
class _Tc:
    """One <w:tc> as the grid sees it: how many grid columns it spans, whether it continues the cell above."""

    element: _Element
    span: int
    continues: bool


@dataclass
class _Row:
    before: int
    cells: list[_Tc]
    after: int

    @property
    def width(self) -> int:
        return self.before + sum(cell.span for cell in self.cells) + self.after


def table_grid(table: DocxTable, number: int) -> tuple[list[list[str | None]], list[str]] | None:
    """The table as a rectangular grid (rows that start late or end early are padded with None), and its
    text as lines, each merged cell once where it starts; None if the grid has over MAX_TABLE_CELLS positions.

    One pass, top to bottom: a cell continuing a vertical merge takes the cell that covers its column in the
    row above (a table whose first cell already "continues" starts a cell of its own)."""
    rows = [_row(tr, number, index) for index, tr in enumerate(table._tbl.tr_lst, 1)]
    width = max((row.width for row in rows), default=0)
    if width * len(rows) > MAX_TABLE_CELLS:
        return None
    grid: list[list[str | None]] = []
    lines: list[str] = []
    above: dict[int, str | None] = {}  # grid column → text of the cell covering it in the row above
    for row in rows:
        texts: list[str | None] = [None] * row.before
        starting: list[str] = []
        for cell in row.cells:
            column = len(texts)
            if cell.continues and column in above:
                text = above[column]
            else:
                text = normalise(_Cell(cell.element, table).text).strip() or None
                starting.append(text or "")
            texts.extend([text] * cell.span)
        above = dict(enumerate(texts))
        texts.extend([None] * (row.after + width - row.width))
        grid.append(texts)
        lines.append("\t".join(starting))
    return grid, lines


def _row(tr: _Element, table: int, number: int) -> _Row:
    """A <w:tr>'s grid attributes, each checked against MAX_GRID_COLUMNS before anything is built of them."""
    where = f"table {table}, row {number}"
    before = _grid_value(_property(tr, _TR_PR, _GRID_BEFORE), 0, where)
    after = _grid_value(_property(tr, _TR_PR, _GRID_AFTER), 0, where)
    cells = []
    for tc in tr.iterchildren(_TC):
        span = _grid_value(_property(tc, _TC_PR, _GRID_SPAN), 1, where)
        merge = _property(tc, _TC_PR, _V_MERGE)
        cells.append(_Tc(tc, span, merge is not None and merge.get(_VAL, "continue") == "continue"))
    row = _Row(before, cells, after)
    if row.width > MAX_GRID_COLUMNS:
        raise ExtractionError(
            f"DOCX {where} says it is {row.width:,} grid columns wide, over the limit of {MAX_GRID_COLUMNS:,} "
            "(w:gridBefore + w:gridSpan + w:gridAfter): a corrupt or hostile file"
        )
    return row


def _property(element: _Element, properties: str, name: str) -> _Element | None:
    """A row's or cell's property element (w:trPr/w:gridBefore, w:tcPr/w:vMerge), if it has one."""
    found = element.find(properties)
    return None if found is None else found.find(name)


def _grid_value(element: _Element | None, default: int, where: str) -> int:
    """The w:val of a w:gridBefore / w:gridAfter / w:gridSpan element, checked to be a small count."""
    if element is None:
        return default
    raw = element.get(_VAL, str(default))
    name = str(element.tag).rpartition("}")[2]
    if not _COUNT.fullmatch(raw) or int(raw) > MAX_GRID_COLUMNS:
        raise ExtractionError(
            f"DOCX {where}: w:{name} of {raw[:20]!r}, not a count of at most {MAX_GRID_COLUMNS:,} grid columns "
            "(a corrupt or hostile file)"
        )
    return int(raw)


def _core_metadata(document: Document) -> dict[str, str]:
    properties = document.core_properties
    values = {
        "author": properties.author,
        "created": properties.created.isoformat() if properties.created else None,
        "modified": properties.modified.isoformat() if properties.modified else None,
        "title": properties.title,
    }
    return {key: value for key, value in values.items() if value}
