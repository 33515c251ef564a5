"""The input workbook of a rule set (`chamdiem template RULES -o file.xlsx`): what HR officers
fill in and `chamdiem import` (or `chamdiem eval`) reads back.

Sheets:
- `Đối tượng` (the subjects): a title, a row of Vietnamese headers (each input's label with
  what may be entered), a row of the names the reader matches columns by (code, name, …,
  chinh_tri, …), then one row per person of the chosen units, pre-filled from the database;
- one sheet per `items` declaration (named by its label, or its name when the label is too
  long for a sheet name), same two header rows, one row per item;
- `Hướng dẫn`: what each column means, its range, its default, how to fill the items;
- `Danh mục` (hidden): the choices of `one of` inputs, for the drop-down lists.

The reader takes the first row holding a known header as the header row (titles above it are
skipped), so the visible Vietnamese headers must not themselves be known headers: each carries
a hint ("Điểm chính trị\n(số từ 0 đến 10)") and the row of names below is the one matched.
Data validation (ranges, có/không, drop-down choices, no repeated code) guards the cells as
they are typed; the reader still checks everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.loader import Program
from chamdiem.dsl.program import InputSpec, ItemsSpec
from chamdiem.platform.excel.cohort_reader import CODE_HEADERS, SUBJECT_HEADERS
from chamdiem.platform.excel.official import (
    HEADER_FILL,
    period_words,
    subject_title,
    vi_number,
    vi_upper,
)
from chamdiem.platform.excel.result_writers import write_atomically
from chamdiem.platform.excel.tables import column_letter, header_key
from chamdiem.platform.excel.xlsx import (
    LAST_ROW,
    SHEET_NAME_LIMIT,
    PageSetup,
    Sheet,
    SheetOptions,
    Style,
    StyledWorkbook,
    Validation,
    absolute,
    safe_sheet_name,
    sheet_ref,
    text_height,
)
from chamdiem.platform.gc_pause import gc_paused
from chamdiem.platform.report_data import CurrentData, PeriodInfo, Prefill

SUBJECTS_SHEET = "Đối tượng"
GUIDE_SHEET = "Hướng dẫn"
CHOICES_SHEET = "Danh mục"
HEADER_ROW = 3  # the visible headers
NAMES_ROW = 4  # the names the reader matches
FIRST_DATA_ROW = 5
YES, NO = "có", "không"

_KIND_TEXT = {
    "number": "số",
    "count": "số nguyên không âm (số lần)",
    "percent": "tỷ lệ phần trăm (nhập 96%)",
    "bool": "có / không",
    "text": "chữ",
    "date": "ngày (ngày/tháng/năm)",
    "enum": "chọn một giá trị trong danh sách",
}
_FORMATS = {"percent": "0.##%", "date": "dd/mm/yyyy"}


class TemplateError(ValueError):
    """The rule set cannot be laid out as a template (a name too long for a sheet name, …);
    `message` says why in both languages, for the caller to report as a user's problem."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


@dataclass(frozen=True)
class TemplateOutcome:
    path: Path
    subjects: int
    inputs: int
    item_sheets: tuple[str, ...]
    with_data: int = 0  # pre-filled people whose current data was written in


@dataclass(frozen=True)
class _Column:
    header: str  # visible, Vietnamese, with a hint
    name: str  # matched by the reader
    width: float
    spec: InputSpec | None = None
    # What the instructions sheet says of the column:
    meaning: str = ""
    kind: str = ""
    valid: str = ""
    blank: str = ""


def _given(title: str, name: str, width: float, meaning: str) -> _Column:
    """A column filled from the database, there to check against."""
    return _Column(f"{title}\n(để đối chiếu)", name, width, meaning=meaning, kind="chữ")


