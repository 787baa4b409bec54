"""www.km.gov.cn (昆明市人民政府, TRS): the report column ``/zfxxgk/zfxxgknb/`` split into year folders.

Real shapes (tests/families/trs/README.md): the year folder ``zfxxgknb/2009n/`` renders that year's report
itself (portals.md §1, seen on km.gov.cn and gaj.gzlps.gov.cn ``…/zfxxgknb/2020n/``); other year folders are
lists paged by ``createPageHTML(count, current, "index", "shtml")`` (TRS template tag; ``.shtml`` is one of the
extensions TRS articles carry). Served here: ``2020n/`` rendering the city's 2020 report at the folder URL,
``2023n/`` a two-page list (``index_1.shtml``) of department reports at ``YYYYMM/tYYYYMMDD_ID.shtml``.
Unverified: the live site is https and its exact chrome; the department report ids are the replica's.
"""

from __future__ import annotations

import html
import random
import re

from replica import layouts
from replica.model import Site
from replica.sites.common import filler, html_page
from replica.templates import Item

HOST = "www.km.gov.cn"
SITE = "昆明市人民政府"
COLUMN = f"http://{HOST}/zfxxgk/zfxxgknb/"
#: The city report the 2020 year folder renders, and the department reports of the 2023 list.
CITY_2020 = f"{SITE}2020年政府信息公开工作年度报告"
DEPARTMENTS_2023 = {
    "202401/t20240125_4467021.shtml": "昆明市科学技术局",
    "202401/t20240129_4468830.shtml": "昆明市统计局",
}


def build(site: Site, state: int) -> None:
    site.add(COLUMN, html_page(_column()))
    site.add(COLUMN + "2020n/", html_page(_report(SITE, 2020, "2021-03-29", "2020n/")))
    reports = [Item(f"./{path}", _title(agency, 2023), "2024-01-25") for path, agency in DEPARTMENTS_2023.items()]
    pages = [[*filler("./202402/t20240220_44701", 8, "政务", ".shtml"), reports[0]], reports[1:]]
    for number, items in enumerate(pages):
        path = "2023n/" if number == 0 else f"2023n/index_{number}.shtml"
        site.add(COLUMN + path, html_page(_list(items, number)))
    for path, agency in DEPARTMENTS_2023.items():
        site.add(COLUMN + "2023n/" + path, html_page(_report(agency, 2023, "2024-01-25", "2023n/")))


def _title(agency: str, year: int) -> str:
    return f"{agency}{year}年政府信息公开工作年度报告"


def _chrome(title: str, crumbs: list[tuple[str, str]], body: str, head: str = "") -> str:
    """A km.gov.cn page: accessibility bar, site header and nav, breadcrumb (当前位置), footer."""
    trail = " &gt; ".join(f'<a href="{href}">{html.escape(name)}</a>' for href, name in crumbs)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">\n'
        f"<title>{html.escape(title)}_{SITE}</title>\n{head}"
        '<link rel="stylesheet" href="/images/common.css"></head>\n<body>\n'
        '<div class="topbar"><div class="w1200"><span>欢迎访问昆明市人民政府门户网站</span>'
        '<a href="javascript:void(0);" id="wza">无障碍</a> <a href="javascript:void(0);" id="ghb">关怀版</a>'
        ' <a href="/jtzw/">繁體</a></div></div>\n'
        '<div class="header"><a href="/" class="logo"><img src="/images/logo.png" alt="昆明市人民政府"></a>'
        '<div class="search"><form action="/was5/web/search" method="get"><input name="searchword">'
        "</form></div></div>\n"
        '<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwdt/">政务动态</a></li>'
        '<li><a href="/zfxxgk/">政府信息公开</a></li><li><a href="/zmhd/">政民互动</a></li></ul></div>\n'
        f'<div class="position">当前位置：{trail}</div>\n{body}\n'
        '<div class="footer"><p>主办单位：昆明市人民政府办公室 <a href="https://beian.miit.gov.cn/">滇ICP备05000000号</a></p>'
        "<p>网站标识码：5301000001 滇公网安备 53010202000001号</p></div>\n</body></html>\n"
    )


def _crumbs(*more: tuple[str, str]) -> list[tuple[str, str]]:
    return [("/", "首页"), ("/zfxxgk/", "政府信息公开"), ("/zfxxgk/zfxxgknb/", "政府信息公开年报"), *more]


def _column() -> str:
    years = "".join(f'<li><a href="./{year}n/" target="_blank">{year}年</a></li>' for year in (2023, 2020))
    body = f'<div class="main"><div class="list-tit">政府信息公开年报</div><ul class="nb-year">{years}</ul></div>'
    return _chrome("政府信息公开年报", _crumbs(), body)


def _list(items: list[Item], page: int) -> str:
    rows = "\n".join(
        f'<li><a href="{item.href}" target="_blank" title="{html.escape(item.title)}">{html.escape(item.title)}</a>'
        f"<span>{item.date}</span></li>"
        for item in items
    )
    pager = f'<div class="page"><script>createPageHTML(2, {page}, "index", "shtml");</script></div>'
    body = f'<div class="main"><div class="list-tit">2023年</div><ul class="list">\n{rows}\n</ul>{pager}</div>'
    return _chrome("2023年", _crumbs(("/zfxxgk/zfxxgknb/2023n/", "2023年")), body)


def _report(agency: str, year: int, date: str, folder: str) -> str:
    """A report page: national meta tags, the 索引号 box, the TRS_Editor body holding the report's text
    and tables (generated, so its bytes are its own)."""
    title = _title(agency, year)
    record = layouts.random_record(random.Random(f"km {agency} {year}"))
    rendered = layouts.render_html(record, layouts.Quirks(), agency, year).decode("utf-8")
    text = re.search(r"<body>(.*)</body>", rendered, re.S)
    meta = "".join(
        f'<meta name="{name}" content="{html.escape(value)}">\n'
        for name, value in (
            ("SiteName", SITE),
            ("SiteDomain", HOST),
            ("ColumnName", "政府信息公开年报"),
            ("ArticleTitle", title),
            ("PubDate", f"{date} 10:00"),
            ("ContentSource", agency),
        )
    )
    box = (
        f'<table class="xxgk-table"><tr><th>索引号</th><td>015113000/{year + 1}-000{year % 100}</td>'
        f"<th>发布机构</th><td>{html.escape(agency)}</td></tr>"
        f"<tr><th>名称</th><td colspan='3'>{html.escape(title)}</td></tr>"
        f"<tr><th>发布日期</th><td>{date}</td><th>文号</th><td></td></tr></table>"
    )
    body = (
        f'<div class="main">{box}<div class="article"><h1>{html.escape(title)}</h1>'
        f'<div class="info">发布时间：{date} 来源：{html.escape(agency)}</div>'
        f'<div class="TRS_Editor">{text.group(1) if text else ""}</div></div></div>'
    )
    return _chrome(title, _crumbs((f"/zfxxgk/zfxxgknb/{folder}", f"{year}年")), body, head=meta)
