"""The store: one SQLite file, its schema and migrations (``db``, ``fts``), and everything that reads it
back — search (``search``), records and reports (``records``, ``reports``), agency aliases, exports.

May import: ``parsers`` (the record's types, ``merge``) and ``common``. It runs no parser and writes no
document: the write path (``intake``) does (import-linter's layers contract, pyproject.toml).
"""
