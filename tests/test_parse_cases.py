"""Single behaviours of the parser: non-reports, truncated tables, the 2019 format, numbers, identity."""

from __future__ import annotations

import json

import pytest

from parsers.cells import number
from parsers.identity import find_title, identify, portal_urls, signed_date
from parsers.region import resolve
from testkit.records import parse_bytes
from tests.conftest import FIXTURES, SEED_FILES, SEEDS

LIAOCHENG = (SEEDS / SEED_FILES["聊城"]).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "聊城市召开全市政务公开工作推进会\n\n11月20日，市政府办公室召开全市政务公开工作推进会，部署年度报告编制工作。",
        "聊城市人民政府办公室关于印发聊城市政务公开工作要点的通知\n聊政办字〔2022〕5号\n各县（市、区）人民政府：现印发给你们。",
    ],
)
def test_a_non_report_has_null_tables_and_says_so(text: str) -> None:
    record = parse_bytes(text.encode())
    assert record["not_a_report"] is True
    assert record["format"] is None
    assert record["active_disclosure"] is record["applications"] is record["review_litigation"] is None


def test_a_truncated_table_gives_nulls_never_invented_numbers() -> None:
    """Cut inside 不予公开: what is missing stays null unless the printed rows fix it (zeros here)."""
    golden = json.loads((FIXTURES / "parse" / "seed-000.json").read_text(encoding="utf-8"))["applications"]
    record = parse_bytes(LIAOCHENG[: LIAOCHENG.index("4.保护第三方合法权益")].encode())
    applications = record["applications"]
    for key, values in applications.items():
        assert all(value in (None, truth) for value, truth in zip(values or [None] * 7, golden[key], strict=True))
    assert applications["denied_three_safeties_one_stability"] == [0] * 7
    assert applications["denied_third_party_rights"][0] is None  # 自然人 had one request: where it went is lost
    assert applications["total_processed"][0] is None  # 1 = total + carried out: two unknowns
    assert record["review_litigation"] is None
    assert record["checks"]["applications.total_processed"]["status"] != "fail"


def test_a_printed_inconsistency_is_kept_and_fails_its_check() -> None:
    broken = LIAOCHENG.replace(
        "一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1", "一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t5"
    )
    record = parse_bytes(broken.encode())
    assert record["applications"]["new_received"] == [1, 0, 0, 0, 0, 0, 5]
    failures = record["checks"]["applications.column_total"]["failures"]
    assert failures == [{"where": "new_received[总计]", "left": 5, "right": 1}]
    assert record["checks"]["applications.balance"]["status"] == "fail"


def test_blank_cells_fixed_by_the_tables_arithmetic_are_filled_and_listed() -> None:
    blanked = LIAOCHENG.replace("(七) 总计\t\t1\t0\t0\t0\t0\t0\t0\t1\t", "(七) 总计\t\t\t0\t0\t0\t0\t0\t1\t")
    record = parse_bytes(blanked.encode())
    assert record["applications"]["total_processed"] == [1, 0, 0, 0, 0, 0, 1]
    assert "applications.total_processed[0]" in record["inferred"]


FORMAT_2019 = """某县科学技术局2019年政府信息公开工作年度报告
本报告中所列数据统计期限自2019年1月1日起至2019年12月31日止。
二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t0\t0\t0
规范性文件\t2\t2\t9
第二十条第（五）项
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政许可\t12\t-3\t1,024
其他对外管理服务事项\t0\t0\t0
第二十条第（六）项
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政处罚\t5\t+1\t７
行政强制\t0\t0\t0
第二十条第（八）项
信息内容\t上一年项目数量\t本年增/减
行政事业性收费\t3\t0
第二十条第（九）项
信息内容\t采购项目数量\t采购总金额
政府集中采购\t4\t12.5
三、收到和处理政府信息公开申请情况
\t申请人情况\t\t\t\t\t\t总计
一、本年新收政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2
二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0
（一）予以公开\t1\t0\t0\t0\t0\t0\t1
（二）部分公开\t0\t0\t0\t0\t0\t0\t0
（三）不予公开\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0
（四）无法提供\t1.本机关不掌握相关政府信息\t1\t0\t0\t0\t0\t0\t1
（五）不予处理\t1.信访举报投诉类申请\t0\t0\t0\t0\t0\t0\t0
（六）其他处理\t0\t0\t0\t0\t0\t0\t0
（七）总计\t2\t0\t0\t0\t0\t0\t2
四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0
"""


