"""Signing in and out, and the front door (`/`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_401_UNAUTHORIZED, HTTP_429_TOO_MANY_REQUESTS
from sqlmodel import Session

from chamdiem.platform.services.accounts import (
    authenticate,
    end_session,
    normalise_username,
    start_session,
)
from chamdiem.platform.web.auth import SESSION_COOKIE, signed_in
from chamdiem.platform.web.pages import page
from chamdiem.platform.web.state import web_state
from chamdiem.platform.web.threads import in_thread

HOME = "/tong-quan"
LOGIN = "/dang-nhap"


def _local_target(value: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another host)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return HOME


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


@get("/", include_in_schema=False)
@in_thread
def front_door(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Redirect:
    return Redirect(path=HOME if signed_in(request, db) else LOGIN)


@get(LOGIN, include_in_schema=False)
@in_thread
def login_form(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    tiep: FromQuery[str | None] = None,
    thong_bao: FromQuery[str | None] = None,
) -> Template | Redirect:
    if signed_in(request, db) is not None:
        return Redirect(path=_local_target(tiep))
    return page(
        "login.html",
        None,
        title="Đăng nhập",
        message=thong_bao,
        target=_local_target(tiep),
        username="",
        error=None,
    )


@dataclass
class LoginForm:
    username: str = ""
    password: str = ""
    tiep: str = ""


@post(LOGIN, include_in_schema=False)
@in_thread
def login(
    request: Request[Any, Any, Any], db: NamedDependency[Session], data: URLEncodedBody[LoginForm]
) -> Response[Any]:
    state = web_state(request)
    username = normalise_username(data.username)
    address = _client(request)
    target = _local_target(data.tiep)

    def again(error: str, status: int) -> Template:
        return page(
            "login.html",
            None,
            title="Đăng nhập",
            status_code=status,
            target=target,
            username=data.username,
            error=error,
        )

    if not username or not data.password:
        return again("Hãy nhập tên đăng nhập và mật khẩu.", HTTP_401_UNAUTHORIZED)
    # Counted before the password is checked, so parallel attempts cannot pass the limits.
    wait = state.throttle.reserve(username, address)
    if wait is not None:
        refused = again(wait.vietnamese(), HTTP_429_TOO_MANY_REQUESTS)
        refused.headers["Retry-After"] = str(wait.seconds)
        return refused
    user = authenticate(db, username, data.password)
    db.commit()
    if user is None:
        return again("Tên đăng nhập hoặc mật khẩu không đúng.", HTTP_401_UNAUTHORIZED)
    state.throttle.succeeded(username)
    token = start_session(db, user, hours=state.web.session_hours, actor_ip=address)
    response: Response[Any] = Redirect(path=target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=state.web.session_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=state.web.cookie_secure or request.url.scheme == "https",
    )
    return response


@post("/dang-xuat", include_in_schema=False)
@in_thread
def logout(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Response[Any]:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        end_session(db, cookie)
    response: Response[Any] = Redirect(path=f"{LOGIN}?thong_bao=dang-xuat", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
