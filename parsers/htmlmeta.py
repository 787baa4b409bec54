"""What a government portal page says about itself: meta tags, the metadata box, attachment links, and
the element its CMS renders the article body into.

Chinese government sites follow the national site specification (国办发〔2017〕47号): every article page
carries ``<meta name="SiteName">`` … ``<meta name="Url">``, and disclosure pages show a box with 索引号,
发布机构, 成文日期 and 发布日期. Reports are often attachments (PDF, DOC, WPS) of the page, which the
crawler must fetch next.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urljoin, urlsplit

from lxml import etree

from parsers.document import Link

if TYPE_CHECKING:
    from lxml.html import HtmlElement

PORTAL_META = ["SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ArticleTitle", "PubDate", "ContentSource", "Url"]
#: Box labels whose values are kept, under the label without its spaces (淮安 prints 索 引 号, 名 称).
#: 发文机构 / 发文机关 / 发文单位 name the agency where a title names none (札达, portals.md §3; 发文单位 on
#: mem.gov.cn's box, as a public crawler's test copies it); 名称 / 标题 the title.
BOX_LABELS = ["索引号", "发布机构", "发文机构", "发文机关", "发文单位", "成文日期", "发布日期", "名称", "标题"]
#: The other labels boxes print (portals.md §3, real pages in tests/fixtures/parse_identity/README.md):
#: never a value of the label before them, never a title.
OTHER_BOX_LABELS = [
    "信息索引号", "主题分类", "体裁分类", "信息分类", "组配分类", "内容分类", "分类", "主题词", "关键词", "文号",
    "发文字号", "发文日期", "公开日期", "生成日期", "发布时间", "公开方式", "公开范围", "公开形式", "有效性",
    "是否有效", "公文时效", "审核程序", "责任部门", "发布单位", "信息来源", "来源", "所属机构", "公文种类",
]  # fmt: skip
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx")
_DOWNLOAD_PATH = re.compile(r"download|downfile|filedown|attach")
#: A link inside a script's string (``var hasFJ='<a href="./P0….pdf">附件1….pdf</a><BR/>…'``, written out by
#: ``document.write``): TRS article templates of zfcxjw.cq.gov.cn, gxq.cq.gov.cn and 宁夏住建厅 keep a page's
#: files there only, so the page itself has no ``<a>`` for them. Quotes may be backslash-escaped.
_SCRIPT_LINK = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*\\?["']([^"'\\]+)\\?["'][^>]*>(.*?)</a\s*>""", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
#: JSON's escapes in a script's data: gkmlpt (广东) content pages hold the article, its file links included,
#: only in ``window._CONFIG = {DETAIL: {"content": "\u003Ca class=\u0022nfw-cms-attachment\u0022
#: href=\u0022https:\/\/….pdf\u0022…"}}`` (public crawlers of zhaoqing.gov.cn and gkmlpt sites).
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\(/)")


def _json_unescaped(code: str) -> str:
    if "\\u" not in code and "\\/" not in code:
        return code
    return _JSON_ESCAPE.sub(lambda escape: escape.group(2) or chr(int(escape.group(1), 16)), code)


def _spaced(labels: list[str]) -> str:
    """Labels as printed: spaces may stand between their characters (索 引 号, 发 布 机 构); longest first."""
    return "|".join(r"\s*".join(label) for label in sorted(labels, key=len, reverse=True))


_BOX_LABEL = re.compile(r"(" + _spaced(BOX_LABELS) + r")\s*[:：]?\s*")
#: A line or text node that is one label and nothing else ("索 引 号", "名称：").
LABEL_ONLY = re.compile(r"^\s*(?P<label>" + _spaced(BOX_LABELS + OTHER_BOX_LABELS) + r")\s*[:：]?\s*$")
#: A text starting with a label boxes print that keeps no value (发布时间：…, 信息来源：…).
_OTHER_LABEL = re.compile(r"(" + _spaced(OTHER_BOX_LABELS) + r")\s*[:：]")
_BOX_SCAN_NODES = 5000  # the box sits above the article; no need to read a whole huge page
_MAX_VALUE = 80


@dataclass(frozen=True)
class MainContainer:
    """An element (by class or id) a portal CMS renders an article's body into, and the evidence for it."""

    attribute: Literal["class", "id"]
    name: str
    cms: str
    seen: str

    @property
    def xpath(self) -> str:
        """A test that finds the element, and maybe others whose class has the name inside a longer one."""
        return f"@id='{self.name}'" if self.attribute == "id" else f"contains(@class, '{self.name}')"

    def marks(self, element: HtmlElement) -> bool:
        if self.attribute == "id":
            return element.get("id") == self.name
        return self.name in (element.get("class") or "").split()


