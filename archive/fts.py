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
found). FTS5's ``ascii`` tokenizer treats every non-ASCII character as part of a token and splits on
ASCII punctuation and spaces, so those are mapped into Unicode plane 15 (private use) first; user input
therefore never reaches FTS5 syntax: quotes, ``AND``, ``*``, ``NEAR(`` are just characters to find.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

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


def normalize(text: str) -> str:
    """The searchable form of a text: NFKC (full-width → half-width, Kangxi radicals → ideographs),
    lower case, every run of white space one space. Search is exact on this form."""
    return _WHITESPACE.sub(" ", "".join(map(_fold_char, text))).strip()


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalize`` plus, for each normalised character, the index of the source character it came from."""
    chars: list[str] = []
    offsets: list[int] = []
    previous_space = True  # strips leading white space
    for index, char in enumerate(text):
        for folded in _fold_char(char):
            if folded.isspace():
                if previous_space:
                    continue
                folded = " "
                previous_space = True
            else:
                previous_space = False
            chars.append(folded)
            offsets.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return "".join(chars), offsets


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


def rank_expression(term: str) -> str | None:
    """The term's expression against ``RANK_TABLE`` (None for one character: that table has no unigrams)."""
    encoded = _encode(term)
    return _phrase(encoded) if len(encoded) >= 2 else None
