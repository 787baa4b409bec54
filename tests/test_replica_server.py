"""The replica server on its own: proxy-style requests, validators, faults, states, the generated site."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.client import HTTPResponse

import pytest

from crawler import registry
from crawler.replica import large, portals
from crawler.replica.server import Replica, ReplicaServer


@pytest.fixture
def server() -> Iterator[ReplicaServer]:
    replica = ReplicaServer(Replica(portals.build)).start()
    yield replica
    replica.shutdown()
    replica.server_close()


def fetch(
    server: ReplicaServer, url: str, headers: dict[str, str] | None = None, data: bytes | None = None
) -> tuple[int, bytes, dict[str, str]]:
    """Ask the replica as an HTTP proxy, the way the crawler does."""
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": server.url}), urllib.request.HTTPRedirectHandler()
    )
    opener.handlers = [h for h in opener.handlers if not isinstance(h, urllib.request.HTTPRedirectHandler)]
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        response: HTTPResponse = opener.open(request, timeout=5)
        return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_serves_real_host_names_and_validators(server: ReplicaServer) -> None:
    url = "http://kjj.liaocheng.gov.cn/xxgk/zfxxgknb/202301/P020230118552367123456.pdf"
    status, body, headers = fetch(server, url)
    assert status == 200 and body.startswith(b"%PDF")
    again, empty, _ = fetch(server, url, {"If-None-Match": headers["ETag"]})
    assert (again, empty) == (304, b"")
    assert server.replica.log[-1].conditional


def test_unknown_hosts_are_refused_and_logged(server: ReplicaServer) -> None:
    status, _, _ = fetch(server, "http://www.zhoukou.gov.cn.zfxxgk-mirror.com/")
    assert status == 502
    assert server.replica.log[-1].host == "www.zhoukou.gov.cn.zfxxgk-mirror.com"
    assert fetch(server, "http://www.qufu.gov.cn/no/such/page.html")[0] == 404


def test_state_two_replaces_a_report_at_the_same_url(server: ReplicaServer) -> None:
    url = "http://kjj.liaocheng.gov.cn/xxgk/zfxxgknb/202301/t20230118_4101823.html"
    _, before, headers = fetch(server, url)
    with urllib.request.urlopen(f"{server.url}/_replica/state/2", timeout=5) as response:
        assert response.read() == b"state 2\n"
    status, after, _ = fetch(server, url, {"If-None-Match": headers["ETag"]})
    assert status == 200 and after != before and portals.CORRECTION in after.decode()


def test_faults(server: ReplicaServer) -> None:
    proxy = "http://www.qufu.gov.cn/module/web/jpage/dataproxy.jsp"
    form = urllib.parse.urlencode({"startrecord": 1, "endrecord": 45, "columnid": 15191}).encode()
    assert [fetch(server, proxy, data=form)[0] for _ in range(3)] == [500, 200, 500]  # a retry succeeds
    status, xml, _ = fetch(server, proxy, data=form)
    assert status == 200 and xml.count(b"<record>") == 45 and b"<totalrecord>48</totalrecord>" in xml
    annual = "http://www.weihai.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11371000MB2841053X&fbtime=2022"
    assert fetch(server, annual)[0] == 412
    loop = fetch(server, "http://kjj.weihai.gov.cn/info/1092/40001.htm")
    assert loop[0] == 302 and loop[2]["Location"].endswith("40001.htm?v=2")
    robots = fetch(server, "http://kjj.liaocheng.gov.cn/robots.txt")[1]
    assert b"Disallow: /xxgk/zfxxgknb/bak/" in robots


def test_gbk_site(server: ReplicaServer) -> None:
    status, body, headers = fetch(server, "http://www.boshan.gov.cn/gongkai/nianbao/2024/report.html")
    assert status == 200 and headers["Content-Type"].endswith("gbk")
    assert "博山区科学技术局" in body.decode("gbk")


def test_every_registry_portal_is_replicated() -> None:
    hosts = set(portals.build().resources)
    assert {host for portal in registry.load() for host in portal.hosts} == hosts


def test_large_site_has_thousands_of_pages() -> None:
    site, registry_toml = large.build(portals=10, reports_per_portal=250)
    assert site.page_count >= 5000
    assert registry_toml.count("[[portal]]") == 10
    assert {f'family = "{family}"' in registry_toml for family in large.FAMILIES} == {True}
