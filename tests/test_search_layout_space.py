"""Search across layout white space (issue 13 item 1): a line break, space, tab or U+3000 between two Chinese
characters is layout, so ``不予公开`` finds the real 淮安 PDF that prints ``不\\n予公开`` — while the snippet
shows the text as printed, and white space beside anything else still counts. Existing archives are
re-indexed by a named migration, with a progress bar on a terminal only."""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner, Result

from archive import db as archive_db
from archive import fts
from archive.search import matching_report_ids
from cli.main import cli
from tests.conftest import FIXTURES, HUAIAN_PDF, RENDERED, SEED_FILES, SEEDS

# HUAIAN_PDF: a real report; its table 三 label reads "（三）不\n予公开"
WEIHAI_PDF = RENDERED / "report-004.pdf"  # rendered from the 威海 seed: "（三）不予\n公开"
WUHAN_HTML = FIXTURES / "parse_table2" / "wuhan-2020-format2019-trailing.html"  # "<td>本年新<br>制作数量</td>"
HANWEB_HTML = FIXTURES / "parse_identity" / "huaian_hanweb.html"  # labels printed spaced: "索 引 号"
SPACED_TEXT = "年度报告 网址 ab cd 统计期限 2022 年 第 3 条 한국 어 韩文"
SCHEMA6 = FIXTURES / "archives" / "schema6.db"  # made by schema 6 (tests/fixtures/archives/README.md)


