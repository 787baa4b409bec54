"""How to read portal pages: pure functions over decoded HTML/XML, no crawler, no network.

Kept apart from the spider (web-poet style) so each reading rule is unit-tested on saved pages: what
counts as a report title, where a listing's items and next pages are, what a Hanweb column hides in its
script, what an anti-bot challenge looks like, which links of a report page are its files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from parsers import htmlmeta
from parsers.document import Link
from parsers.titles import listed_report_year  # the one report-title rule, shared with the parser

#: Words and URL tokens of report columns (portals.md §1): what a generic crawl follows.
_COLUMN_WORDS = re.compile(r"年报|年度报告|信息公开年度|市直部门|部门年报|区县")
#: A year's own folder in a report column, named by the bare year: dwk.gov.cn keeps its reports under
#: ``/xxgk/zfxxgknb/2023/…`` and ``/2024/…``, its breadcrumbs saying "政府信息公开年报 > 2023年度" (stored pages).
_YEAR_FOLDER = re.compile(r"^/(?:19|20)\d{2}/(?:index\.s?html?)?$")
_YEAR_NAME = re.compile(r"^\s*(?:19|20)\d{2}\s*年度?\s*$")
#: Report column folders. Beijing districts' year trees (public notes on their 年报 trees): 密云
#: ``zfxxgknb/gknb2017/``, 怀柔 ``gknb/2018nb/zxjd2018/`` (towns and streets), 大兴 ``dxqzf69/2018n/xzjd/``.
_COLUMN_TOKENS = re.compile(
    r"/(?:zfxxgknb|xxgknb|gknb|nb|ndbg|zfxxgkndbg|xxgkndbg|zfxxgkgzndbg|bgtndbg|nianbao)(?:_\d+|\d+)?/"
    r"|/(?:\d{4}n|\d{4}nb|\d{4}ndgb|xxgknb\d{4}|gknb\d{4}|zxjd\d{4})(?:_\d+)?/"
    r"|/(?:bm|szfbm|gq|qzf|xjbm|szbm|bmzsjg|xzjd)/",
    re.I,
)
#: A pager link's URL. ``current=N``: jyt.hebei.gov.cn's ``column.jsp?id=1414231541890&current=N`` (its 年报
#: column, two pages, in a public crawler of Hebei portals); ``cur_page=N``: the ``/info/iList.jsp?node_id=GK…
#: &cat_id=…&cur_page=N`` 信息公开 lists of deyang.gov.cn, mz.gov.cn, shaanxi.gov.cn (public crawlers).
_PAGE_LINK = re.compile(
    r"(?:index|list)_\d+\.s?html?$|/\d+\.s?html?$|[?&](?:page|pageNo|currPage|pageNum|current|cur_page)=\d+",
    re.I,
)
_PAGE_TEXT = re.compile(r"^\s*(?:\d+|下一?页|尾页|末页|>>?|»)\s*$")
_CHALLENGE_MARKERS = re.compile(
    r"__jsl_clearance|_0x[0-9a-f]{4}|\$_ts|WZWS|ssf_challenge|安全验证|访问验证|seccaptcha|"
    r"document\.cookie\s*=.*location|location\.reload",
    re.I | re.S,
)
#: Visible text below which a page with scripts is no article but a challenge or a redirect stub.
_CHALLENGE_TEXT_LIMIT = 40
#: Challenge pages are a few kB of script; a page far bigger is content, whatever its scripts do.
_CHALLENGE_MAX_CHARS = 30_000
_PARSER = lxml.html.HTMLParser(encoding="utf-8")
_TITLE_SEPARATORS = re.compile(r"\s*[_|｜—–]\s*|\s+-\s+|(?<=[报告])-")
#: A report page whose own text is shorter than this and has files is a wrapper ("详见附件").
SHELL_TEXT_LIMIT = 600


def report_year(text: str) -> int | None:
    """The year of the report a listing link or page title names (a link text the listing cut short with
    "…" counts: ``parsers.titles.listed_report_year``), None for anything else."""
    return listed_report_year(text)


def is_report_title(text: str) -> bool:
    """A listing link or page title naming a report of some year (what the crawler follows)."""
    return report_year(text) is not None


def parse(html: str) -> lxml.html.HtmlElement:
    """Parse a page, tolerating what portals serve (empty bodies, XML declarations, broken markup)."""
    try:  # bytes with an explicit parser encoding: a str would trip on XML declarations, bytes on <meta charset>
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html></html>")


def links(tree: lxml.html.HtmlElement, base_url: str) -> list[Link]:
    """Every followable anchor, absolute, with its text (or its title attribute when the text is cut)."""
    found: list[Link] = []
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        text = " ".join(anchor.text_content().split())
        title = (anchor.get("title") or "").strip()
        if title and (not text or text.endswith(("...", "…")) or len(title) > len(text)):
            text = title
        found.append(Link(url=urljoin(base_url, href).split("#")[0], text=text))
    return found


def visible_text(tree: lxml.html.HtmlElement) -> str:
    body = tree.find(".//body")
    root = body if body is not None else tree
    parts = [
        text
        for element in root.iter()
        if element.tag not in ("script", "style") and isinstance(element.tag, str)
        for text in (element.text, element.tail if element is not root else None)
        if text and text.strip()
    ]
    return " ".join(" ".join(parts).split())


def is_challenge(html: str) -> bool:
    """An anti-bot interstitial (Ruishu/JSL/WZWS style): scripts that set a cookie and reload, no article."""
    if len(html) > _CHALLENGE_MAX_CHARS or "<script" not in html.lower() or not _CHALLENGE_MARKERS.search(html[:20000]):
        return False  # the cheap tests first: most pages are never parsed here
    tree = parse(html)
    return tree.find(".//script") is not None and len(visible_text(tree)) < _CHALLENGE_TEXT_LIMIT


def column_prefix(url: str) -> str:
    """The folder of a column page: listings below it belong to the column, others do not."""
    path = urlsplit(url).path
    return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"


def pager_links(tree: lxml.html.HtmlElement, url: str) -> list[str]:
    """Further pages of a listing by its pager links ("2", "下一页", "尾页"), on any host: a pager pointing
    elsewhere is the family reader's to report (``families.base.split_off_site``), never to follow."""
    found: list[str] = []
    for link in links(tree, url):
        if link.url in found or link.url == url:
            continue
        if _PAGE_LINK.search(link.url) and _PAGE_TEXT.match(link.text):
            found.append(link.url)
    return found


