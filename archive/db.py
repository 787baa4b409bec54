"""Opening the archive: one SQLite file, WAL, numbered schema migrations.

Every connection registers the SQL functions the search-index triggers call, so the index cannot fall
out of step with the documents whatever writes to them through this module. A tool that opens the file
without them (the sqlite3 shell, Datasette) can read everything but cannot write to indexed tables.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import sys
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO

import sqlite_utils
from sqlite_utils.utils import sqlite3

from archive import fts

#: SQLite's largest integer: a larger id names no row (and cannot even be bound as a parameter).
MAX_INTEGER = 2**63 - 1
#: The first bytes of every SQLite database file (https://sqlite.org/fileformat.html#the_database_header).
SQLITE_HEADER = b"SQLite format 3\x00"


class NotAnArchive(ValueError):
    """The path names something that cannot be an archive: a folder, a device, a text file, a corrupt or
    foreign database. The message names the path and says what it is instead."""


#: The SQL function the search-index triggers on ``reports`` ask first (migration 11): 1 when the connection
#: defers indexing to the end of a batch (``deferred_search_index``), which it then does for every report named.
DEFER_INDEX_FUNCTION = "nianbao_fts_deferred"


def _index_statements() -> tuple[str, str]:
    """The statements that index one report in every search index (to format with ``id``, ``text`` and
    ``source``) and that remove it (``match``)."""
    insert = "\n".join(
        f"INSERT INTO {table}(rowid, t) SELECT {{id}}, {function}({{text}}) {{source}};"
        for table, function, _ in fts.INDEXES
    )
    delete = "\n".join(f"DELETE FROM {table} WHERE rowid {{match}};" for table, _, _ in fts.INDEXES)
    return insert, delete


def _report_index_triggers(deferrable: bool) -> str:
    """Triggers indexing a report's primary document when the report is made or re-pointed. The deferrable ones
    (migration 11) first ask ``DEFER_INDEX_FUNCTION``, which notes the report for the end of the batch instead."""
    insert, delete = _index_statements()
    from_primary = "FROM documents WHERE id = new.primary_document_id"

    def when(row: str, event: str) -> str:
        return f" WHEN NOT {DEFER_INDEX_FUNCTION}({row}.id, '{event}')" if deferrable else ""

    return f"""
    CREATE TRIGGER reports_index_insert AFTER INSERT ON reports{when("new", "insert")} BEGIN
        {insert.format(id="new.id", text="text", source=from_primary)}
    END;
    CREATE TRIGGER reports_index_update AFTER UPDATE OF primary_document_id ON reports{when("old", "update")} BEGIN
        {delete.format(match="= old.id")}
        {insert.format(id="new.id", text="text", source=from_primary)}
    END;"""


def _index_triggers() -> str:
    """Triggers keeping every search index equal to the text of each report's primary document. A deleted
    report's rows go at once, batch or not: that trigger calls no function of ours, so a tool without them
    (the sqlite3 shell, Datasette) is refused the delete by the archive alone (read-only), as before."""
    insert, delete = _index_statements()
    return f"""{_report_index_triggers(deferrable=False)}
    CREATE TRIGGER reports_index_delete AFTER DELETE ON reports BEGIN
        {delete.format(match="= old.id")}
    END;
    CREATE TRIGGER documents_index_text AFTER UPDATE OF text ON documents BEGIN
        {delete.format(match="IN (SELECT id FROM reports WHERE primary_document_id = new.id)")}
        {insert.format(id="id", text="new.text", source="FROM reports WHERE primary_document_id = new.id")}
    END;"""


#: One row of ``browse`` per report: what Datasette lists and facets (web). A table kept in
#: step by triggers, not a view: at 100,000 reports the view's per-row subqueries made counting and
#: faceting take seconds (over Datasette's time limit); the table answers in milliseconds. This is the
#: select of migrations 4–7 (the primary document's record); migration 8 reads the report's (_BROWSE_SELECT).
_BROWSE_SELECT_PRIMARY = """
    SELECT r.id AS id, d.title, d.agency, d.year, d.province, d.city, d.county, d.format,
        CASE WHEN x.document_id IS NULL THEN 'unparsed' WHEN x.not_a_report THEN 'not a report'
             WHEN x.failed_checks > 0 THEN 'fail' ELSE 'pass' END AS check_status,
        (SELECT json_group_array(c.name) FROM record_checks c
         WHERE c.document_id = d.id AND +c.status = 'fail') AS failed_checks,  -- +: by document, not by status
        (SELECT value FROM record_cells WHERE document_id = d.id AND table_name = 'applications'
         AND row_name = 'new_received' AND col = 6) AS new_received,
        (SELECT value FROM record_cells WHERE document_id = d.id AND table_name = 'applications'
         AND row_name = 'carried_over_in' AND col = 6) AS carried_over_in,
        (SELECT value FROM record_cells WHERE document_id = d.id AND table_name = 'applications'
         AND row_name = 'granted' AND col = 6) AS granted,
        (SELECT CASE WHEN count(value) = count(*) THEN sum(value) END  -- a blank term: no total
         FROM record_cells WHERE document_id = d.id AND table_name = 'applications'
         AND row_name GLOB 'denied_*' AND col = 6) AS denied,
        (SELECT value FROM record_cells WHERE document_id = d.id AND table_name = 'applications'
         AND row_name = 'carried_over_out' AND col = 6) AS carried_over_out,
        (SELECT value FROM record_cells WHERE document_id = d.id AND table_name = 'review_litigation'
         AND row_name = 'review' AND col = 4) AS review,
        (SELECT CASE WHEN count(value) = count(*) THEN sum(value) END
         FROM record_cells WHERE document_id = d.id AND table_name = 'review_litigation'
         AND row_name GLOB 'litigation_*' AND col = 4) AS litigation,
        json_extract(x.record, '$.active_disclosure.fees_10k_yuan') AS fees_10k_yuan,
        json_extract(x.record, '$.signed_date') AS signed_date,
        (SELECT count(*) FROM documents f WHERE f.report_id = r.id) AS files,
        d.id AS document_id, r.created_at
    FROM reports r JOIN documents d ON d.id = r.primary_document_id
    LEFT JOIN records x ON x.document_id = d.id"""


def _browse_refresh(ids: str, select: str = _BROWSE_SELECT_PRIMARY) -> str:
    """The statement that recomputes the browse rows of the reports ``ids`` (an SQL list or subquery)."""
    return f"INSERT OR REPLACE INTO browse {select} WHERE r.id IN ({ids});"


def _browse_triggers() -> str:
    return f"""
    CREATE TRIGGER browse_report_insert AFTER INSERT ON reports BEGIN
        {_browse_refresh("new.id")}
    END;
    CREATE TRIGGER browse_report_update AFTER UPDATE OF primary_document_id ON reports BEGIN
        {_browse_refresh("new.id")}
    END;
    CREATE TRIGGER browse_report_delete AFTER DELETE ON reports BEGIN
        DELETE FROM browse WHERE id = old.id;
    END;
    CREATE TRIGGER browse_document_update AFTER UPDATE ON documents BEGIN
        {_browse_refresh("old.report_id, new.report_id")}
    END;
    CREATE TRIGGER browse_record_insert AFTER INSERT ON records BEGIN
        {_browse_refresh("SELECT id FROM reports WHERE primary_document_id = new.document_id")}
    END;"""


#: The browse row of a report from its report-level record (``report_records``, archive/records.py): the
#: status and checks of the report, its 总计 cells from the file each table came from (``sources``), the
#: identity of its primary document. Columns in the order of migration 5's table.
_BROWSE_SELECT = """
    SELECT r.id AS id, d.title, d.agency, d.year, d.province, d.city, d.county, d.format,
        coalesce(x.status, 'unparsed') AS check_status,
        (SELECT json_group_array(c.name) FROM record_checks c
         WHERE c.document_id = d.id AND +c.status = 'fail') AS failed_checks,  -- the report's checks: on its primary
        (SELECT value FROM record_cells WHERE document_id = json_extract(x.sources, '$.applications')
         AND table_name = 'applications' AND row_name = 'new_received' AND col = 6) AS new_received,
        (SELECT value FROM record_cells WHERE document_id = json_extract(x.sources, '$.applications')
         AND table_name = 'applications' AND row_name = 'carried_over_in' AND col = 6) AS carried_over_in,
        (SELECT value FROM record_cells WHERE document_id = json_extract(x.sources, '$.applications')
         AND table_name = 'applications' AND row_name = 'granted' AND col = 6) AS granted,
        (SELECT CASE WHEN count(value) = count(*) THEN sum(value) END  -- a blank term: no total
         FROM record_cells WHERE document_id = json_extract(x.sources, '$.applications')
         AND table_name = 'applications' AND row_name GLOB 'denied_*' AND col = 6) AS denied,
        (SELECT value FROM record_cells WHERE document_id = json_extract(x.sources, '$.applications')
         AND table_name = 'applications' AND row_name = 'carried_over_out' AND col = 6) AS carried_over_out,
        (SELECT value FROM record_cells WHERE document_id = json_extract(x.sources, '$.review_litigation')
         AND table_name = 'review_litigation' AND row_name = 'review' AND col = 4) AS review,
        (SELECT CASE WHEN count(value) = count(*) THEN sum(value) END
         FROM record_cells WHERE document_id = json_extract(x.sources, '$.review_litigation')
         AND table_name = 'review_litigation' AND row_name GLOB 'litigation_*' AND col = 4) AS litigation,
        (SELECT json_extract(record, '$.active_disclosure.fees_10k_yuan') FROM records
         WHERE document_id = json_extract(x.sources, '$.active_disclosure')) AS fees_10k_yuan,
        (SELECT json_extract(record, '$.signed_date') FROM records
         WHERE document_id = json_extract(x.sources, '$.identity')) AS signed_date,
        (SELECT count(*) FROM documents f WHERE f.report_id = r.id) AS files,
        d.id AS document_id, r.created_at
    FROM reports r JOIN documents d ON d.id = r.primary_document_id
    LEFT JOIN report_records x ON x.report_id = r.id"""


@dataclass(frozen=True)
class Migration:
    """A migration that needs Python, not only SQL (the search indexes are tokenized by Python functions):
    ``run`` does its work inside the migration's transaction; ``name`` says what it is for."""

    name: str
    run: Callable[[sqlite_utils.Database], None]


