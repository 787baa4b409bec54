"""bench/scale.py's own parts: the growth fits it extrapolates with, the schema conforming of its cached archives,
and its measuring processes, which must leave a cached archive exactly as it was (real archives of the seeds)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import pytest

from archive.db import connect
from intake.ingest import Source, ingest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import ingest as ingest_bench  # bench/ is not a package: on the path above
import scale
import synthetic

SEEDS = synthetic.SEED_DIR  # the seed reports the generator cuts up (replica/data/seeds/)


def test_power_fit_finds_the_growth_exponent() -> None:
    assert scale.power_fit([(10_000, 20.0), (100_000, 20.0), (300_000, 20.0)])[0] == pytest.approx(0.0)
    assert scale.power_fit([(10_000, 6e8), (100_000, 6e9), (300_000, 1.8e10)])[0] == pytest.approx(1.0)
    assert scale.power_fit([(1_000, 1.0), (4_000, 2.0), (16_000, 4.0)])[0] == pytest.approx(0.5)  # square root


def test_power_at_extrapolates_the_fitted_law() -> None:
    fit = scale.power_fit([(10_000, 1.0), (100_000, 10.0)])
    assert scale.power_at(fit, 1_000_000) == pytest.approx(100.0)
    flat = scale.power_fit([(10_000, 7.0), (300_000, 7.0)])
    assert scale.power_at(flat, 1_000_000) == pytest.approx(7.0)
    # noise at one size moves the exponent fitted over three sizes less than the one of the last two
    noisy: list[tuple[float, float]] = [(10_000, 20.0), (100_000, 18.0), (300_000, 22.0)]
    assert abs(scale.power_fit(noisy)[0]) < abs(scale.power_fit(noisy[1:])[0])


def test_linear_fit_recovers_a_line_and_averages_noise() -> None:
    a, b = scale.linear_fit([(0, 10.0), (100_000, 11.0), (300_000, 13.0)])
    assert (a, b) == (pytest.approx(10.0), pytest.approx(1e-5))
    a, b = scale.linear_fit([(10_000, 9.0), (100_000, 11.0), (300_000, 10.0)])
    assert 9.0 < a < 11.0 and abs(b) < 1e-5


def test_build_cpu_seconds_sums_a_growing_cost_and_never_a_shrinking_one() -> None:
    assert scale.build_cpu_seconds((0.01, 0.0), 1_000_000) == pytest.approx(10_000.0)
    # 10 ms + 10 ms per million reports: the mean over 0..1M is 15 ms
    assert scale.build_cpu_seconds((0.01, 0.01 / 1e6), 1_000_000) == pytest.approx(15_000.0)
    assert scale.build_cpu_seconds((0.01, -0.005 / 1e6), 1_000_000) == pytest.approx(10_000.0)


def test_parse_sizes_sorts_and_refuses_fewer_than_two() -> None:
    assert scale.parse_sizes("300000,10_000,100000,10000") == [10_000, 100_000, 300_000]
    with pytest.raises(argparse.ArgumentTypeError):
        scale.parse_sizes("10000")
    with pytest.raises(argparse.ArgumentTypeError):
        scale.parse_sizes("0,100")


def seeded_archive(path: Path) -> Path:
    """An archive of the five seed reports, settled (no write-ahead log)."""
    db = connect(path)
    for seed in sorted(SEEDS.glob("*.txt")):
        assert ingest(db, Source(seed.as_uri(), seed.read_bytes())).status == "new"
    db.close()
    scale.settle(path)
    return path


def test_conform_schema_restores_this_checkouts_indexes_and_triggers(tmp_path: Path) -> None:
    db = connect(seeded_archive(tmp_path / "archive.db"))
    db.execute("DROP INDEX sightings_run")  # an index a later edit of a migration added
    db.execute("CREATE INDEX stale_index ON documents(size)")  # one it removed
    trigger = next(name for name in scale.current_schema() if name.startswith("reports_index_"))
    db.execute(f"DROP TRIGGER {trigger}")  # one it rewrote
    db.execute(f"CREATE TRIGGER {trigger} AFTER INSERT ON reports BEGIN SELECT 1; END")
    db.conn.commit()
    changed = scale.conform_schema(db)
    assert scale.schema_of(db) == scale.current_schema()
    assert "dropped index stale_index" in changed and "created index sightings_run" in changed
    assert scale.conform_schema(db) == []  # nothing left to change


def test_conform_schema_refuses_a_table_of_another_shape(tmp_path: Path) -> None:
    db = connect(seeded_archive(tmp_path / "archive.db"))
    db.execute("ALTER TABLE failures ADD COLUMN extra TEXT")
    db.conn.commit()
    with pytest.raises(RuntimeError, match="table failures differs"):
        scale.conform_schema(db)


@pytest.mark.parametrize("mode", scale.MODES)
def test_an_ingest_block_is_measured_and_leaves_the_archive_as_it_was(tmp_path: Path, mode: str) -> None:
    path = seeded_archive(tmp_path / "archive.db")
    before, content = scale.FileState.of(path), path.read_bytes()
    texts = tmp_path / "texts.json"
    texts.write_text(json.dumps(list(synthetic.generate(4, 1001)), ensure_ascii=False))
    block = scale.run_block(path, 5, mode, texts)
    assert (block.size, block.mode, block.documents) == (5, mode, 3)  # the first one warms up, unmeasured
    assert block.commits == (3 if mode == "per-document" else 1)
    assert block.new_reports == 3 and block.process_cpu_s > 0 and block.child_cpu_s > 0 and block.vm_hwm_kb > 0
    assert scale.FileState.of(path) == before and path.read_bytes() == content
    assert not any(log.exists() for log in scale.log_files(path))
    assert connect(path).execute("SELECT count(*) FROM documents").fetchone()[0] == 5


def test_searches_run_in_one_process_per_size_and_check_the_first_page(tmp_path: Path) -> None:
    paths = {5: seeded_archive(tmp_path / "five.db")}
    queries = tmp_path / "queries.json"
    queries.write_text(json.dumps(["公开", "龘龘", '"行政 复议"'], ensure_ascii=False))
    searched = scale.run_searches(paths, queries, 3, repeats=1)
    timings = searched[5]["timings"]
    assert [timing.matches for timing in timings] == [5, 0, timings[2].matches]
    assert all(timing.consistent and timing.total_exact for timing in timings)
    assert all(math.isfinite(timing.first_page_ms) and timing.first_page_ms >= 0 for timing in timings)
    assert searched[5]["vm_hwm_kb"] > 10_000


def test_apart_from_related_leaves_out_linking_and_report_records() -> None:
    work = {label: 0.0 for label in ingest_bench.WORK} | {label: 0.5 for label in ingest_bench.RELATED}
    block = scale.Block(100, "batched", 100, 1, 100, 2.0, 1.0, 9.0, 80_000, work, 0.2)
    assert block.cpu_ms == pytest.approx(30.0)
    assert scale.apart_from_related(block) == pytest.approx(30.0 - 5.0 * len(ingest_bench.RELATED))  # 0.5 s / 100
