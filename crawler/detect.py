"""`nianbao portals detect` and `add`: which CMS family serves a page, and a registry row for it.

One page is fetched (through the replica's proxy with ``via``), decoded by the project's one chain, and
shown to every family's fingerprints (``crawler.families.detect``): pager scripts, dataproxy ids, URL
shapes, platform markup. The evidence is kept, so a registry row says why its family was chosen.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler import families, pages, settings
from crawler.families import Evidence
from crawler.registry import Portal
from parsers.decode import decode
from parsers.document import ExtractionError

#: A page bigger than this is no portal page (detect reads only pages, never files).
MAX_PAGE_BYTES = 5 * 1024 * 1024


class FetchError(RuntimeError):
    """The page could not be fetched: the message says why (HTTP status, timeout, size)."""


@dataclass(frozen=True)
class Detection:
    url: str
    final_url: str
    evidence: list[Evidence]

    @property
    def family(self) -> str:
        return self.evidence[0].family

    def to_json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "final_url": self.final_url,
            "family": self.family,
            "evidence": [{"family": e.family, "clues": list(e.clues)} for e in self.evidence],
        }


def page_text(body: bytes, headers: Mapping[str, str]) -> str:
    """A page's text by the project's one decoding chain (header charset, UTF-8, GB18030, detection)."""
    content_type = {name.lower(): value for name, value in headers.items()}.get("content-type", "")
    charset = content_type.partition("charset=")[2].split(";")[0].strip() or None
    try:
        return decode(body, (charset,))[0]
    except ExtractionError:
        return ""


def fetch(url: str, via: str | None = None, timeout: float = 15) -> tuple[str, str]:
    """The page's text and final URL, as the crawler would see it (its User-Agent, its size limit)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"not a web address: {url}")
    handlers = [urllib.request.ProxyHandler({"http": via, "https": via} if via else {})]
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={"User-Agent": settings.USER_AGENT})
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_PAGE_BYTES + 1)
            headers = dict(response.headers.items())
            final_url = response.geturl()
    except urllib.error.HTTPError as error:
        raise FetchError(f"HTTP {error.code} for {url}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(f"cannot fetch {url}: {reason}") from error
    if len(body) > MAX_PAGE_BYTES:
        raise FetchError(f"{url} is over {MAX_PAGE_BYTES // 2**20} MB: not a portal page")
    return page_text(body, headers), final_url


#: Pages below a start page looked into when it shows no family (a column tree: 年报 → 部门年报 → 2024年 →
#: the list), breadth first.
MAX_PAGES_BELOW = 4


def detect(url: str, via: str | None = None) -> Detection:
    """The family of the page at ``url``; a column tree with no fingerprint of its own is judged by the
    first sub-columns below it (the evidence then names the page it was seen on)."""
    html, final_url = fetch(url, via)
    evidence = families.detect(html, final_url)
    host = urlsplit(final_url).netloc
    queue = _sub_columns(html, final_url, host)
    seen = {final_url}
    while evidence[0].family == "generic" and queue and len(seen) <= MAX_PAGES_BELOW:
        sub = queue.pop(0)
        if sub in seen:
            continue
        seen.add(sub)
        try:
            sub_html, sub_url = fetch(sub, via)
        except FetchError:
            continue
        found = families.detect(sub_html, sub_url)
        if found[0].family != "generic":
            evidence = [Evidence(e.family, tuple(f"on {sub}: {clue}" for clue in e.clues)) for e in found]
        queue += _sub_columns(sub_html, sub_url, host)
    return Detection(url, final_url, evidence)


def _sub_columns(html: str, url: str, host: str) -> list[str]:
    return [sub for sub in pages.sub_listings(pages.parse(html), url, set()) if urlsplit(sub).netloc == host]


def portal_row(detection: Detection, name: str, agency: str, region: str) -> Portal:
    """A registry row for a detected portal: the page as its start URL, its host as its only host."""
    host = urlsplit(detection.final_url).hostname or ""
    clues = "; ".join(detection.evidence[0].clues)
    return Portal(
        name=name,
        agency=agency,
        region=region,
        family=detection.family,
        hosts=(host,),
        start_urls=(detection.url,),
        source=f"nianbao portals add, {dt.date.today().isoformat()}: {detection.url} ({clues})",
        unverified="family detected from one page's fingerprints; check the listing by hand",
    )


def default_name(url: str) -> str:
    """``kjj.liaocheng.gov.cn`` → ``kjj-liaocheng``."""
    host = urlsplit(url).hostname or "portal"
    return host.removesuffix(".gov.cn").removeprefix("www.").replace(".", "-")


def to_toml(portal: Portal) -> str:
    """One ``[[portal]]`` entry (strings as JSON strings, which TOML's basic strings accept)."""
    lines = ["[[portal]]"]
    for key in ("name", "agency", "region", "family"):
        lines.append(f"{key} = {json.dumps(getattr(portal, key), ensure_ascii=False)}")
    lines.append(f"start_urls = {json.dumps(list(portal.start_urls), ensure_ascii=False)}")
    lines.append(f"hosts = {json.dumps(list(portal.hosts), ensure_ascii=False)}")
    lines.append(f"source = {json.dumps(portal.source, ensure_ascii=False)}")
    lines.append(f"unverified = {json.dumps(portal.unverified, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"
