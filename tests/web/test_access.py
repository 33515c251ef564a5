"""The authorization matrix: every role × every endpoint × an object of their own unit and one
of another unit → allowed, 403 (a forbidden action on something they can see) or 404
(something outside their units: its existence is not given away); and nothing of another
unit in any list, search, page, export or API answer."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlmodel import col, delete

from chamdiem.platform.db.engine import open_session
from chamdiem.platform.db.models import UserUnit
from chamdiem.platform.services.accounts import add_user, create_api_token
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.services.organisation import load_organisation
from chamdiem.platform.services.scope import Scope, units_named
from tests.platform.db.helpers import PEOPLE, PERIOD, P, count, workbook
from tests.web.conftest import PASSWORD, PEOPLE_OF, USERS, Site, csrf

ROLES = list(USERS)
UNITS = ["SNV", "SNV-TH", "SNV-KH", "STC", "STC-NS"]
# The units each account may see (its roots and everything below them).
SEES: dict[str, set[str]] = {
    "admin": set(UNITS),
    "chinhsach": set(),
    "tcsnv": {"SNV", "SNV-TH", "SNV-KH"},
    "tcstc": {"STC", "STC-NS"},
    "thanhtra": set(UNITS),
    "tpth": {"SNV-TH"},
}
# An object of the account's own unit, and one of a unit that is not theirs (for the accounts
# that cover the whole province, or nothing, any other unit).
OWN = {
    "admin": "STC-NS",
    "chinhsach": "SNV-TH",
    "tcsnv": "SNV-TH",
    "tcstc": "STC-NS",
    "thanhtra": "SNV-KH",
    "tpth": "SNV-TH",
}
OTHER = {
    "admin": "SNV-KH",
    "chinhsach": "STC-NS",
    "tcsnv": "STC-NS",
    "tcstc": "SNV-KH",
    "thanhtra": "STC-NS",
    "tpth": "SNV-KH",
}
CAN_DECIDE = {"admin", "tcsnv", "tcstc"}
CAN_IMPORT_RUN = {"admin", "tcsnv", "tcstc"}
CAN_PUBLISH = {"admin", "chinhsach"}
CAN_AUDIT = {"admin", "thanhtra"}
READS_ORG = {"admin", "tcsnv", "tcstc", "thanhtra", "tpth"}
NAME = {p.code: p.name for p in PEOPLE}
UNIT_OF = {p.code: p.unit for p in PEOPLE}


def person_in(unit: str) -> str:
    return PEOPLE_OF[unit][0] if unit in PEOPLE_OF else "S1"


def hidden_names(role: str) -> list[str]:
    return [NAME[code] for code, unit in UNIT_OF.items() if unit not in SEES[role]]


def shown_names(role: str) -> list[str]:
    return [NAME[code] for code, unit in UNIT_OF.items() if unit in SEES[role]]


@dataclass
class Sessions:
    site: Site
    clients: dict[str, TestClient[Litestar]]
    tokens: dict[str, str]

    def api(self, role: str, method: str, path: str, **kwargs: object) -> object:
        client = self.site.client()
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        return client.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def everyone(site: Site) -> Sessions:
    tokens = {}
    with open_session(site.engine) as session:
        for role in ROLES:
            tokens[role] = create_api_token(session, role, "kiem-thu", actor="test").token
    return Sessions(site, {role: site.login(role) for role in ROLES}, tokens)


def expected_read(role: str, unit: str) -> int:
    return 200 if unit in SEES[role] else 404


READS: list[tuple[str, Callable[[int, str], str]]] = [
    ("unit page", lambda run, unit: f"/don-vi/{unit}"),
    ("person page", lambda run, unit: f"/nguoi/{person_in(unit)}"),
    ("result page", lambda run, unit: f"/ket-qua/{run}/{person_in(unit)}"),
    ("unit report", lambda run, unit: f"/lan-chay/{run}/bao-cao.xlsx?don_vi={unit}"),
    ("api result", lambda run, unit: f"/api/runs/{run}/results/{person_in(unit)}"),
    (
        "api explanation",
        lambda run, unit: f"/api/runs/{run}/results/{person_in(unit)}/explanation",
    ),
]


@pytest.mark.parametrize(("what", "url"), READS, ids=[what for what, _ in READS])
def test_reading_an_object_of_ones_own_unit_and_of_another(
    everyone: Sessions, what: str, url: Callable[[int, str], str]
) -> None:
    run = everyone.site.run_id
    for role in ROLES:
        for unit in (OWN[role], OTHER[role]):
            path = url(run, unit)
            if path.startswith("/api"):
                status = everyone.api(role, "GET", path).status_code  # type: ignore[attr-defined]
            else:
                status = everyone.clients[role].get(path).status_code
            assert status == expected_read(role, unit), (role, what, unit, status)


def test_a_missing_object_and_a_hidden_one_look_the_same(everyone: Sessions) -> None:
    hr = everyone.clients["tcsnv"]
    hidden = hr.get("/nguoi/N1")
    missing = hr.get("/nguoi/KHONG-CO-AI")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text


PAGE_RIGHTS: list[tuple[str, set[str]]] = [
    ("/tong-quan", set(ROLES)),
    ("/ky", set(ROLES)),
    ("/don-vi", READS_ORG),
    ("/tim-kiem?q=a", READS_ORG),
    ("/lan-chay", READS_ORG),
    ("/lan-chay/moi", CAN_IMPORT_RUN),
    ("/nhap-du-lieu", CAN_IMPORT_RUN),
    ("/nhap-du-lieu/mau.xlsx?ky=2026-Q1&bo=cong_chuc_quy", CAN_IMPORT_RUN),
    ("/quy-tac", {"admin", "chinhsach", "tcsnv", "tcstc", "thanhtra"}),
    ("/quy-tac/1", {"admin", "chinhsach", "tcsnv", "tcstc", "thanhtra"}),
    ("/nhat-ky", CAN_AUDIT),
    ("/nguoi-dung", {"admin", "tcsnv", "tcstc"}),  # an HR officer: their people's accounts
    ("/api/units", READS_ORG),
    ("/api/runs", READS_ORG),
    ("/api/periods", set(ROLES)),
    ("/api/me", set(ROLES)),
]


@pytest.mark.parametrize(("path", "allowed"), PAGE_RIGHTS, ids=[p for p, _ in PAGE_RIGHTS])
def test_pages_that_are_not_about_one_object(
    everyone: Sessions, path: str, allowed: set[str]
) -> None:
    for role in ROLES:
        if path.startswith("/api"):
            status = everyone.api(role, "GET", path).status_code  # type: ignore[attr-defined]
        else:
            status = everyone.clients[role].get(path).status_code
        assert status == (200 if role in allowed else 403), (role, path, status)


def test_the_run_page_of_a_run_in_anothers_units_is_not_found(everyone: Sessions) -> None:
    """A run made by Sở Tài chính's HR officer for their units only is invisible to Sở Nội
    vụ's, in the list and by its number."""
    from chamdiem.platform.services.runs import run_evaluation

    with open_session(everyone.site.engine) as session:
        (stc_run,) = run_evaluation(
            session, "2026-Q1", scope=units_named(session, ["STC"]), actor="tcstc"
        )
    for role in ROLES:
        status = everyone.clients[role].get(f"/lan-chay/{stc_run.run_id}").status_code
        sees = "STC-NS" in SEES[role]
        assert status == (200 if sees else 404), (role, status)
        listing = everyone.clients[role].get("/lan-chay").text
        assert (f'href="/lan-chay/{stc_run.run_id}"' in listing) == sees, role
        api = everyone.api(role, "GET", f"/api/runs/{stc_run.run_id}")
        assert api.status_code == (200 if sees else 404), role  # type: ignore[attr-defined]


