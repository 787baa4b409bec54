"""DOCX → text in reading order and tables as grids, with python-docx.

python-docx resolves merged cells the way the grid needs them: a horizontally merged cell is returned for
each grid column it spans and a vertically merged one for each row. The ZIP is checked before python-docx
opens it, because a small file can inflate to gigabytes and python-docx reads whole parts into memory.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.document import Document
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from parsers.document import DOCX, ExtractedDocument, ExtractionError, Table
from parsers.text import guess_title, normalise

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all parts together; real reports are a few MB with images
MAX_RATIO = 200  # deflate tops out near 1000:1 on zeros; XML reaches ~20:1
MAX_TABLE_CELLS = 100_000


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open the ZIP and refuse one that is not a Word document or would inflate beyond the limits.

    The sizes come from the central directory; zipfile stops reading a member at its declared size (and
    fails its CRC), so a directory that lies cannot make python-docx read more than the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ExtractionError(f"corrupt or truncated DOCX: {error}") from error
    names = set(archive.namelist())
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
    return archive


def extract_docx(data: bytes, media_type: str = DOCX) -> ExtractedDocument:
    """``media_type`` is DOC when the DOCX was converted from a binary Word file."""
    check_zip(data).close()
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises KeyError, ValueError, lxml errors on broken parts
        raise ExtractionError(f"unreadable DOCX: {type(error).__name__}: {error}") from error
    blocks: list[str] = []
    tables: list[Table] = []
    warnings: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            blocks.append(block.text)
        else:
            found = table_grid(block)
            if found is None:
                warnings.append(f"table {len(tables) + 1} skipped: over {MAX_TABLE_CELLS} cells")
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


def table_grid(table: DocxTable) -> tuple[list[list[str | None]], list[str]] | None:
    """The table as a rectangular grid (rows that start late or end early are padded with None), and its
    text as lines, each merged cell once where it starts; None if the table is too big."""
    rows: list[list[str | None]] = []
    lines: list[str] = []
    seen: dict[int, object] = {}  # holding the element keeps its id() from being reused
    cells = 0
    for row in table.rows:
        texts: list[str | None] = [None] * row.grid_cols_before
        starting: list[str] = []
        for cell in row.cells:
            text = normalise(cell.text).strip() or None
            texts.append(text)
            if id(cell._tc) not in seen:  # a merged cell is one <w:tc> however many positions it covers
                seen[id(cell._tc)] = cell._tc
                starting.append(text or "")
        texts.extend([None] * row.grid_cols_after)
        cells += len(texts)
        if cells > MAX_TABLE_CELLS:
            return None
        rows.append(texts)
        lines.append("\t".join(starting))
    width = max((len(row) for row in rows), default=0)
    return [row + [None] * (width - len(row)) for row in rows], lines


def _core_metadata(document: Document) -> dict[str, str]:
    properties = document.core_properties
    values = {
        "author": properties.author,
        "created": properties.created.isoformat() if properties.created else None,
        "modified": properties.modified.isoformat() if properties.modified else None,
        "title": properties.title,
    }
    return {key: value for key, value in values.items() if value}
