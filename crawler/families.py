"""CMS-family adapters: how each family lays out a report column (portals.md §1–2).

A family is data plus one reading rule: the URL shape of its article links (the "listing selector"),
how its pages continue, and for Hanweb where the script-built list really comes from. A portal whose
selector matches nothing is reported as failing rather than silently yielding nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit

from crawler import pages
from crawler.pages import HanwebQuery
from parsers.document import Link

ARTICLE_PATTERNS = {
    "trs": re.compile(r"/t\d{8}_\d+\.s?html?$|/t\d{6,}\.s?html?$"),
    "hanweb": re.compile(r"/art/\d{4}/(?:\d+/\d+/)?art_\w+\.html$"),
    "vsb": re.compile(r"/info/\d+/\d+\.htm$"),
    "gd": re.compile(r"/content/(?:\d+/\d+/)?post_\d+\.html$"),
}
DATAPROXY_PATH = "/module/web/jpage/dataproxy.jsp"
ANNUAL_REPORT_PATH = "/module/xxgk/xxgkAnnualReport.jsp"
#: Records asked of dataproxy.jsp per request (Hanweb pages hold 15; sites ask for three pages at once).
DATAPROXY_BATCH = 45


@dataclass
class Listing:
    """One listing page read: its article links, its further pages, its sub-columns."""

    items: list[Link] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    sub_listings: list[str] = field(default_factory=list)
    hanweb: HanwebQuery | None = None  # the list must be fetched from dataproxy.jsp with these ids


def is_article(family: str, url: str) -> bool:
    path = urlsplit(url).path
    if family == "generic":
        return any(pattern.search(path) for pattern in ARTICLE_PATTERNS.values())
    return bool(ARTICLE_PATTERNS[family].search(path))


def read_listing(family: str, html: str, url: str) -> Listing:
    """The items, pages and sub-columns of a column page of ``family``."""
    tree = pages.parse(html)
    items = [
        link
        for link in pages.links(tree, url)
        if is_article(family, link.url) or (family == "generic" and pages.is_report_title(link.text))
    ]
    items = list({link.url: link for link in items}.values())
    hanweb = pages.hanweb_query(html, url) if family in ("hanweb", "generic") and not items else None
    item_urls = {link.url for link in items}
    return Listing(
        items=items,
        pages=pages.next_pages(tree, html, url),
        sub_listings=pages.sub_listings(tree, url, item_urls),
        hanweb=hanweb,
    )


def dataproxy_url(column_url: str) -> str:
    return urljoin(column_url, DATAPROXY_PATH)


def dataproxy_form(query: HanwebQuery, start: int) -> dict[str, str]:
    return query.form(start, start + DATAPROXY_BATCH - 1, DATAPROXY_BATCH // 3)


def annual_report_urls(host_url: str, areas: tuple[str, ...], years: range) -> list[str]:
    """The Hanweb annual-report module: one server-rendered record per area code and year."""
    return [
        urljoin(host_url, ANNUAL_REPORT_PATH) + "?" + urlencode({"area": area, "fbtime": year})
        for area in areas
        for year in years
    ]
