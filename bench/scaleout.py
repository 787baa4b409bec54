"""Scale-out benchmark: a crawl through Redis by 1, 2 and 4 crawler processes against the single-process crawl.

    .venv/bin/python bench/scaleout.py            # 6 portals × 60 reports, 100 ms answers, 2 interleaved rounds
    .venv/bin/python bench/scaleout.py --quick    # 3 portals × 8 reports, 1 round: a look in under 3 minutes
    .venv/bin/python bench/scaleout.py --crawlers 1 --crawlers 8 --workers 3 --rounds 3

Every configuration crawls the same generated replica (replica/large.py: portals of every CMS family,
each report a page and its own distinct PDF, so every document is extracted) served on loopback with 100 ms
answers, the headline case of issue 15 (real portals answer that slowly or slower), into a new archive:

- ``local``: the single-machine crawl (no Redis), through bench/crawl.py's ``full_crawl``: one Scrapy
  process, its archiving workers (crawler/settings.py NIANBAO_INGEST_WORKERS) and writer;
- ``redis ×N``: a fresh ``redis-server`` (no persistence, on a free loopback port), the one ``nianbao writer``,
  ``--workers`` ``nianbao worker --until-done`` and N crawler processes (``python -m crawler.run`` as
  ``nianbao crawl --redis --crawler-only`` starts it, cli/redis_commands.py), each its own Scrapy.

The configurations run in rounds, the order turned by one each round, so that the shared machine's load falls
on every side of each ratio; a ratio is taken within a round (side by side), and the table shows the median.

Politeness is per crawler process: Scrapy's CONCURRENT_REQUESTS_PER_DOMAIN = 2 and its AutoThrottle live in
each process, and scrapy-redis shares only the queue and the duplicate filter, so N crawler processes may
keep up to 2·N requests open on one host. On real portals (≤ 2 requests per host) more crawlers only help
when there are more hosts than one crawler's CONCURRENT_REQUESTS = 16 slots cover, or with
``CONCURRENT_REQUESTS_PER_DOMAIN = 1`` per crawler when running two.

What limits a run is read from CPU, not wall time (the machine is shared; its load is in the report): each
process's user + system time from /proc/<pid>/stat and its VmHWM from /proc/<pid>/status, sampled every
0.2 s while it lives (bench/crawl.py's ``Sampler``; a process's last 0.2 s may be missing), grouped by role.
A role's *busy* share is its CPU over its processes × the run's seconds: a single-threaded writer or
redis-server near 1.0 is the limit; workers near 1.0 mean extraction is; all roles together near the cores
mean the machine is. The *CPU ceiling* is the documents per second the run's CPU would allow on the
machine's cores alone; the *writer ceiling* is the documents per second of the writer's CPU per document.

Writes bench/results/scaleout.md and scaleout.json (``--quick`` only prints). Exit status 0; 1 when a run
failed (its writer did not finish); 2 on a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import crawl as crawl_bench  # noqa: E402  (bench/crawl.py: the replica's PDFs, the sampler, the local crawl)

from cli.redis_commands import crawler_command, crawler_env  # noqa: E402
from crawler import redis_queue  # noqa: E402
from crawler import settings as crawl_settings  # noqa: E402
from crawler.run import CrawlOptions  # noqa: E402
from replica import large  # noqa: E402
from replica.model import Site  # noqa: E402

RESULTS = ROOT / "bench" / "results"
LATENCY = 0.1  # seconds the replica waits before each answer: the headline case
RUN_TIMEOUT = 900.0  # seconds a distributed run may take before it counts as failed
LEAVE_TIMEOUT = 30.0  # seconds crawlers and workers may take to leave once the writer's summary is out
DOCUMENT_KINDS = ("new", "changed", "duplicate", "failed")


#: The role of a process not yet named: a child between fork and exec (it still has the benchmark's command
#: line), or one that has just ended (none). It is named again at the next sample.
UNNAMED = "unnamed"


class RoleSampler(crawl_bench.Sampler):
    """bench/crawl.py's sampler, naming the distributed crawl's roles from their command lines too."""

    def __init__(self) -> None:
        super().__init__()
        self.waited: dict[int, float] = {}  # pid → seconds spent runnable but waiting for a core

    def sample(self) -> None:
        super().sample()
        for pid in [pid for pid, process in self.processes.items() if process.role == UNNAMED]:
            del self.processes[pid]
        for pid in self.processes:
            self.waited[pid] = max(self.waited.get(pid, 0.0), _waited_s(pid))

    def waited_by_role(self) -> dict[str, float]:
        """Seconds each role's processes spent ready to run but waiting for a core (the run queue)."""
        waited: dict[str, float] = {}
        for pid, process in self.processes.items():
            waited[process.role] = waited.get(process.role, 0.0) + self.waited.get(pid, 0.0)
        return waited

    def _role(self, pid: int, parent: int) -> str:
        command = crawl_bench._cmdline(pid)
        words = command.split()
        if not command or (parent == os.getpid() and command == crawl_bench._cmdline(os.getpid())):
            return UNNAMED
        if words and words[0].endswith("redis-server"):
            return "redis-server"
        if "crawler.run" in command and "/dev/null" in words:
            return "crawler (Scrapy)"
        if "-m cli" in command and "writer" in words:
            return "writer"
        if "-m cli" in command and "worker" in words:
            return "worker"
        return super()._role(pid, parent)


