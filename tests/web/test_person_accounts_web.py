"""Everyone signs in, through the real app: the accounts made from the organisation, the
one-time codes an HR officer prints (or downloads) for a unit, the first sign-in with one,
a password reset, the provision button, and where each person lands after signing in."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook

from chamdiem.platform.db.engine import open_session
from chamdiem.platform.db.tables import audit_t, users_t
from chamdiem.platform.services.accounts import issue_codes, provision_accounts
from chamdiem.platform.services.scope import Scope
from chamdiem.platform.web.auth import SESSION_COOKIE
from tests.platform.db.helpers import PEOPLE
from tests.web.conftest import Site, csrf, form

CODE = re.compile(r"\b[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}\b")
NEW_PASSWORD = "mat-khau-rieng-cua-toi"
NAME = {p.code: p.name for p in PEOPLE}
FIRST = "/dang-nhap-lan-dau"


def provision(site: Site) -> None:
    with open_session(site.engine) as session:
        provision_accounts(session, actor="test")


def code_for(site: Site, username: str) -> str:
    with open_session(site.engine) as session:
        (issued,) = issue_codes(session, actor="test", scope=Scope.everything(), username=username)
    return issued.code


def first_sign_in(
    client: TestClient[Litestar],
    username: str,
    code: str,
    password: str = NEW_PASSWORD,
    again: str | None = None,
) -> object:
    return client.post(
        FIRST,
        data={
            "username": username,
            "code": code,
            "password": password,
            "password2": password if again is None else again,
            "_csrf_token": csrf(client, FIRST),
        },
        follow_redirects=False,
    )


def password_hash(site: Site, username: str) -> str | None:
    with site.engine.connect() as connection:
        found: str | None = connection.execute(
            sa.select(users_t.c.password_hash).where(users_t.c.username == username)
        ).scalar()
    return found


# ---------------------------------------------------------------- the first sign-in


def test_the_sign_in_page_leads_to_the_first_sign_in(site: Site) -> None:
    client = site.client()
    assert f'href="{FIRST}"' in client.get("/dang-nhap").text
    page = client.get(FIRST)
    assert page.status_code == 200
    for field in ("username", "code", "password", "password2", "_csrf_token"):
        assert f'name="{field}"' in page.text, field


def test_a_civil_servant_sets_a_password_with_a_code_and_lands_on_their_own_page(
    site: Site,
) -> None:
    provision(site)
    code = code_for(site, "a2")
    client = site.client()
    response = first_sign_in(client, "A2", code.lower().replace("-", " "))  # as typed
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    assert response.headers["location"] == "/tong-quan"  # type: ignore[attr-defined]
    assert client.cookies.get(SESSION_COOKIE)
    home = client.get("/tong-quan", follow_redirects=False)
    assert home.status_code in (302, 303) and home.headers["location"] == "/nguoi/A2"
    own = client.get("/nguoi/A2")
    assert own.status_code == 200 and NAME["A2"] in own.text
    assert client.get("/nguoi/A1").status_code == 404
    # The new password signs in from now on; the code is used.
    site.login("a2", NEW_PASSWORD)
    again = first_sign_in(site.client(), "a2", code, "mot-mat-khau-khac")
    assert again.status_code == 400  # type: ignore[attr-defined]
    assert "đã dùng hoặc đã hết hạn" in again.text  # type: ignore[attr-defined]
    site.login("a2", NEW_PASSWORD)


def test_a_wrong_an_expired_or_anothers_code_is_one_message_and_changes_nothing(
    site: Site,
) -> None:
    provision(site)
    code = code_for(site, "a3")
    other = code_for(site, "a4")
    with site.engine.begin() as connection:  # a4's code has expired
        connection.execute(
            sa.text(
                "UPDATE one_time_codes SET expires_at = :past WHERE user_id = "
                "(SELECT id FROM users WHERE username = 'a4')"
            ),
            {"past": "2020-01-01 00:00:00"},
        )
    messages = set()
    for username, typed in (
        ("a3", "AAAAA-BBBBB"),
        ("a3", other),
        ("a4", other),
        ("khong-co", code),
    ):
        response = first_sign_in(site.client(), username, typed)
        assert response.status_code == 400, (username, response.status_code)  # type: ignore[attr-defined]
        found = re.search(r'id="loi-code">([^<]+)<', response.text)  # type: ignore[attr-defined]
        assert found, response.text  # type: ignore[attr-defined]
        messages.add(found.group(1))
    assert len(messages) == 1, messages
    assert password_hash(site, "a3") is None and password_hash(site, "a4") is None
    # The right code still works after all that.
    assert first_sign_in(site.client(), "a3", code).status_code == 303  # type: ignore[attr-defined]


def test_the_password_rules_are_told_at_the_field_and_the_code_is_not_used(site: Site) -> None:
    provision(site)
    code = code_for(site, "k1")
    client = site.client()
    for password, again, field, text in (
        ("ngan", None, "password", "ít nhất 8 ký tự"),
        ("12345678901", None, "password", "chỉ gồm chữ số"),
        ("K1", None, "password", "ít nhất 8 ký tự"),
        ("mat-khau-dai-du", "mat-khau-khac-han", "password2", "không giống nhau"),
    ):
        response = first_sign_in(client, "k1", code, password, again)
        assert response.status_code == 400, password  # type: ignore[attr-defined]
        found = re.search(rf'id="loi-{field}">([^<]+)<', response.text)  # type: ignore[attr-defined]
        assert found and text in found.group(1), (password, response.text)  # type: ignore[attr-defined]
        assert 'aria-invalid="true"' in response.text  # type: ignore[attr-defined]
    assert password_hash(site, "k1") is None
    assert first_sign_in(client, "k1", code).status_code == 303  # type: ignore[attr-defined]


def test_wrong_codes_are_throttled_like_wrong_passwords(site: Site) -> None:
    provision(site)
    code = code_for(site, "k2")
    for _ in range(5):
        assert first_sign_in(site.client(), "k2", "AAAAA-AAAAA").status_code == 400  # type: ignore[attr-defined]
    refused = first_sign_in(site.client(), "k2", code)
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert "Retry-After" in refused.headers  # type: ignore[attr-defined]
    assert password_hash(site, "k2") is None
    # A failed code counts for the name at the sign-in form too.
    client = site.client()
    signed = client.post(
        "/dang-nhap",
        data={"username": "k2", "password": "x" * 10, "_csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert signed.status_code == 429


def test_a_form_without_its_csrf_token_is_refused(site: Site) -> None:
    provision(site)
    code = code_for(site, "k3")
    client = site.client()
    client.get(FIRST)
    response = client.post(
        FIRST,
        data={"username": "k3", "code": code, "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert password_hash(site, "k3") is None


# ---------------------------------------------------------------- where each one lands


@pytest.mark.parametrize(
    ("username", "landing"),
    [
        ("a1", "/nguoi/A1"),
        ("a5", "/don-vi/SNV-TH"),
        ("s1", "/don-vi/SNV"),
        ("n1", "/don-vi/STC-NS"),
    ],
)
def test_after_signing_in_each_person_lands_on_their_page(
    site: Site, username: str, landing: str
) -> None:
    provision(site)
    client = site.client()
    assert first_sign_in(client, username, code_for(site, username)).status_code == 303  # type: ignore[attr-defined]
    home = client.get("/tong-quan", follow_redirects=False)
    assert home.headers["location"] == landing
    assert client.get(landing).status_code == 200


def test_the_other_roles_keep_the_dashboard(site: Site) -> None:
    for username in ("admin", "tcsnv", "tpth"):
        assert site.login(username).get("/tong-quan", follow_redirects=False).status_code == 200


# ---------------------------------------------------------------- codes handed out by HR


def issue(client: TestClient[Litestar], unit: str, how: str = "in") -> object:
    return form(client, f"/nguoi-dung/don-vi/{unit}/ma-dang-nhap", {"dang": how}, "/tong-quan")


def test_an_hr_officer_prints_the_codes_of_a_unit_of_theirs(site: Site) -> None:
    provision(site)
    hr = site.login("tcsnv")
    listing = hr.get("/nguoi-dung/don-vi/SNV-TH")
    assert listing.status_code == 200
    for code in ("A1", "A5"):
        assert NAME[code] in listing.text
    printed = issue(hr, "SNV-TH")
    assert printed.status_code == 200  # type: ignore[attr-defined]
    text = printed.text  # type: ignore[attr-defined]
    assert "/static/codes.css" in text  # the print stylesheet
    codes = CODE.findall(text)
    assert len(codes) == 5
    for person in ("A1", "A2", "A3", "A4", "A5"):
        assert NAME[person] in text and person.lower() in text
    assert NAME["K1"] not in text and "Phòng Tổng hợp" in text
    # Each printed code is the one of the person beside it: A2's works for a2.
    slips = text.split('class="slip"')[1:]
    (a2,) = [s for s in slips if NAME["A2"] in s]
    assert first_sign_in(site.client(), "a2", CODE.findall(a2)[0]).status_code == 303  # type: ignore[attr-defined]
    # Audited, without the codes.
    with site.engine.connect() as connection:
        details = (
            connection.execute(
                sa.select(audit_t.c.details_json).where(audit_t.c.action == "user_codes")
            )
            .scalars()
            .all()
        )
    assert details and not any(code in d for d in details for code in codes)


def test_the_codes_of_a_unit_as_a_workbook(site: Site) -> None:
    provision(site)
    hr = site.login("tcstc")
    response = issue(hr, "STC-NS", "excel")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "ma_dang_nhap_STC-NS.xlsx" in response.headers["content-disposition"]  # type: ignore[attr-defined]
    book = load_workbook(io.BytesIO(response.content))  # type: ignore[attr-defined]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("Họ và tên", "Đơn vị", "Tên đăng nhập", "Mã dùng một lần")
    by_name = {row[2]: row for row in rows[1:]}
    assert set(by_name) == {"n1", "n2", "n3"}
    assert by_name["n2"][0] == NAME["N2"] and by_name["n2"][1] == "Phòng Ngân sách"
    assert first_sign_in(site.client(), "n2", str(by_name["n2"][3])).status_code == 303  # type: ignore[attr-defined]


def test_another_units_codes_are_not_found_and_other_roles_are_refused(site: Site) -> None:
    provision(site)
    assert issue(site.login("tcsnv"), "STC-NS").status_code == 404  # type: ignore[attr-defined]
    assert site.login("tcsnv").get("/nguoi-dung/don-vi/STC-NS").status_code == 404
    assert issue(site.login("tcstc"), "SNV-TH").status_code == 404  # type: ignore[attr-defined]
    head = site.login("tpth")  # reads SNV-TH, may not hand out codes
    assert head.get("/nguoi-dung/don-vi/SNV-TH").status_code == 403
    assert issue(head, "SNV-TH").status_code == 403  # type: ignore[attr-defined]
    assert issue(head, "SNV-KH").status_code == 404  # type: ignore[attr-defined]
    for name in ("thanhtra", "chinhsach"):
        assert issue(site.login(name), "SNV-TH").status_code in (403, 404)  # type: ignore[attr-defined]
    assert issue(site.login("admin"), "STC-NS").status_code == 200  # type: ignore[attr-defined]
    with site.engine.connect() as connection:
        issued = connection.execute(sa.text("SELECT count(*) FROM one_time_codes")).scalar()
    assert issued == 3  # the administrator's only


def test_a_unit_with_no_accounts_yet_is_told_so(site: Site) -> None:
    hr = site.login("tcsnv")
    response = issue(hr, "SNV-KH")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "tạo tài khoản cho mọi người trước" in response.text  # type: ignore[attr-defined]


def test_a_password_reset_gives_a_new_code_and_is_audited(site: Site) -> None:
    provision(site)
    first = code_for(site, "k4")
    assert first_sign_in(site.client(), "k4", first).status_code == 303  # type: ignore[attr-defined]
    hr = site.login("tcsnv")
    reset = form(hr, "/nguoi-dung/k4/dat-lai", {}, "/nguoi-dung/don-vi/SNV-KH")
    assert reset.status_code == 200, reset.text
    (code,) = CODE.findall(reset.text)
    assert NAME["K4"] in reset.text
    client = site.client()
    assert first_sign_in(client, "k4", code, "mat-khau-sau-khi-quen").status_code == 303  # type: ignore[attr-defined]
    site.login("k4", "mat-khau-sau-khi-quen")
    with site.engine.connect() as connection:
        audited = connection.execute(
            sa.select(audit_t.c.actor, audit_t.c.details_json).where(
                audit_t.c.action == "user_code"
            )
        ).all()
    assert [a.actor for a in audited] == ["test", "tcsnv"]
    assert code not in audited[-1].details_json and "k4" in audited[-1].details_json
    # Another unit's person, a hand-made account, someone unknown: not found.
    for username in ("n1", "admin", "khong-co-ai"):
        assert form(hr, f"/nguoi-dung/{username}/dat-lai", {}, "/tong-quan").status_code == 404
    assert form(site.login("tpth"), "/nguoi-dung/a1/dat-lai", {}, "/tong-quan").status_code == 403
    assert form(site.login("admin"), "/nguoi-dung/n1/dat-lai", {}, "/tong-quan").status_code == 200


# ---------------------------------------------------------------- the accounts page


def test_the_provision_button_makes_the_accounts_and_shows_the_counts(site: Site) -> None:
    hr = site.login("tcstc")
    page = hr.get("/nguoi-dung")
    assert page.status_code == 200 and "Tạo tài khoản cho mọi người" in page.text
    assert "Tạo tài khoản</button>" not in page.text  # no hand-made accounts for HR
    done = form(hr, "/nguoi-dung/tao-tu-to-chuc", {}, "/nguoi-dung")
    assert done.status_code == 200
    assert "3 tài khoản mới" in done.text
    assert "Phòng Ngân sách" in done.text and "Phòng Tổng hợp" not in done.text
    with site.engine.connect() as connection:
        made = (
            connection.execute(
                sa.select(users_t.c.username).where(users_t.c.person_id.is_not(None))
            )
            .scalars()
            .all()
        )
    assert sorted(made) == ["n1", "n2", "n3"]
    admin = site.login("admin")
    everyone = form(admin, "/nguoi-dung/tao-tu-to-chuc", {}, "/nguoi-dung")
    assert everyone.status_code == 200
    assert "11 tài khoản mới" in everyone.text and "3 không đổi" in everyone.text
    # The administrator's list of accounts is the hand-made ones; the people are per unit.
    assert 'action="/nguoi-dung/tcsnv/mat-khau"' in everyone.text
    assert 'action="/nguoi-dung/a1/mat-khau"' not in everyone.text
    assert 'href="/nguoi-dung/don-vi/SNV-TH"' in everyone.text
    again = form(admin, "/nguoi-dung/tao-tu-to-chuc", {}, "/nguoi-dung")
    assert "0 tài khoản mới" in again.text and "14 không đổi" in again.text


def test_who_opens_the_accounts_page(site: Site) -> None:
    provision(site)
    for name, status in (
        ("admin", 200),
        ("tcsnv", 200),
        ("tcstc", 200),
        ("tpth", 403),
        ("thanhtra", 403),
        ("chinhsach", 403),
    ):
        client = site.login(name)
        assert client.get("/nguoi-dung").status_code == status, name
        assert ('href="/nguoi-dung"' in client.get("/ky").text) == (status == 200), name
        refused = form(client, "/nguoi-dung/tao-tu-to-chuc", {}, "/ky")
        assert refused.status_code == status, name
    hr = site.login("tcsnv").get("/nguoi-dung").text
    assert "Phòng Kế hoạch" in hr and "Phòng Ngân sách" not in hr
