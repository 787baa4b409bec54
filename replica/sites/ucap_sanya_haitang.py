"""ucap_sanya_haitang: 三亚市海棠区人民政府 on ht.sanya.gov.cn, a 开普云/Ucap site: the column
``/htqsite/xxgknb/list.shtml`` paged ``list_2.shtml`` by ``createPageHTML('page_div', 2, N, 'list', 'shtml',
13)``; the report at the real URL shape of portals.md §1, ``/htqsite/xxgknb/202101/<32 hex>.shtml`` (the
hex is the replica's; the text generated), its body in ``<UCAPCONTENT>``."""

from __future__ import annotations

import html
import random

from replica import layouts
from replica.model import Site
from replica.sites.common import filler, html_page
from replica.templates import Item

HOST = "ht.sanya.gov.cn"
SITE = "三亚市海棠区人民政府"
AGENCY, YEAR = "三亚市海棠区人民政府", 2020
COLUMN = "/htqsite/xxgknb/"
REPORT = f"{COLUMN}202101/dee1e3c3a6f24a4c8b0d2e3f4a5b6c7d.shtml"


def _page(title: str, body: str, head: str = "") -> str:
    """The site's chrome: welcome bar with 无障碍浏览/关怀版, logo header, nav, 当前位置, footer."""
    return (
        '<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f'<title>{html.escape(title)}-{SITE}</title><meta name="SiteName" content="{SITE}">'
        f'<meta name="SiteDomain" content="{HOST}">{head}</head><body>\n'
        f'<div class="top-bar"><div class="wrap"><span class="fl">欢迎访问{SITE}网站</span><span class="fr">'
        '<a href="javascript:void(0)" id="cniil_wza">无障碍浏览</a> | <a href="javascript:void(0)" id="ucap_care">'
        "关怀版</a></span></div></div>\n"
        '<div class="header"><div class="wrap"><a href="/htqsite/index.shtml">'
        '<img src="/htqsite/xhtml/images/logo.png"'
        f' alt="{SITE}"></a></div></div>\n<div class="nav"><div class="wrap"><a href="/htqsite/index.shtml">首页</a>'
        '<a href="/htqsite/zwgk/tylist.shtml">政务公开</a></div></div>\n'
        '<div class="wrap position">当前位置：<a href="/htqsite/index.shtml">首页</a> &gt; '
        '<a href="/htqsite/zwgk/tylist.shtml">政务公开</a> &gt; '
        f'<a href="{COLUMN}list.shtml">政府信息公开年报</a></div>\n'
        f'{body}\n<div class="footer"><div class="wrap"><p>主办：三亚市海棠区人民政府办公室　'
        '<a href="https://beian.miit.gov.cn/">琼ICP备05000869号</a>　网站标识码：4602000035</p></div></div>\n'
        "</body></html>\n"
    )


def _list(items: list[Item], page: int) -> str:
    lis = "".join(
        f'<li><a href="{i.href}" target="_blank" title="{html.escape(i.title)}">{html.escape(i.title)}</a>'
        f"<span>{i.date}</span></li>\n"
        for i in items
    )
    body = (
        f'<div class="wrap list-main"><div class="list-title">政府信息公开年报</div><ul class="list">\n{lis}</ul>'
        f"<div id=\"page_div\" class=\"page\"></div><script>createPageHTML('page_div',2, {page},'list','shtml',13);"
        "</script></div>"
    )
    head = (
        '<meta name="ColumnName" content="政府信息公开年报">'
        '<meta name="channelid" content="3f2b7c9d1e8a4b6c9d0e1f2a3b4c5d6e">'
    )
    return _page("政府信息公开年报", body, head)


def _report(title: str) -> str:
    text = layouts.render_text(layouts.random_record(random.Random(460200)), "tabs", layouts.Quirks(), AGENCY, YEAR)
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines())
    body = (
        '<div class="wrap detail"><table class="xxgk-table"><tr><th>索引号：</th><td>00819001-9/2021-00004</td>'
        "<th>发文字号：</th><td></td></tr><tr><th>发布机构：</th><td>三亚市海棠区人民政府办公室</td><th>成文日期：</th>"
        f"<td>2021-01-29</td></tr></table>\n<h1><UCAPTITLE>{title}</UCAPTITLE></h1>\n"
        '<div id="zoom"><div id="font"><div id="UCAP-CONTENT">'
        f"<UCAPCONTENT>{paragraphs}</UCAPCONTENT></div></div></div>"
        "</div>"
    )
    head = (
        f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2021-01-29 16:20">'
        '<meta name="ContentSource" content="三亚市海棠区人民政府办公室">'
    )
    return _page(title, body, head)


def build(site: Site, state: int) -> None:
    title = f"{AGENCY}{YEAR}年政府信息公开工作年度报告"
    first = filler(f"{COLUMN}202103/5c0e6a4d9b2f41e8a7c3d1f0b6e9a2c", 10, "海棠区", ".shtml")
    site.add(f"http://{HOST}{COLUMN}list.shtml", html_page(_list(first, 1)))
    second = [
        Item(REPORT, title, "2021-01-29"),
        *filler(f"{COLUMN}202012/7d1e9b3a0c4f42d8b6e5a9c2f1d0e3b", 2, "海棠区", ".shtml"),
    ]
    site.add(f"http://{HOST}{COLUMN}list_2.shtml", html_page(_list(second, 2)))
    site.add(f"http://{HOST}{REPORT}", html_page(_report(title)))
