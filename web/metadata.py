"""Datasette metadata for an archive: titles and descriptions in Chinese and English, facets, column
descriptions (units: 万元), hidden plumbing tables, the canned queries and the charts.

The canned queries hide their SQL (``hide_sql``: people who never write SQL see a form and a table; "Show
SQL" is one click away). The ranked ``search`` query calls ``nianbao_search(q)``, which the plugin
registers on every connection: it runs ``archive.search.search`` (the semantics of ``nianbao search``) and
returns its hits as JSON; its ``relevance`` is each hit's BM25 score as a percentage of the best hit's (the
raw score, a small float like 0.00000189, means nothing to a reader). ``nianbao_spellings(name)`` (every
name of the agency, archive/aliases.py) lets the agency series and the charts find a body under its short
and full names.

Charts: datasette-dashboards (``dashboards``), served at ``/-/dashboards/charts``. Why this plugin, of the
three the issue names: it is maintained (0.8.0, November 2025) and runs on the Datasette we pin (0.65;
datasette-plot requires a Datasette 1.0 alpha in every release: ``>=1.0a6``, then ``==1.0a19``); it draws
charts defined in metadata from SQL, where datasette-vega (0.6.2) and datasette-plot are chart builders a
user clicks through on each table page; and it ships Vega, Vega-Lite and Vega-Embed in its own static
files, so the charts work offline: no CDN is asked for anything (tests/test_browser.py checks every file
the page loads).
"""

from __future__ import annotations

from typing import Any

from datasette.utils import tilde_encode
from markupsafe import escape

TOTALS = "总计 column of table 三 (applications) or 四 (review and litigation)"

