"""Sheets as rows: positions as Excel shows them, headers compared loosely, CSV dialects."""

from __future__ import annotations

from pathlib import Path

from chamdiem.platform.excel.tables import column_letter, header_key, open_data, read_csv
from tests.platform.builders import csv_file, xlsx


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_header_keys_ignore_case_spacing_and_unicode_form() -> None:
    assert header_key("  Họ  và\u00a0TÊN ") == header_key("họ và tên")
    assert header_key("Ho\u0323 va\u0300 te\u0302n") == header_key("Họ và tên")


def test_workbook_rows_keep_their_sheet_positions(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "d.xlsx", {"subjects": [[], [None, None, "code"], [None, None, "A"]]})
    source = open_data(path)
    table = source.table(["SUBJECTS"])
    assert table is not None
    assert table.rows[1][2] == "code" and table.rows[2][2] == "A"
    assert table.problem(3, 2, "x", source.what).location() == f"{path}:subjects:3:C"


def test_csv_delimiters_are_recognised(tmp_path: Path) -> None:
    semicolons = csv_file(
        tmp_path / "a.csv", [["code", "a", "b"], ["x", "8,5", "9,5"], ["y", "1", "2,25"]], ";"
    )
    assert read_csv(semicolons, "a.csv").rows[1] == ["x", "8,5", "9,5"]
    tabs = csv_file(tmp_path / "b.csv", [["code", "a"], ["x", "1,5"]], "\t")
    assert read_csv(tabs, "b.csv").rows[1] == ["x", "1,5"]
    commas = csv_file(tmp_path / "c.csv", [["Danh sách; quý I"], ["code", "a"], ["x", "1,5"]])
    assert read_csv(commas, "c.csv").rows[2] == ["x", "1,5"]


def test_csv_with_bom_or_utf16(tmp_path: Path) -> None:
    bom = tmp_path / "a.csv"
    bom.write_bytes("\ufeffMã,Tên\nA,Ấn\n".encode())
    assert read_csv(bom, "a.csv").rows == [["Mã", "Tên"], ["A", "Ấn"]]
    utf16 = tmp_path / "b.csv"
    utf16.write_bytes("Mã\tTên\nA\tẤn\n".encode("utf-16"))
    assert read_csv(utf16, "b.csv").rows == [["Mã", "Tên"], ["A", "Ấn"]]
