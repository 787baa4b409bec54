"""HTML pages: decode right, take the main text with trafilatura, tables and metadata from the DOM.

trafilatura gets the decoded text (never bytes: it would guess the charset again, and guess GBK wrong).
Tables, meta tags, the metadata box and attachment links are read from our own parse before that,
because main-text extraction drops or flattens them.

Where the page's CMS put the article body in an element we know (parsers.htmlmeta.MAIN_CONTAINERS: TRS
``.TRS_Editor``, ``#zoom``, VSB ``.v_news_content``, …), trafilatura reads that body and the metadata box
above it (htmlmeta.article_parts) alone, as the article it would have found itself had the body carried
one of the names it looks for: its main pass with the same table and line rules, without the search for
the article over the whole page, the recovery of every paragraph and table of the page when that search
fails ("wild text") and the comparison with its fallback extractors. On the report pages the tests hold
that takes trafilatura's time from 10.0 to 7.6 ms a page; on pages that are mostly tables less (10.8 to
10.3 ms), as converting the tables, which both ways do, is most of it. The text then leaves out the
page's chrome (navigation, breadcrumbs, the heading outside the body, footer, what follows the body) and
keeps a line the body repeats, which the page-wide recovery dropped as a duplicate;
tests/test_html_main_container.py checks on every HTML page the tests hold that nothing else changes and
that the record read is the same.
"""

from __future__ import annotations

import copy
import re

import lxml.html
import trafilatura

from parsers import decode, htmlgrid, htmlmeta
from parsers.document import HTML, ExtractedDocument, ExtractionError, error_detail
from parsers.titles import MAX_TITLE_CHARS, REPORT_WORDS, arabic_years, is_report_title

MAX_HTML_BYTES = 10 * 1024 * 1024  # report pages are under 1 MB; bigger ones are not reports
#: trafilatura takes ~30 µs per element (15 s on a 5 MB page of nested tables); report pages have a few
#: thousand elements. Beyond this the whole page text is kept instead of the main text.
MAX_ELEMENTS = 30_000
#: Where article pages print their title: headings, and elements whose class or id says title (div.nr-bt on
#: 淮安, h1.title, div.article-title). Only the first few are looked at.
#: One pass over the page (a union of four paths made four), the same nodes in the same (document) order.
_HEADINGS = (
    "//*[self::h1 or self::h2 or self::h3"
    " or contains(@class, 'title') or contains(@id, 'title') or contains(@class, 'nr-bt')]"
)
_MAX_HEADINGS = 40
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
#: The name of a 年报 column, which no report is titled alone (no agency, no year).
_COLUMN_NAME = re.compile(r"(?:政府)?(?:信息|政务)公开(?:工作)?(?:年报|年度报告)(?:专栏)?")
_MAX_TITLE_CHARS = 80
#: What separates the article title from the site name in <title> ("…年度报告_淮安市人民政府", "… - 曲靖市…").
_TITLE_SEPARATOR = re.compile(r"\s*[_|｜]\s*|\s+[-—–]\s+|-(?=[^-]*$)")


def extract_html(data: bytes, url: str | None = None, header_charset: str | None = None) -> ExtractedDocument:
    if len(data) > MAX_HTML_BYTES:
        raise ExtractionError(f"HTML page of {len(data) / 2**20:.1f} MB, over the {MAX_HTML_BYTES // 2**20} MB limit")
    decoded = decode.decode_text(data, (header_charset, decode.meta_charset(data)))
    text = decoded.text
    try:
        tree = lxml.html.document_fromstring(text)
    except Exception as error:  # lxml raises several types for hopeless markup
        raise ExtractionError(f"unparseable HTML: {error_detail(error)}") from error
    tables, warnings = htmlgrid.tables(tree)
    warnings[:0] = decoded.warnings
    metadata = {**htmlmeta.portal_meta(tree), **htmlmeta.metadata_box(tree)}
    attachments = htmlmeta.attachments(tree, metadata.get("Url") if url is None else url)
    elements = sum(1 for _ in tree.iter())
    if elements > MAX_ELEMENTS:
        warnings.append(f"page of {elements} elements, too big for main-text extraction: kept the whole page text")
        main_text = None
    else:
        parts = htmlmeta.article_parts(tree)
        main_text = page_text(text, url) if parts is None else article_text(parts, url)
        if not main_text:
            warnings.append("no main text found by trafilatura: kept the whole page text")
    if not main_text:
        for element in tree.xpath("//script | //style"):
            element.drop_tree()
        main_text = "\n".join(line.strip() for line in tree.itertext() if line.strip())
    return ExtractedDocument(
        media_type=HTML,
        text=main_text.strip(),
        title=_page_title(tree, metadata.get("ArticleTitle")),
        tables=tables,
        metadata=metadata,
        warnings=warnings,
        attachments=attachments,
        encoding=decoded.encoding,
        replaced_chars=decoded.replaced,
    )


