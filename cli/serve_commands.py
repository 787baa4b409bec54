"""``nianbao serve``: browse the archive in Datasette (see ``archive.serve``)."""

from __future__ import annotations

from pathlib import Path

import click

from archive import serve as archive_serve
from cli.common import CONTEXT


@click.command("serve", context_settings=CONTEXT, epilog=archive_serve.Limits.help())
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="0: any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.pass_context
def serve_command(context: click.Context, port: int, host: str) -> None:
    """Browse, search, facet and download the archive in a web browser (Datasette), read-only.

    Opens nothing for writing: SQL typed into Datasette runs read-only, with a time limit. Pages:
    /<db>/browse (reports, facets, exact search box), /<db>/search (ranked, with snippets),
    /-/report/<id> (one report's tables and checks), canned queries on /<db>.

    \b
    Examples:
      nianbao serve                       # http://127.0.0.1:8001/
      nianbao --db reports.db serve --port 8080
      NIANBAO_SERVE_TIME_LIMIT_MS=10000 nianbao serve
    """
    from cli.main import printable  # here: cli.main imports this module once it is defined

    path = Path(context.obj)
    try:
        limits = archive_serve.Limits.from_environment()
        archive_serve.prepare_archive(path)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        raise click.ClickException(str(error)) from error
    code = archive_serve.serve(
        path, host, port, limits, lambda url: click.echo(f"Serving {printable(path)} at {url} (Ctrl-C to stop)")
    )
    context.exit(code)
