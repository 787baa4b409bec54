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
from dataclasses import dataclass
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
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
TEXT_LAYOUTS = ("tabs", "tabs_leaf", "blocks", "spaces")


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
    """How cells are printed: blanked cells (row, column) print nothing; zeros as marks; other digit forms."""

    blanks: frozenset[tuple[str, int]] = frozenset()
    zero_mark: str = "0"
    full_width: bool = False
    thousands: bool = False

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


def _t3_labels(key: str, leaf_only: bool) -> list[str]:
    group, label = T3_LABELS[key]
    if leaf_only:
        return [label]
    if key in ("new_received", "carried_over_in", "carried_over_out"):
        return [label]
    return ["三、本年度办理结果", *([T3_GROUPS[group]] if group else []), label]


_INTRO = (
    "{agency}\n{year}年政府信息公开工作年度报告\n\n本报告中所列数据统计期限自{year}年1月1日起至{year}年12月31日止。\n\n"
)
_T3_HEAD = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def render_text(
    record: dict[str, Any], layout: str, quirks: Quirks, agency: str = "聊城市科学技术局", year: int = 2022
) -> str:
    """One of TEXT_LAYOUTS: ``tabs`` (parent labels on each line), ``tabs_leaf`` (leaf labels only),
    ``blocks`` (one tab-led cell per line, rows apart), ``spaces`` (PDF text: cells split by spaces)."""
    t3 = record["applications"]
    t4 = record["review_litigation"]
    rows: list[list[str]] = [["二、主动公开政府信息情况"]]
    rows += [[label, *values] for label, values in _t2_rows(record, quirks)]
    rows += [["三、收到和处理政府信息公开申请情况"], [_T3_HEAD, "申请人情况"], ["", *_HEADER_T3]]
    for key in T3_KEYS:
        cells = [quirks.cell(key, column, value) for column, value in enumerate(t3[key])]
        rows.append([*_t3_labels(key, layout == "tabs_leaf"), *cells])
    rows += [["四、政府信息公开行政复议、行政诉讼情况"], ["行政复议", "行政诉讼"], _HEADER_T4 * 3]
    rows.append([quirks.cell(key, column, value) for key in T4_KEYS for column, value in enumerate(t4[key])])
    rows.append(["五、存在的主要问题及改进情况"])
    if layout == "blocks":
        body = "\n\n".join("\n".join("\t" + cell for cell in row) for row in rows)
    elif layout == "spaces":
        body = "\n".join(" ".join(cell for cell in row) for row in rows)
    else:
        body = "\n".join("\t".join(row) for row in rows)
    return _INTRO.format(agency=agency, year=year) + body + "\n"


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


_HEADINGS = ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]


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