def _waited_s(pid: int) -> float:
    """Run-queue wait of a process from /proc/<pid>/schedstat (CPU ns, wait ns, slices): on a shared machine
    it tells a crawl starved of CPU by other load from one waiting on the network or on politeness."""
    try:
        with open(f"/proc/{pid}/schedstat", encoding="ascii") as schedstat:
            return int(schedstat.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


#: A run's figures (bench/crawl.py's Side) and each role's seconds of run-queue wait.
Measured = tuple[crawl_bench.Side, dict[str, float]]


# -- a distributed run ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A redis-server of our own on a free loopback port, no persistence (as tests/test_redis_crawl.py
    starts it); its URL. Stopped however the block ends."""
    port = _free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis_queue.connect(url)
    deadline = time.monotonic() + 10
    try:
        while True:
            try:
                client.ping()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def _child(stack: ExitStack, command: list[str], env: dict[str, str], stdout: int) -> subprocess.Popen[bytes]:
    """A child process, killed at the end of ``stack`` if still running. Its stdin is a pipe never written
    (a crawler's Scrapy child stops when it closes, crawler/run.py)."""
    process = subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=stdout, stderr=subprocess.DEVNULL)

    def stop() -> None:
        if process.poll() is None:
            process.kill()
        process.wait()

    stack.callback(stop)
    return process


def distributed_crawl(site: Site, registry_toml: str, crawlers: int, workers: int) -> Measured:
    """One crawl through a fresh Redis: the writer, ``workers`` workers, ``crawlers`` crawler processes.
    Seconds run from the writer's start to its summary (Redis's start-up excluded)."""
    sampler = RoleSampler()  # named before `with`: Sampler.__enter__ is typed as the base class
    with (
        crawl_bench.replica_server(site, LATENCY) as (server, replica),
        tempfile.TemporaryDirectory() as name,
        sampler,
        redis_server(Path(name)) as url,
        ExitStack() as stack,
    ):
        folder = Path(name)
        registry = folder / "portals.toml"
        registry.write_text(registry_toml, encoding="utf-8")
        db = folder / "scaleout.db"
        env = crawler_env(url)
        python = [sys.executable, "-m", "cli"]
        cpu, started = crawl_bench._own_cpu(), time.perf_counter()
        writer = _child(stack, [*python, "--db", str(db), "writer", "--redis", url, "--json"], env, subprocess.PIPE)
        client = redis_queue.connect(url)
        while not client.exists(redis_queue.RUN):  # the run is open: the archive exists for the workers
            if writer.poll() is not None:
                raise RuntimeError(f"the writer could not start (exit status {writer.returncode})")
            time.sleep(0.05)
        worker = [*python, "worker", "--redis", url, "--archive", str(db), "--until-done"]
        options = CrawlOptions(via=server.url, fast=True, registry=str(registry))
        others = [_child(stack, worker, env, subprocess.DEVNULL) for _ in range(workers)]
        others += [_child(stack, crawler_command(options), env, subprocess.DEVNULL) for _ in range(crawlers)]
        output, _ = writer.communicate(timeout=RUN_TIMEOUT)
        seconds, cpu = time.perf_counter() - started, crawl_bench._own_cpu() - cpu
        if writer.returncode != 0:
            raise RuntimeError(f"the writer ended with status {writer.returncode}")
        for process in others:  # the run is over: they leave by themselves, their CPU sampled to the end
            process.wait(LEAVE_TIMEOUT)
        hits = list(replica.log)
    totals = json.loads(output)["totals"]
    archived = {key: int(value) for key, value in totals.items() if isinstance(value, int)}
    pdfs = sum(1 for hit in hits if hit.path.endswith(".pdf"))
    load = os.getloadavg()[0]
    side = crawl_bench.Side(
        f"redis ×{crawlers}", LATENCY, len(hits), seconds, cpu, load, sampler.roles(), archived, pdfs
    )
    return side, sampler.waited_by_role()


