"""Archiving in worker processes, so extraction (tens of ms per new document) runs beside the downloads
on every core instead of stalling the crawl's one Python thread.

The workers (crawler.ingest_worker) are fed over pipes by the reactor's own asyncio loop: no threads
in the crawl process compete with the reactor for the GIL (a process pool's feeder and manager threads
cost the crawl as much time as all its downloads). ``archive.ingest.ingest`` is safe in several
processes at once: each document is one ``BEGIN IMMEDIATE`` transaction, and bytes another process
archived meanwhile become a sighting. Each document goes to the worker with the shortest queue.

A worker that dies (killed, or a bug of ours: a hostile file only costs the worker's bounded extraction
child, archive/bounded.py) costs one document, not the crawl: the document it was archiving fails with
the exit status as the reason, a new worker takes the ones queued behind it. A worker killed after its
document's transaction committed but before it answered has archived it: the outcome is read back from
the archive, and the document is not also recorded as failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import resource
import sys
from pathlib import Path

from sqlite_utils.utils import sqlite3

from archive import db as archive_db
from archive.ingest import Outcome, Source, recorded_outcome
from crawler.ingest_worker import Archived, Request, encode

_ROOT = Path(__file__).resolve().parents[1]
_LENGTH_BYTES = 4


class IngestError(RuntimeError):
    """A document could not be archived for a reason of ours, not of its bytes (a worker crash, a bug)."""


class _Worker:
    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.process: asyncio.subprocess.Process | None = None
        self.pending: dict[int, tuple[Request, asyncio.Future[Archived]]] = {}  # in the order sent
        self.sent = 0
        self.closing = False
        self.broken: str | None = None
        self.running = asyncio.Event()  # cleared while a dead worker is being replaced
        self.answered = 0  # by the current process
        self.fruitless_deaths = 0  # processes in a row that died before answering anything

    async def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
        # our pid: the worker dies with us (a parent-death signal, which fires when the thread that started
        # the worker ends: start workers from the event loop's thread, as the crawl does)
        command = [
            sys.executable,
            "-c",
            "from crawler.ingest_worker import main; main()",
            self.db_path,
            str(os.getpid()),
        ]
        pipe = asyncio.subprocess.PIPE
        self.process = await asyncio.create_subprocess_exec(*command, stdin=pipe, stdout=pipe, env=env)
        self.answered = 0
        self.reader = asyncio.ensure_future(self._read(self.process))
        self.running.set()

    async def archive(self, request: Request) -> Archived:
        await self.running.wait()
        if self.broken:
            raise IngestError(self.broken)
        future: asyncio.Future[Archived] = asyncio.get_running_loop().create_future()
        self._send(request, future)
        assert self.process is not None and self.process.stdin is not None
        with contextlib.suppress(ConnectionError):  # the worker died: the reader fails or re-sends this document
            await self.process.stdin.drain()  # back-pressure: a busy worker's pipe fills, the crawl waits
        return await future

    def _send(self, request: Request, future: asyncio.Future[Archived]) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.sent += 1
        self.pending[self.sent] = (request, future)
        self.process.stdin.write(encode((self.sent, request)))

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        try:
            while True:
                header = await process.stdout.readexactly(_LENGTH_BYTES)
                payload = await process.stdout.readexactly(int.from_bytes(header, "big"))
                number, result = _decode(payload)
                _, future = self.pending.pop(number)
                self.answered += 1
                if isinstance(result, str):
                    future.set_exception(IngestError(f"internal error while archiving: {result}"))
                else:
                    future.set_result(result)
        except asyncio.IncompleteReadError:  # the worker exited
            self.running.clear()
            status = await process.wait()
            if not self.closing:
                await self._restart(status)
        except Exception as error:  # an answer we cannot read: this worker is of no more use
            self.broken = f"the archiving worker's answer could not be read: {type(error).__name__}: {error}"
            for _, future in self.pending.values():
                future.set_exception(IngestError(self.broken))
            self.pending.clear()
            process.kill()

    async def _restart(self, status: int) -> None:
        """The oldest unanswered document was being archived when the worker died: it fails, the rest go
        to a new worker. Workers that die twice in a row before answering anything cannot start (a
        broken installation, an unopenable archive): this one gives up, its documents fail saying so."""
        queued = list(self.pending.values())
        self.pending.clear()
        self.fruitless_deaths = 0 if self.answered else self.fruitless_deaths + 1
        if self.fruitless_deaths >= 2 or (not queued and not self.answered):
            self.broken = f"the archiving worker exits (status {status}) before archiving anything"
            for _, future in queued:
                future.set_exception(IngestError(self.broken))
            self.running.set()
            return
        if queued:
            request, culprit = queued.pop(0)
            if (outcome := _archived_before(self.db_path, request)) is not None:
                culprit.set_result(Archived(outcome, unchanged=False))
            else:
                reason = f"the archiving worker crashed (exit status {status}) on this document"
                culprit.set_exception(IngestError(reason))
        await self.start()
        for request, waiting in queued:
            self._send(request, waiting)

    async def close(self) -> None:
        self.closing = True
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()
            await self.process.wait()
            await self.reader


def _archived_before(db_path: str, request: Request) -> Outcome | None:
    """What a dead worker archived of ``request`` before it died. Not read-only: after a writer's kill -9
    the next connection may have to recover the write-ahead log, which a read-only one cannot do. An
    archive that is not there stays not there."""
    if not Path(db_path).is_file():
        return None
    try:
        db = archive_db.connect(db_path, migrate=False)
    except (ValueError, sqlite3.Error):
        return None
    try:
        return recorded_outcome(db, request.source, request.run_id)
    except (sqlite3.Error, TypeError):  # not an archive; bytes that are not bytes (a bug the worker met)
        return None
    finally:
        db.close()


def _decode(payload: bytes) -> tuple[int, Archived | str]:
    number, result = pickle.loads(payload)
    return int(number), result


class Ingester:
    """``workers`` archiving processes; start and use them from the crawl's event loop."""

    def __init__(self, db_path: str, workers: int) -> None:
        self.workers = [_Worker(db_path) for _ in range(max(1, workers))]

    async def start(self) -> None:
        for worker in self.workers:
            await worker.start()

    async def archive(self, source: Source, run_id: int, portal: str, links: list[str]) -> Archived:
        """Archive ``source`` in a worker; raises IngestError if that worker crashed on it."""
        working = [worker for worker in self.workers if not worker.broken]
        if not working:
            raise IngestError(self.workers[0].broken or "no archiving worker")
        worker = min(working, key=lambda worker: len(worker.pending))
        return await worker.archive(Request(source, run_id, portal, links))

    async def close(self) -> float:
        """Let the workers finish and exit; returns the largest worker's peak memory in MB."""
        for worker in self.workers:
            await worker.close()
        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
