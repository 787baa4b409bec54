"""开普云/Ucap: articles ``/<site>/c<N>/YYYYMM/<32 hex>.shtml`` (or a named column instead of ``c<N>``), the
article body in ``<UCAPCONTENT>``; column lists ``…/list.shtml`` paged ``list_2.shtml`` … by the script call
``createPageHTML('page_div', <pages>, <current>, 'list', 'shtml', <records>)``; columns whose list only a
script knows carry ``<meta name="channelid" content="<32 hex>">`` and are read from the site's search API
``…/search…/<channelid>?_isAgg=true&_isJson=true&_pageSize=N&_template=index&page=N``, answering
``{"data": {"total": N, "results": [{"title", "url", "publishedTimeStr", …}]}}`` (kind ``ucap-search``).

Seen on 5 of 93 real report pages (portals.md §1: hjs.gov.cn/hjs/c123665/202601/<32 hex>.shtml,
ht.sanya.gov.cn/htqsite/xxgknb/202101/<32 hex>.shtml); the pager call and the search API in public
crawlers of suqian.gov.cn, klmy.gov.cn, hlj.gov.cn and csrc.gov.cn (tests/families/ucap/README.md). The
search API's path differs per site (``/searchList/``, ``/common/search/``, ``/search/``): it is taken from
the list page's script, never guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.families.base import Family, Follow, Listing, read_html_listing
from parsers.document import Link

API_KIND = "ucap-search"
#: Records asked of the search API per page (sites ask 10–100; 20 keeps answers small).
PAGE_SIZE = 20
_PAGER = re.compile(
    r"createPageHTML\(\s*['\"]page_div['\"]\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]"
    r"(?:\s*,\s*(\d+))?"
)
_CHANNEL = re.compile(r"<meta\s+name=[\"']channelid[\"']\s+content=[\"']([0-9a-f]{32})[\"']", re.I)
#: Search answers highlight matched words (``<em>…</em>``) in titles.
_TAG = re.compile(r"<[^>]+>")
_SEARCH_PATH = re.compile(r"[\"'](/[\w/]*?(?:searchList|search)/)[\"']")


def search_url(page_url: str, path: str, channel: str, page: int) -> str:
    query = f"_isAgg=true&_isJson=true&_pageSize={PAGE_SIZE}&_template=index&_rangeTimeGte=&_channelName=&page={page}"
    return urljoin(page_url, f"{path}{channel}?{query}")


def _results(text: str) -> tuple[dict[str, Any] | None, str]:
    """The answer's ``data`` object, or None and why not."""
    if text.lstrip().startswith("<"):
        return None, "Ucap search API answered HTML instead of JSON"
    try:
        answer = json.loads(text)
    except ValueError:
        return None, "Ucap search API answer is not JSON"
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        return None, "Ucap search API answer of unknown shape (no data.results)"
    return data, ""


class Ucap(Family):
    name = "ucap"
    label = "开普云 Ucap (/<site>/c<N>/YYYYMM/<32 hex>.shtml, list_N.shtml pagers, JSON search API)"
    source = (
        "portals.md §1: hjs.gov.cn/hjs/c123665/202601/f58633c9….shtml, ht.sanya.gov.cn/htqsite/xxgknb/202101/…; "
        "createPageHTML('page_div',8,1,'list','shtml',118) on www.suqian.gov.cn/cnsq/sygsgg/list.shtml and "
        "the search API /searchList|/common/search|/search/<channelid>?_isJson=true in public crawlers"
    )
    article = re.compile(r"/\d{6}/[0-9a-f]{32}\.shtml$")
    markers = (
        (re.compile(r"<ucapcontent|UCAP-CONTENT|<ucaptitle", re.I), "UCAPCONTENT article body"),
        (re.compile(r"createPageHTML\(\s*['\"]page_div['\"]"), "createPageHTML('page_div', …) pager script"),
        (_CHANNEL, "channelid meta of a Ucap column"),
        (re.compile(r"href=[\"'][^\"']*/\d{6}/[0-9a-f]{32}\.shtml"), "links to YYYYMM/<32 hex>.shtml articles"),
    )

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        if kind == API_KIND:
            return self._search(text, url, context)
        listing = read_html_listing(text, url, self.is_article)
        pager = _PAGER.search(text)
        if pager:
            count, _, prefix, ext, total = pager.groups()
            folder = urljoin(url, ".")
            pages = [f"{folder}{prefix}_{page}.{ext}" for page in range(2, int(count) + 1)]
            listing.follow = [f for f in listing.follow if not f.same_column] + [Follow(page) for page in pages]
            listing.declared = int(total) if total else None
        elif not listing.items and (channel := _CHANNEL.search(text)):
            path = _SEARCH_PATH.search(text)
            if path is None:
                listing.problems.append("Ucap column with a channelid but no search API path in its script")
            else:
                first = search_url(url, path.group(1), channel.group(1), 1)
                listing.follow.append(Follow(first, kind=API_KIND, context={"path": path.group(1), "page": "1"}))
        return listing

    @staticmethod
    def _search(text: str, url: str, context: Mapping[str, str]) -> Listing:
        """One page of the search API's answer; the next page follows until the declared total."""
        data, problem = _results(text)
        if data is None:
            return Listing(problems=[problem])
        items = [
            Link(url=urljoin(url, str(row["url"])), text=" ".join(_TAG.sub("", str(row["title"])).split()))
            for row in data["results"]
            if isinstance(row, dict) and row.get("url") and row.get("title")
        ]
        total = data.get("total")
        listing = Listing(items=items, declared=int(total) if isinstance(total, int) else None)
        page = int(context.get("page", "1"))
        if items and listing.declared is not None and page * PAGE_SIZE < listing.declared:
            channel = urlsplit(url).path.rsplit("/", 1)[-1]
            next_url = search_url(url, context["path"], channel, page + 1)
            listing.follow.append(Follow(next_url, kind=API_KIND, context={**context, "page": str(page + 1)}))
        return listing


FAMILY = Ucap()
