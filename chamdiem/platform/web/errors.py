"""What a user sees when something cannot be done: a page (or, under /api, a JSON object) in
Vietnamese with the reason; never a traceback. A bug is logged on the server with its
traceback and the user is told that it happened and that nothing was half done."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_404_NOT_FOUND,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from chamdiem.platform.excel.problems import DataFileError, DataProblem
from chamdiem.platform.services.errors import FieldErrors, NotFound, ServiceError

LOG = logging.getLogger("chamdiem.web")

STATUS_TEXT: dict[int, str] = {
    400: "Yêu cầu không hợp lệ.",
    401: "Bạn cần đăng nhập.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy trang hoặc đối tượng này (hoặc bạn không có quyền xem).",
    405: "Trang này không nhận kiểu yêu cầu đó.",
    409: "Thao tác xung đột với dữ liệu hiện có.",
    413: "Tệp hoặc dữ liệu gửi lên quá lớn.",
    415: "Kiểu dữ liệu gửi lên không được hỗ trợ.",
    429: "Quá nhiều lần thử; hãy đợi rồi thử lại.",
    500: "Có lỗi không lường trước trên máy chủ; không có thay đổi dở dang nào được lưu. "
    "Hãy báo quản trị hệ thống.",
    503: "Dịch vụ tạm thời không sẵn sàng; hãy thử lại sau.",
}
TITLES: dict[int, str] = {
    403: "Không có quyền",
    404: "Không tìm thấy",
    429: "Tạm khóa đăng nhập",
    500: "Lỗi máy chủ",
}
CSRF_TEXT = (
    "Biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ (CSRF). Hãy tải lại trang rồi gửi lại; "
    "nếu vẫn lỗi, hãy đăng nhập lại."
)


def wants_json(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return path.startswith("/api") or path.startswith("/schema")


def _vietnamese(detail: str, status: int) -> str:
    """Our own messages are Vietnamese already; litestar's are English defaults."""
    if detail == "CSRF token verification failed":
        return CSRF_TEXT
    if detail and not detail.isascii():
        return detail
    return STATUS_TEXT.get(status, STATUS_TEXT[400] if status < 500 else STATUS_TEXT[500])


# What a field is called for a person (the API keeps its JSON names; the message says both).
FIELD_NAMES: dict[str, str] = {
    "code": "mã",
    "codes": "các mã",
    "data": "nội dung gửi lên",
    "document_date": "ngày văn bản",
    "document_number": "số văn bản",
    "final_grade": "mức xếp loại cuối cùng",
    "inputs": "các đầu vào",
    "items": "các danh sách",
    "limit": "số mục mỗi lần",
    "offset": "vị trí bắt đầu",
    "page": "trang",
    "period": "kỳ",
    "reason": "lý do",
    "rules": "bộ tiêu chí",
    "run_id": "số lần đánh giá",
    "subjects": "danh sách người",
    "trang": "trang",
    "unit": "đơn vị",
    "units": "các đơn vị",
}
TYPE_NAMES: dict[str, str] = {
    "int": "một số nguyên",
    "float": "một số",
    "decimal": "một số",
    "str": "một chuỗi chữ",
    "bool": "true hoặc false",
    "array": "một danh sách",
    "object": "một đối tượng JSON",
    "null": "null",
}
_BOUND = {">=": "từ {} trở lên", ">": "lớn hơn {}", "<=": "tối đa {}", "<": "nhỏ hơn {}"}
_EXPECTED = re.compile(r"^Expected `(\w+)`(?:, got `(\w+)`)?(?: (>=|>|<=|<) (-?[\d.]+))?$")
_EXPECTED_LENGTH = re.compile(r"^Expected `(\w+)` of length (>=|>|<=|<) (\d+)$")
_AT_PATH = re.compile(r"^(.*?) - at `\$(.*)`$")
_NAMED_FIELD = re.compile(r"^Object (missing required|contains unknown) field `([^`]*)`$")


def field_name(key: str) -> str:
    """'subjects[0].code' -> 'mã'; a JSON path's last name, in Vietnamese when we know it."""
    last = re.sub(r"\[\d+\]$", "", key.rsplit(".", 1)[-1])
    return FIELD_NAMES.get(last, last)


def validation_text(key: str, message: str) -> str:
    """A validation message from litestar or msgspec ('Expected `int` >= 1', 'Expected `int`,
    got `str`', 'Object missing required field `code`') in Vietnamese, with the field named
    in Vietnamese beside its JSON name: 'limit (số mục mỗi lần): phải là một số nguyên từ 1
    trở lên'. Our own messages (Vietnamese already) are kept as they are."""
    at = _AT_PATH.match(message)
    if at:
        message, key = at.group(1), f"{key}{at.group(2)}".lstrip(".")
    text = _vietnamese_validation(message)
    if not key:
        return text
    named = field_name(key)
    return f"{key} ({named}): {text}" if named != key.rsplit(".", 1)[-1] else f"{key}: {text}"


