"""www.fuqing.gov.cn (福清市人民政府, TRS, Fujian): a "动静结合" report column whose later pages the
crawler cannot reach.

Real shapes (tests/families/trs/README.md): Fuzhou's county portals keep their columns under
``/xjwz/zwgk/<column>/`` with articles ``YYYYMM/tYYYYMMDD_ID.htm`` and files ``P0YYYY….pdf``
(fuqing.gov.cn/xjwz/zwgk/zcwjk/, fzja.gov.cn, mawei.gov.cn in public crawler data); the report
``…/zfxxgknb/202001/t20200108_3168256.htm`` (portals.md §1); Fujian TRS lists embed their first items
statically in ``<ul class="gl-ul">`` and load later pages through ``require(['list2.trsapi'])`` +
``listModel({maxStaticIndex, pagebar:{prepage, recordCount}})`` (public crawler of Fujian portals).
Served: the column's static page with 10 of its 20 records, the 2019 report among them; the list2.trsapi
service is not served (its answers' shape is unknown), so the column is read 10 of 20.
Unverified: the column path ``/xjwz/zwgk/zfxxgknb/`` (zcwjk's sibling), the report's title and year.
"""

from __future__ import annotations

import html
import random
import re

from replica import layouts
from replica.model import Site
from replica.sites.common import filler, html_page
from replica.templates import Item

HOST = "www.fuqing.gov.cn"
SITE = "福清市人民政府"
COLUMN = f"http://{HOST}/xjwz/zwgk/zfxxgknb/"
REPORT = "202001/t20200108_3168256.htm"
REPORT_TITLE = "福清市2019年政府信息公开工作年度报告"
#: What the column declares (recordCount) and what its static page holds.
RECORDS, STATIC = 20, 10


def build(site: Site, state: int) -> None:
    items = [
        *filler("./202303/t20230315_46112", 5, "政务", ".htm"),
        Item(f"./{REPORT}", REPORT_TITLE, "2020-01-08"),
        *filler("./201912/t20191220_31580", STATIC - 6, "政务", ".htm"),
    ]
    site.add(COLUMN, html_page(_list(items)))
    site.add(COLUMN + REPORT, html_page(_report()))


def _chrome(title: str, body: str, head: str = "") -> str:
    """A Fuzhou county TRS page: 无障碍/关怀版 bar, header, nav, 当前位置 breadcrumb, footer; require.js."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        f"<title>{html.escape(title)}_{SITE}</title>\n{head}"
        '<script src="/xjwz/images/require.js"></script></head>\n<body>\n'
        '<div class="top-bar"><a href="javascript:void(0);" class="wza">无障碍浏览</a>'
        '<a href="javascript:void(0);" class="ghb">关怀版</a><a href="/xjwz/">手机版</a></div>\n'
        '<div class="header"><img src="/xjwz/images/logo.png" alt="福清市人民政府"></div>\n'
        '<div class="nav"><a href="/">首页</a><a href="/xjwz/zwgk/">政务公开</a><a href="/xjwz/bsfw/">办事服务</a>'
        '<a href="/xjwz/hdjl/">互动交流</a></div>\n'
        '<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/xjwz/zwgk/">政务公开</a> &gt; '
        f'<a href="/xjwz/zwgk/zfxxgknb/">政府信息公开年报</a></div>\n{body}\n'
        '<div class="footer"><p>主办：福清市人民政府办公室 网站标识码：3501810001</p>'
        '<p><a href="https://beian.miit.gov.cn/">闽ICP备05000000号</a></p></div>\n</body></html>\n'
    )


def _list(items: list[Item]) -> str:
    """The static first page and the list2.trsapi template the browser fills with the later pages."""
    rows = "\n".join(
        f'<li><a href="{item.href}" title="{html.escape(item.title)}" target="_blank">'
        f'<span class="li-title">{html.escape(item.title)}</span><div class="li-btn">{item.date}</div></a></li>'
        for item in items
    )
    script = (
        "<script>require(['list2.trsapi'], function () {\n"
        f"  listModel({{maxStaticIndex: 0, pagebar: {{prepage: {STATIC}, recordCount: '{RECORDS}'}}}});\n"
        "});</script>"
    )
    template = '<li ms-repeat="list"><a ms-attr-href="el.url" ms-attr-title="el.title">{{el.title}}</a></li>'
    body = (
        f'<div class="main"><div class="gl-tit">政府信息公开年报</div><ul class="gl-ul">\n{rows}\n{template}\n</ul>'
        f'<div class="pagebar" id="pagebar"></div>{script}</div>'
    )
    return _chrome("政府信息公开年报", body)


def _report() -> str:
    """The report: Fujian's 索引号 table, the TRS_Editor body with the report (generated: its own bytes)."""
    record = layouts.random_record(random.Random("fuqing 2019"))
    rendered = layouts.render_html(record, layouts.Quirks(), SITE, 2019).decode("utf-8")
    text = re.search(r"<body>(.*)</body>", rendered, re.S)
    head = (
        f'<meta name="SiteName" content="{SITE}">\n<meta name="SiteDomain" content="{HOST}">\n'
        f'<meta name="ColumnName" content="政府信息公开年报">\n<meta name="ArticleTitle" content="{REPORT_TITLE}">\n'
        '<meta name="PubDate" content="2020-01-08 16:12">\n'
    )
    box = (
        '<table class="xxgk-info"><tr><td>索引号：</td><td>003561318/2020-00004</td><td>所属机构：</td>'
        f"<td>{SITE}办公室</td></tr><tr><td>所属主题：</td><td>综合政务</td><td>发文日期：</td><td>2020-01-08</td>"
        f"</tr><tr><td>标题：</td><td colspan='3'>{REPORT_TITLE}</td></tr></table>"
    )
    body = (
        f'<div class="main">{box}<div class="article"><h1>{REPORT_TITLE}</h1>'
        '<div class="article-info">发布时间：2020-01-08 16:12 来源：福清市人民政府办公室</div>'
        f'<div class="TRS_Editor">{text.group(1) if text else ""}</div></div></div>'
    )
    return _chrome(REPORT_TITLE, body, head)
