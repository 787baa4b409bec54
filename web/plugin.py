"""The Datasette hooks that make the archive browsable (registered by ``web.serve``).

* every connection to the archive is read-only (``PRAGMA query_only``, on top of Datasette's ``mode=ro``),
  so no SQL and no plugin can write to it, and gets ``nianbao_search(q)`` for the ranked search query,
  ``nianbao_spellings(name)`` and ``nianbao_body_key(agency, province, city, county)`` for agency aliases
  (archive/aliases.py; each report's body is kept in ``report_bodies``);
* ``?_search=`` on ``reports`` and ``browse`` selects exactly the reports ``nianbao search`` finds,
  replacing Datasette's FTS search, which cannot read our indexes: the match set is computed once per page
  and archive state (``matches.SearchMatches``, the SQL function ``nianbao_search_ids``), not once per
  statement; ``?_agency=`` on ``browse`` selects one body under all its names (a ``Body.key`` or any name),
  and the agency facet (``facets.AgencyFacet``) counts reports by body, not by the text each title prints;
  ``?_check=NAME`` selects the reports failing a check, which the failed-checks facet counts
  (``facets.FailedChecksFacet``; Datasette's array facet and ``__arraycontains`` URLs are answered by these);
* a later page of a table (``?_next=``) is answered without facets (``_rewritten``);
* ``/-/report/<id>`` (and ``.json``) shows one report; ``/-/file/<document id>`` downloads an archived file;
  ``/-/compare`` (and ``.json``) one agency across years (web/compare.py);
* cells: report ids and titles link to the report page, 万元 amounts carry their unit, numbers are shown
  in plain decimals with thousands separators (formatting.py), search snippets are highlighted and check
  failures show both sides of the equation — every value escaped; browse rows show one id, the report's
  (not Datasette's rowid link to a row page as well);
* ``.csv?_bom=1`` starts the CSV with a UTF-8 byte order mark, so that Excel reads Chinese as UTF-8 (Datasette
  0.65 has no such option); every CSV link gets a "CSV for Excel" link beside it;
* the charts' config (datasette-dashboards) is this plugin's metadata (``get_metadata``);
* bounds (``web.serve.Limits``, passed as this plugin's config): every connection caps the length of
  a value and of an SQL text, and its page cache (no memory-mapped I/O); only GET and HEAD are answered; a
  search text over ``archive.search.MAX_QUERY_CHARS`` is a 400 with the reason; an id above SQLite's
  largest integer is a 404; a request out of memory or time, or with a number SQLite cannot hold, is a 400
  with the reason.
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import importlib
import json
import os
import re
import sqlite3
import threading
import urllib.parse
import weakref
from collections.abc import Callable
from typing import Any

import sqlite_utils
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.handle_exception import handle_exception as default_handle_exception
from datasette.utils.asgi import BadRequest, Base400, NotFound, Request, Response
from markupsafe import Markup, escape

from archive.aliases import BODY_FUNCTION, KEY_SEPARATOR, Body, body_key, spellings
from archive.db import MAX_INTEGER
from archive.reports import get_report
from archive.search import QueryError, QueryTooLong, check_length, parse_query, search
from parsers.document import HTML, SHORT_TYPES
from web import compare, facets, formatting, matches, metadata, report_page

NAME = "nianbao"  # the plugin's name, and the key of its config in the metadata
SEARCHABLE_TABLES = ("reports", "browse")
INTERNAL = "_internal"  # Datasette's own database, which Datasette writes to
DASHBOARDS = "datasette-dashboards"  # the chart plugin: its key in the metadata's plugins
#: sqlite3_limit() categories (sqlite3.h): the longest string/BLOB/row, the longest SQL text.
LIMIT_CATEGORIES = {"max_value_bytes": 0, "max_sql_bytes": 1}


def _search_json(db: sqlite_utils.Database, limit: int) -> Callable[[str | None], str]:
    """``nianbao_search(q)``: the first ``limit`` hits of ``archive.search.search`` (one page: Datasette's
    page size), best first, as a JSON array. A canned query has no next page, and a thousand hits' snippets
    and rows cost 400 ms of CPU at 100,000 reports; browse's search box lists every match, page by page."""

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
    config = datasette.plugin_config(NAME) or {}
    for name, value in config.items():
        if name in LIMIT_CATEGORIES:
            _set_limit(conn, LIMIT_CATEGORIES[name], value)
    _set_memory(conn, config)
    search_function = _search_json(sqlite_utils.Database(conn), datasette.setting("default_page_size"))
    conn.create_function("nianbao_search", 1, search_function)
    served = datasette.databases.get(database)  # not there: "_memory", which /-/versions.json opens itself
    path = None if served is None else served.path
    if path is not None:
        conn.create_function(matches.FUNCTION, 1, _search_matches(datasette, database, path).ids_json)
    conn.create_function("nianbao_spellings", 1, _spellings_json, deterministic=True)
    conn.create_function(BODY_FUNCTION, 4, body_key, deterministic=True)


