"""www.boshan.gov.cn (淄博市博山区人民政府) on the Shandong intensive platform, pages in GBK.

Real shapes (tests/families/shandong/README.md): the district's lists under ``/gongkai/channel_<id>/``
(``channel_c11506``, which holds ``doc_601f8fddde26774a8d70fa4a.html``), and department sub-sites
``/gongkai/site_<dept>/channel_c_<24 hex>_n_<unix time>/``: 博山区科学技术局 is ``site_bsqkxjsj``, its reports
in ``channel_c_5f9f6c5c03741cded2c00edd_n_1605681990.108`` (the 2025 one is ``doc_69781869….html``). Its
article pages carry the sub-site's name, a metadata table (标题 / 索引号 / 文号 / 发文日期 / 发布机构, the
credit code 113703040042181387 in the 索引号), 发布日期, 字号 | 打印; files sit beside the article as
``doc_<article id>_<32 hex>.<ext>`` (the shape of ws.zibo.gov.cn's attachments).

Served: the district's 年报 channel listing the bureau's 2023 report (a link into the sub-site) and the
sub-site's own channel listing it; the report as GBK HTML + DOCX + PDF. Document ids other than the real
ones above are invented in the ObjectId shape (first 8 hex digits: the publication time).
"""

from __future__ import annotations

import html

from replica.model import Site
from replica.sites.common import DOCX, PDF, bundled, file, filler, html_page, seed
from replica.templates import Item

HOST = "www.boshan.gov.cn"
SITE = "淄博市博山区人民政府"
DEPARTMENT = "博山区科学技术局"
COLUMN = "政府信息公开年报"
DISTRICT_CHANNEL = "/gongkai/channel_c11506/"
SUBSITE_CHANNEL = "/gongkai/site_bsqkxjsj/channel_c_5f9f6c5c03741cded2c00edd_n_1605681990.108/"
DOC_ID = "65a8cd074651a028f87685ac"  # published 2024-01-18 15:02
REPORT = f"{SUBSITE_CHANNEL}doc_{DOC_ID}.html"
DOCX_PATH = f"{SUBSITE_CHANNEL}doc_{DOC_ID}_9b1f0c3e7a2d4b6c8e0f1a3b5c7d9e2f.docx"
PDF_PATH = f"{SUBSITE_CHANNEL}doc_{DOC_ID}_4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c.pdf"
INDEX = "113703040042181387/2024-5080216"
CHARSET = "gbk"
SUBSITE_CRUMB = f'<a href="/gongkai/site_bsqkxjsj/">{DEPARTMENT}</a> &gt; <a href="{SUBSITE_CHANNEL}">{COLUMN}</a>'


def page(title: str, crumb: str, body: str, head: str = "") -> str:
    """A page of the district portal: 无障碍/关怀版 bar, masthead, navigation, breadcrumb, body, footer."""
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={CHARSET}">
<meta name="SiteName" content="{SITE}">
<meta name="SiteDomain" content="{HOST}">
{head}<title>{html.escape(title)}</title>
<link rel="stylesheet" href="/gongkai/resources/css/gongkai.css"></head>
<body>
<div class="topbar"><div class="wrap">
<span>今天是：<script>document.write(new Date().toLocaleDateString())</script></span>
<span class="tools"><a href="javascript:void(0)" id="wza">无障碍</a> <a href="javascript:void(0)" id="ghb">关怀版</a>
<a href="/">网站首页</a></span></div></div>
<div class="masthead"><a href="/"><img src="/gongkai/resources/images/logo.png" alt="{SITE}"></a></div>
<div class="gk-nav"><ul><li><a href="/gongkai/">政务公开首页</a></li>
<li><a href="/gongkai/channel_c1534/">机构职能</a></li>
<li><a href="/gongkai/channel_c11501/">政策文件</a></li><li><a href="{DISTRICT_CHANNEL}">{COLUMN}</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/gongkai/">政务公开</a> &gt; {crumb}</div>
{body}
<div class="footer"><p>主办：{SITE}办公室　地址：博山区县前街46号　邮编：255200</p>
<p>网站标识码：3703040001　鲁ICP备05037896号</p></div>
</body></html>
"""


def channel_page(name: str, items: list[Item], crumb: str) -> str:
    """A channel list: one page of items, the pager printing the channel's size (共 N 条)."""
    lis = "\n".join(
        f'<li><a href="{item.href}" target="_blank" title="{html.escape(item.title)}">{html.escape(item.title)}</a>'
        f"<span>{item.date}</span></li>"
        for item in items
    )
    pager = (
        f'<div class="pagination">共 {len(items)} 条　<span>首页</span> <span class="active">1</span>'
        " <span>尾页</span></div>"
    )
    body = f'<div class="gk-main"><div class="gk-title">{name}</div>\n<ul class="gk-list">\n{lis}\n</ul>\n{pager}</div>'
    return page(f"{name}_{SITE}", crumb, body)


