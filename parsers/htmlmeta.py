"""What a government portal page says about itself: meta tags, the metadata box, attachment links.

Chinese government sites follow the national site specification (国办发〔2017〕47号): every article page
carries ``<meta name="SiteName">`` … ``<meta name="Url">``, and disclosure pages show a box with 索引号,
发布机构, 成文日期 and 发布日期. Reports are often attachments (PDF, DOC, WPS) of the page, which the
crawler must fetch next.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from parsers.document import Link

PORTAL_META = ["SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ArticleTitle", "PubDate", "ContentSource", "Url"]
BOX_LABELS = ["索引号", "发布机构", "成文日期", "发布日期"]
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx")
_DOWNLOAD_PATH = re.compile(r"download|downfile|filedown|attach")
_BOX_LABEL = re.compile(r"(" + "|".join(BOX_LABELS) + r")\s*[:：]?\s*")
_BOX_SCAN_NODES = 5000  # the box sits above the article; no need to read a whole huge page
_MAX_VALUE = 80


def portal_meta(tree: HtmlElement) -> dict[str, str]:
    wanted = {name.lower(): name for name in PORTAL_META}
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        name = wanted.get((meta.get("name") or "").strip().lower())
        content = (meta.get("content") or "").strip()
        if name and content and name not in found:
            found[name] = content
    return found


def metadata_box(tree: HtmlElement) -> dict[str, str]:
    """索引号 etc., whether the value follows the label in the same element or in the next one."""
    nodes = [text.strip() for text in _text_nodes(tree)]
    nodes = [text for text in nodes if text]
    found: dict[str, str] = {}
    for index, text in enumerate(nodes):
        matches = list(_BOX_LABEL.finditer(text))
        if not matches or matches[0].start() != 0:
            continue
        for number, match in enumerate(matches):
            end = matches[number + 1].start() if number + 1 < len(matches) else len(text)
            value = text[match.end() : end].strip()
            if not value and number + 1 == len(matches) and index + 1 < len(nodes):
                following = nodes[index + 1]
                value = "" if _BOX_LABEL.match(following) else following
            label = match.group(1)
            if value and len(value) <= _MAX_VALUE and label not in found:
                found[label] = value
    return found


def _text_nodes(tree: HtmlElement) -> list[str]:
    texts: list[str] = tree.xpath(
        f"(//body//text()[not(ancestor::script) and not(ancestor::style)])[position() <= {_BOX_SCAN_NODES}]"
    )
    return texts


def attachments(tree: HtmlElement, base_url: str | None) -> list[Link]:
    """A page's files: links whose path or text ends in a document extension, or that go through a
    download script (``/module/download/downfile.jsp?filename=…``, ``fileDown``: the extension is then
    only in the query or the text). The one attachment finder, for the crawler and the parser alike."""
    base = base_url or ""
    base_element = tree.find(".//base[@href]")
    if base_element is not None:
        base = urljoin(base, base_element.get("href", ""))
    links: list[Link] = []
    seen: set[str] = set()
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        text = " ".join(anchor.text_content().split())
        path = urlsplit(href).path.lower()
        by_name = path.endswith(ATTACHMENT_EXTENSIONS) or text.lower().endswith(ATTACHMENT_EXTENSIONS)
        if not (by_name or _DOWNLOAD_PATH.search(path)):
            continue
        url = urljoin(base, href).split("#")[0]
        if url not in seen:
            seen.add(url)
            links.append(Link(url=url, text=text))
    return links
