"""weihai: (see the package docstring)."""

from __future__ import annotations

from crawler.replica import templates
from crawler.replica.model import Resource, Site
from crawler.replica.sites.common import DOCX, PDF, file, fixture, html_page, seed
from crawler.replica.templates import Item


def build(site: Site, state: int) -> None:
    host, name = "www.weihai.gov.cn", "威海市人民政府"
    title, _ = seed("004")
    module = f"http://{host}/module/xxgk/xxgkAnnualReport.jsp"
    files = [
        Item("/picture/0/2401191530123.pdf", f"{title}.pdf"),
        Item("/picture/0/2401191530124.docx", f"{title}.docx"),
    ]
    intro = [f"现将{title}予以公布。", "报告全文见附件（PDF、DOCX 两种格式）。"]
    site.add(
        f"{module}?area=11371000MB2841053X&fbtime=2023",
        html_page(templates.article(name, host, title, intro, files, "2024-01-19", "威海市科学技术局")),
    )
    site.add(f"{module}?area=11371000MB2841053X&fbtime=2022", Resource(body=templates.challenge("ruishu"), status=412))
    site.add(f"{module}?*", html_page(templates.link_list(name, "政府信息公开工作年度报告", [])))
    site.add(f"http://{host}/picture/0/2401191530123.pdf", file(fixture("extraction/report-004.pdf"), PDF))
    site.add(f"http://{host}/picture/0/2401191530124.docx", file(fixture("extraction/report-004.docx"), DOCX))
