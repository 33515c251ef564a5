"""A runaway job cannot take the service down (issue 11): an uploaded file is read in a child
process with memory and processor-time limits, a job has a time limit, its owner or an
administrator can cancel it (from any of the service's processes), and one account cannot
hold every job slot."""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import select

from chamdiem.platform.db.engine import open_session
from chamdiem.platform.db.models import DataImport, User
from chamdiem.platform.services.periods import get_period
from chamdiem.platform.services.rules import program_for, resolve_rule_version
from chamdiem.platform.web.jobs import JobRegistry, JobStopped, Progress
from chamdiem.platform.web.reading import IsolatedReader, ReadLimits
from tests.platform import hostile_files
from tests.platform.db.helpers import PERIOD, editable, save
from tests.web.conftest import Site, csrf, form
from tests.web.test_api import Api
from tests.web.test_workflow import upload

TOO_LARGE = "Tệp quá lớn hoặc hỏng: việc đọc tệp vượt giới hạn bộ nhớ"


def hostile(folder: Path) -> Path:
    """A valid workbook with one more cell, at the last row and column a sheet can have: a
    reader that allocates its rows and columns by reference asks for hundreds of GiB."""
    good = save(folder / "tot.xlsx", editable())
    bad = folder / "mot_o_cuoi.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</sheetData>",
                    b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
                )
            out.writestr(entry, data)
    return bad


def imports(site: Site) -> int:
    with open_session(site.engine) as session:
        return len(session.exec(select(DataImport)).all())


def user_id(site: Site, username: str) -> int:
    with open_session(site.engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        assert user.id is not None
        return user.id


def still_running(site: Site, job_id: str) -> bool:
    job = site.state.jobs.get(job_id, 0, any_owner=True)
    return job is not None and job.active


class Held:
    """A job of `owner` that works in stages until it is stopped or released (the stages
    are where a job learns that it must stop, as a run does between rule sets)."""

    def __init__(self, site: Site, owner: str, title: str = "Công việc dài") -> None:
        self.released = threading.Event()

        def work(progress: Progress) -> tuple[dict[str, Any], list[tuple[str, str]]]:
            step = 0
            while not self.released.wait(0.05):
                step += 1
                progress.stage(f"Bước {step}")
            return {}, []

        self.id = site.state.jobs.start("run", user_id(site, owner), title, work).id

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def held(site: Site) -> Iterator[list[Held]]:
    made: list[Held] = []
    yield made
    for job in made:
        job.release()


def cancel(client: TestClient[Litestar], job_id: str) -> Any:
    return form(client, f"/cong-viec/{job_id}/huy", {}, f"/cong-viec/{job_id}")


# ---------------------------------------------------------------- hostile files


def test_a_hostile_workbook_fails_its_job_and_the_service_keeps_answering(site: Site) -> None:
    admin = site.login("admin")
    before = imports(site)
    _, page = upload(site, admin, hostile(site.folder))
    # Refused at the file: by the reader's limits, or earlier by a check of the file's
    # extent. Either way with a message naming the setting, and this process still runs
    # (read here, the file would have aborted it).
    assert "không lưu gì" in page and "CHAMDIEM_" in page
    assert "Traceback" not in page and "Có lỗi không lường trước" not in page
    assert imports(site) == before
    assert admin.get("/").status_code == 200
    assert site.login("tcsnv").get("/nhap-du-lieu").status_code == 200


SHEET = "xl/worksheets/sheet1.xml"  # the subjects sheet of the test workbook


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda s, t: hostile_files.far_cell(s, t, SHEET), "CHAMDIEM_MAX_COLUMNS"),
        (lambda s, t: hostile_files.blanks(s, t, 256), "CHAMDIEM_MAX_ZIP_RATIO"),
        (lambda s, t: hostile_files.bomb(s, t, 300), "CHAMDIEM_MAX_ZIP_RATIO"),
        (lambda s, t: hostile_files.many_rows(s, t, 1_000_000, SHEET), "CHAMDIEM_"),
    ],
    ids=["far-cell", "blanks", "bomb", "million-rows"],
)
def test_every_hostile_file_of_the_issue_is_refused_by_the_web_upload(
    site: Site, make: Callable[[Path, Path], Path], expected: str
) -> None:
    admin = site.login("admin")
    before = imports(site)
    good = save(site.folder / "tot.xlsx", editable())
    _, page = upload(site, admin, make(good, site.folder / "doc_hai.xlsx"))
    assert "không lưu gì" in page and expected in page
    assert imports(site) == before
    # The process that read it is still here, and another user's pages answer.
    assert site.login("tcsnv").get("/tong-quan").status_code == 200


