"""Parser throughput (reports/s) for text, HTML and PDF inputs, and cell accuracy on generated layouts.

    .venv/bin/python bench/parse.py [--n 200] [--pdf 3]

Throughput includes extraction (bytes → record), as ``nianbao parse`` does it. Accuracy: random
consistent tables (testkit/layouts.py) with random blanks and printing quirks, per layout: cells read
right, wrong (the number that must never happen) and null.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parsers.form import T3_KEYS, T4_KEYS
from parsers.record import parse_bytes
from testkit.layouts import TEXT_LAYOUTS, Quirks, docx_to_pdf, random_record, render_docx, render_html, render_text

ROOT = Path(__file__).resolve().parents[1]
CELLS = [("applications", k, c) for k in T3_KEYS for c in range(7)] + [
    ("review_litigation", k, c) for k in T4_KEYS for c in range(5)
]


def _case(rng: random.Random, blanks: bool) -> tuple[dict[str, Any], Quirks]:
    truth = random_record(rng)
    chosen = rng.sample(CELLS, rng.choice([0, 1, 3, 12])) if blanks else []
    quirks = Quirks(
        frozenset((k, c) for _, k, c in chosen),
        rng.choice(["0", "—", "/", "无"]),
        rng.random() < 0.3,
        rng.random() < 0.5,
    )
    return truth, quirks


def _score(record: dict[str, Any], truth: dict[str, Any]) -> tuple[int, int, int]:
    right = wrong = null = 0
    for table, key, column in CELLS:
        got = ((record.get(table) or {}).get(key) or [None] * 7)[column]
        if got is None:
            null += 1
        elif got == truth[table][key][column]:
            right += 1
        else:
            wrong += 1
    return right, wrong, null


def accuracy(n: int, pdf: int) -> list[tuple[str, int, int, int, float]]:
    rng = random.Random(7)
    renderers: dict[str, Callable[[dict[str, Any], Quirks], bytes]] = {
        layout: (lambda truth, quirks, layout=layout: render_text(truth, layout, quirks).encode())
        for layout in TEXT_LAYOUTS
    }
    renderers["html"] = render_html
    renderers["docx"] = render_docx
    rows = []
    for name, render in renderers.items():
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
        for index, value in enumerate(_score(parse_bytes(data), truth)):
            totals[index] += value
    rate = len(inputs) / (time.perf_counter() - started)
    return name, *totals, rate  # type: ignore[return-value]


def real_throughput(repeat: int) -> list[tuple[str, float]]:
    files = {
        "text (seeds)": sorted((ROOT / "tests/fixtures/seeds").glob("*.txt")),
        "html (GBK seed)": sorted((ROOT / "tests/fixtures/extraction").glob("*.html")),
        "pdf (seeds, LibreOffice)": sorted((ROOT / "tests/fixtures/extraction").glob("report-*.pdf")),
        "pdf (huaian-2024, 6 pages)": [ROOT / "tests/fixtures/real/huaian-2024.pdf"],
    }
    out = []
    for name, paths in files.items():
        data = [path.read_bytes() for path in paths]
        started = time.perf_counter()
        for _ in range(repeat):
            for item in data:
                parse_bytes(item)
        out.append((name, repeat * len(data) / (time.perf_counter() - started)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="generated reports per layout")
    parser.add_argument("--pdf", type=int, default=3, help="generated PDFs (LibreOffice, slow)")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the real files")
    args = parser.parse_args()
    print("| input | reports/s |\n| --- | --- |")
    for name, rate in real_throughput(args.repeat):
        print(f"| {name} | {rate:.1f} |")
    print("\n| layout | cells right | wrong | null | accuracy | reports/s |\n| --- | --- | --- | --- | --- | --- |")
    for name, right, wrong, null, rate in accuracy(args.n, args.pdf):
        total = right + wrong + null
        print(f"| {name} | {right} | {wrong} | {null} | {right / total:.4%} | {rate:.1f} |")


if __name__ == "__main__":
    main()
