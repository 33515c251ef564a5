"""`chamdiem template`: the input workbook of a rule set, filled in as an HR officer would
(here by code) and read back by the same reader `chamdiem import` uses."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine
from sqlmodel import Session

from chamdiem.cli.reports import main
from chamdiem.dsl import load_file, load_source
from chamdiem.platform.excel import read_cohort
from chamdiem.platform.excel.template import (
    CHOICES_SHEET,
    FIRST_DATA_ROW,
    GUIDE_SHEET,
    HEADER_ROW,
    NAMES_ROW,
    SUBJECTS_SHEET,
    validation_for,
    write_template,
)
from chamdiem.platform.report_data import CurrentData, PeriodInfo, Prefill
from chamdiem.platform.services.errors import NotFound
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.services.organisation import load_organisation
from chamdiem.platform.services.periods import add_period
from chamdiem.platform.services.rules import publish_rule_version
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope, units_named
from chamdiem.platform.services.templates import current_data, template_prefill
from tests.platform.builders import spec
from tests.platform.db.helpers import ACTOR, PERIOD, RULES, count, prepare, workbook
from tests.platform.excel_out.workbooks import merged, open_book, rows

QUARTER = PeriodInfo("2026-Q1", "quarter", date(2026, 1, 1))
PEOPLE = [
    Prefill("A1", "Nguyễn Thị An", "SNV-TH", "Phòng Tổng hợp", "Chuyên viên", "chuyen_vien"),
    Prefill("A2", "Lê Văn Bình", "SNV-TH", "Phòng Tổng hợp", None, "chuyen_vien", True),
    Prefill("B1", "Trần Văn Cường", "SNV-KH", "Phòng Kế hoạch", None, "chuyen_vien"),
]


def columns_by_name(sheet: Worksheet) -> dict[str, str]:
    """Name in the names row -> column letter."""
    return {
        str(cell.value): cell.column_letter for cell in sheet[NAMES_ROW] if cell.value is not None
    }


def validations(sheet: Worksheet) -> dict[str, tuple[str, str | None, str | None, str | None]]:
    """Column letter -> (type, operator, formula1, formula2) of the rule over its data cells."""
    found = {}
    for rule in sheet.data_validations.dataValidation:
        ref = str(rule.sqref)
        letter = ref.split(":")[0].rstrip("0123456789")
        assert ref == f"{letter}{FIRST_DATA_ROW}:{letter}1048576", ref
        found[letter] = (rule.type, rule.operator, rule.formula1, rule.formula2)
    return found


def test_a_filled_template_reads_back_as_the_cohort(tmp_path: Path) -> None:
    program = load_file(RULES)
    path = tmp_path / "mau.xlsx"
    done = write_template(program, path, PEOPLE, QUARTER, "Sở Nội vụ")
    assert done.subjects == 3 and done.item_sheets == ("san_pham",)

    book = open_book(path)
    subjects = book[SUBJECTS_SHEET]
    where = columns_by_name(subjects)
    filled: dict[str, dict[str, float | str]] = {
        "A1": {"chinh_tri": 9, "chuyen_mon": 8.5, "doi_moi": 10, "ky_luat": "khiển trách"},
        "A2": {"chinh_tri": 7.25, "chuyen_mon": 0, "doi_moi": 9, "lanh_dao": "có"},
        "B1": {"chinh_tri": 10, "chuyen_mon": 10, "doi_moi": 10, "suy_thoai": "không"},
    }
    for offset, person in enumerate(PEOPLE):
        row = FIRST_DATA_ROW + offset
        assert subjects[f"{where['code']}{row}"].value == person.code
        for name, value in filled[person.code].items():
            subjects[f"{where[name]}{row}"] = value
    products = book["san_pham"]
    item_where = columns_by_name(products)
    for offset, (code, he_so, done_, late) in enumerate(
        [("A1", 1, "có", 0), ("A1", 2.5, "không", None), ("B1", 3, "có", 2)]
    ):
        row = FIRST_DATA_ROW + offset
        products[f"{item_where['code']}{row}"] = code
        products[f"{item_where['he_so']}{row}"] = he_so
        products[f"{item_where['hoan_thanh']}{row}"] = done_
        products[f"{item_where['cham_tre']}{row}"] = late
    book.save(path)

    cohort = read_cohort(path, program.inputs, program.items)
    assert cohort.codes == ["A1", "A2", "B1"]
    assert cohort.names == ["Nguyễn Thị An", "Lê Văn Bình", "Trần Văn Cường"]
    assert cohort.units == ["SNV-TH", "SNV-TH", "SNV-KH"]
    assert cohort.position_groups == ["chuyen_vien"] * 3
    assert cohort.is_head == [False, True, False]
    assert cohort.inputs["chinh_tri"] == [9, Decimal("7.25"), 10]
    assert cohort.inputs["chuyen_mon"] == [Decimal("8.5"), 0, 10]
    assert cohort.inputs["ky_luat"] == ["khiển trách", None, None]
    assert cohort.inputs["lanh_dao"] == [None, True, None]
    assert cohort.inputs["suy_thoai"] == [None, None, False]
    table = cohort.items["san_pham"]
    assert list(table.owner) == [0, 0, 2]
    assert table.fields["he_so"] == [1, Decimal("2.5"), 3]
    assert table.fields["hoan_thanh"] == [True, False, True]
    assert table.fields["cham_tre"] == [0, None, 2]
    # And the rules evaluate it.
    results = program.evaluate(cohort)
    assert results.codes == ["A1", "A2", "B1"]


def test_the_sheets_a_user_sees(tmp_path: Path) -> None:
    program = load_file(RULES)
    path = tmp_path / "mau.xlsx"
    write_template(program, path, PEOPLE, QUARTER)
    book = open_book(path)
    assert book.sheetnames == [SUBJECTS_SHEET, "san_pham", GUIDE_SHEET, CHOICES_SHEET]
    assert book[CHOICES_SHEET].sheet_state == "hidden"
    subjects = book[SUBJECTS_SHEET]
    title = subjects["A1"].value
    assert title == "DỮ LIỆU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC QUÝ I NĂM 2026"
    assert subjects["A1"].font.b and subjects["A1"].font.name == "Times New Roman"
    assert f"A1:{get_column_letter(subjects.max_column)}1" in merged(subjects)
    headers = [str(cell.value) for cell in subjects[HEADER_ROW]]
    label = program.inputs[0].label
    assert label is not None
    assert f"{label}\n(từ 0 đến 10; bắt buộc)" in headers
    assert "Mã\n(bắt buộc, không trùng)" in headers
    names = [cell.value for cell in subjects[NAMES_ROW]]
    assert names[:7] == ["code", "name", "unit", "unit_name", "position", "position_group",
                         "is_head"]  # fmt: skip
    assert names[7:] == [spec.name for spec in program.inputs]
    first = rows(subjects)[FIRST_DATA_ROW - 1]
    assert first[:7] == ("A1", "Nguyễn Thị An", "SNV-TH", "Phòng Tổng hợp", "Chuyên viên",
                         "chuyen_vien", "không")  # fmt: skip
    assert rows(subjects)[FIRST_DATA_ROW][6] == "có"
    assert subjects.freeze_panes == f"C{FIRST_DATA_ROW}"
    assert subjects.print_title_rows == f"${HEADER_ROW}:${NAMES_ROW}"
    # The instructions name every column, its range and what a blank cell means.
    guide = rows(book[GUIDE_SHEET])
    assert guide[0][0] == "HƯỚNG DẪN NHẬP DỮ LIỆU"
    described = {row[2]: row for row in guide if row[0] in (SUBJECTS_SHEET, "san_pham")}
    assert described["chinh_tri"][5:] == ("từ 0 đến 10", "bắt buộc nhập")
    assert described["ky_luat"][6] == "mặc định: không"
    assert described["he_so"][5] == "lớn hơn 0"
    assert described["loi_nang"][5:] == ("từ 0", "mặc định: 0")
    text = " ".join(str(row[0]) for row in guide[:10])
    assert "chamdiem import TỆP --period 2026-Q1" in text
    assert "Đã điền sẵn 3 dòng" in text


def test_validations_guard_the_right_columns(tmp_path: Path) -> None:
    program = load_file(RULES)
    path = tmp_path / "mau.xlsx"
    write_template(program, path, PEOPLE, QUARTER)
    book = open_book(path)
    subjects = book[SUBJECTS_SHEET]
    where = columns_by_name(subjects)
    rules = validations(subjects)
    yes_no = ("list", None, '"có,không"', None)
    assert rules[where["chinh_tri"]] == ("decimal", "between", "0", "10")
    assert rules[where["doi_moi"]] == ("decimal", "between", "0", "10")
    assert rules[where["suy_thoai"]] == yes_no
    assert rules[where["is_head"]] == yes_no
    assert rules[where["ky_luat"]] == ("list", None, "'Danh mục'!$A$2:$A$7", None)
    assert [row[0] for row in rows(book[CHOICES_SHEET])] == [
        "ky_luat", "không", "khiển trách", "cảnh cáo", "hạ bậc lương", "giáng chức", "cách chức",
    ]  # fmt: skip
    code = where["code"]
    assert (
        rules[code][0] == "custom"
        and rules[code][2] == f"COUNTIF(${code}$5:${code}$1048576,{code}5)=1"
    )
    assert where["name"] not in rules and where["unit"] not in rules
    products = book["san_pham"]
    item_where = columns_by_name(products)
    item_rules = validations(products)
    assert item_rules[item_where["he_so"]] == ("decimal", "greaterThan", "0", None)
    assert item_rules[item_where["hoan_thanh"]] == yes_no
    assert item_rules[item_where["loi_nang"]] == ("whole", "greaterThanOrEqual", "0", None)
    assert item_rules[item_where["code"]] == ("list", None, "'Đối tượng'!$A$5:$A$7", None)


MINI = """\
ruleset mini "Đánh giá thử hằng tháng"
  subject person
  period month
  effective 2026-01-01
