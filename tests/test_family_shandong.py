"""Shandong intensive platform, read from pages in the real shapes (tests/families/shandong/), and a real
crawl of its two replica portals (聊城市科学技术局, 博山区 with its department sub-site)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.db import connect
from crawler import families, pages
from crawler.families import shandong
from replica.server import ReplicaServer
from replica.sites import boshan, common, liaocheng_kjj
from tests.replica_kit import FAMILIES, bundled_rows, crawl_json, events, registry_file, serving, sites_of

FIXTURES = FAMILIES / "shandong"
LC = f"http://{liaocheng_kjj.HOST}"
LC_CHANNEL = LC + liaocheng_kjj.CHANNEL
BS = f"http://{boshan.HOST}"
BS_CHANNEL = BS + boshan.DISTRICT_CHANNEL
BS_SUBSITE = BS + boshan.SUBSITE_CHANNEL
LC_TITLE = "聊城市科学技术局2022年政府信息公开工作年度报告"
BS_TITLE = "博山区科学技术局2023年度政府信息公开工作年度报告"
OFFICE_REPORT = (
    "/gongkai/site_bsqzfbgs/channel_c_5f9f6c5c03741cded2c00ed9_n_1605682040.5464/doc_65a5f2c1d3e5a7b9c1d3e5f7.html"
)


def fixture(name: str) -> str:
    """A fixture's text: UTF-8, or GBK for the 博山 pages (served in GBK)."""
    data = (FIXTURES / name).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def read(name: str, url: str) -> families.Listing:
    return shandong.FAMILY.read("listing", fixture(name), url, {})


def tails(listing: families.Listing) -> list[tuple[str, str]]:
    return [(item.url.rsplit("/", 1)[-1], item.text) for item in listing.items]


# -- URL shapes seen on real pages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://slj.liaocheng.gov.cn/channel_l_ssljchannel201911221748522677536714/doc_697b014af0c8fadb14621054.html",
        "http://www.boshan.gov.cn/gongkai/channel_c11506/doc_601f8fddde26774a8d70fa4a.html",
        "http://www.boshan.gov.cn/gongkai/site_bsqkxjsj/channel_c_5f9f6c5c03741cded2c00edd_n_1605681990.108/"
        "doc_69781869d5d7dd1d65e0489e.html",
        "https://ybj.zibo.gov.cn/gongkai/channel_c_5f9fa491ab327f36e4c1305f_5fb3bcc7a40661f2aebb98a4/"
        "doc_61f342da93a456a2f282fe85.html",
        "http://zfw.liaocheng.gov.cn/channel_t_283_16517/doc_674d0be744ac0bf0ea602dfc.html",
        "http://www.laiwu.gov.cn/gongkai/site_laiwuquqzfhcxjsjljnslwrqrlyxzrgsg/"
        "channel_jns_laiwuquqzfhcxjsjljnslwrqrlyxzrgsg_75d/doc_6832620369f50955ab80b20f.html",
    ],
)
def test_real_article_urls_have_the_article_shape(url: str) -> None:
    assert shandong.FAMILY.is_article(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://ws.zibo.gov.cn/gongkai/channel_c_5f9fa491ab327f36e4c13061_n_1605682450.3131/"
        "doc_67a5b11e0c81719cbf7171e4_c40bf8efdc4f89fdb726fece655ac213.pdf",  # an attachment, not an article
        "http://jgsw.liaocheng.gov.cn/channel_lc_sjgswgljchannel201911221748261556996309",  # a channel
        "https://www.jiyang.gov.cn/gongkai/channel_6389ae153759918282644cca/",
    ],
)
def test_attachments_and_channels_are_no_articles(url: str) -> None:
    assert not shandong.FAMILY.is_article(url)


def test_channel_path_and_page_number() -> None:
    assert shandong.channel_path(boshan.SUBSITE_CHANNEL + "doc_x.html") == boshan.SUBSITE_CHANNEL.rstrip("/")
    assert shandong.channel_path("/channel_lc_sjgswgljchannel201911221748261556996309") == (
        "/channel_lc_sjgswgljchannel201911221748261556996309"
    )
    assert shandong.channel_path("/gongkai/") is None
    assert [shandong.page_number(q) for q in ("page=3", "open=1&page=2", "open=1", "page=x")] == [3, 2, None, None]


