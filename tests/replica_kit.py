"""Scaffolding for the tests that serve and crawl the replica (tests/test_crawl_replica.py, test_family_*.py …).

Once, for every such test: a replica site built from a few ``replica/sites/<module>.py`` modules, a
replica server that is always shut down, a registry file in a test's folder, `nianbao crawl --json
--via-replica` run in-process and its JSON summary read, the lookups on that summary, and the saved pages of
``tests/families/<family>/``. The tests themselves keep only what they check.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from click.testing import CliRunner, Result

from cli.main import cli
from crawler.registry import DEFAULT_REGISTRY
from replica.model import Site
from replica.server import Replica, ReplicaServer

#: The saved pages of each family, one folder a family (tests/families/<family>/).
FAMILIES = Path(__file__).parent / "families"

#: A `nianbao crawl --json` summary, as the command prints it (JSON: its values are of any JSON type).
Summary = dict[str, Any]
#: What the replica serves in a state (1: as first crawled; 2: a report replaced at the same URL).
SiteBuilder = Callable[[int], Site]


class SiteModule(Protocol):
    """A module of replica/sites/: it adds its portal's pages to a site."""

    def build(self, site: Site, state: int) -> None: ...


def sites_of(*modules: SiteModule) -> SiteBuilder:
    """A replica of only these sites' portals (building every site costs seconds), built in this order."""

    def build(state: int) -> Site:
        site = Site()
        for module in modules:
            module.build(site, state)
        return site

    return build


@contextmanager
def serving(build: SiteBuilder) -> Iterator[ReplicaServer]:
    """A replica server of ``build`` on a free port of 127.0.0.1, shut down and closed however the block ends."""
    server = ReplicaServer(Replica(build)).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def registry_file(folder: Path, rows_toml: str) -> Path:
    """A registry file of these ``[[portal]]`` rows, ``folder/portals.toml``."""
    path = folder / "portals.toml"
    path.write_text(rows_toml, encoding="utf-8")
    return path


def portal_row(name: str, agency: str, family: str, start_url: str) -> str:
    """The ``[[portal]]`` row of one portal, on the host of its start URL."""
    host = urlsplit(start_url).hostname
    return (
        f'[[portal]]\nname = "{name}"\nagency = "{agency}"\nfamily = "{family}"\n'
        f'start_urls = ["{start_url}"]\nhosts = ["{host}"]\n'
    )


def one_portal_registry(folder: Path, name: str, agency: str, family: str, start_url: str) -> Path:
    """A registry file of one portal, on the host of its start URL."""
    return registry_file(folder, portal_row(name, agency, family, start_url))


def bundled_rows(pick: Callable[[Mapping[str, object]], bool]) -> str:
    """The rows of the bundled registry (crawler/portals.toml) that ``pick`` keeps, as they are, as TOML."""
    rows: list[dict[str, object]] = tomllib.loads(DEFAULT_REGISTRY.read_text(encoding="utf-8"))["portal"]
    return "".join(
        "[[portal]]\n" + "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in row.items())
        for row in rows
        if pick(row)
    )


def nianbao(db: Path, *args: str, expect: int | None = 0) -> Result:
    """The real `nianbao --db DB ARGS…` run in-process; its exit code is ``expect`` (None: not checked)."""
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    if expect is not None:
        assert result.exit_code == expect, result.output
    return result


def crawl_json(db: Path, server: ReplicaServer, *args: str, expect: int | None = 0, timeout: int = 1) -> Summary:
    """`nianbao crawl --json` through ``server`` with short timeouts (the slow page answers after 8 s); the
    summary it prints last."""
    command = ["crawl", "--json", "--via-replica", server.url, "--timeout", str(timeout), *args]
    result = nianbao(db, *command, expect=expect)
    summary: Summary = json.loads(result.output.strip().splitlines()[-1])
    return summary


def crawl_portal(db: Path, build: SiteBuilder, name: str, agency: str, family: str, start_url: str) -> Summary:
    """One crawl into ``db`` of a one-portal registry (written beside ``db``) through a replica of ``build``."""
    with serving(build) as server:
        registry = one_portal_registry(db.parent, name, agency, family, start_url)
        return crawl_json(db, server, "--registry", str(registry))


def portal(summary: Summary, name: str) -> Summary:
    """The summary's row of the portal ``name``."""
    row: Summary = next(row for row in summary["portals"] if row["portal"] == name)
    return row


def events(summary: Summary, kind: str) -> dict[str, str]:
    """The reason of every event of ``kind`` (failed, skipped, retried) on any portal, by its URL."""
    return {e["url"]: e["reason"] for row in summary["portals"] for e in row["events"] if e["kind"] == kind}


def fixture_text(family_dir: Path, name: str) -> str:
    """The text of a saved page (UTF-8) of a family's folder, e.g. ``fixture_text(FAMILIES / "vsb", "list.html")``."""
    return (family_dir / name).read_text(encoding="utf-8")
