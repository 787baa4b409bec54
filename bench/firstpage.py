"""Benchmark: ``nianbao search``'s first page, this checkout against a baseline commit, on the scale archives.

    .venv/bin/python bench/firstpage.py --baseline-ref REF [--sizes 10000,100000,300000] [--queries 200]

For each size (``bench/scale.py``'s cached archives: build them with ``bench/scale.py --build-only``), two
search processes: one runs this checkout's ``archive.search``, the other the baseline's (a ``git archive`` of
``--baseline-ref`` under ``bench/cache/``, first on the child's import path, as ``bench/serve.py`` runs its
baseline). Every process gets the same queries (``bench/scale.py``'s set, drawn from the smallest archive),
in turn, who goes first rotating; each answers ``search(db, query, limit=20)`` (the first page: capped count,
20 hits, snippets) ``--repeats`` times, CPU time of that process, the median. Both sides' pages must agree
(ids, total, order), or the run fails.

The baseline must read the archives' schema (a commit of the same schema version). Writes
``bench/results/firstpage.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
import scale as scale_bench  # noqa: E402 (bench/ is not a package)
import search as search_bench  # noqa: E402
import serve as serve_bench  # noqa: E402

SIDES = ("baseline", "ours")


def answer_queries(path: Path, queries_file: Path, repeats: int) -> None:
    """A search process: for each query, its first page's CPU ms and what it found, as a JSON line."""
    from archive.search import search

    for db, typed in scale_bench.each_query(path, queries_file):
        page, seconds = search_bench.timed(repeats, search, db, typed, limit=20)
        found = {"ids": [hit.report_id for hit in page.hits], "total": page.total, "exact": page.total_exact}
        print(json.dumps({"ms": seconds * 1000, "found": found}), flush=True)


def start(tree: Path, path: Path, queries_file: Path, repeats: int) -> subprocess.Popen[str]:
    command = [sys.executable, __file__, "_answer", str(path), str(queries_file), str(repeats)]
    env = serve_bench.tree_environment(tree)
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)


def measure(sizes: list[int], baseline: Path, queries: int, repeats: int, seed: int) -> dict[str, Any]:
    """Per size and side, the CPU ms of every query's first page; stops on a page the sides disagree on."""
    paths = {size: scale_bench.archive_path(size, sizes[0], seed) for size in sizes}
    missing = [str(path) for path in paths.values() if not path.exists()]
    if missing:
        raise SystemExit(f"no cached archive {', '.join(missing)}: run bench/scale.py --build-only first")
    folder = scale_bench.CACHE / f"firstpage-work-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    queries_file, _ = scale_bench.query_set(paths[sizes[0]], queries, seed, folder)
    typed = json.loads(queries_file.read_text())
    trees = {"baseline": baseline, "ours": ROOT}
    processes = {
        (size, side): start(trees[side], paths[size], queries_file, repeats) for size in sizes for side in SIDES
    }
    timings: dict[str, dict[str, list[float]]] = {str(size): {side: [] for side in SIDES} for size in sizes}
    try:
        for number, answers in enumerate(scale_bench.ask_in_turn(processes, len(typed), "first page, both sides")):
            for (size, side), answer in answers.items():
                timings[str(size)][side].append(answer["ms"])
            for size in sizes:
                if answers[(size, "ours")]["found"] != answers[(size, "baseline")]["found"]:
                    raise SystemExit(f"the sides disagree on {typed[number]!r} at {size:,} reports")
    finally:
        for process in processes.values():
            if process.stdin is not None:
                process.stdin.close()
            process.wait()
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()
    return {"queries": typed, "timings": timings}


def summary(timings: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, float]]:
    rows = {}
    for size, sides in timings.items():
        row = {}
        for side in SIDES:
            row[f"{side}_p50"] = search_bench.percentile(sides[side], 0.5)
            row[f"{side}_p95"] = search_bench.percentile(sides[side], 0.95)
        row["p95_ratio"] = row["baseline_p95"] / row["ours_p95"]
        rows[size] = row
    return rows


def slowest(result: dict[str, Any], size: str, count: int = 8) -> list[tuple[str, float, float]]:
    """The queries slowest on the baseline at ``size``: (query, baseline ms, ours ms)."""
    sides = result["timings"][size]
    order = sorted(range(len(result["queries"])), key=lambda n: -sides["baseline"][n])
    return [(result["queries"][n], sides["baseline"][n], sides["ours"][n]) for n in order[:count]]


def markdown(result: dict[str, Any]) -> str:
    sizes, m = list(result["summary"]), result["machine"]
    lines = [
        f"# First page of `nianbao search`: this checkout against {result['baseline']}",
        "",
        f"- date: {result['date']}; machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB; Python "
        f"{m['python']}, SQLite {m['sqlite']}; code: {m['git']}; load average before / after: "
        f"{' / '.join(map(str, result['load_before']))}, {' / '.join(map(str, result['load_after']))}",
        f"- command: `{result['command']}`",
        "- each size: `bench/scale.py`'s cached archive; the same queries on both sides, in turn; CPU time of the "
        "answering process, the median of the repeats; every page equal on both sides (ids, total, order)",
        "",
        "| reports | baseline p50 / p95 | ours p50 / p95 | p95: baseline / ours |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for size, row in result["summary"].items():
        lines.append(
            f"| {int(size):,} | {row['baseline_p50']:.2f} / {row['baseline_p95']:.2f} ms | "
            f"{row['ours_p50']:.2f} / {row['ours_p95']:.2f} ms | **{row['p95_ratio']:.2f}×** |"
        )
    largest = sizes[-1]
    lines += ["", f"Slowest on the baseline at {int(largest):,} reports (CPU ms):", ""]
    lines += ["| query | baseline | ours |", "| --- | ---: | ---: |"]
    lines += [f"| `{query}` | {base:.1f} | {ours:.1f} |" for query, base, ours in slowest(result, largest)]
    return "\n".join(lines) + "\n"


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_answer":
        answer_queries(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-ref", required=True, help="the commit the baseline side runs")
    parser.add_argument("--sizes", default="10000,100000,300000", help="archive sizes (bench/scale.py's)")
    parser.add_argument("--queries", type=int, default=200, help="queries, the same at every size (200)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each query; the median counts (3)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed of the archives (default 1)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    load_before = [round(load, 2) for load in os.getloadavg()]
    baseline = serve_bench.baseline_tree(args.baseline_ref)
    measured = measure(sizes, baseline, args.queries, args.repeats, args.seed)
    result = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": search_bench.machine_info(),
        "load_before": load_before,
        "load_after": [round(load, 2) for load in os.getloadavg()],
        "command": " ".join(["bench/firstpage.py", *sys.argv[1:]]),
        "baseline": baseline.name.removeprefix("tree-"),
        "summary": summary(measured["timings"]),
        **measured,
    }
    report = markdown(result)
    print(report)
    scale_bench.RESULTS.mkdir(exist_ok=True)
    (scale_bench.RESULTS / "firstpage.md").write_text(report, encoding="utf-8")
    (scale_bench.RESULTS / "firstpage.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
