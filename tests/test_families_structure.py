"""Structural checks over every CMS family and every registry row (querido-diario style): each family
says what it reads and where its shapes were seen, has saved fixtures with their sources and a test file
reading them; each registry row names a known family, its sources, and start URLs on its own hosts."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

from crawler import families, registry
from crawler.families import Family

TESTS = Path(__file__).parent
#: Family modules (a module may hold a family, like trs.py, or a part of one, like hanweb_annual.py).
MODULES = [m.name for m in pkgutil.iter_modules(families.__path__) if m.name != "base"]


@pytest.mark.parametrize("module", MODULES)
def test_every_family_module_has_fixtures_with_sources_and_a_test(module: str) -> None:
    fixtures = TESTS / "families" / module
    readme = (fixtures / "README.md").read_text(encoding="utf-8")
    saved = [path for path in fixtures.iterdir() if path.name != "README.md"]
    assert saved, f"{module}: no saved fixture"
    assert all(f"`{path.name}`" in readme for path in saved), f"{module}: a fixture its README does not describe"
    assert (TESTS / f"test_family_{module}.py").exists()


@pytest.mark.parametrize("family", list(families.all_families().values()), ids=lambda family: family.name)
def test_every_family_says_what_it_reads_and_where_it_was_seen(family: Family) -> None:
    assert family.name and family.label and family.source
    module = importlib.import_module(type(family).__module__)
    assert module.__doc__ and module.FAMILY is family


@pytest.mark.parametrize("portal", registry.load(), ids=lambda portal: portal.name)
def test_every_registry_row_is_sourced_and_fenced(portal: registry.Portal) -> None:
    assert portal.family in families.all_families()
    assert portal.source, f"{portal.name}: where were its facts seen?"
    assert all(portal.allows(url) for url in (*portal.start_urls, *portal.annual_report_index))
