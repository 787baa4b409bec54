"""www.bengbu.gov.cn (蚌埠市人民政府, ``/public/`` xxgk platform): the 政府信息公开年报 column
``/public/column/25461?type=4&catId=6769721&action=list&nav=3`` is a shell whose list comes from the label API
``/site/label/8888?labelName=publicInfoList&…&dataType=html`` (17 items, 15 a page, pageCount 2); the
city's 2023 report on page 2 at the real URL shape ``/public/25461/45854211.html``, a wrapper page ("详见附件")
around a DOCX under the platform's ``/group6/M00/`` file store.
"""

from __future__ import annotations

import html

from replica.model import Answer, Call, Resource, Site
from replica.sites.common import DOCX, file, html_page, layout_report

HOST = "www.bengbu.gov.cn"
SITE = "蚌埠市人民政府"
TITLE = "蚌埠市人民政府2023年政府信息公开工作年度报告"
ORGAN, SITE_ID, CAT = "25461", "6795671", "6769721"
COLUMN = f"/public/column/{ORGAN}?type=4&catId={CAT}&action=list&nav=3"
ARTICLE = f"/public/{ORGAN}/45854211.html"
DOCX_PATH = "/group6/M00/0A/3C/wKgCFGXk1aSAXh3nAAE2uYc0QkE12.docx"
PAGE_SIZE = 15


def _page(title: str, crumbs: list[tuple[str, str]], main: str, head: str = "") -> str:
    """The platform's chrome: 无障碍/关怀版 bar, masthead, ``div.wzy_position`` breadcrumb, footer."""
    trail = " &gt; ".join(f'<a href="{html.escape(href)}">{html.escape(text)}</a>' for href, text in crumbs)
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}_{SITE}</title>\n{head}"
        '<link rel="stylesheet" href="/dist/css/xxgk.css">\n<script src="/assets/js/jquery.min.js"></script>\n'
        "</head>\n<body>\n"
        '<div class="topbar"><span>您好，欢迎来到蚌埠市人民政府网站！</span>'
        '<a href="javascript:void(0)" id="toolbarSwitch">无障碍</a> '
        '<a href="javascript:void(0)" class="ghb">关怀版</a></div>\n'
        '<div class="header"><a href="/"><img src="/dist/images/logo.png" alt="蚌埠市人民政府"></a></div>\n'
        '<div class="navbar"><a href="/">首页</a><a href="/public/column/25461?type=1">政府信息公开</a>'
        '<a href="/site/tpl/3631">政务服务</a></div>\n'
        f'<div class="wzy_position wza-region_nav">当前位置：{trail}</div>\n{main}\n'
        '<div class="footer">主办：蚌埠市人民政府办公室 网站标识码：3403000008 '
        '<a href="https://beian.miit.gov.cn/">皖ICP备05016523号</a></div>\n</body>\n</html>\n'
    )


CRUMBS = [("/", "首页"), (f"/public/column/{ORGAN}?type=1", "政府信息公开"), (COLUMN, "政府信息公开年报")]


def _column() -> str:
    script = (
        '<div class="xxgk_lmcon" id="xxgk_lmcon"></div>\n<script type="text/javascript">\n'
        "$(function () {\n  $.ajax({ url: '/site/label/8888', type: 'get', dataType: 'html',\n"
        f"    data: {{ IsAjax: 1, labelName: 'publicInfoList', siteId: '{SITE_ID}', pageSize: {PAGE_SIZE}, "
        f"pageIndex: 1, action: 'list', isDate: true, dateFormat: 'yyyy-MM-dd', length: 80, organId: '{ORGAN}', "
        f"type: 4, catId: '{CAT}', result: '暂无相关信息', file: '/xxgk/publicInfoList_newest2020' }},\n"
        "    success: function (html) { $('#xxgk_lmcon').html(html); } });\n});\n</script>"
    )
    main = (
        '<div class="xxgk_main"><div class="xxgk_left"><h3>信息公开目录</h3><ul>'
        f'<li><a href="/public/column/{ORGAN}?type=4&catId=6769711&action=list&nav=3">政府信息公开指南</a></li>'
        f'<li class="on"><a href="{html.escape(COLUMN)}">政府信息公开年报</a></li></ul></div>'
        f'<div class="xxgk_right"><div class="xxgk_title">政府信息公开年报</div>{script}</div></div>'
    )
    return _page("政府信息公开年报", CRUMBS, main)