def test_a_file_that_needs_more_memory_than_the_limit_is_refused_naming_the_setting(
    site: Site,
) -> None:
    # Far below what the reading process already holds: any read of any file is refused.
    site.state.settings = site.state.settings.model_copy(update={"parse_memory_mb": 1})
    hr = site.login("tcsnv")
    own = save(site.folder / "snv.xlsx", editable())
    _, page = upload(site, hr, own)
    assert TOO_LARGE in page and "(1 MB)" in page
    assert "CHAMDIEM_PARSE_MEMORY_MB" in page
    assert "Xác nhận nhập dữ liệu" not in page
    assert hr.get("/nhap-du-lieu").status_code == 200


def test_a_read_that_must_stop_kills_its_process(site: Site, tmp_path: Path) -> None:
    with open_session(site.engine) as session:
        program = program_for(resolve_rule_version(session, None, get_period(session, PERIOD)))
    book = save(tmp_path / "tot.xlsx", editable())
    read = IsolatedReader(ReadLimits(), stop=lambda: "Đã hủy theo yêu cầu của admin")
    with pytest.raises(JobStopped, match="Đã hủy"):
        read(book, program.inputs, program.items)
    # Unhindered, the same file reads (and a second call does not read it again).
    reader = IsolatedReader(ReadLimits())
    cohort = reader(book, program.inputs, program.items)
    assert len(cohort) == 14
    assert reader(book, program.inputs, program.items) is cohort


# ---------------------------------------------------------------- time limit


def test_a_job_that_runs_past_its_time_limit_fails_with_a_message(site: Site) -> None:
    site.state.jobs.time_limit = 0.001
    hr = site.login("tcsnv")
    _, page = upload(site, hr, save(site.folder / "snv.xlsx", editable()))
    assert "Công việc chạy quá thời gian cho phép" in page
    assert "CHAMDIEM_JOB_TIME_LIMIT_SECONDS" in page
    assert "Xác nhận nhập dữ liệu" not in page


# ---------------------------------------------------------------- cancelling


def test_the_owner_cancels_a_job_from_its_page(site: Site, held: list[Held]) -> None:
    held.append(job := Held(site, "tcsnv"))
    hr = site.login("tcsnv")
    page = hr.get(f"/cong-viec/{job.id}").text
    assert 'id="cancel-job"' in page and "Hủy công việc" in page
    answer = cancel(hr, job.id)
    assert answer.status_code == 303
    site.wait(job.id)
    page = hr.get(f"/cong-viec/{job.id}").text
    assert "Đã hủy theo yêu cầu của tcsnv" in page
    assert 'id="cancel-job"' not in page


def test_a_cancel_without_the_forms_token_is_refused(site: Site, held: list[Held]) -> None:
    held.append(job := Held(site, "tcsnv"))
    hr = site.login("tcsnv")
    hr.get(f"/cong-viec/{job.id}")
    answer = hr.post(f"/cong-viec/{job.id}/huy", data={}, follow_redirects=False)
    assert answer.status_code == 403
    assert still_running(site, job.id)


