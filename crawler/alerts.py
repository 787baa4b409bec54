"""Runs that alert: checks made at the end of each crawl run, each portal against its own previous run.

The checks are spidermon's kind (its monitors compare a job's item and error counts with thresholds and
with earlier jobs, and act on the failures) written for this crawl's own counts, offline, with no service:
the crawl's parent process (crawler/run.py) evaluates them once the run's counts are in the archive, stores
them (table ``crawl_alerts``) and puts them in the run's summary; `nianbao runs` lists them, and its exit
status is what the README's systemd ``OnFailure=`` unit and cron line act on.

"Previous run" is the portal's latest earlier run that ran to its end with the same year scope (a
``--year 2021`` run is not compared with a full one); for the run as a whole, the latest earlier finished
run of the same portals and scope. A run that did not finish raises only ``interrupted``: its counts stop
where it was stopped, and comparing them would raise false alerts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from archive.db import write_transaction

#: Each kind of alert and what raises it, in the order they are listed.
KINDS: Mapping[str, str] = {
    "interrupted": "the run did not run to its end (a signal, a kill, a crash): its counts are partial",
    "run_shrank": "the run found over a tenth fewer report links than the last run of the same portals",
    "failing": "a portal yielded nothing usable: unreachable, its listing selector matched nothing, or no report",
    "went_partial": "a list read whole in the portal's previous run (or on its first run) is partial now",
    "listing_shrank": "a list yielded fewer items than in the portal's previous run",
    "errors_rising": "more URLs failed than in the portal's previous run",
    "stopped_publishing": "after February, no report about last year from a portal that has one about the year before",
}
#: The share of report links a run may lose against the last one before the run as a whole alerts: a portal
#: that lost any is already named (``listing_shrank``); the run alerts when the loss is broad (a network
#: problem, a crawler change), which a tenth of a run's links is, whatever its size.
RUN_SHRINK_RATIO = 0.1
#: Reports are due by 31 January (政府信息公开条例: each body publishes last year's report by then); a portal
#: with none about last year by 1 March has missed it by a month.
DUE_MONTH = 3
#: What makes two runs comparable: the same year scope (and, for the run as a whole, the same portals).
_SCOPE = ("year", "since")
_RUN_SCOPE = ("portals", "year", "since", "registry")


@dataclass(frozen=True)
class Alert:
    """One alert: its kind (KINDS), the portal (None: the run as a whole), one line, and the figures."""

    kind: str
    portal: str | None
    message: str
    details: dict[str, Any]

    def line(self) -> str:
        return f"{self.portal or 'run'}: {self.kind}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PortalRun:
    """A portal's row of one run (crawl_portal_runs); ``columns`` None where lists were not yet counted."""

    run_id: int
    status: str
    failed: int
    reports_found: int
    problems: list[str]
    columns: dict[str, dict[str, Any]] | None


def check_run(db: sqlite_utils.Database, run_id: int, today: dt.date | None = None) -> list[Alert]:
    """Evaluate the run's alerts and store them (replacing any stored before): what `nianbao crawl` does
    at the end of each run."""
    alerts = evaluate(db, run_id, today)
    with write_transaction(db):
        db.execute("DELETE FROM crawl_alerts WHERE run_id = ?", [run_id])
        db.conn.executemany(
            "INSERT INTO crawl_alerts (run_id, portal, kind, message, details) VALUES (?, ?, ?, ?, ?)",
            [(run_id, a.portal, a.kind, a.message, json.dumps(a.details, ensure_ascii=False)) for a in alerts],
        )
    return alerts


def evaluate(db: sqlite_utils.Database, run_id: int, today: dt.date | None = None) -> list[Alert]:
    """The run's alerts. ``today``: the day the checks are made for (default: the day the run started),
    which decides whether last year's report is due yet."""
    run = db.execute("SELECT status, started_at, options FROM runs WHERE id = ?", [run_id]).fetchone()
    status, started_at, options = run[0], run[1], json.loads(run[2] or "{}")
    if status != "finished":
        return [Alert("interrupted", None, f"the run is {status}: its counts stop where it stopped", {})]
    today = today or dt.date.fromisoformat(started_at[:10])
    current = _portal_runs(db, run_id)
    alerts = _run_shrank(db, run_id, options, current)
    for portal, now in sorted(current.items()):
        if now.status == "failing":
            alerts.append(Alert("failing", portal, "; ".join(now.problems), {"problems": now.problems}))
            continue
        before = _previous(db, portal, run_id, options)
        alerts += _went_partial(portal, now, before)
        alerts += _listing_shrank(portal, now, before)
        alerts += _errors_rising(portal, now, before)
    alerts += _stopped_publishing(
        db, [p for p, row in sorted(current.items()) if row.status != "failing"], options, today
    )
    order = list(KINDS)
    return sorted(alerts, key=lambda alert: (alert.portal is not None, alert.portal or "", order.index(alert.kind)))