end

input diem    : number 0..10 "Điểm"
input ty_le   : percent 0..100% = 100% "Tỷ lệ hoàn thành"
input so_lan  : count <= 5 = 0 "Số lần"
input he_so   : number > 0 = 1 "Hệ số"
input tu_do   : number = 0 "Số tự do"
input ngay    : date "Ngày nhận việc"
input ghi_chu : text = "" "Ghi chú"

group chung "Chung" max 10
  criterion c "Nội dung" max 10 = min(10, diem * ty_le * he_so + so_lan * 0 + tu_do * 0)
end

grades
  dat "Đạt" when total >= 5
  khong "Không đạt" otherwise
end
"""


def test_every_kind_of_input_gets_its_format_and_validation(tmp_path: Path) -> None:
    program = load_source(MINI, "mini.rules")
    path = tmp_path / "mini.xlsx"
    write_template(program, path, [Prefill("X1", "Người thử")], None)
    book = open_book(path)
    subjects = book[SUBJECTS_SHEET]
    assert subjects["A1"].value == "DỮ LIỆU ĐÁNH GIÁ THỬ"
    where = columns_by_name(subjects)
    rules = validations(subjects)
    assert rules[where["ty_le"]] == ("decimal", "between", "0", "1")
    assert rules[where["so_lan"]] == ("whole", "between", "0", "5")
    assert rules[where["he_so"]] == ("decimal", "greaterThan", "0", None)
    letter = where["tu_do"]
    assert rules[letter] == ("custom", None, f"ISNUMBER({letter}5)", None)
    assert rules[where["ngay"]] == ("date", "greaterThanOrEqual", "1", None)
    assert where["ghi_chu"] not in rules
    assert subjects[f"{where['ty_le']}{FIRST_DATA_ROW}"].number_format == "0.##%"
    assert subjects[f"{where['ngay']}{FIRST_DATA_ROW}"].number_format == "dd/mm/yyyy"
    headers = {cell.value for cell in subjects[HEADER_ROW]}
    assert "Tỷ lệ hoàn thành\n(tỷ lệ từ 0% đến 100%; mặc định: 100%)" in headers
    assert "Số lần\n(số lần từ 0 đến 5; mặc định: 0)" in headers

    row = FIRST_DATA_ROW
    subjects[f"{where['diem']}{row}"] = 8
    subjects[f"{where['ty_le']}{row}"] = 0.96
    subjects[f"{where['ngay']}{row}"] = datetime(2026, 3, 2)
    book.save(path)
    cohort = read_cohort(path, program.inputs, program.items)
    assert cohort.inputs["ty_le"] == [Decimal("0.96")]
    assert cohort.inputs["ngay"] == [date(2026, 3, 2)]
    assert cohort.inputs["so_lan"] == [None]  # blank: the default applies


def test_a_range_with_a_strict_end_is_checked_exactly() -> None:
    rule = validation_for(
        spec("x", "count", low="0", high="5", low_strict=True), "C5:C9", "C5", None
    )
    assert rule is not None and rule.kind == "custom"
    assert rule.formula1 == "AND(ISNUMBER(C5),C5=INT(C5),C5>0,C5<=5)"


def test_the_people_of_the_chosen_units_come_from_the_database(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    load_organisation(session, workbook(tmp_path / "to_chuc.xlsx"), actor=ACTOR)
    prefill, scope = template_prefill(session, "person", units_named(session, ["SNV"]))
    session.commit()
    codes = [p.code for p in prefill]
    assert codes == ["A1", "A2", "A3", "A4", "A5", "K1", "K2", "K3", "K4", "K5", "S1"]
    assert scope == "Sở Nội vụ"
    a5 = next(p for p in prefill if p.code == "A5")
    assert (a5.name, a5.unit, a5.unit_name, a5.position_group, a5.is_head) == (
        "Vũ Thị Én",
        "SNV-TH",
        "Phòng Tổng hợp",
        "chuyen_vien",
        True,
    )
    everyone, scope = template_prefill(session, "person", Scope.everything())
    assert len(everyone) == 14 and scope is None
    no_one, _ = template_prefill(session, "person", Scope.nothing())
    assert no_one == []  # an empty scope is no one, never everyone
    assert count(engine, "audit_log") == 1  # reading wrote nothing (the load's own entry)


def test_a_template_from_the_database_imports_and_runs(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    load_organisation(session, workbook(tmp_path / "to_chuc.xlsx"), actor=ACTOR)
    add_period(session, PERIOD, actor=ACTOR)
    publish_rule_version(session, RULES, actor=ACTOR)
    prefill, scope = template_prefill(session, "person", units_named(session, ["STC"]))
    session.commit()
    program = load_file(RULES)
    path = tmp_path / "stc.xlsx"
    write_template(program, path, prefill, QUARTER, scope)
    book = open_book(path)
    subjects = book[SUBJECTS_SHEET]
    where = columns_by_name(subjects)
    for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(prefill)):
        for name in ("chinh_tri", "chuyen_mon", "doi_moi"):
            subjects[f"{where[name]}{row}"] = 8
    book.save(path)
    done = import_period_data(session, path, PERIOD, actor=ACTOR)
    assert done.subjects == 3 and done.item_rows == 0
    [outcome] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    assert outcome.status == "complete" and outcome.subjects == 3


def test_a_template_with_the_stored_data_reads_back_as_it_was_stored(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    """The correction loop: download what is stored, change one cell, import it again."""
    prepare(session, tmp_path)
    program = load_file(RULES)
    snv = units_named(session, ["SNV"])
    prefill, scope = template_prefill(session, "person", snv)
    data = current_data(session, program, PERIOD, prefill, snv)
    session.commit()
    path = tmp_path / "sua.xlsx"
    done = write_template(program, path, prefill, QUARTER, scope, data)
    assert (done.subjects, done.with_data) == (11, 11)
    book = open_book(path)
    subjects = book[SUBJECTS_SHEET]
    where = columns_by_name(subjects)
    a1 = FIRST_DATA_ROW  # A1 is the first of SNV's people
    assert subjects[f"{where['code']}{a1}"].value == "A1"
    assert [subjects[f"{where[n]}{a1}"].value for n in ("chinh_tri", "doi_moi")] == [10, 9]
    assert subjects[f"{where['ky_luat']}{a1}"].value == "không"  # as the first file had it
    items = rows(book["san_pham"])[FIRST_DATA_ROW - 1 :]
    assert [row[0] for row in items] == [p.code for p in prefill]  # one product each
    assert items[0][1:3] == (1, "có")
    assert "cùng dữ liệu đang lưu của kỳ 2026-Q1" in "\n".join(
        str(row[0]) for row in rows(book[GUIDE_SHEET])
    )
    # As downloaded: every record replaced, none changed.
    again = import_period_data(session, path, PERIOD, actor=ACTOR)
    assert (again.subjects, again.replaced, again.changed) == (11, 11, 0)
    subjects[f"{where['doi_moi']}{a1}"] = 7
    book.save(path)
    fixed = import_period_data(session, path, PERIOD, actor=ACTOR)
    assert (fixed.replaced, fixed.changed) == (11, 1)


def test_stored_values_of_every_kind_go_back_into_their_cells(tmp_path: Path) -> None:
    mini = load_source(MINI, "mini.rules")
    stored = {
        "diem": Decimal("8.25"),
        "ty_le": Decimal("0.965"),
        "so_lan": 2,
        "he_so": Decimal("1.5"),
        "tu_do": -3,
        "ngay": date(2026, 3, 31),
        "ghi_chu": "đã sửa",
    }
    second = {"diem": 5, "ngay": date(2026, 1, 1)}  # the others blank: their defaults
    data = CurrentData("2026-03", {"A1": stored, "A2": second}, {})
    path = write_template(mini, tmp_path / "t.xlsx", PEOPLE[:2], None, None, data).path
    cohort = read_cohort(path, mini.inputs, mini.items)
    assert {name: values[0] for name, values in cohort.inputs.items()} == stored
    assert {name: values[1] for name, values in cohort.inputs.items()} == {
        name: second.get(name) for name in stored
    }
    # Yes/no and choices, and items, as cong_chuc_quy has them.
    quarter = load_file(RULES)
    marks = {"chinh_tri": 9, "chuyen_mon": 9, "doi_moi": 9, "suy_thoai": True}
    data = CurrentData(
        "2026-Q1",
        {"A1": {**marks, "ky_luat": "cảnh cáo"}, "A2": marks},
        {"san_pham": [("A2", [Decimal("2.5"), False, 1, 0]), ("X9", [1, True, 0, 0])]},
    )
    path = write_template(quarter, tmp_path / "q.xlsx", PEOPLE[:2], QUARTER, None, data).path
    cohort = read_cohort(path, quarter.inputs, quarter.items)
    assert cohort.inputs["suy_thoai"] == [True, True]
    assert cohort.inputs["ky_luat"] == ["cảnh cáo", None]
    table = cohort.items["san_pham"]  # X9 is not among the people written: left out
    assert list(table.owner) == [1] and table.fields["he_so"] == [Decimal("2.5")]
    assert table.fields["hoan_thanh"] == [False] and table.fields["loi_nang"] == [1]


def test_the_command_fills_in_the_stored_data_on_request(
    session: Session,
    tmp_path: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prepare(session, tmp_path)
    session.commit()
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", db_url)
    out = tmp_path / "sua.xlsx"
    code = main(
        [
            "template",
            "cong_chuc_quy",
            "--units",
            "STC",
            "--period",
            PERIOD,
            "--with-data",
            "-o",
            str(out),
        ]
    )
    said = capsys.readouterr()
    assert code == 0, said.err
    assert "Đã điền dữ liệu đang lưu của kỳ 2026-Q1 cho 3 người" in said.out
    assert main(["template", "cong_chuc_quy", "--with-data", "-o", str(out)]) == 1
    assert "--with-data cần --period" in capsys.readouterr().err


def test_unknown_units_are_refused(session: Session, tmp_path: Path) -> None:
    load_organisation(session, workbook(tmp_path / "to_chuc.xlsx"), actor=ACTOR)
    with pytest.raises(NotFound) as caught:
        template_prefill(session, "person", units_named(session, ["KHONG-CO"]))
    assert caught.value.message.vi == "không có đơn vị mã hoặc tên 'KHONG-CO'"


def test_the_command_with_a_rule_file_needs_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CHAMDIEM_DATABASE_URL", raising=False)
    monkeypatch.delenv("CHAMDIEM_LANG", raising=False)
    monkeypatch.setenv("CHAMDIEM_DATA_DIR", str(tmp_path / "du_lieu"))
    path = tmp_path / "mau.xlsx"
    assert main([*["template", str(RULES)], "-o", str(path), "--period", "2026-Q1"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(
        f"Đã ghi mẫu nhập liệu {path}: bộ tiêu chí cong_chuc_quy, 0 người điền sẵn, 7 cột dữ "
        "liệu, trang danh sách: san_pham"
    )
    assert captured.err == "Không điền sẵn ai: chưa có cơ sở dữ liệu.\n"
    assert open_book(path)[SUBJECTS_SHEET].max_row == NAMES_ROW
    assert not (tmp_path / "du_lieu").exists()  # no database was created on the way

    for argv, message in [
        (["--units", "SNV"], "cơ sở dữ liệu sqlite:///"),
        (["--period", "2026"], "bộ tiêu chí cong_chuc_quy đánh giá theo quý, còn kỳ 2026 là"),
        (["--period", "Q1"], "mã kỳ 'Q1' không hợp lệ"),
    ]:
        other = tmp_path / "khong.xlsx"
        assert main(["template", str(RULES), "-o", str(other), *argv]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"chamdiem: lỗi: {message}") and not other.exists()
    broken = tmp_path / "hong.rules"
    broken.write_text(MINI + "\ninput x : kiểu_lạ\n", encoding="utf-8")
    assert main(["template", str(broken), "-o", str(tmp_path / "khong.xlsx")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"chamdiem: lỗi: {broken}: tệp quy tắc có lỗi, không tạo mẫu\n")
    assert f"{broken}:" in err.splitlines()[1]


def test_the_command_with_a_published_rule_set_and_units(
    db_url: str,
    session: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    load_organisation(session, workbook(tmp_path / "to_chuc.xlsx"), actor=ACTOR)
    publish_rule_version(session, RULES, actor=ACTOR)
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", db_url)
    monkeypatch.delenv("CHAMDIEM_LANG", raising=False)
    path = tmp_path / "stc.xlsx"
    argv = ["template", "cong_chuc_quy", "-o", str(path), "--units", "STC", "--period", PERIOD]
    assert main(argv) == 0
    assert "3 người điền sẵn" in capsys.readouterr().out
    subjects = open_book(path)[SUBJECTS_SHEET]
    codes = [row[0] for row in rows(subjects)[FIRST_DATA_ROW - 1 :]]
    assert codes == ["N1", "N2", "N3"]
    assert main(["template", "khong_co", "-o", str(tmp_path / "x.xlsx")]) == 1
    assert capsys.readouterr().err == (
        "chamdiem: lỗi: không có tệp quy tắc hay bộ tiêu chí đã công bố 'khong_co'\n"
    )
    assert main(["template", "cong_chuc_quy", "-o", str(path), "--units", "X", "--lang", "en"]) == 1
    assert capsys.readouterr().err == "chamdiem: error: no unit with code or name 'X'\n"
