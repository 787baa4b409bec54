"""What a government portal page says about itself: meta tags, the metadata box, attachment links.

Chinese government sites follow the national site specification (国办发〔2017〕47号): every article page
carries ``<meta name="SiteName">`` … ``<meta name="Url">``, and disclosure pages show a box with 索引号,
发布机构, 成文日期 and 发布日期. Reports are often attachments (PDF, DOC, WPS) of the page, which the
crawler must fetch next.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from parsers.document import Link

if TYPE_CHECKING:
    from lxml.html import HtmlElement

PORTAL_META = ["SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ArticleTitle", "PubDate", "ContentSource", "Url"]
#: Box labels whose values are kept, under the label without its spaces (淮安 prints 索 引 号, 名 称).
#: 发文机构 / 发文机关 name the agency where a title names none (札达, portals.md §3); 名称 / 标题 the title.
BOX_LABELS = ["索引号", "发布机构", "发文机构", "发文机关", "成文日期", "发布日期", "名称", "标题"]
#: The other labels boxes print (portals.md §3, real pages in tests/fixtures/parse_identity/README.md):
#: never a value of the label before them, never a title.
OTHER_BOX_LABELS = [
    "信息索引号", "主题分类", "体裁分类", "信息分类", "组配分类", "内容分类", "分类", "主题词", "关键词", "文号",
    "发文字号", "发文日期", "公开日期", "生成日期", "发布时间", "公开方式", "公开范围", "公开形式", "有效性",
    "是否有效", "公文时效", "审核程序", "责任部门", "发布单位", "信息来源", "来源",
]  # fmt: skip
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx")
_DOWNLOAD_PATH = re.compile(r"download|downfile|filedown|attach")


def _spaced(labels: list[str]) -> str:
    """Labels as printed: spaces may stand between their characters (索 引 号, 发 布 机 构); longest first."""
    return "|".join(r"\s*".join(label) for label in sorted(labels, key=len, reverse=True))


_BOX_LABEL = re.compile(r"(" + _spaced(BOX_LABELS) + r")\s*[:：]?\s*")
#: A line or text node that is one label and nothing else ("索 引 号", "名称：").
LABEL_ONLY = re.compile(r"^\s*(?P<label>" + _spaced(BOX_LABELS + OTHER_BOX_LABELS) + r")\s*[:：]?\s*$")
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
    """索引号 etc., whether the value follows the label in the same element or in the next one; labels printed
    with spaces (索 引 号) are keyed without them. An empty value (the next node is another label) is no value."""
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
                value = "" if _BOX_LABEL.match(following) or LABEL_ONLY.match(following) else following
            label = re.sub(r"\s+", "", match.group(1))
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
