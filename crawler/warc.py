"""WARC: every request the crawl sends and every answer it gets, in a web archive file (ISO 28500), so a
researcher can prove what a portal served and when, with tools that read WARC (warcio, pywb, …).

`nianbao crawl --warc DIR` writes one file a run, ``DIR/nianbao-<UTC time>-<pid>.warc.gz`` (named by
crawler.run.warc_file); the setting NIANBAO_WARC names the file (`scrapy crawl portal -s NIANBAO_WARC=FILE`).
It holds a ``warcinfo`` record (the software, the User-Agent, robots.txt obeyed, the operator's contact),
then for each request sent a
``request`` record and either the ``response`` record it got (a 200, a 304, a 404, a redirect, an anti-bot
challenge: whatever came back, with its status line, headers and body as received) or, when no answer came
(connection refused, a timeout, the size limit), a ``metadata`` record saying why, ``WARC-Concurrent-To``
the request. Robots.txt, retries and each hop of a redirect are requests of their own.

A downloader middleware placed next to the downloader (order 950, crawler/settings.py) sees the request as
sent and the response before Scrapy decompresses it or follows its redirect; an extension on Scrapy's
signals would see neither. Scrapy does not expose the bytes on the wire, so the records are rebuilt from
what it does expose: the request line in origin form (``GET /path HTTP/1.1`` with a Host header, also when
sent through a proxy), and the response's headers less ``Transfer-Encoding`` (its body is stored
de-chunked; a reader would otherwise try to de-chunk it again). Records are written by warcio, the
maintained WARC library of the Webrecorder project (pywb's own reader and writer), each gzipped on its own
as the standard ``.warc.gz`` is, by one thread beside the crawl, in the order the answers came, so
compressing a large PDF never holds up the downloads.
"""

from __future__ import annotations

import datetime as dt
import http
import importlib.metadata
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

#: Request meta key: when the request was handed to the network (its record's WARC-Date); taken back when
#: its answer or failure is written, so a retry (a copy of the request) is dated by its own sending.
SENT = "nianbao_warc_sent"
#: Headers of the response that describe how it crossed the wire, not what is stored.
_WIRE_ONLY = {"transfer-encoding"}


