"""The report form itself, as data: the one place that says which rows, labels and columns tables 二, 三 and
四 have, in which order, and which cells the printed form merges.

The form is fixed by the State Council (国办公开办函〔2021〕30号 for reports on 2021 and later; the 2019 form
before it differs only in table 二 and in printing (六)其他处理 as one row). Everything that reads, writes
or shows the tables takes its keys and wording from here: the parser (``parsers.tables``), the record
(``parsers.record``), the checks, the terminal renderer (``cli.render``), the Datasette report page and
the layouts the replica and the tests render (``replica.layouts``); ``tests/test_report_form.py`` checks the JSON schema
(``docs/report.schema.json``) against it.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMATS = ("2021", "2019")


@dataclass(frozen=True)
class FormRow:
    """One row of a statistics table: its record key, its label as the form prints it (numbering and notes
    included) and, for a row printed under a merged parent label, that parent's key."""

    key: str
    label: str
    group: str | None = None


# --- Table 二: 主动公开政府信息情况 -------------------------------------------------------------------------
TABLE2_TITLE = "二、主动公开政府信息情况"
#: Header of the label column of every section of table 二.
TABLE2_LABEL_HEADER = "信息内容"


@dataclass(frozen=True)
class Column:
    """A value column of table 二: the name the parser and the record use, the header the form prints, and
    whether it holds money (printed in 万元; reports print 元 too) or may be negative (本年增/减)."""

    name: str
    header: str
    money: bool = False
    signed: bool = False
    unit_printed: bool = False  # the form prints （单位：万元） after the header

    @property
    def printed(self) -> str:
        return self.header + ("（单位：万元）" if self.unit_printed else "")


@dataclass(frozen=True)
class Section:
    """One block of table 二: the 第二十条 item it reports, its column headers and its rows. A section of one
    column whose values the record keeps bare (``licensing: 12``) rather than by column is ``scalar``."""

    article: str
    columns: tuple[Column, ...]
    rows: tuple[FormRow, ...]
    scalar: bool = False

    def record_columns(self) -> tuple[str, ...]:
        """The record's keys for this section's columns (an amount is kept as ``amount_10k_yuan``)."""
        return tuple(f"{c.name}_10k_yuan" if c.money and not self.scalar else c.name for c in self.columns)


_DECISIONS = Column("decisions", "本年处理决定数量")
_PREVIOUS = Column("previous", "上一年项目数量")
_CHANGE = Column("change", "本年增/减", signed=True)
TABLE2: dict[str, tuple[Section, ...]] = {
    "2021": (
        Section(
            "第二十条第（一）项",
            (Column("issued", "本年制发件数"), Column("repealed", "本年废止件数"), Column("in_force", "现行有效件数")),
            (FormRow("regulations", "规章"), FormRow("normative_documents", "行政规范性文件")),
        ),
        Section("第二十条第（五）项", (_DECISIONS,), (FormRow("licensing", "行政许可"),), scalar=True),
        Section(
            "第二十条第（六）项",
            (_DECISIONS,),
            (FormRow("punishment", "行政处罚"), FormRow("coercion", "行政强制")),
            scalar=True,
        ),
        Section(
            "第二十条第（八）项",
            (Column("amount", "本年收费金额", money=True, unit_printed=True),),
            (FormRow("fees_10k_yuan", "行政事业性收费"),),
            scalar=True,
        ),
    ),
    "2019": (
        Section(
            "第二十条第（一）项",
            (
                Column("made", "本年新制作数量"),
                Column("published", "本年新公开数量"),
                Column("in_public", "对外公开总数量"),
            ),
            (FormRow("regulations", "规章"), FormRow("normative_documents", "规范性文件")),
        ),
        Section(
            "第二十条第（五）项",
            (_PREVIOUS, _CHANGE, Column("decisions", "处理决定数量")),
            (FormRow("licensing", "行政许可"), FormRow("other_services", "其他对外管理服务事项")),
        ),
        Section(
            "第二十条第（六）项",
            (_PREVIOUS, _CHANGE, Column("decisions", "处理决定数量")),
            (FormRow("punishment", "行政处罚"), FormRow("coercion", "行政强制")),
        ),
        Section("第二十条第（八）项", (_PREVIOUS, _CHANGE), (FormRow("fees", "行政事业性收费"),)),
        Section(
            "第二十条第（九）项",
            (Column("items", "采购项目数量"), Column("amount", "采购总金额", money=True)),
            (FormRow("procurement", "政府集中采购"),),
        ),
    ),
}


def table2_rows(table_format: str) -> list[tuple[Section, FormRow]]:
    """Table 二's rows of a format in print order, each with its section."""
    return [(section, row) for section in TABLE2[table_format] for row in section.rows]


