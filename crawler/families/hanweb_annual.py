"""Hanweb's annual-report module (``/module/xxgk/xxgkAnnualReport.jsp?area=<unit code>&fbtime=<year>``):
one server-rendered report per reporting unit and year, on the portal of the city or county.

Seen on real pages (tests/families/hanweb_annual/README.md lists each one): 威海 www.weihai.gov.cn for its
units (市政府办公室 ``11371000004359010J``, 统计局 ``1137100000435982XT``, 科学技术局 ``11371000004359096D``),
荣成 ``11371082004363781R``, 济宁 ``11370800004312466C``, 梁山 ``11370832796191331F``, 邹城 ``11370883004325769B``
(2010, the report as .pdf and .docx) and ``11370883004326403Q``. The page *is* the report (title, 发布时间,
the text, its files), so module pages go to the shared report-page reader; a year a unit did not report is
a page without a report, not an error.

Area codes come from the registry (``annual_report_areas``) or are found on the portal's own pages: an
``annual_report_areas`` entry that is a URL names a page of the portal whose links carry the codes —
``area=`` in links to the xxgk module's pages (xxgkAnnualReport.jsp, xxgkGuide.jsp, tree.jsp,
subjectinfo.jsp) and ``vc_xxgkarea=`` in links to a unit's 信息公开 columns. No public page of a unit list
*inside* the module was found; these link shapes are the evidence there is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from crawler.families.base import Follow, Listing

PATH = "/module/xxgk/xxgkAnnualReport.jsp"
#: The answer kind of a page read for the area codes it links to (read back by ``read``).
DISCOVER = "annual-areas"
#: URLs in a page (attribute values or script strings) that can carry a unit's area code.
_URL = re.compile(r"""(?:https?://[\w.:-]+)?[^\s"'<>()\\]*?[?&](?:amp;)?(?:vc_xxgk)?area=[^\s"'<>()\\]*""")
#: Area codes as seen on real module URLs: 18-character credit codes (Shandong), 9-character organisation
#: codes with or without their hyphen (Jiangsu, Zhejiang), 15-digit numeric codes (Zhejiang).
_CODE = re.compile(r"[0-9A-Z]{18}|[0-9A-Z]{9}|[0-9A-Z]{8}-[0-9A-Z]|\d{15}")


def report_url(host_url: str, area: str, year: int) -> str:
    return urljoin(host_url, PATH) + "?" + urlencode({"area": area, "fbtime": year})


def report_urls(host_url: str, areas: tuple[str, ...] | list[str], years: range) -> list[str]:
    """One module page per area code and year."""
    return [report_url(host_url, area, year) for area in areas for year in years]


def _reports(host_url: str, areas: tuple[str, ...] | list[str], years: range) -> list[Follow]:
    """Each module page is a report page of its own column (it holds one report or none)."""
    return [Follow(url, kind="report", same_column=False) for url in report_urls(host_url, areas, years)]


def start(host_url: str, areas: tuple[str, ...], index_pages: tuple[str, ...], years: range) -> list[Follow]:
    """The module pages of the registry's area codes, and the pages to find more codes on (the
    registry's ``annual_report_index``: pages whose links carry the units' codes)."""
    wanted = {"first": str(years.start), "last": str(years.stop - 1)}
    discover = [Follow(page, kind=DISCOVER, same_column=False, context=wanted) for page in index_pages]
    return _reports(host_url, areas, years) + discover


def read(kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
    """A page read for the portal's area codes: a module page per code found and wanted year."""
    if kind != DISCOVER:
        return Listing(problems=[f"unknown annual-report module answer {kind!r}"])
    areas = areas_in(text, url)
    if not areas:
        return Listing(problems=["no unit area code (area=, vc_xxgkarea=) in the page's links to the xxgk module"])
    years = range(int(context["first"]), int(context["last"]) + 1)
    host_url = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}/"
    return Listing(follow=_reports(host_url, areas, years))


def areas_in(text: str, url: str) -> list[str]:
    """The area codes of the page's links on its own host, in page order: ``area=`` of the xxgk module's
    pages, ``vc_xxgkarea=`` of a unit's columns. Script strings count too (Hanweb headers are written by
    ``document.writeln``); codes of another host's module are another portal's units."""
    host = urlsplit(url).netloc
    found: list[str] = []
    for match in _URL.finditer(text):
        link = urlsplit(urljoin(url, match.group(0).replace("&amp;", "&")))
        if link.netloc != host:
            continue
        query = parse_qs(link.query)
        values = query.get("vc_xxgkarea", []) + (query.get("area", []) if link.path.startswith("/module/xxgk/") else [])
        found += [code for code in values if _CODE.fullmatch(code) and code not in found]
    return found
