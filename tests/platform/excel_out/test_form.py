"""`chamdiem form PERSON --period P`: one person's evaluation form (phiếu đánh giá)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session

from chamdiem.cli.reports import main
from chamdiem.platform.excel.form import FORM_SHEET, write_form
from chamdiem.platform.services.decisions import record_decision
from chamdiem.platform.services.errors import NotFound, ServiceError
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.services.periods import add_period
from chamdiem.platform.services.reports import person_form
from chamdiem.platform.services.rules import publish_rule_version
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope
from tests.platform.db.helpers import ACTOR, PERIOD, prepare
from tests.platform.excel_out.workbooks import find_row, merged, open_book, raw_value, rows

XS, TOT, KHONG = (
    "Hoàn thành xuất sắc nhiệm vụ",
    "Hoàn thành tốt nhiệm vụ",
    "Không hoàn thành nhiệm vụ",
)


@pytest.fixture
def run_id(session: Session, tmp_path: Path) -> int:
    prepare(session, tmp_path)
    [run] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    record_decision(
        session, run.run_id, "K1", "xuat_sac", "Bằng điểm tại ngưỡng; hội đồng chọn K1",
        "15/QĐ-SNV", date(2026, 4, 15), actor="chu_tich_hoi_dong",
    )  # fmt: skip
    return run.run_id


def result_of(engine: Engine, run_id: int, code: str) -> dict[str, object]:
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT total, values_json FROM results WHERE run_id = :run AND "
                "subject_code = :code"
            ),
            {"run": run_id, "code": code},
        ).one()
    return {"total": row.total, **json.loads(row.values_json)}


def texts(path: Path) -> list[str]:
    return [str(row[0]) for row in rows(open_book(path)[FORM_SHEET]) if row[0] is not None]


def test_the_form_reads_like_the_official_one(
    session: Session, engine: Engine, tmp_path: Path, run_id: int
) -> None:
    path = tmp_path / "phieu.xlsx"
    done = write_form(person_form(session, "K1", "2026-q1"), path)
    assert (done.code, done.period, done.run_id, done.final_grade) == (
        "K1",
        PERIOD,
        run_id,
        "xuat_sac",
    )
    sheet = open_book(path)[FORM_SHEET]
    assert sheet["A1"].value == "SỞ NỘI VỤ" and sheet["A2"].value == "PHÒNG KẾ HOẠCH"
    assert sheet["A2"].font.b
    assert sheet["D1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and sheet["D1"].font.b
    assert sheet["D2"].value == "Độc lập - Tự do - Hạnh phúc" and sheet["D2"].font.u
    assert {"A1:C1", "D1:F1", "D2:F2"} <= merged(sheet)
    lines = texts(path)
    assert "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC" in lines
    assert "Quý I năm 2026" in lines
    assert "Họ và tên: Đặng Văn Khoa" in lines
    assert "Đơn vị công tác: Phòng Kế hoạch, Sở Nội vụ" in lines
    title = find_row(sheet, 1, "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC")
    assert (
        sheet.cell(title, 1).font.sz == 14 and sheet.cell(title, 1).font.name == "Times New Roman"
    )

    head = find_row(sheet, 1, "TT")
    table = rows(sheet)[head - 1 : head + 6]
    assert [(r[0], r[1], r[4]) for r in table] == [
        ("TT", "Tiêu chí", "Điểm tối đa"),
        ("I", "Tiêu chí chung (Điều 12 khoản 1)", 30),
        ("1", "Chính trị, đạo đức, văn hóa công vụ, kỷ luật", 10),
        ("2", "Chuyên môn, trách nhiệm, phục vụ, phối hợp", 10),
        ("3", "Đổi mới, sáng tạo, dám nghĩ, dám làm", 10),
        ("II", "Kết quả thực hiện nhiệm vụ (Điều 12 khoản 2, Điều 14–16)", 70),
        ("1", "Số lượng, chất lượng, tiến độ sản phẩm", 70),
    ]
    assert table[0][5] == "Điểm đạt"
    assert f"B{head + 2}:D{head + 2}" in merged(sheet)
    stored = result_of(engine, run_id, "K1")
    names = ["chung", "c_chinh_tri", "c_chuyen_mon", "c_doi_moi", "nhiem_vu", "ket_qua"]
    for offset, name in enumerate(names, start=1):
        assert raw_value(path, FORM_SHEET, f"F{head + offset}") == stored[name]
        assert sheet[f"F{head + offset}"].number_format == "0.00"
    total = head + 7
    assert (sheet[f"B{total}"].value, sheet[f"E{total}"].value) == ("TỔNG ĐIỂM", 100)
    assert raw_value(path, FORM_SHEET, f"F{total}") == stored["total"]
    assert sheet[f"F{total}"].font.b and sheet[f"F{total}"].border.top.style == "thin"

    assert f"1. Xếp loại theo điểm: {XS}." in lines
    assert "2. Trường hợp không hoàn thành nhiệm vụ (loại trừ): Không." in lines
    assert any(line.startswith("3. Hạn mức tỷ lệ: bằng điểm tại ngưỡng hạn mức") for line in lines)
    assert f"4. Xếp loại theo bộ tiêu chí (sau loại trừ, hạn mức): {TOT}." in lines
    assert (
        f"Cấp có thẩm quyền quyết định mức {XS} theo văn bản số 15/QĐ-SNV ngày 15/04/2026; lý "
        "do: Bằng điểm tại ngưỡng; hội đồng chọn K1." in lines
    )
    assert "KẾT QUẢ XẾP LOẠI: HOÀN THÀNH XUẤT SẮC NHIỆM VỤ" in lines
    signatures = find_row(sheet, 1, "NGƯỜI TỰ ĐÁNH GIÁ")
    assert sheet.cell(signatures, 3).value == "NGƯỜI QUẢN LÝ TRỰC TIẾP"
    assert sheet.cell(signatures, 5).value == "CẤP CÓ THẨM QUYỀN"
    assert sheet.cell(signatures + 1, 5).value == "(Ký, ghi rõ họ tên, đóng dấu)"
    assert f"A{signatures}:B{signatures}" in merged(sheet)
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("portrait", 9)
    # One sheet of paper: the signatures' names never go onto a page of their own.
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 1)
    assert lines[-1].startswith(f"Lập từ lần chạy số {run_id} (bộ tiêu chí cong_chuc_quy")


def test_a_veto_shows_with_the_grade_it_forced(
    session: Session, tmp_path: Path, run_id: int
) -> None:
    path = tmp_path / "n1.xlsx"
    write_form(person_form(session, "N1", PERIOD), path)
    lines = texts(path)
    assert f"1. Xếp loại theo điểm: {XS}." in lines
    assert (
        "2. Trường hợp không hoàn thành nhiệm vụ (loại trừ): Bị kỷ luật từ khiển trách trở lên "
        "trong năm đánh giá (Điều 20 khoản 4 điểm c)." in lines
    )
    assert "KẾT QUẢ XẾP LOẠI: KHÔNG HOÀN THÀNH NHIỆM VỤ" in lines
    assert not any(line.startswith("Cấp có thẩm quyền quyết định") for line in lines)


def test_unknown_person_period_or_result_is_refused(
    session: Session, tmp_path: Path, run_id: int
) -> None:
    path = tmp_path / "x.xlsx"
    with pytest.raises(NotFound) as caught:
        write_form(person_form(session, "ZZ9", PERIOD), path)
    assert caught.value.message.vi == "không có người mã 'ZZ9' trong tổ chức"
    with pytest.raises(NotFound) as caught:
        write_form(person_form(session, "K1", "2026-Q2"), path)
    assert caught.value.message.vi.startswith("chưa có kỳ 2026-Q2")
    add_period(session, "2026-Q2", actor=ACTOR)
    with pytest.raises(NotFound) as caught:
        write_form(person_form(session, "K1", "2026-Q2"), path)
    assert caught.value.message.vi == (
        "chưa có kết quả đánh giá của người mã K1 trong kỳ 2026-Q2; chạy "
        "`chamdiem run --period 2026-Q2` trước"
    )
    with pytest.raises(ServiceError) as refused:
        write_form(person_form(session, "K1", "quý 1"), path)
    assert "mã kỳ 'quý 1' không hợp lệ" in refused.value.message.vi
    assert not path.exists()


MINI = """\
ruleset mini "Đánh giá thử hằng quý"
  subject person
  period quarter
  effective 2026-01-01
