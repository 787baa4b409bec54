"""The command line under hostile input (issue 12, item 7): numbers out of range, a --db that is no archive,
file names that break lines or are not UTF-8. Each gives a usage error or a clear failure with its reason,
never a traceback, and loses nothing.

Hostile inputs, each built here by the function or constant named:
- ``HUGE``: an id above SQLite's largest integer (2^63 - 1);
- ``_not_archives``: what --db may name instead of an archive (text, device, folder, FIFO, unreadable file,
  another program's SQLite database, a SQLite header over garbage);
- ``_hostile_names``: report files named with a newline, with bytes that are not UTF-8 (and a broken PDF
  so named, which must fail with its reason).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.db import MAX_INTEGER
from cli.common import print_json, printable
from cli.main import cli
from tests.conftest import SEED_FILES, SEEDS, RunCli

HUGE = "99999999999999999999"
ROOT = Path(__file__).parent.parent


def _nianbao(*args: str | bytes, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real command in a process of its own: its raw output bytes, its exit status."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, cwd=cwd or ROOT, timeout=120, check=False
    )


def _no_traceback(result: subprocess.CompletedProcess[bytes]) -> None:
    assert b"Traceback" not in result.stdout + result.stderr, result.stderr.decode(errors="replace")


@pytest.mark.parametrize(
    "args",
    [
        ["show", HUGE],
        ["show", str(MAX_INTEGER + 1)],
        ["reextract", "1", HUGE],
        ["reparse", HUGE],
        ["reparse", "2", str(MAX_INTEGER + 1)],
        ["search", "复议", "--year", HUGE],
        ["search", "复议", "--limit", HUGE],
        ["search", "复议", "--offset", HUGE],
    ],
)
def test_numbers_out_of_range_are_usage_errors(run_cli: RunCli, seeds: Path, args: list[str]) -> None:
    run_cli("import", str(seeds))
    result = run_cli(*args, expect=2)
    assert "is not in the range" in result.output and "Traceback" not in result.output


def test_show_of_the_largest_id_is_simply_missing(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    assert f"no report {MAX_INTEGER}" in run_cli("show", str(MAX_INTEGER), expect=1).output


def test_a_search_text_over_the_cap_is_a_usage_error(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    result = run_cli("search", "复" * 20_000, expect=2)
    assert "query too long: 20,000 characters, at most 1,000 are searched" in result.output


def _not_archives(folder: Path) -> dict[str, tuple[Path, str]]:
    """Each thing --db may name that is no archive, and what the error must say of it."""
    text = folder / "notsqlite.txt"
    text.write_text("名称,年度\n聊城,2022\n", encoding="utf-8")
    fifo = folder / "pipe.db"
    os.mkfifo(fifo)  # opening it for reading would block for ever
    return {
        "text": (text, "is not a SQLite archive: its 26 bytes are something else"),
        "device": (Path("/dev/zero"), "is not a regular file (a device, pipe or socket)"),
        "fifo": (fifo, "is not a regular file (a device, pipe or socket)"),
        "folder": (folder, "is a directory"),
    }


@pytest.mark.parametrize("kind", ["text", "device", "fifo", "folder"])
@pytest.mark.parametrize("command", [["search", "x"], ["stats"], ["import", "."], ["serve"], ["show", "1"]])
def test_db_that_is_not_an_archive_is_a_usage_error(tmp_path: Path, kind: str, command: list[str]) -> None:
    path, reason = _not_archives(tmp_path)[kind]
    before = path.read_bytes() if path.is_file() else None
    result = CliRunner().invoke(cli, ["--db", str(path), *command])
    assert result.exit_code == 2 and reason in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert before is None or path.read_bytes() == before


def test_unreadable_db_is_a_usage_error(tmp_path: Path) -> None:
    """Root reads any file: the command then runs without the capability to (setpriv), as a user would."""
    path = tmp_path / "locked.db"
    shutil.copy(SEEDS / SEED_FILES["聊城"], path)
    path.chmod(0)
    command = [sys.executable, "-m", "cli", "--db", str(path), "stats"]
    if os.geteuid() == 0:
        command = ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", *command]
    result = subprocess.run(command, capture_output=True, cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 2, result.stderr
    assert b"is not readable" in result.stderr or b"cannot be read: Permission denied" in result.stderr
    _no_traceback(result)


def test_foreign_and_corrupt_databases_are_refused_untouched(tmp_path: Path) -> None:
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    for path, reason in ((foreign, "is a SQLite database but not an archive"), (corrupt, "not a readable SQLite")):
        before = path.read_bytes()
        for command in (["stats"], ["import", str(SEEDS)], ["search", "复议"], ["serve"], ["export"]):
            result = CliRunner().invoke(cli, ["--db", str(path), *command])
            assert result.exit_code == 2 and reason in result.output, result.output
            assert "is not a nianbao archive" in result.output
            assert isinstance(result.exception, SystemExit)
        assert path.read_bytes() == before
        assert not path.with_name(path.name + "-wal").exists()


@pytest.mark.parametrize(
    "command",
    [["search", "复议"], ["show", "1"], ["stats"], ["checks"], ["reparse"], ["reextract"], ["export"], ["portals"]],
)
def test_reading_commands_create_no_archive(tmp_path: Path, command: list[str]) -> None:
    """No file, an empty file, an empty SQLite database: each is "no archive" (exit 2), and stays as it was."""
    missing, empty, empty_sqlite = tmp_path / "missing.db", tmp_path / "empty.db", tmp_path / "empty-sqlite.db"
    empty.touch()
    with sqlite3.connect(empty_sqlite) as connection:
        connection.execute("VACUUM")  # a valid SQLite file with no table at all
    sqlite_bytes = empty_sqlite.read_bytes()
    expected = {
        missing: f"no archive at {missing} (nothing was created)",
        empty: f"{empty} is not a nianbao archive: an empty file (nothing was written to it)",
        empty_sqlite: f"{empty_sqlite} is not a nianbao archive: an empty SQLite database",
    }
    for path, message in expected.items():
        result = CliRunner().invoke(cli, ["--db", str(path), *command])
        assert result.exit_code == 2 and message in result.stderr, result.output
        assert isinstance(result.exception, SystemExit)
    assert not missing.exists() and empty.stat().st_size == 0 and empty_sqlite.read_bytes() == sqlite_bytes
    assert sorted(child.name for child in tmp_path.iterdir()) == ["empty-sqlite.db", "empty.db"]  # no lock, no WAL


def test_an_empty_file_becomes_an_archive_on_import(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    result = CliRunner().invoke(cli, ["--db", str(empty), "import", str(SEEDS)])
    assert result.exit_code == 0 and result.output.strip().endswith("5 new, 0 changed, 0 duplicate, 0 failed")
    assert json.loads(CliRunner().invoke(cli, ["--db", str(empty), "stats", "--json"]).stdout)["reports"] == 5


def _hostile_names(folder: Path) -> dict[bytes, bytes]:
    """Report files with names that break a line or are not UTF-8: {raw name: content}."""
    files = {
        b"line\nbreak.txt": (SEEDS / SEED_FILES["聊城"]).read_bytes(),
        b"gbk-\xc4\xea.txt": (SEEDS / SEED_FILES["周口"]).read_bytes(),  # 年 in GBK
        b"back\\slash\x1b[31m.txt": (SEEDS / SEED_FILES["博山"]).read_bytes(),  # a terminal escape
        b"broken-\xff.pdf": b"%PDF-1.4\n1 0 obj\n<<>>\n",  # fails: its reason must be printed
    }
    for name, content in files.items():
        Path(os.fsdecode(os.fsencode(folder) + b"/" + name)).write_bytes(content)
    return files


def test_import_prints_one_line_per_file_whatever_its_name(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    names = _hostile_names(folder)
    missing = os.fsencode(tmp_path) + b"/missing-\xfe.txt"  # named, not there: fails with a reason
    result = _nianbao("--db", str(tmp_path / "a.db"), "import", str(folder), missing)
    _no_traceback(result)
    assert result.returncode == 1  # two files failed
    lines = result.stdout.decode("utf-8").splitlines()  # strict: valid UTF-8
    assert len(lines) == len(names) + 2  # one per file, the summary
    assert lines[-1].endswith("3 new, 0 changed, 0 duplicate, 2 failed")
    for expected in ("line\\nbreak.txt", "gbk-\\xc4\\xea.txt", "back\\\\slash\\x1b[31m.txt"):
        assert sum(expected in line and line.startswith("new ") for line in lines) == 1, (expected, lines)
    failed = [line for line in lines if line.startswith("failed ")]
    assert len(failed) == 2 and any("broken-\\xff.pdf: " in line for line in failed)
    assert any("missing-\\xfe.txt: cannot read: no such file" in line for line in failed)
    assert all(line.split(": ", 1)[1].strip() for line in failed)  # every failure has its reason


def test_import_json_is_valid_utf8_whatever_the_names(tmp_path: Path) -> None:
    """In-process (the text output above runs in a process of its own): click's test runner writes stdout
    strictly, so a lone surrogate would raise there rather than pass as a raw byte."""
    folder = tmp_path / "reports"
    folder.mkdir()
    _hostile_names(folder)
    db = str(tmp_path / "a.db")
    result = CliRunner().invoke(cli, ["--db", db, "import", "--json", str(folder)])
    assert result.exit_code == 1 and result.exception is not None and isinstance(result.exception, SystemExit)
    summary = json.loads(result.stdout_bytes.decode("utf-8"))  # strict: no raw invalid bytes
    paths = {entry["path"].rsplit("/", 1)[1]: entry for entry in summary["files"]}
    assert set(paths) == {"line\\nbreak.txt", "gbk-\\xc4\\xea.txt", "back\\\\slash\\x1b[31m.txt", "broken-\\xff.pdf"}
    assert paths["broken-\\xff.pdf"]["status"] == "failed" and paths["broken-\\xff.pdf"]["reason"]
    assert paths["gbk-\\xc4\\xea.txt"]["url"].endswith("/gbk-%C4%EA.txt")  # the exact bytes
    assert (summary["new"], summary["failed"]) == (3, 1)
    stats = json.loads(CliRunner().invoke(cli, ["--db", db, "stats", "--json"]).stdout_bytes.decode("utf-8"))
    assert stats["reports"] == 3 and stats["failures"] == 1  # nothing lost: the failure is recorded too


def test_printable_leaves_printable_names_alone() -> None:
    assert printable("聊城市科学技术局 2022.txt") == "聊城市科学技术局 2022.txt"
    assert printable("a\\b.txt") == "a\\b.txt"  # nothing to escape: shown as it is
    assert printable(os.fsdecode(b"\xff\n\\")) == "\\xff\\n\\\\"
    assert printable("rtl\u202egnp.exe") == "rtl\\u202egnp.exe"


def test_print_json_is_valid_utf8_and_keeps_printable_text(capsys: pytest.CaptureFixture[str]) -> None:
    """Only a string UTF-8 cannot encode (a name's bytes that are not UTF-8) is escaped; a report's text with
    line breaks and a right-to-left mark stays as it is (JSON escapes the line break itself)."""
    print_json({"path": os.fsdecode(b"gbk-\xc4\xea.txt"), "text": "第一行\n第二行\u202e", "ids": (1, 2)})
    printed = capsys.readouterr().out
    assert json.loads(printed.encode("utf-8")) == {
        "path": "gbk-\\xc4\\xea.txt",
        "text": "第一行\n第二行\u202e",
        "ids": [1, 2],
    }
    print_json({os.fsdecode(b"\xff"): [os.fsdecode(b"a\xfe")]})
    assert json.loads(capsys.readouterr().out) == {"\\xff": ["a\\xfe"]}


def test_parse_prints_hostile_file_names_on_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    _hostile_names(folder)
    names = sorted(folder.iterdir())
    result = _nianbao("parse", *(os.fsencode(path) for path in names))
    _no_traceback(result)
    assert result.returncode == 1  # the broken PDF
    headers = [line for line in result.stdout.decode("utf-8").splitlines() if line.startswith("== ")]
    assert sorted(header.rsplit("/", 1)[1] for header in headers) == sorted(
        ["line\\nbreak.txt", "gbk-\\xc4\\xea.txt", "back\\\\slash\\x1b[31m.txt"]
    )
    errors = result.stderr.decode("utf-8").splitlines()  # strict: valid UTF-8
    assert len(errors) == 1 and "broken-\\xff.pdf: " in errors[0]
