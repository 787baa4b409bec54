"""Benchmark: search designs measured against ours and not adopted (issue 14, item 2).

    .venv/bin/python bench/designs.py [--docs 20000] [--queries 200] [--bound 200] [--repeats 3]

Issue 14 asks that rare phrases of common pairs be answered "by checking a bounded set of candidates …, or
another design you measure to be better", and that the first page stay flat as the archive grows. This runs,
on a copy of ``bench/search.py``'s cached archive (same synthetic reports, same 200 queries), side by side
per query, CPU time of this process, the median of ``--repeats``:

- **ours**: every matching id of a one-term query of 3+ characters, from the FTS5 phrase of its character
  pairs (``report_fts``, positions kept), as ``matching_report_ids`` reads it;
- **trigrams**: a position-free index of overlapping character trigrams (``report_triples``, FTS5
  ``detail = none``, built here on the copy). A 3-character query is one trigram: its doclist is the answer.
  A longer one takes the reports holding every one of its trigrams; at most ``--bound`` of them are checked
  one by one against the phrase (``rowid = ?``, so FTS5 seeks each position list to that report), more fall
  back to ours. Answers are compared with ours (``bench/search.py`` proves ours exact against the
  substring test);
- **the first page** (``search(limit=20)``) with the count capped at ``COUNT_CAP`` (10,000) and at 1,000.

Writes ``bench/results/designs.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from archive import fts, search
from archive.db import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search as search_bench  # bench/ is not a package

TRIPLES = "report_triples"
LOW_CAP = 1_000


def triples(normalized: str) -> list[str]:
    encoded = fts._encode(normalized)
    return [encoded[start : start + 3] for start in range(len(encoded) - 2)]


def add_trigram_index(db: sqlite_utils.Database) -> None:
    """The position-free trigram table over every report's primary text, as the index triggers would fill it."""
    db.execute(f"CREATE VIRTUAL TABLE {TRIPLES} USING fts5(t, tokenize = 'ascii', content = '', detail = none)")
    last = 0
    while rows := db.execute(
        """SELECT r.id, d.text FROM reports r JOIN documents d ON d.id = r.primary_document_id
           WHERE r.id > ? ORDER BY r.id LIMIT 500""",
        [last],
    ).fetchall():
        tokens = [(report_id, " ".join(triples(fts.normalize(text or "")))) for report_id, text in rows]
        db.conn.executemany(f"INSERT INTO {TRIPLES}(rowid, t) VALUES (?, ?)", tokens)
        last = rows[-1][0]
    db.conn.commit()


def table_bytes(db: sqlite_utils.Database, table: str) -> int:
    return int(db.execute(f"SELECT sum(length(block)) FROM {table}_data").fetchone()[0])


def phrase_ids(db: sqlite_utils.Database, term: str) -> set[int]:
    sql = f"SELECT json_group_array(rowid) FROM {fts.PHRASE_TABLE} WHERE {fts.PHRASE_TABLE} MATCH ?"
    return set(json.loads(db.execute(sql, [fts._phrase(fts._encode(term))]).fetchone()[0]))


def trigram_ids(db: sqlite_utils.Database, term: str, bound: int) -> tuple[set[int], int | None]:
    """The trigram design's answer, and how many candidates it checked (None: none, or too many)."""
    expression = " AND ".join(f'"{triple}"' for triple in sorted(set(triples(term))))
    if len(term) == 3:
        sql = f"SELECT json_group_array(rowid) FROM {TRIPLES} WHERE {TRIPLES} MATCH ?"
        return set(json.loads(db.execute(sql, [expression]).fetchone()[0])), None
    sql = f"SELECT rowid FROM {TRIPLES} WHERE {TRIPLES} MATCH ? LIMIT ?"
    candidates = [row[0] for row in db.execute(sql, [expression, bound + 1])]
    if len(candidates) > bound:
        return phrase_ids(db, term), None
    phrase = fts._phrase(fts._encode(term))
    check = f"SELECT 1 FROM {fts.PHRASE_TABLE} WHERE {fts.PHRASE_TABLE} MATCH ? AND rowid = ?"
    found = {rowid for rowid in candidates if db.execute(check, [phrase, rowid]).fetchone()}
    return found, len(candidates)


