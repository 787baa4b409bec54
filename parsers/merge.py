"""One report's record from the records of its files (pure: records in, record out).

A report often comes as several files (the HTML page and its DOCX attachment, a scan and its OCR, a
corrected version), each parsed on its own. The report's record takes per statistics table the values of
the most complete file (most cells holding a number; ties: the primary file), says which file each came
from (``sources``), and lists as warnings the values on which the files disagree. The write path stores it
(``intake.records.rebuild``); the archive rebuilds it on reading (``archive.records.report_record``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from parsers.checks import TABLES
from parsers.form import TABLE3_COLUMNS, TABLE4_COLUMNS
from parsers.report import ReportRecord

#: The tables kept cell by cell, with their column labels (for the warnings that name a cell).
_CELL_TABLES = {"applications": TABLE3_COLUMNS, "review_litigation": TABLE4_COLUMNS}
Record = ReportRecord


def _numbers(value: Any, where: str, columns: tuple[str, ...] | None = None) -> Iterator[tuple[str, Any]]:
    """(where, value) of each number in a table: ``applications.granted[总计]``, ``active_disclosure.licensing``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, f"{where}.{key}", columns)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            label = columns[index] if columns and index < len(columns) else str(index)
            yield from _numbers(item, f"{where}[{label}]", columns)
    elif value is not None and not isinstance(value, bool):
        yield where, value


def _table_numbers(record: Record, table: str) -> list[tuple[str, Any]]:
    return list(_numbers(record.get(table), table, _CELL_TABLES.get(table)))


def _most_complete(files: Mapping[int, Record], tables: tuple[str, ...], primary: int) -> int:
    """The file with the most numbers in ``tables``; ties: the primary file, then the oldest."""
    if len(files) == 1:  # most reports: nothing to count
        return next(iter(files))
    return max(files, key=lambda i: (sum(len(_table_numbers(files[i], t)) for t in tables), i == primary, -i))


def choose_sources(files: Mapping[int, Record], primary: int) -> dict[str, int | None]:
    """Which file gives the report its identity (the primary file's record, unless it is no report and
    another file is) and each statistics table (the most complete file that is a report)."""
    reports = {i: record for i, record in files.items() if not record.get("not_a_report")}
    if primary in files and (primary in reports or not reports):
        identity = primary
    else:
        identity = _most_complete(reports or files, TABLES, primary)
    sources: dict[str, int | None] = {"identity": identity}
    for table in TABLES:
        sources[table] = _most_complete(reports, (table,), primary) if reports else None
    return sources


def assemble(files: Mapping[int, Record], sources: Mapping[str, int | None]) -> Record:
    """The report's record: identity from one file, each table (with its inferred cells) from its source,
    the warnings of every file it draws on (a table's source other than the identity's says which file)."""
    identity = sources.get("identity")
    base = files[identity] if identity is not None and identity in files else next(iter(files.values()))
    record: Record = {**base, "inferred": [], "warnings": list(base.get("warnings") or []), "sources": dict(sources)}

    def chosen(table: str) -> Record | None:
        source = sources.get(table)
        return files.get(source) if source is not None else None

    disclosure, applications, review = chosen("active_disclosure"), chosen("applications"), chosen("review_litigation")
    # .get: records stored by older parser versions may lack a table's key
    record["active_disclosure"] = disclosure.get("active_disclosure") if disclosure else None
    record["applications"] = applications.get("applications") if applications else None
    record["review_litigation"] = review.get("review_litigation") if review else None
    for table, from_file in zip(TABLES, (disclosure, applications, review), strict=True):
        if from_file is not None:
            record["inferred"] += [cell for cell in from_file.get("inferred") or [] if cell.startswith(table + ".")]
            record["format"] = record.get("format") or from_file.get("format")
    others = [source for table in TABLES if (source := sources.get(table)) is not None and source != identity]
    for source in dict.fromkeys(others):
        record["warnings"] += [f"document {source}: {warning}" for warning in files[source].get("warnings") or []]
    record["not_a_report"] = all(file.get("not_a_report") for file in files.values())
    return record


def disagreements(files: Mapping[int, Record]) -> list[str]:
    """A warning for every value two files of the report print differently (a blank is no disagreement)."""
    if len(files) < 2:
        return []
    seen: dict[str, dict[int, Any]] = {}
    for document_id in sorted(files):
        for table in TABLES:
            for where, value in _table_numbers(files[document_id], table):
                seen.setdefault(where, {})[document_id] = value
    return [
        "files disagree on "
        + where
        + ": "
        + ", ".join(f"{value} (document {document_id})" for document_id, value in by_file.items())
        for where, by_file in seen.items()
        if len(set(by_file.values())) > 1
    ]
