"""Identity from real report pages: title, agency, years, signed date and web addresses behind page chrome.

The pages in tests/fixtures/parse_identity/ are written in the markup and chrome of real report pages; the
README there names the page each shape was seen on. Text-level cases below are what main-text extraction
makes of such pages (one breadcrumb item per line, label and value on lines of their own).
"""

from __future__ import annotations

import pytest

from parsers.document import ExtractedDocument
from parsers.extract import extract
from parsers.identity import find_title, identify, period_year, portal_urls, signed_date
from parsers.record import parse
from parsers.region import resolve
from tests.conftest import FIXTURES

PAGES = FIXTURES / "parse_identity"
#: What a title or an agency must never be: chrome words, breadcrumb items, column names.
CHROME = {"首页", "政府", "无障碍", "关怀版", "返回首页", "政务公开", "政府信息公开年报", "年度报告"}


def load(name: str) -> ExtractedDocument:
    return extract((PAGES / name).read_bytes())


@pytest.mark.parametrize(
    ("name", "title", "agency", "year"),
    [
        # 无障碍/关怀版 bar, 当前位置 breadcrumb ending in the 年报 column, a box with 名 称; no agency in the title
        ("zhada_vsb.html", "2023年度政府信息公开年度报告", "札达县人民政府", 2023),
        # 无障碍阅读 | 关怀版 | 返回首页, breadcrumb, box with 索 引 号 / 发 布 机 构 / 名 称, <title> only the site
        ("huaian_hanweb.html", "淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府", 2024),
        # the title split by <br> in its heading: extraction keeps only the line after the <br>
        ("gangcha_br.html", "刚察县人民政府办公室2023年度政府信息公开工作年度报告", "刚察县人民政府办公室", 2023),
        # the text's first lines are chrome (a column heading, a breadcrumb) and hold no title: ArticleTitle wins
        ("weihai_article_title.html", "威海市科学技术局2024年政府信息公开工作年度报告", "威海市科学技术局", 2024),
    ],
)
def test_title_and_agency_of_real_pages_never_come_from_chrome(name: str, title: str, agency: str, year: int) -> None:
    document = load(name)
    who = identify(document.text, title_hint=document.title, metadata=document.metadata)
    assert (who.title, who.agency, who.year, who.is_report_title) == (title, agency, year, True)
    assert who.agency not in CHROME and who.title not in CHROME


@pytest.mark.parametrize(
    ("name", "title", "agency", "year"),
    [
        # a banner and a breadcrumb line above the title: never glued onto it
        ("breadcrumb_above_title.txt", "利辛县望疃镇2023年政府信息公开工作年度报告", "利辛县望疃镇", 2023),
        # no title at all, a section heading and a sentence naming the 年报 first: no title, no agency
        ("no_title_prose_first.txt", None, None, 2024),
        # an English banner line and a title the page itself garbled (工作告年度报): no title is made up
        ("banner_garbled_title.txt", None, None, None),
        # a flipbook page's "Page 8 - " prefix is the viewer's, not the title's
        ("flipbook_page.txt", "威海市文登区信访局2022年政府信息公开工作年度报告", "威海市文登区信访局", 2022),
        # a parent body's banner and the column's name on the lines above the title: not its head
        ("banner_column_above_title.txt", "墨脱县加热萨乡2021年政府信息公开工作年度报告", "墨脱县加热萨乡", 2021),
        # "<title>-<site>" as the first line, the clean title two lines down: the clean one
        ("page_title_line_first.txt", "海关总署(本级机关)2020年政府信息公开工作年度报告", "海关总署(本级机关)", 2020),
        # the title as a table's only cell ("… |") under a metadata box
        (
            "title_in_a_cell.txt",
            "舟山市定海区发展和改革局2023年政府信息公开工作年度报告",
            "舟山市定海区发展和改革局",
            2023,
        ),
        # a spaced box label with no colon: "标 题 <title>"
        ("spaced_label_no_colon.txt", "徐圩新区2024年政府信息公开年度报告", "徐圩新区", 2024),
        # a breadcrumb parted by slashes above the title
        ("slash_breadcrumb.txt", "示范区教育局2019年政府信息公开工作年度报告", "示范区教育局", 2019),
        # the title's 年 lost in conversion: the year is still the title's, the agency stops before it
        ("year_without_nian.txt", "自治区人民政府办公厅2022政府信息公开工作年度报告", "自治区人民政府办公厅", 2022),
        # a heading that is the file's name (….docx) over a page printed on one line
        (
            "file_name_heading.txt",
            "乌拉特中旗巴音乌兰苏木2021年政府信息公开工作年度报告",
            "乌拉特中旗巴音乌兰苏木",
            2021,
        ),
    ],
)
def test_text_pages_title_is_the_titles_own_lines_or_none(
    name: str, title: str | None, agency: str | None, year: int | None
) -> None:
    document = load(name)
    who = identify(document.text, title_hint=document.title, metadata=document.metadata)
    assert (who.title, who.agency, who.year) == (title, agency, year)