#: Where the CMS of a Chinese government portal renders an article's body, each with where it was seen.
#: trafilatura knows none of these (its BODY_XPATH looks for article/post/entry-content names), so on such
#: pages it falls back to recovering every paragraph and table of the whole page ("wild text").
#: ``main_container`` lets the HTML extractor give it the body alone instead (parsers/html.py). Not listed: the
#: gkmlpt ``div.article-content`` (tests/families/gd/README.md), which trafilatura's BODY_XPATH already
#: matches; a Hanweb ``.bt-article``, of which no real page or public crawler was found.
MAIN_CONTAINERS = (
    MainContainer(
        "class",
        "TRS_Editor",
        "TRS WCM",
        "saved TRS article pages with `.TRS_Editor P{margin-top:0;}` styles (tests/families/trs/README.md); "
        "public crawlers: Kira-yoshikage-d/spider-gov article_crawler/article_crawler/spiders/a吕梁.py "
        '(`div.TRS_Editor`), dongrunhua/simhash limpid_tools/custom_constant.py (大众网 `div[@class="TRS_Editor"]`)',
    ),
    MainContainer(
        "class",
        "TRS_UEDITOR",
        "TRS WCM (UEditor)",
        "Kira-yoshikage-d/spider-gov article_crawler/article_crawler/spiders/a吕梁.py "
        "(`div.view.TRS_UEDITOR.trs_paper_default.trs_word`)",
    ),
    MainContainer(
        "id",
        "zoom",
        "Hanweb 大汉 and others (the font-size buttons' target)",
        "www.nmg.gov.cn and gxj.yancheng.gov.cn crawlers (tests/families/hanweb/README.md); huaian.gov.cn "
        "(tests/families/huaian/README.md); fzggw.ah.gov.cn (tests/families/xxgk_public/README.md); "
        "Kira-yoshikage-d/spider-gov article_crawler/article_crawler/spiders/a许昌.py (`#zoom`, www.taian.gov.cn); "
        'nightqiuhua/bigCrawlers wangban/wangban/modify_func/huzhou/nanxun.py (`//div[@id="zoom"]`, '
        "ggzy.nanxun.gov.cn)",
    ),
    MainContainer(
        "id",
        "Zoom",
        "the same, capitalised",
        "Kira-yoshikage-d/spider-gov article_crawler/article_crawler/spiders/a太原.py (`#Zoom`, www.taiyuan.gov.cn)",
    ),
    MainContainer(
        "id",
        "UCAP-CONTENT",
        "Ucap 开普",
        "hainan.gov.cn spider and klmy.gov.cn monitor test (tests/families/ucap/README.md); "
        "Kira-yoshikage-d/spider-gov article_crawler/article_crawler/spiders/a吕梁.py (`#UCAP-CONTENT`)",
    ),
    MainContainer(
        "class",
        "v_news_content",
        "VSB 博达",
        "public spider XPaths of VSB sites (tests/families/vsb/README.md; crawler/families/vsb.py recognises "
        "the family by it); public feed routes reading `#vsb_content .v_news_content` of VSB university sites",
    ),
)
#: A container with less text than this is no article body (a page whose report is an attachment says
#: "现将…予以公布" in it); trafilatura's own minimum for a main text (MIN_EXTRACTED_SIZE) is the same.
MIN_CONTAINER_CHARS = 250
_CONTAINERS = "//*[" + " or ".join(container.xpath for container in MAIN_CONTAINERS) + "]"


def main_container(tree: HtmlElement) -> HtmlElement | None:
    """The page's article body, where a portal CMS put it (MAIN_CONTAINERS): the one such element with at
    least MIN_CONTAINER_CHARS of text, not counting those inside another (Ucap nests #UCAP-CONTENT in
    #zoom); None when there is none or several (a list page of previews), as the caller then reads the
    whole page."""
    found = [element for element in tree.xpath(_CONTAINERS) if any(known.marks(element) for known in MAIN_CONTAINERS)]
    outer = set(found)
    candidates = [element for element in found if not any(parent in outer for parent in element.iterancestors())]
    full = [element for element in candidates if _holds(element, MIN_CONTAINER_CHARS)]
    return full[0] if len(full) == 1 else None


