"""TRS/拓尔思 WCM: articles ``…/YYYYMM/tYYYYMMDD_ID.html`` (``.htm``, ``.shtml``), lists paged by a script.

Seen on 30 of 93 real report pages (shared spec portals.md §1: cqkz.gov.cn, fuqing.gov.cn, Guangxi
``tNNNNNNN.shtml``). What a TRS list page can hold (each shape and where it was seen:
tests/families/trs/README.md):

* a pager written by ``createPageHTML(count, current, "index", "html")`` — TRS's own template tag
  ``createPageHTML(${PAGE_COUNT}, ${PAGE_INDEX}, "${PAGE_NAME}", "${PAGE_EXT}")``; page ``i`` of the list
  is ``<name>_<i>.<ext>`` beside the first, ``<name>.<ext>``. A six-argument variant puts a div id first
  and the record count last (``createPageHTML(div, count, current, name, ext, records)``) and counts from
  1: its first page says ``current`` 1, and page ``i`` is ``<name>_<i>.<ext>`` up to ``count``;
* the older inline pager ``var currentPage = 0;//所在页从0开始 … var countPage = 17;//共多少页``, whose page
  name is the first page's link in the same script (``href="index.shtml"``);
* year sub-columns (``2020n/``, ``2023nb/``) and a year folder whose page *is* the report
  (``km.gov.cn/zfxxgk/zfxxgknb/2009n/``);
* "动静结合" lists (Fujian): the first page static, later pages only from a search service — the
  ``list2.trsapi`` module (``listModel({…pagebar:{prepage:10,recordCount:'213'}})``), whose answers are of
  unknown shape, or TRS WAS5 ``/was5/web/search?channelid=…&templet=docs.jsp&…&page=N`` answering JSON
  ``{"pagenum": "N", "docs": [{"title", "url", "time"}, …, {}]}``, which is followed. The TRS IRS
  ``/irs/front/list`` endpoint takes a JSON body the spider cannot send yet: reported, not followed.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler import pages
from crawler.families.base import Family, Follow, Listing, believed_page_count, read_html_listing, split_off_site
from parsers.document import Link

if TYPE_CHECKING:
    pass

#: The reader kind of a WAS5 search answer (a JSON batch of the list).
WAS5 = "trs-was5"
#: ``createPageHTML(count, current, "name", "ext")``, optionally with a div id first and the record count last.
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['\"]([^'\"]*)['\"]\s*,"
    r"\s*['\"](\w+)['\"]\s*(?:,\s*['\"]?(\d+))?"
)
_COUNT_PAGE = re.compile(r"\bvar\s+countPage\s*=\s*(\d+)")
_CURRENT_PAGE = re.compile(r"\bvar\s+currentPage\s*=\s*(\d+)")
#: The first page's own link inside the inline pager script: its name and extension.
_FIRST_PAGE_LINK = re.compile(r"href=\\?[\"']([\w-]+)\.(s?html?)\\?[\"']")
_RECORD_COUNT = re.compile(r"\brecordCount\s*[:=]\s*['\"]?(\d+)")
_WAS5_URL = re.compile(r"['\"]((?:https?://[^'\"/]+)?/was5/web/search\?[^'\"]*templet=docs\.jsp[^'\"]*)['\"]")
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LINE_COMMENT = re.compile(r"^\s*//.*$", re.M)
#: What a WAS5 template prints for an empty slot (its placeholder row).
_PLACEHOLDER_TITLE = "文章标题"


@dataclass(frozen=True)
class Pager:
    """A TRS list's pager: ``count`` pages named ``<name>.<ext>``, then ``<name>_<first + 1>.<ext>``…;
    ``records`` when the call states the list's record count.

    ``first`` is the number the first page goes by: 0 for TRS's own tag and the inline pager, 1 for the
    six-argument call (its scripts link page ``i`` as ``<name>_<i>`` and page 1 as ``<name>``; real calls say
    ``current`` 1 on the first page: csrc.gov.cn ``('page_div',5,1,'fg','shtml',89)`` "共 5 页", gfex.com.cn,
    shaoyang.gov.cn, ganzhou.gov.cn in public crawlers: tests/families/trs/README.md)."""

    count: int
    current: int
    name: str
    ext: str
    records: int | None = None
    first: int = 0

    def urls(self, page_url: str) -> list[str]:
        """The list's later pages but the one being read, resolved beside it. The first page is left out: it
        is how the list was reached, often by its folder URL (``2023n/``) rather than ``index.shtml``."""
        name = urljoin(page_url, self.name)
        later = range(self.first + 1, self.first + self.count)
        return [f"{name}_{i}.{self.ext}" for i in later if i != self.current]


def scripts(html: str) -> str:
    """The page's live script text: HTML comments and commented-out script lines dropped (real templates
    keep old pagers in ``<!-- -->`` or after ``//``)."""
    live = _HTML_COMMENT.sub("", html)
    return "\n".join(_LINE_COMMENT.sub("", body) for body in _SCRIPT.findall(live))


