"""huaian: (see the package docstring)."""

from __future__ import annotations

from crawler.replica import templates
from crawler.replica.model import Resource, Site
from crawler.replica.sites.common import OVERSIZED_BYTES, file, filler, fixture, html_page
from crawler.replica.templates import Item


def build(site: Site, state: int) -> None:
    host, name = "www.huaian.gov.cn", "淮安市人民政府"
    title = "淮安市人民政府2024年政府信息公开工作年度报告"
    site.add(
        f"http://{host}/col/col16727/index.html",
        html_page(templates.hanweb_column(name, "政府信息公开年度报告", 16727, 58011, 1)),
    )
    items = [
        Item("/art/2025/1/20/art_16727_4523456.html", title, "2025-01-20"),
        *filler("/art/2025/1/10/art_16727_45200", 6, "淮安市"),
    ]
    site.add(
        f"http://{host}/module/web/jpage/dataproxy.jsp",
        Resource(behaviour="api", api=templates.dataproxy([templates.hanweb_record(i) for i in items])),
    )
    files = [
        Item("/module/download/downfile.jsp?classid=0&filename=szfgs2024.pdf", f"{title}.pdf"),
        Item("/uploadfiles/2025/01/tjb2024-scan.pdf", "附件2：2024年政府信息公开统计表（扫描件）.pdf"),
    ]
    intro = [f"现将{title}予以公布。", "全文见附件。"]
    site.add(
        f"http://{host}/art/2025/1/20/art_16727_4523456.html",
        html_page(templates.article(name, host, title, intro, files, "2025-01-20")),
    )
    site.add(
        f"http://{host}/module/download/downfile.jsp",
        file(fixture("real/huaian-2024.pdf"), "application/octet-stream"),
    )
    site.add(
        f"http://{host}/uploadfiles/2025/01/tjb2024-scan.pdf", Resource(behaviour="oversized", size=OVERSIZED_BYTES)
    )
