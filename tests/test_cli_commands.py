"""show, stats, --db / $NIANBAO_DB (before or after the command), a missing archive, checks' exit codes,
import of a URL, progress bars beside per-file lines, hints that run as printed, and --help of every command."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import sqlite_utils
from click.testing import CliRunner

from archive.aliases import BODY_FUNCTION, body_key
from cli.main import ARCHIVE_COMMANDS, cli
from replica.sites import qufu
from tests.conftest import SEED_FILES, SEEDS, RunCli
from tests.replica_kit import bundled_rows, serving, sites_of

ROOT = Path(__file__).resolve().parents[1]
#: Keyword arguments of a subprocess run here: text output, from the repository's folder, bounded.
RUN: dict[str, Any] = {"capture_output": True, "text": True, "cwd": ROOT, "timeout": 120, "check": False}


@pytest.fixture(scope="module")
def environ(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of the commands run in processes of their own here, sharing one bytecode cache in a
    temporary folder: each module is compiled once for the whole file, not once per process (where
    PYTHONDONTWRITEBYTECODE is set, as in the sandboxes this is developed in)."""
    cache = tmp_path_factory.mktemp("pycache")
    kept = {key: value for key, value in os.environ.items() if key not in ("PYTHONDONTWRITEBYTECODE", "NIANBAO_DB")}
    return {**kept, "PYTHONPYCACHEPREFIX": str(cache)}


