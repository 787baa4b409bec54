"""kjj.liaocheng.gov.cn (聊城市科学技术局) on the Shandong intensive platform, as 聊城's bureau sites are
(slj.liaocheng.gov.cn/channel_l_ssljchannel…/doc_697b014a….html): a list channel ``channel_l_s<site>channel<digits>``
whose articles are ``doc_<ObjectId>.html`` (the id's first 8 hex digits are the publication time) and
whose files sit under ``/resources/public/<YYYYMMDD>/``; the page chrome (无障碍阅读 / 关怀版 / 返回首页,
an unlabelled 索引号 / date / publisher block, 字号 / 打印整页 / 打印内容 / 分享) is the slj report page's.

Faults kept for tests/test_crawl_replica.py: robots.txt disallows ``/bak/`` where a copy of the report is
listed; the 2021 report link answers 404; state 2 replaces the HTML report at the same URL by a corrected
version. The channel's 3 pages (``?page=2``, ``?page=3``) and ``共 18 条`` are this family's reading of
paging, which no public page confirms (crawler/families/shandong.py).
"""

from __future__ import annotations

import html

from replica.model import Site
from replica.sites.common import CORRECTION, PDF, bundled, file, filler, html_page, seed
from replica.templates import Item

HOST = "kjj.liaocheng.gov.cn"
SITE = "聊城市科学技术局"
COLUMN = "政府信息公开年报"
#: The 年报 list channel, in the shape of slj's ``channel_l_ssljchannel201911221748522677536714`` (id invented).
CHANNEL = "/channel_l_skjjchannel201911221748371946602318"
#: The bureau's 政府信息公开 channel (the ``channel_lc_`` shape of jgsw.liaocheng.gov.cn; id invented).
GK_CHANNEL = "/channel_lc_skjjchannel201911221748269874512036"
REPORT = f"{CHANNEL}/doc_63c74ba4253bb6e4806ad6e5.html"  # published 2023-01-18 09:30
BACKUP = f"/bak{CHANNEL}/doc_63c74e2fb1113c9f403e87c9.html"  # under robots.txt's Disallow: /bak/
MISSING = f"{CHANNEL}/doc_61e8c518278eee072fbfb17b.html"  # the 2021 report: answers 404
PDF_PATH = "/resources/public/20230118/63c74d37f27e4a8f6044fb0f.pdf"
#: 索引号: the credit-code / year-serial shape of slj's ``11371500004428039E/2026-45963799`` (code invented).
INDEX = "11371500004428110K/2023-00912645"


def page(title: str, body: str, head: str = "") -> str:
    """A page of the bureau site: top bar, logo, navigation, breadcrumb, body, footer."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="SiteName" content="{SITE}">
<meta name="SiteDomain" content="{HOST}">
<meta name="ColumnName" content="{COLUMN}">
{head}<title>{html.escape(title)}</title>
<link rel="stylesheet" href="/resources/site/kjj/css/common.css"></head>
<body>
<div class="top-bar"><div class="w1200"><span class="fl">欢迎访问聊城市科学技术局网站</span>
<span class="fr"><a href="javascript:void(0)" id="cniil_wza">无障碍阅读</a>
<a href="javascript:void(0)" class="old-version">关怀版</a> <a href="/">返回首页</a></span></div></div>
<div class="header w1200"><a href="/" class="logo"><img src="/resources/site/kjj/images/logo.png" alt="{SITE}"></a>
<form class="search" action="/search" method="get"><input type="text" name="q"><button>搜索</button></form></div>
<div class="nav"><ul class="w1200"><li><a href="/">首页</a></li><li><a href="{GK_CHANNEL}">政府信息公开</a></li>
<li><a href="/channel_l_skjjchannel201911221748154419875203">科技动态</a></li>
<li><a href="/channel_l_skjjchannel201911221748205563301977">通知公告</a></li></ul></div>
<div class="crumb w1200">当前位置：<a href="/">首页</a> &gt; <a href="{GK_CHANNEL}">政府信息公开</a> &gt;
<a href="{CHANNEL}">{COLUMN}</a></div>
{body}
<div class="footer"><p>主办单位：{SITE}　地址：聊城市东昌府区花园北路39号　联系电话：0635-8241907</p>
<p>网站标识码：3715000041　鲁ICP备05002386号
<a href="http://www.beian.gov.cn/">鲁公网安备 37150202000131号</a></p></div>
</body></html>
"""


