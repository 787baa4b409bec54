"""The replica server on its own: proxy-style requests, validators, faults, states, the generated site."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.client import HTTPResponse
from pathlib import Path

import pytest

from crawler import registry
from replica import large, sites
from replica.server import Replica, ReplicaServer
from replica.sites import boshan, common, liaocheng_kjj, vsb_zhada, weihai


@pytest.fixture
def server() -> Iterator[ReplicaServer]:
    replica = ReplicaServer(Replica(sites.build)).start()
    yield replica
    replica.shutdown()
    replica.server_close()


def fetch(
    server: ReplicaServer | str, url: str, headers: dict[str, str] | None = None, data: bytes | None = None
) -> tuple[int, bytes, dict[str, str]]:
    """Ask the replica (a server, or its address) as an HTTP proxy, the way the crawler does."""
    proxy = server if isinstance(server, str) else server.url
    opener = urllib.request.OpenerDirector()  # no redirect handler: a redirect is an answer to look at
    for handler in (
        urllib.request.ProxyHandler({"http": proxy}),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        response: HTTPResponse = opener.open(request, timeout=5)
        return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_serves_real_host_names_and_validators(server: ReplicaServer) -> None:
    url = f"http://{liaocheng_kjj.HOST}{liaocheng_kjj.PDF_PATH}"
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
    url = f"http://{liaocheng_kjj.HOST}{liaocheng_kjj.REPORT}"
    _, before, headers = fetch(server, url)
    with urllib.request.urlopen(f"{server.url}/_replica/state/2", timeout=5) as response:
        assert response.read() == b"state 2\n"
    status, after, _ = fetch(server, url, {"If-None-Match": headers["ETag"]})
    assert status == 200 and after != before and common.CORRECTION in after.decode()


def test_faults(server: ReplicaServer) -> None:
    proxy = "http://www.qufu.gov.cn/module/web/jpage/dataproxy.jsp"
    form = urllib.parse.urlencode({"startrecord": 1, "endrecord": 45, "columnid": 15191}).encode()
    assert [fetch(server, proxy, data=form)[0] for _ in range(3)] == [500, 200, 500]  # a retry succeeds
    status, xml, _ = fetch(server, proxy, data=form)
    assert status == 200 and xml.count(b"<record>") == 45 and b"<totalrecord>48</totalrecord>" in xml
    assert fetch(server, weihai.MODULE + "?area=11371000004359096D&fbtime=2022")[0] == 412
    loop = fetch(server, f"http://{vsb_zhada.HOST}{vsb_zhada.LOOP}")
    assert loop[0] == 302 and loop[2]["Location"].endswith(f"{vsb_zhada.LOOP}?v=2")
    robots = fetch(server, f"http://{liaocheng_kjj.HOST}/robots.txt")[1]
    assert b"Disallow: /bak/" in robots


def test_gbk_site(server: ReplicaServer) -> None:
    status, body, headers = fetch(server, f"http://{boshan.HOST}{boshan.REPORT}")
    assert status == 200 and headers["Content-Type"].endswith("gbk")
    assert "博山区科学技术局" in body.decode("gbk")


def test_every_registry_portal_is_replicated() -> None:
    served = set(sites.build().resources)
    registered = {portal.hosts[0] for portal in registry.load()}  # the first host of each portal is served
    assert registered <= served <= {host for portal in registry.load() for host in portal.hosts}


def test_large_site_has_thousands_of_pages() -> None:
    site, registry_toml = large.build(portals=10, reports_per_portal=250)
    assert site.page_count >= 5000
    assert registry_toml.count("[[portal]]") == 10
    assert {f'family = "{family}"' in registry_toml for family in large.FAMILIES} == {True}


def test_latency_delays_every_answer() -> None:
    """`--latency`: each answer waits, as a real portal's server does; the default answers at once."""
    url = "http://kjj.liaocheng.gov.cn/robots.txt"
    timings = []
    for latency in (0.0, 0.3):
        server = ReplicaServer(Replica(sites.build, latency=latency)).start()
        started = time.perf_counter()
        assert fetch(server, url)[0] == 200
        timings.append(time.perf_counter() - started)
        server.shutdown()
        server.server_close()
    assert timings[0] < 0.25
    assert 0.3 <= timings[1] < 3


def test_replica_command_serves_with_latency() -> None:
    """`nianbao replica --port 0 --latency 0.3` prints its address and answers through it, slowly."""
    command = [sys.executable, "-m", "cli", "replica", "--port", "0", "--latency", "0.3"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1]) as process:
        assert process.stdout is not None
        first = process.stdout.readline()
        address = re.search(r"on (http://127\.0\.0\.1:\d+)", first)
        assert address, first
        started = time.perf_counter()
        assert fetch(address.group(1), "http://kjj.liaocheng.gov.cn/robots.txt")[0] == 200
        assert 0.3 <= time.perf_counter() - started < 3
        process.terminate()
