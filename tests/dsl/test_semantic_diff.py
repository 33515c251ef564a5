"""`chamdiem diff`: changes of meaning between two rule versions, said in Vietnamese."""

from __future__ import annotations

from pathlib import Path

import pytest

from chamdiem.dsl.format import format_source
from chamdiem.dsl.parser import parse
from chamdiem.dsl.semantic_diff import Change, describe, diff_modules, render_changes

ROOT = Path(__file__).resolve().parents[2]
DESIGN = (ROOT / "tests" / "dsl" / "examples" / "design_example.rules").read_text("utf-8")


def diff(old: str, new: str) -> list[Change]:
    a, problems = parse(old)
    b, new_problems = parse(new)
    assert not problems and not new_problems
    return diff_modules(a, b)


def edited(*replacements: tuple[str, str]) -> str:
    text = DESIGN
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_the_excellent_threshold_90_to_85_is_reported_exactly() -> None:
    changes = diff(DESIGN, edited(("total >= 90", "total >= 85")))
    assert changes == [Change("changed", "grade", "xuat_sac", "when", "total >= 90", "total >= 85")]
    assert render_changes(changes, "vi") == (
        "- Ngưỡng xếp loại `xuat_sac`: total >= 90 → total >= 85"
    )
    assert render_changes(changes, "en") == (
        "- Grade `xuat_sac` threshold: total >= 90 → total >= 85"
    )


def test_a_criterion_maximum_reads_as_in_the_issue() -> None:
    changes = diff(DESIGN, edited(("max 70 =", "max 60 =")))
    assert render_changes(changes, "vi") == "- Tiêu chí `ket_qua`: điểm tối đa 70 → 60"


def test_a_layout_only_change_has_no_change_of_meaning() -> None:
    reflowed = format_source(DESIGN, "x.rules").replace("  ", "    ").replace("\n\n", "\n")
    reflowed = "# a new comment\n" + reflowed.replace("(ratio", "( ratio")
    for other in (format_source(DESIGN, "x.rules"), reflowed):
        changes = diff(DESIGN, other)
        assert changes == []
        assert render_changes(changes, "vi") == "không thay đổi nội dung"
        assert render_changes(changes, "en") == "no change of meaning"


def test_keyword_language_and_number_spelling_are_not_changes() -> None:
    english = (ROOT / "tests" / "dsl" / "fixtures" / "example_en.rules").read_text("utf-8")
    vietnamese = (ROOT / "tests" / "dsl" / "fixtures" / "example_vi.rules").read_text("utf-8")
    assert diff(english, vietnamese) == []
    assert diff(DESIGN, edited(("1 - 25%", "1 - 0.25"), ("max 70 =", "max 70.0 ="))) == []


