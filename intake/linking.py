"""Which report a new document belongs to: the same report often comes as several files.

A portal posts a report as an HTML page and as a PDF, mirrors it on a second portal, or replaces it
with a corrected version at the same URL. Search lists each report once, with all its files, so a new
document joins an existing report when

1. the crawler fetched it as an attachment of a report page that is archived (``found_on``): it joins
   that page's report; a new page joins the report of the files already archived as found on it (two
   workers archive in parallel, so a file may come first) and becomes its primary file, whichever came
   first; files found on it that went to other reports are merged into it. A wrapper page ("详见附件")
   is not archived and links nothing: its files may be several agencies' reports;
2. its text is the same as one of the report's files, letter for letter (white space, punctuation and
   layout aside) — the PDF and the DOCX of one report;
3. it replaces a file of that report at the same URL and still looks like the same report (a
   corrected version): it becomes the report's primary file, the one search reads;
4. its title names the same agency and year and its text is mostly the same (an HTML page's main text
   loses a line or two against the PDF);
5. it was read by OCR and names an agency and year that a report already has: OCR text differs from
   the other files' in too many characters for rules 2 and 4, and its title may be misread.

Otherwise it starts a report of its own. Provenance comes first: a page's title may name no agency
(札达县2023年…) where its DOCX does (札达县人民政府2023年…), so no rule on the texts joins them.
"""

from __future__ import annotations

import functools
import hashlib
import operator
import re
import unicodedata
from dataclasses import dataclass, field

import sqlite_utils

#: Everything but letters and digits: ``\w`` is exactly ``str.isalnum`` plus the underscore.
_NOT_LETTERS = re.compile(r"[\W_]+")
#: Share of shared character pairs (Jaccard) above which two texts with one title are one report.
SAME_REPORT_SIMILARITY = 0.6