BROWSE_COLUMNS = {
    "id": "报告编号 report id — opens the report page",
    "title": "标题 title",
    "agency": "发布机关 agency, as the title names it",
    "year": "报告年度 the year the report covers",
    "province": "省 province",
    "city": "市 city",
    "county": "县区 county",
    "format": "表格格式 table format: 2021, 2019 or legacy",
    "check_status": (
        "检查状态 status: pass 通过; fail 未通过; incomplete 统计表缺失或空白 (tables missing or blank, "
        "nothing to check); not_a_report 非年报 (a notice, letter, blank form or comparison of years); unparsed"
    ),
    "failed_checks": "未通过的检查 the checks this report fails",
    "new_received": f"本年新收申请 applications received — {TOTALS}",
    "carried_over_in": f"上年结转 carried over from last year — {TOTALS}",
    "granted": f"予以公开 granted — {TOTALS}",
    "denied": f"不予公开 denied (the eight reasons together) — {TOTALS}",
    "carried_over_out": f"结转下年度继续办理 carried over to next year — {TOTALS}",
    "review": f"行政复议 administrative reviews — {TOTALS}",
    "litigation": f"行政诉讼 lawsuits (direct and after review) — {TOTALS}",
    "fees_10k_yuan": "行政事业性收费 fees charged, in 万元 (10,000 yuan)",
    "signed_date": "成文日期 the date the report is signed",
    "files": "文件数 files (PDF, DOCX, HTML…) archived for the report",
    "document_id": "主文件 the primary document (documents table)",
    "created_at": "收录时间 when the report entered the archive",
}

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "search": {
        "hide_sql": True,
        "title": "全文检索 Search, best match first",
        "description": (
            "与 nianbao search 相同：任意长度、精确匹配、按相关度排序、高亮摘要。多个词须同时出现，"
            '"引号" 内为一个词，-词 表示排除。 Same as `nianbao search`: exact, ranked, highlighted; '
            'several terms must all appear, a "quoted phrase" is one term, -TERM leaves out reports with it. '
            "relevance 相关度: the BM25 score as a % of the best match's (blank when listed newest first). The "
            "first 100 matches (one page); every match: the search box of Browse reports."
        ),
        "sql": """SELECT json_extract(h.value, '$.id') AS report_id, b.title, b.agency, b.year, b.province,
       b.city, b.county, b.check_status,
       CAST(round(100.0 * json_extract(h.value, '$.score') / max(json_extract(h.value, '$.score')) OVER ())
            AS INTEGER) AS relevance,
       json_extract(h.value, '$.snippet') AS snippet, json_extract(h.value, '$.highlights') AS highlights
FROM json_each(nianbao_search(:q)) h JOIN browse b ON b.id = json_extract(h.value, '$.id')
ORDER BY h.key""",
    },
    "check_summary": {
        "hide_sql": True,
        "title": "检查汇总 Checks: how many reports pass, fail, skip, are incomplete",
        # Counted by (status, name) from the record_checks_failed index first, reading each check once, with
        # each report's primary document as a set (not a join per check: 535 ms → 143 ms at 100,000 reports).
        "sql": """SELECT name AS check_name, sum(n * (status = 'fail')) AS fail, sum(n * (status = 'pass')) AS pass,
       sum(n * (status = 'skip')) AS skip, sum(n * (status = 'incomplete')) AS incomplete
FROM (SELECT status, name, count(*) AS n FROM record_checks
      WHERE +document_id IN (SELECT primary_document_id FROM reports) GROUP BY status, name)
GROUP BY name ORDER BY name""",
    },
    "failed_checks": {
        "hide_sql": True,
        "title": "未通过检查的报告 Reports failing a check",
        "description": (
            "未通过检查的报告，最新年度在前，每份报告的未通过检查及等式两边的数值；check 留空为全部。 Reports "
            "newest year first, each with the checks it fails and both sides of the equation; leave check empty "
            "for all (applications.balance, applications.total_processed, applications.column_total, "
            "review_litigation.total, signed_date.after_period, title.year, cross_year.carry_over, "
            "cross_year.in_force)."
        ),
        # Reports in the order of the browse_report index (year DESC, id, document_id), each one's failed checks
        # by primary key, so that the first page (Datasette reads 1,001 rows) is read without a sort whatever
        # fails how often; one check's failing documents are a set from the record_checks_failed index. (By
        # check first, every failure was sorted: 3 s, HTTP 400 at 50,000 reports; now ≤ 25 ms at 100,000.)
        "sql": """SELECT b.id AS report_id, b.title, b.agency, b.year, b.province, b.city, c.name AS check_name,
       c.details AS failures
FROM browse b CROSS JOIN record_checks c ON c.document_id = b.document_id
WHERE (:check = '' OR b.document_id IN (SELECT document_id FROM record_checks WHERE status = 'fail' AND name = :check))
  AND c.status = 'fail' AND (:check = '' OR c.name = :check) AND b.check_status != 'not_a_report'
ORDER BY b.year DESC, b.id, c.name""",
    },
    "agency_series": {
        "hide_sql": True,
        "title": "机关历年报告 One agency across years, with the cross-year checks",
        "description": (
            "同一机关各年度的报告与跨年度检查（上年结转 = 上年结转下年度；现行有效件数）。简称、全称均可"
            "（聊城市科技局 = 聊城市科学技术局）。 One agency's reports year by year: carried in against last "
            "year's carried out, documents in force; its short or full name finds it. Side by side, cell by "
            "cell: the compare page (历年对比, linked from every report page)."
        ),
        "sql": """SELECT b.agency, b.year, b.id AS report_id, b.title, b.carried_over_in, b.carried_over_out,
       b.new_received,
       (SELECT status FROM record_checks WHERE document_id = b.document_id AND name = 'cross_year.carry_over')
           AS carry_over_check,
       (SELECT status FROM record_checks WHERE document_id = b.document_id AND name = 'cross_year.in_force')
           AS in_force_check,
       (SELECT json_group_array(json(f.value)) FROM record_checks c, json_each(c.details) f
        WHERE c.document_id = b.document_id AND c.name GLOB 'cross_year.*' AND c.status = 'fail') AS failures
FROM browse b WHERE b.agency IS NOT NULL
  AND (:agency = '' OR b.agency IN (SELECT value FROM json_each(nianbao_spellings(:agency))))
ORDER BY b.agency, b.year""",
    },
    "application_totals": {
        "hide_sql": True,
        "title": "申请办理汇总 Applications by province, city and year",
        "description": (
            "新收、予以公开、不予公开、行政复议、行政诉讼（表三、表四的总计列）按省、市、年度汇总；"
            "province、city 留空为全部。 Totals of the 总计 columns; with_tables counts the reports whose tables "
            "were read."
        ),
        "sql": """SELECT province, city, year, count(*) AS reports, count(new_received) AS with_tables,
       sum(new_received) AS new_received, sum(granted) AS granted, sum(denied) AS denied,
       sum(review) AS review, sum(litigation) AS litigation
FROM browse
WHERE year IS NOT NULL AND (:province = '' OR province = :province) AND (:city = '' OR city = :city)
GROUP BY province, city, year ORDER BY province, city, year""",
    },
    "runs_history": {
        "hide_sql": True,
        "title": "运行记录 Import and crawl runs, with their failures",
        "sql": """SELECT r.id AS run_id, r.kind, r.started_at, r.finished_at, r.status, r.new, r.changed,
       r.duplicate, r.failed, f.url AS failed_url, f.reason AS failure
FROM runs r LEFT JOIN failures f ON f.run_id = r.id
ORDER BY r.id DESC, f.id""",
    },
}

