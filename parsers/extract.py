"""The one entry point of the extraction layer: bytes (+ URL and HTTP headers) → ExtractedDocument.

The type comes from the bytes, never from the file name or the URL: portals serve PDFs as
``application/octet-stream`` and name GBK pages ``.htm``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from parsers import decode, html
from parsers.document import DOC, DOCX, HTML, PDF, TEXT, ExtractedDocument, ExtractionError

_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<meta|<body|<!--|<div|<table|<p[\s>])", re.I)


def sniff(data: bytes) -> str:
    """The media type the bytes say they are (raises ExtractionError for anything unsupported)."""
    if not data.strip():
        raise ExtractionError("empty content")
    if data.startswith(b"%PDF") or data[:1024].find(b"%PDF-") >= 0:
        return PDF
    if data.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:65536]:
            return DOCX
        raise ExtractionError("a ZIP archive that is not a Word document")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DOC
    head = data[:2048].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        return HTML
    return TEXT


def extract(data: bytes, url: str | None = None, headers: Mapping[str, str] | None = None) -> ExtractedDocument:
    """Extract text (and, where the format has them, tables and metadata) from a document's bytes."""
    media_type = sniff(data)
    header_charset = decode.charset_from_content_type((headers or {}).get("content-type"))
    if media_type == HTML:
        return html.extract_html(data, url=url, header_charset=header_charset)
    if media_type == TEXT:
        text, encoding = decode.decode(data, (header_charset,))
        return ExtractedDocument(media_type=TEXT, text=text.strip(), title=first_line(text), encoding=encoding)
    raise ExtractionError(f"{media_type} extraction is not supported yet")


def first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return None
