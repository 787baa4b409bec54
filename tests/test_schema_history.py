"""The schema history is frozen (issue 16 item 3) and the crawler owns its tables (item 2).

An archive of the oldest schema (tests/fixtures/schema/oldest.sql: the first migration alone, with real rows),
migrated by today's code, equals a fresh archive of today's: the same tables, columns, indexes, triggers and
views, as SQLite keeps them, and the same search answers on the same documents. The crawler's migration set
gives the same schema on a fresh archive as on archives migrated before the split, whose crawler tables the
archive's own migrations 2 and 10 made.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from archive import db as archive_db
from archive.search import search
from crawler import schema as crawler_schema
from intake.ingest import Source, ingest
from tests.conftest import FIXTURES

OLDEST = FIXTURES / "schema" / "oldest.sql"
#: Queries of one, two and more characters; ``476条`` is only in the revised file, primary of its report.
QUERIES = ("复", "复议", "政务公开", "不予公开", "476条", "聊城市科学技术局", "gov.cn")


def master(db: sqlite_utils.Database) -> list[tuple[str, str, str, str | None]]:
    """The schema as SQLite keeps it: every table (virtual and shadow ones too), index, trigger and view, with
    the SQL that made it as SQLite stores it, by type and name (the page each starts on left out)."""
    return db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def load_oldest(path: Path) -> sqlite_utils.Database:
    """The oldest archive, unmigrated: its dump run on a connection with the SQL functions its index triggers
    call, so that loading its rows fills its search index as version 1 did."""
    db = archive_db.connect(path, migrate=False)
    db.conn.executescript(OLDEST.read_text(encoding="utf-8"))
    return db


def same_documents(source: sqlite_utils.Database, path: Path) -> sqlite_utils.Database:
    """A fresh archive of today's schema holding ``source``'s files, each written by today's write path at the
    URL it was seen at, in the order they were seen."""
    db = archive_db.connect(path)
    seen = source.execute(
        """SELECT s.url, b.data FROM sightings s JOIN documents d ON d.id = s.document_id
           JOIN blobs b ON b.sha256 = d.sha256 ORDER BY s.id"""
    ).fetchall()
    for url, data in seen:
        ingest(db, Source(url, data))
    return db


def answer(db: sqlite_utils.Database, query: str) -> dict[str, Any]:
    """What ``search`` answers, best first, without the BM25 figures. Why without: an FTS5 table with
    ``contentless_delete`` keeps a deleted row in the statistics BM25 reads (SQLite 3.51: row count, tokens), so
    the fresh archive, which indexed the 聊城 report's first version before its revision replaced it, scores by
    slightly different figures than the migrated one, whose index migration 9 rebuilt; the order is the same."""
    result = search(db, query)
    return {**result.to_dict(), "hits": [{**asdict(hit), "score": None} for hit in result.hits]}


def documents(db: sqlite_utils.Database) -> list[tuple[object, ...]]:
    return db.execute(
        """SELECT d.id, d.sha256, d.report_id, d.title, d.agency, d.year, d.province, d.city, d.format, d.text,
                  r.primary_document_id
           FROM documents d JOIN reports r ON r.id = d.report_id ORDER BY d.id"""
    ).fetchall()


def test_the_oldest_fixture_is_the_first_migration(tmp_path: Path) -> None:
    """The fixture's schema is migration 1 as archive/db.py freezes it: a shipped migration never changes."""
    oldest = load_oldest(tmp_path / "oldest.db")
    first = archive_db.connect(tmp_path / "first.db", migrate=False)
    step = archive_db.MIGRATIONS[0]
    assert isinstance(step, str)
    first.conn.executescript(f"BEGIN IMMEDIATE;\n{step}\nPRAGMA user_version = 1;\nCOMMIT;")
    assert archive_db.schema_version(oldest) == 1
    assert master(oldest) == master(first)
    assert oldest.execute("SELECT count(*) FROM documents").fetchone()[0] == 4
    assert oldest.execute("SELECT count(*) FROM report_chars").fetchone()[0] == 3  # indexed as it was loaded


