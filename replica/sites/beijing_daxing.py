"""www.bjdx.gov.cn (北京市大兴区人民政府, Beijing family, EasySite numid): the 年报 tree
``/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/index.html`` → year node ``735792/`` ("2023年", a numbered node like an
article) → a two-page list (``cba5c47e-2.html``) → the district's 2023 report at its real URL
``…/dxqzf69/735792/735950/index.html``, inline HTML; the year's 乡镇街道 group ``2023n/xzjd/`` is listed too.
"""

from __future__ import annotations

import html

from replica.model import Site
from replica.sites.common import html_page, layout_report

HOST = "www.bjdx.gov.cn"
SITE = "北京市大兴区人民政府"
TITLE = "北京市大兴区人民政府2023年政府信息公开工作年度报告"
ROOT = "/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/"
YEAR = ROOT + "735792/"
ARTICLE = YEAR + "735950/index.html"
TOWNS = ROOT + "2023n/xzjd/"
PER_PAGE = 12


def _page(title: str, crumbs: list[tuple[str, str]], main: str, head: str = "") -> str:
    """EasySite chrome: 无障碍/关怀版 bar, masthead, ``easysite-bread-nav`` breadcrumb, footer."""
    trail = " &gt; ".join(f'<a href="{href}">{html.escape(text)}</a>' for href, text in crumbs)
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}_{SITE}</title>\n{head}"
        '<link rel="stylesheet" href="/bjsdxqrmzf/xhtml/css/common.css">\n</head>\n<body>\n'
        '<div class="topBar pubCon"><span>北京市大兴区人民政府</span><a href="javascript:;" id="wza">无障碍</a> '
        '<a href="javascript:;" id="oldVersion">关怀版</a></div>\n'
        '<div class="header"><div class="gg_nav"><ul class="pubCon"><li><a href="/">首页</a></li>'
        '<li><a href="/bjsdxqrmzf/zwfw/index.html">政务服务</a></li>'
        '<li><a href="/bjsdxqrmzf/zwfw/zfxxgk/index.html">政府信息公开</a></li></ul></div></div>\n'
        f'<div class="easysite-bread-nav pubCon"><p><span>当前位置：{trail}</span></p></div>\n{main}\n'
        '<div class="footer">主办：北京市大兴区人民政府办公室 网站标识码：1100000011 '
        '<a href="https://beian.miit.gov.cn/">京ICP备05053460号</a></div>\n</body>\n</html>\n'
    )


CRUMBS = [
    ("/", "首页"),
    ("/bjsdxqrmzf/zwfw/zfxxgk/index.html", "政府信息公开"),
    (ROOT + "index.html", "政府信息公开年报"),
]


def _tree() -> str:
    main = (
        '<div class="pubCon con"><div class="easysite-list-modelone"><ul>'
        f'<li><a href="{YEAR}index.html" target="_blank">2023年</a></li>'
        f'<li><a href="{ROOT}2023n/xzjd/index.html" target="_blank">乡镇街道</a></li></ul></div></div>'
    )
    return _page("政府信息公开年报", CRUMBS, main)


def _rows(page: int) -> list[tuple[str, str, str]]:
    units = ["区发展改革委", "区教委", "区财政局", "区民政局", "区卫生健康委"]
    rows = [
        (
            f"{YEAR}7359{10 + number:02d}/index.html",
            f"大兴{units[number % len(units)]}2023年度部门决算（{number}）",
            "2024-01-15",
        )
        for number in range(PER_PAGE + 3)
    ]
    rows.insert(PER_PAGE + 1, (ARTICLE, TITLE, "2024-01-19"))
    return rows[(page - 1) * PER_PAGE : page * PER_PAGE]


def _pager(page: int) -> str:
    link = lambda n: f"{YEAR}index.html" if n == 1 else f"{YEAR}cba5c47e-{n}.html"  # noqa: E731
    numbers = " ".join(
        f'<span class="current">{n}</span>' if n == page else f'<a href="{link(n)}">{n}</a>' for n in (1, 2)
    )
    return (
        f'<div class="easysite-page-wrap"><a href="{link(1)}">首页</a> {numbers} '
        f'<a href="{link(2)}">尾页</a> <span>共2页</span></div>'
    )


def _year(page: int) -> str:
    items = "\n".join(
        f'<li><a href="{href}" target="_blank" title="{html.escape(title)}">{html.escape(title)}</a>'
        f'<span class="time">{date}</span></li>'
        for href, title, date in _rows(page)
    )
    main = f'<div class="pubCon con"><div class="easysite-list-modelone"><ul>\n{items}\n</ul></div>{_pager(page)}</div>'
    return _page("2023年", [*CRUMBS, (YEAR + "index.html", "2023年")], main)


def _article() -> str:
    body, _ = layout_report("北京市大兴区人民政府", 2023, 1100)
    meta = f'<meta name="ArticleTitle" content="{TITLE}">\n<meta name="PubDate" content="2024-01-19 10:00">\n'
    main = (
        '<div class="pubCon con"><div class="detail_con"><div class="portlet">'
        f'<div class="easysite-news-title"><h2>{TITLE}</h2></div>\n'
        '<div class="rels"><span>发布日期：2024-01-19</span> <span>来源：大兴区政府办</span></div>\n'
        f'<div class="detailCon"><div class="article" id="easysiteText">{body}</div></div></div></div></div>'
    )
    crumbs = [*CRUMBS, (YEAR + "index.html", "2023年"), (ARTICLE, "正文")]
    return _page(TITLE, crumbs, main, head=meta)


def build(site: Site, state: int) -> None:
    base = f"http://{HOST}"
    site.add(base + ROOT + "index.html", html_page(_tree()))
    site.add(base + YEAR + "index.html", html_page(_year(1)))
    site.add(base + YEAR + "cba5c47e-2.html", html_page(_year(2)))
    towns = (
        f'<div class="easysite-list-modelone"><ul><li><a href="{TOWNS}723997/index.html">'
        "黄村镇政府信息公开指南</a></li></ul></div>"
    )
    site.add(base + TOWNS + "index.html", html_page(_page("乡镇街道", CRUMBS, towns)))
    site.add(base + ARTICLE, html_page(_article()))
