"""bench/firstpage.py's measuring: one search process per size and side, asked the same queries in turn
(``scale.ask_in_turn``), each answering from the archive it was given (``scale.each_query``). Run A/A here (this
checkout on both sides, an archive of the seed reports): every query timed on both sides, the pages equal."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_bench_scale import seeded_archive

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import firstpage  # bench/ is not a package: on the path above
import scale


def test_both_sides_answer_every_query_in_turn_with_the_same_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = seeded_archive(tmp_path / "five.db")
    monkeypatch.setattr(scale, "CACHE", tmp_path)  # the work folder (queries file), removed afterwards
    monkeypatch.setattr(scale, "archive_path", lambda size, base, seed: archive)
    measured = firstpage.measure([5], firstpage.ROOT, queries=6, repeats=1, seed=1)
    queries, timings = measured["queries"], measured["timings"]["5"]
    assert len(queries) == 6
    for side in firstpage.SIDES:
        assert len(timings[side]) == len(queries)
        assert all(math.isfinite(ms) and ms >= 0 for ms in timings[side])
    row = firstpage.summary(measured["timings"])["5"]
    assert row["ours_p95"] >= row["ours_p50"] > 0
    assert [query for query, _, _ in firstpage.slowest(measured, "5", count=2)] == [
        queries[n] for n in sorted(range(6), key=lambda n: -timings["baseline"][n])[:2]
    ]
    assert not [path for path in tmp_path.iterdir() if path.name.startswith("firstpage-work")]  # cleaned up


def test_ask_in_turn_rotates_who_is_asked_first() -> None:
    """Three echo processes: each query reaches all of them, the first one asked moving on by one each time."""
    echo = "import sys, json, time\nfor line in sys.stdin: print(json.dumps(time.monotonic_ns()), flush=True)"
    processes = {
        name: subprocess.Popen([sys.executable, "-c", echo], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for name in "abc"
    }
    try:
        firsts = [min(answers, key=answers.__getitem__) for answers in scale.ask_in_turn(processes, 4, "test")]
    finally:
        for process in processes.values():
            assert process.stdin is not None
            process.stdin.close()
            process.wait()
    assert firsts == ["a", "b", "c", "a"]
