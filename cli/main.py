"""The ``nianbao`` command: one group, a subcommand per job.

Exit codes: 0 success; 1 the command ran but something failed or nothing matched (a file not imported, a
report not found, a report failing its checks); 2 the command was used wrongly (click's own convention:
an unknown option, a bad value, an --db that names no archive).

Start-up: each subcommand's module is imported when that command runs (``Commands``), and the modules
import their libraries inside the functions that use them: `nianbao --version` and `search` import none of
Datasette, pdfplumber, trafilatura, Scrapy, pyarrow or numpy, `parse` none but the extractors
(tests/test_cli_startup.py checks it; bench/cli.py measures the time).
"""

from __future__ import annotations

import importlib
import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.common import (
    CONTEXT,
    FILE_TYPES,
    MAX_ROW_ID,
    ROW_ID,
    archive_path,
    filter_options,
    hint,
    import_sqlite_utils,
    note_db_given,
    open_archive,
    print_json,
    printable,
    reextract_documents,
    with_db_option,
)

if TYPE_CHECKING:
    from intake import ingest

#: The archive --db names when neither the option nor $NIANBAO_DB does.
DEFAULT_DB = "nianbao.db"
#: ``import --max-size``'s default, in MB: the largest report seen is ~20 MB (a scan).
DEFAULT_MAX_MB = 50
#: What ``import`` refuses as a path: a URL (``http://…``, ``https://…``, ``ftp://…``).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
OCR_HELP = "Read scanned PDF pages by OCR (slow: seconds a page; needs the optional extra 'ocr')."
#: Subcommands defined in other modules, imported when run or listed: name → "module:attribute".
LAZY_COMMANDS = {
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
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

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


def require_ocr(wanted: bool) -> None:
    """--ocr needs the optional extra: a usage error naming the command that installs it."""
    if not wanted:
        return
    from parsers import ocr as ocr_engine

    if not ocr_engine.available():
        raise click.UsageError(
            "--ocr needs the optional extra 'ocr': in the nianbao folder run `python3 -m uv sync --frozen --extra ocr`"
        )


@click.group(cls=Commands, context_settings=CONTEXT)
@click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB,
    envvar="NIANBAO_DB",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The archive file (SQLite), here or after the command. Also read from $NIANBAO_DB.",
)
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


