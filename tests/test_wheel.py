"""The built wheel, installed into a fresh virtualenv in a temporary folder, runs `nianbao demo` and archives
what the demo of the checkout archives: the replica and everything it serves (replica/data/) ship in the wheel,
the test and benchmark kits do not, and nothing is read from the checkout (the demo runs in an empty folder,
with no path of the checkout on the interpreter's path).

The dependencies are the versions of uv.lock (exported, installed as wheels only, from uv's cache where
scripts/setup.sh put them): about 2 s for the build and the install on a warm cache, 20 s for each demo.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import HUAIAN_PDF
from tests.replica_kit import nianbao

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
#: The top-level packages of the wheel: the product and the replica; never testkit, tests or bench.
SHIPPED = {"common", "parsers", "archive", "intake", "crawler", "web", "cli", "replica"}
TIMEOUT = 300  # seconds, for any one step (a cold uv cache downloads the locked wheels)

#: A report's title and its files (media type and SHA-256), as the archive holds them.
Report = tuple[str, tuple[tuple[str, str], ...]]


def uv() -> list[str]:
    """The uv command: as scripts/setup.sh installs it (``python3 -m uv``), or on the PATH."""
    for command in (["python3", "-m", "uv"], ["uv"]):
        if shutil.which(command[0]) and subprocess.run([*command, "--version"], capture_output=True).returncode == 0:
            return command
    raise AssertionError("uv not found: scripts/setup.sh installs it")


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """``command``'s standard output; its standard error in the failure if it exits non-zero."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def outside_the_checkout() -> dict[str, str]:
    """This process's environment without what could lead an interpreter to the checkout or its virtualenv."""
    dropped = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "NIANBAO_DB"}
    return {name: value for name, value in os.environ.items() if name not in dropped}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``uv build`` makes of the checkout."""
    dist = tmp_path_factory.mktemp("dist")
    run([*uv(), "build", "--wheel", "--quiet", "--out-dir", str(dist)], cwd=ROOT)
    return next(dist.glob("nianbao-*.whl"))


@pytest.fixture(scope="module")
def venv(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv in a temporary folder with the wheel and the locked versions of its dependencies."""
    folder = tmp_path_factory.mktemp("installed")
    requirements = folder / "requirements.txt"
    export = ["export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet", "-o", str(requirements)]
    run([*uv(), *export], cwd=ROOT)
    run([*uv(), "venv", "--quiet", "--python", sys.executable, str(folder / "venv")], cwd=folder)
    python = folder / "venv" / "bin" / "python"
    install = ["pip", "install", "--quiet", "--no-build", "--python", str(python), "-r", str(requirements)]
    run([*uv(), *install, str(built)], cwd=folder, env=outside_the_checkout())
    return folder / "venv"


def reports(db_path: Path) -> list[Report]:
    """Every report's title (its primary document's) and its files, in title order."""
    db = sqlite_utils.Database(db_path)
    files: dict[int, list[tuple[str, str]]] = {}
    for report_id, media_type, sha256 in db.execute("SELECT report_id, media_type, sha256 FROM documents"):
        files.setdefault(report_id, []).append((media_type, sha256))
    titles = db.execute("SELECT r.id, d.title FROM reports r JOIN documents d ON d.id = r.primary_document_id")
    found = sorted((title, tuple(sorted(files[report_id]))) for report_id, title in titles)
    db.close()
    return found


def test_the_wheel_ships_the_product_and_the_replica_with_its_data_not_the_kits(built: Path) -> None:
    with zipfile.ZipFile(built) as wheel:
        names = wheel.namelist()
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == SHIPPED
    data = ROOT / "replica" / "data"
    bundled = {path.relative_to(ROOT).as_posix() for path in data.rglob("*") if path.is_file()}
    assert bundled and bundled <= set(names)  # the seeds, the rendered reports, the 淮安 PDF


def test_the_installed_wheel_runs_the_demo_as_the_checkout_does(venv: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"  # an empty folder: the working directory of every installed command
    elsewhere.mkdir()
    env = outside_the_checkout()
    probe = "import importlib.util as u, replica; print(replica.__file__); print(u.find_spec('testkit'))"
    replica_file, testkit = run([str(venv / "bin" / "python"), "-c", probe], cwd=elsewhere, env=env).splitlines()
    assert Path(replica_file).is_relative_to(venv) and testkit == "None"

    output = run([str(venv / "bin" / "nianbao"), "--db", str(elsewhere / "demo.db"), "demo"], cwd=elsewhere, env=env)
    assert "Browse:" in output
    assert all(path.name.startswith("demo.db") for path in elsewhere.iterdir())  # the archive and its lock files

    nianbao(tmp_path / "checkout.db", "demo")  # the same command from the checkout, in this process
    installed, checkout = reports(elsewhere / "demo.db"), reports(tmp_path / "checkout.db")
    assert installed == checkout
    assert len(checkout) == 25
    huaian = dict(checkout)["淮安市人民政府2024年政府信息公开工作年度报告"]
    assert huaian == (("application/pdf", hashlib.sha256(HUAIAN_PDF.read_bytes()).hexdigest()),)
