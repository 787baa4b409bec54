"""An extracted document → its structured record (``nianbao.report/1``, docs/report-fields.md).

Tables are read from the extracted grids when they hold them (exact cell positions) and from the text
otherwise, each table from the first source that has it; then blanks that the tables' own arithmetic
fixes are filled (and listed in ``inferred``), and every check is run. Keys beyond the schema's
(``parser``, ``not_a_report``, ``inferred``, ``checks``, ``warnings``) are not compared with golden records.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from parsers import identity
from parsers.cellcheck import T3_KEYS, T4_KEYS
from parsers.cells import Row, grid_rows, text_rows
from parsers.checks import absent_rows, run_checks
from parsers.document import ExtractedDocument
from parsers.extract import extract
from parsers.infer import infer, table3_equations, table4_equations
from parsers.region import resolve
from parsers.tables import Table3, read_table2, read_table3, read_table4, table2_format

SCHEMA = "nianbao.report/1"
#: Bump whenever a change can alter a record: ``nianbao reparse`` re-parses records of older versions.
PARSER_VERSION = 1
_LEGACY_UNTIL = 2018


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


def parse_bytes(data: bytes, url: str | None = None) -> dict[str, Any]:
    """The record of a file's bytes (any type the extraction layer reads)."""
    return parse(extract(data, url=url))


def parse(document: ExtractedDocument) -> dict[str, Any]:
    who = identity.identify(document.text, title_hint=document.title)
    sources = [_Source(lambda: grid_rows(document.tables)), _Source(lambda: text_rows(document.text))]
    table_format = _format(sources, who.year)
    record: dict[str, Any] = {
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
    if table_format in ("2021", "2019"):
        _read_tables(record, sources, table_format)
    record["not_a_report"] = not who.is_report_title and record["applications"] is None
    if record["not_a_report"]:
        record["format"] = None
    record["checks"] = run_checks(record)
    return record


def _format(sources: list[_Source], year: int | None) -> str | None:
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


def _read_tables(record: dict[str, Any], sources: list[_Source], table_format: str) -> None:
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
        absent = absent_rows({"format": table_format, "applications": rows})
        printed = {key for key, values in rows.items() if values is not None}
        for key, column in infer(rows, [equation for _, equation in table3_equations(absent)], 7):
            inferred.append(f"applications.{key}[{column}]")
        record["applications"] = {
            key: rows[key]
            if key not in absent and (key in printed or any(v is not None for v in rows[key] or []))
            else None
            for key in T3_KEYS
        }
    for source in sources:
        table4 = read_table4(source.rows, source.table4_start)
        if table4 is not None:
            rows4, more = table4
            warnings.extend(more)
            for key, column in infer(rows4, [equation for _, equation in table4_equations()], 5):
                inferred.append(f"review_litigation.{key}[{column}]")
            record["review_litigation"] = {key: rows4.get(key) for key in T4_KEYS}
            break
