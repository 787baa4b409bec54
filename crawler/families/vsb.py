"""VSB/博达 (Visual SiteBuilder): articles ``/info/<column>/<id>.htm``; lists ``/<column>.htm`` whose later
pages count DOWN: page 2 is ``/<column>/<pages-1>.htm`` and the last page is ``/<column>/1.htm``. The pager is
``<div class="pb_sys_common …">`` with ``<span class="p_t">共N条</span>`` (the declared size), and
``<span class="p_pages">`` of ``p_no`` / ``p_next`` / ``p_last`` links; list rows are ``line_u<N>_<i>``;
files behind ``/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=…&wbfileid=…``.

Seen on 4 of 93 real report pages (portals.md §1: zjc.gov.cn/info/12072/1162262.htm,
zhada.gov.cn/info/1144/96851.htm); the pager markup and its counting down in public crawlers of VSB sites
(tests/families/vsb/README.md). All pages are derived from the highest page number the pager links to,
since the pager shows only a window of them.

VSB's JSP lists page by query instead, the page count in the link (tests/families/vsb/README.md):
``?totalpage=6&PAGENUM=2&urltype=tree.TreeTempUrl&wbtreeid=1015`` (lankao.gov.cn's ``div._list``), and the
政务公开 module's ``?ainfolist1501t=24&ainfolist1501p=2&ainfolist1501c=15&urltype=egovinfo.EgovInfoList&…``
(shangluo.gov.cn, xjcbcr.gov.cn), whose articles are ``/info/egovinfo/…/<id>.htm``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urljoin

from crawler import pages
from crawler.families.base import Family, Follow, Listing, believed_page_count, read_html_listing, split_off_site

_DECLARED = re.compile(r"<span class=[\"']p_t[\"']>\s*共\s*(\d+)\s*条")
_PAGE = re.compile(r"^(.*/)(\d+)\.htm$")
#: Query pagers: the page count's parameter and the page number's (``number``), the module's number shared.
_QUERY_PAGERS = (
    re.compile(r"[?&]totalpage=(?P<count>\d+)&(?:.*&)?PAGENUM=(?P<number>\d+)"),
    re.compile(r"[?&]ainfolist(?P<unit>\d+)t=(?P<count>\d+)&(?:.*&)?ainfolist(?P=unit)p=(?P<number>\d+)"),
)


def _pager_anchors(html: str, url: str) -> list[str]:
    """The link targets inside the ``pb_sys_common`` pager (absolute URLs)."""
    tree = pages.parse(html)
    found: list[str] = []
    for block in tree.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' pb_sys_common ')]"):
        for anchor in block.iter("a"):
            href = (anchor.get("href") or "").strip()
            if href and not href.lower().startswith("javascript:"):
                found.append(urljoin(url, href).split("#")[0])
    return found


def all_pages(anchors: list[str], url: str) -> tuple[list[str], list[str]]:
    """Every later page of the list (``<column>/<k>.htm`` for k from the highest linked down to 1), and a
    problem per pager link to another host."""
    own, problems = split_off_site(anchors, url)
    numbered = [match for a in own if (match := _PAGE.match(a))]
    if not numbered:
        return [], problems
    folder = numbered[0].group(1)
    highest = max(int(match.group(2)) for match in numbered if match.group(1) == folder)
    return [f"{folder}{page}.htm" for page in range(highest, 0, -1)], problems


def query_pages(anchors: list[str], url: str, listing: Listing) -> list[str]:
    """Every page of a query-paged list but the first (the column itself) and the one being read, built from a
    pager link by its stated page count (at most ``MAX_PAGER_PAGES``)."""
    for anchor in split_off_site(anchors, url)[0]:
        for pager in _QUERY_PAGERS:
            found = pager.search(anchor)
            if found:
                count = believed_page_count(int(found.group("count")), listing)
                head, rest = anchor[: found.start("number")], anchor[found.end("number") :]
                urls = [f"{head}{page}{rest}" for page in range(2, count + 1)]
                return [page for page in urls if page != url]
    return []


class Vsb(Family):
    name = "vsb"
    label = "VSB 博达 (/info/<column>/<id>.htm, /<column>/N.htm pages counting down)"
    source = (
        "portals.md §1: zjc.gov.cn/info/12072/1162262.htm; zhada.gov.cn/info/1144/96851.htm; pager "
        "pb_sys_common/p_t 共N条/p_pages counting down (tzgg/77.htm … tzgg/1.htm) in public crawlers of VSB sites"
    )
    article = re.compile(
        r"/info/(?:\d+/\d+|egovinfo/[\w/-]+/[\w-]+)\.htm$|[?&]urltype=(?:news\.NewsContentUrl|egovinfo\.EgovInfoContent)&"
    )
    markers = (
        (re.compile(r"pb_sys_common|p_pages"), "VSB pager (pb_sys_common)"),
        (re.compile(r"urltype=(?:tree\.TreeTempUrl|egovinfo\.Egov)"), "VSB JSP list (urltype=…)"),
        (re.compile(r"vsb_content|v_news_content|_sitegray|_showDynClick"), "VSB page scripts/classes"),
        (re.compile(r"system/_content/download\.jsp"), "VSB download.jsp attachments"),
        (re.compile(r"href=[\"'][^\"']*info/\d+/\d+\.htm"), "links to /info/<column>/<id>.htm"),
    )

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        listing = read_html_listing(text, url, self.is_article)
        later, problems = all_pages(_pager_anchors(text, url), url)
        if not later and ("totalpage=" in text or "ainfolist" in text):
            later = query_pages([link.url for link in pages.links(pages.parse(text), url)], url, listing)
        listing.follow = [f for f in listing.follow if not f.same_column] + [Follow(p) for p in later if p != url]
        listing.add_problems(problems)
        declared = _DECLARED.search(text)
        listing.declared = int(declared.group(1)) if declared else None
        return listing


FAMILY = Vsb()
