"""VSB/博达: articles ``/info/<column>/<id>.htm``, lists ``/<column>.htm`` paged ``/<column>/N.htm``.

Seen on 4 of 93 real report pages (portals.md §1: zjc.gov.cn/info/12072/1162262.htm,
zhada.gov.cn/info/1144/96851.htm).
"""

from __future__ import annotations

import re

from crawler.families.base import Family


class Vsb(Family):
    name = "vsb"
    label = "VSB 博达 (/info/<column>/<id>.htm)"
    source = "portals.md §1: zjc.gov.cn/info/12072/1162262.htm; zhada.gov.cn/info/1144/96851.htm"
    article = re.compile(r"/info/\d+/\d+\.htm$")
    markers = ((re.compile(r"pb_sys_common|_sitegray|vsb_"), "VSB page classes"),)


FAMILY = Vsb()
