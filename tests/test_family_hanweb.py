"""Hanweb/大汉 JCMS on saved pages of each shape (tests/families/hanweb/README.md says where each was seen),
then real Scrapy crawls over HTTP through the replica: qufu (dataproxy.jsp behind a flaky server), yancheng
(first records embedded as <datastore>, the report in the dataproxy.jsp batch after them), a frame loop, and a
JPaaS unit shell whose report is on the second page of its build/unit API."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.db import connect
from crawler import families, pages
from crawler.families import Follow, Listing, hanweb
from replica import sites
from replica.hanweb import (
    JPAAS_API,
    Column,
    HanwebSite,
    JpaasUnit,
    article,
    jpaas_api,
    jpaas_row,
    page,
    unitbuild_script,
)
from replica.model import Resource, Site
from replica.sites.common import html_page, layout_report
from replica.templates import Item
from tests.replica_kit import FAMILIES, crawl_json, fixture_text, portal, portal_row, registry_file, serving

FIXTURES = FAMILIES / "hanweb"
HANWEB = families.get("hanweb")
QUFU = "http://www.qufu.gov.cn/col/col15191/index.html?vc_xxgkarea=370881&jh=264"
QUFU_PROXY = "http://www.qufu.gov.cn/module/web/jpage/dataproxy.jsp"
YANCHENG = "http://www.yancheng.gov.cn/col/col32749/index.html"
YANCHENG_PROXY = "http://www.yancheng.gov.cn/module/web/jpage/dataproxy.jsp"
QUFU_REPORT = "http://www.qufu.gov.cn/art/2022/1/20/art_15191_2871234.html"
YANCHENG_REPORT = "http://www.yancheng.gov.cn/art/2022/3/9/art_32749_3819650.html"
IACHINA = "http://www.iachina.cn/col/col43/index.html"
JYT = "http://jyt.jiangsu.gov.cn/col/col82269/index.html"
LINXIA = "http://www.linxia.gov.cn/lxz/zwgk/zfxxgknb/2024/gxs/"
HHTZ = "http://www.hhtz.gov.cn/col/col1487002/index.html"
JPAAS = hanweb.JPAAS_KIND
HHTZ_API = "http://www.hhtz.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
#: The queryData of col1487002's unit, as the public crawler of www.hhtz.gov.cn sends it.
HHTZ_QUERY = (
    "parseType=bulidstatic&webId=2945&tplSetId=quSyqDUrFfjv1nGRQhEEH&pageType=column"
    "&tagId=%E9%98%B3%E5%85%89%E6%94%BF%E5%8A%A1_%E5%88%86%E9%A1%B5%E5%88%97%E8%A1%A8&editType=null&pageId=1487002"
)


def listing(name: str, url: str, kind: str = "listing", context: dict[str, str] | None = None) -> Listing:
    return HANWEB.read(kind, fixture_text(FIXTURES, name), url, context or {})


def qufu_batch(start: int) -> dict[str, str]:
    """The context dataproxy.jsp batches carry (see HanwebQuery.follow)."""
    return {**hanweb.HanwebQuery("15191", "66001", "37").context(QUFU), "start": str(start)}


# -- 1. /col/colN/ + dataproxy.jsp (POST) ----------------------------------------------------------------------


def test_column_whose_list_is_only_behind_dataproxy() -> None:
    found = listing("column_dataproxy.html", QUFU)
    assert found.items == []  # the sidebar's /art/ link is page chrome, not the column's list
    assert found.declared == 48  # totalRecord of the jpage call
    [batch] = found.follow
    assert (batch.url, batch.method, batch.kind, batch.same_column) == (QUFU_PROXY, "POST", "dataproxy", True)
    assert dict(batch.form or {}) == {
        "startrecord": "1",
        "endrecord": "45",
        "perpage": "15",
        "col": "1",
        "appid": "1",
        "webid": "37",
        "path": "/",
        "columnid": "15191",
        "sourceContentType": "1",
        "unitid": "66001",
        "permissiontype": "0",
    }


def test_dataproxy_batches_until_the_declared_total() -> None:
    first = listing("dataproxy_first.xml", QUFU_PROXY, "dataproxy", qufu_batch(1))
    assert (len(first.items), first.declared, first.problems) == (45, 48, [])
    assert first.items[0].url == "http://www.qufu.gov.cn/art/2022/3/1/art_15191_287000.html"
    [after] = first.follow
    assert (after.url, (after.form or {})["startrecord"], (after.form or {})["endrecord"]) == (QUFU_PROXY, "46", "90")
    last = listing("dataproxy_last.xml", QUFU_PROXY, "dataproxy", qufu_batch(46))
    assert (len(last.items), last.declared, last.follow) == (3, 48, [])
    reports = [item for item in last.items if pages.report_year(item.text) == 2021]
    assert [(item.url, item.text) for item in reports] == [
        (QUFU_REPORT, "曲阜市科学技术局2021年政府信息公开工作年度报告")
    ]


# -- 3. the first records embedded as <script type="text/xml"><datastore> ---------------------------------------


def test_embedded_datastore_then_dataproxy_after_it() -> None:
    found = listing("column_datastore.html", YANCHENG)
    assert (len(found.items), found.declared, found.problems) == (45, 60, [])
    assert found.items[0].url == "http://www.yancheng.gov.cn/art/2022/2/10/art_32749_381000.html"
    [after] = found.follow
    form = dict(after.form or {})
    assert (after.url, after.kind, after.method) == (YANCHENG_PROXY, "dataproxy", "POST")
    assert (form["startrecord"], form["columnid"], form["unitid"], form["webid"]) == ("46", "32749", "212805", "1")


def test_embedded_datastore_whose_only_api_clue_is_the_next_group_link() -> None:
    url = "http://www.yancheng.gov.cn/col/col33704/index.html"
    found = listing("column_datastore_nextgroup.html", url)
    assert (len(found.items), found.declared) == (15, 40)  # <totalrecord> of the embedded store
    assert found.items[0].text == "盐城市人民政府2022年政府信息公开工作年度报告"
    [page_two] = found.follow
    assert page_two.kind == "morecolumn" and page_two.method == "GET"
    assert page_two.url == (
        "http://www.yancheng.gov.cn/module/web/jpage/dataproxy.jsp?page=2&appid=1&webid=1&path=/"
        "&columnid=33704&unitid=212805&webname=盐城市人民政府&permissiontype=0"
    )


# -- 2 + 4. morecolumndataproxy.jsp?page=N (GET), answers without <totalrecord> ----------------------------------


def test_morecolumndataproxy_pages_until_a_short_page() -> None:
    [first] = listing("column_morecolumn.html", IACHINA).follow
    assert (first.kind, first.method) == ("morecolumn", "GET")
    assert first.url == (
        "http://www.iachina.cn/module/web/jpage/morecolumndataproxy.jsp?page=1&col=1&appid=1&webid=1&path=%2F"
        "&columnid=43&sourceContentType=1&unitid=6412&permissiontype=0&keyWordCount=30"
    )
    page_one = listing("morecolumn_page1.xml", first.url, "morecolumn", dict(first.context))
    assert (len(page_one.items), page_one.declared, page_one.problems) == (12, None, [])
    [second] = page_one.follow
    assert second.url == first.url.replace("page=1&", "page=2&") and second.context["size"] == "12"
    page_two = listing("morecolumn_page2.xml", second.url, "morecolumn", dict(second.context))
    assert (len(page_two.items), page_two.declared, page_two.follow) == (5, None, [])  # short: the list ends


def test_a_list_api_ignoring_its_page_number_stops() -> None:
    [first] = listing("column_morecolumn.html", IACHINA).follow
    [second] = listing("morecolumn_page1.xml", first.url, "morecolumn", dict(first.context)).follow
    again = listing("morecolumn_page1.xml", second.url, "morecolumn", dict(second.context))
    assert again.follow == [] and again.problems == ["list API page 2 repeats page 1: paging stopped"]


def test_dataproxy_without_totalrecord_reads_on_until_a_short_batch() -> None:
    full = listing("dataproxy_no_total.xml", QUFU_PROXY, "dataproxy", qufu_batch(46))
    assert (len(full.items), full.declared) == (45, None)
    assert [(f.form or {})["startrecord"] for f in full.follow] == ["91"]
    short = listing("dataproxy_no_total_short.xml", QUFU_PROXY, "dataproxy", qufu_batch(91))
    assert (len(short.items), short.declared, short.follow, short.problems) == (9, None, [], [])


# -- 5. server pager ?uid=…&pageNum=N -----------------------------------------------------------------------------


def test_server_pager_by_unit_and_page_number() -> None:
    first = listing("pager_uid_pagenum.html", JYT)
    assert len(first.items) == 15 and first.declared == 37  # span.default_pgTotalRecord
    assert all("art_82269_" in item.url for item in first.items)  # the sidebar's 教育要闻 is not the list
    assert first.pages == [f"{JYT}?uid=396302&pageNum={n}" for n in (2, 3)]
    last = listing("pager_uid_pagenum_3.html", f"{JYT}?uid=396302&pageNum=3")
    assert (len(last.items), last.follow) == (7, [])  # later pages are asked for from the first only


# -- 6. lists framed in an <iframe> -------------------------------------------------------------------------------


def test_a_list_framed_on_the_same_host_is_followed_as_the_same_column() -> None:
    found = listing("iframe_column.html", "http://www.yancheng.gov.cn/col/col32740/index.html")
    assert found.items == []
    assert found.follow == [Follow(YANCHENG)]  # the share widget framed from another host is not the list
    loop = listing("iframe_loop.html", YANCHENG)
    assert loop.follow == [Follow("http://www.yancheng.gov.cn/col/col32740/index.html")]


# -- 7. the newer intensive platform …/art/YYYY/art_<32 hex>.html --------------------------------------------------


def test_intensive_platform_articles() -> None:
    found = listing("intensive_list.html", LINXIA + "index.html")
    assert [pages.report_year(item.text) for item in found.items] == [2024, 2024, 2024]
    report = found.items[0].url
    assert report == LINXIA + "art/2025/art_22be47c1a9f04d6b8e3f5a7c9d1b2e40.html" and HANWEB.is_article(report)
    page = pages.read_report_page(fixture_text(FIXTURES, "intensive_article.html"), report)
    assert (page.title, page.year) == ("广河县人民政府2024年政府信息公开工作年度报告", 2024)
    assert [link.url for link in page.attachments] == [LINXIA + "art/2025/att/广河县2024年政府信息公开工作年度报告.pdf"]


def test_article_with_its_file_behind_downfile_jsp() -> None:
    page = pages.read_report_page(fixture_text(FIXTURES, "article_downfile.html"), QUFU_REPORT)
    assert (page.title, page.year) == ("曲阜市科学技术局2021年政府信息公开工作年度报告", 2021)
    assert [link.url for link in page.attachments] == [
        "http://www.qufu.gov.cn/module/download/downfile.jsp?classid=0&filename=2201201530.docx"
    ]


# -- 8. JPaaS unit shells: unitbuild.js + /api-gateway/jpaas-publish-server/front/page/build/unit -----------------


def test_a_jpaas_shell_asks_its_unit_for_the_first_page() -> None:
    found = listing("column_jpaas_unit.html", HHTZ)
    assert (found.items, found.declared, found.problems) == ([], None, [])
    [unit] = found.follow
    assert (unit.url, unit.kind, unit.method, unit.same_column) == (f"{HHTZ_API}?{HHTZ_QUERY}", JPAAS, "GET", True)
    assert (unit.context["page"], unit.context["size"], unit.context["first"]) == ("1", "0", "")


def test_a_jpaas_unit_pages_with_param_json_until_its_count() -> None:
    [unit] = listing("column_jpaas_unit.html", HHTZ).follow
    first = listing("jpaas_unit_page1.json", unit.url, JPAAS, dict(unit.context))
    assert (len(first.items), first.declared, first.problems) == (15, 23, [])  # the pager's count="23"
    assert all(HANWEB.is_article(item.url) for item in first.items)
    [second] = first.follow
    assert second.url == f"{HHTZ_API}?{HHTZ_QUERY}&paramJson=%7B%22pageNo%22%3A2%2C%22pageSize%22%3A15%7D"
    last = listing("jpaas_unit_page2.json", second.url, JPAAS, dict(second.context))
    assert (len(last.items), last.declared, last.follow, last.problems) == (8, 23, [], [])  # 2 x 15 >= 23: the end
    assert [(item.url, item.text) for item in last.items if pages.report_year(item.text)] == [(HHTZ_REPORT, HHTZ_TITLE)]


def test_a_jpaas_unit_without_a_count_pages_on_until_an_empty_page() -> None:
    [unit] = listing("column_jpaas_unit.html", HHTZ).follow
    uncounted = fixture_text(FIXTURES, "jpaas_unit_page1.json").replace('count=\\"23\\" ', "")
    first = HANWEB.read(JPAAS, uncounted, unit.url, dict(unit.context))
    assert first.declared is None
    [second] = first.follow
    assert json.loads(parse_qs(urlsplit(second.url).query)["paramJson"][0]) == {"pageNo": 2, "pageSize": 15}
    rows = fixture_text(FIXTURES, "jpaas_unit_page2.json").split("<li>")
    empty = rows[0] + rows[-1].split("</li>", 1)[1]  # the answer with its rows cut out, its pager kept
    end = HANWEB.read(JPAAS, empty, second.url, dict(second.context))
    assert (end.items, end.follow, end.problems) == ([], [], [])


def test_a_column_printing_its_first_page_pages_on_through_its_unit_pager() -> None:
    """Zhejiang department columns: the first 15 rows in the page, the rest from the unit's API (page 2 on)."""
    column = "http://kjt.zj.gov.cn/col/col1229225203/index.html"
    found = listing("column_jpaas_first_page.html", column)
    assert (len(found.items), found.declared, found.problems) == (3, 386, [])
    [second] = [follow for follow in found.follow if follow.kind == JPAAS]
    query = parse_qs(urlsplit(second.url).query)
    assert second.url.startswith("http://kjt.zj.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?")
    assert (query["webId"], query["pageId"], query["tagId"]) == (["3387"], ["1229225203"], ["当前栏目list"])
    assert json.loads(query["paramJson"][0]) == {"pageNo": 2, "pageSize": 15}
    assert second.context["first"] == found.items[0].url


