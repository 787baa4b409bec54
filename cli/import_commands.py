"""``nianbao import`` and ``nianbao reextract``: report files into the archive, and stored files extracted again.

The write path (intake) is imported inside the commands: it imports every extractor, which `nianbao --help`
does not need (cli/main.py loads this module only to run or list the commands).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.common import (
    CONTEXT,
    FILE_TYPES,
    ROW_ID,
    archive_path,
    hint,
    json_option,
    open_archive,
    print_json,
    printable,
    reextract_documents,
)

if TYPE_CHECKING:
    from intake import ingest

#: ``import --max-size``'s default, in MB: the largest report seen is ~20 MB (a scan).
DEFAULT_MAX_MB = 50
#: What ``import`` refuses as a path: a URL (``http://…``, ``https://…``, ``ftp://…``).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
#: --ocr, of both commands.
OCR_OPTION = click.option(
    "--ocr", is_flag=True, help="Read scanned PDF pages by OCR (slow: seconds a page; needs the optional extra 'ocr')."
)


def require_ocr(wanted: bool) -> None:
    """--ocr needs the optional extra: a usage error naming the command that installs it."""
    if not wanted:
        return
    from parsers import ocr as ocr_engine

    if not ocr_engine.available():
        raise click.UsageError(
            "--ocr needs the optional extra 'ocr': in the nianbao folder run `python3 -m uv sync --frozen --extra ocr`"
        )


@click.command("import", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--max-size",
    default=DEFAULT_MAX_MB,
    show_default=True,
    type=click.IntRange(min=1),
    help="Skip (as failed) files larger than this many megabytes.",
)
@OCR_OPTION
@json_option("the run summary")
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


@click.command("reextract", context_settings=CONTEXT)
@click.argument("document_ids", nargs=-1, type=ROW_ID)
@click.option("--type", "file_type", type=FILE_TYPES, help="Only files of this type.")
@OCR_OPTION
@json_option("the summary")
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
