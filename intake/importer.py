"""``nianbao import``: local files and folders through the same ingest path as the crawler, committed in batches
(``intake.ingest.write_batched``)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

import sqlite_utils

from intake.ingest import Prepared, Source, prepare, unreadable

#: Files a folder import picks up. A file named on the command line is always tried: its type comes
#: from its bytes, not its name.
DOCUMENT_SUFFIXES = {".txt", ".html", ".htm", ".shtml", ".pdf", ".docx", ".doc", ".wps"}


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and the document files inside folders named (recursively, in name order)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.suffix.lower() in DOCUMENT_SUFFIXES and not child.name.startswith("."):
                    yield child
        else:
            yield path


def read_file(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, or OSError/ValueError with a reason fit for the summary."""
    info = path.stat()  # raises FileNotFoundError for a missing file or a dangling link
    if not stat.S_ISREG(info.st_mode):
        raise ValueError("not a regular file")
    if info.st_size > max_bytes:
        raise ValueError(f"too large: {info.st_size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    with path.open("rb") as handle:
        return handle.read(max_bytes + 1)


def file_url(path: Path) -> str:
    """A file:// URL naming the file by its absolute path (links not resolved: the name the user gave)."""
    return Path(os.path.abspath(path)).as_uri()


def prepare_file(db: sqlite_utils.Database, path: Path, max_bytes: int, ocr: bool = False) -> Prepared:
    """The file read, extracted and parsed, ready for ``intake.ingest.write`` (or a ``Batch``); a file that
    cannot be read is prepared as its failure."""
    url = file_url(path)
    try:
        data = read_file(path, max_bytes)
    except FileNotFoundError:
        return unreadable(url, "cannot read: no such file")
    except PermissionError:
        return unreadable(url, "cannot read: permission denied")
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return unreadable(url, f"cannot read: {reason}")
    return prepare(db, Source(url=url, data=data), ocr)
