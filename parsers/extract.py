"""The one entry point of the extraction layer: bytes (+ URL and HTTP headers) → ExtractedDocument.

The type comes from the bytes, never from the file name or the URL: portals serve PDFs as
``application/octet-stream`` and name GBK pages ``.htm``. Whatever goes wrong inside a format library
comes out as an ExtractionError with a one-line reason, so one bad document never stops a crawl.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping

from parsers import decode
from parsers.document import (
    DOC,
    DOCX,
    HTML,
    PDF,
    SHORT_TYPES,
    TEXT,
    ExtractedDocument,
    ExtractionError,
    error_detail,
)
from parsers.text import guess_title

MAX_BYTES = 100 * 1024 * 1024  # the largest report seen is ~20 MB (a scan); beyond this it is not a report
_HTML_MARKUP = re.compile(rb"<(!doctype\s+html|html|head|body|meta|title|div|table|p)[\s>/]", re.I)
_HTML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<", re.S)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_KINDS = {  # stream names (UTF-16 in the compound file's directory) → what the file is
    "WordDocument": None,
    "Workbook": "an Excel workbook (.xls)",
    "Book": "an Excel workbook (.xls)",
    "PowerPoint Document": "a PowerPoint presentation (.ppt)",
}
_SIGNATURES = {  # formats we recognise and do not read, by their first bytes
    b"{\\rtf": "an RTF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"\x1f\x8b": "a gzip file",
}


def sniff(data: bytes) -> str:
    """The media type the bytes say they are (raises ExtractionError for anything unsupported)."""
    if not data.strip():
        raise ExtractionError("empty content")
    if data[:1024].find(b"%PDF-") >= 0:
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if data.startswith(_OLE_MAGIC):
        return _sniff_ole(data)
    for signature, kind in _SIGNATURES.items():
        if data.startswith(signature):
            raise ExtractionError(f"{kind}, not a supported document type")
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head) and _HTML_MARKUP.search(head):
        return HTML
    return TEXT


def _sniff_zip(data: bytes) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except Exception as error:  # BadZipFile, and ValueError, OSError, EOFError... on a mangled directory
        raise ExtractionError(f"corrupt or truncated ZIP/DOCX: {error_detail(error)}") from error
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        raise ExtractionError("an Excel workbook (.xlsx), not a supported document type")
    raise ExtractionError("a ZIP archive that is not a Word document")


def _sniff_ole(data: bytes) -> str:
    for stream, kind in _OLE_KINDS.items():
        if stream.encode("utf-16-le") + b"\x00\x00" in data:
            if kind is None:
                return DOC
            raise ExtractionError(f"{kind}, not a supported document type")
    raise ExtractionError("an OLE compound file that is not a Word document")


def extract(
    data: bytes, url: str | None = None, headers: Mapping[str, str] | None = None, ocr: bool = False
) -> ExtractedDocument:
    """Extract text (and, where the format has them, tables and metadata) from a document's bytes.

    ``ocr``: scanned PDF pages are read by OCR (optional extra, slow) instead of only flagged."""
    if len(data) > MAX_BYTES:
        raise ExtractionError(f"document of {len(data) / 2**20:.0f} MB, over the {MAX_BYTES // 2**20} MB limit")
    lowered = {key.lower(): value for key, value in (headers or {}).items()}
    header_charset = decode.charset_from_content_type(lowered.get("content-type"))
    media_type = "document"
    try:
        media_type = sniff(data)
        document = _extract(media_type, data, url, header_charset, ocr)
    except ExtractionError:
        raise
    except Exception as error:  # a library's bug must not stop the crawl (RecursionError, MemoryError included)
        raise ExtractionError(f"{media_type} extraction failed: {error_detail(error)}") from error
    if not document.text and not document.needs_ocr:
        document.warnings.append(f"no text found in the {SHORT_TYPES[media_type].upper()} file")
    return document


def _extract(media_type: str, data: bytes, url: str | None, header_charset: str | None, ocr: bool) -> ExtractedDocument:
    # each extractor's libraries (pdfplumber, python-docx, trafilatura) load when a file of its type comes:
    # `nianbao parse notes.txt` or `search` never pays for them (start-up, bench/cli.py)
    if media_type == PDF:
        from parsers.pdf import extract_pdf

        return extract_pdf(data, ocr)
    if media_type == DOCX:
        from parsers.docx import extract_docx

        return extract_docx(data)
    if media_type == DOC:
        from parsers.doc import extract_doc

        return extract_doc(data)
    if media_type == HTML:
        from parsers import html

        return html.extract_html(data, url=url, header_charset=header_charset)
    decoded = decode.decode_text(data, (header_charset,))
    return ExtractedDocument(
        media_type=TEXT,
        text=decoded.text.strip(),
        title=guess_title(decoded.text),
        encoding=decoded.encoding,
        warnings=decoded.warnings,
        replaced_chars=decoded.replaced,
    )