@gc_paused()
def write_template(
    program: Program,
    path: Path,
    subjects: Sequence[Prefill] = (),
    period: PeriodInfo | None = None,
    scope: str | None = None,
    data: CurrentData | None = None,
) -> TemplateOutcome:
    """Write the input workbook of `program` to `path` (atomically), pre-filling `subjects`
    (and, with `data`, their current values and items). `scope` says in the instructions
    which units the people come from."""
    writer = _TemplateWriter(program, subjects, period, scope, data)
    write_atomically(path, writer.write)
    return TemplateOutcome(
        path,
        len(subjects),
        len(program.inputs),
        tuple(writer.item_sheets.values()),
        with_data=sum(1 for s in subjects if data is not None and s.code in data.inputs),
    )


# ---------------------------------------------------------------- texts


def _amount(value: Decimal, spec: InputSpec) -> str:
    if spec.kind == "percent":
        return vi_number(_plain(value * 100)) + "%"
    return vi_number(_plain(value))


def _plain(value: Decimal | int) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def valid_text(spec: InputSpec) -> str:
    """The values a column accepts, in Vietnamese: 'từ 0 đến 10', 'lớn hơn 0', the choices."""
    if spec.kind == "enum":
        return "; ".join(spec.choices)
    if spec.kind == "bool":
        return f"{YES} / {NO}"
    low, high = spec.low, spec.high
    if spec.kind == "count" and (low is None or low < 0):
        low, low_strict = Decimal(0), False
    else:
        low_strict = spec.low_strict
    parts: list[str] = []
    if low is not None and high is not None and not (low_strict or spec.high_strict):
        return f"từ {_amount(low, spec)} đến {_amount(high, spec)}"
    if low is not None:
        parts.append(("lớn hơn " if low_strict else "từ ") + _amount(low, spec))
    if high is not None:
        parts.append(("nhỏ hơn " if spec.high_strict else "không quá ") + _amount(high, spec))
    return ", ".join(parts) or "bất kỳ"


def default_text(spec: InputSpec) -> str:
    """What a blank cell means: the default, or that it is required."""
    if not spec.has_default:
        return "bắt buộc nhập"
    value = spec.default
    if value is None:
        return "không có giá trị"
    if isinstance(value, bool):
        return f"mặc định: {YES if value else NO}"
    if isinstance(value, (Decimal, int)):
        return "mặc định: " + _amount(Decimal(value), spec)
    if isinstance(value, date):
        return f"mặc định: {value.strftime('%d/%m/%Y')}"
    return f"mặc định: {value}"


def _hint(spec: InputSpec) -> str:
    if spec.kind == "enum":
        what = "chọn trong danh sách"
    elif spec.kind == "bool":
        what = f"{YES}/{NO}"
    elif spec.kind in ("number", "count", "percent"):
        what = ("số lần " if spec.kind == "count" else "") + valid_text(spec)
        if spec.kind == "percent":
            what = "tỷ lệ " + what
    else:
        what = _KIND_TEXT[spec.kind]
    blank = default_text(spec)
    return f"{what}; {blank}" if spec.has_default else f"{what}; bắt buộc"


# ---------------------------------------------------------------- validation


def choice_validation(ref: str, title: str, choices: str, allowed: str) -> Validation:
    """A drop-down list (`choices`: '"có,không"' or a range of cells)."""
    return Validation(
        ref,
        "list",
        choices,
        prompt_title=title[:32],
        prompt="Chọn trong danh sách.",
        error_title="Giá trị không hợp lệ",
        error=f"Chỉ chọn: {allowed}.",
    )


