"""Rendering a record's tables in the layouts reports come in, to test and measure the parser on them.

Text layouts mimic what the seeds show (tab rows with or without parent labels, one cell per line, PDF
text with spaces); HTML uses rowspan/colspan; DOCX uses real Word merged cells; PDF is DOCX through
LibreOffice. ``random_record`` makes a table set that satisfies every rule of report-fields.md.
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

from parsers.cellcheck import T3_KEYS, T4_KEYS
from parsers.tables import RESULT_KEYS

T3_GROUPS = {
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "refused": "（五）不予处理",
    "other": "（六）其他处理",
}
T3_LABELS: dict[str, tuple[str | None, str]] = {
    "new_received": (None, "一、本年新收政府信息公开申请数量"),
    "carried_over_in": (None, "二、上年结转政府信息公开申请数量"),
    "granted": (None, "（一）予以公开"),
    "partially_granted": (None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    "denied_state_secret": ("denied", "1.属于国家秘密"),
    "denied_prohibited_by_law": ("denied", "2.其他法律行政法规禁止公开"),
    "denied_three_safeties_one_stability": ("denied", "3.危及“三安全一稳定”"),
    "denied_third_party_rights": ("denied", "4.保护第三方合法权益"),
    "denied_internal_affairs": ("denied", "5.属于三类内部事务信息"),
    "denied_process_info": ("denied", "6.属于四类过程性信息"),
    "denied_enforcement_files": ("denied", "7.属于行政执法案卷"),
    "denied_administrative_query": ("denied", "8.属于行政查询事项"),
    "unavailable_not_held": ("unavailable", "1.本机关不掌握相关政府信息"),
    "unavailable_needs_creation": ("unavailable", "2.没有现成信息需要另行制作"),
    "unavailable_unclear_after_correction": ("unavailable", "3.补正后申请内容仍不明确"),
    "refused_petition": ("refused", "1.信访举报投诉类申请"),
    "refused_duplicate": ("refused", "2.重复申请"),
    "refused_publication": ("refused", "3.要求提供公开出版物"),
    "refused_excessive": ("refused", "4.无正当理由大量反复申请"),
    "refused_confirmation": ("refused", "5.要求行政机关确认或重新出具已获取信息"),
    "other_overdue_correction": ("other", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    "other_overdue_fee": ("other", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    "other_other": ("other", "3.其他"),
    "total_processed": (None, "（七）总计"),
    "carried_over_out": (None, "四、结转下年度继续办理"),
}
_HEADER_T3 = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
_HEADER_T4 = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
_HEADINGS = ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]
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


def _t2_rows(record: dict[str, Any], quirks: Quirks) -> list[tuple[str, list[str]]]:
    active = record["active_disclosure"]

    def part(key: str) -> list[str]:
        return [quirks.cell(key, i, active[key][name]) for i, name in enumerate(("issued", "repealed", "in_force"))]

    return [
        ("第二十条第（一）项", []),
        ("信息内容", ["本年制发件数", "本年废止件数", "现行有效件数"]),
        ("规章", part("regulations")),
        ("行政规范性文件", part("normative_documents")),
        ("第二十条第（五）项", []),
        ("信息内容", ["本年处理决定数量"]),
        ("行政许可", [quirks.cell("licensing", 0, active["licensing"])]),
        ("第二十条第（六）项", []),
        ("信息内容", ["本年处理决定数量"]),
        ("行政处罚", [quirks.cell("punishment", 0, active["punishment"])]),
        ("行政强制", [quirks.cell("coercion", 0, active["coercion"])]),
        ("第二十条第（八）项", []),
        ("信息内容", ["本年收费金额（单位：万元）"]),
        ("行政事业性收费", [str(active["fees_10k_yuan"])]),
    ]


def _t3_labels(key: str, style: str, typos: dict[str, str]) -> list[str]:
    """A table-三 row's label cells in a PARENT_STYLES style (``empty``: a blank cell per merged label)."""
    group, label = T3_LABELS[key]
    label = typos.get(key, label)
    if style == "none" or key in ("new_received", "carried_over_in", "carried_over_out"):
        return [label]
    parents = ["三、本年度办理结果", *([T3_GROUPS[group]] if group else [])]
    if key == "total_processed":
        parents = parents[:1]
    if style == "repeat":
        return [*parents, label]
    firsts = [key == "granted", group is not None and _first_of(key, group)]
    kept = [parent if first else "" for parent, first in zip(parents, firsts, strict=False)]
    return [*(kept if style == "empty" else [parent for parent in kept if parent]), label]