@cli.command("import", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--max-size",
    default=DEFAULT_MAX_MB,
    show_default=True,
    type=click.IntRange(min=1),
    help="Skip (as failed) files larger than this many megabytes.",
)
@click.option("--ocr", is_flag=True, help=OCR_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as one JSON object.")
@click.pass_context
def import_command(context: click.Context, paths: tuple[str, ...], max_size: int, ocr: bool, as_json: bool) -> None:
    """Archive report files: text, HTML, PDF, DOCX and DOC.

    Folders are searched recursively for .txt .htm .html .shtml .pdf .doc .docx .wps files; a file
    named directly is always tried, whatever its name says, since its type is read from its bytes.
    Identical bytes are stored once: importing again reports them as duplicates. It takes files, not
    URLs: to fetch a portal's reports, add it to the registry (`nianbao portals add URL --agency NAME`)
    and crawl it (`nianbao crawl NAME`).

    Prints one line per file (new / changed / duplicate / failed, with the reason) and a summary; a
    progress bar (on standard error) only when those lines are not on the same terminal. Exits 1 if any
    file failed; the others are archived all the same.

    Files are committed in batches (every 200 files or 2 seconds), each file whole or not at all; the
    lines of a batch are printed once it is committed. Interrupted (Ctrl-C, a kill), an import loses the
    files of its last uncommitted batch only: run it again to archive them (those archived already are
    reported as duplicates).

    \b
    Example:
      nianbao --db reports.db import ../seeds
    """
    _refuse_urls(context, paths)
    require_ocr(ocr)
    db = open_archive(context)
    from intake import importer, ingest

    files = list(importer.expand_paths(Path(path) for path in paths))
    run_id = ingest.start_run(db, "import", {"paths": [printable(path) for path in paths]})
    outcomes = []
    with click.progressbar(
        files,
        label="importing",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda path: path and printable(path.name),
        hidden=not progress_bar_wanted(lines_printed=not as_json),
    ) as bar:
        prepared = ((path, importer.prepare_file(db, path, max_size * 1_000_000, ocr)) for path in bar)
        for path, outcome in ingest.write_batched(db, prepared, run_id):  # each line once its batch is committed
            outcomes.append((path, outcome))
            if not as_json:
                _echo_outcome(path, outcome)
    run = ingest.finish_run(db, run_id)
    if as_json:
        files_out = [{"path": printable(path), **vars(outcome)} for path, outcome in outcomes]
        print_json({**run, "files": files_out})
    else:
        click.echo(
            f"run {run_id}: {run['new']} new, {run['changed']} changed, {run['duplicate']} duplicate, "
            f"{run['failed']} failed"
        )
    if run["failed"]:
        context.exit(1)


def progress_bar_wanted(lines_printed: bool) -> bool:
    """A progress bar goes to standard error, and only on a terminal; never beside per-item lines printed
    to the same terminal, where each line would tear the bar (a bar redrawn after every line)."""
    return sys.stderr.isatty() and not (lines_printed and sys.stdout.isatty())


def _refuse_urls(context: click.Context, paths: tuple[str, ...]) -> None:
    """``import`` reads files: a URL is wrong usage, answered with the commands that fetch one (with the
    crawler's politeness, size limits and provenance, which importing a download would not record)."""
    urls = [path for path in paths if _URL.match(path)]
    if urls:
        raise click.UsageError(
            f"import takes files and folders, not URLs ({printable(urls[0])}). To archive a portal's reports "
            "(with the crawler's politeness, size limits and provenance), add the portal by the address of its "
            "annual-report list, then crawl it:\n"
            f"  {hint('portals', 'add')} LIST-URL --agency AGENCY   # detects its CMS and dry-runs it first\n"
            f"  {hint('--db', archive_path(context), 'crawl')} PORTAL\n"
            "or download the file and import the file."
        )


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
@filter_options
@click.option("--limit", default=20, show_default=True, type=ROW_ID, help="Results to show.")
@click.option("--offset", default=0, type=click.IntRange(0, MAX_ROW_ID), help="Skip this many results (paging).")
@click.option(
    "--count",
    "exact_count",
    is_flag=True,
    help="Count every match: past 10,000 the total shows as 10,000+ otherwise (an exact count of a very "
    "common term reads its whole index, longer on a big archive).",
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
    status: str | None,
    limit: int,
    offset: int,
    exact_count: bool,
    as_json: bool,
) -> None:
    """Find reports containing every term of QUERY, best match first.

    Any term of one character or more matches exactly where the text contains it (full-width and
    half-width forms, upper and lower case count as the same). Several terms must all appear; a
    quoted phrase is one term; -TERM leaves out reports containing TERM. Exits 1 when nothing matches.

    Best first is BM25, used when at most 2,000 reports hold the terms' pairs of characters; otherwise,
    and for single characters, the newest reports come first. Up to 10,000 matches are counted: past
    that the total shows as "10,000+"; --count counts them all. With --json, "total" is the count and
    "total_exact" says whether it is all of it (false: more than "total" match).

    \b
    Examples:
      nianbao search 复议
      nianbao search 行政复议 诉讼 --year 2022 --province 山东省
      nianbao search 复议 --status fail       # reports failing a check
      nianbao search '"政务公开 平台"'
      nianbao search 政务公开 -微博
      nianbao search -- -微博              # after '--' nothing is read as an option
      nianbao search 公开 --count          # the exact total, however large
      nianbao search 威 --json | jq '.hits[].title'
      nianbao search 复议 --db demo.db
    """
    from archive.search import Filters, QueryError, search

    db = open_archive(context)
    filters = Filters(agency, year, province, city, report_format, file_type, status)
    started = time.perf_counter()
    try:
        result = search(db, " ".join(query), filters, limit=limit, offset=offset, exact_count=exact_count)
    except QueryError as error:
        raise click.UsageError(str(error)) from error
    elapsed_ms = (time.perf_counter() - started) * 1000
    if as_json:
        print_json(result.to_dict())
    else:
        order = "best first" if result.order == "bm25" else "newest first"
        reports = "report(s)" if result.total_exact else "reports"
        click.echo(f"{result.total_text()} {reports} match {result.query!r}, {order} ({elapsed_ms:.0f} ms)")
        if not result.total_exact:
            click.echo(f"(counted up to {result.total:,}: --count counts them all)")
        color = sys.stdout.isatty()
        for hit in result.hits:
            types = ", ".join(str(file["type"]) for file in hit.files)
            facts = " · ".join(str(value) for value in (hit.year, hit.agency, types) if value)
            click.echo(f"\n[{hit.report_id}] {printable(hit.title or '(no title)')}  ({printable(facts)})")
            click.echo("    " + _highlight(hit.snippet, hit.highlights, color))
    if result.total == 0:
        context.exit(1)


def _highlight(snippet: str, spans: list[tuple[int, int]], color: bool) -> str:
    """The snippet with its matches marked (in colour on a terminal), every piece printable: a document's
    own control characters are escaped, the colour's are not."""
    out, last = [], 0
    for start, end in spans:
        out.append(printable(snippet[last:start]))
        term = printable(snippet[start:end])
        out.append(click.style(term, fg="red", bold=True) if color else f"[{term}]")
        last = end
    out.append(printable(snippet[last:]))
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
    db = open_archive(context)  # first: a wrong --db is told before the parser's libraries load
    from archive import reports

    report = reports.get_report(db, report_id)
    if report is None:
        click.echo(f"no report {report_id} in {printable(archive_path(context))}", err=True)
        context.exit(1)
        return
    if as_text:
        click.echo(report["text"])
    elif as_json:
        print_json(report)
    else:
        from cli.render import describe

        click.echo(describe(report, color=sys.stdout.isatty()))


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
    from archive import reports

    stats = reports.stats(db)
    if as_json:
        print_json(stats)
        return
    for key, value in stats.items():
        if isinstance(value, dict):
            click.echo(f"{key}:")
            for name, count in value.items():
                click.echo(f"  {printable(str(name or '(unknown)'))}: {count}")
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
    from intake import ingest

    ids = list(document_ids) or ingest.stored_document_ids(db, file_type)
    reextract_documents(context, db, ids, "re-extracted", as_json, ocr)
