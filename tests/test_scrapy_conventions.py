"""Issue 15 item 5: what Scrapy users expect works from the project folder (scrapy.cfg → crawler.settings):
`scrapy list`, `scrapy crawl portal -a portal=NAME -O items.jsonl` writing every item (documents included)
as JSON and exiting 0, the archive named by $NIANBAO_DB, the replica reached through $NIANBAO_VIA.

Real `scrapy` processes against the replica on 127.0.0.1; the items read back from the file they wrote.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.db import connect
from crawler.items import DocumentItem, EventItem
from replica.server import ReplicaServer
from replica.sites import boshan
from tests.replica_kit import serving, sites_of

ROOT = Path(__file__).resolve().parents[1]
#: The replica's pace (crawler/settings.py REPLICA_SETTINGS), as a Scrapy user passes settings: -s NAME=VALUE.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0.01", "-s", "DOWNLOAD_TIMEOUT=5"]


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with serving(sites_of(boshan)) as server:
        yield server


def scrapy(folder: Path, replica: ReplicaServer, *args: str) -> subprocess.CompletedProcess[str]:
    """`scrapy ARGS…` from the project folder, the archive $NIANBAO_DB in ``folder``, through the replica."""
    env = {**os.environ, "NIANBAO_DB": str(folder / "scrapy.db"), "NIANBAO_VIA": replica.url}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def read_items(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_scrapy_list_names_the_spider(replica: ReplicaServer, tmp_path: Path) -> None:
    done = scrapy(tmp_path, replica, "list")
    assert (done.returncode, done.stdout, done.stderr) == (0, "portal\n", "")


def test_scrapy_crawl_writes_every_item_as_json(replica: ReplicaServer, tmp_path: Path) -> None:
    out = tmp_path / "items.jsonl"
    done = scrapy(tmp_path, replica, "crawl", "portal", "-a", "portal=boshan", "-O", str(out), *FAST)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "ERROR" not in done.stderr, done.stderr
    items = read_items(out)
    documents = [item for item in items if "body" in item]
    events = [item for item in items if "kind" in item]
    assert len(documents) + len(events) == len(items) and {item["kind"] for item in events} >= {"listing"}
    archived = {row[0]: row[1] for row in connect(tmp_path / "scrapy.db").execute("SELECT sha256, size FROM documents")}
    assert len(archived) == 3  # the GBK page, its DOCX and its PDF
    # the bytes are named by their sha256 and size (the archive's own names), not written out
    exported = {item["body"]["sha256"]: item["body"]["size"] for item in documents}
    assert exported == archived
    assert all(set(item["body"]) == {"sha256", "size"} for item in documents)


def test_items_round_trip_with_their_bytes_when_asked(replica: ReplicaServer, tmp_path: Path) -> None:
    """-s NIANBAO_EXPORT_BODY=base64: the bytes too; every item read back is the item the spider yielded. And
    -s NIANBAO_WARC=FILE: the same bytes as the portal's answers in a WARC file."""
    out, warc = tmp_path / "items.json", tmp_path / "crawl.warc.gz"  # a JSON array (Scrapy's JsonItemExporter)
    settings = ["-s", "NIANBAO_EXPORT_BODY=base64", "-s", f"NIANBAO_WARC={warc}"]
    done = scrapy(tmp_path, replica, "crawl", "portal", "-a", "portal=boshan", "-O", str(out), *settings, *FAST)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))
    items = [
        DocumentItem(**{**row, "body": base64.b64decode(row["body"]["base64"])}) if "body" in row else EventItem(**row)
        for row in rows
    ]
    documents = [item for item in items if isinstance(item, DocumentItem)]
    for item, row in zip(items, rows, strict=True):
        if isinstance(item, DocumentItem):
            assert (hashlib.sha256(item.body).hexdigest(), len(item.body)) == (
                row["body"]["sha256"],
                row["body"]["size"],
            )
    archived = dict(connect(tmp_path / "scrapy.db").execute("SELECT sha256, data FROM blobs").fetchall())
    assert {hashlib.sha256(item.body).hexdigest(): item.body for item in documents} == archived  # byte for byte
    assert {item.http_status for item in documents} == {200} and all(item.url.startswith("http://") for item in items)
    with warc.open("rb") as stream:
        answered = {
            record.rec_headers.get_header("WARC-Target-URI"): record.content_stream().read()
            for record in ArchiveIterator(stream)
            if record.rec_type == "response"
        }
    assert all(answered[item.url] == item.body for item in documents)
