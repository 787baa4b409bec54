"""Hanweb/大汉 JCMS: columns ``/col/col<N>/index.html`` whose list the page script builds (jpage), articles
``/art/YYYY/M/D/art_<col>_<id>.html`` (and the newer intensive platform's ``…/art/YYYY/art_<32 hex>.html``),
and the annual-report module (``hanweb_annual``).

The shapes of a column's list, each seen on public pages or in public crawlers (tests/families/hanweb/README.md):

* the list only behind ``/module/web/jpage/dataproxy.jsp``, POSTed with the ids of the page script
  (``columnid``/``unitid``/``webid``) and a record range (``startrecord``/``endrecord``/``perpage``);
* the first records embedded in the page, ``<script type="text/xml"><datastore>…<recordset><record>
  <![CDATA[<li>…]]></record>…``, the rest from ``dataproxy.jsp`` after them (``totalRecord`` in the jpage call);
* ``morecolumndataproxy.jsp?page=N&…`` (GET), page by page;
* answers without ``<totalrecord>``: read on until a batch comes back short;
* lists rendered on the server (``div.default_pgContainer``) with ``?uid=<unit>&pageNum=N`` pages and the
  page count in ``span.default_pgTotalPage``;
* lists framed in an ``<iframe>`` of the same host;
* JPaaS "unit" shells (Zhejiang portals such as www.hhtz.gov.cn, and miit/mofcom/mohurd/samr): the page holds
  ``<script src="…/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/build/unit"
  queryData="{'webId':…,'pageId':…,'tagId':…,'tplSetId':…}">``; the list is the ``data.html`` of the JSON that
  the ``url`` answers to a GET of the queryData's keys, later pages asked with ``paramJson={"pageNo":N,
  "pageSize":M}``, the size of the list in the answer's pager (``<div class="pagination" rows=… count=…>``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from crawler import pages
from crawler.families import hanweb_annual
from crawler.families.base import Family, Follow, Listing, read_html_listing
from parsers.document import Link

if TYPE_CHECKING:
    import lxml.html

    from crawler.registry import Portal

DATAPROXY_PATH = "/module/web/jpage/dataproxy.jsp"
MORECOLUMN_PATH = "/module/web/jpage/morecolumndataproxy.jsp"
#: Records asked of dataproxy.jsp per request (Hanweb pages hold 15; sites ask for three pages at once).
DATAPROXY_BATCH = 45
_FIELD = r"['\"]?{name}['\"]?\s*[:=]\s*['\"]?(\w+)"
#: Classic ``/art/YYYY/M/D/art_<col>_<id>.html`` and the intensive platform's ``/art/YYYY/art_<32 hex>.html``.
_ARTICLE_PATH = r"/art/\d{4}/(?:\d{1,2}/\d{1,2}/)?art_(?:\d+_\d+|[0-9a-f]{32})\.html"
_ARTICLE = re.compile(_ARTICLE_PATH + "$")
_DATASTORE = re.compile(r"<script[^>]*text/xml[^>]*>\s*(<datastore>.*?)</script>", re.S | re.I)
_RECORD = re.compile(r"<record>(.*?)(?=</record>|<record>|</recordset>|\Z)", re.S)
_TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>")
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[\s*<a\s+href=['\"]([^'\"]+)['\"]", re.S)
_SCRIPT_TOTAL = re.compile(r"totalRecord\s*:\s*['\"]?(\d+)")
_PROXY = re.compile(r"(?:proxyUrl|url)\s*:\s*['\"]([^'\"?]*dataproxy\.jsp)", re.I)
_PAGER_TOTAL = re.compile(r"class=['\"]default_pgTotalPage['\"][^>]*>\s*(\d+)")
_PAGER_RECORDS = re.compile(r"class=['\"]default_pgTotalRecord['\"][^>]*>\s*(\d+)")
_PAGER_UNIT = re.compile(r"<div[^>]*\bid=['\"](\d+)['\"][^>]*>\s*<div[^>]*class=['\"]default_pgContainer", re.I)
_HTML_PAGE = re.compile(r"<!doctype html|<html|<body", re.I)
#: The answer kind of a JPaaS list unit's build/unit API (read back by ``Hanweb._jpaas``).
JPAAS_KIND = "jpaas-unit"
_UNITBUILD = "AuthorizedRead/unitbuild.js"
#: A field of a JPaaS unit's pager, as attribute (``count="8242"``, mofcom, zj.gov.cn departments) or in the
#: pager script's object (``oLayPageRender(…, {rows:"20", count:"585", pageNo:"1"})``, mohurd).
_UNIT_PAGER = r"\b{name}\s*[=:]\s*['\"]?(\d+)"


@dataclass(frozen=True)
class HanwebQuery:
    """The ids a Hanweb column page's script passes to ``dataproxy.jsp`` to fetch its list."""

    columnid: str
    unitid: str
    webid: str

    def params(self) -> dict[str, str]:
        """The jpage ``ajaxParam`` of the column, as its script sends them."""
        return {
            "col": "1",
            "appid": "1",
            "webid": self.webid,
            "path": "/",
            "columnid": self.columnid,
            "sourceContentType": "1",
            "unitid": self.unitid,
            "permissiontype": "0",
        }

    def form(self, start: int, end: int, per_page: int) -> dict[str, str]:
        return {"startrecord": str(start), "endrecord": str(end), "perpage": str(per_page), **self.params()}

    def context(self, column: str) -> dict[str, str]:
        return {"column": column, "columnid": self.columnid, "unitid": self.unitid, "webid": self.webid}

    def follow(self, column_url: str, start: int, proxy: str = DATAPROXY_PATH) -> Follow:
        """One POST batch of records ``start``…``start + 44`` (three pages of 15)."""
        return Follow(
            urljoin(column_url, proxy),
            kind="dataproxy",
            method="POST",
            form=self.form(start, start + DATAPROXY_BATCH - 1, DATAPROXY_BATCH // 3),
            context={**self.context(column_url), "proxy": proxy, "start": str(start)},
        )

    def page_template(self, column_url: str, proxy: str) -> str:
        """The GET URL of ``morecolumndataproxy.jsp`` pages, ``{page}`` left to fill (iachina.cn col43 shape)."""
        query = urlencode({**self.params(), "keyWordCount": "30"})
        return urljoin(column_url, proxy) + "?page={page}&" + query


@dataclass
class Records:
    """What a ``<datastore>`` held: one link per record, its declared size, and what was wrong with it."""

    items: list[Link]
    total: int | None
    pages: int | None
    problems: list[str]


@dataclass(frozen=True)
class JpaasUnit:
    """A JPaaS list unit: the build/unit API its unitbuild.js script names (``url``) and the key/values of the
    script's ``queryData`` that unitbuild.js sends it by GET."""

    api: str
    query: Mapping[str, str]

    def page_url(self, page: int, size: int) -> str:
        """Page 1 is the queryData alone (unitbuild.js); later pages add ``paramJson`` (the pager's page.js:
        ``{"pageNo":2,"pageSize":15}``, compact JSON)."""
        params = dict(self.query)
        if page > 1:
            params["paramJson"] = json.dumps({"pageNo": page, "pageSize": size}, separators=(",", ":"))
        return f"{self.api}?{urlencode(params)}"

    def follow(self, column: str, page: int, size: int, first: str) -> Follow:
        """Page ``page`` of the unit; ``size`` (its page size, 0 before the first answer) and ``first`` (the first
        item of the page before) let the next answer be paged on, or told a repeat."""
        query = json.dumps(self.query, ensure_ascii=False)
        context = {"column": column, "api": self.api, "query": query, "page": str(page), "size": str(size)}
        return Follow(self.page_url(page, size), kind=JPAAS_KIND, context={**context, "first": first})


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


def read_datastore(xml: str, url: str) -> Records:
    """The ``<record>`` items of a datastore (``<li>`` HTML in CDATA), its ``<totalrecord>``, and its problems:
    records whose CDATA never closes are still read as far as they go, and counted."""
    items: list[Link] = []
    broken = 0
    for body in _RECORD.findall(xml):
        fragment = body.strip()
        if fragment.startswith("<![CDATA["):
            fragment = fragment.removeprefix("<![CDATA[")
            if fragment.endswith("]]>"):
                fragment = fragment.removesuffix("]]>")
            else:
                broken += 1
        link = _record_link(fragment, url)
        if link is not None:
            items.append(link)
    problems = [f"datastore: {broken} record(s) with a broken CDATA section"] if broken else []
    if "<datastore>" in xml and "</datastore>" not in xml:
        problems.append("datastore: answer cut short (no </datastore>)")
    total, page_count = _TOTAL_RECORD.search(xml), _TOTAL_PAGE.search(xml)
    return Records(
        items, int(total.group(1)) if total else None, int(page_count.group(1)) if page_count else None, problems
    )


def records(xml: str, url: str) -> tuple[list[Link], int | None]:
    """The items of a dataproxy.jsp answer and its declared total."""
    found = read_datastore(xml, url)
    return found.items, found.total


def _record_link(fragment: str, url: str) -> Link | None:
    """A record's article link: the one of article shape or report title, else its first link."""
    found = pages.links(pages.parse(f"<html><body>{fragment}</body></html>"), url)
    chosen = [link for link in found if FAMILY.is_article(link.url) or pages.report_year(link.text) is not None]
    return next(iter(chosen or found), None)


def _api_answer(text: str, url: str, api: str) -> Records:
    """An API answer read as a datastore, or the problem that it is none (an HTML error page, another shape)."""
    if "<datastore" in text or "<recordset" in text:
        return read_datastore(text, url)
    what = "an HTML page" if _HTML_PAGE.search(text[:2000]) else "an answer of unknown shape"
    return Records([], None, None, [f"{api} answered {what}, not its XML record list"])


def _jpaas_units(tree: lxml.html.HtmlElement, url: str) -> tuple[list[JpaasUnit], list[str]]:
    """The JPaaS list units a page declares by unitbuild.js scripts, and a problem for each script without its
    ``url`` and ``queryData`` (single-quoted JSON: unitbuild.js turns ``'`` into ``"`` and parses it)."""
    return _jpaas_units_of(tree.xpath(f"//script[contains(@src, '{_UNITBUILD}')]"), url, "url")


def _jpaas_units_of(
    elements: list[lxml.html.HtmlElement], url: str, api_attribute: str
) -> tuple[list[JpaasUnit], list[str]]:
    """The units the elements name by their API attribute (a unitbuild.js script's ``url``, a pager's
    ``unitUrl``) and ``queryData``, and a problem for each element without them."""
    units: list[JpaasUnit] = []
    problems: list[str] = []
    for script in elements:
        api, raw = script.get(api_attribute, "").strip(), script.get("querydata", "").strip()
        try:
            data = json.loads(raw.replace("'", '"')) if api and raw else None
        except ValueError:
            data = None
        if not isinstance(data, dict):
            problems.append(f"JPaaS unit without its API address and a JSON queryData ({raw[:60]!r}): not read")
            continue
        units.append(JpaasUnit(urljoin(url, api), {str(key): str(value) for key, value in data.items()}))
    return units, problems


def _unit_html(text: str) -> tuple[str | None, str]:
    """The ``data.html`` of a build/unit answer (``{"code":"200","success":true,"data":{"html":…}}``), or None and
    why not (``{"success":false,"data":{}}``: the unit's queryData was not taken)."""
    if _HTML_PAGE.search(text[:2000]):
        return None, "JPaaS list API answered an HTML page, not JSON"
    try:
        answer = json.loads(text)
    except ValueError:
        return None, "JPaaS list API answer is not JSON"
    if not isinstance(answer, dict) or answer.get("success") is not True:
        success = answer.get("success") if isinstance(answer, dict) else None
        return None, f"JPaaS list API answered success {success!r}, not a list"
    data = answer.get("data")
    fragment = data.get("html") if isinstance(data, dict) else None
    if not isinstance(fragment, str):
        return None, "JPaaS list API answer of unknown shape (no data.html)"
    return fragment, ""


def _follow_unit_pager(listing: Listing, tree: lxml.html.HtmlElement, url: str) -> None:
    """A column that prints its list's first page itself, under a JPaaS pager ``<div class="pagination"
    count="386" rows="15" pageNo="1" unitUrl="…/build/unit" queryData="{'webId':…,'tagId':…}">`` (Zhejiang
    department sites, a public crawler of fzggw/kjt.zj.gov.cn): the list declares ``count``, and its later
    pages come from the unit's API from page 2 on."""
    for pager in tree.xpath("//*[@uniturl and @querydata and @count and @rows]"):
        units, problems = _jpaas_units_of([pager], url, "uniturl")
        listing.add_problems(problems)
        count, rows = int(pager.get("count", "0") or 0), int(pager.get("rows", "0") or 0)
        listing.declared = count
        if units and rows and count > rows:
            first = listing.items[0].url if listing.items else ""
            listing.follow.append(units[0].follow(url, 2, rows, first))
        return


def _unit_pager(fragment: str, name: str) -> int | None:
    """``count`` (the list's size) or ``rows`` (its page size) of the unit's pager, None without one."""
    found = re.search(_UNIT_PAGER.format(name=name), fragment)
    return int(found.group(1)) if found else None


class Hanweb(Family):
    name = "hanweb"
    label = "Hanweb 大汉 JCMS (/col/colN/ + jpage dataproxy.jsp, /art/ articles, xxgkAnnualReport.jsp)"
    source = (
        "portals.md §1–2 (jindong.gov.cn art_…, mzt.jiangsu.gov.cn/col/col90135, linxia.gov.cn art_<32 hex>); "
        "dataproxy/datastore/pager shapes from public crawlers; JPaaS unitbuild.js units (www.hhtz.gov.cn col1487002, "
        "rlsbt.zj.gov.cn, www.mofcom.gov.cn, www.miit.gov.cn): tests/families/hanweb/README.md"
    )
    article = _ARTICLE
    markers = (
        (re.compile(r"jpage/(?:more)?(?:column)?dataproxy\.jsp|loadJpage|\.jpage\("), "jpage list script"),
        (re.compile(r"<script[^>]*text/xml[^>]*>\s*<datastore>"), "list embedded as <datastore> XML"),
        (re.compile(r"default_pgContainer|default_pgTotalPage"), "jpage pager markup"),
        (re.compile(r"content=['\"]大汉版通['\"]"), "Generator meta 大汉版通"),
        (re.compile(_ARTICLE_PATH), "links to /art/…/art_… articles"),
        (re.compile(r"xxgkAnnualReport\.jsp"), "annual-report module link"),
        (re.compile(r"AuthorizedRead/unitbuild\.js"), "JPaaS unitbuild.js list unit"),
    )

    def start(self, portal: Portal, years: range) -> list[Follow]:
        host_url = f"http://{portal.hosts[0]}/"
        return super().start(portal, years) + hanweb_annual.start(
            host_url, portal.annual_report_areas, portal.annual_report_index, years
        )

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        if kind.startswith("annual"):
            return hanweb_annual.read(kind, text, url, context)
        if kind == "dataproxy":
            return self._dataproxy(text, url, context)
        if kind == "morecolumn":
            return self._morecolumn(text, url, context)
        if kind == JPAAS_KIND:
            return self._jpaas(text, context)
        return self._column(text, url)

    # -- HTML pages ----------------------------------------------------------------------------------------

    def _column(self, html: str, url: str) -> Listing:
        """A column page: its embedded records, its list API, its server pager, its JPaaS list units, or the frame
        holding its list."""
        listing = read_html_listing(html, url, self.is_article)
        sub_columns = [follow for follow in listing.follow if not follow.same_column]
        units, problems = _jpaas_units(pages.parse(html), url) if _UNITBUILD in html else ([], [])
        if units or problems:  # the list is built by the units' API
            listing.follow = [unit.follow(url, 1, 0, "") for unit in units] + sub_columns
            listing.add_problems(problems)
            return listing
        if "unitUrl" in html:
            _follow_unit_pager(listing, pages.parse(html), url)
        store = _DATASTORE.search(html)
        ids = query(html if store is None else html[: store.start()] + html[store.end() :], url)  # script ids only
        script_total = _SCRIPT_TOTAL.search(html)
        declared = int(script_total.group(1)) if script_total else None
        if store is not None:
            return self._embedded(store.group(1), html, url, ids, declared, sub_columns)
        tree = pages.parse(html)
        if _PAGER_TOTAL.search(html) or tree.xpath("//*[contains(@class, 'default_pgContainer')]"):
            return _server_pager(tree, html, url, sub_columns)
        proxy = _PROXY.search(html)
        if ids is not None and (proxy is not None or not listing.items):  # the list comes from the API only
            path = proxy.group(1) if proxy else DATAPROXY_PATH
            return Listing(follow=[self._first_batch(ids, url, path), *sub_columns], declared=declared)
        if not listing.items:
            listing.follow += _frames(tree, url)
        return listing

    def _embedded(
        self, xml: str, html: str, url: str, ids: HanwebQuery | None, declared: int | None, sub_columns: list[Follow]
    ) -> Listing:
        """The first records sit in the page; the rest come from dataproxy.jsp after them, unless all are here."""
        found = read_datastore(xml, url)
        total = declared if declared is not None else found.total
        listing = Listing(items=found.items, follow=list(sub_columns), declared=total, problems=found.problems)
        if not found.items or (total is not None and len(found.items) >= total):
            return listing
        proxy = _PROXY.search(html)
        if ids is not None:
            path = proxy.group(1) if proxy else DATAPROXY_PATH
            listing.follow.append(ids.follow(url, len(found.items) + 1, path))
        elif (group := _NEXTGROUP.search(xml)) is not None:  # only the next-group link knows the list's API
            template = re.sub(r"([?&])page=\d+", r"\1page={page}", urljoin(url, group.group(1).replace("&amp;", "&")))
            listing.follow.append(_page_follow(template, 2, url, size=len(found.items), first=found.items[0].url))
        else:
            listing.problems.append("datastore: more records declared than embedded, and no list API named")
        return listing

    @staticmethod
    def _first_batch(ids: HanwebQuery, url: str, proxy: str) -> Follow:
        """dataproxy.jsp is POSTed record ranges; morecolumndataproxy.jsp is asked page by page (GET)."""
        if proxy.endswith("morecolumndataproxy.jsp"):
            return _page_follow(ids.page_template(url, proxy), 1, url, size=0, first="")
        return ids.follow(url, 1, proxy)

    # -- API answers ---------------------------------------------------------------------------------------

    @staticmethod
    def _dataproxy(xml: str, url: str, context: Mapping[str, str]) -> Listing:
        """One POSTed batch of a column's list; the next batch follows until the declared total, or, when the
        answer declares none, until a batch comes back short."""
        column = context["column"]
        found = _api_answer(xml, column, "dataproxy.jsp")
        listing = Listing(items=found.items, declared=found.total, problems=found.problems)
        start = int(context["start"]) + DATAPROXY_BATCH
        more = start <= found.total if found.total is not None else len(found.items) >= DATAPROXY_BATCH
        if found.items and more:
            ids = HanwebQuery(context["columnid"], context["unitid"], context["webid"])
            listing.follow.append(ids.follow(column, start, context.get("proxy", DATAPROXY_PATH)))
        return listing

    @staticmethod
    def _morecolumn(xml: str, url: str, context: Mapping[str, str]) -> Listing:
        """One GET page of a list API (``?page=N``): on to the declared page count, or, when none is declared,
        until a page comes back shorter than the first (or repeats the page before: a server ignoring ``page``)."""
        column, page = context["column"], int(context["page"])
        found = _api_answer(xml, column, urlsplit(url).path.rsplit("/", 1)[-1])
        listing = Listing(items=found.items, declared=found.total, problems=found.problems)
        if not found.items:
            return listing
        if found.items[0].url == context["first"]:
            listing.problems.append(f"list API page {page} repeats page {page - 1}: paging stopped")
            return listing
        size = int(context["size"]) or len(found.items)
        if found.pages is not None:
            more = page < found.pages
        elif found.total is not None:
            more = page * size < found.total
        else:
            more = len(found.items) >= size
        if more:
            listing.follow.append(_page_follow(context["template"], page + 1, column, size, found.items[0].url))
        return listing

    def _jpaas(self, text: str, context: Mapping[str, str]) -> Listing:
        """One page of a JPaaS list unit: the article links of its ``data.html``; the next page until the pager's
        ``count``, or, when the pager states none, until a page comes back empty. A unit without a pager holds
        its whole list; a page repeating the one before (``pageNo`` not taken) stops the paging, said."""
        column, page = context["column"], int(context["page"])
        fragment, problem = _unit_html(text)
        if fragment is None:
            return Listing(problems=[problem])
        found = pages.links(pages.parse(f"<html><body>{fragment}</body></html>"), column)
        chosen = [link for link in found if self.is_article(link.url) or pages.is_report_title(link.text)]
        count, rows = _unit_pager(fragment, "count"), _unit_pager(fragment, "rows")
        listing = Listing(items=list({link.url: link for link in chosen}.values()), declared=count)
        if not listing.items or (count is None and rows is None):
            return listing
        if listing.items[0].url == context["first"]:
            listing.problems.append(f"JPaaS list API page {page} repeats page {page - 1}: paging stopped")
            return listing
        size = int(context["size"]) or rows or len(listing.items)
        if count is None or page * size < count:
            unit = JpaasUnit(context["api"], json.loads(context["query"]))
            listing.follow.append(unit.follow(column, page + 1, size, listing.items[0].url))
        return listing


def _page_follow(template: str, page: int, column: str, size: int, first: str) -> Follow:
    """Page ``page`` of a GET list API; ``size`` (records on its first page) and ``first`` (the first item of the
    page before) let the next answer tell a short or repeated page."""
    return Follow(
        template.replace("{page}", str(page)),
        kind="morecolumn",
        context={"column": column, "template": template, "page": str(page), "size": str(size), "first": first},
    )


def _server_pager(tree: lxml.html.HtmlElement, html: str, url: str, sub_columns: list[Follow]) -> Listing:
    """A list rendered on the server (``div.default_pgContainer``), paged ``?uid=<unit>&pageNum=N``."""
    containers = tree.xpath("//*[contains(@class, 'default_pgContainer')]")
    items = [link for container in containers for link in pages.links(container, url)]
    records = _PAGER_RECORDS.search(html)
    listing = Listing(items=items, follow=list(sub_columns), declared=int(records.group(1)) if records else None)
    if not containers:
        listing.problems.append("jpage pager without its list container (div.default_pgContainer)")
    query_args = dict(parse_qsl(urlsplit(url).query))
    container_unit = _PAGER_UNIT.search(html)
    unit = query_args.get("uid") or (container_unit.group(1) if container_unit else "")
    count = _PAGER_TOTAL.search(html)
    if count is None or query_args.get("pageNum", "1") != "1":
        return listing  # later pages are all asked for from the first
    if not unit:
        listing.problems.append("jpage pager without its unit id: later pages not read")
        return listing
    base = url.split("?", 1)[0]
    listing.follow += [Follow(f"{base}?uid={unit}&pageNum={page}") for page in range(2, int(count.group(1)) + 1)]
    return listing


def _frames(tree: lxml.html.HtmlElement, url: str) -> list[Follow]:
    """The same-host frames of a page that has no list of its own: the list is inside one of them. A frame loop
    ends in the spider, which requests each URL once."""
    host = urlsplit(url).netloc
    found: list[Follow] = []
    for frame in tree.xpath("//iframe[@src] | //frame[@src]"):
        src = urljoin(url, frame.get("src", "").strip()).split("#")[0]
        parts = urlsplit(src)
        if parts.scheme in ("http", "https") and parts.netloc == host and src != url:
            found.append(Follow(src))
    return found


FAMILY = Hanweb()
