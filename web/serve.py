"""Serving an archive with Datasette, read-only, with the project's metadata, plugin and templates, bounded
in time and memory (``Limits``).

``make_datasette`` builds the instance (used by ``nianbao serve`` and usable in-process); ``serve`` binds the
socket first, so that ``--port 0`` can say which port it got, then runs Datasette under uvicorn in a worker
process that it replaces when a statement gets stuck.

Why a worker process: Datasette's time limit is a SQLite progress handler, called only between the steps
of SQLite's virtual machine, and one step can last minutes: ``randomblob(999999999)`` makes 1 GB in 3 s
(the issue's query ran 68 s and took 15 GB), LIKE, ``instr()`` and ``replace()`` are quadratic on long
values (a 400 KB value against a 40 KB pattern: 55 s in one step). Capping value lengths bounds what one
step allocates, not how long it can compare; nothing can interrupt that step, so the watchdog ends the
worker it runs in and a fresh worker, started at once on the same socket, serves the next requests.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import re
import resource
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import uvicorn
from datasette.app import Datasette
from datasette.database import Database, QueryInterrupted
from datasette.plugins import pm
from datasette.utils import escape_sqlite
from datasette.utils.sqlite import sqlite3

from archive import db as archive_db
from web import metadata, plugin

TEMPLATES = Path(__file__).parent / "templates"
ENVIRONMENT_PREFIX = "NIANBAO_SERVE_"
MB = 1024 * 1024
#: The exit status of a worker that a successor replaced (after a stuck statement).
REPLACED = 75
#: Ctrl-C and SIGTERM stop the server, its workers with it.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class Limits:
    """What one request may cost ``nianbao serve``. Each field is read from ``NIANBAO_SERVE_<FIELD>``
    (``NIANBAO_SERVE_TIME_LIMIT_MS=10000``): a whole number, at least 1. ``help`` says what it bounds."""

    time_limit_ms: int = field(
        default=3000,
        metadata={"help": "each SQL statement (400: took too long); one stuck twice as long ends its worker"},
    )
    memory_mb: int = field(
        default=2048,
        metadata={"help": "the server's memory (RLIMIT_DATA), SQLite's heap half of it (400: needs more memory)"},
    )
    max_value_mb: int = field(
        default=128,  # above every archived file: import and crawl take 50 MB by default, extraction 100 MB
        metadata={"help": "the longest string or BLOB a query may read or make (400: string or blob too big)"},
    )
    max_request_kb: int = field(
        default=64,
        metadata={"help": "the longest request line and headers (400), and SQL text (400: statement too long)"},
    )
    cache_mb: int = field(
        default=16,
        metadata={"help": "SQLite's page cache of each connection (one per SQL thread; the OS caches the file)"},
    )

    @staticmethod
    def help() -> str:
        """The bounds, their variables and defaults, for ``nianbao serve --help``."""
        lines = [f"  {ENVIRONMENT_PREFIX}{f.name.upper()}={f.default}: {f.metadata['help']}" for f in fields(Limits)]
        return "\b\nBounds (environment variables):\n" + "\n".join(lines)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Limits:
        """The defaults, changed by the ``NIANBAO_SERVE_*`` variables set; ValueError names a bad one."""
        values: dict[str, int] = {}
        for limit in fields(cls):
            name = ENVIRONMENT_PREFIX + limit.name.upper()
            text = environ.get(name)
            if text is None:
                continue
            if not text.strip().isdigit() or int(text) < 1:
                raise ValueError(f"{name} must be a whole number, at least 1, not {text!r}")
            values[limit.name] = int(text)
        return cls(**values)

    def plugin_config(self) -> dict[str, int]:
        """The limits each connection sets (``web.plugin.prepare_connection``)."""
        return {
            "max_value_bytes": self.max_value_mb * MB,
            "max_sql_bytes": self.max_request_kb * 1024,
            "cache_kb": self.cache_mb * 1024,
        }


#: Datasette settings: short cells in tables (report texts are long); the time limit comes from Limits.
SETTINGS = {
    "sql_time_limit_ms": Limits().time_limit_ms,
    "truncate_cells_html": 300,
    "facet_time_limit_ms": 500,
    "suggest_facets": False,  # suggestions run a query per column: slow on a large archive
}


class Watchdog:
    """Ends SQL work still running past ``limit_s``: one SQLite step that no time limit can stop.

    Every call Datasette makes on its SQL threads is watched (``WatchedExecutor``). ``run`` (a thread) fails
    the overdue calls with Datasette's QueryInterrupted, so that their requests are answered 400 "SQL query
    took too long", then calls ``on_stuck`` with the overrun, once: the thread itself cannot be stopped."""

    def __init__(self, limit_s: float, on_stuck: Callable[[float], None]) -> None:
        self.limit_s = limit_s
        self.on_stuck = on_stuck
        self._started: dict[Future[Any], float] = {}  # the calls running, and when each began
        self._lock = threading.Lock()

    @contextmanager
    def watch(self, call: Future[Any]) -> Iterator[None]:
        with self._lock:
            self._started[call] = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                del self._started[call]

    def run(self) -> None:
        while True:
            time.sleep(min(0.25, self.limit_s / 4))
            now = time.monotonic()
            with self._lock:
                overdue = {
                    call: now - started for call, started in self._started.items() if now - started > self.limit_s
                }
            if overdue:
                for call, seconds in overdue.items():
                    sql = f"(a statement still running after {seconds:.1f} s, in one SQLite step: ended)"
                    _settle(call, QueryInterrupted(None, sql, None))
                self.on_stuck(max(overdue.values()))
                return


