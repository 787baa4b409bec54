"""The portal crawler: registry → CMS-family spider → items → pipeline → the write path (see crawler/spider.py).

Holds the registry (``registry``, ``portals.toml``), the families (``families/``), the Scrapy spider,
settings and middlewares, the pipeline and its writer processes, the distributed roles on Redis
(``redis_*``), WARC, alerts, and its own tables (``store``) with their own migration set (``schema``).

May import: ``intake``, ``archive``, ``parsers``, ``common``; never ``web``, ``cli``, the ``replica`` (a kit
the command line starts) nor ``testkit`` (import-linter's contracts, pyproject.toml).
"""
