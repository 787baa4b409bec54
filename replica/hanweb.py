"""Hanweb JCMS pages as the replica serves them: site chrome, the jpage list script, embedded datastore XML,
the dataproxy.jsp list API, JPaaS unit shells and their build/unit API, and article pages, in the real markup
that tests/families/hanweb/README.md records (shared by the Hanweb replica portals: 曲阜, 盐城, and the JPaaS
column of tests/test_family_hanweb.py)."""

from __future__ import annotations

import hashlib
import html
import json
import zlib
from dataclasses import dataclass

from replica.model import Answer, Api, Call
from replica.templates import Item


@dataclass(frozen=True)
class HanwebSite:
    """One Hanweb portal's identity, as its page chrome and meta tags print it."""

    name: str
    host: str
    site_code: str  # 网站标识码
    icp: str
    sponsor: str
    webid: int
    unitid: int


@dataclass(frozen=True)
class Column:
    """A column: its id, its name, and the breadcrumb above it (name, URL) from 首页 down."""

    columnid: int
    name: str
    crumbs: tuple[tuple[str, str], ...]

    @property
    def path(self) -> str:
        return f"/col/col{self.columnid}/index.html"


def page(site: HanwebSite, title: str, column: Column, body: str, head: str = "") -> str:
    """A Hanweb page in its chrome: Generator meta, 无障碍/关怀版 bar, header nav, 当前位置 breadcrumb, footer."""
    crumbs = " &gt; ".join(f'<a href="{url}">{html.escape(name)}</a>' for name, url in (("首页", "/"), *column.crumbs))
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{html.escape(title)} {html.escape(site.name)}</title>
<meta name='Generator' content='大汉版通'><meta name='Author' content='大汉网络'>
<meta name="SiteName" content="{html.escape(site.name)}">
<meta name="SiteDomain" content="{site.host}">
<meta name="SiteIDCode" content="{site.site_code}">
<meta name="ColumnName" content="{html.escape(column.name)}">
<meta name="ColumnType" content="{html.escape(column.name)}">
{head}<script language="javascript" src="/module/jslib/jquery/jquery.js"></script>
<link href="/script/page.css" type="text/css" rel="stylesheet">
<link href="/images/{site.webid}/css.css" rel="stylesheet" type="text/css">
</head>
<body>
<div class="top-bar"><div class="wrap">
<span class="welcome">欢迎访问{html.escape(site.name)}门户网站！</span>
<span class="tools"><a href="javascript:void(0)" id="cniil_wza">无障碍</a>
 | <a href="javascript:void(0)" class="ghb">关怀版</a> | <a href="/module/search/index.jsp">站内搜索</a></span>
</div></div>
<div class="header"><div class="logo"><a href="/">
<img src="/images/{site.webid}/logo.png" alt="{html.escape(site.name)}"></a></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="{column.crumbs[0][1]}">政务公开</a></li>
<li><a href="/jact/front/mailpubdetail.do">互动交流</a></li>
<li><a href="/module/zwfw/index.jsp">政务服务</a></li></ul></div>
<div class="position">当前位置：{crumbs}</div>
<div class="main">
{body}
</div>
<div class="footer"><div class="wrap">
<p><a href="/col/col1/index.html">网站地图</a> | <a href="/col/col2/index.html">联系我们</a>
 | <a href="/col/col3/index.html">隐私声明</a></p>
