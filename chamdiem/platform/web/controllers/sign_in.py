"""Signing in and out, and the front door (`/`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_429_TOO_MANY_REQUESTS,
)
from sqlmodel import Session

from chamdiem.platform.db.models import User
from chamdiem.platform.services.accounts import (
    MIN_PASSWORD,
    authenticate,
    end_session,
    first_sign_in,
    normalise_username,
    password_problem,
    start_session,
)
from chamdiem.platform.services.errors import FieldErrors
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
    return _signed_in(request, db, user, target)


def _signed_in(
    request: Request[Any, Any, Any], db: Session, user: User, target: str
) -> Response[Any]:
    """The user has just signed in: a session, its cookie, and on to `target`."""
    state = web_state(request)
    token = start_session(db, user, hours=state.web.session_hours, actor_ip=_client(request))
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


# ---------------------------------------------------------------- the first sign-in

FIRST = "/dang-nhap-lan-dau"


@dataclass
class FirstSignInForm:
    username: str = ""
    code: str = ""
    password: str = ""
    password2: str = ""


def _first_page(
    username: str = "", errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    return page(
        "first_sign_in.html",
        None,
        title="Đăng nhập lần đầu",
        status_code=status,
        username=username,
        errors=errors or {},
        min_password=MIN_PASSWORD,
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


@get(FIRST, include_in_schema=False)
async def first_sign_in_form(ten: FromQuery[str | None] = None) -> Template:
    """Set one's password with the one-time code the HR officer handed out (a first sign-in,
    or after a password reset)."""
    return _first_page(ten or "")


@post(FIRST, include_in_schema=False)
@in_thread
def first_sign_in_submit(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    data: URLEncodedBody[FirstSignInForm],
) -> Response[Any]:
    state = web_state(request)
    username = normalise_username(data.username)
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "Hãy nhập tên đăng nhập."
    if not data.code.strip():
        errors["code"] = "Hãy nhập mã dùng một lần."
    problem = password_problem(data.password, username or None)
    if problem is not None:
        errors["password"] = _sentence(problem.vi)
    elif data.password != data.password2:
        errors["password2"] = "Hai lần nhập mật khẩu mới không giống nhau."
    if errors:
        return _first_page(data.username, errors, HTTP_400_BAD_REQUEST)
    # A wrong code counts as a wrong password for that name (throttle.py).
    wait = state.throttle.reserve(username, _client(request))
    if wait is not None:
        refused = _first_page(
            data.username, {"code": wait.vietnamese()}, HTTP_429_TOO_MANY_REQUESTS
        )
        refused.headers["Retry-After"] = str(wait.seconds)
        return refused
    try:
        user = first_sign_in(db, username, data.code, data.password)
    except FieldErrors as error:
        db.rollback()
        found = {name: _sentence(text.vi) for name, text in error.fields.items()}
        return _first_page(data.username, found, HTTP_400_BAD_REQUEST)
    state.throttle.succeeded(username)
    return _signed_in(request, db, user, HOME)


@post("/dang-xuat", include_in_schema=False)
@in_thread
def logout(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Response[Any]:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        end_session(db, cookie)
    response: Response[Any] = Redirect(path=f"{LOGIN}?thong_bao=dang-xuat", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
