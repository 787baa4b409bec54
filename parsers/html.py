"""HTML pages: decode right, then take the main text with trafilatura."""

from __future__ import annotations

import lxml.html
import trafilatura

from parsers import decode
from parsers.document import HTML, ExtractedDocument, ExtractionError


def extract_html(data: bytes, url: str | None = None, header_charset: str | None = None) -> ExtractedDocument:
    text, encoding = decode.decode(data, (header_charset, decode.meta_charset(data)))
    try:
        tree = lxml.html.fromstring(text)
    except Exception as error:  # lxml raises several types for hopeless markup
        raise ExtractionError(f"unparseable HTML: {error}") from error
    title_element = tree.find(".//title")
    title = title_element.text_content().strip() if title_element is not None else None
    main_text = trafilatura.extract(text, url=url, include_tables=True, favor_recall=True) or ""
    warnings = [] if main_text else ["no main text found in the page"]
    return ExtractedDocument(media_type=HTML, text=main_text, title=title or None, warnings=warnings, encoding=encoding)
