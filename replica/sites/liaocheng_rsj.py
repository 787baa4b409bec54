"""rsj.liaocheng.gov.cn (聊城市人力资源和社会保障局) on the Shandong intensive platform: one agency with
three years of reports (2021, 2022, 2023), so that the demo archive has a body to compare across years
(the compare page, ``/-/compare``) and cross-year checks that run.

Seen on a real page: the bureau's 2020 report at
``rsj.liaocheng.gov.cn/channel_l_srsjchannel201911221748522677536714/doc_64490ed381b21bb8b8a79a92.html``
(a stored public page): its 年报 channel id and the ``doc_<ObjectId>`` shape, the same platform as
kjj.liaocheng.gov.cn (liaocheng_kjj.py). Made for the demo: the list page (one page, ``共 N 条``), the
2021–2023 articles' ids and dates, and every number of the three reports, generated here with the report
form (replica.layouts renders them) and chained as a real bureau's would be: each year's 上年结转 is the
last year's 结转下年度 and its 现行有效 规范性文件 last year's plus this year's issued less repealed —
except 2023, which carries in two applications of 自然人 more than 2022 carried out (a slip real reports
make), so that ``cross_year.carry_over`` fails there and passes in 2022. The 2023 report is also a DOCX
attachment of its page (one report, two files).
"""

from __future__ import annotations

import html
import random
from typing import Any

from parsers.form import RESULT_KEYS, T3_KEYS, T4_KEYS
from replica import layouts
from replica.model import Site
from replica.sites.common import DOCX, file, filler, html_page
from replica.templates import Item

HOST = "rsj.liaocheng.gov.cn"
AGENCY = "聊城市人力资源和社会保障局"
COLUMN = "政府信息公开年报"
#: The 年报 list channel, as the 2020 report's real URL names it.
CHANNEL = "/channel_l_srsjchannel201911221748522677536714"
YEARS = (2021, 2022, 2023)
#: Each year's article: ObjectId (its first 8 hex digits: the publication time) and publication date.
ARTICLES = {
    2021: ("61ee0af0d3a1c54e9b7f2a31", "2022-01-24"),
    2022: ("63c7a250e8b4f06d1c3a9b52", "2023-01-18"),
    2023: ("65a9d098f1c2e37a4d6b8c13", "2024-01-19"),
}
DOCX_PATH = "/resources/public/20240119/65a9d0a2b7e4c81f3a5d9e60.docx"
#: Applications of 自然人 that 2023 carries in beyond what 2022 carried out (the cross-year slip).
SLIP = 2
SEED = 371500


def report_url(year: int) -> str:
    return f"http://{HOST}{CHANNEL}/doc_{ARTICLES[year][0]}.html"


def title(year: int) -> str:
    return f"{AGENCY}{year}年政府信息公开工作年度报告"


# -- the reports' numbers -----------------------------------------------------------------------------------

#: How a year's processed applications are decided, by weight: mostly granted; some the bureau does not
#: hold; a few petitions and partly granted (人社 questions are mostly about one's own pension or file).
_OUTCOMES = {
    "granted": 60,
    "partially_granted": 8,
    "unavailable_not_held": 18,
    "unavailable_needs_creation": 3,
    "denied_third_party_rights": 3,
    "refused_petition": 5,
    "refused_duplicate": 2,
    "other_other": 1,
}


def _applications(rng: random.Random, carried_in: list[int]) -> dict[str, list[int]]:
    """Table 三 of one year: applications mostly from 自然人, a few from companies and law firms; each
    column balances (received + carried in = processed + carried out), 总计 sums the six columns."""
    new = [rng.randint(18, 42), rng.randint(0, 4), 0, rng.choice([0, 0, 1]), rng.randint(0, 3), 0]
    columns: list[dict[str, int]] = []
    for received, came_in in zip(new, carried_in, strict=True):
        out = min(received + came_in, rng.choice([0, 0, 1, 2]))
        results = dict.fromkeys(RESULT_KEYS, 0)
        for _ in range(received + came_in - out):
            results[rng.choices(list(_OUTCOMES), weights=list(_OUTCOMES.values()))[0]] += 1
        column = {"new_received": received, "carried_over_in": came_in, **results, "carried_over_out": out}
        column["total_processed"] = sum(results.values())
        columns.append(column)
    table = {key: [column[key] for column in columns] for key in T3_KEYS}
    return {key: [*values, sum(values)] for key, values in table.items()}


def _review(rng: random.Random) -> dict[str, list[int]]:
    """Table 四: a review or two a year, a lawsuit now and then."""
    rows = {}
    for key, most in zip(T4_KEYS, (2, 1, 0), strict=True):
        parts = [rng.randint(0, most), rng.choice([0, 0, min(most, 1)]), 0, rng.choice([0, min(most, 1)])]
        rows[key] = [*parts, sum(parts)]
    return rows