EDITS: list[tuple[str, list[tuple[str, str]], tuple[str, str, str, str]]] = [
    # (what, replacements, (kind, entity, name, aspect) expected among the changes)
    ("effective", [("effective 2026-01-01", "effective 2026-04-01")],
     ("changed", "header", "cong_chuc_quy", "effective")),
    ("until", [("precision 2", "precision 2\n  until 2026-12-31")],
     ("changed", "header", "cong_chuc_quy", "until")),
    ("basis", [('basis "Nghị định 335/2025/NĐ-CP"', 'basis "Nghị định 336"')],
     ("changed", "header", "cong_chuc_quy", "basis")),
    ("precision", [("precision 2", "precision 3")],
     ("changed", "header", "cong_chuc_quy", "precision")),
    ("scale", [("precision 2", "precision 2\n  scale 100")],
     ("changed", "header", "cong_chuc_quy", "scale")),
    ("subject", [("subject person", "subject unit")],
     ("changed", "header", "cong_chuc_quy", "subject")),
    ("period", [("period quarter", "period year")],
     ("changed", "header", "cong_chuc_quy", "period")),
    ("title", [('"Đánh giá, xếp loại chất lượng công chức hằng quý"', '"Xếp loại quý"')],
     ("changed", "header", "cong_chuc_quy", "title")),
    ("input added", [("input ky_luat", 'input moi : number "Mới"\ninput ky_luat')],
     ("added", "input", "moi", "")),
    ("input removed", [("input doi_moi   : number 0..10  ", "let bo_di = 1 # ")],
     ("removed", "input", "doi_moi", "")),
    ("input type", [("ky_luat   : bool = false", "ky_luat   : count = 0")],
     ("changed", "input", "ky_luat", "type")),
    ("input default", [("ky_luat   : bool = false", "ky_luat   : bool = true")],
     ("changed", "input", "ky_luat", "default")),
    ("input range", [("input doi_moi   : number 0..10", "input doi_moi : number 0..5")],
     ("changed", "input", "doi_moi", "range")),
    ("input label", [('"Đổi mới, sáng tạo, dám nghĩ dám làm"', '"Đổi mới"')],
     ("changed", "input", "doi_moi", "label")),
    ("items label", [('items san_pham "Sản phẩm, công việc được giao"', "items san_pham")],
     ("changed", "items", "san_pham", "label")),
    ("field added", [("  cham_tre ", "  kho : bool = false\n  cham_tre ")],
     ("added", "field", "san_pham.kho", "")),
    ("field removed", [('  cham_tre    : count = 0   "Số lần chậm tiến độ"\n', "")],
     ("removed", "field", "san_pham.cham_tre", "")),
    ("field range", [("he_so       : number > 0", "he_so : number >= 0.5")],
     ("changed", "field", "san_pham.he_so", "range")),
    ("param added", [("let giao", "param he = 2 from 2026-01-01, 3 from 2027-01-01\nlet giao")],
     ("added", "param", "he", "")),
    ("let formula", [("let giao      = sum(san_pham.he_so)", "let giao = count(san_pham)")],
     ("changed", "let", "giao", "formula")),
    ("let added", [("group chung", "let them = 1\ngroup chung")], ("added", "let", "them", "")),
    ("group max", [("max 30", "max 40")], ("changed", "group", "chung", "max")),
    ("group label", [('"Tiêu chí chung"', '"Chung"')], ("changed", "group", "chung", "label")),
    ("group rescale", [("max 70\n", "max 70 rescale\n")],
     ("changed", "group", "nhiem_vu", "rescale")),
    ("group kind", [("group chung", "bonus chung")], ("changed", "bonus", "chung", "kind")),
    ("group added", [("grades\n", 'penalty tru "Trừ" max 5\n  criterion t1 max 5 = 0\nend\n'
                      "grades\n")],
     ("added", "penalty", "tru", "")),
    ("criterion formula", [("= doi_moi\n", "= doi_moi / 2\n")],
     ("changed", "criterion", "c_doi_moi", "formula")),
    ("criterion label", [('"Chuyên môn"', '"Chuyên môn, nghiệp vụ"')],
     ("changed", "criterion", "c_chuyen_mon", "label")),
    ("criterion applies", [("max 10 = doi_moi", "max 10 applies when doi_moi > 0 = doi_moi")],
     ("changed", "criterion", "c_doi_moi", "applies_when")),
    ("criterion removed", [('  criterion c_doi_moi "Đổi mới, sáng tạo" max 10 = doi_moi\n', "")],
     ("removed", "criterion", "c_doi_moi", "chung")),
    ("criterion moved", [
        ('  criterion c_doi_moi "Đổi mới, sáng tạo" max 10 = doi_moi\n', ""),
        ("max 70\n", 'max 70\n  criterion c_doi_moi "Đổi mới, sáng tạo" max 10 = doi_moi\n'),
    ], ("changed", "criterion", "c_doi_moi", "group")),
    ("total", [("grades\n", "total = chung + nhiem_vu\n\ngrades\n")],
     ("changed", "total", "total", "formula")),
    ("grade label", [('"Hoàn thành tốt nhiệm vụ"', '"Tốt"')], ("changed", "grade", "tot", "label")),
    ("grade added", [("  khong ", '  gan_dat "Gần đạt" when total >= 40\n  khong ')],
     ("added", "grade", "gan_dat", "")),
    ("grade order", [
        ('  tot        "Hoàn thành tốt nhiệm vụ"      when total >= 70\n', ""),
        ("  khong ", '  tot "Hoàn thành tốt nhiệm vụ" when total >= 70\n  khong '),
    ], ("changed", "grades", "", "order")),
    ("veto condition", [("when ky_luat:", "when ky_luat and doi_moi < 5:")],
     ("changed", "veto", "Bị kỷ luật trong năm đánh giá (Điều 20 khoản 4 điểm c)", "condition")),
    ("veto cap", [("grade at most khong", "grade at most hoan_thanh")],
     ("changed", "veto", "Bị kỷ luật trong năm đánh giá (Điều 20 khoản 4 điểm c)", "cap")),
    ("veto reason", [("(Điều 20 khoản 4 điểm c)", "(Điều 20.4.c)")],
     ("changed", "veto", "Bị kỷ luật trong năm đánh giá (Điều 20.4.c)", "reason")),
    ("veto added", [("quota xuat_sac", 'veto "Mới" when doi_moi < 1: grade at most tot\n\n'
                     "quota xuat_sac")],
     ("added", "veto", "Mới", "")),
    ("quota share", [("20% of", "25% of")], ("changed", "quota", "xuat_sac", "share")),
    ("quota count", [("count(grade >= tot)", "count(grade >= hoan_thanh)")],
     ("changed", "quota", "xuat_sac", "count")),
    ("quota per", [("per unit, position_group", "per unit")],
     ("changed", "quota", "xuat_sac", "per")),
    ("quota rank", [("ket_qua desc", "ket_qua asc")], ("changed", "quota", "xuat_sac", "rank")),
    ("quota demote", [("demote to tot", "demote to hoan_thanh")],
     ("changed", "quota", "xuat_sac", "demote_to")),
    ("quota rounding", [("demote to tot\n", "demote to tot\n  round nearest\n")],
     ("changed", "quota", "xuat_sac", "rounding")),
    ("quota removed", [("quota xuat_sac at most 20% of count(grade >= tot) per unit, "
                        "position_group\n  rank by total desc, ket_qua desc\n  demote to tot\n"
                        "end\n", "")],
     ("removed", "quota", "xuat_sac", "")),
    ("test added", [("\ntest ", '\ntest "Mới"\n  expect total = 0\nend\n\ntest ')],
     ("added", "test", "Mới", "")),
    ("test changed", [("doi_moi = 8", "doi_moi = 7")],
     ("changed", "test", "Hoàn thành đủ, đúng hạn, không lỗi", "content")),
]  # fmt: skip


