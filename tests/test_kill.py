"""Processes killed with SIGKILL mid-way: an import leaves no half-written document and no corrupt database,
LibreOffice dies with its importer, and the crawl's archive writer killed after committing a batch does not
also record its documents as failed, nor loses those of the batch it had not committed."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlite_utils.utils import sqlite3

from archive.db import connect
from archive.fts import INDEXES
from crawler.ingest_worker import Archived
from crawler.ingester import Ingester
from intake.ingest import Source, start_run
from tests.conftest import RENDERED, SEED_FILES, SEEDS

FILES = 400


def make_reports(folder: Path) -> None:
    base = (SEEDS / SEED_FILES["聊城"]).read_text(encoding="utf-8")
    folder.mkdir()
    for number in range(FILES):
        (folder / f"r{number:04d}.txt").write_text(base.replace("聊城", f"第{number}号城"), encoding="utf-8")


def count(db_path: Path, sql: str) -> int:
    """The count, or 0 while the importer has not created the schema yet."""
    db = connect(db_path, migrate=False)
    try:
        return int(db.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        db.conn.close()


def test_kill_9_mid_import_leaves_a_consistent_archive(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    make_reports(folder)
    db_path = tmp_path / "a.db"
    command = [sys.executable, "-m", "cli", "--db", str(db_path), "import", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if db_path.exists() and count(db_path, "SELECT count(*) FROM sightings") >= 30:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    done = count(db_path, "SELECT count(*) FROM documents")
    assert 30 <= done < FILES, "the kill must land mid-import"

    db = connect(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for table, _, _ in INDEXES:
        db.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    # every document is whole: bytes, report, sighting, index entry
    assert db.execute("SELECT count(*) FROM documents WHERE report_id IS NULL").fetchone()[0] == 0
    assert (
        db.execute(
            "SELECT count(*) FROM documents d LEFT JOIN blobs b ON b.sha256 = d.sha256 WHERE b.sha256 IS NULL"
        ).fetchone()[0]
        == 0
    )
    assert db.execute("SELECT count(*) FROM sightings").fetchone()[0] == done
    reports = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    for table, _, _ in INDEXES:
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == reports
    assert db.execute("SELECT new FROM runs WHERE id = 1").fetchone()[0] == done
    db.conn.close()

    # the next import finishes the job and marks the killed run
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip().endswith(f"{FILES - done} new, 0 changed, {done} duplicate, 0 failed")
    db = connect(db_path)
    assert db.execute("SELECT status FROM runs ORDER BY id").fetchall() == [("interrupted",), ("finished",)]
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == FILES


def alive(pid: int) -> bool:
    """Whether the process runs (not ended, nor a zombie waiting to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def live_soffice(marker: str, program: str = "soffice") -> list[int]:
    """Pids of running (not zombie) LibreOffice processes (``program``: soffice.bin for the converter
    itself) whose command line names ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:  # not a process, or one that just ended
            continue
        if program in command and marker in command and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def test_kill_9_mid_conversion_takes_libreoffice_along_and_the_next_start_cleans_up(tmp_path: Path) -> None:
    """An import killed while LibreOffice converts its DOC: LibreOffice dies with it; the scratch copy and
    the profile it leaves in the temporary folder go at the next start."""
    scratch = tmp_path / "tmp"  # the importer's temporary folder: its LibreOffice names it in its command line
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    db_path = tmp_path / "a.db"
    (tmp_path / "report.doc").write_bytes((RENDERED / "report-001.doc").read_bytes())
    command = [sys.executable, "-m", "cli", "--db", str(db_path), "import"]
    process = subprocess.Popen([*command, str(tmp_path / "report.doc")], env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not live_soffice(str(scratch), "soffice.bin"):
        assert time.monotonic() < deadline and process.poll() is None, "LibreOffice never started"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while live_soffice(str(scratch)):
        assert time.monotonic() < deadline, "LibreOffice outlived the import"
        time.sleep(0.05)
    assert list(scratch.glob("nianbao-doc-*")), "the kill leaves the scratch copy of the DOC behind"

    (tmp_path / "next.txt").write_bytes((SEEDS / SEED_FILES["曲阜"]).read_bytes())
    finished = subprocess.run([*command, str(tmp_path / "next.txt")], env=env, capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert list(scratch.glob("nianbao-*")) == []


def test_a_deadline_takes_libreoffice_along(tmp_path: Path) -> None:
    """A DOC over the deadline: the extraction child is killed, and LibreOffice with it."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "NIANBAO_DOCUMENT_TIMEOUT_S": "0.5"}
    (tmp_path / "report.doc").write_bytes((RENDERED / "report-001.doc").read_bytes())
    doc = str(tmp_path / "report.doc")
    command = [sys.executable, "-m", "cli", "--db", str(tmp_path / "a.db"), "import", "--json", doc]
    imported = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert json.loads(imported.stdout)["files"][0]["reason"] == "extraction exceeded the 0.5 s deadline"
    deadline = time.monotonic() + 10
    while live_soffice(str(scratch)):
        assert time.monotonic() < deadline, "LibreOffice outlived its extraction"
        time.sleep(0.05)


def answers_pipe(pid: int) -> int:
    """Our end of the pipe a crawl's child (the writer) answers on: the one pipe we share with it beyond its stdin,
    stdout and stderr (it answers on a copy of its stdout, made once it has started)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        child = pipes(pid)
        theirs = {pipe for fd, pipe in child.items() if fd > 2} - {child.get(0)}
        for fd, pipe in pipes(os.getpid()).items():
            if fd > 2 and pipe in theirs:
                return fd
        time.sleep(0.02)
    raise AssertionError("the child never started answering")


def pipes(pid: int) -> dict[int, str]:
    """A process's file descriptors that are pipes: fd → the pipe's name (``pipe:[inode]``)."""
    found = {}
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed while we look (the listing's own descriptor, too)
            if (target := os.readlink(fd)).startswith("pipe:"):
                found[int(fd.name)] = target
    return found


REPORTS = [f"第{n}号局2023年政府信息公开工作年度报告\n本机关2023年主动公开政府信息{n}条。".encode() for n in range(20)]


def wait_in_kernel(pid: int, where: str) -> None:
    """Until the process sleeps in the kernel function ``where`` (its ``wchan``)."""
    deadline = time.monotonic() + 60
    while where not in Path(f"/proc/{pid}/wchan").read_text():
        assert time.monotonic() < deadline, f"the process never waited in {where}"
        time.sleep(0.02)


def roomy_input(process: asyncio.subprocess.Process) -> None:
    """The child's stdin pipe made big enough (1 MB) to hold every document of the test while it does not read."""
    assert process.stdin is not None
    fcntl.fcntl(process.stdin.transport.get_extra_info("pipe").fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)


def kill(pid: int) -> None:
    """SIGKILL, and wait until it is dead (else what we do next could race with its last moments)."""
    os.kill(pid, signal.SIGKILL)
    while alive(pid):
        time.sleep(0.01)


def assert_archived_once(db_path: Path, done: list[Archived | BaseException]) -> None:
    """Every report is ``new``, archived once, nothing failed."""
    assert [result.outcome.status if isinstance(result, Archived) else str(result) for result in done] == ["new"] * 20
    db = connect(db_path)
    assert db.execute("SELECT count(*) FROM documents").fetchone() == (20,)
    assert db.execute("SELECT count(*) FROM sightings").fetchone() == (20,)
    assert db.execute("SELECT count(*) FROM crawl_cache").fetchone() == (20,)
    assert db.execute("SELECT count(*) FROM failures").fetchone() == (0,)
    assert db.execute("SELECT new, failed FROM runs").fetchone() == (20, 0)


def test_a_writer_killed_after_committing_does_not_also_fail_its_documents(db_path: Path) -> None:
    """The crawl hands the stopped writer every document, lets it go on and holds its event loop, so it reads
    no answer, with the writer's answer pipe shrunk to one page: the writer commits its batch and blocks
    writing the answers (the kernel says so: ``pipe_write``). Killed there (and dead before the crawl reads
    on), its documents count as archived, read back from the archive; none is failed, lost or doubled."""
    db = connect(db_path)
    run_id = start_run(db, "crawl", {})
    db.conn.close()

    async def crawl() -> tuple[int, list[Archived | BaseException]]:
        ingester = Ingester(str(db_path), workers=1)
        await ingester.start()
        writer = ingester.writer.process
        assert writer is not None
        fcntl.fcntl(answers_pipe(writer.pid), fcntl.F_SETPIPE_SZ, 4096)
        roomy_input(writer)
        os.kill(writer.pid, signal.SIGSTOP)  # so that it reads every document at once: one batch
        sources = [Source(f"https://a.example/{n}.txt", report) for n, report in enumerate(REPORTS)]
        committed = await asyncio.gather(*(ingester.submit(source, run_id, "a", []) for source in sources))
        os.kill(writer.pid, signal.SIGCONT)
        wait_in_kernel(writer.pid, "pipe_write")  # the loop held: the writer fills its answer pipe
        archived = count(db_path, "SELECT count(*) FROM sightings")
        kill(writer.pid)
        done = await asyncio.gather(*committed, return_exceptions=True)
        await ingester.close()
        return archived, done

    committed_at_kill, done = asyncio.run(crawl())
    assert committed_at_kill == 20, "the writer must be killed after its commit"
    assert_archived_once(db_path, done)


def test_a_writer_killed_before_committing_loses_no_document(db_path: Path) -> None:
    """The writer holds the batch of every document, waiting for the archive's write lock (held here: the
    kernel says so, ``locks_lock_inode_wait``), when it is killed: nothing of the batch is committed, and
    the crawl sends the documents to a new writer, which archives each once."""
    db = connect(db_path)
    run_id = start_run(db, "crawl", {})
    db.conn.close()

    async def crawl() -> tuple[int, list[Archived | BaseException]]:
        ingester = Ingester(str(db_path), workers=1)
        await ingester.start()
        writer = ingester.writer.process
        assert writer is not None
        roomy_input(writer)
        with open(f"{db_path}.write.lock", "ab") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            sources = [Source(f"https://a.example/{n}.txt", report) for n, report in enumerate(REPORTS)]
            committed = await asyncio.gather(*(ingester.submit(source, run_id, "a", []) for source in sources))
            while "locks_lock_inode_wait" not in Path(f"/proc/{writer.pid}/wchan").read_text():
                await asyncio.sleep(0.02)  # the writer commits once input pauses: it waits for the lock
            archived = count(db_path, "SELECT count(*) FROM sightings")
            kill(writer.pid)
        done = await asyncio.gather(*committed, return_exceptions=True)
        assert ingester.writer.process is not None and ingester.writer.process.pid != writer.pid
        await ingester.close()
        return archived, done

    committed_at_kill, done = asyncio.run(crawl())
    assert committed_at_kill == 0, "the writer must be killed before its commit"
    assert_archived_once(db_path, done)
