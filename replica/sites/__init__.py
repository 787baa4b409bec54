"""The registry's portals as the replica serves them, one module per portal (each with
``build(site, state)``), every page in the markup of a real page of its family (each module's docstring
and tests/families/<family>/README.md say where that markup was seen): the seed reports and the real 淮安
2024 PDF where their real portals keep them, a generated report on each other family's portal, and what
real portals do around them.

Where each fault lives (the tests and the demo summary look for them):

====================================  =====================================================================
kjj.liaocheng.gov.cn (shandong)       3-page channel (?page=N); non-report items; robots.txt disallows
                                      /bak/ (a report copy there); a 404 report link; HTML + PDF. State 2
                                      replaces the HTML report at the same URL with a corrected version.
www.boshan.gov.cn (shandong)          GBK pages; district channel + the 科学技术局 sub-site; HTML + DOCX + PDF.
www.qufu.gov.cn (hanweb)              col15191, its list only behind dataproxy.jsp (48 records, 2 batches),
                                      which answers 500 every other request; article + DOCX (downfile.jsp).
www.yancheng.gov.cn (hanweb)          first 45 records embedded as <datastore>; the report in batch 46–90.
www.weihai.gov.cn (hanweb module)     xxgkAnnualReport.jsp per unit and year: 科学技术局 2023 (HTML + PDF +
                                      DOCX), its 2022 page HTTP 412 with a challenge script; 统计局 2023; the
                                      city's own report in col168496; a page linking the units' codes.
www.zhoukou.gov.cn (sitesources)      年报 tree → year → group; a wrapper page ("详见附件") with DOC and PDF;
                                      a 200 page that is only a challenge; a page slower than the timeout;
                                      off-site mirror and gov.cn gateway links.
www.huaian.gov.cn (huaian)            nsetpage list; wrapper page with the real PDF and a 300 MB attachment.
www.km.gov.cn, www.fuqing.gov.cn      TRS: year folders, a folder that is the report, createPageHTML pages;
                                      福清's 动静结合 list declares 20 items and serves 10 (partial).
www.gz.gov.cn, www.gd.gov.cn          Guangdong: year folders with index_N pages; gkmlpt JSON API.
ht.sanya.gov.cn (ucap)                list.shtml → list_2.shtml.
zhada.gov.cn (vsb)                    countdown pager; DOCX behind download.jsp; a redirect loop.
www.qj.gov.cn, www.baishui.gov.cn,    yunnan / shaanxi / public / beijing: one report each behind their
www.bengbu.gov.cn, www.bjdx.gov.cn    list pagers and APIs.
public.jinshui.gov.cn (generic)       a .jhtml channel of no known family: the report found by its title.
====================================  =====================================================================
"""

from __future__ import annotations

import importlib
import pkgutil

from replica.model import Site

#: Modules of this package that are not sites.
_NOT_SITES = {"common"}


def build(state: int = 1) -> Site:
    """The replica of every portal in ``state`` (1: as first crawled; 2: a report replaced)."""
    site = Site(last_modified="Mon, 20 Jan 2025 08:00:00 GMT" if state < 2 else "Fri, 10 Feb 2025 08:00:00 GMT")
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name not in _NOT_SITES:
            importlib.import_module(f"{__name__}.{module_info.name}").build(site, state)
    return site
