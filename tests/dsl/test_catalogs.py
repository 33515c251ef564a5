"""Catalogues (`catalog` / `danh mục`) and values per item (`let` inside `items`), design §8.

Parse, check and format in both keyword sets; evaluation to the digit of a hand calculation;
tests on both sides of a catalogue's date; an unknown key refused; `C[text]` refused unless
written with `lookup`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from chamdiem.dsl import load_file, load_source
from chamdiem.dsl.catalogs import fingerprint
from chamdiem.dsl.data import Cohort, ItemTable
from chamdiem.dsl.format import format_source
from chamdiem.dsl.pipeline import check_source

ENGLISH = """ruleset kpi "KPI"
  subject person
  period month
  effective 2026-01-01
end

catalog san_pham "Danh mục sản phẩm" key ma
  ten   : text
  nhom  : count 1..5 "Nhóm"
  he_so : number > 0 "Hệ số"
  rows
    "A" -> {ten: "Báo cáo", nhom: 1, he_so: 1.5}
    "B" -> {ten: "Tờ trình", nhom: 2, he_so: 2.25}
  end
end

items nhiem_vu "Nhiệm vụ"
  ma       : key of san_pham
  so_luong : count > 0
  xong     : bool = true
  let quy_doi = so_luong * san_pham[ma].he_so
  let diem    = if xong then quy_doi * he_so_thuong else 0
end

input ma_chinh : text

param he_so_thuong = 2

let hoan_thanh = sum(nhiem_vu.quy_doi where nhiem_vu.xong)
let tong_diem  = sum(nhiem_vu.diem)
let phu        = lookup(san_pham, ma_chinh, default: 1).he_so

group g "G" max 100
  criterion c "C" max 100 = hoan_thanh + tong_diem + phu
end

grades
  tot "Tốt" when total >= 20
  kem "Kém" otherwise
end

test "hand calculation"
  given ma_chinh = "B"
  given nhiem_vu = [{ma: "A", so_luong: 3}, {ma: "B", so_luong: 2, xong: false}]
  expect hoan_thanh = 4.5, tong_diem = 9, phu = 2.25, c = 15.75
end
"""

VIETNAMESE = """bộ tiêu chí kpi "KPI"
  đối tượng cá nhân
  kỳ tháng
  hiệu lực 2026-01-01
hết

danh mục muc_do khoá ma
  diem : số
  dữ liệu
    "A" -> {diem: 10}
    "B" -> {diem: 7.5}
  hết
hết

danh sách viec "Việc"
  ma : mã trong muc_do
  đặt d = muc_do[ma].diem
hết

nhóm g "G" tối đa 100
  tiêu chí c "C" tối đa 100 = sum(viec.d)
hết

xếp loại
  tot "Tốt" khi tổng điểm >= 10
  kem "Kém" còn lại
hết

kiểm thử "hai việc"
  cho viec = [{ma: "A"}, {ma: "B"}]
  kỳ vọng c = 17.5
hết
"""


def errors(source: str, path: str = "<string>") -> list[tuple[str, int, str]]:
    _module, diagnostics = check_source(source, path)
    return [(d.code, d.span.line if d.span else 0, d.message.en) for d in diagnostics if d.is_error]


@pytest.mark.parametrize("source", [ENGLISH, VIETNAMESE])
def test_parse_check_format_round_trip(source: str) -> None:
    assert errors(source) == []
    assert format_source(source) == source
    program = load_source(source)
    assert [o.failures for o in program.run_tests()] == [[]]


def test_evaluation_matches_the_hand_calculation() -> None:
    program = load_source(ENGLISH)
    cohort = Cohort(
        codes=["x", "y"],
        inputs={"ma_chinh": ["A", "khong_co"]},
        items={
            "nhiem_vu": ItemTable(
                owner=[0, 0, 1],
                fields={"ma": ["B", "A", "B"], "so_luong": [4, 1, 1], "xong": [True, True, False]},
            )
        },
    )
    results = program.evaluate(cohort)
    # x: quy_doi 4 * 2.25 = 9 and 1 * 1.5 = 1.5 -> 10.5; diem 10.5 * 2 = 21; phu 1.5:
    #    10.5 + 21 + 1.5 = 33
    # y: quy_doi 2.25, not done -> 0; diem 0; "khong_co" is no key -> phu = default 1
    assert results.total == [Decimal("33.00"), Decimal("1.00")]


DATED = """ruleset kpi "KPI"
  subject person
  period month
  effective 2026-01-01
end

catalog san_pham key ma
  ten   : text "Tên"
  he_so : number > 0 "Hệ số"
  rows from "dm_2026.csv" from 2026-01-01, "dm_2026_07.csv" from 2026-07-01
end

items nhiem_vu "Nhiệm vụ"
  ma       : key of san_pham
  so_luong : count > 0
  let quy_doi = so_luong * san_pham[ma].he_so
end

group g "G" max 100
  criterion c "C" max 100 = sum(nhiem_vu.quy_doi)
end

grades
  tot "Tốt" when total >= 5
  kem "Kém" otherwise
