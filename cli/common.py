"""What every `nianbao` subcommand shares: click settings, opening the archive, JSON output."""

from __future__ import annotations

import json

import click
import sqlite_utils

from archive import db as archive_db

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
