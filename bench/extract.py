"""PDF extraction, side by side: our path (PDFium text + pdfplumber's table finder on PDFium's ruling lines)
against pdfplumber alone (``extract_text`` and ``find_tables`` on every page).

For each fixture PDF and the real huaian-2024.pdf: pages per second, characters recovered against the
source (the DOCX the fixture was made from; for the real PDF its own text layer, as pdfplumber reads its
characters), table-三 and table-四 cells that equal the hand-labelled record, and how many grid cells of ours
equal pdfplumber's. Writes bench/results/extract.md.

    .venv/bin/python bench/extract.py
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pdfplumber

from parsers.document import Table
from parsers.extract import extract
from parsers.pdfgrid import Layout
from testkit import cellcheck

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"  # the hand-labelled records
DATA = ROOT / "replica" / "data"  # the PDFs and DOCX, as the replica serves them
RESULTS = ROOT / "bench" / "results" / "extract.md"
RUNS = 5
Extraction = tuple[str, list[Table], int]  # text, tables, page count


def pdfplumber_only(data: bytes) -> Extraction:
    """Text and expanded grids the way pdfplumber alone gives them."""
    import io

    texts, tables = [], []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            texts.append(page.extract_text() or "")
            for found in page.find_tables():
                cells, contents = [], []
                for row, extracted in zip(found.rows, found.extract(), strict=True):
                    for bbox, text in zip(row.cells, extracted, strict=True):
                        if bbox is not None:
                            cells.append(bbox)
                            contents.append(text or None)
                grid = Layout(cells).fill(contents)
                if grid and len(grid[0]) > 1:
                    tables.append(Table(rows=grid, page=number))
            page.close()
        return "\n".join(texts), tables, len(pdf.pages)


def ours(data: bytes) -> Extraction:
    document = extract(data)
    return document.text, document.tables, document.page_count or 0


def timed(function: Callable[[bytes], Extraction], data: bytes) -> tuple[float, Extraction]:
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = function(data)
        seconds.append(time.perf_counter() - started)
    return min(seconds), result


def recall(reference: str, text: str) -> float:
    """Share of the reference's non-space characters found in the text (as a multiset)."""
    want = Counter(char for char in reference if not char.isspace())
    got = Counter(char for char in text if not char.isspace())
    return sum(min(count, got[char]) for char, count in want.items()) / max(1, sum(want.values()))


def same_cells(mine: list[Table], theirs: list[Table]) -> tuple[int, int]:
    """Grid cells of pdfplumber's tables that ours hold identically (white space ignored)."""

    def squash(cell: str | None) -> str:
        return "".join((cell or "").split())

    equal = total = 0
    for a, b in zip(mine, theirs, strict=False):
        for row_a, row_b in zip(a.rows, b.rows, strict=False):
            equal += sum(squash(x) == squash(y) for x, y in zip(row_a, row_b, strict=False))
        total += sum(len(row) for row in b.rows)
    total += sum(len(row) for table in theirs[len(mine) :] for row in table.rows)
    return equal, total


def samples() -> list[tuple[str, bytes, str, dict]]:
    """(name, PDF bytes, reference text, record) for every PDF we hold the record of."""
    found = []
    for pdf in sorted((DATA / "rendered").glob("report-*.pdf")):
        source = pdf.with_suffix(".docx").read_bytes()
        record = json.loads((FIXTURES / "extraction" / f"{pdf.stem}.json").read_text())
        found.append((pdf.name, pdf.read_bytes(), extract(source).text, record))
    real = DATA / "real" / "huaian-2024.pdf"
    with pdfplumber.open(real) as document:
        layer = "".join(char["text"] for page in document.pages for char in page.chars)
    golden = json.loads((FIXTURES / "real" / f"{real.stem}.json").read_text())
    found.append((real.name, real.read_bytes(), layer, golden))
    return found


def main() -> None:
    lines = [
        "# PDF extraction: our path vs pdfplumber alone",
        "",
        f"Best of {RUNS} runs per document, one process, on this machine. Cells: table 三 (175) + table 四 (15)"
        " values equal to the record; blank = null. 'same as pdfplumber': our grid cells equal to pdfplumber's"
        " expanded grids.",
        "",
        "| document | pages | ours pages/s | pdfplumber pages/s | speed-up | chars ours | chars pdfplumber"
        " | cells ours | cells pdfplumber | same as pdfplumber |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    totals = Counter[str]()
    for name, data, reference, record in samples():
        fast_s, (fast_text, fast_tables, pages) = timed(ours, data)
        slow_s, (slow_text, slow_tables, _) = timed(pdfplumber_only, data)
        fast_cells = cellcheck.count(record, fast_tables)
        slow_cells = cellcheck.count(record, slow_tables)
        equal, total = same_cells(fast_tables, slow_tables)
        totals.update(pages=pages, fast_ms=round(fast_s * 1000), slow_ms=round(slow_s * 1000), equal=equal, total=total)
        totals.update(fast_right=fast_cells[0] + fast_cells[2], slow_right=slow_cells[0] + slow_cells[2])
        totals.update(cells=fast_cells[1] + fast_cells[3])
        lines.append(
            f"| {name} | {pages} | {pages / fast_s:.0f} | {pages / slow_s:.1f} | {slow_s / fast_s:.0f}× "
            f"| {recall(reference, fast_text):.3f} | {recall(reference, slow_text):.3f} "
            f"| {fast_cells[0] + fast_cells[2]}/{fast_cells[1] + fast_cells[3]} "
            f"| {slow_cells[0] + slow_cells[2]}/{slow_cells[1] + slow_cells[3]} | {equal}/{total} |"
        )
    fast_rate = totals["pages"] / totals["fast_ms"] * 1000
    slow_rate = totals["pages"] / totals["slow_ms"] * 1000
    lines.append(
        f"| **all** | {totals['pages']} | {fast_rate:.0f} | {slow_rate:.1f} | {fast_rate / slow_rate:.0f}× | | "
        f"| {totals['fast_right']}/{totals['cells']} | {totals['slow_right']}/{totals['cells']} "
        f"| {totals['equal']}/{totals['total']} |"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
