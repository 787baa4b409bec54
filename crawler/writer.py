"""The crawl's one archive writer process: analysed documents in on stdin, outcomes out on stdout once committed
(crawler.ingester starts it and feeds it what the analysing workers, crawler/ingest_worker.py, made).

    python -c "from crawler.writer import main; main()" ARCHIVE.db [CRAWL_PID]

Each message is a 4-byte big-endian length and a pickle: ``(number, bytes)`` in (the pickled
``crawler.ingest_worker.Analysed``), ``(number, Archived)`` or ``(number, str)`` (an unexpected error, one
line) out. It writes in batches (``intake.ingest.Batch``: each document atomic, its conditional-GET cache
entry in its own savepoint) and commits a batch at 200 documents, 2 s after its first one, or as soon as
no document has come for ``IDLE_SECONDS`` (a slow crawl, or the last documents of one, are not held back).
Each document is answered only once its batch is committed: an answer is never taken back.

One writer, not one per worker: a batch needs the write lock for its whole transaction, and the workers'
per-document transactions queued for it (the crawl benchmark's two workers waited ~9 s for the lock in a
45 s crawl). Killed, it loses its open batch and nothing else: the crawl sends those documents to the next
writer (crawler/ingester.py). Given the crawl's pid, it dies with the crawl; the documents of its open
batch have no cache entry then, so the next run downloads them again.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from typing import IO

import sqlite_utils
from sqlite_utils.utils import sqlite3

from crawler import schema
from crawler.ingest_worker import Analysed, Archived, Frames, Remember, encode
from intake.ingest import Batch
from parsers import doc

#: Seconds without a new document after which the open batch is committed.
IDLE_SECONDS = 0.25


class Writer:
    """The batch being written and the answers it owes."""

    def __init__(self, db: sqlite_utils.Database, channel: IO[bytes]) -> None:
        self.batch: Batch[tuple[int, Remember]] = Batch(db)
        self.channel = channel
        self.numbers: list[int] = []  # of the documents in the open batch, to answer if its commit fails

    def run(self, frames: Frames) -> None:
        """Until the crawl closes our stdin: take documents, commit when the batch is due or input pauses."""
        while True:
            left = self.batch.seconds_left()
            try:
                message = frames.next(None if left is None else min(left, IDLE_SECONDS))
            except EOFError:
                break
            if message is not None:
                self.take(*message)
            if message is None or self.batch.due():
                self.commit()
        self.commit()

    def take(self, number: int, payload: bytes) -> None:
        try:
            analysed = pickle.loads(payload)
            if not isinstance(analysed, Analysed):
                raise TypeError(f"expected an Analysed document, got {type(analysed).__name__}")
        except Exception as error:  # a message we cannot read: that document's failure, not the writer's
            self.answer(number, f"{type(error).__name__}: {error}"[:300])
            self.channel.flush()
            return
        remember = Remember(analysed)
        self.batch.add((number, remember), analysed.prepared, analysed.run_id, remember)
        self.numbers.append(number)

    def commit(self) -> None:
        numbers, self.numbers = self.numbers, []
        try:
            written = self.batch.flush()
        except (sqlite3.Error, OSError) as error:  # the archive refused the commit: every document of it fails
            for number in numbers:
                self.answer(number, f"the batch could not be committed: {type(error).__name__}: {error}"[:300])
        else:
            for (number, remember), outcome in written:
                self.answer(number, Archived(outcome, remember.unchanged))
        self.channel.flush()

    def answer(self, number: int, result: Archived | str) -> None:
        self.channel.write(encode((number, result)))


def main() -> None:
    # Ctrl-C reaches the whole process group: the crawl decides when to stop (it closes our stdin), so a
    # batch is never cut off mid-way
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if len(sys.argv) > 2:
        doc.die_with_parent(int(sys.argv[2]), signal.SIGKILL)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    db = schema.connect(sys.argv[1])
    Writer(db, channel).run(Frames(sys.stdin.fileno()))
    db.close()
