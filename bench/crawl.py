"""Crawl benchmark: the full pipeline against a bare Scrapy spider, side by side, at 100 ms answers and at loopback.

    .venv/bin/python bench/crawl.py                   # 10 portals × 250 reports (~5,200 requests, 2,500 PDFs)
    .venv/bin/python bench/crawl.py --quick           # 5 portals × 10 reports: a look in under two minutes
    .venv/bin/python bench/crawl.py --latency 0.1     # only the 100 ms case
    .venv/bin/python bench/crawl.py --compare DIR     # + extraction CPU per document, this tree against DIR

The replica (replica/large.py) serves portals of every CMS family. Every report has its own page
(its family's article markup, tables 2–4 as HTML tables) and its own PDF: a LibreOffice report whose
agency and year digits are the report's own, so each of the thousands of PDFs is new bytes and new text
that the workers must extract (the templates are rendered once and cached under bench/cache/). Both crawls
run the same Scrapy settings (robots.txt, ≤ 2 requests per host, AutoThrottle tuned for 127.0.0.1): the
full one through ``crawler.run.crawl`` (registry → spider → extraction → archive), the bare one only
downloading the very requests the full one made (replayed from the replica's log). The ratio of their
responses per second is what the pipeline costs; the targets (issue 14) are ≥ 0.9 at 100 ms answers, the
headline case (real portals take that long or longer), and ≥ 0.5 at loopback, the worst case.

The runs are interleaved (full and bare at 100 ms, then bare and full at loopback) so that a shared
machine's load falls on both sides of each ratio. Peak memory is each process's own ``VmHWM`` from
/proc/<pid>/status, sampled every 0.2 s while it lives and grouped by role (the crawl process, archiving
workers, their extraction children, the archive writer, …; roles come from each process's command line,
so new ones show); CPU is each process's user + system time from /proc/<pid>/stat, sampled likewise
(rusage would miss the extraction children, which their workers never reap). From the CPU the report
derives the ceiling the machine's cores put on the ratio, which says whether CPU or waiting limits it.
``--compare DIR`` also times extraction + parsing per document (what the workers do) in this tree and in
DIR, e.g. ``git archive HEAD | tar -x -C /tmp/base``, alternating fresh processes. Writes
bench/results/crawl.md and crawl.json (``--quick`` only prints). Exit status 0 when both ratios meet
their targets, 1 when one does not, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler import settings as crawl_settings  # noqa: E402
from crawler.run import CrawlOptions, crawl  # noqa: E402
from replica import large  # noqa: E402
from replica.model import Site  # noqa: E402
from replica.server import Replica, ReplicaServer  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / "bench" / "cache"
#: Distinct LibreOffice PDF templates the reports' PDFs are made from (``large.PdfTemplate``): each is a
#: different table set and seed prose; the reports' digits make every PDF distinct.
TEMPLATES = 12
TARGETS = {0.1: 0.9, 0.0: 0.5}  # answer latency (s) → the least full/bare ratio issue 14 asks for
SAMPLE_SECONDS = 0.2
_TICK = os.sysconf("SC_CLK_TCK")


# -- the replica's PDFs --------------------------------------------------------------------------------------


def pdf_templates(count: int) -> list[large.PdfTemplate]:
    """``count`` PDF templates, rendered by LibreOffice once and then read from bench/cache/."""
    folder = CACHE / f"crawl-pdf-templates-v2-{count}"
    files = [folder / f"{number:02d}.pdf" for number in range(count)]
    if not all(path.is_file() for path in files):
        print(f"rendering {count} PDF templates with LibreOffice (once; cached in {folder})…", file=sys.stderr)
        folder.mkdir(parents=True, exist_ok=True)
        for path, data in zip(files, large.render_pdf_templates(count), strict=True):
            path.write_bytes(data)
    return [large.PdfTemplate.parse(path.read_bytes()) for path in files]


# -- processes: peak memory and CPU per role ------------------------------------------------------------------


@dataclass
class Process:
    pid: int
    role: str
    command: str
    peak_kb: int = 0  # VmHWM
    cpu_s: float = 0.0  # user + system, last sample


@dataclass
class Role:
    processes: int
    peak_mb: float  # the largest VmHWM of a process of this role
    sum_peak_mb: float  # all its processes' VmHWM added (an upper bound of their use at one time)
    cpu_s: float  # sampled: the last 0.2 s of each process may be missing


class Sampler:
    """Samples every descendant of this process (not the benchmark itself) while a crawl runs."""

    def __init__(self) -> None:
        self.processes: dict[int, Process] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def __enter__(self) -> Sampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def _run(self) -> None:
        while not self.stop.wait(SAMPLE_SECONDS):
            self.sample()

    def sample(self) -> None:
        stats = _stats()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _) in stats.items():
            children.setdefault(ppid, []).append(pid)
        stack = [(child, os.getpid()) for child in children.get(os.getpid(), [])]
        while stack:
            pid, parent = stack.pop()
            stack.extend((child, pid) for child in children.get(pid, []))
            process, command = self.processes.get(pid), _cmdline(pid)
            if not command:  # gone since /proc was listed (or a zombie): what was read of it stays
                continue
            if process is None or process.command != command:  # new, or a fork that has since exec'd
                process = self.processes[pid] = Process(pid, self._role(pid, parent), command)
            peak = _peak_kb(pid)
            process.peak_kb = max(process.peak_kb, peak or 0)
            process.cpu_s = max(process.cpu_s, stats[pid][1])

    def _role(self, pid: int, parent: int) -> str:
        """What a process is, from its command line: a fork keeps its parent's, so it is that role's child."""
        command = _cmdline(pid)
        known = self.processes.get(parent)
        if known is not None and command == _cmdline(parent):  # a fork: an archiving worker's extraction child
            return "extraction child" if known.role == "archiving worker" else f"{known.role} (fork)"
        if "crawler.run" in command:
            return "crawl process (Scrapy)"
        if "--bare" in command:
            return "bare Scrapy"
        if " import main" in command:  # python -c "from crawler.ingest_worker import main; main()"
            module = command.split("from ", 1)[1].split(" import", 1)[0]
            return {"crawler.ingest_worker": "archiving worker", "crawler.writer": "archive writer"}.get(module, module)
        return " ".join(command.split()[:3]) or f"pid {pid}"

    def roles(self) -> dict[str, Role]:
        grouped: dict[str, list[Process]] = {}
        for process in self.processes.values():
            grouped.setdefault(process.role, []).append(process)
        return {
            role: Role(
                len(members),
                max(member.peak_kb for member in members) / 1024,
                sum(member.peak_kb for member in members) / 1024,
                sum(member.cpu_s for member in members),
            )
            for role, members in sorted(grouped.items())
        }


def _stats() -> dict[int, tuple[int, float]]:
    """pid → (parent pid, CPU seconds) of every process, from /proc/<pid>/stat."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK)
    return found


