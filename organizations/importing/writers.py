"""Writing lists out: xlsx (streamed) and CSV with a BOM, escaped against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from organizations.importing import cells

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """A text cell starting with = + - @ is prefixed with ' so no spreadsheet runs it."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def xlsx_bytes(sheet_title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        out = []
        for value in row:
            value = escape_formula(value)
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value or None)
                # Text, never a formula, whatever the first character.
                cell.data_type = "s"
                cell.number_format = "@"
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_bytes(sheets: Iterable[tuple[str, list[list[Any]], int]]) -> bytes:
    """Several sheets, each (title, rows, how many leading rows are headings in bold); text is
    written as text cells, escaped against formulas, like :func:`xlsx_bytes`."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, rows, headings in sheets:
        sheet = workbook.create_sheet(str(title)[:31])
        for index, row in enumerate(rows):
            out = []
            for value in row:
                value = escape_formula(value)
                if isinstance(value, str) or index < headings:
                    cell = WriteOnlyCell(sheet, value=value)
                    if isinstance(value, str):
                        cell.data_type = "s"
                    if index < headings:
                        cell.font = bold
                    out.append(cell)
                else:
                    out.append(value)
            sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            ["" if v is None else escape_formula(v if isinstance(v, str) else str(v)) for v in row]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_bytes(spec) -> bytes:
    """The import template: Chinese headers, a text-formatted key column, choices as drop-downs."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(spec.sheet_title)[:31]
    required_font = Font(bold=True, color="C00000")
    fill = PatternFill("solid", fgColor="FCE4EC")
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=str(column.header))
        cell.font = required_font if column.required else Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(str(column.header)) * 2 + 4)
        if column.field in (spec.key, "contact_phone", "public_phone"):
            # Text format, so Excel keeps all 18 characters of a credit code and leading zeros.
            for row in range(2, 2001):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.options:
            validation = DataValidation(
                type="list", formula1='"' + ",".join(column.options) + '"', allow_blank=True
            )
            validation.error = _("请从下拉列表中选择。")
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}5000")
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("列名"), _("是否必填"), _("说明")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in spec.columns:
        notes.append(
            [str(column.header), _("必填") if column.required else _("选填"), str(column.help)]
        )
    notes.append([])
    notes.append(
        [_("红色表头为必填列。表头也可以用英文（如 credit code、name）。模板之外的列会被忽略。")]
    )
    notes.append(
        [
            _(
                "留空的单元格不会修改已有的数据（新记录取默认值）；要清空已有的某项，请在单元格中填写“%(marker)s”。"
            )
            % {"marker": cells.CLEAR_MARKER}
        ]
    )
    notes.append(
        [
            _(
                "同一文件中每条记录只能出现一次；已存在的记录按表中内容更新。默认任何一行有错误，整个文件都不会导入；"
                "上传时可选择“仅导入无误的行”，其余的行放进错误表，改正后可直接重新上传。"
            )
        ]
    )
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["C"].width = 70
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