<p>主办：{html.escape(site.sponsor)}　网站标识码：{site.site_code}</p>
<p><a href="https://beian.miit.gov.cn/" target="_blank">{html.escape(site.icp)}</a></p>
<span id="_ideConac"><a href="http://bszs.conac.cn/sitename?method=show&amp;id={site.site_code}">
<img src="/images/dzjg.png" alt="党政机关"></a></span>
</div></div>
</body>
</html>
"""


def jpage_script(site: HanwebSite, columnid: int, total: int, proxy: str, store: str = "") -> str:
    """The jpage call of a column page (``$('#<unit>').jpage({…})``), with its ``ajaxParam`` ids; ``store`` is the
    datastore XML embedded before it (``<script type="text/xml">``), empty when the API serves every record."""
    unit = site.unitid
    embedded = f'<script type="text/xml">{store}</script>' if store else ""
    return (
        f'<div id="{unit}">{embedded}</div>\n'
        f'<script language="javascript" src="/module/web/jpage/jpage.js"></script>\n'
        f"<script>var param_{unit}={{col:1,appid:1,webid:{site.webid},path:'/',columnid:{columnid},"
        f"sourceContentType:1,unitid:'{unit}',webname:'{site.name}',permissiontype:0}};\n"
        f"$(function(){{$('#{unit}').jpage({{themeName:'default',showMode:'full',totalRecord:{total},"
        f"openCookies:false,dataBefore:'<ul class=\"list\">',dataAfter:'</ul>',groupSize:3,"
        f"proxyUrl:'{proxy}',perPage:15,barPosition:'bottom',ajaxParam:param_{unit}}});}});</script>"
    )


def record(item: Item) -> str:
    """One list row as dataproxy.jsp returns it (a ``<li>`` with the title attribute and the date)."""
    title = html.escape(item.title)
    return f"<li><a href='{item.href}' title='{title}' target='_blank'>{title}</a><span>{item.date}</span></li>"


def datastore(site: HanwebSite, columnid: int, rows: list[str], total: int) -> str:
    """A ``<datastore>``: its next-group link, the records (CDATA), the declared totals."""
    nextgroup = (
        f"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={site.webid}&path=/&columnid={columnid}"
        f"&unitid={site.unitid}&webname={site.name}&permissiontype=0"
    )
    chosen = "\n".join(f"<record><![CDATA[{row}]]></record>" for row in rows)
    return (
        f'<datastore>\n<nextgroup><![CDATA[<a href="{nextgroup}"></a>]]></nextgroup>\n'
        f"<recordset>\n{chosen}\n</recordset>\n<totalrecord>{total}</totalrecord>\n"
        f"<totalpage>{(total + 14) // 15}</totalpage>\n</datastore>"
    )


def dataproxy(site: HanwebSite, columnid: int, rows: list[str]) -> Api:
    """``dataproxy.jsp``: records startrecord…endrecord of the column (in the query string or the form)."""

    def answer(call: Call) -> Answer:
        fields = {**call.query, **call.form}
        start = max(1, int(fields.get("startrecord", "1")))
        end = int(fields.get("endrecord", str(start + 44)))
        xml = '<?xml version="1.0" encoding="utf-8"?>\n' + datastore(site, columnid, rows[start - 1 : end], len(rows))
        return 200, xml.encode("utf-8"), "text/xml;charset=utf-8"

    return answer


JPAAS_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
UNITBUILD_JS = "/cms_files/default/script/AuthorizedRead/unitbuild.js"


@dataclass(frozen=True)
class JpaasUnit:
    """A JPaaS list unit: the ids its unitbuild.js script sends (www.hhtz.gov.cn col1487002: webId 2945,
    tplSetId quSyqDUrFfjv1nGRQhEEH, tagId 阳光政务_分页列表)."""

    web_id: str
    page_id: str
    tag_id: str
    tpl_set_id: str

    def query(self) -> dict[str, str]:
        """The script's queryData, keys in the order of the real ones (miit, mofcom, hhtz)."""
        return {
            "parseType": "bulidstatic",
            "webId": self.web_id,
            "tplSetId": self.tpl_set_id,
            "pageType": "column",
            "tagId": self.tag_id,
            "editType": "null",
            "pageId": self.page_id,
        }


def _single_quoted(data: dict[str, str]) -> str:
    """A queryData attribute value: JSON with single quotes, as the pages write it."""
    return html.escape(json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace('"', "'"), quote=False)


def unitbuild_script(unit: JpaasUnit) -> str:
    """The shell's unit: ``<script id=<32 hex> src=…/unitbuild.js webId parseType url queryData>`` (miit)."""
    script_id = hashlib.md5(f"{unit.page_id}{unit.tag_id}".encode()).hexdigest()
    return (
        f'<script id="{script_id}" src="{UNITBUILD_JS}" webId="{unit.web_id}" parseType="bulidstatic"\n'
        f'  url="{JPAAS_API}"\n  queryData="{_single_quoted(unit.query())}"></script>'
    )


