"""What the extraction layer hands on: text in reading order plus tables as cell grids.

Plain data, no behaviour: the parser (structured record) and the archive (storage, search) both read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
HTML = "text/html"
TEXT = "text/plain"

#: Short names for media types, used on the command line (``--type pdf``) and in listings.
SHORT_TYPES = {PDF: "pdf", DOCX: "docx", DOC: "doc", HTML: "html", TEXT: "txt"}


#: The most grid positions one table may have (rows × columns, merged cells counted in every position they
#: cover), in every format: report tables have a few hundred. A bigger table is skipped with a warning, and its
#: size is known before its grid is built, so a hostile span or a staircase of cells cannot take the memory.
MAX_TABLE_CELLS = 100_000


class ExtractionError(Exception):
    """The bytes cannot be turned into a document; ``str(error)`` is a one-line reason for the user."""


def error_detail(error: BaseException) -> str:
    """A library's error as part of a one-line reason: its type and the first line of its message (cut at 200
    characters), so a reason is never empty even where the message is (MemoryError, KeyError(''))."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0][:200]}" if lines else type(error).__name__


@dataclass
class Table:
    """One table as a grid: ``rows[r][c]`` is the cell's text, ``None`` where the cell is blank.

    Merged cells are expanded: a cell spanning two rows appears in both."""

    rows: list[list[str | None]]
    page: int | None = None


@dataclass
class Link:
    url: str
    text: str


@dataclass
class ExtractedDocument:
    media_type: str
    text: str
    title: str | None = None
    tables: list[Table] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    page_count: int | None = None
    warnings: list[str] = field(default_factory=list)
    needs_ocr: bool = False
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages whose text layer is missing or junk
    attachments: list[Link] = field(default_factory=list)
    encoding: str | None = None
    replaced_chars: int = 0  # U+FFFD put for invalid byte sequences of a text or HTML page (parsers/decode.py)