#: Each served archive's search matches (``matches.SearchMatches``), by Datasette instance and database name.
_matches: weakref.WeakKeyDictionary[Any, dict[str, matches.SearchMatches]] = weakref.WeakKeyDictionary()
_matches_lock = threading.Lock()


def _search_matches(datasette: Any, database: str, path: str) -> matches.SearchMatches:
    """The one ``SearchMatches`` of ``database``, shared by all its connections (one per SQL thread)."""
    with _matches_lock:
        served = _matches.setdefault(datasette, {})
        if database not in served:
            served[database] = matches.SearchMatches(path)
        return served[database]


def _set_memory(conn: sqlite3.Connection, config: dict[str, Any]) -> None:
    """SQLite's page cache of the connection (``cache_kb``), and no memory-mapped I/O: a mapped archive's
    pages count in the worker's resident memory, where the page cache is bounded and the OS caches the file
    anyway (https://sqlite.org/pragma.html#pragma_cache_size, #pragma_mmap_size). Temporary B-trees (sorts,
    ``IN`` sets, ``GROUP BY``) are always in memory: the SQLite library here is built with
    ``SQLITE_TEMP_STORE=3``, which ignores ``PRAGMA temp_store`` (https://sqlite.org/compile.html#temp_store);
    the heap limits of ``web.serve`` bound them, and the served queries keep them small."""
    if "cache_kb" in config:
        conn.execute(f"PRAGMA cache_size = -{int(config['cache_kb'])}")
    conn.execute("PRAGMA mmap_size = 0")


def _spellings_json(name: str | None) -> str:
    """``nianbao_spellings(name)``: every name of the agency as a JSON array, for ``IN (SELECT value FROM
    json_each(…))``; a body of several regions is every one of them (the region is another condition)."""
    return json.dumps(spellings(str(name or "")), ensure_ascii=False)


def _named(sql: str, params: list[object], prefix: str = "nianbao_search") -> tuple[str, dict[str, object]]:
    """``sql`` with its ``?`` placeholders renamed for Datasette's named parameters."""
    pieces = sql.split("?")
    names = [f"{prefix}_{index}" for index in range(len(params))]
    named = pieces[0] + "".join(f":{name}{piece}" for name, piece in zip(names, pieces[1:], strict=True))
    return named, dict(zip(names, params, strict=True))


#: A search matching more than this share of the reports tests each row of a facet's index against the
#: matches (``+id IN``: one pass over a covering index, archive/db.py "serving at scale"); a narrower one
#: looks each match up by id (``id IN``), cheaper while matches are few.
SCAN_SHARE = 0.1


@hookimpl(trylast=True)  # after Datasette's own search filter, so that our supports_search wins
async def filters_from_request(request: Request, database: str, table: str, datasette: Any) -> FilterArguments | None:
    if table not in SEARCHABLE_TABLES or database == INTERNAL:
        return None
    context: dict[str, Any] = {"supports_search": True}
    wheres: list[str] = []
    params: dict[str, object] = {}
    described: list[str] = []
    text = request.args.get("_search", "")
    try:
        query = parse_query(text)
    except QueryTooLong as error:
        raise BadRequest(str(error)) from error
    except QueryError:  # no search (or only white space): every row
        query = None
    if query is not None:
        wheres.append(await _search_condition(datasette, database, table, text))
        params["nianbao_search"] = text
        described.append(f"search matches {text!r}")
        context["search"] = text
    agency = request.args.get(metadata.AGENCY_ARGUMENT, "").strip()
    if agency and table == "browse":
        sql, agency_params = _named(*_agency_sql(agency), prefix="nianbao_agency")
        wheres.append(sql)
        params.update(agency_params)
        described.append(f"agency is {agency.split(KEY_SEPARATOR)[-1]!r} under any of its names")
    check = request.args.get(metadata.CHECK_ARGUMENT, "").strip()
    if check and table == "browse":
        wheres.append("+id IN (SELECT id FROM browse WHERE instr(failed_checks, :nianbao_check) > 0)")
        params["nianbao_check"] = json.dumps(check, ensure_ascii=False)  # as json_group_array quotes it
        described.append(f"fails check {check!r}")
    return FilterArguments(wheres, params, described, context)


