"""What a user sees when something cannot be done: a page (or, under /api, a JSON object) in
Vietnamese with the reason; never a traceback. A bug is logged on the server with its
traceback and the user is told that it happened and that nothing was half done."""

from __future__ import annotations

import logging
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


def problem_rows(problems: list[DataProblem]) -> list[dict[str, Any]]:
    return [
        {
            "file": p.file.rsplit("/", 1)[-1],
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "field": p.field,
            "message": p.message.vi,
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
            f"{item.get('key', '')}: {item.get('message', '')}".strip(": ")
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
