"""HTML as the CMS families render it: article pages with the national meta tags and metadata box,
TRS lists with ``createPageHTML``, Hanweb column shells whose list only the script knows, VSB lists,
plain link lists, and anti-bot challenge pages."""

from __future__ import annotations

import html
import zlib
from dataclasses import dataclass

from replica.model import Answer, Api, Call


@dataclass
class Item:
    href: str
    title: str
    date: str = "2024-01-18"


def _page(title: str, site: str, body: str, head: str = "", charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"<title>{html.escape(title)}_{html.escape(site)}</title>\n{head}</head>\n<body>\n"
        f'<div class="header"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a></div>\n{body}\n'
        f'<div class="footer">主办：{html.escape(site)} <a href="http://www.beian.gov.cn/">备案</a></div>\n</body></html>\n'
    )


def article(
    site: str,
    host: str,
    title: str,
    paragraphs: list[str],
    files: list[Item],
    date: str = "2024-01-18",
    source: str = "",
    extra_links: list[Item] | None = None,
    charset: str = "utf-8",
) -> str:
    """An article page: meta tags (国办发〔2017〕47号), 索引号 box, <h1>, paragraphs, attachment links."""
    meta = "".join(
        f'<meta name="{name}" content="{html.escape(value)}">\n'
        for name, value in (
            ("SiteName", site),
            ("SiteDomain", host),
            ("ColumnName", "政府信息公开年报"),
            ("ArticleTitle", title),
            ("PubDate", f"{date} 09:30"),
            ("ContentSource", source or site),
        )
    )
    box = (
        f'<div class="xxgk-box"><span>索引号：</span>{zlib.crc32(title.encode()) % 10**9:09d}/{date[:4]}-00012 '
        f"<span>发布机构：</span>{html.escape(source or site)} <span>发布日期：</span>{date}</div>"
    )
    text = "\n".join(f"<p>{html.escape(line)}</p>" for line in paragraphs)
    attachments = "".join(f'<li><a href="{item.href}">{html.escape(item.title)}</a></li>' for item in files)
    others = "".join(f'<li><a href="{item.href}">{html.escape(item.title)}</a></li>' for item in extra_links or [])
    body = (
        f'{box}\n<div class="article"><h1>{html.escape(title)}</h1>\n{text}\n'
        f'<ul class="attachments">{attachments}</ul></div>\n<ul class="related">{others}</ul>'
    )
    return _page(title, site, body, head=meta, charset=charset)


def link_list(site: str, title: str, items: list[Item], script: str = "", charset: str = "utf-8") -> str:
    lis = "\n".join(
        f'<li><a href="{item.href}" title="{html.escape(item.title)}">{html.escape(item.title)}</a>'
        f"<span>{item.date}</span></li>"
        for item in items
    )
    return _page(
        title, site, f'<div class="list"><h2>{html.escape(title)}</h2><ul>\n{lis}\n</ul></div>{script}', charset=charset
    )


def trs_list(site: str, title: str, items: list[Item], page: int, count: int) -> str:
    """TRS: the pager is written by script: createPageHTML(total pages, current, "index", "html")."""
    script = f'<div class="page"><script>createPageHTML({count}, {page}, "index", "html");</script></div>'
    return link_list(site, title, items, script)


def vsb_list(site: str, title: str, items: list[Item], pager: list[Item]) -> str:
    """VSB/博达: numbered pager links, later pages counting down (``xxgknb/1.htm`` is the last)."""
    links = " ".join(f'<a href="{item.href}">{html.escape(item.title)}</a>' for item in pager)
    return link_list(site, title, items, f'<div class="pb_sys_common"><span class="p_pages">{links}</span></div>')


def hanweb_column(site: str, title: str, columnid: int, unitid: int, webid: int) -> str:
    """A Hanweb column as served: no items, only the script that fetches them from dataproxy.jsp."""
    script = (
        f'<div id="{unitid}"><script type="text/javascript">\n'
        f"var jpageConfig = {{ url: '/module/web/jpage/dataproxy.jsp', perpage: 15, "
        f"params: {{ col: 1, appid: 1, webid: {webid}, path: '/', columnid: {columnid}, "
        f"sourceContentType: 1, unitid: {unitid}, webname: '{site}', permissiontype: 0 }} }};\n"
        f"$(function() {{ loadJpage(jpageConfig); }});\n</script></div>"
    )
    return _page(title, site, f'<div class="list"><h2>{html.escape(title)}</h2>{script}</div>')


def hanweb_record(item: Item) -> str:
    return (
        f'<li><a href="{item.href}" title="{html.escape(item.title)}" target="_blank">'
        f"{html.escape(item.title)}</a><span>{item.date}</span></li>"
    )


def challenge(kind: str = "jsl") -> bytes:
    """An anti-bot interstitial: sets a cookie by script and reloads; no article at all."""
    return (
        "<html><head><meta charset='utf-8'></head><body><script>"
        f"var _0x3f2a=['{kind}','cookie'];document.cookie='__jsl_clearance=1700000000.123|0|abc;max-age=3600;path=/';"
        "location.href=location.pathname+location.search;</script></body></html>"
    ).encode()


def dataproxy(records: list[str]) -> Api:
    """Hanweb's list API (``dataproxy.jsp``): records startrecord..endrecord of the column, XML with CDATA."""

    def answer(call: Call) -> Answer:
        start = max(1, int(call.form.get("startrecord", "1")))
        end = int(call.form.get("endrecord", str(start + 44)))
        chosen = "".join(f"<record><![CDATA[{record}]]></record>" for record in records[start - 1 : end])
        total = len(records)
        xml = (
            f'<?xml version="1.0" encoding="utf-8"?><datastore><nextgroup><![CDATA[]]></nextgroup>'
            f"<recordset>{chosen}</recordset><totalrecord>{total}</totalrecord>"
            f"<totalpage>{(total + 14) // 15}</totalpage></datastore>"
        )
        return 200, xml.encode("utf-8"), "text/xml; charset=utf-8"

    return answer
