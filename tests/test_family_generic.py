"""The generic fallback, read from hand-written listings of no known family (tests/families/generic/)."""

from __future__ import annotations

from crawler import families, pages
from crawler.families import generic
from tests.replica_kit import FAMILIES, fixture_text

FIXTURES = FAMILIES / "generic"
HOST = "http://www.example.gov.cn"
NIANBAO = HOST + "/zfxxgk/zfxxgknb/index.html"


def test_links_of_known_shapes_and_report_titles() -> None:
    listing = generic.FAMILY.read("listing", fixture_text(FIXTURES, "known-shapes.html"), NIANBAO, {})
    assert [item.url.removeprefix(HOST) for item in listing.items] == [
        "/zwgk/zfxxgknb/202301/t20230118_4101823.html",  # TRS
        "/art/2023/1/20/art_16727_4523456.html",  # Hanweb
        "/sitesources/mx/page_pc/zwgk/zfxxgknb/2022n/szf/articleA7403B21A6CE4D6C9002DB9926C0BDC5.html",  # Henan
        "/col/4122_231438/art/17383392/17404450095975A5KfNzE.html",  # 淮安 (a notice: listed, not followed)
        "/news/show.aspx?id=88231",  # unknown shape, titled as a report with a year in Chinese numerals
    ]
    years = [pages.report_year(item.text) for item in listing.items]
    assert years == [2022, 2022, 2022, None, 2023]
    assert listing.follow == [] and listing.problems == []


def test_report_column_vocabulary_and_same_host_pager() -> None:
    listing = generic.FAMILY.read(
        "listing", fixture_text(FIXTURES, "report-columns.html"), HOST + "/zfxxgk/index.html", {}
    )
    assert listing.pages == [HOST + "/zfxxgk/index_1.html", HOST + "/zfxxgk/index_4.html"]
    assert listing.sub_listings == [
        HOST + "/zfxxgk/zfxxgknb/",
        HOST + "/zfxxgk/zfxxgknb/2020n/",
        HOST + "/zfxxgk/bm/index.html",
        HOST + "/zfxxgk/szbmnb/index.html",  # by its text: 市直部门年报
    ]  # not 政策文件, not the column's own index.html, not a 年报 folder outside this column
    assert listing.problems == []


def test_off_site_pager_is_a_problem_and_not_followed() -> None:
    listing = generic.FAMILY.read("listing", fixture_text(FIXTURES, "offsite-pager.html"), NIANBAO, {})
    assert listing.pages == [HOST + "/zfxxgk/zfxxgknb/index_3.html"]
    assert listing.problems == ["pager points off-site: http://mirror.example-cdn.com/zfxxgk/zfxxgknb/index_1.html"]


def test_changed_listing_where_nothing_matched_is_a_problem() -> None:
    listing = generic.FAMILY.read("listing", fixture_text(FIXTURES, "nothing.html"), NIANBAO, {})
    assert listing.items == [] and listing.follow == []
    assert listing.problems == [generic.NOTHING_MATCHED]


def test_detect_falls_back_to_generic() -> None:
    assert families.detect(fixture_text(FIXTURES, "nothing.html"), NIANBAO) == [
        families.Evidence("generic", ("no family's fingerprint on the page",))
    ]


def test_every_family_shape_is_an_article_of_the_fallback() -> None:
    urls = [
        "http://www.zhoukou.gov.cn/sitesources/zksrmzf/page_pc/zwgk/gkznhml/zfxxgknb/2020n/szf/"
        "articleA7403B21A6CE4D6C9002DB9926C0BDC5.html",
        "http://www.huaian.gov.cn/col/14249_137824/art/16751808/1676948560396hsSxIH22.html",
    ]
    assert all(generic.FAMILY.is_article(url) for url in urls)
    assert not generic.FAMILY.is_article(NIANBAO)
