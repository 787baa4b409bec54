"""Hostile inputs to extraction and parsing (issue 12, items 2, 3 and 7): each is built here by a small builder,
then read, and the test asserts the bound (a time ratio between sizes 10× apart, or a generous ceiling for what
used to take minutes) and the recorded reason or warning. tests/fixtures/hostile/parsers/README.md lists them.
"""

from __future__ import annotations

import functools
import gc
import io
import itertools
import json
import math
import os
import random
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from parsers import decode, docx, pdfgrid
from parsers.document import HTML, MAX_TABLE_CELLS, TEXT, ExtractedDocument, ExtractionError
from parsers.extract import extract
from parsers.identity import identify
from parsers.record import parse
from parsers.titles import MAX_TITLE_CHARS
from tests.conftest import RENDERED, SEEDS

FIXTURES = Path(__file__).parent / "fixtures"
REPORT_DOCX = RENDERED / "report-000.docx"
GBK_PAGE = FIXTURES / "extraction" / "report-002-gbk.html"
SEED = SEEDS / "000_0b3756e79a1f4c29.txt"
#: "Grows at most ~linearly": 10× the input may take at most this many times as long (generous slack for a
#: loaded machine; the quadratic paths took ~100× per 10×).
LINEAR_SLACK = 30
#: Below this the time of a size is noise, not growth: smaller timings are raised to it.
TIME_FLOOR_S = 0.01
#: A timed input is read again (best of up to three) while the runs so far took less than this.
REPEAT_BUDGET_S = 1.5
T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[T, float]:
    """The action's result and its best wall-clock time of up to three runs, as many as fit in
    REPEAT_BUDGET_S (on a loaded machine one run can take twice as long as the next). The garbage collector
    is paused while it runs: its full passes cost what the whole test process holds, not what the input does."""
    result, best, spent = None, float("inf"), 0.0
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            started = time.perf_counter()
            result = action()
            elapsed = time.perf_counter() - started
            best, spent = min(best, elapsed), spent + elapsed
            if spent + elapsed > REPEAT_BUDGET_S:
                break
    finally:
        gc.enable()
    assert result is not None
    return result, best


def assert_linear(build: Callable[[int], bytes], sizes: list[int], read: Callable[[bytes], T]) -> T:
    """Read the input built at each size (each 10× the one before), assert the time grew at most ~linearly,
    and return what the largest gave."""
    times: list[float] = []
    result: T | None = None
    for size in sizes:
        data = build(size)
        result, elapsed = timed(functools.partial(read, data))
        times.append(max(elapsed, TIME_FLOOR_S))
    for (small, fast), (big, slow) in itertools.pairwise(zip(sizes, times, strict=True)):
        assert slow / fast < LINEAR_SLACK * big / small / 10, f"{small} → {big}: {fast:.3f} s → {slow:.3f} s"
    assert result is not None
    return result


def extract_and_parse(data: bytes) -> ExtractedDocument:
    """What the archive does with a document: extract, identify, parse."""
    document = extract(data)
    identify(document.text, title_hint=document.title, metadata=document.metadata)
    parse(document)
    return document


def refused(data: bytes) -> str:
    """The one-line, non-empty reason ``data`` is refused for."""
    with pytest.raises(ExtractionError) as raised:
        extract(data)
    reason = str(raised.value)
    assert reason.strip() and "\n" not in reason
    return reason


# --- builders -------------------------------------------------------------------------------------------------


