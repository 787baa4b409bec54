"""The fallback: a portal of no known family. Follows article links of any family's shape, or titled as
a report (years in Arabic or Chinese numerals: 二〇二三年), the report-column vocabulary of portals.md §1
(``zfxxgknb``, ``2020n``, ``bm/``, 年报, 市直部门…) and pager links on the portal's own host.

What it cannot read is said, not hidden: a listing where nothing matched (the site's markup changed, or
this is no listing) and a pager that points to another host are each a problem of the column."""

from __future__ import annotations

from collections.abc import Mapping

from crawler.families import all_families
from crawler.families.base import Family, Listing, read_html_listing

NOTHING_MATCHED = "nothing matched: no article link of a known shape, no report title, no report column or pager"


class Generic(Family):
    name = "generic"
    label = "any portal: article links of a known shape or titled as a report"
    source = "portals.md §1 (column vocabulary and URL shapes of 93 real report pages)"

    def is_article(self, url: str) -> bool:
        return any(family.is_article(url) for family in all_families().values() if family is not self)

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        listing = read_html_listing(text, url, self.is_article)
        if not listing.items and not listing.follow:
            listing.problems.append(NOTHING_MATCHED)
        return listing


FAMILY = Generic()
