"""Archiving beside the crawl: analysing worker processes and one writer process, so extraction (tens of ms per
new document) runs on every core beside the downloads instead of stalling the crawl's one Python thread, and
the archive is written by one process, in batches.

    crawl ──Request──▶ worker (crawler.ingest_worker: extract, parse) ──Analysed──▶ crawl ──▶ writer
    (crawler.writer: one transaction per batch) ──Archived, once committed──▶ crawl

The processes are fed over pipes by the reactor's own asyncio loop: no threads in the crawl process compete
with the reactor for the GIL (a process pool's feeder and manager threads cost the crawl as much time as all
its downloads). The crawl relays each analysis to the writer as the bytes the worker made, never unpickling
it. Each document goes to the worker with the shortest queue. ``submit`` returns once the writer has the
document, so the crawl does not hold a response while its batch fills; the future it returns is answered
once the batch is committed.

A worker that dies (killed, or a bug of ours: a hostile file only costs the worker's bounded extraction
child, intake/bounded.py) costs one document, not the crawl: the document it was analysing fails with the
exit status as the reason, a new worker takes the ones queued behind it. A writer that dies loses its open
batch, not its documents: those committed before it died are read back from the archive (and not also
recorded as failed), the others go to a new writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import resource
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import sqlite_utils
from sqlite_utils.utils import sqlite3

from archive import db as archive_db
from crawler.ingest_worker import Archived, Request, encode
from intake.ingest import Outcome, Source, recorded_outcome

_ROOT = Path(__file__).resolve().parents[1]
_LENGTH_BYTES = 4
#: What a child answers: the pickled analysis (a worker) or the committed outcome (the writer).
A = TypeVar("A")


class IngestError(RuntimeError):
    """A document could not be archived for a reason of ours, not of its bytes (a worker crash, a bug)."""


@dataclass
class _Pending(Generic[A]):
    """A document handed to a child and not yet answered: what to send again to the child's successor."""

    number: int
    request: Request
    frame: bytes  # the message as sent: (number, body)
    future: asyncio.Future[A]


class _Child(Generic[A]):
    """A child process answering numbered messages over its stdin and stdout (``crawler.ingest_worker.encode``),
    replaced when it dies. What a death costs is the subclass's ``_after_death``."""

    module = ""  #: the module whose ``main`` the child runs
    role = ""  #: what the child is called in reasons
    work = ""  #: what it does, for "exits before <work> anything"

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.process: asyncio.subprocess.Process | None = None
        self.pending: dict[int, _Pending[A]] = {}  # in the order sent
        self.sent = 0
        self.closing = False
        self.broken: str | None = None
        self.running = asyncio.Event()  # cleared while a dead child is being replaced
        self.answered = 0  # by the current process
        self.fruitless_deaths = 0  # processes in a row that died before answering anything

    async def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
        # our pid: the child dies with us (a parent-death signal, which fires when the thread that started
        # the child ends: start children from the event loop's thread, as the crawl does)
        command = [sys.executable, "-c", f"from {self.module} import main; main()", self.db_path, str(os.getpid())]
        pipe = asyncio.subprocess.PIPE
        self.process = await asyncio.create_subprocess_exec(*command, stdin=pipe, stdout=pipe, env=env)
        self.answered = 0
        self.reader = asyncio.ensure_future(self._read(self.process))
        self.running.set()

    async def send(self, request: Request, body: object) -> asyncio.Future[A]:
        """Send ``body`` about ``request``; the future is answered by the child (or fails with IngestError).
        Waits while a dead child is replaced, and while the child's pipe is full (back-pressure)."""
        await self.running.wait()
        future: asyncio.Future[A] = asyncio.get_running_loop().create_future()
        if self.broken:
            future.set_exception(IngestError(self.broken))
            return future
        self.sent += 1
        self._send(_Pending(self.sent, request, encode((self.sent, body)), future))
        assert self.process is not None and self.process.stdin is not None
        with contextlib.suppress(ConnectionError):  # the child died: the reader answers or re-sends this one
            await self.process.stdin.drain()
        return future

    def _send(self, pending: _Pending[A]) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.pending[pending.number] = pending
        self.process.stdin.write(pending.frame)

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        try:
            while True:
                header = await process.stdout.readexactly(_LENGTH_BYTES)
                number, result = pickle.loads(await process.stdout.readexactly(int.from_bytes(header, "big")))
                future = self.pending.pop(int(number)).future
                self.answered += 1
                if future.done():  # its caller gave up waiting (cancelled)
                    continue
                if isinstance(result, str):
                    future.set_exception(IngestError(f"internal error while archiving: {result}"))
                else:
                    future.set_result(result)
        except asyncio.IncompleteReadError:  # the child exited
            self.running.clear()
            status = await process.wait()
            if not self.closing:
                await self._restart(status)
            elif self.pending:  # died while finishing: what it settled is answered, the rest fails
                unsettled = self._after_death(list(self.pending.values()), status)
                self.pending.clear()
                self._fail(unsettled, f"the {self.role} ended (exit status {status}) before answering")
        except Exception as error:  # an answer we cannot read: this child is of no more use
            self.broken = f"the {self.role}'s answer could not be read: {type(error).__name__}: {error}"
            self._fail(list(self.pending.values()), self.broken)
            self.pending.clear()
            process.kill()

    async def _restart(self, status: int) -> None:
        """A child that dies twice in a row before answering anything cannot start (a broken installation,
        an unopenable archive): it is not started again, its documents fail saying so. Otherwise what the
        death costs is ``_after_death``'s to say, and the rest go to a new child."""
        queued = list(self.pending.values())
        self.pending.clear()
        self.fruitless_deaths = 0 if self.answered else self.fruitless_deaths + 1
        if self.fruitless_deaths >= 2 or (not queued and not self.answered):
            self.broken = f"the {self.role} exits (status {status}) before {self.work} anything"
            self._fail(queued, self.broken)
            self.running.set()
            return
        again = self._after_death(queued, status)
        await self.start()
        for pending in again:
            self._send(pending)

    def _after_death(self, queued: list[_Pending[A]], status: int) -> list[_Pending[A]]:
        """Answer what the dead child's death settles; return what to send to its successor."""
        raise NotImplementedError

    @staticmethod
    def _fail(queued: list[_Pending[A]], reason: str) -> None:
        for pending in queued:
            if not pending.future.done():
                pending.future.set_exception(IngestError(reason))

    async def close(self) -> None:
        self.closing = True
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()
            await self.process.wait()
            await self.reader


