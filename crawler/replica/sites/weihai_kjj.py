"""weihai_kjj: (see the package docstring)."""

from __future__ import annotations

from crawler.replica import templates
from crawler.replica.model import Resource, Site
from crawler.replica.sites.common import PDF, file, filler, fixture, html_page, seed
from crawler.replica.templates import Item


def build(site: Site, state: int) -> None:
    host, name = "kjj.weihai.gov.cn", "威海市科学技术局"
    title, lines = seed("004")
    first = [*filler("/info/1092/4600", 5, "科技", ".htm"), Item("/info/1092/45678.htm", title, "2024-01-19")]
    second = [
        *filler("/info/1092/3900", 3, "科技", ".htm"),
        Item("/info/1092/40001.htm", f"{name}2022年政府信息公开工作年度报告"),
    ]
    pager = [Item("xxgknb/1.htm", "2"), Item("xxgknb/1.htm", "下页")]
    site.add(f"http://{host}/xxgknb.htm", html_page(templates.vsb_list(name, "政府信息公开年报", first, pager)))
    site.add(
        f"http://{host}/xxgknb/1.htm",
        html_page(templates.vsb_list(name, "政府信息公开年报", second, [Item("../xxgknb.htm", "1")])),
    )
    pdf = Item("/__local/8/AB/CD/ABCD1234EF.pdf", "附件：威海市科学技术局2023年政府信息公开工作年度报告.pdf")
    site.add(
        f"http://{host}/info/1092/45678.htm",
        html_page(templates.article(name, host, title, lines, [pdf], "2024-01-19")),
    )
    site.add(f"http://{host}{pdf.href}", file(fixture("extraction/report-004.pdf"), PDF))
    site.add(
        f"http://{host}/info/1092/40001.htm",
        Resource(behaviour="redirect", location=f"http://{host}/info/1092/40001.htm?v=2"),
    )
    site.add(
        f"http://{host}/info/1092/40001.htm?v=2",
        Resource(behaviour="redirect", location=f"http://{host}/info/1092/40001.htm"),
    )
