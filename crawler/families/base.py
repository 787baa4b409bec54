"""What every CMS family module provides, and what it hands back to the spider.

A family reads the pages of one kind of portal software (TRS, Hanweb, the Shandong intensive platform…).
It never fetches anything: the spider asks it where to start (``start``), gives it each answer it asked
for (``read``), and follows what the answer says to follow. Reading stays pure — bytes in, links out — so
each family is tested on saved pages alone (``tests/families/``), City-Scrapers style.

The words of the exchange:

* ``Follow``: one more request — a listing page, a pager page, a sub-column, an API call (GET or POST),
  or a report page. ``kind`` names the reader of its answer: ``"listing"`` (an HTML listing page),
  ``"report"`` (a report page, read by the shared report-page reader), or a family's own API kind
  (``"dataproxy"``, ``"gkmlpt"``…), which goes back to the same family's ``read``.
* ``Listing``: what one answer held — the article links, what to follow next, the number of items the
  list declares (``recordCount``, ``<totalrecord>``, pages × page size) and the problems seen on the way
  (an API that answered HTML, a broken CDATA). The spider adds up items per *column* (a start URL or a
  sub-column with all its pages and API batches) and reports a column that declared more than it yielded
  as ``partial N of M``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal
from urllib.parse import urlsplit

from crawler import pages
from parsers.document import Link

if TYPE_CHECKING:
    from crawler.registry import Portal

Method = Literal["GET", "POST"]
ArticleTest = Callable[[str], bool]

#: The most pages of one list a pager is believed to have. A pager declaring more (a hostile listing's
#: ``createPageHTML(3000000, …)`` once asked for three million pages: 5.8 GB in 300 s, its one real report never
#: fetched) yields this many page URLs and the list is reported partial. The spider's own cap on the pages
#: of a list (setting NIANBAO_MAX_LIST_PAGES, same default) bounds lists that are not paged by a count.
MAX_PAGER_PAGES = 1000


@dataclass(frozen=True)
class Follow:
    """One request a family asks for.

    ``same_column``: True for the pages and API batches of the list being read (their items count
    towards that column's declared total); False for a sub-column, which is a column of its own, one
    level deeper. ``context``: strings the family needs back when it reads the answer (ids, the batch
    start, the column URL)."""

    url: str
    kind: str = "listing"
    method: Method = "GET"
    form: Mapping[str, str] | None = None
    same_column: bool = True
    context: Mapping[str, str] = field(default_factory=dict)
    link_text: str = ""  # for a report: the title the listing gave it


@dataclass
class Listing:
    """One answer read: its article links, what to follow, its declared size, what went wrong."""

    items: list[Link] = field(default_factory=list)
    follow: list[Follow] = field(default_factory=list)
    declared: int | None = None
    problems: list[str] = field(default_factory=list)

    def add_problems(self, problems: list[str]) -> None:
        """Add what another reader of the same page saw wrong, once (two readers may see one pager)."""
        self.problems += [problem for problem in problems if problem not in self.problems]

    @property
    def pages(self) -> list[str]:
        """Further pages of the same list (GET listing pages)."""
        return [f.url for f in self.follow if f.same_column and f.kind == "listing"]

    @property
    def sub_listings(self) -> list[str]:
        return [f.url for f in self.follow if not f.same_column]


@dataclass(frozen=True)
class Evidence:
    """Why a page looks like a family: what was seen (a script call, a URL shape, a meta tag)."""

    family: str
    clues: tuple[str, ...]

    @property
    def score(self) -> int:
        return len(self.clues)


class Family:
    """A CMS family: its article URL shape, where a portal of it starts, how its answers read.

    Subclasses set the class attributes and override what their pages need; the defaults read an HTML
    listing with the shared rules of ``crawler.pages`` (article links by URL shape, pager links,
    sub-columns by the report-column vocabulary)."""

    #: short id used in the registry (``family = "trs"``)
    name: ClassVar[str] = ""
    #: one line for `nianbao portals` and `portals detect`
    label: ClassVar[str] = ""
    #: where the shapes below were seen: public pages or crawlers (facts, not guesses)
    source: ClassVar[str] = ""
    #: the path (and query) of a report article on this family's portals
    article: ClassVar[re.Pattern[str]] = re.compile(r"(?!)")
    #: page fingerprints: (regex over the HTML, what it shows); the URL shape is a clue too
    markers: ClassVar[tuple[tuple[re.Pattern[str], str], ...]] = ()

    def is_article(self, url: str) -> bool:
        parts = urlsplit(url)
        return bool(self.article.search(parts.path + (f"?{parts.query}" if parts.query else "")))

    def start(self, portal: Portal, years: range) -> list[Follow]:
        """The first requests of a portal: its start URLs, each a column of its own."""
        return [Follow(url, same_column=False) for url in portal.start_urls]

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        """Read one answer this family asked for. The default reads HTML listing pages."""
        return read_html_listing(text, url, self.is_article)

    def clues(self, html: str, url: str) -> list[str]:
        """What on this page (or in its URL) shows it is served by this family."""
        found = [what for pattern, what in self.markers if pattern.search(html)]
        if self.is_article(url):
            found.append(f"URL has the {self.name} article shape")
        return found


def read_html_listing(html: str, url: str, is_article: ArticleTest) -> Listing:
    """An HTML listing read by the shared rules: article links (by the family's URL shape, or titled as a
    report), pager links, and sub-columns below this one."""
    tree = pages.parse(html)
    links = pages.links(tree, url)
    found = [link for link in links if is_article(link.url) or pages.is_report_title(link.text)]
    items = list({link.url: link for link in found}.values())
    own_pages, problems = split_off_site(pages.pager_links(tree, url), url)
    follow = [Follow(page) for page in own_pages]
    follow += [Follow(sub, same_column=False) for sub in pages.sub_listings(tree, url, {i.url for i in items})]
    return Listing(items=items, follow=follow, problems=problems)


def believed_page_count(declared: int, listing: Listing) -> int:
    """A pager's page count, at most MAX_PAGER_PAGES: beyond it the list is partial, with the declared count
    said (a family builds one URL per page, so the count is clipped before any list is built)."""
    if declared <= MAX_PAGER_PAGES:
        return declared
    listing.add_problems([f"pager declares {declared} pages: only the first {MAX_PAGER_PAGES} are read"])
    return MAX_PAGER_PAGES


def split_off_site(urls: Iterable[str], page_url: str) -> tuple[list[str], list[str]]:
    """Pager targets on the listing's own host, and a problem for each one elsewhere: a pager rewritten
    to a mirror or another portal is never followed, but said (the list is then read in part)."""
    host = urlsplit(page_url).netloc
    kept = [url for url in dict.fromkeys(urls) if urlsplit(url).netloc == host]
    problems = [f"pager points off-site: {url}" for url in dict.fromkeys(urls) if urlsplit(url).netloc != host]
    return kept, problems
