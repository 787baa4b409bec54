"""One crawl at a time per archive: an advisory file lock beside the archive file.

flock is released by the kernel when the process dies, so a crawl killed with -9 never leaves a stale
lock behind (a PID file would).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class CrawlLocked(RuntimeError):
    """Another crawl holds the archive's lock."""


class CrawlLock:
    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        self.path = Path(f"{os.fspath(db_path)}.crawl.lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise CrawlLocked(f"another crawl (pid {holder}) is running on this archive; try again later") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