def jpaas_row(item: Item) -> str:
    """One row of a unit's list (hhtz: ``.page-content > li``, ``a.news``, ``span.time`` with ``[YYYY-MM-DD]``)."""
    title = html.escape(item.title)
    link = f'<a href="{item.href}" class="news" target="_blank">{title}</a>'
    return f'<li>{link}<span class="time">[{item.date}]</span></li>'


def _jpaas_fragment(unit: JpaasUnit, rows: list[str], page: int, size: int, total: int) -> str:
    """A unit's ``data.html``: ``div#<tagId>`` with the rows and the pager ``div.pagination`` (rows, count,
    pageNo, unitid, unitUrl, and its own queryData without editType, as mofcom's)."""
    pager_query = {key: value for key, value in unit.query().items() if key != "editType"}
    pager = (
        f'<div class="pagination" rows="{size}" count="{total}" pageNo="{page}" unitid="{unit.tag_id}"'
        f' unitUrl="{JPAAS_API}" queryData="{_single_quoted(pager_query)}"></div>'
    )
    return f'<div id="{unit.tag_id}"><div class="page-content">\n' + "\n".join(rows) + f"\n</div>{pager}</div>"


def _jpaas_answer(fragment: str | None) -> bytes:
    """The build/unit JSON: ``data.html`` when the unit was found, else ``success: false`` with empty data."""
    if fragment is None:
        return json.dumps({"success": False, "data": {}, "message": "", "code": "200"}, separators=(",", ":")).encode()
    answer = {"code": "200", "success": True, "data": {"html": fragment}}
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


def jpaas_api(unit: JpaasUnit, rows: list[str], size: int) -> Api:
    """The build/unit API of one unit: page 1 of ``size`` rows without ``paramJson``, page N of M rows with
    ``paramJson={"pageNo":N,"pageSize":M}``; another unit's ids answer ``success: false``."""

    def answer(call: Call) -> Answer:
        if any(call.query.get(key) != unit.query()[key] for key in ("webId", "pageId", "tagId")):
            return 200, _jpaas_answer(None), "application/json; charset=UTF-8"
        paging = json.loads(call.query.get("paramJson", "{}"))
        page, per = int(paging.get("pageNo", 1)), int(paging.get("pageSize", size))
        chosen = rows[(page - 1) * per : page * per]
        return (
            200,
            _jpaas_answer(_jpaas_fragment(unit, chosen, page, per, len(rows))),
            "application/json; charset=UTF-8",
        )

    return answer


def article(site: HanwebSite, column: Column, title: str, body: str, date: str, source: str, files: list[Item]) -> str:
    """A Hanweb article: ArticleTitle meta, the 信息索引号/发布机构/… table, the text in ``div#zoom``, 附件 links."""
    index = f"{zlib.crc32(title.encode()) % 10**9:09d}/{date[:4]}-00012"
    meta = (
        f'<meta name="ArticleTitle" content="{html.escape(title)}">\n<meta name="PubDate" content="{date} 09:30">\n'
        f'<meta name="ContentSource" content="{html.escape(source)}">\n'
    )
    rows = (
        (("信息索引号", index), ("审核程序", "部门审核")),
        (("发布机构", source), ("发文字号", "")),
        (("发布日期", date), ("公开方式", "主动公开")),
    )
    cells = ("".join(f"<td class='label'>{a}</td><td>{html.escape(b)}</td>" for a, b in pairs) for pairs in rows)
    table = "\n".join(f"<tr>{row}</tr>" for row in cells)
    attachments = "".join(f'<p>附件：<a href="{item.href}">{html.escape(item.title)}</a></p>' for item in files)
    content = (
        f'<table class="xxgk_table">\n{table}\n</table>\n<div class="article">\n'
        f'<div class="bt-title"><h1>{html.escape(title)}</h1></div>\n'
        f'<div class="bt-info">发布日期：{date}　来源：{html.escape(source)}　浏览次数：<span id="c"></span>'
        f'　字号：[ <a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> ]</div>\n'
        f'<div id="zoom">\n{body}\n</div>\n<div class="fj">{attachments}</div>\n'
        '<div class="bt-tools"><a href="javascript:window.print()">打印本页</a>'
        ' <a href="javascript:window.close()">关闭窗口</a></div>\n'
        "</div>"
    )
    return page(site, title, column, content, head=meta)


def paragraphs(lines: list[str]) -> str:
    return "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
