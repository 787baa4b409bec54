"""`nianbao serve` at scale (issue 14 item 3), checked on a small archive without timing anything.

What makes the pages fast at 100,000 reports (bench/serve.py measures it) is asserted here by what SQLite and
Datasette do, so that a regression shows without a clock:

- every statement a page runs is planned without a full scan of a big table inside another loop, the browse
  pages' facets read covering indexes, the canned queries the indexes they were written for
  (``EXPLAIN QUERY PLAN`` of the SQL Datasette really ran, recorded while serving);
- the default facets are the cheap ones, the failed-checks facet counts what Datasette's array facet counts,
  and the array facet's and filter's URLs are answered by them;
- a search runs once per page whatever its statements (``nianbao_search_ids``), answers exactly what
  ``nianbao search`` finds in both of its forms, and sees a report added while serving;
- the per-connection SQLite settings are applied; later pages skip facets; the database page's counts are
  exact on a small archive; the compare page bounds its list.

Real parts: the seed reports (and 聊城's 2023 report under the short name) imported by `nianbao import`,
Datasette in-process over the archive.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from datasette.database import Database, QueryInterrupted

from archive.db import connect
from archive.records import failing
from archive.search import Query, QueryTooLong, matching_report_ids
from cli.main import cli
from tests.conftest import SEED_FILES, SEEDS
from web import matches, metadata, plugin, serve

#: Tables that grow with the archive (a full scan of one inside another loop is quadratic).
BIG_TABLES = (
    "browse",
    "reports",
    "documents",
    "blobs",
    "sightings",
    "records",
    "report_records",
    "record_cells",
    "record_checks",
    "report_fts",
    "report_pairs",
    "report_chars",
)
#: Statements that read every report by design, in one pass: sums over the whole archive (per province, city
#: and year), and a table's count (the table page's; the database page's, stopped by its 5 ms limit).
WHOLE_ARCHIVE = re.compile(r"sum\(new_received\)|sum\(granted\)|^select count\(\*\) from \[?\w+\]?( where 1)?$")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds, and 聊城's 2022 report again as 2023 under the short name (聊城市科技局): a body with two years."""
    folder = tmp_path_factory.mktemp("serve-scale")
    seeds = folder / "seeds"
    seeds.mkdir()
    for seed in SEEDS.iterdir():
        (seeds / seed.name).write_bytes(seed.read_bytes())
    text = (SEEDS / SEED_FILES["聊城"]).read_text(encoding="utf-8")
    later = text.replace("聊城市科学技术局\n\n2022", "聊城市科技局\n\n2023").replace("2022", "2023")
    (seeds / "liaocheng-2023-short.txt").write_text(later, encoding="utf-8")
    path = folder / "archive.db"
    result = CliRunner().invoke(cli, ["--db", str(path), "import", str(seeds)])
    assert result.exit_code == 0, result.output
    serve.prepare_archive(path)
    return path


@pytest.fixture(scope="module")
def datasette(archive: Path) -> Datasette:
    return serve.make_datasette(archive)


def _get(datasette: Datasette, path: str, **params: str) -> httpx.Response:
    response: httpx.Response = asyncio.run(datasette.client.get(path, params=params))
    return response


def _json(datasette: Datasette, path: str, **params: str) -> Any:
    response = _get(datasette, path, **params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Any]]]:
    """Every (SQL, parameters) run on the archive while the test runs: Datasette's statements with their
    parameters, and those of the plugin's own pages (report, compare: Python on a connection) as SQLite
    traces them, parameters inlined."""
    statements: list[tuple[str, Any]] = []
    execute, execute_fn = Database.execute, Database.execute_fn

    async def recording(self: Database, sql: str, params: Any = None, **options: Any) -> Any:
        if self.name == "archive" and not sql.lstrip().upper().startswith("EXPLAIN"):  # not _internal's, not ours
            statements.append((sql, params))
        return await execute(self, sql, params, **options)

    async def tracing(self: Database, fn: Any) -> Any:
        if self.name != "archive" or fn.__name__ == "sql_operation_in_thread":  # Database.execute's: recorded
            return await execute_fn(self, fn)

        def traced(conn: Any) -> Any:
            conn.set_trace_callback(lambda sql: None if sql.startswith("--") else statements.append((sql, None)))
            try:
                return fn(conn)
            finally:
                conn.set_trace_callback(None)

        return await execute_fn(self, traced)

    monkeypatch.setattr(Database, "execute", recording)
    monkeypatch.setattr(Database, "execute_fn", tracing)
    yield statements


