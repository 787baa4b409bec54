"""The write path: fetched or local bytes → extracted, parsed (under memory and time bounds: ``bounded``) →
written to the archive (``ingest``, in batches), joined to their report (``linking``), records stored and
the report's record rebuilt with its cross-year checks (``records``); ``importer`` is ``nianbao import``'s.

May import: ``archive``, ``parsers``, ``common``; never the crawler, the web UI or the command line
(import-linter's layers contract, pyproject.toml).
"""
