"""The impact of a rule change as a workbook: the grade-transition matrix overall and per
unit, and the people whose grade changes with the criteria that moved them."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from chamdiem.dsl.display import count_text, grade_text, number_text
from chamdiem.platform.report_data import Impact

FONT = "Times New Roman"
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
UP_FILL = PatternFill("solid", fgColor="E2EFDA")
DOWN_FILL = PatternFill("solid", fgColor="FCE4D6")


def _title(sheet: Worksheet, text: str, width: int) -> None:
    sheet.cell(row=1, column=1, value=text).font = Font(name=FONT, bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")


def _header(sheet: Worksheet, row: int, values: list[str]) -> None:
    for col, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=col, value=value)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEAD_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _grade(impact: Impact, code: str) -> str:
    """A grade by its label; "—" (no grade) reads 'không xếp loại'."""
    return grade_text(None if code == "—" else code, impact.labels)


def _total(text: str | None) -> Decimal | str:
    """A total as a number cell (Excel writes it as the reader's locale does)."""
    try:
        return Decimal(text) if text else ""
    except InvalidOperation:
        return text or ""


def _value(text: str | None) -> str:
    if text is None or text == "":
        return "—"
    return {"True": "có", "False": "không"}.get(text) or number_text(text)


def _matrix(sheet: Worksheet, row: int, impact: Impact, counts: Counter[tuple[str, str]]) -> int:
    """Rows: grade under the old version; columns: under the new one. Returns the next row."""
    grades = impact.grades
    _header(sheet, row, ["Cũ \\ Mới", *(_grade(impact, g) for g in grades), "Cộng"])
    rank = {g: i for i, g in enumerate(grades)}
    for r, before in enumerate(grades, start=row + 1):
        sheet.cell(row=r, column=1, value=_grade(impact, before)).font = Font(name=FONT, bold=True)
        sheet.cell(row=r, column=1).alignment = Alignment(wrap_text=True)
        sheet.cell(row=r, column=1).border = BOX
        for c, after in enumerate(grades, start=2):
            cell = sheet.cell(row=r, column=c, value=counts.get((before, after), 0))
            cell.font = Font(name=FONT)
            cell.border = BOX
            if counts.get((before, after)) and before != after:
                cell.fill = UP_FILL if rank[after] < rank[before] else DOWN_FILL
        total = sum(v for (b, _), v in counts.items() if b == before)
        cell = sheet.cell(row=r, column=len(grades) + 2, value=total)
        cell.font = Font(name=FONT, bold=True)
        cell.border = BOX
    return row + len(grades) + 2


def write_impact_workbook(impact: Impact, path: Path, old_name: str, new_name: str) -> None:
    """Write atomically: a failure leaves no partial file."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Tổng hợp"
    width = len(impact.grades) + 2
    _title(summary, f"ẢNH HƯỞNG CỦA THAY ĐỔI QUY TẮC: {old_name} → {new_name}", width)
    summary.cell(
        row=2,
        column=1,
        value=f"Số người: {count_text(impact.people)}; đổi mức: {count_text(len(impact.moves))}; "
        f"đổi tổng điểm: {count_text(impact.totals_changed)}",
    ).font = Font(name=FONT, italic=True)
    _matrix(summary, 4, impact, impact.overall)
    summary.column_dimensions["A"].width = 30

    units = book.create_sheet("Theo đơn vị")
    _title(units, "MA TRẬN CHUYỂN MỨC THEO ĐƠN VỊ", width)
    row = 3
    for unit in sorted(impact.per_unit):
        units.cell(row=row, column=1, value=f"Đơn vị: {unit or '(không ghi)'}").font = Font(
            name=FONT, bold=True
        )
        row = _matrix(units, row + 1, impact, impact.per_unit[unit]) + 1
    units.column_dimensions["A"].width = 30

    people = book.create_sheet("Người đổi mức")
    headers = [
        "STT",
        "Mã",
        "Họ và tên",
        "Đơn vị",
        "Mức cũ",
        "Mức mới",
        "Tổng cũ",
        "Tổng mới",
        "Tiêu chí thay đổi (cũ → mới)",
    ]
    _title(people, "NHỮNG NGƯỜI ĐỔI MỨC XẾP LOẠI", len(headers))
    _header(people, 3, headers)
    for k, move in enumerate(impact.moves, start=1):
        moved = "; ".join(f"{c.name}: {_value(c.old)} → {_value(c.new)}" for c in move.criteria)
        values = [
            k,
            move.code,
            move.name or "",
            move.unit or "",
            _grade(impact, move.old_grade),
            _grade(impact, move.new_grade),
            _total(move.old_total),
            _total(move.new_total),
            moved,
        ]
        for col, value in enumerate(values, start=1):
            cell = people.cell(row=k + 3, column=col, value=value)
            cell.font = Font(name=FONT)
            cell.border = BOX
            if isinstance(value, Decimal):  # the places the rule set rounds to
                places = len(str(value).partition(".")[2])
                cell.number_format = "0." + "0" * places if places else "0"
    for letter, w in zip("ABCDEFGHI", (6, 12, 26, 18, 28, 28, 10, 10, 60), strict=True):
        people.column_dimensions[letter].width = w
    people.freeze_panes = "C4"

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".xlsx.tmp")
    os.close(handle)
    try:
        book.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
