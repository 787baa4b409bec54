"""Extraction and parsing of each document in a child process under a memory ceiling and a deadline.

A hostile file (a DOCX asking for two billion grid columns, a PDF page of 250,000 line crossings, a
quadratic regular expression over a 2 MB line) takes the machine's memory or hours of CPU inside a library
that checks no limit between its steps. Only the kernel stops that from outside: the child runs under
``RLIMIT_AS`` (the memory ceiling), and the parent waits at most the deadline for its answer, then kills
the child's process group. Either is that document's failure, an ``ExtractionError`` whose reason names the
bound; the caller archives the bytes as a failed extraction and goes on with the next document.

One persistent child, not a fork per document: a fresh fork redoes every lazy initialisation of the
format libraries (measured on the fixtures: 125 ms a document forked from a cold parent, 66 ms from a
warmed one, 45 ms in-process); a warm child costs a pickle of the bytes and of the answer. The child is
forked from the caller (no new interpreter, no imports) on first use and again after one was killed; it
retires after answering once it has used half the room the ceiling left it at its start, so what one
document left behind never counts much against the next one's ceiling. It dies with its parent (``PR_SET_PDEATHSIG``).

Used by ``intake.ingest`` (``nianbao import``, ``reextract``, ``reparse`` and the crawl's archiving
workers) and by ``parse_bytes`` (``nianbao parse``).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import select
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from parsers import doc
from parsers.document import ExtractionError
from parsers.record import parse_bytes as _parse_bytes
from parsers.report import ReportRecord

#: Address space (MB) a document may add to what the extraction child inherits from its parent. The largest
#: real report seen needs ~300 MB to extract; a 15 MB DOCX within the zip-bomb limits asked for 4.7 GB.
MEMORY_LIMIT_MB = 2048
MEMORY_LIMIT_ENV = "NIANBAO_MEMORY_LIMIT_MB"
#: Seconds one document's extraction and parsing may take (a DOC's LibreOffice conversion included;
#: real reports take well under 10 s, a 100-page PDF ~5 s).
DEADLINE_S = 120.0
DEADLINE_ENV = "NIANBAO_DOCUMENT_TIMEOUT_S"

#: A child that dies with about this share of the ceiling in use ran out of memory (see ``_Child._death``).
NEAR_CEILING = 0.75

T = TypeVar("T")
R = TypeVar("R")
_LENGTH = struct.Struct(">Q")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Bounds:
    """The two bounds of one document, and the reasons a document fails with when it exceeds them."""

    memory_mb: int
    deadline_s: float

    @property
    def out_of_memory(self) -> str:
        return f"extraction ran out of memory ({self.memory_mb} MB ceiling)"

    @property
    def overtime(self) -> str:
        return f"extraction exceeded the {self.deadline_s:g} s deadline"


def current_bounds() -> Bounds:
    """The bounds from the environment (read at each document, so a test or a long run can change them)."""
    return Bounds(int(_positive(MEMORY_LIMIT_ENV, MEMORY_LIMIT_MB)), _positive(DEADLINE_ENV, DEADLINE_S))


def _positive(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        number = 0
    if number <= 0:  # the document fails saying so: a typo in a setting must not drop the bound silently
        raise ExtractionError(f"{name}={value!r} is not a positive number")
    return number


def run(task: Callable[[T], R], argument: T, more_time_s: float = 0) -> R:
    """``task(argument)`` in the extraction child, within the current bounds (the deadline extended by
    ``more_time_s``: OCR). ``task`` must be a module-level function (it goes to the child by name). Raises
    ExtractionError: the task's own, or the bound it exceeded, or how the child died."""
    bounds = current_bounds()
    bounds = Bounds(bounds.memory_mb, bounds.deadline_s + more_time_s)
    global _child
    with _LOCK:
        if _child is None or _child.memory_mb != bounds.memory_mb or not _child.alive():
            if _child is None:
                doc.remove_stale_scratch()  # what killed processes left in the temporary folder
            else:
                _child.stop()
            _child = _Child(bounds.memory_mb)
        return _child.call(task, argument, bounds)


