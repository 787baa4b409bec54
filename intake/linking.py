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

import hashlib
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
    return _NOT_LETTERS.sub("", unicodedata.normalize("NFKC", text).lower())


def text_key(document_sha256: str, text: str) -> str:
    """sha256 of the text's letters; an empty text (a scan awaiting OCR) links to nothing but itself."""
    only_letters = letters(text)
    if not only_letters:
        return "bytes:" + document_sha256
    return "text:" + hashlib.sha256(only_letters.encode()).hexdigest()


def similarity(first: str, second: str) -> float:
    """Jaccard similarity of the two texts' sets of adjacent letter pairs."""
    a, b = letters(first), letters(second)
    pairs_a = {a[i : i + 2] for i in range(len(a) - 1)}
    pairs_b = {b[i : i + 2] for i in range(len(b) - 1)}
    if not pairs_a or not pairs_b:
        return 0.0
    return len(pairs_a & pairs_b) / len(pairs_a | pairs_b)


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
        if same_title or similarity(new.text, previous_text) >= SAME_REPORT_SIMILARITY:
            return Link(report_id, make_primary=True)
    if identified:
        for report_id, other_text in db.execute(
            # from documents (indexed on title) to their reports, not the other way: no scan of reports
            """SELECT r.id, d.text FROM documents d
               JOIN reports r ON r.id = d.report_id AND r.primary_document_id = d.id
               WHERE d.title = ?""",
            [new.title],
        ).fetchall():
            if similarity(new.text, other_text) >= SAME_REPORT_SIMILARITY:
                return Link(report_id)
    if new.read_by_ocr and identified:
        return Link(same_agency_and_year(db, new.agency, new.year))
    return Link(None)


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