def validation_for(
    spec: InputSpec, ref: str, top_left: str, choices: str | None
) -> Validation | None:
    """The data-validation rule of an input column (`top_left` is its first data cell, which a
    custom formula refers to; `choices` the range of an enumeration's choices)."""
    title = spec.label or spec.name
    if spec.kind == "bool":
        return choice_validation(ref, title, f'"{YES},{NO}"', f"{YES} hoặc {NO}")
    if spec.kind == "enum" and choices is not None:
        return choice_validation(ref, title, choices, "; ".join(spec.choices))
    texts = {
        "prompt_title": title[:32],
        "prompt": _hint(spec),
        "error_title": "Giá trị không hợp lệ",
    }
    if spec.kind == "date":
        return Validation(
            ref, "date", "1", operator="greaterThanOrEqual", error="Cần một ngày.", **texts
        )
    if spec.kind not in ("number", "count", "percent"):
        return None
    low, high = spec.low, spec.high
    low_strict, high_strict = spec.low_strict, spec.high_strict
    if spec.kind == "count" and (low is None or low < 0):
        low, low_strict = Decimal(0), False
    kind = "whole" if spec.kind == "count" else "decimal"
    error = "Cần " + ("số nguyên " if kind == "whole" else "số ") + valid_text(spec) + "."
    if low is None and high is None:
        return Validation(ref, "custom", f"ISNUMBER({top_left})", error="Cần một số.", **texts)
    if low is not None and high is not None and not (low_strict or high_strict):
        return Validation(ref, kind, _plain(low), _plain(high), "between", error=error, **texts)
    if high is None:
        assert low is not None
        operator = "greaterThan" if low_strict else "greaterThanOrEqual"
        return Validation(ref, kind, _plain(low), operator=operator, error=error, **texts)
    if low is None:
        operator = "lessThan" if high_strict else "lessThanOrEqual"
        return Validation(ref, kind, _plain(high), operator=operator, error=error, **texts)
    # A range with a strict end: Excel's "between" includes both ends, so say it exactly.
    tests = [f"ISNUMBER({top_left})"]
    if kind == "whole":
        tests.append(f"{top_left}=INT({top_left})")
    tests.append(f"{top_left}{'>' if low_strict else '>='}{_plain(low)}")
    tests.append(f"{top_left}{'<' if high_strict else '<='}{_plain(high)}")
    return Validation(ref, "custom", f"AND({','.join(tests)})", error=error, **texts)


# ---------------------------------------------------------------- the workbook


