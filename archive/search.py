"""Full-text search over reports: query language, filters, BM25 ranking, highlighted snippets.

Query language (what a user types after ``nianbao search``):

* ``复议 诉讼`` — several terms: reports containing all of them;
* ``"政务公开 平台"`` — a quoted phrase is one term, spaces included;
* ``-微博`` — leave out reports containing 微博 (a lone ``-`` is just a character to find).

Every term is matched as a literal substring of the normalised text (see ``archive.fts``): FTS syntax
typed by a user (``AND``, ``*``, ``NEAR(``, quotes) is searched for, never interpreted.
"""

from __future__ import annotations

import json
import re
import typing
import unicodedata
from dataclasses import asdict, dataclass, field

from archive import fts
from archive.aliases import spellings
from parsers.document import SHORT_TYPES
from parsers.report import RecordStatus

if typing.TYPE_CHECKING:  # importing sqlite_utils takes seconds: `nianbao --help` reads STATUSES from here
    import sqlite_utils

#: Above this many matches, results are listed newest first rather than scored (see ``search``).
RANK_LIMIT = 10_000
SNIPPET_BEFORE = 30
SNIPPET_AFTER = 70
#: The longest query searched, in characters. Parsing, matching and highlighting grow faster than the
#: query (100,000 characters took 2 s, 20 MB a minute of CPU, holding the GIL of `nianbao serve`), while
#: a real query is a few words or one quoted sentence: a longer one is refused with QueryTooLong.
MAX_QUERY_CHARS = 1000
#: A report's status as the browse table shows it (``check_status``): its record's word, or ``unparsed``
#: (no file of it parsed yet).
STATUSES = (*typing.get_args(RecordStatus), "unparsed")


class QueryError(ValueError):
    """The query cannot be searched (for instance: it is empty); the message says why."""


class QueryTooLong(QueryError):
    """The query is longer than MAX_QUERY_CHARS: refused before any work is done."""


@dataclass
class Query:
    """Normalised terms: reports containing every ``include`` and no ``exclude`` (no term: every report)."""

    include: list[str]
    exclude: list[str]

    def ids_sql(self) -> tuple[str, list[object]]:
        """SQL selecting the ``id`` of every matching report: the included terms' answers intersected,
        the excluded terms' answers taken away. Terms answered by one index share one MATCH."""
        selects: list[str] = []
        params: list[object] = []
        for table, expressions in _by_table(self.include).items():
            selects.append(f"SELECT rowid AS id FROM {table} WHERE {table} MATCH ?")
            params.append(" AND ".join(expressions))
        sql = " INTERSECT ".join(selects) or "SELECT id FROM reports"
        for table, expressions in _by_table(self.exclude).items():
            sql += f" EXCEPT SELECT rowid AS id FROM {table} WHERE {table} MATCH ?"
            params.append(" OR ".join(expressions))
        return sql, params

    def rank_expression(self) -> str | None:
        """What BM25 ranks on: the included terms of two characters or more (None: rank by recency)."""
        expressions = [expression for term in self.include if (expression := fts.rank_expression(term))]
        return " AND ".join(expressions) or None