def letters(text: str) -> str:
    """The text's letters and digits only (NFKC, lower case): what survives any change of file format."""
    return _NOT_LETTERS.sub("", _nfkc(text).lower())


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, about eight times faster on a report's text.

    Why: CPython normalizes a text that is not NFKC already (a report's full-width punctuation ，：（）) by
    decomposing and recomposing every character, ~0.25 µs each: 1 ms of a 4,000-character report, spent on
    every document (its ``text_key``) and on both sides of every ``similarity`` check. Here only the
    characters that decompose are replaced, by their NFKD forms, in one pass of a compiled character class;
    what is left of a Chinese report is then NFKC already, which ``is_normalized`` sees in one quick scan.
    Exact: NFKC is the composition of NFKD, and a character's NFKD in its place changes no text's NFKD (it
    is decomposed already, and the canonical reordering runs over the whole text alike); a text that is not
    NFKC after the replacement (a decomposed accent to compose again) goes through ``normalize`` as before.
    """
    pattern, forms = _decomposing()
    replaced = pattern.sub(lambda match: forms[match.group()], text)
    if unicodedata.is_normalized("NFKC", replaced):
        return replaced
    return unicodedata.normalize("NFKC", replaced)


@functools.cache
def _decomposing() -> tuple[re.Pattern[str], dict[str, str]]:
    """The characters of the Basic Multilingual Plane whose NFKD is not themselves, as a character class,
    and their NFKD forms (~15,000 of them; built once per process, ~40 ms). Others, rarer, take the slow path."""
    forms = {}
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:  # surrogates: no characters of their own
            continue
        char = chr(code)
        if (decomposed := unicodedata.normalize("NFKD", char)) != char:
            forms[char] = decomposed
    return re.compile("[" + "".join(map(re.escape, forms)) + "]"), forms


def text_key(document_sha256: str, text: str) -> str:
    """sha256 of the text's letters; an empty text (a scan awaiting OCR) links to nothing but itself."""
    only_letters = letters(text)
    if not only_letters:
        return "bytes:" + document_sha256
    return "text:" + hashlib.sha256(only_letters.encode()).hexdigest()


def similarity(first: str, second: str) -> float:
    """Jaccard similarity of the two texts' sets of adjacent letter pairs."""
    return pairs_similarity(letter_pairs(first), letter_pairs(second))


def letter_pairs(text: str) -> frozenset[str]:
    """The set of adjacent pairs of the text's letters (``similarity`` compares these)."""
    only_letters = letters(text)
    return frozenset(map(operator.add, only_letters, only_letters[1:]))


def pairs_similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Jaccard similarity of two sets of letter pairs (the union counted, not built)."""
    if not first or not second:
        return 0.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


@dataclass
class Candidate:
    """What linking reads of a document about to be archived."""

    key: str  # text_key
    text: str
    title: str | None
    agency: str | None
    year: int | None
    url: str
    found_on: str | None = None  # the report page the crawler found it on
    previous_document_id: int | None = None  # what its URL held before
    read_by_ocr: bool = False

    @functools.cached_property
    def pairs(self) -> frozenset[str]:
        """The text's letter pairs (``similarity``), made once however many archived texts it is compared with."""
        return letter_pairs(self.text)


@dataclass
class Link:
    """The report a new document joins (None: a new one), whether it becomes that report's primary file,
    and other reports to merge into it (those of the files found on a new page)."""

    report_id: int | None
    make_primary: bool = False
    absorb: list[int] = field(default_factory=list)


def find_report(db: sqlite_utils.Database, new: Candidate) -> Link:
    """Apply the rules of this module's docstring, in order."""
    identified = new.agency is not None and new.year is not None
    provenance = _by_provenance(db, new)
    if provenance is not None:
        return provenance
    same_text = db.execute("SELECT report_id FROM documents WHERE text_key = ? LIMIT 1", [new.key]).fetchone()
    if same_text is not None:
        return Link(same_text[0])
    if new.previous_document_id is not None:
        report_id, previous_title, previous_text = db.execute(
            "SELECT report_id, title, text FROM documents WHERE id = ?", [new.previous_document_id]
        ).fetchone()
        same_title = identified and new.title == previous_title
        if same_title or _similar(new, previous_text):
            return Link(report_id, make_primary=True)
    if identified:
        for report_id, other_text in db.execute(
            # from documents (indexed on title) to their reports, not the other way: no scan of reports
            """SELECT r.id, d.text FROM documents d
               JOIN reports r ON r.id = d.report_id AND r.primary_document_id = d.id
               WHERE d.title = ?""",
            [new.title],
        ).fetchall():
            if _similar(new, other_text):
                return Link(report_id)
    if new.read_by_ocr and identified:
        return Link(same_agency_and_year(db, new.agency, new.year))
    return Link(None)


def _similar(new: Candidate, archived_text: str) -> bool:
    """Rules 3 and 4: ``similarity`` of the two texts reaches ``SAME_REPORT_SIMILARITY`` (the new text's
    pairs made once for all the archived texts it meets)."""
    return pairs_similarity(new.pairs, letter_pairs(archived_text)) >= SAME_REPORT_SIMILARITY


def _by_provenance(db: sqlite_utils.Database, new: Candidate) -> Link | None:
    """Rule 1: the report of the page the document was found on, or of the files found on this page."""
    if new.found_on:
        page = db.execute(
            """SELECT d.report_id FROM sightings s JOIN documents d ON d.id = s.document_id
               WHERE s.url = ? ORDER BY s.id DESC LIMIT 1""",
            [new.found_on],
        ).fetchone()
        if page is not None:
            return Link(page[0])
    files = [
        row[0]
        for row in db.execute(
            """SELECT d.report_id FROM sightings s JOIN documents d ON d.id = s.document_id
               WHERE s.found_on = ? GROUP BY d.report_id ORDER BY max(s.id) DESC""",
            [new.url],
        )
    ]
    if not files:
        return None
    return Link(files[0], make_primary=True, absorb=files[1:])


def same_agency_and_year(
    db: sqlite_utils.Database, agency: str | None, year: int | None, other_than: int | None = None
) -> int | None:
    """The newest report (but ``other_than``) whose primary file names this agency and year (rule 5)."""
    row = db.execute(
        """SELECT r.id FROM documents d JOIN reports r ON r.primary_document_id = d.id
           WHERE d.agency = ? AND d.year = ? AND r.id IS NOT ? ORDER BY r.id DESC LIMIT 1""",
        [agency, year, other_than],
    ).fetchone()
    return None if row is None else int(row[0])