@dataclass(frozen=True)
class Exchange:
    """A request sent and what came of it: the answer (``status`` set) or why none came (``error``)."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    sent: str
    received: str
    status: int | None = None
    protocol: str = "HTTP/1.1"
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    ip_address: str | None = None
    error: str | None = None


class WarcMiddleware:
    """Writes each request and its answer (or failure) to the run's WARC file; off without NIANBAO_WARC."""

    def __init__(self, path: Path, settings: BaseSettings) -> None:
        self.path = path
        self.settings = settings
        # appended to, never overwritten: a WARC file is a series of records, and another run's stay valid
        self.stream: IO[bytes] = path.open("ab")
        self.writer = WARCWriter(self.stream, gzip=True)
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc")
        self.error: BaseException | None = None
        self._submit(self._write_info)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcMiddleware:
        path = crawler.settings.get("NIANBAO_WARC", "")
        if not path:
            raise NotConfigured  # no WARC asked for (NIANBAO_WARC); without a message Scrapy does not warn of it
        middleware = cls(Path(path), crawler.settings)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        request.meta[SENT] = _warc_date()

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        sent = request.meta.pop(SENT, None)
        if sent is not None:
            ip = None if request.meta.get("proxy") or response.ip_address is None else str(response.ip_address)
            exchange = Exchange(
                *_request_parts(request),
                sent=sent,
                received=_warc_date(),
                status=response.status,
                protocol=response.protocol or "HTTP/1.1",
                response_headers=[pair for pair in _pairs(response.headers) if pair[0].lower() not in _WIRE_ONLY],
                body=response.body,
                ip_address=ip,
            )
            self._submit(self._write_exchange, exchange)
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Spider | None = None) -> None:
        """A request sent that got no answer; a request refused before the network (robots.txt, off-site
        hosts) was never sent and is not written."""
        sent = request.meta.pop(SENT, None)
        if sent is None:
            return
        from crawler.spider import describe_failure  # the crawl's own wording of why (spider imports settings)

        failure = Failure(exception)
        failure.request = request  # type: ignore[attr-defined]
        timeout, max_size = self.settings.getint("DOWNLOAD_TIMEOUT"), self.settings.getint("DOWNLOAD_MAXSIZE")
        _, reason = describe_failure(failure, timeout, max_size)
        self._submit(
            self._write_exchange, Exchange(*_request_parts(request), sent=sent, received=_warc_date(), error=reason)
        )

    def close(self, spider: Spider | None = None) -> None:
        """Once the crawl is over: the records still queued are written, the file closed. A write that
        failed (a full disk) is said once, loudly: the file stops at the record before it."""
        self.thread.shutdown(wait=True)
        self.stream.close()
        if self.error is not None:
            logging.getLogger(__name__).error("WARC file %s incomplete: %s", self.path, self.error)

    # -- the writer thread ----------------------------------------------------------------------------

    def _submit(self, write: Any, *args: Any) -> None:
        if self.error is None:
            self.thread.submit(write, *args).add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        if future.exception() is not None and self.error is None:
            self.error = future.exception()

    def _write_info(self) -> None:
        def version(name: str) -> str:
            return importlib.metadata.version(name)

        info = {
            "software": f"nianbao/{version('nianbao')} Scrapy/{version('scrapy')} warcio/{version('warcio')}",
            "format": "WARC File Format 1.0",
            "http-header-user-agent": self.settings.get("USER_AGENT", ""),
            "robots": "obey" if self.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "operator": self.settings.get("CONTACT", ""),  # crawler/settings.py CONTACT ($NIANBAO_CONTACT)
            "description": "nianbao: government information-disclosure annual reports (政府信息公开工作年度报告)",
        }
        self.writer.write_record(self.writer.create_warcinfo_record(self.path.name, info))

    def _write_exchange(self, exchange: Exchange) -> None:
        request_line = f"{exchange.method} {_target(exchange.url)} HTTP/1.1"
        request_http = StatusAndHeaders(request_line, exchange.request_headers, is_http_request=True)
        request = self.writer.create_warc_record(
            exchange.url,
            "request",
            payload=BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=request_http,
            warc_headers_dict={"WARC-Date": exchange.sent},
        )
        self.writer.write_record(request)
        request_id = request.rec_headers.get_header("WARC-Record-ID")
        if exchange.status is None:
            reason = f"fetch-error: {exchange.error}\r\n".encode()
            record = self.writer.create_warc_record(
                exchange.url,
                "metadata",
                payload=BytesIO(reason),
                length=len(reason),
                warc_content_type="application/warc-fields",
                warc_headers_dict={"WARC-Date": exchange.received, "WARC-Concurrent-To": request_id},
            )
        else:
            headers = {"WARC-Date": exchange.received, "WARC-Concurrent-To": request_id}
            if exchange.ip_address:
                headers["WARC-IP-Address"] = exchange.ip_address
            status = f"{exchange.status} {_phrase(exchange.status)}".rstrip()
            record = self.writer.create_warc_record(
                exchange.url,
                "response",
                payload=BytesIO(exchange.body),
                length=len(exchange.body),
                http_headers=StatusAndHeaders(status, exchange.response_headers, protocol=exchange.protocol),
                warc_headers_dict=headers,
            )
        self.writer.write_record(record)
        self.stream.flush()


def _warc_date() -> str:
    return str(datetime_to_iso_date(dt.datetime.now(dt.UTC).replace(tzinfo=None)))


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    """Scrapy's headers (bytes, a list of values each) as the (name, value) lines they were sent as."""
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]


def _request_parts(request: Request) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """URL, method, headers (with the Host and Content-Length the HTTP client adds) and body of a request."""
    headers = _pairs(request.headers)
    names = {name.lower() for name, _ in headers}
    if "host" not in names:
        headers.insert(0, ("Host", urlsplit(request.url).netloc))
    if request.body and "content-length" not in names:
        headers.append(("Content-Length", str(len(request.body))))
    return request.url, request.method, headers, request.body


def _target(url: str) -> str:
    """The request line's target in origin form: path and query."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""
