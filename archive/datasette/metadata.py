"""Datasette metadata for an archive: titles and descriptions in Chinese and English, facets, column
descriptions (units: 万元), hidden plumbing tables and the canned queries.

The ranked ``search`` query calls ``nianbao_search(q)``, which the plugin registers on every connection:
it runs ``archive.search.search`` (the semantics of ``nianbao search``) and returns its hits as JSON.
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
        "title": "全文检索 Search, best match first",
        "description": (
            "与 nianbao search 相同：任意长度、精确匹配、按相关度排序、高亮摘要。多个词须同时出现，"
            '"引号" 内为一个词，-词 表示排除。 Same as `nianbao search`: exact, ranked, highlighted; '
            'several terms must all appear, a "quoted phrase" is one term, -TERM leaves out reports with it.'
        ),
        "sql": """SELECT json_extract(h.value, '$.id') AS report_id, b.title, b.agency, b.year, b.province,
       b.city, b.county, b.check_status, json_extract(h.value, '$.score') AS score,
       json_extract(h.value, '$.snippet') AS snippet, json_extract(h.value, '$.highlights') AS highlights
FROM json_each(nianbao_search(:q)) h JOIN browse b ON b.id = json_extract(h.value, '$.id')
ORDER BY h.key""",
    },
    "check_summary": {
        "title": "检查汇总 Checks: how many reports pass, fail, skip, are incomplete",
        "sql": """SELECT c.name AS check_name, sum(c.status = 'fail') AS fail, sum(c.status = 'pass') AS pass,
       sum(c.status = 'skip') AS skip, sum(c.status = 'incomplete') AS incomplete
FROM record_checks c JOIN reports r ON r.primary_document_id = c.document_id
GROUP BY c.name ORDER BY c.name""",
    },
    "failed_checks": {
        "title": "未通过检查的报告 Reports failing a check",
        "description": (
            "每项未通过的检查及等式两边的数值；check 留空为全部。 Each failed check with both sides of "
            "the equation; leave check empty for all (applications.balance, applications.total_processed, "
            "applications.column_total, review_litigation.total, signed_date.after_period, title.year, "
            "cross_year.carry_over, cross_year.in_force)."
        ),
        "sql": """SELECT c.name AS check_name, b.id AS report_id, b.title, b.agency, b.year, b.province, b.city,
       c.details AS failures
FROM record_checks c JOIN browse b ON b.document_id = c.document_id
WHERE c.status = 'fail' AND b.check_status != 'not_a_report' AND (:check = '' OR c.name = :check)
ORDER BY c.name, b.year DESC, b.id""",
    },
    "agency_series": {
        "title": "机关历年报告 One agency across years, with the cross-year checks",
        "description": (
            "同一机关各年度的报告与跨年度检查（上年结转 = 上年结转下年度；现行有效件数）。 "
            "One agency's reports year by year: carried in against last year's carried out, documents in force."
        ),
        "sql": """SELECT b.agency, b.year, b.id AS report_id, b.title, b.carried_over_in, b.carried_over_out,
       b.new_received,
       (SELECT status FROM record_checks WHERE document_id = b.document_id AND name = 'cross_year.carry_over')
           AS carry_over_check,
       (SELECT status FROM record_checks WHERE document_id = b.document_id AND name = 'cross_year.in_force')
           AS in_force_check,
       (SELECT json_group_array(json(f.value)) FROM record_checks c, json_each(c.details) f
        WHERE c.document_id = b.document_id AND c.name GLOB 'cross_year.*' AND c.status = 'fail') AS failures
FROM browse b WHERE b.agency IS NOT NULL AND (:agency = '' OR b.agency = :agency)
ORDER BY b.agency, b.year""",
    },
    "application_totals": {
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
        "title": "运行记录 Import and crawl runs, with their failures",
        "sql": """SELECT r.id AS run_id, r.kind, r.started_at, r.finished_at, r.status, r.new, r.changed,
       r.duplicate, r.failed, f.url AS failed_url, f.reason AS failure
FROM runs r LEFT JOIN failures f ON f.run_id = r.id
ORDER BY r.id DESC, f.id""",
    },
}

#: Tables of plumbing, not for browsing (their data is reachable through the report pages and the API).
HIDDEN = ("blobs", "crawl_cache")


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
        f'<a href="{base}/{path}">{label}</a>'
        for path, label in (
            ("browse", "浏览年报 Browse reports"),
            ("search", "全文检索 Search"),
            ("failed_checks", "未通过检查 Failed checks"),
            ("application_totals", "申请办理汇总 Application totals"),
            ("runs_history", "运行记录 Runs"),
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
                            "the report page. Counts are the 总计 columns of tables 三 and 四.</p>"
                            + _glossary(BROWSE_COLUMNS)
                        ),
                        "facets": [
                            *("year", "province", "city", "county", "format", "agency", "check_status"),
                            {"array": "failed_checks"},
                        ],
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
                    "record_cells": {
                        "title": "表格单元格 Cells of tables 三 and 四 of each report's record, one row each",
                        "description": "每份报告一份（document_id 为数值来源文件）。 Once per report: document_id "
                        "is the file the values came from, so sums count each report once.",
                        "facets": ["table_name", "row_name"],
                    },
                    "record_checks": {
                        "title": "检查 Checks of each report's record (under its primary document)",
                        "facets": ["name", "status"],
                    },
                    "runs": {"title": "运行 Runs of import and crawl"},
                    "failures": {"title": "失败 Files and URLs that failed"},
                    **{table: {"hidden": True} for table in HIDDEN},
                },
                "queries": CANNED_QUERIES,
            }
        },
    }
