"""The archive: content-addressed storage, sightings, versions, report linking, runs, index sync."""

from __future__ import annotations

import fcntl
import hashlib
import html
import threading
from pathlib import Path

import pytest
import sqlite_utils
from sqlite_utils.utils import sqlite3

from archive import db as archive_db
from archive.aliases import BODY_FUNCTION, body_key
from archive.db import write_transaction
from archive.search import matching_report_ids
from intake.ingest import Source, finish_run, ingest, start_run
from tests.conftest import RENDERED, SEED_FILES, SEEDS

LIAOCHENG = (SEEDS / SEED_FILES["聊城"]).read_bytes()
QUFU = (SEEDS / SEED_FILES["曲阜"]).read_bytes()


def test_schema_is_created_once_in_wal_mode(db_path: Path) -> None:
    db = archive_db.connect(db_path)
    assert archive_db.schema_version(db) == len(archive_db.MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = set(db.table_names())
    assert {
        "documents",
        "blobs",
        "sightings",
        "runs",
        "failures",
        "reports",
        "report_fts",
        "report_chars",
        "report_pairs",
    } <= tables
    archive_db.connect(db_path)  # opening again migrates nothing and fails on nothing
    assert archive_db.schema_version(archive_db.connect(db_path)) == len(archive_db.MIGRATIONS)


def test_bytes_are_stored_once_under_their_hash(db: sqlite_utils.Database) -> None:
    first = ingest(db, Source("https://a.example/r.txt", LIAOCHENG))
    second = ingest(db, Source("https://mirror.example/r.txt", LIAOCHENG))
    assert (first.status, second.status) == ("new", "duplicate")
    assert first.document_id == second.document_id
    sha = hashlib.sha256(LIAOCHENG).hexdigest()
    assert db.execute("SELECT data FROM blobs WHERE sha256 = ?", [sha]).fetchone()[0] == LIAOCHENG
    assert db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 1
    urls = [row[0] for row in db.execute("SELECT url FROM sightings ORDER BY id")]
    assert urls == ["https://a.example/r.txt", "https://mirror.example/r.txt"]


def test_new_bytes_at_a_known_url_are_a_new_version_and_both_stay(db: sqlite_utils.Database) -> None:
    url = "https://kjj.example.gov.cn/report.txt"
    first = ingest(db, Source(url, LIAOCHENG))
    revised = LIAOCHENG.replace("475条".encode(), "476条".encode())
    assert revised != LIAOCHENG
    second = ingest(db, Source(url, revised))
    assert second.status == "changed"
    assert second.previous_document_id == first.document_id
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
    third = ingest(db, Source(url, revised))
    assert third.status == "duplicate"
    # one report with both versions as its files; search reads the newest
    assert second.report_id == first.report_id
    files = db.execute("SELECT id FROM documents WHERE report_id = ? ORDER BY id", [first.report_id]).fetchall()
    assert [row[0] for row in files] == [first.document_id, second.document_id]
    assert matching_report_ids(db, "476条") == [first.report_id]
    assert matching_report_ids(db, "475条") == []


def test_a_different_report_at_a_known_url_is_not_merged_into_the_old_one(db: sqlite_utils.Database) -> None:
    first = ingest(db, Source("https://portal.example/latest.txt", LIAOCHENG))
    second = ingest(db, Source("https://portal.example/latest.txt", QUFU))
    assert second.status == "changed"
    assert second.report_id != first.report_id


def test_same_report_in_two_files_is_one_report(db: sqlite_utils.Database) -> None:
    text = LIAOCHENG.decode()
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines() if line.strip())
    page = f"<html><head><meta charset='gbk'><title>年报</title></head><body>{paragraphs}</body></html>"
    as_txt = ingest(db, Source("https://a.example/r.txt", LIAOCHENG))
    as_html = ingest(db, Source("https://a.example/r.html", page.encode("gbk")))
    assert as_html.status == "new"
    assert as_html.document_id != as_txt.document_id
    assert as_html.report_id == as_txt.report_id
    assert matching_report_ids(db, "聊城市科学技术局") == [as_txt.report_id]


