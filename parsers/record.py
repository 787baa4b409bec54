"""An extracted document → its structured record (``nianbao.report/1``, docs/report-fields.md).

Tables are read from the extracted grids when they hold them (exact cell positions) and from the text
otherwise, each table from the first source that has it; then blanks that the tables' own arithmetic
fixes are filled (and listed in ``inferred``), and every check is run. Keys beyond the schema's
(``parser``, ``not_a_report``, ``inferred``, ``checks``, ``status``, ``warnings``) are not compared with golden
records. Something that is not a report (a notice, a letter, a blank form, two years side by side) keeps no
numbers; a report whose tables are missing or blank has status ``incomplete``, never ``pass``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property

from parsers import identity
from parsers.cells import Row, grid_rows, text_rows
from parsers.checks import TABLES, absent_split_rows, blank_tables, record_status, run_checks
from parsers.document import ExtractedDocument
from parsers.extract import extract
from parsers.form import SPLIT_OTHER, T3_KEYS, T4_KEYS
from parsers.infer import infer, table3_equations, table4_equations
from parsers.region import resolve
from parsers.report import ReportRecord, TableFormat
from parsers.tables import Table3, read_table2, read_table3, read_table4, table2_format

SCHEMA = "nianbao.report/1"
#: Bump whenever a change can alter a record: ``nianbao reparse`` re-parses records of older versions.
#: 2: ``status``, ``tables.complete``, extraction warnings, no numbers kept for what is not a report.
#: 3: table 二 placed by grid column spans; blank split (六) rows kept as unknown; interleaved labels read.
PARSER_VERSION = 3
_LEGACY_UNTIL = 2018
#: Table 三's first row label with its seven cells glued on as one run of digits: what a crawler that joins a
#: page's text nodes keeps (kjt.hebei.gov.cn's reports in a public crawler's CSV, 平潭's page.txt in a public
#: archive: "一、本年新收政府信息公开申请数量713000074"). Said as a warning: the table is there, unreadable.
_GLUED_CELLS = re.compile(r"本年新收政府信息公开申请数量\s*\d{7,}")
_GLUED_WINDOW = 200_000
#: A column headed by a year (2022年, 2023年度, 2022年数量): tables of the report form have none.
_YEAR_COLUMN = re.compile(r"^((?:19|20)\d{2})年度?(?:数量|数据|情况|件数)?(?:[(（][^)）]*[)）])?$")
_BARE_YEAR = re.compile(r"^(?:19|20)\d{2}$")
#: How many rows above table 三's first row hold its column headers (as parsers/tables.py reads them).
_HEADER_ROWS = 8
#: An agency or year a form leaves to be filled in: XX局, ××县, 某某单位, 20XX年, （单位名称）.
_PLACEHOLDER = re.compile(r"[XxＸｘ×＊*]{2,}|某某|〇〇|○○|20[Xx×]{2}|(?:单位|机关)名称")


class _Source:
    """One way of seeing the document's tables (its grids, or its text) and where table 三 sits in it.

    Read on first use: when the grids hold every table, the text is never split into rows."""

    def __init__(self, read_rows: Callable[[], list[Row]]) -> None:
        self._read_rows = read_rows

    @cached_property
    def rows(self) -> list[Row]:
        return self._read_rows()

    @cached_property
    def table3(self) -> Table3 | None:
        return read_table3(self.rows)

    @property
    def table2_end(self) -> int:
        return self.table3.start if self.table3 else len(self.rows)

    @property
    def table4_start(self) -> int:
        return self.table3.end if self.table3 else 0


def parse_bytes(data: bytes, url: str | None = None) -> ReportRecord:
    """The record of a file's bytes (any type the extraction layer reads)."""
    return parse(extract(data, url=url))


def parse(document: ExtractedDocument) -> ReportRecord:
    who = identity.identify(document.text, title_hint=document.title, metadata=document.metadata)
    sources = [_Source(lambda: grid_rows(document.tables)), _Source(lambda: text_rows(document.text))]
    table_format = _format(sources, who.year)
    record: ReportRecord = {
        "schema": SCHEMA,
        "parser": PARSER_VERSION,
        "title": who.title,
        "agency": who.agency,
        "year": who.year,
        "format": table_format,
        "region": resolve(who.agency, document.text).as_dict() if who.agency else None,
        "signed_date": identity.signed_date(document.text),
        "portal_urls": identity.portal_urls(document.text),
        "active_disclosure": None,
        "applications": None,
        "review_litigation": None,
        "inferred": [],
        "warnings": [],
    }
    record["warnings"].extend(extraction_warnings(document))
    if table_format in ("2021", "2019"):
        _read_tables(record, sources, table_format)
    elif table_format is None:  # no table 二 or 三 to tell the form by: table 四 is the same in both
        _read_table4(record, sources)
    if record["applications"] is None and _GLUED_CELLS.search(document.text[:_GLUED_WINDOW]):
        record["warnings"].append(
            "applications: the table's cells run together in the text (a label with its digits glued on, "
            "such as 申请数量713000074): its numbers cannot be told apart"
        )
    record["not_a_report"] = _not_a_report(who, record, sources, unread=document.needs_ocr)
    if record["not_a_report"]:
        record["format"], record["inferred"] = None, []
        record["active_disclosure"] = record["applications"] = record["review_litigation"] = None
    record["checks"] = run_checks(record)
    record["status"] = record_status(record, record["checks"])
    return record


