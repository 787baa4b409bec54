"""The registry's portals as the replica serves them, one module per portal (each with
``build(site, state)``): the five seed reports and the real 淮安 2024 PDF,
in their portals' CMS families, with what real portals do around them.

Where each fault lives (the tests and the demo summary look for them):

===========================  ==============================================================================
kjj.liaocheng.gov.cn (TRS)   3-page list built by createPageHTML; non-report items; robots.txt disallows
                             /xxgk/zfxxgknb/bak/ (a report copy there); a 404 report link; HTML + PDF.
                             State 2 replaces the HTML report at the same URL with a corrected version.
www.qufu.gov.cn (Hanweb)     col15191 whose list exists only behind dataproxy.jsp (50 records, 2 batches),
                             which answers 500 every other request; article + DOCX behind downfile.jsp.
www.weihai.gov.cn (Hanweb)   xxgkAnnualReport.jsp per year: 2023 has PDF + DOCX, 2022 answers HTTP 412
                             with a challenge script, the other years have no report.
kjj.weihai.gov.cn (VSB)      2-page list; HTML + the same PDF bytes as www.weihai (one report, two portals);
                             a report link that redirects in a loop.
www.zhoukou.gov.cn (generic) column tree 政府信息公开 → 年报 → 市直部门; a wrapper page ("详见附件") with DOC
                             and PDF; a 200 page that is only a challenge; a page slower than the timeout;
                             off-site mirror and gov.cn gateway links.
www.boshan.gov.cn (generic)  GBK pages; HTML + DOCX + PDF.
www.huaian.gov.cn (Hanweb)   script-built list; wrapper page with the real PDF and an oversized attachment.
===========================  ==============================================================================
"""

from __future__ import annotations

import importlib
import pkgutil

from crawler.replica.model import Site

#: Modules of this package that are not sites.
_NOT_SITES = {"common"}


def build(state: int = 1) -> Site:
    """The replica of every portal in ``state`` (1: as first crawled; 2: a report replaced)."""
    site = Site(last_modified="Mon, 20 Jan 2025 08:00:00 GMT" if state < 2 else "Fri, 10 Feb 2025 08:00:00 GMT")
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name not in _NOT_SITES:
            importlib.import_module(f"{__name__}.{module_info.name}").build(site, state)
    return site
