"""boshan: (see the package docstring)."""

from __future__ import annotations

from crawler.replica import templates
from crawler.replica.model import Site
from crawler.replica.sites.common import DOCX, PDF, file, fixture, html_page, seed
from crawler.replica.templates import Item


def build(site: Site, state: int) -> None:
    host, name = "www.boshan.gov.cn", "淄博市博山区人民政府"
    title, lines = seed("002")
    items = [
        Item("/gongkai/nianbao/2024/report.html", title, "2024-01-18"),
        Item("/gongkai/nianbao/2024/gzyd.html", "博山区2024年政务公开工作要点"),
    ]
    site.add(
        f"http://{host}/gongkai/nianbao/index.html",
        html_page(templates.link_list(name, "政府信息公开年报", items, charset="gbk"), "gbk"),
    )
    files = [
        Item("/gongkai/nianbao/2024/report.docx", f"{title}.docx"),
        Item("/gongkai/nianbao/2024/report.pdf", f"{title}.pdf"),
    ]
    page = templates.article(name, host, title, lines, files, "2024-01-18", "博山区科学技术局", charset="gbk")
    site.add(f"http://{host}/gongkai/nianbao/2024/report.html", html_page(page, "gbk"))
    site.add(f"http://{host}/gongkai/nianbao/2024/report.docx", file(fixture("extraction/report-002.docx"), DOCX))
    site.add(f"http://{host}/gongkai/nianbao/2024/report.pdf", file(fixture("extraction/report-002.pdf"), PDF))