@dataclass
class Row:
    query: str
    length: int
    matches: int
    ours_ms: float
    trigrams_ms: float | None
    trigrams_exact: bool | None
    candidates_checked: int | None
    first_page_ms: float
    first_page_low_cap_ms: float


def first_page_ms(db: sqlite_utils.Database, typed: str, cap: int, repeats: int) -> float:
    previous, search.COUNT_CAP = search.COUNT_CAP, cap
    try:
        return search_bench.timed(repeats, search.search, db, typed)[1] * 1000
    finally:
        search.COUNT_CAP = previous


def measure(db: sqlite_utils.Database, queries: list[search_bench.Query], bound: int, repeats: int) -> list[Row]:
    rows = []
    for query in queries:
        term = query.text
        ours, ours_s = search_bench.timed(repeats, phrase_ids, db, term) if len(term) >= 3 else (set(), 0.0)
        trigrams_ms = exact = checked = None
        if len(term) >= 3:
            (found, checked), trigram_s = search_bench.timed(repeats, trigram_ids, db, term, bound)
            trigrams_ms, exact = trigram_s * 1000, found == ours
        rows.append(
            Row(
                query.typed,
                len(term),
                len(ours),
                ours_s * 1000,
                trigrams_ms,
                exact,
                checked,
                first_page_ms(db, query.typed, search.COUNT_CAP, repeats),
                first_page_ms(db, query.typed, LOW_CAP, repeats),
            )
        )
    return rows


def summarise(rows: list[Row], sizes: dict[str, int], params: dict[str, Any]) -> dict[str, Any]:
    phrases = [row for row in rows if row.trigrams_ms is not None]

    def by_length(length: int) -> list[Row]:
        return [row for row in phrases if row.length == length]

    checked = [row for row in phrases if row.candidates_checked is not None]
    return {
        "parameters": params,
        "sizes": sizes,
        "phrases": len(phrases),
        "trigrams_exact": sum(bool(row.trigrams_exact) for row in phrases),
        "ours": search_bench.latency([row.ours_ms for row in phrases]),
        "trigrams": search_bench.latency([row.trigrams_ms or 0.0 for row in phrases]),
        "three_characters": {
            "queries": len(by_length(3)),
            "ours": search_bench.latency([row.ours_ms for row in by_length(3)] or [0.0]),
            "trigrams": search_bench.latency([row.trigrams_ms or 0.0 for row in by_length(3)] or [0.0]),
        },
        "checked": {
            "queries": len(checked),
            "candidates": sum(row.candidates_checked or 0 for row in checked),
            "ours_ms": round(sum(row.ours_ms for row in checked), 1),
            "trigrams_ms": round(sum(row.trigrams_ms or 0.0 for row in checked), 1),
        },
        "first_page": search_bench.latency([row.first_page_ms for row in rows]),
        "first_page_low_cap": search_bench.latency([row.first_page_low_cap_ms for row in rows]),
        "rows": [asdict(row) for row in rows],
    }