def typo(label: str, rng: random.Random) -> str:
    """``label`` with one character of its words (not its numbering) changed or dropped; a label of fewer
    than four words (其他, 总计) is left as it is: one character off, it names nothing for sure."""
    words = len(label) - len(label.lstrip("0123456789.、（）()一二三四五六七"))
    if len(label) - words < 4:
        return label
    position = rng.randrange(words, len(label))
    replacement = rng.choice(["", "的", "之", "了", "等"])
    return label[:position] + replacement + label[position + 1 :]


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
    table2 = [[label, *values] for label, values in _t2_rows(record, quirks)]
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
        return intro + _join_plain(rows, layout) + "\n"
    return intro + "\n".join(_render_pipes(heading, table, layout) for heading, table in sections) + "\n"


def _join_plain(rows: list[list[str]], layout: str) -> str:
    if layout == "blocks":
        return "\n\n".join("\n".join("\t" + cell for cell in row) for row in rows)
    if layout == "spaces":
        return "\n".join(" ".join(cell for cell in row) for row in rows)
    return "\n".join("\t".join(row) for row in rows)


def _render_pipes(heading: str, table: list[list[str]], layout: str) -> str:
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
class _Merged:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


def _grids(record: dict[str, Any], quirks: Quirks) -> list[tuple[int, int, list[_Merged]]]:
    """Tables 二, 三, 四 as merged-cell layouts (rows, columns, cells), the way the 2021 format prints them."""
    t2: list[_Merged] = []
    for row, (label, values) in enumerate(_t2_rows(record, quirks)):
        if not values:
            t2.append(_Merged(row, 0, label, colspan=4))
        elif len(values) == 1:
            t2 += [_Merged(row, 0, label), _Merged(row, 1, values[0], colspan=3)]
        else:
            t2 += [_Merged(row, 0, label), *(_Merged(row, 1 + i, v) for i, v in enumerate(values))]
    t3 = [
        _Merged(0, 0, _T3_HEAD, rowspan=3, colspan=3),
        _Merged(0, 3, "申请人情况", colspan=7),
        _Merged(1, 3, "自然人", rowspan=2),
        _Merged(1, 4, "法人或其他组织", colspan=5),
        _Merged(1, 9, "总计", rowspan=2),
        *(_Merged(2, 4 + i, name) for i, name in enumerate(_HEADER_T3[1:6])),
        _Merged(5, 0, "三、本年度办理结果", rowspan=22),
    ]
    group_rows: dict[str, list[int]] = {}
    for offset, key in enumerate(T3_KEYS):
        row = 3 + offset
        group, label = T3_LABELS[key]
        if group:
            group_rows.setdefault(group, []).append(row)
            t3.append(_Merged(row, 2, label))
        elif 5 <= row <= 26:
            t3.append(_Merged(row, 1, label, colspan=2))
        else:
            t3.append(_Merged(row, 0, label, colspan=3))
        t3 += [_Merged(row, 3 + c, quirks.cell(key, c, v)) for c, v in enumerate(record["applications"][key])]
    t3 += [_Merged(rows[0], 1, T3_GROUPS[group], rowspan=len(rows)) for group, rows in group_rows.items()]
    review = record["review_litigation"]
    t4 = [
        _Merged(0, 0, "行政复议", colspan=5),
        _Merged(0, 5, "行政诉讼", colspan=10),
        *(_Merged(1, i, name, rowspan=2) for i, name in enumerate(_HEADER_T4)),
        _Merged(1, 5, "未经复议直接起诉", colspan=5),
        _Merged(1, 10, "复议后起诉", colspan=5),
        *(_Merged(2, 5 + i, name) for i, name in enumerate(_HEADER_T4 * 2)),
        *(
            _Merged(3, 5 * k + c, quirks.cell(key, c, review[key][c]))
            for k, key in enumerate(T4_KEYS)
            for c in range(5)
        ),
    ]
    return [(14, 4, t2), (28, 10, t3), (4, 15, t4)]


