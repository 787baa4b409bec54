"""What the replica sites share: the bundled reports they serve (replica/data/), and small builders of resources."""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

from replica import layouts
from replica.model import Resource
from replica.templates import Item

#: The files the replica serves, inside its package so that an installed wheel has them: the seed reports
#: (``seeds/``), the seeds rendered as their portals attach them (``rendered/``: PDF, DOCX, DOC, made by
#: tests/fixtures/make_extraction_fixtures.py) and a real report (``real/huaian-2024.pdf``).
DATA = Path(__file__).resolve().parents[1] / "data"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
#: What the oversized attachment announces: past any sane report size and the crawler's limit.
OVERSIZED_BYTES = 300 * 1024 * 1024
SEEDS = {
    "000": "000_0b3756e79a1f4c29.txt",
    "001": "001_13b328ddb083188e.txt",
    "002": "002_4a2bc5ef37378002.txt",
    "003": "003_cf9a8ca2a320709f.txt",
    "004": "004_718de6eab00637b7.txt",
}
CORRECTION = "（2023年2月10日更正：第五部分改进措施的表述有误，已更正。）"


@cache
def bundled(name: str) -> bytes:
    """The bytes of ``replica/data/<name>``."""
    return (DATA / name).read_bytes()


@cache
def seed(number: str) -> tuple[str, list[str]]:
    """A seed report's title (its first lines up to the one naming the report) and its other lines."""
    lines = [line.strip() for line in bundled(f"seeds/{SEEDS[number]}").decode().splitlines()]
    lines = [line for line in lines if line and not line.startswith("[image")]
    end = next(index for index, line in enumerate(lines) if "年度报告" in line)
    return "".join(lines[: end + 1]).replace(" ", ""), lines[end + 1 :]


def file(data: bytes, content_type: str) -> Resource:
    return Resource(body=data, content_type=content_type)


def html_page(text: str, charset: str = "utf-8") -> Resource:
    return Resource(body=text.encode(charset), content_type=f"text/html; charset={charset}")


def filler(prefix: str, count: int, topic: str, ext: str = ".html") -> list[Item]:
    """Non-report articles sharing the column (their titles carry no 年度报告)."""
    topics = ["工作动态", "通知公告", "政策解读", "项目申报指南", "人事任免", "财政预算公开", "建议提案办理"]
    return [
        Item(f"{prefix}{number}{ext}", f"{topic}{topics[number % len(topics)]}（第{number + 1}期）")
        for number in range(count)
    ]


@cache
def layout_report(agency: str, year: int, seed: int) -> tuple[str, bytes]:
    """A report's HTML body (paragraphs and tables, no <html> wrapper) and the same record as DOCX."""
    record = layouts.random_record(random.Random(seed))
    page = layouts.render_html(record, layouts.Quirks(), agency, year).decode("utf-8")
    body = re.search(r"<body>(.*)</body>", page, re.S)
    docx = layouts.render_docx(record, layouts.Quirks(), agency, year)
    return (body.group(1) if body else page), docx
