"""Documents committed in batches (intake/ingest.py ``Batch``, issue 14 item 1): the same archive as one
transaction per document, search index included (a batch indexes its reports at its end), each document still
atomic, and nothing of a batch written until it commits."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from archive.db import connect
from archive.fts import INDEXES
from archive.search import matching_report_ids
from intake.ingest import Batch, BatchLimits, Outcome, Source, ingest, prepare, start_run, write_batched
from tests.conftest import FIXTURES, RENDERED, SEED_FILES, SEEDS

LIAOCHENG = (SEEDS / SEED_FILES["聊城"]).read_bytes()
QUFU = (SEEDS / SEED_FILES["曲阜"]).read_bytes()
WEIHAI = (SEEDS / SEED_FILES["威海"]).read_bytes()
REVISED = LIAOCHENG.replace("475条".encode(), "476条".encode())
HERE = FIXTURES / "report_record"
DOCX = (RENDERED / "report-000.docx").read_bytes()  # the 聊城 report of PAGE, with table 四
PAGE = "http://kjj.liaocheng.gov.cn/info/1144/96851.htm"
NOTE = "关于《聊城市科学技术局2022年政府信息公开工作年度报告》的解读\n本报告分为六个部分，现解读如下。".encode()

#: Every kind of write: new, two identical bodies (a duplicate), a new version at a known URL that becomes its
#: report's primary file (its index rows replaced), two files of a page in two reports merged when the page
#: comes (a report deleted), empty bytes (a failure only) and bytes that cannot be extracted (kept as such).
SOURCES = [
    Source("https://a.example/lc.txt", LIAOCHENG),
    Source("https://a.example/qf.txt", QUFU),
    Source("https://mirror.example/lc.txt", LIAOCHENG),
    Source("https://a.example/lc.txt", REVISED),
    Source("http://kjj.liaocheng.gov.cn/nb.docx", (RENDERED / "report-000.docx").read_bytes(), found_on=PAGE),
    Source("http://kjj.liaocheng.gov.cn/jiedu.txt", NOTE, found_on=PAGE),
    Source(PAGE, (HERE / "liaocheng-page.html").read_bytes()),
    Source("https://a.example/empty.txt", b""),
    Source("https://a.example/broken.pdf", b"%PDF-1.4\nbroken"),
    Source("https://a.example/wh.txt", WEIHAI),
]
QUERIES = ["聊", "曲阜", "476条", "475条", "解读", "威海市", "政府信息公开", "行政复议", "聊城市科学技术局2022年"]


def summary(outcomes: list[Outcome]) -> list[tuple[str, int | None, int | None, int | None]]:
    return [(o.status, o.document_id, o.report_id, o.previous_document_id) for o in outcomes]


def contents(db: sqlite_utils.Database) -> dict[str, Any]:
    """What the archive holds, times aside; search answers; and the indexes' own integrity check."""
    for table, _, _ in INDEXES:
        db.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    return {
        "documents": db.execute("SELECT id, sha256, report_id, title, warnings FROM documents ORDER BY id").fetchall(),
        "reports": db.execute("SELECT id, primary_document_id FROM reports ORDER BY id").fetchall(),
        "sightings": db.execute("SELECT document_id, url, previous_document_id FROM sightings ORDER BY id").fetchall(),
        "failures": db.execute("SELECT url, reason FROM failures ORDER BY id").fetchall(),
        "runs": db.execute("SELECT new, duplicate, changed, failed FROM runs").fetchall(),
        "browse": [row[:-1] for row in db.execute("SELECT * FROM browse ORDER BY id")],  # but created_at, last
        "report_records": db.execute("SELECT report_id, sources, status FROM report_records ORDER BY 1").fetchall(),
        "index_rows": [db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table, _, _ in INDEXES],
        "search": {query: sorted(matching_report_ids(db, query)) for query in QUERIES},
    }


@pytest.mark.parametrize("before", [0, 4], ids=["all-in-one-batch", "reports-indexed-before-the-batch"])
def test_a_batch_makes_the_archive_one_transaction_per_document_makes(tmp_path: Path, before: int) -> None:
    """With ``before`` documents archived one by one first, the batch re-points and merges away a report that
    was indexed before it (the 聊城 report: the page absorbs it); else the report is made and merged away
    inside the batch."""
    one_by_one = connect(tmp_path / "one.db")
    run = start_run(one_by_one, "import", {})
    expected = [ingest(one_by_one, source, run) for source in SOURCES]

    batched = connect(tmp_path / "batch.db")
    run = start_run(batched, "import", {})
    outcomes = [ingest(batched, source, run) for source in SOURCES[:before]]
    batch: Batch[int] = Batch(batched)
    for number, source in enumerate(SOURCES[before:], start=before):
        batch.add(number, prepare(batched, source), run)
    written = batch.flush()

    assert [number for number, _ in written] == list(range(before, len(SOURCES)))
    assert summary(outcomes + [outcome for _, outcome in written]) == summary(expected)
    assert [outcome.status for outcome in expected].count("duplicate") == 1  # the two identical bodies
    many = contents(batched)
    assert many == contents(one_by_one)
    assert many["reports"] == [(2, 2), (3, 6), (4, 8)]  # report 1 merged into the page's
    assert many["index_rows"] == [3, 3, 3] and many["search"]["聊"] == [3] and many["search"]["威海市"] == [4]


