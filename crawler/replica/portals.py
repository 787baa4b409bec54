"""The registry's portals as the replica serves them: the five seed reports and the real 淮安 2024 PDF,
in their portals' CMS families, with what real portals do around them.

Where each fault lives (the tests and the demo summary look for them):

===========================  ==============================================================================
kjj.liaocheng.gov.cn (TRS)   3-page list built by createPageHTML; non-report items; robots.txt disallows
                             /xxgk/zfxxgknb/bak/ (a report copy there); a 404 report link; HTML + PDF.
                             State 2 replaces the HTML report at the same URL with a corrected version.
www.qufu.gov.cn (Hanweb)     col15191 whose list exists only behind dataproxy.jsp (50 records, 2 batches),
                             which answers 500 every other request; article + DOCX behind downfile.jsp.
www.weihai.gov.cn (Hanweb)   xxgkAnnualReport.jsp per year: 2023 has PDF + DOCX, 2022 answers HTTP 412
                             with a challenge script, the other years have no report.
kjj.weihai.gov.cn (VSB)      2-page list; HTML + the same PDF bytes as www.weihai (one report, two portals);
                             a report link that redirects in a loop.
www.zhoukou.gov.cn (generic) column tree 政府信息公开 → 年报 → 市直部门; a wrapper page ("详见附件") with DOC
                             and PDF; a 200 page that is only a challenge; a page slower than the timeout;
                             off-site mirror and gov.cn gateway links.
www.boshan.gov.cn (generic)  GBK pages; HTML + DOCX + PDF.
www.huaian.gov.cn (Hanweb)   script-built list; wrapper page with the real PDF and an oversized attachment.
===========================  ==============================================================================
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from crawler.replica import templates
from crawler.replica.model import Resource, Site
from crawler.replica.templates import Item

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
#: What the oversized attachment announces: past any sane report size and the crawler's limit.
OVERSIZED_BYTES = 300 * 1024 * 1024
SEEDS = {
    "000": "000_0b3756e79a1f4c29.txt",
    "001": "001_13b328ddb083188e.txt",
    "002": "002_4a2bc5ef37378002.txt",
    "003": "003_cf9a8ca2a320709f.txt",
    "004": "004_718de6eab00637b7.txt",
}
CORRECTION = "（2023年2月10日更正：第五部分改进措施的表述有误，已更正。）"


@cache
def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@cache
def seed(number: str) -> tuple[str, list[str]]:
    """A seed report's title (its first lines up to the one naming the report) and its other lines."""
    lines = [line.strip() for line in fixture(f"seeds/{SEEDS[number]}").decode().splitlines()]
    lines = [line for line in lines if line and not line.startswith("[image")]
    end = next(index for index, line in enumerate(lines) if "年度报告" in line)
    return "".join(lines[: end + 1]).replace(" ", ""), lines[end + 1 :]


def _file(data: bytes, content_type: str) -> Resource:
    return Resource(body=data, content_type=content_type)


def _html(text: str, charset: str = "utf-8") -> Resource:
    return Resource(body=text.encode(charset), content_type=f"text/html; charset={charset}")


def _filler(prefix: str, count: int, topic: str, ext: str = ".html") -> list[Item]:
    """Non-report articles sharing the column (their titles carry no 年度报告)."""
    topics = ["工作动态", "通知公告", "政策解读", "项目申报指南", "人事任免", "财政预算公开", "建议提案办理"]
    return [
        Item(f"{prefix}{number}{ext}", f"{topic}{topics[number % len(topics)]}（第{number + 1}期）")
        for number in range(count)
    ]


