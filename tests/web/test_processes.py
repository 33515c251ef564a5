"""Several processes serving one database (`chamdiem serve --workers N`): whichever process
answers, a user sees their job, confirms their upload and meets the same sign-in throttle;
jobs left unfinished by a stopped process end as failed; and `chamdiem serve` itself starts
the processes and serves pages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from chamdiem.platform.db.engine import make_engine
from chamdiem.platform.db.models import utc_now
from chamdiem.platform.db.tables import runs_t, versions_t, web_jobs_t
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.settings import Settings
from chamdiem.platform.web import queries
from chamdiem.platform.web.app import create_app
from chamdiem.platform.web.config import WebSettings, secret_key
from chamdiem.platform.web.jobs import ABANDONED, this_worker
from chamdiem.platform.web.state import STATE_KEY, WebState
from tests.web.conftest import PASSWORD, Site, csrf, form
from tests.web.served import serve
from tests.web.test_workflow import CONFIRM, JOB, corrected_book


@pytest.fixture
def other(site: Site, web_db_url: str) -> Iterator[Litestar]:
    """A second process of the same service: its own engine and memory, the same database
    and settings."""
    engine = make_engine(web_db_url)
    settings = Settings(data_dir=site.folder / "data", database_url=web_db_url, user="test")
    app = create_app(settings, WebSettings(secret_key="x" * 40), engine=engine)
    try:
        yield app
    finally:
        app.state[STATE_KEY].jobs.shutdown()
        engine.dispose()


def same_browser(app: Litestar, client: TestClient[Litestar]) -> TestClient[Litestar]:
    """The same browser (its cookies) talking to another process."""
    twin: TestClient[Litestar] = TestClient(app, raise_server_exceptions=False)
    for name, value in client.cookies.items():
        twin.cookies.set(name, value)
    return twin


def test_an_upload_made_in_one_process_is_followed_and_confirmed_in_another(
    site: Site, other: Litestar
) -> None:
    first = site.login("admin")
    book = corrected_book(site.folder)
    with book.open("rb") as stream:
        sent = first.post(
            "/nhap-du-lieu",
            data={"period": "2026-Q1", "rules": "", "_csrf_token": csrf(first, "/nhap-du-lieu")},
            files={"file": (book.name, stream.read(), "application/octet-stream")},
            follow_redirects=False,
        )
    assert sent.status_code == 303
    page_url = sent.headers["location"]
    found = JOB.search(page_url)
    assert found
    second = same_browser(other, first)
    other_state: WebState = other.state[STATE_KEY]
    checked = other_state.jobs.wait(found.group(1), timeout=120)
    assert checked is not None and checked.status == "done"
    page = second.get(page_url).text
    assert "hợp lệ: 14 người" in page
    status = second.get(page_url + "/trang-thai").json()
    assert status["status"] == "done" and status["percent"] == 100
    confirm = CONFIRM.search(page)
    assert confirm
    response = second.post(
        confirm.group(1), data={"_csrf_token": csrf(second, page_url)}, follow_redirects=False
    )
    assert response.status_code == 303
    imported = JOB.search(response.headers["location"])
    assert imported
    site.wait(imported.group(1))
    assert "Đã nhập: 14 người" in first.get(response.headers["location"]).text
    # Used once, whichever process is asked again.
    again = first.post(confirm.group(1), data={"_csrf_token": csrf(first, "/nhap-du-lieu")})
    assert again.status_code == 404


def test_a_job_is_still_only_its_owners_in_another_process(site: Site, other: Litestar) -> None:
    officer = site.login("tcsnv")
    token = csrf(officer, "/lan-chay/moi")
    started = officer.post(
        "/lan-chay/moi",
        data={"period": "2026-Q1", "rules": "cong_chuc_quy", "_csrf_token": token},
        follow_redirects=False,
    )
    assert started.status_code == 303
    page_url = started.headers["location"]
    found = JOB.search(page_url)
    assert found
    site.wait(found.group(1))
    assert "Đã đánh giá xong" in same_browser(other, officer).get(page_url).text
    stranger = same_browser(other, site.login("tcstc"))
    assert stranger.get(page_url).status_code == 404


def test_sign_in_failures_count_in_every_process(site: Site, other: Litestar) -> None:
    browsers = [site.client(), TestClient(other, raise_server_exceptions=False)]
    for attempt in range(5):
        browser = browsers[attempt % 2]
        wrong = browser.post(
            "/dang-nhap",
            data={"username": "tcsnv", "password": "sai", "_csrf_token": csrf(browser)},
            follow_redirects=False,
        )
        assert wrong.status_code == 401
    for browser in browsers:
        right = browser.post(
            "/dang-nhap",
            data={"username": "tcsnv", "password": PASSWORD, "_csrf_token": csrf(browser)},
            follow_redirects=False,
        )
        assert right.status_code == 429
        assert re.search(r"Hãy thử lại sau \d+ giây", right.text)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _job_row(job_id: str, worker: str, owner_id: int) -> dict[str, object]:
    return {
        "id": job_id,
        "kind": "run",
        "owner_id": owner_id,
        "title": f"Đánh giá {job_id}",
        "status": "running",
        "stage": "Đang đánh giá",
        "done_steps": 0,
        "total_steps": 1,
        "problems_json": "[]",
        "problems_total": 0,
        "result_json": "{}",
        "links_json": "[]",
        "worker": worker,
        "created_at": utc_now(),
    }


def _statuses(site: Site) -> dict[str, str]:
    with site.engine.connect() as connection:
        rows = connection.execute(sa.select(web_jobs_t.c.id, web_jobs_t.c.status)).all()
    return {row.id: row.status for row in rows}


def test_jobs_of_processes_that_stopped_are_marked_failed(site: Site) -> None:
    admin = site.login("admin")
    host, pid, _token = this_worker().split(":")
    rows = {
        "dead": f"{host}:{_dead_pid()}:abcd1234",
        "earlier": f"{host}:{pid}:00000000",  # an earlier process that had this pid
        "alive": this_worker(),
        "parent": f"{host}:{os.getppid()}:abcd1234",
        "elsewhere": f"may-khac:{_dead_pid()}:abcd1234",  # another machine checks its own
    }
    with site.engine.begin() as connection:
        for job_id, worker in rows.items():
            connection.execute(web_jobs_t.insert().values(_job_row(job_id, worker, 1)))
    assert site.state.jobs.fail_abandoned() == 2
    statuses = _statuses(site)
    assert {k: statuses[k] for k in rows} == {
        "dead": "failed",
        "earlier": "failed",
        "alive": "running",
        "parent": "running",
        "elsewhere": "running",
    }
    assert ABANDONED in admin.get("/cong-viec/dead").text


def test_serve_starts_the_processes_and_serves_pages(site: Site, web_db_url: str) -> None:
    host = this_worker().split(":")[0]
    with site.engine.begin() as connection:
        # Left running by the service's last life on this machine.
        connection.execute(
            web_jobs_t.insert().values(_job_row("truoc", f"{host}:{os.getpid()}:ffffffff", 1))
        )
    with serve(web_db_url, site.folder / "data", "y" * 40) as served:
        with httpx.Client(base_url=served.base, timeout=30) as browser:
            page = browser.get("/dang-nhap").text
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
            assert token
            signed_in = browser.post(
                "/dang-nhap",
                data={"username": "admin", "password": PASSWORD, "_csrf_token": token.group(1)},
            )
            assert signed_in.status_code == 303
            for _ in range(20):  # whichever process answers
                assert browser.get("/tong-quan").status_code == 200
        assert _statuses(site)["truoc"] == "failed"
    out, err = served.out, served.err
    assert "với 2 tiến trình" in out
    assert len(re.findall(r"Started server process \[\d+\]", err)) == 2
    assert "Traceback" not in err


def test_processes_starting_together_make_one_secret_key(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", user="test")
    start = threading.Barrier(8)

    def make() -> str:
        start.wait()
        return secret_key(settings, WebSettings(secret_key=None))

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: make(), range(8)))
    assert len(keys) == 1
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.read_text().strip() in keys
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["secret_key"]


def test_a_secret_key_file_too_short_is_refused_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("ngan\n")
    with pytest.raises(ServiceError) as refused:
        secret_key(Settings(data_dir=tmp_path, user="test"), WebSettings(secret_key=None))
    assert "khóa bí mật quá ngắn" in refused.value.message.vi


def test_a_starting_process_compiles_the_rules_of_the_latest_runs(site: Site) -> None:
    queries._GRADES.clear()
    with TestClient(site.app):  # runs the app's start-up
        with site.engine.connect() as connection:
            sha = connection.execute(
                sa.select(versions_t.c.sha256)
                .join(runs_t, runs_t.c.rule_version_id == versions_t.c.id)
                .where(runs_t.c.id == site.run_id)
            ).scalar_one()
        assert [name for name, _ in queries._GRADES[sha]][:1] == ["xuat_sac"]


def test_signing_out_or_a_locked_account_ends_access_in_every_process_at_once(
    site: Site, other: Litestar
) -> None:
    first = site.login("tcsnv")
    second = same_browser(other, first)
    assert second.get("/tong-quan").status_code == 200  # the other process now remembers it
    assert form(first, "/dang-xuat", {}, "/tong-quan").status_code == 303
    assert second.get("/tong-quan", follow_redirects=False).status_code in (302, 303, 307)

    officer = site.login("tcstc")
    elsewhere = same_browser(other, officer)
    assert elsewhere.get("/tong-quan").status_code == 200
    admin = site.login("admin")
    locked = form(admin, "/nguoi-dung/tcstc/trang-thai", {"active": "0"}, "/nguoi-dung")
    assert locked.status_code == 303
    assert elsewhere.get("/tong-quan", follow_redirects=False).status_code in (302, 303, 307)