def _plan(datasette: Datasette, sql: str, params: Any) -> list[tuple[int, int, str]]:
    """EXPLAIN QUERY PLAN on a served connection (which has the plugin's SQL functions): (id, parent, detail)."""
    rows = asyncio.run(datasette.get_database("archive").execute(f"EXPLAIN QUERY PLAN {sql}", params))
    return [(row[0], row[1], row[3]) for row in rows]


def _scanned(detail: str) -> str | None:
    """The big table a plan line scans whole (``SCAN t`` / ``SCAN t USING [COVERING] INDEX i``), if any."""
    words = detail.split()
    if len(words) < 2 or words[0] != "SCAN":
        return None
    table = words[1]
    return table if table in BIG_TABLES or any(table == f"{big}_data" for big in BIG_TABLES) else None


def _aliases(sql: str) -> dict[str, str]:
    """The big tables' one-letter aliases in ``sql`` (``browse b``), so that a plan's ``SCAN b`` is known."""
    words = sql.replace(",", " ").split()
    return {words[i + 1]: word for i, word in enumerate(words[:-1]) if word in BIG_TABLES and len(words[i + 1]) <= 2}


def _full_scans(datasette: Datasette, sql: str, params: Any) -> list[str]:
    """What is wrong with the statement's plan: a big table read row by row and whole (no index, and sorted
    or not stopped by a LIMIT; unless it sums the whole archive), or scanned whole (even through an index)
    inside another loop of its query."""
    problems = []
    aliases = _aliases(sql)
    plan = _plan(datasette, sql, params)
    streams = " limit " in f" {sql.lower()} " and not any("TEMP B-TREE" in detail for _, _, detail in plan)
    loops: dict[int, int] = {}  # parent -> loops seen under it
    for _, parent, detail in plan:
        words = detail.split()
        if words and words[0] in ("SCAN", "SEARCH"):
            loops[parent] = loops.get(parent, 0) + 1
        if len(words) > 1 and words[0] == "SCAN":
            words[1] = aliases.get(words[1], words[1])
        table = _scanned(" ".join(words))
        if table is None:
            continue
        if loops[parent] > 1:
            problems.append(f"{detail}: a whole {table} inside another loop")
        elif "INDEX" not in detail and not streams and not WHOLE_ARCHIVE.search(sql.strip()):
            problems.append(f"{detail}: {table} read row by row")
    return problems


#: Every page a reader reaches without writing SQL (their defaults: no sort chosen).
PAGES = [
    "/archive",
    "/archive/browse",
    "/archive/browse.json?_search=复议",
    "/archive/browse.json?_search=公开",  # every report: the scanning form of the search
    "/archive/browse.json?_search=聊城",  # few reports: the seeking form
    "/archive/browse.json?province=山东省",
    "/archive/browse.json?_facet_array=failed_checks",
    "/archive/browse.json?_check=signed_date.after_period",
    "/archive/browse.json?_agency=聊城市科技局",
    "/archive/documents",
    "/archive/report_records",
    "/archive/record_checks",
    "/archive/record_cells",
    "/archive/search?q=复议",
    "/archive/check_summary",
    "/archive/failed_checks?check=",
    "/archive/failed_checks?check=applications.balance",
    "/archive/agency_series?agency=聊城市科技局",
    "/archive/application_totals?province=&city=",
    "/-/report/1",
    "/-/compare?report=1",
    "/-/compare",
    "/-/dashboards/charts",
]