def test_someone_elses_job_cannot_be_cancelled_but_an_administrator_can(
    site: Site, held: list[Held]
) -> None:
    held.append(job := Held(site, "tcsnv"))
    other = site.login("tcstc")
    assert other.get(f"/cong-viec/{job.id}").status_code == 404
    token = csrf(other, "/nhap-du-lieu")
    answer = other.post(
        f"/cong-viec/{job.id}/huy", data={"_csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 404
    assert still_running(site, job.id)
    admin = site.login("admin")
    assert "Hủy công việc" in admin.get(f"/cong-viec/{job.id}").text
    assert cancel(admin, job.id).status_code == 303
    site.wait(job.id)
    assert "Đã hủy theo yêu cầu của admin" in site.login("tcsnv").get(f"/cong-viec/{job.id}").text


def test_a_job_is_cancelled_through_the_api_by_its_owner_only(site: Site, held: list[Held]) -> None:
    held.append(job := Held(site, "tcsnv"))
    other = Api(site, "tcstc")
    assert other.call("POST", f"/api/jobs/{job.id}/cancel").status_code == 404
    owner = Api(site, "tcsnv")
    answer = owner.call("POST", f"/api/jobs/{job.id}/cancel")
    assert answer.status_code == 202, answer.text
    site.wait(job.id)
    state = owner.call("GET", f"/api/jobs/{job.id}").json()
    assert state["status"] == "failed"
    assert state["message"].startswith("Đã hủy theo yêu cầu của tcsnv")
    assert state["cancel_requested"] is True


def test_a_cancel_asked_in_another_process_stops_the_job(site: Site, held: list[Held]) -> None:
    held.append(job := Held(site, "tcsnv"))
    elsewhere = JobRegistry(site.engine)  # another process's registry: only the table is shared
    elsewhere.cancel(job.id, "admin")
    site.wait(job.id)
    ended = site.state.jobs.get(job.id, 0, any_owner=True)
    assert ended is not None and ended.status == "failed"
    assert ended.message is not None and "admin" in ended.message


def test_a_job_still_waiting_for_a_worker_ends_as_soon_as_it_is_cancelled(
    site: Site, held: list[Held]
) -> None:
    # Both workers busy with other accounts' jobs: the third waits.
    held.append(Held(site, "admin"))
    held.append(Held(site, "tcstc"))
    held.append(waiting := Held(site, "tcsnv"))
    hr = site.login("tcsnv")
    assert "Đang chờ đến lượt" in hr.get(f"/cong-viec/{waiting.id}").text
    assert cancel(hr, waiting.id).status_code == 303
    job = site.state.jobs.get(waiting.id, 0, any_owner=True)
    assert job is not None and job.status == "failed"  # at once, not when a worker frees
    for other in held:
        other.release()


# ---------------------------------------------------------------- one account, one slot


def test_one_account_cannot_hold_every_job_slot(site: Site, held: list[Held]) -> None:
    held.append(first := Held(site, "tcsnv", "Đánh giá kỳ 2026-Q1"))
    hr = site.login("tcsnv")
    token = csrf(hr, "/nhap-du-lieu")
    book = save(site.folder / "snv.xlsx", editable())
    answer = hr.post(
        "/nhap-du-lieu",
        data={"period": PERIOD, "rules": "", "_csrf_token": token},
        files={"file": (book.name, book.read_bytes(), "application/octet-stream")},
        follow_redirects=False,
    )
    assert answer.status_code == 409
    assert "Bạn đang có 1 công việc chưa xong" in answer.text
    assert f"/cong-viec/{first.id}" in answer.text
    assert not any((site.folder / "data" / "uploads").glob("*/*"))  # the file was not kept
    # The API says the same; another account still gets the free slot.
    run = Api(site, "tcsnv").call("POST", "/api/runs", json={"period": PERIOD})
    assert run.status_code == 409 and "công việc chưa xong" in run.json()["detail"]
    _, page = upload(site, site.login("tcstc"), save(site.folder / "stc.xlsx", editable()))
    assert "Bạn đang có" not in page
    # Once the first job is over, the account may start another.
    first.release()
    site.wait(first.id)
    _, page = upload(site, hr, book)
    assert "Bạn đang có" not in page
