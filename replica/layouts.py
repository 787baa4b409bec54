"""Annual reports rendered from a record of their tables, in the layouts reports come in: what the replica
serves on the portals that have no saved report of their own, and what the tests and benchmarks feed the parser.

Text layouts mimic what the seeds show (tab rows with or without parent labels, one cell per line, PDF
text with spaces, the ``|`` shapes of web pages); HTML uses rowspan/colspan; DOCX uses real Word merged
cells; PDF is DOCX through LibreOffice (``docx_to_pdf``: the benchmark's templates, never the demo).
``random_record`` makes a table set that satisfies every rule of report-fields.md.
"""

from __future__ import annotations

import html
import io
import random
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from parsers import form
from parsers.form import RESULT_KEYS, T3_KEYS, T4_KEYS

T3_GROUPS = form.TABLE3_GROUPS
#: Each table-三 row's merged parent label (its group) and its own label, as the form prints them.
T3_LABELS = {row.key: (row.group, row.label) for row in form.TABLE3_ROWS}
_HEADER_T3 = list(form.TABLE3_COLUMNS)
_HEADER_T4 = list(form.TABLE4_COLUMNS)
_HEADINGS = [form.TABLE2_TITLE, form.TABLE3_TITLE, form.TABLE4_TITLE]
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
#: Text layouts: tab rows (``tabs``, ``tabs_leaf``: leaf labels only), one tab-led cell per line (``blocks``),
#: PDF text (``spaces``), and the ``|`` shapes of web pages flattened to text (tests/fixtures/parse_layouts/
#: README.md names where each was seen): a row per line (``pipes``), Markdown (``markdown``), one cell per line
#: followed by `` |`` with a lone ``|`` starting each row (``pipe_cells``), ``|`` on its own line between cells
#: (``pipe_between``).
TEXT_LAYOUTS = ("tabs", "tabs_leaf", "blocks", "spaces", "pipes", "markdown", "pipe_cells", "pipe_between")
#: How a row repeats the merged labels of its groups (三、本年度办理结果, (三)不予公开): on every row, on the
#: group's first row only, as empty cells after the first row, or never (leaf labels only).
PARENT_STYLES = ("repeat", "first", "empty", "none")


def random_record(rng: random.Random) -> dict[str, Any]:
    """Tables 二–四 (format 2021) that satisfy every in-table rule; counts mostly small, some large."""

    def count() -> int:
        return rng.choice([0, 0, 0, 0, rng.randint(1, 9), rng.randint(10, 500), rng.randint(1000, 99999)])

    columns = []
    for _ in range(6):
        results = {key: count() for key in RESULT_KEYS}
        total = sum(results.values())
        out = count()
        carried_in = rng.randint(0, total + out)
        columns.append(
            {
                **results,
                "total_processed": total,
                "carried_over_out": out,
                "carried_over_in": carried_in,
                "new_received": total + out - carried_in,
            }
        )
    applications = {key: [column[key] for column in columns] for key in T3_KEYS}
    for values in applications.values():
        values.append(sum(values))
    review = {}
    for key in T4_KEYS:
        parts = [count() for _ in range(4)]
        review[key] = [*parts, sum(parts)]
    active = {
        "regulations": {"issued": count(), "repealed": count(), "in_force": count()},
        "normative_documents": {"issued": count(), "repealed": count(), "in_force": count()},
        "licensing": count(),
        "punishment": count(),
        "coercion": count(),
        "fees_10k_yuan": rng.choice([0, round(rng.uniform(0, 20000), 2)]),
    }
    return {"active_disclosure": active, "applications": applications, "review_litigation": review}


@dataclass
class Quirks:
    """How cells are printed: blanked cells (row, column) print nothing; zeros as marks; other digit forms;
    merged labels in one of PARENT_STYLES; row labels printed with a typo (key → label); a sentence in the
    prose giving the number of new applications (本年新收政府信息公开申请N件)."""

    blanks: frozenset[tuple[str, int]] = frozenset()
    zero_mark: str = "0"
    full_width: bool = False
    thousands: bool = False
    parents: str = "repeat"
    typos: dict[str, str] = field(default_factory=dict)
    prose: bool = False

    def cell(self, key: str, column: int, value: int | float | None) -> str:
        if value is None or (key, column) in self.blanks:
            return ""
        if value == 0:
            return self.zero_mark
        text = f"{value:,}" if self.thousands and isinstance(value, int) else str(value)
        return text.translate(_FULL_WIDTH) if self.full_width else text


