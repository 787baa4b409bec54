"""Downloader middlewares: the portal's host fence, the anti-bot detector, retries with backoff, and the
replica proxy."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from crawler import pages
from crawler.pipeline import REFUSED_STAT, RETRIES_STAT


class PortalHostsMiddleware:
    """Drop any request (a link or a redirect) outside its portal's registry hosts, before robots.txt is
    even asked for: mirrors, SEO copies and gov.cn gateways are never contacted.

    A request Scrapy makes itself (robots.txt, which carries no portal) goes only to the host it is about:
    a robots.txt redirected to another host is not followed, and the host is read as having no robots.txt
    (Scrapy's robots middleware takes the refusal so). Every redirect is a new request that passes here,
    so no redirect chain leaves the registry hosts either."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalHostsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        portals: dict[str, Any] = getattr(self.crawler.spider, "portals", {})
        portal = portals.get(request.meta.get("portal", ""))
        host = urlsplit(request.url).hostname
        if portal is not None:
            if not portal.allows(request.url):
                raise IgnoreRequest(f"off-site host {host} (redirected)")
            return
        first = request.meta.get("redirect_urls", [request.url])[0]
        if host != urlsplit(first).hostname:
            self._refused(first, f"robots.txt redirected to another host ({host}): read as no robots.txt")
            raise IgnoreRequest(f"off-site host {host} (redirected robots.txt)")
        if not any(entry.allows(request.url) for entry in portals.values()):
            raise IgnoreRequest(f"off-site host {host}")

    def _refused(self, url: str, reason: str) -> None:
        """Record a refusal no callback hears of (Scrapy's own requests have none) for the run summary."""
        stats = self.crawler.stats
        assert stats is not None
        portal_of = getattr(self.crawler.spider, "portal_of", lambda url: "")
        stats.set_value(REFUSED_STAT, [*stats.get_value(REFUSED_STAT, []), (portal_of(url), url, reason)])


class AntiBotChallenge(IgnoreRequest):
    """The portal answered with an anti-bot interstitial (瑞数/JSL/WZWS scripts) instead of the page."""


#: Statuses WAFs answer their challenges with (瑞数 412, Cloudflare-style 521, plain 403).
_CHALLENGE_STATUSES = (403, 412, 521)


class AntiBotMiddleware:
    """The one place that recognises anti-bot challenges, whatever was asked for (a listing, a report, a
    file): a challenge status with a script, or a 200 page that is only a cookie-setting script. The
    request fails with the reason; nothing of the challenge reaches the spider or the archive. Passing
    the challenge is out of scope (issue 10): it is detected and recorded."""

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if response.status in _CHALLENGE_STATUSES and b"<script" in response.body[:4096].lower():
            raise AntiBotChallenge(f"anti-bot challenge (HTTP {response.status})")
        if response.status == 200 and isinstance(response, TextResponse) and pages.is_challenge(response.text):
            raise AntiBotChallenge("anti-bot challenge page (HTTP 200), not archived")
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry (5xx, timeouts, dropped connections) with an exponential pause before each retry,
    and a record of every retry for the run summary."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base_delay: float = settings.getfloat("NIANBAO_RETRY_BACKOFF", 1.0)

    def _retry(self, request: Request, reason: Any) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            attempt = int(retry.meta.get("retry_times", 1))
            retry.meta["retry_delay"] = self.base_delay * 2 ** (attempt - 1)
            assert self.crawler.stats is not None
            retries = self.crawler.stats.get_value(RETRIES_STAT, [])
            portal_of = getattr(self.crawler.spider, "portal_of", lambda url: "")
            portal = request.meta.get("portal") or portal_of(request.url)
            retries.append((portal, request.url, _reason(reason)))
            self.crawler.stats.set_value(RETRIES_STAT, retries)
        return retry

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        delay = request.meta.pop("retry_delay", 0)
        if delay:
            await asyncio.sleep(delay)


def _reason(reason: Any) -> str:
    if isinstance(reason, BaseException):
        return "timeout" if "took longer than" in str(reason) else type(reason).__name__
    if isinstance(reason, type):
        return reason.__name__
    return str(reason)


class ViaProxyMiddleware:
    """Send every request through one HTTP proxy (``--via-replica``): the registry and the archive keep
    the real portal URLs while the bytes come from the replica on 127.0.0.1."""

    def __init__(self, proxy: str) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ViaProxyMiddleware:
        return cls(crawler.settings.get("NIANBAO_VIA", ""))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.proxy:
            request.meta["proxy"] = self.proxy
