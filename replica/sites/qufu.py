"""qufu: 曲阜市人民政府 (Hanweb JCMS), col15191 as the seed report prints it. Its list exists only behind
``dataproxy.jsp`` (POSTed record ranges, 48 records in two batches), which answers 500 every other request; the
report is an article ``/art/YYYY/M/D/art_15191_<id>.html`` with its DOCX behind ``/module/download/downfile.jsp``.

Its pages are built by replica.hanweb (the Hanweb markup shared with the other Hanweb portals).
"""

from __future__ import annotations

from replica.hanweb import Column, HanwebSite, article, dataproxy, jpage_script, page, paragraphs, record
from replica.model import Resource, Site
from replica.sites.common import DOCX, bundled, file, filler, html_page, seed
from replica.templates import Item

QUFU = HanwebSite(
    name="曲阜市人民政府",
    host="www.qufu.gov.cn",
    site_code="3708810001",
    icp="鲁ICP备05006203号",
    sponsor="曲阜市人民政府办公室",
    webid=37,
    unitid=66001,
)
NIANBAO = Column(
    15191,
    "政府信息公开年报",
    (("政务公开", "/col/col15185/index.html"), ("政府信息公开年报", "/col/col15191/index.html")),
)


def build(site: Site, state: int) -> None:
    host = f"http://{QUFU.host}"
    title, lines = seed("003")
    rows = [record(item) for item in filler("/art/2022/3/1/art_15191_28700", 47, "曲阜市科技局")]
    article_path = "/art/2022/1/20/art_15191_2871234.html"
    rows.insert(46, record(Item(article_path, title, "2022-01-20")))
    sidebar = (
        '<div class="side"><h3>热点信息</h3><ul><li><a href="/art/2024/1/3/art_15185_3012345.html">'
        "曲阜市召开政务公开工作推进会</a></li></ul></div>"
    )
    script = jpage_script(QUFU, 15191, len(rows), "/module/web/jpage/dataproxy.jsp")
    body = f'{sidebar}<div class="list-box"><h2>{NIANBAO.name}</h2>{script}</div>'
    site.add(f"{host}{NIANBAO.path}", html_page(page(QUFU, NIANBAO.name, NIANBAO, body)))
    site.add(
        f"{host}/module/web/jpage/dataproxy.jsp",
        Resource(behaviour="api", api=dataproxy(QUFU, 15191, rows), flaky=True),
    )
    docx = Item("/module/download/downfile.jsp?classid=0&filename=2201201530.docx", f"{title}.docx")
    text = article(QUFU, NIANBAO, title, paragraphs(lines), "2022-01-20", "曲阜市科学技术局", [docx])
    site.add(f"{host}{article_path}", html_page(text))
    site.add(f"{host}/module/download/downfile.jsp", file(bundled("rendered/report-003.docx"), DOCX))
