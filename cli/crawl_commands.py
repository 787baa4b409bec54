"""`nianbao crawl`, `portals`, `replica` and `demo`: the crawler's commands (registered in cli/main.py)."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from archive.search import Filters, search
from cli.common import CONTEXT, hint, json_option, open_archive, print_json
from crawler import detect, families, registry, store
from crawler import settings as default_settings
from crawler.registry import RegistryError
from crawler.run import CrawlError, CrawlOptions, check, crawl, warc_file

COUNTS = ("new", "changed", "unchanged", "duplicate", "failed", "skipped", "retried")
#: Exit status of a crawl that did not run to its end (stopped by a signal, killed, crashed): its run is
#: marked interrupted and the summary (--json too) says so, with what was archived meanwhile.
INTERRUPTED = 3


def _run(context: click.Context, options: CrawlOptions, as_json: bool, verbose: bool = False) -> dict[str, Any]:
    """Run the crawl in its child process with a progress bar on a terminal; the summary, or exit 1."""
    open_archive(context).close()  # the archive opens (and migrates) before the child starts
    with click.progressbar(
        length=1, label="crawling", file=sys.stderr, hidden=not sys.stderr.isatty(), show_pos=True
    ) as bar:

        def progress(message: dict[str, object]) -> None:
            if "requests" in message:
                bar.length = max(int(str(message["requests"])), 1)
                bar.update(int(str(message["done"])) - bar.pos)

        try:
            return crawl(context.obj, options, progress, log_level="INFO" if verbose else "ERROR")
        except CrawlError as error:
            if as_json:
                click.echo(json.dumps({"error": str(error)}, ensure_ascii=False))
            else:
                click.echo(f"crawl not run: {error}", err=True)
            context.exit(1)
    raise AssertionError("unreachable")


def describe(summary: dict[str, Any]) -> str:
    """The run summary as text: totals, the last comparable run beside them, one line per portal, every
    failure, skip and retry (an unreachable portal's are its one line: --json has them), then the alerts."""
    totals = summary["totals"]
    lines = [
        f"run {summary['run_id']}: "
        + ", ".join(f"{totals[name]} {name}" for name in COUNTS)
        + f"  ({totals['listings']} listings read, {totals['reports_found']} report links found)"
    ]
    if summary.get("interrupted"):
        lines.append(f"  INTERRUPTED: {summary['interrupted']}; the counts are what was archived before")
    if summary.get("compared"):
        lines.append(f"  {_compared(summary['compared'])}")
    if summary["options"].get("warc"):
        lines.append(f"  WARC: {summary['options']['warc']}")
    for portal in summary["portals"]:
        counts = " ".join(f"{name} {portal[name]}" for name in ("listings", "reports_found", *COUNTS[:5]))
        problem = f"  ← {'; '.join(portal['problems'])}" if portal["problems"] else ""
        lines.append(f"  {portal['portal']:<14} {portal['status']:<8} {counts}{problem}")
    events = [(row["portal"], event) for row in summary["portals"] if not _unreachable(row) for event in row["events"]]
    if events:
        lines.append("events:")
        lines += [f"  {name:<14} {e['kind']:<8} {e['reason'][:90]}  {e['url']}" for name, e in events]
    if summary.get("alerts"):
        lines.append(f"alerts ({len(summary['alerts'])}):")
        lines += [f"  ! {alert['portal'] or 'run'}: {alert['kind']}: {alert['message']}" for alert in summary["alerts"]]
    return "\n".join(lines)


def _unreachable(portal: dict[str, Any]) -> bool:
    return bool(portal["problems"]) and str(portal["problems"][0]).startswith("unreachable")


def _compared(compared: dict[str, Any]) -> str:
    """One line: what changed since the last comparable run (crawler/alerts.compare)."""
    changes = [
        f"{name.replace('_', ' ')} {figures['before']} → {figures['now']}"
        for name, figures in compared["totals"].items()
        if figures["before"] != figures["now"]
    ]
    for key in ("newly_failing", "newly_partial", "recovered"):
        if compared[key]:
            changes.append(f"{key.replace('_', ' ')}: {', '.join(compared[key])}")
    return f"since run {compared['run_id']}: " + ("; ".join(changes) or "the same counts")


def _options(
    names: tuple[str, ...],
    year: int | None,
    since: int | None,
    via: str | None,
    registry_file: str | None,
    timeout: float | None,
    max_size: int | None,
    caps: tuple[int | None, int | None, int | None] = (None, None, None),
) -> CrawlOptions:
    """The crawl's options; ``caps``: pages per list, requests per portal, requests per run (None: default)."""
    try:
        registry.select(registry.load(registry_file), names)
    except RegistryError as error:
        raise click.UsageError(str(error)) from error
    max_list_pages, max_portal_requests, max_run_requests = caps
    return CrawlOptions(
        list(names),
        year,
        since,
        via,
        registry_file,
        timeout,
        max_size,
        fast=via is not None,
        max_list_pages=max_list_pages,
        max_portal_requests=max_portal_requests,
        max_run_requests=max_run_requests,
    )


def _exit_if_interrupted(context: click.Context, summary: dict[str, Any], as_json: bool) -> None:
    """A crawl that did not run to its end exits INTERRUPTED (after its summary), whatever else held."""
    if summary["status"] == "interrupted":
        if not as_json:
            click.echo(f"crawl interrupted: {summary.get('interrupted', 'stopped before its end')}", err=True)
        context.exit(INTERRUPTED)


def _distributed(
    context: click.Context, url: str, options: CrawlOptions, crawler_only: bool, workers: int, verbose: bool
) -> dict[str, Any] | None:
    """`crawl --redis` (cli/redis_commands.py): the writer's run summary; None for --crawler-only (whose
    crawler has nothing to sum up: the writer's machine prints the run)."""
    from cli import redis_commands

    if crawler_only:
        error = redis_commands.run_crawler(url, options, verbose)
        if error:
            raise click.ClickException(f"crawl not run: {error}")
        return None
    open_archive(context).close()  # the archive opens (and migrates) before the writer starts
    return redis_commands.run_distributed(str(context.obj), url, options, workers, verbose)


#: Options several of these commands share, declared once.
VIA_OPTION = click.option(
    "--via-replica", "via", metavar="URL", help="Fetch through this HTTP proxy (the replica: `nianbao replica`)."
)
SINCE_OPTION = click.option("--since", type=int, help="Only reports about this year or later.")
TIMEOUT_OPTION = click.option("--timeout", type=float, help="Seconds to wait for each response (default 30).")
REGISTRY_OPTION = click.option(
    "--registry",
    "registry_file",
    envvar="NIANBAO_REGISTRY",
    type=click.Path(exists=True, dir_okay=False),
    help="Portal registry file (default: the bundled crawler/portals.toml). Also $NIANBAO_REGISTRY.",
)


def _cap_option(name: str, setting: str, what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A request cap's option; its default is the setting's (crawler/settings.py)."""
    default = getattr(default_settings, setting)
    return click.option(name, type=click.IntRange(min=1), help=f"{what} (default {default:,}; setting {setting}).")


@click.command("crawl", context_settings=CONTEXT)
@click.argument("portals", nargs=-1)
@click.option("--year", type=int, help="Only reports about this year.")
@SINCE_OPTION
@click.option(
    "--strict", is_flag=True, help="Exit 1 when a portal is failing (no listing item or no report) or partial."
)
@json_option("the run summary")
@click.option(
    "--via-replica",
    "via",
    metavar="URL",
    help="Send every request through this HTTP proxy (the replica: `nianbao replica`), without politeness delays.",
)
@TIMEOUT_OPTION
@click.option("--max-size", type=click.IntRange(min=1), help="Give up on files larger than this many MB (default 50).")
@_cap_option("--max-list-pages", "NIANBAO_MAX_LIST_PAGES", "Pages read of one list at most; the list is then partial")
@_cap_option("--max-portal-requests", "NIANBAO_MAX_PORTAL_REQUESTS", "Requests per portal at most; it is then partial")
@_cap_option("--max-run-requests", "NIANBAO_MAX_RUN_REQUESTS", "Requests in the run at most; portals cut are partial")
@click.option(
    "--warc",
    "warc_dir",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Also write every request and response to a WARC file in DIR (one a run; created if missing).",
)
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    help="Crawl with every machine that names this Redis (redis://HOST:PORT/N): shared queue and duplicate "
    "filter, documents extracted by `nianbao worker`s, written by one writer (here, unless --crawler-only).",
)
@click.option(
    "--crawler-only",
    is_flag=True,
    help="With --redis: only crawl (another machine runs the writer); this machine needs no archive.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=default_settings.NIANBAO_INGEST_WORKERS,
    show_default=True,
    help="With --redis: `nianbao worker`s to start here beside the writer.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log (on stderr).")
@REGISTRY_OPTION
@click.pass_context
def crawl_command(
    context: click.Context,
    portals: tuple[str, ...],
    year: int | None,
    since: int | None,
    strict: bool,
    as_json: bool,
    via: str | None,
    timeout: float | None,
    max_size: int | None,
    max_list_pages: int | None,
    max_portal_requests: int | None,
    max_run_requests: int | None,
    warc_dir: str | None,
    redis_url: str | None,
    crawler_only: bool,
    workers: int,
    verbose: bool,
    registry_file: str | None,
) -> None:
    """Crawl the registry's portals (all, or the PORTALS named) for annual reports into the archive.

    Listings are read again every run; report pages and files are asked for with their ETag /
    Last-Modified, so an unchanged report costs a 304 and no body. A report replaced at the same URL
    becomes a new version of its report ("changed"). Every portal's counts, failures (with reasons),
    skips (robots.txt, off-site links) and retries are recorded in the archive and printed. One crawl at
    a time per archive: a second one exits 1 at once.

    No listing can make the crawl ask for more than --max-list-pages pages of one list, --max-portal-requests
    requests of one portal or --max-run-requests in all; what a cap cuts is partial, with the cap named.

    At its end the run is checked against each portal's previous run; its alerts (a portal failing, a
    list shrunk or gone partial, errors rising, no report about last year after February, fewer report
    links than the last run) are printed, stored, and listed by `nianbao runs`, which exits 1 when the
    latest run has any. A failing or partial portal is also one line on standard error (not with --json).
    With --warc DIR, every request and response (robots.txt, listings, reports, files, 304s, redirects,
    and each failure's reason) is written to DIR/nianbao-<UTC time>-<pid>.warc.gz.

    \b
    Exit status:
      0  the crawl ran to its end (failing portals, partial lists and alerts are in its summary)
      1  it could not run (another crawl holds the archive's lock), or with --strict a portal is
         failing (unreachable, its listing selector matched nothing, or it yielded no report) or
         partial (a list yielded fewer items than it declares, or one of its pages was lost)
      2  wrong usage (an unknown portal, a bad option value)
      3  it did not run to its end (Ctrl-C, SIGTERM, the crawl process killed or crashed): the run is
         marked interrupted, and the summary (--json: "status": "interrupted", the reason in
         "interrupted") counts what was archived
    Single failed URLs are recorded and printed; they do not change the exit status.

    \b
    Examples:
      nianbao crawl                          # every portal of the registry
      nianbao crawl qufu huaian --since 2021
      nianbao crawl --strict --json | jq .totals
      nianbao crawl --via-replica http://127.0.0.1:8000   # the offline replica (nianbao replica)
      nianbao crawl --warc /srv/nianbao/warc # and keep what every portal served, as WARC
      nianbao crawl --redis redis://10.0.0.5:6379/0                  # the archive's machine: writer + crawler
      nianbao crawl --redis redis://10.0.0.5:6379/0 --crawler-only   # each further crawler machine

    With --redis URL the crawl is spread over machines (Scrapy with scrapy-redis): every `nianbao crawl
    --redis URL` shares one request queue and one duplicate filter in Redis, and the first one seeds it
    from the registry; fetched documents go to a Redis stream, `nianbao worker --redis URL` (any machine,
    any number) extracts them, and one writer writes the archive: inside this command (with --workers
    workers) unless --crawler-only, else `nianbao writer`. A crawler or worker killed mid-document loses
    nothing (what it held is taken again) and nothing is archived twice. Without --redis nothing changes.
    """
    caps = (max_list_pages, max_portal_requests, max_run_requests)
    options = _options(portals, year, since, via, registry_file, timeout, max_size, caps)
    options.warc = str(warc_file(warc_dir)) if warc_dir else None
    if crawler_only and not redis_url:
        raise click.UsageError("--crawler-only goes with --redis URL")
    if redis_url:
        summary = _distributed(context, redis_url, options, crawler_only, workers, verbose)
        if summary is None:
            return
    else:
        summary = _run(context, options, as_json, verbose)
    click.echo(json.dumps(summary, ensure_ascii=False) if as_json else describe(summary))
    if not as_json:  # --json's output, stdout and stderr alike, is the JSON alone (as for --strict and Ctrl-C)
        for row in summary["portals"]:
            if row["status"] != "ok":
                click.echo(f"{row['portal']}: {row['status']}: {'; '.join(row['problems'])}", err=True)
    _exit_if_interrupted(context, summary, as_json)
    if strict and summary["failing_portals"] + summary["partial_portals"]:
        context.exit(1)


@click.group("portals", context_settings=CONTEXT, invoke_without_command=True)
@json_option("the portals")
@REGISTRY_OPTION
@click.pass_context
def portals_command(context: click.Context, as_json: bool, registry_file: str | None) -> None:
    """List the registry's portals: family, where each row's facts come from, last crawl result.

    \b
    Examples:
      nianbao portals
      nianbao portals detect http://www.qufu.gov.cn/col/col15191/index.html
      nianbao portals check qufu              # what a crawl would find, archiving nothing
      nianbao portals add URL --agency 某市某局 # detect, dry-run, append a validated row
      nianbao portals discover                # propose entries for portals named in archived reports
    """
    if context.invoked_subcommand is not None:
        return
    entries = _registry(registry_file)
    last = store.last_runs(open_archive(context, crawler_tables=True))
    if as_json:
        rows = [{**vars(portal), "last_run": last.get(portal.name)} for portal in entries]
        print_json({"portals": rows})
        return
    for portal in entries:
        run = last.get(portal.name)
        result = (
            f"run {run['run_id']} {str(run['started_at'])[:16]} {run['status']}: {run['new']} new, "
            f"{run['changed']} changed, {run['unchanged']} unchanged, {run['failed']} failed"
            if run
            else "never crawled"
        )
        problems = "".join(f"\n{'':<24}! {problem}" for problem in json.loads(str(run["problems"]))) if run else ""
        unverified = f"\n{'':<24}unverified: {_clip(portal.unverified)}" if portal.unverified else ""
        click.echo(
            f"{portal.name:<14} {portal.family:<9} {portal.agency} ({portal.region})  {', '.join(portal.hosts)}\n"
            f"{'':<24}source: {_clip(portal.source or '(none given)')}{unverified}\n{'':<24}{result}{problems}"
        )


def _clip(text: str, width: int = 96) -> str:
    """One line of a long registry note (``--json`` has it whole)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _registry(registry_file: str | None) -> list[registry.Portal]:
    try:
        return registry.load(registry_file)
    except RegistryError as error:
        raise click.ClickException(str(error)) from error


def _parent_registry(context: click.Context) -> str | None:
    return context.parent.params.get("registry_file") if context.parent else None


@portals_command.command("detect", context_settings=CONTEXT)
@click.argument("url")
@VIA_OPTION
@json_option("the family and its evidence")
@click.pass_context
def detect_command(context: click.Context, url: str, via: str | None, as_json: bool) -> None:
    """Fetch URL and name the CMS family that serves it, with the evidence (pager scripts, dataproxy
    ids, URL shapes, platform markup). "generic" when no family's fingerprint is on the page.

    \b
    Examples:
      nianbao portals detect http://www.qufu.gov.cn/col/col15191/index.html
      nianbao portals detect URL --via-replica http://127.0.0.1:8000 --json | jq .family
    """
    try:
        detection = detect.detect(url, via)
    except detect.FetchError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        print_json(detection.to_json())
        return
    click.echo(f"{detection.family}  {families.get(detection.family).label}")
    for evidence in detection.evidence:
        click.echo(f"  {evidence.family}: " + "; ".join(evidence.clues))


@portals_command.command("check", context_settings=CONTEXT)
@click.argument("portal")
@VIA_OPTION
@SINCE_OPTION
@TIMEOUT_OPTION
@json_option("what was found")
@click.pass_context
def check_command(
    context: click.Context, portal: str, via: str | None, since: int | None, timeout: float | None, as_json: bool
) -> None:
    """Dry-run one portal (a registry NAME, or a URL whose family is detected): read its listings,
    follow pagers and APIs, and list the report links found (title, year, URL, files) and what was
    partial or failed. Nothing is archived. Exits 1 when no report is found.

    \b
    Examples:
      nianbao portals check qufu
      nianbao portals check http://www.example.gov.cn/zfxxgk/zfxxgknb/ --json | jq '.portals[].reports'
    """
    registry_file = _parent_registry(context)
    with tempfile.TemporaryDirectory(prefix="nianbao-check-") as folder:
        if "://" in portal:
            try:
                row = detect.portal_row(detect.detect(portal, via), detect.default_name(portal), "", "")
            except detect.FetchError as error:
                raise click.ClickException(str(error)) from error
            registry_file = str(Path(folder) / "portals.toml")
            Path(registry_file).write_text(detect.to_toml(row), encoding="utf-8")
            names = [row.name]
        else:
            names = [portal]
        options = _options(tuple(names), None, since, via, registry_file, timeout, None)
        found = _check(context, options, as_json)
    if as_json:
        print_json({"portals": found})
    else:
        click.echo(describe_check(found))
    if not any(row["reports"] for row in found):
        context.exit(1)


def _check(context: click.Context, options: CrawlOptions, as_json: bool) -> list[dict[str, Any]]:
    try:
        return check(options)
    except CrawlError as error:
        if as_json:
            click.echo(json.dumps({"error": str(error)}, ensure_ascii=False))
        else:
            click.echo(f"check not run: {error}", err=True)
        context.exit(1)
    raise AssertionError("unreachable")


def describe_check(found: list[dict[str, Any]]) -> str:
    """A dry run as text: per portal its status, lists read, reports found with their files, problems."""
    lines: list[str] = []
    for row in found:
        count = len(row["reports"])
        lines.append(f"{row['portal']}: {row['status']}, {row['listings']} listing(s) read, {count} report(s) found")
        for report in row["reports"]:
            lines.append(f"  {report['year'] or '----'}  {report['title'] or '(a file)'}\n        {report['url']}")
            lines += [f"        file: {url}" for url in report["files"]]
        lines += [f"  ! {problem}" for problem in row["problems"]]
        lines += [f"  {event['kind']}: {event['reason'][:90]}  {event['url']}" for event in row["events"]]
    return "\n".join(lines)


@portals_command.command("add", context_settings=CONTEXT)
@click.argument("url")
@click.option("--agency", required=True, help="The body whose reports the portal carries (聊城市科学技术局).")
@click.option("--region", default="", help="Province / city / county as the portal names them.")
@click.option("--name", "name", help="Short id for the command line (default: from the host name).")
@VIA_OPTION
@TIMEOUT_OPTION
@click.pass_context
def add_command(
    context: click.Context,
    url: str,
    agency: str,
    region: str,
    name: str | None,
    via: str | None,
    timeout: float | None,
) -> None:
    """Detect URL's family, dry-run it, and append the row to the registry when the dry run finds a
    report (exit 1 and nothing appended otherwise). The row records the detection as its source.

    \b
    Example:
      nianbao portals --registry my.toml add http://www.example.gov.cn/zfxxgknb/ --agency 某市人民政府
    """
    path = registry.registry_path(_parent_registry(context))
    existing = _registry(str(path)) if path.exists() else []
    name = name or detect.default_name(url)
    if any(portal.name == name for portal in existing):
        raise click.UsageError(f"{path} already has a portal named {name!r} (choose another with --name)")
    try:
        row = detect.portal_row(detect.detect(url, via), name, agency, region)
    except detect.FetchError as error:
        raise click.ClickException(str(error)) from error
    with tempfile.TemporaryDirectory(prefix="nianbao-add-") as folder:
        trial = Path(folder) / "portals.toml"
        trial.write_text(detect.to_toml(row), encoding="utf-8")
        found = _check(context, _options((name,), None, None, via, str(trial), timeout, None), as_json=False)
    click.echo(describe_check(found))
    if not any(entry["reports"] for entry in found):
        click.echo(f"not added: the dry run found no report at {url}", err=True)
        context.exit(1)
    with path.open("a", encoding="utf-8") as registry_out:
        registry_out.write("\n" + detect.to_toml(row))
    click.echo(f"added {name} ({row.family}) to {path}")


@portals_command.command("discover", context_settings=CONTEXT)
@json_option("the proposals")
@click.pass_context
def discover_command(context: click.Context, as_json: bool) -> None:
    """Propose registry entries for portals that archived reports name but the registry lacks.

    Reports say where they are published ("本报告电子版可从…门户网站(http://…)查阅"): every *.gov.cn
    address in an archived text whose host no entry covers is printed as a TOML entry to review and
    append to the registry (family "generic" until someone checks the site's CMS).
    """
    proposals = registry.discover(open_archive(context), _registry(_parent_registry(context)))
    if as_json:
        print_json({"proposals": [vars(p) for p in proposals]})
        return
    if not proposals:
        click.echo("no new portal addresses in the archived reports")
    for proposal in proposals:
        click.echo(f"# named by: {', '.join(proposal.agencies) or '(unknown agency)'}\n{proposal.to_toml()}")


@click.command("replica", context_settings=CONTEXT)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port on 127.0.0.1.")
@click.option("--state", default=1, show_default=True, type=click.IntRange(1, 2), help="2: a report replaced.")
@click.option(
    "--latency",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 10),
    help="Seconds each answer waits, as a real portal's server does (0: loopback speed).",
)
def replica_command(port: int, state: int, latency: float) -> None:
    """Serve the offline replica of the registry's portals on 127.0.0.1, as an HTTP proxy.

    The seed reports and the real 淮安 2024 PDF on their portals, in their CMS families, with the
    faults real portals have (see replica/sites/). Crawl it with --via-replica; move it to
    its next state (a report replaced at the same URL) with `curl http://127.0.0.1:PORT/_replica/state/2`.
    """
    from replica import sites as replica_sites  # the demo kit: imported only by the commands that serve it
    from replica.server import Replica, ReplicaServer

    server = ReplicaServer(Replica(replica_sites.build, state, latency), port)
    click.echo(f"replica of {len(server.replica.site.resources)} portal hosts (state {state}) on {server.url}")
    click.echo(f"  crawl it:   nianbao crawl --via-replica {server.url}")
    click.echo(f"  next state: curl {server.url}/_replica/state/2")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.command("demo", context_settings=CONTEXT)
@click.pass_context
def demo_command(context: click.Context) -> None:
    """Start the replica, crawl every portal of it into the archive, show the run and a search.

    \b
    Example:
      nianbao --db demo.db demo
    """
    from replica import sites as replica_sites  # the demo kit: imported only by the commands that serve it
    from replica.server import Replica, ReplicaServer

    server = ReplicaServer(Replica(replica_sites.build)).start()
    try:
        click.echo(f"replica of {len(server.replica.site.resources)} portal hosts serving on {server.url}")
        started = time.perf_counter()
        summary = _run(context, CrawlOptions(via=server.url, fast=True, timeout=2), as_json=False)
    finally:
        server.shutdown()
        server.server_close()
    click.echo(describe(summary))
    click.echo(f"({time.perf_counter() - started:.1f} s)\n")
    _exit_if_interrupted(context, summary, as_json=False)
    db = open_archive(context)
    result = search(db, "行政复议", Filters(), limit=10)
    click.echo(f"$ {hint('--db', context.obj, 'search', '行政复议')}\n{result.total_text()} report(s):")
    for hit in result.hits:
        types = ", ".join(sorted(str(file["type"]) for file in hit.files))
        click.echo(f"  [{hit.report_id}] {hit.title}  ({types})")
    first = str(result.hits[0].report_id if result.hits else 1)
    click.echo(  # commands that run as printed (cli.common.hint: however nianbao was started)
        f"\nBrowse: {hint('--db', context.obj, 'show', first)} · {hint('--db', context.obj, 'search', '复议')}"
        f" · {hint('--db', context.obj, 'serve')} (in a web browser)\n"
        f"Crawl again (0 new, nothing re-downloaded): {hint('replica')} & "
        f"{hint('--db', context.obj, 'crawl', '--via-replica', 'http://127.0.0.1:8000')}"
    )
