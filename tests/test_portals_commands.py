"""`nianbao portals`, `portals detect`, `portals check` and `portals add` against the replica over real
HTTP: every registry portal's family is recognised from its own pages, a dry run lists the reports a
crawl would archive and archives nothing, and a row is appended only when its dry run finds a report."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli
from crawler import registry
from replica import sites
from replica.server import ReplicaServer
from tests.replica_kit import serving

PORTALS = registry.load()
#: Portals with a listing to start from (the annual-report module's rows start from generated URLs).
LISTED = [portal for portal in PORTALS if portal.start_urls]


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with serving(sites.build) as server:
        yield server


def nianbao(*args: str, expect: int = 0) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result


def test_every_registry_row_says_where_its_facts_come_from() -> None:
    for portal in PORTALS:
        assert portal.source, f"{portal.name} has no source"


@pytest.mark.parametrize("portal", LISTED, ids=[portal.name for portal in LISTED])
def test_detect_names_the_family_of_every_replica_portal(replica: ReplicaServer, portal: registry.Portal) -> None:
    result = nianbao("portals", "detect", portal.start_urls[0], "--via-replica", replica.url, "--json")
    detection = json.loads(result.output)
    assert detection["family"] == portal.family, detection["evidence"]
    assert detection["evidence"][0]["clues"]


def test_detect_explains_a_page_it_cannot_fetch(replica: ReplicaServer) -> None:
    result = nianbao(
        "portals", "detect", "http://www.qufu.gov.cn/no/such/page.html", "--via-replica", replica.url, expect=1
    )
    assert "HTTP 404" in result.output


def test_check_lists_report_links_and_archives_nothing(replica: ReplicaServer, tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    runs = []
    for portal in PORTALS:
        result = nianbao(
            "--db",
            str(db),
            "portals",
            "check",
            portal.name,
            "--via-replica",
            replica.url,
            "--timeout",
            "1",
            "--json",
            expect=0,
        )
        runs.append(json.loads(result.output)["portals"][0])
    assert not db.exists()
    for found in runs:
        assert found["reports"], found
        for report in found["reports"]:
            assert report["url"].startswith("http") and (report["year"] or not report["title"])
    by_name = {found["portal"]: found for found in runs}
    qufu = by_name["qufu"]["reports"]
    assert [(r["year"], r["url"]) for r in qufu] == [
        (2021, "http://www.qufu.gov.cn/art/2022/1/20/art_15191_2871234.html")
    ]
    assert qufu[0]["files"] == [
        "http://www.qufu.gov.cn/module/download/downfile.jsp?classid=0&filename=2201201530.docx"
    ]
    jinshui = by_name["jinshui"]["reports"]
    assert [r["url"] for r in jinshui] == ["http://public.jinshui.gov.cn/D42Y/1509956.jhtml"]
    assert by_name["fuqing"]["status"] == "partial"
    assert by_name["fuqing"]["problems"] == ["partial 10 of 20  http://www.fuqing.gov.cn/xjwz/zwgk/zfxxgknb/"]
    module = "http://www.weihai.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11371000004359096D&fbtime="
    weihai_kjj = by_name["weihai-kjj"]
    assert [r["url"] for r in weihai_kjj["reports"]] == [module + "2023"]
    assert {e["url"]: e["reason"] for e in weihai_kjj["events"]} == {module + "2022": "anti-bot challenge (HTTP 412)"}


def test_check_exits_1_when_no_report_is_found(replica: ReplicaServer, tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text(
        '[[portal]]\nname = "empty"\nagency = "某局"\nfamily = "generic"\nsource = "test"\n'
        'start_urls = ["http://www.qufu.gov.cn/no/such/list.html"]\nhosts = ["www.qufu.gov.cn"]\n',
        encoding="utf-8",
    )
    result = nianbao("portals", "--registry", str(empty), "check", "empty", "--via-replica", replica.url, expect=1)
    assert "0 report(s) found" in result.output and "HTTP 404" in result.output


def test_add_appends_a_validated_row(replica: ReplicaServer, tmp_path: Path) -> None:
    target = tmp_path / "mine.toml"
    target.write_text("# my portals\n", encoding="utf-8")
    qufu = next(portal for portal in LISTED if portal.name == "qufu")
    args = ["portals", "--registry", str(target), "add", qufu.start_urls[0], "--agency", qufu.agency]
    nianbao(*args, "--name", "qufu2", "--via-replica", replica.url, "--timeout", "1")
    [row] = tomllib.loads(target.read_text(encoding="utf-8"))["portal"]
    assert (row["name"], row["family"], row["agency"]) == ("qufu2", qufu.family, qufu.agency)
    assert qufu.start_urls[0] in row["source"]
    assert registry.load(target)[0].name == "qufu2"  # the appended file is a valid registry
    nianbao(*args, "--name", "qufu2", "--via-replica", replica.url, expect=2)  # the name is taken


def test_add_refuses_a_page_without_reports(replica: ReplicaServer, tmp_path: Path) -> None:
    target = tmp_path / "mine.toml"
    target.write_text("# my portals\n", encoding="utf-8")
    url = "http://www.qufu.gov.cn/module/download/downfile.jsp"  # a file, not a listing
    nianbao(
        "portals",
        "--registry",
        str(target),
        "add",
        url,
        "--agency",
        "某局",
        "--via-replica",
        replica.url,
        "--timeout",
        "1",
        expect=1,
    )
    assert target.read_text(encoding="utf-8") == "# my portals\n"
