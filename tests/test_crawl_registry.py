"""The portal registry: the bundled portals, validation of entries, the host fence."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import families, registry
from crawler.registry import RegistryError


def test_bundled_registry_names_the_seed_portals() -> None:
    portals = {portal.name: portal for portal in registry.load()}
    assert {"liaocheng-kjj", "qufu", "weihai", "weihai-kjj", "zhoukou", "boshan", "huaian"} <= set(portals)
    assert "col15191" in portals["qufu"].start_urls[0]
    assert portals["weihai"].annual_report_areas
    assert {portal.family for portal in portals.values()} <= set(families.all_families())


def test_only_the_portal_hosts_are_allowed() -> None:
    qufu = registry.select(registry.load(), ["qufu"])[0]
    assert qufu.allows("http://www.qufu.gov.cn/art/2022/1/20/art_15191_2871234.html")
    assert not qufu.allows("http://www.qufu.gov.cn.mirror.com/art/1.html")
    assert not qufu.allows("http://www.gov.cn/gate/big5/www.qufu.gov.cn/")
    assert not qufu.allows("ftp://www.qufu.gov.cn/")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            'name = "a"\nagency = "x"\nfamily = "joomla"\nstart_urls = ["http://a.gov.cn/"]\nhosts = ["a.gov.cn"]',
            "family",
        ),
        ('name = "a"\nagency = "x"\nfamily = "trs"\nhosts = ["a.gov.cn"]', "start_urls"),
        ('name = "a"\nfamily = "trs"\nstart_urls = ["http://a.gov.cn/"]\nhosts = ["a.gov.cn"]', "agency"),
    ],
)
def test_bad_entries_are_named(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "portals.toml"
    path.write_text(f"[[portal]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        registry.load(path)


def test_unknown_names_are_refused() -> None:
    with pytest.raises(RegistryError, match="nowhere"):
        registry.select(registry.load(), ["qufu", "nowhere"])
