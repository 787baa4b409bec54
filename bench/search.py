"""Benchmark: our exact Chinese full-text search against a plain ``LIKE`` scan, on a synthetic archive.

    python bench/search.py [--docs 100000] [--queries 200] [--seed 1] [--rebuild] [--quick]

Builds (or reuses from ``bench/cache/``) an archive of ``--docs`` synthetic reports through the real
``intake.ingest`` path (``prepare``, then ``write_batched``, as ``nianbao import`` writes), every second
one hard-wrapped as PDF text is (a line break every ``WRAP_WIDTH`` characters, wherever it falls: inside
不予公开 as often as not), then runs ``--queries`` queries of 1–8 characters, some typed with layout white
space (``"不予 公开"``), interleaving per query: ``matching_report_ids`` (all matching ids), the ``LIKE``
scan (all matching ids), ``search(limit=20)`` (the first page as ``nianbao search`` shows it: the count
capped at ``COUNT_CAP``, 20 hits, snippets) and, for queries of three characters or more, the design
issue 14 proposed for rare phrases of common pairs: the reports holding every pair (position-free index),
each checked against its text. Answers are checked against the brute-force substring test on the
normalised texts: ``fts.normalize(query) in fts.normalize(text)``; a first page is right when its total is
the reference count (or ``COUNT_CAP``, marked not exact, above it), its hits are matches, and a
newest-first page is the first page of the full sort. Times are CPU time of this process
(``time.process_time``: the machine is shared), the median of ``--repeats``. Last, the re-index that
migrates an existing archive (``archive.migrations.reindex_search``) is timed on the whole archive. Prints a
Markdown report and writes ``bench/results/search.{md,json}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.utils import sqlite3

from archive import fts
from archive.db import connect, write_transaction
from archive.migrations import reindex_search
from archive.reports import index_bytes
from archive.search import COUNT_CAP, SearchResult, match_spans, matching_report_ids, search
from intake.ingest import BatchLimits, Prepared, Source, finish_run, prepare, start_run, write_batched

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / "cache"
RESULTS = BENCH / "results"

TARGETS = {
    "recall": 1.0,  # on every query
    "precision": 1.0,  # on every query
    "p50_speedup": 50.0,  # p50(LIKE) / p50(ours)
    "p95_speedup": 50.0,  # p95(LIKE) / p95(ours), issue 14
    "first_page_p95_ms": 30.0,  # search(limit=20), issue 14
    "index_ratio": 2.0,  # index bytes / text bytes (UTF-8)
}
#: ``--quick``: sizes for a smoke run of about a minute (build included).
QUICK = {"docs": 1000, "queries": 60}

# --------------------------------------------------------------------------------------------------
# The archive


def progress(line: str) -> None:
    """Overwrite the progress line on stderr."""
    print(f"\r{line}   ", end="", file=sys.stderr, flush=True)


#: Every second report is hard-wrapped at this many characters a line, as text read from a PDF is.
WRAP_WIDTH = 38


def hard_wrap(text: str) -> str:
    """``text`` with a line break every WRAP_WIDTH characters of each line, wherever it falls."""
    return "\n".join(
        "\n".join(line[start : start + WRAP_WIDTH] for start in range(0, len(line), WRAP_WIDTH)) or line
        for line in text.split("\n")
    )


def cache_key(n_docs: int, seed: int) -> str:
    """What the built archive's documents depend on: the generator and its seeds, the wrapping. Not the schema
    (an archive of an older schema migrates when opened, as a user's does) nor the tokenizer (a cached archive
    indexed by another one is re-indexed when opened: ``index_fingerprint``), so that neither change costs a
    build of hours. ``--rebuild`` builds again."""
    digest = hashlib.sha256()
    digest.update(f"hard-wrap every second report at {WRAP_WIDTH}\0".encode())
    for path in [BENCH / "synthetic.py", *sorted(synthetic.SEED_DIR.glob("*.txt"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"search-{n_docs}-s{seed}-{digest.hexdigest()[:12]}"


def index_fingerprint() -> str:
    """A digest of the index tokens ``archive.fts`` makes of a probe: every code point, and white space of
    each kind between wide and narrow characters (the layout rule), and the seed reports. A change in how
    text becomes tokens shows in it (a cached archive indexed otherwise is re-indexed); a faster way to
    the same tokens does not."""
    every = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF)
    samples = "政，a1 한(㈠"
    spaced = "|".join(f"{a}{gap}{b}" for a in samples for b in samples for gap in (" ", "\n", "\t", "\u3000", " \n "))
    seeds = [path.read_text(encoding="utf-8") for path in sorted(synthetic.SEED_DIR.glob("*.txt"))]
    digest = hashlib.sha256(fts.create_sql().encode())
    for text in [every, spaced, *seeds, *map(hard_wrap, seeds)]:
        normalized = fts.normalize(text)
        digest.update(f"{fts.char_tokens(normalized)}\0{fts.pair_tokens(normalized)}\0".encode())
    return digest.hexdigest()[:12]


def build(path: Path, n_docs: int, seed: int) -> dict[str, Any]:
    """Ingest ``n_docs`` synthetic reports into a new archive at ``path`` as ``nianbao import`` does: each one
    prepared (extracted and parsed, ``intake.ingest.prepare``), written in batches (``write_batched``: one
    transaction per batch, each document atomic within it)."""
    partial = path.with_suffix(".partial.db")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    db = connect(partial)
    run_id = start_run(db, "import", {"benchmark": "search", "docs": n_docs, "seed": seed})
    generate_seconds = 0.0
    chunk_rates: list[float] = []  # documents per second, per 1,000 documents
    chunk_started = time.perf_counter()
    started = chunk_started

    def prepared() -> Iterator[tuple[int, Prepared]]:
        nonlocal generate_seconds
        texts = synthetic.generate(n_docs, seed)
        for index in range(n_docs):
            t0 = time.perf_counter()
            text = next(texts) if index % 2 == 0 else hard_wrap(next(texts))
            generate_seconds += time.perf_counter() - t0
            yield index, prepare(db, Source(url=f"https://bench.example/{index}.txt", data=text.encode()))

    for index, outcome in write_batched(db, prepared(), run_id):
        if outcome.status != "new" or outcome.report_id != index + 1:
            raise RuntimeError(f"document {index} was not a new report: {outcome}")
        if (index + 1) % 1000 == 0 or index + 1 == n_docs:
            now = time.perf_counter()
            done = index + 1
            chunk = (done - 1) % 1000 + 1
            chunk_rates.append(chunk / (now - chunk_started))
            chunk_started = now
            eta = (now - started) / done * (n_docs - done)
            progress(
                f"build: {done:,}/{n_docs:,} documents, {done / (now - started):.0f}/s overall, "
                f"{chunk_rates[-1]:.0f}/s now, ETA {eta / 60:.1f} min"
            )
    print(file=sys.stderr)
    ingest_seconds = time.perf_counter() - started - generate_seconds
    finish_run(db, run_id)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    partial.rename(path)
    for suffix in ("-wal", "-shm", ".write.lock"):  # the writer lock file stays beside the partial name
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    return {
        "documents": n_docs,
        "write": f"in batches of up to {BatchLimits().documents} documents (`intake.ingest.write_batched`)",
        "total_seconds": round(time.perf_counter() - started, 1),
        "ingest_seconds": round(ingest_seconds, 1),
        "generate_seconds": round(generate_seconds, 1),
        "ingest_ms_per_document": round(ingest_seconds / n_docs * 1000, 3),
        "documents_per_second": round(n_docs / ingest_seconds, 1),
        "first_1000_per_second": round(chunk_rates[0], 1),
        "last_1000_per_second": round(chunk_rates[-1], 1),
        "chunk_rates": [round(rate, 1) for rate in chunk_rates],
        "built_at": dt.datetime.now().isoformat(timespec="seconds"),
        "index_fingerprint": index_fingerprint(),
    }


def open_archive(n_docs: int, seed: int, rebuild: bool) -> tuple[sqlite_utils.Database, Path, dict[str, Any]]:
    """The cached archive of ``n_docs`` reports (built first if missing), schema migrated and index current."""
    CACHE.mkdir(exist_ok=True)
    key = cache_key(n_docs, seed)
    path = CACHE / f"{key}.db"
    meta_path = CACHE / f"{key}.json"
    if rebuild or not path.exists() or not meta_path.exists():
        path.unlink(missing_ok=True)
        print(f"building {path.relative_to(ROOT)} …", file=sys.stderr)
        meta = build(path, n_docs, seed)
        meta_path.write_text(json.dumps(meta, indent=1))
        meta["cached"] = False
    else:
        print(f"reusing {path.relative_to(ROOT)} (--rebuild to build again)", file=sys.stderr)
        meta = json.loads(meta_path.read_text())
        meta["cached"] = True
    db = connect(path)
    if meta.get("index_fingerprint") != index_fingerprint():
        print("the tokenizer changed since the archive was indexed: re-indexing it …", file=sys.stderr)
        started = time.perf_counter()
        with write_transaction(db):
            reindex_search(db)
        meta["index_fingerprint"] = index_fingerprint()
        meta.setdefault("notes", []).append(
            f"re-indexed for the current tokenizer on {dt.date.today()} ({time.perf_counter() - started:.0f} s)"
        )
        meta_path.write_text(json.dumps({key: value for key, value in meta.items() if key != "cached"}, indent=1))
    return db, path, meta


def warm(path: Path) -> float:
    """Read the whole database file once so both approaches run against a hot page cache."""
    started = time.perf_counter()
    for file in (path, Path(f"{path}-wal")):
        if file.exists():
            with file.open("rb") as handle:
                while handle.read(16 << 20):
                    pass
    return time.perf_counter() - started


# --------------------------------------------------------------------------------------------------
# Queries and the reference answers

_LEGAL = (
    "复议 诉讼 申请 公开 条例 行政 依法 答复 受理 维持 纠正 审结 起诉 信访 举报 投诉 处罚 许可 强制 收费 "
    "保密 涉密 补正 逾期 监督 审查 告知 撤销 驳回 判决 裁定 法院 仲裁 赔偿 听证 问责 执法 规章 法规 备案"
)
LEGAL_TERMS = _LEGAL.split()
SINGLE_CHARACTERS = ["的", "公", "年", "政", "报", "威", "曲", "聊", "鑫", "龘", "0", "7", "%", "a", ".", "、"]
PHRASES = [
    "政府信息公开条例",
    "1月1日",
    "12月31日",
    "gov.cn",
    "行政复议",
    "行政诉讼",
    "依申请公开",
    "国办公开办函",
    "政务公开",
    "第二十条",
    "〔2021〕",
    "结转下年度",
    "不予公开",
    "予以公开",
    "三安全一稳定",
    "http://",
    "微信公众号",
    "保密审查",
    "政务新媒体",
    "(一)",
]
ABSENT = [
    "量子计算机",
    "区块链金融",
    "火星探测器",
    "nianbao",
    "zqxj",
    "诉讼复议",
    "公开公开公开",
    "2099年",
    "@@",
    "龘龘",
]


#: Queries typed with white space between Chinese characters, as copied from a PDF: each finds what the
#: same query without it finds.
LAYOUT_SPACED = ["不予 公开", "行政\n复议", "依申请　公开", "政府 信息 公开", "结转下\t年度", "（一） 主动"]


@dataclass
class Query:
    text: str  # normalised: what the reference and LIKE look for
    kind: str
    spelled: str | None = None  # as typed, when that differs from ``text`` by more than quoting

    @property
    def typed(self) -> str:
        """What a user types for an exact substring search: quoted when it holds a space or starts with '-'."""
        typed = self.spelled or self.text
        if any(char.isspace() for char in typed) or typed.startswith("-"):
            return f'"{typed}"'
        return typed


def make_queries(count: int, seed: int, texts: list[str]) -> list[Query]:
    """``count`` distinct normalised queries of 1–8 characters (the same ones for the same archive and seed)."""
    rng = random.Random(f"queries-{seed}")
    places = synthetic.places()
    names = [place.name for place in rng.sample(places, 6)] + ["聊城市", "曲阜", "威海市"]
    names += [department[0] for department in rng.sample(synthetic._DEPARTMENTS, 4)]
    numbers = ["2019年", "2024年度", "100%", "0533", "20条", "18"]
    fixed = (
        [Query(term, "legal term (2 chars)") for term in LEGAL_TERMS]
        + [Query(char, "single character") for char in SINGLE_CHARACTERS]
        + [Query(phrase, "phrase") for phrase in PHRASES]
        + [Query(text, "expected absent") for text in ABSENT]
        + [Query(name, "place / agency") for name in names if len(name) <= 8]
        + [Query(number, "number") for number in numbers]
        + [Query(spelled, "layout space in the query", spelled) for spelled in LAYOUT_SPACED]
    )
    queries: list[Query] = []
    seen: set[str] = set()
    for query in fixed:
        query.text = fts.normalize(query.text)
        if query.text not in seen or query.spelled:  # a spelling tests the typing: kept beside its text
            seen.add(query.text)
            queries.append(query)
    if count < len(queries):
        queries = rng.sample(queries, count)
    while len(queries) < count:
        text = rng.choice(texts)
        length = rng.randint(1, 8)
        start = rng.randrange(max(1, len(text) - length))
        piece = text[start : start + length]
        if len(piece) != length or fts.normalize(piece) != piece or '"' in piece or piece in seen:
            continue
        seen.add(piece)
        queries.append(Query(piece, "random substring"))
    for query in queries:
        if not 1 <= len(query.text) <= 8:
            raise ValueError(f"query {query.text!r} is not 1–8 characters")
    rng.shuffle(queries)
    return queries


def reference(queries: list[Query], documents: list[tuple[int, str]]) -> list[set[int]]:
    """Brute force: for each (normalised) query, the reports whose normalised text contains it."""
    return [{report_id for report_id, text in documents if query.text in text} for query in queries]


_RUNS_OF_SPACE = re.compile(r"\s+")


def across_layout(queries: list[Query], expected: list[set[int]], rows: list[tuple[int, str]]) -> dict[str, int]:
    """How many queries, and (query, report) matches, stand only across layout white space: matches that the
    normalisation before issue 13 (every run of white space one space, none dropped) misses."""
    missed = [0] * len(queries)
    for report_id, text in rows:
        keeping_layout = _RUNS_OF_SPACE.sub(" ", fts.fold(text)).strip()
        for number, (query, answer) in enumerate(zip(queries, expected, strict=True)):
            if report_id in answer and query.text not in keeping_layout:
                missed[number] += 1
    return {"queries": sum(1 for count in missed if count), "matches": sum(missed)}


# --------------------------------------------------------------------------------------------------
# Measuring

LIKE_SQL = """SELECT r.id FROM reports r JOIN documents d ON d.id = r.primary_document_id
              WHERE d.text LIKE ? ESCAPE '\\'"""


def like_pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def like_ids(db: sqlite_utils.Database, text: str) -> list[int]:
    return [row[0] for row in db.execute(LIKE_SQL, [like_pattern(text)])]


def timed(repeats: int, function: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """The function's result and its median CPU time over ``repeats`` calls (one noisy call misleads; CPU
    time, not wall time, since other processes share the machine's two cores)."""
    times = []
    for _ in range(repeats):
        started = time.process_time()
        result = function(*args, **kwargs)
        times.append(time.process_time() - started)
    return result, statistics.median(times)