def test_a_jpaas_unit_answering_page_one_again_stops_paging() -> None:
    [unit] = listing("column_jpaas_unit.html", HHTZ).follow
    [second] = listing("jpaas_unit_page1.json", unit.url, JPAAS, dict(unit.context)).follow
    again = listing("jpaas_unit_page1.json", second.url, JPAAS, dict(second.context))
    assert again.follow == [] and again.problems == ["JPaaS list API page 2 repeats page 1: paging stopped"]


# -- 9. bad input -------------------------------------------------------------------------------------------------


def test_broken_cdata_keeps_the_records_that_can_be_read() -> None:
    found = listing("dataproxy_broken_cdata.xml", QUFU_PROXY, "dataproxy", qufu_batch(1))
    assert [item.url.rsplit("_", 1)[-1] for item in found.items] == ["287000.html", "2871234.html", "287001.html"]
    assert found.problems == [
        "datastore: 2 record(s) with a broken CDATA section",
        "datastore: answer cut short (no </datastore>)",
    ]
    assert found.follow == [] and found.declared is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            fixture_text(FIXTURES, "dataproxy_error.html"),
            "dataproxy.jsp answered an HTML page, not its XML record list",
        ),
        ('{"total": 3, "data": []}', "dataproxy.jsp answered an answer of unknown shape, not its XML record list"),
    ],
)
def test_an_answer_that_is_no_datastore_is_a_problem(text: str, problem: str) -> None:
    found = HANWEB.read("dataproxy", text, QUFU_PROXY, qufu_batch(1))
    assert (found.items, found.follow, found.problems) == ([], [], [problem])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (  # the answer when the unit's ids are not taken (samr, mohurd)
            '{"success": false, "data": {}, "message": "", "code": "200"}',
            "JPaaS list API answered success False, not a list",
        ),
        ('{"code": "200", "success": true, "data": {}}', "JPaaS list API answer of unknown shape (no data.html)"),
        (fixture_text(FIXTURES, "dataproxy_error.html"), "JPaaS list API answered an HTML page, not JSON"),
        ("jQuery1124({})", "JPaaS list API answer is not JSON"),
    ],
)
def test_a_jpaas_answer_of_another_shape_is_a_problem(text: str, problem: str) -> None:
    [unit] = listing("column_jpaas_unit.html", HHTZ).follow
    found = HANWEB.read(JPAAS, text, unit.url, dict(unit.context))
    assert (found.items, found.follow, found.problems) == ([], [], [problem])


