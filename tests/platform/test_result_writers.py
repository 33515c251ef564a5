"""Results as JSON lines, CSV and an Excel workbook; files appear whole or not at all."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from chamdiem.platform.excel.result_writers import (
    format_for,
    save_csv,
    save_jsonl,
    save_xlsx,
    write_atomically,
    write_jsonl,
)
from chamdiem.platform.excel.xlsx import SheetSpec, write_xlsx

RECORDS: list[dict[str, object]] = [
    {
        "code": "CC01",
        "unit": "Sở Nội vụ",
        "total": "96.5",
        "score_grade": "xuat_sac",
        "grade": "tot",
        "values": {"ket_qua": "66.5", "du": True, "loai": "Đạt", "bo": None},
        "vetoes": ["Bị kỷ luật"],
        "flags": ["tie_at_quota"],
    },
    {
        "code": "CC02",
        "unit": None,
        "total": "50",
        "score_grade": "hoan_thanh",
        "grade": "hoan_thanh",
        "values": {"ket_qua": "30", "du": False, "loai": "Không đạt", "bo": None},
        "vetoes": [],
        "flags": [],
    },
]
VALUES = ("ket_qua", "du", "loai", "bo")
NAMES = ["Nguyễn Văn An", None]


def test_jsonl_is_one_record_per_line_with_vietnamese_letters(tmp_path: Path) -> None:
    stream = io.StringIO()
    write_jsonl(RECORDS, stream)
    lines = stream.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == RECORDS
    assert '"unit": "Sở Nội vụ"' in lines[0]
    save_jsonl(tmp_path / "r.jsonl", RECORDS)
    assert (tmp_path / "r.jsonl").read_text(encoding="utf-8") == stream.getvalue()


def test_csv_table(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    save_csv(path, RECORDS, NAMES, VALUES)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM for Vietnamese
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows == [
        ["code", "name", "unit", "total", "score_grade", "grade", *VALUES, "vetoes", "flags"],
        ["CC01", "Nguyễn Văn An", "Sở Nội vụ", "96.5", "xuat_sac", "tot", "66.5", "true", "Đạt", "",
         "Bị kỷ luật", "tie_at_quota"],
        ["CC02", "", "", "50", "hoan_thanh", "hoan_thanh", "30", "false", "Không đạt", "", "", ""],
    ]  # fmt: skip


def test_xlsx_workbook_for_people(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    save_xlsx(
        path,
        RECORDS,
        NAMES,
        VALUES,
        grade_labels={"tot": "Hoàn thành tốt nhiệm vụ", "xuat_sac": "Hoàn thành xuất sắc"},
        about=[("Bộ tiêu chí", "cong_chuc_quy")],
    )
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Kết quả", "Thông tin"]
    sheet = workbook["Kết quả"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Mã", "Họ và tên", "Đơn vị", "Tổng điểm", "Xếp loại theo điểm", "Xếp loại",
        *VALUES, "Lý do hạ loại", "Ghi chú",
    )  # fmt: skip
    assert rows[1] == (
        "CC01", "Nguyễn Văn An", "Sở Nội vụ", 96.5, "Hoàn thành xuất sắc",
        "Hoàn thành tốt nhiệm vụ", 66.5, True, "Đạt", None, "Bị kỷ luật", "tie_at_quota",
    )  # fmt: skip
    assert rows[2][3] == 50 and rows[2][5] == "hoan_thanh"  # no label known: the name
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == "A1:L3"
    assert [c.value for c in workbook["Thông tin"][2]] == ["Bộ tiêu chí", "cong_chuc_quy"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("old\n", encoding="utf-8")

    def broken(target: Path) -> None:
        target.write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(path, broken)
    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.jsonl"]


def test_format_from_flag_or_suffix() -> None:
    assert format_for(Path("a.csv"), None) == "csv"
    assert format_for(Path("a.XLSX"), None) == "xlsx"
    assert format_for(Path("a.txt"), None) == "jsonl"
    assert format_for(None, None) == "jsonl"
    assert format_for(Path("a.csv"), "xlsx") == "xlsx"


def test_new_files_get_the_usual_permissions(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    save_jsonl(path, RECORDS)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_xlsx_text_is_escaped_and_readable_by_both_readers(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    tricky = [
        "A & B <c> \"d\" 'e'",
        "bell\x07 and tab\tkept",
        "  leading spaces",
        "x" * 40000,
    ]
    write_atomically(
        path,
        lambda target: write_xlsx(
            target,
            [SheetSpec("Sheet 'x' & y", ["h"], [[t] for t in tricky], freeze=(1, 0))],
        ),
    )
    expected = [
        "A & B <c> \"d\" 'e'",
        "bell and tab\tkept",
        "  leading spaces",
        "x" * 32766 + "…",
    ]
    sheet = openpyxl.load_workbook(path)["Sheet 'x' & y"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == expected
    assert sheet.freeze_panes == "A2"
    rows = CalamineWorkbook.from_path(path).get_sheet_by_name("Sheet 'x' & y").to_python()
    assert [row[0] for row in rows[1:]] == expected
