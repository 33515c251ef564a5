"""The result page explains a grade to a person: the form's table with Vietnamese numbers,
sentences, what it would take; internal names only in the folded part for the checker."""

from __future__ import annotations

import re

from tests.web.conftest import Site


def _parts(page: str) -> tuple[str, str]:
    """(the visible explanation, the folded part for the checker) of a result page."""
    section = page.split('id="giai-thich"', 1)[1].split("</section>", 1)[0]
    visible, folded = section.split('<details class="for-checker">', 1)
    return visible, folded


INTERNAL = re.compile(
    r"\b(c_chinh_tri|chinh_tri|ket_qua|ty_le_\w+|xuat_sac|khong|true|false)\b|dòng \d+"
)


def test_the_visible_explanation_is_the_form_and_sentences_with_the_trace_folded(
    site: Site,
) -> None:
    hr = site.login("tcstc")
    visible, folded = _parts(hr.get(f"/ket-qua/{site.run_id}/N1").text)
    # N1: 8,25 + 9 + 7,5 = 24,75 and 70 = 94,75, vetoed for a reprimand.
    assert "Chính trị, đạo đức, văn hóa công vụ, kỷ luật" in visible and "8,25" in visible
    assert "Tổng 94,75 điểm, từ 90 trở lên nên được mức Hoàn thành xuất sắc nhiệm vụ." in visible
    assert (
        "Loại trừ «Bị kỷ luật từ khiển trách trở lên trong năm đánh giá (Điều 20 khoản 4 "
        in visible
    )
    assert "Kết quả xếp loại: Không hoàn thành nhiệm vụ." in visible
    assert INTERNAL.search(visible) is None, INTERNAL.search(visible)
    assert "dòng 80: = chinh_tri" in folded and "Cho người kiểm tra" in folded


def test_a_quota_sentence_and_what_it_would_take_on_the_page(site: Site) -> None:
    snv = site.login("tcsnv")
    visible, _ = _parts(snv.get(f"/ket-qua/{site.run_id}/A2").text)
    assert (
        "Hạn mức Hoàn thành xuất sắc nhiệm vụ: tối đa 20% của 5 người trong nhóm, tức 1 người; "
        "người này xếp thứ 2, vượt hạn mức nên hạ xuống Hoàn thành tốt nhiệm vụ." in visible
    )
    assert "không phải vì điểm" in visible
    # K3: 5 + 5 + 5 + 70 = 85; any one general criterion raised from 5 to 10 gives 90.
    visible, _ = _parts(snv.get(f"/ket-qua/{site.run_id}/K3").text)
    assert "Cần gì để đạt mức cao hơn" in visible
    assert "(Điều 12.1.a)» là 10 (hiện là 5) thì đạt mức Hoàn thành xuất sắc nhiệm vụ." in visible
    assert INTERNAL.search(visible) is None
