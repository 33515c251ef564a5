"""Signing in and out: the front door, session cookies, CSRF on every form, throttling."""

from __future__ import annotations

import re

import pytest

from chamdiem.platform.db.engine import open_session
from chamdiem.platform.services.accounts import create_api_token
from chamdiem.platform.web.app import CSRF_COOKIE
from chamdiem.platform.web.auth import SESSION_COOKIE
from chamdiem.platform.web.throttle import LoginThrottle, Wait
from tests.web.conftest import PASSWORD, Site, csrf, form

PAGES = [
    "/tong-quan",
    "/don-vi",
    "/don-vi/SNV",
    "/tim-kiem?q=an",
    "/nguoi/A1",
    "/lan-chay",
    "/lan-chay/1",
    "/lan-chay/moi",
    "/nhap-du-lieu",
    "/quy-tac",
    "/ky",
    "/nhat-ky",
    "/nguoi-dung",
    "/ket-qua/1/A1",
    "/lan-chay/1/bao-cao.xlsx",
]


def test_a_visitor_is_led_to_the_sign_in_page(site: Site) -> None:
    client = site.client()
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/dang-nhap"
    page = client.get("/dang-nhap")
    assert page.status_code == 200
    assert "Đăng nhập" in page.text and 'name="password"' in page.text


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_sign_in_and_comes_back_after_it(site: Site, path: str) -> None:
    client = site.client()
    response = client.get(path, follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    location = response.headers["location"]
    assert location.startswith("/dang-nhap?tiep=")
    # After signing in, the user lands where they were going.
    token = csrf(client, location)
    back = client.post(
        "/dang-nhap",
        data={"username": "admin", "password": PASSWORD, "tiep": path, "_csrf_token": token},
        follow_redirects=False,
    )
    assert back.status_code == 303 and back.headers["location"] == path


def test_signing_in_sets_a_session_cookie_only_scripts_cannot_read(site: Site) -> None:
    client = site.client()
    response = client.post(
        "/dang-nhap",
        data={"username": "tcsnv", "password": PASSWORD, "_csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/tong-quan"
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE in v
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # plain http in the test; see the next test
    home = client.get("/tong-quan")
    assert home.status_code == 200 and "Đăng xuất" in home.text


def test_the_session_cookie_is_secure_behind_tls(site: Site) -> None:
    site.state.web.cookie_secure = True
    client = site.client()
    response = client.post(
        "/dang-nhap",
        data={"username": "admin", "password": PASSWORD, "_csrf_token": csrf(client)},
        follow_redirects=False,
    )
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE in v
    )
    assert "Secure" in cookie


def test_a_wrong_password_is_refused_in_vietnamese(site: Site) -> None:
    client = site.client()
    response = client.post(
        "/dang-nhap",
        data={"username": "admin", "password": "sai-roi", "_csrf_token": csrf(client)},
    )
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text
    assert SESSION_COOKIE not in client.cookies


def test_an_unknown_user_gets_the_same_answer(site: Site) -> None:
    client = site.client()
    response = client.post(
        "/dang-nhap",
        data={"username": "khong-co", "password": PASSWORD, "_csrf_token": csrf(client)},
    )
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text


def test_a_form_without_its_csrf_token_is_refused(site: Site) -> None:
    client = site.client()
    client.get("/dang-nhap")  # the CSRF cookie is set, but the form field is missing
    response = client.post("/dang-nhap", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 403
    assert "CSRF" in response.text and "Traceback" not in response.text
    assert SESSION_COOKIE not in client.cookies


def test_a_form_with_a_forged_token_is_refused(site: Site, as_user: object) -> None:
    client = site.login("admin")
    response = client.post("/ky", data={"code": "2027", "_csrf_token": "gia-mao"})
    assert response.status_code == 403
    # (a random token may hold "2027": the period row is looked for)
    assert '<span class="muted small">2027</span>' not in client.get("/ky").text


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/dang-xuat", {}),
        ("/ky", {"code": "2027"}),
        ("/ky/2026-Q1/khoa", {}),
        ("/nguoi-dung", {"username": "moi", "password": "12345678", "role": "auditor"}),
        ("/ket-qua/1/A1/quyet-dinh", {"final_grade": "tot"}),
        ("/lan-chay/moi", {"period": "2026-Q1"}),
        ("/nhap-du-lieu", {"period": "2026-Q1"}),
        ("/quy-tac", {}),
    ],
)
def test_every_form_checks_its_csrf_token(site: Site, path: str, data: dict[str, str]) -> None:
    client = site.login("admin")
    response = client.post(path, data=data, follow_redirects=False)
    assert response.status_code == 403, path
    assert "CSRF" in response.text


def test_a_csrf_token_taken_from_another_session_is_refused(site: Site) -> None:
    first = site.login("admin")
    second = site.login("admin")  # the same account, another browser
    stolen = csrf(first, "/ky")
    refused = second.post("/ky", data={"code": "2027", "_csrf_token": stolen})
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert '<span class="muted small">2027</span>' not in second.get("/ky").text
    # Its own token is good, and the first browser's still is for the first browser.
    assert form(second, "/ky", {"code": "2027"}, "/ky").status_code == 303
    assert first.post("/ky", data={"code": "2028", "_csrf_token": stolen}).status_code == 200
    assert '<span class="muted small">2028</span>' in first.get("/ky").text
    # Nor does a pair of cookie and token made elsewhere help, planted in a signed-in browser.
    visitor = site.client()
    planted = csrf(visitor)
    victim = site.client()
    victim.cookies.set(SESSION_COOKIE, second.cookies[SESSION_COOKIE])
    victim.cookies.set(CSRF_COOKIE, visitor.cookies[CSRF_COOKIE])
    assert victim.post("/ky", data={"code": "2029", "_csrf_token": planted}).status_code == 403
    assert '<span class="muted small">2029</span>' not in second.get("/ky").text


def test_a_csrf_token_from_before_signing_in_is_refused(site: Site) -> None:
    client = site.client()
    before = csrf(client)  # the sign-in form's token, of no session yet
    # Another visitor cannot sign in with it (the form is bound to its own browser)…
    other = site.client()
    csrf(other)
    forged = other.post(
        "/dang-nhap", data={"username": "admin", "password": PASSWORD, "_csrf_token": before}
    )
    assert forged.status_code == 403 and SESSION_COOKIE not in other.cookies
    # …and after signing in, a form needs a token of the session.
    signed_in = client.post(
        "/dang-nhap",
        data={"username": "admin", "password": PASSWORD, "_csrf_token": before},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    refused = client.post("/ky", data={"code": "2027", "_csrf_token": before})
    assert refused.status_code == 403
    assert '<span class="muted small">2027</span>' not in client.get("/ky").text
    # A token sent with no cookie at all is refused too.
    bare = site.client()
    sent = {"username": "admin", "password": PASSWORD, "_csrf_token": before}
    assert bare.post("/dang-nhap", data=sent).status_code == 403


def test_an_api_token_opens_the_api_only_not_the_pages(site: Site) -> None:
    with open_session(site.engine) as session:
        token = create_api_token(session, "admin", "he-thong", actor="test").token
    bearer = {"Authorization": f"Bearer {token}"}
    client = site.client()
    assert client.get("/api/me", headers=bearer).json()["username"] == "admin"
    for path in ("/tong-quan", "/nguoi-dung", f"/lan-chay/{site.run_id}/bao-cao.xlsx"):
        page = client.get(path, headers=bearer, follow_redirects=False)
        assert page.status_code in (302, 303, 307), path
        assert page.headers["location"].startswith("/dang-nhap"), path
    # With a session, a page is the session's user's, whatever token comes along.
    officer = site.login("tcsnv")
    assert officer.get("/nhat-ky", headers=bearer).status_code in (403, 404)
    accounts = officer.get("/nguoi-dung", headers=bearer)  # the HR officer's own version
    assert (
        accounts.status_code == 200 and 'action="/nguoi-dung/admin/mat-khau"' not in accounts.text
    )


def test_five_failures_make_the_account_wait_before_its_password_is_checked(site: Site) -> None:
    client = site.client()
    for _ in range(5):
        wrong = client.post(
            "/dang-nhap",
            data={"username": "tcsnv", "password": "doan-mo", "_csrf_token": csrf(client)},
        )
        assert wrong.status_code == 401
    # Even the right password is refused now, with the wait in Vietnamese and Retry-After.
    locked = client.post(
        "/dang-nhap",
        data={"username": "tcsnv", "password": PASSWORD, "_csrf_token": csrf(client)},
    )
    assert locked.status_code == 429
    assert "quá nhiều lần" in locked.text and re.search(r"Hãy thử lại sau \d+ giây", locked.text)
    assert 0 < int(locked.headers["retry-after"]) <= 30
    assert SESSION_COOKIE not in client.cookies
    # Another account is not locked by it, from the same address.
    other = client.post(
        "/dang-nhap",
        data={"username": "tcstc", "password": PASSWORD, "_csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert other.status_code == 303


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_each_failure_past_the_fifth_doubles_the_wait_up_to_fifteen_minutes(site: Site) -> None:
    clock = Clock()
    throttle = LoginThrottle(site.engine, clock=clock)
    waits = []
    for attempt in range(12):
        wait = throttle.reserve("a", f"10.0.0.{attempt}")  # a new address every time
        if wait is not None:
            waits.append(wait.seconds)
            assert wait.reason == "account"
            clock.now += wait.seconds
            assert throttle.reserve("a", "10.1.0.1") is None  # the wait is over: one check
    assert waits == [30, 60, 120, 240, 480, 900, 900]
    # Whatever the address, the account waits; a right password clears its failures.
    assert throttle.reserve("a", "10.9.9.9") == Wait(900, "account")
    throttle.succeeded("a")
    assert throttle.reserve("a", "10.9.9.9") is None


def test_an_account_forgets_its_failures_after_a_day(site: Site) -> None:
    clock = Clock()
    throttle = LoginThrottle(site.engine, clock=clock)
    for _ in range(5):
        assert throttle.reserve("a", "10.0.0.1") is None
    assert throttle.reserve("a", "10.0.0.1") == Wait(30, "account")
    clock.now += 24 * 3600
    for _ in range(5):
        assert throttle.reserve("a", "10.0.0.1") is None


def test_a_busy_address_still_lets_in_an_account_nobody_is_trying(site: Site) -> None:
    """30 (here: 100) failures from one office address must not refuse a colleague with
    the right password; a name tried from there lately waits instead."""
    clock = Clock()
    throttle = LoginThrottle(site.engine, clock=clock)
    for n in range(100):
        assert throttle.reserve(f"user{n}", "10.0.0.9") is None
        clock.now += 1
    # A name nobody has failed on lately is checked (and its success clears it).
    assert throttle.reserve("someone-else", "10.0.0.9") is None
    throttle.succeeded("someone-else")
    # A name just tried from the address waits until the address has fewer than 100
    # failures in 15 minutes (its 100th latest, user1's, is 99 seconds old)…
    assert throttle.reserve("again", "10.0.0.9") is None
    assert throttle.reserve("again", "10.0.0.9") == Wait(900 - 99, "address")
    assert "địa chỉ mạng" in Wait(801, "address").vietnamese()
    # …though not from another address: one failure is far below the account's limit.
    assert throttle.reserve("again", "10.0.0.8") is None
    # The names sprayed from there are not checked again from there until then either.
    assert throttle.reserve("user50", "10.0.0.9") == Wait(900 - 99, "address")
    clock.now += 900
    assert throttle.reserve("user50", "10.0.0.9") is None


def test_signing_out_ends_the_session_even_for_a_copied_cookie(site: Site) -> None:
    client = site.login("admin")
    stolen = client.cookies[SESSION_COOKIE]
    response = form(client, "/dang-xuat", {}, "/tong-quan")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/dang-nhap")
    assert "Bạn đã đăng xuất" in client.get(response.headers["location"]).text
    thief = site.client()
    thief.cookies.set(SESSION_COOKIE, stolen)
    assert thief.get("/tong-quan", follow_redirects=False).status_code in (302, 303, 307)
    log = site.login("thanhtra").get("/nhat-ky?hanh_dong=logout").text
    assert (
        '<td data-label="Người">admin</td><td data-label="Thao tác">'
        '<span title="logout">Đăng xuất</span></td>'
    ) in log


def test_a_locked_account_cannot_sign_in(site: Site) -> None:
    admin = site.login("admin")
    assert (
        form(admin, "/nguoi-dung/tcstc/trang-thai", {"active": "0"}, "/nguoi-dung").status_code
        == 303
    )
    client = site.client()
    response = client.post(
        "/dang-nhap", data={"username": "tcstc", "password": PASSWORD, "_csrf_token": csrf(client)}
    )
    assert response.status_code == 401


def test_security_headers_forbid_outside_scripts_and_framing(site: Site) -> None:
    response = site.client().get("/dang-nhap")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert response.headers["x-frame-options"] == "DENY"
