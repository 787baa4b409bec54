"""liaocheng_kjj: (see the package docstring)."""

from __future__ import annotations

from crawler.replica import templates
from crawler.replica.model import Site
from crawler.replica.sites.common import CORRECTION, PDF, file, filler, fixture, html_page, seed
from crawler.replica.templates import Item


def build(site: Site, state: int) -> None:
    host, name = "kjj.liaocheng.gov.cn", "聊城市科学技术局"
    base = f"http://{host}/xxgk/zfxxgknb/"
    title, lines = seed("000")
    report = Item("./202301/t20230118_4101823.html", title, "2023-01-18")
    lists = [
        filler("./202402/t20240205_45100", 8, "科技"),
        [
            *filler("./202302/t20230210_42100", 3, "科技"),
            report,
            Item("./bak/t20230118_4101824.html", title + "（备份）"),
        ],
        [
            *filler("./202202/t20220215_39100", 4, "科技"),
            Item("./202201/t20220120_3900001.html", f"{name}2021年政府信息公开工作年度报告"),
        ],
    ]
    for page, items in enumerate(lists):
        url = base + ("index.html" if page == 0 else f"index_{page}.html")
        site.add(url, html_page(templates.trs_list(name, "政府信息公开年报", items, page, len(lists))))
    body = [*lines, CORRECTION] if state >= 2 else lines
    pdf = Item("./P020230118552367123456.pdf", f"附件：{title}.pdf")
    site.add(
        base + "202301/t20230118_4101823.html",
        html_page(templates.article(name, host, title, body, [pdf], "2023-01-18")),
    )
    site.add(base + "202301/P020230118552367123456.pdf", file(fixture("extraction/report-000.pdf"), PDF))
    site.add(
        base + "bak/t20230118_4101824.html", html_page(templates.article(name, host, title, lines, [], "2023-01-18"))
    )
    site.robots[host] = "User-agent: *\nDisallow: /xxgk/zfxxgknb/bak/\n"