def _settle(call: Future[Any], error: BaseException | None = None, result: Any = None) -> None:
    """Give ``call`` its outcome, unless the watchdog gave it one first."""
    try:
        if error is None:
            call.set_result(result)
        else:
            call.set_exception(error)
    except InvalidStateError:
        pass


def _forget_frames(error: BaseException) -> None:
    """Clear the locals of the frames ``error`` (and every error it chains) carries, here on the SQL thread.

    A failed query's traceback keeps Datasette's cursor alive. Freed later on the event loop (by the garbage
    collector, at any moment), the cursor finalises its statement, which waits for the connection's mutex;
    if a stuck step holds that mutex, the whole server stops until the step ends (seen in CI: the stuck
    query's own answer never came). Freed here, the cursor's connection is idle."""
    pending, seen = [error], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        pending.extend(chained for chained in (current.__cause__, current.__context__) if chained is not None)


class WatchedExecutor(ThreadPoolExecutor):
    """Datasette's SQL threads, each call watched by the watchdog (which may answer it before it ends)."""

    def __init__(self, watchdog: Watchdog, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="nianbao-sql")
        self.watchdog = watchdog

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        call: Future[Any] = Future()

        def watched() -> None:
            if not call.set_running_or_notify_cancel():
                return
            with self.watchdog.watch(call):
                try:
                    result = fn(*args, **kwargs)
                except BaseException as error:
                    _forget_frames(error)
                    _settle(call, error)
                else:
                    _settle(call, result=result)

        super().submit(watched)
        return call


def prepare_archive(path: Path) -> None:
    """Bring an existing archive's schema up to date (the browsing view is a migration); refuse a missing
    or empty one (serving creates nothing) and anything that is not an archive (NotAnArchive)."""
    if not archive_db.archive_exists(path):
        raise FileNotFoundError(f"no archive at {path}: create one with `nianbao import` or `nianbao crawl`")
    archive_db.connect(path).close()


#: A whole table's count, as Datasette's table page asks for it (``select count(*) from t``, no condition).
TABLE_COUNT = re.compile(r"select count\(\*\) from (\[[^\]]+\]|\w+) ?")
#: The longest a table page waits for that count before it shows the rows without it, in milliseconds: half
#: the second a page may take (record_cells, 19 million cells at 100,000 reports, takes 0.5–2 s to count).
TABLE_COUNT_LIMIT_MS = 500


