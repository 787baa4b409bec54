"""Bad input: each kind gives a specific ExtractionError or flag, quickly, without taking the process down.

The big and hostile inputs are made here, not committed.
"""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from parsers.document import PDF, ExtractionError
from parsers.extract import extract
from tests.conftest import RENDERED

SAMPLES = Path(__file__).parent / "fixtures" / "extraction"


def sample(name: str) -> bytes:
    folder = SAMPLES if (SAMPLES / name).exists() else RENDERED  # the seeds' renderings: in the replica's package
    return (folder / name).read_bytes()


def fails(data: bytes, reason: str, seconds: float = 5.0) -> None:
    started = time.monotonic()
    with pytest.raises(ExtractionError) as raised:
        extract(data)
    assert reason in str(raised.value)
    assert "\n" not in str(raised.value)
    assert time.monotonic() - started < seconds


def zip_bomb(gigabytes: int) -> bytes:
    """A DOCX whose document.xml inflates to ``gigabytes`` GiB of zeros, built without inflating it.

    After a full flush deflate forgets its history, so every 16 MiB chunk of zeros compresses to the same
    bytes: the stream is one compressed chunk repeated, then an empty final block."""
    chunk = bytes(1 << 24)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = gigabytes * 64
    body = block * count + compressor.flush()
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    size = count * len(chunk)
    content_types = b"<Types/>"
    entries = [
        (b"[Content_Types].xml", 0, zlib.crc32(content_types), content_types, len(content_types)),
        (b"word/document.xml", 8, crc, body, size),
    ]
    out, central = io.BytesIO(), io.BytesIO()
    for name, method, checksum, data, plain in entries:
        offset = out.tell()
        out.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, checksum, len(data), plain, len(name), 0)
        )
        out.write(name + data)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0,
                checksum,
                len(data),
                plain,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
    directory = central.getvalue()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, len(directory), out.tell(), 0)
    return out.getvalue() + directory + end


def pdf_of_pages(pages: int) -> bytes:
    """A PDF of ``pages`` pages: the fixture's pages (text and tables) over and over."""
    source = pdfium.PdfDocument(sample("report-000.pdf"))
    document = pdfium.PdfDocument.new()
    while len(document) < pages:
        document.import_pages(source, list(range(min(len(source), pages - len(document)))))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_empty_body() -> None:
    fails(b"", "empty content")
    fails(b" \r\n\t ", "empty content")


def test_truncated_pdf() -> None:
    data = sample("report-000.pdf")
    fails(data[: len(data) // 2], "truncated PDF")


def test_password_protected_pdf() -> None:
    fails(sample("password-protected.pdf"), "password-protected PDF")


def test_pdf_without_text_layer_is_flagged_for_ocr() -> None:
    document = extract(sample("scan-004.pdf"))
    assert document.media_type == PDF
    assert document.needs_ocr and document.ocr_pages == [1, 2]
    assert document.text == "" and document.tables == []
    assert document.warnings == ["no usable text layer on page(s) 1–2 of 2: needs OCR"]


def test_zip_bomb_docx_is_refused_before_it_inflates() -> None:
    bomb = zip_bomb(2)
    assert len(bomb) < 3 * 2**20
    member = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("word/document.xml")
    assert member.file_size == 2 * 2**30 and member.compress_size < 3 * 2**20
    tracemalloc.start()
    fails(bomb, "zip bomb", seconds=2.0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 2**20


def test_docx_that_is_not_a_word_document() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    fails(buffer.getvalue(), "Excel workbook (.xlsx)")
    fails(sample("report-000.docx")[:5000], "corrupt or truncated")


def test_ole_files_that_are_not_word() -> None:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    fails(header + "Workbook".encode("utf-16-le") + b"\0\0", "Excel workbook (.xls)")
    fails(header + bytes(512), "OLE compound file that is not a Word document")


def test_five_megabytes_of_nested_tables() -> None:
    row = "<tr>" + "<td>1</td><td><table><tr><td>2</td><td>3</td></tr></table></td>" * 5 + "</tr>"
    table = "<table>" + row * 50 + "</table>"
    page = ("<html><body>" + table * (5 * 2**20 // len(table) + 1) + "</body></html>").encode()
    assert len(page) > 5 * 2**20
    started = time.monotonic()
    document = extract(page)
    assert time.monotonic() - started < 10
    assert len(document.tables) == 200
    assert any("too big for main-text extraction" in warning for warning in document.warnings)
    deep = ("<html><body>" + "<table><tr><td>x" * 150_000 + "</td></tr></table>" * 150_000 + "</body></html>").encode()
    started = time.monotonic()
    extract(deep)
    assert time.monotonic() - started < 10


def test_html_over_the_size_limit() -> None:
    fails(b"<html><body>" + b"<p>x</p>" * (11 * 2**20 // 8) + b"</body></html>", "over the 10 MB limit")


def test_a_file_whose_extension_lies() -> None:
    document = extract(
        sample("report-001.pdf"), url="http://x.gov.cn/nianbao.htm", headers={"Content-Type": "text/html"}
    )
    assert document.media_type == PDF
    fails(b"\x89PNG\r\n\x1a\n" + bytes(100), "a PNG image")


def test_binary_junk() -> None:
    fails(bytes(range(256)) * 100, "binary content")


def test_hundred_page_pdf() -> None:
    data = pdf_of_pages(100)
    started = time.monotonic()
    document = extract(data)
    assert time.monotonic() - started < 20
    assert document.page_count == 100 and not document.needs_ocr
    assert len(document.tables) == 33 * 3  # three tables in each copy of the three-page report
