"""Parsed records in the archive: each file's own, and one record per report.

A report often comes as several files (the HTML page and its DOCX attachment, a scan and its OCR, a
corrected version). Each file's record is stored as parsed (``records``, written inside the same
transaction as its document, or on ``nianbao reparse``). The report's record is built from them
(``rebuild``, table ``report_records``) so that every listing, sum and check sees the report once: per
statistics table the values of the most complete file (most cells holding a number; ties: the primary
file), saying which file they came from; the values on which the files disagree as warnings; the checks
run again on the merged record, with the cross-year ones against last year's report of the same agency
(re-run for next year's report when a report changes). Tables 三 and 四 of the report's record are also
kept cell by cell (``record_cells``, under the file they came from) so that researchers can query them in
SQL; its checks go to ``record_checks`` (under the report's primary file).
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import sqlite_utils

from archive import aliases
from parsers.checks import TABLES, cross_year_checks, record_status, run_checks
from parsers.document import ExtractedDocument
from parsers.form import TABLE3_COLUMNS, TABLE4_COLUMNS
from parsers.record import PARSER_VERSION, parse
from parsers.report import Check, ReportRecord

#: The tables kept cell by cell, with their column labels (for the warnings that name a cell).
_CELL_TABLES = {"applications": TABLE3_COLUMNS, "review_litigation": TABLE4_COLUMNS}
Record = ReportRecord


def parse_safely(extracted: ExtractedDocument) -> Record | None:
    """The record, or None if the parser fails: a parser bug must never cost the archive a document."""
    try:
        return parse(extracted)
    except MemoryError:
        raise  # the document's memory ceiling (archive/bounded.py): a failure of the document, not a parser bug
    except Exception:
        return None


def identity_columns(record: Record | None) -> dict[str, object]:
    """The documents-table columns a record fills (search filters read them)."""
    if record is None:
        return {}
    region = record.get("region")
    return {
        "agency": record.get("agency"),
        "year": record.get("year"),
        "province": region and region["province"],
        "city": region and region["city"],
        "county": region and region["county"],
        "format": record.get("format"),
    }


def store(db: sqlite_utils.Database, document_id: int, record: Record) -> None:
    """Write the file's own record (replacing an older one); call inside a write transaction, then
    ``rebuild`` the file's report (whose record may now come from it)."""
    failed = sum(1 for check in (record.get("checks") or {}).values() if check["status"] == "fail")
    db.execute(
        "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?)",
        [
            document_id,
            record.get("parser", PARSER_VERSION),
            json.dumps(record, ensure_ascii=False),
            int(bool(record.get("not_a_report"))),
            failed,
            _now(),
        ],
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# -- the report's record from its files' records (pure) ---------------------------------------------------


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


# -- the report's record in the archive -------------------------------------------------------------------


def _file_records(db: sqlite_utils.Database, report_id: int) -> tuple[list[int], dict[int, Record]]:
    """The report's document ids, and the records of those that have one."""
    rows = db.execute(
        """SELECT d.id, x.record FROM documents d LEFT JOIN records x ON x.document_id = d.id
           WHERE d.report_id = ? ORDER BY d.id""",
        [report_id],
    ).fetchall()
    return [row[0] for row in rows], {row[0]: json.loads(row[1]) for row in rows if row[1] is not None}


def rebuild(db: sqlite_utils.Database, report_id: int, neighbours: bool = True) -> None:
    """Build the report's record from its files' records; call inside a write transaction whenever a file
    joins or leaves the report or a file's record changes. With ``neighbours``, next year's report of the
    same agency is rebuilt too (its cross-year checks read this one)."""
    primary_row = db.execute("SELECT primary_document_id FROM reports WHERE id = ?", [report_id]).fetchone()
    if primary_row is None:
        return
    primary = int(primary_row[0])
    ids, files = _file_records(db, report_id)
    marks = ", ".join("?" * len(ids))
    db.execute(f"DELETE FROM record_cells WHERE document_id IN ({marks})", ids)
    db.execute(f"DELETE FROM record_checks WHERE document_id IN ({marks})", ids)
    if not files:  # nothing parsed yet: the report is listed as unparsed
        _write_report_row(db, report_id, {}, [], {}, None, False)
        return
    sources = choose_sources(files, primary)
    record = assemble(files, sources)
    checks = _own_checks(files, primary) or run_checks(record)
    previous = _neighbours(db, report_id, record, -1)
    if previous and (last_year := report_record(db, previous[0])) is not None:
        checks.update(cross_year_checks(record, last_year))
    _write_cells(db, record, sources)
    db.conn.executemany(
        "INSERT INTO record_checks VALUES (?, ?, ?, ?)",
        [
            [primary, name, check["status"], json.dumps(check.get("failures"), ensure_ascii=False)]
            for name, check in checks.items()
        ],
    )
    warnings = disagreements({i: file for i, file in files.items() if not file.get("not_a_report")})
    status = record_status(record, checks)
    _write_report_row(db, report_id, sources, warnings, checks, status, record["not_a_report"])
    if neighbours:
        for later in _neighbours(db, report_id, record, +1):
            rebuild(db, later, neighbours=False)


def _own_checks(files: Mapping[int, Record], primary: int) -> dict[str, Check] | None:
    """A report of one parsed file has that file's record, which the parser has checked already: its
    in-document checks, without re-running them while the write lock is held."""
    if list(files) != [primary]:
        return None
    checks = files[primary].get("checks") or {}
    return {name: check for name, check in checks.items() if not name.startswith("cross_year.")} or None


def _write_cells(db: sqlite_utils.Database, record: Record, sources: Mapping[str, int | None]) -> None:
    inferred = set(record.get("inferred") or [])
    cells = []
    tables = (("applications", record.get("applications")), ("review_litigation", record.get("review_litigation")))
    for table, rows in tables:
        source = sources.get(table)
        for row, values in (rows or {}).items():
            for column, value in enumerate(values or []):
                cells.append([source, table, row, column, value, int(f"{table}.{row}[{column}]" in inferred)])
    db.conn.executemany("INSERT INTO record_cells VALUES (?, ?, ?, ?, ?, ?)", cells)


def _write_report_row(
    db: sqlite_utils.Database,
    report_id: int,
    sources: Mapping[str, int | None],
    warnings: list[str],
    checks: Mapping[str, Any],
    status: str | None,
    not_a_report: bool,
) -> None:
    """The report_records row, last: its insert refreshes the report's browse row (archive/db.py)."""
    failed = sum(1 for check in checks.values() if check["status"] == "fail")
    db.execute(
        "INSERT OR REPLACE INTO report_records VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report_id,
            json.dumps(sources),
            json.dumps(warnings, ensure_ascii=False),
            json.dumps(checks, ensure_ascii=False),
            status,
            int(not_a_report),
            failed,
            _now(),
        ],
    )