def article_parts(tree: HtmlElement) -> list[HtmlElement] | None:
    """The article of a page whose body is in a known container (``main_container``): the blocks of its
    metadata box above the body (blocks holding a box label: 索引号, 发布机构, 发布时间…), then the body.
    The box is where page-wide extraction read the title first (its 标题 / 名称 cell, before the heading
    inside the body): without it the record could name another title and agency. None without such a
    container."""
    container = main_container(tree)
    if container is None:
        return None
    blocks: list[HtmlElement] = []
    for element in tree.iter():
        if element is container:
            break
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "head", "title", "meta"):
            continue
        block = _describing_block(element)
        if block is None or any(block is known or known in block.iterancestors() for known in blocks):
            continue
        if container in block.iterdescendants():
            continue  # the label is loose text in an element holding the body too
        blocks = [known for known in blocks if block not in known.iterancestors()]
        blocks.append(block)
    return [*blocks, container]


_BLOCKS = {"table", "div", "ul", "ol", "dl", "p", "section", "h1", "h2", "h3", "h4", "h5", "h6"}


def _describing_block(element: HtmlElement) -> HtmlElement | None:
    """The block around ``element`` when its text starts with a box label: part of the metadata box."""
    own = (element.text or "").strip()
    if own and (_BOX_LABEL.match(own) or LABEL_ONLY.match(own) or _OTHER_LABEL.match(own)):
        for block in (element, *element.iterancestors()):
            if block.tag in _BLOCKS:
                return block
    return None


def _holds(element: HtmlElement, chars: int) -> bool:
    """Whether the element's visible text has at least ``chars`` characters other than white space."""
    for text in visible_texts(element):
        chars -= len("".join(text.split()))
        if chars <= 0:
            return True
    return False


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
    """The body's first _BOX_SCAN_NODES text nodes, script and style left out (``//body//text()`` without
    their text, in document order)."""
    texts: list[str] = []
    for body in tree.iter("body"):
        texts.extend(itertools.islice(visible_texts(body), _BOX_SCAN_NODES - len(texts)))
    return texts


def visible_texts(element: HtmlElement) -> Iterator[str]:
    """The text nodes inside ``element`` in document order, as ``.//text()`` finds them, without the text of
    script and style elements (their tails are outside them) or of comments: one walk over the tree, where
    an XPath predicate on each node's ancestors costs ten times as much."""
    for event, node in etree.iterwalk(element, events=("start", "end", "comment", "pi")):
        if event == "start":
            if node.text and node.tag not in ("script", "style"):
                yield node.text
        elif node is not element and node.tail:  # an element's end, or a comment: its tail follows it
            yield node.tail


def attachments(tree: HtmlElement, base_url: str | None) -> list[Link]:
    """A page's files: links whose path or text ends in a document extension, or that go through a
    download script (``/module/download/downfile.jsp?filename=…``, ``fileDown``: the extension is then
    only in the query or the text), in the page's ``<a>`` elements and ``<file href>`` (mz.gov.cn's 信息公开
    pages, read so by a public RSSHub route), then a document shown in a frame (``<iframe src="….pdf">``:
    zjj.dazhou.gov.cn's detail pages, "详情页iframe挂PDF" in a public crawler; ``<embed>``, ``<object data>``),
    then in its scripts' strings (see ``_SCRIPT_LINK``). The one attachment finder, for the crawler and the
    parser alike."""
    base = base_url or ""
    base_element = tree.find(".//base[@href]")
    if base_element is not None:
        base = urljoin(base, base_element.get("href", ""))
    found = [((anchor.get("href") or "").strip(), anchor.text_content()) for anchor in tree.iter("a", "file")]
    for element in tree.iter("iframe", "embed", "object"):
        source = (element.get("src") or element.get("data") or "").strip()
        if urlsplit(source).path.lower().endswith(ATTACHMENT_EXTENSIONS):
            found.append((source, element.get("title") or ""))
    for script in tree.iter("script"):
        code = _json_unescaped(script.text or "")
        if "<a" in code:
            found += [(href.strip(), _TAG.sub("", text)) for href, text in _SCRIPT_LINK.findall(code)]
    links: list[Link] = []
    seen: set[str] = set()
    for href, raw_text in found:
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        text = " ".join(raw_text.split())
        path = urlsplit(href).path.lower()
        by_name = path.endswith(ATTACHMENT_EXTENSIONS) or text.lower().endswith(ATTACHMENT_EXTENSIONS)
        if not (by_name or _DOWNLOAD_PATH.search(path)):
            continue
        url = urljoin(base, href).split("#")[0]
        if url not in seen:
            seen.add(url)
            links.append(Link(url=url, text=text))
    return links
