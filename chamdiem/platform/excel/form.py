"""The individual evaluation form (phiếu đánh giá, xếp loại) of one person for one period
(`chamdiem form PERSON --period P`), laid out like the official forms: the agency and the
national motto side by side, the title with the period, the person, a table TT | Tiêu chí |
Điểm tối đa | Điểm đạt with one row per group (I, II, …) and criterion (1, 2, …) and the total,
then the grade from the points, the vetoes, the quota note, the computed grade, the competent
authority's decision if there is one, the final grade, and the signature blocks (Người tự đánh
giá / Người quản lý trực tiếp / Cấp có thẩm quyền).

The points are the stored result's, digit for digit; the run it comes from is named at the
foot of the form. What is shown is read by `services.reports.person_form`; the form is laid
out from it and reads nothing itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chamdiem.dsl import syntax as s
from chamdiem.platform.excel.official import (
    MOTTO,
    NATION,
    NOT_GRADED,
    grade_labels,
    period_words,
    roman,
    subject_title,
    vi_date,
    vi_upper,
)
from chamdiem.platform.excel.result_writers import write_atomically
from chamdiem.platform.excel.xlsx import (
    PageSetup,
    Sheet,
    SheetOptions,
    Style,
    StyledWorkbook,
    decimal_format,
    number_text,
    text_height,
)
from chamdiem.platform.report_data import PersonForm, ResultLine, StoredRun

FORM_SHEET = "Phiếu đánh giá"
# A..F: TT | Tiêu chí (B:D) | Điểm tối đa | Điểm đạt; D:F hold the national motto on one line
_WIDTHS = (5, 27, 11, 19, 15, 15)
_WIDTH = len(_WIDTHS)


@dataclass(frozen=True)
class FormOutcome:
    path: Path
    code: str
    period: str
    run_id: int
    ruleset: str
    final_grade: str | None


def default_form_path(code: str, period: str, folder: Path | None = None) -> Path:
    """`FOLDER/phieu_danh_gia_CODE_PERIOD.xlsx` (the command line's folder is DATA_DIR/phieu)."""
    name = f"phieu_danh_gia_{code}_{period}.xlsx".replace("/", "-")
    return folder / name if folder is not None else Path(name)


def write_form(
    form: PersonForm, path: Path | None = None, *, folder: Path | None = None
) -> FormOutcome:
    """Write a person's form (what `services.reports.person_form` read) to `path`, else to
    its default name in `folder` (made if missing), else in the current folder."""
    stored, line = form.stored, form.line
    period = stored.period.code
    target = path or default_form_path(line.code, period, folder)
    if path is None and folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    writer = _FormWriter(stored, line, form.unit_names)
    write_atomically(target, writer.write)
    return FormOutcome(target, line.code, period, stored.id, stored.version.name, line.final_grade)


class _FormWriter:
    def __init__(self, stored: StoredRun, line: ResultLine, unit_names: Sequence[str]) -> None:
        self.stored = stored
        self.line = line
        self.unit_names = list(unit_names)
        self.labels = grade_labels(stored.program.grades)

    def label(self, grade: str | None) -> str:
        return NOT_GRADED if grade is None else self.labels.get(grade, grade)

    def write(self, path: Path) -> None:
        options = SheetOptions(
            widths=_WIDTHS,
            page=PageSetup(
                landscape=False, fit_height=True, margins=(0.7, 0.5, 0.6, 0.6), footer=None
            ),
            gridlines=False,
        )
        with StyledWorkbook(path) as book:
            self._styles(book)
            with book.sheet(FORM_SHEET, options) as sheet:
                self._heading(sheet)
                self._points(sheet)
                self._grades(sheet)
                self._signatures(sheet)

    def _styles(self, book: StyledWorkbook) -> None:
        def style(**fields: object) -> int:
            return book.style(Style(**fields))  # type: ignore[arg-type]

        score = decimal_format(self.stored.version.precision)
        self.s_agency = style(horizontal="center", vertical="center", wrap=True)
        self.s_agency_bold = style(bold=True, horizontal="center", vertical="center", wrap=True)
        self.s_motto = style(bold=True, underline=True, horizontal="center", vertical="center")
        self.s_date = style(italic=True, horizontal="center")
        self.s_title = style(bold=True, size=14, horizontal="center", vertical="center", wrap=True)
        self.s_subtitle = style(bold=True, horizontal="center")
        self.s_text = style(vertical="top", wrap=True)
        self.s_section = style(bold=True, vertical="center")
        self.s_note = style(italic=True, size=10, vertical="top", wrap=True)
        self.s_head = style(
            bold=True, border=True, horizontal="center", vertical="center", wrap=True
        )
        self.s_tt = style(border=True, horizontal="center", vertical="center")
        self.s_tt_bold = style(border=True, bold=True, horizontal="center", vertical="center")
        self.s_criterion = style(border=True, vertical="center", wrap=True)
        self.s_group = style(border=True, bold=True, vertical="center", wrap=True)
        self.s_max = style(border=True, horizontal="center", vertical="center")
        self.s_max_bold = style(border=True, bold=True, horizontal="center", vertical="center")
        self.s_score = style(border=True, number_format=score, vertical="center")
        self.s_score_bold = style(border=True, bold=True, number_format=score, vertical="center")
        self.s_none = style(border=True, italic=True, horizontal="center", vertical="center")
        self.s_sign = style(bold=True, horizontal="center", vertical="center", wrap=True)
        self.s_sign_note = style(italic=True, horizontal="center", vertical="top", wrap=True)
        self.s_sign_name = style(bold=True, horizontal="center", vertical="bottom")

    def _pair(
        self, sheet: Sheet, left: str | None, right: str | None, styles: tuple[int, int]
    ) -> int:
        """A row with a block over A:C and a block over D:F."""
        row = sheet.row([left, None, None, right, None, None], [styles[0]] * 3 + [styles[1]] * 3)
        sheet.merge(row, 0, row, 2)
        sheet.merge(row, 3, row, 5)
        return row

    def _heading(self, sheet: Sheet) -> None:
        stored, line = self.stored, self.line
        names = self.unit_names
        upper = vi_upper(names[0]) if len(names) > 1 else None
        own = vi_upper(names[-1]) if names else ""
        self._pair(
            sheet,
            upper or own,
            NATION,
            (self.s_agency if upper else self.s_agency_bold, self.s_agency_bold),
        )
        self._pair(sheet, own if upper else None, MOTTO, (self.s_agency_bold, self.s_motto))
        sheet.blank()
        self._pair(sheet, None, "…………, ngày …… tháng …… năm ……", (self.s_agency, self.s_date))
        sheet.blank()
        period = stored.period
        sheet.merged_row(
            vi_upper("phiếu " + subject_title(stored.version.title)),
            self.s_title,
            _WIDTH,
            height=40,
        )
        when = period_words(period.kind, period.start_date)
        sheet.merged_row(when[0].upper() + when[1:], self.s_subtitle, _WIDTH)
        sheet.blank()
        facts = [
            f"Họ và tên: {line.name or ''}",
            f"Mã: {line.code}",
            f"Chức vụ, vị trí việc làm: {line.position or line.position_group or ''}",
            "Đơn vị công tác: " + (", ".join(reversed(self.unit_names)) or "—"),
            f"Bộ tiêu chí: {stored.version.title} ({stored.version.name})"
            + (f"; căn cứ: {stored.program.header.basis}" if stored.program.header.basis else ""),
        ]
        for fact in facts:
            sheet.merged_row(fact, self.s_text, _WIDTH, height=text_height(fact, 86))
        sheet.blank()

    def _points(self, sheet: Sheet) -> None:
        line = self.line
        program = self.stored.program
        sheet.merged_row("A. KẾT QUẢ CHẤM ĐIỂM", self.s_section, _WIDTH)
        self._table_row(
            sheet,
            "TT",
            "Tiêu chí",
            "Điểm tối đa",
            "Điểm đạt",
            self.s_head,
            self.s_head,
            self.s_head,
            self.s_head,
            height=32,
        )
        groups = [d for d in program.module.declarations if isinstance(d, s.Group)]
        for number, group in enumerate(groups, start=1):
            self._table_row(
                sheet,
                roman(number),
                group.label or group.name,
                number_text(group.max.text),
                self._points_of(group.name),
                self.s_tt_bold,
                self.s_group,
                self.s_max_bold,
                self.s_score_bold,
            )
            for k, criterion in enumerate(group.criteria, start=1):
                self._table_row(
                    sheet,
                    str(k),
                    criterion.label or criterion.name,
                    number_text(criterion.max.text),
                    self._points_of(criterion.name),
                    self.s_tt,
                    self.s_criterion,
                    self.s_max,
                    self.s_score,
                )
        self._table_row(
            sheet,
            None,
            "TỔNG ĐIỂM",
            number_text(_plain(program.header.scale)),
            number_text(line.total) if line.total is not None else "—",
            self.s_tt_bold,
            self.s_group,
            self.s_max_bold,
            self.s_score_bold if line.total is not None else self.s_none,
        )
        sheet.blank()

    def _points_of(self, name: str) -> object:
        value = self.line.values.get(name)
        return number_text(value) if isinstance(value, str) else "—"

    def _table_row(
        self,
        sheet: Sheet,
        tt: str | None,
        text: str,
        maximum: object,
        points: object,
        s_tt: int,
        s_text: int,
        s_max: int,
        s_points: int,
        *,
        height: float | None = None,
    ) -> None:
        if points == "—":
            s_points = self.s_none
        row = sheet.row(
            [tt, text, None, None, maximum, points],
            [s_tt, s_text, s_text, s_text, s_max, s_points],
            height=height or text_height(text, 58),
        )
        sheet.merge(row, 1, row, 3)

    def _grades(self, sheet: Sheet) -> None:
        line = self.line
        sheet.merged_row("B. KẾT QUẢ XẾP LOẠI", self.s_section, _WIDTH)
        facts: list[str] = []
        if line.not_graded:
            facts.append(f"{NOT_GRADED}: " + "; ".join(line.not_graded) + ".")
        else:
            facts.append(f"1. Xếp loại theo điểm: {self.label(line.score_grade)}.")
            vetoes = "; ".join(line.vetoes) if line.vetoes else "Không"
            facts.append(f"2. Trường hợp không hoàn thành nhiệm vụ (loại trừ): {vetoes}.")
            facts.append(f"3. Hạn mức tỷ lệ: {self._quota_note()}.")
            facts.append(
                f"4. Xếp loại theo bộ tiêu chí (sau loại trừ, hạn mức): {self.label(line.grade)}."
            )
        decision = line.decision
        if decision is not None:
            facts.append(
                f"Cấp có thẩm quyền quyết định mức {self.label(decision.final_grade)} theo văn "
                f"bản số {decision.document_number} ngày {vi_date(decision.document_date)}; lý "
                f"do: {decision.reason}."
            )
        for fact in facts:
            sheet.merged_row(fact, self.s_text, _WIDTH, height=text_height(fact, 86))
        sheet.merged_row(
            f"KẾT QUẢ XẾP LOẠI: {vi_upper(self.label(line.final_grade))}",
            self.s_section,
            _WIDTH,
            height=22,
        )
        sheet.blank()
        sheet.merged_row("C. Ý KIẾN NHẬN XÉT CỦA NGƯỜI QUẢN LÝ TRỰC TIẾP", self.s_section, _WIDTH)
        for _ in range(3):
            sheet.merged_row("." * 150, self.s_text, _WIDTH)
        sheet.blank()

    def _quota_note(self) -> str:
        line = self.line
        if "tie_at_quota" in line.flags:
            return (
                f"bằng điểm tại ngưỡng hạn mức, tạm xếp {self.label(line.grade)}; cấp có thẩm "
                "quyền xem xét, quyết định"
            )
        if line.grade != line.score_grade and not line.vetoes:
            return (
                f"vượt hạn mức tỷ lệ {self.label(line.score_grade)}, xếp {self.label(line.grade)}"
            )
        return "không ảnh hưởng"

    def _signatures(self, sheet: Sheet) -> None:
        blocks = ("NGƯỜI TỰ ĐÁNH GIÁ", "NGƯỜI QUẢN LÝ TRỰC TIẾP", "CẤP CÓ THẨM QUYỀN")
        notes = ("(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên, đóng dấu)")
        self._three(sheet, blocks, self.s_sign, height=32)
        self._three(sheet, notes, self.s_sign_note)
        sheet.blank(4)
        self._three(sheet, (self.line.name or "", "", ""), self.s_sign_name)
        sheet.blank()
        stored = self.stored
        sheet.merged_row(
            f"Lập từ lần chạy số {stored.id} (bộ tiêu chí {stored.version.name}, phiên bản "
            f"{stored.version.sha256[:12]}; dữ liệu {stored.run.snapshot_sha256[:12]}; "
            f"chamdiem {stored.run.engine_version}). Điểm làm tròn "
            f"{stored.version.precision} chữ số thập phân.",
            self.s_note,
            _WIDTH,
            height=30,
        )

    def _three(
        self, sheet: Sheet, texts: Sequence[str], style: int, *, height: float | None = None
    ) -> None:
        """Three blocks side by side: A:B, C:D, E:F."""
        row = sheet.row([texts[0], None, texts[1], None, texts[2], None], style, height=height)
        for first in (0, 2, 4):
            sheet.merge(row, first, row, first + 1)


def _plain(value: object) -> str:
    text = format(value, "f") if not isinstance(value, str) else value
    return text.rstrip("0").rstrip(".") if "." in text else text