end

input chinh_tri : number 0..10 "Điểm"

group chung "Chung" max 10
  criterion c "Nội dung" max 10 = chinh_tri
end

grades
  dat "Đạt" when total >= 5
  khong "Không đạt" otherwise
end
"""


def test_a_person_graded_under_two_rule_sets_needs_one_chosen(
    session: Session, tmp_path: Path, run_id: int
) -> None:
    rules = tmp_path / "mini.rules"
    rules.write_text(MINI, encoding="utf-8")
    publish_rule_version(session, rules, actor=ACTOR)
    import_period_data(session, tmp_path / "quy1.xlsx", PERIOD, "mini", actor=ACTOR)
    [mini] = run_evaluation(session, PERIOD, ["mini"], scope=Scope.everything(), actor=ACTOR)
    path = tmp_path / "k1.xlsx"
    with pytest.raises(ServiceError) as caught:
        write_form(person_form(session, "K1", PERIOD), path)
    assert caught.value.message.vi == (
        "người mã K1 có kết quả theo 2 bộ tiêu chí trong kỳ 2026-Q1 (cong_chuc_quy, mini); "
        "chọn bằng --rules"
    )
    done = write_form(person_form(session, "K1", PERIOD, rules="mini"), path)
    assert done.run_id == mini.run_id and done.final_grade == "dat"
    lines = texts(path)
    assert "PHIẾU ĐÁNH GIÁ THỬ" in lines and "KẾT QUẢ XẾP LOẠI: ĐẠT" in lines
    again = write_form(person_form(session, "K1", PERIOD, run_id=run_id), tmp_path / "k1b.xlsx")
    assert again.ruleset == "cong_chuc_quy"


def test_the_command_writes_the_form_where_asked_or_in_the_data_folder(
    db_url: str,
    run_id: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", db_url)
    monkeypatch.setenv("CHAMDIEM_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("CHAMDIEM_LANG", raising=False)
    folder = tmp_path / "lam_viec"
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert main(["form", "A1", "--period", PERIOD]) == 0
    out = capsys.readouterr().out
    written = tmp_path / "store" / "phieu" / "phieu_danh_gia_A1_2026-Q1.xlsx"
    assert out == (
        f"Đã ghi phiếu đánh giá của A1 (kỳ 2026-Q1, bộ tiêu chí cong_chuc_quy, lần chạy "
        f"#{run_id}) vào {written}.\n"
    )
    assert written.is_file()  # not in the folder the command was run from
    for argv, message in [
        (["form", "ZZ9", "--period", PERIOD], "không có người mã 'ZZ9' trong tổ chức"),
        (["form", "A1", "--period", "2027-Q1"], "chưa có kỳ 2027-Q1"),
    ]:
        assert main([*argv, "-o", "x.xlsx"]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"chamdiem: lỗi: {message}") and "Traceback" not in err
    assert list(folder.iterdir()) == []
