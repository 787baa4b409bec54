"""``nianbao serve``: browse the archive in Datasette (see ``web.serve``).

Datasette and uvicorn are imported when the server starts or its help is shown, never by other commands.
"""

from __future__ import annotations

import click

from cli.common import CONTEXT, not_an_archive, printable, require_archive


class ServeCommand(click.Command):
    """``serve``, whose help ends with the request bounds: ``web.serve.Limits.help()``, read when
    the help is shown (importing web.serve imports Datasette)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from web.serve import Limits

        self.epilog = Limits.help()
        super().format_epilog(ctx, formatter)


@click.command("serve", cls=ServeCommand, context_settings=CONTEXT)
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="0: any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.pass_context
def serve_command(context: click.Context, port: int, host: str) -> None:
    """Browse, search, facet and download the archive in a web browser (Datasette), read-only.

    Opens nothing for writing: SQL typed into Datasette runs read-only, with a time limit. Pages:
    /<db>/browse (reports, facets, exact search box), /<db>/search (ranked, with snippets),
    /-/report/<id> (one report's tables and checks), canned queries on /<db>. The archive must exist
    (exit 2 otherwise: serving creates nothing).

    \b
    Examples:
      nianbao serve                       # http://127.0.0.1:8001/
      nianbao --db reports.db serve --port 8080
      nianbao serve --db reports.db
      NIANBAO_SERVE_TIME_LIMIT_MS=10000 nianbao serve
    """
    from archive.db import NotAnArchive
    from web import serve as archive_serve

    path = require_archive(context)
    try:
        limits = archive_serve.Limits.from_environment()
        archive_serve.prepare_archive(path)
    except NotAnArchive as error:  # a foreign or damaged SQLite database
        raise not_an_archive(path, error) from error
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        raise click.ClickException(str(error)) from error
    code = archive_serve.serve(
        path, host, port, limits, lambda url: click.echo(f"Serving {printable(path)} at {url} (Ctrl-C to stop)")
    )
    context.exit(code)