def stored(db: sqlite_utils.Database, run_ids: list[int]) -> dict[int, list[Alert]]:
    """The alerts stored for each of these runs (a run without any: an empty list)."""
    found: dict[int, list[Alert]] = {run_id: [] for run_id in run_ids}
    if run_ids:
        rows = db.execute(
            f"""SELECT run_id, kind, portal, message, details FROM crawl_alerts
                WHERE run_id IN ({", ".join("?" * len(run_ids))}) ORDER BY id""",
            run_ids,
        )
        for run_id, kind, portal, message, details in rows:
            found[run_id].append(Alert(kind, portal, message, json.loads(details)))
    return found


def compare(db: sqlite_utils.Database, run_id: int) -> dict[str, Any] | None:
    """The run's summary beside the last comparable run's: totals before and now, portals newly failing or
    partial, portals recovered. None when no earlier run of the same portals and scope ran to its end."""
    options = json.loads(db.execute("SELECT options FROM runs WHERE id = ?", [run_id]).fetchone()[0] or "{}")
    previous = _previous_run(db, run_id, options)
    if previous is None:
        return None
    before, now = _portal_runs(db, previous), _portal_runs(db, run_id)
    totals = {name: {"before": _total(db, previous, name), "now": _total(db, run_id, name)} for name in _TOTALS}

    def named(status: str, rows: Mapping[str, PortalRun]) -> set[str]:
        return {portal for portal, row in rows.items() if row.status == status}

    failing, partial = named("failing", now), named("partial", now)
    return {
        "run_id": previous,
        "totals": totals,
        "newly_failing": sorted(failing - named("failing", before)),
        "newly_partial": sorted(partial - named("partial", before)),
        "recovered": sorted((named("failing", before) | named("partial", before)) & (set(now) - failing - partial)),
    }


_TOTALS = ("reports_found", "fetched", "new", "changed", "unchanged", "failed", "retried")


def _total(db: sqlite_utils.Database, run_id: int, name: str) -> int:
    return int(
        db.execute(f"SELECT coalesce(sum({name}), 0) FROM crawl_portal_runs WHERE run_id = ?", [run_id]).fetchone()[0]
    )


def _portal_runs(db: sqlite_utils.Database, run_id: int) -> dict[str, PortalRun]:
    rows = db.execute(
        "SELECT portal, status, failed, reports_found, problems, columns FROM crawl_portal_runs WHERE run_id = ?",
        [run_id],
    )
    return {
        portal: PortalRun(run_id, status, failed, found, json.loads(problems or "[]"), _columns(columns))
        for portal, status, failed, found, problems, columns in rows
    }


def _columns(text: str | None) -> dict[str, dict[str, Any]] | None:
    return None if text is None else dict(json.loads(text))


def _same_scope(options: Mapping[str, Any], other: Mapping[str, Any], keys: tuple[str, ...]) -> bool:
    return all(options.get(key) == other.get(key) for key in keys)


def _finished_runs_before(db: sqlite_utils.Database, run_id: int) -> Iterator[tuple[int, dict[str, Any]]]:
    rows = db.execute(
        "SELECT id, options FROM runs WHERE id < ? AND kind = 'crawl' AND status = 'finished' ORDER BY id DESC",
        [run_id],
    )
    for previous, options in rows:
        yield previous, json.loads(options or "{}")


def _previous_run(db: sqlite_utils.Database, run_id: int, options: Mapping[str, Any]) -> int | None:
    """The latest earlier finished crawl of the same portals and scope, if any."""
    return next(
        (previous for previous, other in _finished_runs_before(db, run_id) if _same_scope(options, other, _RUN_SCOPE)),
        None,
    )


