"""`nianbao serve` in-process: the archive stays read-only, the search filter, the report page's tables.

(The browser and the HTTP server: tests/test_browser.py.)"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import re
import typing
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from markupsafe import escape

from archive.db import connect
from archive.search import matching_report_ids
from cli.main import cli
from parsers.form import T3_KEYS
from parsers.report import ReportRecord
from tests.conftest import SEED_FILES, RunCli
from web import metadata, report_page, serve
from web.plugin import BOM, _named

#: The chart plugin and its dependencies (uv.lock pins them): none writes, none asks the internet.
CHART_PLUGINS = ["datasette-dashboards", "datasette-leaflet", "datasette-render-markdown"]


@pytest.fixture
def served(run_cli: RunCli, seeds: Path, db_path: Path) -> Path:
    run_cli("import", str(seeds))
    serve.prepare_archive(db_path)
    return db_path


def test_nothing_in_datasette_can_write(served: Path) -> None:
    datasette = serve.make_datasette(served)
    database = datasette.get_database()

    async def attempt() -> None:
        await datasette.invoke_startup()
        # runs: a table without triggers (those of reports call functions only the archive's own writers have)
        await database.execute_write("DELETE FROM runs")

    with pytest.raises(Exception, match="attempt to write a readonly database"):
        asyncio.run(attempt())
    plugins = asyncio.run(datasette.client.get("/-/plugins.json")).json()
    # no other (writing) plugin: ours, and the charts' (datasette-dashboards, with the two it depends on)
    assert sorted(plugin["name"] for plugin in plugins) == sorted([serve.plugin.__name__, *CHART_PLUGINS])
    settings = asyncio.run(datasette.client.get("/-/settings.json")).json()
    assert settings["sql_time_limit_ms"] == serve.SETTINGS["sql_time_limit_ms"]


def test_a_refused_query_prints_no_traceback_on_standard_output(
    served: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """With ``rich`` installed (import-linter brings it), Datasette printed every refused query as a 20 KB
    traceback with its locals on stdout: `nianbao serve` under a supervisor that read only its first line
    stopped once the pipe filled (tests/test_browser.py's SQL tests hung)."""
    import rich  # noqa: F401  the condition of the old behaviour: present, as in every development setup

    datasette = serve.make_datasette(served)
    capfd.readouterr()
    for sql in ("DELETE FROM reports", "UPDATE documents SET year = 1", "PRAGMA query_only = 0"):
        answer = asyncio.run(datasette.client.get("/archive.json", params={"sql": sql}))
        assert answer.status_code == 400, sql
    printed = capfd.readouterr()
    assert printed.out == ""
    assert len(printed.err) < 2000  # at most one line per refusal, no locals


def test_search_filter_is_nianbao_search(served: Path) -> None:
    """`?_search=` answers exactly what `nianbao search` finds; no query at all lists every report."""
    datasette = serve.make_datasette(served)
    archive = connect(served)
    for query in ("复议 -威海", '"行政 复议"', "威", "AND *", "   "):
        answer = asyncio.run(datasette.client.get("/archive/browse.json", params={"_search": query, "_shape": "array"}))
        expected = matching_report_ids(archive, query) if query.strip() else [1, 2, 3, 4, 5]
        assert sorted(row["id"] for row in answer.json()) == sorted(expected), query


def test_serve_refuses_a_missing_archive(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    result = CliRunner().invoke(cli, ["--db", str(missing), "serve"])
    assert result.exit_code == 2 and "no archive" in result.output  # a usage error (issue 13 item 4)
    assert not missing.exists()


def test_named_parameters() -> None:
    assert _named("SELECT ? UNION SELECT ?", ["a", "b"]) == (
        "SELECT :nianbao_search_0 UNION SELECT :nianbao_search_1",
        {"nianbao_search_0": "a", "nianbao_search_1": "b"},
    )


def _record(**changes: Any) -> ReportRecord:
    """A record with only what the report page's table 三 reads (the rest of a record is not needed here)."""
    applications: dict[str, Any] = {key: [0] * 7 for key in T3_KEYS}
    record = {"format": "2021", "applications": applications, "inferred": [], "checks": {}}
    return typing.cast(ReportRecord, {**record, **changes})


def test_table_three_is_laid_out_as_printed() -> None:
    record = _record(
        inferred=["applications.granted[2]"],
        checks={
            "applications.balance": {
                "status": "fail",
                "failures": [{"where": "new_received[总计]", "left": 3, "right": 2}],
            }
        },
    )
    table = report_page.applications_table(record)
    assert table is not None and len(table.rows) == 25
    labels = [" ".join(cell.text for cell in row if cell.header) for row in table.rows]
    assert labels[2] == "三、本年度办理结果 （一）予以公开" and labels[4].startswith("（三）不予公开 1.")
    new_received = {cell.column: cell for cell in table.rows[0] if not cell.header}
    assert new_received["总计"].failed and not new_received["自然人"].failed
    granted = {cell.column: cell for cell in table.rows[2] if not cell.header}
    assert granted["科研机构"].inferred


def test_format_2019_has_one_other_row() -> None:
    applications: dict[str, Any] = {key: [0] * 7 for key in T3_KEYS}
    applications["other_overdue_correction"] = applications["other_overdue_fee"] = None
    table = report_page.applications_table(_record(format="2019", applications=applications))
    assert table is not None and len(table.rows) == 23
    assert any(cell.text == "（六）其他处理" for row in table.rows for cell in row)


def test_only_web_addresses_become_links() -> None:
    assert report_page.link_target("https://kjj.example.gov.cn/") == "https://kjj.example.gov.cn/"
    assert report_page.link_target("javascript:alert(1)") is None
    assert report_page.link_target("file:///tmp/a.txt") is None


# -- for people who never write SQL (issue 13 item 3) ----------------------------------------------------------


def _get(datasette: Any, path: str, **params: str) -> httpx.Response:
    response: httpx.Response = asyncio.run(datasette.client.get(path, params=params))
    return response


def test_canned_queries_hide_their_sql(served: Path) -> None:
    datasette = serve.make_datasette(served)
    for name, query in metadata.CANNED_QUERIES.items():
        assert query["hide_sql"] is True, name
        page = _get(datasette, f"/archive/{name}", q="复议", check="", agency="", province="", city="").text
        assert "<textarea" not in page, name  # no SQL editor
        text = html.unescape(re.sub(r"<[^>]*>", "", re.sub(r"<script.*?</script>", "", page, flags=re.S)))
        assert query["sql"].splitlines()[0] not in text, name  # what the page shows: no SQL, not even in its title
        assert f"<title>{escape(query['title'])} · archive</title>" in page
        assert "_show_sql=1" in page  # one click away for who wants it


def test_search_relevance_is_a_percentage_of_the_best(served: Path) -> None:
    datasette = serve.make_datasette(served)
    rows = _get(datasette, "/archive/search.json", q="复议", _shape="array").json()
    relevance = [row["relevance"] for row in rows]
    assert relevance[0] == 100 and relevance == sorted(relevance, reverse=True) and 0 < relevance[-1] <= 100
    assert "score" not in rows[0]
    page = _get(datasette, "/archive/search", q="复议").text
    assert re.findall(r'<td class="col-relevance[^"]*">([^<]*)</td>', page) == [f"{value}%" for value in relevance]
    assert not re.search(r"\de-\d", page)  # no 1.89e-06 anywhere


def test_numbers_are_formatted_for_reading(served: Path) -> None:
    datasette = serve.make_datasette(served)
    page = _get(datasette, "/archive/application_totals", province="", city="").text
    cells = re.findall(r'<td class="col-(new_received|reports)[^"]*">([^<]*)</td>', page)
    assert cells and all(re.fullmatch(r"\d{1,3}(,\d{3})*", value) for _, value in cells)
    fees = re.findall(r'<td class="col-fees_10k_yuan[^"]*">([^<]*)</td>', _get(datasette, "/archive/browse").text)
    assert fees and all(value.endswith(" 万元") and "e" not in value for value in fees)


def test_browse_rows_show_one_report_id_linking_to_the_report_page(served: Path) -> None:
    datasette = serve.make_datasette(served)
    page = _get(datasette, "/archive/browse", _sort="id").text
    header = re.findall(r'<th [^>]*data-column="([^"]+)"', page)
    assert header[0] == "id" and not {"rowid", "Link", "document_id"} & set(header)
    first_cells = re.findall(r"<tr>\s*<td class=\"col-(\w+) [^\"]*\">(.*?)</td>", page)
    assert [cell for cell, _ in first_cells] == ["id"] * 5
    assert [link for _, link in first_cells] == [f'<a href="/-/report/{n}">{n}</a>' for n in range(1, 6)]
    assert "/archive/browse/" not in page  # no link to Datasette's row page
    rows = _get(datasette, "/archive/browse.json", _shape="array").json()
    assert "document_id" in rows[0]  # the JSON keeps every column


def test_csv_for_excel_starts_with_a_bom(served: Path) -> None:
    datasette = serve.make_datasette(served)
    excel = _get(datasette, "/archive/browse.csv", _bom="1", _dl="1", _stream="on", _size="max")
    assert excel.status_code == 200 and excel.content.startswith(BOM)
    assert excel.headers["content-disposition"] == 'attachment; filename="browse.csv"'
    rows = list(csv.DictReader(io.StringIO(excel.content.decode("utf-8-sig"))))
    assert len(rows) == 5 and {row["agency"] for row in rows} >= {"聊城市科学技术局", "周口市科技局"}
    query = _get(datasette, "/archive/search.csv", q="复议", _bom="1")
    assert query.content.startswith(BOM + b"report_id,")
    assert not _get(datasette, "/archive/browse.csv").content.startswith(BOM)  # scripts get the plain CSV
    assert not _get(datasette, "/archive/nosuch.csv", _bom="1").content.startswith(BOM)  # errors are left alone
    assert "nianbao-excel-csv" in _get(datasette, "/archive/browse").text  # the link beside Datasette's CSV


@pytest.fixture
def aliased(run_cli: RunCli, seeds: Path, db_path: Path) -> Path:
    """The seeds and 聊城's 2023 report printed under the short name (聊城市科技局)."""
    text = (seeds / SEED_FILES["聊城"]).read_text(encoding="utf-8")
    (seeds / "liaocheng-2023-short.txt").write_text(
        text.replace("聊城市科学技术局\n\n2022", "聊城市科技局\n\n2023").replace("2022", "2023"), encoding="utf-8"
    )
    run_cli("import", str(seeds))
    serve.prepare_archive(db_path)
    return db_path


def test_agency_filter_and_facet_join_short_and_full_names(aliased: Path) -> None:
    datasette = serve.make_datasette(aliased)
    key = "山东省|聊城市||聊城市科学技术局"
    for agency in ("聊城市科技局", "聊城市科学技术局", key):
        rows = _get(datasette, "/archive/browse.json", _agency=agency, _shape="array").json()
        assert sorted((row["year"], row["agency"]) for row in rows) == [
            (2022, "聊城市科学技术局"),
            (2023, "聊城市科技局"),
        ], agency
    facet = _get(datasette, "/archive/browse.json").json()["facet_results"]["agency"]
    liaocheng = next(value for value in facet["results"] if value["value"] == key)
    assert liaocheng["count"] == 2 and liaocheng["label"] == "聊城市科学技术局（山东省聊城市）"
    assert "_agency=" in liaocheng["toggle_url"]
    assert len(facet["results"]) == 5  # six reports, five bodies
    bad = _get(datasette, "/archive/browse.json", _agency="x|y")
    assert bad.status_code == 400 and "not an agency key" in bad.json()["error"]
    series = _get(datasette, "/archive/agency_series.json", agency="聊城市科技局", _shape="array").json()
    assert [row["year"] for row in series] == [2022, 2023]  # the canned series too finds both names


def test_charts_config_reads_the_archive(served: Path) -> None:
    """The charts' SQL (datasette-dashboards runs it through the JSON API) answers from the archive."""
    datasette = serve.make_datasette(served)
    charts = metadata.dashboards("archive")["charts"]["charts"]
    page = _get(datasette, metadata.CHARTS_PATH)
    assert page.status_code == 200 and all(f'id="chart-{name}"' in page.text for name in charts)
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts and all(src.startswith("/-/static-plugins/") for src in scripts)  # served here, no CDN
    for src in scripts:
        assert _get(datasette, src).status_code == 200, src
    received = _get(
        datasette,
        "/archive.json",
        sql=charts["applications"]["query"].replace("[[AND province = :province]]", ""),
        _shape="array",
    )
    by_year = {(row["year"], row["measure"]): row["applications"] for row in received.json()}
    assert by_year[(2022, "本年新收 received")] == 1  # 聊城 1 + 周口 0 (seeds: table 三's 总计)
    assert by_year[(2022, "予以公开 granted")] == 1
