"""`nianbao portals check`: a crawl that archives nothing and lists what it found.

The spider runs as in a real crawl (same families, fences, middlewares); this pipeline stands in for the
archive pipeline. It keeps the report links found (title, year, URL, files), the lists read and their
declared sizes, and what was partial or failed, and prints them as one JSON line when the crawl ends.
No lock, no database, no file written.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from crawler import pages
from crawler.detect import page_text
from crawler.items import DocumentItem, EventItem
from crawler.store import PortalResult

if TYPE_CHECKING:
    from scrapy import Spider


@dataclass
class FoundReport:
    """A report page or file the crawl reached."""

    portal: str
    url: str
    title: str
    year: int | None
    files: list[str] = field(default_factory=list)


class CheckPipeline:
    def __init__(self) -> None:
        self.results: dict[str, PortalResult] = {}
        self.reports: list[FoundReport] = []
        self.files: set[str] = set()

    def open_spider(self, spider: Spider | None = None) -> None:
        for name in getattr(spider, "portals", {}):
            self.results[name] = PortalResult(name)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        result = self.results.setdefault(item.portal, PortalResult(item.portal))
        if isinstance(item, DocumentItem):
            self._document(item)
        elif isinstance(item, EventItem):
            self._event(item, result)
        return item

    def _document(self, item: DocumentItem) -> None:
        if item.is_file:
            if item.url not in self.files:  # a file linked straight from a listing is a report of its own
                self.reports.append(FoundReport(item.portal, item.url, "", None))
            return
        page = pages.read_report_page(page_text(item.body, item.headers), item.final_url)
        self.reports.append(FoundReport(item.portal, item.url, page.title, page.year, list(item.links)))
        self.files.update(item.links)

    @staticmethod
    def _event(item: EventItem, result: PortalResult) -> None:
        if item.kind == "listing":
            result.listed(item.column, item.items, item.reports, item.declared)
        elif item.kind == "partial":
            result.lost(item.column, item.url, item.reason)
        elif item.kind in ("failed", "skipped"):
            result.counts[item.kind] += 1
            result.events.append({"kind": item.kind, "url": item.url, "reason": item.reason})

    def close_spider(self, spider: Spider | None = None) -> None:
        portals = [
            {
                "portal": name,
                "status": result.status(),
                "listings": result.counts["listings"],
                "reports_found": result.counts["reports_found"],
                "problems": result.problems() + result.partial(),
                "events": result.events,
                "reports": [asdict(report) for report in self.reports if report.portal == name],
            }
            for name, result in self.results.items()
        ]
        sys.stdout.write(json.dumps({"check": portals}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
