"""Benchmark: CPU per document of ingest, one transaction per document against batches (``intake.ingest.Batch``),
at a small and a large archive, with and without the foreign-key indexes (issue 14 item 1, "flat ingest").

    python bench/ingest.py [--small 1000] [--large 50000] [--block 200] [--rounds 3] [--seed 1] [--rebuild]
    python bench/ingest.py --quick      # 200 and 1,500 reports, small blocks: under two minutes; prints only

Builds (or reuses from ``bench/cache/``) archives of ``--small`` and ``--large`` synthetic reports
(bench/synthetic.py) through the batch API, the small one a snapshot of the large one's beginning. Each is
copied twice: as it is, and without the indexes migration 11 put on foreign-key columns (``sightings_previous``,
``sightings_run``, ``failures_run``). Then, in ``--rounds`` rounds, each copy ingests a block of ``--block``
new reports one transaction per document (``ingest``) and another block in batches (``write_batched``, the
default limits: 200 documents or 2 s), the blocks of all sizes and variants interleaved and their order rotated
from round to round, so that the machine's load falls on every side alike.

CPU per document is what ingesting costs the machine: the process's own CPU (``time.process_time``: hashing,
linking, tokens, SQLite) plus its extraction child's (intake/bounded.py: extraction and parsing), read from
``/proc/<child>/stat`` and, for a child that retired meanwhile, from ``RUSAGE_CHILDREN``. The figure of a
variant is the median of its blocks. Writes ``bench/results/ingest.md`` and ``ingest.json`` (``--quick``
only prints). Exit status 0 when the batched CPU per document at the large size is within ``FLAT`` of the
small size's, 1 otherwise.

The cached archives depend on the generator's texts (bench/synthetic.py, replica/data/seeds/: ``cache_key``) and
their size and seed; a later schema is applied by ``connect`` when they are opened (``--rebuild`` builds them
again).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.utils import sqlite3

from archive import db as archive_db
from archive.db import connect
from intake import bounded, linking, records
from intake.ingest import Batch, Source, finish_run, ingest, prepare, start_run

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / "cache"
RESULTS = BENCH / "results"
#: The issue's target: CPU per document at the large size within this factor of the small size's.
FLAT = 1.2
#: Indexes of migration 11 on foreign-key columns, dropped from the "without" copies.
FK_INDEXES = ("sightings_previous", "sightings_run", "failures_run")
MODES = ("per-document", "batched")
QUICK = {"small": 200, "large": 1500, "block": 40, "rounds": 2}


def progress(line: str) -> None:
    print(f"\r{line}   ", end="", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# The archives


#: How many of the generator's first texts name the archives built from them (``cache_key``).
KEY_SAMPLE = 200


def cache_key(n_docs: int, seed: int) -> str:
    """What a built archive depends on: the generator's texts (the schema is migrated when opened). Named by a
    digest of its first ``KEY_SAMPLE`` texts, not of its source: an edit of synthetic.py's comments or a move of
    its seeds leaves the texts, and a 50,000-report archive (~10 min to build), as they are, where a change of
    the generator changes its first texts too (``--rebuild`` after one that would not)."""
    digest = hashlib.sha256()
    for text in synthetic.generate(KEY_SAMPLE, seed):
        digest.update(text.encode() + b"\0")
    return f"ingest-{n_docs}-s{seed}-{digest.hexdigest()[:12]}"


def copy_archive(source: sqlite_utils.Database, target: Path) -> None:
    """A consistent copy through SQLite's backup API (a file copy could miss the write-ahead log, or pair the
    copy with another file's stale one)."""
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    copy = sqlite3.connect(target)
    with copy:
        source.conn.backup(copy)
    copy.close()


