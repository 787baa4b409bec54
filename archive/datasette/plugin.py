"""The Datasette hooks that make the archive browsable (registered by ``archive.serve``).

* every connection to the archive is read-only (``PRAGMA query_only``, on top of Datasette's ``mode=ro``),
  so no SQL and no plugin can write to it, and gets ``nianbao_search(q)`` for the ranked search query;
* ``?_search=`` on ``reports`` and ``browse`` selects exactly the reports ``nianbao search`` finds
  (``archive.search.Query.ids_sql``), replacing Datasette's FTS search, which cannot read our indexes;
* ``/-/report/<id>`` (and ``.json``) shows one report; ``/-/file/<document id>`` downloads an archived file;
* cells: report ids and titles link to the report page, 万元 amounts carry their unit, search snippets
  are highlighted and check failures show both sides of the equation — every value escaped;
* bounds (``archive.serve.Limits``, passed as this plugin's config): every connection caps the length of
  a value and of an SQL text; only GET and HEAD are answered; a search text over
  ``archive.search.MAX_QUERY_CHARS`` is a 400 with the reason; an id above SQLite's largest integer is a
  404; a request out of memory or time, or with a number SQLite cannot hold, is a 400 with the reason.
"""

from __future__ import annotations

import ctypes
import functools
import importlib
import json
import os
import sqlite3
from collections.abc import Callable
from typing import Any

import sqlite_utils
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.filters import FilterArguments
from datasette.handle_exception import handle_exception as default_handle_exception
from datasette.utils.asgi import BadRequest, Base400, NotFound, Request, Response
from markupsafe import Markup, escape

from archive.datasette import report_page
from archive.db import MAX_INTEGER
from archive.reports import get_report
from archive.search import QueryError, QueryTooLong, check_length, parse_query, search
from parsers.document import HTML, SHORT_TYPES

NAME = "nianbao"  # the plugin's name, and the key of its config in the metadata
SEARCHABLE_TABLES = ("reports", "browse")
INTERNAL = "_internal"  # Datasette's own database, which Datasette writes to
#: sqlite3_limit() categories (sqlite3.h): the longest string/BLOB/row, the longest SQL text.
LIMIT_CATEGORIES = {"max_value_bytes": 0, "max_sql_bytes": 1}


def _search_json(db: sqlite_utils.Database, limit: int) -> Callable[[str | None], str]:
    """``nianbao_search(q)``: the hits of ``archive.search.search``, best first, as a JSON array."""

    def run(text: str | None) -> str:
        try:
            result = search(db, text or "", limit=limit)
        except QueryTooLong:
            raise  # an SQL error; over HTTP, asgi_wrapper refuses the request first, with the reason
        except QueryError:
            return "[]"
        return json.dumps(
            [
                {"id": hit.report_id, "score": hit.score, "snippet": hit.snippet, "highlights": hit.highlights}
                for hit in result.hits
            ],
            ensure_ascii=False,
        )

    return run


def _set_limit(conn: sqlite3.Connection, category: int, value: int) -> None:
    """``sqlite3_limit(db, category, value)`` on the connection Datasette opened.

    Python's own sqlite3 has ``Connection.setlimit``; pysqlite3 (the newer SQLite this project uses, which
    Datasette picks) lacks it, so its library is called directly, with the ``sqlite3 *`` its connection
    object holds right after the object header (CPython's ``pysqlite_Connection``). The handle is checked
    before the limit is set: SQLite must name it with the connection's own file."""
    if hasattr(conn, "setlimit"):
        conn.setlimit(category, value)
        return
    library = _sqlite_library(type(conn).__module__.partition(".")[0])
    handle = ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value
    expected = conn.execute("SELECT file FROM pragma_database_list WHERE name = 'main'").fetchone()[0]
    if handle is None or library.sqlite3_db_filename(handle, b"main") != os.fsencode(expected):
        raise RuntimeError("cannot set SQLite limits: unexpected connection layout")
    library.sqlite3_limit(handle, category, value)