@pytest.mark.parametrize("page", PAGES)
def test_no_page_scans_a_big_table_inside_a_loop(
    datasette: Datasette, recorded: list[tuple[str, Any]], page: str
) -> None:
    path, _, query = page.partition("?")
    response = _get(datasette, path, **dict(part.split("=", 1) for part in query.split("&") if part))
    assert response.status_code == 200, response.text
    ran = [(sql, params) for sql, params in recorded if not sql.lstrip().upper().startswith(("PRAGMA", "EXPLAIN"))]
    assert ran
    recorded.clear()
    problems = {sql.strip()[:200]: found for sql, params in ran if (found := _full_scans(datasette, sql, params))}
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_the_old_failed_checks_query_is_caught(datasette: Datasette) -> None:
    """The check above flags the plan that made ``failed_checks`` fail at 50,000 reports: browse scanned for
    every failing check (before browse.document_id had an index, here with the index bypassed by ``+``)."""
    old = """SELECT c.name, b.id FROM record_checks c JOIN browse b ON +b.document_id = c.document_id
             WHERE c.status = 'fail' ORDER BY c.name, b.year DESC, b.id"""
    assert any("inside another loop" in problem for problem in _full_scans(datasette, old, {}))


@pytest.mark.parametrize("check", ["", "applications.balance"])
def test_failed_checks_query_reads_reports_in_order(datasette: Datasette, check: str) -> None:
    """Datasette reads the first 1,001 rows: in the index's order, with no sort of every failure before them."""
    plan = [
        detail for _, _, detail in _plan(datasette, metadata.CANNED_QUERIES["failed_checks"]["sql"], {"check": check})
    ]
    assert plan[0] == "SCAN b USING INDEX browse_report", plan
    assert "SEARCH c USING PRIMARY KEY (document_id=?)" in plan, plan
    assert not any(detail.startswith("USE TEMP B-TREE FOR ORDER BY") for detail in plan), plan


def test_browse_facets_read_covering_indexes(datasette: Datasette, recorded: list[tuple[str, Any]]) -> None:
    for search in ("", "公开"):
        _json(datasette, "/archive/browse.json", _search=search)
        facets = [(sql, params) for sql, params in recorded if "count(*)" in sql and "group by" in sql.lower()]
        recorded.clear()
        assert len(facets) == len(metadata.BROWSE_FACETS), search
        for sql, params in facets:
            plan = " | ".join(detail for _, _, detail in _plan(datasette, sql, params))
            assert "COVERING INDEX" in plan, (search, sql, plan)


def test_default_facets_are_the_cheap_ones(datasette: Datasette) -> None:
    browse = metadata.build("archive")["databases"]["archive"]["tables"]
    assert browse["browse"]["facets"] == [
        *("year", "province", "city", "format"),
        {metadata.AGENCY_FACET: "agency"},
        "check_status",
        {metadata.CHECKS_FACET: "failed_checks"},
    ]
    assert "facets" not in browse["record_cells"] and browse["record_checks"]["facets"] == ["status"]
    answer = _json(datasette, "/archive/browse.json")
    assert sorted(answer["facet_results"]) == sorted(
        ["year", "province", "city", "format", "agency", "check_status", "failed_checks"]
    )
    assert "timed out" not in _get(datasette, "/archive/browse").text
    settings = _json(datasette, "/-/settings.json")
    assert settings["suggest_facets"] is False