def _peak_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


# -- the two crawls ------------------------------------------------------------------------------------------


@dataclass
class Side:
    """One crawl's figures."""

    crawl: str  # "full" or "bare"
    latency_s: float
    responses: int
    seconds: float  # wall time of the crawl's processes, start-up included
    replica_cpu_s: float  # user + system of the benchmark's own process: the replica server answering
    load: float  # the machine's 1-minute load average when the crawl ended
    roles: dict[str, Role] = field(default_factory=dict)
    archived: dict[str, int] = field(default_factory=dict)  # full: new, duplicate, failed…
    pdfs: int = 0

    @property
    def rate(self) -> float:
        return self.responses / self.seconds

    @property
    def cpu_s(self) -> float:
        """CPU of the crawl's processes, all roles (sampled: a process's last 0.2 s may be missing; rusage
        would miss the extraction children, which their workers never reap)."""
        return sum(role.cpu_s for role in self.roles.values())


@contextmanager
def replica_server(site: Site, latency: float) -> Iterator[tuple[ReplicaServer, Replica]]:
    replica = Replica(lambda state: site, latency=latency)
    server = ReplicaServer(replica).start()
    try:
        yield server, replica
    finally:
        server.shutdown()
        server.server_close()


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def full_crawl(site: Site, registry_toml: str, latency: float) -> tuple[Side, list[dict[str, str]]]:
    """The pipeline through its public entry (crawler.run.crawl) into a new archive; also the requests it made."""
    with replica_server(site, latency) as (server, replica), tempfile.TemporaryDirectory() as folder:
        registry = Path(folder) / "portals.toml"
        registry.write_text(registry_toml, encoding="utf-8")
        options = CrawlOptions(via=server.url, fast=True, registry=str(registry))
        cpu, started = _own_cpu(), time.perf_counter()
        with Sampler() as sampler:
            summary = crawl(Path(folder) / "bench.db", options)
        seconds, cpu = time.perf_counter() - started, _own_cpu() - cpu
        hits = list(replica.log)
    totals = summary["totals"]
    assert isinstance(totals, dict)
    replayed = [
        {"method": hit.method, "url": f"http://{hit.host}{hit.path}", "form": hit.form}
        for hit in hits
        if hit.path != "/robots.txt"
    ]
    pdfs = sum(1 for hit in hits if hit.path.endswith(".pdf"))
    archived = {key: int(value) for key, value in totals.items() if isinstance(value, int)}
    side = Side("full", latency, len(hits), seconds, cpu, os.getloadavg()[0], sampler.roles(), archived, pdfs)
    return side, replayed


