"""The fallback: a portal of no known family. Follows article links of any family's shape, or titled as
a report, and the report-column vocabulary of portals.md §1 (``zfxxgknb``, ``2020n``, 年报…)."""

from __future__ import annotations

from crawler.families import all_families
from crawler.families.base import Family


class Generic(Family):
    name = "generic"
    label = "any portal: article links of a known shape or titled as a report"
    source = "portals.md §1 (column vocabulary and URL shapes of 93 real report pages)"

    def is_article(self, url: str) -> bool:
        return any(family.is_article(url) for family in all_families().values() if family is not self)


FAMILY = Generic()