#: Reports read and indexed at a time by ``reindex_search``.
REINDEX_BATCH = 200


def reindex_search(db: sqlite_utils.Database) -> None:
    """Rebuild the three search indexes from the text of every report's primary document, tokenized as
    ``fts.normalize`` reads it now, with a progress bar on a terminal. In place and within the caller's
    transaction: readers see the old index until it commits, a crash leaves the old one."""
    import click  # only when an archive is migrated: importing it is not free, and most opens never need it

    total = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    for table, _, _ in fts.INDEXES:
        db.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")
    hidden = total == 0 or not sys.stderr.isatty()
    with click.progressbar(length=total, label="re-indexing the search text", file=sys.stderr, hidden=hidden) as bar:
        last_id = 0
        while rows := db.execute(
            """SELECT r.id, d.text FROM reports r JOIN documents d ON d.id = r.primary_document_id
               WHERE r.id > ? ORDER BY r.id LIMIT ?""",
            [last_id, REINDEX_BATCH],
        ).fetchall():
            # Row by row, so that each text is normalised once for its three indexes (the functions' caches).
            tokens = [{name: function(text) for name, function in _INDEX_FUNCTIONS.items()} for _, text in rows]
            for table, function, _ in fts.INDEXES:
                db.conn.executemany(
                    f"INSERT INTO {table}(rowid, t) VALUES (?, ?)",
                    [(rowid, row_tokens[function]) for (rowid, _), row_tokens in zip(rows, tokens, strict=True)],
                )
            bar.update(len(rows))
            last_id = rows[-1][0]


