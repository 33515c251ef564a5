"""The audit log in words: each action, what it is about and its details as a person reads
them on the audit page (the codes stay in the database and in the filter). Kept apart from
audit.py, which only ever adds entries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from chamdiem.dsl import display
from chamdiem.dsl.diagnostics import Language, Text

# Each action as a person reads it in the log (the code stays in the database and the filter).
ACTION_TEXT: dict[str, Text] = {
    "login": Text("Đăng nhập", "Signed in"),
    "logout": Text("Đăng xuất", "Signed out"),
    "user_add": Text("Tạo tài khoản", "Account created"),
    "user_active": Text("Khóa hoặc mở lại tài khoản", "Account locked or unlocked"),
    "user_password": Text("Đặt mật khẩu mới", "Password set"),
    "user_first_sign_in": Text("Đăng nhập lần đầu", "First sign-in"),
    "user_code": Text("Cấp mã dùng một lần", "One-time code issued"),
    "user_codes": Text("Cấp mã dùng một lần cho đơn vị", "One-time codes issued for a unit"),
    "users_provision": Text("Tạo tài khoản theo danh sách người", "Accounts provisioned"),
    "token_create": Text("Cấp mã truy cập API", "API token created"),
    "token_revoke": Text("Thu hồi mã truy cập API", "API token revoked"),
    "org_load": Text("Nạp danh sách tổ chức", "Organisation loaded"),
    "period_add": Text("Tạo kỳ đánh giá", "Period created"),
    "period_lock": Text("Khóa kỳ đánh giá", "Period locked"),
    "publish": Text("Công bố phiên bản quy tắc", "Rule version published"),
    "import": Text("Nhập dữ liệu", "Data imported"),
    "run": Text("Chạy đánh giá", "Evaluation run"),
    "verify": Text("Kiểm tra lại lần đánh giá", "Run verified"),
    "decision": Text("Ghi quyết định của hội đồng", "Council decision recorded"),
    "approve": Text("Phê duyệt báo cáo kết quả", "Result report approved"),
    "calendar_set": Text("Đặt ngày làm việc/ngày nghỉ", "Working day set"),
    "calendar_unset": Text("Bỏ ngày đã đặt trong lịch", "Calendar day removed"),
    "national_queue": Text("Chuẩn bị gửi Cơ sở dữ liệu quốc gia", "National export queued"),
    "national_push": Text("Gửi Cơ sở dữ liệu quốc gia", "National export sent"),
}

# What each detail is called, for the log's "khóa: giá trị" lines.
DETAIL_TEXT: dict[str, Text] = {
    "active": Text("đang hoạt động", "active"),
    "approval": Text("phê duyệt", "approval"),
    "attempt": Text("lần gửi", "attempt"),
    "changed": Text("số người có giá trị khác", "changed"),
    "code": Text("mã", "code"),
    "computed_grade": Text("mức theo kết quả tính", "computed grade"),
    "content_sha256": Text("mã nội dung", "content hash"),
    "count": Text("số lượng", "count"),
    "created": Text("tạo mới", "created"),
    "day": Text("ngày", "day"),
    "deactivated": Text("ngừng hoạt động", "deactivated"),
    "decisions": Text("số quyết định", "decisions"),
    "destination": Text("nơi nhận", "destination"),
    "differences": Text("số khác biệt", "differences"),
    "document_date": Text("ngày văn bản", "document date"),
    "document_number": Text("số văn bản", "document number"),
    "due_on": Text("hạn", "due on"),
    "end": Text("đến ngày", "end"),
    "engine_version": Text("phiên bản chương trình", "engine version"),
    "error": Text("lỗi", "error"),
    "file": Text("tệp", "file"),
    "file_sha256": Text("mã tệp", "file hash"),
    "final_grade": Text("mức cuối cùng", "final grade"),
    "git_author": Text("người sửa (git)", "git author"),
    "grades": Text("xếp loại", "grades"),
    "linked_runs": Text("các lần đánh giá liên quan", "linked runs"),
    "problems": Text("số lỗi", "problems"),
    "snapshot_sha256": Text("mã dữ liệu", "data snapshot"),
    "git_commit": Text("commit git", "git commit"),
    "git_path": Text("đường dẫn git", "git path"),
    "ip": Text("địa chỉ IP", "IP address"),
    "item_rows": Text("số dòng danh sách", "item rows"),
    "kind": Text("loại", "kind"),
    "name": Text("tên", "name"),
    "note": Text("ghi chú", "note"),
    "ok": Text("khớp", "verified"),
    "payload_sha256": Text("mã nội dung gửi", "payload hash"),
    "people_created": Text("người mới", "people created"),
    "people_updated": Text("người cập nhật", "people updated"),
    "period": Text("kỳ", "period"),
    "prefix": Text("đầu mã", "prefix"),
    "records": Text("số bản ghi", "records"),
    "replaced": Text("số bản ghi được thay", "replaced"),
    "response_status": Text("mã trả lời", "response status"),
    "results": Text("số kết quả", "results"),
    "role": Text("vai trò", "role"),
    "rule_sha256": Text("mã quy tắc", "rule hash"),
    "ruleset": Text("bộ tiêu chí", "rule set"),
    "scope": Text("phạm vi", "scope"),
    "sha256": Text("mã nội dung", "hash"),
    "signed": Text("ký số", "signed"),
    "skipped": Text("bỏ qua", "skipped"),
    "start": Text("từ ngày", "start"),
    "status": Text("trạng thái", "status"),
    "subject": Text("người được đánh giá", "subject"),
    "subjects": Text("số người", "subjects"),
    "tests": Text("số bài kiểm thử", "tests"),
    "transport": Text("cách gửi", "transport"),
    "unit": Text("đơn vị", "unit"),
    "units": Text("các đơn vị", "units"),
    "units_created": Text("đơn vị mới", "units created"),
    "units_updated": Text("đơn vị đổi tên", "units renamed"),
    "updated": Text("cập nhật", "updated"),
    "username": Text("tài khoản", "account"),
    "usernames": Text("các tài khoản", "accounts"),
    "working": Text("ngày làm việc", "working day"),
}


def action_text(action: str, language: Language = "vi") -> str:
    """'login' -> 'Đăng nhập'; an action without words yet keeps its code."""
    found = ACTION_TEXT.get(action)
    return found.in_(language) if found is not None else action


def detail_lines(details: Mapping[str, object], language: Language = "vi") -> list[str]:
    """An entry's details as 'khóa: giá trị' lines (not a Python dict): yes/no in words,
    numbers in the language's way, a list joined with commas, a date as a date."""
    lines = []
    for key, value in details.items():
        name = DETAIL_TEXT[key].in_(language) if key in DETAIL_TEXT else key
        lines.append(f"{name}: {_shown(value, key, language)}")
    return lines


