"""The crawl's archiving workers (crawler/ingester.py): real worker processes fed over pipes.

They archive and cache in one transaction, report a bug in one document as that document's failure,
and a worker that dies costs the document it was working on, not the crawl.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from archive import db as archive_db
from crawler.ingest_worker import Archived
from crawler.ingester import Ingester, IngestError
from intake.ingest import Source, start_run
from tests.conftest import SEED_FILES, SEEDS

LIAOCHENG = (SEEDS / SEED_FILES["聊城"]).read_bytes()
QUFU = (SEEDS / SEED_FILES["曲阜"]).read_bytes()
HEADERS = {"ETag": '"v1"'}


def new_run(db_path: Path) -> int:
    db = archive_db.connect(db_path)
    run_id = start_run(db, "crawl", {})
    db.close()
    return run_id


async def one_worker_after_one_document(db_path: Path, run_id: int) -> tuple[Ingester, int]:
    """An ingester of one worker that has archived a document; and that worker's pid."""
    ingester = Ingester(str(db_path), workers=1)
    await ingester.start()
    await ingester.archive(Source("https://a.example/1.txt", LIAOCHENG), run_id, "a", [])
    process = ingester.workers[0].process
    assert process is not None
    return ingester, process.pid


def test_worker_archives_and_caches_in_one_go(db_path: Path) -> None:
    run_id = new_run(db_path)

    async def crawl() -> tuple[Archived, Archived]:
        ingester = Ingester(str(db_path), workers=2)
        await ingester.start()
        first = await ingester.archive(Source("https://a.example/r.txt", LIAOCHENG, headers=HEADERS), run_id, "a", [])
        again = await ingester.archive(Source("https://a.example/r.txt", LIAOCHENG, headers=HEADERS), run_id, "a", [])
        await ingester.close()
        return first, again

    first, again = asyncio.run(crawl())
    assert first.outcome.status == "new" and not first.unchanged
    assert again.outcome.status == "duplicate" and again.unchanged  # same bytes, same URL
    db = archive_db.connect(db_path)
    cached = db.execute("SELECT etag, sha256 FROM crawl_cache WHERE url = 'https://a.example/r.txt'").fetchone()
    assert cached == ('"v1"', first.outcome.sha256)


def test_a_bug_on_one_document_is_its_failure_and_the_worker_goes_on(db_path: Path) -> None:
    run_id = new_run(db_path)

    async def crawl() -> str:
        ingester = Ingester(str(db_path), workers=1)
        await ingester.start()
        broken = Source("https://a.example/broken", "text, not bytes")  # type: ignore[arg-type]
        with pytest.raises(IngestError) as error:
            await ingester.archive(broken, run_id, "a", [])
        fine = await ingester.archive(Source("https://a.example/r.txt", LIAOCHENG), run_id, "a", [])
        await ingester.close()
        return f"{error.value} / {fine.outcome.status}"

    reason, after = asyncio.run(crawl()).split(" / ")
    assert reason == "internal error while archiving: TypeError: Strings must be encoded before hashing"
    assert after == "new"


def test_a_crashed_worker_costs_one_document_and_is_replaced(db_path: Path) -> None:
    """The worker is stopped, given two documents, and killed: the first (the one it held) fails with
    the exit status, the second goes to a new worker, and so do later ones."""
    run_id = new_run(db_path)

    async def crawl() -> list[str]:
        ingester = Ingester(str(db_path), workers=1)
        await ingester.start()
        worker = ingester.workers[0]
        assert worker.process is not None
        os.kill(worker.process.pid, signal.SIGSTOP)
        first = asyncio.ensure_future(ingester.archive(Source("https://a.example/1.txt", LIAOCHENG), run_id, "a", []))
        second = asyncio.ensure_future(ingester.archive(Source("https://a.example/2.txt", QUFU), run_id, "a", []))
        while len(worker.pending) < 2:
            await asyncio.sleep(0.01)
        os.kill(worker.process.pid, signal.SIGKILL)
        results = await asyncio.gather(first, second, return_exceptions=True)
        third = await ingester.archive(Source("https://a.example/3.txt", LIAOCHENG), run_id, "a", [])
        await ingester.close()
        return [str(result) if isinstance(result, BaseException) else result.outcome.status for result in results] + [
            third.outcome.status
        ]

    assert asyncio.run(crawl()) == [
        "the archiving worker crashed (exit status -9) on this document",
        "new",
        "new",
    ]
    db = archive_db.connect(db_path)
    assert db.execute("SELECT count(*) FROM documents").fetchone() == (2,)


def test_a_worker_that_dies_idle_is_replaced(db_path: Path) -> None:
    run_id = new_run(db_path)

    async def crawl() -> str:
        ingester, first_pid = await one_worker_after_one_document(db_path, run_id)
        worker = ingester.workers[0]
        assert worker.process is not None
        os.kill(first_pid, signal.SIGKILL)
        while worker.process.pid == first_pid:  # the reader notices and starts another
            await asyncio.sleep(0.01)
        after = await ingester.archive(Source("https://a.example/2.txt", QUFU), run_id, "a", [])
        await ingester.close()
        return after.outcome.status

    assert asyncio.run(crawl()) == "new"


def test_workers_that_cannot_start_fail_documents_instead_of_hanging(tmp_path: Path) -> None:
    """An archive the workers cannot open: they exit at once; documents fail with that reason."""
    unopenable = tmp_path / "no such folder" / "archive.db"

    async def crawl() -> list[str]:
        ingester = Ingester(str(unopenable), workers=1)
        await ingester.start()
        reasons = []
        for number in range(3):
            with pytest.raises(IngestError) as error:
                await asyncio.wait_for(ingester.archive(Source(f"https://a.example/{number}", QUFU), 1, "a", []), 30)
            reasons.append(str(error.value))
        await ingester.close()
        return reasons

    reasons = asyncio.run(crawl())
    assert reasons[1:] == ["the archiving worker exits (status 1) before archiving anything"] * 2
    assert "status 1" in reasons[0]


def test_ctrl_c_is_left_to_the_crawl(db_path: Path) -> None:
    """SIGINT (Ctrl-C reaches the whole process group) does not kill a worker: the crawl stops it."""
    run_id = new_run(db_path)

    async def crawl() -> tuple[int, int, str]:
        ingester, pid = await one_worker_after_one_document(db_path, run_id)
        worker = ingester.workers[0]
        assert worker.process is not None
        os.kill(pid, signal.SIGINT)
        after = await ingester.archive(Source("https://a.example/2.txt", QUFU), run_id, "a", [])
        await ingester.close()
        return pid, worker.process.pid, after.outcome.status

    before, after, status = asyncio.run(crawl())
    assert (after, status) == (before, "new")
