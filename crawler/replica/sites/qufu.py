"""qufu: (see the package docstring)."""

from __future__ import annotations

from crawler.replica import templates
from crawler.replica.model import Resource, Site
from crawler.replica.sites.common import DOCX, file, filler, fixture, html_page, seed
from crawler.replica.templates import Item


def build(site: Site, state: int) -> None:
    host, name = "www.qufu.gov.cn", "曲阜市人民政府"
    title, lines = seed("003")
    site.add(
        f"http://{host}/col/col15191/index.html",
        html_page(templates.hanweb_column(name, "政府信息公开年报", 15191, 66001, 37)),
    )
    records = [templates.hanweb_record(item) for item in filler("/art/2022/3/1/art_15191_28700", 47, "曲阜市科技局")]
    article_path = "/art/2022/1/20/art_15191_2871234.html"
    records.insert(46, templates.hanweb_record(Item(article_path, title, "2022-01-20")))
    site.add(
        f"http://{host}/module/web/jpage/dataproxy.jsp",
        Resource(behaviour="api", api=templates.dataproxy(records), flaky=True),
    )
    docx = Item("/module/download/downfile.jsp?classid=0&filename=2201201530.docx", f"{title}.docx")
    site.add(
        f"http://{host}{article_path}",
        html_page(templates.article(name, host, title, lines, [docx], "2022-01-20", "曲阜市科学技术局")),
    )
    site.add(f"http://{host}/module/download/downfile.jsp", file(fixture("extraction/report-003.docx"), DOCX))
