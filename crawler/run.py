"""Running a crawl: the parent side (`nianbao crawl`, `demo`, tests, benchmark) and the child process.

Each crawl runs Scrapy in a fresh child process (``python -m crawler.run``) because Twisted's reactor
cannot be restarted: one process can then run many crawls (a test session, the demo's two runs). The
child streams JSON lines (run id, progress) on stdout; the summary is read back from the archive.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler import alerts, schema, store
from crawler import settings as default_settings
from intake.ingest import finish_run

if TYPE_CHECKING:
    from scrapy.crawler import CrawlerProcess

#: Exit status of the child when the crawl could not start (lock held, bad registry).
CANNOT_START = 3
#: Seconds the parent waits, once the crawl process has ended, for its archiving workers to finish the
#: documents they were handed (a DOC conversion may take LibreOffice's 120 s) before killing them.
WORKERS_GRACE = 150.0


@dataclass
class CrawlOptions:
    portals: list[str] = field(default_factory=list)
    year: int | None = None
    since: int | None = None
    via: str | None = None  # an HTTP proxy (the replica) every request goes through
    registry: str | None = None
    timeout: float | None = None
    max_size_mb: int | None = None
    fast: bool = False  # the replica's settings: no politeness delay (only for 127.0.0.1)
    dry_run: bool = False  # `portals check`: read and follow everything, archive nothing
    #: the request caps (crawler/settings.py NIANBAO_MAX_*), when not their defaults
    max_list_pages: int | None = None
    max_portal_requests: int | None = None
    max_run_requests: int | None = None
    warc: str | None = None  # a WARC file every request and response goes to (crawler/warc.py)


def warc_file(folder: str | os.PathLike[str]) -> Path:
    """The file a run's WARC goes to in ``folder`` (created if missing): ``nianbao-<UTC time>-<pid>.warc.gz``,
    named here, in the parent, so the run's options and summary say where it is (crawler/warc.py writes it)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    return Path(folder).resolve() / f"nianbao-{stamp}-{os.getpid()}.warc.gz"  # found from any folder later


class CrawlError(RuntimeError):
    """The crawl did not run (another crawl holds the lock, the registry is broken…)."""


def crawl(
    db_path: str | os.PathLike[str],
    options: CrawlOptions,
    on_progress: Callable[[dict[str, object]], None] | None = None,
    log_level: str = "ERROR",
) -> dict[str, object]:
    """Run one crawl in a child process; return its summary (crawler.store.run_summary) with the run's
    alerts (crawler.alerts, checked and stored here once the run's counts are in) and its comparison with
    the last comparable run (``compared``, None when there is none).

    A crawl that did not run to its end (stopped by a signal, killed, crashed) is ``interrupted``: its run
    is marked so here if the child could not, and the summary says why (``interrupted``) with what was
    archived meanwhile."""
    child = _Child(db_path, options, log_level)
    run_id, error = None, None
    for message in child.messages():
        run_id = message.get("run_id", run_id)
        error = message.get("error", error)
        if on_progress is not None:
            on_progress(message)
    if error or run_id is None:
        raise CrawlError(error or f"the crawl process ended without starting a run{child.ending()}")
    db = schema.connect(db_path)
    try:
        finish_run(db, run_id, "interrupted")  # only a run its process left running: a finished one stays so
        raised = alerts.check_run(db, run_id)
        summary = store.run_summary(db, run_id)
        summary["alerts"] = [alert.to_json() for alert in raised]
        summary["compared"] = alerts.compare(db, run_id)
    finally:
        db.close()
    if summary["status"] == "interrupted":
        summary["interrupted"] = child.why_interrupted()
    return summary


def check(options: CrawlOptions, log_level: str = "ERROR") -> list[dict[str, object]]:
    """A dry run (crawler.dryrun) in a child process: per portal, what it found, archiving nothing."""
    child = _Child(os.devnull, replace(options, dry_run=True), log_level)
    found, error = None, None
    for message in child.messages():
        found = message.get("check", found)
        error = message.get("error", error)
    if error or found is None:
        raise CrawlError(error or f"the check process ended without a result{child.ending()}")
    return list(found)


class _Child:
    """The crawl's child process (``python -m crawler.run``), in a process group of its own with its
    archiving workers.

    Ctrl-C or SIGTERM to the parent is passed on to the child once per signal (the first stops the crawl
    gracefully, a second at once, as Scrapy does); the terminal's Ctrl-C reaches the parent alone, so it
    is never counted twice. A parent that dies (kill -9) closes the child's stdin, and the child stops
    gracefully. When the child has ended, its workers still finish the documents they hold:
    they share the child's stderr, so the end of that pipe is the end of them all (at most WORKERS_GRACE
    seconds, then the group is killed). Only then is the archive read, so the summary counts every
    document archived."""

    def __init__(self, db_path: str | os.PathLike[str], options: CrawlOptions, log_level: str) -> None:
        self.command = [
            sys.executable,
            "-m",
            "crawler.run",
            "--db",
            os.fspath(db_path),
            "--options",
            json.dumps(asdict(options)),
        ]
        self.env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "NIANBAO_LOG_LEVEL": log_level}
        root = str(Path(__file__).resolve().parents[1])
        self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, self.env.get("PYTHONPATH")]))
        self.returncode: int | None = None
        self.forwarded: list[str] = []

    def messages(self) -> Iterator[dict[str, Any]]:
        """Run the child and yield each JSON line it prints; return once it and its workers are gone."""
        with subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,  # never written: its end tells the child we are gone (_stop_when_parent_goes)
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
            start_new_session=True,
        ) as child:
            assert child.stdout is not None and child.stderr is not None
            relay = threading.Thread(target=_relay, args=(child.stderr.fileno(),), name="crawl-stderr", daemon=True)
            relay.start()
            with _forwarding(child, self.forwarded):
                for line in child.stdout:
                    try:
                        message = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(message, dict):
                        yield message
                self.returncode = child.wait()
                relay.join(WORKERS_GRACE)
                if relay.is_alive():  # a worker still busy past the grace: stop the whole group
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(child.pid, signal.SIGKILL)
                    relay.join(1.0)  # killed: the pipe ends now, unless a stray process left the group

    def ending(self) -> str:
        """How the child ended, when not by itself: ' (killed by SIGKILL)', ' (exit status 1)', or ''."""
        code = self.returncode
        if code is None or code in (0, CANNOT_START):
            return ""
        return f" (killed by {_signal_name(-code)})" if code < 0 else f" (exit status {code})"

    def why_interrupted(self) -> str:
        """One line for an interrupted run's summary."""
        if self.returncode is not None and self.returncode < 0:
            return f"the crawl process was killed by {_signal_name(-self.returncode)}"
        if self.returncode not in (None, 0):
            return f"the crawl process crashed (exit status {self.returncode})"
        if self.forwarded:
            return f"stopped by {' then '.join(self.forwarded)} before its end"
        return "the crawl process was stopped (a shutdown signal) before its end"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _relay(fd: int) -> None:
    """Copy the child's stderr (Scrapy's log with -v, tracebacks) to ours until every holder has closed it."""
    with contextlib.suppress(OSError):  # our stderr closed, or the pipe closed under a straggler
        while chunk := os.read(fd, 65536):
            os.write(2, chunk)