def test_failed_checks_facet_counts_what_the_array_facet_counts(datasette: Datasette, archive: Path) -> None:
    db = connect(archive)
    expected: dict[str, int] = {}
    for (listed,) in db.execute("SELECT failed_checks FROM browse WHERE failed_checks IS NOT NULL"):
        for name in set(json.loads(listed)):
            expected[name] = expected.get(name, 0) + 1
    assert expected  # the seeds fail some checks (博山's signed date)
    facet = _json(datasette, "/archive/browse.json")["facet_results"]["failed_checks"]
    assert facet["type"] == metadata.CHECKS_FACET
    assert {value["value"]: value["count"] for value in facet["results"]} == expected
    # Datasette's array facet URL: answered by the same facet, once (not a second copy of it)
    asked = _json(datasette, "/archive/browse.json", _facet_array="failed_checks")["facet_results"]
    assert [name for name in asked if name.startswith("failed_checks")] == ["failed_checks"]
    for name, count in expected.items():
        line = next(value for value in facet["results"] if value["value"] == name)
        assert f"{metadata.CHECK_ARGUMENT}={name}" in line["toggle_url"]
        rows = _json(datasette, "/archive/browse.json", _check=name, _shape="array")
        assert len(rows) == count and all(name in json.loads(row["failed_checks"]) for row in rows)
        legacy = _json(datasette, "/archive/browse.json", failed_checks__arraycontains=name, _shape="array")
        assert legacy == rows


def test_failed_checks_query_answers_every_failure(datasette: Datasette, archive: Path) -> None:
    everything = _json(datasette, "/archive/failed_checks.json", check="", _shape="array")
    expected = {(entry["report_id"], name) for entry in failing(connect(archive)) for name in entry["failed"]}
    assert {(row["report_id"], row["check_name"]) for row in everything} == expected
    order = [(-(row["year"] or 0), row["report_id"], row["check_name"]) for row in everything]
    assert order == sorted(order)  # newest year first, each report's checks together
    one = _json(datasette, "/archive/failed_checks.json", check="signed_date.after_period", _shape="array")
    assert [row["agency"] for row in one] == ["博山区科学技术局"]
    assert _json(datasette, "/archive/failed_checks.json", check="no.such_check", _shape="array") == []


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_search_answers_exactly_in_both_forms(
    datasette: Datasette, archive: Path, monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    """``+id IN`` (a facet's index read whole) when many match, ``id IN`` (seek each) when few: same rows."""
    monkeypatch.setattr(plugin, "SCAN_SHARE", share)
    db = connect(archive)
    for query in ("复议", "公开", "聊城", '"行政 复议" -威海', "龘"):
        answer = _json(datasette, "/archive/browse.json", _search=query, _shape="objects")
        ids = sorted(row["id"] for row in answer["rows"])
        assert ids == sorted(matching_report_ids(db, query)), query
        assert answer["filtered_table_rows_count"] == len(ids)
        year = answer["facet_results"]["year"]["results"]
        assert sum(value["count"] for value in year) == len(ids)


def test_a_search_runs_once_per_page(datasette: Datasette, monkeypatch: pytest.MonkeyPatch) -> None:
    searched: list[str] = []
    ids_sql = Query.ids_sql

    def counting(self: Query) -> tuple[str, list[object]]:
        searched.append(" ".join(self.include))
        return ids_sql(self)

    monkeypatch.setattr(Query, "ids_sql", counting)
    text = "依申请公开工作"  # a text no other test searches: not in the cache yet
    answer = _json(datasette, "/archive/browse.json", _search=text)
    assert len(answer["facet_results"]) == len(metadata.BROWSE_FACETS)  # ten statements or so, one search
    assert _get(datasette, "/archive/browse", _search=text).status_code == 200  # the same text again: no search
    assert len(searched) == 1


def test_a_report_added_while_serving_is_found(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(path), "import", str(SEEDS / SEED_FILES["聊城"])]).exit_code == 0
    datasette = serve.make_datasette(path)
    before = _json(datasette, "/archive/browse.json", _search="周口", _shape="array")
    assert before == []
    assert runner.invoke(cli, ["--db", str(path), "import", str(SEEDS / SEED_FILES["周口"])]).exit_code == 0
    after = _json(datasette, "/archive/browse.json", _search="周口", _shape="array")
    assert [row["agency"] for row in after] == ["周口市科技局"]


def test_search_ids_function(archive: Path) -> None:
    searches = matches.SearchMatches(archive)
    try:
        db = connect(archive)
        assert json.loads(searches.ids_json("复议")) == sorted(matching_report_ids(db, "复议"))
        assert searches.ids_json("复议") is searches.ids_json("复议")  # kept
        assert searches.ids_json("   ") == "[]" and searches.ids_json(None) == "[]"
        with pytest.raises(QueryTooLong):
            searches.ids_json("复" * 100_000)
    finally:
        searches.close()