def channel_page(items: list[Item], number: int, pages: int, total: int) -> str:
    """One page of the list channel: the items, then the pager (共 N 条, numbered ``?page=N`` links)."""
    lis = "\n".join(
        f'<li><a href="{item.href}" target="_blank" title="{html.escape(item.title)}">{html.escape(item.title)}</a>'
        f'<span class="date">{item.date}</span></li>'
        for item in items
    )

    def link(to: int, text: str) -> str:
        return f'<a href="{CHANNEL}{"" if to == 1 else f"?page={to}"}">{text}</a>'

    numbers = " ".join(
        f'<span class="current">{n}</span>' if n == number else link(n, str(n)) for n in range(1, pages + 1)
    )
    pager = (
        f'<div class="page">共 {total} 条　{link(1, "首页")} {link(max(1, number - 1), "上一页")} {numbers} '
        f"{link(min(pages, number + 1), '下一页')} {link(pages, '尾页')}</div>"
    )
    body = (
        f'<div class="main w1200"><div class="list-title"><h2>{COLUMN}</h2></div>\n'
        f'<ul class="list">\n{lis}\n</ul>\n{pager}</div>'
    )
    return page(f"{COLUMN}_{SITE}", body)


def article_page(title: str, paragraphs: list[str], files: list[Item], date: str) -> str:
    """A report article: the unlabelled metadata block, the title, the tool bar, the text, the files."""
    head = (
        f'<meta name="ArticleTitle" content="{html.escape(title)}">\n<meta name="PubDate" content="{date} 09:30">\n'
        f'<meta name="ContentSource" content="{SITE}">\n'
    )
    text = "\n".join(f"<p>{html.escape(line)}</p>" for line in paragraphs)
    attachments = "".join(f'<li><a href="{f.href}" target="_blank">{html.escape(f.title)}</a></li>' for f in files)
    body = f"""<div class="main w1200"><div class="xxgk-head">
<div class="xxgk-title">{html.escape(title)}</div>
<ul class="xxgk-info"><li title="索引号">{INDEX}</li><li title="发布日期">{date}</li>
<li title="发布机构">{SITE}</li></ul>
</div>
<div class="article"><h1 class="art-title">{html.escape(title)}</h1>
<div class="art-tool">字号：<a href="javascript:void(0)" onclick="doZoom(20)">大</a>
<a href="javascript:void(0)" onclick="doZoom(16)">中</a> <a href="javascript:void(0)" onclick="doZoom(14)">小</a>
<a href="javascript:void(0)" onclick="window.print()">打印整页</a>
<a href="javascript:void(0)" onclick="printContent()">打印内容</a>
<a href="javascript:void(0)" class="share">分享</a></div>
<div class="art-con" id="zoom">
{text}
</div>
<div class="art-file"><ul>{attachments}</ul></div></div></div>"""
    return page(f"{title}_{SITE}", body, head)


def build(site: Site, state: int) -> None:
    title, lines = seed("000")
    lists = [
        filler(f"{CHANNEL}/doc_65c0a8e1a1b2c3d4e5f6a7b", 8, "科技"),
        [
            *filler(f"{CHANNEL}/doc_63e5a2c0b7d1e2f3a4b5c6d", 3, "科技"),
            Item(REPORT, title, "2023-01-18"),
            Item(BACKUP, title + "（备份）", "2023-01-18"),
        ],
        [
            *filler(f"{CHANNEL}/doc_620b4d12c3e4f5a6b7c8d9e", 4, "科技"),
            Item(MISSING, f"{SITE}2021年政府信息公开工作年度报告", "2022-01-20"),
        ],
    ]
    total = sum(len(items) for items in lists)
    for number, items in enumerate(lists, start=1):
        url = f"http://{HOST}{CHANNEL}" + ("" if number == 1 else f"?page={number}")
        site.add(url, html_page(channel_page(items, number, len(lists), total)))
    body = [*lines, CORRECTION] if state >= 2 else lines
    pdf = Item(PDF_PATH, f"{title}.pdf")
    site.add(f"http://{HOST}{REPORT}", html_page(article_page(title, body, [pdf], "2023-01-18")))
    site.add(f"http://{HOST}{PDF_PATH}", file(bundled("rendered/report-000.pdf"), PDF))
    site.add(f"http://{HOST}{BACKUP}", html_page(article_page(title, lines, [], "2023-01-18")))
    site.robots[HOST] = "User-agent: *\nDisallow: /bak/\n"