@contextlib.contextmanager
def _forwarding(child: subprocess.Popen[str], forwarded: list[str]) -> Iterator[None]:
    """While the child runs, SIGINT and SIGTERM to this process are passed on to it (and listed), not
    fatal here: the parent stays to mark the run and print its summary; once the child has ended, one
    more stops its workers at once (a document cut off is rolled back whole). Signals are only ours to
    handle in the main thread; elsewhere (a crawl run from a thread) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def forward(signum: int, frame: object) -> None:
        forwarded.append(_signal_name(signum))
        with contextlib.suppress(ProcessLookupError):
            if child.poll() is None:
                child.send_signal(signum)
            else:  # the crawl is over, its workers are finishing: asked again, stop them now
                os.killpg(child.pid, signal.SIGKILL)

    previous = {signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _settings(db_path: str, options: CrawlOptions) -> dict[str, object]:
    settings: dict[str, object] = {
        name: getattr(default_settings, name) for name in dir(default_settings) if name.isupper()
    }
    if options.fast:
        settings.update(default_settings.REPLICA_SETTINGS)
    settings.update(
        NIANBAO_DB=db_path,
        NIANBAO_VIA=options.via or "",
        NIANBAO_PROGRESS=True,
        NIANBAO_OPTIONS={key: value for key, value in asdict(options).items() if value not in (None, [], {}, False)},
        NIANBAO_WARC="" if options.dry_run else options.warc or "",  # only what --warc asks for, never $NIANBAO_WARC
        LOG_LEVEL=os.environ.get("NIANBAO_LOG_LEVEL", "ERROR"),
    )
    if options.dry_run:
        settings.update(ITEM_PIPELINES={"crawler.dryrun.CheckPipeline": 300}, NIANBAO_DRY_RUN=True)
    if options.timeout is not None:
        settings["DOWNLOAD_TIMEOUT"] = options.timeout
    if options.max_size_mb is not None:
        settings["DOWNLOAD_MAXSIZE"] = options.max_size_mb * 1024 * 1024
    caps = {
        "NIANBAO_MAX_LIST_PAGES": options.max_list_pages,
        "NIANBAO_MAX_PORTAL_REQUESTS": options.max_portal_requests,
        "NIANBAO_MAX_RUN_REQUESTS": options.max_run_requests,
    }
    settings.update({name: value for name, value in caps.items() if value is not None})
    return settings


def main() -> int:
    """The child: one Scrapy crawl of the chosen portals into the archive."""
    from scrapy import signals  # imported here: the parent never loads Twisted
    from scrapy.crawler import CrawlerProcess

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--options", required=True)
    args = parser.parse_args()
    options = CrawlOptions(**json.loads(args.options))
    process = CrawlerProcess(_settings(args.db, options))
    crawler = process.create_crawler("portal")
    crawler.signals.connect(lambda: _stop_when_parent_goes(process), signal=signals.engine_started, weak=False)
    errors: list[str] = []
    deferred = process.crawl(
        crawler,
        portal=",".join(options.portals),
        year=options.year,
        since=options.since,
        registry_file=options.registry,
    )
    deferred.addErrback(lambda failure: errors.append(failure.getErrorMessage()))
    try:
        process.start()
    except Exception as error:  # the registry is checked when the spider is built, before the reactor
        errors.append(str(error))
    if errors:
        print(json.dumps({"error": errors[0]}, ensure_ascii=False), flush=True)
        return CANNOT_START
    return 0


def _stop_when_parent_goes(process: CrawlerProcess) -> None:
    """Stop the crawl as on Ctrl-C (the run marked interrupted) once the parent `nianbao crawl` is gone,
    however it went (SIGKILL included): its end of our stdin closes. A pipe rather than a parent-death
    signal, which Linux sends once for every thread of a dying parent (a second SIGTERM would make Scrapy
    stop at once, leaving the run unmarked)."""
    loop = asyncio.get_running_loop()

    def readable() -> None:
        if not os.read(sys.stdin.fileno(), 4096):
            loop.remove_reader(sys.stdin.fileno())
            process.stop()

    loop.add_reader(sys.stdin.fileno(), readable)


if __name__ == "__main__":
    sys.exit(main())
