"""The reports a ``?_search=`` text matches, computed once for all the statements of a page.

A table page runs its rows, its count and each facet as separate statements, on up to three connections
(Datasette's SQL threads); with the search as a subquery, each of them ran the full-text search again:
at 100,000 reports ``?_search=政务公开`` ran it ten times (2.7 s, issue 14). Here the match set is a JSON
array of ids from ``nianbao_search_ids(text)``, an SQL function every served connection has
(``plugin.prepare_connection``), answered from a cache shared by those connections.

The cache is kept while the archive is unchanged: ``PRAGMA data_version`` on the cache's own read-only
connection changes whenever another connection commits (https://sqlite.org/pragma.html#pragma_data_version),
so a report a running crawl adds is found by the next page. Each statement still reads its own snapshot of
``browse``; the ids are those of the latest committed index (a report deleted meanwhile matches no row).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from datasette.utils.sqlite import sqlite3

from archive.search import QueryError, QueryTooLong, parse_query

#: The SQL function giving a search text's matching report ids as a JSON array (``SearchMatches.ids_json``).
FUNCTION = "nianbao_search_ids"
#: The most JSON the cache keeps (the least recently used answers go first): 100,000 ids are ~700 KB.
MAX_CACHE_BYTES = 32 * 1024 * 1024


class SearchMatches:
    """The match sets of one archive, one at a time (a lock: three threads asking for a new text at once
    search once), each kept until the archive changes or MAX_CACHE_BYTES pushes it out."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._version: int | None = None
        self._answers: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0

    def ids_json(self, text: Any) -> str:
        """``nianbao_search_ids(text)``: the ids of every report matching ``text`` as ``archive.search``
        reads it, as a JSON array; ``[]`` for a text with nothing to search (no terms). A text over
        ``archive.search.MAX_QUERY_CHARS`` raises QueryTooLong (asgi_wrapper refuses it first, over HTTP)."""
        text = "" if text is None else str(text)
        try:
            query = parse_query(text)
        except QueryTooLong:
            raise
        except QueryError:
            return "[]"
        with self._lock:
            connection = self._open()
            version = connection.execute("PRAGMA data_version").fetchone()[0]
            if version != self._version:
                self._answers.clear()
                self._bytes = 0
                self._version = version
            answer = self._answers.get(text)
            if answer is None:
                sql, params = query.ids_sql()
                answer = connection.execute(f"SELECT json_group_array(id) FROM ({sql})", params).fetchone()[0]
                self._keep(text, answer)
            else:
                self._answers.move_to_end(text)
            return answer

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            uri = f"{self._path.resolve().as_uri()}?mode=ro"
            self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
            self._connection.execute("PRAGMA query_only = 1")
        return self._connection

    def _keep(self, text: str, answer: str) -> None:
        self._answers[text] = answer
        self._bytes += len(answer)
        while self._bytes > MAX_CACHE_BYTES and len(self._answers) > 1:
            _, dropped = self._answers.popitem(last=False)
            self._bytes -= len(dropped)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
