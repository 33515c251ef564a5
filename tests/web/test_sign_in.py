"""Signing in and out: the front door, session cookies, CSRF on every form, throttling."""

from __future__ import annotations

import pytest

from chamdiem.platform.web.auth import SESSION_COOKIE
from chamdiem.platform.web.throttle import LoginThrottle
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
    assert "<td>2027</td>" not in client.get("/ky").text  # (a random token may hold "2027")


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


def test_five_failures_lock_the_name_from_that_address_for_a_while(site: Site) -> None:
    client = site.client()
    for _ in range(5):
        wrong = client.post(
            "/dang-nhap",
            data={"username": "tcsnv", "password": "doan-mo", "_csrf_token": csrf(client)},
        )
        assert wrong.status_code == 401
    # Even the right password is refused now, with a Vietnamese message and Retry-After.
    locked = client.post(
        "/dang-nhap",
        data={"username": "tcsnv", "password": PASSWORD, "_csrf_token": csrf(client)},
    )
    assert locked.status_code == 429
    assert "quá nhiều lần" in locked.text and int(locked.headers["retry-after"]) > 0
    assert SESSION_COOKIE not in client.cookies
    # Another account is not locked by it.
    other = client.post(
        "/dang-nhap",
        data={"username": "tcstc", "password": PASSWORD, "_csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert other.status_code == 303


def test_the_throttle_forgets_failures_after_its_window(site: Site) -> None:
    now = [1000.0]
    throttle = LoginThrottle(
        site.engine, per_name=5, per_address=30, window=900, clock=lambda: now[0]
    )
    for _ in range(5):
        throttle.failed("a", "10.0.0.1")
    assert throttle.wait_seconds("a", "10.0.0.1") == 900
    assert throttle.wait_seconds("a", "10.0.0.2") == 0
    now[0] += 600
    assert throttle.wait_seconds("a", "10.0.0.1") == 300
    now[0] += 300
    assert throttle.wait_seconds("a", "10.0.0.1") == 0


def test_one_address_trying_many_names_is_slowed_too(site: Site) -> None:
    throttle = LoginThrottle(site.engine, per_name=5, per_address=30, window=900, clock=lambda: 0.0)
    for n in range(30):
        throttle.failed(f"user{n}", "10.0.0.9")
    assert throttle.wait_seconds("someone-else", "10.0.0.9") > 0
    assert throttle.wait_seconds("someone-else", "10.0.0.8") == 0


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
    assert "<td>admin</td><td>logout</td>" in log


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
