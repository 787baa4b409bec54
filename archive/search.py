"""Full-text search over reports: query language, filters, BM25 ranking, highlighted snippets.

Query language (what a user types after ``nianbao search``):

* ``复议 诉讼`` — several terms: reports containing all of them;
* ``"政务公开 平台"`` — a quoted phrase is one term, spaces included;
* ``-微博`` — leave out reports containing 微博 (a lone ``-`` is just a character to find).

Every term is matched as a literal substring of the normalised text (see ``archive.fts``): FTS syntax
typed by a user (``AND``, ``*``, ``NEAR(``, quotes) is searched for, never interpreted.
"""

from __future__ import annotations

import itertools
import json
import re
import typing
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from archive import fts
from archive.aliases import spellings
from parsers.document import SHORT_TYPES
from parsers.report import RecordStatus

if typing.TYPE_CHECKING:  # importing sqlite_utils takes seconds: `nianbao --help` reads STATUSES from here
    import sqlite_utils

#: Matches ``search`` counts at most: past it the total shows as "10,000+" (``SearchResult.total_exact`` is
#: False) and ``exact_count=True`` (`nianbao search --count`) asks for the whole count. Counting every match
#: reads every matching doclist, linear in the archive (76% of the first page's p95 at 100,000 reports,
#: issue 14); counting to the cap reads at most the cap's worth, then stops.
COUNT_CAP = 10_000
#: BM25 ranks a query only if at most this many reports hold every character pair of its terms (hence at
#: most this many match); otherwise results are listed newest first (``_rank_if_cheap``). BM25 reads the
#: terms' position lists in every such report, twice: 2,000 keeps that to a few milliseconds (bench/search.py
#: at 20,000 reports, CPU time: first page p95 19.3 ms with 10,000 here, 11.3 ms with 2,000).
RANK_LIMIT = 2_000
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
        """SQL selecting the ``id`` of every matching report: the rows of one index's MATCH (the driver), kept
        if the other included indexes hold them and no excluded term's index does. Terms answered by one index
        share one MATCH.

        One driver, the others as ``+rowid IN`` sets built once, so that ``ORDER BY id DESC LIMIT n`` (and a
        capped count) walk the driver's doclist newest first and stop early: FTS5 returns rowids in either
        order without a sort. The driver is the costliest index per row (positions over position-free
        lists), which then is read only as far as needed; the "+" keeps SQLite from handing the IN to FTS5
        as rowid lookups, each of which would run the whole MATCH again."""
        included = _by_table(self.include)
        if included:
            driver = next(table for table in _DRIVERS if table in included)
            sql = f"SELECT rowid AS id FROM {driver} WHERE {driver} MATCH ?"
            params: list[object] = [" AND ".join(included.pop(driver))]
        else:
            sql, params = "SELECT id FROM reports WHERE 1", []
        for table, expressions in included.items():
            sql += f" AND +rowid IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)"
            params.append(" AND ".join(expressions))
        for table, expressions in _by_table(self.exclude).items():
            sql += f" AND +rowid NOT IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)"
            params.append(" OR ".join(expressions))
        return sql, params

    def rank_expression(self) -> str | None:
        """What BM25 ranks on: the included terms of two characters or more (None: rank by recency)."""
        expressions = [expression for term in self.include if (expression := fts.rank_expression(term))]
        return " AND ".join(expressions) or None


#: Which index drives ``Query.ids_sql`` when several answer a query: the one whose rows cost most to read.
_DRIVERS = (fts.PHRASE_TABLE, fts.PAIRS_TABLE, fts.CHARS_TABLE)


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
        """SQL conditions on the report's row ``b`` of ``browse``, with their parameters.

        ``browse`` holds each report's primary document's identity and the report's status (kept in step
        by triggers, archive/db.py) in a short row: reading ``year`` from ``documents`` instead steps over
        the document's text, overflow pages and all (a filtered count of 3,368 of 20,000 matches took
        370 ms that way)."""
        clauses: list[str] = []
        params: list[object] = []
        if self.agency is not None:
            names = spellings(self.agency)
            clauses.append(f"b.agency IN ({', '.join('?' * len(names))})")
            params += names
        for column in ("year", "province", "city", "format"):
            value = getattr(self, column)
            if value is not None:
                clauses.append(f"b.{column} = ?")
                params.append(value)
        if self.type is not None:
            media_types = [media for media, short in SHORT_TYPES.items() if short == self.type]
            clauses.append("EXISTS (SELECT 1 FROM documents f WHERE f.report_id = b.id AND f.media_type = ?)")
            params.append(media_types[0] if media_types else self.type)
        if self.status is not None:
            clauses.append("b.check_status = ?")
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
    total: int  # how many reports match; when ``total_exact`` is False, more than this (COUNT_CAP) do
    total_exact: bool
    order: str  # "bm25" or "newest" (see ``search``)
    hits: list[Hit]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def total_text(self) -> str:
        """The total for a reader: ``1,234``, or ``10,000+`` when more than COUNT_CAP match and were not all
        counted."""
        return f"{self.total:,}" if self.total_exact else f"{self.total:,}+"


