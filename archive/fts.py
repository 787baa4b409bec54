"""Exact Chinese full-text search on SQLite FTS5.

Why not a stock tokenizer: SQLite's tokenizers either see a run of Chinese as one word (unicode61),
drop queries under three characters (trigram) or need a word segmenter that misses matches across
word boundaries. We want "a query of any length returns exactly the documents that contain it".

How: the normalised text is indexed three times, each index fitted to one kind of query.

=================  ===================================  ==========================  ============
table              tokens                               detail                      answers
=================  ===================================  ==========================  ============
``report_chars``   every character                      none (which reports only)   1 character
``report_pairs``   every overlapping character pair     none                        2 characters
``report_fts``     every overlapping character pair     full (positions)            3 or more
=================  ===================================  ==========================  ============

A query of n ≥ 3 characters is the FTS5 phrase of its n-1 overlapping pairs, which matches exactly
where the text contains it: no candidate has to be verified. One- and two-character queries (复议,
诉讼, 威) are the commonest and the broadest; the position-free tables answer them from a list of
report ids. Together the three take about 1.25× the UTF-8 size of the text (``bench/search.py``);
a one-character prefix index, the usual way to serve one-character queries, alone doubles that.

Every character is indexed, punctuation, spaces and ASCII included (so ``gov.cn`` and ``1月1日`` are
found), except white space between two Chinese characters: that is layout, not content (PDF and HTML text
breaks a line inside ``不予公开`` wherever the line ends), so ``normalize`` drops it (``layout_gaps``)
from the text and the query alike. FTS5's ``ascii`` tokenizer treats every non-ASCII character as part of
a token and splits on ASCII punctuation and spaces, so those are mapped into Unicode plane 15 (private
use) first; user input therefore never reaches FTS5 syntax: quotes, ``AND``, ``*``, ``NEAR(`` are just
characters to find.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat

CHARS_TABLE = "report_chars"
PAIRS_TABLE = "report_pairs"
PHRASE_TABLE = "report_fts"
#: (table, SQL function giving its tokens, FTS5 options)
INDEXES = (
    (CHARS_TABLE, "nianbao_fts_chars", "detail = none"),
    (PAIRS_TABLE, "nianbao_fts_pairs", "detail = none"),
    (PHRASE_TABLE, "nianbao_fts_pairs", "detail = full"),
)
#: The table that holds positions, hence term frequencies: BM25 ranking comes from it.
RANK_TABLE = PHRASE_TABLE

_PUA_BASE = 0xF0000  # plane 15 private use: where ASCII punctuation and the space are moved
_WHITESPACE = re.compile(r"\s+")
_ENCODE_TABLE = {code: chr(_PUA_BASE + code) for code in range(128) if not chr(code).isalnum()}


def create_sql() -> str:
    """The three contentless FTS5 tables (the text lives in ``documents``; rows deletable, SQLite ≥ 3.43)."""
    return "\n".join(
        f"CREATE VIRTUAL TABLE {table} USING fts5(t, tokenize = 'ascii', content = '', "
        f"contentless_delete = 1, {options});"
        for table, _, options in INDEXES
    )


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    """NFKC and lower case, one character at a time (so positions map back to the source text)."""
    return unicodedata.normalize("NFKC", char).lower()


@lru_cache(maxsize=65536)
def is_wide(char: str) -> bool:
    """Whether white space beside ``char`` on both sides is layout: East Asian Width F, W or H (Chinese
    characters and punctuation, full-width forms, kana), Hangul excepted — Korean separates words by spaces.

    The rule by which CSS removes a line break in a browser (CSS Text 3, 4.1.2 "Segment Break
    Transformation Rules", https://drafts.csswg.org/css-text-3/#line-break-transform), applied here to every
    white space character, as PDF text also breaks lines with spaces, tabs and U+3000."""
    return unicodedata.east_asian_width(char) in "FWH" and "HANGUL" not in unicodedata.name(char, "")


#: A run of white space between two non-ASCII characters: the candidates for ``layout_gaps`` (a wide
#: character is never ASCII), found by the regular expression engine, so that the runs between numbers
#: (``0 0 0``) of a table never reach Python.
_GAP = re.compile(r"(?<=[^\x00-\x7f\s])\s+(?=[^\x00-\x7f\s])")


def layout_gaps(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every run of white space in ``text`` between two wide characters (``is_wide``).

    Decided on the source characters, before folding: ``，`` is wide although NFKC folds it to ``,``."""
    return [
        match.span() for match in _GAP.finditer(text) if is_wide(text[match.start() - 1]) and is_wide(text[match.end()])
    ]


def normalize(text: str) -> str:
    """The searchable form of a text: white space between two Chinese characters dropped (``layout_gaps``),
    NFKC (full-width → half-width, Kangxi radicals → ideographs), lower case, every other run of white space
    one space. Search is exact on this form."""
    return _WHITESPACE.sub(" ", fold(_drop_gaps(text)[0])).strip()


#: Characters that folding leaves as they are: ASCII but capitals, CJK unified ideographs, the dashes, quotes
#: and CJK punctuation that NFKC keeps (every one checked by tests/test_search_scale.py).
_FOLD_STABLE = "\x00-\x40\x5b-\x7f\u2010\u2012-\u2016\u2018-\u2023\u3001-\u3035\u4e00-\u9fff"
_FOLDABLE = re.compile(f"[^{_FOLD_STABLE}]+")
#: The foldable characters commonest in Chinese text (full-width punctuation, the ideographic space).
_COMMON_FOLDS = "，（）：；！？％\u3000"


def fold(text: str) -> str:
    """NFKC and lower case, character by character: each source character folds on its own.

    Only what may change reaches Python: the commonest foldable characters by ``str.replace``, the other
    runs of foldable characters found by the regular expression engine (``_FOLDABLE``). A search snippet
    folds each hit's whole text: a Python call per character took 0.4 ms for 4,000 characters, this 0.07."""
    for char in _COMMON_FOLDS:
        if char in text:
            text = text.replace(char, _fold_char(char))
    return _FOLDABLE.sub(_fold_run, text)


def _fold_run(match: re.Match[str]) -> str:
    return "".join(map(_fold_char, match.group()))


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalize`` plus, for each normalised character, the index of the source character it came from.

    The same three steps as ``normalize``, each carrying the offsets along by slicing lists (not a Python
    loop per character): search makes a snippet of every hit's whole text with it."""
    kept, offsets = _drop_gaps(text)
    folded_chars = list(map(_fold_char, kept))
    folded = "".join(folded_chars)
    if len(folded) != len(kept):  # a character folded into several (㈠ → "(一)", … → "..."): repeat its offset
        offsets = list(chain.from_iterable(map(repeat, offsets, map(len, folded_chars))))
    chars: list[str] = []
    normalized_offsets: list[int] = []
    previous = 0
    for match in _WHITESPACE.finditer(folded):
        start, end = match.span()
        chars.append(folded[previous:start])
        normalized_offsets += offsets[previous:start]
        if start > 0 and end < len(folded):  # leading and trailing white space goes
            chars.append(" ")
            normalized_offsets.append(offsets[start])
        previous = end
    chars.append(folded[previous:])
    normalized_offsets += offsets[previous:]
    return "".join(chars), normalized_offsets


def _drop_gaps(text: str) -> tuple[str, list[int]]:
    """``text`` without its layout gaps, and the source index of each character kept."""
    offsets: list[int] = []
    pieces: list[str] = []
    previous = 0
    for start, end in layout_gaps(text):
        pieces.append(text[previous:start])
        offsets += range(previous, start)
        previous = end
    pieces.append(text[previous:])
    offsets += range(previous, len(text))
    return "".join(pieces), offsets


def _encode(normalized: str) -> str:
    return normalized.translate(_ENCODE_TABLE)


def char_tokens(normalized: str) -> str:
    """Every character, as a token string for ``report_chars``."""
    return " ".join(_encode(normalized))


def _pairs(encoded: str) -> list[str]:
    return [encoded[start : start + 2] for start in range(len(encoded) - 1)]


def pair_tokens(normalized: str) -> str:
    """Every overlapping pair of characters, as a token string for ``report_pairs`` and ``report_fts``."""
    return " ".join(_pairs(_encode(normalized)))


def _phrase(encoded: str) -> str:
    return '"' + " ".join(_pairs(encoded)) + '"'


@dataclass(frozen=True)
class TermMatch:
    """How to find one (normalised, non-empty) term: an FTS5 expression against one of the tables."""

    table: str
    expression: str


def term_match(term: str) -> TermMatch:
    encoded = _encode(term)
    if len(encoded) == 1:
        return TermMatch(CHARS_TABLE, f'"{encoded}"')
    return TermMatch(PAIRS_TABLE if len(encoded) == 2 else PHRASE_TABLE, _phrase(encoded))


def pairs_expression(terms: list[str]) -> str | None:
    """Every character pair of the terms, ANDed, for ``report_pairs``: the reports holding them all, wherever
    they stand — each of the terms' phrases is read for these reports, no others (None: no term of two
    characters or more)."""
    pairs = sorted({pair for term in terms for pair in _pairs(_encode(term))})
    return " AND ".join(f'"{pair}"' for pair in pairs) or None


def rank_expression(term: str) -> str | None:
    """The term's expression against ``RANK_TABLE`` (None for one character: that table has no unigrams)."""
    encoded = _encode(term)
    return _phrase(encoded) if len(encoded) >= 2 else None


def prepare_index_tokens(text: str) -> None:
    """Compute the search-index tokens of ``text`` before taking the write lock: the index triggers then
    find them cached instead of tokenizing while every other writer waits."""
    _fts_chars(text)
    _fts_pairs(text)


@lru_cache(maxsize=4)
def _normalized(text: str | None) -> str:
    return normalize(text or "")  # cached: each text feeds three indexes in a row


@lru_cache(maxsize=4)  # so that prepare_index_tokens can compute it before the write lock
def _fts_chars(text: str | None) -> str:
    return char_tokens(_normalized(text))


@lru_cache(maxsize=4)  # feeds two indexes (report_pairs, report_fts) in a row
def _fts_pairs(text: str | None) -> str:
    return pair_tokens(_normalized(text))


#: The SQL functions the index triggers call (named in ``fts.INDEXES``), registered on every connection.
INDEX_FUNCTIONS = {"nianbao_fts_chars": _fts_chars, "nianbao_fts_pairs": _fts_pairs}
