"""Page objects and family adapters on saved pages: no crawler, no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import families, pages
from crawler.families import hanweb, hanweb_annual
from parsers.identity import identify

FIXTURES = Path(__file__).parent / "fixtures" / "replica"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("聊城市科学技术局2022年政府信息公开工作年度报告", 2022),
        ("博山区科学技术局2023 年度政府信息公开工作年度报告", 2023),
        ("2019年政府信息公开年报", 2019),
        ("某县2020年度信息公开工作报告", 2020),
        ("某县2020年度工作总结", None),  # no report wording
        ("聊城市科学技术局政府信息公开工作年度报告", None),  # no year
        ("关于开展2023年度科技型中小企业评价工作的通知", None),
        # link texts a listing cut short (kjt.hebei.gov.cn: "…年度报..." and no title attribute)
        ("河北省科学技术厅2023年政府信息公开工作年度报...", 2023),
        ("某县卫生健康局2022年政务公开工作年度…", 2022),
        ("河北省科学技术厅2023年政府网站工作年度报...", None),  # the website's report, not disclosure
        ("关于印发2023年政府信息公开工作要点的通...", None),
        ("邯郸市人民政府办公室关于印发邯郸市支持重点行业（深度治...", None),
        ("河北省科学技术厅政府信息公开工作年度报...", None),  # no year left
        # 年度 before 政府, nothing after 工作 (gxt.hebei.gov.cn 2021–2023); no 年度 at all (应急管理部)
        ("河北省工业和信息化厅2023年度政府信息公开工作报告", 2023),
        ("应急管理部2023年政府信息公开工作报告", 2023),
        ("某县2023年政府工作报告", None),  # the government's work report, not disclosure
        ("河北省科学技术厅政府网站工作年报（2022年度）", None),  # the website's annual report (kjt.hebei.gov.cn)
    ],
)
def test_report_titles(title: str, year: int | None) -> None:
    assert pages.report_year(title) == year


def test_trs_listing_items_pages_and_year_folders() -> None:
    url = "http://kjj.liaocheng.gov.cn/xxgk/zfxxgknb/index.html"
    listing = families.get("trs").read("listing", read("trs_list.html"), url, {})
    assert [item.url for item in listing.items] == [
        "http://kjj.liaocheng.gov.cn/xxgk/zfxxgknb/202401/t20240118_4523101.html",
        "http://kjj.liaocheng.gov.cn/xxgk/zfxxgknb/202312/t20231205_4490022.html",
    ]
    # the truncated link text is replaced by the full title attribute
    assert listing.items[0].text == "聊城市科学技术局2023年政府信息公开工作年度报告"
    assert listing.pages == [f"http://kjj.liaocheng.gov.cn/xxgk/zfxxgknb/index_{n}.html" for n in range(1, 5)]
    assert listing.sub_listings == ["http://kjj.liaocheng.gov.cn/xxgk/zfxxgknb/2020n/"]


def test_hanweb_column_hides_its_list_in_the_script() -> None:
    url = "http://www.qufu.gov.cn/col/col15191/index.html?vc_xxgkarea=370881&jh=264"
    listing = families.get("hanweb").read("listing", read("hanweb_column.html"), url, {})
    assert listing.items == []
    [dataproxy] = listing.follow
    assert (dataproxy.url, dataproxy.method) == ("http://www.qufu.gov.cn/module/web/jpage/dataproxy.jsp", "POST")
    assert hanweb.query(read("hanweb_column.html"), url) == hanweb.HanwebQuery("15191", "66001", "37")
    form = hanweb.HanwebQuery("15191", "66001", "37").follow(url, 46).form or {}
    assert form["startrecord"] == "46" and form["endrecord"] == "90" and form["perpage"] == "15"
    assert form["columnid"] == "15191" and form["unitid"] == "66001" and form["permissiontype"] == "0"


def test_hanweb_dataproxy_records() -> None:
    items, total = hanweb.records(read("dataproxy.xml"), "http://www.qufu.gov.cn/col/col15191/index.html")
    assert total == 62
    assert [item.text for item in items] == [
        "曲阜市科学技术局2021年政府信息公开工作年度报告",
        "曲阜市科技局召开年度工作会议",
    ]
    assert items[0].url == "http://www.qufu.gov.cn/art/2022/1/20/art_15191_2871234.html"


def test_hanweb_annual_report_module_urls() -> None:
    urls = hanweb_annual.report_urls("http://www.zoucheng.gov.cn/", ("11370883004325769B",), range(2010, 2012))
    assert urls == [
        "http://www.zoucheng.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11370883004325769B&fbtime=2010",
        "http://www.zoucheng.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11370883004325769B&fbtime=2011",
    ]


def test_vsb_listing_counts_pages_down() -> None:
    listing = families.get("vsb").read("listing", read("vsb_list.html"), "http://kjj.weihai.gov.cn/xxgknb.htm", {})
    assert [item.url for item in listing.items] == [
        "http://kjj.weihai.gov.cn/info/1092/45678.htm",
        "http://kjj.weihai.gov.cn/info/1092/45001.htm",
    ]
    assert listing.pages == ["http://kjj.weihai.gov.cn/xxgknb/2.htm", "http://kjj.weihai.gov.cn/xxgknb/1.htm"]


def test_guangdong_listing() -> None:
    url = "http://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/bm/2024n/index.html"
    listing = families.get("gd").read("listing", read("gd_list.html"), url, {})
    assert [pages.report_year(item.text) for item in listing.items] == [2024, 2024]
    assert listing.pages == [
        "http://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/bm/2024n/index_2.html",
        "http://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/bm/2024n/index_3.html",
    ]


def test_generic_listing_follows_report_vocabulary_only() -> None:
    html = """<html><body><a href="/zfxxgk/zcwj/index.html">政策文件</a>
    <a href="/zfxxgk/zfxxgknb/index.html">政府信息公开年报</a>
    <a href="/zfxxgk/show/123.html">周口市科技局2022年政府信息公开工作年度报告</a>
    <a href="/zfxxgk/show/124.html">关于做好政务公开工作的通知</a></body></html>"""
    listing = families.get("generic").read("listing", html, "http://www.zhoukou.gov.cn/zfxxgk/index.html", {})
    assert [item.url for item in listing.items] == ["http://www.zhoukou.gov.cn/zfxxgk/show/123.html"]
    assert listing.sub_listings == ["http://www.zhoukou.gov.cn/zfxxgk/zfxxgknb/index.html"]


def test_a_listing_whose_selector_matches_nothing() -> None:
    listing = families.get("trs").read(
        "listing", "<html><body><p>栏目改版中</p></body></html>", "http://a.gov.cn/nb/", {}
    )
    assert listing.items == [] and listing.pages == []


@pytest.mark.parametrize("name", ["challenge_200.html", "challenge_412.html"])
def test_challenges_are_recognised(name: str) -> None:
    assert pages.is_challenge(read(name))


@pytest.mark.parametrize("name", ["hanweb_column.html", "trs_list.html", "report_page.html"])
def test_real_pages_are_not_challenges(name: str) -> None:
    assert not pages.is_challenge(read(name))


def test_report_page_title_files_and_wrapper() -> None:
    url = "http://www.huaian.gov.cn/art/2025/1/20/art_16727_4523456.html"
    page = pages.read_report_page(read("report_page.html"), url)
    assert page.title == "淮安市人民政府2024年政府信息公开工作年度报告" and page.year == 2024
    assert [link.url for link in page.attachments] == [
        "http://www.huaian.gov.cn/module/download/downfile.jsp?classid=0&filename=szfgs2024.pdf",
        "http://www.huaian.gov.cn/uploadfiles/2025/01/tjb2024.docx",
    ]
    assert page.is_shell  # a short wrapper: its files are archived, not the page


def test_report_page_title_falls_back_on_the_link_text() -> None:
    page = pages.read_report_page("<html><body><p>正文</p></body></html>", "http://a.gov.cn/1.html", "某局2020年年报")
    assert (page.title, page.year) == ("某局2020年年报", 2020)


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("二〇二三年度威海市统计局政府信息公开工作年度报告", 2023),
        ("某区人民政府二零二二年政府信息公开工作年度报告", 2022),
        ("关于报送2023年政府信息公开工作年度报告的通知", None),  # a notice about the report
        ("2023年度法治政府建设年度报告", None),  # another annual report
        ("某市2022年政务公开工作要点", None),
        ("XX局2023年政府信息公开工作年度报告（模板）", None),  # a blank form, its note in brackets
    ],
)
def test_report_titles_in_chinese_numerals_and_look_alikes(title: str, year: int | None) -> None:
    """One rule for crawler and parser: the parser agrees on whether the title is a report's."""
    assert pages.report_year(title) == year
    assert identify(title + "\n正文").is_report_title == (year is not None)


