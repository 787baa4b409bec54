"""The one portal spider: walks each registry portal's report columns through its CMS-family adapter.

How a page is read lives in ``crawler.pages``/``crawler.families``; this module only decides what to
fetch next and turns every response or error into an item for the pipeline.

    scrapy crawl portal -a portal=qufu,huaian -a since=2021
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import FormRequest, Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectionRefusedError as TwistedConnectionRefusedError
from twisted.internet.error import DNSLookupError, NoRouteError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure
from twisted.web.client import ResponseNeverReceived

from crawler import families, pages, registry, schema, store
from crawler import settings as default_settings
from crawler.families import Follow
from crawler.items import DocumentItem, EventItem, EventKind, export_bodies
from crawler.middlewares import AntiBotChallenge
from crawler.registry import Portal
from parsers.document import Link

#: Sub-columns followed below a start page (year → group → list is the deepest seen, portals.md §2).
MAX_LISTING_DEPTH = 3
#: Reports and files are downloaded before pending listing pages: a list paged far (or hostile) never keeps
#: its reports waiting, and documents leave memory for the archive as early as they can.
DOCUMENT_PRIORITY = 10
#: Request meta key: the bytes received so far (the size limit hit while streaming leaves no other trace).
RECEIVED = "nianbao_received"
_SIZE_MESSAGE = re.compile(r"receive (\d+) bytes which is larger than download max size \((\d+)\)")
Output = Iterator[Request | DocumentItem | EventItem]
#: Failures that say the host could not be talked to at all (a network outage, a dead server), by what
#: each means; a portal whose every request ends so is "unreachable" (crawler/store.py).
_UNREACHABLE: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadConnectionRefusedError, TwistedConnectionRefusedError), "connection refused"),
    ((CannotResolveHostError, DNSLookupError), "host name not found (DNS)"),
    ((NoRouteError,), "no route to host"),
    ((ResponseNeverReceived,), "connection closed without an answer"),
)


class RobotsFailureLog(logging.Filter):
    """Scrapy's robots.txt middleware logs a robots.txt it could not download as an ERROR with the whole
    traceback (69 lines a host in a network outage), then crawls the host as having no robots.txt. The
    failure is the host's, and the page request behind it fails too, with its reason, into the run's
    summary: here it becomes one WARNING line without the traceback (shown with -v / `scrapy crawl`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and record.exc_info:
            record.msg = "robots.txt of the host of %(request)s not downloaded (%(f_exception)s): read as none"
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


_ROBOTS_FAILURE_LOG = RobotsFailureLog()


@dataclass
class RequestBudget:
    """The crawl's request caps (settings NIANBAO_MAX_LIST_PAGES, NIANBAO_MAX_PORTAL_REQUESTS,
    NIANBAO_MAX_RUN_REQUESTS): what no listing, however hostile, can make the crawl ask for beyond.

    Counted when a request is made, so the first pages of a list and the reports they link are the ones
    kept. A refusal names its cap once per portal (per list for the page cap) as the list's ``partial``
    reason; later refusals under the same cap are silent."""

    list_pages: int
    portal_requests: int
    run_requests: int
    pages: Counter[tuple[str, str]] = field(default_factory=Counter)
    per_portal: Counter[str] = field(default_factory=Counter)
    total: int = 0
    said: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def from_settings(cls, settings: BaseSettings | None = None) -> RequestBudget:
        def cap(name: str) -> int:
            default = int(getattr(default_settings, name))
            return settings.getint(name, default) if settings is not None else default

        return cls(cap("NIANBAO_MAX_LIST_PAGES"), cap("NIANBAO_MAX_PORTAL_REQUESTS"), cap("NIANBAO_MAX_RUN_REQUESTS"))

    def spend(self, portal: str, column: str, list_page: bool) -> str | None:
        """Count one request, or say why it is refused: None when it may be made, else the reason the first
        time this cap refuses one of the portal's requests (of the list, for the page cap), else ""."""
        refusal = self._refusal(portal, column, list_page)
        if refusal is None:
            self.total += 1
            self.per_portal[portal] += 1
            if list_page:
                self.pages[portal, column] += 1
            return None
        key, reason = refusal
        if key in self.said:
            return ""
        self.said.add(key)
        return reason

    def _refusal(self, portal: str, column: str, list_page: bool) -> tuple[tuple[str, str], str] | None:
        if self.total >= self.run_requests:
            return (portal, "run"), f"run request cap reached: {self.run_requests} requests (--max-run-requests)"
        if self.per_portal[portal] >= self.portal_requests:
            cap = self.portal_requests
            return (portal, "portal"), f"portal request cap reached: {cap} requests (--max-portal-requests)"
        if list_page and self.pages[portal, column] >= self.list_pages:
            return (portal, f"list {column}"), f"list cut at {self.list_pages} pages (--max-list-pages)"
        return None


class PortalSpider(Spider):
    name = "portal"

    def __init__(
        self,
        portal: str = "",
        year: str | None = None,
        since: str | None = None,
        registry_file: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        names = [name for name in portal.split(",") if name]
        self.portals: dict[str, Portal] = {p.name: p for p in registry.select(registry.load(registry_file), names)}
        self.year = int(year) if year else None
        self.since = int(since) if since else None
        self.scheduled: set[str] = set()
        self.cache: dict[str, store.CacheEntry] = {}
        self.budget = RequestBudget.from_settings()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.budget = RequestBudget.from_settings(crawler.settings)
        export_bodies(crawler.settings.get("NIANBAO_EXPORT_BODY", "digest"))
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_ROBOTS_FAILURE_LOG)
        crawler.signals.connect(spider.answering, signal=signals.headers_received)
        crawler.signals.connect(spider.received, signal=signals.bytes_received)
        return spider

    @staticmethod
    def answering(request: Request, **_: Any) -> None:
        """A response begins (a retry's too): its bytes are counted from zero."""
        request.meta[RECEIVED] = 0

    @staticmethod
    def received(data: bytes, request: Request, **_: Any) -> None:
        """Count a response's bytes as they arrive: a body cut at the size limit without an announced length
        fails with a bare cancellation, and this count is what says why (``describe_failure``)."""
        request.meta[RECEIVED] = request.meta.get(RECEIVED, 0) + len(data)

    def portal_of(self, url: str) -> str:
        """The portal a request belongs to when it carries none (robots.txt, asked by Scrapy itself): the
        one whose hosts hold the URL, never a phantom portal named ""."""
        return next((name for name, portal in self.portals.items() if portal.allows(url)), "")

    def wants_year(self, year: int | None) -> bool:
        if year is None:
            return False
        if self.year is not None:
            return year == self.year
        return self.since is None or year >= self.since

    async def start(self) -> AsyncIterator[Any]:
        if not self.settings.getbool("NIANBAO_DRY_RUN"):  # a dry run touches no archive
            db = schema.connect(self.settings["NIANBAO_DB"])
            self.cache = store.load_cache(db, list(self.portals))
            db.close()
        for request in self.seeds():
            yield request

    def seeds(self) -> Output:
        """The first requests of the run: each portal's start pages for the years wanted."""
        for portal in self.portals.values():
            first = self.year or max(portal.first_year, self.since or 0)
            years = range(first, (self.year or dt.date.today().year) + 1)
            for follow in families.get(portal.family).start(portal, years):
                yield from self._follow(portal, follow, column=follow.url, depth=0)

    # -- requests --------------------------------------------------------------------------------------

    def _follow(self, portal: Portal, follow: Follow, column: str, depth: int) -> Output:
        """What a family asked for: a report page, or a listing page / API call of ``column``."""
        if follow.kind == "report":
            yield from self._request(portal, follow.url, self.parse_report, column, conditional=True, column=column)
            return
        yield from self._request(
            portal,
            follow.url,
            self.parse_listing,
            column,
            method=follow.method,
            form=follow.form,
            kind=follow.kind,
            column=column,
            depth=depth,
            context=dict(follow.context),
        )

    def _claim(self, key: str) -> bool:
        """Claim a request key for this run: False when it was claimed already (one request per URL and form
        per run). The Redis crawl claims in a set shared by every crawler (crawler.redis_pipeline)."""
        if key in self.scheduled:
            return False
        self.scheduled.add(key)
        return True

    def _request(
        self,
        portal: Portal,
        url: str,
        callback: Any,
        list_column: str,
        conditional: bool = False,
        method: str = "GET",
        form: Mapping[str, str] | None = None,
        **cb_kwargs: Any,
    ) -> Output:
        """One request per URL (and form) per run, within the request caps (``list_column``: the list the
        request is made for, whose partial reason a refusal becomes); report URLs carry the cached
        validators (conditional GET)."""
        key = url if form is None else f"{url} {sorted(form.items())}"
        if not self._claim(key):
            return
        if not portal.allows(url):
            yield EventItem(portal.name, "skipped", url, f"off-site host {urlsplit(url).hostname}")
            return
        refused = self.budget.spend(portal.name, list_column, list_page=callback == self.parse_listing)
        if refused is not None:
            if refused:  # the cap's first refusal: the link not followed, and its list partial
                yield EventItem(portal.name, "skipped", url, refused)
                yield EventItem(portal.name, "partial", url, refused, column=list_column)
            return
        headers: dict[str, str] = {}
        meta: dict[str, Any] = {"portal": portal.name, "column": list_column}
        cached = self.cache.get(url) if conditional else None
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
            meta["handle_httpstatus_list"] = [304]
        common: dict[str, Any] = {
            "callback": callback,
            "errback": self.failed,
            "headers": headers,
            "meta": meta,
            "cb_kwargs": cb_kwargs,
            "dont_filter": True,  # deduplicated above; redirect loops must reach the redirect limit
            "priority": 0 if callback == self.parse_listing else DOCUMENT_PRIORITY,
        }
        if method == "POST":
            yield FormRequest(url, formdata=dict(form or {}), **common)
        else:
            yield Request(url, **common)

    # -- callbacks -------------------------------------------------------------------------------------

    def parse_listing(self, response: Response, kind: str, column: str, depth: int, context: dict[str, str]) -> Output:
        """A listing page or API answer, read by the portal's family; its reports and follow-ups requested."""
        portal = self.portals[response.meta["portal"]]
        if not isinstance(response, TextResponse):
            yield EventItem(portal.name, "failed", response.url, "a file where a listing was expected")
            yield EventItem(portal.name, "partial", response.url, "listing page not read", column=column)
            return
        try:
            listing = families.get(portal.family).read(kind, response.text, response.url, context)
        except Exception as error:  # a page its family cannot cope with: that list is partial, the crawl goes on
            reason = f"listing page not readable: {type(error).__name__}: {error}"[:300]
            yield EventItem(portal.name, "partial", response.url, reason, column=column)
            return
        reports = self._reports(portal, listing.items)
        yield EventItem(
            portal.name,
            "listing",
            response.url,
            items=len(listing.items),
            reports=len(reports),
            column=column,
            declared=listing.declared,
        )
        for problem in listing.problems:
            yield EventItem(portal.name, "partial", response.url, problem, column=column)
        yield from self._follow_reports(portal, listing.items, column)
        for follow in listing.follow:
            if follow.kind == "report" and follow.url == response.url:  # the listing page is itself the report
                yield from self._report(response, follow.link_text)
            elif follow.same_column:
                yield from self._follow(portal, follow, column, depth)
            elif depth < MAX_LISTING_DEPTH:
                yield from self._follow(portal, follow, follow.url, depth + 1)

    def _reports(self, portal: Portal, items: list[Link]) -> list[Link]:
        """The links to follow: the title names an annual report of a wanted year, on a registry host."""
        return [item for item in items if portal.allows(item.url) and self.wants_year(pages.report_year(item.text))]

    def _follow_reports(self, portal: Portal, items: list[Link], column: str) -> Output:
        """Report links only (non-reports are not fetched; off-site links are recorded as skipped)."""
        for item in items:
            if not portal.allows(item.url):
                yield from self._request(portal, item.url, self.parse_report, column)  # recorded as skipped
        for item in self._reports(portal, items):
            yield from self._request(portal, item.url, self.parse_report, column, conditional=True, link_text=item.text)

    def parse_report(self, response: Response, link_text: str = "", column: str = "") -> Output:
        """A report page (or a file linked straight from a listing). With ``column``, the page stands for a
        listing of its own (the Hanweb annual-report module: one report per unit and year, or none)."""
        outputs = list(self._report(response, link_text))
        if column:
            found = int(response.status == 304 or any(isinstance(output, DocumentItem) for output in outputs))
            portal = response.meta["portal"]
            yield EventItem(portal, "listing", response.url, items=found, reports=found, column=column)
        yield from outputs

    def _report(self, response: Response, link_text: str) -> Output:
        portal = self.portals[response.meta["portal"]]
        if response.status == 304:
            yield from self._unchanged(portal, response)
            return
        if not isinstance(response, TextResponse):  # a listing item that links straight to a file
            yield from self.parse_file(response)
            return
        page = pages.read_report_page(response.text, response.url, link_text)
        if page.year is None:
            if link_text:  # the listing said report, the page says otherwise
                yield EventItem(portal.name, "skipped", response.url, f"not a report: {page.title[:60]!r}")
            return
        if not self.wants_year(page.year):
            return
        files = [link.url for link in page.attachments]
        yield self._document(portal.name, response, files, archive=not page.is_shell)
        column = response.meta.get("column", "")
        for url in files:
            found_on = _requested(response)
            yield from self._request(portal, url, self.parse_file, column, conditional=True, found_on=found_on)

    def parse_file(self, response: Response, found_on: str = "") -> Output:
        """An attachment (``found_on``: of that report page): its type is read from its bytes at ingest,
        whatever the URL says."""
        portal = self.portals[response.meta["portal"]]
        if response.status == 304:
            yield EventItem(portal.name, "unchanged", response.url)
        else:
            yield self._document(portal.name, response, [], archive=True, is_file=True, found_on=found_on)

    def _unchanged(self, portal: Portal, response: Response) -> Output:
        """A report page answered 304: its files are asked for again (conditionally) from the cache."""
        yield EventItem(portal.name, "unchanged", response.url)
        entry = self.cache.get(response.url)
        column = response.meta.get("column", "")
        for url in entry.links if entry else []:
            found_on = _requested(response)
            yield from self._request(portal, url, self.parse_file, column, conditional=True, found_on=found_on)

    @staticmethod
    def _document(
        portal: str, response: Response, files: list[str], archive: bool, is_file: bool = False, found_on: str = ""
    ) -> DocumentItem:
        headers = {
            key.decode("latin-1"): b", ".join(values).decode("latin-1") for key, values in response.headers.items()
        }
        return DocumentItem(
            portal=portal,
            url=_requested(response),
            body=response.body,
            final_url=response.url,
            http_status=response.status,
            headers=headers,
            links=files,
            archive=archive,
            is_file=is_file,
            found_on=found_on,
        )

    # -- errors ----------------------------------------------------------------------------------------

    def failed(self, failure: Failure) -> Iterator[EventItem]:
        request: Request = failure.request  # type: ignore[attr-defined]
        portal = request.meta.get("portal") or self.portal_of(request.url)
        kind, reason = describe_failure(
            failure, self.settings.getint("DOWNLOAD_TIMEOUT"), self.settings.getint("DOWNLOAD_MAXSIZE")
        )
        yield EventItem(portal, kind, request.url, reason)
        column = request.meta.get("column", "")
        if column and request.callback == self.parse_listing:  # a page of a list lost: the list is partial
            yield EventItem(portal, "partial", request.url, f"listing page lost: {reason}", column=column)


def _requested(response: Response) -> str:
    """The URL a document is archived under (its sightings' ``url``): the one requested."""
    return response.request.url if response.request else response.url


def describe_failure(failure: Failure, timeout: int, max_size: int) -> tuple[EventKind, str]:
    """('failed' | 'skipped', one-line reason) for a request that produced no response."""
    error = failure.value
    request: Request | None = getattr(failure, "request", None)
    if isinstance(error, HttpError):
        return "failed", f"HTTP {error.response.status}"
    if isinstance(error, AntiBotChallenge):
        return "failed", str(error)
    if failure.check(IgnoreRequest):
        message = str(error)
        if "robots.txt" in message:
            return "skipped", "disallowed by robots.txt"
        if "off-site" in message:
            return "skipped", message
        if "redirect" in message:
            return "failed", "redirect loop (too many redirections)"
        return "failed", message or "ignored"
    unreachable = next((what for kinds, what in _UNREACHABLE if _caused_by(error, kinds)), None)
    if unreachable is not None:
        return "failed", f"unreachable: {unreachable}"
    if failure.check(TwistedTimeoutError) or "timed out" in str(error).lower() or "took longer" in str(error):
        return "failed", f"timeout (no answer within {timeout} s)"
    size = _SIZE_MESSAGE.search(str(error))
    if size:
        announced, limit = (int(number) / 2**20 for number in size.groups())
        return "failed", f"too large: {announced:.1f} MB, over the {limit:.0f} MB limit"
    cancelled = failure.check(CancelledError, DownloadCancelledError)
    if cancelled and request is not None and request.meta.get(RECEIVED, 0) > max_size:
        return "failed", f"too large: larger than the {max_size / 2**20:.0f} MB limit (no length announced)"
    return "failed", f"{type(error).__name__}: {error}"[:300]


def _caused_by(error: BaseException | None, kinds: tuple[type[BaseException], ...]) -> bool:
    """Whether ``error`` or what it wraps (Scrapy wraps Twisted's errors: ``raise … from``) is of ``kinds``."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kinds):
            return True
        seen = seen.__cause__
    return False
