"""The web service under test, on SQLite and on PostgreSQL (the database tests' fixtures).

Every test gets a fresh database with the small organisation of tests/platform/db/helpers.py
(Sở Nội vụ with two departments, Sở Tài chính with one), its quarter imported and evaluated
once, and one account per role:

    admin       quản trị                          the whole province
    chinhsach   policy staff                       rules only
    tcsnv       HR officer of Sở Nội vụ (SNV)      SNV, SNV-TH, SNV-KH
    tcstc       HR officer of Sở Tài chính (STC)   STC, STC-NS
    thanhtra    auditor                            reads everything
    tpth        head of Phòng Tổng hợp (SNV-TH)    SNV-TH
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from chamdiem.platform.db.engine import make_engine, open_session
from chamdiem.platform.db.migrate import upgrade
from chamdiem.platform.services import accounts
from chamdiem.platform.services.accounts import add_user
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope
from chamdiem.platform.settings import Settings
from chamdiem.platform.web.app import create_app
from chamdiem.platform.web.config import WebSettings
from chamdiem.platform.web.state import STATE_KEY, WebState
from tests.platform.db.conftest import BACKENDS, new_database_url, pg_prefix
from tests.platform.db.helpers import PERIOD, prepare

__all__ = ["pg_prefix"]

PASSWORD = "mat-khau-thu-nghiem"
USERS: dict[str, tuple[str, list[str]]] = {
    "admin": ("admin", []),
    "chinhsach": ("policy", []),
    "tcsnv": ("hr", ["SNV"]),
    "tcstc": ("hr", ["STC"]),
    "thanhtra": ("auditor", []),
    "tpth": ("unit_head", ["SNV-TH"]),
}
# Who is in which unit (helpers.PEOPLE): the people an account may and may not see.
PEOPLE_OF = {
    "SNV": ["S1"],
    "SNV-TH": ["A1", "A2", "A3", "A4", "A5"],
    "SNV-KH": ["K1", "K2", "K3", "K4", "K5"],
    "STC-NS": ["N1", "N2", "N3"],
}
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with its real cost takes ~50 ms per hash; the tests make many accounts."""
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture(params=BACKENDS)
def web_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return new_database_url(request.param, request, tmp_path_factory)


@dataclass
class Site:
    """The app, its database and a way to sign in as each account."""

    app: Litestar
    engine: Engine
    folder: Path
    run_id: int
    clients: list[TestClient[Litestar]]

    @property
    def state(self) -> WebState:
        state: WebState = self.app.state[STATE_KEY]
        return state

    def client(self) -> TestClient[Litestar]:
        # Not entered as a context manager: entering runs the app's lifespan, and several
        # clients of one app would each run (and wait for) its shutdown.
        client: TestClient[Litestar] = TestClient(self.app, raise_server_exceptions=False)
        self.clients.append(client)
        return client

    def login(self, username: str, password: str = PASSWORD) -> TestClient[Litestar]:
        client = self.client()
        response = client.post(
            "/dang-nhap",
            data={"username": username, "password": password, "_csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return client

    def wait(self, job_id: str) -> None:
        job = self.state.jobs.wait(job_id, timeout=120)
        assert job is not None and not job.active


def csrf(client: TestClient[Litestar], path: str = "/dang-nhap") -> str:
    """The CSRF token a form on `path` carries (reading the page sets the cookie)."""
    page = client.get(path)
    found = CSRF_FIELD.search(page.text)
    assert found, f"no CSRF field on {path}: {page.status_code}"
    return found.group(1)


@pytest.fixture
def site(web_db_url: str, tmp_path: Path) -> Iterator[Site]:
    engine = make_engine(web_db_url)
    upgrade(engine)
    with open_session(engine) as session:
        prepare(session, tmp_path)
        for name, (role, units) in USERS.items():
            add_user(session, name, PASSWORD, role, units, actor="test")
        (outcome,) = run_evaluation(
            session, PERIOD, scope=Scope.everything(), actor="admin", explain="flagged"
        )
    settings = Settings(data_dir=tmp_path / "data", database_url=web_db_url, user="test")
    web = WebSettings(secret_key="x" * 40, job_workers=2)
    app = create_app(settings, web, engine=engine)
    found = Site(app, engine, tmp_path, outcome.run_id, [])
    try:
        yield found
    finally:
        found.state.jobs.shutdown()
        engine.dispose()


@pytest.fixture
def as_user(site: Site) -> Callable[[str], TestClient[Litestar]]:
    cache: dict[str, TestClient[Litestar]] = {}

    def get(name: str) -> TestClient[Litestar]:
        if name not in cache:
            cache[name] = site.login(name)
        return cache[name]

    return get


def form(client: TestClient[Litestar], path: str, data: dict[str, Any], page: str) -> Any:
    """Post a form the way a browser does: with the CSRF token of the page it is on."""
    return client.post(
        path, data={**data, "_csrf_token": csrf(client, page)}, follow_redirects=False
    )
