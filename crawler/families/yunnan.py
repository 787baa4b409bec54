"""Yunnan static portals (PHPCMS v9 static HTML): articles ``/html/YYYY/<column>_MMDD/<id>.html`` (Qinghai
variant ``/html/<column id>/<id>.html``); columns ``/html/<parent>/<column>/index.html`` paged ``2.html``,
``3.html``… under a ``div#pages`` pager that prints the list's size (``<a class="a1">N条</a>``).

Seen: qj.gov.cn/html/2025/2024n_0310/272880.html (a 2024 report, portals.md §1) and
qj.gov.cn/html/2013/qjdsj_0419/3135.html (cited by a public research note); qj.gov.cn/html/zfwj/gfxwj/ (a
column folder, public site list); xinghai.gov.cn/html/5973/610465.html (portals.md §1). The shapes are
PHPCMS v9's stock URL rules, found in public PHPCMS sources (``v9_urlrule`` 11:
``{$year}/{$catdir}_{$month}{$day}/{$id}.html``, example ``2010/catdir_0720/1_2.html``; rule 1:
``{$categorydir}{$catdir}/index.html|{$categorydir}{$catdir}/{$page}.html``) and its ``pages()`` pager
(``<a class="a1">N条</a>``, ``<span>1</span>``, ``<a href="2.html">2</a>``, ``下一页`` with class a1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urljoin

from crawler import pages
from crawler.families.base import Family, Follow, Listing, read_html_listing, split_off_site

_TOTAL = re.compile(r"<a class=['\"]a1['\"]>\s*(\d+)\s*条\s*</a>")
_PAGER = re.compile(r"<div[^>]*\bid=['\"]pages['\"]")
_PAGE_NUMBER = re.compile(r"/(\d+)\.html$")


class Yunnan(Family):
    name = "yunnan"
    label = "Yunnan static portals, PHPCMS v9 (/html/YYYY/<column>_MMDD/<id>.html, N.html pages)"
    source = (
        "qj.gov.cn/html/2025/2024n_0310/272880.html; xinghai.gov.cn/html/5973/610465.html (portals.md §1); "
        "PHPCMS v9 v9_urlrule 1 and 11 and pages() in public PHPCMS sources"
    )
    article = re.compile(r"/html/(?:\d{4}/[A-Za-z0-9]+_\d{4}|\d+)/\d+(?:_\d+)?\.html$")
    markers = (
        (_PAGER, "PHPCMS pager div#pages"),
        (_TOTAL, "PHPCMS pager size (<a class=a1>N条</a>)"),
        # PHPCMS v9's CSS_PATH / JS_PATH / IMG_PATH constants all point below /statics/
        (re.compile(r"[\"']/statics/(?:css|js|images)/"), "PHPCMS /statics/ asset paths"),
    )

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        listing = read_html_listing(text, url, self.is_article)
        tree = pages.parse(text)
        pager = tree.xpath("//div[@id='pages']")
        anchors = [link for element in pager for link in pages.links(element, url)]
        numbered = [link.url for link in anchors if _PAGE_NUMBER.search(link.url)]
        kept, off_site = split_off_site(numbered, url)
        listing.add_problems(off_site)
        last = max((int(match.group(1)) for page in kept if (match := _PAGE_NUMBER.search(page))), default=1)
        folder = urljoin(url, ".")
        # the pager shows a window of ten pages around the current one; the last page names them all
        every = [f"{folder}{number}.html" for number in range(2, last + 1)]
        listing.follow = [f for f in listing.follow if not f.same_column]
        listing.follow += [Follow(page) for page in dict.fromkeys(every) if page != url]
        total = _TOTAL.search(text)
        listing.declared = int(total.group(1)) if total else None
        if not listing.items and not listing.follow and not pager:
            listing.problems.append(
                "no /html/YYYY/<column>_MMDD/ article link and no div#pages pager (markup changed?)"
            )
        return listing


FAMILY = Yunnan()
