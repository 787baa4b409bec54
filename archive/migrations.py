"""The archive's schema history (``MIGRATIONS``): one step per schema version, frozen as it shipped.

``archive.db`` applies it when an archive is opened. The crawler's own tables have their own set
(``crawler/schema.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from archive import fts


@dataclass(frozen=True)
class Migration:
    """A migration that needs Python, not only SQL: ``run`` does its work inside the migration's transaction
    (under the archive's writer lock); ``name`` says what it is for. Only for data that Python must rewrite
    (the search indexes hold what Python functions make of each text); a schema change is always SQL."""

    name: str
    run: Callable[[sqlite_utils.Database], None]


#: Reports read and indexed at a time by ``reindex_search``.
REINDEX_BATCH = 200


def reindex_search(db: sqlite_utils.Database) -> None:
    """Rebuild the three search indexes from the text of every report's primary document, tokenized as
    ``fts.normalize`` reads it now, with a progress bar on a terminal. In place and within the caller's
    transaction: readers see the old index until it commits, a crash leaves the old one.

    Migration 9, and the one step of the history that is not frozen SQL, on purpose: its tokens are what
    today's Python (``fts.normalize``, the functions the index triggers call) makes of each text, which no SQL
    can say, and what it must give is exactly the index a fresh archive builds with today's code."""
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
            tokens = [{name: function(text) for name, function in fts.INDEX_FUNCTIONS.items()} for _, text in rows]
            for table, function, _ in fts.INDEXES:
                db.conn.executemany(
                    f"INSERT INTO {table}(rowid, t) VALUES (?, ?)",
                    [(rowid, row_tokens[function]) for (rowid, _), row_tokens in zip(rows, tokens, strict=True)],
                )
            bar.update(len(rows))
            last_id = rows[-1][0]


#: The archive's schema history, one step per schema version (``PRAGMA user_version``). Each step is the SQL
#: exactly as it shipped, byte for byte (recovered from git history: the steps were once built by calling the
#: functions and constants of the day, so an old archive and a new one agreed only while those never changed):
#: an archive migrated step by step holds the same ``sqlite_master`` as one made at once, white space and SQL
#: comments included (tests/test_schema_history.py). A shipped step is never edited: a change is a new step.
#: Python steps only where data must be rewritten by Python (``Migration``, each says why).
MIGRATIONS: list[str | Migration] = [
    # 1: documents, their bytes, where they were seen, runs, failures, reports, search index (``text_key``'s SQL
    # comment names archive.linking, its module when this shipped: intake/linking.py since the layout split)
    """
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
        text_key TEXT NOT NULL,            -- sha256 of the text's letters and digits (archive.linking)
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
    CREATE VIRTUAL TABLE report_chars USING fts5(t, tokenize = 'ascii', content = '', contentless_delete = 1, detail = none);
CREATE VIRTUAL TABLE report_pairs USING fts5(t, tokenize = 'ascii', content = '', contentless_delete = 1, detail = none);
CREATE VIRTUAL TABLE report_fts USING fts5(t, tokenize = 'ascii', content = '', contentless_delete = 1, detail = full);
    
    CREATE TRIGGER reports_index_insert AFTER INSERT ON reports BEGIN
        INSERT INTO report_chars(rowid, t) SELECT new.id, nianbao_fts_chars(text) FROM documents WHERE id = new.primary_document_id;
INSERT INTO report_pairs(rowid, t) SELECT new.id, nianbao_fts_pairs(text) FROM documents WHERE id = new.primary_document_id;
INSERT INTO report_fts(rowid, t) SELECT new.id, nianbao_fts_pairs(text) FROM documents WHERE id = new.primary_document_id;
    END;
    CREATE TRIGGER reports_index_update AFTER UPDATE OF primary_document_id ON reports BEGIN
        DELETE FROM report_chars WHERE rowid = old.id;
DELETE FROM report_pairs WHERE rowid = old.id;
DELETE FROM report_fts WHERE rowid = old.id;
        INSERT INTO report_chars(rowid, t) SELECT new.id, nianbao_fts_chars(text) FROM documents WHERE id = new.primary_document_id;
INSERT INTO report_pairs(rowid, t) SELECT new.id, nianbao_fts_pairs(text) FROM documents WHERE id = new.primary_document_id;
INSERT INTO report_fts(rowid, t) SELECT new.id, nianbao_fts_pairs(text) FROM documents WHERE id = new.primary_document_id;
    END;
    CREATE TRIGGER reports_index_delete AFTER DELETE ON reports BEGIN
        DELETE FROM report_chars WHERE rowid = old.id;
DELETE FROM report_pairs WHERE rowid = old.id;
DELETE FROM report_fts WHERE rowid = old.id;
    END;
    CREATE TRIGGER documents_index_text AFTER UPDATE OF text ON documents BEGIN
        DELETE FROM report_chars WHERE rowid IN (SELECT id FROM reports WHERE primary_document_id = new.id);
DELETE FROM report_pairs WHERE rowid IN (SELECT id FROM reports WHERE primary_document_id = new.id);
DELETE FROM report_fts WHERE rowid IN (SELECT id FROM reports WHERE primary_document_id = new.id);
        INSERT INTO report_chars(rowid, t) SELECT id, nianbao_fts_chars(new.text) FROM reports WHERE primary_document_id = new.id;
INSERT INTO report_pairs(rowid, t) SELECT id, nianbao_fts_pairs(new.text) FROM reports WHERE primary_document_id = new.id;
INSERT INTO report_fts(rowid, t) SELECT id, nianbao_fts_pairs(new.text) FROM reports WHERE primary_document_id = new.id;
    END;
    """,  # noqa: E501, W293
    # 2: the crawler's tables (per-portal results of each crawl run, the conditional-GET cache of report URLs):
    # since the layout split (issue 16) the first step of the crawler's own migration set (crawler/schema.py),
    # which finds them made in an archive that ran this step before the split. A no-op here.
    "-- 2: the crawler's tables, now its own migration set (crawler/schema.py)",
    # 3: parsed records (parsers/record.py): the JSON, tables 三 and 四 in long form, the checks
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
    """CREATE VIEW browse AS 
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
    LEFT JOIN records x ON x.document_id = d.id;""",  # noqa: W291
    # 5: browse becomes a table kept in step by triggers (the view was too slow to count and facet at 100k)
    """
    DROP VIEW browse;
    CREATE TABLE browse AS 
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
    LEFT JOIN records x ON x.document_id = d.id WHERE 0;
    CREATE UNIQUE INDEX browse_id ON browse(id);
    CREATE INDEX browse_year ON browse(year);
    CREATE INDEX browse_place ON browse(province, city, county);
    CREATE INDEX browse_agency ON browse(agency);
    CREATE INDEX browse_check ON browse(check_status);
    INSERT INTO browse 
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
    LEFT JOIN records x ON x.document_id = d.id;
    
    CREATE TRIGGER browse_report_insert AFTER INSERT ON reports BEGIN
        INSERT OR REPLACE INTO browse 
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
    LEFT JOIN records x ON x.document_id = d.id WHERE r.id IN (new.id);
    END;
    CREATE TRIGGER browse_report_update AFTER UPDATE OF primary_document_id ON reports BEGIN
        INSERT OR REPLACE INTO browse 
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
    LEFT JOIN records x ON x.document_id = d.id WHERE r.id IN (new.id);
    END;
    CREATE TRIGGER browse_report_delete AFTER DELETE ON reports BEGIN
        DELETE FROM browse WHERE id = old.id;
    END;
    CREATE TRIGGER browse_document_update AFTER UPDATE ON documents BEGIN
        INSERT OR REPLACE INTO browse 
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
    LEFT JOIN records x ON x.document_id = d.id WHERE r.id IN (old.report_id, new.report_id);
    END;
    CREATE TRIGGER browse_record_insert AFTER INSERT ON records BEGIN
        INSERT OR REPLACE INTO browse 
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
    LEFT JOIN records x ON x.document_id = d.id WHERE r.id IN (SELECT id FROM reports WHERE primary_document_id = new.document_id);
    END;
    """,  # noqa: E501, W291, W293
    # 6: cheaper writes per document. (a) A document is inserted with its report id (intake/ingest.py),
    # no longer updated to it afterwards, so a file joining an existing report refreshes the browse row
    # on insert. (b) record_cells was indexed by (table, row, col) over every cell: each report's ~200 cells
    # landed on ~130 different index pages, two thirds of all pages a new document wrote. Only the 总计
    # columns (what reports are compared by) keep an index by row; other cross-report queries scan.
    """
    CREATE TRIGGER browse_document_insert AFTER INSERT ON documents BEGIN
        INSERT OR REPLACE INTO browse 
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
    LEFT JOIN records x ON x.document_id = d.id WHERE r.id IN (new.report_id);
    END;
    DROP INDEX record_cells_row;
    CREATE INDEX record_cells_applications_total ON record_cells(row_name)
        WHERE table_name = 'applications' AND col = 6;
    CREATE INDEX record_cells_review_litigation_total ON record_cells(row_name)
        WHERE table_name = 'review_litigation' AND col = 4;
    """,  # noqa: W291
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
    # its status (intake/records.py, ``rebuild``). record_cells and record_checks now hold the report-level
    # record only, so a sum over them counts each report once: cells under the file each table came from,
    # checks under the report's primary document. Existing archives start from the primary document's
    # record (their other files' cells and checks go); ``nianbao reparse --all`` merges their files.
    # Browse reads the report record: its status replaces the trigger of migration 7 (the record's word on
    # every refresh is now the report record's ``status`` in the select itself). ``sightings.found_on``: the
    # report page a crawled file was an attachment of, which links the file to the page's report.
    """
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
            '[]', coalesce(json_extract(x.record, '$.checks'), '{}'),
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
    INSERT INTO browse 
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
    LEFT JOIN report_records x ON x.report_id = r.id;
    CREATE TRIGGER browse_report_update AFTER UPDATE OF primary_document_id ON reports BEGIN
        INSERT OR REPLACE INTO browse 
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
    LEFT JOIN report_records x ON x.report_id = r.id WHERE r.id IN (new.id);
    END;
    CREATE TRIGGER browse_document_update AFTER UPDATE ON documents BEGIN
        INSERT OR REPLACE INTO browse 
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
    LEFT JOIN report_records x ON x.report_id = r.id WHERE r.id IN (old.report_id, new.report_id);
    END;
    CREATE TRIGGER browse_report_record_insert AFTER INSERT ON report_records BEGIN
        INSERT OR REPLACE INTO browse 
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
    LEFT JOIN report_records x ON x.report_id = r.id WHERE r.id IN (new.report_id);
    END;
    """,  # noqa: W291
    # 9: search across layout white space (issue 13 item 1). ``fts.normalize`` now drops white space between
    # two Chinese characters (a PDF's line break inside 不予公开), so every report is indexed again.
    Migration("search_layout_space", reindex_search),
    # 10: runs that alert (issue 15 item 4, crawler/alerts.py): the crawler's table of alerts and the per-list
    # counts of its portal runs; since the layout split (issue 16) the second step of the crawler's own migration
    # set (crawler/schema.py), which finds them made where this step ran before the split. A no-op here.
    "-- 10: the crawler's alerts, now its own migration set (crawler/schema.py)",
    # 11: flat ingest (issue 14 item 1). (a) Every column that references another table leads an index
    # (tests/test_schema_indexes.py keeps it so): deleting or re-keying a parent row looks up its children by
    # that column, without an index a scan of the child table (sightings grows with every crawl). Sightings
    # that name a previous document are few: a partial index (an FK lookup ``col = ?`` implies NOT NULL, so
    # SQLite uses it). ``browse.document_id`` is no foreign key, but Datasette's ``failed_checks`` query joins
    # on it. (b) The search-index triggers on ``reports`` become deferrable: a batch of documents
    # (intake/ingest.py ``Batch``) indexes its reports once, at its end (``deferred_search_index``).
    """
    CREATE INDEX sightings_previous ON sightings(previous_document_id) WHERE previous_document_id IS NOT NULL;
    CREATE INDEX sightings_run ON sightings(run_id);
    CREATE INDEX failures_run ON failures(run_id);
    CREATE INDEX browse_document ON browse(document_id);
    DROP TRIGGER reports_index_insert;
    DROP TRIGGER reports_index_update;
    
    CREATE TRIGGER reports_index_insert AFTER INSERT ON reports WHEN NOT nianbao_fts_deferred(new.id, 'insert') BEGIN
        INSERT INTO report_chars(rowid, t) SELECT new.id, nianbao_fts_chars(text) FROM documents WHERE id = new.primary_document_id;
INSERT INTO report_pairs(rowid, t) SELECT new.id, nianbao_fts_pairs(text) FROM documents WHERE id = new.primary_document_id;
INSERT INTO report_fts(rowid, t) SELECT new.id, nianbao_fts_pairs(text) FROM documents WHERE id = new.primary_document_id;
    END;
    CREATE TRIGGER reports_index_update AFTER UPDATE OF primary_document_id ON reports WHEN NOT nianbao_fts_deferred(old.id, 'update') BEGIN
        DELETE FROM report_chars WHERE rowid = old.id;
DELETE FROM report_pairs WHERE rowid = old.id;
DELETE FROM report_fts WHERE rowid = old.id;
        INSERT INTO report_chars(rowid, t) SELECT new.id, nianbao_fts_chars(text) FROM documents WHERE id = new.primary_document_id;
INSERT INTO report_pairs(rowid, t) SELECT new.id, nianbao_fts_pairs(text) FROM documents WHERE id = new.primary_document_id;
INSERT INTO report_fts(rowid, t) SELECT new.id, nianbao_fts_pairs(text) FROM documents WHERE id = new.primary_document_id;
    END;
    """,  # noqa: E501, W293
    # 12: serving at scale (issue 14 item 3, web; bench/serve.py times every page at 100,000 reports).
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
    # 13: the layout split (issue 16): steps 2 and 10 above became the crawler's own migration set
    # (crawler/schema.py), so an archive made by this release may lack at version 2-12 the crawler's tables an
    # earlier release expects there. This step changes nothing; it makes an earlier release refuse the archive
    # ("newer than this nianbao knows: upgrade") instead of failing on a missing table.
    "-- 13: the crawler's tables are its own migration set (crawler/schema.py)",
    # 14: each report's body (issue 14 item 3, archive/aliases.py): ``report_bodies`` keeps the ``Body.key`` of
    # every browse row (聊城市科技局 and 聊城市科学技术局 of 山东省聊城市: one key) and its year, by triggers on
    # browse, whichever of its triggers wrote the row. The agency facet, the compare page's list of bodies and
    # the ``?_agency=`` filter group or select by its index, where they named a body in Python for every
    # distinct agency and region on every page (1.0-1.25 s of CPU at 100,000 reports).
    """
    CREATE TABLE report_bodies (
        id INTEGER PRIMARY KEY,  -- browse.id: the report
        body TEXT,               -- Body.key, province|city|county|name; NULL: the report names no agency
        year INTEGER
    );
    INSERT INTO report_bodies SELECT id, nianbao_body_key(agency, province, city, county), year FROM browse;
    CREATE INDEX report_bodies_body ON report_bodies(body, year);
    CREATE TRIGGER report_bodies_insert AFTER INSERT ON browse BEGIN
        INSERT OR REPLACE INTO report_bodies
        VALUES (new.id, nianbao_body_key(new.agency, new.province, new.city, new.county), new.year);
    END;
    CREATE TRIGGER report_bodies_update AFTER UPDATE OF id, agency, province, city, county, year ON browse BEGIN
        DELETE FROM report_bodies WHERE id = old.id;
        INSERT OR REPLACE INTO report_bodies
        VALUES (new.id, nianbao_body_key(new.agency, new.province, new.city, new.county), new.year);
    END;
    CREATE TRIGGER report_bodies_delete AFTER DELETE ON browse BEGIN
        DELETE FROM report_bodies WHERE id = old.id;
    END;
    """,
]
