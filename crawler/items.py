"""What the spider hands the pipeline: fetched documents and crawl events (one-way data flow).

The spider never writes the archive; everything it learns (a listing read, a report link found, a
304, a failure with its reason, a link not followed) travels as an item so the pipeline alone keeps
the counts, the failures table and the conditional-GET cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EventKind = Literal["listing", "unchanged", "failed", "skipped", "partial"]


@dataclass
class DocumentItem:
    """A fetched report page or file. ``archive`` is False for a wrapper page ("详见附件"): its
    validators and links are cached for the next run, but only its files become documents."""

    portal: str
    url: str
    body: bytes
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
