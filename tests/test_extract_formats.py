"""Extraction of every format from real files: the fixtures made from the seeds, and a real PDF.

The fixtures (replica/data/rendered/, made by tests/fixtures/make_extraction_fixtures.py) have the seed's
hand-labelled record (tests/fixtures/extraction/) beside them; a table is right when every table-三 and
table-四 value of the record is in its cell, blank cells blank.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from parsers.document import DOC, DOCX, HTML, PDF, ExtractedDocument
from parsers.extract import extract
from parsers.text import normalise
from testkit import cellcheck
from tests.conftest import HUAIAN_PDF, RENDERED

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = FIXTURES / "extraction"
SEEDS = ["000", "001", "002", "003", "004"]


def record(name: str) -> dict:
    return json.loads((SAMPLES / f"report-{name}.json").read_text())


def assert_all_cells(document: ExtractedDocument, wanted: dict) -> None:
    right3, total3, right4, total4 = cellcheck.count(wanted, document.tables)
    assert (right3, right4) == (total3, total4) == (175, 15)


def load(name: str, url: str | None = None, headers: dict[str, str] | None = None) -> ExtractedDocument:
    folder = SAMPLES if (SAMPLES / name).exists() else RENDERED  # the seeds' renderings: in the replica's package
    return extract((folder / name).read_bytes(), url=url, headers=headers)


@pytest.mark.parametrize("seed", SEEDS)
def test_docx_tables_come_out_cell_for_cell(seed: str) -> None:
    document = load(f"report-{seed}.docx")
    assert document.media_type == DOCX
    assert_all_cells(document, record(seed))
    assert document.title == record(seed)["title"].replace(" ", "") or "年度报告" in (document.title or "")


@pytest.mark.parametrize("seed", SEEDS)
def test_pdf_tables_and_text_match_the_docx_they_were_made_from(seed: str) -> None:
    document = load(f"report-{seed}.pdf")
    source = load(f"report-{seed}.docx")
    assert document.media_type == PDF
    assert document.page_count and document.page_count >= 2
    assert not document.needs_ocr and document.warnings == []
    assert_all_cells(document, record(seed))
    wanted = Counter(char for char in source.text if not char.isspace())
    got = Counter(char for char in document.text if not char.isspace())
    assert wanted - got == Counter()


def test_merged_cells_are_expanded_into_every_position_they_cover() -> None:
    table = load("report-000.docx").tables[1]
    assert len(table.rows) == 28 and all(len(row) == 10 for row in table.rows)
    assert {row[0] for row in table.rows[5:27]} == {"三、本年度办理结果"}
    assert [row[1] for row in table.rows[7:15]] == ["（三）不予公开"] * 8
    assert table.rows[0][3:] == ["申请人情况"] * 7
    pdf_table = next(table for table in load("report-000.pdf").tables if len(table.rows[0]) == 10)
    assert [row[1] for row in pdf_table.rows[7:15]] == [pdf_table.rows[7][1]] * 8
    assert pdf_table.rows[9][2] == "3.危及“三安全一稳定”"  # quotes in a fallback font stay in place


def test_blank_cells_stay_blank_and_are_not_zero() -> None:
    for name in ("report-004.docx", "report-004.pdf"):
        review = cellcheck.table4_row(load(name).tables)
        assert review is not None
        assert review[:5] == [None] * 5 and review[5:] == [0.0] * 10


def test_doc_is_converted_by_libreoffice_with_its_tables() -> None:
    document = load("report-001.doc")
    assert document.media_type == DOC
    assert document.title == "周口市科技局2022年政府信息公开工作年度报告"
    assert_all_cells(document, record("001"))
    assert document.text == load("report-001.docx").text


def test_real_huaian_pdf_tables_cell_for_cell() -> None:
    document = extract(HUAIAN_PDF.read_bytes())
    wanted = json.loads((FIXTURES / "real" / "huaian-2024.json").read_text())
    assert document.page_count == 6 and not document.needs_ocr
    assert document.title == "淮安市人民政府2024 年政府信息公开工作年度报告"
    assert_all_cells(document, wanted)
    active = wanted["active_disclosure"]
    cells = {cell for table in document.tables for row in table.rows for cell in row}
    assert {str(active["licensing"]), str(active["punishment"]), str(active["fees_10k_yuan"])} <= cells
    assert "- 3 -" not in document.text  # page numbers are not text
    assert "全年收取政府信息公开信息处理费 3940 元" in document.text


def test_pdf_encrypted_with_an_empty_password_opens() -> None:
    document = load("encrypted-empty-password.pdf")
    assert_all_cells(document, record("001"))


def test_gbk_html_page() -> None:
    url = "http://www.boshan.gov.cn/gongkai/nianbao/2024/report.html"
    document = load("report-002-gbk.html", url=url, headers={"Content-Type": "text/html"})
    assert document.media_type == HTML
    assert document.encoding == "gb18030"
    assert document.title == "博山区科学技术局2023年度政府信息公开工作年度报告"
    assert "博山区科学技术局深入学习贯彻党的二十大精神" in document.text
    assert_all_cells(document, record("002"))
    assert document.metadata == {
        "SiteName": "淄博市博山区人民政府",
        "SiteDomain": "www.boshan.gov.cn",
        "SiteIDCode": "3703040001",
        "ColumnName": "政府信息公开年报",
        "ArticleTitle": "博山区科学技术局2023年度政府信息公开工作年度报告",
        "PubDate": "2024-01-18 09:30",
        "ContentSource": "博山区科学技术局",
        "Url": url,
        "索引号": "11370304MB28553445/2024-00012",
        "发布机构": "博山区科学技术局",
        "成文日期": "2024-01-17",
        "发布日期": "2024-01-18",
    }
    assert [(link.url, link.text) for link in document.attachments] == [
        ("http://www.boshan.gov.cn/attach/2024/bskjj-nianbao-2023.pdf", "博山区科学技术局2023年年报.pdf"),
        ("http://www.boshan.gov.cn/gongkai/nianbao/files/statistics.xls", "统计表"),
        ("http://www.boshan.gov.cn/gongkai/nianbao/2024/download.jsp?id=77", "年报原文.docx"),
    ]


def test_html_spans_blank_cells_and_the_metadata_box_in_table_cells() -> None:
    page = """<html><head><meta charset="utf-8"><title>t</title></head><body>
    <table><tr><td>索引号</td><td>ABC-1</td><td>发布机构：</td><td>某某局</td></tr></table>
    <p>成文日期：2024年1月5日 发布日期：2024年1月8日</p>
    <table>
      <tr><td rowspan="2" colspan="2">项目</td><td colspan="2">申请人</td></tr>
      <tr><td>自然人</td><td>其他</td></tr>
      <tr><td rowspan="2">三、结果</td><td>（一）公开</td><td>&nbsp;</td><td>2</td></tr>
      <tr><td>（二）部分<br>公开</td><td>0</td><td rowspan="0">9</td></tr>
    </table></body></html>"""
    document = extract(page.encode())
    assert document.metadata == {
        "索引号": "ABC-1",
        "发布机构": "某某局",
        "成文日期": "2024年1月5日",
        "发布日期": "2024年1月8日",
    }
    assert document.tables[1].rows == [
        ["项目", "项目", "申请人", "申请人"],
        ["项目", "项目", "自然人", "其他"],
        ["三、结果", "（一）公开", None, "2"],
        ["三、结果", "（二）部分\n公开", "0", "9"],
    ]


@pytest.mark.parametrize(
    ("name", "url", "content_type", "media_type"),
    [
        ("report-000.pdf", "http://x.gov.cn/report.doc", "application/msword", PDF),
        ("report-000.docx", "http://x.gov.cn/report.pdf", "application/pdf", DOCX),
        ("report-002-gbk.html", "http://x.gov.cn/report.pdf", "application/pdf; charset=utf-8", HTML),
    ],
)
def test_the_type_comes_from_the_bytes_not_the_name(name: str, url: str, content_type: str, media_type: str) -> None:
    document = load(name, url=url, headers={"Content-Type": content_type})
    assert document.media_type == media_type
    assert "年度报告" in (document.title or "")


def test_gbk_page_declared_utf8_by_the_server_is_not_mojibake() -> None:
    document = load("report-002-gbk.html", headers={"content-type": "text/html; charset=UTF-8"})
    assert "主动公开政府信息情况" in document.text and "\ufffd" not in document.text


def test_kangxi_radical_look_alikes_become_ordinary_characters() -> None:
    assert normalise("\u2f00\u2f08\u2f2f\r\n（一）") == "一人工\n（一）"
