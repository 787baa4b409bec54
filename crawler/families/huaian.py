"""The 淮安 city platform: columns ``/col/<a>_<b>/index.html``, articles ``/col/<a>_<b>/art/<n>/<timestamp +
letters>.html`` (also ``/art/<letter>/<n>/…`` and ``/content/<n>/…``), on www.huaian.gov.cn and every
department host of the city (scjgj., gzw., sthjj., czj., fy., gaj., ybj.).

Seen: the city's 2024 report www.huaian.gov.cn/col/4122_231438/art/17383392/17404450095975A5KfNzE.html
(saved page: a metadata table with spaced labels 索 引 号 | 014289810/2025-00013 | 发布机构 …, 名 称 | title);
the 2022 office report www.huaian.gov.cn/col/14249_137824/art/16751808/1676948560396hsSxIH22.html; the 年报
column www.huaian.gov.cn/col/18073_668815/index.html (a public 年报 collector's example). How the lists
read, from public crawler code of the city's sites: items are ``div.list-lb ul li`` (or ``div.lb-lb``,
``div.list-r``, ``div.lb_zw``, ``div.nylb div.lbwz``, ``td.nlist``), an ``<a title=…>`` and a date; the
list is drawn by script but ``gotopage()`` only jumps to the static ``index_<N>.html``; the script call
``nsetpage(<page>, <records>, <per page>, …)`` declares the list's size.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

from crawler import pages
from crawler.families.base import Family, Follow, Listing

#: The list containers of the city's templates (public crawler code); a list page has one of them.
_LIST_XPATH = (
    " | ".join(
        f"//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
        for tag, name in (("div", "list-lb"), ("div", "lb-lb"), ("div", "list-r"), ("div", "lb_zw"), ("div", "nylb"))
    )
    + " | //td[contains(concat(' ', normalize-space(@class), ' '), ' nlist ')]"
)
_NSETPAGE = re.compile(r"nsetpage\(\s*\d+\s*,\s*(\d+)\s*,\s*(\d+)")


class Huaian(Family):
    name = "huaian"
    label = "淮安 city platform (col/<a>_<b>/index.html lists paged by nsetpage, col/<a>_<b>/art/<n>/… articles)"
    source = (
        "www.huaian.gov.cn/col/4122_231438/art/17383392/17404450095975A5KfNzE.html (saved page); "
        "col/18073_668815/index.html (年报 column); scjgj/gzw/sthjj.huaian.gov.cn list code: div.list-lb, "
        "index_N.html, nsetpage(1,total,size)"
    )
    article = re.compile(r"/col/\d+_\d+/(?:art|content)/(?:[a-z]/)?\d+/\w+\.html$")
    markers = (
        (re.compile(r"nsetpage\("), "nsetpage pager script"),
        (re.compile(r"href=\"/?col/\d+_\d+/"), "col/<a>_<b>/ links"),
    )

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        tree = pages.parse(text)
        boxes = tree.xpath(_LIST_XPATH)
        found = [link for box in boxes for link in pages.links(box, url)]
        chosen = [link for link in found if self.is_article(link.url) or pages.report_year(link.text) is not None]
        listing = Listing(items=list({link.url: link for link in chosen}.values()))
        if not boxes:
            listing.problems.append("no div.list-lb list on the page (markup changed?)")
        pager = _NSETPAGE.search(text)
        if pager:
            total, per_page = int(pager.group(1)), int(pager.group(2))
            listing.declared = total
            listing.follow = [Follow(page) for page in page_urls(url, math.ceil(total / max(per_page, 1)))]
        return listing


def page_urls(url: str, count: int) -> list[str]:
    """The static pages ``gotopage()`` jumps to: ``index.html``, ``index_2.html`` … ``index_<count>.html``
    (all of them, whichever page is being read: the spider asks for each once)."""
    folder = urljoin(url, ".")
    own = urlsplit(url).path.rsplit("/", 1)[-1] or "index.html"
    found = [folder + ("index.html" if page == 1 else f"index_{page}.html") for page in range(1, count + 1)]
    return [page for page in found if not page.endswith("/" + own)]


FAMILY = Huaian()