#: The issue's design for rare phrases of common pairs checks at most this many candidates against the text.
CANDIDATE_BOUND = 1000


def holding_pairs(db: sqlite_utils.Database, term: str) -> int:
    """How many reports hold every pair of ``term``: the candidates of issue 14's proposal."""
    sql = f"SELECT count(*) FROM {fts.PAIRS_TABLE} WHERE {fts.PAIRS_TABLE} MATCH ?"
    return int(db.execute(sql, [fts.pairs_expression([term])]).fetchone()[0])


def candidate_ids(db: sqlite_utils.Database, term: str) -> list[int]:
    """Issue 14's proposal: the reports holding every pair of ``term`` (the position-free index), each
    checked against its text (``match_spans``, exact). Run where there are at most CANDIDATE_BOUND."""
    sql = f"SELECT rowid FROM {fts.PAIRS_TABLE} WHERE {fts.PAIRS_TABLE} MATCH ?"
    found = []
    for (report_id,) in db.execute(sql, [fts.pairs_expression([term])]).fetchall():
        text = db.execute(
            "SELECT d.text FROM reports r JOIN documents d ON d.id = r.primary_document_id WHERE r.id = ?",
            [report_id],
        ).fetchone()[0]
        if match_spans(text, [term]):
            found.append(report_id)
    return found


