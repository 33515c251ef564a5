"""What a person reads on the pages: Vietnamese numbers, period names, rule-set titles, the
audit log in words, validation messages in Vietnamese, no command lines (issue 13)."""

from __future__ import annotations

import re

from chamdiem.platform.db.engine import open_session
from chamdiem.platform.services.accounts import create_api_token
from chamdiem.platform.web.errors import validation_text, web_words
from tests.web.conftest import Site

TITLE = "Đánh giá, xếp loại chất lượng công chức hằng quý"


def test_a_run_page_reads_in_vietnamese(site: Site) -> None:
    hr = site.login("tcstc")
    page = hr.get(f"/lan-chay/{site.run_id}").text
    assert f'{TITLE} <span class="muted small code">cong_chuc_quy</span>' in page
    assert "<dd>Quý I/2026</dd>" in page
    totals = re.findall(r'data-label="Tổng điểm">([^<]*)<', page)
    assert "94,75" in totals, totals  # N1's total, with a decimal comma
    assert not any("." in total for total in totals), totals
    assert "<title>Lần đánh giá #1: " + TITLE + ", Quý I/2026" in page


def test_a_result_page_reads_in_vietnamese_and_preselects_the_computed_grade(site: Site) -> None:
    hr = site.login("tcstc")
    page = hr.get(f"/ket-qua/{site.run_id}/N1").text
    assert '<span class="big">94,75</span>' in page
    assert f"({TITLE} " in page and "Quý I/2026)" in page
    grade = re.search(
        r'<span class="label">Kết quả xếp loại</span><span class="grade" '
        r'title="(\w+)"',
        page,
    )
    assert grade is not None
    selected = re.search(r'<option value="(\w+)" selected>[^<]*\(theo kết quả tính\)', page)
    assert selected is not None and selected.group(1) == grade.group(1), page
    assert 'placeholder="ngày/tháng/năm, ví dụ 31/03/2026"' in page
    assert 'type="date"' not in page


def test_a_decision_date_is_typed_day_first(site: Site) -> None:
    from tests.web.conftest import csrf

    hr = site.login("tcsnv")
    page = f"/ket-qua/{site.run_id}/A1"
    answer = hr.post(
        f"{page}/quyet-dinh",
        data={
            "final_grade": "tot",
            "reason": "Hội đồng xét",
            "document_number": "16/QĐ-SNV",
            "document_date": "10/04/2026",
            "confirm": "1",
            "_csrf_token": csrf(hr, page),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert "<td>10/04/2026</td>" in hr.get(page).text


def test_the_audit_log_says_actions_in_words_and_details_as_lines(site: Site) -> None:
    admin = site.login("admin")
    page = admin.get("/nhat-ky").text
    assert '<span title="login">Đăng nhập</span>' in page
    assert '<span title="run">Chạy đánh giá</span>' in page
    assert ">Tạo tài khoản</option>" in page
    assert "{" not in page.split("<tbody>")[1].split("</tbody>")[0]  # no Python dict
    assert "kỳ: Quý I/2026" in page  # the import's and the run's period, by name
    assert "tài khoản: tcstc" in page or "lần đánh giá 1" in page


def test_an_api_validation_error_is_in_vietnamese(site: Site) -> None:
    with open_session(site.engine) as session:
        token = create_api_token(session, "tcsnv", "kiem-thu", actor="test").token
    client = site.client()
    headers = {"Authorization": f"Bearer {token}"}
    zero = client.get(f"/api/runs/{site.run_id}/results?limit=0", headers=headers).json()
    assert zero["details"] == ["limit (số mục mỗi lần): phải là một số nguyên từ 1 trở lên"]
    word = client.get(f"/api/runs/{site.run_id}/results?limit=x", headers=headers).json()
    assert word["details"] == [
        "limit (số mục mỗi lần): phải là một số nguyên, không phải một chuỗi chữ"
    ]
    typed = client.post(
        "/api/periods/2026-Q1/records", json={"subjects": [{"code": 5}]}, headers=headers
    ).json()
    assert typed["details"] == [
        "subjects[0].code (mã): phải là một chuỗi chữ, không phải một số nguyên"
    ]
    assert "Expected" not in str(typed) and "`" not in str(typed)


def test_validation_messages_and_commands_are_reworded_for_the_web() -> None:
    assert validation_text("data", "Object missing required field `subjects`") == (
        "data (nội dung gửi lên): thiếu trường subjects (danh sách người)"
    )
    assert validation_text("subjects", "Expected `array` of length >= 1") == (
        "subjects (danh sách người): phải là một danh sách từ 1 mục trở lên"
    )
    assert validation_text("x", "Chưa có kỳ") == "x: Chưa có kỳ"  # ours: kept
    assert web_words("chưa có kỳ 2026; tạo bằng `chamdiem period add 2026`") == (
        "chưa có kỳ 2026; quản trị hệ thống tạo kỳ ở trang Kỳ đánh giá (/ky)"
    )
    assert "`" not in web_words(
        "kỳ 2026-Q1 chưa có dữ liệu: nhập bằng `chamdiem import TỆP --period 2026-Q1`"
    )


def test_a_too_long_text_counts_its_characters_as_each_language_writes_numbers() -> None:
    from chamdiem.dsl.diagnostics import Text
    from chamdiem.platform.services.errors import too_long

    message = too_long(Text("Lý do", "The reason"), "x" * 12345, 10000)
    assert message is not None
    assert message.vi == "Lý do dài 12.345 ký tự; tối đa 10.000 ký tự"
    assert message.en == "The reason is 12,345 characters long; at most 10,000"
    assert too_long(Text("Lý do", "The reason"), "x" * 10, 10) is None
