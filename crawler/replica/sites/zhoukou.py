"""zhoukou: (see the package docstring)."""

from __future__ import annotations

from crawler.replica import templates
from crawler.replica.model import Resource, Site
from crawler.replica.sites.common import PDF, file, fixture, html_page, seed
from crawler.replica.templates import Item


def build(site: Site, state: int) -> None:
    host, name = "www.zhoukou.gov.cn", "周口市人民政府"
    title, _ = seed("001")
    root = f"http://{host}/zfxxgk/"
    mirror = "http://www.zhoukou.gov.cn.zfxxgk-mirror.com/zfxxgk/zfxxgknb/szbm/2023/0130/kjj.html"
    gateway = "http://www.gov.cn/gate/big5/www.zhoukou.gov.cn/zfxxgk/zfxxgknb/szbm/2023/0130/kjj.html"
    site.add(
        root + "index.html",
        html_page(
            templates.link_list(
                name,
                "政府信息公开",
                [
                    Item("/zfxxgk/zcwj/index.html", "政策文件"),
                    Item("/zfxxgk/zfxxgknb/index.html", "政府信息公开年报"),
                    Item(mirror, f"{title}（镜像）"),
                ],
            )
        ),
    )
    site.add(
        root + "zfxxgknb/index.html",
        html_page(
            templates.link_list(
                name,
                "政府信息公开年报",
                [
                    Item("/zfxxgk/zfxxgknb/szf/index.html", "市政府年报"),
                    Item("/zfxxgk/zfxxgknb/szbm/index.html", "市直部门年报"),
                ],
            )
        ),
    )
    site.add(root + "zfxxgknb/szf/index.html", html_page(templates.link_list(name, "市政府年报", [])))
    site.add(
        root + "zfxxgknb/szbm/index.html",
        html_page(
            templates.link_list(
                name,
                "市直部门年报",
                [
                    Item("/zfxxgk/zfxxgknb/szbm/2023/0130/kjj.html", title, "2023-01-30"),
                    Item("/zfxxgk/zfxxgknb/szbm/2023/0128/jyj.html", "周口市教育局2022年政府信息公开工作年度报告"),
                    Item("/zfxxgk/zfxxgknb/szbm/2023/0127/tjj.html", "周口市统计局2022年政府信息公开工作年度报告"),
                    Item("/zfxxgk/zfxxgknb/szbm/2023/0101/tz.html", "关于做好政务公开工作的通知"),
                    Item(gateway, f"{title}（繁體）"),
                ],
            )
        ),
    )
    files = [
        Item("/uploadfiles/2023/0130/kjj2022.doc", f"{title}.doc"),
        Item("/uploadfiles/2023/0130/kjj2022.pdf", f"{title}.pdf"),
    ]
    site.add(
        root + "zfxxgknb/szbm/2023/0130/kjj.html",
        html_page(
            templates.article(
                name,
                host,
                title,
                [f"{title}全文详见附件。"],
                files,
                "2023-01-30",
                "周口市科技局",
                extra_links=[Item(mirror, "镜像站")],
            )
        ),
    )
    site.add(
        f"http://{host}/uploadfiles/2023/0130/kjj2022.doc",
        file(fixture("extraction/report-001.doc"), "application/octet-stream"),
    )
    site.add(f"http://{host}/uploadfiles/2023/0130/kjj2022.pdf", file(fixture("extraction/report-001.pdf"), PDF))
    site.add(root + "zfxxgknb/szbm/2023/0128/jyj.html", Resource(body=templates.challenge()))
    site.add(
        root + "zfxxgknb/szbm/2023/0127/tjj.html", Resource(behaviour="slow", body=b"<html><body>late</body></html>")
    )