_WIDTHS_CM = [[5.0, 4.0, 4.0, 4.0], [1.0, 2.0, 5.0] + [1.3] * 7, [1.14] * 15]


def render_html(record: dict[str, Any], quirks: Quirks, agency: str = "聊城市科学技术局", year: int = 2022) -> bytes:
    parts = [f"<html><head><meta charset='utf-8'><title>{agency}{year}年政府信息公开工作年度报告</title></head><body>"]
    parts += [f"<p>{html.escape(line)}</p>" for line in _INTRO.format(agency=agency, year=year).splitlines() if line]
    for heading, (rows, _, cells) in zip(_HEADINGS, _grids(record, quirks), strict=True):
        parts.append(f"<p>{heading}</p><table border='1'>")
        for row in range(rows):
            tds = [
                f"<td rowspan='{c.rowspan}' colspan='{c.colspan}'>{html.escape(c.text)}</td>"
                for c in sorted(cells, key=lambda c: c.col)
                if c.row == row
            ]
            parts.append("<tr>" + "".join(tds) + "</tr>")
        parts.append("</table>")
    parts.append("<p>五、存在的主要问题及改进情况</p></body></html>")
    return "\n".join(parts).encode("utf-8")


def render_docx(record: dict[str, Any], quirks: Quirks, agency: str = "聊城市科学技术局", year: int = 2022) -> bytes:
    import docx  # python-docx: only needed here
    from docx.shared import Cm, Pt

    document = docx.Document()
    document.sections[0].left_margin = document.sections[0].right_margin = Cm(1.8)
    for line in _INTRO.format(agency=agency, year=year).splitlines():
        if line:
            document.add_paragraph(line)
    for heading, (rows, columns, cells), widths in zip(_HEADINGS, _grids(record, quirks), _WIDTHS_CM, strict=True):
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
    document.add_paragraph("五、存在的主要问题及改进情况")
    buffer = io.BytesIO()
    document.save(buffer)
    return _stable_zip(buffer.getvalue())


def _stable_zip(data: bytes) -> bytes:
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


# Table 二 in both formats, in the merged-cell shapes real tables print (tests/fixtures/parse_table2/README.md
# names where each was seen), with its amounts printed in 万元 or 元.
T2_SHAPES = ("template", "trailing", "doubled", "uneven")
#: How the fee (2021) or procurement (2019) amount shows its unit: in the header, in the cell, or nowhere.
T2_UNITS = ("header_wan", "header_yuan", "cell_yuan", "cell_wan", "cell_yuan_under_wan_header", "none")
_T2_SECTIONS = {
    "2021": [
        ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"], ["规章", "行政规范性文件"]),
        ("第二十条第（五）项", ["本年处理决定数量"], ["行政许可"]),
        ("第二十条第（六）项", ["本年处理决定数量"], ["行政处罚", "行政强制"]),
        ("第二十条第（八）项", ["本年收费金额"], ["行政事业性收费"]),
    ],
    "2019": [
        ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", "规范性文件"]),
        ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"], ["行政许可", "其他对外管理服务事项"]),
        ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"], ["行政处罚", "行政强制"]),
        ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], ["行政事业性收费"]),
        ("第二十条第（九）项", ["采购项目数量", "采购总金额"], ["政府集中采购"]),
    ],
}
_T2_KEYS = {
    "2021": {
        "规章": ("regulations", ("issued", "repealed", "in_force")),
        "行政规范性文件": ("normative_documents", ("issued", "repealed", "in_force")),
        "行政许可": ("licensing", ()),
        "行政处罚": ("punishment", ()),
        "行政强制": ("coercion", ()),
        "行政事业性收费": ("fees_10k_yuan", ()),
    },
    "2019": {
        "规章": ("regulations", ("made", "published", "in_public")),
        "规范性文件": ("normative_documents", ("made", "published", "in_public")),
        "行政许可": ("licensing", ("previous", "change", "decisions")),
        "其他对外管理服务事项": ("other_services", ("previous", "change", "decisions")),
        "行政处罚": ("punishment", ("previous", "change", "decisions")),
        "行政强制": ("coercion", ("previous", "change", "decisions")),
        "行政事业性收费": ("fees", ("previous", "change")),
        "政府集中采购": ("procurement", ("items", "amount_10k_yuan")),
    },
}
_AMOUNTS = frozenset({"fees_10k_yuan", "amount_10k_yuan"})


