"""vsb_zhada: 札达县人民政府 on zhada.gov.cn, a VSB/博达 site: the list ``/zwgk/zfxxgknb.htm`` (the column
path is the replica's) with its later page ``/zwgk/zfxxgknb/1.htm`` counting down, the ``pb_sys_common``
pager declaring 共N条; the 2023 report at the real URL of portals.md §1, ``/info/1144/96851.htm`` (its text
generated), with a DOCX behind ``download.jsp``; the 2022 report link redirects in a loop."""

from __future__ import annotations

import html
import random

from replica import layouts
from replica.model import Resource, Site
from replica.sites.common import DOCX, file, filler, html_page
from replica.templates import Item

HOST = "zhada.gov.cn"
SITE = "札达县人民政府"
AGENCY = "札达县人民政府"
REPORT = "/info/1144/96851.htm"
LOOP = "/info/1144/90123.htm"
DOWNLOAD = "/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1263415875&wbfileid=9876543"


def _page(title: str, body: str, head: str = "", up: str = "../") -> str:
    """VSB chrome: _sitegray scripts, 无障碍/关怀版 bar, header, nav, 当前位置 trail, footer."""
    return (
        '<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
        f'<title>{html.escape(title)}-{SITE}</title><META Name="keywords" Content="{SITE},政府信息公开年报">{head}\n'
        f'<!--Announced by Visual SiteBuilder 9-->\n<link rel="stylesheet" type="text/css" href="{up}_sitegray/'
        f'_sitegray_d.css" />\n<script language="javascript" src="{up}_sitegray/_sitegray.js"></script>\n'
        "</head><body>\n"
        '<div class="topbar"><div class="w1200"><a href="javascript:;" id="cniil_wza">无障碍</a> '
        '<a href="javascript:;" class="ghb">关怀版</a></div></div>\n'
        f'<div class="header"><div class="w1200"><img src="/images/logo.png" alt="{SITE}"></div></div>\n'
        '<div class="nav"><a href="/index.htm">首页</a><a href="/zwgk.htm">政务公开</a>'
        '<a href="/zwfw.htm">政务服务</a></div>\n'
        '<div class="w1200 dqwz">当前位置: <a href="/index.htm">首页</a> &gt;&gt; '
        '<a href="/zwgk.htm">政务公开</a> &gt;&gt; '
        f'<a href="/zwgk/zfxxgknb.htm">政府信息公开年报</a></div>\n{body}\n'
        f'<div class="footer"><div class="w1200">主办：{SITE} <a href="https://beian.miit.gov.cn/">藏ICP备12000123号</a>'
        "</div></div>\n</body></html>\n"
    )


def _list(items: list[Item], pager: str) -> str:
    lis = "".join(
        f'<li id="line_u8_{n}"><a href="{i.href}" target="_blank" title="{html.escape(i.title)}">'
        f"{html.escape(i.title)}</a><span>{i.date}</span></li>\n"
        for n, i in enumerate(items)
    )
    body = (
        f'<div class="w1200 list"><ul>\n{lis}</ul>\n<div class="pb_sys_common pb_sys_normal pb_sys_style1" '
        f'style="margin-top:10px;text-align:center;">{pager}</div></div>'
    )
    return _page("政府信息公开年报", body)


def _report(title: str, year: int, text: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines())
    table = (
        '<table class="xxgk_table"><tr><td>索引号：</td><td>zd-2024-00017</td><td>发文字号：</td><td></td></tr>'
        f"<tr><td>发文机构：</td><td>札达县人民政府办公室</td><td>名称：</td><td>{title}</td></tr>"
        "<tr><td>公文时效：</td><td>有效</td><td>发布日期：</td><td>2024-01-30</td></tr></table>"
    )
    attachment = (
        '<ul style="list-style-type:none;">'
        f'<li>附件【<a href="{html.escape(DOWNLOAD)}" target="_blank">{title}.docx</a>'
        '】已下载<span id="nattach9876543">0</span>次</li></ul>'
    )
    body = (
        f'<div class="w1200 content">{table}<form name="_newscontent_fromname"><h1>{title}</h1>'
        f'<div id="vsb_content"><div class="v_news_content">{paragraphs}</div></div>{attachment}</form></div>'
    )
    head = f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2024-01-30 11:02">'
    return _page(title, body, head, up="../../")


def build(site: Site, state: int) -> None:
    year = 2023
    title = f"札达县{year}年政府信息公开工作年度报告"
    first = [Item(f"..{REPORT}", title, "2024-01-30"), *filler("../info/1144/9630", 6, "札达县", ".htm")]
    pager_first = (
        '<span class="p_t">共9条</span> <span class="p_t">1/2</span><span class="p_pages">'
        '<span class="p_first_d p_fun_d">首页</span><span class="p_prev_d p_fun_d">上页</span><span class="p_no_d">1'
        '</span><span class="p_no"><a href="zfxxgknb/1.htm">2</a></span>'
        '<span class="p_next p_fun"><a href="zfxxgknb/1.htm">'
        '下页</a></span><span class="p_last p_fun"><a href="zfxxgknb/1.htm">尾页</a></span></span>'
    )
    site.add(f"http://{HOST}/zwgk/zfxxgknb.htm", html_page(_list(first, pager_first)))
    second = [Item(f"../..{LOOP}", f"札达县{year - 1}年政府信息公开工作年度报告", "2023-01-31")]
    second += filler("../../info/1144/8800", 1, "札达县", ".htm")
    pager_last = (
        '<span class="p_t">共9条</span> <span class="p_t">2/2</span><span class="p_pages">'
        '<span class="p_first p_fun"><a href="../zfxxgknb.htm">首页</a></span><span class="p_prev p_fun">'
        '<a href="../zfxxgknb.htm">上页</a></span><span class="p_no"><a href="../zfxxgknb.htm">1</a></span>'
        '<span class="p_no_d">2</span><span class="p_next_d p_fun_d">下页</span><span class="p_last_d p_fun_d">尾页'
        "</span></span>"
    )
    site.add(f"http://{HOST}/zwgk/zfxxgknb/1.htm", html_page(_list(second, pager_last)))
    record = layouts.random_record(random.Random(542527))
    text = layouts.render_text(record, "tabs", layouts.Quirks(), AGENCY, year)
    site.add(f"http://{HOST}{REPORT}", html_page(_report(title, year, text)))
    site.add(f"http://{HOST}{DOWNLOAD}", file(layouts.render_docx(record, layouts.Quirks(), AGENCY, year), DOCX))
    site.add(f"http://{HOST}{LOOP}", Resource(behaviour="redirect", location=f"http://{HOST}{LOOP}?v=2"))
    site.add(f"http://{HOST}{LOOP}?v=2", Resource(behaviour="redirect", location=f"http://{HOST}{LOOP}"))
