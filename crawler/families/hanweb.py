"""Hanweb/大汉 JCMS: columns ``/col/col<N>/index.html`` whose list only the page script knows, fetched
from ``/module/web/jpage/dataproxy.jsp``; articles ``/art/YYYY/M/D/art_<col>_<id>.html``; and the
annual-report module (``hanweb_annual``).

Seen on 17 of 93 real report pages (portals.md §1–2: jindong.gov.cn/art/2019/3/25/art_1229404637_26754.html,
mzt.jiangsu.gov.cn/col/col90135/index.html; the dataproxy form fields from public crawler code).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from crawler import pages
from crawler.families import hanweb_annual
from crawler.families.base import Family, Follow, Listing, read_html_listing
from parsers.document import Link

if TYPE_CHECKING:
    from crawler.registry import Portal

DATAPROXY_PATH = "/module/web/jpage/dataproxy.jsp"
#: Records asked of dataproxy.jsp per request (Hanweb pages hold 15; sites ask for three pages at once).
DATAPROXY_BATCH = 45
_FIELD = r"['\"]?{name}['\"]?\s*[:=]\s*['\"]?(\w+)"


@dataclass(frozen=True)
class HanwebQuery:
    """The ids a Hanweb column page's script passes to ``dataproxy.jsp`` to fetch its list."""

    columnid: str
    unitid: str
    webid: str

    def form(self, start: int, end: int, per_page: int) -> dict[str, str]:
        return {
            "startrecord": str(start),
            "endrecord": str(end),
            "perpage": str(per_page),
            "col": "1",
            "appid": "1",
            "webid": self.webid,
            "path": "/",
            "columnid": self.columnid,
            "sourceContentType": "1",
            "unitid": self.unitid,
            "permissiontype": "0",
        }

    def follow(self, column_url: str, start: int) -> Follow:
        return Follow(
            urljoin(column_url, DATAPROXY_PATH),
            kind="dataproxy",
            method="POST",
            form=self.form(start, start + DATAPROXY_BATCH - 1, DATAPROXY_BATCH // 3),
            context={
                "column": column_url,
                "columnid": self.columnid,
                "unitid": self.unitid,
                "webid": self.webid,
                "start": str(start),
            },
        )


def query(html: str, url: str) -> HanwebQuery | None:
    """Scrape columnid/unitid/webid from the column page's script (the column id also sits in /colN/)."""
    values: dict[str, str] = {}
    for name in ("columnid", "unitid", "webid"):
        match = re.search(_FIELD.format(name=name), html, re.I)
        if match:
            values[name] = match.group(1)
    if "columnid" not in values:
        column = re.search(r"/col/col(\d+)/", url)
        if column:
            values["columnid"] = column.group(1)
    if "columnid" not in values or "unitid" not in values:
        return None
    return HanwebQuery(values["columnid"], values["unitid"], values.get("webid", "1"))


def records(xml: str, url: str) -> tuple[list[Link], int | None]:
    """The ``<record>`` items of a dataproxy.jsp answer (``<li>`` HTML in CDATA) and its declared total."""
    total = re.search(r"<totalrecord>\s*(\d+)\s*</totalrecord>", xml)
    items: list[Link] = []
    for record in re.findall(r"<record>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</record>", xml, re.S):
        items.extend(pages.links(pages.parse(f"<html><body>{record}</body></html>"), url))
    return items, int(total.group(1)) if total else None


class Hanweb(Family):
    name = "hanweb"
    label = "Hanweb 大汉 JCMS (/col/colN/ + dataproxy.jsp, /art/ articles, xxgkAnnualReport.jsp)"
    source = "portals.md §1–2: jindong.gov.cn art_…; mzt.jiangsu.gov.cn/col/col90135; zoucheng.gov.cn module"
    article = re.compile(r"/art/\d{4}/(?:\d+/\d+/)?art_\w+\.html$")
    markers = (
        (re.compile(r"jpage/dataproxy\.jsp|loadJpage"), "dataproxy.jsp list script"),
        (re.compile(r"xxgkAnnualReport\.jsp"), "annual-report module link"),
    )

    def start(self, portal: Portal, years: range) -> list[Follow]:
        host_url = f"http://{portal.hosts[0]}/"
        return super().start(portal, years) + hanweb_annual.start(host_url, portal.annual_report_areas, years)

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        if kind == "dataproxy":
            return self._dataproxy(text, url, context)
        listing = read_html_listing(text, url, self.is_article)
        hanweb = query(text, url) if not listing.items else None
        if hanweb is not None:  # the list itself comes from dataproxy.jsp
            listing.follow.append(hanweb.follow(url, 1))
        return listing

    @staticmethod
    def _dataproxy(xml: str, url: str, context: Mapping[str, str]) -> Listing:
        """One batch of a column's real list; the next batch follows until the declared total."""
        column = context["column"]
        items, total = records(xml, column)
        listing = Listing(items=items, declared=total)
        start = int(context["start"]) + DATAPROXY_BATCH
        if items and total is not None and start <= total:
            ids = HanwebQuery(context["columnid"], context["unitid"], context["webid"])
            listing.follow.append(ids.follow(column, start))
        return listing


FAMILY = Hanweb()
