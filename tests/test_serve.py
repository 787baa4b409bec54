"""`nianbao serve` in-process: the archive stays read-only, the search filter, the report page's tables.

(The browser and the HTTP server: tests/test_browser.py.)"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive import serve
from archive.datasette import report_page
from archive.datasette.plugin import _named
from archive.db import connect
from archive.search import matching_report_ids
from cli.main import cli
from parsers.form import T3_KEYS
from tests.conftest import RunCli


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
        await database.execute_write("DELETE FROM reports")

    with pytest.raises(Exception, match="attempt to write a readonly database"):
        asyncio.run(attempt())
    plugins = asyncio.run(datasette.client.get("/-/plugins.json")).json()
    assert [plugin["name"] for plugin in plugins] == [serve.plugin.__name__]  # no other (writing) plugin
    settings = asyncio.run(datasette.client.get("/-/settings.json")).json()
    assert settings["sql_time_limit_ms"] == serve.SETTINGS["sql_time_limit_ms"]


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
    assert result.exit_code == 1 and "no archive" in result.output
    assert not missing.exists()


def test_named_parameters() -> None:
    assert _named("SELECT ? UNION SELECT ?", ["a", "b"]) == (
        "SELECT :nianbao_search_0 UNION SELECT :nianbao_search_1",
        {"nianbao_search_0": "a", "nianbao_search_1": "b"},
    )


def _record(**changes: Any) -> dict[str, Any]:
    applications: dict[str, Any] = {key: [0] * 7 for key in T3_KEYS}
    record = {"format": "2021", "applications": applications, "inferred": [], "checks": {}}
    return {**record, **changes}


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
