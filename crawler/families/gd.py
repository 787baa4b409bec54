"""Guangdong intensive platform: articles ``…/content/post_<id>.html`` (gz.gov.cn, county sites,
Shenzhen districts; gkmlpt ``/gkmlpt/content/<a>/<b>/post_<id>.html``).

Seen on 9 of 93 real report pages (portals.md §1).
"""

from __future__ import annotations

import re

from crawler.families.base import Family


class Guangdong(Family):
    name = "gd"
    label = "Guangdong intensive platform (content/post_<id>.html)"
    source = "portals.md §1: gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/bm/2024n/content/post_10095458.html"
    article = re.compile(r"/content/(?:\d+/\d+/)?post_\d+\.html$")


FAMILY = Guangdong()