def _t3_labels(key: str, style: str, typos: dict[str, str]) -> list[str]:
    """A table-三 row's label cells in a PARENT_STYLES style (``empty``: a blank cell per merged label)."""
    group, label = T3_LABELS[key]
    label = typos.get(key, label)
    if style == "none" or key in ("new_received", "carried_over_in", "carried_over_out"):
        return [label]
    parents = [form.TABLE3_RESULTS_LABEL, *([T3_GROUPS[group]] if group else [])]
    if key == "total_processed":
        parents = parents[:1]
    if style == "repeat":
        return [*parents, label]
    firsts = [key == "granted", group is not None and _first_of(key, group)]
    kept = [parent if first else "" for parent, first in zip(parents, firsts, strict=False)]
    return [*(kept if style == "empty" else [parent for parent in kept if parent]), label]


def _first_of(key: str, group: str) -> bool:
    return next(k for k in T3_KEYS if T3_LABELS[k][0] == group) == key


_INTRO = (
    "{agency}\n{year}年政府信息公开工作年度报告\n\n本报告中所列数据统计期限自{year}年1月1日起至{year}年12月31日止。\n\n"
)
_PROSE = (
    "一、总体情况\n（二）依申请公开情况。{year}年，本机关本年新收政府信息公开申请{new}件，上年结转{carried}件。\n\n"
)
_T3_HEAD = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def render_text(
    record: dict[str, Any], layout: str, quirks: Quirks, agency: str = "聊城市科学技术局", year: int = 2022
) -> str:
    """The report as text in one of TEXT_LAYOUTS."""
    t3 = record["applications"]
    t4 = record["review_litigation"]
    style = "none" if layout == "tabs_leaf" else quirks.parents
    table2 = [[label, *values] for label, values in _form_t2(record, quirks)]
    table3: list[list[str]] = [[_T3_HEAD, "申请人情况"], ["", *_HEADER_T3]]
    for key in T3_KEYS:
        cells = [quirks.cell(key, column, value) for column, value in enumerate(t3[key])]
        table3.append([*_t3_labels(key, style, quirks.typos), *cells])
    table4 = [["行政复议", "行政诉讼"], _HEADER_T4 * 3]
    table4.append([quirks.cell(key, column, value) for key in T4_KEYS for column, value in enumerate(t4[key])])
    sections = [(heading, table) for heading, table in zip(_HEADINGS, (table2, table3, table4), strict=True)]
    sections.append(("五、存在的主要问题及改进情况", []))
    intro = _INTRO.format(agency=agency, year=year)
    if quirks.prose:
        intro += _PROSE.format(year=year, new=t3["new_received"][6], carried=t3["carried_over_in"][6])
    if layout in ("tabs", "tabs_leaf", "blocks", "spaces"):
        rows = [row for heading, table in sections for row in [[heading], *table]]
        return intro + join_plain(rows, layout) + "\n"
    return intro + "\n".join(render_pipes(heading, table, layout) for heading, table in sections) + "\n"


def join_plain(rows: list[list[str]], layout: str) -> str:
    if layout == "blocks":
        return "\n\n".join("\n".join("\t" + cell for cell in row) for row in rows)
    if layout == "spaces":
        return "\n".join(" ".join(cell for cell in row) for row in rows)
    return "\n".join("\t".join(row) for row in rows)


def render_pipes(heading: str, table: list[list[str]], layout: str) -> str:
    """A heading line, then the table in one of the ``|`` layouts (empty cells pad rows to the table's width
    where the real shape pads them: Markdown's columns, the ``|||`` runs after a merged cell)."""
    width = max((len(row) for row in table), default=0)
    lines = [heading]
    for index, row in enumerate(table):
        if layout == "pipes":
            lines.append(" | ".join(row) + " |")
        elif layout == "markdown":
            lines.append("| " + " | ".join(row + [""] * (width - len(row))) + " |")
            if index == 0:
                lines.append("|" + "---|" * width)
        elif layout == "pipe_cells":
            cells = [f"{cell} |".strip() for cell in row]
            cells[-1] += " " + "|" * (width - len(row)) if len(row) < width else ""
            lines += ["|", *cells]
        else:
            lines += [*("\n|\n".join(row).split("\n")), "|"]
    return "\n".join(lines)


