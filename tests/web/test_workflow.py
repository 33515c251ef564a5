"""The work of a period through the pages: import (upload → report → confirm), run (in the
background, with a page that follows it), results, a person's explanation, council decisions
with the quota warning, and the report download."""

from __future__ import annotations

import io
import re
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook

from tests.platform.db.helpers import editable, people_copy, save
from tests.web.conftest import Site, csrf

JOB = re.compile(r"/cong-viec/([0-9a-f]+)")
CONFIRM = re.compile(r'action="(/nhap-du-lieu/[0-9a-f]+/xac-nhan)"')


def upload(
    site: Site, client: TestClient[Litestar], path: Path, period: str = "2026-Q1"
) -> tuple[str, str]:
    """Upload a file on the import page; returns the job id and its page once it ended."""
    token = csrf(client, "/nhap-du-lieu")
    with path.open("rb") as stream:
        response = client.post(
            "/nhap-du-lieu",
            data={"period": period, "rules": "", "_csrf_token": token},
            files={"file": (path.name, stream.read(), "application/octet-stream")},
            follow_redirects=False,
        )
    assert response.status_code == 303, response.text
    found = JOB.search(response.headers["location"])
    assert found
    site.wait(found.group(1))
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    return found.group(1), page.text


def corrected_book(folder: Path, people: list[object] | None = None) -> Path:
    rows = editable()
    rows["subjects"][2][5] = 9  # A1's chinh_tri: 10 -> 9
    return save(folder / "quy1_sua.xlsx", rows)


