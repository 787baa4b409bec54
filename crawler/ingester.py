"""Archiving in worker processes, so extraction (tens of ms per new document) runs beside the downloads
on every core instead of stalling the crawl's one Python thread.

``archive.ingest.ingest`` is safe to run in several processes at once: each document is one
``BEGIN IMMEDIATE`` transaction, report linking happens inside it, and bytes another process archived
meanwhile become a sighting. Documents are still routed to a worker by their content hash, so that
identical bytes queue on the same worker and are extracted once, not once per worker.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import resource
from concurrent.futures import Future, ProcessPoolExecutor

import sqlite_utils

from archive import db as archive_db
from archive.ingest import Outcome, Source, ingest

_worker_db: sqlite_utils.Database | None = None


def _open(db_path: str) -> None:
    global _worker_db
    _worker_db = archive_db.connect(db_path)


def _ingest(source: Source, run_id: int) -> Outcome:
    assert _worker_db is not None
    return ingest(_worker_db, source, run_id)


class Ingester:
    def __init__(self, db_path: str, workers: int) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process running a reactor
        self.pools = [
            ProcessPoolExecutor(1, mp_context=context, initializer=_open, initargs=(db_path,))
            for _ in range(max(1, workers))
        ]

    def submit(self, source: Source, run_id: int) -> Future[Outcome]:
        digest = hashlib.sha256(source.data).digest()
        pool = self.pools[int.from_bytes(digest[:4], "big") % len(self.pools)]
        return pool.submit(_ingest, source, run_id)

    def close(self) -> float:
        """Stop the workers; returns the largest worker's peak memory in MB."""
        for pool in self.pools:
            pool.shutdown()
        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