async def _search_condition(datasette: Any, database: str, table: str, text: str) -> str:
    """The condition keeping the rows whose id matches ``text`` (``matches.FUNCTION``, one search for the
    whole page), its form chosen by how many match (SCAN_SHARE)."""
    answer = await datasette.get_database(database).execute(
        f"SELECT json_array_length({matches.FUNCTION}(:text)), (SELECT count(*) FROM {table})", {"text": text}
    )
    matched, rows = answer.first()
    member = "+id" if matched > SCAN_SHARE * rows else "id"
    return f"{member} IN (SELECT value FROM json_each({matches.FUNCTION}(:nianbao_search)))"


def _agency_sql(agency: str) -> tuple[str, list[object]]:
    """The condition selecting one body: a ``Body.key`` (its names, in its region) or any name (its
    spellings, in any region)."""
    try:
        body = Body.from_key(agency) if KEY_SEPARATOR in agency else None
    except ValueError as error:
        raise BadRequest(str(error)) from error
    if body is None:
        names = spellings(agency)
        return f"agency IN ({', '.join('?' * len(names))})", list(names)
    return "id IN (SELECT id FROM report_bodies WHERE body = ?)", [body.key]


@hookimpl
def register_facet_classes() -> list[type[Facet]]:
    return [facets.AgencyFacet, facets.FailedChecksFacet]


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
    # escape() and an f-string, not Markup.format: a page of 1,000 failed checks formats ~8,000 of these
    lines = [
        f"<strong>{escape(f.get('where'))}</strong>: {escape(f.get('left'))} ≠ {escape(f.get('right'))}"
        for f in failures
        if isinstance(f, dict)
    ]
    return Markup("<br>".join(lines))


def _has_column(row: Any, name: str) -> bool:
    """Whether the row (sqlite3.Row: ``in`` tests its values) has the column ``name``; asked only of the few
    columns that need it (a page's 8,000 cells each listed the row's columns)."""
    columns: list[str] = row.keys()
    return name in columns


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if value is None:
        return None
    if column == "report_id" or (table == "browse" and column == "id"):
        return _report_link(datasette, value, value)
    if column == "title" and (table == "browse" or _has_column(row, "report_id")):
        return _report_link(datasette, row["id"] if table == "browse" else row["report_id"], value)
    if column == "fees_10k_yuan" and isinstance(value, int | float):
        return f"{formatting.decimal(float(value))} 万元"
    if column == "snippet" and _has_column(row, "highlights"):
        return _highlighted(str(value), json.loads(row["highlights"] or "[]"))
    if column == "failures" and table is None:
        return _failures(value)
    if column == "relevance" and table is None and isinstance(value, int):
        return f"{value}%"
    if isinstance(value, int | float):
        return formatting.number(value, column)
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


def _compare_request(conn: sqlite3.Connection, request: Request) -> compare.Comparison | list[compare.Choice]:
    """What ``/-/compare`` answers: the comparison of the body the request names, or the bodies to choose
    from (every body with several years when it names none; each body a name may mean). Arguments:
    ``report=ID`` (that report's body), ``agency=KEY`` (a ``Body.key``) or ``agency=NAME`` (any of its
    names), and ``column=`` (table 三's applicant column, 总计 by default)."""
    db = sqlite_utils.Database(conn)
    column = request.args.get("column") or compare.DEFAULT_COLUMN
    report = request.args.get("report", "").strip()
    agency = request.args.get("agency", "").strip()
    if report:
        if not report.isdigit() or int(report) > MAX_INTEGER:
            raise compare.CompareError(f"report must be a report id (a whole number), not {report!r}")
        return compare.compare(db, compare.body_of_report(db, int(report)), column)
    if not agency:
        return compare.several_years(db)
    if KEY_SEPARATOR in agency:
        return compare.compare(db, Body.from_key(agency), column)
    choices = compare.bodies_named(db, agency)
    if len(choices) == 1:
        return compare.compare(db, choices[0].body, column)
    if not choices:
        raise compare.NotInArchive(f"no report of {agency} (or {' / '.join(spellings(agency))}) in this archive")
    return choices


async def _comparison(datasette: Any, request: Request) -> compare.Comparison | list[compare.Choice]:
    try:
        return await datasette.get_database().execute_fn(lambda conn: _compare_request(conn, request))
    except compare.NotInArchive as error:
        raise NotFound(str(error)) from error
    except ValueError as error:  # CompareError, a malformed agency key: the request's fault
        raise BadRequest(str(error)) from error


