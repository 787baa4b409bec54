"""Search at scale (issue 14 item 2): a count capped at COUNT_CAP (``--count`` for the whole), newest-first
pages read off the index, BM25 only where it is cheap, phrases of very common pairs answered exactly.

The caps are lowered so that a small real archive crosses them; the answers are checked against the
brute-force substring test on the normalised texts and against the full sort."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import fts
from archive import search as search_module
from archive.db import connect
from archive.search import COUNT_CAP, RANK_LIMIT, Filters, matching_report_ids, search
from intake.ingest import Source, ingest
from tests.conftest import RunCli

#: A table row as PDF text holds it: every report holds the pairs "0 ", " 0", " 3" and "3 " many times over,
#: but "0 0 0 3" only where a last row of zeros runs into the next line's "3.".
ZEROS = "\t".join(["0", "3", "0", "0", "0", "0", "0"])
#: Report number → the table rows it ends with: "0 0 0 3" stands in a few reports only.
ROWS = {3: "3", 7: "3", 11: "3", 12: "5"}
REPORTS = 14


def text_of(number: int) -> str:
    """A report whose tables hold many zeros; every third one mentions 复议, the first ones a year."""
    table = "\n".join(f"{label}\t{ZEROS}" for label in ("行政许可", "行政处罚", "行政强制") * 10)
    last = f"\t0\t0\t0\n{ROWS[number]}.属于行政查询事项" if number in ROWS else ""
    prose = "申请行政复议的情况。" if number % 3 == 0 else "本年度无相关情况。"
    return f"年度报告{number} {prose}\n{table}{last}\n第{number}号"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "archive.db"
    db = connect(path)
    for number in range(REPORTS):
        outcome = ingest(db, Source(f"https://example.org/{number}.txt", text_of(number).encode()))
        assert outcome.report_id == number + 1
    db.close()
    return path


@pytest.fixture
def db(archive: Path) -> sqlite_utils.Database:
    return connect(archive)


def reference(db: sqlite_utils.Database, term: str) -> list[int]:
    """The reports whose normalised text holds ``term``, newest (highest id) first."""
    rows = db.execute("SELECT r.id, d.text FROM reports r JOIN documents d ON d.id = r.primary_document_id")
    return sorted((report_id for report_id, text in rows if term in fts.normalize(text)), reverse=True)


def test_a_count_above_the_cap_says_it_is_not_exact(db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "COUNT_CAP", 5)
    monkeypatch.setattr(search_module, "RANK_LIMIT", 5)
    capped = search(db, "年度报告")
    assert (capped.total, capped.total_exact, capped.total_text()) == (5, False, "5+")
    assert capped.order == "newest" and len(capped.hits) == REPORTS
    whole = search(db, "年度报告", exact_count=True)
    assert (whole.total, whole.total_exact, whole.total_text()) == (REPORTS, True, "14")
    assert [hit.report_id for hit in whole.hits] == [hit.report_id for hit in capped.hits]  # the same page
    at_cap = search(db, "复议")  # 5 reports: 0, 3, 6, 9, 12 → ids 1, 4, 7, 10, 13
    assert (at_cap.total, at_cap.total_exact) == (5, True)
    status = db.execute("SELECT check_status FROM browse WHERE id = 1").fetchone()[0]
    filtered = search(db, "年度报告", Filters(status=status))  # filters count the same way
    assert filtered.total_exact is False and filtered.total == 5


def test_the_first_page_is_the_newest_matches_read_off_the_index(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Newest first (one character, or over RANK_LIMIT): each page is the full sort's, any offset, any query
    shape (several indexes, exclusions, filters)."""
    monkeypatch.setattr(search_module, "RANK_LIMIT", 2)
    for query in ["年", "年度报告", "复议 0", "报告 -复议", "-复议", '"0 0 0 3"', "0 -属于"]:
        everything = sorted(matching_report_ids(db, query), reverse=True)
        assert everything, query
        for offset in (0, 3, len(everything) - 1, len(everything) + 2):
            page = search(db, query, limit=3, offset=offset)
            assert page.order == "newest", query
            assert [hit.report_id for hit in page.hits] == everything[offset : offset + 3], (query, offset)
    by_id = dict(db.execute("SELECT id, check_status FROM browse").fetchall())
    filtered = search(db, "年度报告", Filters(status=by_id[1]), limit=4)
    kept = sorted((report_id for report_id, status in by_id.items() if status == by_id[1]), reverse=True)
    assert [hit.report_id for hit in filtered.hits] == kept[:4]


