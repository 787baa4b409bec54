"""`nianbao runs`: the latest runs and their alerts (registered in cli/main.py).

What the README's systemd ``OnFailure=`` unit and cron line run after each crawl: its exit status says
whether the latest run raised an alert (crawler/alerts.py), its output is what the mail carries.
"""

from __future__ import annotations

import json
from typing import Any

import click
import sqlite_utils

from cli.common import CONTEXT, json_option, open_archive, print_json
from crawler import alerts, store

#: Counts shown for an import run (the runs table's own) and for a crawl run (its portals' totals).
IMPORT_COUNTS = ("new", "changed", "duplicate", "failed")
CRAWL_COUNTS = ("new", "changed", "unchanged", "duplicate", "failed", "retried")


@click.command("runs", context_settings=CONTEXT)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1), help="The latest N runs.")
@click.option(
    "--alerts", "only_alerts", is_flag=True, help="Show only the runs (of the latest N) that raised alerts, or nothing."
)
@json_option("the runs")
@click.pass_context
def runs_command(context: click.Context, limit: int, only_alerts: bool, as_json: bool) -> None:
    """List the latest runs (crawls and imports), newest first: status, times, counts, each crawl's
    portals (ok, partial, failing) and the alerts it raised against the previous run (a portal failing,
    a list shrunk or gone partial, errors rising, no report about last year after February, fewer
    report links than the last run, a run interrupted).

    Exits 1 when the latest run has an alert, else 0 (also with --alerts, which only hides the runs
    without any): run after each crawl, it is the check a systemd OnFailure= unit or a cron line acts on.

    \b
    Examples:
      nianbao runs
      nianbao runs --alerts --limit 1        # the latest run's alerts, or nothing (exit 1 / 0)
      nianbao runs --json | jq '.runs[0].alerts'
    """
    db = open_archive(context, crawler_tables=True)
    run_ids = [int(row[0]) for row in db.execute("SELECT id FROM runs ORDER BY id DESC LIMIT ?", [limit])]
    raised = alerts.stored(db, run_ids)
    runs = [_run(db, run_id, raised[run_id]) for run_id in run_ids]
    latest_alerts = bool(runs and runs[0]["alerts"])
    shown = [run for run in runs if run["alerts"] or not only_alerts]
    if as_json:
        print_json({"runs": shown, "latest_has_alerts": latest_alerts})
    elif not runs:
        click.echo("no runs yet")
    else:
        for run in shown:
            click.echo(describe(run))
    if latest_alerts:
        context.exit(1)


def _run(db: sqlite_utils.Database, run_id: int, raised: list[alerts.Alert]) -> dict[str, Any]:
    """One run as listed: its row, its counts (a crawl's: its portals' totals), its portals' health."""
    row = dict(db.table("runs").get(run_id))
    run: dict[str, Any] = {
        "run_id": run_id,
        "kind": row["kind"],
        "status": row["status"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "options": json.loads(row["options"] or "{}"),
    }
    if row["kind"] == "crawl":
        summary: dict[str, Any] = store.run_summary(db, run_id)
        run["counts"] = {name: summary["totals"][name] for name in CRAWL_COUNTS}
        statuses = [portal["status"] for portal in summary["portals"]]
        run["portals"] = {status: statuses.count(status) for status in ("ok", "partial", "failing")}
    else:
        run["counts"] = {name: row[name] for name in IMPORT_COUNTS}
        run["portals"] = None
    run["alerts"] = [alert.to_json() for alert in raised]
    return run


def describe(run: dict[str, Any]) -> str:
    """A run as text: one line, then one line per alert."""
    counts = ", ".join(f"{value} {name}" for name, value in run["counts"].items())
    portals = run["portals"]
    health = (
        f"  {sum(portals.values())} portals ({', '.join(f'{n} {s}' for s, n in portals.items())})" if portals else ""
    )
    ended = f" → {run['finished_at']}" if run["finished_at"] else ""
    line = f"run {run['run_id']:<5} {run['kind']:<6} {run['status']:<11} {run['started_at']}{ended}  {counts}{health}"
    return "\n".join([line, *(f"  ! {a['portal'] or 'run'}: {a['kind']}: {a['message']}" for a in run["alerts"])])
