"""The ``/public/`` xxgk platform (Anhui, Sichuan, Jiangxi, Qinghai county and bureau portals): articles
``/public/<organ id>/<doc id>.html``; columns ``/public/column/<organ id>?type=4&catId=<cat>&action=list``
whose list either sits in the page (``ul.xxgk_nav_list``, paged ``&pageIndex=N`` up to the script's
``pageCount:N``) or comes from the label API ``/site/label/8888?labelName=publicInfoList&…&dataType=html``,
which answers an HTML fragment of the same list and pager.

Seen: bengbu.gov.cn/public/25461/45854211.html, tjxzf.gov.cn/public/6599691/13023941.html (portals.md §1);
bengbu.gov.cn/public/22601/49996408.html and bengbu.gov.cn/public/column/21981?type=4&catId=6769721&action=list
(public scripts); tjxzf.gov.cn/public/column/6601171?type=4&action=list&nav=2&sub=0&catId=6715691 (public site
list); the label API's query (labelName=publicInfoList, siteId, organId, catId, pageSize, pageIndex, file,
dataType=html) and its ``xxgk_nav_list``/``xxgk_navli`` items from public crawlers of ah.gov.cn,
mpa.ah.gov.cn, fzggw.ah.gov.cn, slt.ah.gov.cn, ybj.ah.gov.cn; ``pageCount:N`` and ``pageIndex=N`` from
public crawlers of mpa.ah.gov.cn and zczj.haibei.gov.cn; ``#page_public_info`` pager from a lushan.gov.cn
crawler; article ``div.wzy_position`` breadcrumb, ``table.table_suoyin``/``td.pmingcheng`` metadata and
``div.j-fontContent`` body from the zczj.haibei.gov.cn crawler.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler import pages
from crawler.families.base import Family, Follow, Listing, read_html_listing

LABEL_PATH = "/site/label/8888"
#: Items the label API is asked for per page (what the platform's own pages ask: 15).
PAGE_SIZE = 15
_PAGE_COUNT = re.compile(r"pageCount\s*:\s*['\"]?(\d+)")
_LIST_MARKUP = re.compile(r"xxgk_nav_list|xxgk_navli|xxgk_nav_con")
_EMPTY = "暂无相关信息"
#: The label call's parameters in the column page's script (``siteId: '6781961'`` or ``siteId=6781961``).
_LABEL_FIELDS = ("labelName", "siteId", "organId", "catId", "file")
_FIELD = r"['\"]?{name}['\"]?\s*[:=]\s*['\"]?([\w/%.-]+)"


def label_query(html: str) -> dict[str, str] | None:
    """The label API call a column page's script makes for its list, or None when the page makes none."""
    if LABEL_PATH not in html:
        return None
    values: dict[str, str] = {}
    for name in _LABEL_FIELDS:
        match = re.search(_FIELD.format(name=name), html)
        if match:
            values[name] = match.group(1)
    if values.get("labelName") != "publicInfoList" or not {"siteId", "organId"} <= set(values):
        return None
    return values


def label_follow(column_url: str, fields: Mapping[str, str], page: int) -> Follow:
    """One page of the label API's list, as the platform's script asks for it."""
    query = {
        "IsAjax": "1",
        "dataType": "html",
        "labelName": "publicInfoList",
        "siteId": fields["siteId"],
        "pageSize": str(PAGE_SIZE),
        "pageIndex": str(page),
        "action": "list",
        "isDate": "true",
        "dateFormat": "yyyy-MM-dd",
        "length": "80",
        "organId": fields["organId"],
        "type": "4",
        "catId": fields.get("catId", ""),
        "result": _EMPTY,
        "file": fields.get("file", ""),
    }
    return Follow(
        urljoin(column_url, f"{LABEL_PATH}?{urlencode(query)}"),
        kind="label",
        context={"column": column_url, **{name: fields.get(name, "") for name in _LABEL_FIELDS}, "page": str(page)},
    )


def with_page_index(url: str, page: int) -> str:
    """The column URL asking for page ``page`` (``&pageIndex=N``, replacing any already there)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "pageIndex"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("pageIndex", str(page))])))


def _page_count(text: str) -> int:
    match = _PAGE_COUNT.search(text)
    return int(match.group(1)) if match else 1


class XxgkPublic(Family):
    name = "public"
    label = "/public/<organ>/<doc>.html xxgk platform (Anhui, Sichuan; publicInfoList label API)"
    source = (
        "bengbu.gov.cn/public/25461/45854211.html; tjxzf.gov.cn/public/6599691/13023941.html (portals.md §1); "
        "public crawlers of ah.gov.cn, mpa.ah.gov.cn, fzggw.ah.gov.cn (site/label/8888 publicInfoList, pageCount)"
    )
    article = re.compile(r"/public/\d+/\d+\.html$")
    markers = (
        (re.compile(r"/site/label/8888"), "publicInfoList label API call"),
        (_LIST_MARKUP, "xxgk_nav_list list"),
        (re.compile(r"page_public_info"), "#page_public_info pager"),
    )

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        if kind == "label":
            return self._label(text, url, context)
        listing = read_html_listing(text, url, self.is_article)
        fields = label_query(text)
        if fields is not None and not listing.items:  # a shell: the list comes from the label API
            listing.follow.append(label_follow(url, fields, 1))
        elif _LIST_MARKUP.search(text):
            count = _page_count(text)
            listing.follow += [Follow(with_page_index(url, page)) for page in range(2, count + 1)]
        elif not listing.items:
            listing.problems.append("no xxgk_nav_list list and no publicInfoList label call (markup changed?)")
        return listing

    def _label(self, text: str, url: str, context: Mapping[str, str]) -> Listing:
        """One page of the label API: its items; from its first page, the others up to ``pageCount``."""
        column = context["column"]
        answer = text.lstrip()
        if answer.startswith(("{", "[")):
            return Listing(problems=[f"label API answered JSON, not the HTML list asked for (dataType=html): {url}"])
        if not _LIST_MARKUP.search(answer) and _EMPTY not in answer:
            return Listing(problems=[f"label API answered no publicInfoList list: {url}"])
        tree = pages.parse(text)
        items = [
            link for link in pages.links(tree, column) if self.is_article(link.url) or pages.report_year(link.text)
        ]
        listing = Listing(items=list({link.url: link for link in items}.values()))
        if context.get("page") == "1":
            fields = {name: context[name] for name in _LABEL_FIELDS}
            listing.follow = [label_follow(column, fields, page) for page in range(2, _page_count(text) + 1)]
        return listing


FAMILY = XxgkPublic()