def test_runs_count_what_happened(db: sqlite_utils.Database) -> None:
    run_id = start_run(db, "import", {"paths": ["x"]})
    ingest(db, Source("u1", LIAOCHENG), run_id)
    ingest(db, Source("u2", LIAOCHENG), run_id)
    ingest(db, Source("u3", b""), run_id)
    ingest(db, Source("u1", QUFU), run_id)
    run = finish_run(db, run_id)
    assert (run["new"], run["duplicate"], run["failed"], run["changed"], run["status"]) == (1, 1, 1, 1, "finished")
    assert db.execute("SELECT url, reason FROM failures").fetchall() == [("u3", "empty content")]


def test_runs_left_running_by_a_dead_process_are_marked_interrupted(db: sqlite_utils.Database) -> None:
    db.execute("INSERT INTO runs (kind, started_at, status, pid) VALUES ('import', 'x', 'running', 999999999)")
    db.conn.commit()
    start_run(db, "import", {})
    assert db.execute("SELECT status FROM runs WHERE pid = 999999999").fetchone()[0] == "interrupted"


def test_index_follows_text_updates_and_deletes(db: sqlite_utils.Database) -> None:
    outcome = ingest(db, Source("u", LIAOCHENG))
    assert matching_report_ids(db, "聊城") == [outcome.report_id]
    with write_transaction(db):
        db.execute("UPDATE documents SET text = '全新的文本：复议' WHERE id = ?", [outcome.document_id])
    assert matching_report_ids(db, "聊城") == []
    assert matching_report_ids(db, "全新") == [outcome.report_id]
    other = ingest(db, Source("v", QUFU))
    assert outcome.report_id is not None and other.report_id is not None
    with write_transaction(db):  # point the report at another document: the index follows
        db.execute("UPDATE reports SET primary_document_id = ? WHERE id = ?", [other.document_id, outcome.report_id])
    assert sorted(matching_report_ids(db, "曲阜")) == sorted({outcome.report_id, other.report_id})
    with write_transaction(db):
        db.execute("UPDATE documents SET report_id = NULL WHERE report_id = ?", [other.report_id])
        db.execute("DELETE FROM reports WHERE id = ?", [other.report_id])
    assert matching_report_ids(db, "曲阜") == [outcome.report_id]
    assert matching_report_ids(db, "全新") == []


@pytest.mark.parametrize("has_body_function", [False, True], ids=["no function", "only the body function"])
def test_a_tool_without_our_functions_cannot_desync_the_index_or_the_bodies(
    db_path: Path, has_body_function: bool
) -> None:
    """A tool without our SQL functions (the sqlite3 shell, Datasette) cannot change a document: its browse
    row's body (``nianbao_body_key``) and its search index (``nianbao_fts_*``) would go stale."""
    db = archive_db.connect(db_path)
    ingest(db, Source("u", LIAOCHENG))
    db.conn.close()
    plain = sqlite_utils.Database(db_path)
    if has_body_function:
        plain.conn.create_function(BODY_FUNCTION, 4, body_key, deterministic=True)
    before = plain.execute("SELECT agency, text FROM documents").fetchall()
    missing = "nianbao_fts_" if has_body_function else BODY_FUNCTION
    with pytest.raises(Exception, match=f"no such function: {missing}"):
        plain.execute("UPDATE documents SET text = 'x'")
    assert plain.execute("SELECT agency, text FROM documents").fetchall() == before