def test_identical_bodies_in_one_batch_are_one_document_and_two_sightings(db: sqlite_utils.Database) -> None:
    prepared = [prepare(db, Source(f"https://{host}.example/r.txt", QUFU)) for host in ("a", "b")]
    assert all(document.analysis is not None for document in prepared)  # both extracted: neither was archived
    written = list(write_batched(db, enumerate(prepared), None))
    assert [outcome.status for _, outcome in written] == ["new", "duplicate"]
    assert db.execute("SELECT count(*) FROM documents").fetchone() == (1,)
    assert db.execute("SELECT count(*) FROM sightings").fetchone() == (2,)


def test_an_error_writing_one_document_rolls_back_that_document_only(db: sqlite_utils.Database) -> None:
    """``also`` (the crawl's cache entry) raising half-way through a document: that document and nothing else
    is rolled back, and it fails with the error; the others of the batch are committed."""
    run = start_run(db, "import", {})

    def broken(db: sqlite_utils.Database, outcome: Outcome) -> None:
        raise RuntimeError("no room for the cache entry")

    batch: Batch[str] = Batch(db)
    batch.add("lc", prepare(db, Source("https://a.example/lc.txt", LIAOCHENG)), run)
    batch.add("qf", prepare(db, Source("https://a.example/qf.txt", QUFU)), run, also=broken)
    batch.add("wh", prepare(db, Source("https://a.example/wh.txt", WEIHAI)), run)
    outcomes = dict(batch.flush())
    assert (outcomes["lc"].status, outcomes["wh"].status) == ("new", "new")
    assert (outcomes["qf"].status, outcomes["qf"].reason) == (
        "failed",
        "internal error while archiving: RuntimeError: no room for the cache entry",
    )
    assert db.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    assert db.execute("SELECT url FROM failures").fetchall() == [("https://a.example/qf.txt",)]
    assert db.execute("SELECT new, failed FROM runs").fetchone() == (2, 1)
    assert sorted(matching_report_ids(db, "曲阜")) == []
    assert len(matching_report_ids(db, "政府信息公开")) == 2


def test_a_batch_interrupted_while_written_leaves_nothing_of_it(db: sqlite_utils.Database) -> None:
    """An interrupt (Ctrl-C, here raised by the last document's ``also``) rolls the whole open batch back: the
    archive, its run counts and its search index are as before the batch."""
    ingest(db, Source("https://a.example/qf.txt", QUFU))
    before = contents(db)

    def interrupt(db: sqlite_utils.Database, outcome: Outcome) -> None:
        raise KeyboardInterrupt

    batch: Batch[int] = Batch(db)
    batch.add(1, prepare(db, Source("https://a.example/lc.txt", LIAOCHENG)), None)
    batch.add(2, prepare(db, Source("https://a.example/qf2.txt", QUFU)), None)  # a sighting of an archived file
    batch.add(3, prepare(db, Source("https://a.example/wh.txt", WEIHAI)), None, also=interrupt)
    with pytest.raises(KeyboardInterrupt):
        batch.flush()
    assert contents(db) == before
    assert len(batch) == 0  # the batch is gone: what a kill loses


def test_a_batch_is_due_at_its_document_limit(db: sqlite_utils.Database) -> None:
    batch: Batch[int] = Batch(db, BatchLimits(documents=2))
    batch.add(1, prepare(db, Source("u1", LIAOCHENG)), None)
    assert not batch.due()
    batch.add(2, prepare(db, Source("u2", QUFU)), None)
    assert batch.due()
    flushed = [len(batch.flush()), len(batch)]
    assert flushed == [2, 0] and not batch.due()


def test_a_batch_is_due_at_its_byte_limit(db: sqlite_utils.Database) -> None:
    batch: Batch[int] = Batch(db, BatchLimits(bytes=len(LIAOCHENG) + 1))
    batch.add(1, prepare(db, Source("u1", LIAOCHENG)), None)
    assert not batch.due()
    batch.add(2, prepare(db, Source("u2", QUFU)), None)
    assert batch.due()


def test_a_batch_is_due_seconds_after_its_first_document(db: sqlite_utils.Database) -> None:
    batch: Batch[int] = Batch(db, BatchLimits(seconds=0.2))
    assert batch.seconds_left() is None and not batch.due()  # an empty batch is never due
    batch.add(1, prepare(db, Source("u1", LIAOCHENG)), None)
    left = batch.seconds_left()
    assert left is not None and 0 < left <= 0.2 and not batch.due()
    time.sleep(0.25)
    assert batch.seconds_left() == 0.0 and batch.due()


def test_import_commits_in_batches_of_its_default_limits(run_cli, seeds: Path, db_path: Path) -> None:
    """`nianbao import` writes through batches: every seed archived, one line each, the run counted."""
    output = run_cli("import", str(seeds)).output
    assert output.strip().endswith("5 new, 0 changed, 0 duplicate, 0 failed")
    assert sum(line.startswith("new") for line in output.splitlines()) == 5
    assert BatchLimits() == BatchLimits(documents=200, seconds=2.0, bytes=64 * 1024 * 1024)