def random_active(rng: random.Random, table_format: str) -> dict[str, Any]:
    """Table 二 of either format: counts (mostly small), 本年增/减 of either sign, amounts in 万元 to 2 places."""

    def count() -> int:
        return rng.choice([0, 0, 0, rng.randint(1, 9), rng.randint(10, 500), rng.randint(1000, 999999)])

    def amount() -> float | int:
        return rng.choice([0, round(rng.uniform(0, 20000), 2), round(rng.uniform(0, 5), 2)])

    active: dict[str, Any] = {}
    for key, columns in _T2_KEYS[table_format].values():
        if not columns:
            active[key] = amount() if key in _AMOUNTS else count()
        else:
            active[key] = {
                name: amount() if name in _AMOUNTS else rng.randint(-20, 20) if name == "change" else count()
                for name in columns
            }
    return active


def _t2_cells(active: dict[str, Any], table_format: str, quirks: Quirks, unit: str) -> list[tuple[str, list[str]]]:
    """Table 二 as (label, cells) rows: section titles with no cells, header rows, value rows."""
    rows: list[tuple[str, list[str]]] = []
    for title, headers, labels in _T2_SECTIONS[table_format]:
        named = [_amount_header(name, unit) if "金额" in name else name for name in headers]
        rows += [(title, []), ("信息内容", named)]
        for label in labels:
            key, columns = _T2_KEYS[table_format][label]
            values = [active[key][name] for name in columns] if columns else [active[key]]
            names = columns or (key,)
            cells = [
                _amount_cell(quirks, key, i, value, unit) if name in _AMOUNTS else quirks.cell(key, i, value)
                for i, (name, value) in enumerate(zip(names, values, strict=True))
            ]
            rows.append((label, cells))
    return rows


def _amount_header(name: str, unit: str) -> str:
    return name + {"header_wan": "（单位：万元）", "header_yuan": "（单位：元）"}.get(
        unit, "（单位：万元）" if unit == "cell_yuan_under_wan_header" else ""
    )


def _amount_cell(quirks: Quirks, key: str, column: int, value: float | int, unit: str) -> str:
    if (key, column) in quirks.blanks:
        return ""
    if unit in ("header_yuan", "cell_yuan", "cell_yuan_under_wan_header"):
        yuan = format((Decimal(str(value)) * 10000).normalize(), "f")
        return yuan + ("" if unit == "header_yuan" else "元")
    return str(value) + ("万元" if unit == "cell_wan" else "")


