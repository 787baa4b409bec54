"""Start-up time of each `nianbao` command, beside `python -c pass`, in one run.

    .venv/bin/python bench/cli.py [--rounds 9] [--compare DIR] [--out bench/results/cli.md]

Each command is the installed console script (`.venv/bin/nianbao`) in a fresh process, timed from start to
exit (wall clock): `--version`, `--help`, `search 复议` and `stats` on a small archive (the five seed
reports), `parse` of one seed, and a few more. Rounds are interleaved (every command once per round, in a
shuffled order) so that the load of a shared machine falls on all of them alike; the table gives each
command's median, its fastest run and its median over `python -c pass`'s (the interpreter alone).

Two bytecode conditions, both measured:

- *warm*: the compiled bytecode of every module is cached (``PYTHONPYCACHEPREFIX`` in a temporary folder,
  filled by one run before timing): what a user's second and later runs see;
- *cold*: no bytecode cache for the project and its dependencies (``PYTHONDONTWRITEBYTECODE=1``; the
  standard library keeps its own): every module outside it is compiled from source on every run — how a
  virtualenv installed without ``--compile-bytecode`` behaves when Python may not write its caches (the
  sandboxes this project is developed in set that variable).

``--compare DIR`` (repeatable) also times another checkout's code (``DIR/cli``, ``DIR/archive``…, e.g. from
``git archive HEAD``) through the same launcher (``PYTHONPATH=DIR``), side by side in the same rounds.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "nianbao"
SEEDS = ROOT / "replica" / "data" / "seeds"
SEED = sorted(SEEDS.glob("*.txt"))[0]
#: Commands whose start-up the issue names a target for (seconds, warm bytecode).
TARGETS = {"--version": 0.4, "search 复议": 0.4, "parse SEED": 0.4}


@dataclass(frozen=True)
class Case:
    """One timed command line: its label, its arguments (``None``: ``python -c pass``)."""

    label: str
    args: tuple[str, ...] | None


def cases(archive: Path) -> list[Case]:
    """The command lines timed, on ``archive`` (a tree's own: each version reads the schema it writes)."""
    db = ("--db", str(archive))
    return [
        Case("python -c pass", None),
        Case("--version", ("--version",)),
        Case("--help", ("--help",)),
        Case("search 复议", (*db, "search", "复议")),
        Case("parse SEED", ("parse", str(SEED))),
        Case("stats", (*db, "stats")),
        Case("show 1", (*db, "show", "1")),
        Case("checks", (*db, "checks")),
        Case("export (CSV, stdout)", (*db, "export")),
    ]


def command(case: Case) -> list[str]:
    return [sys.executable, "-c", "pass"] if case.args is None else [str(SCRIPT), *case.args]


def environment(tree: Path, cache: Path | None) -> dict[str, str]:
    """The launcher imports ``tree``'s modules first; bytecode cached under ``cache`` (None: never)."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONDONTWRITEBYTECODE", "NIANBAO_DB")}
    env["PYTHONPATH"] = str(tree)
    env.pop("PYTHONPYCACHEPREFIX", None)
    if cache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # and no prefix: the standard library keeps its own caches
    else:
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def run_once(case: Case, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command(case), env=env, cwd=ROOT, capture_output=True, check=False, timeout=120)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise RuntimeError(f"{case.label} exited {result.returncode}: {result.stderr.decode(errors='replace')}")
    return elapsed


def build_archive(folder: Path, env: dict[str, str]) -> Path:
    """The five seeds imported into ``folder/seeds.db`` by the code ``env`` runs."""
    folder.mkdir()
    archive = folder / "seeds.db"
    command = [str(SCRIPT), "--db", str(archive), "import", str(SEEDS)]
    subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=True, timeout=600)
    return archive


def measure(
    trees: dict[str, Path], archives: dict[str, Path], rounds: int, cache: Path | None
) -> dict[tuple[str, str], list[float]]:
    """{(tree, case label): seconds of each round}; every (tree, case) once per round, shuffled."""
    jobs = [(name, case) for name in trees for case in cases(archives[name])]
    envs = {name: environment(tree, cache) for name, tree in trees.items()}
    for name, case in jobs:  # warm-up: fills the bytecode cache (when there is one) and the OS's file cache
        run_once(case, envs[name])
    times: dict[tuple[str, str], list[float]] = {(name, case.label): [] for name, case in jobs}
    rng = random.Random(13)
    for _ in range(rounds):
        rng.shuffle(jobs)
        for name, case in jobs:
            times[name, case.label].append(run_once(case, envs[name]))
    return times


def table(times: dict[tuple[str, str], list[float]], trees: list[str], labels: list[str], marks: bool) -> list[str]:
    """Median, fastest and median over the interpreter's, per command and tree; ``marks``: ✓/✗ by TARGETS."""
    head = "| command | " + " | ".join(f"{tree}: median s | fastest s | × `python -c pass`" for tree in trees) + " |"
    lines = [head, "| --- |" + " --- | --- | --- |" * len(trees)]
    for label in labels:
        cells = []
        for tree in trees:
            runs = times[tree, label]
            base = statistics.median(times[tree, "python -c pass"])
            median = statistics.median(runs)
            target = TARGETS.get(label) if marks else None
            mark = "" if target is None else (" ✓" if median <= target else f" ✗ (target ≤ {target})")
            cells.append(f"{median:.3f}{mark} | {min(runs):.3f} | {median / base:.1f}")
        lines.append(f"| `{label}` | " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument(
        "--compare", type=Path, action="append", default=[], help="another checkout, timed beside this one (repeatable)"
    )
    parser.add_argument("--out", type=Path, help="write the results (Markdown) here too")
    args = parser.parse_args()
    trees = {**{f"`{tree}`": tree.resolve() for tree in args.compare}, "this checkout": ROOT}
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-cli-") as folder:
        cache = Path(folder) / "pycache"
        archives = {
            name: build_archive(Path(folder) / str(number), environment(tree, cache))
            for number, (name, tree) in enumerate(trees.items())
        }
        labels = [case.label for case in cases(archives["this checkout"])]
        warm = measure(trees, archives, args.rounds, cache)
        shutil.rmtree(cache, ignore_errors=True)
        cold = measure(trees, archives, max(3, args.rounds // 3), None)
    load = os.getloadavg()[0]
    lines = [
        f"# CLI start-up (`bench/cli.py --rounds {args.rounds}`): {os.cpu_count()} cores, load average "
        f"{load:.1f} at the end",
        "",
        "Wall time of each command in a fresh process (the console script `.venv/bin/nianbao`), rounds "
        "interleaved and shuffled; `search`, `stats`, `show`, `checks` and `export` on an archive of the five "
        "seed reports, `parse` of one seed (`SEED` = " + SEED.name + ").",
        "",
        f"## Warm: bytecode cached ({args.rounds} rounds)",
        "",
        *table(warm, list(trees), labels, marks=True),
        "",
        f"## Cold: no bytecode cache, every module compiled on every run ({max(3, args.rounds // 3)} rounds)",
        "",
        *table(cold, list(trees), labels, marks=False),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