MIGRATIONS: list[str | Migration] = [
    # 1: documents, their bytes, where they were seen, runs, failures, reports, search index
    f"""
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,                -- 'import' or 'crawl'
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,              -- 'running', 'finished', 'interrupted'
        pid INTEGER,
        options TEXT,                      -- JSON: what the run was asked to do
        new INTEGER NOT NULL DEFAULT 0,
        duplicate INTEGER NOT NULL DEFAULT 0,
        changed INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,           -- content address: sha256 of the raw bytes
        data BLOB NOT NULL
    );
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        primary_document_id INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE REFERENCES blobs(sha256),
        report_id INTEGER REFERENCES reports(id),
        size INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        encoding TEXT,
        title TEXT,
        text TEXT NOT NULL,
        text_key TEXT NOT NULL,            -- sha256 of the text's letters and digits (intake.linking)
        page_count INTEGER,
        needs_ocr INTEGER NOT NULL DEFAULT 0,
        warnings TEXT,                     -- JSON list
        agency TEXT,
        year INTEGER,
        province TEXT,
        city TEXT,
        county TEXT,
        format TEXT,                       -- '2021', '2019' or 'legacy' (report-fields.md)
        created_at TEXT NOT NULL
    );
    CREATE INDEX documents_report ON documents(report_id);
    CREATE INDEX reports_primary ON reports(primary_document_id);
    CREATE INDEX documents_text_key ON documents(text_key);
    CREATE INDEX documents_title ON documents(title);
    CREATE INDEX documents_year ON documents(year);
    CREATE INDEX documents_agency ON documents(agency, year);
    CREATE TABLE sightings (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id),
        run_id INTEGER REFERENCES runs(id),
        url TEXT NOT NULL,
        final_url TEXT,
        seen_at TEXT NOT NULL,
        http_status INTEGER,
        etag TEXT,
        last_modified TEXT,
        previous_document_id INTEGER REFERENCES documents(id)  -- set when the URL held other bytes before
    );
    CREATE INDEX sightings_url ON sightings(url, id);
    CREATE INDEX sightings_document ON sightings(document_id);
    CREATE TABLE failures (
        id INTEGER PRIMARY KEY,
        run_id INTEGER REFERENCES runs(id),
        url TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
    );
    {fts.create_sql()}
    {_index_triggers()}
    """,
    # 2: crawler — per-portal results of each crawl run, and the conditional-GET cache of report URLs
    """
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
    """,
    # parsed records (parsers/record.py): the JSON, tables 三 and 四 in long form, the checks
    """
    CREATE TABLE records (
        document_id INTEGER PRIMARY KEY REFERENCES documents(id),
        parser_version INTEGER NOT NULL,   -- parsers.record.PARSER_VERSION: older ones are re-parsed
        record TEXT NOT NULL,              -- JSON, schema nianbao.report/1
        not_a_report INTEGER NOT NULL,
        failed_checks INTEGER NOT NULL,
        parsed_at TEXT NOT NULL
    );
    CREATE TABLE record_cells (
        document_id INTEGER NOT NULL REFERENCES documents(id),
        table_name TEXT NOT NULL,          -- 'applications' (table 三) or 'review_litigation' (table 四)
        row_name TEXT NOT NULL,            -- record key: 'granted', 'review'…
        col INTEGER NOT NULL,              -- 0-based column (table 三: 6 is 总计; table 四: 4 is 总计)
        value NUMERIC,                     -- NULL: blank and not fixed by the table's arithmetic
        inferred INTEGER NOT NULL,         -- 1: filled from the table's arithmetic, not printed
        PRIMARY KEY (document_id, table_name, row_name, col)
    ) WITHOUT ROWID;
    CREATE INDEX record_cells_row ON record_cells(table_name, row_name, col);
    CREATE TABLE record_checks (
        document_id INTEGER NOT NULL REFERENCES documents(id),
        name TEXT NOT NULL,                -- 'applications.balance', 'cross_year.carry_over'…
        status TEXT NOT NULL,              -- 'pass', 'fail', 'skip'
        details TEXT,                      -- JSON: the numbers on both sides of each failure
        PRIMARY KEY (document_id, name)
    ) WITHOUT ROWID;
    CREATE INDEX record_checks_failed ON record_checks(status, name);
    CREATE INDEX documents_region ON documents(province, city, county);
    CREATE INDEX documents_format ON documents(format);
    """,
    # 4: the browsing view Datasette serves (web), replaced by a table in 5
    f"CREATE VIEW browse AS {_BROWSE_SELECT_PRIMARY};",
    # 5: browse becomes a table kept in step by triggers (the view was too slow to count and facet at 100k)
    f"""
    DROP VIEW browse;
    CREATE TABLE browse AS {_BROWSE_SELECT_PRIMARY} WHERE 0;
    CREATE UNIQUE INDEX browse_id ON browse(id);
    CREATE INDEX browse_year ON browse(year);
    CREATE INDEX browse_place ON browse(province, city, county);
    CREATE INDEX browse_agency ON browse(agency);
    CREATE INDEX browse_check ON browse(check_status);
    INSERT INTO browse {_BROWSE_SELECT_PRIMARY};
    {_browse_triggers()}
    """,
    # 6: cheaper writes per document. (a) A document is inserted with its report id (intake/ingest.py),
    # no longer updated to it afterwards, so a file joining an existing report refreshes the browse row
    # on insert. (b) record_cells was indexed by (table, row, col) over every cell: each report's ~200 cells
    # landed on ~130 different index pages, two thirds of all pages a new document wrote. Only the 总计
    # columns (what reports are compared by) keep an index by row; other cross-report queries scan.
    f"""
    CREATE TRIGGER browse_document_insert AFTER INSERT ON documents BEGIN
        {_browse_refresh("new.report_id")}
    END;
    DROP INDEX record_cells_row;
    CREATE INDEX record_cells_applications_total ON record_cells(row_name)
        WHERE table_name = 'applications' AND col = 6;
    CREATE INDEX record_cells_review_litigation_total ON record_cells(row_name)
        WHERE table_name = 'review_litigation' AND col = 4;
    """,
    # 7: browse.check_status is the record's own status (parsers/checks.py, record_status): pass, fail,
    # incomplete (statistics tables missing or blank: never pass), not_a_report; unparsed without a record.
    # A trigger on browse itself, so every refresh of a row, whichever trigger or migration made it, ends
    # with the record's word. Records parsed before they had a status keep the old reading, renamed.
    """
    CREATE TRIGGER browse_status AFTER INSERT ON browse WHEN new.check_status != 'unparsed' BEGIN
        UPDATE browse SET check_status = coalesce(
            (SELECT json_extract(record, '$.status') FROM records WHERE document_id = new.document_id),
            replace(new.check_status, 'not a report', 'not_a_report'))
        WHERE id = new.id;
    END;
    UPDATE browse SET check_status = coalesce(
        (SELECT json_extract(x.record, '$.status') FROM records x WHERE x.document_id = browse.document_id),
        replace(check_status, 'not a report', 'not_a_report'))
    WHERE check_status != 'unparsed';
    """,
    # 8: one record per report (issue 11 item 9). A report's files (the page and its DOCX, a scan and its
    # OCR, a corrected version) each keep their own record in ``records``; ``report_records`` holds the
    # report's: which file each table's values come from (``sources``: the most complete file), the values
    # the files disagree on (``warnings``), the checks of the merged record (cross-year ones included) and
    # its status (archive/records.py, ``rebuild``). record_cells and record_checks now hold the report-level
    # record only, so a sum over them counts each report once: cells under the file each table came from,
    # checks under the report's primary document. Existing archives start from the primary document's
    # record (their other files' cells and checks go); ``nianbao reparse --all`` merges their files.
    # Browse reads the report record: its status replaces the trigger of migration 7 (the record's word on
    # every refresh is now the report record's ``status`` in the select itself). ``sightings.found_on``: the
    # report page a crawled file was an attachment of, which links the file to the page's report.
    f"""
    ALTER TABLE sightings ADD COLUMN found_on TEXT;
    CREATE INDEX sightings_found_on ON sightings(found_on) WHERE found_on IS NOT NULL;
    CREATE TABLE report_records (
        report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
        sources TEXT NOT NULL,             -- JSON: identity and each table -> the document id it came from
        warnings TEXT NOT NULL,            -- JSON list: values on which the report's files disagree
        checks TEXT NOT NULL,              -- JSON: the report-level record's checks, cross-year ones included
        status TEXT,                       -- pass, fail, incomplete, not_a_report; NULL: no file parsed
        not_a_report INTEGER NOT NULL,     -- 1: no file of the report is a report
        failed_checks INTEGER NOT NULL,
        built_at TEXT NOT NULL
    );
    INSERT INTO report_records
        SELECT r.id,
            json_object('identity', x.document_id, 'active_disclosure', x.document_id,
                        'applications', x.document_id, 'review_litigation', x.document_id),
            '[]', coalesce(json_extract(x.record, '$.checks'), '{{}}'),
            coalesce(json_extract(x.record, '$.status'),
                     CASE WHEN x.not_a_report THEN 'not_a_report' WHEN x.failed_checks > 0 THEN 'fail'
                          ELSE 'pass' END),
            x.not_a_report, x.failed_checks, x.parsed_at
        FROM reports r JOIN records x ON x.document_id = r.primary_document_id;
    DELETE FROM record_cells WHERE document_id NOT IN (SELECT primary_document_id FROM reports);
    DELETE FROM record_checks WHERE document_id NOT IN (SELECT primary_document_id FROM reports);
    DROP TRIGGER browse_status;
    DROP TRIGGER browse_report_insert;
    DROP TRIGGER browse_report_update;
    DROP TRIGGER browse_document_insert;
    DROP TRIGGER browse_document_update;
    DROP TRIGGER browse_record_insert;
    DELETE FROM browse;
    INSERT INTO browse {_BROWSE_SELECT};
    CREATE TRIGGER browse_report_update AFTER UPDATE OF primary_document_id ON reports BEGIN
        {_browse_refresh("new.id", _BROWSE_SELECT)}
    END;
    CREATE TRIGGER browse_document_update AFTER UPDATE ON documents BEGIN
        {_browse_refresh("old.report_id, new.report_id", _BROWSE_SELECT)}
    END;
    CREATE TRIGGER browse_report_record_insert AFTER INSERT ON report_records BEGIN
        {_browse_refresh("new.report_id", _BROWSE_SELECT)}
    END;
    """,
    # 9: search across layout white space (issue 13 item 1). ``fts.normalize`` now drops white space between
    # two Chinese characters (a PDF's line break inside 不予公开), so every report is indexed again.
    Migration("search_layout_space", reindex_search),
    # runs that alert (issue 15 item 4, crawler/alerts.py): what each crawl run raised against the portal's
    # previous run (a portal failing, a list shrunk or gone partial, errors rising, no report for last year
    # after February, the run interrupted or finding fewer reports), and per list the counts compared
    # (``crawl_portal_runs.columns``, JSON: {list: {found, declared, partial}}; NULL in earlier runs).
    """
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
    """,
    # flat ingest (issue 14 item 1). (a) Every column that references another table leads an index
    # (tests/test_schema_indexes.py keeps it so): deleting or re-keying a parent row looks up its children by
    # that column, without an index a scan of the child table (sightings grows with every crawl). Sightings
    # that name a previous document are few: a partial index (an FK lookup ``col = ?`` implies NOT NULL, so
    # SQLite uses it). ``browse.document_id`` is no foreign key, but Datasette's ``failed_checks`` query joins
    # on it. (b) The search-index triggers on ``reports`` become deferrable: a batch of documents
    # (intake/ingest.py ``Batch``) indexes its reports once, at its end (``deferred_search_index``).
    f"""
    CREATE INDEX sightings_previous ON sightings(previous_document_id) WHERE previous_document_id IS NOT NULL;
    CREATE INDEX sightings_run ON sightings(run_id);
    CREATE INDEX failures_run ON failures(run_id);
    CREATE INDEX browse_document ON browse(document_id);
    DROP TRIGGER reports_index_insert;
    DROP TRIGGER reports_index_update;
    {_report_index_triggers(deferrable=True)}
    """,
    # serving at scale (issue 14 item 3, web; bench/serve.py times every page at 100,000 reports).
    # Datasette counts facets over the rows a search or filter keeps: ``+id IN (matches)`` is tested while a
    # covering index (the facet's column, then ``id``) is read in order, so each facet is one pass over a small
    # index, no table row and no sort (the agency facet: 430 ms → 35 ms; each facet of a search matching every
    # report ~30–60 ms). ``browse_report`` orders the ``failed_checks`` query (newest year first, the document
    # to look its checks up by) and serves the year facet; ``browse_body`` also gives the compare page each
    # body's years; ``browse_failed_checks`` groups the failed-checks facet by distinct list; ``browse_totals``
    # holds the 总计 columns the application_totals query and the charts sum by year and place (229 → 25 ms).
    # ``documents.media_type`` and ``report_records.status`` are default facets of their tables (a scan of the
    # documents' texts: 515 ms).
    """
    DROP INDEX browse_year;
    DROP INDEX browse_place;
    DROP INDEX browse_agency;
    DROP INDEX browse_check;
    CREATE INDEX browse_report ON browse(year DESC, id, document_id);
    CREATE INDEX browse_place ON browse(province, city, county, id);
    CREATE INDEX browse_body ON browse(agency, province, city, county, year, id);
    CREATE INDEX browse_check ON browse(check_status, id);
    CREATE INDEX browse_format ON browse(format, id);
    CREATE INDEX browse_failed_checks ON browse(failed_checks, id);
    CREATE INDEX browse_totals ON browse(year, province, city, new_received, granted, denied, review, litigation,
        carried_over_in, carried_over_out);
    CREATE INDEX documents_media_type ON documents(media_type);
    CREATE INDEX report_records_status ON report_records(status);
    """,
]


