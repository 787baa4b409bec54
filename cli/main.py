"""The ``nianbao`` command: one group, a subcommand per job.

Exit codes: 0 success; 1 the command ran but something failed (a file not imported, a report not
found); 2 the command was used wrongly (click's own convention).
"""

from __future__ import annotations

import os
import sys
import time
import unicodedata
from pathlib import Path

import click

from archive import db as archive_db
from archive import importer, ingest, reports
from archive.search import Filters, QueryError, search
from cli import parse_commands
from cli.common import CONTEXT, open_archive, print_json, reextract_documents
from parsers import ocr as ocr_engine
from parsers.document import SHORT_TYPES

FILE_TYPES = click.Choice(sorted(set(SHORT_TYPES.values())))
#: A report or document id: a larger number than SQLite's largest integer is a usage error, not a traceback.
ROW_ID = click.IntRange(1, archive_db.MAX_INTEGER)
#: Commands that only read the archive: with no archive at --db they read an empty one and create no file.
READING_COMMANDS = {"search", "show", "stats", "checks"}
#: Unicode categories that cannot be printed on one line: controls (newline, escape), format characters
#: (right-to-left overrides), lone surrogates (Python's stand-ins for bytes of a name that is not UTF-8),
#: line and paragraph separators.
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Zl", "Zp"}
OCR_HELP = "Read scanned PDF pages by OCR (slow: seconds a page; needs the optional extra 'ocr')."


def printable(text: str | os.PathLike[str]) -> str:
    """``text`` (a file name, a reason) as one line of valid UTF-8: as it is when every character prints,
    else with backslashes doubled and each unprintable character escaped: ``\\n``, ``\\x1b``, ``\\u202e``,
    and ``\\xff`` for a byte of a name that is not UTF-8 (which Python holds as a lone surrogate)."""
    text = os.fspath(text)
    if not any(unicodedata.category(char) in _UNPRINTABLE for char in text):
        return text
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if unicodedata.category(char) not in _UNPRINTABLE:
        return char
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for the byte code - 0xDC00 (0x80 to 0xff)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x80:
        return char.encode("unicode_escape").decode("ascii")
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def require_ocr(wanted: bool) -> None:
    if wanted and not ocr_engine.available():
        raise click.UsageError("--ocr needs the optional extra: .venv/bin/python -m uv sync --extra ocr")


@click.group(context_settings=CONTEXT)
@click.option(
    "--db",
    "db_path",
    default=archive_db.DEFAULT_DB,
    envvar="NIANBAO_DB",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The archive file (SQLite; created by import and crawl). Also read from $NIANBAO_DB.",
)
@click.version_option(package_name="nianbao")
@click.pass_context
def cli(context: click.Context, db_path: str) -> None:
    """nianbao (年报): an archive of government information-disclosure annual reports.

    \b
    Examples:
      nianbao demo                       # crawl the bundled offline replica of the portals
      nianbao crawl --strict             # crawl the real portals of the registry
      nianbao import reports/            # archive every report file in a folder
      nianbao search 复议 --year 2022     # reports of 2022 that mention 复议
      nianbao show 3                     # report 3: files, tables, checks
      nianbao parse report.pdf --json    # one file's record, no archive needed
      nianbao checks                     # reports whose numbers do not add up
      nianbao serve                      # browse in a web browser (Datasette)
    """
    try:
        exists = archive_db.archive_exists(db_path)
    except archive_db.NotAnArchive as error:
        raise click.BadParameter(str(error), param_hint="'--db'") from error
    context.obj = db_path
    if not exists and context.invoked_subcommand in READING_COMMANDS:
        click.echo(f"no archive at {printable(db_path)} yet: nothing to read", err=True)
        context.obj = archive_db.EMPTY_ARCHIVE