def _shown(value: object, key: str, language: Language) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("có" if value else "không") if language == "vi" else ("yes" if value else "no")
    if isinstance(value, int):
        return display.count_text(value, language)
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(v, key, language) for v in value) or "—"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_shown(v, k, language)}" for k, v in value.items())
    text = str(value)
    if key == "period":
        return display.period_name(text, language)
    if key.endswith("sha256") and len(text) > 12:
        return text[:12]  # enough to find it; the whole hash is in the database
    try:
        return display.date_text(date.fromisoformat(text), language) if len(text) == 10 else text
    except ValueError:
        return text


# What each entry is about (the table's name in the database).
ENTITY_TEXT: dict[str, Text] = {
    "users": Text("tài khoản", "account"),
    "api_tokens": Text("mã truy cập API", "API token"),
    "people": Text("danh sách người", "people"),
    "periods": Text("kỳ", "period"),
    "rule_versions": Text("phiên bản quy tắc", "rule version"),
    "data_imports": Text("lần nhập", "import"),
    "evaluation_runs": Text("lần đánh giá", "run"),
    "council_decisions": Text("quyết định", "decision"),
    "report_approvals": Text("phê duyệt", "approval"),
    "calendar_days": Text("lịch ngày làm việc", "calendar"),
    "national_outbox": Text("hộp gửi đi quốc gia", "national outbox"),
}


def entity_text(entity: str, language: Language = "vi") -> str:
    """'evaluation_runs' -> 'lần đánh giá'."""
    found = ENTITY_TEXT.get(entity)
    return found.in_(language) if found is not None else entity