class _TemplateWriter:
    def __init__(
        self,
        program: Program,
        subjects: Sequence[Prefill],
        period: PeriodInfo | None,
        scope: str | None,
        data: CurrentData | None = None,
    ) -> None:
        self.program = program
        self.subjects = subjects
        self.period = period
        self.scope = scope
        self.data = data
        self.item_sheets: dict[str, str] = {}  # items name -> sheet name
        taken = {SUBJECTS_SHEET.casefold(), GUIDE_SHEET.casefold(), CHOICES_SHEET.casefold()}
        for spec in program.items:
            self.item_sheets[spec.name] = _items_sheet_name(spec, taken)
        self.enums = [
            spec
            for spec in (*program.inputs, *(f for items in program.items for f in items.fields))
            if spec.kind == "enum"
        ]
        self.subject_columns = self._subject_columns()
        self._check_headers()

    # ------------------------------------------------------------ columns

    def _subject_columns(self) -> list[_Column]:
        unit_rules = self.program.header.subject == "unit"
        who = "đơn vị" if unit_rules else "người"
        code = _Column(
            "Mã\n(bắt buộc, không trùng)",
            "code",
            12,
            meaning=f"Mã {who} trong hệ thống (không sửa mã đã điền sẵn)",
            kind="chữ",
            valid="không trùng",
            blank="bắt buộc nhập",
        )
        if unit_rules:
            return [
                code,
                _given("Tên đơn vị", "name", 30, "Tên đơn vị, để người nhập đối chiếu"),
                _given("Mã đơn vị cấp trên", "unit", 16, "Đơn vị cấp trên, để đối chiếu"),
                *(_input_column(spec) for spec in self.program.inputs),
            ]
        return [
            code,
            _given("Họ và tên", "name", 24, "Họ và tên, để người nhập đối chiếu"),
            _Column(
                "Mã đơn vị\n(dùng cho hạn mức)",
                "unit",
                16,
                meaning="Mã đơn vị công tác (hạn mức tỷ lệ tính trong từng đơn vị)",
                kind="chữ",
            ),
            _given(
                "Tên đơn vị",
                "unit_name",
                24,
                "Tên đơn vị công tác, để đối chiếu (chương trình không đọc cột này)",
            ),
            _given("Chức vụ", "position", 16, "Chức vụ hoặc vị trí việc làm, để đối chiếu"),
            _Column(
                "Nhóm vị trí việc làm\n(dùng cho hạn mức)",
                "position_group",
                16,
                meaning="Nhóm công chức có nhiệm vụ tương đồng (hạn mức tỷ lệ tính trong nhóm)",
                kind="chữ",
            ),
            _Column(
                f"Người đứng đầu\n({YES}/{NO})",
                "is_head",
                11,
                meaning="Người đứng đầu đơn vị",
                kind=_KIND_TEXT["bool"],
                valid=f"{YES} / {NO}",
                blank=f"mặc định: {NO}",
            ),
            *(_input_column(spec) for spec in self.program.inputs),
        ]

    def _item_columns(self, spec: ItemsSpec) -> list[_Column]:
        code = _Column(
            "Mã người\n(ở trang Đối tượng)",
            "code",
            12,
            meaning="Mã của người có mục này (một người có thể có nhiều dòng)",
            kind="chữ",
            valid="mã có ở trang Đối tượng",
            blank="bắt buộc nhập",
        )
        return [code, *(_input_column(field) for field in spec.fields)]

    def _check_headers(self) -> None:
        """No visible header may be a header the reader knows (it would take that row as the
        header row); the hints make that so, and this makes sure."""
        known = {header_key(h) for h in CODE_HEADERS}
        known |= {header_key(h) for names in SUBJECT_HEADERS.values() for h in names}
        specs = [*self.program.inputs, *(f for s in self.program.items for f in s.fields)]
        for spec in specs:
            known.add(header_key(spec.name))
            if spec.label:
                known.add(header_key(spec.label))
        columns = [*self.subject_columns]
        for items in self.program.items:
            columns += self._item_columns(items)
        clash = sorted(c.header for c in columns if header_key(c.header) in known)
        if clash:
            raise TemplateError(
                Text(
                    f"không tạo được mẫu: tiêu đề cột trùng với tên cột ({clash[0]!r})",
                    f"cannot write the template: a column title is a column name ({clash[0]!r})",
                )
            )

    # ------------------------------------------------------------ writing

    def write(self, path: Path) -> None:
        with StyledWorkbook(path) as book:
            self.book = book
            self._styles()
            self._subjects_sheet()
            for spec in self.program.items:
                self._items_sheet(spec)
            self._guide()
            self._choices()

    def _styles(self) -> None:
        book = self.book
        self.title = book.style(Style(bold=True, size=14, horizontal="center", vertical="center"))
        self.note = book.style(Style(italic=True, horizontal="left", vertical="center", wrap=True))
        self.header = book.style(
            Style(
                bold=True,
                border=True,
                fill=HEADER_FILL,
                horizontal="center",
                vertical="center",
                wrap=True,
            )
        )
        self.names = book.style(
            Style(italic=True, size=9, color="808080", border=True, horizontal="center")
        )
        self.given = book.style(Style(border=True, fill="F2F2F2"))
        self.cell = book.style(Style(border=True))
        self.formats = {
            kind: book.style(Style(border=True, number_format=number_format))
            for kind, number_format in _FORMATS.items()
        }
        self.wrap = book.style(Style(wrap=True, vertical="top"))
        self.guide_cell = book.style(Style(border=True, wrap=True, vertical="top"))
        self.guide_code = book.style(
            Style(border=True, wrap=True, vertical="top", italic=True, color="404040")
        )

    def _input_style(self, column: _Column) -> int:
        kind = column.spec.kind if column.spec else ""
        return self.formats.get(kind, self.cell)

    def _title(self, sheet: Sheet, text: str, note: str, width: int) -> None:
        sheet.merged_row(text, self.title, max(width, 8), height=30)
        sheet.merged_row(note, self.note, max(width, 8), height=36)

    def _header_rows(self, sheet: Sheet, columns: Sequence[_Column]) -> None:
        height = max(text_height(c.header, c.width) for c in columns)
        sheet.row([c.header for c in columns], self.header, height=min(height, 260))
        sheet.row([c.name for c in columns], self.names)

    def _subjects_sheet(self) -> None:
        columns = self.subject_columns
        options = SheetOptions(
            widths=[c.width for c in columns],
            freeze=(NAMES_ROW, 2),
            page=PageSetup(title_rows=(HEADER_ROW, NAMES_ROW)),
        )
        header = self.program.header
        with self.book.sheet(SUBJECTS_SHEET, options) as sheet:
            self._title(
                sheet,
                self._document_title(),
                f"Bộ tiêu chí: {header.title} ({header.name}). Mỗi dòng một "
                f"{'đơn vị' if header.subject == 'unit' else 'người'}; không sửa dòng "
                f"{NAMES_ROW} (tên cột để chương trình đối chiếu). Xem trang «{GUIDE_SHEET}».",
                len(columns),
            )
            self._header_rows(sheet, columns)
            builtin = sum(1 for c in columns if c.spec is None)
            styles = [self.given] * builtin + [self._input_style(c) for c in columns[builtin:]]
            blanks = [None] * (len(columns) - builtin)
            inputs = [c.spec for c in columns[builtin:] if c.spec is not None]
            stored = self.data.inputs if self.data is not None else {}
            unit_rules = header.subject == "unit"
            for subject in self.subjects:
                values = stored.get(subject.code)
                row = (
                    [cell_value(spec, values.get(spec.name)) for spec in inputs]
                    if values is not None
                    else blanks
                )
                given: list[object] = [subject.code, subject.name, subject.unit]
                if not unit_rules:
                    given += [
                        subject.unit_name,
                        subject.position,
                        subject.position_group,
                        YES if subject.is_head else NO,
                    ]
                sheet.row([*given, *row], styles)
            last = FIRST_DATA_ROW + len(self.subjects) - 1
            self.codes_ref = (
                sheet_ref(SUBJECTS_SHEET, f"{absolute(0, FIRST_DATA_ROW)}:{absolute(0, last)}")
                if self.subjects
                else None
            )
            self._validate(sheet, columns)

    def _validate(self, sheet: Sheet, columns: Sequence[_Column]) -> None:
        for index, column in enumerate(columns):
            letter = column_letter(index)
            ref = f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_ROW}"
            top_left = f"{letter}{FIRST_DATA_ROW}"
            if column.spec is not None:
                rule = validation_for(column.spec, ref, top_left, self._choices_ref(column.spec))
                if rule is not None:
                    sheet.validate(rule)
            elif column.name == "is_head":
                sheet.validate(
                    choice_validation(ref, "Người đứng đầu", f'"{YES},{NO}"', f"{YES} hoặc {NO}")
                )
            elif column.name == "code" and sheet.name == SUBJECTS_SHEET:
                whole = f"${letter}${FIRST_DATA_ROW}:${letter}${LAST_ROW}"
                sheet.validate(
                    Validation(
                        ref,
                        "custom",
                        f"COUNTIF({whole},{top_left})=1",
                        prompt_title="Mã",
                        prompt="Mã không được trùng.",
                        error_title="Mã trùng",
                        error="Mã này đã có ở một dòng khác của trang.",
                    )
                )
            elif column.name == "code" and self.codes_ref is not None:
                sheet.validate(
                    choice_validation(ref, "Mã người", self.codes_ref, "mã ở trang Đối tượng")
                )

    def _choices_ref(self, spec: InputSpec) -> str | None:
        for index, enum in enumerate(self.enums):
            if enum is spec:
                letter = column_letter(index)
                last = 1 + len(spec.choices)
                return sheet_ref(CHOICES_SHEET, f"${letter}$2:${letter}${last}")
        return None

    def _items_sheet(self, spec: ItemsSpec) -> None:
        columns = self._item_columns(spec)
        options = SheetOptions(
            widths=[c.width for c in columns],
            freeze=(NAMES_ROW, 1),
            page=PageSetup(title_rows=(HEADER_ROW, NAMES_ROW)),
        )
        with self.book.sheet(self.item_sheets[spec.name], options) as sheet:
            self._title(
                sheet,
                vi_upper(f"Danh sách: {spec.label or spec.name}"),
                "Mỗi dòng một mục; cột Mã ghi mã của người ở trang Đối tượng. Một người có "
                "thể có nhiều dòng, hoặc không có dòng nào. Không sửa dòng "
                f"{NAMES_ROW}. Xem trang «{GUIDE_SHEET}».",
                len(columns),
            )
            self._header_rows(sheet, columns)
            if self.data is not None:
                listed = {subject.code for subject in self.subjects}
                styles = [self._input_style(c) for c in columns]
                fields = spec.fields
                for code, values in self.data.items.get(spec.name, ()):
                    if code in listed:
                        cells = [cell_value(f, v) for f, v in zip(fields, values, strict=True)]
                        sheet.row([code, *cells], styles)
            self._validate(sheet, columns)

    def _guide(self) -> None:
        program = self.program
        header = program.header
        options = SheetOptions(
            widths=(16, 26, 16, 48, 24, 26, 22),
            page=PageSetup(landscape=True),
            gridlines=False,
        )
        with self.book.sheet(GUIDE_SHEET, options) as sheet:
            sheet.merged_row("HƯỚNG DẪN NHẬP DỮ LIỆU", self.title, 7, height=30)
            period = (
                f"kỳ {self.period.code} ({period_words(self.period.kind, self.period.start)})"
                if self.period
                else "kỳ đánh giá ghi khi nhập"
            )
            lines = [
                f"Bộ tiêu chí: {header.title} ({header.name})"
                + (f"; căn cứ: {header.basis}" if header.basis else "")
                + f"; {period}.",
                f"1. Trang «{SUBJECTS_SHEET}»: mỗi dòng một "
                + ("đơn vị" if header.subject == "unit" else "người")
                + ". "
                + self._prefilled_text(),
                f"2. Dòng {HEADER_ROW} là tiêu đề cột; dòng {NAMES_ROW} (chữ nhỏ, màu xám) là tên "
                "cột để chương trình đối chiếu: không sửa, không xóa; không chèn dòng phía trên "
                "bảng. Có thể thêm dòng ở cuối bảng.",
                "3. Ô để trống: dùng giá trị mặc định của cột (xem bảng dưới); cột ghi «bắt "
                "buộc» thì không được để trống.",
                "4. Số nhập vào ô số (dấu thập phân theo cài đặt của máy, ví dụ 8,5); tỷ lệ "
                f"phần trăm nhập dạng 96%; các cột {YES}/{NO} và cột chọn giá trị có danh sách "
                "thả xuống. Excel báo lỗi khi nhập giá trị ngoài khoảng cho phép.",
            ]
            for number, spec in enumerate(program.items, start=5):
                lines.append(
                    f"{number}. Trang «{self.item_sheets[spec.name]}» ({spec.label or spec.name}):"
                    " mỗi dòng một mục; cột Mã ghi mã người ở trang "
                    f"«{SUBJECTS_SHEET}»; một người có thể có nhiều dòng hoặc không có dòng nào."
                )
            period_code = self.period.code if self.period else "KỲ"
            lines.append(
                f"{len(lines)}. Nhập vào hệ thống: chamdiem import TỆP --period {period_code} "
                "(kiểm tra toàn bộ tệp; có lỗi thì không lưu gì và báo trang, dòng, cột)."
            )
            for line in lines:
                sheet.merged_row(line, self.wrap, 7, height=text_height(line, 170))
            sheet.blank()
            heading = [
                "Trang",
                "Cột (tiêu đề)",
                f"Tên cột (dòng {NAMES_ROW})",
                "Ý nghĩa",
                "Kiểu",
                "Giá trị hợp lệ",
                "Để trống thì",
            ]
            sheet.row(heading, self.header, height=32)
            sections = [(SUBJECTS_SHEET, self.subject_columns)] + [
                (self.item_sheets[spec.name], self._item_columns(spec)) for spec in program.items
            ]
            styles = [self.guide_cell, self.guide_cell, self.guide_code, *[self.guide_cell] * 4]
            for sheet_name, columns in sections:
                for column in columns:
                    title = column.header.replace("\n", " ")
                    facts = [column.meaning, column.kind, column.valid, column.blank]
                    sheet.row([sheet_name, title, column.name, *facts], styles)

    def _prefilled_text(self) -> str:
        count = len(self.subjects)
        if not count:
            return (
                "Chưa điền sẵn ai (cơ sở dữ liệu chưa có người của các đơn vị đã chọn): ghi "
                "mã, họ tên, đơn vị."
            )
        where = f" của {self.scope}" if self.scope else ""
        if self.data is not None:
            return (
                f"Đã điền sẵn {count} dòng{where} từ cơ sở dữ liệu (ô nền xám), cùng dữ liệu "
                f"đang lưu của kỳ {self.data.period} ở các cột bên phải và các trang danh "
                "sách: sửa những ô cần sửa rồi nhập lại tệp; dữ liệu cũ được giữ trong lịch "
                "sử. Người không cần sửa có thể bỏ khỏi tệp (xóa dòng của họ ở đây và ở các "
                "trang danh sách); dữ liệu đang lưu của họ giữ nguyên."
            )
        return (
            f"Đã điền sẵn {count} dòng{where} từ cơ sở dữ liệu (ô nền xám); chỉ nhập các cột "
            "dữ liệu bên phải. Người không được đánh giá kỳ này thì xóa cả dòng."
        )

    def _choices(self) -> None:
        with self.book.sheet(CHOICES_SHEET, SheetOptions(hidden=True)) as sheet:
            if not self.enums:
                sheet.row(["(không có danh mục)"])
                return
            sheet.row([spec.name for spec in self.enums])
            depth = max(len(spec.choices) for spec in self.enums)
            for k in range(depth):
                sheet.row(
                    [spec.choices[k] if k < len(spec.choices) else None for spec in self.enums]
                )

    def _document_title(self) -> str:
        what = subject_title(self.program.header.title)
        when = period_words(self.period.kind, self.period.start) if self.period else ""
        return vi_upper(f"dữ liệu {what} {when}".strip())


