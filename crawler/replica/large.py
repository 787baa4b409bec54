"""A large generated replica for the benchmark: many portals of every CMS family, thousands of pages.

Each portal has paginated listings (half the items are not reports), report pages whose text is a
seed report re-attributed to a generated agency (so every page is new content that must be
extracted), and a PDF attachment per report. The PDFs cycle through the bundled fixture PDFs: a real
crawl meets the same file on many pages (mirrors, re-posts), and extracting thousands of distinct PDFs
would measure PDFium, not the crawler.
"""

from __future__ import annotations

from crawler.replica import templates
from crawler.replica.model import Resource, Site
from crawler.replica.sites.common import PDF, fixture, seed
from crawler.replica.templates import Item

FAMILIES = ("trs", "hanweb", "vsb", "gd", "generic")
PER_PAGE = 20  # listing items per page, half of them reports
PDFS = ["extraction/report-000.pdf", "extraction/report-001.pdf", "extraction/report-002.pdf", "real/huaian-2024.pdf"]


def _report(portal: int, number: int) -> tuple[str, list[str]]:
    """A seed report's text, attributed to generated agency ``number`` of portal ``portal``."""
    original_title, lines = seed(f"{number % 5:03d}")
    agency = f"测试{portal}市第{number}局"
    year = 2015 + number % 10
    title = f"{agency}{year}年政府信息公开工作年度报告"
    old_agency = original_title.split("20", 1)[0]
    return title, [line.replace(old_agency, agency) for line in lines] + [f"（{agency}，编号{portal}-{number}）"]


def _article_href(family: str, number: int) -> str:
    return {
        "trs": f"./2024{number % 12 + 1:02d}/t2024{number % 12 + 1:02d}15_{100000 + number}.html",
        "hanweb": f"/art/2024/1/{number % 28 + 1}/art_1001_{100000 + number}.html",
        "vsb": f"/info/1001/{100000 + number}.htm",
        "gd": f"/zfxxgknb/content/post_{100000 + number}.html",
        "generic": f"/xxgk/nianbao/show/{100000 + number}.html",
    }[family]


def _listing_url(family: str, host: str, page: int) -> str:
    return {
        "trs": f"http://{host}/zfxxgk/zfxxgknb/" + ("index.html" if page == 0 else f"index_{page}.html"),
        "hanweb": f"http://{host}/col/col1001/index.html",
        "vsb": f"http://{host}/xxgknb.htm" if page == 0 else f"http://{host}/xxgknb/{page}.htm",
        "gd": f"http://{host}/zfxxgknb/" + ("index.html" if page == 0 else f"index_{page + 1}.html"),
        "generic": f"http://{host}/xxgk/nianbao/index.html" + ("" if page == 0 else f"?page={page}"),
    }[family]


def _add_portal(site: Site, family: str, index: int, reports: int) -> str:
    """One generated portal; returns its registry entry."""
    host = f"www.bench{index}.gov.cn"
    name = f"测试{index}市人民政府"
    items: list[Item] = []
    for number in range(reports):
        title, lines = _report(index, number)
        href = _article_href(family, number)
        items.append(Item(href, title))
        items.append(Item(href.replace(str(100000 + number), str(900000 + number)), f"{name}工作动态第{number}期"))
        article_url = templates_url(family, host, href)
        pdf = Item(f"/files/{index}/{number}.pdf", f"{title}.pdf")
        site.add(article_url, Resource(body=templates.article(name, host, title, lines, [pdf]).encode()))
        site.add(f"http://{host}{pdf.href}", Resource(body=fixture(PDFS[number % len(PDFS)]), content_type=PDF))
    pages = [items[start : start + PER_PAGE] for start in range(0, len(items), PER_PAGE)]
    if family == "hanweb":
        column = templates.hanweb_column(name, "年报", 1001, 5001, index)
        site.add(_listing_url(family, host, 0), Resource(body=column.encode()))
        records = [templates.hanweb_record(item) for item in items]
        site.add(
            f"http://{host}/module/web/jpage/dataproxy.jsp", Resource(behaviour="api", api=templates.dataproxy(records))
        )
    for page, page_items in enumerate(pages):
        url = _listing_url(family, host, page)
        if family == "trs":
            html = templates.trs_list(name, "年报", page_items, page, len(pages))
        elif family == "vsb":
            pager = [Item(f"/xxgknb/{number}.htm", str(number)) for number in range(1, len(pages))]
            html = templates.vsb_list(name, "年报", page_items, pager)
        elif family in ("gd", "generic"):
            pager = [Item(_listing_url(family, host, number), str(number + 1)) for number in range(len(pages))]
            html = templates.vsb_list(name, "年报", page_items, pager)
        else:
            continue
        site.add(url, Resource(body=html.encode()))
    start = _listing_url(family, host, 0)
    return (
        f'[[portal]]\nname = "bench{index}"\nagency = "{name}"\nregion = ""\nfamily = "{family}"\n'
        f'start_urls = ["{start}"]\nhosts = ["{host}"]\n'
    )


def templates_url(family: str, host: str, href: str) -> str:
    """An article's absolute URL (TRS links are relative to the column folder)."""
    if href.startswith("./"):
        return f"http://{host}/zfxxgk/zfxxgknb/{href[2:]}"
    return f"http://{host}{href}"


def build(portals: int = 10, reports_per_portal: int = 250) -> tuple[Site, str]:
    """The large site and its registry (TOML): portals spread over the families."""
    site = Site()
    entries = [
        _add_portal(site, FAMILIES[index % len(FAMILIES)], index, reports_per_portal) for index in range(portals)
    ]
    return site, "\n".join(entries)
