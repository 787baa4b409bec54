"""HTML pages: decode right, take the main text with trafilatura, tables and metadata from the DOM.

trafilatura gets the decoded text (never bytes: it would guess the charset again, and guess GBK wrong).
Tables, meta tags, the metadata box and attachment links are read from our own parse before that,
because main-text extraction drops or flattens them.
"""

from __future__ import annotations

import lxml.html
import trafilatura

from parsers import decode, htmlgrid, htmlmeta
from parsers.document import HTML, ExtractedDocument, ExtractionError

MAX_HTML_BYTES = 10 * 1024 * 1024  # report pages are under 1 MB; bigger ones are not reports
#: trafilatura takes ~30 µs per element (15 s on a 5 MB page of nested tables); report pages have a few
#: thousand elements. Beyond this the whole page text is kept instead of the main text.
MAX_ELEMENTS = 30_000


def extract_html(data: bytes, url: str | None = None, header_charset: str | None = None) -> ExtractedDocument:
    if len(data) > MAX_HTML_BYTES:
        raise ExtractionError(f"HTML page of {len(data) / 2**20:.1f} MB, over the {MAX_HTML_BYTES // 2**20} MB limit")
    text, encoding = decode.decode(data, (header_charset, decode.meta_charset(data)))
    try:
        tree = lxml.html.document_fromstring(text)
    except Exception as error:  # lxml raises several types for hopeless markup
        raise ExtractionError(f"unparseable HTML: {error}") from error
    tables, warnings = htmlgrid.tables(tree)
    metadata = {**htmlmeta.portal_meta(tree), **htmlmeta.metadata_box(tree)}
    attachments = htmlmeta.attachments(tree, metadata.get("Url") if url is None else url)
    elements = sum(1 for _ in tree.iter())
    if elements > MAX_ELEMENTS:
        warnings.append(f"page of {elements} elements, too big for main-text extraction: kept the whole page text")
        main_text = None
    else:
        # report pages carry no reader comments: not looking for them saves a pass over the page
        main_text = trafilatura.extract(text, url=url, include_tables=True, favor_recall=True, include_comments=False)
        if not main_text:
            warnings.append("no main text found by trafilatura: kept the whole page text")
    if not main_text:
        for element in tree.xpath("//script | //style"):
            element.drop_tree()
        main_text = "\n".join(line.strip() for line in tree.itertext() if line.strip())
    return ExtractedDocument(
        media_type=HTML,
        text=main_text.strip(),
        title=metadata.get("ArticleTitle") or _title(tree),
        tables=tables,
        metadata=metadata,
        warnings=warnings,
        attachments=attachments,
        encoding=encoding,
    )


def _title(tree: lxml.html.HtmlElement) -> str | None:
    element = tree.find(".//title")
    title = element.text_content().strip() if element is not None else ""
    return title or None