def test_a_page_title_with_a_breadcrumb_glued_on_does_not_replace_the_texts_title() -> None:
    crumbs = "您现在所在的位置: 网站首页 > 政府信息公开年报利辛县望疃镇2023年政府信息公开工作年度报告"
    who = identify("利辛县望疃镇2023年政府信息公开工作年度报告\n正文", title_hint=crumbs)
    assert (who.title, who.agency) == ("利辛县望疃镇2023年政府信息公开工作年度报告", "利辛县望疃镇")


@pytest.mark.parametrize("name", ["huaian_hanweb.html", "gangcha_br.html", "weihai_article_title.html"])
def test_the_record_of_a_real_page_has_its_title_and_agency(name: str) -> None:
    """Through the parser: pages whose title names the agency need nothing but the page itself."""
    document = load(name)
    record = parse(document)
    who = identify(document.text, title_hint=document.title, metadata=document.metadata)
    assert (record["title"], record["agency"], record["year"]) == (who.title, who.agency, who.year)
    assert record["not_a_report"] is False


def test_a_title_naming_no_agency_takes_the_issuing_body_from_the_box() -> None:
    """札达 titles its report "2023年度政府信息公开年度报告"; the box's 发文机构 names the county."""
    document = load("zhada_vsb.html")
    assert identify(document.text, title_hint=document.title).agency is None  # never "政府" from the title
    agency = identify(document.text, title_hint=document.title, metadata=document.metadata).agency
    region = resolve(agency, document.text)
    assert (region.province, region.city, region.county) == ("西藏自治区", "阿里地区", "札达县")


def test_the_box_issuing_unit_names_the_agency_and_the_filing_department_does_not() -> None:
    """mem.gov.cn's box (as a public crawler's test copies it): 发文单位 is the issuing body, 所属机构 the
    department that filed the page, 公文种类 a label of its own (never a value)."""
    box = (
        "<table><tr><td>索引号：</td><td>4/2026-00001</td><td>发文单位：</td><td>应急管理部</td></tr>"
        "<tr><td>所属机构：</td><td>安全生产执法和工贸安全监督管理局</td><td>公文种类：</td><td>报告</td></tr></table>"
    )
    page = f"<html><head><title>2025年政府信息公开工作年度报告</title></head><body>{box}<p>正文</p></body></html>"
    document = extract(page.encode("utf-8"))
    assert document.metadata.get("发文单位") == "应急管理部" and "所属机构" not in document.metadata
    assert identify(document.text, title_hint=document.title, metadata=document.metadata).agency == "应急管理部"
    only_department = {"所属机构": "安全生产执法和工贸安全监督管理局"}
    assert identify("2025年政府信息公开工作年度报告\n正文", metadata=only_department).agency is None


def test_box_labels_printed_with_spaces_are_read() -> None:
    assert load("huaian_hanweb.html").metadata == {
        "SiteName": "淮安市人民政府",
        "SiteDomain": "www.huaian.gov.cn",
        "ColumnName": "政府信息公开年报",
        "索引号": "014289810/2025-00013",
        "发布机构": "淮安市人民政府办公室",
        "名称": "淮安市人民政府2024年政府信息公开工作年度报告",
    }
    # empty values (发文字号:, 公文时效:) are no values; 名 称 is keyed 名称
    assert load("zhada_vsb.html").metadata == {
        "索引号": "zdx/2024-00009",
        "发文机构": "札达县人民政府",
        "名称": "2023年度政府信息公开年度报告",
        "发布日期": "2024-02-19",
    }


def test_a_title_split_by_br_is_one_title() -> None:
    document = load("gangcha_br.html")
    assert "刚察县人民政府办公室\n2023" not in document.text  # what extraction does with the heading
    assert document.title == "刚察县人民政府办公室2023年度政府信息公开工作年度报告"
    assert parse(document)["title"] == document.title