def extraction_warnings(document: ExtractedDocument) -> list[str]:
    """What the extraction layer could not read, for the record: pages without text (``needs_ocr``) hold
    tables the parser never saw, so a researcher must see it beside the numbers, not only in the archive."""
    warnings = [f"extraction: {warning}" for warning in document.warnings]
    if document.needs_ocr:
        pages = ", ".join(map(str, document.ocr_pages)) or "some"
        warnings.append(f"needs_ocr: page(s) {pages} have no text layer; their tables were not read")
    return warnings


def _not_a_report(who: identity.Identity, record: ReportRecord, sources: list[_Source], unread: bool) -> bool:
    """Not a report: a comparison of years laid out like the tables, or a document printing no number in
    them whose title is not a report's (notices, letters) or is a form's (no year, a placeholder agency).

    A scan whose pages have no text (``unread``) is never judged by what it does not show: incomplete."""
    table3_source = next((source for source in sources if source.table3), None)
    if table3_source is not None and _compares_years(table3_source):
        return True
    if unread or len(blank_tables(record)) < len(TABLES):
        return False
    form = bool(_PLACEHOLDER.search(who.title or "")) or (who.agency is None and who.year is None)
    return not who.is_report_title or form


def _compares_years(source: _Source) -> bool:
    """Table 三's rows (or the headers just above them) carry year columns: two years side by side."""
    table3 = source.table3
    assert table3 is not None
    rows = source.rows[max(0, table3.start - _HEADER_ROWS) : table3.end]
    years = {match.group(1) for row in rows for cell in row.labels if (match := _YEAR_COLUMN.match(cell))}
    years |= {cell for row in rows if _all_years(row.values) for cell in row.values if cell}
    return len(years) >= 2


def _all_years(cells: list[str | None]) -> bool:
    """A header of bare years (``2022 | 2023``), read as value cells because they are digits."""
    present = [cell for cell in cells if cell]
    return len(present) >= 2 and all(_BARE_YEAR.match(cell.strip()) for cell in present)


def _format(sources: list[_Source], year: int | None) -> TableFormat | None:
    """'legacy' by year; else what table 二's headers say; else whether (六) is split in three rows."""
    if year is not None and year <= _LEGACY_UNTIL:
        return "legacy"
    for source in sources:
        found = table2_format(source.rows, source.table2_end)
        if found:
            return found
    table3 = next((source.table3 for source in sources if source.table3), None)
    if table3 is not None:
        return "2021" if table3.has_split_other else "2019"
    return "2021" if year is not None and year >= 2021 else None


def _read_tables(record: ReportRecord, sources: list[_Source], table_format: str) -> None:
    warnings, inferred = record["warnings"], record["inferred"]
    for source in sources:
        table2 = read_table2(source.rows, source.table2_end, table_format)
        if table2 is not None:
            record["active_disclosure"] = table2[0]
            warnings.extend(table2[1])
            break
    table3 = next((source.table3 for source in sources if source.table3), None)
    if table3 is not None:
        warnings.extend(table3.warnings)
        rows = dict(table3.rows)
        if table3.has_split_other:  # (六) printed in three rows: a blank one is unknown, not absent
            rows.update({key: [None] * 7 for key in SPLIT_OTHER if rows.get(key) is None})
        absent = absent_split_rows(table_format, rows)
        printed = {key for key, values in rows.items() if values is not None}
        for key, column in infer(rows, [equation for _, equation in table3_equations(absent)], 7):
            inferred.append(f"applications.{key}[{column}]")
        record["applications"] = {
            key: rows[key]
            if key not in absent and (key in printed or any(v is not None for v in rows[key] or []))
            else None
            for key in T3_KEYS
        }
    _read_table4(record, sources)


def _read_table4(record: ReportRecord, sources: list[_Source]) -> None:
    for source in sources:
        table4 = read_table4(source.rows, source.table4_start)
        if table4 is not None:
            rows4, more = table4
            record["warnings"].extend(more)
            for key, column in infer(rows4, [equation for _, equation in table4_equations()], 5):
                record["inferred"].append(f"review_litigation.{key}[{column}]")
            record["review_litigation"] = {key: rows4.get(key) for key in T4_KEYS}
            break
