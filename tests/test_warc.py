"""Issue 15 item 6: `nianbao crawl --warc DIR` writes every request and response as WARC, read back here with
warcio (what a researcher would use) against what the replica logged serving and what the archive kept.

Two real crawls of one portal through the replica: the first gets every listing, report page and file (200)
and a report whose server drops the connection (a failure, retried twice); the second gets 304s for the
report and its file (asked for with their validators).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.db import connect
from replica import templates
from replica.model import Answer, Call, Resource, Site
from replica.server import Hit
from replica.sites.common import PDF, bundled, seed
from tests.replica_kit import Summary, crawl_json, one_portal_registry, serving

HOST = "www.dang.gov.cn"
AGENCY = "档市人民政府"
LIST = f"http://{HOST}/nb/"
REPORT = f"http://{HOST}/nb/t20240115_1.html"
FILE = f"http://{HOST}/nb/P020240115_1.pdf"
DROPPED = f"http://{HOST}/nb/t20240116_2.html"
PDF_BYTES = bundled("rendered/report-000.pdf")


def drop(call: Call) -> Answer:
    """The server closes the connection without answering (a crashed backend, a reset)."""
    raise ConnectionResetError("the replica dropped the connection")


def site(state: int) -> Site:
    """A list of two reports: one with a PDF, one whose server drops the connection."""
    built = Site()
    _, lines = seed("001")
    items = [
        templates.Item("/nb/t20240115_1.html", f"{AGENCY}2023年政府信息公开工作年度报告"),
        templates.Item("/nb/t20240116_2.html", f"{AGENCY}办公室2023年政府信息公开工作年度报告"),
    ]
    built.add(LIST, Resource(body=templates.link_list(AGENCY, "年报", items).encode()))
    files = [templates.Item("/nb/P020240115_1.pdf", "附件：年度报告.pdf")]
    built.add(REPORT, Resource(body=templates.article(AGENCY, HOST, items[0].title, lines[:30], files).encode()))
    built.add(FILE, Resource(body=PDF_BYTES, content_type=PDF))
    built.add(DROPPED, Resource(behaviour="api", api=drop))
    return built


@dataclass(frozen=True)
class Record:
    """A WARC record as read back: type, URI, date, id, the request it answers (``to``), the HTTP status line
    and headers (by their lower-case names: HTTP's are case-insensitive, and Scrapy keeps them title-cased),
    and the payload (de-chunked and decoded as warcio reads it)."""

    type: str
    uri: str
    date: dt.datetime
    id: str
    to: str | None
    status: int | None
    statusline: str | None
    headers: dict[str, str]
    payload: bytes


@dataclass
class Capture:
    """One crawl: its summary, what the replica served, and the WARC file's records."""

    summary: Summary
    hits: list[Hit]
    records: list[Record]
    started: dt.datetime
    ended: dt.datetime


def read_warc(path: Path) -> list[Record]:
    """Every record of a WARC file, each one's digests checked as it is read."""
    records = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            http = record.http_headers
            records.append(
                Record(
                    type=record.rec_type,
                    uri=record.rec_headers.get_header("WARC-Target-URI"),
                    date=dt.datetime.fromisoformat(record.rec_headers.get_header("WARC-Date")),
                    id=record.rec_headers.get_header("WARC-Record-ID"),
                    to=record.rec_headers.get_header("WARC-Concurrent-To"),
                    status=int(http.get_statuscode()) if http and record.rec_type == "response" else None,
                    statusline=f"{http.protocol} {http.statusline}" if http else None,
                    headers={name.lower(): value for name, value in http.headers} if http else {},
                    payload=record.content_stream().read(),
                )
            )
    return records


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Capture, Capture, Path]]:
    folder = tmp_path_factory.mktemp("warc")
    registry = one_portal_registry(folder, "dang", AGENCY, "trs", LIST)
    warcs = folder / "warc"
    runs = []
    with serving(site) as server:
        for _ in range(2):
            server.replica.log.clear()
            started = dt.datetime.now(dt.UTC).replace(microsecond=0)
            summary = crawl_json(folder / "a.db", server, "--registry", str(registry), "--warc", str(warcs))
            ended = dt.datetime.now(dt.UTC)
            path = Path(summary["options"]["warc"])
            runs.append(Capture(summary, list(server.replica.log), read_warc(path), started, ended))
    yield runs[0], runs[1], folder / "a.db"


