"""Shared test fixtures: real SQLite archive files in a temporary folder, the bundled seed reports."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner, Result

from archive.db import connect
from cli.main import cli

FIXTURES = Path(__file__).parent / "fixtures"
#: What the replica serves, in its package (replica/sites/common.py): the tests read the same files there.
REPLICA_DATA = Path(__file__).parents[1] / "replica" / "data"
SEEDS = REPLICA_DATA / "seeds"
#: The seed reports rendered as PDF, DOCX and DOC (tests/fixtures/make_extraction_fixtures.py); their golden
#: records, the GBK page, the scan and the encrypted PDFs stay in tests/fixtures/extraction/.
RENDERED = REPLICA_DATA / "rendered"
#: A real report (淮安 2024), served by the replica; its golden record is tests/fixtures/real/huaian-2024.json.
HUAIAN_PDF = REPLICA_DATA / "real" / "huaian-2024.pdf"

#: The seed reports by the place that names them (their file names are content hashes).
SEED_FILES = {
    "聊城": "000_0b3756e79a1f4c29.txt",
    "周口": "001_13b328ddb083188e.txt",
    "博山": "002_4a2bc5ef37378002.txt",
    "曲阜": "003_cf9a8ca2a320709f.txt",
    "威海": "004_718de6eab00637b7.txt",
}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def db(db_path: Path) -> sqlite_utils.Database:
    return connect(db_path)


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the seed folder (tests may add files to it)."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli(db_path: Path) -> RunCli:
    """Invoke the real `nianbao` command in-process against the test archive."""

    def run(*args: str, expect: int | None = 0) -> Result:
        result = CliRunner().invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, result.output
        return result

    return run
