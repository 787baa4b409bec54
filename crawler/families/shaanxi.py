"""Shaanxi intensive platform (陕西省政府网站集约化平台): articles named by a 19-digit (snowflake-like) id,
``…/zfxxgk/zfxxgknb/bmxxgknb/1651146463799808001.html``; lists ``<column>/1.html``, ``2.html``… whose page
count only the list script knows (``maxPage = parseInt('N')``).

Seen: baishui.gov.cn/zfxxgk/zfxxgknb/bmxxgknb/1651146479113211905.html (breadcrumb 首页 / 政府信息公开 /
政府信息公开年报 / 部门信息公开年报 / 正文) and lintong.gov.cn/zwgk/xxgkml/xxgknb/bmxxgknb/2017052662977646594.html
(stored report pages); the list shape ``div.m-lst36 ul li a`` + ``span`` date, ``maxPage = parseInt('N')`` and
``<column>/N.html`` pages, the article's ArticleTitle/PubDate/ContentSource meta, ``div.position`` breadcrumb
and ``div.table``/``div.table-td`` metadata from a public Scrapy crawler of czj.yanan.gov.cn (its start URLs
include ``/zfxxgk/zfxxgknb/1.html``); ``<column>/1.html`` list URLs of Xi'an districts (lintong, yanta…) from a
public probe script.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urljoin

from crawler import pages
from crawler.families.base import Family, Follow, Listing, read_html_listing, split_off_site

_MAX_PAGE = re.compile(r"maxPage\s*=\s*parseInt\(\s*['\"]?(\d+)")
_LIST_CLASS = re.compile(r"class=['\"]m-(?:2?lst36|lst)['\"]")
_PAGE_NAME = re.compile(r"/(\d+)\.html$")


class Shaanxi(Family):
    name = "shaanxi"
    label = "Shaanxi intensive platform (19-digit id articles, <column>/N.html lists)"
    source = (
        "baishui.gov.cn/zfxxgk/zfxxgknb/bmxxgknb/1651146479113211905.html; "
        "lintong.gov.cn/zwgk/xxgkml/xxgknb/bmxxgknb/2017052662977646594.html; "
        "public Scrapy crawler of czj.yanan.gov.cn (m-lst36 list, maxPage script, N.html pages)"
    )
    article = re.compile(r"/\d{19}\.html$")
    markers = (
        (_MAX_PAGE, "maxPage = parseInt(…) list script"),
        (_LIST_CLASS, "m-lst36 list"),
    )

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        listing = read_html_listing(text, url, self.is_article)
        tree = pages.parse(text)
        anchors = [
            link.url for link in pages.links(tree, url) if _PAGE_NAME.search(link.url) and link.text.strip().isdigit()
        ]
        kept, off_site = split_off_site(anchors, url)
        listing.add_problems(off_site)
        match = _MAX_PAGE.search(text)
        if match:  # the script's page count names every page, not only those the pager shows
            folder = urljoin(url, ".")
            kept += [f"{folder}{number}.html" for number in range(1, int(match.group(1)) + 1)]
        numbered = [page for page in dict.fromkeys(kept) if page != url]
        listing.follow = [f for f in listing.follow if not f.same_column] + [Follow(page) for page in numbered]
        if not listing.items and not listing.follow and not _LIST_CLASS.search(text):
            listing.problems.append("no m-lst36 list and no 19-digit article link on the page (markup changed?)")
        return listing


FAMILY = Shaanxi()