class ArchiveDatabase(Database):
    """The archive as Datasette serves it, whole-table counts stopped by their time limits.

    SQLite answers a bare ``count(*)`` in one step of its virtual machine (OP_Count), which a time limit's
    progress handler never reaches: at 100,000 reports 0.8 s for record_cells (19 million cells) and for the
    search index's data, seconds under load (one step past twice the time limit ends the worker,
    ``Watchdog``). With a WHERE clause the count is a loop the limit stops. Datasette's database page counts
    each table within 5 ms ("Many rows" past it); a table page waits TABLE_COUNT_LIMIT_MS for its count, then
    shows its rows without one, as Datasette does when a count times out."""

    async def table_counts(self, limit: int = 10) -> dict[str, int | None]:
        counts: dict[str, int | None] = {}
        for table in await self.table_names():
            try:
                answer = await self.execute(
                    f"select count(*) from {escape_sqlite(table)} where 1", custom_time_limit=limit
                )
                counts[table] = answer.rows[0][0]
            except (QueryInterrupted, sqlite3.OperationalError, sqlite3.DatabaseError):
                counts[table] = None
        return counts

    async def execute(
        self,
        sql: str,
        params: Any = None,
        truncate: bool = False,
        custom_time_limit: int | None = None,
        page_size: int | None = None,
        log_sql_errors: bool = True,
    ) -> Any:
        if TABLE_COUNT.fullmatch(sql):
            sql = f"{sql.rstrip()} where 1"
            custom_time_limit = min(custom_time_limit or TABLE_COUNT_LIMIT_MS, TABLE_COUNT_LIMIT_MS)
        return await super().execute(
            sql,
            params,
            truncate=truncate,
            custom_time_limit=custom_time_limit,
            page_size=page_size,
            log_sql_errors=log_sql_errors,
        )


def make_datasette(path: Path, limits: Limits = Limits(), watchdog: Watchdog | None = None) -> Datasette:
    """A Datasette serving the archive at ``path`` read-only (the archive must be prepared), each
    connection under ``limits``; with a ``watchdog``, every SQL call is timed by it."""
    if pm.get_plugin(plugin.NAME) is None:
        pm.register(plugin, name=plugin.NAME)
    _plain_error_logs()
    database = path.stem  # Datasette names a database after its file
    datasette = Datasette(
        [str(path)],
        metadata={**metadata.build(database), "plugins": {plugin.NAME: limits.plugin_config()}},
        settings={**SETTINGS, "sql_time_limit_ms": limits.time_limit_ms},
        template_dir=str(TEMPLATES),
    )
    datasette.remove_database(database)  # before any query: no connection to it is open yet
    datasette.add_database(ArchiveDatabase(datasette, str(path), is_mutable=True), name=database)
    if watchdog is not None:  # before any query: Datasette starts its threads on the first one
        datasette.executor = WatchedExecutor(watchdog, datasette.setting("num_sql_threads"))
    return datasette


def _plain_error_logs() -> None:
    """Datasette prints every error it answers, refused SQL included, as a rich traceback with every local
    variable (the archive's values among them) on standard output whenever the ``rich`` package happens to be
    installed (a development tool brings it): some 20 KB per refused query, to a pipe that a supervisor may
    never read; once it fills, the server stops. Without rich, Datasette logs a plain traceback on standard
    error, and only for unexpected errors: the same whatever else is installed."""
    # Imported here, after datasette.app: imported first, this module registers as Datasette's default plugin
    # half-initialised (a circular import), without its error handler.
    from datasette import handle_exception as datasette_exceptions

    datasette_exceptions.rich = None