#: The pages the plugins add: the charts (datasette-dashboards, ``dashboards``) and the compare page.
CHARTS_PATH = "/-/dashboards/charts"
COMPARE_PATH = "/-/compare"
#: The facet type joining an agency's names (``facets.AgencyFacet``), and the table argument it toggles.
AGENCY_FACET = "aliases"
AGENCY_ARGUMENT = "_agency"
#: The facet type counting reports by each check they fail (``facets.FailedChecksFacet``), and its argument.
CHECKS_FACET = "checks"
CHECK_ARGUMENT = "_check"

#: Tables of plumbing, not for browsing (their data is reachable through the report pages and the API).
HIDDEN = ("blobs", "crawl_cache", "_sqlite_migrations")


#: The browse table's default facets: each one pass over an index of browse (archive/db.py, "serving at
#: scale"), so that a page answers within a second at 100,000 reports with or without a search. ``county``
#: is not one (null for the many bodies above county level; a search matching every report pays ~50 ms a
#: facet): a column's menu adds it, as any column (``?_facet=county``).
BROWSE_FACETS: list[str | dict[str, str]] = [
    *("year", "province", "city", "format"),
    {AGENCY_FACET: "agency"},  # a body under all its names (facets.AgencyFacet)
    "check_status",
    {CHECKS_FACET: "failed_checks"},  # each failed check (facets.FailedChecksFacet)
]
FACETS_NOTE = (
    "Facets: year, province, city, format, agency, status and failed checks; any other column's menu (⚙) adds "
    "its own (county: <code>?_facet=county</code>). 未通过的检查 counts each check a report fails; "
    "<code>?_check=NAME</code> keeps the reports failing it."
)


def _glossary(columns: dict[str, str]) -> str:
    """The columns' meanings, folded away (Datasette's own column list would push the rows off screen)."""
    items = "".join(f"<dt><code>{name}</code></dt><dd>{meaning}</dd>" for name, meaning in columns.items())
    return f"<details><summary>列说明 What the columns mean</summary><dl>{items}</dl></details>"