def test_import_shows_a_report_then_stores_only_after_confirmation(site: Site) -> None:
    admin = site.login("admin")
    book = corrected_book(site.folder)
    job_id, page = upload(site, admin, book)
    assert "hợp lệ" in page and "14 người" in page
    assert "Xác nhận nhập dữ liệu" in page
    # What the file would replace, and whose values it changes, before anything is stored.
    assert "Quý I/2026 đã có dữ liệu của 14 người trong tệp" in page
    assert "1 người có giá trị khác với dữ liệu hiện có" in page
    changed = page[page.index('id="changed"') :]
    changed = changed[: changed.index("</table>")]
    assert re.findall(r"<td>([A-Z]\d)</td>", changed) == ["A1"]
    # Nothing is stored yet: the import list shows only the fixture's import.
    assert "quy1_sua.xlsx" not in admin.get("/nhap-du-lieu").text
    confirm = CONFIRM.search(page)
    assert confirm
    response = admin.post(
        confirm.group(1),
        data={"_csrf_token": csrf(admin, f"/cong-viec/{job_id}")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    job = JOB.search(response.headers["location"])
    assert job
    site.wait(job.group(1))
    done = admin.get(response.headers["location"]).text
    assert "Đã nhập: 14 người" in done
    assert "14 bản ghi cũ được thay, trong đó 1 có giá trị khác" in done
    assert "quy1_sua.xlsx" in admin.get("/nhap-du-lieu").text
    # A confirmation is used once.
    again = admin.post(confirm.group(1), data={"_csrf_token": csrf(admin, "/nhap-du-lieu")})
    assert again.status_code == 404


def test_a_bad_file_is_reported_by_sheet_row_and_column_and_nothing_is_stored(
    site: Site,
) -> None:
    admin = site.login("admin")
    rows = editable()
    rows["subjects"][3][6] = "mười"  # A2's chuyen_mon is not a number
    rows["subjects"][5][5] = 11  # A4's chinh_tri is out of 0..10
    book = save(site.folder / "loi.xlsx", rows)
    _, page = upload(site, admin, book)
    assert "Tệp có 2 lỗi; không lưu gì" in page
    assert "trang subjects, dòng 4, cột G" in page  # row 4 = A2 (header on row 1)
    assert "trang subjects, dòng 6, cột F" in page
    assert "Xác nhận" not in page
    assert "loi.xlsx" not in admin.get("/nhap-du-lieu").text
    assert not any(site.state.settings.data_dir.glob("uploads/*/loi.xlsx"))


def test_a_file_whose_codes_name_other_people_is_refused_at_validation(site: Site) -> None:
    admin = site.login("admin")
    rows = editable()
    rows["subjects"][2][0], rows["subjects"][3][0] = "A2", "A1"  # two codes swapped
    _, page = upload(site, admin, save(site.folder / "dao_ma.xlsx", rows))
    assert "Tệp có 2 lỗi; không lưu gì" in page
    assert "trang subjects, dòng 3, cột B" in page and "trang subjects, dòng 4, cột B" in page
    assert "là của &#39;Lê Văn Bình&#39;" in page or "là của 'Lê Văn Bình'" in page
    assert "Xác nhận" not in page


def test_an_hr_officer_cannot_import_people_of_another_unit(site: Site) -> None:
    hr = site.login("tcsnv")
    book = corrected_book(site.folder)  # holds Sở Tài chính's N1, N2, N3 too
    _, page = upload(site, hr, book)
    assert "không phải người thuộc các đơn vị bạn phụ trách" in page
    for code in ("N1", "N2", "N3"):
        assert f"mã &#39;{code}&#39;" in page or f"mã '{code}'" in page
    assert "Xác nhận" not in page
    # Their own people only: accepted.
    mine = [p for p in people_copy() if p.unit.startswith("SNV")]
    rows = editable(mine)
    own = save(site.folder / "snv.xlsx", rows)
    _, page = upload(site, hr, own)
    assert "11 người" in page and "Xác nhận nhập dữ liệu" in page


def test_an_upload_that_is_not_a_workbook_is_refused_with_a_message(site: Site) -> None:
    admin = site.login("admin")
    odd = site.folder / "ghi_chu.txt"
    odd.write_text("không phải sổ tính", encoding="utf-8")
    token = csrf(admin, "/nhap-du-lieu")
    response = admin.post(
        "/nhap-du-lieu",
        data={"period": "2026-Q1", "_csrf_token": token},
        files={"file": ("ghi_chu.txt", odd.read_bytes(), "text/plain")},
    )
    assert response.status_code == 400
    assert "chỉ nhận sổ tính Excel (.xlsx) hoặc tệp .csv" in response.text
    broken = site.folder / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    _, page = upload(site, admin, broken)
    assert "hong.xlsx" in page and "không lưu gì" in page
    assert "Traceback" not in page


def start_run(site: Site, client: TestClient[Litestar], **fields: object) -> str:
    token = csrf(client, "/lan-chay/moi")
    data: dict[str, object] = {"period": "2026-Q1", "_csrf_token": token, **fields}
    response = client.post("/lan-chay/moi", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    found = JOB.search(response.headers["location"])
    assert found
    site.wait(found.group(1))
    return client.get(response.headers["location"]).text


def test_a_run_goes_to_the_background_and_links_its_results(site: Site) -> None:
    hr = site.login("tcsnv")
    page = start_run(site, hr)
    assert "Đã đánh giá xong" in page
    run_id = int(re.search(r'href="/lan-chay/(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert run_id != site.run_id
    results = hr.get(f"/lan-chay/{run_id}").text
    # Their units only, by default: Sở Nội vụ's eleven people.
    assert "11 kết quả" in results and "SNV, " not in results
    assert "N1" not in results and "A1" in results
    run_list = hr.get("/lan-chay").text
    assert f"/lan-chay/{run_id}" in run_list


def test_a_run_of_units_outside_ones_scope_is_refused(site: Site) -> None:
    hr = site.login("tcsnv")
    token = csrf(hr, "/lan-chay/moi")
    response = hr.post(
        "/lan-chay/moi", data={"period": "2026-Q1", "units": "STC", "_csrf_token": token}
    )
    assert response.status_code == 400
    assert "Không có đơn vị mã 'STC' trong phạm vi của bạn" in response.text.replace("&#39;", "'")


def test_a_failing_run_is_reported_on_its_job_page(site: Site) -> None:
    hr = site.login("tcsnv")
    page = start_run(site, hr, rules="khong_co_bo_nay")
    assert "không có bộ tiêu chí" in page


def test_the_result_page_explains_points_inputs_rule_lines_vetoes_and_quota(site: Site) -> None:
    hr = site.login("tcstc")
    vetoed = hr.get(f"/ket-qua/{site.run_id}/N1").text
    assert "Loại trừ" in vetoed and "kỷ luật" in vetoed
    assert "dòng 80: = chinh_tri" in vetoed and "đầu vào: chinh_tri = 8.25" in vetoed
    assert "Tổng điểm: 94.75 / 100" in vetoed
    snv = site.login("tcsnv")
    demoted = snv.get(f"/ket-qua/{site.run_id}/A2").text  # rebuilt: A2's was not stored
    assert "Hạn mức" in demoted and "xếp hạng 2" in demoted
    person = snv.get("/nguoi/A2").text
    assert "Quý I/2026" in person and f"/ket-qua/{site.run_id}/A2" in person


def test_a_council_decision_is_recorded_and_warned_about_a_broken_quota(site: Site) -> None:
    hr = site.login("tcsnv")
    page = f"/ket-qua/{site.run_id}/A2"
    decision = {
        "final_grade": "xuat_sac",
        "reason": "Hội đồng xét thành tích đột xuất",
        "document_number": "15/QĐ-SNV",
        "document_date": "2026-04-10",
    }
    warned = hr.post(f"{page}/quyet-dinh", data={**decision, "_csrf_token": csrf(hr, page)})
    assert warned.status_code == 200
    assert "Cảnh báo hạn mức" in warned.text and "tối đa 1 người" in warned.text
    assert "15/QĐ-SNV" not in hr.get(page).text.split("Ghi quyết định")[0]
    confirmed = hr.post(
        f"{page}/quyet-dinh",
        data={**decision, "confirm": "1", "_csrf_token": csrf(hr, page)},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    shown = hr.get(confirmed.headers["location"]).text
    assert "Đã ghi quyết định của hội đồng" in shown and "15/QĐ-SNV" in shown
    # Within the quota: no warning (K3 to 'tốt' in Phòng Kế hoạch).
    k3 = f"/ket-qua/{site.run_id}/K3"
    fine = hr.post(
        f"{k3}/quyet-dinh",
        data={**decision, "final_grade": "tot", "_csrf_token": csrf(hr, k3)},
        follow_redirects=False,
    )
    assert fine.status_code == 303


def _unit_row(page: str, run_id: int, code: str) -> str:
    """The row of `code` in a unit page's results table."""
    return page.split(f'href="/ket-qua/{run_id}/{code}"', 1)[1].split("</tr>", 1)[0]


def test_the_import_page_offers_the_template_and_explains_a_wrong_choice(site: Site) -> None:
    hr = site.login("tcsnv")
    form = hr.get("/nhap-du-lieu").text
    assert 'action="/nhap-du-lieu/mau.xlsx"' in form and "Tải mẫu nhập liệu" in form
    unknown = hr.get("/nhap-du-lieu/mau.xlsx?ky=2026-Q1&bo=khong_co")
    assert unknown.status_code in (400, 404)
    assert "khong_co" in unknown.text and "Traceback" not in unknown.text
    year = hr.get("/nhap-du-lieu/mau.xlsx?ky=2026&bo=cong_chuc_quy")
    assert year.status_code == 400
    assert "cong_chuc_quy đánh giá theo quý" in year.text


def test_the_template_with_the_stored_data_is_the_officers_own_people_only(site: Site) -> None:
    hr = site.login("tcsnv")
    assert 'name="du_lieu"' in hr.get("/nhap-du-lieu").text
    response = hr.get("/nhap-du-lieu/mau.xlsx?ky=2026-Q1&bo=cong_chuc_quy&du_lieu=true")
    assert response.status_code == 200
    assert "du_lieu_cong_chuc_quy_2026-Q1" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    subjects = book["Đối tượng"]
    names = [cell.value for cell in subjects[4]]
    first = {name: subjects.cell(5, k + 1).value for k, name in enumerate(names)}
    assert (first["code"], first["chinh_tri"], first["doi_moi"]) == ("A1", 10, 9)
    items = [row[0] for row in book["san_pham"].iter_rows(min_row=5, values_only=True)]
    assert "A1" in items and "N1" not in items  # Sở Tài chính's are not the officer's
    plain = load_workbook(
        io.BytesIO(hr.get("/nhap-du-lieu/mau.xlsx?ky=2026-Q1&bo=cong_chuc_quy").content)
    )
    assert plain["Đối tượng"].cell(5, names.index("chinh_tri") + 1).value is None


def test_a_unit_page_shows_a_council_decision_as_soon_as_it_is_recorded(site: Site) -> None:
    head = site.login("tpth")  # reads Phòng Tổng hợp, where A2 works
    before = head.get("/don-vi/SNV-TH").text
    assert 'title="xuat_sac"' not in _unit_row(before, site.run_id, "A2")
    hr = site.login("tcsnv")
    page = f"/ket-qua/{site.run_id}/A2"
    decided = hr.post(
        f"{page}/quyet-dinh",
        data={
            "final_grade": "xuat_sac",
            "reason": "Hội đồng xét thành tích đột xuất",
            "document_number": "16/QĐ-SNV",
            "document_date": "2026-04-11",
            "confirm": "1",
            "_csrf_token": csrf(hr, page),
        },
        follow_redirects=False,
    )
    assert decided.status_code == 303
    after = head.get("/don-vi/SNV-TH").text
    assert 'title="xuat_sac"' in _unit_row(after, site.run_id, "A2")


def test_a_unit_page_read_by_a_wider_scope_first_shows_a_narrower_one_only_its_own(
    site: Site,
) -> None:
    # The HR officer of Sở Nội vụ sees the department's parent; its head does not.
    assert 'href="/don-vi/SNV"' in site.login("tcsnv").get("/don-vi/SNV-TH").text
    assert 'href="/don-vi/SNV"' not in site.login("tpth").get("/don-vi/SNV-TH").text


def test_an_agency_page_sums_up_the_units_under_it(site: Site) -> None:
    """Sở Nội vụ's people are in its departments: its page counts each department's grades
    (and its own director's), and its report holds them all."""
    hr = site.login("tcsnv")
    page = hr.get("/don-vi/SNV").text
    summary = page[page.index('class="card summary"') :]
    summary = summary[: summary.index("</section>")]
    assert (
        "Các đơn vị trực thuộc: Đánh giá, xếp loại chất lượng công chức hằng quý "
        '<span class="muted small code">cong_chuc_quy</span>, Quý I/2026' in summary
    )
    assert f'href="/lan-chay/{site.run_id}"' in summary
    bars = re.findall(r'href="/don-vi/([A-Z-]+)">.*?data-total="(\d+)"', summary, re.S)
    assert sorted(bars) == [("SNV", "1"), ("SNV-KH", "5"), ("SNV-TH", "5")]
    assert "11 người" in summary
    # The auditor reads Sở Tài chính's the same way; its department's three people only.
    other = site.login("thanhtra").get("/don-vi/STC").text
    assert re.findall(r'href="/don-vi/([A-Z-]+)">.*?data-total="(\d+)"', other, re.S) == [
        ("STC-NS", "3")
    ]
    # A department without units under it has no summary.
    assert 'class="card summary"' not in hr.get("/don-vi/SNV-TH").text
    book = load_workbook(
        io.BytesIO(hr.get(f"/lan-chay/{site.run_id}/bao-cao.xlsx?don_vi=SNV").content),
        read_only=True,
    )
    codes = {
        row[0]
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        if row and isinstance(row[0], str)
    }
    assert {"S1", "A1", "A5", "K1", "K5"} <= codes and "N1" not in codes


def test_a_persons_page_names_the_grades(site: Site) -> None:
    page = site.login("tcsnv").get("/nguoi/A1").text
    history = page[page.index("Kết quả qua các kỳ") :]
    assert '<span class="grade" title="xuat_sac">Hoàn thành xuất sắc nhiệm vụ</span>' in history
    assert ">xuat_sac<" not in history


def test_a_decision_needs_its_fields(site: Site) -> None:
    hr = site.login("tcsnv")
    page = f"/ket-qua/{site.run_id}/A3"
    bad_date = hr.post(
        f"{page}/quyet-dinh",
        data={
            "final_grade": "tot",
            "reason": "x",
            "document_number": "1",
            "document_date": "hôm qua",
            "_csrf_token": csrf(hr, page),
        },
    )
    assert bad_date.status_code == 400 and "Ngày văn bản không hợp lệ" in bad_date.text
    no_reason = hr.post(
        f"{page}/quyet-dinh",
        data={
            "final_grade": "tot",
            "reason": " ",
            "document_number": "1",
            "document_date": "2026-04-01",
            "_csrf_token": csrf(hr, page),
        },
    )
    assert no_reason.status_code == 400 and "lý do không được để trống" in no_reason.text


def test_the_report_is_a_workbook_of_the_users_results(site: Site) -> None:
    hr = site.login("tcsnv")
    response = hr.get(f"/lan-chay/{site.run_id}/bao-cao.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    text = "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )
    assert "A1" in text and "K5" in text
    assert "N1" not in text and "Lý Văn Phúc" not in text  # Sở Tài chính's


def test_rule_pages_show_source_tests_and_differences(site: Site) -> None:
    policy = site.login("chinhsach")
    listing = policy.get("/quy-tac").text
    assert "cong_chuc_quy" in listing and "Công bố phiên bản quy tắc" in listing
    version = policy.get("/quy-tac/1").text
    assert "kiểm thử đạt" in version and 'class="hl-keyword"' in version
    assert 'id="dong-80"' in version
    same = policy.get("/quy-tac/so-sanh?a=1&b=1").text
    assert "Không thay đổi nội dung" in same


def test_policy_staff_publish_a_rule_file_and_a_broken_one_is_refused(site: Site) -> None:
    from tests.platform.db.helpers import RULES

    policy = site.login("chinhsach")
    source = RULES.read_text(encoding="utf-8")
    changed = source.replace("bộ tiêu chí cong_chuc_quy", "bộ tiêu chí cong_chuc_quy_moi", 1)
    token = csrf(policy, "/quy-tac")
    response = policy.post(
        "/quy-tac",
        data={"_csrf_token": token},
        files={"file": ("moi.rules", changed.encode("utf-8"), "text/plain")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert "Đã công bố phiên bản quy tắc" in policy.get(response.headers["location"]).text
    broken = source.replace("= chinh_tri", "= chinh_trii", 1)
    response = policy.post(
        "/quy-tac",
        data={"_csrf_token": csrf(policy, "/quy-tac")},
        files={"file": ("hong.rules", broken.encode("utf-8"), "text/plain")},
    )
    assert response.status_code == 400
    assert "hong.rules" in response.text and "không công bố" in response.text
    assert "chinh_trii" in response.text


def test_pages_render_for_an_administrator(site: Site) -> None:
    admin = site.login("admin")
    for path, words in [
        ("/tong-quan", ["Kỳ đánh giá", "Xếp loại theo cơ quan, đơn vị", "<svg"]),
        ("/don-vi", ["Sở Nội vụ", "Sở Tài chính", "Phòng Ngân sách"]),
        ("/don-vi/SNV-TH", ["Nguyễn Thị An", "Tải báo cáo Excel của đơn vị"]),
        ("/tim-kiem?q=nguyen thi an", ["A1"]),
        ("/lan-chay", ["cong_chuc_quy"]),
        (f"/lan-chay/{site.run_id}", ["14 kết quả", "Biểu đồ xếp loại theo cơ quan, đơn vị"]),
        ("/ky", ["2026-Q1", "Tạo kỳ"]),
        ("/nhat-ky", ["import", "run", "publish"]),
        ("/nguoi-dung", ["tcsnv", "Tạo tài khoản"]),
    ]:
        response = admin.get(path)
        assert response.status_code == 200, path
        for word in words:
            assert word in response.text, (path, word)


def test_periods_and_accounts_are_managed_by_the_administrator(site: Site) -> None:
    admin = site.login("admin")
    response = admin.post(
        "/ky", data={"code": "2026-Q2", "_csrf_token": csrf(admin, "/ky")}, follow_redirects=False
    )
    assert response.status_code == 303 and "2026-Q2" in admin.get("/ky").text
    bad = admin.post("/ky", data={"code": "quy hai", "_csrf_token": csrf(admin, "/ky")})
    assert bad.status_code == 400 and "mã kỳ" in bad.text
    made = admin.post(
        "/nguoi-dung",
        data={
            "username": "tpkh",
            "display_name": "Trưởng phòng Kế hoạch",
            "password": "mat-khau-moi-1",
            "role": "unit_head",
            "units": "SNV-KH",
            "_csrf_token": csrf(admin, "/nguoi-dung"),
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    head = site.login("tpkh", "mat-khau-moi-1")
    assert "K1" in head.get("/don-vi/SNV-KH").text
    token_page = admin.post(
        "/nguoi-dung/tpkh/ma-api",
        data={"name": "he-thong", "_csrf_token": csrf(admin, "/nguoi-dung")},
    )
    token = re.search(r"(cdt_[A-Za-z0-9_\-]+)", token_page.text)
    assert token
    me = site.client().get("/api/me", headers={"Authorization": f"Bearer {token.group(1)}"})
    assert me.status_code == 200 and me.json()["units"] == ["SNV-KH"]


def test_whoever_sees_the_whole_run_gets_the_official_report(site: Site) -> None:
    auditor = site.login("thanhtra")
    response = auditor.get(f"/lan-chay/{site.run_id}/bao-cao.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert "Tổng hợp" in book.sheetnames and "Thông tin" in book.sheetnames
    # An HR officer gets it for a run of their own units, and it holds nothing else.
    hr = site.login("tcsnv")
    page = start_run(site, hr)
    run_id = int(re.search(r'href="/lan-chay/(\d+)"', page).group(1))  # type: ignore[union-attr]
    own = load_workbook(io.BytesIO(hr.get(f"/lan-chay/{run_id}/bao-cao.xlsx").content))
    assert "Tổng hợp" in own.sheetnames
    text = " ".join(
        str(cell)
        for sheet in own.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    assert "Nguyễn Thị An" in text and "Lý Văn Phúc" not in text and "STC" not in text
    # The province's run holds Sở Tài chính: the HR officer gets only their results.
    mixed = load_workbook(io.BytesIO(hr.get(f"/lan-chay/{site.run_id}/bao-cao.xlsx").content))
    assert "Tổng hợp" not in mixed.sheetnames