def test_a_jpaas_shell_whose_script_lacks_its_url_or_query_data_is_a_problem() -> None:
    shell = fixture_text(FIXTURES, "column_jpaas_unit.html")
    without_url = shell.replace(f'url="{JPAAS_API}"', "")
    found = HANWEB.read("listing", without_url, HHTZ, {})
    assert found.follow == [] and len(found.problems) == 1
    assert found.problems[0].startswith("JPaaS unit without its API address and a JSON queryData")
    unreadable = shell.replace("queryData=\"{'parseType'", 'queryData="{parseType')
    assert HANWEB.read("listing", unreadable, HHTZ, {}).problems[0].endswith("not read")


def test_a_pager_without_its_unit_id_is_a_problem() -> None:
    html = fixture_text(FIXTURES, "pager_uid_pagenum.html").replace('<div id="396302">', "<div>")
    found = HANWEB.read("listing", html, JYT, {})
    assert len(found.items) == 15 and found.pages == []
    assert found.problems == ["jpage pager without its unit id: later pages not read"]


# -- detection ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("column_dataproxy.html", QUFU),
        ("column_datastore.html", YANCHENG),
        ("column_datastore_nextgroup.html", "http://www.yancheng.gov.cn/col/col33704/index.html"),
        ("column_morecolumn.html", IACHINA),
        ("pager_uid_pagenum.html", JYT),
        ("iframe_column.html", "http://www.yancheng.gov.cn/col/col32740/index.html"),
        ("intensive_list.html", LINXIA + "index.html"),
        ("intensive_article.html", LINXIA + "art/2025/art_22be47c1a9f04d6b8e3f5a7c9d1b2e40.html"),
        ("article_downfile.html", QUFU_REPORT),
        ("column_jpaas_unit.html", HHTZ),
    ],
)
def test_detect_names_hanweb(name: str, url: str) -> None:
    assert families.detect(fixture_text(FIXTURES, name), url)[0].family == "hanweb"