# -- channel lists and their pager --------------------------------------------------------------------------


def test_liaocheng_channel_first_page_items_total_and_later_pages() -> None:
    listing = read("liaocheng_channel_page1.html", LC_CHANNEL)
    assert tails(listing) == [
        ("doc_65c0a8e1a1b2c3d4e5f6a7b0.html", "聊城市科学技术局关于组织申报2024年度市级科技计划项目的通知"),
        ("doc_65c0a8e1a1b2c3d4e5f6a7b1.html", "聊城市科学技术局2024年政务公开工作要点"),
        ("doc_65c0a8e1a1b2c3d4e5f6a7b2.html", "全市科技创新大会召开"),
        ("doc_65c0a8e1a1b2c3d4e5f6a7b3.html", "聊城市科学技术局2023年度部门决算公开"),
    ]
    assert listing.pages == [LC_CHANNEL + "?page=2", LC_CHANNEL + "?page=3"]
    assert (listing.sub_listings, listing.declared, listing.problems) == ([], 11, [])


def test_liaocheng_second_page_has_the_report_and_asks_only_for_page_3() -> None:
    listing = read("liaocheng_channel_page2.html", LC_CHANNEL + "?page=2")
    assert [item.url for item in listing.items][1:3] == [LC + liaocheng_kjj.REPORT, LC + liaocheng_kjj.BACKUP]
    assert [item.text for item in listing.items if pages.report_year(item.text)] == [LC_TITLE, LC_TITLE + "（备份）"]
    # the pager and the breadcrumb link back to page 1: neither a new page nor a sub-column
    assert (listing.pages, listing.sub_listings) == ([LC_CHANNEL + "?page=3"], [])
    assert (listing.declared, listing.problems) == (11, [])


def test_district_channel_lists_reports_published_on_department_sub_sites() -> None:
    listing = read("boshan_district_channel.html", BS_CHANNEL)
    assert [item.url for item in listing.items] == [
        BS + boshan.REPORT,
        BS_CHANNEL + "doc_65b1e2a0c4d6e8f0a2b4c6d0.html",
        BS + OFFICE_REPORT,
    ]
    assert [pages.report_year(item.text) for item in listing.items] == [2023, None, 2023]
    assert (listing.follow, listing.declared, listing.problems) == ([], 3, [])


def test_department_sub_site_channel() -> None:
    listing = read("boshan_subsite_channel.html", BS_SUBSITE)
    assert tails(listing) == [
        (f"doc_{boshan.DOC_ID}.html", BS_TITLE),
        ("doc_63cf6b12a4c6e8f0b2d4f6a8.html", "博山区科学技术局2022年度政府信息公开工作年度报告"),
        ("doc_6597a3c1e5f7a9b1c3d5e7f0.html", "博山区科学技术局2024年部门预算"),
    ]
    assert (listing.follow, listing.declared, listing.problems) == ([], 3, [])


def test_gongkai_front_page_leads_to_the_annual_report_channel() -> None:
    listing = read("gongkai_front.html", BS + "/gongkai/")
    assert (listing.items, listing.pages, listing.problems) == ([], [], [])
    assert listing.sub_listings == [BS_CHANNEL]


# -- bad input ------------------------------------------------------------------------------------------------


def test_channel_whose_list_is_not_in_the_html_says_so() -> None:
    listing = read("channel_script_rendered.html", LC_CHANNEL)
    assert (listing.items, listing.follow, listing.declared) == ([], [], None)
    assert listing.problems == [shandong.NOTHING_MATCHED]


def test_pager_pointing_off_site_is_a_problem_and_not_followed() -> None:
    listing = read("channel_offsite_pager.html", BS_CHANNEL)
    assert len(listing.items) == 3 and listing.follow == []
    assert (listing.declared, listing.problems) == (25, ["pager points off-site: www.boshan.gov.cn.gkmirror.example"])


def test_empty_answer_is_a_problem_not_an_exception() -> None:
    assert shandong.FAMILY.read("listing", "", LC_CHANNEL, {}).problems == [shandong.NOTHING_MATCHED]


# -- articles and attachments -------------------------------------------------------------------------------