def _active(rng: random.Random, in_force_before: int) -> dict[str, Any]:
    """Table 二 (2021 form): no 规章 (a city bureau makes none), a few 规范性文件 a year, licences, fines."""
    issued, repealed = rng.randint(1, 4), rng.randint(0, 2)
    repealed = min(repealed, in_force_before + issued)
    return {
        "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {
            "issued": issued,
            "repealed": repealed,
            "in_force": in_force_before + issued - repealed,
        },
        "licensing": rng.randint(120, 480),
        "punishment": rng.randint(0, 12),
        "coercion": 0,
        "fees_10k_yuan": 0,
    }


def records() -> dict[int, dict[str, Any]]:
    """The three years' tables (``replica.layouts`` records), each year chained to the one before."""
    rng = random.Random(SEED)
    series: dict[int, dict[str, Any]] = {}
    carried, in_force = [rng.randint(0, 2), 0, 0, 0, rng.choice([0, 1]), 0], rng.randint(8, 15)
    for year in YEARS:
        if year == YEARS[-1]:
            carried = [carried[0] + SLIP, *carried[1:]]
        applications = _applications(rng, carried)
        active = _active(rng, in_force)
        series[year] = {"active_disclosure": active, "applications": applications, "review_litigation": _review(rng)}
        carried = applications["carried_over_out"][:6]
        in_force = active["normative_documents"]["in_force"]
    return series


def _report_body(year: int, record: dict[str, Any]) -> str:
    """The report's intro and tables as the article's HTML (no <html> wrapper)."""
    page = layouts.render_html(record, layouts.Quirks(), AGENCY, year).decode("utf-8")
    return page.split("<body>", 1)[1].rsplit("</body>", 1)[0]


# -- the pages ----------------------------------------------------------------------------------------------


def _page(page_title: str, body: str, head: str = "") -> str:
    """The bureau site's chrome on the platform (as kjj.liaocheng.gov.cn's): bar, header, nav, crumb, footer."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="SiteName" content="{AGENCY}">
<meta name="SiteDomain" content="{HOST}">
<meta name="ColumnName" content="{COLUMN}">
{head}<title>{html.escape(page_title)}</title></head>
<body>
<div class="top-bar"><span>欢迎访问{AGENCY}网站</span>
<a href="javascript:void(0)" id="cniil_wza">无障碍阅读</a> <a href="javascript:void(0)">关怀版</a>
<a href="/">返回首页</a></div>
<div class="nav"><a href="/">首页</a> <a href="/channel_lc_srsjchannel201911221748269874512036">政府信息公开</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{CHANNEL}">{COLUMN}</a></div>
{body}
<div class="footer"><p>主办单位：{AGENCY}　地址：聊城市东昌府区东昌东路1号</p><p>网站标识码：3715000039</p></div>
</body></html>
"""


def _channel_page(items: list[Item]) -> str:
    lis = "\n".join(
        f'<li><a href="{item.href}" target="_blank" title="{html.escape(item.title)}">{html.escape(item.title)}</a>'
        f'<span class="date">{item.date}</span></li>'
        for item in items
    )
    pager = f'<div class="page">共 {len(items)} 条</div>'
    body = f'<div class="main"><h2>{COLUMN}</h2>\n<ul class="list">\n{lis}\n</ul>\n{pager}</div>'
    return _page(f"{COLUMN}_{AGENCY}", body)


def _article_page(year: int, body: str, files: list[Item]) -> str:
    name, date = title(year), ARTICLES[year][1]
    head = f'<meta name="ArticleTitle" content="{html.escape(name)}">\n<meta name="PubDate" content="{date} 09:30">\n'
    attachments = "".join(f'<li><a href="{f.href}" target="_blank">{html.escape(f.title)}</a></li>' for f in files)
    article = (
        f'<div class="main"><div class="xxgk-title">{html.escape(name)}</div>\n'
        f'<ul class="xxgk-info"><li title="发布日期">{date}</li><li title="发布机构">{AGENCY}</li></ul>\n'
        f'<div class="article"><h1 class="art-title">{html.escape(name)}</h1>\n'
        f'<div class="art-tool">字号：<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中</a>'
        f' <a href="javascript:void(0)">小</a></div>\n<div class="art-con" id="zoom">\n{body}\n</div>\n'
        f'<div class="art-file"><ul>{attachments}</ul></div></div></div>'
    )
    return _page(f"{name}_{AGENCY}", article, head)


def build(site: Site, state: int) -> None:
    series = records()
    reports = [Item(f"{CHANNEL}/doc_{ARTICLES[year][0]}.html", title(year), ARTICLES[year][1]) for year in YEARS]
    items = [*filler(f"{CHANNEL}/doc_65e67ca0a1b2c3d4e5f6a7b", 4, "人社"), *reversed(reports)]
    site.add(f"http://{HOST}{CHANNEL}", html_page(_channel_page(items)))
    docx = Item(DOCX_PATH, f"{title(2023)}.docx")
    for year in YEARS:
        files = [docx] if year == 2023 else []
        site.add(report_url(year), html_page(_article_page(year, _report_body(year, series[year]), files)))
    site.add(f"http://{HOST}{DOCX_PATH}", file(layouts.render_docx(series[2023], layouts.Quirks(), AGENCY, 2023), DOCX))
