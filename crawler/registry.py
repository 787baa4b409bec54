"""The portal registry: which agency portals to crawl, in which CMS family, within which hosts.

The registry is data (``portals.toml``, or any file named by ``--registry`` / ``$NIANBAO_REGISTRY``) so a
new portal of a known family costs one entry, not code. ``discover`` proposes entries from the web
addresses that archived reports print about themselves ("本报告电子版可从…门户网站(http://…)查阅").
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils

from crawler import families

DEFAULT_REGISTRY = Path(__file__).with_name("portals.toml")
#: Hosts worth proposing: government portals only (mirrors and SEO copies live on other domains).
_GOV_URL = re.compile(r"https?://([a-z0-9-]+(?:\.[a-z0-9-]+)*\.gov\.cn)(?::\d+)?(/[\w./?=&%-]*)?", re.I)


class RegistryError(ValueError):
    """The registry file is unreadable or an entry is malformed; the message names the entry."""


@dataclass(frozen=True)
class Portal:
    name: str
    agency: str
    region: str
    family: str
    hosts: tuple[str, ...]
    start_urls: tuple[str, ...] = ()
    annual_report_areas: tuple[str, ...] = ()
    #: pages whose links carry the module's area codes (area=, vc_xxgkarea=): the codes are found there
    annual_report_index: tuple[str, ...] = ()
    first_year: int = 2008
    #: where the row's facts were seen (a public page or crawler), and which of them are not yet checked
    source: str = ""
    unverified: str = ""

    def allows(self, url: str) -> bool:
        """Only the portal's own hosts are followed: mirrors, gateways and other sites are not."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and (parts.hostname or "") in self.hosts


@dataclass
class Proposal:
    """A registry entry suggested by discover, with the reports that named it."""

    host: str
    start_url: str
    agencies: list[str] = field(default_factory=list)

    def to_toml(self) -> str:
        name = self.host.removesuffix(".gov.cn").removeprefix("www.").replace(".", "-")
        agency = self.agencies[0] if self.agencies else ""
        named_by = "、".join(self.agencies) or "an archived report"
        return (
            f'[[portal]]\nname = "{name}"\nagency = "{agency}"\nregion = ""\nfamily = "generic"\n'
            f'start_urls = ["{self.start_url}"]\nhosts = ["{self.host}"]\n'
            f'source = "the address printed in the report(s) of {named_by} (nianbao portals discover)"\n'
            'unverified = "family and start URL: run nianbao portals detect / check on the live site"\n'
        )


def registry_path(path: str | os.PathLike[str] | None = None) -> Path:
    return Path(path or os.environ.get("NIANBAO_REGISTRY") or DEFAULT_REGISTRY)


def load(path: str | os.PathLike[str] | None = None) -> list[Portal]:
    source = registry_path(path)
    try:
        entries = tomllib.loads(source.read_text(encoding="utf-8")).get("portal", [])
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RegistryError(f"cannot read registry {source}: {error}") from error
    portals = [_portal(entry, source) for entry in entries]
    names = [portal.name for portal in portals]
    if len(set(names)) != len(names):
        raise RegistryError(f"{source}: portal names must be unique")
    return portals


def _portal(entry: dict[str, object], source: Path) -> Portal:
    try:
        portal = Portal(
            name=str(entry["name"]),
            agency=str(entry["agency"]),
            region=str(entry.get("region", "")),
            family=str(entry["family"]),
            hosts=tuple(str(host) for host in entry["hosts"]),  # type: ignore[attr-defined]
            start_urls=tuple(str(url) for url in entry.get("start_urls", ())),  # type: ignore[attr-defined]
            annual_report_areas=tuple(str(a) for a in entry.get("annual_report_areas", ())),  # type: ignore[attr-defined]
            annual_report_index=tuple(str(u) for u in entry.get("annual_report_index", ())),  # type: ignore[attr-defined]
            first_year=int(entry.get("first_year", 2008)),  # type: ignore[call-overload]
            source=str(entry.get("source", "")),
            unverified=str(entry.get("unverified", "")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise RegistryError(f"{source}: bad entry {entry.get('name', entry)!r}: {error}") from error
    known = families.all_families()
    if portal.family not in known:
        raise RegistryError(f"{source}: {portal.name}: unknown family {portal.family!r} (one of {', '.join(known)})")
    if not (portal.start_urls or portal.annual_report_areas or portal.annual_report_index):
        raise RegistryError(f"{source}: {portal.name}: needs start_urls, annual_report_areas or annual_report_index")
    return portal


def select(portals: list[Portal], names: tuple[str, ...] | list[str]) -> list[Portal]:
    """The named portals (all when no name is given); unknown names raise RegistryError."""
    if not names:
        return portals
    by_name = {portal.name: portal for portal in portals}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise RegistryError(f"unknown portal(s): {', '.join(unknown)} (see `nianbao portals`)")
    return [by_name[name] for name in names]


def discover(db: sqlite_utils.Database, portals: list[Portal]) -> list[Proposal]:
    """Hosts named in archived report texts that no registry entry covers yet."""
    known = {host for portal in portals for host in portal.hosts}
    proposals: dict[str, Proposal] = {}
    for text, agency in db.execute("SELECT text, agency FROM documents WHERE text LIKE '%gov.cn%'"):
        for match in _GOV_URL.finditer(text):
            host = match.group(1).lower()
            if host in known:
                continue
            proposal = proposals.setdefault(host, Proposal(host, f"http://{host}{match.group(2) or '/'}"))
            if agency and agency not in proposal.agencies:
                proposal.agencies.append(agency)
    return sorted(proposals.values(), key=lambda proposal: proposal.host)
