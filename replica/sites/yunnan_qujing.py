"""www.qj.gov.cn (曲靖市人民政府, Yunnan family, PHPCMS v9 static): the report tree
``/html/zfxxgk/zfxxgknb/`` → year column ``2024n/`` (23 items, pager ``2.html``) → the city's 2024 report at
its real URL ``/html/2025/2024n_0310/272880.html``, inline HTML tables plus a PDF-named attachment link to
the same text as DOCX under PHPCMS's ``/uploadfile/YYYY/MMDD/`` folder.
"""

from __future__ import annotations

import html

from replica.model import Site
from replica.sites.common import DOCX, file, html_page, layout_report

HOST = "www.qj.gov.cn"
SITE = "曲靖市人民政府"
TITLE = "曲靖市人民政府2024年政府信息公开工作年度报告"
ARTICLE = "/html/2025/2024n_0310/272880.html"
COLUMN = "/html/zfxxgk/zfxxgknb/2024n/"
#: The registry's start URL: the report tree of year columns.
TREE = f"http://{HOST}/html/zfxxgk/zfxxgknb/"
#: Items in the 2024 column (PHPCMS prints the size in its pager: "23条"), 20 a page.
COLUMN_SIZE, PER_PAGE = 23, 20


def _page(title: str, crumbs: list[tuple[str, str]], main: str) -> str:
    """The portal's chrome: 无障碍/关怀版 bar, masthead, navigation, breadcrumb (当前位置), footer."""
    trail = " &gt; ".join(f'<a href="{href}">{html.escape(text)}</a>' for href, text in crumbs)
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)} - {SITE}</title>\n"
        '<meta name="keywords" content="曲靖,政府信息公开">\n<link href="/statics/css/qj.css" rel="stylesheet">\n'
        '<script src="/statics/js/jquery.min.js"></script>\n</head>\n<body>\n'
        '<div class="topbar"><div class="w1200"><span>欢迎访问曲靖市人民政府门户网站</span>'
        '<a href="javascript:void(0);" id="wza">无障碍</a> <a href="javascript:void(0);" id="ghb">关怀版</a> '
        '<a href="/html/ss/search.html">搜索</a></div></div>\n'
        '<div class="header"><a href="/"><img src="/statics/images/logo.png" alt="曲靖市人民政府"></a></div>\n'
        '<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/html/zwgk/">政务公开</a></li>'
        '<li><a href="/html/zfxxgk/">政府信息公开</a></li><li><a href="/html/hdjl/">互动交流</a></li></ul></div>\n'
        f'<div class="crumbs w1200">当前位置：{trail}</div>\n{main}\n'
        '<div class="footer">主办：曲靖市人民政府办公室 承办：曲靖市数字经济局<br>'
        '<a href="https://beian.miit.gov.cn/">滇ICP备05000829号</a> 政府网站标识码：5303000001</div>\n'
        "</body>\n</html>\n"
    )


CRUMBS = [("/", "首页"), ("/html/zfxxgk/", "政府信息公开"), ("/html/zfxxgk/zfxxgknb/", "政府信息公开年报")]


def _items(page: int) -> list[tuple[str, str, str]]:
    """(href, title, date) of one page of the 2024 column: the city's report sits on page 2."""
    units = ["市发展和改革委员会", "市教育体育局", "市财政局", "市人力资源和社会保障局", "市自然资源局"]
    rows = [
        (
            f"/html/2025/2024n_0120/27{2700 + number}.html",
            f"曲靖{units[number % 5]}2024年度部门预算执行情况说明（{number}）",
            "2025-01-20",
        )
        for number in range(COLUMN_SIZE - 1)
    ]
    rows.insert(PER_PAGE + 1, (ARTICLE, TITLE, "2025-03-10"))
    return rows[(page - 1) * PER_PAGE : page * PER_PAGE]