def _neighbours(db: sqlite_utils.Database, report_id: int, record: Record, step: int) -> list[int]:
    """Parsed reports of the same body for ``year + step`` (newest first), by their primary file: the same
    agency under any of its names within its region (聊城市科技局 = 聊城市科学技术局, ``archive.aliases``)."""
    year, agency = record.get("year"), record.get("agency")
    if not agency or year is None:
        return []
    region = record.get("region")
    place = (region["province"], region["city"], region["county"]) if region else (None, None, None)
    body = aliases.Body.of(agency, *place)
    names = body.names()
    rows = db.execute(
        f"""SELECT r.id, d.agency, d.province, d.city, d.county FROM documents d
           JOIN reports r ON r.primary_document_id = d.id
           JOIN report_records x ON x.report_id = r.id AND x.status IS NOT NULL
           WHERE d.agency IN ({", ".join("?" * len(names))}) AND d.year = ? AND r.id != ? ORDER BY r.id DESC""",
        [*names, year + step, report_id],
    )
    return [row[0] for row in rows if aliases.Body.of(*row[1:]) == body]


def report_record(db: sqlite_utils.Database, report_id: int) -> Record | None:
    """The report's record as built by ``rebuild`` (None: no file of it is parsed): identity and tables
    from their sources (``sources``), the report's checks and status, disagreements among the warnings."""
    row = db.execute(
        "SELECT sources, warnings, checks, status FROM report_records WHERE report_id = ?", [report_id]
    ).fetchone()
    if row is None or row[3] is None:
        return None
    _, files = _file_records(db, report_id)
    if not files:
        return None
    sources = {part: source for part, source in json.loads(row[0]).items()}
    record = assemble(files, sources)
    record["warnings"] += json.loads(row[1])
    record["checks"] = json.loads(row[2])
    record["status"] = row[3]
    return record


def load(db: sqlite_utils.Database, document_id: int) -> Record | None:
    """One file's own record, as parsed (the report's: ``report_record``)."""
    row = db.execute("SELECT record FROM records WHERE document_id = ?", [document_id]).fetchone()
    return None if row is None else typing.cast(Record, json.loads(row[0]))


def stale_document_ids(db: sqlite_utils.Database, everything: bool = False) -> list[int]:
    """Documents without a record or with one from an older parser version (all of them with ``everything``)."""
    condition = "1" if everything else "x.document_id IS NULL OR x.parser_version < ?"
    parameters = [] if everything else [PARSER_VERSION]
    sql = f"SELECT d.id FROM documents d LEFT JOIN records x ON x.document_id = d.id WHERE {condition} ORDER BY d.id"
    return [row[0] for row in db.execute(sql, parameters)]


def failing(db: sqlite_utils.Database, check: str | None = None) -> list[dict[str, Any]]:
    """Reports with failed checks (of their report-level record), with each failure's numbers. What is not
    a report is left out: a notice's date is not a report's signature (``with_status(db, "not_a_report")``)."""
    sql = """SELECT r.id, d.id, d.title, c.name, c.details FROM record_checks c
             JOIN documents d ON d.id = c.document_id
             JOIN reports r ON r.id = d.report_id AND r.primary_document_id = d.id
             JOIN report_records x ON x.report_id = r.id AND NOT x.not_a_report
             WHERE c.status = 'fail' AND (? IS NULL OR c.name = ?) ORDER BY r.id, c.name"""
    out: dict[int, dict[str, Any]] = {}
    for report_id, document_id, title, name, details in db.execute(sql, [check, check]):
        entry = out.setdefault(report_id, {"report_id": report_id, "document_id": document_id, "title": title})
        entry.setdefault("failed", {})[name] = json.loads(details or "null")
    return list(out.values())


def with_status(db: sqlite_utils.Database, status: str) -> list[dict[str, Any]]:
    """Reports whose status (the browse table's ``check_status``) is ``status``, with the tables each lacks."""
    sql = """SELECT b.id, b.document_id, b.title, json_extract(x.checks, '$."tables.complete".missing')
             FROM browse b LEFT JOIN report_records x ON x.report_id = b.id
             WHERE b.check_status = ? ORDER BY b.id"""
    return [
        {"report_id": report_id, "document_id": document_id, "title": title, "missing": json.loads(missing or "[]")}
        for report_id, document_id, title, missing in db.execute(sql, [status])
    ]


def status_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How many reports have each status (as the browse table's ``check_status`` shows it)."""
    return dict(db.execute("SELECT check_status, count(*) FROM browse GROUP BY 1 ORDER BY 2 DESC").fetchall())
