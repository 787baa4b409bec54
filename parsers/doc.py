"""Binary Word (.doc, and WPS files saved in its format) → DOCX with LibreOffice headless → python-docx.

antiword loses table 三 entirely; LibreOffice keeps every table, merged cells included. Each process uses
its own LibreOffice profile (``-env:UserInstallation``): two soffice instances sharing a profile block
each other or silently do nothing. Conversions within a process are serialised for the same reason. The
converter runs under a time limit and an address-space limit and is killed, with its children, on timeout.

LibreOffice never outlives its caller: ``soffice`` is a script that runs ``oosplash``, which starts
``soffice.bin`` as its child, so a parent-death signal on the process we start would reach ``oosplash``
only. A small shell guard is started instead, in a process group of its own with ``PR_SET_PDEATHSIG``: when
the caller dies (a deadline, a kill -9) the guard gets SIGTERM and kills its whole group, LibreOffice
included. Scratch folders and profiles carry their process id, and those of dead processes are removed at
the next start (``remove_stale_scratch``). A conversion that yields unreadable text (a corrupt file that
LibreOffice reads as 8-bit text: no Chinese character, many characters of no script a report uses) is an
ExtractionError, not a report of mojibake.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from parsers.document import DOC, ExtractedDocument, ExtractionError

TIME_LIMIT_S = 120.0  # the first conversion of a process also creates the profile (~2 s)
MEMORY_LIMIT = 4 * 1024**3  # bytes of address space for soffice
#: In a text without a single Chinese character, this share of characters of no script a report uses
#: (U+FFFD, control characters, Latin-1 letters of UTF-16 read as bytes…) makes it unreadable; with Chinese
#: characters, GARBLED_SHARE does. Real reports have none; the corrupt DOCs seen: 5–21 % and no CJK.
UNREADABLE_SHARE = 0.02
GARBLED_SHARE = 0.25
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_READABLE = re.compile(  # whitespace, ASCII, CJK, general and CJK punctuation, full-width forms, ①, ·×°
    r"[\s\x20-\x7e\u00a0\u00b0\u00b7\u00d7\u2000-\u206f\u2100-\u218f\u2460-\u24ff\u2500-\u257f"
    r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)
_LOCK = threading.Lock()
_SCRATCH = "nianbao-doc-"  # + the process id + a random part
_PROFILES = "nianbao-soffice-"  # + the process id
_PROFILE = Path(tempfile.gettempdir()) / f"{_PROFILES}{os.getpid()}"
atexit.register(shutil.rmtree, _PROFILE, ignore_errors=True)
#: Starts LibreOffice and, on SIGTERM (the parent-death signal), kills its own process group: LibreOffice too.
_GUARD = 'trap "kill -KILL 0" TERM; "$@" & wait $!'
_PR_SET_PDEATHSIG = 1
#: Loaded once: loading a library between fork and exec could deadlock.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def extract_doc(data: bytes) -> ExtractedDocument:
    from parsers.docx import extract_docx  # python-docx loads only when a DOC comes

    document = extract_docx(convert_to_docx(data), media_type=DOC)
    _refuse_unreadable(document.text)
    document.warnings.append("converted from binary Word format by LibreOffice")
    return document


def _refuse_unreadable(text: str) -> None:
    """Raise if LibreOffice read the file as garbage (see UNREADABLE_SHARE)."""
    if not text:
        return  # a DOC of images only: nothing read, nothing wrong (it may need OCR)
    share = 1 - len(_READABLE.findall(text)) / len(text)
    chinese = _CHINESE.search(text) is not None
    if share >= GARBLED_SHARE or (not chinese and share >= UNREADABLE_SHARE):
        what = "Chinese characters" if chinese else "no Chinese characters"
        raise ExtractionError(
            f"LibreOffice read the DOC as unreadable text ({what}, {share:.0%} unreadable characters): a corrupt file"
        )


def die_with_parent(parent: int, signal_number: int) -> None:
    """Have the kernel send ``signal_number`` to this process when its parent dies (Linux); exit at once if
    the parent is already gone. Call in a child between fork and its work (or exec)."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal_number, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def remove_stale_scratch() -> None:
    """Remove the scratch folders and profiles of processes that no longer run (killed mid-conversion).
    Folders named before they carried a process id go once older than a conversion can take."""
    folder = Path(tempfile.gettempdir())
    for path in [*folder.glob(f"{_SCRATCH}*"), *folder.glob(f"{_PROFILES}*")]:
        owner = path.name.removeprefix(_SCRATCH).removeprefix(_PROFILES).split("-")[0]
        stale = not _running(int(owner)) if owner.isdigit() else _age(path) > TIME_LIMIT_S
        if stale:
            shutil.rmtree(path, ignore_errors=True)


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:  # removed meanwhile
        return 0.0


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A process that has ended but not been reaped (where nothing reaps orphans, as in some containers)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _soffice() -> str:
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    raise ExtractionError("cannot convert DOC: LibreOffice (soffice) is not installed; run scripts/setup.sh")


def _prepare_guard(parent: int) -> None:
    """Between fork and exec of the guard: it gets SIGTERM when we die, and an address-space limit."""
    die_with_parent(parent, signal.SIGTERM)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def convert_to_docx(data: bytes) -> bytes:
    """The DOCX LibreOffice makes of ``data`` (any format it reads)."""
    soffice = _soffice()
    with _LOCK, tempfile.TemporaryDirectory(prefix=f"{_SCRATCH}{os.getpid()}-") as scratch:
        source = Path(scratch) / "document.doc"
        source.write_bytes(data)
        command = [
            "/bin/sh",
            "-c",
            _GUARD,
            "nianbao-soffice-guard",
            soffice,
            f"-env:UserInstallation={_PROFILE.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            scratch,
            str(source),
        ]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so a timeout kills soffice.bin too
            preexec_fn=functools.partial(_prepare_guard, os.getpid()),  # runs between fork and exec
        )
        try:
            _, stderr = process.communicate(timeout=TIME_LIMIT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ExtractionError(f"LibreOffice took over {TIME_LIMIT_S:.0f} s converting the DOC") from None
        target = Path(scratch) / "document.docx"
        if not target.exists():
            detail = stderr.decode(errors="replace").strip().splitlines()
            reason = detail[-1] if detail else f"exit status {process.returncode}"
            raise ExtractionError(f"LibreOffice could not convert the DOC: {reason}")
        return target.read_bytes()