def render_t2_text(
    record: dict[str, Any], active: dict[str, Any], table_format: str, layout: str, quirks: Quirks, unit: str
) -> str:
    """The report of ``render_text`` (any of TEXT_LAYOUTS) with table 二 replaced by ``active``
    (``random_active``) in ``table_format``."""
    full = render_text(record, layout, quirks)
    head = "二、主动公开政府信息情况"
    rows = [[label, *cells] for label, cells in _t2_cells(active, table_format, quirks, unit)]
    start = full.rindex("\n", 0, full.index(head)) + 1
    tail = full.rindex("\n", 0, full.index("三、收到和处理政府信息公开申请情况")) + 1
    if layout in ("tabs", "tabs_leaf", "blocks", "spaces"):
        table = _join_plain([[head], *rows], layout) + ("\n\n" if layout == "blocks" else "\n")
    else:
        table = _render_pipes(head, rows, layout) + "\n"
    return full[:start] + table + full[tail:]


def _t2_widths(shape: str) -> tuple[int, list[int], dict[int, list[int]], int]:
    """Label width, value widths of a three-column section, of a two- and one-column section, trailing blanks.

    A two-column section of the template leaves the third column blank (武汉 2019 format)."""
    if shape == "doubled":
        return 2, [2, 2, 2], {2: [3, 3], 1: [6]}, 0
    if shape == "uneven":
        return 1, [1, 2, 3], {2: [2, 4], 1: [6]}, 0
    return 1, [1, 1, 1], {2: [1, 1], 1: [3]}, 2 if shape == "trailing" else 0


def t2_grid(
    active: dict[str, Any], table_format: str, shape: str, quirks: Quirks, unit: str
) -> tuple[int, int, list[_Merged]]:
    """Table 二 as merged cells (rows, columns, cells) in one of T2_SHAPES."""
    label, three, fewer, trailing = _t2_widths(shape)
    width = label + sum(three) + trailing
    cells: list[_Merged] = []
    rows = _t2_cells(active, table_format, quirks, unit)
    for row, (text, values) in enumerate(rows):
        if not values:
            cells.append(_Merged(row, 0, text, colspan=width))
            continue
        cells.append(_Merged(row, 0, text, colspan=label))
        column = label
        for value, span in zip(values, three if len(values) == 3 else fewer[len(values)], strict=True):
            cells.append(_Merged(row, column, value, colspan=span))
            column += span
        if column < width:
            cells.append(_Merged(row, column, "", colspan=width - column))
    return len(rows), width, cells


def render_t2_html(
    record: dict[str, Any], active: dict[str, Any], table_format: str, shape: str, quirks: Quirks, unit: str
) -> bytes:
    """``render_html`` with table 二 replaced by ``t2_grid``'s of ``active`` (colspan markup)."""
    rows, _, cells = t2_grid(active, table_format, shape, quirks, unit)
    markup = ["<table border='1'>"]
    for row in range(rows):
        tds = [f"<td colspan='{c.colspan}'>{html.escape(c.text)}</td>" for c in cells if c.row == row]
        markup.append("<tr>" + "".join(tds) + "</tr>")
    page = render_html(record, quirks).decode("utf-8")
    start = page.index("<table")
    end = page.index("</table>", start)
    return (page[:start] + "\n".join(markup) + page[end:]).encode("utf-8")


def render_t2_docx(
    record: dict[str, Any], active: dict[str, Any], table_format: str, shape: str, quirks: Quirks, unit: str
) -> bytes:
    """``render_docx`` with table 二 replaced by ``t2_grid``'s of ``active``, as Word merged cells."""
    import docx  # python-docx: only needed here

    document = docx.Document(io.BytesIO(render_docx(record, quirks)))
    rows, columns, cells = t2_grid(active, table_format, shape, quirks, unit)
    table = document.add_table(rows=rows, cols=columns)
    table.style = "Table Grid"
    for cell in cells:
        target = table.cell(cell.row, cell.col)
        if cell.colspan > 1:
            target = target.merge(table.cell(cell.row, cell.col + cell.colspan - 1))
        target.text = cell.text
    old = document.tables[0]._tbl
    old.addnext(table._tbl)
    old.getparent().remove(old)
    buffer = io.BytesIO()
    document.save(buffer)
    return _stable_zip(buffer.getvalue())
