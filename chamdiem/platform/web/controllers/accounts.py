"""The accounts of the people of the organisation, for an HR officer (their units) and an
administrator (everyone): make them from the organisation load, hand out one-time codes for a
unit (a page to print, or a workbook), reset one person's password to a new code.

A code is shown once, on the page (or in the workbook) that issued it: only its hash is kept.
Every access decision is `web.access`'s: a unit or a person outside the user's scope is not
found (404), a role without the right is refused (403)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template
from litestar.status_codes import HTTP_400_BAD_REQUEST
from sqlmodel import Session

from chamdiem.platform.excel.xlsx import write_workbook
from chamdiem.platform.services.accounts import (
    CODE_DAYS,
    IssuedCode,
    issue_codes,
    unit_people_accounts,
)
from chamdiem.platform.services.errors import NotFound
from chamdiem.platform.web import queries
from chamdiem.platform.web.access import Action, Principal, accounts_scope, require_unit
from chamdiem.platform.web.downloads import xlsx_download
from chamdiem.platform.web.pages import local_time, page
from chamdiem.platform.web.state import web_state
from chamdiem.platform.web.threads import in_thread

CODES_HEADER = ["Họ và tên", "Đơn vị", "Tên đăng nhập", "Mã dùng một lần", "Hết hạn"]


def _unit_page(
    request: Request[Any, Any, Any],
    db: Session,
    me: Principal,
    code: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Template:
    tree = web_state(request).units.get(db)
    unit_id = queries.unit_by_code(tree, me, code)  # 404 outside the reader's scope
    require_unit(me, unit_id, Action.PERSON_ACCOUNTS)
    people = unit_people_accounts(db, unit_id)
    db.commit()
    return page(
        "unit_accounts.html",
        me,
        title=f"Tài khoản — {tree.name[unit_id]}",
        status_code=status,
        unit_code=code,
        unit_name=tree.name[unit_id],
        people=people,
        with_account=sum(1 for p in people if p.username is not None and p.active),
        days=CODE_DAYS,
        error=error,
    )


@get("/nguoi-dung/don-vi/{code:str}", include_in_schema=False)
@in_thread
def unit_accounts(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    code: FromPath[str],
) -> Template:
    """A unit's people and their accounts, with the forms that hand out codes."""
    return _unit_page(request, db, me, code)


@dataclass
class CodesForm:
    dang: str = "in"  # "in": a page to print; "excel": a workbook


def _codes_page(me: Principal, issued: Sequence[IssuedCode], title: str, back: str) -> Template:
    return page(
        "codes.html",
        me,
        title=title,
        issued=issued,
        back=back,
        expires=local_time(issued[0].expires_at) if issued else "",
    )


def _codes_workbook(issued: Sequence[IssuedCode], name: str) -> Response[bytes]:
    rows: list[list[object]] = [list(CODES_HEADER)]
    rows += [[i.name, i.unit or "", i.username, i.code, local_time(i.expires_at)] for i in issued]

    def write(path: Path) -> None:
        write_workbook(path, [("Mã đăng nhập", rows)])

    return xlsx_download(write, name)


@post("/nguoi-dung/don-vi/{code:str}/ma-dang-nhap", include_in_schema=False, status_code=200)
@in_thread
def unit_codes(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    code: FromPath[str],
    data: URLEncodedBody[CodesForm],
) -> Template | Response[bytes]:
    """New one-time codes for every person of the unit with an account (their earlier codes
    stop working): a page to print, or a workbook."""
    tree = web_state(request).units.get(db)
    unit_id = queries.unit_by_code(tree, me, code)
    require_unit(me, unit_id, Action.PERSON_ACCOUNTS)
    try:
        issued = issue_codes(db, actor=me.username, scope=accounts_scope(me), unit_code=code)
    except NotFound:  # the unit is in scope (checked above): nobody in it has an account
        db.rollback()
        return _unit_page(
            request,
            db,
            me,
            code,
            error="Chưa ai trong đơn vị có tài khoản: hãy tạo tài khoản cho mọi người trước.",
            status=HTTP_400_BAD_REQUEST,
        )
    if data.dang == "excel":
        return _codes_workbook(issued, f"ma_dang_nhap_{code}")
    return _codes_page(
        me,
        issued,
        f"Mã đăng nhập lần đầu — {tree.name[unit_id]}",
        f"/nguoi-dung/don-vi/{quote(code, safe='')}",
    )


@post("/nguoi-dung/{username:str}/dat-lai", include_in_schema=False, status_code=200)
@in_thread
def reset_password(
    db: NamedDependency[Session], me: NamedDependency[Principal], username: FromPath[str]
) -> Template:
    """A person's password reset: a new one-time code, with which they set a new password
    (the old one works until then). A person outside the user's scope is not found."""
    issued = issue_codes(db, actor=me.username, scope=accounts_scope(me), username=username)
    unit = issued[0].unit_code
    return _codes_page(
        me,
        issued,
        f"Đặt lại mật khẩu — {issued[0].name}",
        f"/nguoi-dung/don-vi/{quote(unit, safe='')}" if unit else "/nguoi-dung",
    )