def bare_crawl(site: Site, requests: list[dict[str, str]], latency: float) -> Side:
    """Scrapy downloading the same requests and doing nothing with them, in a child process."""
    with replica_server(site, latency) as (server, replica), tempfile.TemporaryDirectory() as folder:
        requests_file = Path(folder) / "requests.json"
        requests_file.write_text(json.dumps(requests))
        command = [sys.executable, __file__, "--bare", str(requests_file)]
        cpu, started = _own_cpu(), time.perf_counter()
        with Sampler() as sampler:
            subprocess.run(command, check=True, capture_output=True, env={**os.environ, "http_proxy": server.url})
        seconds, cpu = time.perf_counter() - started, _own_cpu() - cpu
        hits = len(replica.log)
    pdfs = sum(1 for request in requests if request["url"].endswith(".pdf"))
    return Side("bare", latency, hits, seconds, cpu, os.getloadavg()[0], sampler.roles(), pdfs=pdfs)


def bare_child(requests_file: str) -> None:
    """The bare crawl's process: download every request, parse nothing, store nothing. The replica is its
    proxy through $http_proxy, robots.txt requests included."""
    from scrapy import Request, Spider
    from scrapy.crawler import CrawlerProcess

    requests: list[dict[str, str]] = json.loads(Path(requests_file).read_text())

    class BareSpider(Spider):
        name = "bare"

        async def start(self) -> Any:
            form = {"Content-Type": "application/x-www-form-urlencoded"}
            for item in requests:
                headers = form if item["method"] == "POST" else {}
                yield Request(item["url"], method=item["method"], body=item["form"], headers=headers, dont_filter=True)

        def parse(self, response: Any) -> None:
            return None

    settings = {name: getattr(crawl_settings, name) for name in dir(crawl_settings) if name.isupper()}
    settings.update(crawl_settings.REPLICA_SETTINGS)
    settings.update(ITEM_PIPELINES={}, DOWNLOADER_MIDDLEWARES={}, LOG_LEVEL="ERROR")
    process = CrawlerProcess(settings)
    process.crawl(BareSpider)
    process.start()


# -- extraction CPU per document, this tree against another -------------------------------------------------


def write_documents(site: Site, folder: Path, count: int) -> None:
    """``count`` report pages and ``count`` PDFs of the replica, taken from every portal in turn, as files
    _TIME_EXTRACTION reads."""
    html: list[list[tuple[str, bytes]]] = []
    pdf: list[list[tuple[str, bytes]]] = []
    for host, served in site.resources.items():
        pages = [(f"http://{host}{path}", resource.body) for path, resource in served.items() if resource.body]
        html.append([(url, body) for url, body in pages if b"<h1>" in body])
        pdf.append([(url, body) for url, body in pages if url.endswith(".pdf")])
    for kind, portals in (("html", html), ("pdf", pdf)):
        taken = [document for row in itertools.zip_longest(*portals) for document in row if document][:count]
        for number, (url, body) in enumerate(taken):
            (folder / f"{kind}-{number:04d}.bin").write_bytes(body)
            (folder / f"{kind}-{number:04d}.url").write_text(url)


#: The child of ``compare_extraction``, run as ``python -c`` in the tree being timed (its folder first on
#: sys.path): CPU seconds per document of extraction + parsing, per kind, after a warm-up as a running
#: worker has had.
_TIME_EXTRACTION = """
import json, sys, time
from pathlib import Path
from parsers.extract import extract
from parsers.record import parse
documents = {}
for path in sorted(Path(sys.argv[1]).glob("*.bin")):
    kind = path.name.split("-", 1)[0]
    documents.setdefault(kind, []).append((path.with_suffix(".url").read_text(), path.read_bytes()))
for url, data in (item for items in documents.values() for item in items[:2]):
    parse(extract(data, url=url))
result = {}
for kind, items in documents.items():
    started = time.process_time()
    for url, data in items:
        parse(extract(data, url=url))
    result[kind] = (time.process_time() - started) / len(items)
print(json.dumps(result))
"""