def liaocheng(site: Site, state: int) -> None:
    host, name = "kjj.liaocheng.gov.cn", "聊城市科学技术局"
    base = f"http://{host}/xxgk/zfxxgknb/"
    title, lines = seed("000")
    report = Item("./202301/t20230118_4101823.html", title, "2023-01-18")
    lists = [
        _filler("./202402/t20240205_45100", 8, "科技"),
        [
            *_filler("./202302/t20230210_42100", 3, "科技"),
            report,
            Item("./bak/t20230118_4101824.html", title + "（备份）"),
        ],
        [
            *_filler("./202202/t20220215_39100", 4, "科技"),
            Item("./202201/t20220120_3900001.html", f"{name}2021年政府信息公开工作年度报告"),
        ],
    ]
    for page, items in enumerate(lists):
        url = base + ("index.html" if page == 0 else f"index_{page}.html")
        site.add(url, _html(templates.trs_list(name, "政府信息公开年报", items, page, len(lists))))
    body = [*lines, CORRECTION] if state >= 2 else lines
    pdf = Item("./P020230118552367123456.pdf", f"附件：{title}.pdf")
    site.add(
        base + "202301/t20230118_4101823.html", _html(templates.article(name, host, title, body, [pdf], "2023-01-18"))
    )
    site.add(base + "202301/P020230118552367123456.pdf", _file(fixture("extraction/report-000.pdf"), PDF))
    site.add(base + "bak/t20230118_4101824.html", _html(templates.article(name, host, title, lines, [], "2023-01-18")))
    site.robots[host] = "User-agent: *\nDisallow: /xxgk/zfxxgknb/bak/\n"


def qufu(site: Site) -> None:
    host, name = "www.qufu.gov.cn", "曲阜市人民政府"
    title, lines = seed("003")
    site.add(
        f"http://{host}/col/col15191/index.html",
        _html(templates.hanweb_column(name, "政府信息公开年报", 15191, 66001, 37)),
    )
    records = [templates.hanweb_record(item) for item in _filler("/art/2022/3/1/art_15191_28700", 47, "曲阜市科技局")]
    article_path = "/art/2022/1/20/art_15191_2871234.html"
    records.insert(46, templates.hanweb_record(Item(article_path, title, "2022-01-20")))
    site.add(
        f"http://{host}/module/web/jpage/dataproxy.jsp", Resource(behaviour="dataproxy", records=records, flaky=True)
    )
    docx = Item("/module/download/downfile.jsp?classid=0&filename=2201201530.docx", f"{title}.docx")
    site.add(
        f"http://{host}{article_path}",
        _html(templates.article(name, host, title, lines, [docx], "2022-01-20", "曲阜市科学技术局")),
    )
    site.add(f"http://{host}/module/download/downfile.jsp", _file(fixture("extraction/report-003.docx"), DOCX))


def weihai(site: Site) -> None:
    host, name = "www.weihai.gov.cn", "威海市人民政府"
    title, _ = seed("004")
    module = f"http://{host}/module/xxgk/xxgkAnnualReport.jsp"
    files = [
        Item("/picture/0/2401191530123.pdf", f"{title}.pdf"),
        Item("/picture/0/2401191530124.docx", f"{title}.docx"),
    ]
    intro = [f"现将{title}予以公布。", "报告全文见附件（PDF、DOCX 两种格式）。"]
    site.add(
        f"{module}?area=11371000MB2841053X&fbtime=2023",
        _html(templates.article(name, host, title, intro, files, "2024-01-19", "威海市科学技术局")),
    )
    site.add(f"{module}?area=11371000MB2841053X&fbtime=2022", Resource(body=templates.challenge("ruishu"), status=412))
    site.add(f"{module}?*", _html(templates.link_list(name, "政府信息公开工作年度报告", [])))
    site.add(f"http://{host}/picture/0/2401191530123.pdf", _file(fixture("extraction/report-004.pdf"), PDF))
    site.add(f"http://{host}/picture/0/2401191530124.docx", _file(fixture("extraction/report-004.docx"), DOCX))


