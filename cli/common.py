"""What every `nianbao` subcommand shares: click settings, opening the archive, JSON output."""

from __future__ import annotations

import json
import sys

import click
import sqlite_utils

from archive import db as archive_db
from archive import ingest

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def open_archive(context: click.Context) -> sqlite_utils.Database:
    """The archive named by the global --db (``context.obj``); a clear error instead of a traceback."""
    try:
        return archive_db.connect(context.find_root().obj)
    except (ValueError, RuntimeError) as error:
        raise click.ClickException(str(error)) from error


def print_json(value: object) -> None:
    click.echo(
        json.dumps(
            value, ensure_ascii=False, default=lambda item: list(item) if isinstance(item, (set, tuple)) else str(item)
        )
    )


def reextract_documents(
    context: click.Context, db: sqlite_utils.Database, ids: list[int], done: str, as_json: bool, ocr: bool = False
) -> None:
    """Extract and parse ``ids`` again from their stored bytes, with a progress bar and a summary
    (``done``: "re-extracted" or "re-parsed"); exits 1 if any failed (their old text stays)."""
    failures: dict[int, str] = {}
    with click.progressbar(ids, label=done, file=sys.stderr, hidden=not sys.stderr.isatty()) as bar:
        for document_id in bar:
            reason = ingest.reextract(db, document_id, ocr)
            if reason is not None:
                failures[document_id] = reason
    if as_json:
        print_json({done.replace("-", ""): len(ids) - len(failures), "failed": failures})
    else:
        for document_id, reason in failures.items():
            click.echo(f"failed     document {document_id}: {reason}")
        click.echo(f"{len(ids) - len(failures)} {done}, {len(failures)} failed")
    if failures:
        context.exit(1)