@cli.command("import", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--max-size",
    default=importer.DEFAULT_MAX_BYTES // 1_000_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Skip (as failed) files larger than this many megabytes.",
)
@click.option("--ocr", is_flag=True, help=OCR_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as one JSON object.")
@click.pass_context
def import_command(context: click.Context, paths: tuple[Path, ...], max_size: int, ocr: bool, as_json: bool) -> None:
    """Archive report files: text, HTML, PDF, DOCX and DOC.

    Folders are searched recursively for .txt .htm .html .shtml .pdf .doc .docx .wps files; a file
    named directly is always tried, whatever its name says, since its type is read from its bytes.
    Identical bytes are stored once: importing again reports them as duplicates.

    Prints one line per file (new / changed / duplicate / failed, with the reason) and a summary.
    Exits 1 if any file failed; the others are archived all the same.

    \b
    Example:
      nianbao --db reports.db import ../seeds
    """
    require_ocr(ocr)
    db = open_archive(context)
    files = list(importer.expand_paths(paths))
    run_id = ingest.start_run(db, "import", {"paths": [printable(path) for path in paths]})
    outcomes = []
    with click.progressbar(
        files,
        label="importing",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda path: path and printable(path.name),
        hidden=not sys.stderr.isatty(),
    ) as bar:
        for path in bar:
            outcome = importer.import_file(db, path, run_id, max_size * 1_000_000, ocr)
            outcomes.append(outcome)
            if not as_json:
                _echo_outcome(path, outcome)
    run = ingest.finish_run(db, run_id)
    if as_json:
        files_out = [{"path": printable(path), **vars(outcome)} for path, outcome in zip(files, outcomes, strict=True)]
        print_json({**run, "files": files_out})
    else:
        click.echo(
            f"run {run_id}: {run['new']} new, {run['changed']} changed, {run['duplicate']} duplicate, "
            f"{run['failed']} failed"
        )
    if run["failed"]:
        context.exit(1)


def _echo_outcome(path: Path, outcome: ingest.Outcome) -> None:
    """One line per file, whatever its name holds (a newline, bytes that are not UTF-8)."""
    name = printable(path)
    if outcome.status == "failed":
        click.echo(f"failed     {name}: {printable(outcome.reason or 'no reason recorded')}")
    elif outcome.status == "duplicate":
        click.echo(f"duplicate  {name} (document {outcome.document_id}, report {outcome.report_id})")
    else:
        title = printable(outcome.title or "(no title)")
        click.echo(f"{outcome.status:<10} {name} → report {outcome.report_id}: {title}")


@cli.command("search", context_settings={**CONTEXT, "ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True)
@click.option("--agency", help="Only reports of this agency, as the title names it (聊城市科学技术局).")
@click.option("--year", type=click.IntRange(1, 9999), help="Only reports covering this year.")
@click.option("--province", help="Only reports of agencies in this province (山东省).")
@click.option("--city", help="Only reports of agencies in this city (淄博市).")
@click.option("--format", "report_format", type=click.Choice(["2021", "2019", "legacy"]), help="Report table format.")
@click.option("--type", "file_type", type=FILE_TYPES, help="Only reports with a file of this type.")
@click.option("--limit", default=20, show_default=True, type=ROW_ID, help="Results to show.")
@click.option(
    "--offset", default=0, type=click.IntRange(0, archive_db.MAX_INTEGER), help="Skip this many results (paging)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.pass_context
def search_command(
    context: click.Context,
    query: tuple[str, ...],
    agency: str | None,
    year: int | None,
    province: str | None,
    city: str | None,
    report_format: str | None,
    file_type: str | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Find reports containing every term of QUERY, best match first.

    Any term of one character or more matches exactly where the text contains it (full-width and
    half-width forms, upper and lower case count as the same). Several terms must all appear; a
    quoted phrase is one term; -TERM leaves out reports containing TERM. Exits 1 when nothing matches.

    \b
    Examples:
      nianbao search 复议
      nianbao search 行政复议 诉讼 --year 2022 --province 山东省
      nianbao search '"政务公开 平台"'
      nianbao search 政务公开 -微博
      nianbao search -- -微博              # after '--' nothing is read as an option
      nianbao search 威 --json | jq '.hits[].title'
    """
    db = open_archive(context)
    filters = Filters(agency, year, province, city, report_format, file_type)
    started = time.perf_counter()
    try:
        result = search(db, " ".join(query), filters, limit=limit, offset=offset)
    except QueryError as error:
        raise click.UsageError(str(error)) from error
    elapsed_ms = (time.perf_counter() - started) * 1000
    if as_json:
        print_json(result.to_dict())
    else:
        order = "best first" if result.order == "bm25" else "newest first"
        click.echo(f"{result.total} report(s) match {result.query!r}, {order} ({elapsed_ms:.0f} ms)")
        color = sys.stdout.isatty()
        for hit in result.hits:
            types = ", ".join(str(file["type"]) for file in hit.files)
            facts = " · ".join(str(value) for value in (hit.year, hit.agency, types) if value)
            click.echo(f"\n[{hit.report_id}] {hit.title or '(no title)'}  ({facts})")
            click.echo("    " + _highlight(hit.snippet, hit.highlights, color))
    if result.total == 0:
        context.exit(1)


def _highlight(snippet: str, spans: list[tuple[int, int]], color: bool) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(snippet[last:start])
        term = snippet[start:end]
        out.append(click.style(term, fg="red", bold=True) if color else f"[{term}]")
        last = end
    out.append(snippet[last:])
    return "".join(out)


@cli.command("show", context_settings=CONTEXT)
@click.argument("report_id", type=ROW_ID)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--text", "as_text", is_flag=True, help="Print only the report's full text.")
@click.pass_context
def show_command(context: click.Context, report_id: int, as_json: bool, as_text: bool) -> None:
    """Show one report (an id from `nianbao search`): its identity, files and where each was seen.

    \b
    Examples:
      nianbao show 1
      nianbao show 1 --text | less
      nianbao show 1 --json
    """
    db = open_archive(context)
    report = reports.get_report(db, report_id)
    if report is None:
        click.echo(f"no report {report_id} in {printable(context.find_root().params['db_path'])}", err=True)
        context.exit(1)
        return
    if as_text:
        click.echo(report["text"])
    elif as_json:
        print_json(report)
    else:
        click.echo(reports.describe(report, color=sys.stdout.isatty()))


@cli.command("stats", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@click.pass_context
def stats_command(context: click.Context, as_json: bool) -> None:
    """Count what the archive holds: reports, files, sightings, runs, failures, sizes.

    \b
    Example:
      nianbao --db reports.db stats
    """
    db = open_archive(context)
    stats = reports.stats(db)
    if as_json:
        print_json(stats)
        return
    for key, value in stats.items():
        if isinstance(value, dict):
            click.echo(f"{key}:")
            for name, count in value.items():
                click.echo(f"  {name or '(unknown)'}: {count}")
        else:
            click.echo(f"{key}: {value}")


@cli.command("reextract", context_settings=CONTEXT)
@click.argument("document_ids", nargs=-1, type=ROW_ID)
@click.option("--type", "file_type", type=FILE_TYPES, help="Only files of this type.")
@click.option("--ocr", is_flag=True, help=OCR_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.pass_context
def reextract_command(
    context: click.Context, document_ids: tuple[int, ...], file_type: str | None, ocr: bool, as_json: bool
) -> None:
    """Extract stored files again from their archived bytes, without fetching anything.

    Run it after upgrading nianbao: better extraction reaches old files. Without DOCUMENT_IDS, every
    stored file (of --type, if given). A file that fails now keeps its old text; exits 1 if any failed.

    \b
    Examples:
      nianbao reextract                 # every stored file
      nianbao reextract --type pdf
      nianbao reextract 12 13
      nianbao reextract --ocr 7          # read a scanned PDF by OCR
    """
    require_ocr(ocr)
    db = open_archive(context)
    ids = list(document_ids) or ingest.stored_document_ids(db, file_type)
    reextract_documents(context, db, ids, "re-extracted", as_json, ocr)


cli.add_command(parse_commands.parse_command)
cli.add_command(parse_commands.checks_command)
cli.add_command(parse_commands.reparse_command)


from cli.crawl_commands import COMMANDS as CRAWL_COMMANDS  # noqa: E402 (the crawler's commands)

for _command in CRAWL_COMMANDS:
    cli.add_command(_command)

from cli.serve_commands import serve_command  # noqa: E402

cli.add_command(serve_command)

from cli.export_commands import export_command  # noqa: E402

cli.add_command(export_command)
