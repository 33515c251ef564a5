"""The official workbook of a stored evaluation run (`chamdiem report RUN -o file.xlsx`).

- `Tổng hợp`: grade counts per unit (by the grade that counts: the competent authority's
  decision when there is one, else the computed grade), a total row and bar charts;
- `Thông tin`: which rule version (SHA-256, git commit), period, run, data snapshot and engine
  version produced the results, so an auditor can `chamdiem verify` them;
- one sheet per unit: merged title rows with the unit and the period, two header rows, one row
  per person (points per group, total, grades, vetoes, quota notes, council decision), the
  grade counts and signature blocks; Times New Roman, borders, A4 landscape fitted to the
  width with the header rows repeated on every page.

Scores are written from the stored decimal strings digit for digit (never through a float),
as numbers shown with the rule set's precision. What is shown is read by
`services.reports.run_report`; the workbook is laid out from it and reads nothing itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import chamdiem
from chamdiem.dsl import syntax as s
from chamdiem.platform.db.codec import loads
from chamdiem.platform.excel.official import (
    NOT_GRADED,
    NOT_GRADED_COLOR,
    Looks,
    grade_colors,
    grade_labels,
    period_words,
    result_title,
    vi_date,
    vi_number,
)
from chamdiem.platform.excel.result_writers import write_atomically
from chamdiem.platform.excel.xlsx import (
    BarChart,
    BarSeries,
    PageSetup,
    Sheet,
    SheetOptions,
    StyledWorkbook,
    absolute,
    line_room,
    number_text,
    safe_sheet_name,
    sheet_ref,
    text_height,
)
from chamdiem.platform.gc_pause import gc_paused
from chamdiem.platform.report_data import (
    ResultLine,
    RunReport,
    StoredRun,
    UnitInfo,
    ancestors,
    unit_order,
)

SUMMARY_SHEET = "Tổng hợp"
INFO_SHEET = "Thông tin"
NO_UNIT = "Chưa có đơn vị"
UNIT_CHART_LIMIT = 40  # a per-unit chart with more units than this is unreadable
_ONE_LINE = text_height("", 1)  # rows of one line keep Excel's default height
_TITLE_ROWS = 3  # title rows above the blank row and the two header rows


@dataclass(frozen=True)
class ReportOutcome:
    path: Path
    run_id: int
    subjects: int
    units: int


@dataclass(frozen=True)
class _Column:
    header: str
    width: float
    group: str | None = None  # the merged header above, for columns that share one


@dataclass
class _Unit:
    code: str | None
    info: UnitInfo | None
    lines: list[ResultLine]
    sheet: str = ""

    @property
    def name(self) -> str:
        if self.info is not None:
            return self.info.name
        return self.code or NO_UNIT


@gc_paused()
def write_report(report: RunReport, path: Path) -> ReportOutcome:
    """Write the workbook of a run (what `services.reports.run_report` read) to `path`
    (atomically: nothing is left at `path` when anything fails)."""
    stored, lines, units = report.stored, report.lines, report.units
    by_unit: dict[str | None, list[ResultLine]] = {}
    for line in lines:
        by_unit.setdefault(line.unit_code, []).append(line)
    groups = [
        _Unit(code, units.get(code) if code else None, by_unit[code])
        for code in unit_order(units, by_unit)
    ]
    taken = {SUMMARY_SHEET.casefold(), INFO_SHEET.casefold()}
    for group in groups:
        group.sheet = safe_sheet_name(group.code or NO_UNIT, taken)
        group.lines.sort(key=lambda line: (not line.is_head, line.code))
    writer = _ReportWriter(stored, groups, units)
    write_atomically(path, writer.write)
    return ReportOutcome(path, stored.id, len(lines), len(groups))


class _ReportWriter:
    def __init__(self, stored: StoredRun, units: list[_Unit], tree: dict[str, UnitInfo]) -> None:
        self.stored = stored
        self.units = units
        self.tree = tree
        program = stored.program
        self.labels = grade_labels(program.grades)
        self.grades = [grade.name for grade in program.grades]
        self.groups = [d for d in program.module.declarations if isinstance(d, s.Group)]
        self.title = result_title(
            stored.version.title, stored.period.kind, stored.period.start_date
        )

    def label(self, grade: str | None) -> str | None:
        return None if grade is None else self.labels.get(grade, grade)

    def write(self, path: Path) -> None:
        with StyledWorkbook(path) as book:
            self.looks = Looks.register(book, self.stored.version.precision)
            with book.sheet(SUMMARY_SHEET, self._summary_options()) as sheet:
                self._summary(sheet)
            info = SheetOptions(widths=(38, 90), page=PageSetup(landscape=False, footer=None))
            with book.sheet(INFO_SHEET, info) as sheet:
                self._info(sheet)
            for unit in self.units:
                with book.sheet(unit.sheet, self._unit_options()) as sheet:
                    self._unit_sheet(sheet, unit)

    # ------------------------------------------------------------ the summary

    def _summary_columns(self) -> list[_Column]:
        return [
            _Column("STT", 6),
            _Column("Mã đơn vị", 16),
            _Column("Tên đơn vị", 40),
            _Column("Trực thuộc", 30),
            _Column("Số người", 10),
            *(_Column(self.labels[g], 14, "Số người theo kết quả xếp loại") for g in self.grades),
            _Column(NOT_GRADED, 12, "Số người theo kết quả xếp loại"),
            _Column("Số người có quyết định của cấp có thẩm quyền", 16),
        ]

    def _summary_options(self) -> SheetOptions:
        columns = self._summary_columns()
        return SheetOptions(
            widths=[c.width for c in columns],
            freeze=(_TITLE_ROWS + 3, 3),
            page=PageSetup(title_rows=(_TITLE_ROWS + 2, _TITLE_ROWS + 3)),
        )

    def _summary(self, sheet: Sheet) -> None:
        looks = self.looks
        columns = self._summary_columns()
        width = len(columns)
        stored = self.stored
        total_people = sum(len(unit.lines) for unit in self.units)
        sheet.merged_row("TỔNG HỢP " + self.title, looks.title, width, height=40)
        sheet.merged_row(
            f"Bộ tiêu chí: {stored.version.title} ({stored.version.name}); lần chạy số "
            f"{stored.id}; {total_people} người, {len(self.units)} đơn vị",
            looks.note,
            width,
            height=20,
        )
        sheet.merged_row(
            "Số người tính theo kết quả xếp loại cuối cùng: mức do cấp có thẩm quyền quyết "
            "định nếu có, nếu không thì mức tính theo bộ tiêu chí.",
            looks.note,
            width,
            height=20,
        )
        sheet.blank()
        header_rows = self._header(sheet, columns)
        first = sheet.next_row
        totals: Counter[str | None] = Counter()
        decided_total = 0
        grade_col = 5
        for number, unit in enumerate(self.units, start=1):
            counts = Counter(line.final_grade for line in unit.lines)
            decided = sum(1 for line in unit.lines if line.decision is not None)
            totals.update(counts)
            decided_total += decided
            parent = self._parent_name(unit)
            row = sheet.row(
                [
                    number,
                    unit.code or "",
                    unit.name,
                    parent,
                    len(unit.lines),
                    *(counts.get(g, 0) for g in self.grades),
                    counts.get(None, 0),
                    decided,
                ],
                [
                    looks.whole,
                    looks.cell,
                    looks.cell_wrap,
                    looks.cell_wrap,
                    *[looks.whole] * (len(self.grades) + 3),
                ],
            )
            sheet.link(row, 2, unit.sheet, unit.name)
        last = sheet.next_row - 1
        total_row = sheet.row(
            [
                "Tổng cộng",
                None,
                None,
                None,
                total_people,
                *(totals.get(g, 0) for g in self.grades),
                totals.get(None, 0),
                decided_total,
            ],
            [looks.cell_bold_center] * 4 + [looks.whole_bold] * (len(self.grades) + 3),
        )
        sheet.merge(total_row, 0, total_row, 3)
        # Chart 1: the whole run by grade (the total row); chart 2: each unit, when few.
        name = SUMMARY_SHEET
        grade_last = grade_col + len(self.grades)  # includes "not graded"
        colors = [*grade_colors(len(self.grades)), NOT_GRADED_COLOR]
        top = header_rows[0] - 1
        sheet.chart(
            BarChart(
                title="Số người theo kết quả xếp loại",
                categories_ref=sheet_ref(
                    name,
                    f"{absolute(grade_col, header_rows[1])}:{absolute(grade_last, header_rows[1])}",
                ),
                series=[
                    BarSeries(
                        sheet_ref(name, absolute(0, total_row)),
                        sheet_ref(
                            name,
                            f"{absolute(grade_col, total_row)}:{absolute(grade_last, total_row)}",
                        ),
                        point_colors=colors,
                    )
                ],
                top_left=(width + 1, top),
                bottom_right=(width + 10, top + 20),
                value_title="Số người",
            )
        )
        if 1 < len(self.units) <= UNIT_CHART_LIMIT:
            sheet.chart(
                BarChart(
                    title="Kết quả xếp loại theo đơn vị",
                    categories_ref=sheet_ref(name, f"{absolute(2, first)}:{absolute(2, last)}"),
                    series=[
                        BarSeries(
                            sheet_ref(name, absolute(col, header_rows[1])),
                            sheet_ref(name, f"{absolute(col, first)}:{absolute(col, last)}"),
                            color=colors[col - grade_col],
                        )
                        for col in range(grade_col, grade_last + 1)
                    ],
                    top_left=(width + 1, top + 22),
                    bottom_right=(width + 14, top + 24 + 2 * len(self.units)),
                    stacked=True,
                    horizontal=True,
                    labels=False,
                )
            )

    def _parent_name(self, unit: _Unit) -> str:
        chain = ancestors(self.tree, unit.code)
        return " – ".join(u.name for u in chain[:-1][::-1])

    def _header(self, sheet: Sheet, columns: Sequence[_Column]) -> tuple[int, int]:
        """Two header rows: a shared header merged over the columns that have one, every
        other header merged over both rows."""
        looks = self.looks
        top = [c.group if c.group else c.header for c in columns]
        bottom = [c.header if c.group else None for c in columns]
        # The lower row holds the group columns' own headers (a group's label and maximum:
        # three or four lines), tall enough for the longest; the headers merged over both
        # rows share both rows' height.
        lower = max(
            (text_height(c.header, c.width * 0.95) for c in columns if c.group),  # bold
            default=0.0,
        )
        first = sheet.row(top, looks.header, height=30)
        second = sheet.row(bottom, looks.header, height=max(60.0, lower))
        start = 0
        while start < len(columns):
            column = columns[start]
            if column.group is None:
                sheet.merge(first, start, second, start)
                start += 1
                continue
            end = start
            while end + 1 < len(columns) and columns[end + 1].group == column.group:
                end += 1
            sheet.merge(first, start, first, end)
            start = end + 1
        return first, second

    # ------------------------------------------------------------ where it came from

    def _info(self, sheet: Sheet) -> None:
        looks = self.looks
        stored = self.stored
        run, version, period = stored.run, stored.version, stored.period
        scope = loads(run.scope_json)
        decisions = sum(1 for unit in self.units for line in unit.lines if line.decision)
        effective = vi_date(version.effective_from) + (
            f" – {vi_date(version.effective_until)}" if version.effective_until else " – nay"
        )
        rows: list[tuple[str, str]] = [
            ("Báo cáo", self.title),
            (
                "Lần chạy",
                f"số {stored.id} ({'hoàn thành' if run.status == 'complete' else run.status})",
            ),
            (
                "Kỳ đánh giá",
                f"{period.code}: {period_words(period.kind, period.start_date)} "
                f"({vi_date(period.start_date)} – {vi_date(period.end_date)})"
                + ("; đã khóa" if period.locked else "; chưa khóa"),
            ),
            ("Bộ tiêu chí", f"{version.name}: {version.title}"),
            ("Căn cứ", stored.program.header.basis or ""),
            ("Phiên bản quy tắc (SHA-256)", version.sha256),
            (
                "Git commit",
                version.git_commit
                or "không có (tệp chưa được commit hoặc không nằm trong kho git)",
            ),
            ("Tệp quy tắc", version.git_path or version.file_path),
            ("Hiệu lực của bộ tiêu chí", effective),
            ("Làm tròn", f"{version.precision} chữ số thập phân"),
            ("Công bố bởi", f"{version.published_by}, lúc {_moment(version.published_at)}"),
            ("Phạm vi", ", ".join(str(code) for code in scope) if scope else "toàn bộ"),
            ("Số đối tượng", str(run.subjects)),
            ("Mã dữ liệu đầu vào (SHA-256)", run.snapshot_sha256),
            ("Người chạy", run.run_by),
            ("Bắt đầu", _moment(run.started_at)),
            ("Kết thúc", _moment(run.finished_at)),
            ("Phiên bản chamdiem của lần chạy", run.engine_version),
            ("Phiên bản chamdiem lập báo cáo", chamdiem.__version__),
            ("Thời điểm lập báo cáo", _moment(datetime.now(UTC))),
            ("Số quyết định của cấp có thẩm quyền", str(decisions)),
            ("Kiểm chứng", f"chamdiem verify {stored.id}"),
        ]
        sheet.merged_row("THÔNG TIN VỀ BÁO CÁO", looks.title, 2, height=30)
        sheet.merged_row(
            "Kết quả trong báo cáo được ghi đúng như đã lưu trong cơ sở dữ liệu; tính lại lần "
            "chạy từ phiên bản quy tắc và dữ liệu đã lưu bằng lệnh ở dòng Kiểm chứng.",
            looks.note,
            2,
            height=36,
        )
        sheet.blank()
        for key, value in rows:
            sheet.row([key, value], [looks.cell_bold, looks.cell_wrap])

    # ------------------------------------------------------------ a unit

    def _unit_columns(self) -> list[_Column]:
        points = "Điểm theo nhóm tiêu chí"
        decision = "Cấp có thẩm quyền quyết định"
        return [
            _Column("STT", 5),
            _Column("Mã", 11),
            _Column("Họ và tên", 24),
            _Column("Chức vụ, vị trí việc làm", 18),
            *(
                _Column(f"{g.label or g.name}\n(tối đa {vi_number(g.max.text)} điểm)", 14, points)
                for g in self.groups
            ),
            _Column("Tổng điểm", 9),
            _Column("Xếp loại theo điểm", 16),
            _Column("Xếp loại sau loại trừ, hạn mức", 16),
            _Column("Lý do không hoàn thành nhiệm vụ (loại trừ)", 28),
            _Column("Ghi chú (hạn mức tỷ lệ, không xếp loại)", 24),
            _Column("Mức xếp loại", 16, decision),
            _Column("Số văn bản", 13, decision),
            _Column("Ngày", 11, decision),
            _Column("Kết quả xếp loại", 17),
        ]

    def _unit_options(self) -> SheetOptions:
        columns = self._unit_columns()
        return SheetOptions(
            widths=[c.width for c in columns],
            freeze=(_TITLE_ROWS + 3, 3),
            page=PageSetup(title_rows=(_TITLE_ROWS + 2, _TITLE_ROWS + 3)),
        )

    def _unit_sheet(self, sheet: Sheet, unit: _Unit) -> None:
        looks = self.looks
        stored = self.stored
        columns = self._unit_columns()
        width = len(columns)
        sheet.merged_row(self.title, looks.title, width, height=40)
        where = f"Đơn vị: {unit.name}"
        if unit.code and unit.code != unit.name:
            where += f" (mã {unit.code})"
        parent = self._parent_name(unit)
        if parent:
            where += f"; trực thuộc: {parent}"
        sheet.merged_row(where, looks.subtitle, width, height=22)
        sheet.merged_row(
            f"Bộ tiêu chí: {stored.version.title} ({stored.version.name}); lần chạy số "
            f"{stored.id}; điểm làm tròn {stored.version.precision} chữ số thập phân",
            looks.note,
            width,
            height=20,
        )
        sheet.blank()
        self._header(sheet, columns)
        n_groups = len(self.groups)
        styles = [
            looks.cell_center,
            looks.cell,
            looks.cell_wrap,
            looks.cell_wrap,
            *[looks.score] * n_groups,
            looks.score_bold,
            looks.cell_wrap,
            looks.cell_wrap,
            looks.cell_wrap,
            looks.cell_wrap,
            looks.cell_wrap,
            looks.cell_wrap,
            looks.cell_center,
            looks.cell_bold,
        ]
        label = self.label
        names = [g.name for g in self.groups]
        wrapped = [
            (k, column.width, line_room(column.width))
            for k, (column, style) in enumerate(zip(columns, styles, strict=True))
            if style == looks.cell_wrap
        ]
        for number, line in enumerate(unit.lines, start=1):
            values = line.values
            decision = line.decision
            cells = [
                number,
                line.code,
                line.name,
                line.position or line.position_group,
                *(_score(values.get(name)) for name in names),
                number_text(line.total),
                label(line.score_grade),
                label(line.grade) if line.grade is not None else NOT_GRADED,
                "; ".join(line.vetoes) or None,
                self._note(line),
                label(decision.final_grade) if decision else None,
                decision.document_number if decision else None,
                vi_date(decision.document_date) if decision else None,
                label(line.final_grade) if line.final_grade is not None else NOT_GRADED,
            ]
            height = 0.0
            for k, column_width, room in wrapped:  # most cells fit on one line: by length
                text = cells[k]
                if isinstance(text, str) and len(text) > room:
                    height = max(height, text_height(text, column_width))
            sheet.row(cells, styles, height=height if height > _ONE_LINE else None)
        self._unit_footer(sheet, unit, width)

    def _note(self, line: ResultLine) -> str | None:
        notes: list[str] = []
        if line.not_graded:
            notes.append(NOT_GRADED + ": " + "; ".join(line.not_graded))
        if "tie_at_quota" in line.flags:
            notes.append(
                f"Bằng điểm tại ngưỡng hạn mức tỷ lệ, tạm xếp {self.label(line.grade)}; "
                "cấp có thẩm quyền xem xét, quyết định"
            )
        elif (
            line.grade is not None
            and line.score_grade is not None
            and line.grade != line.score_grade
            and not line.vetoes
        ):
            notes.append(
                f"Vượt hạn mức tỷ lệ {self.label(line.score_grade)}: xếp {self.label(line.grade)}"
            )
        return "\n".join(notes) or None

    def _unit_footer(self, sheet: Sheet, unit: _Unit, width: int) -> None:
        looks = self.looks
        counts = Counter(line.final_grade for line in unit.lines)
        parts = [f"{self.labels[g]}: {counts[g]}" for g in self.grades if counts.get(g)]
        if counts.get(None):
            parts.append(f"{NOT_GRADED}: {counts[None]}")
        sheet.blank()
        row = sheet.row(
            [f"Tổng số: {len(unit.lines)} người. " + "; ".join(parts) + "."],
            looks.plain,
            height=32,
        )
        sheet.merge(row, 0, row, width - 1)
        sheet.blank()
        half = width // 2
        date_row = sheet.row(
            [None] * half + ["…………, ngày …… tháng …… năm ………"], looks.signature_note
        )
        sheet.merge(date_row, half, date_row, width - 1)
        titles = sheet.row(
            ["NGƯỜI LẬP BIỂU", *[None] * (half - 1), "THỦ TRƯỞNG ĐƠN VỊ"], looks.signature
        )
        sheet.merge(titles, 0, titles, half - 1)
        sheet.merge(titles, half, titles, width - 1)
        notes = sheet.row(
            ["(Ký, ghi rõ họ tên)", *[None] * (half - 1), "(Ký, ghi rõ họ tên, đóng dấu)"],
            looks.signature_note,
        )
        sheet.merge(notes, 0, notes, half - 1)
        sheet.merge(notes, half, notes, width - 1)


def _score(value: object) -> object:
    return number_text(value) if isinstance(value, str) else None


def _moment(value: datetime) -> str:
    """A stored time as people read it: '22/11/2026 16:08:38 UTC' (SQLite gives it back
    without a zone; it was stored in UTC)."""
    if value.tzinfo is None:
        return value.strftime("%d/%m/%Y %H:%M:%S") + " UTC"
    return value.strftime("%d/%m/%Y %H:%M:%S %Z").strip()