def nianbao(db_path: Path, *args: str, expect: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result


def search_json(db_path: Path, *query: str, expect: int = 0) -> dict:
    return json.loads(nianbao(db_path, "search", "--json", *query, expect=expect).output)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One archive of real PDFs and HTML pages whose text breaks words across lines, and a text file."""
    folder = tmp_path_factory.mktemp("layout")
    spaced = folder / "spaced.txt"
    spaced.write_text(SPACED_TEXT, encoding="utf-8")
    db_path = folder / "archive.db"
    nianbao(db_path, "import", str(HUAIAN_PDF), str(WEIHAI_PDF), str(WUHAN_HTML), str(HANWEB_HTML), str(spaced))
    return db_path


def stored_text(db_path: Path, name: str) -> str:
    db = archive_db.connect(db_path)
    return db.execute(
        "SELECT d.text FROM documents d JOIN sightings s ON s.document_id = d.id WHERE s.url LIKE ?", [f"%/{name}"]
    ).fetchone()[0]


def test_a_row_label_broken_across_a_line_of_a_real_pdf_is_found(archive: Path) -> None:
    text = stored_text(archive, HUAIAN_PDF.name)
    assert "（三）不\n予公开" in text and "不予公开" not in text  # the case, as pdfplumber reads it

    result = search_json(archive, "不予公开")
    hits = {hit["title"]: hit for hit in result["hits"]}
    assert set(hits) == {
        "淮安市人民政府2024年政府信息公开工作年度报告",
        "威海市科学技术局2023年政府信息公开工作年度报告",
    }
    huaian = hits["淮安市人民政府2024年政府信息公开工作年度报告"]
    # The snippet is the text as printed (its line break shown as one space), the whole match marked.
    assert [huaian["snippet"][start:end] for start, end in huaian["highlights"]] == ["不 予公开"]
    assert "（三）不 予公开 1.属于国家秘密" in huaian["snippet"]
    weihai = hits["威海市科学技术局2023年政府信息公开工作年度报告"]
    assert [weihai["snippet"][start:end] for start, end in weihai["highlights"]] == ["不予 公开"]

    human = nianbao(archive, "search", "不予公开").output
    assert "（三）[不 予公开] 1.属于国家秘密" in human and "（三）[不予 公开]" in human


def test_a_query_typed_with_white_space_between_chinese_characters(archive: Path) -> None:
    expected = {hit["report_id"] for hit in search_json(archive, "不予公开")["hits"]}
    assert len(expected) == 2
    for typed in [
        '"不 予公开"',
        '"不予\n公开"',
        '"不予\u3000公开"',
        '"不\t予 公 开"',
        "（三）不予公开",
        '"（三） 不予公开"',
    ]:
        result = search_json(archive, typed)
        assert {hit["report_id"] for hit in result["hits"]} == expected, typed
        assert result["query"] == typed
    # Unquoted, a space separates terms (both must appear): the same two reports here.
    assert {hit["report_id"] for hit in search_json(archive, "不予", "公开")["hits"]} >= expected


def test_html_line_breaks_and_spaced_labels(archive: Path) -> None:
    wuhan = search_json(archive, "本年新制作数量")
    assert [hit["title"] for hit in wuhan["hits"]] == ["武汉市某局2020年政府信息公开工作年度报告"]
    snippet, highlights = wuhan["hits"][0]["snippet"], wuhan["hits"][0]["highlights"]
    assert snippet[slice(*highlights[0])] == "本年新 制作数量"  # <br> in the cell
    hanweb = search_json(archive, "索引号 发布机构")
    assert [hit["files"][0]["type"] for hit in hanweb["hits"]] == ["html"]
    assert "索 引 号" in stored_text(archive, HANWEB_HTML.name)


def test_white_space_beside_anything_but_chinese_still_counts(archive: Path) -> None:
    # Between letters, digits, or a digit and a Chinese character, a space is content: exact as before.
    assert search_json(archive, "abcd", expect=1)["total"] == 0
    assert search_json(archive, '"ab cd"')["total"] == 1
    assert search_json(archive, "2022年", expect=1)["total"] == 0
    assert search_json(archive, '"2022 年"')["total"] == 1
    assert search_json(archive, "第3条", expect=1)["total"] == 0
    # Korean separates words by spaces: Hangul keeps them (CSS Text 3 makes the same exception).
    assert search_json(archive, "한국어", expect=1)["total"] == 0
    assert search_json(archive, '"한국 어"')["total"] == 1
    assert search_json(archive, "网址ab", expect=1)["total"] == 0


def test_the_rule_on_its_own() -> None:
    assert fts.normalize("（三）不\n予公开\n1.属于") == "(三)不予公开 1.属于"
    assert fts.normalize("不予 \t\u3000\n 公开") == "不予公开"
    assert fts.normalize("申请，\n予以公开") == "申请,予以公开"  # ，is full-width: wide before NFKC folds it
    assert fts.normalize("2022 年 1 月") == "2022 年 1 月"
    assert fts.normalize("“三安全一稳定” 相关") == "“三安全一稳定” 相关"  # “” are ambiguous width: kept
    text = "前文（三）不\n予公开后文"
    normalized, offsets = fts.normalize_with_offsets(text)
    assert normalized == fts.normalize(text)
    assert [text[offset] for offset in offsets] == list(text.replace("\n", ""))


# -- existing archives -------------------------------------------------------------------------------------------


def gap_queries(db_path: Path) -> list[str]:
    """For every report of the archive, the normalised text around each of its first layout gaps."""
    db = archive_db.connect(db_path, migrate=False)
    queries = []
    for (text,) in db.execute("SELECT d.text FROM reports r JOIN documents d ON d.id = r.primary_document_id"):
        for start, end in fts.layout_gaps(text)[:3]:
            queries.append(fts.normalize(text[max(0, start - 3) : end + 2]))
    db.close()
    return sorted(set(queries))


def reference(db_path: Path, term: str) -> set[int]:
    db = archive_db.connect(db_path, migrate=False)
    rows = db.execute("SELECT r.id, d.text FROM reports r JOIN documents d ON d.id = r.primary_document_id")
    found = {report_id for report_id, text in rows if term in fts.normalize(text)}
    db.close()
    return found


def old_archive(tmp_path: Path) -> Path:
    path = tmp_path / "schema6.db"
    shutil.copy(SCHEMA6, path)
    return path


def test_the_migration_reindexes_an_old_archive_in_place(tmp_path: Path) -> None:
    path = old_archive(tmp_path)
    queries = gap_queries(path)
    assert len(queries) > 30
    unmigrated = archive_db.connect(path, migrate=False)
    assert archive_db.schema_version(unmigrated) == 6
    # The old index has no entry for a match across a line break: such queries miss.
    for query in queries:
        assert set(matching_report_ids(unmigrated, f'"{query}"')) != reference(path, query), query
    unmigrated.close()

    migrated = archive_db.connect(path)
    names = [step.name for step in archive_db.MIGRATIONS if isinstance(step, archive_db.Migration)]
    assert "search_layout_space" in names
    assert archive_db.schema_version(migrated) == len(archive_db.MIGRATIONS)
    for query in queries:
        assert set(matching_report_ids(migrated, f'"{query}"')) == reference(path, query), query
    assert matching_report_ids(migrated, "年度报告本年度") != []


def test_the_cli_migrates_an_old_archive_before_searching(tmp_path: Path) -> None:
    path = old_archive(tmp_path)
    assert "年度报告\n\n本年度" in (SEEDS / SEED_FILES["聊城"]).read_text()
    result = search_json(path, "年度报告本年度")
    assert {hit["title"] for hit in result["hits"]} == {
        "聊城市科学技术局2022年政府信息公开工作年度报告",
        "博山区科学技术局2023年度政府信息公开工作年度报告",
    }
    for hit in result["hits"]:
        assert [hit["snippet"][start:end] for start, end in hit["highlights"]] == ["年度报告 本年度"]


def test_the_progress_bar_shows_on_a_terminal_only(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """On a real terminal (a pseudo-terminal as stderr) the re-index draws its bar; piped, it is silent."""
    archive_db.connect(old_archive(tmp_path)).close()
    assert capfd.readouterr().err == ""

    on_terminal = tmp_path / "terminal.db"
    shutil.copy(SCHEMA6, on_terminal)
    leader, follower = os.openpty()
    os.set_blocking(leader, False)
    saved = sys.stderr
    with open(follower, "w", encoding="utf-8") as terminal:
        sys.stderr = terminal
        try:
            archive_db.connect(on_terminal).close()
        finally:
            sys.stderr = saved
    try:
        drawn = os.read(leader, 65536).decode()
    except BlockingIOError:  # nothing was drawn
        drawn = ""
    finally:
        os.close(leader)
    assert "re-indexing the search text" in drawn and "100%" in drawn


def test_a_process_that_waited_for_the_migration_does_not_redo_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes open an old archive: while the first re-indexes, the second queues on the writer lock,
    then finds the step done instead of re-indexing again."""
    path = old_archive(tmp_path)
    steps = list(archive_db.MIGRATIONS)
    number, layout = next(
        (number, step)
        for number, step in enumerate(steps, 1)
        if isinstance(step, archive_db.Migration) and step.name == "search_layout_space"
    )
    monkeypatch.setattr(archive_db, "MIGRATIONS", steps[: number - 1])
    archive_db.connect(path).close()  # the archive as the release before this step left it

    runs: list[str] = []

    def counted(db: sqlite_utils.Database) -> None:
        runs.append("again")
        layout.run(db)

    counting = archive_db.Migration(layout.name, counted)
    monkeypatch.setattr(archive_db, "MIGRATIONS", [*steps[: number - 1], counting, *steps[number:]])
    versions: list[int] = []

    def second_process() -> None:
        second = archive_db.connect(path)  # migrates: waits for the lock the first holds
        versions.append(archive_db.schema_version(second))
        second.close()

    first = archive_db.connect(path, migrate=False)
    with archive_db.write_transaction(first):  # the first process, migrating
        waiting = threading.Thread(target=second_process)
        waiting.start()
        time.sleep(0.5)
        assert waiting.is_alive()  # queued on the lock
        layout.run(first)
        first.execute(f"PRAGMA user_version = {number}")
    waiting.join(timeout=30)
    assert versions == [len(steps)] and runs == []
    assert matching_report_ids(first, "年度报告本年度") != []