@pytest.mark.parametrize(
    "page_title",
    [
        "郑州市金水区人民政府2022年政府信息公开工作年度报告-郑州市金水区人民政府政府信息公开平台",
        "郑州市金水区人民政府2022年政府信息公开工作年度报告_郑州市金水区人民政府",
        "郑州市金水区人民政府 | 郑州市金水区人民政府2022年政府信息公开工作年度报告",
    ],
)
def test_report_page_title_from_the_page_title_whatever_the_site_separator(page_title: str) -> None:
    """A page with neither ArticleTitle nor <h1> (the dry run has no listing link text to fall back on)."""
    page = pages.read_report_page(f"<html><head><title>{page_title}</title></head><body><p>正文</p></body></html>", "")
    assert (page.title, page.year) == ("郑州市金水区人民政府2022年政府信息公开工作年度报告", 2022)


def test_pager_links_by_their_page_parameter() -> None:
    """Query-string pagers: ``page``, ``pageNo``, ``currPage``, ``pageNum`` and jyt.hebei.gov.cn's
    ``column.jsp?id=…&current=N``; a link with a number but no page parameter is no pager."""
    column = "http://jyt.hebei.gov.cn/column.jsp?id=1414231541890"
    html = """<html><body><div class="page">
    <a href="column.jsp?id=1414231541890&current=2">2</a> <a href="column.jsp?id=1414231541890&current=2">下一页</a>
    <a href="/list.jsp?pageNo=3">3</a> <a href="/col.jsp?id=5">5</a>
    <a href="/info/iList.jsp?node_id=GKdyszf&cat_id=25723&cur_page=4">尾页</a></div></body></html>"""
    assert pages.pager_links(pages.parse(html), column) == [
        "http://jyt.hebei.gov.cn/column.jsp?id=1414231541890&current=2",
        "http://jyt.hebei.gov.cn/list.jsp?pageNo=3",
        "http://jyt.hebei.gov.cn/info/iList.jsp?node_id=GKdyszf&cat_id=25723&cur_page=4",  # deyang's 信息公开 lists
    ]