def _filtered_ids_sql(query: Query, filters: Filters) -> tuple[str, list[object]]:
    """SELECT id of every matching report the filters keep, unordered.

    The matches drive, each report's browse row is looked up by id: CROSS JOIN keeps the left table outer
    (https://sqlite.org/optoverview.html#crossjoin), so ``ORDER BY id DESC LIMIT`` still walks the index
    newest first and stops after the page, where SQLite could otherwise scan ``browse`` and run the MATCH
    once per report."""
    ids_sql, params = query.ids_sql()
    clauses, filter_params = filters.where()
    if not clauses:
        return ids_sql, params
    sql = f"SELECT m.id AS id FROM ({ids_sql}) m CROSS JOIN browse b ON b.id = m.id WHERE {' AND '.join(clauses)}"
    return sql, [*params, *filter_params]


def _ranked_sql(query: Query, filters: Filters, rank: str) -> tuple[str, list[object]]:
    """SELECT id, score of every matching report the filters keep, ``score`` FTS5's BM25 rank on ``rank``."""
    ids_sql, params = query.ids_sql()
    table = fts.RANK_TABLE
    if query.exclude or any(len(term) < 2 for term in query.include):
        # "+rowid": filter the ranked rows by the exact answer; a bare rowid IN (...) would make FTS5 run
        # the whole MATCH once per id.
        source = f"(SELECT rowid AS id, rank FROM {table} WHERE {table} MATCH ? AND +rowid IN ({ids_sql})) m"
        params = [rank, *params]
    else:  # the ranked terms are the whole query: their match is the exact answer
        source = f"(SELECT rowid AS id, rank FROM {table} WHERE {table} MATCH ?) m"
        params = [rank]
    clauses, filter_params = filters.where()
    if not clauses:
        return f"SELECT m.id AS id, m.rank AS score FROM {source}", params
    sql = f"""SELECT m.id AS id, m.rank AS score FROM {source}
              CROSS JOIN browse b ON b.id = m.id WHERE {" AND ".join(clauses)}"""
    return sql, [*params, *filter_params]


def count_matches(db: sqlite_utils.Database, query: Query, filters: Filters, cap: int | None = COUNT_CAP) -> int:
    """How many reports match, counting at most ``cap + 1`` (None: all): a result above ``cap`` means
    "more than ``cap``". The walk stops at the cap, so the count costs at most the cap's worth of doclist."""
    sql, params = _filtered_ids_sql(query, filters)
    if cap is not None:
        sql, params = f"{sql} LIMIT ?", [*params, cap + 1]
    return int(db.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])


def matching_report_ids(db: sqlite_utils.Database, query_text: str | None, filters: Filters | None = None) -> list[int]:
    """Every matching report id, unordered: the exact answer set (what ``nianbao export`` exports, what
    tests and the benchmark check). No query (None or blank): every report the filters keep."""
    query = parse_query(query_text) if query_text is not None and query_text.strip() else Query([], [])
    sql, params = _filtered_ids_sql(query, filters or Filters())
    # One JSON array instead of a Python tuple per row: twice as fast for 100,000 ids.
    return list(json.loads(db.execute(f"SELECT json_group_array(id) FROM ({sql})", params).fetchone()[0]))


