"""Search answers exactly the substring scan: any query length, any character, compound queries."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import fts
from archive.db import connect
from archive.search import STATUSES, Filters, make_snippet, match_spans, matching_report_ids, parse_query
from intake.ingest import Source, ingest
from tests.conftest import FIXTURES, SEEDS

# Chinese (with the full-width and Kangxi forms NFKC folds), ASCII letters, digits, punctuation, white space
# (U+3000 included: between two Chinese characters it is layout and dropped), Hangul (whose spaces are kept),
# and characters that fold into several (㈠ → "(一)", … → "...").
ALPHABET = (
    "政府信息公开复议诉讼申请年度报告威海曲阜一二〇⼀，。、（）《》“”１２ＡＢabcAB12 .,-_%*\"'()\n\t\u3000한국㈠…"
)
texts = st.text(alphabet=ALPHABET, min_size=0, max_size=60)


def reference(db, include: list[str], exclude: list[str]) -> set[int]:
    rows = db.execute("SELECT r.id, d.text FROM reports r JOIN documents d ON d.id = r.primary_document_id").fetchall()
    found = set()
    for report_id, text in rows:
        normal = fts.normalize(text)
        if all(term in normal for term in include) and not any(term in normal for term in exclude):
            found.add(report_id)
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    documents=st.lists(texts, min_size=1, max_size=25),
    picks=st.lists(st.tuples(st.integers(0, 24), st.integers(0, 59), st.integers(1, 9)), min_size=1, max_size=15),
    free_queries=st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=5), max_size=10),
)
def test_every_query_returns_exactly_the_substring_matches(
    documents: list[str], picks: list[tuple[int, int, int]], free_queries: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = connect(Path(folder) / "a.db")
        for number, text in enumerate(documents):
            ingest(db, Source(f"https://example.org/{number}", ("年度报告 " + text).encode()))
        normals = [fts.normalize("年度报告 " + text) for text in documents]
        queries = [normals[i % len(normals)][start : start + length] for i, start, length in picks]
        queries += free_queries
        for raw in queries:
            term = fts.normalize(raw)
            if not term:
                continue
            quoted = '"' + term + '"' if '"' not in term else term
            try:
                query = parse_query(quoted)
            except ValueError:
                continue
            got = set(matching_report_ids(db, quoted))
            assert got == reference(db, query.include, query.exclude), (raw, query)


def test_compound_queries_match_the_scan(tmp_path: Path) -> None:
    db = connect(tmp_path / "a.db")
    samples = ["年度报告 行政复议 诉讼", "年度报告 行政复议 微博", "年度报告 诉讼 微博", "年度报告 其他"]
    for number, text in enumerate(samples):
        ingest(db, Source(f"u{number}", text.encode()))
    for query in ["复议 诉讼", "复议 -微博", "-微博", "-复议 -诉讼", "报告 -其他 -微博", '"复议 诉"']:
        parsed = parse_query(query)
        assert set(matching_report_ids(db, query)) == reference(db, parsed.include, parsed.exclude), query


def test_half_and_full_width_and_case_are_one(tmp_path: Path) -> None:
    db = connect(tmp_path / "a.db")
    ingest(db, Source("u", "年度报告 网址 WWW.QUFU.GOV.CN 电话１２３４５ （一）".encode()))
    for query in ["www.qufu.gov.cn", "ｗｗｗ．ｑｕｆｕ", "12345", "１２３", "(一)", "（一）"]:
        assert matching_report_ids(db, query) == [1], query


def test_snippet_shows_the_source_text_and_marks_every_match() -> None:
    text = "前文" * 40 + "依法申请行政复议，\n\n  复议结果维持。" + "后文" * 40
    snippet, spans = make_snippet(text, ["复议"])
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "行政复议， 复议结果" in snippet  # white space folded, punctuation as printed
    assert [snippet[a:b] for a, b in spans] == ["复议", "复议"]


def test_snippet_maps_matches_back_when_folding_changes_lengths() -> None:
    text = "㈠ 本机关依法申请行政复议，" + "后文" * 60  # ㈠ folds to three characters: "(一)"
    snippet, spans = make_snippet(text, ["(一)", "复议"])
    assert snippet.startswith("㈠ 本机关")
    assert [snippet[a:b] for a, b in spans] == ["㈠", "复议"]


def test_order_is_bm25_unless_single_characters_or_too_many(tmp_path: Path, monkeypatch) -> None:
    from archive import search as search_module

    db = connect(tmp_path / "a.db")
    for number in range(3):
        ingest(db, Source(f"u{number}", f"年度报告{number} 行政复议".encode()))
    assert search_module.search(db, "复议").order == "bm25"
    assert search_module.search(db, "复议 年").order == "bm25"
    newest = search_module.search(db, "复")
    assert newest.order == "newest" and [hit.report_id for hit in newest.hits] == [3, 2, 1]
    monkeypatch.setattr(search_module, "RANK_LIMIT", 2)
    capped = search_module.search(db, "复议")
    assert capped.order == "newest" and capped.total == 3


@settings(max_examples=300, deadline=None)
@given(text=texts, start=st.integers(0, 59), length=st.integers(1, 6))
def test_highlights_are_where_the_normalised_text_has_the_term(text: str, start: int, length: int) -> None:
    """The offsets map every normalised character to its source; each highlighted span of the source
    normalises to the term (or, when it ends inside a character that folds into several, contains it)."""
    normalized, offsets = fts.normalize_with_offsets(text)
    assert normalized == fts.normalize(text)
    assert len(offsets) == len(normalized) and offsets == sorted(offsets)
    term = fts.normalize(normalized[start : start + length])
    if not term:
        return
    assert term in normalized
    spans = match_spans(text, [term])
    assert spans
    for span_start, span_end in spans:
        assert term in fts.normalize(text[span_start:span_end])
    snippet, highlights = make_snippet(text, [term])
    assert highlights and all(0 <= a < b <= len(snippet) for a, b in highlights)


def test_no_query_means_every_report_the_filters_keep(tmp_path: Path) -> None:
    """``matching_report_ids`` with no query (what ``nianbao export`` selects): every report, or every one
    the filters keep; the status filter reads the report's status as browse shows it."""
    db = connect(tmp_path / "a.db")
    files = [*sorted(SEEDS.glob("*.txt")), *sorted((FIXTURES / "parse_status").iterdir())]
    files = [path for path in files if path.suffix != ".md"]
    for path in files:
        ingest(db, Source(path.as_uri(), path.read_bytes()))
    everything = {row[0] for row in db.execute("SELECT id FROM reports")}
    assert len(everything) == len(files)  # each file a report of its own
    for blank in (None, "", "   "):
        assert set(matching_report_ids(db, blank)) == everything
    statuses = dict(db.execute("SELECT id, check_status FROM browse").fetchall())
    assert set(statuses.values()) == {"pass", "fail", "incomplete", "not_a_report"} <= set(STATUSES)
    for status in STATUSES:
        wanted = {report_id for report_id, value in statuses.items() if value == status}
        assert set(matching_report_ids(db, None, Filters(status=status))) == wanted, status
    titles = dict(db.execute("SELECT id, title FROM browse").fetchall())
    failing = matching_report_ids(db, None, Filters(status="fail"))
    assert [titles[report_id] for report_id in failing] == ["博山区科学技术局2023年度政府信息公开工作年度报告"]
    # With a query and other filters, the status narrows the answer like any filter.
    in_2023 = set(matching_report_ids(db, "复议", Filters(year=2023)))
    assert set(matching_report_ids(db, "复议", Filters(year=2023, status="pass"))) == {
        report_id for report_id in in_2023 if statuses[report_id] == "pass"
    }
    assert matching_report_ids(db, None, Filters(status="unparsed")) == []
