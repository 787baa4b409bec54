"""Benchmark: how nianbao's costs grow with the archive, and what a million reports need (issue 14, item 5).

    .venv/bin/python bench/scale.py [--sizes 10000,100000,300000] [--block 300] [--rounds 3] [--queries 200]
    .venv/bin/python bench/scale.py --quick          # 2,000 / 5,000 / 10,000 reports, small blocks; prints only
                                                     # (~30 s; its first run builds its archives: ~5 min)
    .venv/bin/python bench/scale.py --build-only     # build the cached archives and stop (they take the longest)

At each size it measures:

- **ingest CPU per document**: the marginal cost of ingesting ``--block`` new synthetic reports (another seed
  than the archive's: none is in it) into that archive through the real path, batched (``write_batched``,
  default limits) and one transaction per document (``ingest``), the CPU of the ingesting process plus its
  extraction child's (``bench/ingest.py``'s ``child_cpu``). Each block runs in a fresh process that first
  ingests one document unmeasured (forking the extraction child, compiling the statements), then the block;
  blocks of every size and mode interleaved, their order rotated from round to round; a size's figure is
  the median of its blocks. Beside it: the part spent on related reports (linking, report records:
  ``bench/ingest.py``'s ``Probe``; it grows with the reports of the new one's agency, not with the archive's
  size) and the part spent in the kernel (reading the archive's pages).
- **archive size** on disk, bytes per report;
- **search**: ``search(limit=20)`` (the first page ``nianbao search`` shows: capped count, 20 hits,
  snippets) p50 / p95 and ``matching_report_ids`` (all matching ids) p95, over the same ``--queries`` queries
  at every size (``bench/search.py``'s ``make_queries`` over the smallest archive's texts), CPU time, the
  median of ``--repeats`` runs of each. One search process per size, all alive at once and asked query by
  query in turn, so the machine's load falls on every size alike. Each page is checked against the all-ids
  answer (its total is that count, or ``COUNT_CAP`` marked not exact above it; its hits are among those ids);
  exactness against the substring test is ``bench/search.py``'s job (at 100k: 200/200), not repeated here;
- **memory**: the peak resident memory (``VmHWM``) of each search process and of each ingesting process.

The report lists the slowest first pages at the largest size, with their matches and times at every size.

Then it fits the growth and extrapolates to 1,000,000 reports: build time (the per-document CPU, fitted as a
line in the archive's size, summed over 0..1M on one core), disk, first-page p50 / p95, all-ids p95 and memory
(power laws fitted to every size; the exponent from each size to the next is shown beside, where growth that
starts late would show).

**The archives** (cached under ``bench/cache/``, each size kept): the smallest size is synthetic reports
(``bench/synthetic.py``) ingested through the real batched path (``bench/ingest.py``'s cached build); each
larger size is the next smaller one replicated by SQL (``bench/serve.py``'s ``replicate``: every copy gets
new ids in every table and each place a new name, in its text, title, region and bytes; the search indexes
and browse rows are filled by the archive's own triggers and tokenizer). Ingesting
300,000 reports through the real path would take many hours on a two-core machine; replication took 28 min
to 100,000 and 51 min more to 300,000 under a load of ~10. The caveats: replicated texts differ from their
source only in names and places, so the search indexes hold fewer distinct phrases than real reports would,
and every copy's numbers and checks are its source's. Each copy's bodies are new (renamed places), with the
years of their sources: no agency-year repeats, and a body has as many reports at every size as in the
ingested base, as in a real archive, which grows by more bodies (archives replicated before ``BUILD_VERSION``
2 of ``bench/serve.py`` recombined the generator's ~21,000 agencies instead: up to ~2.7 reports per
agency-year at 300,000, and the work on related reports grew with the archive; the report shows it apart).

**Measuring without changing the cache**: the ingest blocks must not grow the cached archives. Each block's
process opens the archive with automatic checkpoints off (``PRAGMA wal_autocheckpoint = 0``) and ends
without closing it (``os._exit``), so its commits stay in the write-ahead log and never reach the database
file (in WAL mode only a checkpoint writes there; the last connection's close would checkpoint); the
parent then deletes the log, and checks that the file's size and modification time are unchanged. Every
block thus starts from the same archive of N reports; the checkpoints' CPU (copying pages from the log to
the file) is left out at every size alike. No 17 GB copy is needed (the file system has no reflinks).

Writes ``bench/results/scale.md`` and ``.json`` (``--quick`` only prints; ``--json`` prints the JSON).
Exit status: 0 when first-page p95 at the largest size is within 1.3× of the smallest's and batched ingest
CPU per document within 1.2× (issue 14's "done when"), 1 when either is not, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import itertools
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypedDict, TypeVar, cast

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / "cache"
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))
import ingest as ingest_bench  # noqa: E402 (bench/ is not a package)
import search as search_bench  # noqa: E402
import serve as serve_bench  # noqa: E402
import synthetic  # noqa: E402

K = TypeVar("K")

SIZES = (10_000, 100_000, 300_000)
QUICK_SIZES = (2_000, 5_000, 10_000)
#: ``--quick``'s measuring (a smoke run of a few minutes once its archives are cached).
QUICK = {"block": 40, "rounds": 2, "queries": 40}
#: What the report extrapolates to.
TARGET_REPORTS = 1_000_000
#: Issue 14's "done when": first-page p95 at the largest size within this factor of the smallest's …
FLAT_SEARCH = 1.3
#: … and ingest CPU per document (batched) within this one.
FLAT_INGEST = 1.2
#: Bumped when the way the archives are built changes, so that cached ones are built again.
BUILD_VERSION = 1
#: The seed offset of the ingested blocks' reports (``bench/ingest.py`` uses the same: other texts).
BLOCK_SEED_OFFSET = 1000
MODES = ("batched", "per-document")


def progress(line: str) -> None:
    """Overwrite the progress line on stderr."""
    print(f"\r{line}   ", end="", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# The archives


def archive_path(size: int, base: int, seed: int) -> Path:
    """Where the archive of ``size`` reports (``base`` of them ingested, the rest replicated) is cached."""
    key = serve_bench._generator_digest()  # the generator, its seeds and the replication's version
    return CACHE / f"scale-{size}-from-{base}-s{seed}-{key}-v{BUILD_VERSION}.db"


def log_files(path: Path) -> list[Path]:
    return [Path(f"{path}-wal"), Path(f"{path}-shm")]


SchemaEntry = tuple[str, str, str]  # type, name, sql


def schema_of(db: Any) -> dict[str, SchemaEntry]:
    """An archive's tables, indexes and triggers by name (SQLite's automatic indexes have no SQL)."""
    rows = db.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    return {name: (kind, name, sql) for kind, name, sql in rows}


@functools.cache
def current_schema() -> dict[str, SchemaEntry]:
    """What a new archive's schema is with this checkout's code."""
    import tempfile

    from archive.db import connect

    with tempfile.TemporaryDirectory() as folder:
        db = connect(Path(folder) / "new.db")
        schema = schema_of(db)
        db.close()
    return schema


def conform_schema(db: Any) -> list[str]:
    """Bring a cached archive's indexes and triggers (and any empty new table) to this checkout's schema when
    its version number is the same but the migrations were edited since it was built (a migration not yet
    released changes under a build of an hour). A table whose definition differs cannot be conformed: the
    archive must be built again. Returns what was changed."""
    cached, current = schema_of(db), current_schema()
    changed = []
    for name, (kind, _, _sql) in sorted(cached.items(), key=lambda item: item[1][0] != "trigger"):
        if kind in ("index", "trigger") and current.get(name) != cached[name]:
            db.execute(f"DROP {kind.upper()} {name}")
            changed.append(f"dropped {kind} {name}")
    order = {"table": 0, "index": 1, "trigger": 2}
    for name, (kind, _, sql) in sorted(current.items(), key=lambda item: order.get(item[1][0], 3)):
        if name in cached and cached[name] == current[name]:
            continue
        if kind == "table" and name in cached:
            raise RuntimeError(f"table {name} differs from this checkout's schema: build again (--rebuild)")
        db.execute(sql)
        changed.append(f"created {kind} {name}")
    if changed:
        db.conn.commit()
        print(f"schema conformed to this checkout: {'; '.join(changed)}", file=sys.stderr)
    return changed


@functools.cache
def index_fingerprint() -> str:
    """How text becomes search tokens now (``bench/search.py``'s fingerprint), computed once."""
    return search_bench.index_fingerprint()


def settle(path: Path) -> dict[str, int]:
    """Open the archive (which migrates it to this checkout's schema), re-index it if the tokenizer changed
    since it was indexed (as ``bench/search.py`` does: ``<archive>.index`` holds the fingerprint), checkpoint
    and close it: the file then holds everything, with no write-ahead log beside it. Its facts: reports, bytes,
    agencies and (agency, year) pairs (the related reports a new one is linked and checked against)."""
    from archive.db import connect, write_transaction
    from archive.migrations import reindex_search

    db = connect(path)
    conform_schema(db)
    stamp = path.with_suffix(".index")
    if stamp.exists() and stamp.read_text().strip() != index_fingerprint():
        print(f"the tokenizer changed since {path.name} was indexed: re-indexing it …", file=sys.stderr)
        with write_transaction(db):
            reindex_search(db)
    stamp.write_text(index_fingerprint() + "\n")
    reports, bodies, body_years = db.execute(
        "SELECT (SELECT count(*) FROM reports), count(DISTINCT agency), count(DISTINCT agency || '/' || year) "
        "FROM documents"
    ).fetchone()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    for leftover in log_files(path):
        if leftover.exists() and leftover.stat().st_size:
            raise RuntimeError(f"{leftover} is not empty after a checkpoint: is another process using {path}?")
    return {"reports": reports, "bytes": path.stat().st_size, "agencies": bodies, "agency_years": body_years}


class Built(TypedDict):
    """How one cached archive was made."""

    size: int
    method: str  # "ingested" or "replicated from N"
    seconds: float
    cpu_seconds: float | None  # the building process's CPU (None: built by bench/ingest.py, wall only)


def build_base(size: int, seed: int, rebuild: bool) -> Built:
    """The smallest archive: ``size`` synthetic reports through the real batched path, as ``bench/ingest.py``
    builds (and caches) its archives; copied under this benchmark's name."""
    path = archive_path(size, size, seed)
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists() and not rebuild:
        return cast(Built, json.loads(meta.read_text()))
    from archive.db import connect

    source = ingest_bench.base_archives([size], seed, rebuild)[size]
    made = json.loads(source.with_suffix(".json").read_text())
    db = connect(source)
    ingest_bench.copy_archive(db, path)
    db.close()
    built = Built(size=size, method="ingested", seconds=float(made["build_seconds"]), cpu_seconds=None)
    meta.write_text(json.dumps(built) + "\n")
    return built


def build_replica(size: int, smaller: int, base: int, seed: int, rebuild: bool) -> Built:
    """The archive of ``size`` reports: the one of ``smaller`` replicated by SQL (``bench/serve.py``)."""
    path = archive_path(size, base, seed)
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists() and not rebuild:
        return cast(Built, json.loads(meta.read_text()))
    partial = path.with_suffix(".partial.db")
    for leftover in (partial, *log_files(partial)):
        leftover.unlink(missing_ok=True)
    print(f"replicating {smaller:,} reports to {size:,}: {path.name} …", file=sys.stderr)
    started, cpu = time.perf_counter(), time.process_time()
    serve_bench.replicate(archive_path(smaller, base, seed), partial, size)
    built = Built(
        size=size,
        method=f"replicated from {smaller:,}",
        seconds=round(time.perf_counter() - started, 1),
        cpu_seconds=round(time.process_time() - cpu, 1),
    )
    partial.rename(path)  # replicate checkpointed and closed it: the file holds everything
    Path(f"{partial}.write.lock").unlink(missing_ok=True)
    meta.write_text(json.dumps(built) + "\n")
    return built


def build_archives(sizes: list[int], seed: int, rebuild: bool) -> dict[int, Built]:
    """Every size's archive, built where missing: the smallest ingested, each next one replicated from the
    one before (so each archive holds the smaller ones' reports). Checked free of a write-ahead log."""
    CACHE.mkdir(exist_ok=True)
    base = sizes[0]
    built = {base: build_base(base, seed, rebuild)}
    settle(archive_path(base, base, seed))
    for smaller, size in itertools.pairwise(sizes):
        built[size] = build_replica(size, smaller, base, seed, rebuild)
        settle(archive_path(size, base, seed))
    return built


# --------------------------------------------------------------------------------------------------
# Ingest blocks: each in a fresh process whose writes are thrown away (see the module's docstring)


@dataclass
class Block:
    """One block of new reports ingested into one archive: what it cost."""

    size: int
    mode: str
    documents: int
    commits: int
    new_reports: int  # documents that made a report of their own (the others joined one already there)
    process_cpu_s: float
    child_cpu_s: float
    wall_s: float
    vm_hwm_kb: int  # the ingesting process's peak resident memory
    work: dict[str, float]  # bench/ingest.py's ``Probe``: CPU seconds (or calls) of the archive-dependent work
    process_system_s: float  # of ``process_cpu_s``, in the kernel (reading the archive's pages, writing the log)

    @property
    def cpu_ms(self) -> float:
        return (self.process_cpu_s + self.child_cpu_s) / self.documents * 1000


def vm_hwm_kb(pid: int | str = "self") -> int:
    """Peak resident memory of a process (``VmHWM`` of ``/proc/<pid>/status``), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM in /proc/{pid}/status")


def ingest_block(db: Any, size: int, mode: str, texts: list[str]) -> Block:
    """In the block's own process: ingest one document unmeasured, then the others of ``texts``, into the
    archive ``db`` (``bench/ingest.py``'s ``measure``: the batched side is what ``write_batched`` does, with
    its commits counted). The caller opened it with automatic checkpoints off and ends the process without
    closing it, so nothing reaches the database file."""
    from intake.ingest import Source, ingest, start_run

    run_id = start_run(db, "import", {"benchmark": "scale", "mode": mode})
    ingest(db, Source("https://bench.example/scale/warm.txt", texts[0].encode()), run_id)  # forks the
    # extraction child and compiles the statements: the state of an import under way
    counts = "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM reports)"
    documents_before, reports_before = db.execute(counts).fetchone()
    probe = ingest_bench.Probe()  # where the CPU goes, in the functions whose work depends on the archive
    system = resource.getrusage(resource.RUSAGE_SELF).ru_stime
    measured = ingest_bench.measure(ingest_bench.Copy(size, True, db, run_id), mode, texts[1:], "scale", probe)
    system = resource.getrusage(resource.RUSAGE_SELF).ru_stime - system
    documents, reports = db.execute(counts).fetchone()
    if documents - documents_before != measured.documents:
        raise RuntimeError(f"{measured.documents} new reports made {documents - documents_before} documents")
    return Block(
        size,
        mode,
        measured.documents,
        measured.commits,
        reports - reports_before,
        measured.process_cpu_s,
        measured.child_cpu_s,
        measured.wall_s,
        vm_hwm_kb(),
        measured.work,
        system,
    )


@dataclass(frozen=True)
class FileState:
    """What must not change in a cached archive's file while blocks are measured on it."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileState:
        info = path.stat()
        return cls(info.st_size, info.st_mtime_ns)


def run_block(path: Path, size: int, mode: str, texts_file: Path) -> Block:
    """One block in a process of its own (``_block``); then its write-ahead log is thrown away, and the
    archive's file checked untouched."""
    before = FileState.of(path)
    if any(log.exists() and log.stat().st_size for log in log_files(path)[:1]):
        raise RuntimeError(f"{path} has a write-ahead log before a block: settle it first")
    try:
        answer = subprocess.run(
            [sys.executable, __file__, "_block", str(path), str(size), mode, str(texts_file)],
            stdout=subprocess.PIPE,  # its errors go to our stderr
            text=True,
            check=True,
        ).stdout
    finally:
        for log in log_files(path):
            log.unlink(missing_ok=True)
    if FileState.of(path) != before:
        raise RuntimeError(f"{path} changed while a block was measured on it: build it again (--rebuild)")
    return Block(**json.loads(answer))


def run_rounds(paths: dict[int, Path], texts_file: Path, rounds: int) -> list[Block]:
    """Every size and mode once per round, in an order rotated from round to round."""
    sides = [(size, mode) for size in paths for mode in MODES]
    blocks = []
    for round_number in range(rounds):
        shift = round_number % len(sides)
        for size, mode in sides[shift:] + sides[:shift]:
            progress(f"ingest round {round_number + 1}/{rounds}: {size:,} reports, {mode}")
            blocks.append(run_block(paths[size], size, mode, texts_file))
    print(file=sys.stderr)
    return blocks


def block_texts(count: int, seed: int, folder: Path) -> Path:
    """``count`` + 1 new synthetic reports (another seed than the archives': none of them is in one), the
    first for warming up; the same ones for every block, since every block starts from its cached archive."""
    texts = list(synthetic.generate(count + 1, seed + BLOCK_SEED_OFFSET))
    path = folder / "block-texts.json"
    path.write_text(json.dumps(texts, ensure_ascii=False))
    return path


# --------------------------------------------------------------------------------------------------
# Search: one process per size, asked query by query in turn


@dataclass
class Timing:
    """One query at one size: CPU ms (median of the repeats) of the first page and of every id."""

    first_page_ms: float
    all_ids_ms: float
    matches: int
    total: int
    total_exact: bool
    consistent: bool  # the page's total and hits agree with the all-ids answer


def time_query(db: Any, typed: str, repeats: int) -> Timing:
    """Time the first page and all ids of one query; check that they agree (see the module's docstring)."""
    from archive.search import COUNT_CAP, matching_report_ids, search

    page, page_s = search_bench.timed(repeats, search, db, typed, limit=20)
    ids, ids_s = search_bench.timed(repeats, matching_report_ids, db, typed)
    answer = set(ids)
    exact = len(answer) <= COUNT_CAP
    consistent = (
        page.total_exact == exact
        and page.total == (len(answer) if exact else COUNT_CAP)
        and len(page.hits) == min(20, len(answer))
        and all(hit.report_id in answer for hit in page.hits)
    )
    return Timing(page_s * 1000, ids_s * 1000, len(answer), page.total, page.total_exact, consistent)


def each_query(path: Path, queries_file: Path) -> Iterator[tuple[Any, str]]:
    """In a search process: the archive at ``path`` with each query the benchmark asks for, as typed (its
    number in ``queries_file``, a line on standard input), until the input ends."""
    from archive.db import connect

    db = connect(path, migrate=False)
    typed = json.loads(queries_file.read_text())
    for line in sys.stdin:
        yield db, typed[int(line)]


def ask_in_turn(processes: Mapping[K, subprocess.Popen[str]], count: int, what: str) -> Iterator[dict[K, Any]]:
    """Ask every process each of the ``count`` queries (a number a line), yielding each query's answers (a
    JSON line from each). The processes take turns, who goes first rotating, so that a shared machine's load
    falls on every one alike."""
    keys = list(processes)
    for number in range(count):
        shift = number % len(keys)
        answers = {}
        for key in keys[shift:] + keys[:shift]:
            process = processes[key]
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(f"{number}\n")
            process.stdin.flush()
            answers[key] = json.loads(process.stdout.readline())
        yield answers
        progress(f"{what}: query {number + 1}/{count}")
    print(file=sys.stderr)


def search_server(path: Path, queries_file: Path, repeats: int) -> None:
    """The search process of one size: answers a ``Timing`` as a JSON line for each query; at end of input,
    its peak memory."""
    for db, typed in each_query(path, queries_file):
        print(json.dumps(asdict(time_query(db, typed, repeats))), flush=True)
    print(json.dumps({"vm_hwm_kb": vm_hwm_kb()}), flush=True)


def run_searches(paths: dict[int, Path], queries_file: Path, count: int, repeats: int) -> dict[int, Any]:
    """Every query at every size, the sizes' processes taking turns (who goes first rotates); per size the
    timings and the process's peak memory."""
    processes = {
        size: subprocess.Popen(
            [sys.executable, __file__, "_search", str(path), str(queries_file), str(repeats)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for size, path in paths.items()
    }
    timings: dict[int, list[Timing]] = {size: [] for size in paths}
    try:
        for answers in ask_in_turn(processes, count, "search at every size"):
            for size, answer in answers.items():
                timings[size].append(Timing(**answer))
        memory = {}
        for size, process in processes.items():
            assert process.stdin is not None and process.stdout is not None
            process.stdin.close()
            memory[size] = json.loads(process.stdout.readline())["vm_hwm_kb"]
            if process.wait() != 0:
                raise RuntimeError(f"the search process of {size:,} reports failed")
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return {size: {"timings": timings[size], "vm_hwm_kb": memory[size]} for size in paths}


def query_set(path: Path, count: int, seed: int, folder: Path) -> tuple[Path, list[search_bench.Query]]:
    """``count`` queries (``bench/search.py``'s mix) drawn from the texts of the archive at ``path`` (the
    smallest: its reports are in every larger one), as typed, into a file the search processes read."""
    from archive import fts
    from archive.db import connect

    db = connect(path, migrate=False)
    texts = [fts.normalize(text) for (text,) in db.execute("SELECT text FROM documents ORDER BY id")]
    db.close()
    queries = search_bench.make_queries(count, seed, texts)
    queries_file = folder / "queries.json"
    queries_file.write_text(json.dumps([query.typed for query in queries], ensure_ascii=False))
    return queries_file, queries


# --------------------------------------------------------------------------------------------------
# Growth


def power_fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The power law ``value = C·size^k`` nearest (least squares of the logarithms) to (size, value) points:
    (k, log C). k is the growth: 0 flat, 1 linear. Fitted over every size, not the last two: two sizes close
    together (100k and 300k) turn a few per cent of noise into a large exponent."""
    log_c, k = linear_fit([(math.log(size), math.log(value)) for size, value in points])
    return k, log_c


def power_at(fit: tuple[float, float], size: float) -> float:
    """The fitted law's value at ``size``."""
    k, log_c = fit
    return math.exp(log_c + k * math.log(size))


def linear_fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares ``value = a + b·size`` through (size, value) points: (a, b)."""
    sizes, values = [n for n, _ in points], [v for _, v in points]
    mean_n, mean_v = statistics.fmean(sizes), statistics.fmean(values)
    spread = sum((n - mean_n) ** 2 for n in sizes)
    b = sum((n - mean_n) * (v - mean_v) for n, v in points) / spread
    return mean_v - b * mean_n, b


def build_cpu_seconds(per_document_s: tuple[float, float], reports: int) -> float:
    """CPU seconds to ingest ``reports`` one after another into a growing archive whose per-document cost is
    ``a + b·n`` seconds at n reports: the sum over n = 0..reports, ``a·N + b·N²/2``. A negative growth (noise
    between sizes) counts as none: the build never gets cheaper per document as it grows."""
    a, b = per_document_s
    return a * reports + max(b, 0.0) * reports**2 / 2


# --------------------------------------------------------------------------------------------------
# The report


class SizeRow(TypedDict):
    """Everything measured at one size."""

    reports: int
    built: Built
    bytes: int
    bytes_per_report: int
    agencies: int
    agency_years: int
    ingest_cpu_ms: dict[str, float]  # mode -> median over its blocks
    ingest_apart_ms: float  # batched, but the work on related reports (bench/ingest.py's RELATED)
    ingest_system_ms: float  # batched, the ingesting process's CPU in the kernel
    ingest_blocks_cpu_ms: dict[str, list[float]]
    ingest_wall_ms: dict[str, float]
    documents_per_commit: dict[str, float]
    block_new_reports: list[int]  # per block: how many of its documents made a report of their own
    ingest_vm_hwm_kb: int  # the highest of the blocks' processes
    ingest_work: dict[str, dict[str, float]]  # mode -> Probe label -> median per document: CPU ms, or calls
    first_page_p50_ms: float
    first_page_p95_ms: float
    first_page_max_ms: float
    all_ids_p95_ms: float
    consistent: int  # queries whose first page agrees with all ids
    search_vm_hwm_kb: int


def size_rows(
    built: dict[int, Built], facts: dict[int, dict[str, int]], blocks: list[Block], searched: dict[int, Any]
) -> list[SizeRow]:
    rows = []
    for size in built:
        mine = [block for block in blocks if block.size == size]
        timings: list[Timing] = searched[size]["timings"]
        first_page = [timing.first_page_ms for timing in timings]
        by_mode = {mode: [block for block in mine if block.mode == mode] for mode in MODES}
        rows.append(
            SizeRow(
                reports=facts[size]["reports"],
                built=built[size],
                bytes=facts[size]["bytes"],
                bytes_per_report=round(facts[size]["bytes"] / facts[size]["reports"]),
                agencies=facts[size]["agencies"],
                agency_years=facts[size]["agency_years"],
                ingest_cpu_ms={m: round(statistics.median(b.cpu_ms for b in of), 2) for m, of in by_mode.items()},
                ingest_blocks_cpu_ms={m: [round(b.cpu_ms, 2) for b in of] for m, of in by_mode.items()},
                ingest_wall_ms={
                    m: round(statistics.median(b.wall_s / b.documents * 1000 for b in of), 2)
                    for m, of in by_mode.items()
                },
                documents_per_commit={
                    m: round(sum(b.documents for b in of) / sum(b.commits for b in of), 1) for m, of in by_mode.items()
                },
                block_new_reports=[block.new_reports for block in mine],
                ingest_vm_hwm_kb=max(block.vm_hwm_kb for block in mine),
                ingest_work={mode: work_per_document(of) for mode, of in by_mode.items()},
                ingest_apart_ms=round(statistics.median(apart_from_related(b) for b in by_mode["batched"]), 2),
                ingest_system_ms=round(
                    statistics.median(b.process_system_s / b.documents * 1000 for b in by_mode["batched"]), 2
                ),
                first_page_p50_ms=round(search_bench.percentile(first_page, 0.5), 2),
                first_page_p95_ms=round(search_bench.percentile(first_page, 0.95), 2),
                first_page_max_ms=round(max(first_page), 2),
                all_ids_p95_ms=round(search_bench.percentile([t.all_ids_ms for t in timings], 0.95), 2),
                consistent=sum(timing.consistent for timing in timings),
                search_vm_hwm_kb=searched[size]["vm_hwm_kb"],
            )
        )
    return rows


def work_per_document(blocks: list[Block]) -> dict[str, float]:
    """``Probe``'s figures per document, the median over ``blocks``: CPU ms of the timed work, calls of the rest."""
    return {
        label: round(statistics.median(b.work[label] / b.documents * (1000 if timed else 1) for b in blocks), 3)
        for label, (_, _, timed) in ingest_bench.WORK.items()
    }


def apart_from_related(block: Block) -> float:
    """A block's CPU ms per document but the work on related reports (linking, report records): work whose
    amount depends on how many reports of the same body the archive holds, not on its size."""
    related = sum(block.work[label] for label in ingest_bench.RELATED)
    return (block.process_cpu_s + block.child_cpu_s - related) / block.documents * 1000


class Extrapolation(TypedDict):
    """The figures at ``reports`` reports, from the growth between the measured sizes."""

    reports: int
    ingest_fit_ms: tuple[float, float]  # batched CPU per document = a + b·n (ms, ms per report)
    ingest_cpu_ms: float  # per document at ``reports``, from that line
    build_cpu_hours: float  # the sum of it over 0..reports: one core, as ``nianbao import`` runs
    apart_fit_ms: tuple[float, float]  # the same line for the CPU but the work on related reports …
    build_cpu_hours_related_bounded: float  # … summed, plus that work held at the largest size's level
    growth: dict[str, float]  # each power-law figure's exponent over every size (0: flat, 1: linear)
    segment_growth: dict[str, list[float]]  # … and from each size to the next
    bytes: float
    first_page_p50_ms: float
    first_page_p95_ms: float
    all_ids_p95_ms: float
    search_vm_hwm_kb: float
    ingest_vm_hwm_kb: float


#: The figures extrapolated as power laws (``power_fit``).
POWER_FIGURES = (
    "bytes",
    "first_page_p50_ms",
    "first_page_p95_ms",
    "all_ids_p95_ms",
    "search_vm_hwm_kb",
    "ingest_vm_hwm_kb",
)


def extrapolate(rows: list[SizeRow], target: int) -> Extrapolation:
    """Each figure at ``target`` reports: a power law fitted to every size; the per-document ingest CPU a line
    fitted to every size (least squares), summed over the build."""
    growth, segments, values = {}, {}, {}
    for name in POWER_FIGURES:
        points = [(float(row["reports"]), float(row[name])) for row in rows]  # type: ignore[literal-required]
        fit = power_fit(points)
        growth[name] = round(fit[0], 3)
        segments[name] = [round(power_fit([a, b])[0], 3) for a, b in itertools.pairwise(points)]
        values[name] = power_at(fit, target)
    a_ms, b_ms = linear_fit([(row["reports"], row["ingest_cpu_ms"]["batched"]) for row in rows])
    apart_a, apart_b = linear_fit([(row["reports"], row["ingest_apart_ms"]) for row in rows])
    related_ms = rows[-1]["ingest_cpu_ms"]["batched"] - rows[-1]["ingest_apart_ms"]
    bounded_s = build_cpu_seconds(((apart_a + related_ms) / 1000, apart_b / 1000), target)
    return Extrapolation(
        reports=target,
        ingest_fit_ms=(round(a_ms, 3), b_ms),
        ingest_cpu_ms=round(a_ms + max(b_ms, 0.0) * target, 2),
        build_cpu_hours=round(build_cpu_seconds((a_ms / 1000, b_ms / 1000), target) / 3600, 2),
        apart_fit_ms=(round(apart_a, 3), apart_b),
        build_cpu_hours_related_bounded=round(bounded_s / 3600, 2),
        growth=growth,
        segment_growth=segments,
        bytes=round(values["bytes"]),
        first_page_p50_ms=round(values["first_page_p50_ms"], 2),
        first_page_p95_ms=round(values["first_page_p95_ms"], 2),
        all_ids_p95_ms=round(values["all_ids_p95_ms"], 2),
        search_vm_hwm_kb=round(values["search_vm_hwm_kb"]),
        ingest_vm_hwm_kb=round(values["ingest_vm_hwm_kb"]),
    )


def verdicts(rows: list[SizeRow]) -> dict[str, Any]:
    """Issue 14's two targets, largest size against smallest."""
    small, large = rows[0], rows[-1]
    search_ratio = large["first_page_p95_ms"] / small["first_page_p95_ms"]
    ingest_ratio = large["ingest_cpu_ms"]["batched"] / small["ingest_cpu_ms"]["batched"]
    return {
        "first_page_p95_ratio": round(search_ratio, 3),
        "first_page_flat": search_ratio <= FLAT_SEARCH,
        "ingest_cpu_ratio": round(ingest_ratio, 3),
        "ingest_flat": ingest_ratio <= FLAT_INGEST,
        "ingest_cpu_ratio_apart_from_related": round(large["ingest_apart_ms"] / small["ingest_apart_ms"], 3),
        "per_document_cpu_ratio": round(
            large["ingest_cpu_ms"]["per-document"] / small["ingest_cpu_ms"]["per-document"], 3
        ),
    }


def _gb(size: float) -> str:
    return f"{size / 1e9:,.2f} GB"


def _mb(kb: float) -> str:
    return f"{kb / 1024:,.0f} MB"


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


def markdown(result: dict[str, Any]) -> str:
    p, m, rows, x, v = (result[k] for k in ("parameters", "machine", "sizes", "extrapolation", "verdicts"))
    largest, smallest = rows[-1]["reports"], rows[0]["reports"]
    lines = [
        f"# Scale: {', '.join(format(row['reports'], ',') for row in rows)} reports, extrapolated to {x['reports']:,}",
        "",
        f"- date: {result['date']}; machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB, "
        f"{m['platform']}; Python {m['python']}, SQLite {m['sqlite']}; code: {m['git']}",
        f"- load average (1 / 5 / 15 min): {' / '.join(map(str, result['load_average_before']))} before, "
        f"{' / '.join(map(str, result['load_average_after']))} after (the machine is shared)",
        f"- command: `{p['command']}`",
        f"- archives: {smallest:,} synthetic reports (`bench/synthetic.py`, seed {p['seed']}) ingested through the "
        "real batched path, then each larger size replicated by SQL from the one before (`bench/serve.py`'s "
        "`replicate`: new ids in every table; each place renamed in text, title, region and bytes; the "
        "search indexes and browse rows filled by the archive's own triggers). **Caveat:** replicated texts "
        "differ from their sources only in names and places (the search indexes hold fewer distinct phrases "
        "than as many real reports would), and their parsed numbers and checks are their sources'.",
        f"- ingest: blocks of {p['block']} new synthetic reports (seed {p['seed'] + BLOCK_SEED_OFFSET}, none in an "
        f"archive), {p['rounds']} per size and mode, interleaved, each in a fresh process after one unmeasured "
        "document; CPU of the ingesting process and its extraction child per document, the median of the blocks. "
        "Batched: `write_batched`, default limits (200 documents or 2 s). Each block's writes stay in the "
        "write-ahead log (autocheckpoint off) and are thrown away: every block starts from the same archive; "
        "checkpoints are not counted at any size.",
        f"- search: the same {p['queries']} queries at every size (`bench/search.py`'s mix over the "
        f"{smallest:,}-report archive's texts), CPU time, the median of {p['repeats']} runs each; one process per "
        "size, asked query by query in turn. Each first page checked against the all-ids answer "
        "(exactness against the substring test: `bench/search.py`).",
        "",
        "| reports | built | disk | bytes/report | ingest CPU ms/doc, batched (but related reports) "
        "| one transaction each "
        "| first page p50 | first page p95 | all ids p95 | search VmHWM | ingest VmHWM |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        built = row["built"]
        lines.append(
            f"| {row['reports']:,} | {built['method']}, {_duration(built['seconds'])} | {_gb(row['bytes'])} "
            f"| {row['bytes_per_report']:,} | **{row['ingest_cpu_ms']['batched']}** ({row['ingest_apart_ms']}) "
            f"| {row['ingest_cpu_ms']['per-document']} | {row['first_page_p50_ms']} ms "
            f"| **{row['first_page_p95_ms']} ms** | {row['all_ids_p95_ms']} ms | {_mb(row['search_vm_hwm_kb'])} "
            f"| {_mb(row['ingest_vm_hwm_kb'])} |"
        )
    lines.append(
        f"| **{x['reports']:,}** (extrapolated) | {x['build_cpu_hours']} h of CPU | {_gb(x['bytes'])} "
        f"| {x['bytes'] / x['reports']:,.0f} | {x['ingest_cpu_ms']} (line) | | {x['first_page_p50_ms']} ms "
        f"| {x['first_page_p95_ms']} ms | {x['all_ids_p95_ms']} ms | {_mb(x['search_vm_hwm_kb'])} "
        f"| {_mb(x['ingest_vm_hwm_kb'])} |"
    )
    a_ms, b_ms = x["ingest_fit_ms"]
    g, seg = x["growth"], x["segment_growth"]

    def growth(name: str) -> str:
        return f"{g[name]} ({' then '.join(map(str, seg[name]))} from size to size)"

    if p["quick"]:
        lines += ["", "(`--quick`: sizes this small make a smoke test; their extrapolation to 1M means little.)"]
    lines += [
        "",
        f"Targets (issue 14), {largest:,} against {smallest:,} reports: first-page p95 "
        f"**{v['first_page_p95_ratio']}×** (≤ {FLAT_SEARCH}×: {'PASS' if v['first_page_flat'] else 'FAIL'}); "
        f"batched ingest CPU per document **{v['ingest_cpu_ratio']}×** (≤ {FLAT_INGEST}×: "
        f"{'PASS' if v['ingest_flat'] else 'FAIL'}); but the work on related reports (linking, report records: "
        f"it grows with the reports of the same agency, see below) {v['ingest_cpu_ratio_apart_from_related']}×; "
        f"one transaction per document {v['per_document_cpu_ratio']}×.",
        "",
        "How the last row is extrapolated: batched ingest CPU per document as a line through every size "
        f"(least squares: {a_ms} ms + {b_ms * 1e6:.3f} ms per million reports in the archive), summed over a build "
        f"from 0 to {x['reports']:,} on one core (`nianbao import` extracts and writes one document after the "
        f"other; a negative slope counts as none): {x['build_cpu_hours']} h. The replicated archives grow by more "
        "bodies, as a real one does, not by more reports per body (see the agencies and agency-years below). "
        "With the work on related "
        "reports held at the largest size's level and the rest on its own line "
        f"({x['apart_fit_ms'][0]} ms + {x['apart_fit_ms'][1] * 1e6:.3f} ms per million reports): "
        f"{x['build_cpu_hours_related_bounded']} h. The rest as power laws fitted to every size (least squares of "
        f"the logarithms; exponent 0 is flat, 1 linear): disk {growth('bytes')}, first page p50 "
        f"{growth('first_page_p50_ms')}, p95 {growth('first_page_p95_ms')}, all ids p95 "
        f"{growth('all_ids_p95_ms')}, search memory {growth('search_vm_hwm_kb')}, ingest memory "
        f"{growth('ingest_vm_hwm_kb')}.",
        "",
        "Per size: blocks' CPU ms/doc (batched | one transaction each); documents per commit; wall ms/doc; "
        "first pages that agree with all ids; slowest first page; agencies and (agency, year) pairs in the "
        "archive; then, batched, where the ingesting process's "
        "CPU goes in the work that depends on what the archive holds (`bench/ingest.py`'s probe: ms per "
        "document, or calls per document).",
        "",
    ]
    for row in rows:
        blocks = row["ingest_blocks_cpu_ms"]
        lines.append(
            f"- {row['reports']:,}: {', '.join(map(str, blocks['batched']))} | "
            f"{', '.join(map(str, blocks['per-document']))}; {row['documents_per_commit']['batched']} | "
            f"{row['documents_per_commit']['per-document']} per commit; wall {row['ingest_wall_ms']['batched']} | "
            f"{row['ingest_wall_ms']['per-document']} ms/doc; {row['consistent']}/{p['queries']} first pages agree; "
            f"slowest first page {row['first_page_max_ms']} ms; {row['agencies']:,} agencies, "
            f"{row['agency_years']:,} (agency, year) pairs; batched: kernel CPU of the ingesting process "
            f"{row['ingest_system_ms']} ms/doc; "
            + "; ".join(f"{label} {value}" for label, value in row["ingest_work"]["batched"].items())
        )
    return "\n".join(lines + slowest_first_pages(result)) + "\n"


#: How many of the slowest first pages the report lists.
SLOWEST = 8


def slowest_first_pages(result: dict[str, Any]) -> list[str]:
    """The queries whose first page is slowest at the largest size, with their matches and times at every
    size: what makes the p95 grow."""
    sizes = [row["reports"] for row in result["sizes"]]
    timings = [result["queries"][size] for size in sizes]
    order = sorted(range(len(result["query_texts"])), key=lambda i: -timings[-1][i]["first_page_ms"])
    head = " / ".join(f"{size:,}" for size in sizes)
    lines = [
        "",
        f"Slowest first pages at {sizes[-1]:,} reports (matches, then first-page CPU ms, at each size):",
        "",
        f"| query | matches: {head} | first page: {head} |",
        "| --- | --- | --- |",
    ]
    for number in order[:SLOWEST]:
        matches = " / ".join(f"{timing[number]['matches']:,}" for timing in timings)
        times = " / ".join(f"{timing[number]['first_page_ms']:.1f}" for timing in timings)
        lines.append(f"| `{search_bench.printable(result['query_texts'][number])}` | {matches} | {times} |")
    return lines


# --------------------------------------------------------------------------------------------------
# Entry points


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    if len(sizes) < 2 or sizes[0] <= 0:
        raise argparse.ArgumentTypeError("at least two positive sizes, e.g. 10000,100000,300000")
    return sizes


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/scale.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(SIZES),
        help="archive sizes, comma-separated; the smallest is ingested, the others replicated (default "
        "10000,100000,300000)",
    )
    parser.add_argument("--block", type=int, default=300, help="new reports per ingest block (default 300)")
    parser.add_argument("--rounds", type=int, default=3, help="ingest blocks per size and mode (default 3)")
    parser.add_argument("--queries", type=int, default=200, help="search queries, the same at every size (200)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each query; the median counts (3)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed of the archives (default 1)")
    parser.add_argument("--rebuild", action="store_true", help="build the cached archives again")
    parser.add_argument("--build-only", action="store_true", help="build (or check) the archives, measure nothing")
    parser.add_argument("--json", action="store_true", help="print the result as JSON instead of Markdown")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{' / '.join(format(size, ',') for size in QUICK_SIZES)} reports, blocks of {QUICK['block']}, "
        f"{QUICK['rounds']} rounds, {QUICK['queries']} queries; prints only",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = list(QUICK_SIZES)
        for name, value in QUICK.items():
            setattr(args, name, value)
    if args.block < 1 or args.rounds < 1 or args.queries < 1 or args.repeats < 1:
        parser.error("--block, --rounds, --queries and --repeats must be positive")
    return args


def measure_all(args: argparse.Namespace, built: dict[int, Built]) -> dict[str, Any]:
    """Every measurement at every size; the result with its report's parts."""
    paths = {size: archive_path(size, args.sizes[0], args.seed) for size in args.sizes}
    facts = {size: settle(path) for size, path in paths.items()}
    folder = CACHE / f"scale-work-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    try:
        queries_file, queries = query_set(paths[args.sizes[0]], args.queries, args.seed, folder)
        blocks = run_rounds(paths, block_texts(args.block, args.seed, folder), args.rounds)
        searched = run_searches(paths, queries_file, args.queries, args.repeats)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = size_rows(built, facts, blocks, searched)
    return {
        "sizes": rows,
        "extrapolation": extrapolate(rows, TARGET_REPORTS),
        "verdicts": verdicts(rows),
        "blocks": [asdict(block) for block in blocks],
        "query_texts": [query.typed for query in queries],
        "queries": {size: [asdict(timing) for timing in searched[size]["timings"]] for size in args.sizes},
    }


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] in ("_block", "_search"):
        return child(sys.argv[1], sys.argv[2:])
    args = arguments(argv)
    load_before = [round(load, 2) for load in os.getloadavg()]
    built = build_archives(args.sizes, args.seed, args.rebuild)
    if args.build_only:
        print(json.dumps(built, indent=1))
        return 0
    measured = measure_all(args, built)
    result = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": search_bench.machine_info(),
        "load_average_before": load_before,
        "load_average_after": [round(load, 2) for load in os.getloadavg()],
        "parameters": {
            "command": " ".join(["bench/scale.py", *(sys.argv[1:] if argv is None else argv)]),
            "sizes": args.sizes,
            **{name: getattr(args, name) for name in ("block", "rounds", "queries", "repeats", "seed", "quick")},
        },
        "method": "smallest size ingested through the real batched path, larger sizes replicated by SQL "
        "(bench/serve.py replicate); ingest blocks measured in processes whose writes are thrown away",
        "caveats": [
            "replicated texts differ from their sources only in names and places",
            "replicated reports carry their sources' parsed numbers and checks",
            "synthetic reports are plain text: extraction of PDFs and office files is not in the ingest CPU",
            "WAL checkpoints are not counted in the ingest CPU (at any size)",
        ],
        **measured,
    }
    report = markdown(result)
    print(json.dumps(result, indent=1, ensure_ascii=False) if args.json else report)
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "scale.md").write_text(report, encoding="utf-8")
        (RESULTS / "scale.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    v = result["verdicts"]
    return 0 if v["first_page_flat"] and v["ingest_flat"] else 1


def child(command: str, args: list[str]) -> int:
    """The processes the benchmark starts: an ingest block (``_block``), a size's searches (``_search``)."""
    if command == "_block":
        from archive.db import connect

        path, size, mode, texts_file = Path(args[0]), int(args[1]), args[2], Path(args[3])
        db = connect(path)  # referenced here until the process ends: freeing it would close it
        db.execute("PRAGMA wal_autocheckpoint = 0")
        status = 1
        try:
            block = ingest_block(db, size, mode, json.loads(texts_file.read_text()))
            sys.stdout.write(json.dumps(asdict(block)) + "\n")
            status = 0
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)  # even on an error, without closing the archive: a close would checkpoint
    search_server(Path(args[0]), Path(args[1]), int(args[2]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
