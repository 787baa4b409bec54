"""Exact Chinese full-text search on SQLite FTS5.

Why not a stock tokenizer: SQLite's tokenizers either see a run of Chinese as one word (unicode61),
drop queries under three characters (trigram) or need a word segmenter that misses matches across
word boundaries. We want "a query of any length returns exactly the documents that contain it".

How: every character of the normalised text is covered by two-character tokens laid out in two
columns by parity — column ``even`` holds text[0:2], text[2:4], …; column ``odd`` holds text[1:3],
text[3:5], …; a column whose text has an odd length ends with a one-character token. So each column
is a gap-free, non-overlapping tiling of the text, and together they hold every overlapping bigram.

* A query of 2k characters is the FTS5 phrase of its k non-overlapping bigrams: it matches exactly
  where those bigrams stand side by side in one column, which is exactly where the text contains it.
* A query of 2k+1 characters adds its last character as a prefix token ("AB CD E"*), answered from
  FTS5's one-character prefix index.
* A one-character query is that prefix alone.

Half as many phrase terms as overlapping bigrams, the same index size, and no verification pass:
the answer is exact by construction (tests compare it with a substring scan).

Characters are encoded so that FTS5's ``ascii`` tokenizer keeps each token whole: it treats every
non-ASCII character as part of a token and splits on ASCII punctuation and spaces, so ASCII
punctuation and the space are mapped into Unicode plane 15 (private use). User input therefore never
reaches FTS5 syntax: quotes, ``AND``, ``*``, ``NEAR(`` are just characters to find.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

FTS_TABLE = "report_fts"

#: Contentless (the text lives in ``documents``), deletable (SQLite ≥ 3.43), one-character prefix index.
CREATE_FTS_SQL = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
    even, odd,
    tokenize = 'ascii',
    prefix = '1',
    content = '',
    contentless_delete = 1
)
"""

_PUA_BASE = 0xF0000  # plane 15 private use: where ASCII punctuation and the space are moved
_WHITESPACE = re.compile(r"\s+")


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


_ENCODE_TABLE = {code: chr(_PUA_BASE + code) for code in range(128) if not chr(code).isalnum()}


def _encode(text: str) -> str:
    return text.translate(_ENCODE_TABLE)


def column_tokens(normalized: str, parity: int) -> str:
    """The token string of one column (see the module docstring): tiles of two characters from ``parity``."""
    encoded = _encode(normalized)
    return " ".join(encoded[start : start + 2] for start in range(parity, len(encoded), 2))


def index_columns(text: str) -> tuple[str, str]:
    """What goes into the ``even`` and ``odd`` columns for a document text."""
    normalized = normalize(text)
    return column_tokens(normalized, 0), column_tokens(normalized, 1)


def term_expression(term: str) -> str | None:
    """The FTS5 expression matching exactly the texts that contain ``term`` (already normalised).

    Returns None for an empty term."""
    if not term:
        return None
    encoded = _encode(term)
    pairs = [encoded[start : start + 2] for start in range(0, len(encoded), 2)]
    phrase = '"' + " ".join(pairs) + '"'
    return phrase + "*" if len(pairs[-1]) == 1 else phrase