def build(database: str) -> dict[str, Any]:
    """The metadata for the archive served as ``database`` (Datasette's name for it: the file's stem).

    The name is the archive's file name, which may hold anything (``<script>``, quotes, dots): in links it
    is tilde-encoded as Datasette's own URLs are, then HTML-escaped."""
    base = escape(f"/{tilde_encode(database)}")
    links = " · ".join(
        f'<a href="{href}">{label}</a>'
        for href, label in (
            (f"{base}/browse", "浏览年报 Browse reports"),
            (f"{base}/search", "全文检索 Search"),
            (CHARTS_PATH, "图表 Charts"),
            (COMPARE_PATH, "历年对比 Compare years"),
            (f"{base}/failed_checks", "未通过检查 Failed checks"),
            (f"{base}/application_totals", "申请办理汇总 Application totals"),
            (f"{base}/runs_history", "运行记录 Runs"),
        )
    )
    return {
        "title": "年报 nianbao · 政府信息公开工作年度报告 Government information-disclosure annual reports",
        "description_html": (
            "<p>中国各级政府机关的政府信息公开工作年度报告：原文、全文检索、表格数据与勾稽关系检查。"
            "<br>Chinese government bodies' information-disclosure annual reports: the files, full-text search, "
            f"their statistics tables and consistency checks.</p><p>{links}</p>"
        ),
        "source": "nianbao",
        "databases": {
            database: {
                "description_html": f"<p>{links}</p>",
                "tables": {
                    "browse": {
                        "title": "年报 Reports",
                        "description_html": (
                            "<p>每份报告一行；搜索框为精确匹配（与 nianbao search 相同）；点击编号或标题打开报告页。"
                            "数值为表三、表四的总计列。<br>One row per report. The search box finds exactly what "
                            "you type (as <code>nianbao search</code> does); for best-first results with "
                            f'snippets use <a href="{base}/search">Search</a>. Click an id or title for '
                            "the report page. Counts are the 总计 columns of tables 三 and 四. The agency facet "
                            "joins a body's short and full names (聊城市科技局 = 聊城市科学技术局) within its region. "
                            "For Excel: the <em>CSV for Excel</em> link (UTF-8 with a BOM). "
                            f"{FACETS_NOTE}</p>" + _glossary(BROWSE_COLUMNS)
                        ),
                        "facets": BROWSE_FACETS,
                        "sort_desc": "year",
                    },
                    "reports": {
                        "title": "报告 Reports (raw table)",
                        "description": "一份报告可有多个文件；primary_document_id 为主文件。 A report groups "
                        "the files of one report; the primary document gives its text and identity.",
                    },
                    "documents": {
                        "title": "文件 Documents: every archived file",
                        "facets": ["media_type", "year", "province", "format"],
                    },
                    "sightings": {"title": "出现位置 Sightings: every URL each file was seen at"},
                    "records": {"title": "解析结果 Parsed records of each file (JSON, schema nianbao.report/1)"},
                    "report_records": {
                        "title": "报告记录 One record per report: the file each table came from, disagreements",
                        "description": "sources: 各表数值来自的文件（最完整者）the document each table's values come "
                        "from (the most complete file); warnings: 文件间不一致的数值 values the files disagree on.",
                        "facets": ["status"],
                    },
                    "report_bodies": {
                        "title": "机关 Bodies: the body of each report, under all its names",
                        "description": "body 为 省|市|县|机关全称（简称已展开：聊城市科技局 = 聊城市科学技术局）。 "
                        "body is province|city|county|full name, the same for every name a body's reports "
                        "print; id is the report's (browse.id).",
                    },
                    "record_cells": {  # ~190 cells a report: a facet over them all takes seconds, none is default
                        "title": "表格单元格 Cells of tables 三 and 四 of each report's record, one row each",
                        "description": "每份报告一份（document_id 为数值来源文件）。 Once per report: document_id "
                        "is the file the values came from, so sums count each report once.",
                    },
                    "record_checks": {  # by name: the check_summary query (a facet by name sorts every check)
                        "title": "检查 Checks of each report's record (under its primary document)",
                        "facets": ["status"],
                    },
                    "runs": {"title": "运行 Runs of import and crawl"},
                    "failures": {"title": "失败 Files and URLs that failed"},
                    **{table: {"hidden": True} for table in HIDDEN},
                },
                "queries": CANNED_QUERIES,
            }
        },
    }


#: Every chart: rendered as SVG (its marks carry their values: readable by tests and screen readers), no
#: action menu (its "open in Vega Editor" would leave the archive for vega.github.io).
_EMBED = {"usermeta": {"embedOptions": {"renderer": "svg", "actions": False}}}
_PROVINCE = "[[AND province = :province]]"
#: The reports of the agency chosen (any of its names), the latest report of each year.
_OF_AGENCY = """id IN (SELECT max(id) FROM browse
    WHERE agency IN (SELECT value FROM json_each(nianbao_spellings(:agency))) [[AND province = :province]]
    GROUP BY year)"""


def _by_year(measures: tuple[tuple[str, str], ...], where: str) -> str:
    """Each measure (a browse column) summed by year, one row per year and measure: the long form charts draw."""
    return (
        "\nUNION ALL\n".join(
            f"SELECT year, '{label}' AS measure, sum({column}) AS applications FROM browse "
            f"WHERE year IS NOT NULL AND {column} IS NOT NULL AND {where} GROUP BY year"
            for column, label in measures
        )
        + "\nORDER BY year, measure"
    )


#: A count axis: whole numbers only (no 0.5 reports). Vega 6 still puts ticks at halves on a short axis
#: despite tickMinStep, so the labels of those are left empty.
_COUNT_AXIS = {"tickMinStep": 1, "format": "d", "labelExpr": "datum.value % 1 ? '' : datum.label"}


