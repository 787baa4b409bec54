"""www.weihai.gov.cn (Hanweb): the city's annual-report module for its units, and the city's own report as an
ordinary Hanweb article in its year column (tests/families/hanweb_annual/README.md: where each shape was seen).

* ``/module/xxgk/xxgkAnnualReport.jsp?area=<unit>&fbtime=<year>``: 科学技术局 (``11371000004359096D``) 2023 is
  the seed report, in the page and as PDF + DOCX; its 2022 answers HTTP 412 with a challenge script; 统计局
  (``1137100000435982XT``) 2023 is a generated report in the page; any other unit or year is the module's
  page without a record.
* ``/col/col168496/index.html``: the city's report column (its first records embedded as a datastore), whose
  article ``/art/2025/3/7/art_168496_5305747.html`` is 威海市人民政府2024年政府信息公开工作年度报告 with
  the metadata table real Weihai articles print.
* ``/col/col75282/index.html``: a 年度报告 page linking each unit's module page (``area=`` in the links): the
  page a registry row without area codes discovers them from. Its column id is the replica's.
"""

from __future__ import annotations

import html
import random

from replica import layouts
from replica.model import Resource, Site
from replica.sites.common import DOCX, PDF, bundled, file, html_page, seed
from replica.templates import challenge

HOST = "www.weihai.gov.cn"
SITE = "威海市人民政府"
MODULE = f"http://{HOST}/module/xxgk/xxgkAnnualReport.jsp"
#: The units on the replica's module, by their real area codes (issue 10's facts).
UNITS = {
    "11371000004359010J": "威海市人民政府办公室",
    "1137100000435982XT": "威海市统计局",
    "11371000004359096D": "威海市科学技术局",
}
KJJ, TJJ = "11371000004359096D", "1137100000435982XT"
CITY_REPORT = f"http://{HOST}/art/2025/3/7/art_168496_5305747.html"
UNIT_LIST = f"http://{HOST}/col/col75282/index.html"
FILES = ("/picture/0/2401191530123.pdf", "/picture/0/2401191530124.docx")
_CRUMB = ("首页", "政府信息公开", "法定主动公开内容", "政务公开专题", "年度报告")


def build(site: Site, state: int) -> None:
    title, lines = seed("004")
    attachments = [(FILES[0], f"{title}.pdf"), (FILES[1], f"{title}.docx")]
    site.add(
        f"{MODULE}?area={KJJ}&fbtime=2023",
        html_page(module_page(KJJ, 2023, title, "2024-01-19 09:30:12", paragraphs(lines), attachments)),
    )
    site.add(f"{MODULE}?area={KJJ}&fbtime=2022", Resource(body=challenge("ruishu"), status=412))
    stats = generated_report(UNITS[TJJ], 2023, seed_number=7)
    site.add(
        f"{MODULE}?area={TJJ}&fbtime=2023",
        html_page(module_page(TJJ, 2023, f"{UNITS[TJJ]}2023年政府信息公开工作年度报告", "2024-01-22 15:04:36", stats)),
    )
    site.add(f"{MODULE}?*", html_page(module_page("", 0, "", "", "")))
    site.add(f"http://{HOST}{FILES[0]}", file(bundled("rendered/report-004.pdf"), PDF))
    site.add(f"http://{HOST}{FILES[1]}", file(bundled("rendered/report-004.docx"), DOCX))
    city_title = f"{SITE}2024年政府信息公开工作年度报告"
    site.add(f"http://{HOST}/col/col168496/index.html", html_page(year_column(168496, 2024, city_title)))
    site.add(CITY_REPORT, html_page(city_article(city_title, generated_report(SITE, 2024, seed_number=24))))
    site.add(UNIT_LIST, html_page(unit_list()))


# -- the pages -----------------------------------------------------------------------------------------------


def paragraphs(lines: list[str]) -> str:
    return "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)


def generated_report(agency: str, year: int, seed_number: int) -> str:
    """A report of its own bytes (``replica.layouts``): its intro and three tables, as HTML paragraphs and tables."""
    record = layouts.random_record(random.Random(seed_number))
    document = layouts.render_html(record, layouts.Quirks(), agency=agency, year=year).decode("utf-8")
    return document.split("<body>", 1)[1].rsplit("</body>", 1)[0]


def module_page(
    area: str, year: int, title: str, published: str, body: str, files: list[tuple[str, str]] | None = None
) -> str:
    """A module page: the record of one unit and year (title, 发布时间, text, files), or none at all."""
    if not area:
        record = '<div class="nb_content"><div class="nb_none">暂无信息</div></div>'
    else:
        links = "".join(
            f'<p><a href="{href}" target="_blank">{html.escape(name)}</a></p>' for href, name in files or []
        )
        record = (
            f'<div class="nb_content">\n<div class="nb_title">{html.escape(title)}</div>\n'
            f'<div class="nb_time">发布时间:{published}</div>\n<div class="nb_text" id="zoom">\n{body}\n</div>\n'
            f'<div class="nb_fj">{links}</div>\n</div>'
        )
    years = "".join(
        f'<a href="xxgkAnnualReport.jsp?area={area}&amp;fbtime={other}"{" class=on" if other == year else ""}>'
        f"{other}年</a>"
        for other in range(2025, 2019, -1)
    )
    tabs = f'<div class="nb_year">{years}</div>' if area else ""
    return _page(title or "政府信息公开年报", [*_CRUMB, "政府信息公开年报"], f"{tabs}\n{record}")