def local_crawl(site: Site, registry_toml: str) -> Measured:
    """The single-process crawl (no Redis), as bench/crawl.py times it; sampled by our sampler too, for the
    run-queue wait."""
    sampler = RoleSampler()  # named before `with`: Sampler.__enter__ is typed as the base class
    with sampler:
        side, _ = crawl_bench.full_crawl(site, registry_toml, LATENCY)
    side.crawl = "local"
    side.roles = sampler.roles()
    return side, sampler.waited_by_role()


# -- figures -------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """What one run says: throughput, and where its CPU went."""

    config: str
    round: int
    documents: int
    seconds: float
    documents_per_s: float
    requests_per_s: float
    cpu_s: float  # all the crawl's processes (the replica server, in this process, not counted)
    cpu_ms_per_document: dict[str, float]  # by role
    busy: dict[str, float]  # by role: CPU / (processes × seconds)
    peak_mb: dict[str, float]  # by role: the largest VmHWM of one of its processes
    waited_s: float  # all the crawl's processes: seconds ready to run but waiting for a core
    cpu_ceiling_per_s: float  # documents/s the run's CPU allows on this machine's cores
    writer_ceiling_per_s: float | None  # documents/s the writer's CPU per document allows (one thread)
    load: float
    replica_cpu_s: float


def figures(measured: Measured, round_number: int) -> Figures:
    side, waited = measured
    documents = sum(side.archived.get(key, 0) for key in DOCUMENT_KINDS)
    cores = os.cpu_count() or 1
    per_document = {role: value.cpu_s * 1000 / max(documents, 1) for role, value in side.roles.items()}
    writer_ms = next((ms for role, ms in per_document.items() if "writer" in role), None)
    return Figures(
        config=side.crawl,
        round=round_number,
        documents=documents,
        seconds=side.seconds,
        documents_per_s=documents / side.seconds,
        requests_per_s=side.rate,
        cpu_s=side.cpu_s,
        cpu_ms_per_document=per_document,
        busy={role: value.cpu_s / (value.processes * side.seconds) for role, value in side.roles.items()},
        peak_mb={role: value.peak_mb for role, value in side.roles.items()},
        waited_s=sum(waited.values()),
        cpu_ceiling_per_s=documents / (side.cpu_s / cores) if side.cpu_s else 0.0,
        writer_ceiling_per_s=1000 / writer_ms if writer_ms else None,
        load=side.load,
        replica_cpu_s=side.replica_cpu_s,
    )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def limit(figure: Figures) -> str:
    """The role whose processes were busiest (one CPU each at most), whether the run filled the cores, and
    whether its processes waited for a core longer than they ran (the machine's other load starved them)."""
    role, busy = max(figure.busy.items(), key=lambda item: item[1])
    cores = os.cpu_count() or 1
    used = figure.cpu_s / figure.seconds
    machine = (
        f"{used:.2f} of {cores} cores used, {figure.waited_s / max(figure.cpu_s, 1e-9):.1f} s run-queue wait per CPU s"
    )
    if busy >= 0.8:
        return f"{role} ({busy:.0%} busy); {machine}"
    if used >= 0.8 * cores:
        return f"the {cores} cores ({machine})"
    if figure.waited_s > figure.cpu_s:
        return f"CPU, taken by the machine's other load (busiest: {role} {busy:.0%}); {machine}"
    return f"waiting on answers, not CPU (busiest: {role} {busy:.0%}); {machine}"


