"""``nianbao search``, ``nianbao show`` and ``nianbao stats``: finding reports and reading them back.

`search` must start in 0.4 s (bench/cli.py): besides click and cli.common, only archive.search and the
archive's connection are imported, inside the commands; `show` imports the record's rendering when it prints.
"""

from __future__ import annotations

import sys
import time

import click

from cli.common import (
    CONTEXT,
    MAX_ROW_ID,
    ROW_ID,
    archive_path,
    filter_options,
    json_option,
    open_archive,
    print_json,
    printable,
)


@click.command("search", context_settings={**CONTEXT, "ignore_unknown_options": True})
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
@json_option("the result")
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


@click.command("show", context_settings=CONTEXT)
@click.argument("report_id", type=ROW_ID)
@json_option("the report")
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


@click.command("stats", context_settings=CONTEXT)
@json_option("the counts")
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