def year_column(column: int, year: int, title: str) -> str:
    """The city's report column for one year: its record embedded as a datastore, the jpage script after it."""
    record = (
        f'<li><a href="/art/2025/3/7/art_{column}_5305747.html" title="{html.escape(title)}" target="_blank">'
        f"{html.escape(title)}</a><span>2025-03-07</span></li>"
    )
    store = (
        f'<div id="{column}"><script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup><recordset>'
        f"<record><![CDATA[{record}]]></record></recordset></datastore></script>\n"
        "<script type=\"text/javascript\">$(function(){ loadJpage({ url: '/module/web/jpage/dataproxy.jsp', "
        f"totalRecord: 1, perpage: 15, params: {{ col: 1, appid: 1, webid: 1, path: '/', columnid: {column}, "
        f"sourceContentType: 1, unitid: 434003, webname: '{SITE}', permissiontype: 0 }} }}); }});</script></div>"
    )
    return _page(f"{year}年", [*_CRUMB, f"{year}年"], f'<div class="list_right"><div class="list">{store}</div></div>')


def city_article(title: str, body: str) -> str:
    """The city's report: the metadata table Weihai articles print (索引号 … 文号), then the report."""
    cells = [
        ("索引号:", "11371000004359010J/2025-00809", "发布单位:", "威海市政府办公室"),
        ("内容分类:", "2024年", "成文日期:", "2025-03-07"),
        ("公开方式:", "主动公开", "公开范围:", "面向社会"),
        ("有效性/截止日期:", "", "文号:", ""),
    ]
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in cells)
    meta = "".join(
        f'<meta name="{name}" content="{html.escape(value)}">\n'
        for name, value in (("ArticleTitle", title), ("PubDate", "2025-03-07 11:27"), ("ContentSource", "市政府办公室"))
    )
    article = (
        f'<table class="xxgk_table">{rows}</table>\n<div class="article"><h1>{html.escape(title)}</h1>\n'
        f'<div class="info">时间: 2025-03-07 11:27 点击次数:<span id="hits"></span></div>\n'
        f'<div class="main-txt" id="zoom">{body}</div></div>'
    )
    return _page(title, [*_CRUMB, "2024年"], article, head=meta)


def unit_list() -> str:
    """年度报告: the city's reports by year, and each unit's report in the module (``area=`` in the links)."""
    years = "".join(
        f'<li><a href="/col/col{column}/index.html">{year}年</a></li>'
        for column, year in ((168496, 2024), (75283, 2020))
    )
    units = "".join(
        f'<li><a href="/module/xxgk/xxgkAnnualReport.jsp?area={area}&amp;fbtime=2025" target="_blank">'
        f"{html.escape(name)}</a></li>"
        for area, name in UNITS.items()
    )
    body = (
        f'<div class="nb_list"><h3>市政府年度报告</h3><ul>{years}</ul></div>\n'
        f'<div class="nb_list"><h3>市直部门年度报告</h3><ul>{units}</ul></div>'
    )
    return _page("年度报告", list(_CRUMB), body)


def _page(title: str, crumbs: list[str], body: str, head: str = "") -> str:
    """Weihai's chrome: 无障碍/关怀版 bar, header and nav, 当前位置 breadcrumb, the content, the footer."""
    trail = " &gt; ".join(
        f'<a href="{"/" if index == 0 else "/col/col75281/index.html"}">{html.escape(crumb)}</a>'
        for index, crumb in enumerate(crumbs[:-1])
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">\n'
        f'<meta name="SiteName" content="{SITE}">\n<meta name="SiteDomain" content="{HOST}">\n{head}'
        f"<title>{html.escape(title)}</title>\n"
        '<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script></head>\n<body>\n'
        '<div class="top"><div class="w1200"><span>欢迎访问威海市人民政府网站</span>'
        '<a href="javascript:void(0)" id="cniil_wza">无障碍</a> <a href="javascript:void(0)" class="ghb">关怀版</a>'
        ' <a href="/col/col75300/index.html">English</a></div></div>\n'
        f'<div class="header"><a href="/"><img src="/picture/0/logo.png" alt="{SITE}"></a></div>\n'
        '<div class="nav"><a href="/">首页</a><a href="/col/col75281/index.html">政务公开</a>'
        '<a href="/col/col75290/index.html">政务服务</a><a href="/col/col75295/index.html">互动交流</a></div>\n'
        f'<div class="position">当前位置 : {trail} &gt; <span>{html.escape(crumbs[-1])}</span></div>\n'
        f'<div class="main w1200">\n{body}\n</div>\n'
        '<div class="footer"><p>主办:威海市人民政府办公室 承办:威海市大数据中心</p>'
        "<p>网站标识码:3710000001 鲁ICP备05001981号</p></div>\n</body></html>\n"
    )