def test_article_title_wins_when_the_first_lines_are_chrome() -> None:
    document = load("weihai_article_title.html")
    # the page's body container (#zoom) holds no title: its text starts with the report's first sentence
    assert document.text.startswith("根据《中华人民共和国政府信息公开条例》")
    # with the page's chrome first (as the page-wide text had it), only a column name is found
    assert find_title("政府信息公开年报\n" + document.text) == "政府信息公开年报"
    assert find_title(document.text) is None
    assert find_title(document.text, fallback=document.metadata["ArticleTitle"]) == document.metadata["ArticleTitle"]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # breadcrumb broken into one item per line (北京大兴, 蚌埠, 广东 gkmlpt pages), then the box and title
        (
            "无障碍\n关怀版\n当前位置：\n首页\n>\n政务公开\n>\n政府信息公开年报\n> 正文\n"
            "北京市大兴区人民政府2023年政府信息公开工作年度报告\n发布日期：2024-01-19",
            "北京市大兴区人民政府2023年政府信息公开工作年度报告",
        ),
        # 蚌埠's box: 信息分类 names the 年报 column, 名称 the report
        (
            "无障碍\n关怀版\n当前位置：\n首页\n>\n政府信息公开\n> 正文\n索引号\n25461/202401-00012\n信息分类\n"
            "政府信息公开年报\n发布机构\n蚌埠市人民政府办公室\n名称\n蚌埠市人民政府2023年政府信息公开工作年度报告\n正文",
            "蚌埠市人民政府2023年政府信息公开工作年度报告",
        ),
        # 张掖: a label left empty (是否有效) right above the title
        (
            "当前位置 :\n首页 > 政务公开 > 政府信息公开年报 > 2023年\n索引号\n620700112/2024-00208\n文号\n发布机构\n"
            "市政务服务中心\n是否有效\n肃南县2023年度政府信息公开工作年度报告\n正文",
            "肃南县2023年度政府信息公开工作年度报告",
        ),
        # a bar of site tools, a breadcrumb with › and a year folder, the title over two lines
        (
            "无障碍阅读\n关怀版\n返回首页\n您现在的位置：\n首页\n›\n政府信息公开年报\n›\n2023年\n"
            "刚察县人民政府办公室\n2023年度政府信息公开工作年度报告\n正文",
            "刚察县人民政府办公室2023年度政府信息公开工作年度报告",
        ),
        # 札达's box as list items, 名 称 spaced
        (
            "- 索引号:zdx/2024-00009\n- 发文机构:札达县人民政府\n- 名 称:2023年度政府信息公开年度报告\n正文",
            "2023年度政府信息公开年度报告",
        ),
    ],
)
def test_titles_behind_chrome_as_extraction_prints_it(text: str, title: str) -> None:
    assert find_title(text) == title
    assert identify(text).agency not in CHROME


def test_breadcrumb_and_file_lines_never_name_the_agency() -> None:
    assert identify("首页/部门信息公开年报\n正文").agency is None
    text = "当前位置：\n首页\n>\n年报\n附件：\n2023年政府信息公开工作年度报告统计表.pdf\n正文"
    assert identify(text, title_hint="某县人民政府2023年政府信息公开工作年度报告").title == (
        "某县人民政府2023年政府信息公开工作年度报告"
    )


def test_addresses_without_http_or_www_are_found() -> None:
    assert portal_urls(load("weihai_article_title.html").text) == [
        "kjj.weihai.gov.cn",
        "xxgk.weihai.gov.cn/col/col75282/index.html",
    ]
    assert portal_urls(load("zhada_vsb.html").text) == ["www.zhada.gov.cn"]
    # e-mail addresses, file names, amounts and index numbers are not web addresses
    assert portal_urls("邮箱：bgs@kjj.liaocheng.gov.cn，附件：报告.pdf，金额1.5万元，索引号zdx/2024-00009。") == []
    assert portal_urls("见http://kjj.liaocheng.gov.cn/或kjj.liaocheng.gov.cn:8080/col/col1/") == [
        "http://kjj.liaocheng.gov.cn/",
        "kjj.liaocheng.gov.cn:8080/col/col1/",
    ]


def test_the_signed_date_is_never_a_date_of_the_period_sentence() -> None:
    # PDF text: spaces around the digits and the sentence broken after the end date
    wrapped = (PAGES / "period_wrapped.txt").read_text(encoding="utf-8")
    assert signed_date(wrapped) is None
    assert signed_date(wrapped + "聊城市科学技术局\n2024 年 1 月 18 日\n") == "2024-01-18"
    # a page whose period sentence ends its paragraph without a full stop, and no signature
    assert signed_date(load("huaian_hanweb.html").text) is None
    assert signed_date(load("gangcha_br.html").text) == "2024-01-20"


def test_years_in_chinese_numerals() -> None:
    text = (PAGES / "chinese_numerals.txt").read_text(encoding="utf-8")
    who = identify(text)
    assert (who.title, who.agency, who.year, who.title_year) == (
        "威海市统计局二〇二三年政府信息公开工作年度报告",
        "威海市统计局",
        2023,
        2023,
    )
    assert signed_date(text) == "2024-01-18"
    # the period, not the title, gives the covered year; 零 and a typed 0 stand for 〇 too
    assert period_year("统计期限自二零二三年一月一日起至二零二三年十二月三十一日止") == 2023
    # no period word, a whole year spelled out (冷水滩区高科园 2023, admin.yzcity.gov.cn:8888/lstgkj/gknb/…)
    assert period_year("本报告相关数据为我单位自2023年1月1日至2023年12月31日统计的政务信息公开数据。") == 2023
    assert period_year("本条例自2019年5月15日起施行。2022年1月1日至2023年6月30日") is None  # no whole year
    misdated = identify("某局二〇二四年政府信息公开工作年度报告\n所列数据统计期限自二〇二三年一月一日起。")
    assert (misdated.year, misdated.title_year) == (2023, 2024)
    assert signed_date("正文。\n二0二四年一月十八日\n") == "2024-01-18"
    typed_zero = identify("某区人民政府二0二三年政府信息公开工作年度报告\n正文")
    assert (typed_zero.agency, typed_zero.title_year) == ("某区人民政府", 2023)