@pytest.mark.parametrize("command", ["import", "search", "show", "stats", "reextract"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and f"nianbao {command}" in result.output.replace("--db reports.db ", "")


def test_show_prints_identity_files_and_sightings(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    output = run_cli("show", "4").output
    assert output.startswith("report 4: 曲阜市科学技术局2021年政府信息公开工作年度报告")
    assert "agency:    曲阜市科学技术局" in output and "year:      2021" in output
    assert "files (1):" in output and "txt" in output
    assert SEED_FILES["曲阜"] in output


def test_show_json_and_text(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    report = json.loads(run_cli("show", "1", "--json").output)
    assert report["id"] == 1 and report["year"] == 2022 and report["agency"] == "聊城市科学技术局"
    assert report["files"][0]["sha256"] and report["sightings"][0]["url"].startswith("file://")
    text = run_cli("show", "1", "--text").output
    assert text.strip() == (SEEDS / SEED_FILES["聊城"]).read_text(encoding="utf-8").strip()


def test_show_unknown_report_exits_1(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    result = run_cli("show", "99", expect=1)
    assert "no report 99" in result.output


def test_stats(run_cli: RunCli, seeds: Path) -> None:
    run_cli("import", str(seeds))
    run_cli("import", str(seeds))
    stats = json.loads(run_cli("stats", "--json").output)
    assert (stats["reports"], stats["documents"], stats["sightings"], stats["runs"]) == (5, 5, 10, 2)
    assert stats["by_type"] == {"text/plain": 5}
    assert stats["by_year"] == {"2021": 1, "2022": 2, "2023": 2}
    assert stats["stored_bytes"] == sum(path.stat().st_size for path in seeds.iterdir())
    assert stats["index_bytes"] > 0
    human = run_cli("stats").output
    assert "reports: 5" in human and "  2023: 2" in human


def test_db_from_environment(tmp_path: Path, seeds: Path) -> None:
    db_path = tmp_path / "from-env.db"
    env = {"NIANBAO_DB": str(db_path)}
    result = CliRunner().invoke(cli, ["import", str(seeds)], env=env)
    assert result.exit_code == 0 and db_path.exists()
    assert json.loads(CliRunner().invoke(cli, ["stats", "--json"], env=env).output)["reports"] == 5


def test_console_script_runs(tmp_path: Path, environ: dict[str, str]) -> None:
    """The installed entry point, as a user runs it (`.venv/bin/nianbao`): no archive yet is an error naming
    the path and how to make one (exit 2, nothing created); after an import it reads it."""
    script = Path(sys.executable).parent / "nianbao"
    archive = tmp_path / "a.db"
    missing = subprocess.run([str(script), "--db", str(archive), "stats"], env=environ, **RUN)
    assert missing.returncode == 2 and missing.stdout == ""
    assert f"no archive at {archive} (nothing was created)" in missing.stderr
    assert f"--db {archive} demo" in missing.stderr and "$NIANBAO_DB" in missing.stderr
    assert not archive.exists()
    assert CliRunner().invoke(cli, ["--db", str(archive), "import", str(SEEDS)]).exit_code == 0
    result = subprocess.run([str(script), "search", "复议", "--db", str(archive)], env=environ, **RUN)
    assert result.returncode == 0 and result.stdout.startswith("5 report(s) match '复议'")


def test_reextract_updates_text_and_index_from_stored_bytes(run_cli: RunCli, seeds: Path, db_path: Path) -> None:
    run_cli("import", str(seeds))
    db = sqlite_utils.Database(db_path)
    for function in ("nianbao_fts_chars", "nianbao_fts_pairs"):  # simulate an old, worse extraction
        db.conn.create_function(function, 1, lambda text: "")
    db.conn.create_function(BODY_FUNCTION, 4, body_key)  # report_bodies follows the document
    db.execute("UPDATE documents SET text = '', title = NULL WHERE id = 4")
    db.conn.commit()
    assert run_cli("search", "曲阜", expect=1)
    output = run_cli("reextract", "--type", "txt").output
    assert output.strip().endswith("5 re-extracted, 0 failed")
    assert json.loads(run_cli("search", "曲阜", "--json").output)["total"] == 1
    assert json.loads(run_cli("show", "4", "--json").output)["title"].startswith("曲阜市科学技术局")


def test_reextract_failure_keeps_the_old_text(run_cli: RunCli, seeds: Path, db_path: Path) -> None:
    run_cli("import", str(seeds))
    db = sqlite_utils.Database(db_path)
    db.execute("UPDATE blobs SET data = x'00' WHERE sha256 = (SELECT sha256 FROM documents WHERE id = 2)")
    db.conn.commit()
    result = json.loads(run_cli("reextract", "1", "2", "99", "--json", expect=1).output)
    assert result == {
        "reextracted": 1,
        "failed": {"2": "binary content (NUL bytes), not text", "99": "no document 99"},
    }
    assert json.loads(run_cli("search", "周口", "--json").output)["total"] == 1  # old text and index kept


# -- --db before or after the command ------------------------------------------------------------------------

#: Each command that reads the archive, run with --db after its name: the arguments, the exit status and
#: what its output shows of the seed archive. $NIANBAO_DB names a missing file meanwhile, so a --db that
#: were not read would end in "no archive" (exit 2).
READERS = {
    "search": (["search", "复议"], 0, "5 report(s) match '复议'"),
    "show": (["show", "4"], 0, "report 4: 曲阜市科学技术局2021年政府信息公开工作年度报告"),
    "stats": (["stats"], 0, "reports: 5"),
    "checks": (["checks"], 1, "1 report(s) with failed checks"),
    "export": (["export", "--to", "jsonl"], 0, '"title": "聊城市科学技术局2022年政府信息公开工作年度报告"'),
    "reextract": (["reextract", "--type", "txt"], 0, "5 re-extracted, 0 failed"),
    "reparse": (["reparse", "--all"], 0, "5 re-parsed, 0 failed"),
    "portals": (["portals"], 0, "never crawled"),
    "portals discover": (["portals", "discover"], 0, ""),
    "runs": (["runs"], 0, "run 1     import finished"),
}


@pytest.fixture
def seed_archive(tmp_path: Path) -> Path:
    archive = tmp_path / "seeds.db"
    assert CliRunner().invoke(cli, ["--db", str(archive), "import", str(SEEDS)]).exit_code == 0
    return archive


@pytest.mark.parametrize("name", list(READERS))
def test_db_after_the_command(name: str, seed_archive: Path, tmp_path: Path) -> None:
    args, code, shown = READERS[name]
    env = {"NIANBAO_DB": str(tmp_path / "missing.db")}
    after = CliRunner().invoke(cli, [*args, "--db", str(seed_archive)], env=env)
    assert after.exit_code == code, after.output
    assert shown in after.stdout
    before = CliRunner().invoke(cli, ["--db", str(seed_archive), *args], env=env)
    assert (before.exit_code, before.stdout.split("\n")[1:]) == (code, after.stdout.split("\n")[1:])
    assert not (tmp_path / "missing.db").exists()


def test_import_db_after_the_command(tmp_path: Path) -> None:
    archive = tmp_path / "after.db"
    result = CliRunner().invoke(cli, ["import", str(SEEDS), "--db", str(archive)], env={"NIANBAO_DB": ""})
    assert result.exit_code == 0 and result.output.strip().endswith("5 new, 0 changed, 0 duplicate, 0 failed")
    assert json.loads(CliRunner().invoke(cli, ["stats", "--json", "--db", str(archive)]).stdout)["reports"] == 5


def test_crawl_db_after_the_command(tmp_path: Path) -> None:
    archive = tmp_path / "crawled.db"
    registry = tmp_path / "portals.toml"
    registry.write_text(bundled_rows(lambda row: row["name"] == "qufu"), encoding="utf-8")
    with serving(sites_of(qufu)) as server:
        command = ["crawl", "--json", "--via-replica", server.url, "--timeout", "1", "--registry", str(registry)]
        result = CliRunner().invoke(cli, [*command, "--db", str(archive)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["totals"]["new"] >= 1
    assert json.loads(CliRunner().invoke(cli, ["--db", str(archive), "stats", "--json"]).stdout)["reports"] >= 1


def test_serve_db_after_the_command(seed_archive: Path, environ: dict[str, str]) -> None:
    """The real server in a process of its own: it announces the archive given after the command."""
    command = [sys.executable, "-m", "cli", "serve", "--port", "0", "--db", str(seed_archive)]
    pipes: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    with subprocess.Popen(command, cwd=ROOT, env=environ, **pipes) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
        finally:
            server.terminate()
            server.wait(timeout=60)
    assert line.startswith(f"Serving {seed_archive} at http://127.0.0.1:"), line


@pytest.mark.parametrize("command", [["demo"], ["crawl"], ["search", "复议"], ["portals", "discover"], ["export"]])
def test_db_given_twice_must_agree(command: list[str], seed_archive: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    result = CliRunner().invoke(cli, ["--db", str(seed_archive), *command, "--db", str(other)])
    assert result.exit_code == 2 and f"given twice, as {seed_archive} and {other}" in result.output
    assert not other.exists()


def test_the_same_db_twice_is_fine(seed_archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(seed_archive.parent)
    result = CliRunner().invoke(cli, ["--db", "seeds.db", "stats", "--db", str(seed_archive)])
    assert result.exit_code == 0 and "reports: 5" in result.stdout


def test_every_archive_command_takes_db_after_its_name() -> None:
    for name, subcommands in ARCHIVE_COMMANDS.items():
        command = cli.get_command(click.Context(cli), name)
        assert command is not None
        for each in [command, *(command.commands[sub] for sub in subcommands if isinstance(command, click.Group))]:
            assert "--db" in [opt for param in each.params for opt in getattr(param, "opts", [])], each.name
    readers_and_writers = {name.split()[0] for name in READERS} | {"import", "crawl", "serve", "demo", "writer"}
    assert readers_and_writers == set(ARCHIVE_COMMANDS)


# -- a missing archive ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(READERS))
def test_commands_that_read_never_create_an_archive(name: str, tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = CliRunner().invoke(cli, [*READERS[name][0], "--db", str(missing)])
    assert result.exit_code == 2, result.output
    assert f"no archive at {missing} (nothing was created)" in result.stderr
    assert f"--db {missing} demo" in result.stderr and f"--db {missing} import FOLDER" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_serve_never_creates_an_archive(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = CliRunner().invoke(cli, ["serve", "--db", str(missing)])
    assert result.exit_code == 2 and f"no archive at {missing}" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "a.db"
    result = CliRunner().invoke(cli, ["--db", str(missing), "stats"])
    assert result.exit_code == 2 and f"its folder {missing.parent} does not exist" in result.stderr
    result = CliRunner().invoke(cli, ["--db", str(missing), "import", str(SEEDS)])
    assert result.exit_code == 2 and f"folder {missing.parent} does not exist" in result.output


def test_missing_archive_hints_run_as_printed(tmp_path: Path, environ: dict[str, str]) -> None:
    """The hint's import line, with FOLDER filled in, makes the archive it names, as the user would run it:
    from the console script, from `python -m cli`, and from PATH."""
    launchers = {
        "script": ([str(Path(sys.executable).parent / "nianbao")], environ["PATH"]),
        "module": ([sys.executable, "-m", "cli"], environ["PATH"]),
        "on PATH": (["nianbao"], f"{Path(sys.executable).parent}{os.pathsep}{environ['PATH']}"),
    }
    for name, (launcher, path) in launchers.items():
        archive = tmp_path / f"{name.replace(' ', '-')}.db"
        env = {**environ, "PATH": path}
        result = subprocess.run([*launcher, "search", "x", "--db", str(archive)], env=env, **RUN)
        assert result.returncode == 2, result.stderr
        printed = next(line for line in result.stderr.splitlines() if "import FOLDER" in line)
        command = printed.split("#")[0].strip().replace("FOLDER", shlex.quote(str(SEEDS)))
        made = subprocess.run(shlex.split(command), env=env, **RUN)
        assert made.returncode == 0 and "5 new" in made.stdout, (name, command, made.stderr)
        if name == "on PATH":
            assert command.startswith("nianbao --db")


# -- checks: exit codes and check names ----------------------------------------------------------------------


def test_checks_exits_1_when_a_report_fails(seed_archive: Path) -> None:
    run = ["checks", "--db", str(seed_archive)]
    assert CliRunner().invoke(cli, run).exit_code == 1  # 博山 fails signed_date.after_period
    assert CliRunner().invoke(cli, [*run, "--check", "signed_date.after_period"]).exit_code == 1
    result = CliRunner().invoke(cli, [*run, "--check", "applications.balance"])
    assert result.exit_code == 0 and result.stdout.strip().endswith("0 report(s) with failed checks")
    result = CliRunner().invoke(cli, [*run, "--check", "applications.balance", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["failing"] == []
    result = CliRunner().invoke(cli, [*run, "--status", "incomplete"])
    assert result.exit_code == 0 and "0 report(s) incomplete" in result.stdout


def test_checks_lists_incomplete_reports_with_exit_1(tmp_path: Path) -> None:
    archive = tmp_path / "status.db"
    CliRunner().invoke(cli, ["--db", str(archive), "import", str(ROOT / "tests/fixtures/parse_status")])
    result = CliRunner().invoke(cli, ["--db", str(archive), "checks", "--status", "incomplete", "--json"])
    assert result.exit_code == 1 and json.loads(result.stdout)["incomplete"]


def test_unknown_check_is_a_usage_error_listing_the_known_ones(seed_archive: Path) -> None:
    result = CliRunner().invoke(cli, ["checks", "--db", str(seed_archive), "--check", "nosuch"])
    assert result.exit_code == 2
    assert "'nosuch' is not one of" in result.output
    for name in ("applications.balance", "cross_year.carry_over", "tables.complete", "title.year"):
        assert f"'{name}'" in result.output
    mixed = ["checks", "--db", str(seed_archive), "--check", "title.year", "--status", "incomplete"]
    result = CliRunner().invoke(cli, mixed)
    assert result.exit_code == 2 and "does not go with --status incomplete" in result.output


# -- import takes files --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://www.qufu.gov.cn/art/2022/1/1/art_1.html", "https://example.gov.cn/a.pdf"])
def test_import_of_a_url_says_it_takes_files(url: str, tmp_path: Path) -> None:
    archive = tmp_path / "a.db"
    result = CliRunner().invoke(cli, ["--db", str(archive), "import", str(SEEDS), url])
    assert result.exit_code == 2
    assert f"import takes files and folders, not URLs ({url})" in result.output
    assert "portals add LIST-URL --agency AGENCY" in result.output and f"--db {archive} crawl PORTAL" in result.output
    assert not archive.exists()


# -- progress bars beside per-file lines ---------------------------------------------------------------------


def _import_on_terminal(
    tmp_path: Path, environ: dict[str, str], *, stdout_on_terminal: bool, as_json: bool = False
) -> tuple[str, str]:
    """`nianbao import` of the seeds with standard error (and standard output, if asked) on a pseudo-terminal:
    (what the terminal showed, what went to the pipe)."""
    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "cli", "--db", str(tmp_path / "bar.db"), "import", str(SEEDS)]
    stdout = terminal if stdout_on_terminal else subprocess.PIPE
    command += ["--json"] if as_json else []
    with subprocess.Popen(command, cwd=ROOT, env=environ, stdout=stdout, stderr=terminal) as p:
        os.close(terminal)
        piped = p.stdout.read().decode() if p.stdout is not None else ""
        shown = b""
        with contextlib.suppress(OSError):  # EIO once the process has closed the terminal
            while chunk := os.read(controller, 65536):
                shown += chunk
        p.wait(timeout=60)
    os.close(controller)
    return shown.decode(), piped


def test_progress_bar_only_when_lines_are_not_on_the_same_terminal(tmp_path: Path, environ: dict[str, str]) -> None:
    shown, piped = _import_on_terminal(tmp_path, environ, stdout_on_terminal=False)
    assert "importing" in shown and "5/5" in shown  # the bar, on the terminal
    assert piped.count("\n") == 6 and "importing" not in piped  # five lines and the summary, untouched
    shown, _ = _import_on_terminal(tmp_path, environ, stdout_on_terminal=True)
    assert "importing" not in shown  # the lines are the progress: no bar torn between them
    lines = shown.replace("\r\n", "\n").strip().splitlines()
    assert len(lines) == 6 and all(line.startswith("duplicate  ") for line in lines[:5])
    shown, piped = _import_on_terminal(tmp_path, environ, stdout_on_terminal=False, as_json=True)
    assert "importing" in shown and json.loads(piped)["duplicate"] == 5