def test_a_rare_phrase_of_common_pairs_is_exact_and_not_scored(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every report holds the pairs of "0 0 0 3", three hold the phrase: the answer is the substring test's,
    and BM25 (which reads the phrase's positions in every report holding its pairs) is skipped for it, while
    a phrase whose pairs are rare ("属于": four reports) is still scored."""
    monkeypatch.setattr(search_module, "RANK_LIMIT", 6)
    for term in ["0 0 0 3", "0 0 0 5", "0 0 0 0 0 0 0", "0 0 3.属于", "0 0 0 4"]:
        assert sorted(matching_report_ids(db, f'"{term}"'), reverse=True) == reference(db, term), term
    assert reference(db, "0 0 0 3") == [12, 8, 4]
    # Three indexes in one query (phrase, one character, an excluded pair): the phrase drives, the others filter.
    assert sorted(matching_report_ids(db, '"0 0 0 3" 年 -7号'), reverse=True) == [12, 4]
    assert [hit.report_id for hit in search(db, '"0 0 0 3" 年 -7号').hits] == [12, 4]
    phrase = search(db, '"0 0 0 3"')
    assert (phrase.total, phrase.total_exact, phrase.order) == (3, True, "newest")
    assert [hit.report_id for hit in phrase.hits] == [12, 8, 4]
    assert all("0 0 0 3" in fts.normalize(hit.snippet) for hit in phrase.hits)
    assert search(db, "复议").order == "bm25"  # 5 reports hold its pair: cheap to score
    assert search(db, "复议 0").order == "bm25"  # the one-character term is not scored, nor counted
    assert search(db, "3.属于").order == "bm25"
    assert search(db, "年度").order == "newest"  # every report holds it: more than RANK_LIMIT


def test_cli_count_and_json_fields(run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for number in range(4):
        (folder / f"{number}.txt").write_text(text_of(number), encoding="utf-8")
    run_cli("import", str(folder))
    monkeypatch.setattr(search_module, "COUNT_CAP", 2)
    monkeypatch.setattr(search_module, "RANK_LIMIT", 2)

    capped = json.loads(run_cli("search", "年度报告", "--json").output)
    assert (capped["total"], capped["total_exact"], capped["order"]) == (2, False, "newest")
    assert [hit["report_id"] for hit in capped["hits"]] == [4, 3, 2, 1]
    counted = json.loads(run_cli("search", "年度报告", "--json", "--count").output)
    assert (counted["total"], counted["total_exact"]) == (4, True)
    exact = json.loads(run_cli("search", "复议", "--json").output)  # reports 1 and 4
    assert (exact["total"], exact["total_exact"]) == (2, True)

    human = run_cli("search", "年度报告", "--limit", "1").output.splitlines()
    assert re.fullmatch(r"2\+ reports match '年度报告', newest first \(\d+ ms\)", human[0])
    assert human[1] == "(counted up to 2: --count counts them all)"
    whole = run_cli("search", "年度报告", "--limit", "1", "--count").output.splitlines()
    assert re.fullmatch(r"4 report\(s\) match '年度报告', newest first \(\d+ ms\)", whole[0])
    assert run_cli("search", "不存在的词", "--count", expect=1).output.startswith("0 report(s) match")


def test_help_states_the_cap_and_the_rank_limit(run_cli: RunCli) -> None:
    """The help says both limits in words; they must be the constants' values."""
    help_text = " ".join(run_cli("search", "--help").output.split())
    assert f"{COUNT_CAP:,}+" in help_text and "--count" in help_text and "total_exact" in help_text
    assert f"at most {RANK_LIMIT:,} reports hold the terms' pairs" in help_text


def test_fold_keeps_what_it_calls_stable_and_folds_as_nfkc_per_character() -> None:
    """``fts._FOLD_STABLE`` (characters folding leaves alone, skipped by the regular expression) is checked
    over every code point; ``fold`` equals NFKC plus lower case applied one character at a time."""
    stable = re.compile(f"[{fts._FOLD_STABLE}]")
    changed = [
        hex(code) for code in range(0x110000) if stable.match(chr(code)) and fts._fold_char(chr(code)) != chr(code)
    ]
    assert changed == []
    assert fts.fold("ＡＢ，（一）㈠…　Ｉ") == "ab,(一)(一)... i"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="政府公开ＡＢabAB１2，（）：；！？％\u3000 \n㈠…⼀한İﬁ²", max_size=40))
def test_fold_is_the_per_character_fold(text: str) -> None:
    assert fts.fold(text) == "".join(map(fts._fold_char, text))