def test_format_2019_and_the_single_other_row() -> None:
    record = parse_bytes(FORMAT_2019.encode())
    assert record["format"] == "2019"
    assert record["year"] == 2019
    active = record["active_disclosure"]
    assert active["normative_documents"] == {"made": 2, "published": 2, "in_public": 9}
    assert active["licensing"] == {"previous": 12, "change": -3, "decisions": 1024}
    assert active["punishment"] == {"previous": 5, "change": 1, "decisions": 7}
    assert active["fees"] == {"previous": 3, "change": 0}
    assert active["procurement"] == {"items": 4, "amount_10k_yuan": 12.5}
    applications = record["applications"]
    assert applications["other_other"] == [0] * 7
    assert applications["other_overdue_correction"] is applications["other_overdue_fee"] is None
    # rows the table leaves out (2–8 of 不予公开…) are fixed as 0 by the printed 总计
    assert applications["denied_process_info"] == [0] * 7
    assert record["checks"]["applications.total_processed"]["status"] == "pass"


def test_legacy_reports_keep_identity_and_null_tables() -> None:
    text = "聊城市科学技术局2015年政府信息公开工作年度报告\n一、概述\n二、主动公开政府信息情况\n"
    record = parse_bytes(text.encode())
    assert record["format"] == "legacy"
    assert (record["agency"], record["year"]) == ("聊城市科学技术局", 2015)
    assert record["applications"] is None and record["not_a_report"] is False


@pytest.mark.parametrize(
    ("cell", "value"),
    [("1,024", 1024), ("１２", 12), ("12872.06 万元", 12872.06), ("—", 0), ("/", 0), ("无", 0), ("-3", -3), ("", None)],
)
def test_numbers(cell: str, value: float | None) -> None:
    assert number(cell) == value


def test_year_from_the_period_sentence_with_lost_digits() -> None:
    text = "某局政府信息公开工作年度报告\n本报告所列数据统计期限自20231月1日起至2023年12月31日止。"
    assert identify(text).year == 2023


def test_signed_date_and_urls() -> None:
    assert signed_date("……积极贡献。\n\n威海市科学技术局\n2024年1月20日\n") == "2024-01-20"
    assert signed_date("于2023年1月17日召开会议。\n") is None
    assert signed_date("正文。\n二〇二四年一月二十日\n") == "2024-01-20"
    assert portal_urls("见(<http://\nkjj.liaocheng.gov.cn/>)或www.qufu.gov.cn。") == [
        "http://kjj.liaocheng.gov.cn/",
        "www.qufu.gov.cn",
    ]


@pytest.mark.parametrize(
    ("agency", "expected"),
    [
        ("博山区科学技术局", ("山东省", "淄博市", "博山区")),
        ("曲阜市科学技术局", ("山东省", "济宁市", "曲阜市")),
        ("周口市科技局", ("河南省", "周口市", None)),
        ("山东省科学技术厅", ("山东省", None, None)),
        ("国家税务总局聊城市税务局", ("山东省", "聊城市", None)),
        ("北京市朝阳区人民政府", ("北京市", "北京市", "朝阳区")),
        ("朝阳区人民政府", (None, None, None)),  # two 朝阳区: the text must say which
        ("中华人民共和国科学技术部", (None, None, None)),
        # a short name heading a town's or new district's name is not that county (秦安县兴国镇, 岳阳 南湖新区)
        ("兴国镇人民政府", (None, None, None)),
        ("南湖新区管委会办公室", (None, None, None)),
        ("兴国县人民政府", ("江西省", "赣州市", "兴国县")),
        ("南湖区人民政府", ("浙江省", "嘉兴市", "南湖区")),
    ],
)
def test_region(agency: str, expected: tuple[str | None, ...]) -> None:
    region = resolve(agency)
    assert (region.province, region.city, region.county) == expected


