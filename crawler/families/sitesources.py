"""The Henan intensive platform: ``/sitesources/<site>/page_pc/<column path>/article<32 hex>.html``.

Seen on 周口 (www.zhoukou.gov.cn/sitesources/zksrmzf/page_pc/zwgk/gkznhml/zfxxgknb/2020n/szf/
articleA7403B21A6CE4D6C9002DB9926C0BDC5.html, its 年报 tree by year ``<YYYY>n`` and group ``szf``) and on
the other Henan portals of the same platform (新乡 xxsrmzf, 长垣 cyxrmzf, 商水 ssx, 川汇 chq; 周口's own
department sites swj/fgw/gxj). How its lists read, from public crawler code of 新乡's portal: a column's
pages are ``list1.html``, ``list2.html``… (its front page may also be ``index.html``); the number of pages
is not in the page but in the column's ``script.json`` (``endPage``), which the page's pager script
fetches; the items are the ``<a>`` of ``div.hap_infoBox`` (one ``div.hap_infoOne`` each, dated by
``span.hap_infoDate``); an article shows ``.hap_xq_tit``, ``.hap_xq_data`` (来源 / 时间) and
``.hap_xq_content``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

from crawler import pages
from crawler.families.base import Family, Follow, Listing
from parsers.document import Link

#: The list container; a page of the platform without one is no list (or its markup changed).
_LIST_XPATH = "//div[contains(concat(' ', normalize-space(@class), ' '), ' hap_infoBox ')]"
#: A column's own pages: its front page and its numbered list pages.
_COLUMN_PAGE = re.compile(r"/(?:index|list\d+)\.html$")
_FIRST_PAGE = re.compile(r"/(?:index|list1)\.html$")
SCRIPT_JSON = "script.json"


class Sitesources(Family):
    name = "sitesources"
    label = "Henan intensive platform (sitesources/<site>/page_pc/…/article<32 hex>.html, listN.html pages)"
    source = (
        "zhoukou.gov.cn/sitesources/zksrmzf/page_pc/zwgk/gkznhml/zfxxgknb/2020n/szf/article<32 HEX>.html (saved "
        "page); xinxiang.gov.cn/sitesources/xxsrmzf/page_pc/zwgk/jrxx/list1.html + script.json endPage, "
        ".hap_infoBox, .hap_xq_tit (public crawler code)"
    )
    article = re.compile(r"/(?:sitesources/\w+/)?page_pc/(?:[\w-]+/)*article[0-9a-fA-F]{32}\.html$")
    markers = (
        (re.compile(r"/sitesources/\w+/page_pc/"), "sitesources/<site>/page_pc/ paths"),
        (re.compile(r"class=\"[^\"]*\bhap_(?:infoBox|xq_tit)\b"), "hap_infoBox / hap_xq_tit markup"),
    )

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        if kind == "script_json":
            return self._script_json(text, context)
        return self._list_page(text, url)

    def _list_page(self, html: str, url: str) -> Listing:
        """A column page: its items, its sub-columns (year and group folders below it) and, on its first
        page, the column's ``script.json`` that says how many pages there are."""
        tree = pages.parse(html)
        boxes = tree.xpath(_LIST_XPATH)
        items = self._items([link for box in boxes for link in pages.links(box, url)])
        subs = sub_columns(pages.links(tree, url), url)
        listing = Listing(items=items, follow=[Follow(sub, same_column=False) for sub in subs])
        if not boxes and not subs:
            listing.problems.append("no div.hap_infoBox list and no sub-column on the page (markup changed?)")
        if boxes and _FIRST_PAGE.search(urlsplit(url).path):
            script = urljoin(url, SCRIPT_JSON)
            listing.follow.append(Follow(script, kind="script_json", context={"column": url}))
        return listing

    def _items(self, found: list[Link]) -> list[Link]:
        """Article links of the list (off-site ones too: the spider records them as skipped)."""
        chosen = [link for link in found if self.is_article(link.url) or pages.report_year(link.text) is not None]
        return list({link.url: link for link in chosen}.values())

    @staticmethod
    def _script_json(text: str, context: Mapping[str, str]) -> Listing:
        """``script.json``: ``endPage`` pages, ``list1.html`` … ``list<endPage>.html``; the first (or the
        column's ``index.html``) is the page already read, the others follow."""
        try:
            end = json.loads(text).get("endPage")
        except (ValueError, AttributeError):
            return Listing(problems=["script.json is not JSON (HTML answer?): the list's later pages are unknown"])
        if not isinstance(end, int) or end < 1:
            return Listing(problems=[f"script.json has no endPage page count ({str(end)[:40]!r})"])
        column = context["column"]
        return Listing(follow=[Follow(urljoin(column, f"list{page}.html")) for page in range(2, end + 1)])


def sub_columns(links: list[Link], url: str) -> list[str]:
    """Folder pages below this column (``2022n/index.html``, ``szbm/list1.html``): its sub-columns."""
    prefix = pages.column_prefix(url)
    found: list[str] = []
    for link in links:
        parts = urlsplit(link.url)
        if parts.netloc != urlsplit(url).netloc or not parts.path.startswith(prefix):
            continue
        below = parts.path[len(prefix) :]
        if "/" in below and _COLUMN_PAGE.search(parts.path) and link.url not in found:
            found.append(link.url)
    return found


FAMILY = Sitesources()
