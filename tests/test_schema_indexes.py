"""Every column that references another table leads an index (issue 14 item 1).

Deleting or re-keying a parent row makes SQLite look up the child rows by the referencing column; without
an index that is a scan of the child table on every such write, growing with the table (sightings grow with
every crawl). Read from the schema itself, so a table added later cannot forget its index.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlite_utils

from archive.db import MIGRATIONS
from crawler.schema import apply_migrations, connect
from tests.conftest import FIXTURES

#: Columns that reference no table in SQL but are joined on as if they did (Datasette's canned queries).
JOINED_ON = {("browse", "document_id")}


def tables(db: sqlite_utils.Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def referencing_columns(db: sqlite_utils.Database) -> set[tuple[str, tuple[str, ...]]]:
    """(table, its columns in one REFERENCES clause, in order) for every foreign key of the schema."""
    found: dict[tuple[str, int], list[str]] = {}
    for table in tables(db):
        for key_id, _seq, _parent, column, *_ in db.execute(f"PRAGMA foreign_key_list('{table}')"):
            found.setdefault((table, key_id), []).append(column)
    return {(table, tuple(columns)) for (table, _), columns in found.items()}


def index_prefixes(db: sqlite_utils.Database, table: str) -> set[tuple[str, ...]]:
    """Every leading run of columns of the table's indexes (primary keys and UNIQUE constraints included), and
    its INTEGER PRIMARY KEY, which is the rowid itself (no entry in ``index_list``)."""
    prefixes: set[tuple[str, ...]] = set()
    for _seq, name, *_ in db.execute(f"PRAGMA index_list('{table}')"):
        columns = tuple(row[2] for row in db.execute(f"PRAGMA index_info('{name}')"))
        prefixes.update(columns[:length] for length in range(1, len(columns) + 1))
    primary = [(row[1], row[2]) for row in db.execute(f"PRAGMA table_info('{table}')") if row[5]]
    if len(primary) == 1 and primary[0][1].upper() == "INTEGER":
        prefixes.add((primary[0][0],))
    return prefixes


def unindexed(db: sqlite_utils.Database) -> list[str]:
    wanted = referencing_columns(db) | {(table, (column,)) for table, column in JOINED_ON}
    return sorted(
        f"{table}({', '.join(columns)})" for table, columns in wanted if columns not in index_prefixes(db, table)
    )


def test_every_referencing_column_of_a_new_archive_leads_an_index(db: sqlite_utils.Database) -> None:
    apply_migrations(db)  # the crawler's tables too
    assert len(referencing_columns(db)) >= 12  # the check reads the schema: it found the foreign keys
    assert unindexed(db) == []


def test_an_archive_of_schema_6_migrates_to_the_same_indexes(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    shutil.copy(FIXTURES / "archives" / "schema6.db", path)
    db = connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert unindexed(db) == []


def test_the_check_sees_a_missing_index(db: sqlite_utils.Database) -> None:
    """A table added without an index on its reference is named; the rowid and composite keys count."""
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, document_id INTEGER REFERENCES documents(id))")
    db.execute("CREATE TABLE tags (report_id INTEGER PRIMARY KEY REFERENCES reports(id))")
    db.execute("CREATE TABLE pairs (a INTEGER, b INTEGER, FOREIGN KEY (a, b) REFERENCES runs(id, pid))")
    db.execute("CREATE INDEX pairs_ab ON pairs(a, b)")
    assert unindexed(db) == ["notes(document_id)"]
    db.execute("DROP INDEX browse_document")
    assert unindexed(db) == ["browse(document_id)", "notes(document_id)"]
