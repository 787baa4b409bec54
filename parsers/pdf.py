"""PDF → text in reading order, table grids, and which pages need OCR.

Everything comes from PDFium (pypdfium2): text at ~3 ms a page with the best reading order we measured,
and table grids from the page's ruling lines (see ``pdfgrid``). Pages are processed one at a time and
closed, so memory stays bounded by one page; a page limit and a time limit bound the work.

PDFium is not thread-safe: calls are serialised by a lock; parallelise with processes.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections import Counter

import pypdfium2 as pdfium

from parsers import ocr as ocr_module
from parsers import pdfgrid
from parsers.document import MAX_TABLE_CELLS, PDF, ExtractedDocument, ExtractionError, Table, error_detail
from parsers.text import guess_title, is_cjk, is_page_number, normalise

MAX_PAGES = 1000
TIME_LIMIT_S = 60.0
#: OCR is slow: at most this many scanned pages per document, each adding this much to the time limit.
MAX_OCR_PAGES = 30
OCR_SECONDS_PER_PAGE = 60.0
#: Below this many CJK characters a page with an image on it is a scan; good report pages have 300–600.
MIN_CJK = 20
#: Below this share of CJK among the letters the text layer maps glyphs to the wrong characters.
MIN_CJK_SHARE = 0.2
#: A page with this many vector paths and no text has its text drawn as outlines (a table has ~100).
MIN_OUTLINE_PATHS = 300
_JUNK_CATEGORIES = {"Co", "Cn", "Cs"}  # private-use and unassigned code points: unmapped glyphs
_LOCK = threading.Lock()


def extract_pdf(data: bytes, ocr: bool = False) -> ExtractedDocument:
    """``ocr``: read scanned pages with OCR (slow; see ``parsers.ocr``) instead of only flagging them."""
    with _LOCK:
        document = _open(data)
        try:
            return _extract(document, ocr)
        finally:
            document.close()


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise ExtractionError("password-protected PDF: it cannot be opened without its password") from error
        truncated = b"%%EOF" not in data[-2048:]
        reason = "truncated PDF (no %%EOF at the end)" if truncated else "corrupt PDF"
        raise ExtractionError(f"{reason}: PDFium cannot open it ({error_detail(error)})") from error


def _extract(document: pdfium.PdfDocument, ocr: bool) -> ExtractedDocument:
    page_count = len(document)
    if page_count > MAX_PAGES:
        raise ExtractionError(f"PDF has {page_count} pages, over the limit of {MAX_PAGES}")
    started = time.monotonic()
    texts: list[str] = []
    tables: list[Table] = []
    warnings: list[str] = []
    ocr_pages: list[int] = []
    read_by_ocr: list[int] = []
    unreadable: list[int] = []
    for index in range(page_count):
        if time.monotonic() - started > TIME_LIMIT_S + OCR_SECONDS_PER_PAGE * len(read_by_ocr):
            raise ExtractionError(f"PDF took over {TIME_LIMIT_S:.0f} s; stopped at page {index + 1} of {page_count}")
        try:
            page = document[index]
        except pdfium.PdfiumError:  # a corrupt page object: the other pages are still worth reading
            unreadable.append(index + 1)
            continue
        try:
            text, page_tables, scanned = _page(page, index + 1, warnings)
            if scanned and ocr and len(read_by_ocr) < MAX_OCR_PAGES:
                text, scanned = ocr_module.page_text(page), False
                read_by_ocr.append(index + 1)
        finally:
            page.close()
        if scanned:
            ocr_pages.append(index + 1)
            continue
        texts.append(text)
        tables.extend(page_tables)
    if unreadable:
        warnings.append(f"page(s) {_ranges(unreadable)} of {page_count} could not be loaded (corrupt): skipped")
    if read_by_ocr:
        warnings.append(f"page(s) {_ranges(read_by_ocr)} of {page_count} read by OCR: check the text")
    if ocr_pages:
        warnings.append(f"no usable text layer on page(s) {_ranges(ocr_pages)} of {page_count}: needs OCR")
    text = "\n".join(texts).strip()
    metadata = _metadata(document)
    return ExtractedDocument(
        media_type=PDF,
        text=text,
        title=guess_title(text, metadata.get("Title")),
        tables=tables,
        metadata=metadata,
        page_count=page_count,
        warnings=warnings,
        needs_ocr=bool(ocr_pages),
        ocr_pages=ocr_pages,
    )


def _page(page: pdfium.PdfPage, number: int, warnings: list[str]) -> tuple[str, list[Table], bool]:
    """The page's text, its tables, and whether its text layer is missing or garbage; what could not be read
    as tables is added to ``warnings``."""
    textpage = page.get_textpage()
    try:
        raw = textpage.get_text_range()
        lines = normalise(raw).split("\n")
        while lines and (not lines[0].strip() or is_page_number(lines[0])):
            lines.pop(0)
        while lines and (not lines[-1].strip() or is_page_number(lines[-1])):
            lines.pop()
        text = "\n".join(line.rstrip() for line in lines)
        drawn = pdfgrid.shapes(page)
        if _is_garbage(text, drawn.images > 0 or drawn.paths >= MIN_OUTLINE_PATHS):
            return "", [], True
        return text, _tables(page, textpage, raw, drawn.edges, number, warnings), False
    finally:
        textpage.close()


def _tables(
    page: pdfium.PdfPage,
    textpage: pdfium.PdfTextPage,
    raw: str,
    edges: list[pdfgrid.Edge],
    number: int,
    warnings: list[str],
) -> list[Table]:
    if len(edges) < pdfgrid.MIN_EDGES:
        return []
    found = pdfgrid.find_cells(edges)
    if found is None:
        warnings.append(
            f"page {number}: over {pdfgrid.MAX_CROSSINGS:,} ruling-line crossings: its tables were read as text only"
        )
        return []
    chars = pdfgrid.page_chars(textpage, page.get_height(), raw)
    tables = []
    for cells in found:
        rows = pdfgrid.table_grid(cells, chars)
        if rows is None:
            warnings.append(f"page {number}: a table of over {MAX_TABLE_CELLS:,} grid positions was read as text only")
        elif rows and len(rows[0]) > 1:  # a one-column "table" is a framed paragraph, already in the text
            tables.append(Table(rows=rows, page=number))
    return tables


def _is_garbage(text: str, drawn: bool) -> bool:
    """A scan (an image or text drawn as outlines, and next to no text) or a text layer that maps glyphs to junk.

    A short page with nothing drawn on it (a signature and a date) is just short. Each distinct character is
    classified once (a page has ~1,500 characters, ~300 distinct)."""
    letters = cjk = junk = 0
    for char, count in Counter(text).items():
        unmapped = _is_junk(char)
        if unmapped or unicodedata.category(char)[0] == "L":
            letters += count
            cjk += count if is_cjk(char) else 0
            junk += count if unmapped else 0
    junk += text.count("(cid:")
    if letters and junk / letters > 0.05:
        return True
    if cjk < MIN_CJK:
        return drawn or letters >= MIN_CJK
    return cjk / letters < MIN_CJK_SHARE


def _is_junk(char: str) -> bool:
    return char == "\ufffd" or unicodedata.category(char) in _JUNK_CATEGORIES


def _metadata(document: pdfium.PdfDocument) -> dict[str, str]:
    return {key: str(value).strip() for key, value in document.get_metadata_dict(skip_empty=True).items()}


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 7 → "1–3, 7"."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(start) if start == end else f"{start}–{end}" for start, end in spans)