def test_detect_names_hanweb_by_the_unitbuild_script_alone() -> None:
    shell = fixture_text(FIXTURES, "column_jpaas_unit.html").replace("<meta name='Generator' content='大汉版通'>", "")
    [evidence] = families.detect(shell, HHTZ)
    assert (evidence.family, evidence.clues) == ("hanweb", ("JPaaS unitbuild.js list unit",))


# -- end to end: Scrapy over HTTP through the replica --------------------------------------------------------------

#: A yancheng column page that frames the column of YANCHENG (iframe_column.html).
YANCHENG_FRAME = "http://www.yancheng.gov.cn/col/col32740/index.html"
QUFU_ROW = portal_row("qufu", "曲阜市人民政府", "hanweb", QUFU)
YANCHENG_ROW = portal_row("yancheng", "盐城市人民政府", "hanweb", YANCHENG)


@pytest.mark.timeout(120)
def test_crawl_archives_each_report_once_at_its_real_url(tmp_path: Path) -> None:
    registry = registry_file(tmp_path, QUFU_ROW + YANCHENG_ROW)
    with serving(sites.build) as server:
        summary = crawl_json(tmp_path / "a.db", server, "--registry", str(registry), expect=None)
    qufu, yancheng = portal(summary, "qufu"), portal(summary, "yancheng")
    assert (qufu["new"], yancheng["new"]) == (2, 1)  # qufu: the article and its DOCX
    assert summary["failing_portals"] == [] and qufu["problems"] == yancheng["problems"] == []
    retried = [e["url"] for e in qufu["events"] if e["kind"] == "retried"]
    assert set(retried) == {QUFU_PROXY}  # dataproxy.jsp's 500s were retried past
    db = connect(tmp_path / "a.db")
    seen = db.execute(
        "SELECT s.url, d.title FROM sightings s JOIN documents d ON d.id = s.document_id ORDER BY s.url"
    ).fetchall()
    assert [url for url, _ in seen] == [
        "http://www.qufu.gov.cn/art/2022/1/20/art_15191_2871234.html",
        "http://www.qufu.gov.cn/module/download/downfile.jsp?classid=0&filename=2201201530.docx",
        YANCHENG_REPORT,
    ]
    titles = {title for _, title in seen}
    assert titles == {"曲阜市科学技术局2021年政府信息公开工作年度报告", "盐城市人民政府2021年政府信息公开工作年度报告"}
    posts = [hit.form for hit in server.replica.log if hit.method == "POST" and hit.host == "www.yancheng.gov.cn"]
    assert len(posts) == 1 and "startrecord=46" in posts[0]  # the report came from the batch after the store


