"""Opening the archive: one SQLite file, WAL, its schema history applied (``archive.migrations``), one writer.

Every connection registers the SQL functions the archive's triggers call (the search index, each report's
body), so neither can fall out of step with the documents whatever writes to them through this module. A
tool that opens the file without them (the sqlite3 shell, Datasette) can read everything but cannot write to
indexed tables.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import sqlite_utils
from sqlite_utils.utils import sqlite3

from archive import aliases, fts
from archive.migrations import MIGRATIONS, Migration

#: SQLite's page cache of each archive connection, in KiB (filled as pages are read, so a short command never
#: holds it). SQLite's default, 2 MiB, holds little of the indexes a document's writes touch in a large archive:
#: at 300,000 reports each import read their pages from the OS again and again (kernel time 0.66 → 1.19 ms a
#: document from 10,000 to 300,000 reports, bench/scale.py).
CACHE_KB = 65_536
#: SQLite's largest integer: a larger id names no row (and cannot even be bound as a parameter).
MAX_INTEGER = 2**63 - 1
#: The first bytes of every SQLite database file (https://sqlite.org/fileformat.html#the_database_header).
SQLITE_HEADER = b"SQLite format 3\x00"


class NotAnArchive(ValueError):
    """The path names something that cannot be an archive: a folder, a device, a text file, a corrupt or
    foreign database. The message names the path and says what it is instead."""


#: The SQL function the search-index triggers on ``reports`` ask first (migration 11 calls it by this name): 1 when
#: the connection defers indexing to the end of a batch (``deferred_search_index``), which it then does for every
#: report named.
DEFER_INDEX_FUNCTION = "nianbao_fts_deferred"


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
    tokens = [{name: function(text) for name, function in fts.INDEX_FUNCTIONS.items()} for _, text in rows]
    for table, function, _ in fts.INDEXES:
        db.conn.executemany(
            f"INSERT INTO {table}(rowid, t) VALUES (?, ?)",
            [(report_id, row_tokens[function]) for (report_id, _), row_tokens in zip(rows, tokens, strict=True)],
        )


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
    db.conn.execute(f"PRAGMA cache_size = -{CACHE_KB}")
    for name, function in fts.INDEX_FUNCTIONS.items():
        db.conn.create_function(name, 1, function, deterministic=True)
    db.conn.create_function(aliases.BODY_FUNCTION, 4, aliases.body_key, deterministic=True)
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
