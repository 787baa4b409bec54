"""Which report a new document belongs to: the same report often comes as several files.

A portal posts a report as an HTML page and as a PDF, mirrors it on a second portal, or replaces it
with a corrected version at the same URL. Search lists each report once, with all its files, so a new
document joins an existing report when

1. its text is the same as one of the report's files, letter for letter (white space, punctuation and
   layout aside) — the PDF and the DOCX of one report;
2. it replaces a file of that report at the same URL and still looks like the same report (a
   corrected version): it becomes the report's primary file, the one search reads;
3. its title names the same agency and year and its text is mostly the same (an HTML page's main text
   loses a line or two against the PDF).

Otherwise it starts a report of its own.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

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


def find_report(
    db: sqlite_utils.Database,
    key: str,
    text: str,
    title: str | None,
    identified: bool,
    previous_document_id: int | None,
) -> tuple[int | None, bool]:
    """The report a new document joins (None: a new one), and whether it becomes that report's primary file.

    ``identified``: the title names an agency and a year (so equal titles mean the same report)."""
    same_text = db.execute("SELECT report_id FROM documents WHERE text_key = ? LIMIT 1", [key]).fetchone()
    if same_text is not None:
        return same_text[0], False
    if previous_document_id is not None:
        report_id, previous_title, previous_text = db.execute(
            "SELECT report_id, title, text FROM documents WHERE id = ?", [previous_document_id]
        ).fetchone()
        if (identified and title == previous_title) or similarity(text, previous_text) >= SAME_REPORT_SIMILARITY:
            return report_id, True
    if identified:
        for report_id, other_text in db.execute(
            # from documents (indexed on title) to their reports, not the other way: no scan of reports
            """SELECT r.id, d.text FROM documents d
               JOIN reports r ON r.id = d.report_id AND r.primary_document_id = d.id
               WHERE d.title = ?""",
            [title],
        ).fetchall():
            if similarity(text, other_text) >= SAME_REPORT_SIMILARITY:
                return report_id, False
    return None, False
