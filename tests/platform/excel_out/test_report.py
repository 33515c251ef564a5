"""`chamdiem report RUN`: the official workbook of a stored run, as a user sees it in Excel."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session

import chamdiem
from chamdiem.cli.reports import main
from chamdiem.platform.db.models import EvaluationRun
from chamdiem.platform.excel.report import INFO_SHEET, SUMMARY_SHEET, write_report
from chamdiem.platform.services.decisions import record_decision
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.reports import run_report
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope
from tests.platform.db.helpers import ACTOR, PERIOD, prepare
from tests.platform.excel_out.workbooks import (
    find_row,
    header_columns,
    merged,
    open_book,
    raw_value,
    rows,
)

TITLE = "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC QUÝ I NĂM 2026"
XS, TOT, HT, KHONG = (
    "Hoàn thành xuất sắc nhiệm vụ",
    "Hoàn thành tốt nhiệm vụ",
    "Hoàn thành nhiệm vụ",
    "Không hoàn thành nhiệm vụ",
)
FIRST_PERSON_ROW = 7


@pytest.fixture
def run_id(session: Session, tmp_path: Path) -> int:
    """The test quarter, run, with the council deciding K1's tie at the quota."""
    prepare(session, tmp_path)
    [run] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    record_decision(
        session, run.run_id, "K1", "xuat_sac", "Bằng điểm tại ngưỡng; hội đồng chọn K1",
        "15/QĐ-SNV", date(2026, 4, 15), actor="chu_tich_hoi_dong",
    )  # fmt: skip
    return run.run_id


def stored(engine: Engine, run_id: int) -> dict[str, dict[str, object]]:
    with engine.connect() as connection:
        found = connection.execute(
            sa.text(
                "SELECT subject_code, unit_code, total, grade, values_json FROM results "
                "WHERE run_id = :run"
            ),
            {"run": run_id},
        ).all()
    return {row.subject_code: dict(row._mapping) for row in found}


def test_a_sheet_per_unit_in_the_order_of_the_tree(
    session: Session, tmp_path: Path, run_id: int
) -> None:
    path = tmp_path / "bao_cao.xlsx"
    done = write_report(run_report(session, run_id), path)
    assert (done.subjects, done.units) == (14, 4)
    book = open_book(path)
    assert book.sheetnames == [SUMMARY_SHEET, INFO_SHEET, "SNV", "SNV-KH", "SNV-TH", "STC-NS"]


def test_a_unit_sheet_shows_each_person_with_the_stored_digits(
    session: Session, engine: Engine, tmp_path: Path, run_id: int
) -> None:
    path = tmp_path / "bao_cao.xlsx"
    write_report(run_report(session, run_id), path)
    book = open_book(path)
    sheet = book["SNV-KH"]
    assert sheet["A1"].value == TITLE
    assert sheet["A2"].value == "Đơn vị: Phòng Kế hoạch (mã SNV-KH); trực thuộc: Sở Nội vụ"
    assert {"A1:O1", "A2:O2", "A3:O3"} <= merged(sheet)
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    top, header = header_columns(sheet, 5), header_columns(sheet, 6)
    assert list(top) == [
        "STT", "Mã", "Họ và tên", "Chức vụ, vị trí việc làm", "Điểm theo nhóm tiêu chí",
        "Tổng điểm", "Xếp loại theo điểm", "Xếp loại sau loại trừ, hạn mức",
        "Lý do không hoàn thành nhiệm vụ (loại trừ)", "Ghi chú (hạn mức tỷ lệ, không xếp loại)",
        "Cấp có thẩm quyền quyết định", "Kết quả xếp loại",
    ]  # fmt: skip
    assert list(header) == [
        "Tiêu chí chung (Điều 12 khoản 1)\n(tối đa 30 điểm)",
        "Kết quả thực hiện nhiệm vụ (Điều 12 khoản 2, Điều 14–16)\n(tối đa 70 điểm)",
        "Mức xếp loại",
        "Số văn bản",
        "Ngày",
    ]
    assert {"E5:F5", "L5:N5", "A5:A6", "G5:G6", "O5:O6"} <= merged(sheet)
    results = stored(engine, run_id)
    people = [row for row in rows(sheet)[FIRST_PERSON_ROW - 1 :] if row[1] in results]
    assert [row[1] for row in people] == ["K1", "K2", "K3", "K4", "K5"]
    assert [row[0] for row in people] == [1, 2, 3, 4, 5]
    for number, row in enumerate(people, start=FIRST_PERSON_ROW):
        result = results[str(row[1])]
        values = json.loads(str(result["values_json"]))
        assert raw_value(path, "SNV-KH", f"G{number}") == result["total"]
        assert raw_value(path, "SNV-KH", f"E{number}") == values["chung"]
        assert raw_value(path, "SNV-KH", f"F{number}") == values["nhiem_vu"]
        assert sheet[f"G{number}"].number_format == "0.00"
    k1, k2 = people[0], people[1]
    assert k1[2] == "Đặng Văn Khoa" and k1[3] == "chuyen_vien"
    assert k1[7:10] == (XS, TOT, None)
    assert "Bằng điểm tại ngưỡng hạn mức tỷ lệ" in str(k1[10])
    assert k1[11:] == (XS, "15/QĐ-SNV", "15/04/2026", XS)  # the council's decision counts
    assert k2[11:] == (None, None, None, TOT)
    assert sheet[f"O{FIRST_PERSON_ROW}"].font.b
    assert {sheet[ref].font.name for ref in ("A1", "A5", "C7", "G7")} == {"Times New Roman"}
    assert sheet["C7"].border.left.style == "thin"
    # Below the table: the counts and the signature blocks.
    footer = [row[0] for row in rows(sheet)[FIRST_PERSON_ROW + 5 :] if row[0]]
    assert footer[0] == f"Tổng số: 5 người. {XS}: 1; {TOT}: 4."
    signatures = find_row(sheet, 1, "NGƯỜI LẬP BIỂU")
    assert sheet.cell(signatures, 8).value == "THỦ TRƯỞNG ĐƠN VỊ"


