"""Parser throughput (reports/s) for text, HTML and PDF inputs, and cell accuracy on generated layouts.

    .venv/bin/python bench/parse.py [--n 200] [--pdf 3]
    .venv/bin/python bench/parse.py --compare DIR [--rounds 3]

Throughput includes extraction (bytes → record), as ``nianbao parse`` does it. Accuracy: random
consistent tables (replica/layouts.py) with random blanks and printing quirks, per layout: cells read
right, wrong (the number that must never happen) and null; table 二 in every merged-cell shape and unit
style: values placed, wrong, left null, and invented (a value where the cell is blank).

``--compare DIR`` times this checkout's parser and the one in DIR (another version's tree, e.g. from
``git archive``) side by side on the same inputs, alternating runs in fresh processes so that the load of
a shared machine falls on both alike, and prints reports/s of CPU time of each and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parsers.record import parse_bytes

ROOT = Path(__file__).resolve().parents[1]
#: What ``--compare`` times: the real files, and generated reports of each layout (``_write_inputs``).
REAL = {
    "text (seeds)": "replica/data/seeds/*.txt",
    "html (GBK seed)": "tests/fixtures/extraction/*.html",
    "pdf (seeds, LibreOffice)": "replica/data/rendered/report-*.pdf",
    "pdf (huaian-2024, 6 pages)": "replica/data/real/huaian-2024.pdf",
}


def _cells() -> list[tuple[str, str, int]]:
    from parsers.form import T3_KEYS, T4_KEYS

    return [("applications", k, c) for k in T3_KEYS for c in range(7)] + [
        ("review_litigation", k, c) for k in T4_KEYS for c in range(5)
    ]


def _case(rng: random.Random, blanks: bool) -> tuple[dict[str, Any], Any]:
    from replica.layouts import Quirks, random_record

    truth = random_record(rng)
    chosen = rng.sample(_cells(), rng.choice([0, 1, 3, 12])) if blanks else []
    quirks = Quirks(
        frozenset((k, c) for _, k, c in chosen),
        rng.choice(["0", "—", "/", "无"]),
        rng.random() < 0.3,
        rng.random() < 0.5,
    )
    return truth, quirks


def _score(record: dict[str, Any], truth: dict[str, Any]) -> tuple[int, int, int]:
    right = wrong = null = 0
    for table, key, column in _cells():
        got = ((record.get(table) or {}).get(key) or [None] * 7)[column]
        if got is None:
            null += 1
        elif got == truth[table][key][column]:
            right += 1
        else:
            wrong += 1
    return right, wrong, null


def _renderers() -> dict[str, Callable[[dict[str, Any], Any], bytes]]:
    from replica.layouts import TEXT_LAYOUTS, Quirks, render_docx, render_html, render_text

    def text(layout: str) -> Callable[[dict[str, Any], Quirks], bytes]:
        return lambda truth, quirks: render_text(truth, layout, quirks).encode()

    renderers: dict[str, Callable[[dict[str, Any], Quirks], bytes]] = {layout: text(layout) for layout in TEXT_LAYOUTS}
    renderers["html"] = render_html
    renderers["docx"] = render_docx
    return renderers


def accuracy(n: int, pdf: int) -> list[tuple[str, int, int, int, float]]:
    from replica.layouts import docx_to_pdf, render_docx

    rng = random.Random(7)
    rows = []
    for name, render in _renderers().items():
        count = n if name != "docx" else max(1, n // 10)
        cases = [_case(rng, blanks=name != "spaces") for _ in range(count)]
        rows.append(_measure(name, [(render(t, q), t) for t, q in cases]))
    if pdf:
        cases = [_case(rng, blanks=True) for _ in range(pdf)]
        pdfs = docx_to_pdf([render_docx(t, q) for t, q in cases])
        rows.append(_measure("pdf", [(data, t) for data, (t, _) in zip(pdfs, cases, strict=True)]))
    return rows


def _measure(name: str, inputs: list[tuple[bytes, dict[str, Any]]]) -> tuple[str, int, int, int, float]:
    totals = [0, 0, 0]
    started = time.perf_counter()
    for data, truth in inputs:
        for index, value in enumerate(_score(dict(parse_bytes(data)), truth)):
            totals[index] += value
    rate = len(inputs) / (time.perf_counter() - started)
    return name, *totals, rate  # type: ignore[return-value]


# Table 二: random tables of either column set in every merged-cell shape (T2_SHAPES) and unit style
# (T2_UNITS), with blanks and printing quirks; every printed value must be placed, none invented.
T2Case = tuple[bytes, dict[str, Any], frozenset[tuple[str, int]], str, str]


def _t2_case(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any], str, Any]:
    from replica.layouts import Quirks, random_record
    from testkit.layouts import random_active

    table_format = rng.choice(["2021", "2019"])
    active = random_active(rng, table_format)
    printed = [(key, column) for key, column, _ in _t2_values(active)]
    quirks = Quirks(
        blanks=frozenset(rng.sample(printed, rng.choice([0, 0, 1, 3]))),
        zero_mark=rng.choice(["0", "—", "/", "无", "-"]),
        full_width=rng.random() < 0.3,
        thousands=rng.random() < 0.5,
    )
    return random_record(rng), active, table_format, quirks


def _t2_values(active: dict[str, Any]) -> list[tuple[str, int, str | None]]:
    """Every value of table 二 as (row key, column, column key or None for a one-value row)."""
    return [
        (key, column, name)
        for key, value in active.items()
        for column, name in enumerate(list(value) if isinstance(value, dict) else [None])
    ]


def table2_cases(n: int, pdf: int) -> dict[str, list[T2Case]]:
    """Rendered table-二 cases by file type; shapes and units taken in turn so that each gets its share."""
    from replica.layouts import docx_to_pdf
    from testkit.layouts import T2_SHAPES, T2_UNITS, render_t2_docx, render_t2_html

    rng = random.Random(11)
    out: dict[str, list[T2Case]] = {}
    for kind, render, count in (("html", render_t2_html, n), ("docx", render_t2_docx, max(len(T2_UNITS), n // 10))):
        cases = []
        for index in range(count * len(T2_SHAPES)):
            record, active, table_format, quirks = _t2_case(rng)
            shape, unit = T2_SHAPES[index % len(T2_SHAPES)], T2_UNITS[index // len(T2_SHAPES) % len(T2_UNITS)]
            data = render(record, active, table_format, shape, quirks, unit)
            cases.append((data, active, quirks.blanks, shape, unit))
        out[kind] = cases
    if pdf:
        drawn = [(_t2_case(rng), T2_SHAPES[i % len(T2_SHAPES)], T2_UNITS[i % len(T2_UNITS)]) for i in range(pdf * 4)]
        pdfs = docx_to_pdf([render_t2_docx(r, a, f, s, q, u) for (r, a, f, q), s, u in drawn])
        out["pdf"] = [(data, a, q.blanks, s, u) for data, ((_, a, _, q), s, u) in zip(pdfs, drawn, strict=True)]
    return out


def table2_accuracy(cases: dict[str, list[T2Case]]) -> list[tuple[str, str, list[int]]]:
    """(file type, shape or unit, [placed right, wrong, null, invented]) per shape, then per unit."""
    totals: dict[tuple[str, str], list[int]] = {}
    for kind, kind_cases in cases.items():
        for data, active, blanks, shape, unit in kind_cases:
            got: dict[str, Any] = dict(parse_bytes(data)["active_disclosure"] or {})
            for key, column, name in _t2_values(active):
                value = got.get(key)
                value = value if name is None else (value or {}).get(name)
                truth = active[key] if name is None else active[key][name]
                outcome = _outcome(value, truth, blank=(key, column) in blanks)
                for group in (f"shape {shape}", f"unit {unit}"):
                    counts = totals.setdefault((kind, group), [0, 0, 0, 0])
                    if outcome is not None:
                        counts[outcome] += 1
    return [(kind, group, counts) for (kind, group), counts in sorted(totals.items(), key=lambda item: item[0])]


def _outcome(value: Any, truth: Any, blank: bool) -> int | None:
    """0 placed right, 1 wrong, 2 left null, 3 invented (a value read from a blank cell); None: a blank read
    as blank."""
    if blank:
        return 3 if value is not None else None
    return 2 if value is None else 0 if value == truth else 1


def real_throughput(repeat: int) -> list[tuple[str, float]]:
    out = []
    for name, pattern in REAL.items():
        data = [path.read_bytes() for path in sorted(ROOT.glob(pattern))]
        started = time.perf_counter()
        for _ in range(repeat):
            for item in data:
                parse_bytes(item)
        out.append((name, repeat * len(data) / (time.perf_counter() - started)))
    return out


def _write_inputs(folder: Path, n: int) -> None:
    """The inputs ``--compare`` times, one folder per input kind: the real files and ``n`` generated reports
    of each layout (made once by this checkout, so both versions parse the very same bytes)."""
    for name, pattern in REAL.items():
        target = folder / name
        target.mkdir()
        for path in sorted(ROOT.glob(pattern)):
            (target / path.name).write_bytes(path.read_bytes())
    rng = random.Random(7)
    for name, render in _renderers().items():
        target = folder / f"generated {name}"
        target.mkdir()
        count = n if name != "docx" else max(1, n // 10)
        for index in range(count):
            truth, quirks = _case(rng, blanks=name != "spaces")
            (target / f"{index:04d}").write_bytes(render(truth, quirks))


def time_inputs(folder: Path, seconds: float) -> dict[str, float]:
    """reports/s per input folder: one warm-up pass, then whole passes for at least ``seconds`` of this
    process's CPU time (CPU time, not wall time: other work on a shared machine slows both versions' wall
    clocks unevenly, their CPU time much less)."""
    rates = {}
    for kind in sorted(path for path in folder.iterdir() if path.is_dir()):
        data = [path.read_bytes() for path in sorted(kind.iterdir())]
        for item in data:
            parse_bytes(item)
        done, started = 0, time.process_time()
        while time.process_time() - started < seconds:
            for item in data:
                parse_bytes(item)
            done += len(data)
        rates[kind.name] = done / (time.process_time() - started)
    return rates


def compare(base: Path, n: int, rounds: int, seconds: float) -> None:
    """Both versions on the same inputs, alternating fresh processes; the best of ``rounds`` runs of each."""
    best: dict[str, dict[str, float]] = {"before": {}, "after": {}}
    with tempfile.TemporaryDirectory() as scratch:
        _write_inputs(Path(scratch), n)
        for _ in range(rounds):
            for label, tree in (("before", base), ("after", ROOT)):
                env = {**os.environ, "PYTHONPATH": str(tree)}
                command = [sys.executable, __file__, "--time-inputs", scratch, "--seconds", str(seconds)]
                result = subprocess.run(command, env=env, cwd=tree, check=True, capture_output=True, text=True)
                for kind, rate in json.loads(result.stdout).items():
                    best[label][kind] = max(best[label].get(kind, 0.0), rate)
    print(f"before: {base}; after: {ROOT}\n")
    print("| input | before reports/s | after reports/s | after / before |\n| --- | --- | --- | --- |")
    for kind, before in best["before"].items():
        after = best["after"][kind]
        print(f"| {kind} | {before:.1f} | {after:.1f} | {after / before:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="generated reports per layout (per shape for table 二)")
    parser.add_argument("--pdf", type=int, default=3, help="generated PDFs (LibreOffice, slow)")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the real files")
    parser.add_argument("--compare", type=Path, help="another version's tree: time both side by side")
    parser.add_argument("--rounds", type=int, default=3, help="--compare: runs of each version")
    parser.add_argument("--seconds", type=float, default=2.0, help="--compare: time per input and run")
    parser.add_argument("--time-inputs", type=Path, help=argparse.SUPPRESS)  # a --compare child process
    args = parser.parse_args()
    if args.time_inputs:
        print(json.dumps(time_inputs(args.time_inputs, args.seconds)))
        return
    if args.compare:
        compare(args.compare.resolve(), min(args.n, 40), args.rounds, args.seconds)
        return
    print("| input | reports/s |\n| --- | --- |")
    for name, rate in real_throughput(args.repeat):
        print(f"| {name} | {rate:.1f} |")
    print("\n| layout | cells right | wrong | null | accuracy | reports/s |\n| --- | --- | --- | --- | --- | --- |")
    for name, right, wrong, null, rate in accuracy(args.n, args.pdf):
        total = right + wrong + null
        print(f"| {name} | {right} | {wrong} | {null} | {right / total:.4%} | {rate:.1f} |")
    print("\n| table 二 | shape / unit | values placed right | wrong | null | invented | placed |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for kind, group, (right, wrong, null, invented) in table2_accuracy(table2_cases(args.n, args.pdf)):
        print(f"| {kind} | {group} | {right} | {wrong} | {null} | {invented} | {right / (right + wrong + null):.4%} |")


if __name__ == "__main__":
    main()
