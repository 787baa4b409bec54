"""Full-text search over reports: query language, filters, BM25 ranking, highlighted snippets.

Query language (what a user types after ``nianbao search``):

* ``复议 诉讼`` — several terms: reports containing all of them;
* ``"政务公开 平台"`` — a quoted phrase is one term, spaces included;
* ``-微博`` — leave out reports containing 微博 (a lone ``-`` is just a character to find).

Every term is matched as a literal substring of the normalised text (see ``archive.fts``): FTS syntax
typed by a user (``AND``, ``*``, ``NEAR(``, quotes) is searched for, never interpreted.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import sqlite_utils

from archive import fts
from parsers.document import SHORT_TYPES

SNIPPET_BEFORE = 30
SNIPPET_AFTER = 70


class QueryError(ValueError):
    """The query cannot be searched (for instance: it is empty); the message says why."""


@dataclass
class Query:
    include: list[str]
    exclude: list[str]

    def match_expression(self) -> str | None:
        """The FTS5 MATCH expression, or None when the query only excludes."""
        included = [fts.term_expression(term) for term in self.include]
        positive = " AND ".join(expr for expr in included if expr)
        if not positive:
            return None
        if self.exclude:
            return f"({positive}) NOT ({self.exclude_expression()})"
        return positive

    def exclude_expression(self) -> str:
        return " OR ".join(expr for term in self.exclude if (expr := fts.term_expression(term)))


_QUERY_PART = re.compile(r'(-?)"([^"]*)"|(\S+)')


def parse_query(text: str) -> Query:
    """Split a user query into included and excluded normalised terms."""
    include: list[str] = []
    exclude: list[str] = []
    for negate, quoted, bare in _QUERY_PART.findall(text):
        if quoted or negate:
            term, negated = quoted, bool(negate)
        elif bare.startswith("-") and len(bare) > 1:
            term, negated = bare[1:], True
        else:
            term, negated = bare, False
        term = fts.normalize(term)
        if term:
            (exclude if negated else include).append(term)
    if not include and not exclude:
        raise QueryError("empty query: give at least one term to search for")
    return Query(include, exclude)


@dataclass
class Filters:
    agency: str | None = None
    year: int | None = None
    province: str | None = None
    city: str | None = None
    format: str | None = None  # report table format: 2021, 2019, legacy
    type: str | None = None  # file type: pdf, html, docx, doc, txt

    def where(self) -> tuple[list[str], list[object]]:
        """SQL conditions on the primary document ``d`` (and the report ``r``), with their parameters."""
        clauses: list[str] = []
        params: list[object] = []
        for column in ("agency", "year", "province", "city", "format"):
            value = getattr(self, column)
            if value is not None:
                clauses.append(f"d.{column} = ?")
                params.append(value)
        if self.type is not None:
            media_types = [media for media, short in SHORT_TYPES.items() if short == self.type]
            clauses.append("EXISTS (SELECT 1 FROM documents f WHERE f.report_id = r.id AND f.media_type = ?)")
            params.append(media_types[0] if media_types else self.type)
        return clauses, params


@dataclass
class Hit:
    report_id: int
    document_id: int
    title: str | None
    agency: str | None
    year: int | None
    province: str | None
    city: str | None
    county: str | None
    format: str | None
    score: float | None
    snippet: str
    highlights: list[tuple[int, int]]
    files: list[dict[str, object]] = field(default_factory=list)


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _matching_sql(query: Query, filters: Filters) -> tuple[str, list[object]]:
    """SELECT r.id, score, d.* for every matching report (unordered)."""
    clauses, params = filters.where()
    expression = query.match_expression()
    if expression is not None:
        source = f"(SELECT rowid AS id, rank FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?) m"
        join = "JOIN reports r ON r.id = m.id"
        params = [expression, *params]
        score = "m.rank"
    else:
        source = "reports r"
        join = ""
        clauses.append(f"r.id NOT IN (SELECT rowid FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?)")
        params.append(query.exclude_expression())
        score = "NULL"
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"""SELECT r.id AS report_id, {score} AS score, d.id AS document_id, d.title, d.agency, d.year,
                     d.province, d.city, d.county, d.format, d.text
              FROM {source} {join} JOIN documents d ON d.id = r.primary_document_id {where}"""
    return sql, params


def matching_report_ids(db: sqlite_utils.Database, query_text: str, filters: Filters | None = None) -> list[int]:
    """Every matching report id, unordered: the exact answer set (used by tests and the benchmark)."""
    query = parse_query(query_text)
    filters = filters or Filters()
    expression = query.match_expression()
    clauses, params = filters.where()
    if expression is not None and not clauses:  # the fast path: the index alone
        sql = f"SELECT rowid FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?"
        return [row[0] for row in db.execute(sql, [expression])]
    sql, params = _matching_sql(query, filters)
    return [row[0] for row in db.execute(f"SELECT report_id FROM ({sql})", params)]


def search(
    db: sqlite_utils.Database,
    query_text: str,
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Matching reports, best first (BM25), each with a highlighted snippet and its files."""
    query = parse_query(query_text)
    sql, params = _matching_sql(query, filters or Filters())
    total = db.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
    order = "score, report_id DESC" if query.include else "report_id DESC"
    rows = db.execute(f"{sql} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
    hits = []
    for row in rows:
        (report_id, score, document_id, title, agency, year, province, city, county, report_format, text) = row
        snippet, highlights = make_snippet(text, query.include)
        hits.append(
            Hit(
                report_id=report_id,
                document_id=document_id,
                title=title,
                agency=agency,
                year=year,
                province=province,
                city=city,
                county=county,
                format=report_format,
                score=None if score is None else -score,
                snippet=snippet,
                highlights=highlights,
                files=report_files(db, report_id),
            )
        )
    return SearchResult(query=query_text, total=total, hits=hits)


def report_files(db: sqlite_utils.Database, report_id: int) -> list[dict[str, object]]:
    """The files of one report, each with the URLs it was seen at."""
    files = []
    for document_id, media_type, sha256, size in db.execute(
        "SELECT id, media_type, sha256, size FROM documents WHERE report_id = ? ORDER BY id", [report_id]
    ).fetchall():
        urls = [
            row[0]
            for row in db.execute("SELECT DISTINCT url FROM sightings WHERE document_id = ? ORDER BY id", [document_id])
        ]
        files.append(
            {
                "document_id": document_id,
                "type": SHORT_TYPES.get(media_type, media_type),
                "sha256": sha256,
                "size": size,
                "urls": urls,
            }
        )
    return files


def make_snippet(text: str, terms: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """A short passage of ``text`` around the first match, and the (start, end) of every match in it.

    Matching is done on the normalised text; the passage shown is the original text, white space folded."""
    normalized, offsets = fts.normalize_with_offsets(text)
    if not normalized:
        return "", []
    first = min((found for term in terms if (found := normalized.find(term)) >= 0), default=0)
    start = max(0, first - SNIPPET_BEFORE)
    end = min(len(normalized), first + SNIPPET_AFTER)
    marked = [False] * (end - start)
    for term in terms:
        position = normalized.find(term, start)
        while 0 <= position < end:
            for index in range(position, min(position + len(term), end)):
                marked[index - start] = True
            position = normalized.find(term, position + 1)
    # Rebuild from the source characters, keeping the highlight runs.
    pieces: list[str] = []
    highlights: list[tuple[int, int]] = []
    length = 0
    run_start: int | None = None
    previous_source = -1
    for index in range(start, end):
        source_index = offsets[index]
        if source_index == previous_source:
            continue
        previous_source = source_index
        char = text[source_index]
        char = " " if char.isspace() else char
        is_marked = marked[index - start]
        if is_marked and run_start is None:
            run_start = length
        elif not is_marked and run_start is not None:
            highlights.append((run_start, length))
            run_start = None
        pieces.append(char)
        length += 1
    if run_start is not None:
        highlights.append((run_start, length))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(normalized) else ""
    shift = len(prefix)
    return prefix + "".join(pieces) + suffix, [(a + shift, b + shift) for a, b in highlights]