#: Each archive connection's writer lock file (``ARCHIVE.write.lock``), opened on its first write.
_write_locks: weakref.WeakKeyDictionary[sqlite_utils.Database, Path | IO[bytes]] = weakref.WeakKeyDictionary()


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One all-or-nothing write. BEGIN IMMEDIATE takes the write lock up front, so two writers (an
    import beside a crawl, the crawl's archiving workers) queue instead of failing when a read turns
    into a write. They queue on a file lock beside the archive: the kernel hands it to the next writer
    the moment it is free, where SQLite's busy handler polls with growing sleeps (up to 100 ms; the
    crawl benchmark's two workers waited ~9 s for the lock in a 45 s crawl, part of it in those
    sleeps). busy_timeout still guards against writers that do not take the file lock.

    (sqlite-utils commits each write statement by itself unless a transaction is already open.)"""
    lock = _write_lock(db)
    if lock is not None:
        fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")
    finally:
        if lock is not None:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write_lock(db: sqlite_utils.Database) -> IO[bytes] | None:
    """The connection's own handle on the lock file (flock excludes handles, so threads exclude each other)."""
    lock = _write_locks.get(db)
    if isinstance(lock, Path):
        lock = _write_locks[db] = lock.open("ab")
    return lock


@dataclass
class _IndexQueue:
    """One connection's reports whose search-index rows wait for the end of a batch (``deferred_search_index``):
    each report id with the first thing that happened to it in the batch (``insert`` or ``update``)."""

    deferring: bool = False
    first: dict[int, str] = field(default_factory=dict)

    def defer(self, report_id: int, event: str) -> int:
        """What the index triggers ask (``DEFER_INDEX_FUNCTION``): 1, the report noted, while deferring."""
        if not self.deferring:
            return 0
        self.first.setdefault(report_id, event)
        return 1