def page_text(html: str, url: str | None) -> str | None:
    """trafilatura's main text of the whole page (report pages carry no reader comments: not looking for
    them saves a pass over the page)."""
    return trafilatura.extract(html, url=url, include_tables=True, favor_recall=True, include_comments=False)


def article_text(parts: list[lxml.html.HtmlElement], url: str | None) -> str | None:
    """trafilatura's main text of the article ``parts`` alone (htmlmeta.article_parts: the blocks describing
    the body, then the body): copies of them in a page of their own, inside an element whose class
    (``post``) trafilatura takes for an article, so that it reads them with its main pass at once.
    ``fast``: no comparison with its fallback extractors, which would only re-read the same elements."""
    page = lxml.html.document_fromstring("<html><body><div class='post'></div></body></html>")
    article = page.body[0]
    for part in parts:
        copied = copy.deepcopy(part)
        copied.tail = None
        article.append(copied)
    return trafilatura.extract(page, url=url, include_tables=True, favor_recall=True, include_comments=False, fast=True)


def _page_title(tree: lxml.html.HtmlElement, article_title: str | None) -> str | None:
    """The page's title: of the ArticleTitle meta, the article headings and the <title>, the first that names
    a report of some year, else the first that names a report, else the first there is, else a column's name
    ("政府信息公开年报": the <title> of a letter filed in a 年报 column, 平潭's
    "关于2014年政府信息公开工作要点落实情况的函_政府信息公开年报_平潭综合实验区党工委管委会", names its column
    too; the letter's own title is the title).

    A heading broken by <br> ("聊城市科学技术局<br>2022年…年度报告") is one title here, where main-text
    extraction keeps only its last line; <title> loses the site name it appends. Text longer than
    MAX_TITLE_CHARS is no title."""
    candidates = [article_title, *_headings(tree), *_title_parts(tree)]
    present = [" ".join(text.split()) for text in candidates if text and text.strip()]
    present = [text for text in present if len(text) <= MAX_TITLE_CHARS]
    columns = [text for text in present if _COLUMN_NAME.fullmatch(re.sub(r"\s+", "", text))]
    present = [text for text in present if text not in columns]
    reports = [text for text in present if is_report_title(text)]
    dated = [text for text in reports if _YEAR.search(arabic_years(text))]
    return next(iter(dated + reports + present + columns), None)


def _headings(tree: lxml.html.HtmlElement) -> list[str]:
    """Headings naming a report, their lines joined (whitespace removed: Chinese titles have none)."""
    found = []
    for element in tree.xpath(_HEADINGS)[:_MAX_HEADINGS]:
        text = "".join(element.text_content().split())
        if REPORT_WORDS.search(text) and len(text) <= _MAX_TITLE_CHARS:
            found.append(text)
    return found


def _title_parts(tree: lxml.html.HtmlElement) -> list[str]:
    """<title> split where the site name is appended, then the whole of it; none if it is too long to be a
    title (the separator pattern rescans runs of white space, so it only ever reads a title-sized text)."""
    element = tree.find(".//title")
    title = " ".join(element.text_content().split()) if element is not None else ""
    if not title or len(title) > MAX_TITLE_CHARS:
        return []
    return [*(part for part in _TITLE_SEPARATOR.split(title) if part), title]