# -- the report ----------------------------------------------------------------------------------------------


def report(args: argparse.Namespace, runs: list[Figures], requests: int, pdfs: int) -> str:
    loads = os.getloadavg()
    configs = list(dict.fromkeys(figure.config for figure in runs))
    local = {figure.round: figure for figure in runs if figure.config == "local"}
    lines = [
        "# Scale-out benchmark (a crawl through Redis)",
        "",
        f"`{' '.join(['.venv/bin/python', 'bench/scaleout.py', *sys.argv[1:]])}` on {dt.date.today()}, "
        f"{os.cpu_count()} CPU(s) ({platform.machine()}, {platform.node()}), load average at the end "
        f"{loads[0]:.1f} / {loads[1]:.1f} / {loads[2]:.1f} (1 / 5 / 15 min; the machine is shared).",
        "",
        f"Replica: {args.portals} portals × {args.reports} reports with {LATENCY * 1000:g} ms answers, every PDF "
        f"distinct ({requests} requests, {pdfs} PDFs a crawl). Redis runs: {args.workers} workers, the one writer, "
        f"a fresh redis-server each; local: {crawl_settings.NIANBAO_INGEST_WORKERS} archiving workers. "
        f"{args.rounds} round(s), the order turned each round. Politeness: ≤ "
        f"{crawl_settings.CONCURRENT_REQUESTS_PER_DOMAIN} requests per host **per crawler process** "
        "(N crawlers: ≤ 2·N per host).",
        "",
        "| configuration | documents/s (median) | × local (median of per-round ratios) | CPU ms/document | "
        "CPU ceiling, documents/s | writer ceiling, documents/s | what limits it (median-speed run) |",
        "|---|---|---|---|---|---|---|",
    ]
    for config in configs:
        mine = [figure for figure in runs if figure.config == config]
        rate = _median([figure.documents_per_s for figure in mine])
        ratios = [
            figure.documents_per_s / local[figure.round].documents_per_s for figure in mine if figure.round in local
        ]
        ratio = f"**{_median(ratios):.2f}**" if ratios else "—"
        per_document = _median([figure.cpu_s * 1000 / max(figure.documents, 1) for figure in mine])
        ceiling = _median([figure.cpu_ceiling_per_s for figure in mine])
        writer = [figure.writer_ceiling_per_s for figure in mine if figure.writer_ceiling_per_s]
        typical = min(mine, key=lambda figure: abs(figure.documents_per_s - rate))
        writer_text = f"{_median(writer):.0f}" if writer else "—"
        lines.append(
            f"| {config} | {rate:.1f} | {ratio} | {per_document:.0f} | {ceiling:.0f} | {writer_text} | "
            f"{limit(typical)} |"
        )
    lines += [
        "",
        "Every run (CPU ms per document and busy share by role; peak memory is each role's largest VmHWM):",
        "",
        "| round | configuration | documents | seconds | documents/s | requests/s | load | "
        "CPU ms/document by role (busy share) | peak memory, MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for figure in runs:
        split = ", ".join(
            f"{role} {ms:.1f} ({figure.busy[role]:.0%})"
            for role, ms in sorted(figure.cpu_ms_per_document.items())
            if ms >= 0.05  # not a passing tool such as `uname -p`
        )
        memory = ", ".join(f"{role} {mb:.0f}" for role, mb in sorted(figure.peak_mb.items()))
        lines.append(
            f"| {figure.round} | {figure.config} | {figure.documents} | {figure.seconds:.1f} | "
            f"{figure.documents_per_s:.1f} | {figure.requests_per_s:.0f} | {figure.load:.1f} | {split} | {memory} |"
        )
    lines += [
        "",
        "Seconds: wall time from the first process's start to the archive's summary (local: `crawler.run.crawl`; "
        "Redis: the writer's start to its summary, redis-server's start-up excluded). Documents: new + changed + "
        "duplicate + failed, as the archive counted them. CPU: user + system of the crawl's own processes from "
        "/proc/<pid>/stat every 0.2 s (a process's last 0.2 s may be missing); the replica server answering them "
        "runs in the benchmark's process, is not counted, and shares the cores. Busy share: a role's CPU over its "
        "processes × the run's seconds (a single-threaded role near 100% is the limit). Run-queue wait: seconds "
        "the crawl's processes were ready to run but waited for a core (/proc/<pid>/schedstat), per CPU second; "
        "above 1 the machine's other load, not the crawl, decided the wall time. CPU ceiling: documents "
        "over (CPU / cores), what the run would reach if CPU were its only limit and the cores its own; writer "
        "ceiling: 1000 / the writer's CPU ms per document (it writes on one thread). On a loaded machine wall "
        "times shrink the share each run gets, the CPU figures much less.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--portals", type=int, default=6, help="generated portals (default 6)")
    parser.add_argument("--reports", type=int, default=60, help="reports per portal, each a page and a PDF (60)")
    parser.add_argument(
        "--crawlers", type=int, action="append", help="crawler processes of a Redis run; repeatable (1, 2, 4)"
    )
    parser.add_argument("--workers", type=int, default=2, help="`nianbao worker`s of a Redis run (2)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every configuration, interleaved (2)")
    parser.add_argument("--quick", action="store_true", help="3 portals × 8 reports, 1 round; prints, writes nothing")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of Markdown")
    args = parser.parse_args()
    crawlers = args.crawlers or [1, 2, 4]
    if min([args.portals, args.reports, args.workers, args.rounds, *crawlers]) < 1:
        parser.error("--portals, --reports, --crawlers, --workers and --rounds must be ≥ 1")
    if args.quick:
        args.portals, args.reports, args.rounds = 3, 8, 1

    site, registry_toml = large.build(args.portals, args.reports, crawl_bench.pdf_templates(crawl_bench.TEMPLATES))
    configs: list[str | int] = ["local", *crawlers]
    runs: list[Figures] = []
    sides: list[crawl_bench.Side] = []
    failed = False
    for round_number in range(1, args.rounds + 1):
        turned = configs[round_number - 1 :] + configs[: round_number - 1]
        for config in turned:
            print(f"round {round_number}: {config} …", file=sys.stderr, flush=True)
            try:
                measured = (
                    local_crawl(site, registry_toml)
                    if config == "local"
                    else distributed_crawl(site, registry_toml, int(config), args.workers)
                )
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                print(f"round {round_number}: {config} failed: {error}", file=sys.stderr)
                failed = True
                continue
            sides.append(measured[0])
            runs.append(figures(measured, round_number))
            print(f"  {runs[-1].documents} documents in {runs[-1].seconds:.1f} s", file=sys.stderr, flush=True)
    runs.sort(key=lambda figure: (configs.index(_config_key(figure.config)), figure.round))
    requests, pdfs = (sides[0].responses, sides[0].pdfs) if sides else (0, 0)
    data: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "node": platform.node(),
            "load_average": os.getloadavg(),
            "python": platform.python_version(),
        },
        "parameters": {
            "portals": args.portals,
            "reports": args.reports,
            "latency_s": LATENCY,
            "crawlers": crawlers,
            "workers": args.workers,
            "local_archiving_workers": crawl_settings.NIANBAO_INGEST_WORKERS,
            "rounds": args.rounds,
            "requests_per_host_per_crawler": crawl_settings.CONCURRENT_REQUESTS_PER_DOMAIN,
            "requests": requests,
            "pdfs": pdfs,
        },
        "runs": [asdict(figure) for figure in runs],
        "failed": failed,
    }
    text = report(args, runs, requests, pdfs)
    if not args.quick:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "scaleout.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (RESULTS / "scaleout.md").write_text(text, encoding="utf-8")
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)
    return 1 if failed else 0


def _config_key(config: str) -> str | int:
    return "local" if config == "local" else int(config.rsplit("×", 1)[1])


if __name__ == "__main__":
    sys.exit(main())