_EXCEL_EPOCH = date(1899, 12, 30)


def cell_value(spec: InputSpec, value: object) -> object:
    """A stored value as the template's cell for it holds it, and the reader reads it back
    the same: yes/no as có/không, a date as Excel's day number, numbers and text as they are
    (a percent is a fraction in a percent-formatted cell)."""
    if value is None:
        return None
    if spec.kind == "bool":
        return YES if value else NO
    if spec.kind == "date" and isinstance(value, date):
        return (value - _EXCEL_EPOCH).days
    return value


def _input_column(spec: InputSpec) -> _Column:
    label = spec.label or spec.name
    return _Column(
        f"{label}\n({_hint(spec)})",
        spec.name,
        22 if len(label) > 40 else 16,
        spec,
        meaning=label,
        kind=_KIND_TEXT[spec.kind],
        valid=valid_text(spec) if spec.kind not in ("text", "date") else "",
        blank=default_text(spec),
    )


def _items_sheet_name(spec: ItemsSpec, taken: set[str]) -> str:
    """The label when it fits in a sheet name, else the name (the reader accepts either)."""
    for wanted in (spec.label, spec.name):
        if wanted and len(wanted) <= SHEET_NAME_LIMIT and wanted.casefold() not in taken:
            name = safe_sheet_name(wanted, taken)
            if name == wanted:
                return name
            taken.discard(name.casefold())
    raise TemplateError(
        Text(
            f"danh sách {spec.name}: tên quá dài để làm tên trang tính Excel (tối đa "
            f"{SHEET_NAME_LIMIT} ký tự)",
            f"items {spec.name}: the name is too long for an Excel sheet name (at most "
            f"{SHEET_NAME_LIMIT} characters)",
        )
    )