def test_search_ids_are_kept_within_their_bytes(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matches, "MAX_CACHE_BYTES", 20)  # one answer of the six reports' ids (13 bytes), not two
    searches = matches.SearchMatches(archive)
    try:
        first = searches.ids_json("公开")
        assert first == "[1,2,3,4,5,6]" and searches.ids_json("公开") is first
        second = searches.ids_json("复议")
        assert searches.ids_json("复议") is second
        assert searches.ids_json("公开") == first and searches.ids_json("公开") is not first  # pushed out, again
    finally:
        searches.close()


def test_served_connections_have_the_memory_settings(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_SERVE_CACHE_MB", "24")
    datasette = serve.make_datasette(archive, serve.Limits.from_environment())
    database = datasette.get_database("archive")

    async def pragmas() -> list[Any]:
        return [(await database.execute(f"PRAGMA {name}")).first()[0] for name in ("cache_size", "mmap_size")]

    assert asyncio.run(pragmas()) == [-24 * 1024, 0]
    assert serve.Limits().cache_mb == 16
    assert "NIANBAO_SERVE_CACHE_MB=16" in serve.Limits.help()


def test_later_pages_skip_facets(datasette: Datasette) -> None:
    ids = [row["id"] for row in _json(datasette, "/archive/browse.json", _sort="id", _shape="array")]
    first = _json(datasette, "/archive/browse.json", _size="2", _sort="id", _shape="objects")
    assert first["facet_results"] and first["next"]
    second = _json(datasette, "/archive/browse.json", _size="2", _sort="id", _next=first["next"], _shape="objects")
    assert second["facet_results"] == {}
    assert [row["id"] for row in first["rows"] + second["rows"]] == ids[:4]
    assert second["filtered_table_rows_count"] == first["filtered_table_rows_count"]  # the count stays


def test_whole_table_counts_stop_at_their_time_limit(tmp_path: Path) -> None:
    """A bare ``count(*)`` is one step SQLite's progress handler never reaches; served, it is a loop the limit
    stops (a table page then shows its rows without a count, the database page "Many rows")."""
    path = tmp_path / "big.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE big (n INTEGER)")
        rows = "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 2000000) SELECT n FROM s"
        connection.execute(f"INSERT INTO big {rows}")
    datasette = Datasette([])
    served = datasette.add_database(serve.ArchiveDatabase(datasette, str(path), is_mutable=True), name="served")
    with pytest.raises(QueryInterrupted):  # Datasette's table page count, under a 1 ms limit
        asyncio.run(served.execute("select count(*) from big ", custom_time_limit=1))
    assert asyncio.run(served.table_counts(1)) == {"big": None}
    assert asyncio.run(served.table_counts(10_000)) == {"big": 2_000_000}


def test_database_page_counts(datasette: Datasette, archive: Path) -> None:
    counts = asyncio.run(datasette.get_database("archive").table_counts(1000))
    db = connect(archive)
    assert counts["browse"] == counts["reports"] == db.execute("SELECT count(*) FROM reports").fetchone()[0] == 6
    assert counts["record_cells"] == db.execute("SELECT count(*) FROM record_cells").fetchone()[0] > 0
    assert "Many rows" not in _get(datasette, "/archive").text


def test_compare_page_says_how_many_bodies_it_leaves_out(datasette: Datasette, monkeypatch: pytest.MonkeyPatch) -> None:
    choices = _json(datasette, "/-/compare.json")["choices"]
    assert [choice["body"]["name"] for choice in choices] == ["聊城市科学技术局"]
    assert "more bodies" not in _get(datasette, "/-/compare").text
    monkeypatch.setattr(plugin, "CHOICES_SHOWN", 0)
    page = _get(datasette, "/-/compare").text
    assert "另有 1 个机关" in page and "and 1 more bodies" in page