def sub_listings(tree: lxml.html.HtmlElement, url: str, items: set[str]) -> list[str]:
    """Sub-columns of a report column (year folders ``2020n/`` or ``2023/``, groups ``bm/``, or 年报 links) under it."""
    prefix = column_prefix(url)
    found: list[str] = []
    for link in links(tree, url):
        if link.url in items or link.url == url or is_report_title(link.text):
            continue
        path = urlsplit(link.url).path
        if not path.startswith(prefix) or _PAGE_LINK.search(link.url) or _same_column(path, prefix):
            continue
        below = path[len(prefix) - 1 :]
        year = _YEAR_FOLDER.match(below) or (_YEAR_NAME.match(link.text) and below.endswith("/"))
        if (year or _COLUMN_TOKENS.search(below) or _COLUMN_WORDS.search(link.text)) and link.url not in found:
            found.append(link.url)
    return found


def _same_column(path: str, prefix: str) -> bool:
    """The column's own front page (``./``, ``index.html``), linked from its breadcrumb."""
    folder, _, name = path.rpartition("/")
    return folder + "/" == prefix and name in ("", "index.html", "index.htm", "index.shtml")


@dataclass
class ReportPage:
    """What the crawler needs to know about an article page before archiving it."""

    title: str
    year: int | None
    attachments: list[Link] = field(default_factory=list)
    is_shell: bool = False  # only a wrapper around its files ("详见附件"): archive the files, not the wrapper


def read_report_page(html: str, url: str, link_text: str = "") -> ReportPage:
    """Title (ArticleTitle meta, <h1>, <title>, else the listing's link text), year, files, text size."""
    tree = parse(html)
    meta = tree.xpath("//meta[translate(@name, 'ARTICLETIL', 'articletil')='articletitle']/@content")
    headings = (h.text_content() for tag in ("h1", "h2") for h in tree.iter(tag))
    candidates = [*(str(value) for value in meta), *headings, link_text]
    title_element = tree.find(".//title")
    if title_element is not None:  # "<report title>_<site>", "<report title>-<site>", "<site>|<report title>"
        candidates += _TITLE_SEPARATORS.split(title_element.text_content())
    titles = [" ".join(text.split()) for text in candidates if text and text.strip()]
    title = next((text for text in titles if is_report_title(text)), titles[0] if titles else "")
    attachments = htmlmeta.attachments(tree, url)
    is_shell = bool(attachments) and len(visible_text(tree)) < SHELL_TEXT_LIMIT
    return ReportPage(title=title, year=report_year(title), attachments=attachments, is_shell=is_shell)
