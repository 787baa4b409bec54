"""`nianbao worker` and `nianbao writer`, and `nianbao crawl --redis`'s processes: a crawl spread over machines
through Redis (crawler/redis_queue.py draws it; registered lazily in cli/main.py)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from cli.common import CONTEXT, archive_path, json_option, print_json
from crawler.run import CrawlOptions

REDIS_OPTION = click.option(
    "--redis",
    "url",
    required=True,
    metavar="URL",
    help="The Redis every crawler, worker and the writer share: redis://HOST:PORT/N (one crawl per database N).",
)
_ROOT = str(Path(__file__).resolve().parents[1])


def _server(url: str) -> Any:
    """A connected client, or a usage error naming the URL (exit 2)."""
    import redis

    from crawler import redis_queue

    try:
        server = redis_queue.connect(url)
        server.ping()
    except (redis.RedisError, ValueError) as error:
        raise click.BadParameter(f"cannot reach Redis at {url}: {error}", param_hint="'--redis'") from error
    return server


@click.command("worker", context_settings=CONTEXT)
@REDIS_OPTION
@click.option(
    "--archive",
    "archive",
    type=click.Path(dir_okay=False, exists=True),
    help="A copy of the archive to read (bytes it holds are not extracted again); none on other machines.",
)
@click.option("--until-done", is_flag=True, help="Exit once the run being crawled is over (default: serve on).")
@click.option(
    "--claim-after",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds a document may stay with a worker before another one takes it (its worker died).",
)
def worker_command(url: str, archive: str | None, until_done: bool, claim_after: float) -> None:
    """Extract and parse documents a distributed crawl fetched (`nianbao crawl --redis`), and hand them to
    its writer. Run any number, on any machines: extraction scales with them. A worker killed mid-document
    loses nothing: the document is taken again by another worker after --claim-after seconds.

    \b
    Examples:
      nianbao worker --redis redis://10.0.0.5:6379/0
      nianbao worker --redis redis://10.0.0.5:6379/0 --until-done
    """
    from crawler.redis_archive import serve_worker

    served = serve_worker(_server(url), archive, until_done, claim_after)
    click.echo(f"worker: {served} documents analysed", err=True)


@click.command("writer", context_settings=CONTEXT)
@REDIS_OPTION
@json_option("the run summary")
@click.option(
    "--claim-after",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds an entry may stay with a dead writer before this one takes it.",
)
@click.pass_context
def writer_command(context: click.Context, url: str, as_json: bool, claim_after: float) -> None:
    """Write a distributed crawl into the archive (--db): the one writer, on the archive's machine.

    Opens the run (or resumes the one Redis names, after a writer was stopped), publishes the archive's
    conditional-GET cache for the crawlers, writes what the workers analysed in batches (an entry is
    acknowledged only once its batch is committed; one per URL per run, so nothing re-delivered is
    written twice), and ends when the run is over: every request crawled, every document written. Prints
    the run's summary as `nianbao crawl` does (exit 0), and deletes the run's keys from Redis.

    \b
    Examples:
      nianbao --db /srv/nianbao.db writer --redis redis://127.0.0.1:6379/0
    """
    from cli.crawl_commands import describe
    from crawler import schema
    from crawler.redis_archive import Writer

    server = _server(url)
    db = schema.connect(archive_path(context))
    try:
        writer = Writer(server, db, claim_after)
        writer.open_run({"redis": url})
        summary = writer.serve()
    finally:
        db.close()
    if as_json:
        print_json(summary)
    else:
        click.echo(describe(summary))


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", *args]


def _env(url: str) -> dict[str, str]:
    env = {**os.environ, "NIANBAO_REDIS": url, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_ROOT, env.get("PYTHONPATH")]))
    return env


def crawler_env(url: str, verbose: bool = False) -> dict[str, str]:
    """The environment of a crawler's Scrapy child: $NIANBAO_REDIS switches crawler/settings.py to Redis."""
    return {**_env(url), "NIANBAO_LOG_LEVEL": "INFO" if verbose else "ERROR"}


def crawler_command(options: CrawlOptions) -> list[str]:
    """A crawler's Scrapy child (crawler.run, as a local crawl's); it writes no archive."""
    return [sys.executable, "-m", "crawler.run", "--db", os.devnull, "--options", json.dumps(asdict(options))]


@contextmanager
def _process(command: list[str], env: dict[str, str], output: bool) -> Iterator[subprocess.Popen[str]]:
    """A child process, stopped (SIGTERM) if still running when the block ends; its stdout piped if ``output``.
    Its stdin is a pipe never written: a crawler's Scrapy child stops gracefully when it closes (our end
    goes when we do, however we go: crawler/run.py ``_stop_when_parent_goes``)."""
    stdout = subprocess.PIPE if output else subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=stdout, text=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait()


def run_crawler(url: str, options: CrawlOptions, verbose: bool = False) -> str | None:
    """One crawler process until the shared crawl is over; its error, if it could not run."""
    with _process(crawler_command(options), crawler_env(url, verbose), output=True) as child:
        assert child.stdout is not None
        error = None
        for line in child.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and "error" in message:
                error = str(message["error"])
        code = child.wait()
    return error or (f"the crawler process ended with status {code}" if code else None)


def run_distributed(
    db_path: str, url: str, options: CrawlOptions, workers: int, verbose: bool = False
) -> dict[str, Any]:
    """`nianbao crawl --redis` on the archive's machine: the writer, ``workers`` workers and one crawler here
    (more crawlers and workers join from other machines through Redis); the writer's run summary. The
    workers start once the writer has opened the run (the archive exists then: they read it, so bytes it
    holds are not extracted again)."""
    from crawler import redis_queue

    server = _server(url)
    with contextlib.ExitStack() as stack:
        writing = stack.enter_context(
            _process(_command("--db", db_path, "writer", "--redis", url, "--json"), _env(url), output=True)
        )
        while not server.exists(redis_queue.RUN):
            if writing.poll() is not None:
                raise click.ClickException(f"the writer could not start (exit status {writing.returncode})")
            time.sleep(0.1)
        worker = _command("worker", "--redis", url, "--archive", db_path, "--until-done")
        for _ in range(workers):
            stack.enter_context(_process(worker, _env(url), output=False))
        error = run_crawler(url, options, verbose)
        if error:
            raise click.ClickException(f"crawl not run: {error}")
        assert writing.stdout is not None
        output = writing.stdout.read()
        if writing.wait() != 0:
            raise click.ClickException(f"the writer failed (exit status {writing.returncode})")
    summary: dict[str, Any] = json.loads(output)
    return summary