def _vietnamese_validation(message: str) -> str:
    if not message.isascii():
        return message
    found = _EXPECTED.match(message)
    if found:
        wanted, got, op, bound = found.groups()
        text = f"phải là {TYPE_NAMES.get(wanted, wanted)}"
        if op:
            text += " " + _BOUND[op].format(bound.replace(".", ","))
        if got:
            text += f", không phải {TYPE_NAMES.get(got, got)}"
        return text
    found = _EXPECTED_LENGTH.match(message)
    if found:
        wanted, op, bound = found.groups()
        unit = "ký tự" if wanted == "str" else "mục"
        return f"phải là {TYPE_NAMES.get(wanted, wanted)} " + _BOUND[op].format(f"{bound} {unit}")
    found = _NAMED_FIELD.match(message)
    if found:
        what, name = found.groups()
        shown = f"{name} ({FIELD_NAMES[name]})" if name in FIELD_NAMES else name
        return (
            f"thiếu trường {shown}"
            if what.startswith("missing")
            else (f"có trường không được nhận: {shown}")
        )
    lowered = message.casefold()
    if lowered.startswith("json is malformed") or "malformed" in lowered:
        return "nội dung JSON không đúng cú pháp"
    if lowered in ("field required", "missing required field"):
        return "thiếu giá trị"
    if lowered.startswith("missing required"):
        return "thiếu giá trị bắt buộc"
    if "zip" in lowered:
        return "tệp không phải sổ tính Excel (.xlsx) hợp lệ hoặc bị hỏng"
    if lowered.startswith("input should be a valid integer"):
        return "phải là một số nguyên"
    if lowered.startswith("input should be a valid date"):
        return "phải là một ngày (ngày/tháng/năm)"
    if lowered.startswith("input should be"):
        return "giá trị không hợp lệ"
    return "giá trị không hợp lệ"


# The services speak to the command line too; a web user is pointed to the page instead.
_COMMANDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"(?:tạo )?bằng `chamdiem period add [^`]*`"),
        "quản trị hệ thống tạo kỳ ở trang Kỳ đánh giá (/ky)",
    ),
    (
        re.compile(r"chạy `chamdiem rules publish [^`]*` trước"),
        "hãy công bố ở trang Quy tắc (/quy-tac) trước",
    ),
    (
        re.compile(r"nhập bằng `chamdiem import [^`]*`"),
        "hãy nhập ở trang Nhập dữ liệu (/nhap-du-lieu)",
    ),
    (
        re.compile(r"chạy\s+`chamdiem run [^`]*` trước"),
        "hãy chạy đánh giá ở trang Lần đánh giá (/lan-chay/moi) trước",
    ),
    (
        re.compile(r"(?:nạp lại bằng|chạy) `chamdiem org load`(?: trước)?"),
        "nhờ quản trị hệ thống nạp lại danh sách tổ chức",
    ),
    (re.compile(r"chạy `chamdiem db upgrade` trước"), "báo quản trị hệ thống"),
)


def web_words(text: str) -> str:
    """A service's message as a web page says it: no command lines ("tạo bằng `chamdiem
    period add 2026`" -> "quản trị hệ thống tạo kỳ ở trang Kỳ đánh giá (/ky)")."""
    if "`chamdiem " not in text:
        return text
    for pattern, words in _COMMANDS:
        text = pattern.sub(words, text)
    return text


def problem_rows(problems: list[DataProblem]) -> list[dict[str, Any]]:
    return [
        {
            "file": p.file.rsplit("/", 1)[-1],
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "field": p.field,
            "message": web_words(p.message.vi),
        }
        for p in problems
    ]


def _respond(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    *,
    details: list[str] | None = None,
    problems: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    message = web_words(message)
    details = [web_words(detail) for detail in details or []]
    if wants_json(request):
        body: dict[str, Any] = {"status_code": status, "detail": message}
        if details:
            body["details"] = details
        if problems:
            body["problems"] = problems
        if extra:
            body["extra"] = extra
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
    from chamdiem.platform.web.pages import page

    response = page(
        "error.html",
        None,
        title=TITLES.get(status, "Không thực hiện được"),
        status_code=status,
        reason=message,
        details=details or [],
        problems=problems or [],
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status == HTTP_401_UNAUTHORIZED and not wants_json(request):
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        # Only a page read is worth coming back to after signing in.
        back = (
            f"?tiep={quote(target, safe='/')}" if request.method == "GET" and target != "/" else ""
        )
        return Redirect(path=f"/dang-nhap{back}")
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else None
        details = [
            validation_text(str(item.get("key") or ""), str(item.get("message") or ""))
            for item in (extra or [])
            if isinstance(item, dict)
        ]
        return _respond(
            request,
            HTTP_400_BAD_REQUEST,
            "Dữ liệu gửi lên không hợp lệ.",
            details=details,
        )
    headers = dict(exc.headers or {})
    return _respond(request, status, _vietnamese(str(exc.detail), status), headers=headers)


def service_error(request: Request[Any, Any, Any], exc: ServiceError) -> Response[Any]:
    status = HTTP_404_NOT_FOUND if isinstance(exc, NotFound) else HTTP_400_BAD_REQUEST
    if isinstance(exc, FieldErrors) and wants_json(request):  # each message with its field
        return _respond(
            request,
            status,
            "Dữ liệu gửi lên không hợp lệ.",
            details=[f"{name}: {text.vi}" for name, text in exc.fields.items()],
            extra={"fields": {name: text.vi for name, text in exc.fields.items()}},
        )
    return _respond(request, status, exc.message.vi, details=[detail.vi for detail in exc.details])


def data_file_error(request: Request[Any, Any, Any], exc: DataFileError) -> Response[Any]:
    total = len(exc.problems) + exc.omitted
    return _respond(
        request,
        HTTP_400_BAD_REQUEST,
        f"Tệp có {total} lỗi; không lưu gì vào cơ sở dữ liệu.",
        problems=problem_rows(exc.problems),
    )


def unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    LOG.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _respond(request, HTTP_500_INTERNAL_SERVER_ERROR, STATUS_TEXT[500])


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    HTTPException: http_error,
    ServiceError: service_error,
    DataFileError: data_file_error,
    Exception: unexpected,
}