def test_vetoes_and_the_quota_are_explained(session: Session, tmp_path: Path, run_id: int) -> None:
    path = tmp_path / "bao_cao.xlsx"
    write_report(run_report(session, run_id), path)
    book = open_book(path)
    n1 = rows(book["STC-NS"])[find_row(book["STC-NS"], 2, "N1") - 1]
    assert n1[6] == 94.75 and n1[7:9] == (XS, KHONG)
    assert n1[9] == "Bị kỷ luật từ khiển trách trở lên trong năm đánh giá (Điều 20 khoản 4 điểm c)"
    assert n1[14] == KHONG
    a2 = rows(book["SNV-TH"])[find_row(book["SNV-TH"], 2, "A2") - 1]
    assert a2[7:11] == (XS, TOT, None, f"Vượt hạn mức tỷ lệ {XS}: xếp {TOT}")
    # Rows are as tall as their wrapped text (no reader fits them when the file opens): the
    # quota note takes three lines of its column, a grade two.
    th = book["SNV-TH"]
    assert th.row_dimensions[find_row(th, 2, "A2")].height >= 3 * 15.75
    n1_row = find_row(book["STC-NS"], 2, "N1")
    assert book["STC-NS"].row_dimensions[n1_row].height >= 3 * 15.75  # the veto's reason


def test_print_setup_fits_a4_landscape_with_the_headers_on_every_page(
    session: Session, tmp_path: Path, run_id: int
) -> None:
    path = tmp_path / "bao_cao.xlsx"
    write_report(run_report(session, run_id), path)
    book = open_book(path)
    for name in (SUMMARY_SHEET, "SNV-TH"):
        sheet = book[name]
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9)
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        fit = sheet.sheet_properties.pageSetUpPr
        assert fit is not None and fit.fitToPage
        assert sheet.print_title_rows == "$5:$6"
        assert sheet.print_options.horizontalCentered
    assert book["SNV-TH"].freeze_panes == "D7"


def test_the_summary_counts_final_grades_per_unit_with_charts(
    session: Session, tmp_path: Path, run_id: int
) -> None:
    path = tmp_path / "bao_cao.xlsx"
    write_report(run_report(session, run_id), path)
    sheet = open_book(path)[SUMMARY_SHEET]
    assert sheet["A1"].value == "TỔNG HỢP " + TITLE
    assert list(header_columns(sheet, 6)) == [XS, TOT, HT, KHONG, "Không xếp loại"]
    table = {row[1]: row for row in rows(sheet)[6:] if row[1]}
    # K1 counts as excellent by the council's decision; S1 alone in his group gets none.
    assert table["SNV-KH"] == (2, "SNV-KH", "Phòng Kế hoạch", "Sở Nội vụ", 5, 1, 4, 0, 0, 0, 1)
    assert table["SNV-TH"][4:] == (5, 1, 4, 0, 0, 0, 0)
    assert table["SNV"] == (1, "SNV", "Sở Nội vụ", None, 1, 0, 1, 0, 0, 0, 0)
    assert table["STC-NS"][2:] == ("Phòng Ngân sách", "Sở Tài chính", 3, 0, 1, 0, 2, 0, 0)
    total = rows(sheet)[find_row(sheet, 1, "Tổng cộng") - 1]
    assert total[4:] == (14, 2, 10, 0, 2, 0, 1)
    link = sheet.cell(find_row(sheet, 2, "SNV-KH"), 3).hyperlink
    assert link is not None and link.location == "'SNV-KH'!A1"
    charts = sheet._charts  # type: ignore[attr-defined]
    assert len(charts) == 2
    whole, per_unit = charts
    assert whole.tagname == "barChart" and len(whole.series) == 1
    assert per_unit.grouping == "stacked" and len(per_unit.series) == 5
    # Colours are given (the workbook has no theme to take "automatic" ones from): each
    # grade's own, best first, as on the web pages; the same grade the same in both charts.
    grades = [point.spPr.solidFill.srgbClr for point in whole.series[0].dPt]
    assert grades == ["1D7A3A", "4F9D5C", "D9A21B", "C2410C", "9AA5B1"]
    assert [series.spPr.solidFill.srgbClr for series in per_unit.series] == grades
    assert whole.legend is None and per_unit.legend is not None


