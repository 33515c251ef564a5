"""A small province whose full year is computed by hand in test_small_province.py.

Units (three levels): T (the province, not graded) → S (a department) → P1, P2 (its
offices). People: A heads S, H works in S; B heads P1, with C and D; E heads P2, with F and
G. Written either as one workbook with a period column or as CSV files in one folder per
period.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from tests.platform.builders import xlsx

QUARTERS = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")

UNITS_HEADER = [
    "Mã", "Tên đơn vị", "Đơn vị cấp trên", "Người đứng đầu", "Kỳ",
    "dv_noi_quy", "dv_cai_cach", "dv_khac_phuc", "nv_giao", "nv_dung_han", "nv_tre_han",
    "co_tthc", "tthc_dung_han", "tthc_truc_tuyen", "tthc_so_hoa", "tthc_hai_long",
]  # fmt: skip
UNITS: list[list[object]] = [
    ["T", "Ủy ban nhân dân tỉnh", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["S", "Sở Thử nghiệm", "T", "A", "2026", 9, 9, 8, 50, 45, 5, "có", "98%", "90%", "80%", "95%"],
    ["P1", "Phòng Một", "S", "B", "2026", 10, 10, 10, 20, 20, 0, "không", "", "", "", ""],
    # the parent written by its name, not its code
    ["P2", "Phòng Hai", "Sở Thử nghiệm", "E", "2026", 5, 5, 5, 10, 4, 4, "không", "", "", "", ""],
]  # fmt: skip

SUBJECTS_HEADER = [
    "Mã", "Họ và tên", "Đơn vị", "Nhóm vị trí", "Kỳ", "chinh_tri", "chuyen_mon", "doi_moi",
    "ty_le_ke_hoach_dung_han", "muc_doan_ket", "so_thang_cong_tac",
]  # fmt: skip

# (code, name, unit, group, {quarter: (chinh_tri, chuyen_mon, doi_moi, products)}, đ, e by
# quarter); products: "full" one product done; "half" two, one done; "late" two of
# coefficient 2 done, one once late.
_PEOPLE: list[tuple[str, str, str, str, dict[str, tuple[int, int, int, str]]]] = [
    ("A", "Giám đốc An", "S", "lanh_dao", {q: (9, 9, 9, "full") for q in QUARTERS}),
    ("H", "Chuyên viên Hà", "S", "chuyen_vien", {q: (8, 8, 8, "full") for q in QUARTERS}),
    ("B", "Trưởng phòng Bình", "P1", "lanh_dao", {q: (9, 9, 8, "full") for q in QUARTERS}),
    (
        "C",
        "Chuyên viên Chi",
        "P1",
        "chuyen_vien",
        {
            "2026-Q1": (8, 8, 7, "full"),
            "2026-Q2": (5, 5, 4, "half"),
            "2026-Q3": (8, 8, 7, "full"),
            "2026-Q4": (8, 8, 7, "full"),
        },
    ),
    (
        "D",
        "Chuyên viên Dung",
        "P1",
        "chuyen_vien",
        {"2026-Q1": (6, 6, 5, "half"), "2026-Q2": (7, 7, 6, "late"), "2026-Q4": (6, 6, 6, "half")},
    ),
    ("E", "Trưởng phòng Em", "P2", "lanh_dao", {q: (10, 10, 10, "full") for q in QUARTERS}),
    ("F", "Chuyên viên Phúc", "P2", "chuyen_vien", {q: (8, 8, 8, "full") for q in QUARTERS[2:]}),
    ("G", "Chuyên viên Giang", "P2", "chuyen_vien", {q: (7, 7, 7, "late") for q in QUARTERS}),
]
# the heads' own inputs in lanh_dao_quy: đ every quarter, e where it is not the default 100%
_PLAN = {"A": "90%", "B": "80%", "E": "100%"}
_UNITY = {("E", "2026-Q4"): "70%"}
_MONTHS = {"D": 9, "F": 5}  # annual rows; everyone else takes the default 12

ITEMS_HEADER = ["Mã", "Kỳ", "he_so", "hoan_thanh", "cham_tre"]
_PRODUCTS: dict[str, list[tuple[object, str, int]]] = {
    "full": [(1, "x", 0)],
    "half": [(1, "x", 0), (1, "không", 0)],
    "late": [(2, "x", 1), (2, "x", 0)],
}


def subject_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for quarter in QUARTERS:
        for code, name, unit, group, quarters in _PEOPLE:
            if quarter not in quarters:
                continue
            a, b, c, _ = quarters[quarter]
            plan = _PLAN.get(code, "")
            unity = _UNITY.get((code, quarter), "")
            rows.append([code, name, unit, group, quarter, a, b, c, plan, unity, ""])
    for code, months in _MONTHS.items():
        # an annual row says only what is annual: the unit and group come from the quarters
        rows.append([code, "", "", "", "2026", "", "", "", "", "", months])
    return rows


def item_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for quarter in QUARTERS:
        for code, _, _, _, quarters in _PEOPLE:
            if quarter in quarters:
                for he_so, done, late in _PRODUCTS[quarters[quarter][3]]:
                    rows.append([code, quarter, he_so, done, late])
    return rows


def workbook(path: Path, units: Sequence[Sequence[object]] | None = None) -> Path:
    """The province as one workbook (units may be replaced to test a bad sheet)."""
    return xlsx(
        path,
        {
            "subjects": [SUBJECTS_HEADER, *subject_rows()],
            "units": [UNITS_HEADER, *(UNITS if units is None else units)],
            "san_pham": [ITEMS_HEADER, *item_rows()],
        },
    )


def _write_csv(path: Path, header: Sequence[object], rows: Sequence[Sequence[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def csv_folders(folder: Path) -> Path:
    """The province as CSV: units.csv at the top, one folder per period without a period
    column (the folder says it)."""
    no_period = [h for h in SUBJECTS_HEADER if h != "Kỳ"]
    period_at = SUBJECTS_HEADER.index("Kỳ")
    for period in (*QUARTERS, "2026"):
        rows = [
            r[:period_at] + r[period_at + 1 :] for r in subject_rows() if r[period_at] == period
        ]
        _write_csv(folder / period / "subjects.csv", no_period, rows)
        items = [[r[0], *r[2:]] for r in item_rows() if r[1] == period]
        if items:
            _write_csv(folder / period / "san_pham.csv", ["Mã", *ITEMS_HEADER[2:]], items)
    _write_csv(folder / "units.csv", UNITS_HEADER, UNITS)
    return folder
