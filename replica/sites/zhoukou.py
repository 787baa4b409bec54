"""www.zhoukou.gov.cn, on the Henan intensive platform (family ``sitesources``): the 年报 tree
``…/page_pc/zwgk/gkznhml/zfxxgknb/`` by year (``2022n/``) and group (``szbm/`` 市直部门, ``szf/`` 市政府), lists
``list1.html``/``list2.html`` paged by ``script.json``, and seed 001 (周口市科技局2022年…) as a wrapper page
("详见附件") with its DOC and PDF.

Faults kept here: a report page answering 200 with only an anti-bot challenge, a report page slower than
the timeout, and two off-site copies (a mirror host, a www.gov.cn /gate/big5/ gateway) in the list.
``2023n/szf/list1.html`` is an empty list (the report not yet published). Markup: see
tests/families/sitesources/README.md for where each shape was seen.
"""

from __future__ import annotations

import html

from replica import templates
from replica.model import Resource, Site
from replica.sites.common import DOC, PDF, bundled, file, html_page, seed
from replica.templates import Item

HOST = "www.zhoukou.gov.cn"
SITE = "周口市人民政府"
SITE_PATH = "/sitesources/zksrmzf/page_pc/"
NIANBAO = f"{SITE_PATH}zwgk/gkznhml/zfxxgknb/"
ROOT = f"http://{HOST}{NIANBAO}"
#: The seed report and the two faulty report pages, in the 2022 department list.
SEED_ARTICLE = "2022n/szbm/articleB3E1C0A94D8F4E2B9A7C6D5E4F3A2B10.html"
CHALLENGE_ARTICLE = "2022n/szbm/article5C0D9E8F7A6B4C3D2E1F0A9B8C7D6E5F.html"
SLOW_ARTICLE = "2022n/szbm/articleE7F6A5B4C3D24E1F9A8B7C6D5E4F3A21.html"
MIRROR = f"http://www.zhoukou.gov.cn.zfxxgk-mirror.com{NIANBAO}{SEED_ARTICLE}"
GATEWAY = f"http://www.gov.cn/gate/big5/{HOST}{NIANBAO}{SEED_ARTICLE}"
DOC_FILE = "/uploadfiles/2023/01/30/20230130101231824.doc"
PDF_FILE = "/uploadfiles/2023/01/30/20230130101232517.pdf"


def build(site: Site, state: int) -> None:
    title, _ = seed("001")
    site.add(
        ROOT + "index.html",
        html_page(column_page("政府信息公开年报", [("2023n/index.html", "2023年"), ("2022n/index.html", "2022年")])),
    )
    site.add(ROOT + "2023n/index.html", html_page(column_page("2023年", [("szf/list1.html", "市政府")])))
    site.add(ROOT + "2023n/szf/list1.html", html_page(list_page("市政府", [])))
    site.add(ROOT + "2023n/szf/script.json", script_json(1))
    site.add(ROOT + "2022n/index.html", html_page(column_page("2022年", [("szbm/list1.html", "市直部门")])))
    site.add(ROOT + "2022n/szbm/list1.html", html_page(list_page("市直部门", first_page(title))))
    site.add(ROOT + "2022n/szbm/list2.html", html_page(list_page("市直部门", second_page())))
    site.add(ROOT + "2022n/szbm/script.json", script_json(2))
    files = [Item(DOC_FILE, f"{title}.doc"), Item(PDF_FILE, f"{title}.pdf")]
    site.add(ROOT + SEED_ARTICLE, html_page(article_page(title, "周口市科技局", "2023-01-30 10:12:31", files)))
    site.add(f"http://{HOST}{DOC_FILE}", file(bundled("rendered/report-001.doc"), DOC))
    site.add(f"http://{HOST}{PDF_FILE}", file(bundled("rendered/report-001.pdf"), PDF))
    site.add(ROOT + CHALLENGE_ARTICLE, Resource(body=templates.challenge()))
    site.add(ROOT + SLOW_ARTICLE, Resource(behaviour="slow", body=b"<html><body>late</body></html>"))


def first_page(title: str) -> list[Item]:
    """Page 1 of the 2022 department list: the seed, two faulty reports, two off-site copies, notices."""
    return [
        Item(SEED_ARTICLE, title, "2023-01-30"),
        Item(CHALLENGE_ARTICLE, "周口市教育局2022年政府信息公开工作年度报告", "2023-01-28"),
        Item(SLOW_ARTICLE, "周口市统计局2022年政府信息公开工作年度报告", "2023-01-27"),
        Item(GATEWAY, f"{title}（繁體）", "2023-01-30"),
        Item(MIRROR, f"{title}（镜像）", "2023-01-30"),
        Item(
            "2022n/szbm/article0A1B2C3D4E5F40718293A4B5C6D7E8F9.html",
            "关于做好2022年度政府信息公开工作年度报告编制发布工作的通知",
            "2023-01-05",
        ),
    ]