def _choice(choice: compare.Choice) -> dict[str, Any]:
    """``dataclasses.asdict(choice)``."""
    body = choice.body
    region = {"province": body.province, "city": body.city, "county": body.county}
    return {"body": {"name": body.name, **region}, "years": list(choice.years)}


#: The bodies the compare page lists (most years first) when none is asked for; the page says how many more
#: there are, and its form finds any of them (``/-/compare.json`` lists them all). 15,000 bodies at 100,000
#: reports made a page of 1.5 MB.
CHOICES_SHOWN = 500


async def compare_html(datasette: Any, request: Request) -> Response:
    answer = await _comparison(datasette, request)
    database = datasette.get_database().name
    context: dict[str, Any] = {
        "database": database,
        "columns": compare.COLUMNS,
        "status_label": compare.status_label,
        "number": formatting.cell,
        "change": formatting.change,
    }
    if isinstance(answer, list):
        shown = answer[:CHOICES_SHOWN]
        context.update(choices=shown, more=len(answer) - len(shown), asked=request.args.get("agency", ""))
    else:
        context.update(comparison=answer, charts=metadata.CHARTS_PATH, agency_argument=metadata.AGENCY_ARGUMENT)
    return Response.html(await datasette.render_template("nianbao_compare.html", context, request=request))


async def compare_json(datasette: Any, request: Request) -> Response:
    answer = await _comparison(datasette, request)
    if isinstance(answer, list):  # by hand: dataclasses.asdict took 300 ms for the 15,000 bodies of 100,000 reports
        return Response.json({"choices": [_choice(choice) for choice in answer]})
    return Response.json(dataclasses.asdict(answer), default=str)


@hookimpl
def register_routes() -> list[tuple[str, Callable[..., Any]]]:
    return [
        (r"^/-/report/(?P<id>[0-9]+)\.json$", report_json),
        (r"^/-/report/(?P<id>[0-9]+)$", report_html),
        (r"^/-/file/(?P<id>[0-9]+)$", file_download),
        (r"^/-/compare\.json$", compare_json),
        (r"^/-/compare$", compare_html),
    ]


@hookimpl
def get_metadata(datasette: Any) -> dict[str, Any]:
    """The charts' config (datasette-dashboards reads its config from the top-level metadata, which
    ``web.serve`` builds with this plugin's limits only): the dashboards of the archive served."""
    served = next((name for name in datasette.databases if name != INTERNAL), None)
    return {} if served is None else {"plugins": {DASHBOARDS: _dashboards(served)}}


@functools.lru_cache(maxsize=8)
def _dashboards(database: str) -> dict[str, Any]:
    """``metadata.dashboards``, built once: Datasette asks every metadata source on each ``plugin_config``
    call, and datasette-render-markdown calls it for every cell of a page (a page of 1,000 rows built the
    charts' config 6,000 times: 290 ms). Shared safely: ``plugin_config`` hands out a copy (Datasette's
    ``resolve_env_secrets`` rebuilds every dict), and the dicts around it here are new on every call."""
    return metadata.dashboards(database)


#: The browse table's HTML rows leave out Datasette's row link and rowid, and the primary document's id:
#: one id per row, the report's, which opens the report page (render_cell).
BROWSE_HIDDEN = ("Link", "rowid", "document_id")


#: Datasette's display columns of a table page, and its rows (each a list of cells).
Columns = list[dict[str, Any]]


def _report_columns_only(columns: Columns, rows: list[Any]) -> tuple[Columns, list[list[dict[str, Any]]]]:
    """Datasette's display columns and rows of browse without ``BROWSE_HIDDEN`` (for nianbao_browse_table.html)."""
    shown = [column for column in columns if column["name"] not in BROWSE_HIDDEN]
    return shown, [[cell for cell in row if cell["column"] not in BROWSE_HIDDEN] for row in rows]


@hookimpl
def extra_template_vars(table: str | None, view_name: str) -> dict[str, Any]:
    """On browse's table page, Datasette's table include is ours (nianbao_browse_table.html)."""
    if view_name == "table" and table == "browse":
        return {"custom_table_templates": ["nianbao_browse_table.html"], "nianbao_report_columns": _report_columns_only}
    return {}


