"""``nianbao parse``, ``nianbao checks`` and ``nianbao reparse``: the structured record on the command line.

The parser and the archive are imported inside the commands: `nianbao parse` imports no archive code, and
neither command is paid for by the others' start-up (cli/main.py loads this module only to run them).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, cast

import click

from cli.common import CONTEXT, ROW_ID, json_option, open_archive, print_json, printable, reextract_documents
from parsers.checks import cross_year_checks, run_checks
from parsers.report import ReportRecord

#: Every check's name, as the record names them (an empty record still names each one, skipped), for
#: --check: an unknown name is a usage error listing these.
_EMPTY = cast(ReportRecord, {})
CHECK_NAMES = sorted({*run_checks(_EMPTY), *cross_year_checks(_EMPTY, _EMPTY)})
#: What `nianbao checks --status` lists besides failed checks; each is a problem, so a listing exits 1.
LISTED_STATUSES = ["fail", "incomplete", "not_a_report", "unparsed"]


@click.command("parse", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@json_option(help_text="One JSON object (the record) per file, one per line.")
def parse_command(files: tuple[Path, ...], as_json: bool) -> None:
    """Print the structured record of report files (any supported type); no archive needed.

    The record holds the identity fields and the three statistics tables (docs/report-fields.md),
    blanks that the tables' arithmetic fixes (listed in "inferred") and every consistency check.
    Exits 1 if a file cannot be read.

    \b
    Examples:
      nianbao parse report.pdf
      nianbao parse seeds/*.txt --json | jq -c '[.agency, .year, .applications.new_received]'
    """
    from cli.render import render_record
    from intake.bounded import parse_bytes  # within the memory ceiling and deadline of every document
    from parsers.document import ExtractionError

    failed = False
    for path in files:
        try:
            record = parse_bytes(path.read_bytes(), url=path.resolve().as_uri())
        except (OSError, ExtractionError) as error:
            click.echo(f"{printable(path)}: {printable(str(error))}", err=True)
            failed = True
            continue
        if as_json:
            print_json(record)
        else:
            click.echo(f"== {printable(path)}")
            click.echo(render_record(record, color=sys.stdout.isatty()))
    if failed:
        sys.exit(1)


@click.command("checks", context_settings=CONTEXT)
@click.option("--check", "check_name", type=click.Choice(CHECK_NAMES), help="Only reports failing this check.")
@click.option(
    "--status",
    type=click.Choice(LISTED_STATUSES),
    default="fail",
    show_default=True,
    help="List the reports with this status instead: incomplete = statistics tables missing or blank.",
)
@json_option("the listed reports")
@click.pass_context
def checks_command(context: click.Context, check_name: str | None, status: str, as_json: bool) -> None:
    """List archived reports whose numbers do not add up (failed consistency checks), or whose tables
    are missing or blank (--status incomplete), or that are not reports at all (--status not_a_report).

    The last lines count the reports of every status. Exits 1 when it lists any report (each is a
    problem: a failed check, tables missing, not a report, not parsed), 0 when none; 2 on wrong usage
    (an unknown --check name: the message lists the known ones).

    \b
    Examples:
      nianbao checks
      nianbao checks --check applications.balance --json
      nianbao checks --status incomplete
    """
    if check_name is not None and status != "fail":
        raise click.UsageError(f"--check lists failed checks: it does not go with --status {status}")
    db = open_archive(context)
    from archive import records

    counts = records.status_counts(db)
    listed = records.failing(db, check_name) if status == "fail" else records.with_status(db, status)
    if as_json:
        print_json({"failing" if status == "fail" else status: listed, "statuses": counts})
    elif status == "fail":
        _print_failing(listed, counts)
    else:
        _print_status(listed, status, counts)
    if listed:
        context.exit(1)


def _print_failing(failing: list[dict[str, Any]], counts: dict[str, int]) -> None:
    for report in failing:
        click.echo(f"[{report['report_id']}] {printable(report['title'] or '(no title)')}")
        for name, failures in report["failed"].items():
            shown = "; ".join(f"{f['where']}: {f['left']} ≠ {f['right']}" for f in (failures or [])[:4])
            click.echo(f"    {name}: {printable(shown)}")
    click.echo(_counts_line(counts))
    click.echo(f"{len(failing)} report(s) with failed checks")


def _print_status(listed: list[dict[str, Any]], status: str, counts: dict[str, int]) -> None:
    for report in listed:
        missing = f"  (missing or blank: {', '.join(report['missing'])})" if status == "incomplete" else ""
        click.echo(f"[{report['report_id']}] {printable(report['title'] or '(no title)')}{missing}")
    click.echo(_counts_line(counts))
    click.echo(f"{len(listed)} report(s) {status}")


def _counts_line(counts: dict[str, int]) -> str:
    """Reports per status, so that incomplete and not-a-report records are never out of sight."""
    return "status: " + (", ".join(f"{name} {count}" for name, count in counts.items()) or "no reports")


@click.command("reparse", context_settings=CONTEXT)
@click.argument("document_ids", nargs=-1, type=ROW_ID)
@click.option("--all", "everything", is_flag=True, help="Every document, not only stale or unparsed ones.")
@json_option("the summary")
@click.pass_context
def reparse_command(context: click.Context, document_ids: tuple[int, ...], everything: bool, as_json: bool) -> None:
    """Parse archived documents again with this version's parser (from their stored bytes).

    Like `nianbao reextract`, but by default only where the parser has changed since.

    Without DOCUMENT_IDS: every document whose record is missing or came from an older parser
    version (--all: every document). Exits 1 if any failed.

    \b
    Examples:
      nianbao reparse
      nianbao reparse --all
      nianbao reparse 12 13
    """
    db = open_archive(context)
    from archive import records

    ids = list(document_ids) or records.stale_document_ids(db, everything)
    reextract_documents(context, db, ids, "re-parsed", as_json)