def build(sizes: list[int], seed: int) -> None:
    """Ingest the largest of ``sizes`` synthetic reports in batches, snapshotting the archive at each smaller
    size on the way (a batch ends there); each into ``bench/cache/`` with what its build took beside it."""
    target = max(sizes)
    partial = CACHE / f"{cache_key(target, seed)}.partial.db"
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    db = connect(partial)
    run_id = start_run(db, "import", {"benchmark": "ingest", "docs": target, "seed": seed})
    texts = synthetic.generate(target, seed)
    batch: Batch[int] = Batch(db)
    started = time.perf_counter()
    for index in range(target):
        batch.add(index, prepare(db, Source(f"https://bench.example/{index}.txt", next(texts).encode())), run_id)
        done = index + 1
        if batch.due() or done in sizes:
            for number, outcome in batch.flush():
                if outcome.status != "new":
                    raise RuntimeError(f"document {number} was not new: {outcome}")
        if done % 500 == 0:
            rate = done / (time.perf_counter() - started)
            progress(f"build: {done:,}/{target:,} reports, {rate:.0f}/s, ETA {(target - done) / rate / 60:.1f} min")
        if done in sizes:
            copy_archive(db, CACHE / f"{cache_key(done, seed)}.db")
            meta = {"documents": done, "build_seconds": round(time.perf_counter() - started, 1)}
            (CACHE / f"{cache_key(done, seed)}.json").write_text(json.dumps(meta) + "\n")
    print(file=sys.stderr)
    finish_run(db, run_id)
    db.close()
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm"), Path(f"{partial}.write.lock")):
        leftover.unlink(missing_ok=True)


def base_archives(sizes: list[int], seed: int, rebuild: bool) -> dict[int, Path]:
    """The cached archive of each size, built first where missing."""
    CACHE.mkdir(exist_ok=True)
    paths = {size: CACHE / f"{cache_key(size, seed)}.db" for size in sizes}
    missing = [size for size, path in paths.items() if rebuild or not path.exists()]
    if missing:
        print(f"building {', '.join(f'{size:,}' for size in missing)} reports into {CACHE} …", file=sys.stderr)
        build(missing, seed)
    else:
        print(
            f"reusing {', '.join(str(path.name) for path in paths.values())} (--rebuild to build again)",
            file=sys.stderr,
        )
    return paths


@dataclass
class Copy:
    """One archive measured: a copy of a base archive, with or without the foreign-key indexes."""

    size: int
    fk_index: bool
    db: sqlite_utils.Database
    run_id: int


def working_copies(bases: dict[int, Path], folder: Path) -> list[Copy]:
    copies = []
    for size, base in bases.items():
        source = connect(base)  # brings a cached archive of an older schema up to date
        for fk_index in (True, False):
            path = folder / f"{size}-{'fk' if fk_index else 'nofk'}.db"
            copy_archive(source, path)
            db = connect(path)
            if not fk_index:
                for name in FK_INDEXES:
                    db.execute(f"DROP INDEX {name}")
            db.conn.commit()
            copies.append(Copy(size, fk_index, db, start_run(db, "import", {"benchmark": "ingest"})))
        source.close()
    return copies


def archive_facts(db: sqlite_utils.Database) -> dict[str, int]:
    queries = {
        "reports": "SELECT count(*) FROM reports",
        "sightings": "SELECT count(*) FROM sightings",
        "bytes": "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
    }
    return {name: int(db.execute(sql).fetchone()[0]) for name, sql in queries.items()}


# --------------------------------------------------------------------------------------------------
# Measuring