def weihai_kjj(site: Site) -> None:
    host, name = "kjj.weihai.gov.cn", "威海市科学技术局"
    title, lines = seed("004")
    first = [*_filler("/info/1092/4600", 5, "科技", ".htm"), Item("/info/1092/45678.htm", title, "2024-01-19")]
    second = [
        *_filler("/info/1092/3900", 3, "科技", ".htm"),
        Item("/info/1092/40001.htm", f"{name}2022年政府信息公开工作年度报告"),
    ]
    pager = [Item("xxgknb/1.htm", "2"), Item("xxgknb/1.htm", "下页")]
    site.add(f"http://{host}/xxgknb.htm", _html(templates.vsb_list(name, "政府信息公开年报", first, pager)))
    site.add(
        f"http://{host}/xxgknb/1.htm",
        _html(templates.vsb_list(name, "政府信息公开年报", second, [Item("../xxgknb.htm", "1")])),
    )
    pdf = Item("/__local/8/AB/CD/ABCD1234EF.pdf", "附件：威海市科学技术局2023年政府信息公开工作年度报告.pdf")
    site.add(
        f"http://{host}/info/1092/45678.htm", _html(templates.article(name, host, title, lines, [pdf], "2024-01-19"))
    )
    site.add(f"http://{host}{pdf.href}", _file(fixture("extraction/report-004.pdf"), PDF))
    site.add(
        f"http://{host}/info/1092/40001.htm",
        Resource(behaviour="redirect", location=f"http://{host}/info/1092/40001.htm?v=2"),
    )
    site.add(
        f"http://{host}/info/1092/40001.htm?v=2",
        Resource(behaviour="redirect", location=f"http://{host}/info/1092/40001.htm"),
    )


def zhoukou(site: Site) -> None:
    host, name = "www.zhoukou.gov.cn", "周口市人民政府"
    title, _ = seed("001")
    root = f"http://{host}/zfxxgk/"
    mirror = "http://www.zhoukou.gov.cn.zfxxgk-mirror.com/zfxxgk/zfxxgknb/szbm/2023/0130/kjj.html"
    gateway = "http://www.gov.cn/gate/big5/www.zhoukou.gov.cn/zfxxgk/zfxxgknb/szbm/2023/0130/kjj.html"
    site.add(
        root + "index.html",
        _html(
            templates.link_list(
                name,
                "政府信息公开",
                [
                    Item("/zfxxgk/zcwj/index.html", "政策文件"),
                    Item("/zfxxgk/zfxxgknb/index.html", "政府信息公开年报"),
                    Item(mirror, f"{title}（镜像）"),
                ],
            )
        ),
    )
    site.add(
        root + "zfxxgknb/index.html",
        _html(
            templates.link_list(
                name,
                "政府信息公开年报",
                [
                    Item("/zfxxgk/zfxxgknb/szf/index.html", "市政府年报"),
                    Item("/zfxxgk/zfxxgknb/szbm/index.html", "市直部门年报"),
                ],
            )
        ),
    )
    site.add(root + "zfxxgknb/szf/index.html", _html(templates.link_list(name, "市政府年报", [])))
    site.add(
        root + "zfxxgknb/szbm/index.html",
        _html(
            templates.link_list(
                name,
                "市直部门年报",
                [
                    Item("/zfxxgk/zfxxgknb/szbm/2023/0130/kjj.html", title, "2023-01-30"),
                    Item("/zfxxgk/zfxxgknb/szbm/2023/0128/jyj.html", "周口市教育局2022年政府信息公开工作年度报告"),
                    Item("/zfxxgk/zfxxgknb/szbm/2023/0127/tjj.html", "周口市统计局2022年政府信息公开工作年度报告"),
                    Item("/zfxxgk/zfxxgknb/szbm/2023/0101/tz.html", "关于做好政务公开工作的通知"),
                    Item(gateway, f"{title}（繁體）"),
                ],
            )
        ),
    )
    files = [
        Item("/uploadfiles/2023/0130/kjj2022.doc", f"{title}.doc"),
        Item("/uploadfiles/2023/0130/kjj2022.pdf", f"{title}.pdf"),
    ]
    site.add(
        root + "zfxxgknb/szbm/2023/0130/kjj.html",
        _html(
            templates.article(
                name,
                host,
                title,
                [f"{title}全文详见附件。"],
                files,
                "2023-01-30",
                "周口市科技局",
                extra_links=[Item(mirror, "镜像站")],
            )
        ),
    )
    site.add(
        f"http://{host}/uploadfiles/2023/0130/kjj2022.doc",
        _file(fixture("extraction/report-001.doc"), "application/octet-stream"),
    )
    site.add(f"http://{host}/uploadfiles/2023/0130/kjj2022.pdf", _file(fixture("extraction/report-001.pdf"), PDF))
    site.add(root + "zfxxgknb/szbm/2023/0128/jyj.html", Resource(body=templates.challenge()))
    site.add(
        root + "zfxxgknb/szbm/2023/0127/tjj.html", Resource(behaviour="slow", body=b"<html><body>late</body></html>")
    )


