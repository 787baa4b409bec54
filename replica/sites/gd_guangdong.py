"""gd_guangdong: 广东省人民政府's 政府信息公开目录 on www.gd.gov.cn, the gkmlpt shape: ``/gkmlpt/index`` is a
script app (``window._CONFIG`` with ``SID`` and the category ``TREE``) whose lists come only from the JSON API
``/gkmlpt/api/all/<category>?page=N&sid=2`` (10 a page); the report at the real URL of portals.md §1,
``/gkmlpt/content/4/4688/post_4688997.html`` (its text generated)."""

from __future__ import annotations

import html
import json
import random

from replica import layouts
from replica.model import Answer, Call, Resource, Site
from replica.sites.common import html_page

HOST = "www.gd.gov.cn"
SITE = "广东省人民政府门户网站"
AGENCY, YEAR = "广东省人民政府", 2024
SID, CATEGORY, PER_PAGE = "2", 4688, 10
REPORT = "/gkmlpt/content/4/4688/post_4688997.html"
TREE = [
    {"id": 1, "name": "机构职能", "post_count": 12, "children": []},
    {"id": CATEGORY, "name": "政府信息公开年报", "post_count": 13, "children": []},
    {"id": 7, "name": "政策解读", "jump_url": "/zwgk/zcjd/", "children": []},
]


def _chrome(title: str, body: str, head: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)} - {SITE}</title>'
        f'<meta name="SiteName" content="{SITE}"><meta name="SiteDomain" content="{HOST}">{head}</head><body>\n'
        '<div class="gkml-top"><a href="javascript:void(0)" id="cniil_wza">无障碍</a> '
        '<a href="javascript:void(0)" class="care-mode">关怀版</a></div>\n'
        '<div class="header"><a href="/"><img src="/gkmlpt/gkml/pc/img/logo.png" alt="广东省人民政府"></a></div>\n'
        f'{body}\n<div class="footer">主办：广东省人民政府办公厅 <a href="https://beian.miit.gov.cn/">粤ICP备05070829号</a>'
        "</div>\n</body></html>\n"
    )


def _index() -> str:
    config = (
        f"<script>\n  window._CONFIG = {{\n    SID: '{SID}',\n    SITE_NAME: '{SITE}',\n"
        f"    TREE: {json.dumps(TREE, ensure_ascii=False)},\n"
        "    SERVICE_AREA_ID: 440000,\n    ROOT_URL: '/gkmlpt/'\n  }\n"
        '</script>\n<script src="/gkmlpt/gkml/pc/js/chunk-vendors.js"></script>\n'
        '<script src="/gkmlpt/gkml/pc/js/index.js"></script>'
    )
    return _chrome("政府信息公开目录", f'<div id="app"></div>\n{config}')


def _articles() -> list[dict[str, object]]:
    report = {"id": 4688997, "title": f"{AGENCY}{YEAR}年政府信息公开工作年度报告", "url": f"http://{HOST}{REPORT}"}
    others = [
        {
            "id": 4688900 + n,
            "title": f"广东省政务公开工作动态（第{n + 1}期）",
            "url": f"http://{HOST}/gkmlpt/content/4/4688/post_46889{n:02d}.html",
        }
        for n in range(12)
    ]
    return [*others[:11], report, others[11]]  # the report sits on page 2


def _api(call: Call) -> Answer:
    """``/gkmlpt/api/all/<category>``: one page of the category, ``total`` and ``classify.post_count``."""
    if call.query.get("sid") != SID:
        return 200, b'{"total": 0, "articles": []}', "application/json"
    page = max(1, int(call.query.get("page", "1") or 1))
    articles = _articles()
    chosen = articles[(page - 1) * PER_PAGE : page * PER_PAGE]
    answer = {"total": len(articles), "articles": chosen, "classify": {"id": CATEGORY, "post_count": len(articles)}}
    return 200, json.dumps(answer, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8"


def _report() -> str:
    title = f"{AGENCY}{YEAR}年政府信息公开工作年度报告"
    labels = [
        ("索引号", "006939748/2025-00123"), ("分类", "政府信息公开年报"), ("发布机构", "广东省人民政府办公厅"),
        ("成文日期", "2025-03-28"), ("名称", title), ("文号", ""), ("发布日期", "2025-03-28"), ("主题词", ""),
    ]  # fmt: skip
    rows = "".join(
        f'<tr><td class="td-label">{label}：</td><td class="td-value"><span>{html.escape(value)}</span></td></tr>'
        for label, value in labels
    )
    text = layouts.render_text(layouts.random_record(random.Random(440000)), "tabs", layouts.Quirks(), AGENCY, YEAR)
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines())
    body = (
        '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/gkmlpt/index">政府信息公开目录</a> &gt; '
        f'<a href="/gkmlpt/index#{CATEGORY}">政府信息公开年报</a></div>\n<div class="content-container">'
        f'<table class="classify"><tbody>{rows}</tbody></table>\n<div class="article-content">{paragraphs}</div></div>'
    )
    head = f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2025-03-28 16:30">'
    return _chrome(title, body, head)


def build(site: Site, state: int) -> None:
    site.add(f"http://{HOST}/gkmlpt/index", html_page(_index()))
    site.add(f"http://{HOST}/gkmlpt/api/all/{CATEGORY}", Resource(behaviour="api", api=_api))
    site.add(f"http://{HOST}{REPORT}", html_page(_report()))