def test_region_settled_by_the_text() -> None:
    assert resolve("朝阳区人民政府", "长春市朝阳区人民政府 吉林省长春市").city == "长春市"


def test_an_agency_named_after_the_bare_autonomous_region_takes_the_one_its_report_names() -> None:
    """广西's 北部湾办 2022 report: "由广西壮族自治区北部湾经济区规划建设管理办公室（以下简称自治区北部湾办）编制";
    新疆's 自治区人民政府办公厅 2022 report names 新疆 only by its short name."""
    opening = "本报告由广西壮族自治区北部湾经济区规划建设管理办公室（以下简称自治区北部湾办）编制。"
    assert resolve("自治区北部湾办", opening).province == "广西壮族自治区"
    assert resolve("自治区人民政府办公厅", "深入学习贯彻对新疆重要讲话重要指示精神").province == "新疆维吾尔自治区"
    assert resolve("自治区人民政府办公厅", "本报告根据《条例》编制。") == resolve(None)  # the text says none


def test_an_agency_without_a_place_takes_the_one_its_text_prints_before_its_name() -> None:
    """徐圩新区's 2024 report (xwxq.gov.cn) names itself "连云港徐圩新区" in its opening; a text that prints the
    name with no place before it leaves the region unknown."""
    assert resolve("徐圩新区", "上海合作组织出海基地(连云港徐圩新区)").city == "连云港市"
    assert resolve("兴国镇人民政府", "秦安县兴国镇人民政府2025年").county == "秦安县"
    # 福田区's 香蜜湖 centre titles itself "区香蜜湖…中心"; its source line says "深圳市福田区香蜜湖…中心"
    assert resolve("区香蜜湖片区建设发展事务中心", "来源 : 深圳市福田区香蜜湖片区建设发展事务中心").county == "福田区"
    assert resolve("徐圩新区", "徐圩新区本年度") == resolve(None)
    assert resolve("北街街道", "2025年,北街街道") == resolve(None)  # 年, not a place, before it


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # a PDF page's text starting mid-table, then the flipbook's page header (文登区审计局 2020, page 9):
        # the table row above is no head of the title
        (
            "一、本年新收政府信息公开申请数量 2 0 0 0 0 0 2\nPage 9 - 2020年报_审计局\nP. 9\n"
            "四、结转下年度继续办理 0 0 0",
            "2020年报_审计局",
        ),
        # chrome of a real 北京大兴 page before the title: a date line and a source line
        (
            "发布日期：2024-01-19\n来源：大兴区政府办\n北京市大兴区人民政府2023年政府信息公开工作年度报告\n一、总体情况",
            "北京市大兴区人民政府2023年政府信息公开工作年度报告",
        ),
        # a 博山 metadata table flattened by extraction: the labelled 标题 cell is the title
        (
            "博山区科学技术局|标题:|博山区科学技术局2023年度政府信息公开工作年度报告|||\n正文",
            "博山区科学技术局2023年度政府信息公开工作年度报告",
        ),
        # 淮安's spaced labels
        (
            "索 引 号 | 014289810/2025-00013 | 发布机构 | 淮安市人民政府办公室\n"
            "名 称 | 淮安市人民政府2024年政府信息公开工作年度报告\n正文",
            "淮安市人民政府2024年政府信息公开工作年度报告",
        ),
        # a breadcrumb naming the 年报 column, then the title broken over two lines
        (
            "首页 > 政务公开 > 政府信息公开年报\n聊城市科学技术局\n2022年政府信息公开工作年度报告\n正文",
            "聊城市科学技术局2022年政府信息公开工作年度报告",
        ),
    ],
)
def test_titles_behind_page_chrome(text: str, title: str) -> None:
    assert find_title(text) == title
