"""The explanation a person reads: the form's table, sentences, what it would take, and the
developer trace kept for the checker."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from chamdiem.dsl import load_file
from chamdiem.dsl.data import Cohort, ItemTable
from chamdiem.dsl.explain import Decision, explain_for_people, render_text
from chamdiem.dsl.graph import evaluate_graph
from chamdiem.dsl.organisation import Organisation
from chamdiem.dsl.periods import Period

ROOT = Path(__file__).resolve().parents[2]
QUARTERLY = load_file(ROOT / "rules" / "cong_chuc_quy.rules")
A = "Phẩm chất chính trị, đạo đức, văn hóa thực thi công vụ, ý thức kỷ luật, kỷ cương (Điều 12.1.a)"
B = (
    "Năng lực chuyên môn, nghiệp vụ; tinh thần trách nhiệm, thái độ phục vụ, khả năng phối hợp "
    "(Điều 12.1.b)"
)
C = "Năng lực đổi mới, sáng tạo, dám nghĩ, dám làm, dám chịu trách nhiệm (Điều 12.1.c)"
INTERNAL = ("c_chinh_tri", "chinh_tri", "ty_le_so_luong", "ket_qua", "khong", "dòng 80", "true")


def person(a: str, b: str, c: str, products: list[tuple[int, bool, int, int]]) -> Cohort:
    n = len(products)
    return Cohort(
        codes=["CC01"],
        inputs={"chinh_tri": [Decimal(a)], "chuyen_mon": [Decimal(b)], "doi_moi": [Decimal(c)]},
        items={
            "san_pham": ItemTable(
                owner=[0] * n,
                fields={
                    "he_so": [p[0] for p in products],
                    "hoan_thanh": [p[1] for p in products],
                    "loi_nang": [p[2] for p in products],
                    "cham_tre": [p[3] for p in products],
                },
            )
        },
        names=["Nguyễn Thị Mai"],
    )


# The example of §4.4 of the business document (hand-checked in the rule file's tests):
# 9 + 9 + 8 = 26; ket_qua = 70 × 38,5/48 = 56,15; total 82,15 -> "tốt".
EXAMPLE = person(
    "9",
    "9",
    "8",
    [(1, True, 1, 0), (1, True, 0, 1)]
    + [(1, True, 0, 0)] * 8
    + [(3, True, 0, 0), (3, False, 0, 0)],
)


def visible(text: str) -> str:
    return text.split("--- Cho người kiểm tra ---")[0]


def test_the_table_and_sentences_of_a_hand_checked_subject() -> None:
    results = QUARTERLY.evaluate(EXAMPLE)
    shown = explain_for_people(QUARTERLY, EXAMPLE, results, 0, "vi")
    general, tasks = shown.groups
    assert (general.label, general.maximum, general.points) == (
        "Tiêu chí chung (Điều 12 khoản 1)",
        "30",
        "26,00",
    )
    first = general.criteria[0]
    assert (first.label, first.maximum, first.points) == (
        "Chính trị, đạo đức, văn hóa công vụ, kỷ luật",
        "10",
        "9,00",
    )
    assert [(x.label, x.value) for x in first.inputs] == [(A, "9")]
    (work,) = tasks.criteria
    assert work.points == "56,15" and ("Sản phẩm, công việc được giao trong quý", "12 dòng") in [
        (x.label, x.value) for x in work.inputs
    ]
    assert "Hệ số quy đổi về sản phẩm chuẩn: 1; 1; 1; 1; 1; 1; 1; 1; 1; 1; 3; 3" in work.aggregated
    assert (shown.total, shown.scale) == ("82,15", "100")
    assert shown.sentences == (
        "Tổng 82,15 điểm gồm: Tiêu chí chung (Điều 12 khoản 1) 26,00 điểm (tối đa 30); "
        "Kết quả thực hiện nhiệm vụ (Điều 12 khoản 2, Điều 14–16) 56,15 điểm (tối đa 70).",
        "Tổng 82,15 điểm, từ 70 đến dưới 90 nên được mức Hoàn thành tốt nhiệm vụ.",
        "Kết quả xếp loại: Hoàn thành tốt nhiệm vụ.",
    )
    # No single input reaches 90: the most one general criterion can add is 2 points.
    assert shown.what_it_takes == (
        "Không có đầu vào nào mà chỉ thay đổi riêng nó (trong khoảng cho phép) đủ để đạt "
        "mức Hoàn thành xuất sắc nhiệm vụ.",
    )
    text = render_text(shown)
    assert not any(name in visible(text) for name in INTERNAL)
    assert "dòng 80: = chinh_tri" in text.split("--- Cho người kiểm tra ---")[1]


def test_what_it_takes_to_the_digit() -> None:
    # 2,37 + 8 + 8 + 70 = 88,37: "tốt"; 90 needs 1,63 more from one general criterion:
    # chinh_tri 2,37 -> 4; chuyen_mon 8 -> 9,63; doi_moi 8 -> 9,63 (each within 0..10).
    cohort = person("2.37", "8", "8", [(1, True, 0, 0)])
    results = QUARTERLY.evaluate(cohort)
    assert results.total == [Decimal("88.37")]
    shown = explain_for_people(QUARTERLY, cohort, results, 0, "vi")
    assert shown.what_it_takes == (
        f"Chỉ cần «{A}» là 4 (hiện là 2,37) thì đạt mức Hoàn thành xuất sắc nhiệm vụ.",
        f"Chỉ cần «{B}» là 9,63 (hiện là 8) thì đạt mức Hoàn thành xuất sắc nhiệm vụ.",
        f"Chỉ cần «{C}» là 9,63 (hiện là 8) thì đạt mức Hoàn thành xuất sắc nhiệm vụ.",
    )
    english = explain_for_people(QUARTERLY, cohort, results, 0, "en")
    assert (
        english.what_it_takes[1]
        == f"«{B}» at 9.63 (now 8) alone would reach Hoàn thành xuất sắc nhiệm vụ."
    )
    assert english.sentences[1] == (
        "A total of 88.37 points, at least 70 and below 90, gives the grade "
        "Hoàn thành tốt nhiệm vụ."
    )


def test_a_veto_is_named_with_its_article_and_points_cannot_lift_it() -> None:
    cohort = person("9", "9", "9", [(1, True, 0, 0)])
    cohort = Cohort(
        codes=cohort.codes,
        inputs={**cohort.inputs, "ky_luat": ["khiển trách"]},
        items=cohort.items,
    )
    results = QUARTERLY.evaluate(cohort)
    decision = Decision("tot", "15/QĐ-SNV", "Hội đồng xét lại")
    shown = explain_for_people(QUARTERLY, cohort, results, 0, "vi", decision=decision)
    assert shown.sentences[1:] == (
        "Tổng 97,00 điểm, từ 90 trở lên nên được mức Hoàn thành xuất sắc nhiệm vụ.",
        "Loại trừ «Bị kỷ luật từ khiển trách trở lên trong năm đánh giá (Điều 20 khoản 4 "
        "điểm c)»: mức xếp loại cao nhất là Không hoàn thành nhiệm vụ (điểm số giữ nguyên).",
        "Kết quả xếp loại: Không hoàn thành nhiệm vụ.",
        "Hội đồng đã quyết định mức Hoàn thành tốt nhiệm vụ (văn bản 15/QĐ-SNV), lý do: "
        "Hội đồng xét lại.",
    )
    assert "thay đổi điểm không làm thay đổi kết quả" in shown.what_it_takes[0]
    labels = [x.value for g in shown.groups for c in g.criteria for x in c.inputs]
    assert "true" not in " ".join(shown.sentences + tuple(labels))


def test_an_aggregate_shows_the_values_aggregated_per_period() -> None:
    sets = ROOT / "tests" / "dsl" / "golden" / "sets" / "names_read_across"
    year, quarter = load_file(sets / "nam.rules"), load_file(sets / "quy.rules")
    xs = {1: "4", 2: "5.5", 3: "6", 4: "3"}

    def source(program: object, period: Period) -> Cohort:
        inputs = {"x": [Decimal(xs[period.index])]} if program is quarter else {}
        return Cohort(codes=["A"], inputs=inputs, units=["U"])

    target = Period.parse("2026")
    graph = evaluate_graph(
        [year, quarter], Organisation(codes=["U"], parents={"U": None}), source, target
    )
    results = graph.get("nam", target)
    assert results is not None
    shown = explain_for_people(year, graph.cohorts[("nam", target)], results, 0, "vi")
    # diem_quy = x × 10 per quarter; the mean of 40, 55, 60, 30 is 46,25.
    assert shown.groups[0].criteria[0].aggregated == (
        "trung bình giá trị của 4 kỳ: Quý I/2026: 40; Quý II/2026: 55; Quý III/2026: 60; "
        "Quý IV/2026: 30",
    )
    assert shown.total == "46,25"
    assert "diem_quy" not in visible(render_text(shown))