def frame_loop(state: int) -> Site:
    """Two pages framing each other, neither with a list: the crawl must still end."""
    site = Site()
    site.add(YANCHENG_FRAME, html_page(fixture_text(FIXTURES, "iframe_column.html")))
    site.add(YANCHENG, html_page(fixture_text(FIXTURES, "iframe_loop.html")))
    return site


@pytest.mark.timeout(120)
def test_a_frame_loop_ends_with_each_page_requested_once(tmp_path: Path) -> None:
    # the yancheng row, started at the framing page
    registry = registry_file(tmp_path, portal_row("yancheng", "盐城市人民政府", "hanweb", YANCHENG_FRAME))
    with serving(frame_loop) as server:
        summary = crawl_json(tmp_path / "a.db", server, "--registry", str(registry), expect=None)
    paths = [hit.path for hit in server.replica.log if hit.path != "/robots.txt"]
    assert sorted(paths) == ["/col/col32740/index.html", "/col/col32749/index.html"]
    assert summary["failing_portals"] == ["yancheng"]  # no list anywhere: loud, not endless


#: www.hhtz.gov.cn (杭州高新区（滨江）) col1487002 with its real unit ids; its rows, its report and its chrome are
#: the replica's (tests/families/hanweb/README.md).
HHTZ_SITE = HanwebSite(
    name="杭州高新区（滨江）",
    host="www.hhtz.gov.cn",
    site_code="3301080001",
    icp="浙ICP备05018487号",
    sponsor="杭州高新区（滨江）管委会办公室",
    webid=2945,
    unitid=0,  # no jpage unit: the list is the JPaaS unit's
)
HHTZ_COLUMN = Column(1487002, "阳光政务", (("阳光政务", "/col/col1487002/index.html"),))
HHTZ_UNIT = JpaasUnit(web_id="2945", page_id="1487002", tag_id="阳光政务_分页列表", tpl_set_id="quSyqDUrFfjv1nGRQhEEH")
HHTZ_TITLE = "杭州市滨江区人民政府2023年政府信息公开工作年度报告"
HHTZ_REPORT = "http://www.hhtz.gov.cn/col/col1487002/art/2024/art_0e7d3c1f5b8a4e6d9c2b7a1f3e5d8c40.html"
#: Rows a page of the unit (the pager's rows="15"); 23 rows in all, the report the fourth of page 2.
HHTZ_PAGE_SIZE = 15