def _records() -> list[tuple[str, str, str]]:
    notes = ["政府信息公开指南", "政府信息公开制度", "依申请公开流程", "政务公开工作要点"]
    rows = [
        (f"/public/{ORGAN}/458540{number:02d}.html", f"蚌埠市{notes[number % len(notes)]}（{number}）", "2024-01-10")
        for number in range(16)
    ]
    rows.insert(PAGE_SIZE + 1, (ARTICLE, TITLE, "2024-01-18"))
    return rows


def label_api(call: Call) -> Answer:
    """``/site/label/8888``: one page of the column's list as an HTML fragment with its pager script."""
    page = max(1, int(call.query.get("pageIndex", "1") or 1))
    rows = _records()
    count = (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE
    chosen = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    lis = "\n".join(
        f'<li><a href="{href}" target="_blank" title="{html.escape(title)}">{html.escape(title)}</a>'
        f'<span class="date">{date}</span></li>'
        for href, title, date in chosen
    )
    fragment = (
        f'<ul class="clearfix xxgk_nav_list">\n{lis}\n</ul>\n<div class="pagination" id="page_public_info"></div>\n'
        '<script type="text/javascript">\n$("#page_public_info").pagination({ '
        f"pageCount:{count}, current:{page}, jump:true, coping:true, homePage:'首页', endPage:'末页', "
        "prevContent:'上一页', nextContent:'下一页' });\n</script>"
    )
    return 200, fragment.encode("utf-8"), "text/html;charset=UTF-8"


def _article() -> str:
    meta = "".join(
        f'<meta name="{name}" content="{html.escape(value)}">\n'
        for name, value in (
            ("SiteName", SITE),
            ("ArticleTitle", TITLE),
            ("PubDate", "2024-01-18 16:20"),
            ("ContentSource", "蚌埠市人民政府办公室"),
        )
    )
    cells = [
        ("索引号", f"{ORGAN}/202401-00012", "信息分类", "政府信息公开年报"),
        ("发布机构", "蚌埠市人民政府办公室", "生成日期", "2024-01-18"),
        ("名称", TITLE, "", ""),
        ("文号", "", "有效性", "有效"),
    ]
    rows = "".join(
        f'<tr><th>{a}</th><td class="pmingcheng">{html.escape(b)}</td><th>{c}</th><td class="pmingcheng">{d}</td></tr>'
        for a, b, c, d in cells
    )
    main = (
        f'<div class="gk_main"><table class="table_suoyin hidden-xs">{rows}</table>\n'
        f'<h1 class="newstitle">{TITLE}</h1>\n'
        '<div class="gk_newsinfo"><div class="gk_newsinfo_left fl"><span>发布时间：2024-01-18 16:20</span>'
        "<span>来源：蚌埠市人民政府办公室</span></div></div>\n"
        '<div class="wzcon j-fontContent newscontnet minh300" id="zoom">'
        f"<p>现将{TITLE}予以公布，详见附件。</p>"
        f'<p>附件：<a href="{DOCX_PATH}" title="{TITLE}.docx">{TITLE}.docx</a></p></div></div>'
    )
    return _page(TITLE, [*CRUMBS, (ARTICLE, "正文")], main, head=meta)


def build(site: Site, state: int) -> None:
    base = f"http://{HOST}"
    site.add(base + COLUMN, html_page(_column()))
    site.add(base + "/site/label/8888", Resource(behaviour="api", api=label_api))
    site.add(base + ARTICLE, html_page(_article()))
    site.add(base + DOCX_PATH, file(layout_report("蚌埠市人民政府", 2023, 3403)[1], DOCX))
