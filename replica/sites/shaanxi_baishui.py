"""www.baishui.gov.cn (白水县人民政府, Shaanxi family): 部门信息公开年报 ``/zfxxgk/zfxxgknb/bmxxgknb/1.html``,
a two-page list whose page count only its script gives (``maxPage = parseInt('2')``); the 县政府办公室's 2020
report on page 2 at its real URL ``…/bmxxgknb/1651146479113211905.html``, inline tables plus a DOCX copy.
"""

from __future__ import annotations

import html

from replica.model import Site
from replica.sites.common import DOCX, file, html_page, layout_report

HOST = "www.baishui.gov.cn"
SITE = "白水县人民政府"
AGENCY = "白水县人民政府办公室"
TITLE = "白水县人民政府办公室2020年政府信息公开工作年度报告"
COLUMN = "/zfxxgk/zfxxgknb/bmxxgknb/"
ARTICLE = COLUMN + "1651146479113211905.html"
DOCX_PATH = "/uploadfiles/2021/01/20210128101502663.docx"
PER_PAGE = 15
CRUMBS = [("/", "首页"), ("/zfxxgk/", "政府信息公开"), ("/zfxxgk/zfxxgknb/1.html", "政府信息公开年报")]


def _page(title: str, crumbs: list[tuple[str, str]], main: str, head: str = "") -> str:
    """The platform's chrome: 无障碍/关怀版 bar, masthead, ``div.position`` breadcrumb ("首页/ … / 正文")."""
    trail = " / ".join(f'<a href="{href}">{html.escape(text)}</a>' for href, text in crumbs)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}-{SITE}</title>\n{head}"
        '<link rel="stylesheet" href="/static/css/pure-min.css">\n</head>\n<body>\n'
        '<div class="m-top"><div class="g-wd"><span>陕西省渭南市白水县人民政府</span>'
        '<a id="cniil_wza" href="javascript:;">无障碍</a> <a class="m-ghb" href="javascript:;">关怀版</a></div></div>\n'
        '<div class="m-hd"><img src="/static/images/logo.png" alt="白水县人民政府"></div>\n'
        '<div class="m-nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/zfxxgk/">政府信息公开</a>'
        '<a href="/hdjl/">互动交流</a></div>\n'
        f'<div class="position g-wd">{trail}</div>\n{main}\n'
        '<div class="m-ft">主办单位：白水县人民政府办公室 网站标识码：6105270001 '
        '<a href="https://beian.miit.gov.cn/">陕ICP备05002379号</a></div>\n</body>\n</html>\n'
    )


def _rows(page: int) -> list[tuple[str, str, str]]:
    units = ["县发展和改革局", "县教育局", "县财政局", "县民政局", "县自然资源局", "县卫生健康局", "县农业农村局"]
    rows = [
        (
            f"{COLUMN}16511464637998{number:05d}.html",
            f"白水{units[number % len(units)]}2020年度部门决算公开（{number}）",
            "2021-01-28",
        )
        for number in range(PER_PAGE + 4)
    ]
    rows.insert(PER_PAGE + 2, (ARTICLE, TITLE, "2021-01-28"))
    return rows[(page - 1) * PER_PAGE : page * PER_PAGE]


def _list(page: int) -> str:
    items = "\n".join(
        f'<li><a href="{href}" target="_blank" title="{html.escape(title)}">{html.escape(title)}</a>'
        f"<span>{date}</span></li>"
        for href, title, date in _rows(page)
    )
    script = (
        '<div class="m-page" id="page"></div>\n<script type="text/javascript">\n'
        f"var currentPage = parseInt('{page}');\nvar maxPage = parseInt('2');\n"
        "createPage('page', currentPage, maxPage, 'bmxxgknb');\n</script>"
    )
    main = (
        '<div class="g-wd pure-g"><div class="pure-u-1-4 m-lf"><h3>政府信息公开年报</h3>'
        '<a href="/zfxxgk/zfxxgknb/zfxxgknb/1.html">政府信息公开年报</a>'
        f'<a href="{COLUMN}1.html">部门信息公开年报</a></div>'
        f'<div class="pure-u-3-4"><div class="m-lst36"><ul>\n{items}\n</ul></div>{script}</div></div>'
    )
    return _page("部门信息公开年报", [*CRUMBS, (f"{COLUMN}1.html", "部门信息公开年报")], main)


def _article() -> str:
    body, _ = layout_report(AGENCY, 2020, 6105)
    meta = "".join(
        f'<meta name="{name}" content="{html.escape(value)}">\n'
        for name, value in (
            ("SiteName", SITE),
            ("ColumnName", "部门信息公开年报"),
            ("ArticleTitle", TITLE),
            ("PubDate", "2021-01-28 10:15"),
            ("ContentSource", AGENCY),
        )
    )
    table = (
        '<div class="table"><div class="table-tr"><div class="table-td table-p38 bd-bottom">索引号：'
        "11610527016055082D/2021-00031</div>"
        '<div class="table-td table-p38 bd-bottom">发布日期：2021-01-28</div></div>'
        '<div class="table-tr"><div class="table-td">发布机构：白水县人民政府办公室</div>'
        '<div class="table-td">主题分类：政府信息公开年报</div></div></div>'
    )
    main = (
        f'<div class="g-wd m-detail">{table}<h1 class="m-tit">{TITLE}</h1>\n'
        f'<div class="pure-g"><div class="pure-u-1 m-txt">{body}\n'
        f'<p>附件：<a href="{DOCX_PATH}">{TITLE}.docx</a></p></div></div></div>'
    )
    crumbs = [*CRUMBS, (f"{COLUMN}1.html", "部门信息公开年报"), (ARTICLE, "正文")]
    return _page(TITLE, crumbs, main, head=meta)


def build(site: Site, state: int) -> None:
    base = f"http://{HOST}"
    site.add(base + COLUMN + "1.html", html_page(_list(1)))
    site.add(base + COLUMN + "2.html", html_page(_list(2)))
    site.add(base + ARTICLE, html_page(_article()))
    site.add(base + DOCX_PATH, file(layout_report(AGENCY, 2020, 6105)[1], DOCX))
