"""The issue's acceptance checks, run through the real CLI on a real archive file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, SEED_FILES, RunCli


def titles(run_cli: RunCli, *query: str, expect: int = 0) -> set[str]:
    result = run_cli("search", "--json", *query, expect=expect)
    return {hit["title"] for hit in json.loads(result.output)["hits"]}


def places(titles_found: set[str]) -> set[str]:
    return {place for place in SEED_FILES if any(title.startswith(place) for title in titles_found)}


def test_import_then_reimport_counts_new_and_duplicates(run_cli: RunCli, seeds: Path) -> None:
    first = json.loads(run_cli("import", str(seeds), "--json").output)
    assert (first["new"], first["duplicate"], first["failed"]) == (5, 0, 0)
    second = json.loads(run_cli("import", str(seeds), "--json").output)
    assert (second["new"], second["duplicate"], second["changed"], second["failed"]) == (0, 5, 0, 0)
    human = run_cli("import", str(seeds)).output
    assert human.strip().endswith("0 new, 0 changed, 5 duplicate, 0 failed")


def test_issue_acceptance_queries(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    assert places(titles(run_cli, "复议")) == set(SEED_FILES)
    assert places(titles(run_cli, "曲阜")) == {"曲阜"}
    assert places(titles(run_cli, "威")) == {"曲阜", "威海"}
    assert places(titles(run_cli, "二十大")) == {"聊城", "周口", "博山"}
    assert places(titles(run_cli, "政务公开 -微博")) == {
        place for place, name in SEED_FILES.items() if "微博" not in (seeds / name).read_text()
    }
    assert len(places(titles(run_cli, "政务公开 -微博"))) == 3
    assert titles(run_cli, "政务公开", "-微博") == titles(run_cli, "政务公开 -微博")  # unquoted, as typed


def test_search_json_shape_and_snippet_highlights(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    result = json.loads(run_cli("search", "曲阜", "--json").output)
    assert result["total"] == 1
    hit = result["hits"][0]
    assert hit["title"] == "曲阜市科学技术局2021年政府信息公开工作年度报告"
    assert hit["agency"] == "曲阜市科学技术局" and hit["year"] == 2021
    assert hit["highlights"], "a snippet must mark the match"
    for start, end in hit["highlights"]:
        assert hit["snippet"][start:end] == "曲阜"
    assert hit["files"][0]["type"] == "txt"
    assert hit["files"][0]["urls"][0].startswith("file://") and hit["files"][0]["urls"][0].endswith(".txt")


def test_human_output_marks_matches(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    output = run_cli("search", "曲阜").output
    assert output.startswith("1 report(s) match '曲阜'")
    assert "[曲阜]市科学技术局" in output


def test_no_match_exits_1(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    output = run_cli("search", "不存在的词语组合", expect=1).output
    assert output.startswith("0 report(s) match")


def test_empty_query_is_a_usage_error(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    result = run_cli("search", '""', expect=2)
    assert "empty query" in result.output


def test_fts_syntax_is_searched_literally(run_cli: RunCli, seeds: Path) -> None:
    (seeds / "syntax.txt").write_text('测试报告 NEAR(a b) 和 "引号" 以及 x*y AND - 完', encoding="utf-8")
    run_cli("import", str(seeds))
    for query in ['"', "AND", "*", "NEAR(", "-", "x*y", '"引号"', "NEAR(a", "-完"]:
        result = run_cli("search", "--json", "--", query, expect=None)
        assert result.exit_code in (0, 1), result.output
        json.loads(result.output)
    assert titles(run_cli, "--", "NEAR(") == {'测试报告 NEAR(a b) 和 "引号" 以及 x*y AND - 完'}
    assert len(titles(run_cli, "--", "x*y")) == 1
    assert len(titles(run_cli, "--", "-")) >= 1  # a lone '-' is a character to find, not an operator


def test_filters(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    assert places(titles(run_cli, "复议", "--year", "2023")) == {"博山", "威海"}
    assert places(titles(run_cli, "复议", "--agency", "周口市科技局")) == {"周口"}
    # An agency under any of its names (archive/aliases.py): the title prints 聊城市科学技术局, 周口市科技局.
    assert places(titles(run_cli, "复议", "--agency", "聊城市科技局")) == {"聊城"}
    assert places(titles(run_cli, "复议", "--agency", "周口市科学技术局")) == {"周口"}
    assert titles(run_cli, "复议", "--agency", "聊城市", expect=1) == set()  # a name, not a prefix
    assert titles(run_cli, "复议", "--format", "2019", expect=1) == set()
    assert len(titles(run_cli, "复议", "--type", "txt")) == 5
    assert titles(run_cli, "复议", "--type", "pdf", expect=1) == set()
    # region and table format come from the parser
    assert places(titles(run_cli, "复议", "--province", "山东省")) == {"聊城", "博山", "曲阜", "威海"}
    assert places(titles(run_cli, "复议", "--province", "河南省")) == {"周口"}
    assert places(titles(run_cli, "复议", "--city", "淄博市")) == {"博山"}
    assert places(titles(run_cli, "复议", "--city", "济宁市")) == {"曲阜"}
    assert len(titles(run_cli, "复议", "--format", "2021")) == 5


def test_status_filter(run_cli: RunCli, seeds: Path) -> None:
    """--status: the report's status as browse shows it (its checks' verdict); unknown words are usage errors."""
    (seeds / "headers-only-2023.txt").write_bytes((FIXTURES / "parse_status" / "headers-only-2023.txt").read_bytes())
    run_cli("import", str(seeds))
    assert places(titles(run_cli, "年度报告", "--status", "fail")) == {"博山"}
    assert places(titles(run_cli, "年度报告", "--status", "pass")) == {"聊城", "周口", "曲阜", "威海"}
    assert titles(run_cli, "年度报告", "--status", "incomplete") == {"雄县发展和改革局2023年政府信息公开工作年度报告"}
    assert titles(run_cli, "年度报告", "--status", "not_a_report", expect=1) == set()
    assert places(titles(run_cli, "复议", "--status", "pass", "--province", "山东省")) == {"聊城", "曲阜", "威海"}
    assert "Invalid value for '--status'" in run_cli("search", "复议", "--status", "nosuch", expect=2).output


def test_limit_and_offset_page_through_results(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    pages = [
        json.loads(run_cli("search", "复议", "--limit", "2", "--offset", str(o), "--json").output) for o in (0, 2, 4)
    ]
    assert [len(page["hits"]) for page in pages] == [2, 2, 1]
    assert all(page["total"] == 5 for page in pages)
    ids = [hit["report_id"] for page in pages for hit in page["hits"]]
    assert sorted(ids) == [1, 2, 3, 4, 5]


def test_ranking_puts_denser_matches_first(run_cli: RunCli, tmp_path: Path) -> None:
    folder = tmp_path / "ranked"
    folder.mkdir()
    (folder / "a.txt").write_text("年度报告 " + "行政复议" * 8 + " 其他内容" * 20, encoding="utf-8")
    (folder / "b.txt").write_text("年度报告 一次行政复议 " + "其他内容" * 40, encoding="utf-8")
    (folder / "c.txt").write_text("年度报告 没有那个词 " + "其他内容" * 40, encoding="utf-8")
    run_cli("import", str(folder))
    hits = json.loads(run_cli("search", "复议", "--json").output)["hits"]
    assert [hit["files"][0]["urls"][0].rsplit("/", 1)[1] for hit in hits] == ["a.txt", "b.txt"]
    assert hits[0]["score"] > hits[1]["score"]