def _by_table(terms: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for term in terms:
        match = fts.term_match(term)
        grouped.setdefault(match.table, []).append(match.expression)
    return grouped


_QUERY_PART = re.compile(r'(-?)"([^"]*)"|(\S+)')


def check_length(text: str) -> None:
    """Raise QueryTooLong for a query over MAX_QUERY_CHARS, before any work is spent on it."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooLong(f"query too long: {len(text):,} characters, at most {MAX_QUERY_CHARS:,} are searched")


def parse_query(text: str) -> Query:
    """Split a user query into included and excluded normalised terms."""
    check_length(text)
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
    """Which reports a search, an export or a count looks at (None: any)."""

    agency: str | None = None  # under any of its names: 聊城市科技局 is 聊城市科学技术局 (archive/aliases.py)
    year: int | None = None
    province: str | None = None
    city: str | None = None
    format: str | None = None  # report table format: 2021, 2019, legacy
    type: str | None = None  # file type: pdf, html, docx, doc, txt
    status: str | None = None  # one of STATUSES: pass, fail, incomplete, not_a_report, unparsed

    def where(self) -> tuple[list[str], list[object]]:
        """SQL conditions on the primary document ``d`` (and the report ``r``), with their parameters.

        The status is the browse table's (one row per report, indexed by status): the report-level
        record's status, kept in step by triggers (archive/db.py)."""
        clauses: list[str] = []
        params: list[object] = []
        if self.agency is not None:
            names = spellings(self.agency)
            clauses.append(f"d.agency IN ({', '.join('?' * len(names))})")
            params += names
        for column in ("year", "province", "city", "format"):
            value = getattr(self, column)
            if value is not None:
                clauses.append(f"d.{column} = ?")
                params.append(value)
        if self.type is not None:
            media_types = [media for media, short in SHORT_TYPES.items() if short == self.type]
            clauses.append("EXISTS (SELECT 1 FROM documents f WHERE f.report_id = r.id AND f.media_type = ?)")
            params.append(media_types[0] if media_types else self.type)
        if self.status is not None:
            clauses.append("r.id IN (SELECT id FROM browse WHERE check_status = ?)")
            params.append(self.status)
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
    order: str  # "bm25" or "newest" (see ``search``)
    hits: list[Hit]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _matching_sql(query: Query, filters: Filters, ranked: bool) -> tuple[str, list[object]]:
    """SELECT id, score of every matching report (unordered; score is None unless ``ranked``).

    Only ids and scores: a page's texts are read for its 20 rows, not for every match before the LIMIT."""
    ids_sql, params = query.ids_sql()
    rank = query.rank_expression() if ranked else None
    if rank is None:
        source = f"(SELECT id, NULL AS rank FROM ({ids_sql})) m"
    elif query.exclude or any(len(term) < 2 for term in query.include):
        table = fts.RANK_TABLE
        # "+rowid": filter the ranked rows by the exact answer; a bare rowid IN (...) would make FTS5 run
        # the whole MATCH once per id.
        source = f"(SELECT rowid AS id, rank FROM {table} WHERE {table} MATCH ? AND +rowid IN ({ids_sql})) m"
        params = [rank, *params]
    else:  # the ranked terms are the whole query: their match is the exact answer
        source = f"(SELECT rowid AS id, rank FROM {fts.RANK_TABLE} WHERE {fts.RANK_TABLE} MATCH ?) m"
        params = [rank]
    clauses, filter_params = filters.where()
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    if not clauses:
        return f"SELECT m.id AS id, m.rank AS score FROM {source}", params
    sql = f"""SELECT r.id AS id, m.rank AS score
              FROM {source} JOIN reports r ON r.id = m.id JOIN documents d ON d.id = r.primary_document_id
              {where}"""
    return sql, [*params, *filter_params]


def _count_sql(query: Query, filters: Filters) -> tuple[str, list[object]]:
    ids_sql, params = query.ids_sql()
    clauses, filter_params = filters.where()
    if not clauses:
        return f"SELECT count(*) FROM ({ids_sql})", params
    return (
        f"""SELECT count(*) FROM ({ids_sql}) m JOIN reports r ON r.id = m.id
            JOIN documents d ON d.id = r.primary_document_id WHERE {" AND ".join(clauses)}""",
        [*params, *filter_params],
    )


def matching_report_ids(db: sqlite_utils.Database, query_text: str | None, filters: Filters | None = None) -> list[int]:
    """Every matching report id, unordered: the exact answer set (what ``nianbao export`` exports, what
    tests and the benchmark check). No query (None or blank): every report the filters keep."""
    query = parse_query(query_text) if query_text is not None and query_text.strip() else Query([], [])
    filters = filters or Filters()
    if not filters.where()[0]:  # the fast path: the indexes alone
        sql, params = query.ids_sql()
    else:
        sql, params = _matching_sql(query, filters, ranked=False)
    # One JSON array instead of a Python tuple per row: twice as fast for 100,000 ids.
    return list(json.loads(db.execute(f"SELECT json_group_array(id) FROM ({sql})", params).fetchone()[0]))


def search(
    db: sqlite_utils.Database,
    query_text: str,
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Matching reports, best first, each with a highlighted snippet and its files.

    Best first is BM25 over the terms of two characters or more. A query of single characters only, or
    one matching more than RANK_LIMIT reports, lists the newest first instead: BM25 needs positions the
    one-character index does not keep, and scoring every one of 100,000 matches takes half a second."""
    query = parse_query(query_text)
    filters = filters or Filters()
    total = db.execute(*_count_sql(query, filters)).fetchone()[0]
    ranked = query.rank_expression() is not None and total <= RANK_LIMIT
    sql, params = _matching_sql(query, filters, ranked)
    order = "score, id DESC" if ranked else "id DESC"
    page = db.execute(f"{sql} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
    hits = []
    for report_id, score in page:
        document_id, title, agency, year, province, city, county, report_format, text = db.execute(
            """SELECT d.id, d.title, d.agency, d.year, d.province, d.city, d.county, d.format, d.text
               FROM reports r JOIN documents d ON d.id = r.primary_document_id WHERE r.id = ?""",
            [report_id],
        ).fetchone()
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
    return SearchResult(query=query_text, total=total, order="bm25" if ranked else "newest", hits=hits)


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


def match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the (normalised) terms stand in ``text``, as (start, end) offsets into ``text`` itself.

    Usually by a pattern over the folded text that lets white space stand between any two characters of a
    term, each candidate kept only if its own normalised form is the term (white space between two Chinese
    characters is layout, any other is not: ``fts.layout_gaps``). A whole-text NFKC fold runs in C; the
    character-by-character mapping (``fts.normalize_with_offsets``) is needed only when folding changes
    the text's length (㈠ → "(一)", … → "..."), when offsets in the folded text no longer match the source."""
    if not terms:
        return []
    folded = unicodedata.normalize("NFKC", text).lower()
    if len(folded) != len(text):
        return _spans_by_offsets(text, terms)
    spans = []
    for term in terms:
        pattern = _spaced_pattern(term)
        spaceless = " " not in term
        match = pattern.search(folded)
        while match is not None:
            start, end = match.span()
            # As long as the term and white-space free: the folded term itself, nothing to check.
            if (spaceless and end - start == len(term)) or fts.normalize(text[start:end]) == term:
                spans.append((start, end))
            match = pattern.search(folded, start + 1)  # overlapping: a rejected candidate may hide a match
    return sorted(spans)


def _spaced_pattern(term: str) -> re.Pattern[str]:
    """``term`` with any white space allowed between two of its characters, a space standing for a run."""
    pieces = []
    for index, char in enumerate(term):
        if char == " ":
            pieces.append(r"\s+")
            continue
        if index and term[index - 1] != " ":
            pieces.append(r"\s*")
        pieces.append(re.escape(char))
    return re.compile("".join(pieces))


def _spans_by_offsets(text: str, terms: list[str]) -> list[tuple[int, int]]:
    normalized, offsets = fts.normalize_with_offsets(text)
    spans = []
    for term in terms:
        position = normalized.find(term)
        while position >= 0:
            spans.append((offsets[position], offsets[position + len(term) - 1] + 1))
            position = normalized.find(term, position + 1)
    return sorted(spans)


def make_snippet(text: str, terms: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """A short passage of ``text`` around the first match, and the (start, end) of every match in it.

    The passage is the original text with white space folded; matching is on the normalised form."""
    spans = match_spans(text, terms)
    first = spans[0][0] if spans else 0
    start = max(0, first - SNIPPET_BEFORE)
    end = min(len(text), first + SNIPPET_AFTER)
    marked = [False] * (end - start)
    for span_start, span_end in spans:
        for index in range(max(span_start, start), min(span_end, end)):
            marked[index - start] = True
    pieces: list[str] = []
    highlights: list[tuple[int, int]] = []
    run_start: int | None = None
    for index in range(start, end):
        char = text[index]
        if char.isspace():
            if not pieces or pieces[-1] == " ":
                continue
            char = " "
        is_marked = marked[index - start]
        if is_marked and run_start is None:
            run_start = len(pieces)
        elif not is_marked and run_start is not None:
            highlights.append((run_start, len(pieces)))
            run_start = None
        pieces.append(char)
    if run_start is not None:
        highlights.append((run_start, len(pieces)))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix)
    return prefix + "".join(pieces).rstrip() + suffix, [(a + shift, b + shift) for a, b in highlights]
