"""The Datasette hooks that make the archive browsable (registered by ``archive.serve``).

* every connection to the archive is read-only (``PRAGMA query_only``, on top of Datasette's ``mode=ro``),
  so no SQL and no plugin can write to it, and gets ``nianbao_search(q)`` for the ranked search query;
* ``?_search=`` on ``reports`` and ``browse`` selects exactly the reports ``nianbao search`` finds
  (``archive.search.Query.ids_sql``), replacing Datasette's FTS search, which cannot read our indexes;
* ``/-/report/<id>`` (and ``.json``) shows one report; ``/-/file/<document id>`` downloads an archived file;
* cells: report ids and titles link to the report page, 万元 amounts carry their unit, search snippets
  are highlighted and check failures show both sides of the equation — every value escaped.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

import sqlite_utils
from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import NotFound, Request, Response
from markupsafe import Markup, escape

from archive.datasette import report_page
from archive.reports import get_report
from archive.search import QueryError, parse_query, search
from parsers.document import HTML, SHORT_TYPES

SEARCHABLE_TABLES = ("reports", "browse")
INTERNAL = "_internal"  # Datasette's own database, which Datasette writes to


def _search_json(db: sqlite_utils.Database, limit: int) -> Callable[[str | None], str]:
    """``nianbao_search(q)``: the hits of ``archive.search.search``, best first, as a JSON array."""

    def run(text: str | None) -> str:
        try:
            result = search(db, text or "", limit=limit)
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


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    if database == INTERNAL:
        return
    conn.execute("PRAGMA query_only = 1")
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


async def _load_report(datasette: Any, request: Request) -> dict[str, Any]:
    report_id = int(request.url_vars["id"])
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
    document_id = int(request.url_vars["id"])
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
        (r"^/-/report/(?P<id>\d+)\.json$", report_json),
        (r"^/-/report/(?P<id>\d+)$", report_html),
        (r"^/-/file/(?P<id>\d+)$", file_download),
    ]