@functools.cache
def _sqlite_library(package: str) -> ctypes.CDLL:
    """The SQLite library inside ``package`` (pysqlite3), already loaded by its ``_sqlite3`` module."""
    library = ctypes.CDLL(importlib.import_module(f"{package}._sqlite3").__file__)
    library.sqlite3_db_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    library.sqlite3_db_filename.restype = ctypes.c_char_p
    library.sqlite3_limit.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    library.sqlite3_limit.restype = ctypes.c_int
    return library


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    if database == INTERNAL:
        return
    conn.execute("PRAGMA query_only = 1")
    for name, value in (datasette.plugin_config(NAME) or {}).items():
        if name in LIMIT_CATEGORIES:
            _set_limit(conn, LIMIT_CATEGORIES[name], value)
    search_function = _search_json(sqlite_utils.Database(conn), datasette.setting("max_returned_rows"))
    conn.create_function("nianbao_search", 1, search_function)


def _named(sql: str, params: list[object]) -> tuple[str, dict[str, object]]:
    """``sql`` with its ``?`` placeholders renamed for Datasette's named parameters."""
    pieces = sql.split("?")
    names = [f"nianbao_search_{index}" for index in range(len(params))]
    named = pieces[0] + "".join(f":{name}{piece}" for name, piece in zip(names, pieces[1:], strict=True))
    return named, dict(zip(names, params, strict=True))


@hookimpl(trylast=True)  # after Datasette's own search filter, so that our supports_search wins
def filters_from_request(request: Request, database: str, table: str, datasette: Any) -> FilterArguments | None:
    if table not in SEARCHABLE_TABLES or database == INTERNAL:
        return None
    context: dict[str, Any] = {"supports_search": True}
    text = request.args.get("_search", "")
    try:
        query = parse_query(text)
    except QueryTooLong as error:
        raise BadRequest(str(error)) from error
    except QueryError:  # no search (or only white space): every row
        return FilterArguments([], extra_context=context)
    sql, params = _named(*query.ids_sql())
    return FilterArguments([f"id IN ({sql})"], params, [f"search matches {text!r}"], {**context, "search": text})


def _report_link(datasette: Any, report_id: object, text: object) -> Markup:
    href = datasette.urls.path(f"/-/report/{report_id}")
    return Markup(f'<a href="{escape(href)}">{escape(text)}</a>')


def _highlighted(snippet: str, spans: list[list[int]]) -> Markup:
    out, last = [], 0
    for start, end in spans:
        out += [escape(snippet[last:start]), Markup("<mark>"), escape(snippet[start:end]), Markup("</mark>")]
        last = end
    out.append(escape(snippet[last:]))
    return Markup("").join(out)


