"""Periods, the audit log and accounts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST
from sqlmodel import Session

from chamdiem.platform.db.codec import loads
from chamdiem.platform.db.models import PERSON_ROLES
from chamdiem.platform.services.accounts import (
    ROLE_TEXT,
    Provisioned,
    add_user,
    create_api_token,
    list_users,
    provision_accounts,
    revoke_api_token,
    set_active,
    set_password,
    tokens_of,
    unit_account_counts,
    unit_ids_of,
)
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.periods import KIND_TEXT, add_period, lock_period
from chamdiem.platform.web import queries
from chamdiem.platform.web.access import (
    FORBIDDEN,
    Action,
    Principal,
    accounts_scope,
    can,
    may_open_accounts,
    require,
)
from chamdiem.platform.web.pages import page
from chamdiem.platform.web.params import IdPath, PageQuery
from chamdiem.platform.web.state import web_state
from chamdiem.platform.web.threads import in_thread

AUDIT_PAGE = 100


# ---------------------------------------------------------------- periods


def _periods(
    db: Session,
    me: Principal,
    *,
    message: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    rows = queries.periods(db)
    db.commit()
    return page(
        "periods.html",
        me,
        title="Kỳ đánh giá",
        message=message,
        status_code=status,
        periods=rows,
        kinds={k: t.vi for k, t in KIND_TEXT.items()},
        error=error,
    )


@get("/ky", include_in_schema=False)
@in_thread
def periods_page(
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    thong_bao: FromQuery[str | None] = None,
) -> Template:
    return _periods(db, me, message=thong_bao)


@dataclass
class PeriodForm:
    code: str = ""


@post("/ky", include_in_schema=False)
@in_thread
def period_add(
    db: NamedDependency[Session], me: NamedDependency[Principal], data: URLEncodedBody[PeriodForm]
) -> Template | Redirect:
    require(me, Action.MANAGE_PERIODS)
    try:
        add_period(db, data.code, actor=me.username)
    except ServiceError as error:
        return _periods(db, me, error=error.message.vi, status=HTTP_400_BAD_REQUEST)
    return Redirect(path="/ky?thong_bao=da-tao-ky", status_code=303)


@post("/ky/{code:str}/khoa", include_in_schema=False)
@in_thread
def period_lock(
    db: NamedDependency[Session], me: NamedDependency[Principal], code: FromPath[str]
) -> Redirect:
    require(me, Action.MANAGE_PERIODS)
    lock_period(db, code, actor=me.username)
    return Redirect(path="/ky?thong_bao=da-khoa-ky", status_code=303)


# ---------------------------------------------------------------- audit log


@get("/nhat-ky", include_in_schema=False)
@in_thread
def audit_page(
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    hanh_dong: FromQuery[str | None] = None,
    trang: PageQuery = 1,
) -> Template:
    require(me, Action.READ_AUDIT)
    number = max(1, trang)
    rows, total = queries.audit_entries(
        db, action=hanh_dong or None, limit=AUDIT_PAGE, offset=(number - 1) * AUDIT_PAGE
    )
    actions = queries.audit_actions(db)
    db.commit()
    entries = [
        {
            "id": row.id,
            "at": row.at,
            "actor": row.actor,
            "action": row.action,
            "entity": row.entity,
            "entity_id": row.entity_id,
            "details": loads(row.details_json),  # shown as "khóa: giá trị" lines
        }
        for row in rows
    ]
    return page(
        "audit.html",
        me,
        title="Nhật ký thao tác",
        entries=entries,
        total=total,
        actions=actions,
        action=hanh_dong or "",
        page_number=number,
        pages=max(1, -(-total // AUDIT_PAGE)),
    )


# ---------------------------------------------------------------- accounts


def _users(
    request: Request[Any, Any, Any],
    db: Session,
    me: Principal,
    *,
    message: str | None = None,
    error: str | None = None,
    new_token: str | None = None,
    provisioned: Provisioned | None = None,
    status: int = 200,
) -> Template:
    """The accounts page: an administrator's hand-made accounts (the people's accounts are
    counted per unit, not listed: there may be tens of thousands), and for an administrator
    or an HR officer the people's accounts per unit of their scope."""
    if not may_open_accounts(me):
        raise PermissionDeniedException(FORBIDDEN)
    tree = web_state(request).units.get(db)
    rows = []
    if can(me, Action.MANAGE_USERS):
        for user in list_users(db, hand_made_only=True):
            assert user.id is not None
            rows.append(
                {
                    "user": user,
                    "units": [tree.code[i] for i in unit_ids_of(db, user.id) if i in tree.code],
                    "tokens": tokens_of(db, user.id),
                }
            )
    person_units = []
    if can(me, Action.PERSON_ACCOUNTS):
        counts = {c.unit_id: c for c in unit_account_counts(db, me.scope)}
        for unit_id in queries.visible_units(tree, me):
            if unit_id in counts:
                person_units.append(
                    {
                        "code": tree.code[unit_id],
                        "name": tree.name[unit_id],
                        **vars(counts[unit_id]),
                    }
                )
    db.commit()
    totals = {
        key: sum(u[key] for u in person_units)
        for key in ("people", "accounts", "signed_up", "open_codes")
    }
    return page(
        "users.html",
        me,
        title="Tài khoản người dùng",
        message=message,
        status_code=status,
        rows=rows,
        roles=[(role, text.vi) for role, text in ROLE_TEXT.items() if role not in PERSON_ROLES],
        error=error,
        new_token=new_token,
        person_units=person_units,
        totals=totals,
        provisioned=provisioned,
    )