class _Worker(_Child[bytes]):
    """Extracts and parses (crawler.ingest_worker): answers each document with its pickled analysis."""

    module, role, work = "crawler.ingest_worker", "archiving worker", "archiving"

    def _after_death(self, queued: list[_Pending[bytes]], status: int) -> list[_Pending[bytes]]:
        """The oldest unanswered document was being analysed when the worker died: it fails."""
        if queued:
            self._fail(queued[:1], f"the archiving worker crashed (exit status {status}) on this document")
        return queued[1:]


class _Writer(_Child[Archived]):
    """Writes in batches (crawler.writer): answers each document once its batch is committed."""

    module, role, work = "crawler.writer", "archive writer", "writing"

    def _after_death(self, queued: list[_Pending[Archived]], status: int) -> list[_Pending[Archived]]:
        """Documents the dead writer committed before it could answer are answered from the archive (not also
        recorded as failed); those of its open batch, lost with it, go to the next writer."""
        committed = _archived_before(self.db_path, [pending.request for pending in queued])
        again = []
        for pending, outcome in zip(queued, committed, strict=True):
            if outcome is None:
                again.append(pending)
            elif not pending.future.done():
                pending.future.set_result(Archived(outcome, unchanged=False))
        return again


def _archived_before(db_path: str, requests: list[Request]) -> list[Outcome | None]:
    """What a dead writer committed of ``requests`` before it died. Not read-only: after a writer's kill -9
    the next connection may have to recover the write-ahead log, which a read-only one cannot do. An
    archive that is not there stays not there."""
    if not requests or not Path(db_path).is_file():
        return [None] * len(requests)
    try:
        db = archive_db.connect(db_path, migrate=False)
    except (ValueError, sqlite3.Error):
        return [None] * len(requests)
    try:
        return [_recorded(db, request) for request in requests]
    finally:
        db.close()


def _recorded(db: sqlite_utils.Database, request: Request) -> Outcome | None:
    try:
        return recorded_outcome(db, request.source, request.run_id)
    except (sqlite3.Error, TypeError):  # not an archive; bytes that are not bytes (a bug the worker met)
        return None


class Ingester:
    """``workers`` analysing processes and one writer; start and use them from the crawl's event loop."""

    def __init__(self, db_path: str, workers: int) -> None:
        self.workers = [_Worker(db_path) for _ in range(max(1, workers))]
        self.writer = _Writer(db_path)

    async def start(self) -> None:
        for worker in self.workers:
            await worker.start()
        await self.writer.start()

    async def submit(self, source: Source, run_id: int, portal: str, links: list[str]) -> asyncio.Future[Archived]:
        """Analyse ``source`` in a worker and hand it to the writer; raises IngestError if that worker crashed
        on it. The future is answered once the document's batch is committed (or fails with IngestError)."""
        working = [worker for worker in self.workers if not worker.broken]
        if not working:
            raise IngestError(self.workers[0].broken or "no archiving worker")
        worker = min(working, key=lambda worker: len(worker.pending))
        request = Request(source, run_id, portal, links)
        analysed = await (await worker.send(request, request))
        return await self.writer.send(request, analysed)

    async def archive(self, source: Source, run_id: int, portal: str, links: list[str]) -> Archived:
        """``submit``, and wait for the commit."""
        return await (await self.submit(source, run_id, portal, links))

    async def close(self) -> float:
        """Let the workers finish, then the writer commit and exit; returns the largest child's peak memory in MB."""
        for worker in self.workers:
            await worker.close()
        await self.writer.close()
        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