@pytest.mark.parametrize(("what", "replacements", "expected"), EDITS, ids=[e[0] for e in EDITS])
def test_each_kind_of_change_is_reported(
    what: str, replacements: list[tuple[str, str]], expected: tuple[str, str, str, str]
) -> None:
    changes = diff(DESIGN, edited(*replacements))
    found = [(c.kind, c.entity, c.name, c.aspect) for c in changes]
    assert expected in found, (what, found)
    # every change can be said in both languages, on a line of its own or with a block below
    for change in changes:
        text = describe(change)
        assert text.vi and text.en and text.vi != text.en


def test_exclusions_are_compared_by_reason_then_condition() -> None:
    base = edited(("quota xuat_sac", 'exclude "Nghỉ dài ngày" when doi_moi < 1\n\nquota xuat_sac'))
    assert [(c.kind, c.entity, c.name) for c in diff(DESIGN, base)] == [
        ("added", "exclusion", "Nghỉ dài ngày")
    ]
    stricter = base.replace("doi_moi < 1", "doi_moi < 2")
    assert render_changes(diff(base, stricter), "vi") == (
        '- Không xếp loại "Nghỉ dài ngày": điều kiện doi_moi < 1 → doi_moi < 2'
    )
    reworded = base.replace("Nghỉ dài ngày", "Nghỉ việc dài ngày")
    assert render_changes(diff(base, reworded), "en") == (
        '- Exclusion "Nghỉ việc dài ngày": reason "Nghỉ dài ngày" → "Nghỉ việc dài ngày"'
    )


def test_removed_and_added_declarations_are_shown_as_source() -> None:
    changes = diff(
        DESIGN, edited(("input ky_luat", 'input moi : number 0..5 "Mới"\ninput ky_luat'))
    )
    assert render_changes(changes, "vi") == '- Thêm đầu vào `moi`: input moi : number 0..5 "Mới"'
    assert render_changes(changes, "en") == '- Input `moi` added: input moi : number 0..5 "Mới"'


def test_a_changed_band_is_shown_before_and_after_as_blocks() -> None:
    old = DESIGN.replace("max 10 = doi_moi", "max 10 = band doi_moi >= 5 -> 10 else -> 0 end")
    new = DESIGN.replace("max 10 = doi_moi", "max 10 = band doi_moi >= 6 -> 10 else -> 0 end")
    text = render_changes(diff(old, new), "vi")
    assert text == (
        "- Tiêu chí `c_doi_moi`: công thức\n"
        "  trước:\n    band doi_moi\n      >= 5 -> 10\n      else -> 0\n    end\n"
        "  sau:\n    band doi_moi\n      >= 6 -> 10\n      else -> 0\n    end"
    )


def test_formulas_are_shown_with_the_keywords_of_their_own_version() -> None:
    vietnamese = (ROOT / "tests" / "dsl" / "fixtures" / "example_vi.rules").read_text("utf-8")
    changed = vietnamese.replace("tổng điểm >= 90", "tổng điểm >= 85")
    assert render_changes(diff(vietnamese, changed), "vi") == (
        "- Ngưỡng xếp loại `xuat_sac`: tổng điểm >= 90 → tổng điểm >= 85"
    )
