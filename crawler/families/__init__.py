"""The CMS families: one module each, found here by name (``family = "trs"`` in the registry).

Every module of this package that defines ``FAMILY`` (a ``base.Family``) is a family; adding one is
adding a module, nothing else (querido-diario's platform base spiders, as data-driven readers). The
``generic`` family is the fallback: article links of any known shape, or titled as a report.

May import: ``crawler.pages`` (the shared page rules), ``parsers`` (pure readers). Never the spider.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from crawler import pages
from crawler.families.base import Evidence, Family, Follow, Listing

__all__ = ["Evidence", "Family", "Follow", "Listing", "all_families", "detect", "get"]
#: Modules of this package that are not families.
_NOT_FAMILIES = {"base"}


@cache
def all_families() -> dict[str, Family]:
    """Every family by name, in module order, ``generic`` last."""
    found: dict[str, Family] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: (m.name == "generic", m.name)):
        if module_info.name in _NOT_FAMILIES or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        family = getattr(module, "FAMILY", None)
        if isinstance(family, Family):
            found[family.name] = family
    return found


def get(name: str) -> Family:
    """The family called ``name``; KeyError names the known ones."""
    families = all_families()
    if name not in families:
        raise KeyError(f"unknown family {name!r} (one of {', '.join(families)})")
    return families[name]


def detect(html: str, url: str) -> list[Evidence]:
    """The families a page shows the fingerprints of, best first (``generic`` when none does): its own
    markers (scripts, classes, URL shape), and the links it holds in each family's article shape."""
    links = [link.url for link in pages.links(pages.parse(html), url)]
    found: list[Evidence] = []
    for family in all_families().values():
        if family.name == "generic":
            continue
        clues = family.clues(html, url)
        shaped = sum(1 for link in links if family.is_article(link))
        if shaped:
            clues.append(f"{shaped} link(s) in its article shape")
        if clues:
            found.append(Evidence(family.name, tuple(clues)))
    found.sort(key=lambda evidence: -evidence.score)
    return found or [Evidence("generic", ("no family's fingerprint on the page",))]
