"""What makes `nianbao` start fast, checked by function, not by time (bench/cli.py measures the time): each
command imports only the libraries it uses, every subcommand resolves from its module, and the numbers
the command line copies from modules it must not import at start-up equal theirs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from archive import db as archive_db
from cli import common
from cli.main import ARCHIVE_COMMANDS, LAZY_COMMANDS, cli
from cli.parse_commands import CHECK_NAMES
from tests.conftest import SEEDS

ROOT = Path(__file__).resolve().parents[1]
SEED = sorted(SEEDS.glob("*.txt"))[0]
#: Libraries no quick command may import: the web server, the PDF and HTML extractors, Word, the crawler,
#: the export formats, numpy (pulled in by sqlite-utils unless blocked: cli.common.import_sqlite_utils).
HEAVY = ["datasette", "uvicorn", "pdfplumber", "pypdfium2", "trafilatura", "docx", "scrapy", "twisted", "pyarrow"]
HEAVY += ["openpyxl", "numpy", "pandas"]
#: Runs a command line in a fresh interpreter and prints, as JSON, which of HEAVY (and sqlite_utils,
#: archive.*) it imported; a module only registered for loading on first use (importlib.util.LazyLoader)
#: is not imported.
PROBE = """
import json, sys
sys.argv = ["nianbao", *sys.argv[1:]]
from cli.main import cli
try:
    cli()
except SystemExit:
    pass
names = {HEAVY!r} + ["sqlite_utils"]
loaded = [name for name in names if name in sys.modules]
loaded += sorted(name for name in sys.modules if name.startswith(("archive.", "parsers.record")))
loaded = [name for name in loaded if type(sys.modules[name]).__name__ != "_LazyModule"]  # not loaded yet
print("\\nLOADED " + json.dumps(loaded), file=sys.stderr)
""".replace("{HEAVY!r}", repr(HEAVY))


Probe = Callable[..., list[str]]


@pytest.fixture(scope="module")
def loaded_by(tmp_path_factory: pytest.TempPathFactory) -> Probe:
    """The heavy modules (and sqlite_utils, archive.*) that `nianbao ARGS` imported, run in its own process.
    The processes share a bytecode cache in a temporary folder (each module compiled once, not per process,
    where PYTHONDONTWRITEBYTECODE is set): what is imported does not depend on it."""
    cache = tmp_path_factory.mktemp("pycache")
    env = {key: value for key, value in os.environ.items() if key not in ("NIANBAO_DB", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPYCACHEPREFIX"] = str(cache)

    def probe(*args: str) -> list[str]:
        result = subprocess.run(
            [sys.executable, "-c", PROBE, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        modules: list[str] = json.loads(result.stderr.rsplit("LOADED ", 1)[1])
        return modules

    return probe


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("startup") / "seeds.db"
    assert CliRunner().invoke(cli, ["--db", str(path), "import", str(SEEDS)]).exit_code == 0
    return path


@pytest.fixture(scope="module")
def shared() -> set[str]:
    """What every command imports of the archive: cli/common.py's archive.search (the status words of
    --status; it imports sqlite-utils only for type checking) and the small modules it imports."""
    code = (
        "import sys, cli.common\n"
        "print(*(name for name, module in sys.modules.items()\n"
        "        if name.startswith('archive.') and type(module).__name__ != '_LazyModule'))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    names = set(result.stdout.split())
    assert "archive.search" in names and not names & {"archive.db", "archive.records", "intake.ingest"}
    return names


def test_version_imports_nothing_heavy(loaded_by: Probe, shared: set[str]) -> None:
    assert set(loaded_by("--version")) <= shared


def test_search_imports_no_extractor_server_crawler_or_numpy(archive: Path, loaded_by: Probe) -> None:
    loaded = loaded_by("--db", str(archive), "search", "复议")
    assert "sqlite_utils" in loaded and "archive.search" in loaded
    assert not set(HEAVY) & set(loaded) and "parsers.record" not in loaded, loaded


def test_help_imports_no_server_crawler_or_export_format(loaded_by: Probe) -> None:
    loaded = loaded_by("--help")
    assert not {"datasette", "uvicorn", "scrapy", "twisted", "pyarrow", "openpyxl", "numpy"} & set(loaded), loaded


def test_parse_imports_no_archive_server_or_crawler(loaded_by: Probe, shared: set[str]) -> None:
    loaded = loaded_by("parse", str(SEED))
    assert "parsers.record" in loaded
    assert not {"sqlite_utils", "datasette", "scrapy", "pyarrow", "numpy"} & set(loaded), loaded
    bounded = {"intake.bounded"}  # every document is parsed within its memory ceiling and deadline
    assert not [name for name in loaded if name.startswith("archive.") and name not in shared | bounded], loaded


def test_a_missing_archive_is_told_before_the_parser_loads(tmp_path: Path, loaded_by: Probe) -> None:
    """A wrong --db is answered at once: `show`, `stats` and `checks` open the archive before their libraries."""
    for command in (["show", "1"], ["stats"], ["checks"], ["reparse"]):
        loaded = loaded_by("--db", str(tmp_path / "none.db"), *command)
        assert "parsers.record" not in loaded and "archive.records" not in loaded, (command, loaded)


def test_sqlite_utils_is_imported_without_numpy_which_stays_importable() -> None:
    code = (
        "import sys\n"
        "from cli.common import import_sqlite_utils\n"
        "import_sqlite_utils()\n"
        "import sqlite_utils.db\n"
        "assert sqlite_utils.db.np is None and sqlite_utils.db.pd is None and 'numpy' not in sys.modules\n"
        "import numpy\n"
        "assert numpy.int64(2) + 1 == 3\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_every_command_resolves_from_its_module() -> None:
    context = click.Context(cli)
    names = cli.list_commands(context)
    assert set(LAZY_COMMANDS) <= set(names) and set(ARCHIVE_COMMANDS) <= set(names)
    assert names == sorted(names)
    for name in names:
        command = cli.get_command(context, name)
        assert command is not None and command.name == name


def test_the_largest_id_is_sqlites() -> None:
    """cli/common.py writes SQLite's largest integer itself (archive.db imports sqlite-utils): the same."""
    assert common.MAX_ROW_ID == archive_db.MAX_INTEGER


def test_check_names_are_every_check_the_parser_and_archive_run() -> None:
    assert {"tables.complete", "applications.balance", "title.year", "signed_date.after_period"} <= set(CHECK_NAMES)
    assert {"cross_year.carry_over", "cross_year.in_force"} <= set(CHECK_NAMES)
