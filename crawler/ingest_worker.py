"""One analysing worker process: documents in on stdin, analyses out on stdout (crawler.ingester starts it).

    python -c "from crawler.ingest_worker import main; main()" ARCHIVE.db [CRAWL_PID]

(not ``-m``: the classes it pickles must be this module's, not ``__main__``'s)

Each message is a 4-byte big-endian length and a pickle: ``(number, Request)`` in, ``(number, bytes)`` out
(the pickled ``Analysed``, which the crawl hands on to the archive writer, crawler/writer.py, without
unpickling it) or ``(number, str)`` (an unexpected error, one line). Whatever a library prints goes to
stderr, so it cannot corrupt the channel. Each document is extracted and parsed in the worker's bounded
extraction child (intake/bounded.py); bytes the archive holds already are not extracted again (the worker
reads the archive, it never writes it). Given the crawl's pid, the worker dies with the crawl (and its
child and any LibreOffice with it) instead of finishing a document nobody waits for.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import sys
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from archive import db as archive_db
from archive.db import write_transaction
from crawler import store
from intake.ingest import Outcome, Prepared, Source, prepare, write
from parsers import doc

_LENGTH = struct.Struct(">I")
#: Bytes read from a pipe at a time.
_CHUNK = 1 << 20


@dataclass
class Request:
    source: Source
    run_id: int
    portal: str
    links: list[str]  # a report page's files, cached for the next run's conditional requests


@dataclass
class Analysed:
    """One fetched document, extracted and parsed, on its way to the archive's one writer: everything the
    writer needs, nothing it must look up elsewhere. A plain picklable dataclass: today it travels over pipes
    (worker → crawl → writer, crawler/ingester.py); issue 15 carries it over a Redis stream."""

    prepared: Prepared
    run_id: int
    portal: str
    links: list[str]


@dataclass
class Archived:
    """What the writer tells the pipeline about one fetched document, once it is committed."""

    outcome: Outcome
    unchanged: bool  # the same bytes as this URL gave last time (a server that sends no validators)


def encode(message: Any) -> bytes:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(payload)) + payload


class Frames:
    """The length-prefixed messages (``encode``) arriving on a file descriptor, read as they come."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.start = 0  # where the first unread message begins in ``buffer``
        self.ended = False

    def next(self, timeout: float | None = None) -> Any | None:
        """The next message, unpickled; None if none came within ``timeout`` seconds (None: wait as long as it
        takes). Raises EOFError once the other end is closed and every whole message is read."""
        while (message := self._take()) is None:
            if self.ended:
                raise EOFError
            if not select.select([self.fd], [], [], timeout)[0]:
                return None
            chunk = os.read(self.fd, _CHUNK)
            self.ended = not chunk
            del self.buffer[: self.start]  # what was read already goes once per chunk, not once per message
            self.start = 0
            self.buffer += chunk
        return pickle.loads(message)

    def _take(self) -> bytes | None:
        body = self.start + _LENGTH.size
        if len(self.buffer) < body:
            return None
        end = body + _LENGTH.unpack_from(self.buffer, self.start)[0]
        if len(self.buffer) < end:
            return None
        self.start = end
        return bytes(self.buffer[body:end])


def analyse(db: sqlite_utils.Database | None, request: Request) -> Analysed:
    """Extract and parse the document (unless ``db`` holds its bytes already): what the writer needs of it."""
    return Analysed(prepare(db, request.source), request.run_id, request.portal, request.links)


class Remember:
    """What a crawl writes with each archived document, in its transaction (``intake.ingest.write``'s
    ``also``): the URL's conditional-GET cache entry; and whether the URL gave the same bytes last time."""

    def __init__(self, analysed: Analysed) -> None:
        self.analysed = analysed
        self.unchanged = False

    def __call__(self, db: sqlite_utils.Database, outcome: Outcome) -> None:
        source, sha256 = self.analysed.prepared.source, outcome.sha256
        assert sha256 is not None
        self.unchanged = outcome.status == "duplicate" and store.cached_sha256(db, source.url) == sha256
        store.remember(db, self.analysed.portal, source.url, source.headers, sha256, self.analysed.links)


def archive(db: sqlite_utils.Database, request: Request) -> Archived:
    """Analyse and write one document in a transaction of its own, in this process: what a worker and the
    writer do with it, without the pipes and the batch (tests, one-off tools)."""
    analysed = analyse(db, request)
    remember = Remember(analysed)
    with write_transaction(db):
        outcome = write(db, analysed.prepared, analysed.run_id, also=remember)
    return Archived(outcome, remember.unchanged)


def main() -> None:
    # Ctrl-C reaches the whole process group: the crawl decides when to stop (it closes our stdin), so a
    # document is never cut off mid-way and recorded as a crash
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if len(sys.argv) > 2:
        doc.die_with_parent(int(sys.argv[2]), signal.SIGKILL)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    db = archive_db.connect(sys.argv[1], migrate=False)  # read only: the crawl made and migrated the archive
    frames = Frames(sys.stdin.fileno())
    while True:
        try:
            message = frames.next()
        except EOFError:  # the crawl closed our stdin: done
            break
        assert message is not None  # no timeout: a message, or the end
        number, request = message
        result: bytes | str
        try:
            result = pickle.dumps(analyse(db, request), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # a bug, not bad input (prepare records bad input itself): report, go on
            result = f"{type(error).__name__}: {error}"[:300]
        channel.write(encode((number, result)))
        channel.flush()
    db.close()
