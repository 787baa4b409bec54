"""A list read only in part is loud: the per-portal tally behind `partial N of M` and the portal status."""

from __future__ import annotations

from crawler.spider import PortalSpider
from crawler.store import PortalResult


def test_a_list_that_declares_more_than_it_yields_is_partial() -> None:
    result = PortalResult("p")
    result.listed("http://a.gov.cn/nb/", 10, 1, 20)  # the static first page: 10 items of a declared 20
    result.listed("http://a.gov.cn/nb/", 0, 0, None)
    assert (result.counts["listings"], result.selector_hits, result.counts["reports_found"]) == (2, 10, 1)
    assert result.partial() == ["partial 10 of 20  http://a.gov.cn/nb/"]
    assert result.status() == "partial"


def test_pages_and_batches_of_one_list_add_up() -> None:
    result = PortalResult("p")
    result.listed("col", 45, 1, 50)
    result.listed("col", 5, 0, 50)
    result.listed("other column", 3, 0, None)  # declares nothing: never partial by count
    assert result.partial() == [] and result.status() == "ok"


def test_a_lost_page_makes_its_list_partial_and_names_it() -> None:
    result = PortalResult("p")
    result.listed("col", 5, 1, None)
    result.lost("col", "http://a.gov.cn/nb/index_2.html", "listing page lost: HTTP 500")
    result.lost("col", "http://a.gov.cn/nb/index_3.html", "listing page lost: HTTP 500")
    assert result.partial() == ["partial: listing page lost: HTTP 500 (http://a.gov.cn/nb/index_2.html) (+1 more)  col"]


def test_failing_wins_over_partial() -> None:
    result = PortalResult("p")
    result.listed("col", 0, 0, 20)
    assert result.status() == "failing" and result.problems() == ["listing selector matched nothing"]


def test_a_request_without_a_portal_is_counted_for_the_portal_of_its_host() -> None:
    """robots.txt requests are Scrapy's own and carry no portal: a retry or failure of one belongs to the
    portal whose hosts hold it, never to a phantom portal named "" (which would show as failing)."""
    spider = PortalSpider(portal="qufu,weihai")
    assert spider.portal_of("http://www.qufu.gov.cn/robots.txt") == "qufu"
    assert spider.portal_of("http://www.weihai.gov.cn/robots.txt") == "weihai"
    assert spider.portal_of("http://elsewhere.example/robots.txt") == ""