@get("/nguoi-dung", include_in_schema=False)
@in_thread
def users_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    thong_bao: FromQuery[str | None] = None,
) -> Template:
    return _users(request, db, me, message=thong_bao)


@post("/nguoi-dung/tao-tu-to-chuc", include_in_schema=False, status_code=200)
@in_thread
def provision(
    request: Request[Any, Any, Any], db: NamedDependency[Session], me: NamedDependency[Principal]
) -> Template:
    """An account for every person of the organisation in the user's scope (the whole
    province for an administrator: a person who left is then deactivated), the counts shown."""
    scope = accounts_scope(me)
    done = provision_accounts(db, actor=me.username, scope=None if scope.is_everything else scope)
    web_state(request).units.forget()
    return _users(request, db, me, provisioned=done)


@dataclass
class UserForm:
    username: str = ""
    display_name: str = ""
    password: str = ""
    role: str = ""
    units: str = ""


@post("/nguoi-dung", include_in_schema=False)
@in_thread
def user_add(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    data: URLEncodedBody[UserForm],
) -> Template | Redirect:
    require(me, Action.MANAGE_USERS)
    codes = [c for c in data.units.replace(";", ",").replace(" ", ",").split(",") if c.strip()]
    try:
        add_user(
            db,
            data.username,
            data.password or None,
            data.role,
            codes,
            data.display_name,
            actor=me.username,
        )
    except ServiceError as error:
        return _users(request, db, me, error=error.message.vi, status=HTTP_400_BAD_REQUEST)
    return Redirect(path="/nguoi-dung?thong_bao=da-tao-nguoi-dung", status_code=303)


@dataclass
class TokenForm:
    name: str = ""


@post("/nguoi-dung/{username:str}/ma-api", include_in_schema=False)
@in_thread
def token_add(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    username: FromPath[str],
    data: URLEncodedBody[TokenForm],
) -> Template:
    require(me, Action.MANAGE_USERS)
    made = create_api_token(db, username, data.name, actor=me.username)
    return _users(request, db, me, new_token=made.token)


@post("/ma-api/{token_id:int}/thu-hoi", include_in_schema=False)
@in_thread
def token_revoke(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    token_id: IdPath,
) -> Redirect:
    require(me, Action.MANAGE_USERS)
    revoke_api_token(db, token_id, actor=me.username)
    return Redirect(path="/nguoi-dung?thong_bao=da-thu-hoi", status_code=303)


@dataclass
class PasswordForm:
    password: str = ""


@post("/nguoi-dung/{username:str}/mat-khau", include_in_schema=False)
@in_thread
def password_set(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    username: FromPath[str],
    data: URLEncodedBody[PasswordForm],
) -> Template | Redirect:
    require(me, Action.MANAGE_USERS)
    try:
        set_password(db, username, data.password, actor=me.username)
    except ServiceError as error:
        return _users(request, db, me, error=error.message.vi, status=HTTP_400_BAD_REQUEST)
    return Redirect(path="/nguoi-dung?thong_bao=da-doi-mat-khau", status_code=303)


@dataclass
class ActiveForm:
    active: str = ""


@post("/nguoi-dung/{username:str}/trang-thai", include_in_schema=False)
@in_thread
def active_set(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    username: FromPath[str],
    data: URLEncodedBody[ActiveForm],
) -> Redirect:
    require(me, Action.MANAGE_USERS)
    active = data.active == "1"
    set_active(db, username, active, actor=me.username)
    note = "da-mo-tai-khoan" if active else "da-khoa-tai-khoan"
    return Redirect(path=f"/nguoi-dung?thong_bao={quote(note)}", status_code=303)
