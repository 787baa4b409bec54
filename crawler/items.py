"""What the spider hands the pipeline: fetched documents and crawl events (one-way data flow).

The spider never writes the archive; everything it learns (a listing read, a report link found, a
304, a failure with its reason, a link not followed) travels as an item so the pipeline alone keeps
the counts, the failures table and the conditional-GET cache.

Items are dataclasses, which Scrapy's feed exports read through itemadapter: `scrapy crawl portal -O
items.jsonl` writes each one as a JSON object. A document's bytes are not JSON: its ``body`` is written as
``{"sha256", "size"}`` (the names the archive gives the same bytes), and with the bytes themselves
(``"base64"``) only when asked (setting NIANBAO_EXPORT_BODY = "base64"). Scrapy's exporters look for a
``serializer`` in each field's metadata (docs.scrapy.org, "Item Exporters": declaring a serializer in the
field), so every feed format (JSON, JSON lines, CSV, XML) gets the same view.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Literal

EventKind = Literal["listing", "unchanged", "failed", "skipped", "partial"]
BodyExport = Literal["digest", "base64"]
#: How a feed export writes a document's bytes (crawler/settings.py NIANBAO_EXPORT_BODY, set by the spider
#: from the crawl's settings: a field serializer is handed only the value, never the settings).
body_export: BodyExport = "digest"


def export_bodies(mode: str) -> None:
    """Choose how feed exports write bodies for this process: "digest" (sha256 and size) or "base64" too."""
    global body_export
    if mode not in ("digest", "base64"):
        raise ValueError(f"NIANBAO_EXPORT_BODY must be 'digest' or 'base64', not {mode!r}")
    body_export = "base64" if mode == "base64" else "digest"


def serialize_body(body: bytes) -> dict[str, object]:
    """A document's bytes in a feed export: their sha256 and size, and the bytes in base64 when asked."""
    exported: dict[str, object] = {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
    if body_export == "base64":
        exported["base64"] = base64.b64encode(body).decode("ascii")
    return exported


@dataclass
class DocumentItem:
    """A fetched report page or file. ``archive`` is False for a wrapper page ("详见附件"): its
    validators and links are cached for the next run, but only its files become documents."""

    portal: str
    url: str
    body: bytes = field(metadata={"serializer": serialize_body})
    final_url: str
    http_status: int
    headers: dict[str, str]
    links: list[str] = field(default_factory=list)
    archive: bool = True
    is_file: bool = False  # an attachment (or a file linked straight from a listing), not a report page
    found_on: str = ""  # for an attachment: the report page it was linked from (links it to that page's report)


@dataclass
class EventItem:
    """Something the crawl saw that is not a document. For a listing, ``items``: the article links its
    family's selector matched (0 on every listing of a portal means the selector is broken),
    ``reports``: how many of them are reports the crawl follows, ``column``: the list the page belongs
    to (a start URL or sub-column, with all its pages) and ``declared``: how many items that list says it
    holds. ``partial``: a list that could not be read whole (a page lost, an API that answered wrong)."""

    portal: str
    kind: EventKind
    url: str
    reason: str = ""
    items: int = 0
    reports: int = 0
    column: str = ""
    declared: int | None = None
