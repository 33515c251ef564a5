"""What a user types has limits, refused at the field with a Vietnamese message and nothing
stored: a council decision's reason, document number and date, names, search terms."""

from __future__ import annotations

import html
from typing import Any

import sqlalchemy as sa

from tests.web.conftest import Site, csrf


def _decisions(site: Site) -> int:
    with site.engine.connect() as connection:
        found = connection.execute(sa.text("SELECT count(*) FROM council_decisions")).scalar()
    assert isinstance(found, int)
    return found


def _field_error(page: str, field: str) -> str:
    """The message shown at a form field (and the field points at it)."""
    assert f'aria-describedby="loi-{field}"' in page
    return html.unescape(page.split(f'id="loi-{field}">', 1)[1].split("</span>", 1)[0])


def test_a_decision_with_a_too_long_reason_or_number_or_an_odd_date_is_refused_at_the_field(
    site: Site,
) -> None:
    hr = site.login("tcsnv")
    page = f"/ket-qua/{site.run_id}/K3"
    good = {
        "final_grade": "tot",
        "reason": "Hội đồng xét lại",
        "document_number": "15/QĐ-SNV",
        "document_date": "2026-04-10",
    }

    def post(**changes: Any) -> Any:
        data = {**good, **changes, "_csrf_token": csrf(hr, page)}
        return hr.post(f"{page}/quyet-dinh", data=data, follow_redirects=False)

    refused = post(reason="x" * 1_000_000, document_number="1/QĐ-" + "9" * 100)
    assert refused.status_code == 400
    assert "Chưa ghi quyết định: hãy sửa các ô được đánh dấu bên dưới." in refused.text
    assert _field_error(refused.text, "reason") == ("lý do dài 1.000.000 ký tự; tối đa 2.000 ký tự")
    assert _field_error(refused.text, "document_number") == (
        "số văn bản dài 105 ký tự; tối đa 100 ký tự"
    )
    assert 'maxlength="2000"' in refused.text and 'maxlength="100"' in refused.text
    for day, words in (
        ("9999-12-31", "ngày văn bản 31/12/9999 không hợp lý cho kỳ 2026-Q1"),
        ("1900-01-01", "ngày văn bản 01/01/1900 không hợp lý cho kỳ 2026-Q1"),
        ("2031-04-01", "chọn ngày từ 31/12/2024 đến 31/03/2031"),
    ):
        odd = post(document_date=day)
        assert odd.status_code == 400, day
        assert words in _field_error(odd.text, "document_date"), day
    empty = post(reason="   ")
    assert _field_error(empty.text, "reason") == "lý do không được để trống"
    unknown = post(final_grade="gioi")
    assert _field_error(unknown.text, "final_grade").startswith("mức 'gioi' không có")
    assert _decisions(site) == 0
    # At the limits, the decision is recorded.
    last = post(reason="x" * 2000, document_number="9" * 100, document_date="2031-03-31")
    assert last.status_code == 303
    recorded = post(reason="x" * 2000, document_number="9" * 100, document_date="2024-12-31")
    assert recorded.status_code == 303
    assert _decisions(site) == 2


def test_a_search_term_of_more_than_200_characters_is_refused_at_the_search_field(
    site: Site,
) -> None:
    hr = site.login("tcsnv")
    long = hr.get("/tim-kiem", params={"q": "Nguyễn " * 40})
    assert long.status_code == 400
    assert _field_error(long.text, "q") == "từ khóa tìm kiếm dài 280 ký tự; tối đa 200 ký tự"
    assert 'maxlength="200"' in long.text and "người khớp" not in long.text
    fits = hr.get("/tim-kiem", params={"q": "A1" + " " * 198})
    assert fits.status_code == 200 and "1 người khớp" in fits.text
    results = hr.get(f"/lan-chay/{site.run_id}", params={"q": "x" * 201})
    assert results.status_code == 400
    assert "từ khóa tìm kiếm dài 201 ký tự; tối đa 200 ký tự" in html.unescape(results.text)


def test_an_account_with_a_too_long_display_name_or_user_name_is_not_created(site: Site) -> None:
    admin = site.login("admin")

    def add(username: str, display_name: str) -> Any:
        data = {
            "username": username,
            "display_name": display_name,
            "password": "mat-khau-dai-du",
            "role": "auditor",
            "_csrf_token": csrf(admin, "/nguoi-dung"),
        }
        return admin.post("/nguoi-dung", data=data, follow_redirects=False)

    long_name = add("kiemtra", "Trần " * 50)
    assert long_name.status_code == 400
    assert "tên hiển thị dài 250 ký tự; tối đa 200 ký tự" in html.unescape(long_name.text)
    long_user = add("k" * 64, "Kiểm tra")
    assert long_user.status_code == 400
    assert f"tên đăng nhập '{'k' * 39}…' không hợp lệ: 2–63 ký tự" in html.unescape(long_user.text)
    with site.engine.connect() as connection:
        users = connection.execute(sa.text("SELECT username FROM users")).scalars().all()
    assert "kiemtra" not in users and "k" * 64 not in users
    assert add("k" * 63, "Trần " * 40).status_code == 303
