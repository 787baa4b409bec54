"""One archiving worker process: documents in on stdin, outcomes out on stdout (crawler.ingester starts it).

    python -c "from crawler.ingest_worker import main; main()" ARCHIVE.db [CRAWL_PID]

(not ``-m``: the classes it pickles must be this module's, not ``__main__``'s)

Each message is a 4-byte big-endian length and a pickle: ``(number, Request)`` in, ``(number, Archived)``
or ``(number, str)`` (an unexpected error, one line) out. Whatever a library prints goes to stderr, so
it cannot corrupt the channel. Each document is extracted in the worker's bounded extraction child
(archive/bounded.py). Given the crawl's pid, the worker dies with the crawl (and its child and any
LibreOffice with it) instead of finishing a document nobody waits for.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
from dataclasses import dataclass
from typing import IO, Any

import sqlite_utils

from archive import db as archive_db
from archive.ingest import Outcome, Source, ingest
from crawler import store
from parsers import doc

_LENGTH = struct.Struct(">I")


@dataclass
class Request:
    source: Source
    run_id: int
    portal: str
    links: list[str]  # a report page's files, cached for the next run's conditional requests


@dataclass
class Archived:
    """What a worker tells the pipeline about one fetched document."""

    outcome: Outcome
    unchanged: bool  # the same bytes as this URL gave last time (a server that sends no validators)


def encode(message: Any) -> bytes:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(payload)) + payload


def archive(db: sqlite_utils.Database, request: Request) -> Archived:
    """Archive the document; its conditional-GET cache entry is written in the same transaction."""
    source = request.source
    cached = store.cached_sha256(db, source.url)

    def remember(db: sqlite_utils.Database, outcome: Outcome) -> None:
        assert outcome.sha256 is not None
        store.remember(db, request.portal, source.url, source.headers, outcome.sha256, request.links)

    outcome = ingest(db, source, request.run_id, also=remember)
    return Archived(outcome, outcome.status == "duplicate" and cached == outcome.sha256)


def _read(stream: IO[bytes]) -> Any | None:
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        return None  # the crawl closed our stdin: done
    return pickle.loads(stream.read(_LENGTH.unpack(header)[0]))


def main() -> None:
    # Ctrl-C reaches the whole process group: the crawl decides when to stop (it closes our stdin), so a
    # document is never cut off mid-way and recorded as a crash
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if len(sys.argv) > 2:
        doc.die_with_parent(int(sys.argv[2]), signal.SIGKILL)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    db = archive_db.connect(sys.argv[1])
    while (message := _read(sys.stdin.buffer)) is not None:
        number, request = message
        result: Archived | str
        try:
            result = archive(db, request)
        except Exception as error:  # a bug, not bad input (ingest records bad input itself): report, go on
            result = f"{type(error).__name__}: {error}"[:300]
        channel.write(encode((number, result)))
        channel.flush()
    db.close()
