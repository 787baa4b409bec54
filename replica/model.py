"""What a replica site is: resources keyed by real host and path, each with the behaviour a real portal
shows (a 500 that a retry gets past, a slow answer, a redirect, an anti-bot status, a huge file, a script-fed list)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Behaviour = Literal["plain", "slow", "oversized", "redirect", "api"]


@dataclass(frozen=True)
class Call:
    """One request to an API resource: its query string and form fields (first value of each)."""

    method: str
    query: Mapping[str, str]
    form: Mapping[str, str]


#: An API resource's answer: status, body, content type.
Answer = tuple[int, bytes, str]
Api = Callable[[Call], Answer]


@dataclass
class Resource:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    behaviour: Behaviour = "plain"
    location: str = ""  # redirect target
    api: Api | None = None  # behaviour "api": the answer is computed from the request (list APIs)
    size: int = 0  # oversized: the Content-Length announced
    flaky: bool = False  # answers 500 to every other request (a retry succeeds)


@dataclass
class Site:
    """All hosts of one replica state. ``resources[host][path]``: path includes the query string when the
    portal's URL carries one that selects content (the annual-report module); else it is ignored."""

    resources: dict[str, dict[str, Resource]] = field(default_factory=dict)
    robots: dict[str, str] = field(default_factory=dict)
    last_modified: str = "Mon, 20 Jan 2025 08:00:00 GMT"

    def add(self, url: str, resource: Resource) -> None:
        host, _, path = url.removeprefix("http://").partition("/")
        self.resources.setdefault(host, {})["/" + path] = resource

    def find(self, host: str, path: str) -> Resource | None:
        pages = self.resources.get(host)
        if pages is None:
            return None
        if path in pages:
            return pages[path]
        bare = path.split("?", 1)[0]
        if bare in pages:
            return pages[bare]
        fallback = pages.get(bare + "?*")
        return fallback

    @property
    def page_count(self) -> int:
        return sum(len(pages) for pages in self.resources.values())