@dataclass
class MergedCell:
    """A cell of a printed table at (row, col), spanning ``rowspan`` rows and ``colspan`` columns."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


def _t3_grid(record: dict[str, Any], quirks: Quirks) -> tuple[int, int, list[MergedCell]]:
    """Table 三 as the form prints it: three header rows, labels merged down their groups (``parsers.form``)."""
    first_result = 3 + T3_KEYS.index(RESULT_KEYS[0])
    last_result = 3 + T3_KEYS.index("total_processed")
    cells = [
        MergedCell(0, 0, _T3_HEAD, rowspan=3, colspan=3),
        MergedCell(0, 3, form.TABLE3_APPLICANTS_HEADER, colspan=7),
        MergedCell(1, 3, _HEADER_T3[0], rowspan=2),
        MergedCell(1, 4, form.TABLE3_ORGANISATIONS_HEADER, colspan=5),
        MergedCell(1, 9, _HEADER_T3[-1], rowspan=2),
        *(MergedCell(2, 4 + i, name) for i, name in enumerate(_HEADER_T3[form.TABLE3_ORGANISATIONS])),
        MergedCell(first_result, 0, form.TABLE3_RESULTS_LABEL, rowspan=last_result - first_result + 1),
    ]
    group_rows: dict[str, list[int]] = {}
    for row, form_row in enumerate(form.TABLE3_ROWS, start=3):
        if form_row.group:
            group_rows.setdefault(form_row.group, []).append(row)
            cells.append(MergedCell(row, 2, form_row.label))
        elif first_result <= row <= last_result:
            cells.append(MergedCell(row, 1, form_row.label, colspan=2))
        else:
            cells.append(MergedCell(row, 0, form_row.label, colspan=3))
        values = record["applications"][form_row.key]
        cells += [MergedCell(row, 3 + c, quirks.cell(form_row.key, c, v)) for c, v in enumerate(values)]
    cells += [MergedCell(rows[0], 1, T3_GROUPS[group], rowspan=len(rows)) for group, rows in group_rows.items()]
    return 3 + len(T3_KEYS), 10, cells


def _t4_grid(record: dict[str, Any], quirks: Quirks) -> tuple[int, int, list[MergedCell]]:
    """Table 四 as the form prints it: one row of fifteen values under 行政复议 and 行政诉讼's two kinds."""
    review = record["review_litigation"]
    width = len(_HEADER_T4)
    review_row, *litigation_rows = form.TABLE4_ROWS
    cells = [
        MergedCell(0, 0, review_row.label, colspan=width),
        MergedCell(0, width, form.TABLE4_GROUPS["litigation"], colspan=width * len(litigation_rows)),
        *(MergedCell(1, i, name, rowspan=2) for i, name in enumerate(_HEADER_T4)),
        *(MergedCell(1, width * (k + 1), row.label, colspan=width) for k, row in enumerate(litigation_rows)),
        *(MergedCell(2, width + i, name) for i, name in enumerate(_HEADER_T4 * len(litigation_rows))),
        *(
            MergedCell(3, width * k + c, quirks.cell(key, c, review[key][c]))
            for k, key in enumerate(T4_KEYS)
            for c in range(width)
        ),
    ]
    return 4, width * len(T4_KEYS), cells


def grids(record: dict[str, Any], quirks: Quirks) -> list[tuple[int, int, list[MergedCell]]]:
    """Tables 二, 三, 四 as merged-cell layouts (rows, columns, cells), the way the 2021 format prints them."""
    t2: list[MergedCell] = []
    rows = _form_t2(record, quirks)
    for row, (label, values) in enumerate(rows):
        if not values:
            t2.append(MergedCell(row, 0, label, colspan=4))
        elif len(values) == 1:
            t2 += [MergedCell(row, 0, label), MergedCell(row, 1, values[0], colspan=3)]
        else:
            t2 += [MergedCell(row, 0, label), *(MergedCell(row, 1 + i, v) for i, v in enumerate(values))]
    return [(len(rows), 4, t2), _t3_grid(record, quirks), _t4_grid(record, quirks)]


_WIDTHS_CM = [[5.0, 4.0, 4.0, 4.0], [1.0, 2.0, 5.0] + [1.3] * 7, [1.14] * 15]


