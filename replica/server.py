"""The replica's HTTP server: an HTTP proxy on 127.0.0.1 that answers for the portals' real host names.

A crawler pointed at it as its proxy (``nianbao crawl --via-replica http://127.0.0.1:N``) asks for
``http://kjj.liaocheng.gov.cn/...`` and gets the replica's page, so registry and archive keep real URLs.
Any host the replica does not serve answers 502 and is logged: a test can prove nothing off-site was
asked for. Validators (ETag, Last-Modified) and 304s behave as on a real server.

Control paths, asked directly (not through the proxy): ``/_replica/state/N`` moves to state N (state 2
replaces a report at the same URL), ``/_replica/log`` lists the requests served.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from replica.model import Call, Site

#: How long the slow page takes: past the crawler's timeout, bounded so a test never hangs.
SLOW_SECONDS = 8.0
CHUNK = 64 * 1024


@dataclass
class Hit:
    method: str
    host: str
    path: str
    status: int
    conditional: bool
    form: str = ""  # a POST's body (dataproxy.jsp), so a benchmark can replay the request


class Replica:
    """The served state: a site builder per state number, the request log, per-URL counters.

    ``latency``: seconds every answer waits before its first byte, as a real portal's server takes time
    (0: loopback speed, the worst case for the crawler's own CPU cost)."""

    def __init__(self, build: Callable[[int], Site], state: int = 1, latency: float = 0.0) -> None:
        self.build = build
        self.latency = latency
        self.lock = threading.Lock()
        self.log: list[Hit] = []
        self.counters: Counter[str] = Counter()
        self.set_state(state)

    def set_state(self, state: int) -> None:
        site = self.build(state)
        with self.lock:
            self.state, self.site = state, site

    def record(self, hit: Hit) -> None:
        with self.lock:
            self.log.append(hit)

    def count(self, key: str) -> int:
        with self.lock:
            self.counters[key] += 1
            return self.counters[key]


class Handler(BaseHTTPRequestHandler):
    server: ReplicaServer
    protocol_version = "HTTP/1.1"
    _pending: Hit | None = None  # the request being answered, logged by send_response

    def log_message(self, format: str, *args: object) -> None:  # the request log is kept, not printed
        pass

    def do_GET(self) -> None:
        self._serve("GET", b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._serve("POST", self.rfile.read(length) if length else b"")

    def _serve(self, method: str, form: bytes) -> None:
        replica = self.server.replica
        parts = urlsplit(self.path)
        host = (parts.hostname or self.headers.get("Host", "").split(":")[0]).lower()
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not parts.hostname and parts.path.startswith("/_replica/"):
            self._control(parts.path)
            return
        with replica.lock:
            site = replica.site
        conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
        self._pending = Hit(method, host, path, 0, conditional, form.decode("utf-8", "replace"))
        if replica.latency:
            time.sleep(replica.latency)
        self._answer(site, host, path, form, replica)

    def send_response(self, code: int, message: str | None = None) -> None:
        """Log the hit before its first byte leaves: a client that has its answer finds it in the log."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self.server.replica.record(dataclasses.replace(pending, status=code))
        super().send_response(code, message)

    def _answer(self, site: Site, host: str, path: str, form: bytes, replica: Replica) -> None:
        if path == "/robots.txt" and host in site.resources:
            self._send(200, site.robots.get(host, "User-agent: *\nAllow: /\n").encode(), "text/plain")
            return
        resource = site.find(host, path)
        if resource is None:
            if host not in site.resources:
                self._send(502, b"replica: no such host", "text/plain")
                return
            self._send(404, _NOT_FOUND, "text/html; charset=utf-8")
            return
        key = f"{host}{path}"
        if resource.flaky and replica.count(key) % 2 == 1:
            self._send(500, b"<html><body>500 Internal Server Error</body></html>", "text/html")
            return
        if resource.behaviour == "slow":
            time.sleep(SLOW_SECONDS)
        if resource.behaviour == "redirect":
            self.send_response(302)
            self.send_header("Location", resource.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if resource.behaviour == "oversized":
            self._stream_oversized(resource.size)
            return
        if resource.behaviour == "api" and resource.api is not None:
            self._send(*resource.api(_call(self.command, path, form)))
            return
        body = resource.body
        if resource.status == 200:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag or (
                not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == site.last_modified
            ):
                self._send(304, b"", resource.content_type, {"ETag": etag})
                return
            self._send(200, body, resource.content_type, {"ETag": etag, "Last-Modified": site.last_modified})
            return
        self._send(resource.status, body, resource.content_type)

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)) if status != 304 else "0")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if status != 304:
            self._write(body)

    def _stream_oversized(self, size: int) -> None:
        """Announce a huge file and stream it until the client gives up (it should, at the size limit)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = b"%PDF-1.4\n" + b"0" * (CHUNK - 9)
        sent = 0
        while sent < size and self._write(chunk[: size - sent]):
            sent += CHUNK

    def _write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return False

    def _control(self, path: str) -> None:
        replica = self.server.replica
        if path.startswith("/_replica/state/"):
            replica.set_state(int(path.rsplit("/", 1)[1]))
            self._send(200, f"state {replica.state}\n".encode(), "text/plain")
        elif path == "/_replica/log":
            with replica.lock:
                hits = [vars(hit) for hit in replica.log]
            self._send(200, json.dumps(hits, ensure_ascii=False).encode(), "application/json")
        else:
            self._send(404, b"unknown control path", "text/plain")


def _call(method: str, path: str, form: bytes) -> Call:
    """An API request as its handler sees it: query and form fields, first value of each."""
    query = parse_qs(urlsplit(path).query, keep_blank_values=True)
    fields = parse_qs(form.decode("utf-8", "replace"), keep_blank_values=True)
    return Call(method, {k: v[0] for k, v in query.items()}, {k: v[0] for k, v in fields.items()})


_NOT_FOUND = "<html><head><title>404</title></head><body><h1>页面不存在</h1></body></html>".encode()


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, replica: Replica, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.replica = replica

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up (a timeout, the size limit) is what the faults are for, not an error."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> ReplicaServer:
        """Serve in a daemon thread (demo, tests, benchmark); ``shutdown()`` stops it."""
        threading.Thread(target=self.serve_forever, name="replica", daemon=True).start()
        return self
