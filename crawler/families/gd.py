"""Guangdong intensive platform (广东政府网站集约化平台, 南方网 nfw-cms): two shapes of the same software.

* Static column folders: ``…/zfxxgknb/{bm|gq}/<YYYY>n/index.html`` paged ``index_2.html``, articles
  ``…/content/post_<id>.html`` (gz.gov.cn, county sites, Shenzhen districts). Read by the shared rules:
  articles by URL shape, ``index_N.html`` pager links, year/group sub-columns.
* The 政府信息公开目录 platform ``/gkmlpt/``: its index page is a script app whose ``window._CONFIG`` holds
  ``SID: '<site id>'`` and ``TREE: [<category nodes>]``; a category's list comes only from the JSON API
  ``/gkmlpt/api/all/<category>?page=N&sid=<SID>`` answering ``{"total": N, "articles": [{"title", "url",
  "post_url", …}], "classify": {"post_count": N, …}}``; articles ``/gkmlpt/content/<a>/<b>/post_<id>.html``.
  The index page's 年报 categories are followed through that API (kind ``gkmlpt``), page by page.

Seen on 9 of 93 real report pages (portals.md §1); the API path, its parameters and answer fields in public
crawlers of gd.gov.cn, yangjiang.gov.cn, lw.gov.cn, rsj.gz.gov.cn and zhaoqing.gov.cn (see
tests/families/gd/README.md). Which TREE categories hold the reports is unverified: the nodes whose name
carries 年报/年度报告 are followed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.families.base import Family, Follow, Listing, read_html_listing
from parsers.document import Link

API_KIND = "gkmlpt"
_SID = re.compile(r"\bSID\s*:\s*['\"]?(\d+)")
_TREE = re.compile(r"\bTREE\s*:\s*(\[.*?\])\s*,\s*[A-Z_]+\s*:", re.S)
_REPORT_CATEGORY = re.compile(r"年报|年度报告")
_PAGER_HREF = re.compile(r"index_\d+\.s?html?$")
_PAGER_TEXT = re.compile(r"^\s*(?:\d+|下一?页|尾页|末页)\s*$")


def api_url(page_url: str, category: str, sid: str, page: int) -> str:
    """The gkmlpt list API of one category, next to the ``/gkmlpt/`` folder of the page."""
    root = page_url.split("/gkmlpt/", 1)[0]
    return f"{root}/gkmlpt/api/all/{category}?page={page}&sid={sid}"


def report_categories(tree: list[Any]) -> list[tuple[str, str]]:
    """(id, name) of every TREE node named as a report column, at any depth (jump links skipped)."""
    found: list[tuple[str, str]] = []
    for node in tree:
        if not isinstance(node, dict):
            continue
        name = str(node.get("name", ""))
        if _REPORT_CATEGORY.search(name) and not node.get("jump_url") and "id" in node:
            found.append((str(node["id"]), name))
        found += report_categories(node.get("children") or [])
    return found


def _api_articles(text: str) -> tuple[dict[str, Any] | None, str]:
    """The API answer as a dict, or None and why not (HTML instead of JSON, not JSON, another shape)."""
    if text.lstrip().startswith("<"):
        return None, "gkmlpt API answered HTML instead of JSON"
    try:
        answer = json.loads(text)
    except ValueError:
        return None, "gkmlpt API answer is not JSON"
    if not isinstance(answer, dict) or not isinstance(answer.get("articles"), list):
        return None, "gkmlpt API answer of unknown shape (no articles list)"
    return answer, ""


def _declared(answer: dict[str, Any]) -> int | None:
    """``total``, else the category's ``classify.post_count`` (both seen in public crawlers)."""
    total = answer.get("total")
    if total is None and isinstance(answer.get("classify"), dict):
        total = answer["classify"].get("post_count")
    return int(total) if isinstance(total, int | str) and str(total).isdigit() else None


class Guangdong(Family):
    name = "gd"
    label = "Guangdong intensive platform (content/post_<id>.html, gkmlpt JSON API)"
    source = (
        "portals.md §1: gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/bm/2024n/content/post_10095458.html, "
        "gd.gov.cn/gkmlpt/content/4/4688/post_4688997.html; gkmlpt API /gkmlpt/api/all/<id>?page=N&sid=<SID> "
        "in hulelan/china-governance crawlers/gkmlpt.py and public crawlers of yangjiang/lw/rsj.gz.gov.cn"
    )
    article = re.compile(r"/content/(?:\d+/\d+/)?post_\d+\.html$")
    markers = (
        (re.compile(r"/gkmlpt/|\bSID\s*:\s*['\"]\d+"), "gkmlpt platform (SID script variable, /gkmlpt/ paths)"),
        (re.compile(r"nfw-cms"), "nfw-cms classes (南方网 CMS)"),
        (re.compile(r"href=[\"'][^\"']*/content/(?:\d+/\d+/)?post_\d+\.html"), "links to content/post_<id>.html"),
    )

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        if kind == API_KIND:
            return self._api(text, url, context)
        sid = _SID.search(text)
        if sid and "/gkmlpt/" in url:
            return self._gkmlpt_index(text, url, sid.group(1))
        listing = read_html_listing(text, url, self.is_article)
        return listing

    @staticmethod
    def _gkmlpt_index(html: str, url: str, sid: str) -> Listing:
        """A gkmlpt index page: each 年报 category of its TREE is a column read through the API."""
        tree = _TREE.search(html)
        try:
            nodes = json.loads(tree.group(1)) if tree else None
        except ValueError:
            nodes = None
        if not isinstance(nodes, list):
            return Listing(problems=["gkmlpt index page without a readable TREE of categories"])
        categories = report_categories(nodes)
        if not categories:
            return Listing(problems=["gkmlpt TREE has no 年报 category"])
        follow = [
            Follow(api_url(url, category, sid, 1), kind=API_KIND, same_column=False, context={"sid": sid})
            for category, _ in categories
        ]
        return Listing(follow=follow)

    @staticmethod
    def _api(text: str, url: str, context: Mapping[str, str]) -> Listing:
        """One page of a category's list; the next page follows until the declared total is reached."""
        answer, problem = _api_articles(text)
        if answer is None:
            return Listing(problems=[problem])
        items = [
            Link(url=urljoin(url, str(article.get("url") or article.get("post_url"))), text=str(article["title"]))
            for article in answer["articles"]
            if isinstance(article, dict) and article.get("title") and (article.get("url") or article.get("post_url"))
        ]
        listing = Listing(items=items, declared=_declared(answer))
        query = dict(part.partition("=")[::2] for part in urlsplit(url).query.split("&") if part)
        page = int(query.get("page", "1") or 1)
        batch = len(answer["articles"])
        per_page = int(context.get("per_page") or batch)
        if batch and batch == per_page and listing.declared is not None and page * per_page < listing.declared:
            category = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
            next_url = api_url(url, category, query.get("sid", context.get("sid", "")), page + 1)
            listing.follow.append(Follow(next_url, kind=API_KIND, context={**context, "per_page": str(per_page)}))
        return listing


FAMILY = Guangdong()