end

test "before 1 July"
  period 2026-06
  given nhiem_vu = [{ma: "A", so_luong: 4}]
  expect c = 6
end

test "from 1 July"
  kỳ 2026-07
  given nhiem_vu = [{ma: "A", so_luong: 4}]
  expect c = 5
end
"""


def dated(tmp_path: Path) -> Path:
    (tmp_path / "dm_2026.csv").write_text("ma,ten,he_so\nA,Báo cáo,1.5\nB,Tờ trình,2\n")
    # The second file: a header by label, `;` separated, a decimal comma.
    (tmp_path / "dm_2026_07.csv").write_text("ma;Tên;Hệ số\nA;Báo cáo;1,25\nB;Tờ trình;2\n")
    rules = tmp_path / "kpi.rules"
    rules.write_text(DATED)
    return rules


def test_a_dated_catalogue_on_both_sides_of_its_date(tmp_path: Path) -> None:
    program = load_file(dated(tmp_path))
    outcomes = program.run_tests()
    assert [(o.name, o.failures) for o in outcomes] == [
        ("before 1 July", []),
        ("from 1 July", []),
    ]
    assert program.catalog_keys("san_pham") == ["A", "B"]
    text = fingerprint(program.catalogs)
    assert "1.25" in text and "2026-07-01 dm_2026_07.csv" in text


def test_the_rows_are_part_of_the_rule_version(tmp_path: Path) -> None:
    path = dated(tmp_path)
    before = load_file(path).catalog_fingerprint()
    (tmp_path / "dm_2026.csv").write_text("ma,ten,he_so\nA,Báo cáo,1.75\nB,Tờ trình,2\n")
    assert load_file(path).catalog_fingerprint() != before


def test_a_missing_file_and_a_bad_cell_are_reported_at_the_file(tmp_path: Path) -> None:
    path = dated(tmp_path)
    (tmp_path / "dm_2026_07.csv").write_text("ma;Tên;Hệ số\nA;Báo cáo;0\nA;Lặp;2\n")
    found = errors(path.read_text(), str(path))
    assert [(code, line) for code, line, _ in found] == [("E064", 10)]
    assert "line 2, column he_so" in found[0][2] or "dòng 2, cột he_so" in found[0][2]
    (tmp_path / "dm_2026.csv").unlink()
    codes = [code for code, _, _ in errors(path.read_text(), str(path))]
    assert codes == ["E064", "E064"]


def test_an_unknown_key_in_a_test_is_refused_with_the_nearest_codes() -> None:
    source = VIETNAMESE.replace('{ma: "B"}', '{ma: "b"}')
    found = errors(source)
    assert [code for code, _, _ in found] == ["E039"]
    assert '"b" is not a key of the catalogue `muc_do`' in found[0][2]
    assert '"B"' in found[0][2]


def test_an_unknown_key_in_data_is_an_evaluation_error_naming_the_key() -> None:
    program = load_source(VIETNAMESE)
    cohort = Cohort(
        codes=["x"],
        inputs={},
        items={"viec": ItemTable(owner=[0], fields={"ma": ["Z"]})},
    )
    with pytest.raises(Exception, match='"Z"'):
        program.evaluate(cohort)


def test_an_unguarded_lookup_with_text_is_a_checker_error() -> None:
    source = ENGLISH.replace(
        "lookup(san_pham, ma_chinh, default: 1).he_so", "san_pham[ma_chinh].he_so"
    )
    found = errors(source)
    assert [code for code, _, _ in found] == ["E062"]
    assert "lookup(san_pham, ma_chinh, default: …).he_so" in found[0][2]


def test_catalogue_mistakes() -> None:
    source = ENGLISH.replace("san_pham[ma].he_so", "san_pham[ma].hs")
    assert [c for c, _, _ in errors(source)] == ["E007"]
    source = ENGLISH.replace("default: 1).he_so", "default: true).he_so")
    assert [c for c, _, _ in errors(source)] == ["E065"]
    source = ENGLISH.replace("ma       : key of san_pham", "ma       : key of san_phm")
    assert [c for c, _, _ in errors(source)] == ["E061"]
    source = ENGLISH.replace(
        '"B" -> {ten: "Tờ trình", nhom: 2,', '"A" -> {ten: "Tờ trình", nhom: 9,'
    )
    # the duplicate row is reported, and the test's "B" is no longer a key
    assert [c for c, _, _ in errors(source)] == ["E060", "E039"]
    source = ENGLISH.replace("+ phu", "+ san_pham")
    assert "E063" in [c for c, _, _ in errors(source)]


def test_values_per_item_read_fields_params_and_each_other() -> None:
    source = ENGLISH.replace("let diem    = if xong", "let diem    = if khong_co")
    found = errors(source)
    assert [c for c, _, _ in found] == ["E006"]
    cyclic = ENGLISH.replace(
        "let quy_doi = so_luong * san_pham[ma].he_so", "let quy_doi = so_luong * diem"
    )
    assert "E066" in [c for c, _, _ in errors(cyclic)]