def search(
    db: sqlite_utils.Database,
    query_text: str,
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
    exact_count: bool = False,
) -> SearchResult:
    """Matching reports, best first, each with a highlighted snippet and its files; how many match, counted
    up to COUNT_CAP (``exact_count``: all of them).

    Best first is BM25 over the terms of two characters or more, where that is cheap (``_rank_if_cheap``).
    A query of single characters only, or one whose terms' pairs more than RANK_LIMIT reports hold, lists
    the newest first instead: BM25 needs positions the one-character index does not keep, and reads the
    position lists of every report holding the pairs, where the newest-first page is read straight off
    the index, stopping after its last row."""
    query = parse_query(query_text)
    filters = filters or Filters()
    counted = count_matches(db, query, filters, None if exact_count else COUNT_CAP)
    total_exact = exact_count or counted <= COUNT_CAP
    total = counted if total_exact else COUNT_CAP
    rank = _rank_if_cheap(db, query) if counted <= RANK_LIMIT else None
    if rank is not None:
        sql, params = _ranked_sql(query, filters, rank)
        order = "score, id DESC"
    else:
        sql, params = _filtered_ids_sql(query, filters)
        sql, order = f"SELECT id, NULL AS score FROM ({sql})", "id DESC"
    # Past the last match there is no page to read (with no match, the walk would repeat the count's).
    beyond = total_exact and offset >= counted
    page = [] if beyond else db.execute(f"{sql} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
    hits = [_hit(db, report_id, score, query.include) for report_id, score in page]
    order_name = "bm25" if rank is not None else "newest"
    return SearchResult(query=query_text, total=total, total_exact=total_exact, order=order_name, hits=hits)


def _rank_if_cheap(db: sqlite_utils.Database, query: Query) -> str | None:
    """The query's BM25 expression, if scoring it is cheap: if at most RANK_LIMIT reports hold every character
    pair of its ranked terms (``fts.pairs_expression``, counted in the position-free index up to the limit).

    BM25 reads the position lists of its phrases in every report holding all their pairs, twice (once for
    the phrases' document frequencies): for a rare phrase of common pairs (``"0 0 0 7."``: 7,860 matches,
    all 20,000 reports hold its pairs) that is every report, 90 ms at 20,000 and linear beyond."""
    rank = query.rank_expression()
    pairs = fts.pairs_expression(query.include)
    if rank is None or pairs is None:
        return None
    sql = f"SELECT count(*) FROM (SELECT rowid FROM {fts.PAIRS_TABLE} WHERE {fts.PAIRS_TABLE} MATCH ? LIMIT ?)"
    holding = db.execute(sql, [pairs, RANK_LIMIT + 1]).fetchone()[0]
    return rank if holding <= RANK_LIMIT else None


def _hit(db: sqlite_utils.Database, report_id: int, score: float | None, terms: list[str]) -> Hit:
    """One result: the report's primary document, a snippet of its text around the terms, its files."""
    document_id, title, agency, year, province, city, county, report_format, text = db.execute(
        """SELECT d.id, d.title, d.agency, d.year, d.province, d.city, d.county, d.format, d.text
           FROM reports r JOIN documents d ON d.id = r.primary_document_id WHERE r.id = ?""",
        [report_id],
    ).fetchone()
    snippet, highlights = make_snippet(text, terms)
    return Hit(
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


def match_spans(text: str, terms: list[str], reach: int | None = None) -> list[tuple[int, int]]:
    """Where the (normalised) terms stand in ``text``, as (start, end) offsets into ``text`` itself; with
    ``reach``, only those starting less than ``reach`` characters after the first (what a snippet shows: a
    common term stands dozens of times in a report, each one checked).

    Usually by a pattern over the folded text (``fts.fold``) that lets white space stand between any two
    characters of a term, each candidate kept only if its own normalised form is the term (white space
    between two Chinese characters is layout, any other is not: ``fts.layout_gaps``). The character-by-
    character mapping (``fts.normalize_with_offsets``) is needed only when folding changes the text's length
    (㈠ → "(一)", … → "..."), when offsets in the folded text no longer match the source."""
    if not terms:
        return []
    folded = fts.fold(text)
    if len(folded) != len(text):
        spans = _spans_by_offsets(text, terms)
        return spans if reach is None or not spans else [span for span in spans if span[0] < spans[0][0] + reach]
    found = [_term_spans(text, folded, term) for term in terms]
    if reach is None:
        return sorted(span for term_spans in found for span in term_spans)
    firsts = [first for term_spans in found if (first := next(term_spans, None)) is not None]
    if not firsts:
        return []
    limit = min(firsts)[0] + reach
    kept = [span for span in firsts if span[0] < limit]
    for term_spans in found:
        kept += itertools.takewhile(lambda span: span[0] < limit, term_spans)
    return sorted(kept)


def _term_spans(text: str, folded: str, term: str) -> Iterator[tuple[int, int]]:
    """The spans of ``term`` in ``text`` in order, found in ``folded`` (``fts.fold(text)``, as long)."""
    pattern = _spaced_pattern(term)
    spaceless = " " not in term
    match = pattern.search(folded)
    while match is not None:
        start, end = match.span()
        # As long as the term and white-space free: the folded term itself, nothing to check.
        if (spaceless and end - start == len(term)) or fts.normalize(text[start:end]) == term:
            yield start, end
        match = pattern.search(folded, start + 1)  # overlapping: a rejected candidate may hide a match


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
    spans = match_spans(text, terms, reach=SNIPPET_AFTER)
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