def one_line_text(size: int) -> bytes:
    """A text with no line break: a title pattern with brackets never closed, repeated (the quadratic case)."""
    unit = "（（（（（（（（年度报告"
    return (unit * (size // len(unit.encode()) + 1)).encode()[:size].decode(errors="ignore").encode()


def report_text(size: int) -> bytes:
    """A seed report's text repeated: the ordinary shape, grown."""
    text = SEED.read_bytes()
    return (text * (size // len(text) + 1))[:size].decode(errors="ignore").encode()


def page_with_long_titles(size: int) -> bytes:
    """An HTML page whose <title>, ArticleTitle and <h1 class=title> are each ~``size`` characters of open
    brackets and white space (the title splitter rescans white space, the trailer pattern brackets)."""
    title = ("（" * 8 + "年度报告 \t ") * (size // 40)
    head = f'<title>{title}</title><meta name="ArticleTitle" content="{title}">'
    return f"<html><head>{head}</head><body><h1 class='title'>{title}</h1><p>正文</p></body></html>".encode()


def handmade_pdf(content: bytes, size: int = 2000, title: str | None = None) -> bytes:
    """A one-page PDF drawing ``content`` (a content stream), written by hand; ``title`` goes in /Info."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R >>" % (size, size),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    if title is not None:
        objects.append(b"<< /Title <FEFF" + title.encode("utf-16-be").hex().upper().encode() + b"> >>")
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    info = b" /Info 5 0 R" if title is not None else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info, xref)
    return bytes(out)


def ruled_grid(lines: int) -> bytes:
    """A page of ``lines`` horizontal and ``lines`` vertical ruling lines 5 pt apart, in one path: lines² crossings."""
    end = 10 + 5 * (lines - 1)
    strokes = [b"%d %d m %d %d l %d %d m %d %d l" % (10, at, end, at, at, 10, at, end) for at in range(10, end + 1, 5)]
    return handmade_pdf(b"0.5 w\n" + b"\n".join(strokes) + b"\nS", size=max(end + 10, 200))


def staircase(boxes: int) -> bytes:
    """Boxes touching corner to corner down a diagonal: one table with as many grid lines as boxes."""
    rectangles = b"\n".join(b"%d %d 5 5 re" % (10 + 5 * i, 10 + 5 * i) for i in range(boxes))
    return handmade_pdf(b"0.5 w\n" + rectangles + b"\nS", size=14000)


def pdf_with_title(chars: int) -> bytes:
    """A PDF without text whose /Title (a report title pattern with brackets left open) is ``chars`` long."""
    unit = "（（（（（（（（年度报告"
    return handmade_pdf(b"", title=(unit * (chars // len(unit) + 1))[:chars])


def docx_with(edit: Callable[[str], str], extra: dict[str, bytes] | None = None) -> bytes:
    """The fixture DOCX with its document.xml edited (and ``extra`` members stored uncompressed)."""
    source = zipfile.ZipFile(REPORT_DOCX)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                content = edit(content.decode()).encode()
            archive.writestr(info, content)
        for name, content in (extra or {}).items():
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def grid_attribute(xml: str, element: str, value: str) -> str:
    """The first table row given ``<w:trPr><w:gridBefore w:val=…/></w:trPr>`` (or gridAfter), or its first
    cell ``<w:gridSpan w:val=…/>``."""
    if element == "gridSpan":
        return xml.replace('<w:gridSpan w:val="4"/>', f'<w:gridSpan w:val="{value}"/>', 1)
    return xml.replace("<w:tr>", f'<w:tr><w:trPr><w:{element} w:val="{value}"/></w:trPr>', 1)


def vmerge_chain(rows: int) -> bytes:
    """A table whose first column is one cell merged down ``rows`` rows (a w:vMerge chain)."""
    top = '<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>合并</w:t></w:r></w:p></w:tc>'
    top += "<w:tc><w:p><w:r><w:t>0</w:t></w:r></w:p></w:tc></w:tr>"
    below = "".join(
        f"<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>{row}</w:t></w:r></w:p></w:tc></w:tr>"
        for row in range(1, rows)
    )
    table = f"<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>{top}{below}</w:tbl>"
    return docx_with(lambda xml: xml.replace("<w:body>", "<w:body>" + table, 1))


def many_paragraphs(count: int) -> bytes:
    """A DOCX of ``count`` short paragraphs before the report."""
    paragraphs = "".join(f"<w:p><w:r><w:t>第{index}段</w:t></w:r></w:p>" for index in range(count))
    return docx_with(lambda xml: xml.replace("<w:body>", "<w:body>" + paragraphs, 1))


def fifteen_megabyte_docx(xml_megabytes: int) -> bytes:
    """A 15 MB DOCX within the zip-bomb limits: 14 MB of incompressible media (which keeps the ratio low) and
    ``xml_megabytes`` of empty paragraphs in document.xml (which compress to almost nothing), streamed into the
    ZIP a megabyte at a time."""
    source = zipfile.ZipFile(REPORT_DOCX)
    head, _, tail = source.read("word/document.xml").partition(b"<w:body>")
    chunk = b"<w:p/>" * (2**20 // 6)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info, source.read(info))
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head + b"<w:body>")
            for _ in range(xml_megabytes):
                member.write(chunk)
            member.write(tail)
        archive.writestr(zipfile.ZipInfo("word/media/image1.png"), os.urandom(14 * 2**20))
    return out.getvalue()


def page_with_stray_bytes(encoding: str, stray: bytes, every: int | None = None) -> bytes:
    """The GBK report page re-encoded, with ``stray`` bytes inserted once (or every ``every`` bytes)."""
    page = GBK_PAGE.read_bytes().decode("gb18030")
    if encoding == "utf-8":
        page = page.replace("charset=gb2312", "charset=utf-8")
    data = page.encode(encoding)
    if every is None:
        return before_a_line_break(data, 3000, stray)
    return b"".join(data[at : at + every] + stray for at in range(0, len(data), every))


def before_a_line_break(data: bytes, after: int, stray: bytes) -> bytes:
    """``stray`` inserted before the first line break past ``after``: no character of the text is cut."""
    at = data.index(b"\n", after)
    return data[:at] + stray + data[at:]


# --- item 2: no super-linear paths ----------------------------------------------------------------------------


def test_one_line_text_grows_linearly_to_ten_megabytes() -> None:
    """A 2 MB one-line text took 137 s (the title regex is quadratic); now 10 KB → 10 MB grows linearly."""
    document = assert_linear(one_line_text, [10_000, 100_000, 1_000_000, 10_000_000], extract_and_parse)
    assert document.title is not None and len(document.title) <= MAX_TITLE_CHARS


def test_report_text_grows_linearly() -> None:
    assert_linear(report_text, [10_000, 100_000, 1_000_000], extract_and_parse)


def test_page_with_huge_titles_grows_linearly() -> None:
    """<title>, ArticleTitle and a heading of 100,000 characters took 35 s; none of them is a title now."""
    document = assert_linear(page_with_long_titles, [10_000, 100_000, 1_000_000], extract_and_parse)
    assert document.media_type == HTML and document.title is None


def test_pdf_with_a_400000_character_title() -> None:
    """A 400,000-character /Title took 101 s to parse; it is no title, and it grows linearly."""
    started = time.monotonic()
    document = extract_and_parse(pdf_with_title(400_000))
    assert time.monotonic() - started < 5
    assert document.title is None and len(document.metadata["Title"]) == 400_000
    assert "no text found in the PDF file" in document.warnings
    assert_linear(pdf_with_title, [10_000, 100_000, 1_000_000], extract_and_parse)


@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("gridBefore", "2000000000"),
        ("gridAfter", "2000000000"),
        ("gridSpan", "2000000000"),
        ("gridSpan", "9" * 5000),
        ("gridSpan", "-3"),
    ],
)
def test_docx_grid_counts_are_checked_before_a_row_is_built(element: str, value: str) -> None:
    """gridBefore/gridSpan of 2,000,000,000 took 6 GB and up to 108 s; now refused from the attribute."""
    data = docx_with(lambda xml: grid_attribute(xml, element, value))
    tracemalloc.start()
    started = time.monotonic()
    reason = refused(data)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2 and peak < 50 * 2**20
    assert f"table 1, row 1: w:{element} of {value[:20]!r}" in reason
    assert f"at most {docx.MAX_GRID_COLUMNS:,} grid columns" in reason


def test_docx_row_wider_than_the_grid_limit() -> None:
    spans = '<w:gridSpan w:val="400"/>'
    cells = f"<w:tc><w:tcPr>{spans}</w:tcPr><w:p/></w:tc>" * 3
    table = f"<w:tbl><w:tr>{cells}</w:tr></w:tbl>"
    reason = refused(docx_with(lambda xml: xml.replace("<w:body>", "<w:body>" + table, 1)))
    assert "table 1, row 1 says it is 1,200 grid columns wide, over the limit of 1,000" in reason


def test_docx_table_over_the_cell_limit_is_skipped_with_a_warning() -> None:
    row = "<w:tr>" + '<w:tc><w:tcPr><w:gridSpan w:val="1000"/></w:tcPr><w:p/></w:tc>' + "</w:tr>"
    table = f"<w:tbl>{row * (MAX_TABLE_CELLS // 1000 + 1)}</w:tbl>"
    document = extract(docx_with(lambda xml: xml.replace("<w:body>", "<w:body>" + table, 1)))
    assert f"table 1 skipped: over {MAX_TABLE_CELLS:,} cells" in document.warnings
    assert len(document.tables) == 3  # the report's own tables are still read


def test_docx_vmerge_chain_of_5000_rows() -> None:
    """A 5,000-row vMerge chain ended in RecursionError after 58 s; now one pass, linear in the rows."""
    started = time.monotonic()
    document = assert_linear(vmerge_chain, [500, 5000], extract)
    assert time.monotonic() - started < 20
    chain = document.tables[0].rows
    assert len(chain) == 5000 and all(row[0] == "合并" for row in chain)
    assert [row[1] for row in chain[:3]] == ["0", "1", "2"]


def test_docx_paragraphs_grow_linearly() -> None:
    assert len(assert_linear(many_paragraphs, [1_000, 10_000], extract).text) > 60_000


CHILD = """
import json, sys, time
from parsers.extract import extract
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    started = time.monotonic()
    try:
        document = extract(data)
        outcome = {"error": None, "tables": len(document.tables)}
    except Exception as error:
        outcome = {"error": f"{type(error).__name__}: {error}", "tables": None}
    outcome["seconds"] = time.monotonic() - started
    status = open("/proc/self/status").read()  # VmHWM: ru_maxrss would count the parent's memory at fork
    outcome["peak_mb"] = int(status.split("VmHWM:")[1].split()[0]) / 1024
    print(json.dumps(outcome), flush=True)
"""


@dataclass
class ChildOutcome:
    """One file extracted in a child process: its error or table count, its time, the process's peak RSS so far."""

    error: str | None
    tables: int | None
    seconds: float
    peak_mb: float


def extract_in_child(inputs: list[bytes], folder: Path) -> list[ChildOutcome]:
    """Extract each input in turn in one fresh process (C libraries' memory is invisible to tracemalloc)."""
    paths = []
    for number, data in enumerate(inputs):
        paths.append(folder / f"input-{number}")
        paths[-1].write_bytes(data)
    command = [sys.executable, "-c", CHILD, *map(str, paths)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=120)
    assert result.returncode == 0, result.stderr
    return [ChildOutcome(**json.loads(line)) for line in result.stdout.splitlines()]


def test_fifteen_megabyte_docx_needs_no_gigabytes(tmp_path: Path) -> None:
    """A 15 MB DOCX within the zip limits (185 MB of empty paragraphs) needed 4.2 GB and 22 s; now its XML
    nodes are counted from the inflated stream first and it is refused at once with little memory. A 15 MB
    DOCX whose size is media is read, with as little."""
    hostile = fifteen_megabyte_docx(185)
    fair = docx_with(lambda xml: xml, {"word/media/image1.png": os.urandom(14 * 2**20)})
    assert 14 * 2**20 < len(hostile) < 16 * 2**20 and 14 * 2**20 < len(fair) < 16 * 2**20
    refusal, reading = extract_in_child([hostile, fair], tmp_path)
    assert refusal.error is not None and refusal.seconds < 5 and refusal.peak_mb < 400
    assert f"over the limit of {docx.MAX_XML_NODES:,} (set NIANBAO_DOCX_MAX_XML_NODES to read it)" in refusal.error
    assert reading.tables == 3 and reading.peak_mb < 400


def test_ruled_grid_page_over_the_crossing_cap_is_read_as_text() -> None:
    """A 15 KB page of a 300 × 300 ruled grid took 98–125 s; over the cap it is read as text with a warning."""
    data = ruled_grid(300)
    assert len(data) < 16_000
    started = time.monotonic()
    document = extract(data)
    assert time.monotonic() - started < 5
    assert document.tables == []
    assert document.warnings[0] == (
        f"page 1: over {pdfgrid.MAX_CROSSINGS:,} ruling-line crossings: its tables were read as text only"
    )


def test_ruled_grid_under_the_cap_is_a_table_and_grows_linearly() -> None:
    document = assert_linear(lambda crossings: ruled_grid(math.isqrt(crossings)), [100, 1_000, 10_000], extract)
    assert [(len(table.rows), len(table.rows[0])) for table in document.tables] == [(99, 99)]


def test_staircase_table_over_the_grid_limit_is_skipped() -> None:
    """Cells corner to corner give a table with as many grid lines as cells: its grid would be their square."""
    document = extract(staircase(2000))
    assert document.tables == []
    assert f"page 1: a table of over {MAX_TABLE_CELLS:,} grid positions was read as text only" in document.warnings


# --- item 3: decoding never drops a document ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "stray", "content_type"),
    [
        ("gb18030", b"\xff", None),  # one invalid byte in a GBK page
        ("gb18030", b"\x81", "text/html; charset=utf-8"),  # … and a header that says UTF-8
        ("utf-8", b"\xff", None),  # one invalid byte in a UTF-8 page
        ("utf-8", b"\xe4\xb8", "text/html; charset=gbk"),  # a character cut in two, labelled GBK
    ],
)
def test_page_with_a_stray_invalid_byte_is_decoded(encoding: str, stray: bytes, content_type: str | None) -> None:
    """One invalid byte made a page "undecodable" and lost it; now it is decoded in its own encoding."""
    headers = {"Content-Type": content_type} if content_type else None
    document = extract(page_with_stray_bytes(encoding, stray), headers=headers)
    assert document.encoding == encoding
    assert 1 <= document.replaced_chars <= len(stray)
    assert document.title == "博山区科学技术局2023年度政府信息公开工作年度报告"
    assert parse(document)["agency"] == "博山区科学技术局"
    assert not any("invalid byte" in warning for warning in document.warnings)  # under WARN_REPLACED_SHARE


def test_text_with_stray_bytes_is_decoded() -> None:
    document = extract(before_a_line_break(SEED.read_bytes(), 5000, b"\xfe\xff"))
    assert document.media_type == TEXT and document.encoding == "utf-8" and document.replaced_chars == 2
    assert document.text.count("\ufffd") == 2 and parse(document)["agency"] == "聊城市科学技术局"
    short = extract("博山区2023年度政府信息公开工作年度报告".encode("gb18030") + b"\xff")  # 4 % replaced
    assert short.encoding == "gb18030" and short.replaced_chars == 1 and short.title is not None


def test_many_stray_bytes_are_counted_and_warned() -> None:
    """Past WARN_REPLACED_SHARE of the characters the document carries a warning with the count."""
    document = extract(page_with_stray_bytes("gb18030", b"\xff", every=200))
    share = document.replaced_chars / len(document.text)
    assert document.replaced_chars > 50 and document.encoding == "gb18030"
    warning = next(warning for warning in document.warnings if "invalid byte" in warning)
    assert warning.startswith(f"{document.replaced_chars:,} invalid byte sequence(s) in the gb18030 text replaced")
    assert share > decode.WARN_REPLACED_SHARE


def test_only_content_that_fits_no_encoding_fails() -> None:
    """Bytes no encoding reads as text still fail, with the closest encoding and what is wrong with it: random
    high bytes (as GB18030 ~3 % invalid, over MAX_REPLACED_SHARE), and control characters."""
    rng = random.Random(12)
    noise = bytes(rng.randrange(128, 256) for _ in range(40_000))
    reason = refused(noise)
    assert reason.startswith("undecodable text: no encoding fits")
    assert reason.endswith(f"the closest, gb18030, leaves {3}% of the characters invalid")
    assert decode.MAX_REPLACED_SHARE < 0.03
    reason = refused(bytes(range(1, 32)) * 1000)
    assert reason.endswith("0% of the characters invalid and is full of control characters")


# --- item 7 (the parser side): every failure has a reason --------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty content"),
        (REPORT_DOCX.read_bytes()[:20_000], "corrupt or truncated ZIP/DOCX"),
        (FIXTURES.joinpath("extraction", "password-protected.pdf").read_bytes(), "password-protected PDF"),
        (RENDERED.joinpath("report-000.pdf").read_bytes()[:30_000], "truncated PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "a PNG image, not a supported document type"),
        (b"%PDF-1.7\n" + bytes(100), "PDFium cannot open it"),
        (docx_with(lambda xml: xml[: len(xml) // 2]), "unreadable DOCX: XMLSyntaxError"),
    ],
    ids=["empty", "truncated-docx", "encrypted-pdf", "truncated-pdf", "png", "pdf-header-only", "broken-xml"],
)
def test_every_refusal_has_a_specific_reason(data: bytes, reason: str) -> None:
    assert reason in refused(data)


def test_a_pdf_with_no_text_says_so() -> None:
    document = extract(handmade_pdf(b"0 0 m 10 10 l S"))
    assert document.text == "" and document.warnings == ["no text found in the PDF file"]
