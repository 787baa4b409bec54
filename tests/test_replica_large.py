"""The benchmark's generated replica (replica/large.py): report pages in their family's body
container, and distinct PDFs made from a LibreOffice PDF by changing digits only (``PdfTemplate``)."""

from __future__ import annotations

import pytest

from parsers.extract import extract
from parsers.record import parse
from replica import large
from tests.conftest import RENDERED

FIXTURE = RENDERED / "report-000.pdf"  # LibreOffice, 聊城 2022


@pytest.fixture(scope="module")
def template() -> large.PdfTemplate:
    return large.PdfTemplate.parse(FIXTURE.read_bytes())


#: Years whose digits the fixture's digit font holds (its subset has no 9).
YEARS = [*range(2010, 2019), 2020]


def _dated(text: str, year: int) -> str:
    return text.replace("2022", str(year))


def test_a_variant_is_a_real_pdf_showing_the_new_digits_and_the_same_tables(template: large.PdfTemplate) -> None:
    assert "2022" in template.text
    varied = template.variant(_dated(template.text, 2020))  # still a year of the 2021 form its tables print
    original, document = extract(FIXTURE.read_bytes()), extract(varied)
    assert varied != FIXTURE.read_bytes() and varied.startswith(FIXTURE.read_bytes())  # an incremental update
    assert "2020 年" in document.text and "2022" not in document.text
    assert document.text == _dated(original.text, 2020)
    assert document.tables == original.tables and document.page_count == original.page_count
    record = parse(document)
    assert (record["year"], record["applications"]) == (2020, parse(original)["applications"])


def test_variants_differ_in_bytes_as_in_text(template: large.PdfTemplate) -> None:
    texts = {_dated(template.text, year) for year in YEARS}
    assert len({template.variant(text) for text in texts}) == len(texts) == len(YEARS)


def test_a_digit_the_font_lacks_is_refused(template: large.PdfTemplate) -> None:
    with pytest.raises(ValueError, match="no glyph for '9'"):
        template.variant(_dated(template.text, 2019))


def test_only_digits_may_change(template: large.PdfTemplate) -> None:
    text = template.text
    with pytest.raises(ValueError, match="only digits"):
        template.variant(text.replace("聊", "博", 1))
    with pytest.raises(ValueError, match="length"):
        template.variant(text + "1")


def test_report_pages_hold_their_report_in_the_family_container() -> None:
    site, _ = large.build(len(large.FAMILIES), 1)
    pages = [
        resource.body.decode()
        for served in site.resources.values()
        for path, resource in served.items()
        if not path.endswith(".pdf") and resource.body
    ]
    reports = [page for page in pages if "<h1>" in page]
    assert len(reports) == len(large.FAMILIES)
    for opening, _ in large.FAMILY_CONTAINERS.values():
        assert any(opening in page for page in reports)
    assert all("<table" in page and "一、本年新收政府信息公开申请数量" in page for page in reports)


def test_by_default_the_pdfs_are_the_bundled_fixtures() -> None:
    site, _ = large.build(1, len(large.PDFS) * 2)
    pdfs = [
        resource.body
        for served in site.resources.values()
        for path, resource in served.items()
        if path.endswith(".pdf")
    ]
    assert len(pdfs) == len(large.PDFS) * 2 and len(set(pdfs)) == len(large.PDFS)