def test_liaocheng_article_and_its_pdf_under_resources_public() -> None:
    page = pages.read_report_page(fixture("liaocheng_article.html"), LC + liaocheng_kjj.REPORT)
    assert (page.title, page.year, page.is_shell) == (LC_TITLE, 2022, False)
    assert [link.url for link in page.attachments] == [LC + liaocheng_kjj.PDF_PATH]


def test_sub_site_article_metadata_table_and_files_beside_it() -> None:
    text = fixture("boshan_subsite_article.html")
    page = pages.read_report_page(text, BS + boshan.REPORT)
    assert (page.title, page.year, page.is_shell) == (BS_TITLE, 2023, False)
    assert [link.url for link in page.attachments] == [BS + boshan.DOCX_PATH, BS + boshan.PDF_PATH]
    table = pages.visible_text(pages.parse(text))
    assert f"索引号: {boshan.INDEX} 文号: 无文号 发文日期: 2024-01-18 发布机构: 博山区科学技术局" in table


# -- detection ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("liaocheng_channel_page1.html", LC_CHANNEL),
        ("liaocheng_channel_page2.html", LC_CHANNEL + "?page=2"),
        ("liaocheng_article.html", LC + liaocheng_kjj.REPORT),
        ("boshan_district_channel.html", BS_CHANNEL),
        ("boshan_subsite_channel.html", BS_SUBSITE),
        ("boshan_subsite_article.html", BS + boshan.REPORT),
        ("gongkai_front.html", BS + "/gongkai/"),
        ("channel_script_rendered.html", LC_CHANNEL),
    ],
)
def test_detect_names_shandong(name: str, url: str) -> None:
    evidence = families.detect(fixture(name), url)[0]
    assert evidence.family == "shandong", evidence


# -- a real crawl through the replica -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with serving(sites_of(liaocheng_kjj, boshan)) as server:
        yield server


@pytest.mark.slow
def test_crawl_archives_each_report_once_with_its_files_at_real_shape_urls(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    replica.replica.set_state(1)
    replica.replica.log.clear()
    db_path = tmp_path / "a.db"
    # the bundled registry's rows of this family's portals, as they are (liaocheng-rsj, the demo's agency
    # with three years, is crawled by tests/test_compare_page.py)
    registry = registry_file(
        tmp_path, bundled_rows(lambda row: row["family"] == "shandong" and row["name"] != "liaocheng-rsj")
    )
    first = crawl_json(db_path, replica, "--registry", str(registry))
    assert (first["failing_portals"], first["partial_portals"]) == ([], [])
    assert (first["totals"]["new"], first["totals"]["changed"]) == (5, 0)
    seen = connect(db_path).execute(
        """SELECT d.title, s.url FROM sightings s JOIN documents x ON x.id = s.document_id
           JOIN reports r ON r.id = x.report_id JOIN documents d ON d.id = r.primary_document_id"""
    )
    assert sorted(seen) == sorted(
        [
            (BS_TITLE, BS + boshan.REPORT),
            (BS_TITLE, BS + boshan.DOCX_PATH),
            (BS_TITLE, BS + boshan.PDF_PATH),
            (LC_TITLE, LC + liaocheng_kjj.REPORT),
            (LC_TITLE, LC + liaocheng_kjj.PDF_PATH),
        ]
    )
    assert events(first, "failed") == {LC + liaocheng_kjj.MISSING: "HTTP 404"}
    assert events(first, "skipped") == {LC + liaocheng_kjj.BACKUP: "disallowed by robots.txt"}
    assert not any(hit.path.startswith("/bak/") for hit in replica.replica.log)
    # non-report items of the channels are never fetched
    assert not any("doc_65c0a8e1" in hit.path or "doc_65b1e2a0" in hit.path for hit in replica.replica.log)

    replica.replica.set_state(2)  # the HTML report replaced at the same URL by a corrected version
    third = crawl_json(db_path, replica, "--registry", str(registry))
    assert (third["totals"]["new"], third["totals"]["changed"]) == (0, 1)
    latest = (
        "SELECT d.text FROM sightings s JOIN documents d ON d.id = s.document_id WHERE s.url = ? ORDER BY s.id DESC"
    )
    text = connect(db_path).execute(latest, [LC + liaocheng_kjj.REPORT]).fetchone()[0]
    assert common.CORRECTION in text