def recall_precision(found: set[int], expected: set[int]) -> tuple[float, float]:
    common = len(found & expected)
    recall = common / len(expected) if expected else 1.0
    precision = common / len(found) if found else 1.0
    return recall, precision


@dataclass
class Row:
    query: str
    typed: str
    kind: str
    length: int
    matches: int
    ours_ms: float
    like_ms: float
    search_ms: float
    ours_found: int
    like_found: int
    search_total: int
    search_total_exact: bool
    search_order: str  # "bm25" or "newest"
    ours_recall: float
    ours_precision: float
    like_recall: float
    like_precision: float
    search_ok: bool  # the page's total, hits and (newest first) order are the reference's
    candidates: int | None  # reports holding every pair of a query of 3+ characters
    candidates_ms: float | None  # checking them against the text, when at most CANDIDATE_BOUND
    candidates_ok: bool | None


def page_is_right(page: SearchResult, answer: set[int]) -> bool:
    """The first page's total is the reference count (``COUNT_CAP``, not exact, above it), every hit is a
    match, the page is full, and a newest-first page is exactly the first page of the full sort."""
    exact = len(answer) <= COUNT_CAP
    total_ok = page.total_exact == exact and page.total == (len(answer) if exact else COUNT_CAP)
    ids = [hit.report_id for hit in page.hits]
    hits_ok = all(report_id in answer for report_id in ids) and len(ids) == min(20, len(answer))
    order_ok = page.order == "bm25" or ids == sorted(answer, reverse=True)[:20]
    return total_ok and hits_ok and order_ok


