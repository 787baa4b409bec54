"""Running a crawl: the parent side (`nianbao crawl`, `demo`, tests, benchmark) and the child process.

Each crawl runs Scrapy in a fresh child process (``python -m crawler.run``) because Twisted's reactor
cannot be restarted: one process can then run many crawls (a test session, the demo's two runs). The
child streams JSON lines (run id, progress) on stdout; the summary is read back from the archive.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from archive import db as archive_db
from crawler import settings as default_settings
from crawler import store

#: Exit status of the child when the crawl could not start (lock held, bad registry).
CANNOT_START = 3


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


class CrawlError(RuntimeError):
    """The crawl did not run (another crawl holds the lock, the registry is broken…)."""


def crawl(
    db_path: str | os.PathLike[str],
    options: CrawlOptions,
    on_progress: Callable[[dict[str, object]], None] | None = None,
    log_level: str = "ERROR",
) -> dict[str, object]:
    """Run one crawl in a child process; return its summary (crawler.store.run_summary)."""
    run_id, error = None, None
    for message in _child(db_path, options, log_level):
        run_id = message.get("run_id", run_id)
        error = message.get("error", error)
        if on_progress is not None:
            on_progress(message)
    if error or run_id is None:
        raise CrawlError(error or "the crawl process ended without starting a run")
    db = archive_db.connect(db_path)
    try:
        return store.run_summary(db, run_id)
    finally:
        db.close()


def check(options: CrawlOptions, log_level: str = "ERROR") -> list[dict[str, object]]:
    """A dry run (crawler.dryrun) in a child process: per portal, what it found, archiving nothing."""
    found, error = None, None
    for message in _child(os.devnull, replace(options, dry_run=True), log_level):
        found = message.get("check", found)
        error = message.get("error", error)
    if error or found is None:
        raise CrawlError(error or "the check process ended without a result")
    return list(found)


def _child(db_path: str | os.PathLike[str], options: CrawlOptions, log_level: str) -> Iterator[dict[str, Any]]:
    """Run the crawl child and yield each JSON line it prints."""
    command = [
        sys.executable,
        "-m",
        "crawler.run",
        "--db",
        os.fspath(db_path),
        "--options",
        json.dumps(asdict(options)),
    ]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "NIANBAO_LOG_LEVEL": log_level}
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as child:
        assert child.stdout is not None
        for line in child.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                yield message


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
        LOG_LEVEL=os.environ.get("NIANBAO_LOG_LEVEL", "ERROR"),
    )
    if options.dry_run:
        settings.update(ITEM_PIPELINES={"crawler.dryrun.CheckPipeline": 300}, NIANBAO_DRY_RUN=True)
    if options.timeout is not None:
        settings["DOWNLOAD_TIMEOUT"] = options.timeout
    if options.max_size_mb is not None:
        settings["DOWNLOAD_MAXSIZE"] = options.max_size_mb * 1024 * 1024
    return settings


def main() -> int:
    """The child: one Scrapy crawl of the chosen portals into the archive."""
    from scrapy.crawler import CrawlerProcess  # imported here: the parent never loads Twisted

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--options", required=True)
    args = parser.parse_args()
    options = CrawlOptions(**json.loads(args.options))
    process = CrawlerProcess(_settings(args.db, options))
    errors: list[str] = []
    deferred = process.crawl(
        "portal",
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


if __name__ == "__main__":
    sys.exit(main())
