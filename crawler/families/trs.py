"""TRS/拓尔思 WCM: articles ``…/YYYYMM/tYYYYMMDD_ID.html``, lists paged by ``createPageHTML``.

Seen on 30 of 93 real report pages (shared spec portals.md §1: cqkz.gov.cn, fuqing.gov.cn, Guangxi
``tNNNNNNN.shtml``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

from crawler.families.base import Family, Follow, Listing, read_html_listing

_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)|countPage\s*=\s*['\"]?(\d+)")


class Trs(Family):
    name = "trs"
    label = "TRS 拓尔思 WCM (t<date>_<id>.html articles, createPageHTML pagers)"
    source = "portals.md §1–2: fuqing.gov.cn/.../zfxxgknb/202001/t20200108_3168256.htm; cqkz.gov.cn"
    article = re.compile(r"/t\d{8}_\d+\.s?html?$|/t\d{6,}\.s?html?$")
    markers = ((re.compile(r"createPageHTML\("), "createPageHTML pager script"),)

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        listing = read_html_listing(text, url, self.is_article)
        match = _CREATE_PAGE.search(text)
        if match:
            count = int(match.group(1) or match.group(2))
            folder = urljoin(url, ".")
            name = urlsplit(url).path.rsplit("/", 1)[-1]
            suffix = name.rsplit(".", 1)[-1] if "." in name else "html"
            pages = [f"{folder}index_{page}.{suffix}" for page in range(1, count)]
            listing.follow = [f for f in listing.follow if not f.same_column] + [Follow(page) for page in pages]
        return listing


FAMILY = Trs()