#: Each archive connection's queue of reports to index (``deferred_search_index``).
_index_queues: weakref.WeakKeyDictionary[sqlite_utils.Database, _IndexQueue] = weakref.WeakKeyDictionary()


@contextmanager
def deferred_search_index(db: sqlite_utils.Database) -> Iterator[None]:
    """Inside a write transaction: the search indexes of the reports written meanwhile are written at the end,
    all at once, instead of by the triggers statement by statement.

    Why: FTS5 keeps new rows in memory and writes them out as a new segment of its b-tree whenever a statement
    opens a statement journal (its ``xSavepoint``: every statement with triggers, every SAVEPOINT), then
    merges segments. Indexed by the triggers, each document became three segments of its own and their merges,
    about 7 ms of CPU a document at 20,000 reports, growing with the index; a batch's reports inserted last,
    one row after another (no statement journal), become one segment per index.

    How: meanwhile the triggers on reports made or re-pointed note the report instead (``_IndexQueue``, asked
    through ``DEFER_INDEX_FUNCTION``: migration 11). At the end, the rows of every noted report that was
    indexed before the batch (its first event not ``insert``) are deleted, then every noted report that still
    exists is indexed from its primary file. A report deleted in the batch (merged into another) loses its
    rows at once, by its own trigger; deleting them again at the end changes nothing (an FTS5 delete of a rowid
    it does not hold is a no-op: count and integrity-check unchanged, tried on SQLite 3.51). A document rolled
    back to its savepoint may leave its reports noted: they are indexed as they are, which changes nothing. On
    an exception nothing is written (the caller's transaction rolls back)."""
    queue = _index_queues[db]
    queue.deferring, queue.first = True, {}
    try:
        yield
        queue.deferring = False
        _index_reports(db, queue.first)
    finally:
        queue.deferring, queue.first = False, {}