def _bars_by_year(title: str, measures: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """A grouped bar per year (one bar per measure, in the measures' order), values in the tooltip and on
    each mark's label."""
    order = [label for _, label in measures]
    return {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "年度 year", "axis": {"labelAngle": 0}},
            "xOffset": {"field": "measure", "type": "nominal", "scale": {"domain": order}},
            "y": {
                "field": "applications",
                "type": "quantitative",
                "title": title,
                "axis": _COUNT_AXIS,
                "stack": None,  # side by side (xOffset), not stacked
                # 0 to 1 at least: a series with no rows yet (no agency chosen) draws empty axes, not an error
                "scale": {"domain": {"unionWith": [0, 1]}},
            },
            "color": {
                "field": "measure",
                "type": "nominal",
                "scale": {"domain": order},  # every measure in the legend, in this order, rows or not
                "title": None,
                "legend": {"orient": "bottom"},
            },
        },
        **_EMBED,
    }


#: What the year charts draw: browse columns (总计 of table 三) and their labels.
_RECEIVED_GRANTED = (("new_received", "本年新收 received"), ("granted", "予以公开 granted"))
_SERIES = (
    ("carried_over_in", "上年结转 carried in"),
    ("new_received", "本年新收 received"),
    ("granted", "予以公开 granted"),
    ("carried_over_out", "结转下年度 carried out"),
)


def dashboards(database: str) -> dict[str, Any]:
    """The datasette-dashboards config (``plugins.datasette-dashboards``) for the archive served as
    ``database``: one dashboard, ``charts``, with a province filter on every chart and an agency filter
    (its short or full name) for the agency's series."""
    return {
        "charts": {
            "title": "图表 Charts · 政府信息公开年报",
            "description": "各年度申请、各省未通过的检查、一个机关的历年数据（选择机关后显示）。 Applications by year, "
            "failed checks by province, one agency's series (choose an agency above). Counts are the 总计 "
            "columns of tables 三 and 四 of each report.",
            "layout": [["applications", "failed-checks"], ["agency-series", "agency-series"]],
            "filters": {
                "province": {
                    "name": "省 Province",
                    "type": "select",
                    "db": database,
                    "query": "SELECT DISTINCT province FROM browse WHERE province IS NOT NULL ORDER BY province",
                },
                # typed, not chosen from a list: one option per agency was 90,000 at 100,000 reports
                "agency": {"name": "机关 Agency (简称或全称 short or full name)", "type": "text"},
            },
            "charts": {
                "applications": {
                    "title": "各年度收到与予以公开的申请 Applications received and granted, by year",
                    "db": database,
                    "library": "vega-lite",
                    "query": _by_year(_RECEIVED_GRANTED, f"1 {_PROVINCE}"),
                    "display": _bars_by_year("申请 applications", _RECEIVED_GRANTED),
                },
                "failed-checks": {
                    "title": "各省未通过的检查 Failed checks by province (reports failing each check)",
                    "db": database,
                    "library": "vega-lite",
                    # the distinct lists of failed checks per province expanded, not every report's (349 → 106 ms)
                    "query": "SELECT coalesce(g.province, '（不明 unknown）') AS province, f.value AS check_name, "
                    "sum(g.n) AS reports FROM (SELECT province, failed_checks, count(*) AS n FROM browse "
                    f"WHERE check_status = 'fail' {_PROVINCE} GROUP BY province, failed_checks) g, "
                    "json_each(g.failed_checks) f GROUP BY 1, 2 ORDER BY 1, 2",
                    "display": {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "x": {
                                "field": "province",
                                "type": "nominal",
                                "title": "省 province",
                                "axis": {"labelAngle": 0},
                            },
                            "y": {
                                "field": "reports",
                                "type": "quantitative",
                                "title": "报告 reports",
                                "axis": _COUNT_AXIS,
                            },
                            "color": {"field": "check_name", "type": "nominal", "title": "检查 check"},
                        },
                        **_EMBED,
                    },
                },
                "agency-series": {
                    "title": "一个机关的历年数据 One agency's series (choose an agency above)",
                    "db": database,
                    "library": "vega-lite",
                    "query": _by_year(_SERIES, _OF_AGENCY),
                    "display": _bars_by_year("申请 applications", _SERIES),
                },
            },
        }
    }