def compare_extraction(site: Site, base: Path, count: int, rounds: int) -> dict[str, dict[str, float]]:
    """ms of CPU per document (extraction + parsing, as the workers do it), this tree and ``base``,
    alternating fresh processes; the median of ``rounds`` runs each."""
    timings: dict[str, dict[str, list[float]]] = {"this tree": {}, "base": {}}
    with tempfile.TemporaryDirectory() as folder:
        write_documents(site, Path(folder), count)
        for _ in range(rounds):
            for name, tree in (("this tree", ROOT), ("base", base)):
                command = [sys.executable, "-c", _TIME_EXTRACTION, folder]
                env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
                output = subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=tree)
                for kind, seconds in json.loads(output.stdout.splitlines()[-1]).items():
                    timings[name].setdefault(kind, []).append(seconds * 1000)
    return {name: {kind: _median(values) for kind, values in kinds.items()} for name, kinds in timings.items()}


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


# -- the report ---------------------------------------------------------------------------------------------


def _memory(side: Side) -> str:
    parts = []
    for role, value in side.roles.items():
        several = f" (×{value.processes}, Σ {value.sum_peak_mb:.0f})" if value.processes > 1 else ""
        parts.append(f"{role}: {value.peak_mb:.0f}{several}")
    return "; ".join(parts)


def _per_document(side: Side) -> dict[str, float]:
    """ms of sampled CPU per document handed to the workers, for each role but the crawl process."""
    documents = sum(side.archived.get(key, 0) for key in ("new", "changed", "duplicate", "failed"))
    if not documents:
        return {}
    return {name: role.cpu_s * 1000 / documents for name, role in side.roles.items() if not name.startswith("crawl")}


