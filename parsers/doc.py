"""Binary Word (.doc, and WPS files saved in its format) → DOCX with LibreOffice headless → python-docx.

antiword loses table 三 entirely; LibreOffice keeps every table, merged cells included. Each process uses
its own LibreOffice profile (``-env:UserInstallation``): two soffice instances sharing a profile block
each other or silently do nothing. Conversions within a process are serialised for the same reason. The
converter runs under a time limit and an address-space limit and is killed, with its children, on timeout.
"""

from __future__ import annotations

import atexit
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from parsers.document import DOC, ExtractedDocument, ExtractionError
from parsers.docx import extract_docx

TIME_LIMIT_S = 120.0  # the first conversion of a process also creates the profile (~2 s)
MEMORY_LIMIT = 4 * 1024**3  # bytes of address space for soffice
_LOCK = threading.Lock()
_PROFILE = Path(tempfile.gettempdir()) / f"nianbao-soffice-{os.getpid()}"
atexit.register(shutil.rmtree, _PROFILE, ignore_errors=True)


def extract_doc(data: bytes) -> ExtractedDocument:
    document = extract_docx(convert_to_docx(data), media_type=DOC)
    document.warnings.append("converted from binary Word format by LibreOffice")
    return document


def _soffice() -> str:
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    raise ExtractionError("cannot convert DOC: LibreOffice (soffice) is not installed; run scripts/setup.sh")


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def convert_to_docx(data: bytes) -> bytes:
    """The DOCX LibreOffice makes of ``data`` (any format it reads)."""
    soffice = _soffice()
    with _LOCK, tempfile.TemporaryDirectory(prefix="nianbao-doc-") as scratch:
        source = Path(scratch) / "document.doc"
        source.write_bytes(data)
        command = [
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
            preexec_fn=_limit_memory,  # only sets a limit between fork and exec
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