def decide(client: TestClient[Litestar], run: int, code: str, grade: str) -> int:
    page = f"/ket-qua/{run}/{code}"
    token = csrf(client, "/tong-quan")
    response = client.post(
        f"{page}/quyet-dinh",
        data={
            "final_grade": grade,
            "reason": "kiểm thử quyền",
            "document_number": "1/QĐ",
            "document_date": "2026-04-01",
            "confirm": "1",
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    return response.status_code


def test_recording_a_decision(everyone: Sessions) -> None:
    run = everyone.site.run_id
    for role in ROLES:
        for unit in (OWN[role], OTHER[role]):
            status = decide(everyone.clients[role], run, person_in(unit), "tot")
            if unit not in SEES[role]:
                expected = 404
            elif role not in CAN_DECIDE:
                expected = 403
            else:
                expected = 303
            assert status == expected, (role, unit, status)


def test_changing_things_is_refused_to_roles_without_the_right(everyone: Sessions) -> None:
    for role in ROLES:
        client = everyone.clients[role]
        token = csrf(client, "/tong-quan")
        period = client.post(
            "/ky", data={"code": "2031", "_csrf_token": token}, follow_redirects=False
        )
        assert period.status_code == (303 if role == "admin" else 403), (role, period.status_code)
        lock = client.post("/ky/2026-Q1/khoa", data={"_csrf_token": token}, follow_redirects=False)
        assert lock.status_code in ((303,) if role == "admin" else (403,)), role
        run = client.post("/lan-chay/moi", data={"period": "2026-Q1", "_csrf_token": token})
        if role not in CAN_IMPORT_RUN:
            assert run.status_code == 403, (role, run.status_code)
        upload = client.post(
            "/nhap-du-lieu",
            data={"period": "2026-Q1", "_csrf_token": token},
            files={"file": ("x.xlsx", b"x", "application/octet-stream")},
        )
        if role not in CAN_IMPORT_RUN:
            assert upload.status_code == 403, (role, upload.status_code)
        publish = client.post(
            "/quy-tac",
            data={"_csrf_token": token},
            files={"file": ("x.rules", b"x", "text/plain")},
        )
        assert (publish.status_code == 403) == (role not in CAN_PUBLISH), (
            role,
            publish.status_code,
        )
        account = client.post(
            "/nguoi-dung",
            data={
                "username": f"moi{role}",
                "password": "mat-khau-1",
                "role": "auditor",
                "_csrf_token": token,
            },
            follow_redirects=False,
        )
        assert account.status_code == (303 if role == "admin" else 403), role
        token_for = client.post(
            "/nguoi-dung/admin/ma-api", data={"name": "x", "_csrf_token": token}
        )
        assert (token_for.status_code == 403) == (role != "admin"), role


def test_an_auditor_can_change_nothing_through_the_api_either(everyone: Sessions) -> None:
    for role in ROLES:
        run = everyone.api(role, "POST", "/api/runs", json={"period": "2026-Q1"})
        if run.status_code == 202:  # type: ignore[attr-defined]
            # One job at a time per account: the push waits for the run to end.
            everyone.site.wait(run.json()["id"])  # type: ignore[attr-defined]
        push = everyone.api(
            role, "POST", "/api/periods/2026-Q1/records", json={"subjects": [{"code": "A1"}]}
        )
        expected = 202 if role in CAN_IMPORT_RUN else 403
        assert run.status_code == expected, (role, run.status_code)  # type: ignore[attr-defined]
        assert push.status_code == expected, (role, push.status_code)  # type: ignore[attr-defined]


LISTS: list[str] = [
    "/tong-quan",
    "/don-vi",
    "/tim-kiem?q=a",
    "/tim-kiem?q=van",
    "/tim-kiem?q=thi",
    "/lan-chay",
    "/lan-chay/{run}",
    "/lan-chay/{run}?q=a",
    "/nguoi/A1",
    "/nguoi/N1",
    "/don-vi/SNV",
    "/don-vi/STC",
    "/ket-qua/{run}/A1",
    "/ket-qua/{run}/N1",
    "/nhap-du-lieu",
    "/lan-chay/moi",
    "/api/runs/{run}/results",
    "/api/units",
]
UNIT_NAMES = {
    "SNV": "Sở Nội vụ",
    "SNV-TH": "Phòng Tổng hợp",
    "SNV-KH": "Phòng Kế hoạch",
    "STC": "Sở Tài chính",
    "STC-NS": "Phòng Ngân sách",
}


def test_nothing_of_another_unit_appears_in_any_list_search_or_page(everyone: Sessions) -> None:
    run = everyone.site.run_id
    for role in ROLES:
        client = everyone.clients[role]
        for template in LISTS:
            page = client.get(template.format(run=run))
            for name in hidden_names(role):
                assert name not in page.text, (role, template, name)
            if SEES[role]:  # a reader of some units sees no other unit's name either
                for unit, name in UNIT_NAMES.items():
                    if unit not in SEES[role]:
                        assert name not in page.text, (role, template, name)


def workbook_text(content: bytes) -> str:
    """Every cell of a downloaded workbook, as one text."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(
        str(c)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
    )


def test_nothing_of_another_unit_in_the_reports(everyone: Sessions) -> None:
    run = everyone.site.run_id
    for role in READS_ORG:
        response = everyone.clients[role].get(f"/lan-chay/{run}/bao-cao.xlsx")
        assert response.status_code == 200, role
        cells = workbook_text(response.content)
        for name in hidden_names(role):
            assert name not in cells, (role, name)
        for name in shown_names(role):
            assert name in cells, (role, name)


def test_the_input_template_is_pre_filled_with_ones_own_people_only(everyone: Sessions) -> None:
    for role in CAN_IMPORT_RUN:
        response = everyone.clients[role].get("/nhap-du-lieu/mau.xlsx?ky=2026-Q1&bo=cong_chuc_quy")
        assert response.status_code == 200, role
        assert "mau_nhap_cong_chuc_quy_2026-Q1.xlsx" in response.headers["content-disposition"]
        cells = workbook_text(response.content)
        for name in hidden_names(role):
            assert name not in cells, (role, name)
        for name in shown_names(role):
            assert name in cells, (role, name)


def test_nothing_of_another_unit_in_the_api_lists(everyone: Sessions) -> None:
    run = everyone.site.run_id
    for role in READS_ORG:
        results = everyone.api(role, "GET", f"/api/runs/{run}/results").json()  # type: ignore[attr-defined]
        codes = {r["code"] for r in results["results"]}
        assert codes == {c for c, u in UNIT_OF.items() if u in SEES[role]}, role
        assert results["total"] == len(codes)
        other = everyone.api(role, "GET", f"/api/runs/{run}/results?unit={OTHER[role]}").json()  # type: ignore[attr-defined]
        if OTHER[role] not in SEES[role]:
            assert other["results"] == [] and other["total"] == 0, role
        units = {u["code"] for u in everyone.api(role, "GET", "/api/units").json()}  # type: ignore[attr-defined]
        assert units == SEES[role], role
        runs = everyone.api(role, "GET", "/api/runs").json()  # type: ignore[attr-defined]
        (listed,) = [r for r in runs if r["id"] == run]
        assert listed["subjects"] == len(codes), role
        assert sum(listed["grades"].values()) == len(codes), role


def test_a_unit_head_sees_their_unit_and_nothing_above_or_beside_it(everyone: Sessions) -> None:
    head = everyone.clients["tpth"]
    assert head.get("/don-vi/SNV-TH").status_code == 200
    assert head.get("/don-vi/SNV").status_code == 404
    assert head.get("/don-vi/SNV-KH").status_code == 404
    page = head.get("/don-vi").text
    assert "Phòng Tổng hợp" in page and "Phòng Kế hoạch" not in page and "Sở Tài chính" not in page


def test_another_users_background_job_is_not_found(everyone: Sessions) -> None:
    hr = everyone.clients["tcsnv"]
    token = csrf(hr, "/lan-chay/moi")
    response = hr.post(
        "/lan-chay/moi", data={"period": "2026-Q1", "_csrf_token": token}, follow_redirects=False
    )
    job = response.headers["location"]
    everyone.site.wait(job.rsplit("/", 1)[-1])
    assert hr.get(job).status_code == 200
    assert everyone.clients["tcstc"].get(job).status_code == 404
    assert everyone.clients["thanhtra"].get(job).status_code == 404
    api = everyone.api("tcstc", "GET", "/api/jobs/" + job.rsplit("/", 1)[-1])
    assert api.status_code == 404  # type: ignore[attr-defined]


# ---------------------------------------------------------------- every role, every listing
#
# The matrix above, widened: two more accounts whose scope is empty (an HR officer and a unit
# head whose units were all taken away), a person in no unit (X1: only the readers of the
# whole province may see them), a second run that evaluated X1, and a second rule version
# (for the impact page). Every page and endpoint that lists or shows people or results is
# read by every account, and no body may name a person outside the account's scope.

NO_UNIT = P("X1", "Hồ Vô Định", "", "chuyen_vien", (8, 8, 8))
EMPTY_SCOPE = {"tcrong": "hr", "tdrong": "unit_head"}
WIDE_ROLES = [*ROLES, *EMPTY_SCOPE]
WIDE_SEES: dict[str, set[str]] = {**SEES, **{name: set() for name in EMPTY_SCOPE}}
WHOLE_PROVINCE = {"admin", "thanhtra"}
EVERYONE = {**{p.code: (p.name, p.unit) for p in PEOPLE}, NO_UNIT.code: (NO_UNIT.name, None)}
# One person of each unit, and the person of no unit: the objects asked for by code.
PROBES = ["S1", "A1", "K1", "N1", NO_UNIT.code]


def may_see(role: str, code: str) -> bool:
    unit = EVERYONE[code][1]
    return role in WHOLE_PROVINCE if unit is None else unit in WIDE_SEES[role]


@dataclass
class Wide:
    sessions: Sessions
    runs: tuple[int, int]  # the site's run, and the run that evaluated X1 too
    versions: tuple[int, int]  # the published rules, and a version with another threshold

    def get(self, role: str, path: str) -> tuple[int, str]:
        if path.startswith("/api"):
            response = self.sessions.api(role, "GET", path)
        else:
            response = self.sessions.clients[role].get(path)
        status: int = response.status_code  # type: ignore[attr-defined]
        content: bytes = response.content  # type: ignore[attr-defined]
        if content.startswith(b"PK"):
            return status, workbook_text(content)
        return status, content.decode("utf-8")


@pytest.fixture
def wide(site: Site) -> Wide:
    from chamdiem.platform.services.runs import run_evaluation
    from tests.web.test_rule_pages import second_version

    with open_session(site.engine) as session:
        load_organisation(session, workbook(site.folder / "x1.xlsx", [NO_UNIT]), actor="test")
        import_period_data(
            session, workbook(site.folder / "x1_du_lieu.xlsx", [NO_UNIT]), PERIOD, actor="test"
        )
        for name, role in EMPTY_SCOPE.items():
            user = add_user(session, name, PASSWORD, role, ["SNV-TH"], actor="test")
            # The account's units taken away (as when they are removed): no roots left.
            session.exec(delete(UserUnit).where(col(UserUnit.user_id) == user.id))
            session.commit()
        (second,) = run_evaluation(session, PERIOD, scope=Scope.everything(), actor="admin")
    old, new, _ = second_version(site)
    tokens = {}
    with open_session(site.engine) as session:
        for role in WIDE_ROLES:
            tokens[role] = create_api_token(session, role, "kiem-thu", actor="test").token
    sessions = Sessions(site, {role: site.login(role) for role in WIDE_ROLES}, tokens)
    return Wide(sessions, (site.run_id, second.run_id), (old, new))


def listings(wide: Wide) -> list[str]:
    """Every page and endpoint that lists or shows people or results."""
    old, new = wide.versions
    paths = [
        "/tong-quan",
        "/ky",
        "/don-vi",
        *[f"/don-vi/{unit}" for unit in UNITS],
        *[f"/tim-kiem?q={q}" for q in ("a", "van", "thi", "Hồ", "định", "X1", "N1", "1")],
        *[f"/nguoi/{code}" for code in PROBES],
        "/lan-chay",
        "/lan-chay/moi",
        "/nhap-du-lieu",
        "/nhap-du-lieu/mau.xlsx?ky=2026-Q1&bo=cong_chuc_quy",
        "/nhap-du-lieu/mau.xlsx?ky=2026-Q1&bo=cong_chuc_quy&du_lieu=1",
        f"/quy-tac/anh-huong?a={old}&b={new}&ky={PERIOD}",
        f"/quy-tac/so-sanh?a={old}&b={new}",
        "/nhat-ky",
        "/api/me",
        "/api/units",
        "/api/runs",
    ]
    for run in wide.runs:
        paths += [
            f"/lan-chay/{run}",
            f"/lan-chay/{run}?q=a",
            *[f"/lan-chay/{run}?don_vi={unit}" for unit in UNITS],
            *[f"/ket-qua/{run}/{code}" for code in PROBES],
            f"/lan-chay/{run}/bao-cao.xlsx",
            *[f"/lan-chay/{run}/bao-cao.xlsx?don_vi={unit}" for unit in UNITS],
            f"/api/runs/{run}",
            f"/api/runs/{run}/results",
            *[f"/api/runs/{run}/results?unit={unit}" for unit in UNITS],
            *[f"/api/runs/{run}/results/{code}" for code in PROBES],
            *[f"/api/runs/{run}/results/{code}/explanation" for code in PROBES],
        ]
    return paths


def named(body: str, code: str, path: str) -> bool:
    """Whether the body names the person: their name, or their code as a word of its own
    (unless the code was in what was asked for: a search box shows what was typed)."""
    if EVERYONE[code][0] in body:
        return True
    word = re.compile(rf"(?<![\w-]){re.escape(code)}(?![\w])")
    return word.search(path) is None and word.search(body) is not None


def test_no_role_sees_a_person_outside_its_scope_on_any_page_or_endpoint(wide: Wide) -> None:
    for role in WIDE_ROLES:
        hidden = [code for code in EVERYONE if not may_see(role, code)]
        hidden_units = [name for unit, name in UNIT_NAMES.items() if unit not in WIDE_SEES[role]]
        for path in listings(wide):
            status, body = wide.get(role, path)
            assert status < 500, (role, path, status)
            for code in hidden:
                assert not named(body, code, path), (role, path, code, EVERYONE[code][0])
            if role not in WHOLE_PROVINCE:
                for name in hidden_units:
                    assert name not in body, (role, path, name)


def test_each_reader_sees_the_people_of_its_scope_and_no_one_else(wide: Wide) -> None:
    """The other side of the matrix: what is in scope is there (so that a page that showed
    no one at all could not pass the test above unnoticed)."""
    _, second = wide.runs
    for role in WIDE_ROLES:
        status, body = wide.get(role, f"/api/runs/{second}/results")
        if not WIDE_SEES[role] and role not in WHOLE_PROVINCE:
            assert status == 404, (role, status)  # a run with nothing of theirs is not found
            continue
        assert status == 200, (role, status)
        codes = {row["code"] for row in json.loads(body)["results"]}
        assert codes == {code for code in EVERYONE if may_see(role, code)}, role
        _, page = wide.get(role, f"/lan-chay/{second}")
        for code in codes:
            assert EVERYONE[code][0] in page, (role, code)


def test_an_account_without_units_reads_no_one(wide: Wide) -> None:
    for role in EMPTY_SCOPE:
        assert wide.get(role, "/api/units") == (200, "[]")
        status, body = wide.get(role, "/api/runs")
        assert (status, json.loads(body)) == (200, [])
        for code in EVERYONE:
            assert wide.get(role, f"/nguoi/{code}")[0] == 404, (role, code)


def test_an_hr_officer_without_units_cannot_run_the_province(wide: Wide) -> None:
    """No units is no one to evaluate: the run is refused with the reason, on the page and
    through the API, and no run is made."""
    client = wide.sessions.clients["tcrong"]
    before = count(wide.sessions.site.engine, "evaluation_runs")
    form = client.get("/lan-chay/moi")
    assert form.status_code == 200 and "chưa được giao đơn vị nào" in form.text
    refused = client.post(
        "/lan-chay/moi",
        data={"period": PERIOD, "_csrf_token": csrf(client, "/lan-chay/moi")},
        follow_redirects=False,
    )
    assert refused.status_code == 403 and "chưa được giao đơn vị nào" in refused.text
    api = wide.sessions.api("tcrong", "POST", "/api/runs", json={"period": PERIOD})
    assert api.status_code == 403  # type: ignore[attr-defined]
    assert "chưa được giao đơn vị nào" in api.text  # type: ignore[attr-defined]
    other = wide.sessions.api(
        "tcrong", "POST", "/api/runs", json={"period": PERIOD, "units": ["SNV"]}
    )
    assert other.status_code == 404  # type: ignore[attr-defined]
    assert count(wide.sessions.site.engine, "evaluation_runs") == before


# ---------------------------------------------------------------- the people's own accounts
#
# The accounts made from the organisation load (services.accounts.provision_accounts), one
# of each role: a civil servant (A1: their own data only), a manager (A5, head of Phòng Tổng
# hợp: its people) and a leader (S1, head of Sở Nội vụ: the body). Each reads every page and
# endpoint of the tables above; none may name a person, or a unit, outside their scope.

PERSON_ACCOUNTS = {"a1": "civil_servant", "a5": "manager", "s1": "leader"}
# The people each may read, and the units whose names may appear.
PERSON_SEES: dict[str, set[str]] = {
    "a1": {"A1"},
    "a5": set(PEOPLE_OF["SNV-TH"]),
    "s1": {c for u in ("SNV", "SNV-TH", "SNV-KH") for c in PEOPLE_OF[u]},
}
PERSON_UNITS: dict[str, set[str]] = {
    "a1": {"SNV-TH"},  # the unit of their own results
    "a5": {"SNV-TH"},
    "s1": {"SNV", "SNV-TH", "SNV-KH"},
}
# (own data, another person of the same unit or scope, a person of another unit)
PERSON_PROBES = {"a1": ("A1", "A2", "K1"), "a5": ("A2", "A5", "K1"), "s1": ("K1", "A1", "N1")}


@pytest.fixture
def people_signed_in(wide: Wide) -> Wide:
    from chamdiem.platform.services.accounts import provision_accounts, set_password

    site = wide.sessions.site
    with open_session(site.engine) as session:
        provision_accounts(session, actor="test")
        for name in PERSON_ACCOUNTS:
            set_password(session, name, PASSWORD, actor="test")
            wide.sessions.tokens[name] = create_api_token(
                session, name, "kiem-thu", actor="test"
            ).token
    for name in PERSON_ACCOUNTS:
        wide.sessions.clients[name] = site.login(name)
    return wide


def test_the_people_accounts_have_the_roles_of_their_place(people_signed_in: Wide) -> None:
    for name, role in PERSON_ACCOUNTS.items():
        status, body = people_signed_in.get(name, "/api/me")
        assert status == 200 and json.loads(body)["role"] == role, (name, body)


def test_a_person_reads_their_own_data_and_nothing_of_another_person_or_unit(
    people_signed_in: Wide,
) -> None:
    run, _ = people_signed_in.runs
    for name, (own, same, other) in PERSON_PROBES.items():
        for code in (own, same, other):
            expected = 200 if code in PERSON_SEES[name] else 404
            for path in (
                f"/nguoi/{code}",
                f"/ket-qua/{run}/{code}",
                f"/api/runs/{run}/results/{code}",
                f"/api/runs/{run}/results/{code}/explanation",
            ):
                status, _ = people_signed_in.get(name, path)
                assert status == expected, (name, path, status)
        for unit in UNITS:
            status, _ = people_signed_in.get(name, f"/don-vi/{unit}")
            shown = name != "a1" and unit in PERSON_UNITS[name]
            assert status == (200 if shown else 404), (name, unit, status)


def test_no_person_sees_anyone_outside_their_scope_on_any_page_or_endpoint(
    people_signed_in: Wide,
) -> None:
    run = people_signed_in.runs[0]
    paths = [
        *listings(people_signed_in),
        *[template.format(run=run) for template in LISTS],
        *[url(run, unit) for _, url in READS for unit in UNITS],
        *[path for path, _ in PAGE_RIGHTS],
        "/nguoi-dung",
        *[f"/nguoi-dung/don-vi/{unit}" for unit in UNITS],
    ]
    for name in PERSON_ACCOUNTS:
        hidden = [code for code in EVERYONE if code not in PERSON_SEES[name]]
        hidden_units = [n for unit, n in UNIT_NAMES.items() if unit not in PERSON_UNITS[name]]
        for path in dict.fromkeys(paths):
            status, body = people_signed_in.get(name, path)
            assert status < 500, (name, path, status)
            for code in hidden:
                assert not named(body, code, path), (name, path, code, EVERYONE[code][0])
            for unit_name in hidden_units:
                assert unit_name not in body, (name, path, unit_name)


def test_the_people_accounts_change_nothing(people_signed_in: Wide) -> None:
    run = people_signed_in.runs[0]
    for name in PERSON_ACCOUNTS:
        client = people_signed_in.sessions.clients[name]
        token = csrf(client, "/ky")
        for path, data in (
            ("/ky", {"code": "2032"}),
            ("/lan-chay/moi", {"period": PERIOD}),
            ("/nguoi-dung", {"username": f"moi{name}", "role": "auditor"}),
            ("/nguoi-dung/tao-tu-to-chuc", {}),
            ("/nguoi-dung/don-vi/SNV-TH/ma-dang-nhap", {}),
            ("/nguoi-dung/a2/dat-lai", {}),
        ):
            response = client.post(
                path, data={**data, "_csrf_token": token}, follow_redirects=False
            )
            assert response.status_code in (403, 404), (name, path, response.status_code)
        status = decide(client, run, PERSON_PROBES[name][0], "tot")
        assert status in (403, 404), (name, status)
        api = people_signed_in.sessions.api(name, "POST", "/api/runs", json={"period": PERIOD})
        assert api.status_code == 403, name  # type: ignore[attr-defined]