def test_bytes_archived_by_another_process_meanwhile_become_a_sighting(db_path: Path, monkeypatch) -> None:
    """Two ingesters (crawl workers, an import beside a crawl) may extract the same bytes at once; the
    second to take the write lock finds them archived and records a sighting, not an integrity error."""
    from intake import ingest as ingest_module

    first = archive_db.connect(db_path)
    other = archive_db.connect(db_path)  # a second connection: another process's view
    run = ingest_module.bounded.run  # extraction and parsing run in the bounded child (intake/bounded.py)

    def extract_while_the_other_process_archives(task, job, *more):  # runs before the write lock is taken
        monkeypatch.setattr(ingest_module.bounded, "run", run)  # the other process extracts normally
        assert ingest(other, Source("https://other.example/r.txt", LIAOCHENG)).status == "new"
        return run(task, job, *more)

    monkeypatch.setattr(ingest_module.bounded, "run", extract_while_the_other_process_archives)
    outcome = ingest(first, Source("https://a.example/r.txt", LIAOCHENG))
    assert outcome.status == "duplicate" and outcome.document_id == 1
    assert first.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    assert first.execute("SELECT count(*) FROM sightings").fetchone()[0] == 2


def test_browse_table_stays_equal_to_its_query(db: sqlite_utils.Database) -> None:
    """`browse` (what Datasette lists and facets) is a table kept by triggers; after every kind of write
    it must equal the query it caches."""
    from intake.ingest import reextract

    # the query migration 8 fills browse with, and refreshes a row with in each of its triggers
    step = archive_db.MIGRATIONS[7]
    assert isinstance(step, str)
    query = step.split("DELETE FROM browse;")[1].split(";")[0].replace("INSERT INTO browse", "", 1)

    def assert_in_step() -> None:
        cached = db.execute("SELECT * FROM browse ORDER BY id").fetchall()
        assert cached == db.execute(f"SELECT * FROM ({query}) ORDER BY id").fetchall()

    for place, name in SEED_FILES.items():
        ingest(db, Source(f"https://{place}.example/r.txt", (SEEDS / name).read_bytes()))
    assert_in_step()
    assert db.execute("SELECT count(*), sum(files) FROM browse").fetchone() == (5, 5)
    url = "https://聊城.example/r.txt"
    ingest(db, Source(url, LIAOCHENG.replace("475条".encode(), "476条".encode())))  # a new version
    assert_in_step()
    assert db.execute("SELECT files FROM browse WHERE title LIKE '聊城%'").fetchone() == (2,)
    pdf = ingest(db, Source("https://聊城.example/r.pdf", (RENDERED / "report-000.pdf").read_bytes()))
    assert pdf.status == "new"  # the PDF of the same report joins it as a file, not as its primary
    assert db.execute("SELECT primary_document_id != ? FROM reports WHERE id = ?", [pdf.document_id, pdf.report_id])
    assert_in_step()
    assert db.execute("SELECT files FROM browse WHERE title LIKE '聊城%'").fetchone() == (3,)
    with write_transaction(db):
        db.execute("UPDATE blobs SET data = ? WHERE sha256 = (SELECT sha256 FROM documents WHERE id = 2)", [QUFU])
    assert reextract(db, 2) is None  # document 2 now reads as 曲阜's text: identity and record change
    assert_in_step()
    with write_transaction(db):
        db.execute("UPDATE documents SET report_id = NULL WHERE report_id = 5")
        db.execute("DELETE FROM reports WHERE id = 5")
    assert_in_step()


def test_writers_queue_on_the_write_lock_file(db: sqlite_utils.Database, db_path: Path) -> None:
    """A writer waits for the lock file beside the archive (woken by the kernel when it is released)
    instead of polling SQLite's busy handler; the lock is released after COMMIT and after a failure."""
    holder = open(f"{db_path}.write.lock", "ab")  # noqa: SIM115 - held across the thread below
    fcntl.flock(holder, fcntl.LOCK_EX)
    finished = threading.Event()

    def write() -> None:
        other = archive_db.connect(db_path)
        ingest(other, Source("https://聊城.example/r.txt", LIAOCHENG))
        other.close()
        finished.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not finished.wait(0.5)  # queued behind the lock holder
    fcntl.flock(holder, fcntl.LOCK_UN)
    assert finished.wait(30)
    writer.join()
    holder.close()
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"), write_transaction(db):
        db.execute("INSERT INTO no_such_table VALUES (1)")
    with write_transaction(db):  # not left locked by the failed transaction
        assert db.execute("SELECT count(*) FROM documents").fetchone() == (1,)
