"""public.jinshui.gov.cn (郑州市金水区人民政府, no known family: the generic fallback). The article URL is the
one-off JEECMS-like shape portals.md §1 records, ``public.jinshui.gov.cn/D42Y/1509956.jhtml``: no family's
article pattern matches it, so the crawl finds the report by its title alone, in a list page of the same
``/D42Y/`` channel, with a DOCX copy attached.

Unverified (no saved page of the site was found): the list page's URL (``/D42Y/index.jhtml``) and markup,
the article's title and year, the attachment's path. Chrome follows what every portal of the other families
shows (无障碍/关怀版 bar, masthead, 当前位置 breadcrumb, 索引号/发布机构 table), with no family's fingerprint.
"""

from __future__ import annotations

import html

from replica.model import Site
from replica.sites.common import DOCX, file, filler, html_page, layout_report

HOST = "public.jinshui.gov.cn"
SITE = "郑州市金水区人民政府"
AGENCY = "郑州市金水区人民政府"
YEAR = 2022
TITLE = f"{AGENCY}{YEAR}年政府信息公开工作年度报告"
CHANNEL = "/D42Y/"
LIST = CHANNEL + "index.jhtml"
ARTICLE = CHANNEL + "1509956.jhtml"
DOCX_PATH = "/u/cms/www/202301/31094106kq7d.docx"


def _page(title: str, main: str) -> str:
    crumbs = f'<a href="/">首页</a> &gt; <a href="{LIST}">政府信息公开年报</a>'
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}-{SITE}政府信息公开平台</title>\n</head>\n<body>\n"
        '<div class="top"><span>欢迎访问郑州市金水区人民政府信息公开平台</span>'
        '<a href="javascript:;" id="wza">无障碍</a> <a href="javascript:;" id="ghb">关怀版</a></div>\n'
        f'<div class="banner"><h1>{SITE}</h1><p>政府信息公开</p></div>\n'
        f'<div class="location">当前位置：{crumbs}</div>\n{main}\n'
        '<div class="footer">主办：郑州市金水区人民政府办公室 网站标识码：4101050001 '
        '<a href="https://beian.miit.gov.cn/">豫ICP备05011036号</a></div>\n</body>\n</html>\n'
    )


def _list() -> str:
    items = [*filler(f"{CHANNEL}15099", 6, "金水区", ".jhtml"), None]
    rows = []
    for item in items:
        href, title, date = (ARTICLE, TITLE, "2023-01-31") if item is None else (item.href, item.title, item.date)
        rows.append(f'<li><a href="{href}" title="{html.escape(title)}">{html.escape(title)}</a><i>{date}</i></li>')
    return _page(
        "政府信息公开年报", '<div class="list"><h3>政府信息公开年报</h3><ul>\n' + "\n".join(rows) + "\n</ul></div>"
    )


def _article() -> str:
    body, _ = layout_report(AGENCY, YEAR, 410105)
    box = (
        '<table class="info"><tr><td>索引号：</td><td>11410105005253066T/2023-00031</td>'
        f"<td>发布机构：</td><td>{SITE}办公室</td></tr><tr><td>发布日期：</td><td>2023-01-31</td></tr></table>"
    )
    main = (
        f'{box}\n<div class="article"><h2>{TITLE}</h2>\n<div class="content">{body}</div>\n'
        f'<p>附件：<a href="{DOCX_PATH}">{TITLE}.docx</a></p></div>'
    )
    return _page(TITLE, main)


def build(site: Site, state: int) -> None:
    site.add(f"http://{HOST}{LIST}", html_page(_list()))
    site.add(f"http://{HOST}{ARTICLE}", html_page(_article()))
    site.add(f"http://{HOST}{DOCX_PATH}", file(layout_report(AGENCY, YEAR, 410105)[1], DOCX))