def report(args: argparse.Namespace, sides: list[Side], extraction: dict[str, dict[str, float]] | None) -> str:
    loads = os.getloadavg()
    full = {side.latency_s: side for side in sides if side.crawl == "full"}
    bare = {side.latency_s: side for side in sides if side.crawl == "bare"}
    first = sides[0]
    lines = [
        "# Crawl benchmark",
        "",
        f"`{' '.join(['.venv/bin/python', 'bench/crawl.py', *sys.argv[1:]])}` on {dt.date.today()}, "
        f"{os.cpu_count()} CPU(s) ({platform.machine()}), load average at the end "
        f"{loads[0]:.1f} / {loads[1]:.1f} / {loads[2]:.1f} (1 / 5 / 15 min; the machine is shared).",
        "",
        f"Replica: {args.portals} portals ({', '.join(large.FAMILIES)}) × {args.reports} reports, each with its "
        f"own page and its own PDF (every PDF distinct: {TEMPLATES} LibreOffice templates, each report's agency and "
        f"year in its digits); the full crawl made {first.responses} requests ({first.pdfs} PDFs) and archived "
        + ", ".join(f"{first.archived.get(key, 0)} {key}" for key in ("new", "changed", "duplicate", "failed"))
        + ". Archiving workers: "
        + f"{crawl_settings.NIANBAO_INGEST_WORKERS}.",
        "",
        "| answers | crawl | responses | seconds | responses/s | CPU s (cores used) | load | "
        "archiving CPU ms/document | peak memory, MB (VmHWM per process, by role) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for side in sides:
        answers = f"{side.latency_s * 1000:g} ms" if side.latency_s else "loopback"
        per_document = _per_document(side) if side.crawl == "full" else {}
        split = ", ".join(f"{role} {ms:.1f}" for role, ms in per_document.items())
        archiving = f"**{sum(per_document.values()):.1f}** ({split})" if per_document else ""
        lines.append(
            f"| {answers} | {'full pipeline' if side.crawl == 'full' else 'bare Scrapy'} | {side.responses} | "
            f"{side.seconds:.1f} | {side.rate:.0f} | {side.cpu_s:.0f} ({side.cpu_s / side.seconds:.2f}) | "
            f"{side.load:.1f} | {archiving} | {_memory(side)} |"
        )
    lines.append("")
    for latency in sorted(full, reverse=True):
        if latency not in bare:
            continue
        ratio = full[latency].rate / bare[latency].rate
        target = TARGETS.get(latency)
        verdict = "" if target is None else (" — met" if ratio >= target else f" — **missed** by {target - ratio:.2f}")
        answers = f"{latency * 1000:g} ms answers" if latency else "loopback"
        wanted = "" if target is None else f" (target ≥ {target}){verdict}"
        lines.append(f"**Ratio full / bare, {answers}: {ratio:.2f}**{wanted}. {_ceiling(full[latency], bare[latency])}")
    if extraction:
        lines += [
            "",
            f"Extraction + parsing CPU per document (ms, median of {args.rounds} alternating runs, "
            f"{args.compare_documents} pages and {args.compare_documents} PDFs of this replica), "
            f"this tree against `{args.compare}`:",
            "",
            "| document | base | this tree | this / base |",
            "|---|---|---|---|",
        ]
        for kind in extraction["this tree"]:
            before, after = extraction["base"][kind], extraction["this tree"][kind]
            lines.append(f"| {kind} | {before:.1f} | {after:.1f} | {after / before:.2f} |")
    lines += [
        "",
        "Seconds are wall time of each crawl's processes, start-up included. CPU is the user + system time of "
        f"the crawl's own processes, read from /proc every {SAMPLE_SECONDS} s (cores used: CPU / seconds); the "
        "replica server answering them runs in the benchmark's process and is not counted, but shares the "
        "cores. Load is the machine's 1-minute load average at each crawl's end (other sessions share the "
        "machine). The archiving CPU per document is the CPU of every process but the crawl process (in total, "
        "then by role) divided by the documents handed to the workers. Peak memory is each process's own "
        "VmHWM; Σ adds up a role's processes. The CPU ceiling: with every core of the machine its own, the full "
        "crawl cannot take less than its CPU divided by the cores, nor less than the bare crawl's time.",
    ]
    return "\n".join(lines) + "\n"


def _ceiling(full: Side, bare: Side) -> str:
    """The best ratio the full crawl's CPU allows on this machine's cores (a machine to itself)."""
    cores = os.cpu_count() or 1
    fastest = max(full.cpu_s / cores, bare.seconds)
    return (
        f"CPU ceiling: {full.cpu_s:.0f} CPU s on {cores} cores take ≥ {full.cpu_s / cores:.0f} s, "
        f"a ratio ≤ {bare.seconds / fastest:.2f}."
    )


def met(sides: list[Side]) -> bool:
    full = {side.latency_s: side for side in sides if side.crawl == "full"}
    bare = {side.latency_s: side for side in sides if side.crawl == "bare"}
    return all(
        full[latency].rate / bare[latency].rate >= TARGETS.get(latency, 0) for latency in full if latency in bare
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--portals", type=int, default=10, help="generated portals (default 10)")
    parser.add_argument("--reports", type=int, default=250, help="reports per portal, each a page and a PDF (250)")
    parser.add_argument("--quick", action="store_true", help="5 portals × 10 reports; prints, writes no results")
    parser.add_argument(
        "--latency",
        type=float,
        action="append",
        help="seconds the replica waits before each answer; repeatable (default: 0.1 and 0, loopback)",
    )
    parser.add_argument(
        "--compare", type=Path, metavar="DIR", help="also time extraction per document here and in DIR, another tree"
    )
    parser.add_argument("--compare-documents", type=int, default=60, help="pages and PDFs timed by --compare (60)")
    parser.add_argument("--rounds", type=int, default=3, help="--compare: runs of each tree (3)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of Markdown")
    parser.add_argument("--bare", metavar="REQUESTS_JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare_child(args.bare)
        return 0
    if args.quick:
        args.portals, args.reports = 5, 10
    if args.compare is not None and not (args.compare / "parsers" / "extract.py").is_file():
        parser.error(f"--compare {args.compare}: not a tree of this project (no parsers/extract.py)")
    latencies = args.latency or [0.1, 0.0]

    site, registry_toml = large.build(args.portals, args.reports, pdf_templates(TEMPLATES))
    sides: list[Side] = []
    requests: list[dict[str, str]] = []
    for index, latency in enumerate(latencies):  # full, bare, then bare, full: the load falls on both alike
        if not requests:
            side, requests = full_crawl(site, registry_toml, latency)
            sides += [side, bare_crawl(site, requests, latency)]
        elif index % 2:
            sides += [bare_crawl(site, requests, latency), full_crawl(site, registry_toml, latency)[0]]
        else:
            sides += [full_crawl(site, registry_toml, latency)[0], bare_crawl(site, requests, latency)]
    extraction = compare_extraction(site, args.compare, args.compare_documents, args.rounds) if args.compare else None

    data = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg(), "python": platform.python_version()},
        "parameters": {
            "portals": args.portals,
            "reports": args.reports,
            "latencies": latencies,
            "templates": TEMPLATES,
        },
        "sides": [{**asdict(side), "rate": side.rate} for side in sides],
        "targets": {str(latency): target for latency, target in TARGETS.items()},
        "extraction_ms_per_document": extraction,
    }
    text = report(args, sides, extraction)
    if not args.quick:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "crawl.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (RESULTS / "crawl.md").write_text(text, encoding="utf-8")
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)
    return 0 if met(sides) else 1


if __name__ == "__main__":
    sys.exit(main())