def pager(script: str, url: str) -> Pager | None:
    """The list's pager from its script: a ``createPageHTML`` call, else ``var countPage``."""
    call = _CREATE_PAGE.search(script)
    if call:
        div, count, current, name, ext, records = call.groups()
        if div:  # the six-argument variant keeps only the name's last path segment, and counts from 1
            name = name.rsplit("/", 1)[-1]
        return Pager(_number(count), _number(current), name or "index", ext, _int(records), first=1 if div else 0)
    count_page = _COUNT_PAGE.search(script)
    if not count_page:
        return None
    first = _FIRST_PAGE_LINK.search(script)
    own = urlsplit(url).path.rsplit("/", 1)[-1]
    own_name, _, own_ext = own.partition(".")
    name, ext = first.groups() if first else (re.sub(r"_\d+$", "", own_name) or "index", own_ext or "html")
    current = _CURRENT_PAGE.search(script)
    return Pager(_number(count_page.group(1)), _number(current.group(1)) if current else 0, name, ext)


def _int(text: str | None) -> int | None:
    return _number(text) if text else None


def _number(digits: str) -> int:
    """A count written in a page's script; an absurdly long one (past what ``int()`` converts, 4,300 digits)
    reads as the largest count, which the page caps then clip."""
    return int(digits) if len(digits) <= 18 else sys.maxsize