def test_a_report_shown_in_a_frame_or_named_by_a_file_element_is_the_pages_file() -> None:
    """zjj.dazhou.gov.cn shows a detail page's PDF in an ``<iframe>``; mz.gov.cn's 信息公开 pages name their
    files in ``#attribute span.gk.fj > file[href]`` (public crawlers); neither has an ``<a>`` for it."""
    framed = """<html><body><h1>某局2025年政府信息公开工作年度报告</h1>
    <iframe src="/uploadfile/2026/01/nb2025.pdf" width="100%" height="900"></iframe>
    <iframe src="/module/share/share.html"></iframe></body></html>"""
    page = pages.read_report_page(framed, "http://zjj.dazhou.gov.cn/news-show-1.html")
    assert [link.url for link in page.attachments] == ["http://zjj.dazhou.gov.cn/uploadfile/2026/01/nb2025.pdf"]
    filed = """<html><body><div id="attribute"><span class="gk fj">附件：<file href="/u/cms/nb2025.pdf">
    绵竹市2025年政府信息公开工作年度报告.pdf</file></span></div><p>详见附件。</p></body></html>"""
    page = pages.read_report_page(filed, "https://www.mz.gov.cn/info/iIndex.jsp?cat_id=15971&info_id=1")
    assert [(link.url, link.text) for link in page.attachments] == [
        ("https://www.mz.gov.cn/u/cms/nb2025.pdf", "绵竹市2025年政府信息公开工作年度报告.pdf")
    ]


def test_sub_columns_of_beijing_year_trees_and_bare_year_folders() -> None:
    """Beijing districts' 年报 trees (public notes: 密云 gknb2017/, 怀柔 2018nb/zxjd2018/, 大兴 2018n/xzjd/) and
    dwk.gov.cn's bare-year folders (zfxxgknb/2023/, "2023年度"); an article link in a month folder is none."""
    column = "https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/"
    html = """<html><body><a href="gknb2018/">2018年</a> <a href="2018nb/zxjd2018/">乡镇街道</a>
    <a href="2018n/xzjd/">街乡镇</a> <a href="2023/">2023年度</a> <a href="202401/t20240101_1.html">某通知</a>
    </body></html>"""
    assert pages.sub_listings(pages.parse(html), column, set()) == [
        column + "gknb2018/",
        column + "2018nb/zxjd2018/",
        column + "2018n/xzjd/",
        column + "2023/",
    ]