def measure(db: sqlite_utils.Database, queries: list[Query], expected: list[set[int]], repeats: int) -> list[Row]:
    rows: list[Row] = []
    started = time.perf_counter()
    for number, (query, answer) in enumerate(zip(queries, expected, strict=True)):
        # Interleaved so machine noise hits both; alternating who goes first.
        if number % 2 == 0:
            ours, ours_s = timed(repeats, matching_report_ids, db, query.typed)
            like, like_s = timed(repeats, like_ids, db, query.text)
        else:
            like, like_s = timed(repeats, like_ids, db, query.text)
            ours, ours_s = timed(repeats, matching_report_ids, db, query.typed)
        page, search_s = timed(repeats, search, db, query.typed, limit=20)
        candidates: int | None = None
        candidates_ms: float | None = None
        candidates_ok: bool | None = None
        if len(query.text) >= 3:
            candidates = holding_pairs(db, query.text)
            if candidates <= CANDIDATE_BOUND:
                found, candidates_s = timed(repeats, candidate_ids, db, query.text)
                candidates_ms, candidates_ok = candidates_s * 1000, set(found) == answer
        ours_set, like_set = set(ours), set(like)
        if len(ours_set) != len(ours):
            raise RuntimeError(f"duplicate ids for {query.text!r}")
        ours_recall, ours_precision = recall_precision(ours_set, answer)
        like_recall, like_precision = recall_precision(like_set, answer)
        rows.append(
            Row(
                query=query.text,
                typed=query.typed,
                kind=query.kind,
                length=len(query.text),
                matches=len(answer),
                ours_ms=ours_s * 1000,
                like_ms=like_s * 1000,
                search_ms=search_s * 1000,
                ours_found=len(ours_set),
                like_found=len(like_set),
                search_total=page.total,
                search_total_exact=page.total_exact,
                search_order=page.order,
                ours_recall=ours_recall,
                ours_precision=ours_precision,
                like_recall=like_recall,
                like_precision=like_precision,
                search_ok=page_is_right(page, answer),
                candidates=candidates,
                candidates_ms=candidates_ms,
                candidates_ok=candidates_ok,
            )
        )
        elapsed = time.perf_counter() - started
        progress(
            f"queries: {number + 1}/{len(queries)}, {elapsed:.0f} s, "
            f"ETA {elapsed / (number + 1) * (len(queries) - number - 1) / 60:.1f} min"
        )
    print(file=sys.stderr)
    return rows


# --------------------------------------------------------------------------------------------------
# Summaries


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 0.5), 3),
        "p95_ms": round(percentile(values, 0.95), 3),
        "mean_ms": round(statistics.fmean(values), 3),
        "max_ms": round(max(values), 3),
    }


