"""Reading and writing the crawler's own tables (their migration set: crawler/schema.py): the conditional-GET
cache and per-portal run results, plus the run summary read back from them.

The summary is rebuilt from the archive rather than passed between processes: the crawl runs in a child
process (Twisted's reactor cannot restart), and the archive is the one place both sides can read.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlite_utils

from archive.db import write_transaction
from common import now
from crawler.items import EventItem

COUNTS = ("listings", "reports_found", "fetched", "new", "changed", "unchanged", "duplicate", "failed", "skipped")
#: The counts the archive keeps on the run row itself, in the transaction of each document (intake.ingest).
ARCHIVE_COUNTS = ("new", "changed", "duplicate", "failed")


@dataclass
class CacheEntry:
    etag: str | None
    last_modified: str | None
    links: list[str]


def load_cache(db: sqlite_utils.Database, portals: list[str]) -> dict[str, CacheEntry]:
    """Validators and files of every report URL seen before on these portals."""
    if not portals:
        return {}
    rows = db.execute(
        f"SELECT url, etag, last_modified, links FROM crawl_cache WHERE portal IN ({', '.join('?' * len(portals))})",
        portals,
    )
    return {url: CacheEntry(etag, modified, json.loads(links or "[]")) for url, etag, modified, links in rows}


def cached_sha256(db: sqlite_utils.Database, url: str) -> str | None:
    """What the URL's bytes hashed to when the cache last saw them."""
    row = db.execute("SELECT sha256 FROM crawl_cache WHERE url = ?", [url]).fetchone()
    return None if row is None else str(row[0])