def parse_bytes(data: bytes, url: str | None = None) -> ReportRecord:
    """``parsers.record.parse_bytes`` within the bounds (``nianbao parse``)."""
    return run(_parse_task, (data, url))


def _parse_task(job: tuple[bytes, str | None]) -> ReportRecord:
    return _parse_bytes(job[0], url=job[1])


_child: _Child | None = None
_LOCK = threading.Lock()


class _Child:
    """The parent's handle on one extraction child: its pid and the two pipes to it."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        requests_out, self.requests = os.pipe()
        self.answers, answers_in = os.pipe()
        parent = os.getpid()
        size, resident = _memory()
        self.unresident = size - resident  # mapped, never touched: counts against RLIMIT_AS, not in ru_maxrss
        self.baseline = size  # the address space the child inherits: the ceiling is the room a document adds
        for stream in (sys.stdout, sys.stderr):  # else the child inherits, and may print, their buffered text
            with contextlib.suppress(ValueError, OSError):
                stream.flush()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self.requests)
            os.close(self.answers)
            _serve(requests_out, answers_in, parent, memory_mb)
        os.close(requests_out)
        os.close(answers_in)
        os.set_blocking(self.requests, False)  # a child that stops reading cannot hold us past the deadline
        with contextlib.suppress(OSError):  # the child does the same: whichever runs first
            os.setpgid(self.pid, self.pid)

    def alive(self) -> bool:
        """False once the child has ended (killed from outside while idle: it is reaped here)."""
        if self.pid and os.waitpid(self.pid, os.WNOHANG) != (0, 0):
            self.pid = 0
        return self.pid != 0

    def call(self, task: Callable[[T], R], argument: T, bounds: Bounds) -> R:
        deadline = time.monotonic() + bounds.deadline_s
        request = pickle.dumps((task, argument), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            if not self._send(_LENGTH.pack(len(request)) + request, deadline):
                raise ExtractionError(bounds.overtime)
            answer = self._receive(deadline)
            if answer is None:
                raise ExtractionError(bounds.overtime)
        except BaseException:  # over the deadline, or Ctrl-C mid-document: no half-done child stays behind
            self.stop()
            raise
        if answer == b"":
            raise ExtractionError(self._death(bounds))
        (ok, value), retire = pickle.loads(answer)
        if retire:
            self.stop()
        if not ok:
            raise ExtractionError(value)
        return value

    def _send(self, request: bytes, deadline: float) -> bool:
        """Write the request; False if the deadline passed first (a child that stopped reading)."""
        view = memoryview(request)
        while view:
            if not _ready(self.requests, select.POLLOUT, deadline):
                return False
            try:
                view = view[os.write(self.requests, view[:_CHUNK]) :]
            except BlockingIOError:
                continue
            except BrokenPipeError:
                return True  # the child died: _receive reads the end of its answers and says how
        return True

    def _receive(self, deadline: float) -> bytes | None:
        """The answer's bytes; b"" if the child died first; None if the deadline passed."""
        received = bytearray()
        needed = _LENGTH.size
        while len(received) < needed:
            if not _ready(self.answers, select.POLLIN, deadline):
                return None
            chunk = os.read(self.answers, _CHUNK)
            if not chunk:
                return b""
            received += chunk
            if needed == _LENGTH.size and len(received) >= _LENGTH.size:
                needed += _LENGTH.unpack_from(received)[0]
        return bytes(received[_LENGTH.size :])

    def _death(self, bounds: Bounds) -> str:
        """Why the child ended without answering (it is reaped here, after what it left in its group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        _, status, usage = os.wait4(self.pid, 0)
        self.pid = 0
        self._close()
        # A C library that cannot allocate aborts (PDFium does). The kernel does not say why, so estimate the
        # address space at death: the peak resident memory plus what the child had mapped without touching
        # at its start (seen: 84-96 % of ceilings from 350 MB to 2 GB; less when a large realloc failed).
        used_mb = (usage.ru_maxrss * 1024 + self.unresident - self.baseline) / 2**20
        if used_mb >= NEAR_CEILING * bounds.memory_mb:
            return bounds.out_of_memory
        if os.WIFSIGNALED(status):
            how = signal.Signals(os.WTERMSIG(status)).name
        else:
            how = f"exit status {os.waitstatus_to_exitcode(status)}"
        return f"extraction crashed ({how}, ~{used_mb:.0f} MB of the {bounds.memory_mb} MB memory ceiling in use)"

    def stop(self) -> None:
        """Kill the child with everything in its process group, and reap it."""
        if self.pid:
            for kill in (os.killpg, os.kill):
                with contextlib.suppress(ProcessLookupError):
                    kill(self.pid, signal.SIGKILL)
                    break
            os.waitpid(self.pid, 0)
            self.pid = 0
        self._close()

    def _close(self) -> None:
        """After the child's end: close the pipes (once: their numbers may be reused), remove what a
        LibreOffice killed with the child left behind."""
        if self.requests < 0:
            return
        os.close(self.requests)
        os.close(self.answers)
        self.requests = self.answers = -1
        doc.remove_stale_scratch()


def _ready(fd: int, event: int, deadline: float) -> bool:
    poller = select.poll()
    poller.register(fd, event)
    remaining = deadline - time.monotonic()
    return remaining > 0 and bool(poller.poll(remaining * 1000))


def _serve(requests: int, answers: int, parent: int, memory_mb: int) -> NoReturn:
    """The child: answer requests until the parent closes the pipe, dies, or the child has grown too big."""
    try:
        os.setpgid(0, 0)
        doc.die_with_parent(parent, signal.SIGKILL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
        os.dup2(2, 1)  # what a library prints goes to stderr, never into the parent's --json output
        # the ceiling is the room a document may add to what the child inherits: a long-lived parent (a test
        # run with a browser driver, a crawl) must not leave a document less room than `nianbao import` does
        ceiling = _memory()[0] + memory_mb * 2**20
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            ceiling = min(ceiling, hard)
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))  # the hard limit stays: LibreOffice sets its own
        bounds = Bounds(memory_mb, 0)
        retire_above = (_memory()[0] + ceiling) // 2  # half the room the ceiling leaves us used up
        with os.fdopen(requests, "rb") as incoming, os.fdopen(answers, "wb") as outgoing:
            while header := incoming.read(_LENGTH.size):
                task, argument = pickle.loads(incoming.read(_LENGTH.unpack(header)[0]))
                answer = _answer(task, argument, bounds)
                del task, argument
                retire = answer == (False, bounds.out_of_memory) or _memory()[0] > retire_above
                outgoing.write(_pickled((answer, retire), bounds))
                outgoing.flush()
                if retire:
                    break
    finally:
        os._exit(0)


def _answer(task: Callable[[Any], Any], argument: Any, bounds: Bounds) -> tuple[bool, Any]:
    """(True, result) or (False, the reason of the failure)."""
    try:
        return True, task(argument)
    except MemoryError:
        return False, bounds.out_of_memory
    except ExtractionError as error:
        return False, bounds.out_of_memory if isinstance(error.__cause__, MemoryError) else str(error)
    except Exception as error:  # a bug of ours on this document: its failure, with the error
        return False, f"extraction failed: {type(error).__name__}: {error}"[:300]


def _pickled(message: tuple[tuple[bool, Any], bool], bounds: Bounds) -> bytes:
    try:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(((False, bounds.out_of_memory), True))
    return _LENGTH.pack(len(payload)) + payload


def _memory() -> tuple[int, int]:
    """This process's address space and resident memory, in bytes (Linux)."""
    with open("/proc/self/statm", "rb") as statm:
        size, resident = statm.read().split()[:2]
    return int(size) * resource.getpagesize(), int(resident) * resource.getpagesize()
