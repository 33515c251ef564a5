"""Accounts of the web service: users with a role and their units, passwords (argon2 through
argon2-cffi), API tokens and sign-in sessions.

Roles (what each may do is decided in one place, `chamdiem.platform.web.access`):
- admin       everything, including accounts and periods;
- policy      policy staff: write and publish rule versions;
- hr          HR officer: import, run and record decisions for the units of their subtree;
- auditor     read everything, change nothing;
- unit_head   read their own unit (and the units below it).

Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, col, delete, select

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.engine import writing
from chamdiem.platform.db.models import (
    ROLES,
    ApiToken,
    Role,
    Unit,
    User,
    UserUnit,
    WebSession,
    utc_now,
)
from chamdiem.platform.limits import MAX_DISPLAY_NAME, MAX_USERNAME
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import FieldErrors, NotFound, ServiceError, too_long

ROLE_TEXT: dict[str, Text] = {
    "admin": Text("quản trị hệ thống", "administrator"),
    "policy": Text("cán bộ chính sách (soạn, công bố quy tắc)", "policy staff"),
    "hr": Text("cán bộ tổ chức cán bộ", "HR officer"),
    "auditor": Text("thanh tra, kiểm toán (chỉ xem)", "auditor (read only)"),
    "unit_head": Text("thủ trưởng đơn vị", "unit head"),
}
# Roles that only make sense for a part of the organisation.
SCOPED_ROLES: frozenset[str] = frozenset({"hr", "unit_head"})
MIN_PASSWORD = 8
TOKEN_PREFIX = "cdt_"
SESSION_HOURS = 12

_USERNAME = re.compile(rf"[a-z0-9][a-z0-9._-]{{1,{MAX_USERNAME - 1}}}")
_hasher = PasswordHasher()
# Verified when the user does not exist, so that a wrong name takes as long as a wrong
# password (the time a sign-in takes tells nothing about which names exist).
_DUMMY_HASH = _hasher.hash("chamdiem-no-such-user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(username: str) -> str:
    return unicodedata.normalize("NFC", username).strip().lower()


# ---------------------------------------------------------------- users


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not _USERNAME.fullmatch(name):
        shown = username if len(username) <= 40 else username[:39] + "…"
        raise FieldErrors(
            {
                "username": Text(
                    f"tên đăng nhập '{shown}' không hợp lệ: 2–{MAX_USERNAME} ký tự, chỉ chữ "
                    "thường không dấu, chữ số, dấu chấm, gạch ngang, gạch dưới; bắt đầu bằng "
                    "chữ hoặc số",
                    f"invalid user name '{shown}': 2–{MAX_USERNAME} characters, lower-case "
                    "ASCII letters, digits, '.', '-', '_', starting with a letter or digit",
                )
            }
        )
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ServiceError(
            Text(
                f"mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự",
                f"the password needs at least {MIN_PASSWORD} characters",
            )
        )


def _check_role(role: str) -> Role:
    if role not in ROLES:
        listed = ", ".join(ROLES)
        raise ServiceError(
            Text(f"vai trò '{role}' không có; chọn: {listed}", f"no role '{role}'; use: {listed}")
        )
    return role


def _units_by_code(session: Session, codes: Sequence[str]) -> list[Unit]:
    wanted = [unicodedata.normalize("NFC", code).strip() for code in codes if code.strip()]
    found = {u.code: u for u in session.exec(select(Unit).where(col(Unit.code).in_(wanted))).all()}
    missing = [code for code in wanted if code not in found]
    if missing:
        listed = ", ".join(missing)
        raise NotFound(Text(f"không có đơn vị mã {listed}", f"no unit with code {listed}"))
    return [found[code] for code in dict.fromkeys(wanted)]


def add_user(
    session: Session,
    username: str,
    password: str | None,
    role: str,
    unit_codes: Sequence[str] = (),
    display_name: str | None = None,
    *,
    actor: str,
) -> User:
    """Create an account. HR officers and unit heads need at least one unit (the roots of what
    they answer for); the other roles cover the whole province and take none. A user without
    a password can only use the API (with a token)."""
    name = _check_username(username)
    long_name = too_long(
        Text("tên hiển thị", "the display name"), display_name or "", MAX_DISPLAY_NAME
    )
    if long_name is not None:
        raise FieldErrors({"display_name": long_name})
    checked_role = _check_role(role)
    if password is not None:
        _check_password(password)
    if checked_role in SCOPED_ROLES and not unit_codes:
        raise ServiceError(
            Text(
                f"vai trò {checked_role} cần ít nhất một đơn vị (--units)",
                f"role {checked_role} needs at least one unit (--units)",
            )
        )
    if checked_role not in SCOPED_ROLES and unit_codes:
        raise ServiceError(
            Text(
                f"vai trò {checked_role} áp dụng cho toàn tỉnh, không gắn với đơn vị",
                f"role {checked_role} covers the whole province; it takes no units",
            )
        )
    password_hash = hash_password(password) if password is not None else None
    with writing(session):
        if session.exec(select(User).where(User.username == name)).first() is not None:
            raise ServiceError(
                Text(f"tên đăng nhập '{name}' đã có", f"user name '{name}' is taken already")
            )
        units = _units_by_code(session, unit_codes)
        user = User(
            username=name,
            display_name=(display_name or "").strip() or name,
            password_hash=password_hash,
            role=checked_role,
            created_by=actor,
        )
        session.add(user)
        session.flush()
        assert user.id is not None
        for unit in units:
            assert unit.id is not None
            session.add(UserUnit(user_id=user.id, unit_id=unit.id))
        audit.record(
            session,
            actor,
            "user_add",
            "users",
            user.id,
            username=name,
            role=checked_role,
            units=[u.code for u in units],
        )
    return user


def set_password(session: Session, username: str, password: str, *, actor: str) -> User:
    _check_password(password)
    password_hash = hash_password(password)
    with writing(session):
        user = _user(session, username)
        user.password_hash = password_hash
        session.add(user)
        # Every signed-in browser of the user must sign in again with the new password.
        session.exec(delete(WebSession).where(col(WebSession.user_id) == user.id))
        audit.record(session, actor, "user_password", "users", user.id, username=user.username)
    return user


def set_active(session: Session, username: str, active: bool, *, actor: str) -> User:
    with writing(session):
        user = _user(session, username)
        user.active = active
        session.add(user)
        if not active:
            session.exec(delete(WebSession).where(col(WebSession.user_id) == user.id))
        audit.record(
            session, actor, "user_active", "users", user.id, username=user.username, active=active
        )
    return user


def _user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == normalise_username(username))).first()
    if user is None:
        raise NotFound(Text(f"không có người dùng '{username}'", f"there is no user '{username}'"))
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.username))).all())


def unit_ids_of(session: Session, user_id: int) -> list[int]:
    """The roots of the user's part of the organisation."""
    return sorted(session.exec(select(UserUnit.unit_id).where(UserUnit.user_id == user_id)).all())


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (the same time either way)."""
    user = session.exec(select(User).where(User.username == normalise_username(username))).first()
    if user is None or user.password_hash is None:
        password_matches(_DUMMY_HASH, password)
        return None
    if not password_matches(user.password_hash, password) or not user.active:
        return None
    return user


# ---------------------------------------------------------------- API tokens


@dataclass(frozen=True)
class NewToken:
    token: str  # shown once; only its hash is kept
    record: ApiToken


def create_api_token(session: Session, username: str, name: str, *, actor: str) -> NewToken:
    label = name.strip() or "api"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with writing(session):
        user = _user(session, username)
        assert user.id is not None
        record = ApiToken(
            user_id=user.id,
            name=label,
            token_sha256=token_sha256(token),
            prefix=token[:12],
            created_by=actor,
        )
        session.add(record)
        session.flush()
        audit.record(
            session,
            actor,
            "token_create",
            "api_tokens",
            record.id,
            username=user.username,
            name=label,
            prefix=record.prefix,
        )
    return NewToken(token, record)


def revoke_api_token(session: Session, token_id: int, *, actor: str) -> ApiToken:
    with writing(session):
        record = session.get(ApiToken, token_id)
        if record is None:
            raise NotFound(Text(f"không có mã API số {token_id}", f"there is no token {token_id}"))
        if record.revoked_at is None:
            record.revoked_at = utc_now()
            session.add(record)
            audit.record(
                session, actor, "token_revoke", "api_tokens", record.id, prefix=record.prefix
            )
    return record


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id))
        ).all()
    )


def user_for_token(session: Session, token: str) -> User | None:
    """The active user an API token (not revoked) belongs to."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = session.exec(
        select(ApiToken).where(ApiToken.token_sha256 == token_sha256(token))
    ).first()
    if record is None or record.revoked_at is not None:
        return None
    user = session.get(User, record.user_id)
    return user if user is not None and user.active else None