def markdown(s: dict[str, Any]) -> str:
    p, sizes, checked = s["parameters"], s["sizes"], s["checked"]
    per_candidate = (checked["trigrams_ms"] / checked["candidates"]) if checked["candidates"] else 0.0

    def line(name: str, figures: dict[str, float]) -> str:
        return f"| {name} | {figures['p50_ms']:.2f} ms | {figures['p95_ms']:.2f} ms | {figures['max_ms']:.1f} ms |"

    slowest = sorted((row for row in s["rows"] if row["trigrams_ms"] is not None), key=lambda row: -row["ours_ms"])
    lines = [
        "# Search designs measured and not adopted",
        "",
        f"- `bench/designs.py --docs {p['docs']} --queries {p['queries']} --bound {p['bound']} --repeats "
        f"{p['repeats']}`; code at {p['git']}; load average {p['load']} at the end (the machine is shared)",
        f"- archive: a copy of `{p['archive']}` ({sizes['reports']:,} synthetic reports); CPU time of this process,"
        " the median of the repeats, the designs side by side per query",
        "",
        f"## A position-free trigram index ({s['phrases']} one-term queries of 3+ characters)",
        "",
        f"Index: {sizes['triples_bytes'] / 2**20:.1f} MiB beside the {sizes['fts_bytes'] / 2**20:.1f} MiB of"
        f" the phrase index, +{sizes['triples_bytes'] / sizes['text_bytes']:.2f}× the UTF-8 text. Answers equal"
        f" to ours: {s['trigrams_exact']}/{s['phrases']}.",
        "",
        "| every matching id | p50 | p95 | slowest |",
        "|---|---|---|---|",
        line("ours (phrase of pairs, positions)", s["ours"]),
        line("trigrams (3 characters: one doclist; longer: candidates checked)", s["trigrams"]),
        line(f"ours, the {s['three_characters']['queries']} queries of 3 characters", s["three_characters"]["ours"]),
        line("trigrams, the same queries", s["three_characters"]["trigrams"]),
        "",
        f"Checking candidates one by one: {checked['queries']} queries had at most {p['bound']}"
        f" ({checked['candidates']:,} candidates in all): {checked['trigrams_ms']:.1f} ms against ours"
        f" {checked['ours_ms']:.1f} ms, {per_candidate:.2f} ms a candidate.",
        "",
        "Slowest for ours (ms; candidates checked where the design checked them):",
        "",
        "| query | characters | matches | ours | trigrams | candidates |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in slowest[:12]:
        candidates = "" if row["candidates_checked"] is None else f"{row['candidates_checked']:,}"
        lines.append(
            f"| `{search_bench.printable(row['query'])}` | {row['length']} | {row['matches']:,} | "
            f"{row['ours_ms']:.1f} | {row['trigrams_ms']:.1f} | {candidates} |"
        )
    lines += [
        "",
        f"## The first page with the count capped at {search.COUNT_CAP:,} and at {LOW_CAP:,} ({p['queries']} queries)",
        "",
        "| first page (`search(limit=20)`) | p50 | p95 | slowest |",
        "|---|---|---|---|",
        line(f"count capped at {search.COUNT_CAP:,} (ours)", s["first_page"]),
        line(f"count capped at {LOW_CAP:,}", s["first_page_low_cap"]),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000, help="reports in bench/search.py's cached archive")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bound", type=int, default=200, help="most candidates the trigram design checks")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=search_bench.RESULTS)
    args = parser.parse_args(argv)

    cached, path, _ = search_bench.open_archive(args.docs, args.seed, rebuild=False)
    cached.close()
    with tempfile.TemporaryDirectory(dir=search_bench.CACHE) as folder:
        copy = Path(folder) / "designs.db"
        shutil.copyfile(path, copy)
        db = connect(copy, migrate=False)
        print("indexing trigrams …", file=sys.stderr)
        add_trigram_index(db)
        texts = [
            fts.normalize(text or "")
            for (text,) in db.execute(
                "SELECT d.text FROM reports r JOIN documents d ON d.id = r.primary_document_id ORDER BY r.id"
            )
        ]
        sizes = {
            "reports": len(texts),
            "text_bytes": sum(len(text.encode()) for text in texts),
            "fts_bytes": table_bytes(db, fts.PHRASE_TABLE),
            "triples_bytes": table_bytes(db, TRIPLES),
        }
        queries = search_bench.make_queries(args.queries, args.seed, texts)
        del texts
        search_bench.warm(copy)
        rows = measure(db, queries, args.bound, args.repeats)
        db.close()
    params = {
        "docs": args.docs,
        "queries": args.queries,
        "bound": args.bound,
        "repeats": args.repeats,
        "archive": str(path.relative_to(search_bench.ROOT)),
        "git": search_bench.git_revision(),
        "load": " / ".join(f"{value:.2f}" for value in os.getloadavg()),
    }
    summary = summarise(rows, sizes, params)
    report = markdown(summary)
    print(report)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "designs.md").write_text(report, encoding="utf-8")
    (args.output / "designs.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
