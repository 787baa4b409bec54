"""yancheng: 盐城市人民政府 (Hanweb JCMS, Jiangsu), column col32749 whose 2021 report is the real article
``/art/2022/3/9/art_32749_3819650.html``. The column page embeds its first 45 records as
``<script type="text/xml"><datastore>`` (the shape of gxj.yancheng.gov.cn/col/col1833, the same city's platform);
the other 15 come from ``dataproxy.jsp`` after them, the report among them. The report text is generated
(``replica.layouts``) so its bytes are its own.
"""

from __future__ import annotations

import random
import re

from replica import layouts
from replica.hanweb import (
    Column,
    HanwebSite,
    article,
    dataproxy,
    datastore,
    jpage_script,
    page,
    paragraphs,
    record,
)
from replica.model import Resource, Site
from replica.sites.common import filler, html_page
from replica.templates import Item

YANCHENG = HanwebSite(
    name="盐城市人民政府",
    host="www.yancheng.gov.cn",
    site_code="3209000003",
    icp="苏ICP备05016434号",
    sponsor="盐城市人民政府办公室",
    webid=1,
    unitid=212805,
)
NIANBAO = Column(
    32749,
    "政府信息公开年报",
    (("政府信息公开", "/col/col32740/index.html"), ("政府信息公开年报", "/col/col32749/index.html")),
)
TITLE = "盐城市人民政府2021年政府信息公开工作年度报告"
ARTICLE = "/art/2022/3/9/art_32749_3819650.html"
#: The report's place in the column: after the 45 embedded records, so only dataproxy.jsp yields it.
REPORT_INDEX = 51


def report_body() -> str:
    """The report as the article shows it: the intro the real page prints, then generated tables (as HTML)."""
    record_ = layouts.random_record(random.Random(32749))
    generated = layouts.render_html(record_, layouts.Quirks(), agency="盐城市人民政府", year=2021).decode()
    tables = re.sub(r"(?s)^.*?<body>|</body>.*$", "", generated)
    intro = [
        "本年报依据《中华人民共和国政府信息公开条例》（以下简称《条例》）编制。本年报中所列数据的统计期限自2021年1月1日起"
        "至2021年12月31日止，年报的电子版可在盐城市人民政府网站（http://www.yancheng.gov.cn）下载。如对年报有任何疑问，"
        "请与盐城市人民政府办公室联系（电话：0515-88190909，地址：盐城市世纪大道21号，邮编：224005）。",
    ]
    return paragraphs(intro) + "\n" + tables


def build(site: Site, state: int) -> None:
    host = f"http://{YANCHENG.host}"
    items = filler("/art/2022/2/10/art_32749_38100", 59, "盐城市")
    items.insert(REPORT_INDEX, Item(ARTICLE, TITLE, "2022-03-09"))
    rows = [record(item) for item in items]
    store = datastore(YANCHENG, NIANBAO.columnid, rows[:45], len(rows))
    script = jpage_script(YANCHENG, NIANBAO.columnid, len(rows), "/module/web/jpage/dataproxy.jsp", store)
    body = f'<div class="list-box"><h2>{NIANBAO.name}</h2>{script}</div>'
    site.add(f"{host}{NIANBAO.path}", html_page(page(YANCHENG, NIANBAO.name, NIANBAO, body)))
    site.add(
        f"{host}/module/web/jpage/dataproxy.jsp",
        Resource(behaviour="api", api=dataproxy(YANCHENG, NIANBAO.columnid, rows)),
    )
    text = article(YANCHENG, NIANBAO, TITLE, report_body(), "2022-03-09", "盐城市人民政府办公室", [])
    site.add(f"{host}{ARTICLE}", html_page(text))
