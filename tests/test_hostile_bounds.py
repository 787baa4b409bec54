"""Every document is extracted and parsed under a memory ceiling and a deadline (intake/bounded.py).

Each hostile input (built here; tests/fixtures/hostile/bounds/README.md says what each attacks) goes through
``nianbao import`` and through a crawl's archiving worker. The bound holds, the document fails with the
bound's reason, its bytes stay archived as a failed extraction that ``reextract`` tries again, and the
next document of the same run is archived. Bounds are set small through their environment variables.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import sqlite_utils

from archive import db as archive_db
from crawler.ingester import Ingester
from intake import bounded
from intake.ingest import FAILED_EXTRACTION, Outcome, Source, start_run
from parsers.document import ExtractionError
from tests.conftest import RENDERED, SEED_FILES, SEEDS, RunCli

ROOT = Path(__file__).resolve().parents[1]
QUFU = (SEEDS / SEED_FILES["曲阜"]).read_bytes()
#: Small bounds for the tests: a hostile input needs many times either.
DEADLINE_S = "1"
OVERTIME = "extraction exceeded the 1 s deadline"
MEMORY_MB = "350"
OUT_OF_MEMORY = "extraction ran out of memory (350 MB ceiling)"


# -- the hostile inputs ---------------------------------------------------------------------------------


def slow_pdf(pages: int = 100) -> bytes:
    """A 130 KB PDF whose pages all show one content stream of 5,000 text operators: ~30 ms a page of CPU
    to lay out and read, ~3 s in all, far over a 1 s deadline (25 pages, ~1.3 s, became too close once
    the PDF path got cheaper)."""
    content = b"BT /F1 6 Tf 10 830 Td 7 TL " + b"(annual report 2023) ' " * 5000 + b"ET"
    font = b"<< /Font << /F1 3 0 R >> >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources %s /Contents 4 0 R >>" % font
    kids = b" ".join(b"%d 0 R" % (5 + number) for number in range(pages))
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
            *[page] * pages,
        ]
    )


def pdf_bomb(megabytes: int = 500) -> bytes:
    """A 3 MB one-page PDF whose content stream inflates to ``megabytes`` MB of spaces, which PDFium holds
    in memory at once (and aborts when it cannot)."""
    stream = _deflated_spaces(megabytes * 2**20 // (8 * 258))
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
        ]
    )


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1, the first the catalog), with its cross-reference table."""
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def _deflated_spaces(groups: int) -> bytes:
    """A zlib stream of a space and ``8 * groups + 1`` copies of 258 more, written directly in deflate's
    fixed codes (13 bytes for 2,064 spaces) so that building it costs no time."""
    header = [*_bits([(1, 1), (1, 2)]), *_code(0x30 + 0x20, 8), *_MATCH]  # final block, fixed codes; ' '; match
    group = _MATCH * 8  # 104 bits: 13 whole bytes, as the header's 24 bits are 3
    end = _code(0, 7)
    size = 1 + 258 * (1 + 8 * groups)
    adler = ((size + 32 * size * (size + 1) // 2) % 65521) << 16 | (1 + 32 * size) % 65521  # of `size` spaces
    return b"\x78\x01" + _pack(header) + _pack(group) * groups + _pack(end) + adler.to_bytes(4, "big")


def _bits(fields: list[tuple[int, int]]) -> list[int]:
    """Deflate's fields: least significant bit first."""
    return [(value >> bit) & 1 for value, width in fields for bit in range(width)]


def _code(code: int, width: int) -> list[int]:
    """A Huffman code: its first bit first."""
    return [(code >> bit) & 1 for bit in reversed(range(width))]


_MATCH = [*_code(0b11000101, 8), *_code(0, 5)]  # length 258 (code 285), distance 1


def _pack(bits: list[int]) -> bytes:
    padded = bits + [0] * (-len(bits) % 8)
    return bytes(
        sum(bit << index for index, bit in enumerate(padded[start : start + 8])) for start in range(0, len(padded), 8)
    )


def corrupt_doc() -> bytes:
    """report-001.doc with one byte of its OLE sector allocation table changed: LibreOffice reads its
    UTF-16 text as 8-bit characters (``hTãS^Ñy€b@\\…``), with not one Chinese character."""
    data = bytearray((RENDERED / "report-001.doc").read_bytes())
    data[570] = 0xF9
    return bytes(data)


def test_the_pdf_bomb_is_what_it_says() -> None:
    stream = _deflated_spaces(1000)
    assert zlib.decompress(stream) == b" " * (1 + 258 * 8001)
    assert len(pdf_bomb()) < 4 * 2**20


# -- import ---------------------------------------------------------------------------------------------


def hostile_folder(tmp_path: Path, name: str, data: bytes) -> Path:
    """The hostile file first (files import in name order), then the five seed reports."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(data)
    for seed in SEEDS.glob("*.txt"):
        (folder / seed.name).write_bytes(seed.read_bytes())
    return folder


def nianbao(db_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command in its own process (its extraction child then has the memory of a plain CLI)."""
    command = [sys.executable, "-m", "cli", "--db", str(db_path), *args]
    return subprocess.run(command, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True)


def assert_kept_as_failed_extraction(db_path: Path, data: bytes, reason: str) -> int:
    """The bytes are archived, in a document of no report saying why, and the failure is recorded."""
    db = sqlite_utils.Database(db_path)
    sha256 = hashlib.sha256(data).hexdigest()
    document_id, report_id, warnings = db.execute(
        "SELECT id, report_id, warnings FROM documents WHERE sha256 = ?", [sha256]
    ).fetchone()
    assert report_id is None
    assert json.loads(warnings) == [f"{FAILED_EXTRACTION}: {reason}"]
    assert db.execute("SELECT data FROM blobs WHERE sha256 = ?", [sha256]).fetchone()[0] == data
    assert db.execute("SELECT reason FROM failures").fetchall() == [(reason,)]
    return int(document_id)


def test_import_cuts_off_a_document_over_the_deadline_and_keeps_it(
    run_cli: RunCli, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(bounded.DEADLINE_ENV, DEADLINE_S)
    data = slow_pdf()
    summary = json.loads(
        run_cli("import", "--json", str(hostile_folder(tmp_path, "000-slow.pdf", data)), expect=1).output
    )
    assert (summary["new"], summary["failed"]) == (5, 1)
    failed = summary["files"][0]
    assert (failed["status"], failed["reason"]) == ("failed", OVERTIME)
    document_id = assert_kept_as_failed_extraction(db_path, data, OVERTIME)
    assert failed["document_id"] == document_id

    retried = json.loads(run_cli("reextract", "--json", str(document_id), expect=1).output)
    assert retried == {"reextracted": 0, "failed": {str(document_id): OVERTIME}}
    monkeypatch.setenv(bounded.DEADLINE_ENV, "120")  # the bound raised: it is read, and filed in its report
    assert json.loads(run_cli("reextract", "--json", str(document_id)).output)["reextracted"] == 1
    db = sqlite_utils.Database(db_path)
    report_id, media_type = db.execute(
        "SELECT report_id, media_type FROM documents WHERE id = ?", [document_id]
    ).fetchone()
    assert report_id is not None and media_type == "application/pdf"


def test_import_stops_a_document_over_the_memory_ceiling_and_keeps_it(db_path: Path, tmp_path: Path) -> None:
    data = pdf_bomb()
    ceiling = {bounded.MEMORY_LIMIT_ENV: MEMORY_MB}
    imported = nianbao(db_path, "import", "--json", str(hostile_folder(tmp_path, "000-bomb.pdf", data)), env=ceiling)
    assert imported.returncode == 1, imported.stderr
    summary = json.loads(imported.stdout)
    assert (summary["new"], summary["failed"]) == (5, 1)
    assert summary["files"][0]["reason"] == OUT_OF_MEMORY
    document_id = assert_kept_as_failed_extraction(db_path, data, OUT_OF_MEMORY)

    retried = nianbao(db_path, "reextract", "--json", str(document_id), env=ceiling)
    assert json.loads(retried.stdout) == {"reextracted": 0, "failed": {str(document_id): OUT_OF_MEMORY}}


def test_a_doc_that_converts_to_garbage_is_a_failed_extraction_not_a_report(
    run_cli: RunCli, db_path: Path, tmp_path: Path
) -> None:
    data = corrupt_doc()
    (tmp_path / "corrupt.doc").write_bytes(data)
    summary = json.loads(run_cli("import", "--json", str(tmp_path / "corrupt.doc"), expect=1).output)
    reason = summary["files"][0]["reason"]
    assert reason.startswith("LibreOffice read the DOC as unreadable text (no Chinese characters, ")
    assert reason.endswith("% unreadable characters): a corrupt file")
    assert_kept_as_failed_extraction(db_path, data, reason)
    assert sqlite_utils.Database(db_path).execute("SELECT count(*) FROM reports").fetchone() == (0,)


def test_a_bound_set_to_nonsense_fails_the_documents_saying_so(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(bounded.DEADLINE_ENV, "two minutes")
    (tmp_path / "r.txt").write_bytes(QUFU)
    summary = json.loads(run_cli("import", "--json", str(tmp_path / "r.txt"), expect=1).output)
    assert summary["files"][0]["reason"] == "NIANBAO_DOCUMENT_TIMEOUT_S='two minutes' is not a positive number"


def test_parse_is_bounded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """``nianbao parse`` has no archive: ``bounded.parse_bytes`` raises the bound's reason."""
    monkeypatch.setenv(bounded.DEADLINE_ENV, DEADLINE_S)
    with pytest.raises(ExtractionError, match=OVERTIME):
        bounded.parse_bytes(slow_pdf())
    assert bounded.parse_bytes(QUFU)["agency"] == "曲阜市科学技术局"


# -- a crawl's archiving worker -------------------------------------------------------------------------


def crawl_two(db_path: Path, hostile: bytes) -> tuple[Outcome, Outcome]:
    """One worker archives the hostile document, then a report."""
    db = archive_db.connect(db_path)
    run_id = start_run(db, "crawl", {})
    db.close()

    async def crawl() -> tuple[Outcome, Outcome]:
        ingester = Ingester(str(db_path), workers=1)
        await ingester.start()
        first = await ingester.archive(Source("https://a.example/hostile", hostile), run_id, "a", [])
        second = await ingester.archive(Source("https://a.example/r.txt", QUFU), run_id, "a", [])
        await ingester.close()
        return first.outcome, second.outcome

    return asyncio.run(crawl())


def crawl_hostile(db_path: Path, data: bytes, reason: str) -> int:
    """Through a worker: the hostile document fails with ``reason`` and is kept, the next one is archived."""
    hostile, after = crawl_two(db_path, data)
    assert (hostile.status, hostile.reason) == ("failed", reason)
    assert after.status == "new"
    document_id = assert_kept_as_failed_extraction(db_path, data, reason)
    assert hostile.document_id == document_id
    return document_id


def test_a_crawl_worker_cuts_off_a_document_over_the_deadline(
    run_cli: RunCli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(bounded.DEADLINE_ENV, DEADLINE_S)  # before the worker starts: it inherits the environment
    document_id = crawl_hostile(db_path, slow_pdf(), OVERTIME)
    retried = json.loads(run_cli("reextract", "--json", str(document_id), expect=1).output)
    assert retried == {"reextracted": 0, "failed": {str(document_id): OVERTIME}}


def test_a_crawl_worker_stops_a_document_over_the_memory_ceiling(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(bounded.MEMORY_LIMIT_ENV, MEMORY_MB)
    document_id = crawl_hostile(db_path, pdf_bomb(), OUT_OF_MEMORY)
    retried = nianbao(db_path, "reextract", "--json", str(document_id))
    assert json.loads(retried.stdout) == {"reextracted": 0, "failed": {str(document_id): OUT_OF_MEMORY}}