def _failures(value: str) -> Markup | None:
    try:
        failures = json.loads(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(failures, list):
        return None
    lines = [
        Markup("<strong>{}</strong>: {} ≠ {}").format(f.get("where"), f.get("left"), f.get("right"))
        for f in failures
        if isinstance(f, dict)
    ]
    return Markup("<br>").join(lines)


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if value is None:
        return None
    columns = row.keys()
    if column == "report_id" or (table == "browse" and column == "id"):
        return _report_link(datasette, value, value)
    if column == "title" and ("report_id" in columns or table == "browse"):
        return _report_link(datasette, row["report_id"] if "report_id" in columns else row["id"], value)
    if column == "fees_10k_yuan":
        return f"{value} 万元"
    if column == "snippet" and "highlights" in columns:
        return _highlighted(str(value), json.loads(row["highlights"] or "[]"))
    if column == "failures" and table is None:
        return _failures(value)
    return None


def _row_id(request: Request, what: str) -> int:
    """The id in the URL (digits only, by the route); one larger than any SQLite id is a 404 like a missing one."""
    text = request.url_vars["id"]
    if len(text) > len(str(MAX_INTEGER)) or int(text) > MAX_INTEGER:
        raise NotFound(f"no {what}: id out of range (at most {MAX_INTEGER})")
    return int(text)


async def _load_report(datasette: Any, request: Request) -> dict[str, Any]:
    report_id = _row_id(request, "report")
    database = datasette.get_database()
    report = await database.execute_fn(lambda conn: get_report(sqlite_utils.Database(conn), report_id))
    if report is None:
        raise NotFound(f"no report {report_id}")
    return dict(report)


async def report_html(datasette: Any, request: Request) -> Response:
    report = await _load_report(datasette, request)
    page = report_page.context(report)
    database = datasette.get_database().name
    html = await datasette.render_template("nianbao_report.html", {**page, "database": database}, request=request)
    return Response.html(html)


async def report_json(datasette: Any, request: Request) -> Response:
    return Response.json(await _load_report(datasette, request), default=str)


def _download_headers(filename: str) -> dict[str, str]:
    """Always a download, never a page: stored HTML must not run in the browser."""
    return {
        "content-disposition": f'attachment; filename="{filename}"',
        "x-content-type-options": "nosniff",
        "content-security-policy": "sandbox",
    }


async def file_download(datasette: Any, request: Request) -> Response:
    document_id = _row_id(request, "document")
    row = (
        await datasette.get_database().execute(
            """SELECT d.media_type, d.report_id, b.data FROM documents d JOIN blobs b ON b.sha256 = d.sha256
               WHERE d.id = ?""",
            [document_id],
        )
    ).first()
    if row is None:
        raise NotFound(f"no document {document_id}")
    media_type, report_id, data = row
    filename = f"report-{report_id}-document-{document_id}.{SHORT_TYPES.get(media_type, 'bin')}"
    content_type = "application/octet-stream" if media_type == HTML else media_type
    return Response(bytes(data), headers=_download_headers(filename), content_type=content_type)


@hookimpl
def register_routes() -> list[tuple[str, Callable[..., Any]]]:
    return [
        (r"^/-/report/(?P<id>[0-9]+)\.json$", report_json),
        (r"^/-/report/(?P<id>[0-9]+)$", report_html),
        (r"^/-/file/(?P<id>[0-9]+)$", file_download),
    ]


#: What a bound hit is answered, in place of Datasette's 500: the client's request went too far.
BOUND_HIT = {
    MemoryError: "the query needs more memory than nianbao serve allows (NIANBAO_SERVE_MEMORY_MB)",
    QueryInterrupted: "SQL query took too long (NIANBAO_SERVE_TIME_LIMIT_MS)",
    OverflowError: f"a number in the request is out of SQLite's range (at most {MAX_INTEGER})",  # ?id__gt=1e20
}


@hookimpl
def handle_exception(datasette: Any, request: Request, exception: Exception) -> Any:
    """A query over the memory (SQLite's heap limit, the process's data limit) or the time limit where
    Datasette does not catch it (the report and file pages, rendering), or with a number SQLite cannot
    hold (Datasette's filters pass ``?id__gt=`` on as an int), is a 400 with the reason."""
    reason = next((text for kind, text in BOUND_HIT.items() if isinstance(exception, kind)), None)
    return None if reason is None else default_handle_exception(datasette, request, BadRequest(reason))


#: Query-string parameters holding a search text: ``?_search=`` on tables, ``?q=`` of the ``search`` query.
SEARCH_PARAMETERS = ("_search", "q")
#: A read-only server answers reads only: POST is Datasette's way to write, log out or set messages (and
#: POST to a read-only canned query is a 500 in Datasette 0.65); a request body is never read.
READ_METHODS = ("GET", "HEAD")


class MethodNotAllowed(Base400):
    status = 405


def _refusal(request: Request) -> Base400 | None:
    """Why ``request`` is refused before Datasette sees it, if it is."""
    if request.method not in READ_METHODS:
        return MethodNotAllowed(f"{request.method} is not allowed: the archive is served read-only (GET only)")
    try:
        for name in SEARCH_PARAMETERS:
            check_length(request.args.get(name, ""))
    except QueryTooLong as error:
        return BadRequest(str(error))
    return None


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    """Refuse writes and search texts over ``MAX_QUERY_CHARS`` before any SQL runs, with the reason
    (inside SQL the search function could only fail with "user-defined function raised exception")."""

    def wrap(app: Any) -> Any:
        async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            refusal = _refusal(Request(scope, receive)) if scope["type"] == "http" else None
            if refusal is None:
                await app(scope, receive, send)
                return
            respond = default_handle_exception(datasette, Request(scope, receive), refusal)
            await (await respond()).asgi_send(send)

        return guarded

    return wrap