# --- Table 三: 收到和处理政府信息公开申请情况 ---------------------------------------------------------------
TABLE3_TITLE = "三、收到和处理政府信息公开申请情况"
#: The seven applicant columns, and the header cells merged above them: 申请人情况 over all seven,
#: 法人或其他组织 over the five organisation columns (``TABLE3_ORGANISATIONS``).
TABLE3_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
TABLE3_APPLICANTS_HEADER = "申请人情况"
TABLE3_ORGANISATIONS_HEADER = "法人或其他组织"
TABLE3_ORGANISATIONS = slice(1, 6)
#: The label merged down the left of rows (一)–(七): every result row sits under it.
TABLE3_RESULTS_LABEL = "三、本年度办理结果"
#: Parent labels merged down the left of their rows (they print no values of their own in format 2021).
TABLE3_GROUPS = {
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "refused": "（五）不予处理",
    "other": "（六）其他处理",
}
TABLE3_ROWS = (
    FormRow("new_received", "一、本年新收政府信息公开申请数量"),
    FormRow("carried_over_in", "二、上年结转政府信息公开申请数量"),
    FormRow("granted", "（一）予以公开"),
    FormRow("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    FormRow("denied_state_secret", "1.属于国家秘密", "denied"),
    FormRow("denied_prohibited_by_law", "2.其他法律行政法规禁止公开", "denied"),
    FormRow("denied_three_safeties_one_stability", "3.危及“三安全一稳定”", "denied"),
    FormRow("denied_third_party_rights", "4.保护第三方合法权益", "denied"),
    FormRow("denied_internal_affairs", "5.属于三类内部事务信息", "denied"),
    FormRow("denied_process_info", "6.属于四类过程性信息", "denied"),
    FormRow("denied_enforcement_files", "7.属于行政执法案卷", "denied"),
    FormRow("denied_administrative_query", "8.属于行政查询事项", "denied"),
    FormRow("unavailable_not_held", "1.本机关不掌握相关政府信息", "unavailable"),
    FormRow("unavailable_needs_creation", "2.没有现成信息需要另行制作", "unavailable"),
    FormRow("unavailable_unclear_after_correction", "3.补正后申请内容仍不明确", "unavailable"),
    FormRow("refused_petition", "1.信访举报投诉类申请", "refused"),
    FormRow("refused_duplicate", "2.重复申请", "refused"),
    FormRow("refused_publication", "3.要求提供公开出版物", "refused"),
    FormRow("refused_excessive", "4.无正当理由大量反复申请", "refused"),
    FormRow("refused_confirmation", "5.要求行政机关确认或重新出具已获取信息", "refused"),
    FormRow("other_overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other"),
    FormRow("other_overdue_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other"),
    FormRow("other_other", "3.其他", "other"),
    FormRow("total_processed", "（七）总计"),
    FormRow("carried_over_out", "四、结转下年度继续办理"),
)
T3_KEYS = [row.key for row in TABLE3_ROWS]
T3_LABELS = {row.key: row.label for row in TABLE3_ROWS}
#: The result rows (一) to (六) that (七)总计 sums; 三、本年度办理结果 is merged down these and 总计.
RESULT_KEYS = T3_KEYS[2:23]
#: The rows each parent sums (a printed group subtotal is one more equation of the table's arithmetic).
GROUPS = {group: [row.key for row in TABLE3_ROWS if row.group == group] for group in TABLE3_GROUPS}
#: The two (六) rows the 2019 form does not have: it prints (六)其他处理 as one row, kept as ``other_other``.
SPLIT_OTHER = ("other_overdue_correction", "other_overdue_fee")


def table3_rows(table_format: str | None) -> list[FormRow]:
    """Table 三's rows as a report of this format prints them: the 2019 form's one (六) row in place of three."""
    if table_format != "2019":
        return list(TABLE3_ROWS)
    return [
        FormRow("other_other", TABLE3_GROUPS["other"]) if row.key == "other_other" else row
        for row in TABLE3_ROWS
        if row.key not in SPLIT_OTHER
    ]


# --- Table 四: 政府信息公开行政复议、行政诉讼情况 ---------------------------------------------------------
TABLE4_TITLE = "四、政府信息公开行政复议、行政诉讼情况"
TABLE4_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
#: The form prints table 四 as ONE row of fifteen values: 行政复议, then 行政诉讼 merged over its two kinds.
TABLE4_GROUPS = {"litigation": "行政诉讼"}
TABLE4_ROWS = (
    FormRow("review", "行政复议"),
    FormRow("litigation_direct", "未经复议直接起诉", "litigation"),
    FormRow("litigation_after_review", "复议后起诉", "litigation"),
)
T4_KEYS = [row.key for row in TABLE4_ROWS]