def was5_page(url: str, page: int) -> str:
    """The WAS5 search URL asking for ``page`` (1-based) of the list."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "page"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("page", str(page))], safe=",")))


def was5_records(text: str, column: str) -> tuple[list[Link], int] | None:
    """The documents of a WAS5 ``docs.jsp`` answer (URLs resolved against the list's column) and its page
    count; None when it is no such JSON.

    The template prints raw line breaks inside strings and closes the list with an empty ``{}``."""
    try:
        answer = json.loads(text, strict=False)
    except ValueError:
        return None
    if not isinstance(answer, dict) or not isinstance(answer.get("docs"), list):
        return None
    links = [
        Link(url=urljoin(column, str(doc["url"]).strip()), text=" ".join(str(doc["title"]).split()))
        for doc in answer["docs"]
        if isinstance(doc, dict) and doc.get("url") and doc.get("title") and doc["title"] != _PLACEHOLDER_TITLE
    ]
    page_count = str(answer.get("pagenum", "1")).strip()
    return links, int(page_count) if page_count.isdigit() else 1


class Trs(Family):
    name = "trs"
    label = "TRS 拓尔思 WCM (t<date>_<id>.html articles, createPageHTML pagers, year folders, WAS5 lists)"
    source = (
        "portals.md §1–2 (fuqing.gov.cn …/zfxxgknb/202001/t20200108_3168256.htm; km.gov.cn/zfxxgk/zfxxgknb/2009n/); "
        "TRS template tag createPageHTML(${PAGE_COUNT}, ${PAGE_INDEX}, ${PAGE_NAME}, ${PAGE_EXT}) and "
        "var countPage pagers in public page templates; list2.trsapi/listModel and WAS5 docs.jsp JSON in "
        "public crawlers of Fujian portals (ybj.fujian.gov.cn, zjj.sm.gov.cn); see tests/families/trs/README.md"
    )
    article = re.compile(r"/t\d{8}_\d+\.s?html?$|/t\d{6,}\.s?html?$")
    markers = (
        (re.compile(r"createPageHTML\("), "createPageHTML pager script"),
        (re.compile(r"var\s+countPage\s*="), "countPage pager script"),
        (re.compile(r"list2\.trsapi"), "list2.trsapi list module"),
        (re.compile(r"/was5/web/search"), "TRS WAS5 search"),
        (re.compile(r"/irs/front/list"), "TRS IRS search API"),
        (re.compile(r"TRS_Editor"), "TRS_Editor article body"),
    )

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        if kind == WAS5:
            return self._was5(text, url, context)
        script = scripts(text)
        found = pager(script, url)
        listing = read_html_listing(text, url, self.is_article)
        if found is None and (report := self._report_page(text, url, listing)) is not None:
            return report
        if found is not None:
            listing.follow += self._pages(found, url, listing)
            listing.declared = found.records
        records = _RECORD_COUNT.search(script)
        if records:
            listing.declared = _number(records.group(1))
        self._search_api(script, url, listing)
        if not listing.items and not listing.follow and not listing.problems:
            listing.problems.append("TRS list page: no article link, pager or sub-column matched (markup changed?)")
        elif not listing.items and found is not None:
            listing.problems.append(f"TRS list page of {found.count} pages: no article link matched (markup changed?)")
        return listing

    @staticmethod
    def _report_page(html: str, url: str, listing: Listing) -> Listing | None:
        """A year folder that renders its one report (``…/zfxxgknb/2009n/``): the page itself is asked for as
        the report. A list has a pager or names reports; this page names none but itself."""
        if any(pages.report_year(item.text) is not None for item in listing.items):
            return None
        page = pages.read_report_page(html, url)
        if page.year is None:
            return None
        return Listing(follow=[Follow(url, kind="report", link_text=page.title)])

    @staticmethod
    def _pages(found: Pager, url: str, listing: Listing) -> list[Follow]:
        """The pager's pages on this host, at most MAX_PAGER_PAGES of them (a longer list is partial); a pager
        pointing elsewhere is recorded, never followed."""
        believed = replace(found, count=believed_page_count(found.count, listing))
        own, off_site = split_off_site(believed.urls(url), url)
        listing.add_problems(off_site)
        return [Follow(page) for page in own]

    @staticmethod
    def _search_api(script: str, url: str, listing: Listing) -> None:
        """动静结合: later pages only from a search service — followed when its shape is known (WAS5),
        else the list is reported partial with the service named."""
        was5 = _WAS5_URL.search(script)
        if was5:
            first = 2 if listing.items else 1  # the static page is the list's first page
            api = urljoin(url, was5.group(1).replace("&amp;", "&"))
            context = {"page": str(first), "column": url}
            listing.follow.append(Follow(was5_page(api, first), kind=WAS5, context=context))
        elif "list2.trsapi" in script and (listing.declared is None or len(listing.items) < listing.declared):
            listing.problems.append(
                f"later pages come only from the TRS list2.trsapi search module, whose answer shape is unknown: "
                f"{len(listing.items)} item(s) on the static page"
            )
        elif "/irs/front/list" in script:
            listing.problems.append(
                "later pages come only from the TRS IRS search API /irs/front/list (a JSON POST body, which the "
                f"crawler cannot send): {len(listing.items)} item(s) on the static page"
            )

    @staticmethod
    def _was5(text: str, url: str, context: Mapping[str, str]) -> Listing:
        """One WAS5 page of the list; the first one read asks for the rest (its ``pagenum``)."""
        read = was5_records(text, context.get("column", url))
        if read is None:
            shape = "HTML" if "<html" in text[:2000].lower() else "no JSON"
            return Listing(problems=[f"TRS WAS5 search API answered {shape} instead of its JSON list: {url}"])
        items, page_count = read
        page = int(context.get("page", "1"))
        listing = Listing(items=items)
        if not context.get("rest"):
            listing.follow = [
                Follow(was5_page(url, later), kind=WAS5, context={**context, "page": str(later), "rest": "asked"})
                for later in range(page + 1, page_count + 1)
            ]
        return listing


FAMILY = Trs()
