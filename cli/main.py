"""The ``nianbao`` command: one group that assembles the subcommands, each defined in a module by topic.

Exit codes: 0 success; 1 the command ran but something failed or nothing matched (a file not imported, a
report not found, a report failing its checks); 2 the command was used wrongly (click's own convention:
an unknown option, a bad value, an --db that names no archive).

Start-up: each subcommand's module is imported when that command runs or is listed (``Commands``), and the
modules import their libraries inside the functions that use them: `nianbao --version` and `search` import
none of Datasette, pdfplumber, trafilatura, Scrapy, pyarrow or numpy, `parse` none but the extractors
(tests/test_cli_startup.py checks it; bench/cli.py measures the time).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

import click

from cli.common import CONTEXT, archive_option, import_sqlite_utils, note_db_given, with_db_option

#: Every subcommand, by the module that defines it: name → "module:attribute".
LAZY_COMMANDS = {
    "import": "cli.import_commands:import_command",
    "reextract": "cli.import_commands:reextract_command",
    "search": "cli.search_commands:search_command",
    "show": "cli.search_commands:show_command",
    "stats": "cli.search_commands:stats_command",
    "parse": "cli.parse_commands:parse_command",
    "checks": "cli.parse_commands:checks_command",
    "reparse": "cli.parse_commands:reparse_command",
    "serve": "cli.serve_commands:serve_command",
    "export": "cli.export_commands:export_command",
    "crawl": "cli.crawl_commands:crawl_command",
    "portals": "cli.crawl_commands:portals_command",
    "replica": "cli.crawl_commands:replica_command",
    "demo": "cli.crawl_commands:demo_command",
    "runs": "cli.runs_commands:runs_command",
    "worker": "cli.redis_commands:worker_command",
    "writer": "cli.redis_commands:writer_command",
}
#: Commands that read or write the archive, which take --db after their name too; for a group, which of
#: its subcommands do (``nianbao portals discover --db demo.db``).
ARCHIVE_COMMANDS: Mapping[str, tuple[str, ...]] = {
    "import": (),
    "search": (),
    "show": (),
    "stats": (),
    "reextract": (),
    "checks": (),
    "reparse": (),
    "export": (),
    "serve": (),
    "crawl": (),
    "demo": (),
    "portals": ("discover",),
    "runs": (),
    "writer": (),
}


class Commands(click.Group):
    """The subcommands, each imported from its module only when it is run or listed (click's pattern
    for lazily loading subcommands, https://click.palletsprojects.com/en/stable/complex/), each command
    that uses the archive taking --db after its name as well as before."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(LAZY_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in ARCHIVE_COMMANDS:
            import_sqlite_utils()  # first: the command's module may import it (with numpy)
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module_name, attribute = LAZY_COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module_name), attribute), cmd_name)
        command = super().get_command(ctx, cmd_name)
        if command is not None and cmd_name in ARCHIVE_COMMANDS:
            with_db_option(command)
            for name in ARCHIVE_COMMANDS[cmd_name]:
                if isinstance(command, click.Group) and name in command.commands:
                    with_db_option(command.commands[name])
        return command


@click.group(cls=Commands, context_settings=CONTEXT)
@archive_option
@click.version_option(package_name="nianbao")
@click.pass_context
def cli(context: click.Context, db_path: str) -> None:
    """nianbao (年报): an archive of government information-disclosure annual reports.

    \b
    Examples (from the nianbao folder, `.venv/bin/nianbao`; or put it on PATH first:
    export PATH="$PWD/.venv/bin:$PATH"):
      nianbao --db demo.db demo          # crawl the bundled offline replica of the portals
      nianbao crawl --strict             # crawl the real portals of the registry
      nianbao import reports/            # archive every report file in a folder
      nianbao search 复议 --year 2022     # reports of 2022 that mention 复议
      nianbao search 复议 --db demo.db    # --db before or after the command
      nianbao show 3                     # report 3: files, tables, checks
      nianbao parse report.pdf --json    # one file's record, no archive needed
      nianbao checks                     # reports whose numbers do not add up (exit 1 if any)
      nianbao export -o reports.csv      # a table for Excel, pandas or R
      nianbao serve                      # browse in a web browser (Datasette)
    """
    note_db_given(context, db_path)