# ---------------------------------------------------------------- sign-in sessions


def start_session(
    session: Session, user: User, *, hours: int = SESSION_HOURS, actor_ip: str | None = None
) -> str:
    """A new session for a user who has just signed in; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    with writing(session):
        assert user.id is not None
        # Expired sessions of anyone are cleared as new ones start (no separate job needed).
        session.exec(delete(WebSession).where(col(WebSession.expires_at) < now))
        session.add(
            WebSession(
                user_id=user.id,
                token_sha256=token_sha256(token),
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
        audit.record(session, user.username, "login", "users", user.id, ip=actor_ip or "unknown")
    return token


def user_for_session(session: Session, token: str) -> User | None:
    record = session.exec(
        select(WebSession).where(WebSession.token_sha256 == token_sha256(token))
    ).first()
    if record is None or _aware(record.expires_at) <= utc_now():
        return None
    user = session.get(User, record.user_id)
    return user if user is not None and user.active else None


def end_session(session: Session, token: str) -> None:
    """Sign out: the session's row goes, and the audit log says so (which also tells every
    process of the web service to forget who the cookie stood for)."""
    with writing(session):
        record = session.exec(
            select(WebSession).where(WebSession.token_sha256 == token_sha256(token))
        ).first()
        if record is not None:
            user = session.get(User, record.user_id)
            session.delete(record)
            audit.record(
                session,
                user.username if user is not None else "?",
                "logout",
                "users",
                record.user_id,
            )


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored as UTC): read them as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