def article_page(title: str, paragraphs: list[str], files: list[Item], date: str) -> str:
    """The bureau's report on its sub-site: sub-site name, metadata table (its 标题 row first, as on the
    real page), title, tools, text, files."""
    head = (
        f'<meta name="ArticleTitle" content="{html.escape(title)}">\n<meta name="PubDate" content="{date} 15:02">\n'
        f'<meta name="ContentSource" content="{DEPARTMENT}">\n'
    )
    label = f'<tr><th>标题:</th><td colspan="3">{html.escape(title)}</td></tr>\n'
    table = f"""<table class="xxgk-table">
{label}<tr><th>索引号:</th><td>{INDEX}</td><th>文号:</th><td>无文号</td></tr>
<tr><th>发文日期:</th><td>{date}</td><th>发布机构:</th><td>{DEPARTMENT}</td></tr>
</table>"""
    text = "\n".join(f"<p>{html.escape(line)}</p>" for line in paragraphs)
    attachments = "".join(f'<p><a href="{f.href}" target="_blank">{html.escape(f.title)}</a></p>' for f in files)
    body = f"""<div class="site-name">{DEPARTMENT}</div>
<div class="gk-detail">{table}
<h1 class="detail-title">{html.escape(title)}</h1>
<div class="detail-info"><span>发布日期:{date}</span><ul class="detail-tools"><li>字号:
<a href="javascript:void(0)" onclick="setFont(18)">大</a><a href="javascript:void(0)" onclick="setFont(16)">中</a>
<a href="javascript:void(0)" onclick="setFont(14)">小</a></li><li>|</li>
<li><a href="javascript:void(0)" onclick="window.print()">打印</a></li></ul></div>
<div class="detail-content" id="zoom">
{text}
</div>
<div class="detail-files">附件：{attachments}</div></div>"""
    return page(f"{title}_{SITE}", SUBSITE_CRUMB, body, head)


def build(site: Site, state: int) -> None:
    title, lines = seed("002")
    report = Item(REPORT, title, "2024-01-18")
    district = [report, *filler(f"{DISTRICT_CHANNEL}doc_65b1e2a0c4d6e8f0a2b4c6d", 2, "博山区")]
    site.add(
        f"http://{HOST}{DISTRICT_CHANNEL}",
        html_page(channel_page(COLUMN, district, f'<a href="{DISTRICT_CHANNEL}">{COLUMN}</a>'), CHARSET),
    )
    department = [report, *filler(f"{SUBSITE_CHANNEL}doc_6597a3c1e5f7a9b1c3d5e7f", 3, "区科技局")]
    site.add(
        f"http://{HOST}{SUBSITE_CHANNEL}",
        html_page(channel_page(f"{DEPARTMENT}{COLUMN}", department, SUBSITE_CRUMB), CHARSET),
    )
    files = [Item(DOCX_PATH, f"{title}.docx"), Item(PDF_PATH, f"{title}.pdf")]
    site.add(f"http://{HOST}{REPORT}", html_page(article_page(title, lines, files, "2024-01-18"), CHARSET))
    site.add(f"http://{HOST}{DOCX_PATH}", file(bundled("rendered/report-002.docx"), DOCX))
    site.add(f"http://{HOST}{PDF_PATH}", file(bundled("rendered/report-002.pdf"), PDF))
