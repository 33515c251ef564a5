"""The API's description: OpenAPI at /schema/openapi.json, and at /schema a plain page listing
the operations (the usual documentation viewers load scripts from the internet, which the
province's closed network does not reach and which we do not ship)."""

from __future__ import annotations

import html
from typing import Any

from litestar import Request
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

import chamdiem

METHODS = ("get", "post", "put", "patch", "delete")


class OperationsPage(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        rows: list[str] = []
        for path, item in sorted(openapi_schema.get("paths", {}).items()):
            for method in METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                rows.append(
                    "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>".format(
                        method.upper(),
                        html.escape(path),
                        html.escape(operation.get("summary", "")),
                    )
                )
        title = html.escape(openapi_schema.get("info", {}).get("title", "API"))
        page = f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body><main><h1>{title}</h1>
<p>Mô tả đầy đủ theo chuẩn OpenAPI: <a href="/schema/openapi.json">/schema/openapi.json</a>.
Xác thực: tiêu đề <code>Authorization: Bearer &lt;mã truy cập&gt;</code> (quản trị hệ thống cấp
mã ở trang Tài khoản).</p>
<table class="grid"><thead><tr><th>Phương thức</th><th>Đường dẫn</th><th>Mô tả</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></main></body></html>"""
        return page.encode("utf-8")


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Chấm điểm — API đánh giá, xếp loại",
        version=chamdiem.__version__,
        description=(
            "Gửi dữ liệu đầu vào của một kỳ, chạy đánh giá, đọc kết quả và lời giải thích. "
            "Quyền theo người dùng của mã truy cập: chỉ thấy các đơn vị mình phụ trách."
        ),
        path="/schema",
        render_plugins=[OperationsPage(), JsonRenderPlugin()],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(
                    type="http", scheme="bearer", description="Mã truy cập API (cdt_…)"
                )
            }
        ),
    )