def aggregate(rows: list[Row], prefix: str) -> dict[str, Any]:
    found = sum(getattr(row, f"{prefix}_found") for row in rows)
    expected = sum(row.matches for row in rows)
    common = sum(round(getattr(row, f"{prefix}_recall") * row.matches) for row in rows)
    exact = sum(
        1
        for row in rows
        if getattr(row, f"{prefix}_recall") == 1.0
        and getattr(row, f"{prefix}_precision") == 1.0
        and getattr(row, f"{prefix}_found") == row.matches
    )
    return {
        "exact_queries": exact,
        "queries": len(rows),
        "recall": round(common / expected, 6) if expected else 1.0,
        "precision": round(common / found, 6) if found else 1.0,
        "min_recall": min(getattr(row, f"{prefix}_recall") for row in rows),
        "min_precision": min(getattr(row, f"{prefix}_precision") for row in rows),
    }


def summarise(
    rows: list[Row], sizes: dict[str, int], build_meta: dict[str, Any], params: dict[str, Any], machine: dict[str, Any]
) -> dict[str, Any]:
    ours = latency([row.ours_ms for row in rows])
    like = latency([row.like_ms for row in rows])
    page = latency([row.search_ms for row in rows])
    ratios = [row.like_ms / row.ours_ms for row in rows]
    accuracy = {"ours": aggregate(rows, "ours"), "like": aggregate(rows, "like")}
    speedup = {
        "p50": round(like["p50_ms"] / ours["p50_ms"], 2),
        "p95": round(like["p95_ms"] / ours["p95_ms"], 2),
        "per_query_median": round(percentile(ratios, 0.5), 2),
        "per_query_p5": round(percentile(ratios, 0.05), 2),
        "per_query_min": round(min(ratios), 2),
    }
    index_ratio = sizes["index_bytes"] / sizes["text_bytes"]
    exactness, speed = "exactness", "speed"
    targets = [
        ("recall 1.000 on every query", f"{accuracy['ours']['min_recall']:.3f} (worst query)",
         accuracy["ours"]["min_recall"] >= TARGETS["recall"], exactness),
        ("precision 1.000 on every query", f"{accuracy['ours']['min_precision']:.3f} (worst query)",
         accuracy["ours"]["min_precision"] >= TARGETS["precision"], exactness),
        ("median ≥ 50× faster than LIKE (p50 LIKE / p50 ours)", f"{speedup['p50']:.1f}×",
         speedup["p50"] >= TARGETS["p50_speedup"], speed),
        ("p95 ≥ 50× faster than LIKE (p95 LIKE / p95 ours, all ids)", f"{speedup['p95']:.1f}×",
         speedup["p95"] >= TARGETS["p95_speedup"], speed),
        ("first page right on every query (capped count, hits, newest-first order)",
         f"{sum(row.search_ok for row in rows)}/{len(rows)}", all(row.search_ok for row in rows), exactness),
        ("first page p95 ≤ 30 ms (`search(limit=20)`)", f"{page['p95_ms']:.1f} ms",
         page["p95_ms"] <= TARGETS["first_page_p95_ms"], speed),
        ("index ≤ 2× the text (UTF-8 bytes)", f"{index_ratio:.2f}×", index_ratio <= TARGETS["index_ratio"], speed),
    ]  # fmt: skip
    speedup["first_page_p95"] = round(like["p95_ms"] / page["p95_ms"], 2)
    by_length: dict[str, dict[str, Any]] = {}
    for length in range(1, 9):
        subset = [row for row in rows if row.length == length]
        if subset:
            by_length[str(length)] = {
                "queries": len(subset),
                "median_matches": percentile([row.matches for row in subset], 0.5),
                "ours": latency([row.ours_ms for row in subset]),
                "like": latency([row.like_ms for row in subset]),
                "search": latency([row.search_ms for row in subset]),
            }
    n_docs = params["docs"]
    buckets = [(0, 0), (1, n_docs // 100), (n_docs // 100 + 1, n_docs // 10), (n_docs // 10 + 1, n_docs // 2),
               (n_docs // 2 + 1, n_docs)]  # fmt: skip
    by_matches: dict[str, dict[str, Any]] = {}
    for low, high in buckets:
        subset = [row for row in rows if low <= row.matches <= high]
        if subset:
            by_matches[f"{low}–{high}"] = {
                "queries": len(subset),
                "ours": latency([row.ours_ms for row in subset]),
                "like": latency([row.like_ms for row in subset]),
                "search": latency([row.search_ms for row in subset]),
            }
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine,
        "parameters": params,
        "build": build_meta,
        "sizes": {
            **sizes,
            "index_per_text_byte": round(index_ratio, 4),
            "index_bytes_per_character": round(sizes["index_bytes"] / sizes["text_characters"], 3),
        },
        "latency": {"ours_all_ids": ours, "ours_first_page": page, "like_all_ids": like},
        "accuracy": accuracy,
        "first_page_right": sum(row.search_ok for row in rows),
        "first_page_orders": {order: sum(row.search_order == order for row in rows) for order in ("bm25", "newest")},
        "first_page_capped_totals": sum(not row.search_total_exact for row in rows),
        "candidates": candidates_summary(rows),
        "speedup": speedup,
        "targets": [{"target": t, "measured": m, "pass": ok, "kind": kind} for t, m, ok, kind in targets],
        "by_length": by_length,
        "by_matches": by_matches,
        "slowest_ours": [asdict(row) for row in sorted(rows, key=lambda row: -row.ours_ms)[:10]],
        "queries": [asdict(row) for row in rows],
    }


def candidates_summary(rows: list[Row]) -> dict[str, Any]:
    """Issue 14's bounded-candidates design against the FTS5 phrase, on the queries of 3+ characters."""
    phrases = [row for row in rows if row.candidates is not None]
    bounded = [row for row in phrases if row.candidates_ms is not None]
    summary: dict[str, Any] = {
        "bound": CANDIDATE_BOUND,
        "queries": len(phrases),
        "within_bound": len(bounded),
        "exact": sum(bool(row.candidates_ok) for row in bounded),
        "over_bound_examples": [
            {"query": row.query, "matches": row.matches} for row in phrases if row.candidates_ms is None
        ][:8],
    }
    if bounded:
        summary["ours"] = latency([row.ours_ms for row in bounded])
        summary["candidates"] = latency([row.candidates_ms or 0.0 for row in bounded])
        summary["faster_than_ours"] = sum((row.candidates_ms or 0.0) < row.ours_ms for row in bounded)
    rare_of_common = sorted(
        (row for row in phrases if row.matches * 4 < (row.candidates or 0)), key=lambda row: -(row.candidates or 0)
    )
    summary["rare_phrases_of_common_pairs"] = [
        {"query": row.query, "matches": row.matches, "candidates": row.candidates} for row in rare_of_common
    ][:12]
    return summary


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory_kb = 0
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlite_module": sqlite3.__name__,
        "platform": platform.platform(),
        "load_average_1_5_15": [round(load, 2) for load in os.getloadavg()],
        "git": git_revision(),
    }


def git_revision() -> str:
    """The commit measured, and which files under archive/ differed from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "archive"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    changed = [line[3:] for line in dirty if line.strip()]
    return commit + (f" (modified: {', '.join(changed)})" if changed else "")


def printable(typed: str) -> str:
    """A query as typed, its line breaks and tabs shown as escapes (a Markdown table cell is one line)."""
    return typed.replace("\n", "\\n").replace("\t", "\\t")


def reindex_line(p: dict[str, Any]) -> str:
    if p["reindex_seconds"] is None:
        return "- the re-index that migrates an existing archive was not timed in this run (`--skip-reindex`)"
    return (
        f"- the re-index that migrates an existing archive (`archive.migrations.reindex_search`, schema migration "
        f"`search_layout_space`), timed on this archive: {p['reindex_seconds']:,.0f} s for {p['docs']:,} reports "
        f"({p['docs'] / p['reindex_seconds']:,.0f} reports/s)"
    )


def candidates_markdown(c: dict[str, Any], n_docs: int, ms: Any) -> list[str]:
    """The section on issue 14's proposal for rare phrases of common pairs, measured against ours."""
    lines = [
        "",
        "## Rare phrases of common pairs: bounded candidates checked against the text",
        "",
        f"Issue 14 proposed answering them from the reports holding every pair of the phrase (the position-free "
        f"index), each checked against its text, when there are at most {c['bound']:,}. Of {c['queries']} queries "
        f"of three characters or more, {c['within_bound']} have at most {c['bound']:,} such reports "
        f"(the design applies; its answer exact on {c['exact']}); on the others it does not bound anything.",
    ]
    if c["within_bound"]:
        lines += [
            "",
            "| on the queries within the bound | p50 | p95 |",
            "|---|---|---|",
            f"| ours: FTS5 phrase (all ids) | {ms(c['ours']['p50_ms'])} | {ms(c['ours']['p95_ms'])} |",
            f"| candidates checked against the text | {ms(c['candidates']['p50_ms'])} "
            f"| {ms(c['candidates']['p95_ms'])} |",
            "",
            f"The candidates were faster on {c['faster_than_ours']} of {c['within_bound']}.",
        ]
    if c["rare_phrases_of_common_pairs"]:
        examples = ", ".join(
            f"`{row['query']}` ({row['matches']:,} matches, {row['candidates']:,} candidates)"
            for row in c["rare_phrases_of_common_pairs"][:6]
        )
        lines += ["", f"Rare phrases of common pairs in this run (of {n_docs:,} reports): {examples}."]
    return lines


def markdown(summary: dict[str, Any]) -> str:
    m, p, b, s = summary["machine"], summary["parameters"], summary["build"], summary["sizes"]
    lat, acc, sp = summary["latency"], summary["accuracy"], summary["speedup"]
    n = p["queries"]

    def ms(value: float) -> str:
        return f"{value:,.1f} ms" if value >= 10 else f"{value:.2f} ms"

    lines = [
        "# Search benchmark: exact Chinese FTS5 vs `LIKE` scan",
        "",
        f"- date: {summary['date']}",
        f"- machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB, {m['platform']}; load average "
        f"{' / '.join(map(str, m['load_average_1_5_15']))} (1/5/15 min) when the measurement ended",
        f"- Python {m['python']}, SQLite {m['sqlite']} (`{m['sqlite_module']}`); code at {m.get('git', 'unknown')}",
        f"- parameters: `--docs {p['docs']} --queries {n} --seed {p['seed']} --repeats {p['repeats']}`; "
        f"archive `{p['archive']}` "
        f"({p['archive_bytes'] / 2**30:.2f} GiB{', reused from cache' if b.get('cached') else ''})",
        f"- build through `intake.ingest`, {b.get('write', 'one transaction per document')}: "
        f"{b['ingest_ms_per_document']:.2f} ms "
        f"per document ({b['documents_per_second']:,.0f}/s; first 1,000 at {b['first_1000_per_second']:,.0f}/s, "
        f"last 1,000 at {b['last_1000_per_second']:,.0f}/s), {b['total_seconds'] / 60:.1f} min in all "
        f"including {b['generate_seconds']:.0f} s generating texts",
        *[f"- {note}" for note in b.get("notes", [])],
        f"- page cache warmed by reading the archive once ({p['warm_seconds']:.1f} s); each query timed "
        f"{p['repeats']} times per approach in CPU time of this process (the median counts), interleaved (ours, "
        "LIKE, alternating who goes first), then `search()`, then the bounded-candidates design",
        f"- reference: brute-force `normalize(query) in normalize(text)` over every report "
        f"({p['reference_seconds']:.0f} s); every second report hard-wrapped at {WRAP_WIDTH} characters a line "
        f"(PDF text): {p['across_layout']['matches']:,} (query, report) matches in {p['across_layout']['queries']} "
        "queries stand only across a line break, where white space between two Chinese characters is dropped",
        reindex_line(p),
        "",
        "## Results",
        "",
        "| approach | exact answers | recall | precision | p50 | p95 | mean |",
        "|---|---|---|---|---|---|---|",
        f"| ours: `matching_report_ids` (all ids) | {acc['ours']['exact_queries']}/{n} | {acc['ours']['recall']:.3f} "
        f"| {acc['ours']['precision']:.3f} | {ms(lat['ours_all_ids']['p50_ms'])} | {ms(lat['ours_all_ids']['p95_ms'])} "
        f"| {ms(lat['ours_all_ids']['mean_ms'])} |",
        f"| ours: `search(limit=20)` (count up to {COUNT_CAP:,} + top 20 + snippets) | total, hits and order "
        f"right on {summary['first_page_right']}/{n} | — | — | {ms(lat['ours_first_page']['p50_ms'])} "
        f"| {ms(lat['ours_first_page']['p95_ms'])} | {ms(lat['ours_first_page']['mean_ms'])} |",
        f"| `LIKE` scan (all ids) | {acc['like']['exact_queries']}/{n} | {acc['like']['recall']:.3f} "
        f"| {acc['like']['precision']:.3f} | {ms(lat['like_all_ids']['p50_ms'])} | {ms(lat['like_all_ids']['p95_ms'])} "
        f"| {ms(lat['like_all_ids']['mean_ms'])} |",
        "",
        f"Speed-up of ours (all ids) over `LIKE`: p50 {sp['p50']:.1f}×, p95 {sp['p95']:.1f}×; per query: "
        f"median {sp['per_query_median']:.1f}×, p5 {sp['per_query_p5']:.1f}×, worst {sp['per_query_min']:.1f}×. "
        f"First page p95 against `LIKE`'s (all ids) p95: {sp['first_page_p95']:.1f}×.",
        "",
        f"First pages: {summary['first_page_orders']['bm25']} ranked by BM25, {summary['first_page_orders']['newest']} "
        f"newest first (read off the index, stopping after the page); {summary['first_page_capped_totals']} totals "
        f"shown as {COUNT_CAP:,}+ (more than {COUNT_CAP:,} match, counting stopped there).",
        "",
        f"Index: {s['index_bytes'] / 2**20:,.0f} MiB for {s['text_bytes'] / 2**20:,.0f} MiB of text "
        f"({s['text_characters'] / 1e6:,.1f} M characters): **{s['index_per_text_byte']:.2f}× the UTF-8 text**, "
        f"{s['index_bytes_per_character']:.2f} bytes per character.",
        "",
        "`LIKE` runs on the stored text, not the normalised one, so it misses matches that exist only after "
        "normalisation (full-width brackets and digits, runs of white space, line breaks inside a word) — that is "
        "the gap in its exactness.",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    lines += [
        f"| {t['target']} | {t['measured']} | {'PASS' if t['pass'] else '**FAIL**'} |" for t in summary["targets"]
    ]
    lines += [
        "",
        "## Latency by query length",
        "",
        "| characters | queries | median matches | ours p50 / p95 | search() p50 / p95 | LIKE p50 / p95 |",
        "|---|---|---|---|---|---|",
    ]
    for length, data in summary["by_length"].items():
        lines.append(
            f"| {length} | {data['queries']} | {data['median_matches']:,.0f} "
            f"| {ms(data['ours']['p50_ms'])} / {ms(data['ours']['p95_ms'])} "
            f"| {ms(data['search']['p50_ms'])} / {ms(data['search']['p95_ms'])} "
            f"| {ms(data['like']['p50_ms'])} / {ms(data['like']['p95_ms'])} |"
        )
    lines += [
        "",
        "## Latency by number of matching reports",
        "",
        "| matches | queries | ours p50 / p95 | search() p50 / p95 | LIKE p50 / p95 |",
        "|---|---|---|---|---|",
    ]
    for bucket, data in summary["by_matches"].items():
        lines.append(
            f"| {bucket} | {data['queries']} | {ms(data['ours']['p50_ms'])} / {ms(data['ours']['p95_ms'])} "
            f"| {ms(data['search']['p50_ms'])} / {ms(data['search']['p95_ms'])} "
            f"| {ms(data['like']['p50_ms'])} / {ms(data['like']['p95_ms'])} |"
        )
    lines += [
        "",
        "## Slowest 10 queries (ours, all ids)",
        "",
        "| query | kind | chars | matches | ours | search() | LIKE | exact |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in summary["slowest_ours"]:
        exact = row["ours_recall"] == 1.0 and row["ours_precision"] == 1.0
        lines.append(
            f"| `{printable(row['typed'])}` | {row['kind']} | {row['length']} | {row['matches']:,} "
            f"| {ms(row['ours_ms'])} | {ms(row['search_ms'])} | {ms(row['like_ms'])} | {'yes' if exact else '**no**'} |"
        )
    spaced = [row for row in summary["queries"] if row["kind"] == "layout space in the query"]
    lines += [
        "",
        "## Queries typed with white space between Chinese characters",
        "",
        "| typed | searched as | matches | found by ours | exact | LIKE found |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| `{printable(row['typed'])}` | `{row['query']}` | {row['matches']:,} | {row['ours_found']:,} "
        f"| {'yes' if row['ours_recall'] == 1.0 and row['ours_precision'] == 1.0 else '**no**'} "
        f"| {row['like_found']:,} |"
        for row in spaced
    ]
    lines += candidates_markdown(summary["candidates"], summary["parameters"]["docs"], ms)
    wrong = [row for row in summary["queries"] if row["ours_recall"] < 1.0 or row["ours_precision"] < 1.0]
    if wrong:
        lines += ["", "## Queries our search got wrong", "", "| query | matches | found | recall | precision |"]
        lines.append("|---|---|---|---|---|")
        lines += [
            f"| `{r['query']}` | {r['matches']} | {r['ours_found']} "
            f"| {r['ours_recall']:.3f} | {r['ours_precision']:.3f} |"
            for r in wrong
        ]
    like_wrong = [row for row in summary["queries"] if row["like_recall"] < 1.0 or row["like_precision"] < 1.0]
    if like_wrong:
        examples = ", ".join(f"`{row['query']}`" for row in like_wrong[:12])
        lines += ["", f"`LIKE` differs from the reference on {len(like_wrong)} queries, e.g. {examples}."]
    lines += ["", "Every query with its numbers: `search.json` beside this file.", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000, help="synthetic reports in the archive")
    parser.add_argument("--queries", type=int, default=200, help="queries of 1–8 characters")
    parser.add_argument("--seed", type=int, default=1, help="seed of the texts and the queries")
    parser.add_argument("--rebuild", action="store_true", help="build the archive even if cached")
    parser.add_argument("--repeats", type=int, default=3, help="time each query this often (median), both ways")
    parser.add_argument("--output", type=Path, help="folder for search.md and search.json (default: bench/results)")
    parser.add_argument("--skip-reindex", action="store_true", help="do not time the re-index of the whole archive")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke run in about a minute: {QUICK['docs']:,} reports, {QUICK['queries']} queries, one repeat, "
        "results in bench/cache/quick/; the exit status then counts the exactness targets only",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.docs, args.queries, args.repeats = QUICK["docs"], QUICK["queries"], 1
    output = args.output or (CACHE / "quick" if args.quick else RESULTS)

    db, path, build_meta = open_archive(args.docs, args.seed, args.rebuild)
    print("loading texts …", file=sys.stderr)
    rows = db.execute(
        "SELECT r.id, d.text FROM reports r JOIN documents d ON d.id = r.primary_document_id ORDER BY r.id"
    ).fetchall()
    if len(rows) != args.docs:
        raise RuntimeError(f"archive holds {len(rows)} reports, expected {args.docs}")
    sizes = {
        "reports": len(rows),
        "text_bytes": sum(len(text.encode()) for _, text in rows),
        "text_characters": sum(len(text) for _, text in rows),
        "index_bytes": index_bytes(db),
    }
    documents = [(report_id, fts.normalize(text)) for report_id, text in rows]
    queries = make_queries(args.queries, args.seed, [text for _, text in documents])
    print("computing the reference answers …", file=sys.stderr)
    started = time.perf_counter()
    expected = reference(queries, documents)
    reference_seconds = time.perf_counter() - started
    del documents
    across = across_layout(queries, expected, rows)
    del rows
    print("warming the page cache …", file=sys.stderr)
    warm_seconds = warm(path)
    like_ids(db, "\u0000warm")  # one full scan through SQLite as well
    results = measure(db, queries, expected, args.repeats)
    reindex_seconds = None if args.skip_reindex else time_reindex(db)

    params = {
        "docs": args.docs,
        "queries": args.queries,
        "seed": args.seed,
        "repeats": args.repeats,
        "archive": str(path.relative_to(ROOT)),
        "archive_bytes": path.stat().st_size,
        "warm_seconds": round(warm_seconds, 1),
        "reference_seconds": round(reference_seconds, 1),
        "reindex_seconds": None if reindex_seconds is None else round(reindex_seconds, 1),
        "across_layout": across,
    }
    summary = summarise(results, sizes, build_meta, params, machine_info())
    report = markdown(summary)
    print(report)
    output.mkdir(parents=True, exist_ok=True)
    (output / "search.md").write_text(report, encoding="utf-8")
    (output / "search.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {output / 'search.md'} and {output / 'search.json'}", file=sys.stderr)
    gating = [target for target in summary["targets"] if not args.quick or target["kind"] == "exactness"]
    return 0 if all(target["pass"] for target in gating) else 1


def time_reindex(db: sqlite_utils.Database) -> float:
    """Seconds to re-index the whole archive in place, as its schema migration does."""
    print("timing the re-index that migrates an existing archive …", file=sys.stderr)
    started = time.perf_counter()
    with write_transaction(db):
        reindex_search(db)
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