def exchanges(capture: Capture) -> Counter[tuple[str, int | None]]:
    """(URL, status) of every answer in the WARC (status None: a failure), as a multiset."""
    return Counter(
        (str(record.uri), record.status) for record in capture.records if record.type in ("response", "metadata")
    )


def test_one_file_a_run_named_in_the_summary(captures: tuple[Capture, Capture, Path]) -> None:
    first, second, _ = captures
    one, two = Path(first.summary["options"]["warc"]), Path(second.summary["options"]["warc"])
    assert one != two and one.parent == two.parent and sorted(one.parent.iterdir()) == sorted([one, two])
    assert one.name.startswith("nianbao-") and one.name.endswith(".warc.gz")
    info = first.records[0]
    assert info.type == "warcinfo" and b"software: nianbao/" in info.payload
    assert b"robots: obey" in info.payload


def test_every_answer_the_portal_gave_is_in_the_warc(captures: tuple[Capture, Capture, Path]) -> None:
    for capture in captures[:2]:
        served = Counter((f"http://{hit.host}{hit.path}", hit.status) for hit in capture.hits)
        answered = Counter({key: n for key, n in exchanges(capture).items() if key[1] is not None})
        assert answered == served


def test_listing_report_and_file_with_their_headers_body_and_date(captures: tuple[Capture, Capture, Path]) -> None:
    first, _, archive = captures
    responses = {record.uri: record for record in first.records if record.type == "response"}
    served = site(1)
    for url in (LIST, REPORT, FILE):
        record = responses[url]
        assert record.statusline == "HTTP/1.1 200 OK"
        headers = record.headers
        assert headers["etag"] and headers["last-modified"] == served.last_modified
        assert headers["content-length"] == str(len(record.payload))
        resource = served.find(HOST, url.removeprefix(f"http://{HOST}"))
        assert resource is not None and record.payload == resource.body
        assert first.started <= record.date <= first.ended
    assert responses[FILE].headers["content-type"] == PDF
    assert responses[f"http://{HOST}/robots.txt"].status == 200
    # what the archive kept is what the WARC shows the portal served
    for url, sha256 in connect(archive).execute(
        "SELECT s.url, d.sha256 FROM sightings s JOIN documents d ON d.id = s.document_id WHERE s.run_id = ?",
        [first.summary["run_id"]],
    ):
        assert hashlib.sha256(responses[url].payload).hexdigest() == sha256


def test_each_answer_follows_its_request(captures: tuple[Capture, Capture, Path]) -> None:
    for capture in captures[:2]:
        requests = {record.id: record for record in capture.records if record.type == "request"}
        answers = [record for record in capture.records if record.type in ("response", "metadata")]
        assert len(answers) == len(requests)
        for answer in answers:
            assert answer.to is not None
            request = requests[answer.to]
            assert request.uri == answer.uri and request.date <= answer.date
            assert request.headers["host"] == HOST
            assert request.headers["user-agent"].startswith("nianbao-crawler/")


def test_a_failure_is_written_with_its_reason(captures: tuple[Capture, Capture, Path]) -> None:
    first, _, _ = captures
    failures = [record for record in first.records if record.type == "metadata"]
    assert [record.uri for record in failures] == [DROPPED] * 3  # the request and its two retries
    assert {record.payload for record in failures} == {
        b"fetch-error: unreachable: connection closed without an answer\r\n"
    }
    failed = {e["url"]: e["reason"] for row in first.summary["portals"] for e in row["events"] if e["kind"] == "failed"}
    assert failed[DROPPED] == "unreachable: connection closed without an answer"


def test_a_304_is_written_as_answered(captures: tuple[Capture, Capture, Path]) -> None:
    _, second, _ = captures
    assert exchanges(second) == Counter(
        {
            (f"http://{HOST}/robots.txt", 200): 1,
            (LIST, 200): 1,  # listings are read again every run
            (REPORT, 304): 1,
            (FILE, 304): 1,
            (DROPPED, None): 3,
        }
    )
    answered = {record.uri: record for record in second.records if record.status == 304}
    assert all(record.payload == b"" and record.headers["etag"] for record in answered.values())
    asked = {record.uri: record.headers for record in second.records if record.type == "request"}
    assert asked[REPORT]["if-none-match"] == answered[REPORT].headers["etag"]
