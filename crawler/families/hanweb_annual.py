"""Hanweb's annual-report module (``/module/xxgk/xxgkAnnualReport.jsp?area=<unit code>&fbtime=<year>``):
one server-rendered report per reporting unit and year, on the portal of the city or county.

Seen on 8 of 93 real report pages (portals.md §1: zoucheng.gov.cn, area ``11370883004325769B``, 2010);
威海 runs it at www.weihai.gov.cn for its units (市政府办公室 ``11371000004359010J``, 统计局
``1137100000435982XT``, 科学技术局 ``11371000004359096D``: issue 10's facts).
"""

from __future__ import annotations

from urllib.parse import urlencode, urljoin

from crawler.families.base import Follow

PATH = "/module/xxgk/xxgkAnnualReport.jsp"


def report_urls(host_url: str, areas: tuple[str, ...], years: range) -> list[str]:
    """One module page per area code and year."""
    return [
        urljoin(host_url, PATH) + "?" + urlencode({"area": area, "fbtime": year}) for area in areas for year in years
    ]


def start(host_url: str, areas: tuple[str, ...], years: range) -> list[Follow]:
    """Each module page is a report page of its own column (it holds one report or none)."""
    return [Follow(url, kind="report", same_column=False) for url in report_urls(host_url, areas, years)]
