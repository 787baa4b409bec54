"""Browsing the archive in Datasette: ``nianbao serve`` (``web.serve``) loads this package.

* ``plugin`` — the Datasette hooks: read-only connections, Chinese search for ``?_search=``, agency aliases
  (``?_agency=``, the agency facet), the report, compare and file download routes, cell rendering (links,
  万元, numbers, highlighted snippets), CSV for Excel (``_bom=1``), the charts' config;
* ``metadata`` — titles and descriptions in Chinese and English, facets, units, canned queries (their SQL
  hidden), the charts (datasette-dashboards);
* ``report_page`` — one report as the tables it prints (rows and columns labelled as in the report);
* ``compare`` — one agency across years, cell by cell, with the cross-year checks;
* ``formatting`` — numbers as people read them (no ``1.89e-06``);
* ``templates/`` — the report page, the compare page, browse's table (one id per row), the query page's title.

May import: ``intake``, ``archive``, ``parsers``, ``common`` (it only reads: today nothing of ``intake``); never the
crawler or the command line (import-linter's layers contract, pyproject.toml).
"""