def test_the_oldest_archive_migrates_to_a_fresh_archive(tmp_path: Path) -> None:
    load_oldest(tmp_path / "oldest.db").close()
    migrated = archive_db.connect(tmp_path / "oldest.db")
    fresh = same_documents(migrated, tmp_path / "fresh.db")
    assert archive_db.schema_version(migrated) == archive_db.schema_version(fresh) == len(archive_db.MIGRATIONS)
    assert master(migrated) == master(fresh)
    assert documents(migrated) == documents(fresh)
    bodies = migrated.execute("SELECT id, body, year FROM report_bodies ORDER BY id").fetchall()
    assert bodies == fresh.execute("SELECT id, body, year FROM report_bodies ORDER BY id").fetchall()
    assert len(bodies) == 3 and all(body for _, body, _ in bodies)  # migration 14 keyed every report
    answers = {query: answer(migrated, query) for query in QUERIES}
    assert answers == {query: answer(fresh, query) for query in QUERIES}
    assert all(found["hits"] for found in answers.values())  # every query finds something: a real comparison
    assert [hit["report_id"] for hit in answers["476条"]["hits"]] == [1]


def previous_release(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An archive as the release before the split made it: the archive's migrations 1-12, with the crawler's
    tables at 2 and 10 (the crawler's two steps are that SQL as it shipped)."""
    steps = list(archive_db.MIGRATIONS[:12])
    steps[1], steps[9] = crawler_schema.PORTAL_RUNS_AND_CACHE, crawler_schema.ALERTS
    with monkeypatch.context() as patch:
        patch.setattr(archive_db, "MIGRATIONS", steps)
        db = archive_db.connect(path)
    assert archive_db.schema_version(db) == 12
    db.execute(
        "INSERT INTO crawl_cache (url, portal, etag, sha256, links, checked_at) VALUES (?, ?, ?, ?, ?, ?)",
        ["https://a.example/r.txt", "a", '"v1"', "0" * 64, "[]", "2026-01-31T08:00:00+00:00"],
    )
    db.conn.commit()
    db.close()


def schema_6(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An archive of an earlier release still (version 6): the crawler's first step made, not its second."""
    path.write_bytes((FIXTURES / "archives" / "schema6.db").read_bytes())


def oldest(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Version 1: no crawler table yet."""
    load_oldest(path).close()


@pytest.mark.parametrize("make", [previous_release, schema_6, oldest], ids=lambda make: make.__name__)
def test_the_crawler_set_on_an_archive_made_before_the_split_gives_a_fresh_archive_s_schema(
    make: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert callable(make)
    make(tmp_path / "before.db", monkeypatch)
    before = crawler_schema.connect(tmp_path / "before.db")
    fresh = crawler_schema.connect(tmp_path / "fresh.db")
    assert master(before) == master(fresh)
    applied = [step.name for step in crawler_schema.MIGRATIONS.applied(before)]
    assert applied == [step.name for step in crawler_schema.MIGRATIONS.applied(fresh)]
    assert applied == ["portal_runs_and_cache", "alerts"]
    if make is previous_release:  # found made: recorded as applied, its rows kept
        assert before.execute("SELECT portal, etag FROM crawl_cache").fetchall() == [("a", '"v1"')]


def test_the_archive_alone_makes_no_crawler_table_and_an_earlier_release_refuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The archive's own migrations make no crawler table (2 and 10 are no-ops now); migration 13 makes the
    release before the split, which took them for made at version 12, refuse the archive."""
    db = archive_db.connect(tmp_path / "a.db")
    assert not [name for name in db.table_names() if name.startswith("crawl_") or name == "_sqlite_migrations"]
    with monkeypatch.context() as patch:
        patch.setattr(archive_db, "MIGRATIONS", archive_db.MIGRATIONS[:12])
        with pytest.raises(RuntimeError, match="newer than this nianbao knows"):
            archive_db.connect(tmp_path / "a.db")


def test_a_script_is_cut_into_its_statements() -> None:
    """Triggers' bodies, strings and comments keep their semicolons; a statement keeps its text."""
    script = """
    CREATE TABLE t (a TEXT);  -- a comment; with a semicolon
    CREATE TRIGGER t_insert AFTER INSERT ON t BEGIN
        UPDATE t SET a = 'x;y' WHERE rowid = new.rowid;
    END;
    """
    assert [statement.strip() for statement in crawler_schema.statements(script)] == [
        "CREATE TABLE t (a TEXT);",
        "-- a comment; with a semicolon\n    CREATE TRIGGER t_insert AFTER INSERT ON t BEGIN\n"
        "        UPDATE t SET a = 'x;y' WHERE rowid = new.rowid;\n    END;",
    ]
    with pytest.raises(ValueError, match="unfinished statement"):
        crawler_schema.statements("CREATE TABLE t (a TEXT); CREATE TABLE u (b TEXT)")