def pager(page: int, pages: int, total: int) -> str:
    """PHPCMS v9 pages(): the size, 上一页 from page 2, the current page in <span>, 下一页."""
    parts = [f'<a class="a1">{total}条</a>']
    link = lambda n: COLUMN + ("index.html" if n == 1 else f"{n}.html")  # noqa: E731
    if page > 1:
        parts.append(f'<a href="{link(page - 1)}" class="a1">上一页</a>')
    parts += [f"<span>{n}</span>" if n == page else f'<a href="{link(n)}">{n}</a>' for n in range(1, pages + 1)]
    if page < pages:
        parts.append(f'<a href="{link(page + 1)}" class="a1">下一页</a>')
    return f'<div id="pages" class="text-c">{" ".join(parts)}</div>'


def _list(page: int) -> str:
    rows = "\n".join(
        f'<li><span class="rt">{date}</span><a href="{href}" title="{html.escape(title)}" target="_blank">'
        f"{html.escape(title)}</a></li>"
        for href, title, date in _items(page)
    )
    pages = (COLUMN_SIZE + PER_PAGE - 1) // PER_PAGE
    main = (
        '<div class="w1200 list-main"><div class="list-left"><h3>政府信息公开年报</h3><ul>'
        '<li><a href="/html/zfxxgk/zfxxgknb/2024n/">2024年</a></li>'
        '<li><a href="/html/zfxxgk/zfxxgknb/2023n/">2023年</a></li>'
        '</ul></div><div class="list-right"><div class="list-title">2024年</div>'
        f'<ul class="list-ul">\n{rows}\n</ul>{pager(page, pages, COLUMN_SIZE)}</div></div>'
    )
    return _page("2024年", [*CRUMBS, (COLUMN, "2024年")], main)


def _tree() -> str:
    main = (
        '<div class="w1200 list-main"><div class="list-right"><div class="list-title">政府信息公开年报</div>'
        '<ul class="list-ul"><li><a href="/html/zfxxgk/zfxxgknb/2024n/">2024年</a></li>'
        '<li><a href="/html/zfxxgk/zfxxgknb/2023n/">2023年</a></li></ul></div></div>'
    )
    return _page("政府信息公开年报", CRUMBS, main)


def _article() -> str:
    body, _ = layout_report(SITE, 2024, 5301)
    main = (
        '<div class="w1200 content-main"><h1 class="content-title">' + TITLE + "</h1>\n"
        '<div class="content-info"><span>发布时间：2025-03-10 09:35</span><span>来源：曲靖市人民政府办公室</span>'
        '<span>浏览次数：<script src="/api.php?op=count&id=272880&modelid=1"></script></span></div>\n'
        f'<div class="content-text" id="content">{body}</div>\n'
        '<div class="content-attach"><p>附件：<a href="/uploadfile/2025/0310/20250310093512345.docx">'
        f"{TITLE}.docx</a></p></div>\n"
        '<div class="content-tool"><a href="javascript:window.print();">【打印本页】</a> '
        '<a href="javascript:window.close();">【关闭窗口】</a></div></div>'
    )
    return _page(TITLE, [*CRUMBS, (COLUMN, "2024年"), (ARTICLE, "正文")], main)


def build(site: Site, state: int) -> None:
    base = f"http://{HOST}"
    site.add(base + "/html/zfxxgk/zfxxgknb/", html_page(_tree()))
    site.add(base + COLUMN, html_page(_list(1)))
    site.add(base + COLUMN + "index.html", html_page(_list(1)))
    site.add(base + COLUMN + "2.html", html_page(_list(2)))
    site.add(
        base + "/html/zfxxgk/zfxxgknb/2023n/",
        html_page(
            _page(
                "2023年",
                CRUMBS,
                '<div class="list-right"><ul class="list-ul"></ul><div id="pages" class="text-c"></div></div>',
            )
        ),
    )
    site.add(base + ARTICLE, html_page(_article()))
    site.add(base + "/uploadfile/2025/0310/20250310093512345.docx", file(layout_report(SITE, 2024, 5301)[1], DOCX))
