"""The crawler's own tables: a named migration set of its own (sqlite-utils' ``Migrations``, each step recorded
by set and name in ``_sqlite_migrations``), applied on top of the archive's schema wherever the crawler opens
or is handed the archive (``connect``, ``apply_migrations``).

Which tables are the crawler's: those that only ``crawler/`` reads and writes, and that an archive never
crawled has no use for — ``crawl_portal_runs`` (each portal's counts, problems and lists in each crawl run),
``crawl_cache`` (the conditional-GET validators and a report page's files) and ``crawl_alerts`` (what a run
raised against the previous one). ``web/`` only hides ``crawl_cache`` from Datasette. Not the crawler's, though
crawls write them: ``runs`` (the write path, ``intake.ingest``, starts and finishes import runs and crawl runs
alike and counts each run's documents on it), ``sightings`` and ``failures`` (the write path records every URL
a document was seen at or failed from, for an import as for a crawl; ``archive.reports`` counts failures), and
everything else the archive's own migrations make (archive/db.py). The crawler's tables reference ``runs``:
the crawler sits above the archive and may name its tables, never the other way round.

Archives made before the layout split (issue 16) got these tables from the archive's migrations 2 and 10.
Each step here first looks for its table (``crawl_cache``, ``crawl_alerts``): found, the archive's migration
made it, with the very SQL of the step (the archive's steps ran atomically, so the table stands for the whole
step), and the step is recorded as applied without running. An archive migrated before the split that stopped
between 2 and 10 gets the second step run. Either way the schema ends as a fresh archive's
(tests/test_schema_history.py).
"""

from __future__ import annotations

import os

import sqlite_utils
from sqlite_utils.utils import sqlite3

from archive import db as archive_db

#: The crawler's migration set: its name is what ``_sqlite_migrations.migration_set`` holds.
MIGRATIONS = sqlite_utils.Migrations("nianbao.crawler")

#: Step 1, the archive's migration 2 as it shipped: per-portal results of each crawl run, and the
#: conditional-GET cache of report URLs.
PORTAL_RUNS_AND_CACHE = """
    CREATE TABLE crawl_portal_runs (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        portal TEXT NOT NULL,
        status TEXT NOT NULL,              -- 'ok' or 'failing'
        listings INTEGER NOT NULL DEFAULT 0,
        reports_found INTEGER NOT NULL DEFAULT 0,
        fetched INTEGER NOT NULL DEFAULT 0,
        new INTEGER NOT NULL DEFAULT 0,
        changed INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        duplicate INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        retried INTEGER NOT NULL DEFAULT 0,
        problems TEXT,                     -- JSON list: why the portal is failing
        events TEXT,                       -- JSON list of {kind, url, reason}: failures, skips, retries
        PRIMARY KEY (run_id, portal)
    );
    CREATE TABLE crawl_cache (
        url TEXT PRIMARY KEY,              -- a report page or file URL
        portal TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        sha256 TEXT,
        links TEXT,                        -- JSON list: a report page's files, revisited when it answers 304
        checked_at TEXT NOT NULL
    );
    """

#: Step 2, the archive's migration 10 as it shipped: runs that alert (issue 15 item 4, crawler/alerts.py) — what
#: each crawl run raised against the portal's previous run, and per list the counts compared
#: (``crawl_portal_runs.columns``, JSON: {list: {found, declared, partial}}; NULL in earlier runs).
ALERTS = """
    CREATE TABLE crawl_alerts (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        portal TEXT,                       -- NULL: about the run as a whole
        kind TEXT NOT NULL,                -- crawler/alerts.py KINDS
        message TEXT NOT NULL,
        details TEXT NOT NULL              -- JSON: the figures compared, and the run compared with
    );
    CREATE INDEX crawl_alerts_run ON crawl_alerts(run_id);
    ALTER TABLE crawl_portal_runs ADD COLUMN columns TEXT;
    -- a portal's previous runs, newest first (the primary key leads with the run)
    CREATE INDEX crawl_portal_runs_portal ON crawl_portal_runs(portal, run_id);
    """


def statements(script: str) -> list[str]:
    """The statements of ``script``, each as written: cut at the semicolons that end one (``complete_statement``
    knows those inside a trigger's body, a string or a comment). A step runs them one by one, as
    ``executescript`` would commit the transaction the step and its record share."""
    found: list[str] = []
    pending = ""
    *pieces, rest = script.split(";")
    for piece in pieces:
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            found.append(pending)
            pending = ""
    if (pending + rest).strip():
        raise ValueError(f"an unfinished statement at the end of the script: {(pending + rest).strip()[:80]!r}")
    return found


def _step(name: str, script: str, made_before_the_split: str) -> None:
    """Register the step ``name``: run ``script``, unless the table ``made_before_the_split`` is there already."""

    def run(db: sqlite_utils.Database) -> None:
        if db.table(made_before_the_split).exists():
            return  # made by the archive's own migration before the split: recorded as applied, as it is
        for statement in statements(script):
            db.execute(statement)

    MIGRATIONS(name=name)(run)


_step("portal_runs_and_cache", PORTAL_RUNS_AND_CACHE, made_before_the_split="crawl_cache")
_step("alerts", ALERTS, made_before_the_split="crawl_alerts")


def apply_migrations(db: sqlite_utils.Database) -> None:
    """Bring the crawler's tables up to date in the archive ``db`` (whose own schema is up to date).

    Cheap when nothing is pending (one read, no lock): the crawler's entry points that are handed an archive
    opened elsewhere call it. Pending steps run under the archive's writer lock in one transaction
    (``archive.db.write_transaction``), each in its savepoint with its record: a second process migrating at
    the same moment queues on the lock, then finds nothing pending."""
    if not MIGRATIONS.pending(db):
        return
    with archive_db.write_transaction(db):
        MIGRATIONS.apply(db)


def connect(path: str | os.PathLike[str], migrate: bool = True) -> sqlite_utils.Database:
    """Open the archive at ``path`` as ``archive.db.connect`` does and, when ``migrate``, bring the crawler's
    tables up to date as well."""
    db = archive_db.connect(path, migrate)
    if migrate:
        apply_migrations(db)
    return db
