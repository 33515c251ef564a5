"""The sign-in throttle against the real service (`chamdiem serve --workers 2`, on SQLite and
PostgreSQL), reached from several loopback addresses (127.0.0.x) as from several machines:
parallel guesses cannot pass the account's limit, one account is slowed down whatever the
addresses, and a busy office address does not lock out a colleague nobody is attacking."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.web.conftest import CSRF_FIELD, PASSWORD, Site
from tests.web.served import serve

FIRST_DELAY = 600  # long enough that no wait of a test ends while it runs
ADDRESS_LIMIT = 3


@pytest.fixture
def served(site: Site, web_db_url: str) -> Iterator[str]:
    """The service in two processes on the test's database, with small limits."""
    with serve(
        web_db_url,
        site.folder / "data",
        "z" * 40,
        CHAMDIEM_SIGN_IN_FIRST_DELAY_SECONDS=str(FIRST_DELAY),
        CHAMDIEM_SIGN_IN_ADDRESS_FAILURES=str(ADDRESS_LIMIT),
    ) as running:
        yield running.base
    assert "Traceback" not in running.err


class Browser:
    """A browser on one machine (`address`): the sign-in page, then its form."""

    def __init__(self, base: str, address: str) -> None:
        self.client = httpx.Client(
            base_url=base, transport=httpx.HTTPTransport(local_address=address), timeout=60
        )
        found = CSRF_FIELD.search(self.client.get("/dang-nhap").text)
        assert found
        self.token = found.group(1)

    def sign_in(self, username: str, password: str) -> httpx.Response:
        try:
            return self.client.post(
                "/dang-nhap",
                data={"username": username, "password": password, "_csrf_token": self.token},
            )
        finally:
            self.client.close()


def sign_in(base: str, address: str, username: str, password: str) -> httpx.Response:
    return Browser(base, address).sign_in(username, password)


def test_twenty_parallel_wrong_passwords_get_five_checks(served: str) -> None:
    browsers = [Browser(served, f"127.0.0.{2 + n % 4}") for n in range(20)]
    start = threading.Barrier(len(browsers))

    def guess(browser: Browser) -> int:
        start.wait()
        return browser.sign_in("tcsnv", "doan-mo").status_code

    with ThreadPoolExecutor(len(browsers)) as pool:
        statuses = sorted(pool.map(guess, browsers))
    assert statuses == [401] * 5 + [429] * 15
    # The owner, with the right password, is told how long to wait.
    owner = sign_in(served, "127.0.0.9", "tcsnv", PASSWORD)
    assert owner.status_code == 429
    assert "Tài khoản này đã bị đăng nhập sai quá nhiều lần" in owner.text
    assert "Hãy thử lại sau khoảng 10 phút" in owner.text
    assert 0 < int(owner.headers["retry-after"]) <= FIRST_DELAY


def test_one_account_tried_from_many_addresses_must_wait(served: str) -> None:
    for n in range(5):
        assert sign_in(served, f"127.0.0.{11 + n}", "tcsnv", "doan-mo").status_code == 401
    # A sixth address does not help, not even with the right password…
    refused = sign_in(served, "127.0.0.16", "tcsnv", PASSWORD)
    assert refused.status_code == 429 and "khoảng 10 phút" in refused.text
    assert "chamdiem_phien" not in refused.cookies
    # …while another account signs in from there at once.
    assert sign_in(served, "127.0.0.16", "tcstc", PASSWORD).status_code == 303


def test_a_busy_office_address_lets_in_an_account_nobody_is_trying(served: str) -> None:
    office = "127.0.0.20"
    for n in range(ADDRESS_LIMIT):
        assert sign_in(served, office, f"khach{n}", "doan-mo").status_code == 401
    # The address is at its limit: a colleague nobody is trying signs in with the right
    # password…
    assert sign_in(served, office, "tcsnv", PASSWORD).status_code == 303
    # …and a wrong one is still checked and counted; then that name waits, from there only.
    assert sign_in(served, office, "tcstc", "doan-mo").status_code == 401
    waiting = sign_in(served, office, "tcstc", PASSWORD)
    assert waiting.status_code == 429 and "địa chỉ mạng của bạn" in waiting.text
    assert sign_in(served, "127.0.0.21", "tcstc", PASSWORD).status_code == 303
