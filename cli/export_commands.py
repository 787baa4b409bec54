"""``nianbao export``: the archive's reports, cells, checks or sightings as CSV, JSON Lines, Parquet or XLSX.

archive.export imports pyarrow and openpyxl only when it writes those formats; cli/main.py imports this
module only to run (or list) the command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import click

from archive import export
from archive.search import Filters, QueryError
from cli.common import CONTEXT, archive_path, filter_options, open_archive, printable

#: Show a progress bar (on a terminal) when writing a file for at least this many reports.
PROGRESS_MIN_REPORTS = 200


def output_format(to: str | None, output: Path | None) -> str:
    """The format asked for, or the one ``-o``'s name ends in (csv without either); a clash is an error."""
    named = export.SUFFIXES.get(output.suffix.lower()) if output is not None else None
    if to is None:
        if output is not None and named is None:
            raise click.UsageError(f"cannot tell a format from the name {printable(output.name)}: give --to")
        return named or "csv"
    if named is not None and named != to:
        raise click.UsageError(f"--to {to} but -o {printable(output or '')} names {named}: make them agree")
    return to


@click.command("export", context_settings={**CONTEXT, "ignore_unknown_options": True})
@click.argument("query", nargs=-1)
@click.option(
    "--what",
    type=click.Choice(export.WHATS),
    default="reports",
    show_default=True,
    help="reports: a row per report; cells: per table cell; checks: per check; sightings: per place seen.",
)
@click.option(
    "--to",
    type=click.Choice(export.FORMATS),
    help="Output format. Default: from -o's name (.csv .jsonl .parquet .xlsx), else csv.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (needed for parquet and xlsx). Default: standard output.",
)
@click.option("--chinese-headers", is_flag=True, help="Column names in Chinese, as the form prints its labels.")
@click.option("--no-bom", is_flag=True, help="CSV without the UTF-8 byte-order mark (which Excel needs).")
@filter_options
@click.pass_context
def export_command(
    context: click.Context,
    query: tuple[str, ...],
    what: str,
    to: str | None,
    output: Path | None,
    chinese_headers: bool,
    no_bom: bool,
    agency: str | None,
    year: int | None,
    province: str | None,
    city: str | None,
    report_format: str | None,
    file_type: str | None,
    status: str | None,
) -> None:
    """Export the reports matching QUERY (optional: all of them) as a table for pandas, R or Excel.

    QUERY and the filters (--status included) are those of `nianbao search`. --what names the table:

    \b
      reports    one row per report (never per file): identity, status, failed checks,
                 table 二's values, the 总计 column of every row of tables 三 and 四
      cells      long form: one row per cell of tables 二, 三 and 四, labelled in Chinese
      checks     one row per consistency check of each report
      sightings  one row per place a file of each report was seen

    A blank cell is empty (CSV) or null, never 0. Column names are English keys; --chinese-headers
    names them in Chinese. CSV is UTF-8 with a byte-order mark so that Excel shows Chinese (--no-bom:
    without). Parquet and XLSX need -o FILE. No match: a file with only the header, exit 0.
    Exit 2 on wrong usage: a missing archive, parquet or xlsx to standard output, -o's name and --to
    disagreeing.

    \b
    Examples:
      nianbao export -o reports.csv
      nianbao export --what cells --year 2022 -o cells.parquet
      nianbao export 复议 --province 山东省 --to jsonl | jq -c '[.agency, .t3_new_received_total]'
      nianbao export --what checks --status fail -o failed.xlsx --chinese-headers
    """
    to = output_format(to, output)
    if to in export.BINARY_FORMATS and output is None:
        raise click.UsageError(f"--to {to} writes a binary file: give -o FILE")
    if no_bom and to != "csv":
        raise click.UsageError("--no-bom is for --to csv only")
    if output is not None and output.resolve() == Path(archive_path(context)).resolve():
        raise click.UsageError(f"-o {printable(output)} is the archive itself")
    if output is not None and not output.parent.is_dir():
        raise click.UsageError(f"-o {printable(output)}: folder {printable(output.parent)} does not exist")
    db = open_archive(context)
    filters = Filters(agency, year, province, city, report_format, file_type, status)
    try:
        report_ids = export.select_reports(db, " ".join(query), filters)
    except QueryError as error:
        raise click.UsageError(str(error)) from error

    columns = export.fields(what)
    where = printable(output) if output is not None else "standard output"
    show_bar = output is not None and sys.stderr.isatty() and len(report_ids) >= PROGRESS_MIN_REPORTS
    with click.progressbar(
        report_ids, label=f"exporting {what}", file=sys.stderr, show_pos=True, hidden=not show_bar
    ) as bar:
        passes: Iterator[Iterable[int]] = iter([bar])

        def make_rows() -> Iterable[export.Row]:
            return export.rows(db, what, next(passes, report_ids))  # the bar once, then plain ids

        def write(out: BinaryIO) -> int:
            return export.write(
                out, to, columns, make_rows, chinese_headers=chinese_headers, bom=not no_bom, sheet=what
            )

        try:
            count = _to_file(output, write) if output is not None else _to_stdout(write)
        except export.ExportError as error:
            raise click.UsageError(str(error)) from error
    if not report_ids:
        only = "no row (JSON Lines has no header)" if to == "jsonl" else "only the header row"
        click.echo(f"no report matches: {where} has {only}", err=True)
    else:
        click.echo(f"wrote {count} row(s) of {what} for {len(report_ids)} report(s) to {where}", err=True)


def _to_file(output: Path, write: Callable[[BinaryIO], int]) -> int:
    """Write beside ``output`` and rename: an export that fails leaves no half-written file."""
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as handle:
            count = write(handle)
        partial.replace(output)
        return count
    finally:
        partial.unlink(missing_ok=True)


def _to_stdout(write: Callable[[BinaryIO], int]) -> int:
    stdout = sys.stdout.buffer
    try:
        count = write(stdout)
        stdout.flush()
        return count
    except BrokenPipeError:  # `nianbao export | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
