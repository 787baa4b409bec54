"""gd_guangzhou: 广州市人民政府办公厅's report columns on www.gz.gov.cn, the Guangdong intensive platform's
static shape: 政府信息公开年报 → 部门年报 (``bm/``) → year folder ``2024n/`` paged ``index_2.html``, the
report at ``…/bm/2024n/content/post_10095458.html`` (the real URL of portals.md §1; the report text is
generated: which department's report that post holds is not known)."""

from __future__ import annotations

import html
import random

from replica import layouts
from replica.model import Site
from replica.sites.common import filler, html_page
from replica.templates import Item

HOST = "www.gz.gov.cn"
ROOT = "/zfjgzy/gzsrmzfbgt/zfxxgknb/"
SITE = "广州市人民政府"
AGENCY, YEAR = "广州市科学技术局", 2024
REPORT = f"{ROOT}bm/2024n/content/post_10095458.html"


def _page(title: str, crumbs: list[Item], body: str, head: str = "") -> str:
    """The platform's chrome: 无障碍/关怀版 bar, header, nav, 当前位置 breadcrumb, footer."""
    trail = " &gt; ".join(f'<a href="{c.href}">{html.escape(c.title)}</a>' for c in crumbs)
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}_{SITE}</title>\n'
        f'<meta name="SiteName" content="{SITE}"><meta name="SiteDomain" content="{HOST}">{head}</head><body>\n'
        '<div class="topbar"><div class="w1200"><a href="javascript:void(0)" id="cniil_wza">无障碍</a> '
        '<a href="javascript:void(0)" class="care-mode">关怀版</a> <a href="/mobile/">手机版</a></div></div>\n'
        '<div class="header"><div class="w1200"><a href="/" class="logo"><img src="/global/images/logo.png" '
        f'alt="{SITE}"></a></div></div>\n<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">'
        '政务公开</a></li><li><a href="/zwfw/">政务服务</a></li></ul></div>\n'
        f'<div class="w1200 position">当前位置：<a href="/">首页</a> &gt; {trail}</div>\n<div class="w1200 main">'
        f"{body}</div>\n"
        '<div class="footer"><div class="w1200"><p>主办：广州市人民政府办公厅　承办：广州市政务服务和数据管理局</p>'
        '<p><a href="https://beian.miit.gov.cn/">粤ICP备12011114号</a>　网站标识码：4401000001</p></div></div>\n'
        "</body></html>\n"
    )


def _list(title: str, crumbs: list[Item], items: list[Item], pager: str = "") -> str:
    lis = "".join(
        f'<li><a href="http://{HOST}{i.href}" target="_blank" title="{html.escape(i.title)}">{html.escape(i.title)}'
        f'</a><span class="time">{i.date}</span></li>\n'
        for i in items
    )
    body = f'<div class="list_box"><h3 class="list_title">{title}</h3><ul class="news_list">\n{lis}</ul>{pager}</div>'
    return _page(title, crumbs, body, f'<meta name="ColumnName" content="{title}">')


def _report(title: str, lines: list[str]) -> str:
    """A report article: the gkmlpt-style 索引号/分类/发布机构/成文日期/名称 table, then the text."""
    rows = (
        f'<tr><td class="td-label">索引号：</td><td class="td-value"><span>11440100MB2C92620A/2025-00031</span></td>'
        '<td class="td-label">分类：</td><td class="td-value"><span>政府信息公开年报</span></td></tr>'
        f'<tr><td class="td-label">发布机构：</td><td class="td-value"><span>{AGENCY}</span></td>'
        '<td class="td-label">成文日期：</td><td class="td-value"><span>2025-01-22</span></td></tr>'
        f'<tr><td class="td-label">名称：</td><td class="td-value-xl" colspan="3"><span>{title}</span></td></tr>'
    )
    text = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines)
    body = (
        f'<table class="classify"><tbody>{rows}</tbody></table><h1 class="content_title">{title}</h1>'
        f'<div class="article-content">\n{text}</div>'
    )
    head = (
        f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2025-01-24 10:12">'
        f'<meta name="ContentSource" content="{AGENCY}">'
    )
    return _page(title, [Item(ROOT, "政府信息公开年报"), Item(f"{ROOT}bm/2024n/", "2024年")], body, head)


def build(site: Site, state: int) -> None:
    crumbs = [Item("/zfjgzy/gzsrmzfbgt/", "广州市人民政府办公厅"), Item(ROOT, "政府信息公开年报")]
    groups = [Item(f"{ROOT}bm/index.html", "部门年报"), Item(f"{ROOT}gq/index.html", "区政府年报")]
    site.add(f"http://{HOST}{ROOT}index.html", html_page(_list("政府信息公开年报", crumbs[:1], groups)))
    years = [Item(f"{ROOT}bm/{year}n/index.html", f"{year}年") for year in (2024, 2023)]
    site.add(f"http://{HOST}{ROOT}bm/index.html", html_page(_list("部门年报", crumbs, years)))
    site.add(f"http://{HOST}{ROOT}gq/index.html", html_page(_list("区政府年报", crumbs, [])))
    title = f"{AGENCY}{YEAR}年政府信息公开工作年度报告"
    first = [Item(REPORT, title, "2025-01-24"), *filler(f"{ROOT}bm/2024n/content/post_1009540", 4, "广州市")]
    pager = (
        '<div class="page"><span class="current">1</span><a href="index_2.html">2</a>'
        '<a class="next" href="index_2.html">下一页</a><a href="index_2.html">尾页</a></div>'
    )
    year_crumbs = [*crumbs, Item(f"{ROOT}bm/", "部门年报")]
    site.add(f"http://{HOST}{ROOT}bm/2024n/index.html", html_page(_list("2024年", year_crumbs, first, pager)))
    second = filler(f"{ROOT}bm/2024n/content/post_1009530", 3, "广州市")
    site.add(f"http://{HOST}{ROOT}bm/2024n/index_2.html", html_page(_list("2024年", year_crumbs, second)))
    site.add(f"http://{HOST}{ROOT}bm/2023n/index.html", html_page(_list("2023年", year_crumbs, [])))
    text = layouts.render_text(layouts.random_record(random.Random(440100)), "tabs", layouts.Quirks(), AGENCY, YEAR)
    site.add(f"http://{HOST}{REPORT}", html_page(_report(title, text.splitlines())))