def second_page() -> list[Item]:
    return [
        Item(
            "2022n/szbm/article9F8E7D6C5B4A43219F8E7D6C5B4A4321.html",
            "周口市政府信息公开工作年度报告发布情况说明",
            "2023-01-04",
        ),
        Item("2022n/szbm/article1234ABCD5678EF901234ABCD5678EF90.html", "市直部门政务公开工作推进会召开", "2023-01-03"),
    ]


def script_json(end_page: int) -> Resource:
    """The column's pager data: its page count (``endPage``, what the platform's pager script reads)."""
    return Resource(body=f'{{"endPage":{end_page}}}'.encode(), content_type="application/json;charset=UTF-8")


def _chrome(title: str, crumbs: list[tuple[str, str]], body: str, head: str = "") -> str:
    """A page of the platform: 无障碍/关怀版 bar, site header, breadcrumb (当前位置), body, footer."""
    trail = " &gt; ".join(f'<a href="{href}">{html.escape(text)}</a>' for href, text in crumbs)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        f"<title>{html.escape(title)}_{SITE}</title>\n{head}"
        f'<script src="{SITE_PATH}js/jquery.min.js"></script></head>\n<body>\n'
        '<div class="hap_topBar"><a href="javascript:void(0)" id="wza">无障碍</a> '
        '<a href="javascript:void(0)" id="ghb">关怀版</a></div>\n'
        f'<div class="hap_header"><a href="{SITE_PATH}index.html">{SITE}</a></div>\n'
        f'<div class="hap_position">当前位置：<a href="{SITE_PATH}index.html">首页</a> &gt; {trail}</div>\n'
        f"{body}\n"
        f'<div class="hap_footer">主办：{SITE}办公室 豫ICP备05017462号</div>\n</body></html>\n'
    )


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(f"{SITE_PATH}zwgk/index.html", "政务公开"), (f"{NIANBAO}index.html", "政府信息公开年报"), *extra]


def column_page(title: str, subs: list[tuple[str, str]]) -> str:
    """A column front page: its sub-columns (years, then groups) as a left menu, no list of its own."""
    links = "".join(f'<li><a href="{href}">{html.escape(text)}</a></li>' for href, text in subs)
    body = f'<div class="hap_leftNav"><h3>{html.escape(title)}</h3><ul>{links}</ul></div>'
    return _chrome(title, _crumbs(), body)


def list_page(title: str, items: list[Item]) -> str:
    """A list page: ``div.hap_infoBox`` of ``div.hap_infoOne`` (link + ``span.hap_infoDate``) and the pager
    that the platform's script fills from the column's ``script.json``."""
    rows = "".join(
        f'<div class="hap_infoOne"><a href="{_href(item.href)}" target="_blank" title="{html.escape(item.title)}">'
        f'{html.escape(item.title)}</a><span class="hap_infoDate">[{item.date}]</span></div>\n'
        for item in items
    )
    body = (
        f'<div class="hap_listTit">{html.escape(title)}</div>\n<div class="hap_infoBox">\n{rows}</div>\n'
        '<div class="hap_page" id="page"></div>\n'
        '<script>$.getJSON("script.json", function (data) { hapPage("page", data.endPage); });</script>'
    )
    return _chrome(title, _crumbs(), body)


def _href(href: str) -> str:
    return href if href.startswith("http") else NIANBAO + href


def article_page(title: str, source: str, time: str, files: list[Item]) -> str:
    """An article: national meta tags, ``.hap_xq_tit``, ``.hap_xq_data`` (来源 / 时间 / 访问量), 字体大小 and
    打印 tools, ``.hap_xq_content`` with the attachments ("详见附件")."""
    head = "".join(
        f'<meta name="{name}" content="{html.escape(value)}">\n'
        for name, value in (("SiteName", SITE), ("ColumnName", "市直部门"), ("ArticleTitle", title), ("PubDate", time))
    )
    attachments = "".join(f'<p><a href="{item.href}">{html.escape(item.title)}</a></p>' for item in files)
    body = (
        f'<div class="hap_xq"><div class="hap_xq_tit">{html.escape(title)}</div>\n'
        f'<div class="hap_xq_data"><span>来源: {html.escape(source)}</span><span>时间: {time}</span>'
        "<span>访问量:0</span></div>\n"
        '<div class="hap_xq_tool">字体大小[<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中</a> '
        '<a href="javascript:void(0)">小</a>] <a href="javascript:window.print()">打印</a> 分享:</div>\n'
        f'<div class="hap_xq_content"><p>{html.escape(title)}详见附件。</p>\n<p>附件：</p>{attachments}</div></div>'
    )
    return _chrome(title, _crumbs((f"{NIANBAO}2022n/index.html", "2022年")), body, head)
