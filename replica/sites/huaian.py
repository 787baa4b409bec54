"""www.huaian.gov.cn, on the 淮安 city platform (family ``huaian``): the 年报 column ``col/18073_668815``
(``index.html``, ``index_2.html``, sized by ``nsetpage``), and the city's real 2024 report at its real
URL (``col/4122_231438/art/17383392/17404450095975A5KfNzE.html``): the metadata table with spaced labels
(索 引 号 | 014289810/2025-00013 | 发布机构 …, 名 称 | title) and the real PDF, beside an oversized scan.
Markup: see tests/families/huaian/README.md for where each shape was seen.
"""

from __future__ import annotations

import html

from replica.model import Resource, Site
from replica.sites.common import OVERSIZED_BYTES, PDF, bundled, file, html_page
from replica.templates import Item

HOST = "www.huaian.gov.cn"
SITE = "淮安市人民政府"
TITLE = "淮安市人民政府2024年政府信息公开工作年度报告"
COLUMN = "/col/18073_668815/"
REPORT = "/col/4122_231438/art/17383392/17404450095975A5KfNzE.html"
REPORT_PDF = "/upload/2025-02/3f6c2a8e-5b1d-4c7a-9e24-8d0b6a1f7c35.pdf"
SCAN_PDF = "/upload/2025-02/b81e4d27-09c3-4f5a-a6e8-2c7d5f903b14.pdf"
#: The column's size as its pager script declares it, and its page size.
TOTAL, PER_PAGE = 23, 20
_OTHERS = [
    "淮安市政府信息公开指南",
    "关于印发淮安市2025年政务公开工作要点的通知",
    "淮安市人民政府办公室关于政府信息公开工作年度报告发布的说明",
    "淮安市政务公开工作领导小组成员名单",
    "淮安市政府信息公开申请表",
]


def build(site: Site, state: int) -> None:
    items = [Item(REPORT, TITLE, "2025-02-25"), *others(TOTAL - 1)]
    site.add(f"http://{HOST}{COLUMN}index.html", html_page(list_page(items[:PER_PAGE], 1)))
    site.add(f"http://{HOST}{COLUMN}index_2.html", html_page(list_page(items[PER_PAGE:], 2)))
    files = [Item(REPORT_PDF, f"{TITLE}.pdf"), Item(SCAN_PDF, "附件2：2024年政府信息公开统计表（扫描件）.pdf")]
    site.add(f"http://{HOST}{REPORT}", html_page(article_page(files)))
    site.add(f"http://{HOST}{REPORT_PDF}", file(bundled("real/huaian-2024.pdf"), PDF))
    site.add(f"http://{HOST}{SCAN_PDF}", Resource(behaviour="oversized", size=OVERSIZED_BYTES))


def others(count: int) -> list[Item]:
    """The column's other entries: guides, notices and notes whose titles name no report."""
    return [
        Item(
            f"{COLUMN}art/{17383392 - 86400 * (n + 1)}/{1740445009597 - 864000 * (n + 1)}Xq{n:02d}aBcD.html",
            f"{_OTHERS[n % len(_OTHERS)]}（{2024 - n // len(_OTHERS)}年）",
            f"{2025 - n // 12}-{12 - n % 12:02d}-15",
        )
        for n in range(count)
    ]


def _chrome(title: str, body: str, head: str = "") -> str:
    """A page of the city platform: 无障碍/关怀版 bar, header, 当前位置 breadcrumb, body, footer."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        f"<title>{html.escape(title)}_{SITE}</title>\n{head}</head>\n<body>\n"
        '<div class="top"><a href="javascript:void(0)" id="wza">无障碍</a> <a href="/ghb/">关怀版</a></div>\n'
        f'<div class="header"><a href="/">{SITE}</a></div>\n'
        f'<div class="dqwz">当前位置：<a href="/">首页</a> &gt; <a href="/col/2_2/index.html">政务公开</a> &gt; '
        f'<a href="{COLUMN}index.html">政府信息公开年报</a></div>\n{body}\n'
        f'<div class="footer">主办：{SITE}办公室 苏ICP备05000453号</div>\n</body></html>\n'
    )


def list_page(items: list[Item], page: int) -> str:
    """``div.list-lb ul li`` (``a[title]`` + date), drawn by script whose ``nsetpage`` call sizes the list;
    ``gotopage()`` jumps to the static ``index_<N>.html``."""
    rows = "".join(
        f'<li><a href="{item.href}" title="{html.escape(item.title)}" target="_blank">{html.escape(item.title)}</a>'
        f"<span>{item.date.replace('-', '/')}</span></li>\n"
        for item in items
    )
    pager = (
        '<div class="page" id="page"></div>\n'
        f'<script type="text/javascript">nsetpage({page}, {TOTAL}, {PER_PAGE}, "index", ".html");</script>'
    )
    return _chrome("政府信息公开年报", f'<div class="list-lb"><ul>\n{rows}</ul></div>\n{pager}')


def article_page(files: list[Item]) -> str:
    """The report page: the metadata table with spaced labels, the ``div.nr-bt`` title, ``#zoom`` text."""
    cells = [
        ("主题分类", "", "体裁分类", ""),
        ("索 引 号", "014289810/2025-00013", "发布机构", SITE),
        ("文 号", "", "公开日期", "2025-02-25"),
    ]
    rows = "".join(
        f"<tr><th>{a}</th><td>{html.escape(b)}</td><th>{c}</th><td>{html.escape(d)}</td></tr>" for a, b, c, d in cells
    )
    rows += f'<tr><th>名 称</th><td colspan="3">{TITLE}</td></tr><tr><th>关 键 词</th><td colspan="3"></td></tr>'
    links = "".join(f'<p><a href="{item.href}">{html.escape(item.title)}</a></p>' for item in files)
    body = (
        f'<table class="xxgk_table">{rows}</table>\n<div class="nr-bt">{TITLE}</div>\n'
        f'<div class="nr-sj">时间：2025-02-25</div>\n<div id="zoom"><p>现将{TITLE}予以公布。</p>{links}</div>'
    )
    head = f'<meta name="ArticleTitle" content="{TITLE}">\n<meta name="PubDate" content="2025-02-25 10:00">\n'
    return _chrome(TITLE, body, head)
