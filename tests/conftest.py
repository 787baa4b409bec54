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
SEEDS = FIXTURES / "seeds"

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
