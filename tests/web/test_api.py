"""The JSON API: tokens, pushing a period's records, starting a run, reading runs, results
and explanations; errors as JSON in Vietnamese."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import col, select

from chamdiem.platform.db.engine import open_session
from chamdiem.platform.db.models import InputRecord, Person
from chamdiem.platform.services.accounts import create_api_token, revoke_api_token
from tests.web.conftest import PEOPLE_OF, Site, form


class Api:
    def __init__(self, site: Site, username: str) -> None:
        self.site = site
        with open_session(site.engine) as session:
            made = create_api_token(session, username, "kiem-thu", actor="test")
        self.token = made.token
        self.token_id = made.record.id
        self.client: TestClient[Litestar] = site.client()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def job(self, answer: Any) -> dict[str, Any]:
        assert answer.status_code == 202, answer.text
        job = answer.json()
        self.site.wait(job["id"])
        state = self.call("GET", job["status_url"])
        assert state.status_code == 200
        found: dict[str, Any] = state.json()
        return found


def subject(code: str, **inputs: object) -> dict[str, Any]:
    values: dict[str, object] = {
        "chinh_tri": "9",
        "chuyen_mon": 9,
        "doi_moi": 8.5,
        "ky_luat": "không",
    }
    values.update(inputs)
    return {
        "code": code,
        "inputs": values,
        "items": {"san_pham": [{"he_so": 1, "hoan_thanh": True, "loi_nang": 0, "cham_tre": 0}]},
    }


@pytest.fixture
def hr(site: Site) -> Api:
    return Api(site, "tcsnv")


def test_without_a_token_the_api_answers_401_in_json(site: Site) -> None:
    client = site.client()
    response = client.get("/api/runs")
    assert response.status_code == 401
    assert response.json()["detail"] == "Bạn cần đăng nhập để xem trang này."
    bad = client.get("/api/runs", headers={"Authorization": "Bearer cdt_sai"})
    assert bad.status_code == 401 and "Mã truy cập API không hợp lệ" in bad.json()["detail"]
    odd = client.get("/api/runs", headers={"Authorization": "Basic YWRtaW46eA=="})
    assert odd.status_code == 401


def test_a_revoked_token_stops_working_at_once(site: Site, hr: Api) -> None:
    assert hr.call("GET", "/api/me").status_code == 200
    admin = site.login("admin")
    revoked = form(admin, f"/ma-api/{hr.token_id}/thu-hoi", {}, "/nguoi-dung")
    assert revoked.status_code == 303
    assert hr.call("GET", "/api/me").status_code == 401


def test_a_token_revoked_from_the_command_line_stops_working_at_once(site: Site, hr: Api) -> None:
    assert hr.call("GET", "/api/me").status_code == 200
    with open_session(site.engine) as session:
        assert hr.token_id is not None
        revoke_api_token(session, hr.token_id, actor="admin")
    assert hr.call("GET", "/api/me").status_code == 401


def test_a_browser_session_may_read_but_not_change_through_the_api(site: Site) -> None:
    browser = site.login("tcsnv")
    assert browser.get("/api/runs").status_code == 200
    refused = browser.post("/api/runs", json={"period": "2026-Q1"})
    assert refused.status_code == 401
    assert "cần mã truy cập" in refused.json()["detail"]


def test_push_records_then_run_then_read_results_and_explanations(site: Site, hr: Api) -> None:
    pushed = hr.job(
        hr.call(
            "POST",
            "/api/periods/2026-Q1/records",
            json={"subjects": [subject("A3", chinh_tri="8.75"), subject("K3")]},
        )
    )
    assert pushed["status"] == "done", pushed
    assert pushed["kind"] == "import" and pushed["import_id"] is not None
    started = hr.job(hr.call("POST", "/api/runs", json={"period": "2026-Q1"}))
    assert started["status"] == "done", started
    (run_id,) = started["run_ids"]
    run = hr.call("GET", f"/api/runs/{run_id}").json()
    assert run["status"] == "complete" and run["subjects"] == 11 and run["period"] == "2026-Q1"
    listed = hr.call("GET", "/api/runs", params={"period": "2026-Q1"}).json()
    assert run_id in [r["id"] for r in listed]
    page = hr.call("GET", f"/api/runs/{run_id}/results", params={"limit": 5}).json()
    assert page["total"] == 11 and len(page["results"]) == 5
    a3 = hr.call("GET", f"/api/runs/{run_id}/results/A3").json()
    assert a3["values"]["c_chinh_tri"] == "8.75"
    text = hr.call("GET", f"/api/runs/{run_id}/results/A3/explanation").json()["text"]
    assert "đầu vào: chinh_tri = 8.75" in text


def test_pushed_records_with_problems_are_refused_where_they_are(site: Site, hr: Api) -> None:
    job = hr.job(
        hr.call(
            "POST",
            "/api/periods/2026-Q1/records",
            json={"subjects": [subject("A3"), subject("A4", chinh_tri="mười một")]},
        )
    )
    assert job["status"] == "failed" and "không lưu gì" in job["message"]
    (problem,) = job["problems"]
    assert problem["where"] == "subjects[1]" and problem["field"] == "chinh_tri"
    typo = hr.job(
        hr.call(
            "POST",
            "/api/periods/2026-Q1/records",
            json={"subjects": [subject("A3", chinh_trj="9")]},
        )
    )
    assert typo["status"] == "failed"
    assert typo["problems"][0]["where"] == "subjects[0].inputs.chinh_trj"
    outside = hr.job(
        hr.call("POST", "/api/periods/2026-Q1/records", json={"subjects": [subject("N2")]})
    )
    assert outside["status"] == "failed"
    assert "không phải người thuộc các đơn vị bạn phụ trách" in outside["problems"][0]["message"]


def test_numbers_of_too_many_digits_are_400_at_their_path_and_others_stay_exact(
    site: Site, hr: Api
) -> None:
    """A JSON number of 5,001 digits, one of 400 decimals (a float would silently round it)
    and 1e999999 are refused before anything starts, each at its path in the body."""

    def body(chinh_tri: str, he_so: str) -> bytes:
        good = json.dumps(subject("A3"))
        bad = json.dumps(subject("A4", chinh_tri="@1"))
        bad = bad.replace('"@1"', chinh_tri).replace('"he_so": 1', f'"he_so": {he_so}')
        return f'{{"subjects": [{good}, {bad}]}}'.encode()

    answer = hr.call(
        "POST",
        "/api/periods/2026-Q1/records",
        content=body("1" * 5001, "1." + "1" * 400),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["detail"] == "Dữ liệu gửi lên không hợp lệ."
    assert answer.json()["details"] == [
        f"subjects[1].inputs.chinh_tri: số '{'1' * 39}…' có quá nhiều chữ số "
        "(một số có tối đa 28 chữ số)",
        f"subjects[1].items.san_pham[0].he_so: số '1.{'1' * 37}…' có quá nhiều chữ số "
        "(một số có tối đa 28 chữ số)",
    ]
    for huge in ("1e999999", "-1E+99999999999999999999", "1e-400", "1" + "0" * 28):
        refused = hr.call(
            "POST",
            "/api/periods/2026-Q1/records",
            content=body(huge, "1"),
            headers={"Content-Type": "application/json"},
        )
        assert refused.status_code == 400, huge
        assert "subjects[1].inputs.chinh_tri: số" in refused.json()["details"][0]
    # As a string the same digits reach the DATA reader: a problem at its place, no crash.
    job = hr.job(
        hr.call(
            "POST",
            "/api/periods/2026-Q1/records",
            json={"subjects": [subject("A3"), subject("A4", chinh_tri="1" * 5001)]},
        )
    )
    assert job["status"] == "failed"
    (problem,) = job["problems"]
    assert problem["where"] == "subjects[1]" and problem["field"] == "chinh_tri"
    assert "có quá nhiều chữ số" in problem["message"]
    # 28 digits pass, read exactly (a float would be 8.123456789012346); 8.125 is no thousands.
    done = hr.job(
        hr.call(
            "POST",
            "/api/periods/2026-Q1/records",
            content=body("8.123456789012345678901234567", "8.125e-1"),
            headers={"Content-Type": "application/json"},
        )
    )
    assert done["status"] == "done", done
    with open_session(site.engine) as session:
        stored = session.exec(
            select(InputRecord.inputs_json, InputRecord.items_json)
            .join(Person, col(Person.id) == InputRecord.person_id)
            .where(Person.code == "A4", InputRecord.import_id == done["import_id"])
        ).one()
    assert "8.123456789012345678901234567" in stored[0]
    assert "0.8125" in stored[1]


def test_malformed_requests_get_400_with_a_vietnamese_detail(hr: Api) -> None:
    for body in ({}, {"subjects": []}, {"subjects": [{"kode": "A1"}]}, {"period": 5}):
        response = hr.call("POST", "/api/periods/2026-Q1/records", json=body)
        assert response.status_code == 400, body
        assert response.json()["detail"] == "Dữ liệu gửi lên không hợp lệ."
    raw = hr.call(
        "POST", "/api/runs", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert raw.status_code == 400
    unknown_period = hr.call("POST", "/api/runs", json={"period": "2030-Q4"})
    assert (
        unknown_period.status_code == 404
        and "chưa có kỳ 2030-Q4" in unknown_period.json()["detail"]
    )
    bad_period = hr.call("POST", "/api/runs", json={"period": "quý một"})
    assert bad_period.status_code == 400 and "mã kỳ" in bad_period.json()["detail"]


def test_unknown_things_are_404(site: Site, hr: Api) -> None:
    assert hr.call("GET", "/api/runs/999999").status_code == 404
    assert hr.call("GET", f"/api/runs/{site.run_id}/results/KHONG").status_code == 404
    assert hr.call("GET", "/api/jobs/khong-co").status_code == 404
    assert hr.call("GET", "/api/runs/0").status_code == 400
    assert hr.call("GET", "/api/runs/99999999999999999999").status_code in (400, 404)


def test_the_openapi_description_is_served_without_outside_scripts(site: Site) -> None:
    client = site.client()
    schema = client.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/runs",
        "/api/runs/{run_id}",
        "/api/runs/{run_id}/results",
        "/api/runs/{run_id}/results/{code}/explanation",
        "/api/periods/{period}/records",
        "/api/jobs/{job_id}",
    ):
        assert path in paths, path
    assert not any(p.startswith("/dang-nhap") or p.startswith("/ket-qua") for p in paths)
    page = client.get("/schema")
    assert page.status_code == 200 and "/schema/openapi.json" in page.text
    assert "<script" not in page.text and "http" not in page.text.replace("/schema", "")


def _codes(api: Api, run_id: int, unit: str) -> list[str]:
    answer = api.call("GET", f"/api/runs/{run_id}/results", params={"unit": unit})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    codes = [r["code"] for r in body["results"]]
    assert body["total"] == len(codes)
    return codes


def test_the_unit_filter_of_results_takes_the_units_below_it(site: Site) -> None:
    admin = Api(site, "admin")
    agency = sorted(PEOPLE_OF["SNV"] + PEOPLE_OF["SNV-TH"] + PEOPLE_OF["SNV-KH"])
    assert _codes(admin, site.run_id, "SNV") == agency
    assert _codes(admin, site.run_id, "SNV-TH") == PEOPLE_OF["SNV-TH"]
    assert _codes(admin, site.run_id, "KHONG-CO") == []
    # Within the reader's scope only: the head of SNV-TH asking for the whole agency gets
    # their department; another agency's officer gets nothing.
    assert _codes(Api(site, "tpth"), site.run_id, "SNV") == PEOPLE_OF["SNV-TH"]
    assert _codes(Api(site, "tcstc"), site.run_id, "SNV") == []
    # The OpenAPI description says so.
    schema = site.client().get("/schema/openapi.json").json()
    operation = schema["paths"]["/api/runs/{run_id}/results"]["get"]
    unit = next(p for p in operation["parameters"] if p["name"] == "unit")
    assert "bên dưới" in unit["description"]
    assert "trực thuộc" in operation["description"]
