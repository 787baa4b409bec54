"""Browsing the archive in Datasette: ``nianbao serve`` (``archive.serve``) loads this package.

* ``plugin`` — the Datasette hooks: read-only connections, Chinese search for ``?_search=``, the report
  page and file download routes, cell rendering (links, 万元, highlighted snippets);
* ``metadata`` — titles and descriptions in Chinese and English, facets, units, canned queries;
* ``report_page`` — one report as the tables it prints (rows and columns labelled as in the report);
* ``templates/`` — the report page.
"""
