"""Beijing district portals (EasySite-built, the "numid" dialect): every node — column or article — is a
folder named by a number, ``…/<column>/<node id>/<article id>/index.html``; lists page as
``<8 hex>-N.html`` in the column's folder; report trees split by year (``2023n/``) and by unit group
(``2023n/xzjd/`` for towns and streets).

Seen: bjdx.gov.cn/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/735792/735950/index.html (a report page, portals.md §1);
the year tree ``/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/{Y}n/`` and ``{Y}n/xzjd/`` and the numeric node folders
``…/xzjd5/<数字id>/index.html`` of bjdx.gov.cn in public research notes on Beijing's 年报 trees; "numid:
…/<5-8 digit id>/index.html (北京大兴/平谷区)" in a public crawler's URL dialects; the ``cba5c47e-2.html``
list pages and the ``easysite-news-title``/``easysite-bread-nav``/``easysiteText`` article classes in a
public Scrapy crawler of bjpg.gov.cn (same dialect); ``.detail_con .portlet .rels`` on bjdx.gov.cn in a
public Portia spider.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import lxml.html

from crawler import pages
from crawler.families.base import Family, Follow, Listing, read_html_listing, split_off_site

_PAGE = re.compile(r"/[0-9a-f]{8}-(\d+)\.html$")
#: Sub-columns of a report tree by their link text: a year, or a unit group (towns and streets, bureaus).
_GROUP_TEXT = re.compile(r"^\s*(?:19|20)\d{2}\s*年度?\s*$|乡镇|街道|委办局|区政府部门|区属部门")


def _pager(tree: lxml.html.HtmlElement, url: str) -> tuple[list[str], list[str]]:
    """Pages ``<8 hex>-N.html`` the pager links to, all pages up to the highest number it names."""
    found = [link.url for link in pages.links(tree, url) if _PAGE.search(link.url)]
    kept, problems = split_off_site(found, url)
    numbers = {int(match.group(1)): page for page in kept if (match := _PAGE.search(page))}
    if not numbers:
        return [], problems
    sample = numbers[max(numbers)]
    stem = sample[: sample.rfind("-") + 1]
    every = [f"{stem}{number}.html" for number in range(2, max(numbers) + 1)]
    return [page for page in every if page != url], problems


def _groups(tree: lxml.html.HtmlElement, url: str) -> list[str]:
    """Year and unit-group sub-columns below this column, named by their link text: numeric nodes carry no
    column word in their path, and a year node has the same shape as an article."""
    prefix = pages.column_prefix(url)
    host = urlsplit(url).netloc
    found: list[str] = []
    for link in pages.links(tree, url):
        parts = urlsplit(link.url)
        below = parts.netloc == host and parts.path.startswith(prefix) and pages.column_prefix(link.url) != prefix
        if below and _GROUP_TEXT.search(link.text) and link.url not in found:
            found.append(link.url)
    return found


class Beijing(Family):
    name = "beijing"
    label = "Beijing district portals, EasySite numid (…/<n>/<id>/index.html, <hex>-N.html pages)"
    source = (
        "bjdx.gov.cn/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/735792/735950/index.html (portals.md §1); "
        "public crawlers of bjpg.gov.cn (cba5c47e-2.html pages, easysite classes) and bjdx.gov.cn"
    )
    article = re.compile(r"/[a-z0-9]+/\d{5,8}/index\.html$")
    markers = (
        (re.compile(r"easysite-|easysiteText"), "EasySite page classes"),
        (re.compile(r"href=['\"][^'\"]*[0-9a-f]{8}-\d+\.html"), "<hex>-N.html pager"),
    )

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        listing = read_html_listing(text, url, self.is_article)
        tree = pages.parse(text)
        numbered, listing.problems = _pager(tree, url)
        groups = _groups(tree, url)
        own = pages.column_prefix(url)  # the column's own node (首页, breadcrumb) has the article shape too
        listing.items = [i for i in listing.items if i.url not in groups and pages.column_prefix(i.url) != own]
        subs = [f for f in listing.follow if not f.same_column and f.url not in groups]
        listing.follow = subs + [Follow(group, same_column=False) for group in groups]
        listing.follow += [Follow(page) for page in numbered]
        if not listing.items and not listing.follow:
            listing.problems.append("no numbered-node article link, no pager and no sub-column (markup changed?)")
        return listing


FAMILY = Beijing()