def html_table(rows: int, cells: list[MergedCell]) -> str:
    """A merged-cell layout as HTML table markup with rowspan/colspan."""
    lines = ["<table border='1'>"]
    for row in range(rows):
        tds = [
            f"<td rowspan='{c.rowspan}' colspan='{c.colspan}'>{html.escape(c.text)}</td>"
            for c in sorted(cells, key=lambda c: c.col)
            if c.row == row
        ]
        lines.append("<tr>" + "".join(tds) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def html_tables(record: dict[str, Any], quirks: Quirks) -> list[str]:
    """Each table's heading paragraph followed by its markup."""
    parts = []
    for heading, (rows, _, cells) in zip(_HEADINGS, grids(record, quirks), strict=True):
        parts.append(f"<p>{heading}</p>" + html_table(rows, cells))
    return parts


def render_html(record: dict[str, Any], quirks: Quirks, agency: str = "聊城市科学技术局", year: int = 2022) -> bytes:
    parts = [f"<html><head><meta charset='utf-8'><title>{agency}{year}年政府信息公开工作年度报告</title></head><body>"]
    parts += [f"<p>{html.escape(line)}</p>" for line in _INTRO.format(agency=agency, year=year).splitlines() if line]
    parts += html_tables(record, quirks)
    parts.append("<p>五、存在的主要问题及改进情况</p></body></html>")
    return "\n".join(parts).encode("utf-8")


def render_docx(
    record: dict[str, Any],
    quirks: Quirks,
    agency: str = "聊城市科学技术局",
    year: int = 2022,
    prose: tuple[list[str], list[str]] | None = None,
) -> bytes:
    """The report as a Word file with real merged cells; ``prose``: paragraphs before and after the tables
    (default: a short intro and section 五's heading)."""
    import docx  # python-docx: only needed here
    from docx.shared import Cm, Pt

    intro = [line for line in _INTRO.format(agency=agency, year=year).splitlines() if line]
    before, after = prose or (intro, ["五、存在的主要问题及改进情况"])
    document = docx.Document()
    document.sections[0].left_margin = document.sections[0].right_margin = Cm(1.8)
    for line in before:
        document.add_paragraph(line)
    for heading, (rows, columns, cells), widths in zip(_HEADINGS, grids(record, quirks), _WIDTHS_CM, strict=True):
        document.add_paragraph(heading)
        table = document.add_table(rows=rows, cols=columns)
        table.style = "Table Grid"
        table.autofit = False
        for grid_column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_column.w = Cm(width)
        for grid_row in table.rows:
            for width, grid_cell in zip(widths, grid_row.cells, strict=True):
                grid_cell.width = Cm(width)
        for cell in cells:
            target = table.cell(cell.row, cell.col)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(table.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
            target.text = cell.text
            for run in (run for paragraph in target.paragraphs for run in paragraph.runs):
                run.font.size = Pt(7 if columns > 4 else 10)
    for line in after:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue())


def stable_zip(data: bytes) -> bytes:
    """The same DOCX bytes for the same report on every run: the zip entries' times (python-docx stamps
    the current time) are set to one fixed date, so a replica serving it does not change between runs."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(entry))
    return out.getvalue()


def docx_to_pdf(documents: list[bytes]) -> list[bytes]:
    """PDFs of DOCX files, converted in one LibreOffice run (a few seconds for the batch)."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        names = []
        for index, data in enumerate(documents):
            (folder / f"d{index}.docx").write_bytes(data)
            names.append(str(folder / f"d{index}.docx"))
        profile = (folder / "profile").as_uri()
        command = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf"]
        subprocess.run([*command, "--outdir", scratch, *names], check=True, capture_output=True, timeout=300)
        return [(folder / f"d{index}.pdf").read_bytes() for index in range(len(documents))]


def t2_values(section: form.Section, row: form.FormRow) -> list[tuple[str, form.Column]]:
    """A table-二 row's values as (record key, column): a section of one bare value is keyed by the row."""
    if section.scalar:
        return [(row.key, section.columns[0])]
    return list(zip(section.record_columns(), section.columns, strict=True))


def _form_t2(record: dict[str, Any], quirks: Quirks) -> list[tuple[str, list[str]]]:
    """Table 二 of the 2021 form, its amount in 万元 as the form's header says."""
    return t2_cells(record["active_disclosure"], "2021", quirks, "header_wan")


def t2_cells(active: dict[str, Any], table_format: str, quirks: Quirks, unit: str) -> list[tuple[str, list[str]]]:
    """Table 二 as (label, cells) rows: section titles with no cells, header rows, value rows."""
    rows: list[tuple[str, list[str]]] = []
    for section in form.TABLE2[table_format]:
        named = [_amount_header(column.header, unit) if column.money else column.header for column in section.columns]
        rows += [(section.article, []), (form.TABLE2_LABEL_HEADER, named)]
        for row in section.rows:
            cells = []
            for i, (key, column) in enumerate(t2_values(section, row)):
                number = active[row.key] if section.scalar else active[row.key][key]
                if column.money:
                    cells.append(_amount_cell(quirks, row.key, i, number, unit))
                else:
                    cells.append(quirks.cell(row.key, i, number))
            rows.append((row.label, cells))
    return rows


def _amount_header(name: str, unit: str) -> str:
    return name + {"header_wan": "（单位：万元）", "header_yuan": "（单位：元）"}.get(
        unit, "（单位：万元）" if unit == "cell_yuan_under_wan_header" else ""
    )


def _amount_cell(quirks: Quirks, key: str, column: int, value: float | int | None, unit: str) -> str:
    if value is None or (key, column) in quirks.blanks:
        return ""
    if unit in ("header_yuan", "cell_yuan", "cell_yuan_under_wan_header"):
        yuan = format((Decimal(str(value)) * 10000).normalize(), "f")
        return yuan + ("" if unit == "header_yuan" else "元")
    return str(value) + ("万元" if unit == "cell_wan" else "")