#: Beside each page's CSV link, the same CSV for Excel: every row (streamed), downloaded, with a BOM.
EXCEL_CSV_SCRIPT = """
document.querySelectorAll("p.export-links").forEach(function (p) {
  var csv = Array.prototype.find.call(p.querySelectorAll("a"), function (a) { return a.textContent === "CSV"; });
  if (!csv) return;
  var url = new URL(csv.href, location.href);
  url.searchParams.set("_stream", "on");
  url.searchParams.set("_dl", "1");
  url.searchParams.set("_bom", "1");
  var link = document.createElement("a");
  link.href = url.pathname + url.search;
  link.className = "nianbao-excel-csv";
  link.textContent = "CSV for Excel 供 Excel 打开";
  csv.after(document.createTextNode(", "), link);
});
"""


@hookimpl
def extra_body_script(view_name: str) -> str:
    return EXCEL_CSV_SCRIPT if view_name in ("table", "database") else ""  # canned queries: "table"


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


#: UTF-8's byte order mark: Excel reads a CSV starting with it as UTF-8 (without it, as the system's code page).
BOM = "\ufeff".encode()
BOM_VALUES = ("1", "on", "true")


def _wants_bom(scope: dict[str, Any], receive: Any) -> bool:
    """A CSV asked for with ``_bom=1``."""
    if scope["type"] != "http" or not scope["path"].endswith(".csv"):
        return False
    return Request(scope, receive).args.get("_bom", "").lower() in BOM_VALUES


def _with_bom(send: Any) -> Callable[[dict[str, Any]], Any]:
    """``send`` with the BOM before the first bytes of a successful answer's body (Datasette streams CSV
    without a Content-Length; one that has it grows by the BOM's 3 bytes)."""
    state = {"ok": False, "sent": False}

    async def sending(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            state["ok"] = message["status"] == 200
            if state["ok"]:
                message = {**message, "headers": [_longer(name, value) for name, value in message.get("headers", [])]}
        elif message["type"] == "http.response.body" and state["ok"] and not state["sent"]:
            message = {**message, "body": BOM + message.get("body", b"")}
            state["sent"] = True
        await send(message)

    return sending


def _longer(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    return (name, str(int(value) + len(BOM)).encode()) if name.lower() == b"content-length" else (name, value)


#: Arguments a browse page answers through our faster equivalents (facets.FailedChecksFacet and ``_check``):
#: Datasette's array facet and ``__arraycontains`` filter expand every report's list of failed checks.
BROWSE_FACET_ARGUMENTS = {("_facet_array", "failed_checks"): (f"_facet_{metadata.CHECKS_FACET}", "failed_checks")}
BROWSE_FILTER_ARGUMENTS = {"failed_checks__arraycontains": metadata.CHECK_ARGUMENT}
_BROWSE_PATH = re.compile(r"^/[^/]+/browse(\.[a-z]+)?$")


def _rewritten(scope: dict[str, Any]) -> dict[str, Any]:
    """The request as Datasette answers it fast: a later page (``_next``) without facets, and on browse
    BROWSE_ARGUMENTS replaced. Datasette counts a later page's facets over the rows after its first one (the
    page's position is part of the facets' SQL): neither the table's counts nor the page's, and a full scan
    each (a second page took 1.2 s of CPU at 100,000 reports)."""
    pairs = urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    changed = list(pairs)
    if _BROWSE_PATH.match(scope["path"]):
        changed = [_browse_argument(name, value) for name, value in changed]
    names = {name for name, _ in changed}
    if "_next" in names and "_nofacet" not in names:
        changed.append(("_nofacet", "1"))
    if changed == pairs:
        return scope
    return {**scope, "query_string": urllib.parse.urlencode(changed).encode("latin-1")}


def _browse_argument(name: str, value: str) -> tuple[str, str]:
    if (name, value) in BROWSE_FACET_ARGUMENTS:
        return BROWSE_FACET_ARGUMENTS[name, value]
    return BROWSE_FILTER_ARGUMENTS.get(name, name), value


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    """Refuse writes and search texts over ``MAX_QUERY_CHARS`` before any SQL runs, with the reason
    (inside SQL the search function could only fail with "user-defined function raised exception");
    answer the others as ``_rewritten``."""

    def wrap(app: Any) -> Any:
        async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            refusal = _refusal(Request(scope, receive)) if scope["type"] == "http" else None
            if refusal is None:
                scope = _rewritten(scope) if scope["type"] == "http" else scope
                await app(scope, receive, _with_bom(send) if _wants_bom(scope, receive) else send)
                return
            respond = default_handle_exception(datasette, Request(scope, receive), refusal)
            await (await respond()).asgi_send(send)

        return guarded

    return wrap