def child_cpu() -> float:
    """CPU seconds of the extraction children: the reaped ones (retired, killed) and the live one."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = usage.ru_utime + usage.ru_stime
    child = bounded._child
    if child is not None and child.pid:
        try:
            fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
            seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return seconds


#: What ``Probe`` watches: label → (module, function, timed: its CPU is added up, else its calls counted).
WORK: dict[str, tuple[Any, str, bool]] = {
    "search index, end of batch": (archive_db, "_index_reports", True),
    "report records (records.rebuild)": (records, "rebuild", True),
    "report linking (linking.find_report)": (linking, "find_report", True),
    "rebuilds": (records, "_build", False),  # a report's, and its next year's (neighbours)
    "cross-year comparisons": (records, "cross_year_checks", False),
    "text similarity checks": (linking, "pairs_similarity", False),
}


class Probe:
    """Where the ingesting process's CPU goes: the archive functions whose cost depends on what the archive
    holds, wrapped to add up their CPU (an outer call only: a rebuild's rebuilds of neighbours are inside it)
    and count their calls. The rest: hashing, the document's own rows, the commit."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.active: Counter[str] = Counter()
        for label, (module, name, timed) in WORK.items():
            setattr(module, name, self._wrap(getattr(module, name), label, timed))

    def _wrap(self, function: Callable[..., Any], label: str, timed: bool) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not timed:
                self.calls[label] += 1
                return function(*args, **kwargs)
            if self.active[label]:
                return function(*args, **kwargs)
            self.active[label] += 1
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.process_time() - started
                self.active[label] -= 1

        return wrapped

    def snapshot(self) -> dict[str, float]:
        return {
            **{label: self.seconds[label] for label, (_, _, timed) in WORK.items() if timed},
            **{label: float(self.calls[label]) for label, (_, _, timed) in WORK.items() if not timed},
        }


@dataclass
class Block:
    size: int
    fk_index: bool
    mode: str
    documents: int
    commits: int
    process_cpu_s: float
    child_cpu_s: float
    wall_s: float
    work: dict[str, float]  # Probe's CPU seconds and calls in this block

    def ms(self, seconds: float) -> float:
        return seconds / self.documents * 1000


def measure(copy: Copy, mode: str, texts: list[str], label: str, probe: Probe) -> Block:
    """Ingest ``texts`` into the copy, one transaction each or in batches; the CPU and time it took."""
    sources = [
        Source(f"https://bench.example/{label}/{number}.txt", text.encode()) for number, text in enumerate(texts)
    ]
    commits = 0
    work_before = probe.snapshot()
    process_before, child_before, wall_before = time.process_time(), child_cpu(), time.perf_counter()
    if mode == "per-document":
        for source in sources:
            ingest(copy.db, source, copy.run_id)
        commits = len(sources)
    else:  # what write_batched does, with its commits counted
        batch: Batch[int] = Batch(copy.db)
        for number, source in enumerate(sources):
            batch.add(number, prepare(copy.db, source), copy.run_id)
            if batch.due() or number + 1 == len(sources):
                commits += bool(batch.flush())
    return Block(
        copy.size,
        copy.fk_index,
        mode,
        len(sources),
        commits,
        time.process_time() - process_before,
        child_cpu() - child_before,
        time.perf_counter() - wall_before,
        {name: value - work_before[name] for name, value in probe.snapshot().items()},
    )


def run_rounds(copies: list[Copy], block: int, rounds: int, seed: int) -> list[Block]:
    """Every copy and mode once per round, in an order rotated from round to round."""
    sides = [(copy, mode) for copy in copies for mode in MODES]
    texts = synthetic.generate(len(sides) * block * rounds, seed + 1000)  # other seeds: new reports
    blocks, probe = [], Probe()
    for round_number in range(rounds):
        shift = round_number % len(sides)
        for copy, mode in sides[shift:] + sides[:shift]:
            batch = [next(texts) for _ in range(block)]
            progress(f"round {round_number + 1}/{rounds}: {copy.size:,} reports, index {copy.fk_index}, {mode}")
            blocks.append(measure(copy, mode, batch, f"r{round_number}-{copy.size}-{copy.fk_index}-{mode}", probe))
    print(file=sys.stderr)
    return blocks


# --------------------------------------------------------------------------------------------------
# The report


def summarise(blocks: list[Block]) -> list[dict[str, Any]]:
    """Per size, index variant and mode: the medians over its blocks, in ms per document."""
    rows = []
    for key in sorted({(b.size, b.fk_index, b.mode) for b in blocks}, key=lambda k: (k[0], not k[1], k[2])):
        mine = [b for b in blocks if (b.size, b.fk_index, b.mode) == key]
        rows.append(
            {
                "size": key[0],
                "fk_index": key[1],
                "mode": key[2],
                "cpu_ms": round(statistics.median(b.ms(b.process_cpu_s + b.child_cpu_s) for b in mine), 2),
                "process_cpu_ms": round(statistics.median(b.ms(b.process_cpu_s) for b in mine), 2),
                "child_cpu_ms": round(statistics.median(b.ms(b.child_cpu_s) for b in mine), 2),
                "wall_ms": round(statistics.median(b.ms(b.wall_s) for b in mine), 2),
                "documents_per_commit": round(sum(b.documents for b in mine) / sum(b.commits for b in mine), 1),
                "blocks_cpu_ms": [round(b.ms(b.process_cpu_s + b.child_cpu_s), 2) for b in mine],
                "work_per_document": {  # CPU ms (timed functions) or calls, per document
                    name: round(statistics.median(b.ms(b.work[name]) / (1 if timed else 1000) for b in mine), 3)
                    for name, (_, _, timed) in WORK.items()
                },
            }
        )
    return rows


def ratios(rows: list[dict[str, Any]], small: int, large: int) -> dict[str, float]:
    def cpu(size: int, fk_index: bool, mode: str, field: str = "cpu_ms") -> float:
        return float(next(r[field] for r in rows if (r["size"], r["fk_index"], r["mode"]) == (size, fk_index, mode)))

    found = {}
    for mode in MODES:
        found[f"{mode}: large / small"] = cpu(large, True, mode) / cpu(small, True, mode)
        found[f"{mode}: large / small, ingesting process only"] = cpu(large, True, mode, "process_cpu_ms") / cpu(
            small, True, mode, "process_cpu_ms"
        )
        found[f"{mode}: without / with the FK indexes, large"] = cpu(large, False, mode) / cpu(large, True, mode)
    for size in (small, large):
        found[f"batched / per-document, {size:,} reports"] = cpu(size, True, "batched") / cpu(
            size, True, "per-document"
        )
    found["batched: large / small, but the work on related reports (records, linking)"] = apart_from_related(
        rows, large
    ) / apart_from_related(rows, small)
    return {name: round(value, 3) for name, value in found.items()}


#: The work whose amount depends on the related reports an archive holds, not on its size.
RELATED = ("report records (records.rebuild)", "report linking (linking.find_report)")


def apart_from_related(rows: list[dict[str, Any]], size: int) -> float:
    """Batched CPU per document (with the FK indexes) but the work on related reports."""
    row = next(r for r in rows if (r["size"], r["fk_index"], r["mode"]) == (size, True, "batched"))
    return float(row["cpu_ms"]) - sum(row["work_per_document"][name] for name in RELATED)


def machine_info() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "unknown",
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def markdown(result: dict[str, Any]) -> str:
    p, m = result["parameters"], result["machine"]
    lines = [
        "# Ingest: CPU per document, one transaction per document against batches",
        "",
        f"`bench/ingest.py --small {p['small']} --large {p['large']} --block {p['block']} --rounds {p['rounds']} "
        f"--seed {p['seed']}`, {result['date']}: {m['nproc']} CPU(s) ({m['cpu']}), Python {m['python']}, "
        f"SQLite {m['sqlite']}; load average {result['load_average_before']} before, "
        f"{result['load_average_after']} after (1 / 5 / 15 min; the machine is shared).",
        "",
        "Each row: the median over its blocks of (the ingesting process's CPU + its extraction child's) per "
        f"document, over {p['block']} new synthetic reports a block. Blocks of every row interleaved, their "
        "order rotated each round. Batched: `intake.ingest.write_batched`, default limits (200 documents "
        "or 2 s).",
        "",
        "| archive | FK indexes | mode | CPU ms/doc | of which ingesting process | extraction child | wall ms/doc "
        "| docs per commit | blocks (CPU ms/doc) |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['size']:,} | {'yes' if row['fk_index'] else 'dropped'} | {row['mode']} | **{row['cpu_ms']}** "
            f"| {row['process_cpu_ms']} | {row['child_cpu_ms']} | {row['wall_ms']} | {row['documents_per_commit']} "
            f"| {', '.join(str(value) for value in row['blocks_cpu_ms'])} |"
        )
    timed = [name for name, (_, _, is_timed) in WORK.items() if is_timed]
    counted = [name for name, (_, _, is_timed) in WORK.items() if not is_timed]
    lines += [
        "",
        "Where the ingesting process's CPU goes (medians, per document: ms for the first columns, calls for the "
        "last ones; the rest: hashing, the document's own rows, the commit):",
        "",
        f"| archive | FK indexes | mode | ingesting process | {' | '.join(timed)} | the rest | {' | '.join(counted)} |",
        "| ---: | --- | --- | ---: |" + " ---: |" * (len(timed) + 1 + len(counted)),
    ]
    for row in result["rows"]:
        work = row["work_per_document"]
        rest = row["process_cpu_ms"] - sum(work[name] for name in timed)
        lines.append(
            f"| {row['size']:,} | {'yes' if row['fk_index'] else 'dropped'} | {row['mode']} | {row['process_cpu_ms']} "
            f"| {' | '.join(f'{work[name]:.2f}' for name in timed)} | {rest:.2f} "
            f"| {' | '.join(f'{work[name]:.2f}' for name in counted)} |"
        )
    identities = result["synthetic_identities"]
    lines += [
        "",
        f"The generator has {identities:,} report identities (place × department × year), each used once before "
        "any repeats. The larger the archive, the more of a new report's relatives it holds: the same body's "
        "other years (a cross-year comparison with the year before, a rebuild of the year after) and, for "
        "reports drawn from another seed than the archive's, an archived report of the same title (a text "
        "similarity check). That work costs the same per relative at any size; a real archive, whose crawls "
        "bring every year of a body together, does it from its first reports on.",
    ]
    lines += ["", "| ratio | value |", "| --- | ---: |"]
    lines += [f"| {name} | {value} |" for name, value in result["ratios"].items()]
    verdict = "met" if result["flat"] else "missed"
    lines += [
        "",
        f"Target (issue 14): batched CPU per document at the large archive within {FLAT}× of the small one's: "
        f"**{result['ratios']['batched: large / small']}× ({verdict})**.",
        "",
        "Archives measured (at the start): "
        + "; ".join(
            f"{size:,} reports: {facts['sightings']:,} sightings, {facts['bytes'] / 1e6:,.0f} MB"
            for size, facts in result["archives"].items()
        )
        + ". Each grows by the blocks ingested into it during the run.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1000, help="reports in the small archive (default 1000)")
    parser.add_argument("--large", type=int, default=50000, help="reports in the large archive (default 50000)")
    parser.add_argument("--block", type=int, default=200, help="new reports ingested per block (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="blocks per size, index variant and mode (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed of the archives (default 1)")
    parser.add_argument("--rebuild", action="store_true", help="build the cached archives again")
    parser.add_argument(
        "--quick", action="store_true", help="200 and 1,500 reports, blocks of 40, 2 rounds; prints only"
    )
    args = parser.parse_args()
    if args.quick:
        for name, value in QUICK.items():
            setattr(args, name, value)
    if not 0 < args.small < args.large:
        parser.error("--small must be positive and below --large")
    load_before = [round(load, 2) for load in os.getloadavg()]
    bases = base_archives([args.small, args.large], args.seed, args.rebuild)
    folder = CACHE / f"ingest-work-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    try:
        copies = working_copies(bases, folder)
        facts = {copy.size: archive_facts(copy.db) for copy in copies if copy.fk_index}
        blocks = run_rounds(copies, args.block, args.rounds, args.seed)
        for copy in copies:
            copy.db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = summarise(blocks)
    found = ratios(rows, args.small, args.large)
    result = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "load_average_before": load_before,
        "load_average_after": [round(load, 2) for load in os.getloadavg()],
        "parameters": {name: getattr(args, name) for name in ("small", "large", "block", "rounds", "seed", "quick")},
        "archives": facts,
        "rows": rows,
        "ratios": found,
        "flat": found["batched: large / small"] <= FLAT,
        "synthetic_identities": len(synthetic.Generator(args.seed)._identities),
        "blocks": [asdict(block) for block in blocks],
    }
    report = markdown(result)
    print(report)
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "ingest.md").write_text(report)
        (RESULTS / "ingest.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    return 0 if result["flat"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