def hhtz_rows() -> list[str]:
    """The unit's 23 rows, newest first: notices of the column (hhtz's list is its 阳光政务 notices) and the report."""
    notices = ["公开招聘编外工作人员公告", "招聘笔试成绩及入围面试人员名单公示", "拟聘用人员公示", "政务公开工作动态"]
    dates = [dt.date(2024, 12, 28) - dt.timedelta(days=19 * number) for number in range(22)]
    items = [
        Item(
            f"/col/col1487002/art/{day.year}/art_{hashlib.md5(str(number).encode()).hexdigest()}.html",
            f"杭州高新区（滨江）{notices[number % len(notices)]}（第{number + 1}期）",
            day.isoformat(),
        )
        for number, day in enumerate(dates)
    ]
    items.insert(18, Item(urlsplit(HHTZ_REPORT).path, HHTZ_TITLE, "2024-01-26"))
    return [jpaas_row(item) for item in items]


def hhtz_column(state: int) -> Site:
    """The JPaaS column: the shell page, its build/unit API (15 rows a page), the report article."""
    site = Site()
    body = f'<div class="list-box"><h2>{HHTZ_COLUMN.name}</h2>\n{unitbuild_script(HHTZ_UNIT)}\n</div>'
    site.add(HHTZ, html_page(page(HHTZ_SITE, HHTZ_COLUMN.name, HHTZ_COLUMN, body)))
    site.add(HHTZ_API, Resource(behaviour="api", api=jpaas_api(HHTZ_UNIT, hhtz_rows(), HHTZ_PAGE_SIZE)))
    text, _ = layout_report("杭州市滨江区人民政府", 2023, 330108)
    source = "杭州市滨江区人民政府办公室"
    site.add(HHTZ_REPORT, html_page(article(HHTZ_SITE, HHTZ_COLUMN, HHTZ_TITLE, text, "2024-01-26", source, [])))
    return site


@pytest.mark.timeout(120)
def test_crawl_archives_the_report_a_jpaas_unit_lists_on_its_second_page(tmp_path: Path) -> None:
    registry = registry_file(tmp_path, portal_row("hhtz", "杭州市滨江区人民政府", "hanweb", HHTZ))
    with serving(hhtz_column) as server:
        summary = crawl_json(tmp_path / "a.db", server, "--registry", str(registry), expect=None)
    hhtz = portal(summary, "hhtz")
    assert (hhtz["new"], hhtz["problems"], summary["failing_portals"]) == (1, [], [])
    asked = [hit.path for hit in server.replica.log if hit.path.startswith(JPAAS_API)]
    paging = [parse_qs(urlsplit(path).query).get("paramJson") for path in asked]
    assert paging == [None, ['{"pageNo":2,"pageSize":15}']]  # page 1 as unitbuild.js asks it, then page.js's
    db = connect(tmp_path / "a.db")
    seen = db.execute("SELECT s.url, d.title FROM sightings s JOIN documents d ON d.id = s.document_id").fetchall()
    assert seen == [(HHTZ_REPORT, HHTZ_TITLE)]