def _index_reports(db: sqlite_utils.Database, first: dict[int, str]) -> None:
    """Re-index the reports of ``first`` (report id → its first event in the batch) from their primary files:
    every delete before any insert, so that no delete makes FTS5 write out the inserts so far."""
    if not first:
        return
    indexed_before = [(report_id,) for report_id, event in first.items() if event != "insert"]
    for table, _, _ in fts.INDEXES:
        db.conn.executemany(f"DELETE FROM {table} WHERE rowid = ?", indexed_before)
    rows = db.execute(
        """SELECT r.id, d.text FROM reports r JOIN documents d ON d.id = r.primary_document_id
           WHERE r.id IN (SELECT value FROM json_each(?)) ORDER BY r.id""",
        [json.dumps(list(first))],
    ).fetchall()
    tokens = [{name: function(text) for name, function in _INDEX_FUNCTIONS.items()} for _, text in rows]
    for table, function, _ in fts.INDEXES:
        db.conn.executemany(
            f"INSERT INTO {table}(rowid, t) VALUES (?, ?)",
            [(report_id, row_tokens[function]) for (report_id, _), row_tokens in zip(rows, tokens, strict=True)],
        )


def prepare_index_tokens(text: str) -> None:
    """Compute the search-index tokens of ``text`` before taking the write lock: the index triggers then
    find them cached instead of tokenizing while every other writer waits."""
    _fts_chars(text)
    _fts_pairs(text)