def _previous(db: sqlite_utils.Database, portal: str, run_id: int, options: Mapping[str, Any]) -> PortalRun | None:
    """The portal's row in its latest earlier finished run of the same year scope, if any."""
    rows = db.execute(
        """SELECT p.run_id, p.status, p.failed, p.reports_found, p.problems, p.columns, r.options
           FROM crawl_portal_runs p JOIN runs r ON r.id = p.run_id
           WHERE p.portal = ? AND p.run_id < ? AND r.status = 'finished' ORDER BY p.run_id DESC""",
        [portal, run_id],
    )
    for previous, status, failed, found, problems, columns, other in rows:
        if _same_scope(options, json.loads(other or "{}"), _SCOPE):
            return PortalRun(previous, status, failed, found, json.loads(problems or "[]"), _columns(columns))
    return None


def _run_shrank(
    db: sqlite_utils.Database, run_id: int, options: Mapping[str, Any], current: Mapping[str, PortalRun]
) -> list[Alert]:
    previous = _previous_run(db, run_id, options)
    if previous is None:
        return []
    before = _total(db, previous, "reports_found")
    now = sum(row.reports_found for row in current.values())
    if before == 0 or now >= before * (1 - RUN_SHRINK_RATIO):
        return []
    message = f"{now} report links found, {before} in run {previous} ({(now - before) / before:+.0%})"
    return [Alert("run_shrank", None, message, {"run_id": previous, "before": before, "now": now})]


def _went_partial(portal: str, now: PortalRun, before: PortalRun | None) -> Iterator[Alert]:
    """Each list partial now that was read whole before (all of them on the portal's first run)."""
    for column, counts in (now.columns or {}).items():
        shortfall = counts.get("partial")
        if not shortfall or _was_partial(before, column):
            continue
        since = f"read whole in run {before.run_id}" if before else "the portal's first run"
        details = {"column": column, "partial": shortfall, "run_id": before.run_id if before else None}
        yield Alert("went_partial", portal, f"{shortfall}  {column} ({since})", details)


def _was_partial(before: PortalRun | None, column: str) -> bool:
    if before is None:
        return False
    if before.columns is None:  # lists not counted then: the portal's status says whether any was partial
        return before.status == "partial"
    return bool(before.columns.get(column, {}).get("partial"))


def _listing_shrank(portal: str, now: PortalRun, before: PortalRun | None) -> Iterator[Alert]:
    """Each list that yielded fewer items than in the portal's previous run (0 when it was not read)."""
    if before is None or before.columns is None:
        return
    for column, counts in before.columns.items():
        found_before = int(counts.get("found") or 0)
        found = int((now.columns or {}).get(column, {}).get("found") or 0)
        if found < found_before:
            message = f"{found} items, {found_before} in run {before.run_id}  {column}"
            details = {"column": column, "before": found_before, "now": found, "run_id": before.run_id}
            yield Alert("listing_shrank", portal, message, details)


def _errors_rising(portal: str, now: PortalRun, before: PortalRun | None) -> Iterator[Alert]:
    if before is not None and now.failed > before.failed:
        message = f"{now.failed} URLs failed, {before.failed} in run {before.run_id}"
        yield Alert(
            "errors_rising", portal, message, {"before": before.failed, "now": now.failed, "run_id": before.run_id}
        )


def _stopped_publishing(
    db: sqlite_utils.Database, portals: list[str], options: Mapping[str, Any], today: dt.date
) -> list[Alert]:
    """After February of year Y: portals with a report about Y-2 archived but none about Y-1. Only when the
    run's scope includes Y-1 (a ``--year 2021`` run says nothing about last year's report)."""
    due, before = today.year - 1, today.year - 2
    year, since = options.get("year"), options.get("since")
    if today.month < DUE_MONTH or not portals or (year is not None and year != due) or (since or 0) > due:
        return []
    published: dict[str, set[int]] = {}
    rows = db.execute(
        """SELECT DISTINCT c.portal, d.year FROM crawl_cache c JOIN sightings s ON s.url = c.url
           JOIN documents d ON d.id = s.document_id WHERE d.year IN (?, ?)""",
        [due, before],
    )
    for portal, report_year in rows:
        published.setdefault(portal, set()).add(report_year)
    return [
        Alert(
            "stopped_publishing",
            portal,
            f"no report about {due} archived (due by 31 January {today.year}); the latest is about {before}",
            {"due": due, "latest": before},
        )
        for portal in portals
        if published.get(portal, set()) == {before}
    ]