def boshan(site: Site) -> None:
    host, name = "www.boshan.gov.cn", "淄博市博山区人民政府"
    title, lines = seed("002")
    items = [
        Item("/gongkai/nianbao/2024/report.html", title, "2024-01-18"),
        Item("/gongkai/nianbao/2024/gzyd.html", "博山区2024年政务公开工作要点"),
    ]
    site.add(
        f"http://{host}/gongkai/nianbao/index.html",
        _html(templates.link_list(name, "政府信息公开年报", items, charset="gbk"), "gbk"),
    )
    files = [
        Item("/gongkai/nianbao/2024/report.docx", f"{title}.docx"),
        Item("/gongkai/nianbao/2024/report.pdf", f"{title}.pdf"),
    ]
    page = templates.article(name, host, title, lines, files, "2024-01-18", "博山区科学技术局", charset="gbk")
    site.add(f"http://{host}/gongkai/nianbao/2024/report.html", _html(page, "gbk"))
    site.add(f"http://{host}/gongkai/nianbao/2024/report.docx", _file(fixture("extraction/report-002.docx"), DOCX))
    site.add(f"http://{host}/gongkai/nianbao/2024/report.pdf", _file(fixture("extraction/report-002.pdf"), PDF))


def huaian(site: Site) -> None:
    host, name = "www.huaian.gov.cn", "淮安市人民政府"
    title = "淮安市人民政府2024年政府信息公开工作年度报告"
    site.add(
        f"http://{host}/col/col16727/index.html",
        _html(templates.hanweb_column(name, "政府信息公开年度报告", 16727, 58011, 1)),
    )
    items = [
        Item("/art/2025/1/20/art_16727_4523456.html", title, "2025-01-20"),
        *_filler("/art/2025/1/10/art_16727_45200", 6, "淮安市"),
    ]
    site.add(
        f"http://{host}/module/web/jpage/dataproxy.jsp",
        Resource(behaviour="dataproxy", records=[templates.hanweb_record(i) for i in items]),
    )
    files = [
        Item("/module/download/downfile.jsp?classid=0&filename=szfgs2024.pdf", f"{title}.pdf"),
        Item("/uploadfiles/2025/01/tjb2024-scan.pdf", "附件2：2024年政府信息公开统计表（扫描件）.pdf"),
    ]
    intro = [f"现将{title}予以公布。", "全文见附件。"]
    site.add(
        f"http://{host}/art/2025/1/20/art_16727_4523456.html",
        _html(templates.article(name, host, title, intro, files, "2025-01-20")),
    )
    site.add(
        f"http://{host}/module/download/downfile.jsp",
        _file(fixture("real/huaian-2024.pdf"), "application/octet-stream"),
    )
    site.add(
        f"http://{host}/uploadfiles/2025/01/tjb2024-scan.pdf", Resource(behaviour="oversized", size=OVERSIZED_BYTES)
    )


def build(state: int = 1) -> Site:
    """The replica of every registry portal in ``state`` (1: as first crawled; 2: a report replaced)."""
    site = Site(last_modified="Mon, 20 Jan 2025 08:00:00 GMT" if state < 2 else "Fri, 10 Feb 2025 08:00:00 GMT")
    liaocheng(site, state)
    qufu(site)
    weihai(site)
    weihai_kjj(site)
    zhoukou(site)
    boshan(site)
    huaian(site)
    return site