def test_the_information_sheet_says_what_produced_the_results(
    session: Session, engine: Engine, tmp_path: Path, run_id: int
) -> None:
    path = tmp_path / "bao_cao.xlsx"
    write_report(run_report(session, run_id), path)
    info = {str(row[0]): str(row[1]) for row in rows(open_book(path)[INFO_SHEET]) if row[0]}
    with engine.connect() as connection:
        sha, commit = connection.execute(
            sa.text("SELECT sha256, git_commit FROM rule_versions")
        ).one()
        snapshot = connection.execute(
            sa.text("SELECT snapshot_sha256 FROM evaluation_runs WHERE id = :id"), {"id": run_id}
        ).scalar_one()
    assert info["Phiên bản quy tắc (SHA-256)"] == sha
    assert info["Git commit"] == (commit or info["Git commit"])
    assert info["Mã dữ liệu đầu vào (SHA-256)"] == snapshot
    assert info["Lần chạy"] == f"số {run_id} (hoàn thành)"
    assert info["Kỳ đánh giá"].startswith("2026-Q1: quý I năm 2026 (01/01/2026 – 31/03/2026)")
    assert info["Phiên bản chamdiem của lần chạy"] == chamdiem.__version__
    assert info["Số quyết định của cấp có thẩm quyền"] == "1"
    assert info["Kiểm chứng"] == f"chamdiem verify {run_id}"


def test_a_failed_run_has_nothing_to_report(session: Session, tmp_path: Path, run_id: int) -> None:
    run = session.get(EvaluationRun, run_id)
    assert run is not None
    failed = EvaluationRun(
        **run.model_dump(exclude={"id", "status", "subjects"}), status="failed", subjects=0
    )
    session.add(failed)
    session.commit()
    path = tmp_path / "that_bai.xlsx"
    with pytest.raises(ServiceError) as caught:
        write_report(run_report(session, failed.id or 0), path)
    assert caught.value.message.vi == (
        f"lần chạy {failed.id} không thành công nên không có kết quả để lập báo cáo"
    )
    assert not path.exists()


def test_the_command_writes_the_report_or_says_why_not(
    db_url: str,
    run_id: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", db_url)
    monkeypatch.delenv("CHAMDIEM_LANG", raising=False)
    path = tmp_path / "bao_cao.xlsx"
    assert main(["report", str(run_id), "-o", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Đã ghi báo cáo lần chạy #{run_id} vào {path}: 14 người, 4 đơn vị")
    assert path.is_file()

    missing = tmp_path / "khong_co.xlsx"
    assert main(["report", "999", "-o", str(missing)]) == 1
    captured = capsys.readouterr()
    assert captured.err == "chamdiem: lỗi: không có lần chạy số 999\n"
    assert "Traceback" not in captured.err and not missing.exists()
    assert main(["report", "999", "-o", str(missing), "--lang", "en"]) == 1
    assert capsys.readouterr().err == "chamdiem: error: there is no run 999\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx") == [
        "bao_cao.xlsx",
        "quy1.xlsx",
    ]


def test_without_a_database_the_command_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CHAMDIEM_DATABASE_URL", raising=False)
    monkeypatch.delenv("CHAMDIEM_LANG", raising=False)
    monkeypatch.setenv("CHAMDIEM_DATA_DIR", str(tmp_path / "du_lieu"))
    path = tmp_path / "bao_cao.xlsx"
    assert main(["report", "1", "-o", str(path)]) == 1
    err = capsys.readouterr().err
    assert "chưa tạo: chạy `chamdiem db upgrade` trước" in err
    assert not path.exists() and not (tmp_path / "du_lieu").exists()