def serve(path: Path, host: str, port: int, limits: Limits, announce: Callable[[str], None]) -> int:
    """Serve until interrupted (Ctrl-C or SIGTERM: 0) or until the worker fails (its exit status).

    ``announce`` gets the URL (with the real port) once the socket listens. The socket stays open here;
    the worker serving it is forked, and replaced by a fresh one when it reports a stuck statement."""
    listener = socket.create_server((host, port))
    bound_host, bound_port = listener.getsockname()[:2]
    announce(f"http://{bound_host}:{bound_port}/")
    stop_reader, stop_writer = os.pipe()  # a signal only writes here: the loop below ends when it is readable
    previous = {signum: signal.signal(signum, lambda *_: os.write(stop_writer, b".")) for signum in STOP_SIGNALS}
    workers: list[multiprocessing.process.BaseProcess] = []  # the one serving last; before it, the ending ones
    try:
        while True:
            receiver = _start_worker(path, listener, limits, workers)
            while True:  # until the serving worker asks for a successor or ends
                ending = [worker.sentinel for worker in workers[:-1]]
                ready = wait([receiver, workers[-1].sentinel, stop_reader, *ending])
                if stop_reader in ready:
                    return 0
                workers[:-1] = [worker for worker in workers[:-1] if worker.is_alive()]  # reaps the ended
                if receiver in ready or workers[-1].sentinel in ready:
                    break
            if not _asks_for_successor(receiver):
                workers[-1].join()
                code = workers[-1].exitcode or 0
                return code if code >= 0 else 128 - code  # killed by signal N: 128 + N, as a shell says
            receiver.close()
    finally:
        _stop(workers, limits)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        os.close(stop_reader)
        os.close(stop_writer)


def _start_worker(
    path: Path, listener: socket.socket, limits: Limits, workers: list[multiprocessing.process.BaseProcess]
) -> Connection:
    """Fork a worker serving ``listener``, appended to ``workers``; the end of the pipe it asks for its
    successor on. (No thread runs in this process: forking is safe, and fast.)"""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_work, args=(path, listener, limits, sender, os.getpid()))
    worker.start()
    sender.close()
    workers.append(worker)
    return receiver


def _asks_for_successor(receiver: Connection) -> bool:
    try:
        return receiver.poll() and bool(receiver.recv())
    except EOFError:  # the worker ended without asking
        return False


def _stop(workers: list[multiprocessing.process.BaseProcess], limits: Limits) -> None:
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
    for worker in workers:
        worker.join(2 * limits.time_limit_ms / 1000)
        if worker.is_alive():
            worker.kill()
            worker.join()


def _work(path: Path, listener: socket.socket, limits: Limits, successor: Connection, parent: int) -> None:
    """The worker: Datasette under uvicorn on the inherited socket, memory capped, SQL watched."""
    _end_with(parent)
    for signum in STOP_SIGNALS:  # the parent's handlers; uvicorn installs its own
        signal.signal(signum, signal.SIG_DFL)
    _cap_memory(limits.memory_mb * MB)
    server: uvicorn.Server | None = None

    def stuck(seconds: float) -> None:
        print(
            f"nianbao serve: a statement has run {seconds:.1f} s, past its {limits.time_limit_ms} ms limit, in "
            "one SQLite step that cannot be interrupted: a new worker serves from now on",
            file=sys.stderr,
            flush=True,
        )
        successor.send(True)
        if server is not None:
            server.should_exit = True  # no new connections here; the others have the time limit to end
        time.sleep(limits.time_limit_ms / 1000)
        os._exit(REPLACED)

    watchdog = Watchdog(2 * limits.time_limit_ms / 1000, stuck)
    datasette = make_datasette(path, limits, watchdog)
    config = uvicorn.Config(
        datasette.app(),
        log_level="warning",
        lifespan="on",
        http="h11",
        h11_max_incomplete_event_size=limits.max_request_kb * 1024,
    )
    server = uvicorn.Server(config)
    threading.Thread(target=watchdog.run, name="nianbao-watchdog", daemon=True).start()
    server.run(sockets=[listener])


def _end_with(parent: int) -> None:
    """Have the kernel stop this process when its parent dies (PR_SET_PDEATHSIG), even by SIGKILL."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the call
        os._exit(0)


def _cap_memory(limit: int) -> None:
    """This process's data (RLIMIT_DATA: heap and private mappings) and SQLite's heap within it, so that
    an oversized answer fails with MemoryError instead of taking the machine."""
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    connection = sqlite3.connect(":memory:")  # the limits are the library's, for every connection
    connection.execute(f"PRAGMA hard_heap_limit = {limit // 2}")
    connection.execute(f"PRAGMA soft_heap_limit = {limit // 4}")
    connection.close()