@lru_cache(maxsize=4)
def _normalized(text: str | None) -> str:
    return fts.normalize(text or "")  # cached: each text feeds three indexes in a row


@lru_cache(maxsize=4)  # so that prepare_index_tokens can compute it before the write lock
def _fts_chars(text: str | None) -> str:
    return fts.char_tokens(_normalized(text))


@lru_cache(maxsize=4)  # feeds two indexes (report_pairs, report_fts) in a row
def _fts_pairs(text: str | None) -> str:
    return fts.pair_tokens(_normalized(text))


#: The SQL functions the index triggers call (named in ``fts.INDEXES``), registered on every connection.
_INDEX_FUNCTIONS = {"nianbao_fts_chars": _fts_chars, "nianbao_fts_pairs": _fts_pairs}


def archive_exists(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds an archive already (False: no file there, or an empty one — a new archive).

    Raises NotAnArchive for a file that cannot be one, by its type and first bytes, before SQLite opens it
    (SQLite would call a text file "not a database" only at the first query, and would write to an empty
    or foreign file)."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise NotAnArchive(f"{str(path)!r} cannot be opened: {error.strerror}") from error
    if stat.S_ISDIR(info.st_mode):
        raise NotAnArchive(f"{str(path)!r} is a directory, not an archive file")
    if not stat.S_ISREG(info.st_mode):
        raise NotAnArchive(f"{str(path)!r} is not a regular file (a device, pipe or socket), not an archive")
    if info.st_size == 0:
        return False
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise NotAnArchive(f"{str(path)!r} cannot be read: {error.strerror}") from error
    if header != SQLITE_HEADER:
        raise NotAnArchive(f"{str(path)!r} is not a SQLite archive: its {info.st_size:,} bytes are something else")
    return True


def connect(path: str | os.PathLike[str], migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the archive at ``path``, in WAL mode, schema up to date.

    Anything that is not an archive raises NotAnArchive (a foreign SQLite database is refused, not
    migrated)."""
    path = Path(path)
    archive_exists(path)
    if path.parent != Path() and not path.parent.exists():
        raise ValueError(f"folder {path.parent} does not exist")
    db = sqlite_utils.Database(path, execute_plugins=False)  # no scan of installed packages at start-up
    _write_locks[db] = path.with_name(path.name + ".write.lock")
    db.conn.execute("PRAGMA busy_timeout = 10000")
    try:  # the first read: where SQLite finds a damaged header
        foreign = schema_version(db) == 0 and db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    except sqlite3.DatabaseError as error:
        db.close()
        raise NotAnArchive(f"{str(path)!r} is not a readable SQLite archive: {error}") from error
    if foreign:
        db.close()
        raise NotAnArchive(
            f"{str(path)!r} is a SQLite database but not an archive: it has tables but no archive schema"
        )
    db.conn.execute("PRAGMA foreign_keys = ON")
    for name, function in _INDEX_FUNCTIONS.items():
        db.conn.create_function(name, 1, function, deterministic=True)
    queue = _index_queues[db] = _IndexQueue()
    db.conn.create_function(DEFER_INDEX_FUNCTION, 2, queue.defer)  # not deterministic: it notes the report
    if migrate:
        db.conn.execute("PRAGMA journal_mode = WAL")
        db.conn.execute("PRAGMA synchronous = NORMAL")
        apply_migrations(db)
    return db


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(db: sqlite_utils.Database) -> None:
    """Bring the schema up to ``len(MIGRATIONS)``; each step commits atomically with its version number."""
    version = schema_version(db)
    if version > len(MIGRATIONS):
        raise RuntimeError(
            f"archive schema version {version} is newer than this nianbao knows ({len(MIGRATIONS)}): upgrade"
        )
    while (version := schema_version(db)) < len(MIGRATIONS):
        number, script = version + 1, MIGRATIONS[version]
        if isinstance(script, Migration):
            _apply_python_migration(db, number, script)
            continue
        try:
            db.conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        except Exception:
            if db.conn.in_transaction:
                db.conn.rollback()
            raise


def _apply_python_migration(db: sqlite_utils.Database, number: int, migration: Migration) -> None:
    """Run ``migration`` as step ``number`` under the archive's writer lock. It may take minutes (a
    re-index), so another process opening the archive meanwhile queues on the lock, then finds the step
    done instead of doing it again."""
    with write_transaction(db):
        if schema_version(db) < number:
            migration.run(db)
            db.conn.execute(f"PRAGMA user_version = {number}")