def remember(
    db: sqlite_utils.Database, portal: str, url: str, headers: Mapping[str, str], sha256: str, links: list[str]
) -> None:
    """Cache a successfully archived URL's validators (a failed one is fetched in full next time).

    Call inside the write transaction that archived the URL's bytes."""
    lower = {name.lower(): value for name, value in headers.items()}
    db.execute(
        """INSERT OR REPLACE INTO crawl_cache (url, portal, etag, last_modified, sha256, links, checked_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [url, portal, lower.get("etag"), lower.get("last-modified"), sha256, json.dumps(links), now()],
    )


@dataclass
class ColumnTally:
    """One list (a start URL or sub-column, all its pages and API batches): items read, items declared."""

    found: int = 0
    declared: int | None = None
    lost: list[str] = field(default_factory=list)

    def shortfall(self) -> str | None:
        """Why the list is partial, or None when it was read whole."""
        if self.declared is not None and self.found < self.declared:
            return f"partial {self.found} of {self.declared}"
        if self.lost:
            return f"partial: {self.lost[0]}" + (f" (+{len(self.lost) - 1} more)" if len(self.lost) > 1 else "")
        return None


@dataclass
class PortalResult:
    """One portal's share of a run, as counted by the pipeline."""

    portal: str
    counts: Counter[str] = field(default_factory=Counter)
    selector_hits: int = 0
    events: list[dict[str, str]] = field(default_factory=list)
    columns: dict[str, ColumnTally] = field(default_factory=dict)

    def listed(self, column: str, items: int, reports: int, declared: int | None) -> None:
        """One listing answer read: ``items`` article links of which ``reports`` are followed, for ``column``."""
        self.counts["listings"] += 1
        self.selector_hits += items
        self.counts["reports_found"] += reports
        entry = self.columns.setdefault(column, ColumnTally())
        entry.found += items
        if declared is not None:
            entry.declared = max(declared, entry.declared or 0)

    def lost(self, column: str, url: str, reason: str) -> None:
        self.columns.setdefault(column, ColumnTally()).lost.append(f"{reason} ({url})")

    def failed(self, url: str, reason: str) -> None:
        """A request or document that failed, with its reason (the caller records it in the archive too)."""
        self.counts["failed"] += 1
        self.events.append({"kind": "failed", "url": url, "reason": reason})

    def count(self, event: EventItem) -> None:
        """Count what the spider reported besides documents (the one place both the single-machine pipeline
        and the distributed writer count it; a ``failed`` event is also recorded in the archive by them)."""
        if event.kind == "listing":
            self.listed(event.column, event.items, event.reports, event.declared)
        elif event.kind == "partial":
            self.lost(event.column, event.url, event.reason)
        elif event.kind == "unchanged":
            self.counts["unchanged"] += 1
        elif event.kind == "failed":
            self.failed(event.url, event.reason)
        else:
            self.counts["skipped"] += 1
            self.events.append({"kind": "skipped", "url": event.url, "reason": event.reason})

    def unreachable(self) -> str | None:
        """Why the portal's hosts never answered (``unreachable: connection refused``: a network outage, a
        dead server), when nothing at all was read and every request failed so or timed out; else None."""
        if self.counts["listings"] or self.counts["fetched"] or self.counts["unchanged"]:
            return None
        reasons = Counter(event["reason"] for event in self.events if event["kind"] == "failed")
        if not reasons or not all(reason.startswith(("unreachable", "timeout")) for reason in reasons):
            return None
        return reasons.most_common(1)[0][0]

    def problems(self) -> list[str]:
        """Why the portal is failing: loud, so a changed site layout is noticed."""
        unreachable = self.unreachable()
        if unreachable is not None:
            return [unreachable]
        if self.counts["listings"] and not self.selector_hits:
            return ["listing selector matched nothing"]
        if not self.counts["reports_found"]:
            return ["no report found"]
        return []

    def partial(self) -> list[str]:
        """The lists read only in part: ``partial N of M <column>`` (declared size) or a page lost."""
        found = [(column, tally.shortfall()) for column, tally in self.columns.items()]
        return [f"{shortfall}  {column}" for column, shortfall in found if shortfall]

    def status(self) -> str:
        return "failing" if self.problems() else "partial" if self.partial() else "ok"

    def reported(self) -> list[str]:
        """Every problem, failing ones first; an unreachable portal's lists are not each called partial."""
        return self.problems() + ([] if self.unreachable() else self.partial())

    def column_counts(self) -> dict[str, dict[str, object]]:
        """Per list: items found, items declared, why it is partial (None: read whole), for the next run's
        comparison (crawler/alerts.py: a list that shrank or went partial)."""
        return {
            column: {"found": tally.found, "declared": tally.declared, "partial": tally.shortfall()}
            for column, tally in sorted(self.columns.items())
        }


def save_results(db: sqlite_utils.Database, run_id: int, results: list[PortalResult], retried: Counter[str]) -> None:
    with write_transaction(db):
        for result in results:
            db.execute(
                f"""INSERT OR REPLACE INTO crawl_portal_runs
                    (run_id, portal, status, {", ".join(COUNTS)}, retried, problems, events, columns)
                    VALUES (?, ?, ?, {", ".join("?" * len(COUNTS))}, ?, ?, ?, ?)""",
                [
                    run_id,
                    result.portal,
                    result.status(),
                    *(result.counts[name] for name in COUNTS),
                    retried[result.portal],
                    json.dumps(result.reported(), ensure_ascii=False),
                    json.dumps(result.events, ensure_ascii=False),
                    json.dumps(result.column_counts(), ensure_ascii=False),
                ],
            )


def run_summary(db: sqlite_utils.Database, run_id: int) -> dict[str, object]:
    """The run as one JSON-able object: run row, totals, and per-portal counts, problems and events."""
    run = dict(db.table("runs").get(run_id))
    portals = []
    totals: Counter[str] = Counter()
    cursor = db.execute("SELECT * FROM crawl_portal_runs WHERE run_id = ? ORDER BY portal", [run_id])
    names = [column[0] for column in cursor.description]
    for row in cursor:
        portal = dict(zip(names, row, strict=True))
        portal["problems"] = json.loads(portal["problems"] or "[]")
        portal["events"] = json.loads(portal["events"] or "[]")
        portal["columns"] = json.loads(portal["columns"] or "{}")  # {} in runs recorded before lists were counted
        del portal["run_id"]
        totals.update({name: portal[name] for name in (*COUNTS, "retried")})
        portals.append(portal)
    if not portals:  # a crawl killed before it could count per portal: what the archive itself counted
        totals.update({name: run[name] for name in ARCHIVE_COUNTS})
    failing = [portal["portal"] for portal in portals if portal["status"] == "failing"]
    partial = [portal["portal"] for portal in portals if portal["status"] == "partial"]
    return {
        "run_id": run_id,
        "status": run["status"],
        "started_at": run["started_at"],
        "finished_at": run["finished_at"],
        "options": json.loads(run["options"] or "{}"),
        "totals": {name: totals[name] for name in (*COUNTS, "retried")},
        "failing_portals": failing,
        "partial_portals": partial,
        "portals": portals,
    }


def last_runs(db: sqlite_utils.Database) -> dict[str, dict[str, object]]:
    """Each portal's latest run result (for `nianbao portals`)."""
    rows = db.execute(
        """SELECT p.portal, p.run_id, r.started_at, p.status, p.new, p.changed, p.unchanged, p.failed, p.problems
           FROM crawl_portal_runs p JOIN runs r ON r.id = p.run_id
           WHERE p.run_id = (SELECT MAX(run_id) FROM crawl_portal_runs WHERE portal = p.portal)"""
    )
    keys = ("run_id", "started_at", "status", "new", "changed", "unchanged", "failed", "problems")
    return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in rows}
