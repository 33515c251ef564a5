"""Accounts of the web service: users with a role and their units, passwords (argon2 through
argon2-cffi), API tokens and sign-in sessions.

Roles (what each may do is decided in one place, `chamdiem.platform.web.access`):
- admin       everything, including accounts and periods;
- policy      policy staff: write and publish rule versions;
- hr          HR officer: import, run and record decisions for the units of their subtree;
- auditor     read everything, change nothing;
- unit_head   read their own unit (and the units below it);
and, for the accounts made from the organisation load (`provision_accounts`), one per person:
- leader         the head of a body (cơ quan): reads the body;
- manager        a head or deputy of a unit: reads the people of the units they lead;
- civil_servant  everyone else: reads their own data and results only.
These start without a password: the HR officer hands out a one-time code (`issue_codes`),
with which the person sets their password (`first_sign_in`); a reset is a new code.

Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, col, delete, select

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.bulk import bulk_insert
from chamdiem.platform.db.engine import writing
from chamdiem.platform.db.models import (
    PERSON_ROLES,
    ROLES,
    ApiToken,
    OneTimeCode,
    Role,
    Unit,
    User,
    UserUnit,
    WebSession,
    utc_now,
)
from chamdiem.platform.db.tables import (
    one_time_codes_t,
    people_t,
    units_t,
    users_t,
    web_sessions_t,
)
from chamdiem.platform.limits import MAX_DISPLAY_NAME, MAX_USERNAME
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import FieldErrors, NotFound, ServiceError, too_long
from chamdiem.platform.services.scope import Scope, body_of

ROLE_TEXT: dict[str, Text] = {
    "admin": Text("quản trị hệ thống", "administrator"),
    "policy": Text("cán bộ chính sách (soạn, công bố quy tắc)", "policy staff"),
    "hr": Text("cán bộ tổ chức cán bộ", "HR officer"),
    "auditor": Text("thanh tra, kiểm toán (chỉ xem)", "auditor (read only)"),
    "unit_head": Text("thủ trưởng đơn vị", "unit head"),
    "leader": Text("người đứng đầu cơ quan", "head of a body"),
    "manager": Text("trưởng, phó đơn vị", "head or deputy of a unit"),
    "civil_servant": Text("công chức, viên chức", "civil servant"),
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


def password_problem(password: str, username: str | None = None) -> Text | None:
    """What is wrong with a new password, or None: the one place of the password rules (at
    least MIN_PASSWORD characters, not the user name, not only digits)."""
    if len(password) < MIN_PASSWORD:
        return Text(
            f"mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự",
            f"the password needs at least {MIN_PASSWORD} characters",
        )
    if username is not None and password.strip().lower() == normalise_username(username):
        return Text(
            "mật khẩu không được trùng tên đăng nhập", "the password may not be the user name"
        )
    if password.isdigit():
        return Text(
            "mật khẩu không được chỉ gồm chữ số", "the password may not be made of digits only"
        )
    return None


def _check_password(password: str, username: str | None = None) -> None:
    problem = password_problem(password, username)
    if problem is not None:
        raise FieldErrors({"password": problem})


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
        _check_password(password, name)
    if checked_role in PERSON_ROLES:
        raise ServiceError(
            Text(
                f"tài khoản vai trò {checked_role} được tạo từ dữ liệu tổ chức "
                "(chamdiem user provision), không tạo tay",
                f"accounts of role {checked_role} are made from the organisation load "
                "(chamdiem user provision), not by hand",
            )
        )
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
    _check_password(password, username)
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


def list_users(session: Session, *, hand_made_only: bool = False) -> list[User]:
    """Every account, or (`hand_made_only`) those that are no person's (the accounts made
    from the organisation load are shown per unit: there may be tens of thousands)."""
    statement = select(User).order_by(col(User.username))
    if hand_made_only:
        statement = statement.where(col(User.person_id).is_(None))
    return list(session.exec(statement).all())


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


# ---------------------------------------------------------------- accounts of every person

CODE_DAYS = 14
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed again
_CODE_LENGTH = 10
_BAD_CODE = Text(
    "tên đăng nhập hoặc mã dùng một lần không đúng, đã dùng hoặc đã hết hạn",
    "wrong user name or one-time code, or the code was used or has expired",
)


@dataclass
class Provisioned:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0
    # Person codes that could not become a user name, or whose user name a hand-made
    # account already has.
    skipped: list[str] = field(default_factory=list)


def person_roles(session: Session) -> dict[int, Role]:
    """Each person's role, from the organisation: the head of a body (named as the head of
    the body's unit, or marked head while in the body's unit itself) is its leader; a head or
    deputy of a unit (or the person named as a unit's head) a manager; anyone else a civil
    servant."""
    connection = session.connection()
    units = connection.execute(
        sa.select(units_t.c.id, units_t.c.parent_id, units_t.c.head_id)
    ).all()
    parent = {row.id: row.parent_id for row in units}
    bodies = {body_of(parent, row.id) for row in units}
    body_heads = {row.head_id for row in units if row.id in bodies and row.head_id is not None}
    unit_heads = {row.head_id for row in units if row.head_id is not None}
    roles: dict[int, Role] = {}
    for person in connection.execute(
        sa.select(people_t.c.id, people_t.c.unit_id, people_t.c.is_head, people_t.c.is_deputy)
    ):
        if person.id in body_heads or (person.is_head and person.unit_id in bodies):
            roles[person.id] = "leader"
        elif person.id in unit_heads or person.is_head or person.is_deputy:
            roles[person.id] = "manager"
        else:
            roles[person.id] = "civil_servant"
    return roles


def provision_accounts(session: Session, *, actor: str, scope: Scope | None = None) -> Provisioned:
    """One account per person of the organisation (in `scope`; everyone when None): user
    name the person's code in lower case, the role from the organisation (`person_roles`),
    no password (a one-time code sets it). Running it again changes only what the
    organisation changed: a new person gets an account, a changed role or name is updated,
    a person who left (no longer in a unit) is deactivated, never deleted. Bulk-inserted."""
    outcome = Provisioned()
    now = utc_now()
    with writing(session):
        connection = session.connection()
        roles = person_roles(session)
        people = {
            row.id: row
            for row in connection.execute(
                sa.select(people_t.c.id, people_t.c.code, people_t.c.name, people_t.c.unit_id)
            )
            if scope is None or scope.has_unit(row.unit_id)
        }
        accounts = {
            row.person_id: row
            for row in connection.execute(
                sa.select(
                    users_t.c.id,
                    users_t.c.person_id,
                    users_t.c.role,
                    users_t.c.display_name,
                    users_t.c.active,
                ).where(users_t.c.person_id.is_not(None))
            )
        }
        taken = set(connection.execute(sa.select(users_t.c.username)).scalars())
        inserts: list[tuple[object, ...]] = []
        updates: list[dict[str, object]] = []
        for person_id, person in people.items():
            role = roles[person_id]
            name = person.name or person.code
            account = accounts.get(person_id)
            if account is None:
                if person.unit_id is None:
                    continue  # not working anywhere: no account to make
                username = normalise_username(person.code)
                if not _USERNAME.fullmatch(username) or username in taken:
                    outcome.skipped.append(person.code)
                    continue
                taken.add(username)
                inserts.append((username, name, None, role, True, now, actor, person_id))
                continue
            active = person.unit_id is not None and account.active
            if (account.role, account.display_name, account.active) == (role, name, active):
                outcome.unchanged += 1
                continue
            if account.active and not active:
                outcome.deactivated += 1
            else:
                outcome.updated += 1
            updates.append({"b_id": account.id, "b_role": role, "b_name": name, "b_active": active})
        # A person no longer in the organisation at all.
        gone = [
            row.id
            for person_id, row in accounts.items()
            if person_id not in people and row.active and scope is None
        ]
        columns = (
            "username",
            "display_name",
            "password_hash",
            "role",
            "active",
            "created_at",
            "created_by",
            "person_id",
        )
        bulk_insert(connection, users_t, columns, inserts)
        if updates:
            connection.execute(
                sa.update(users_t)
                .where(users_t.c.id == sa.bindparam("b_id"))
                .values(
                    role=sa.bindparam("b_role"),
                    display_name=sa.bindparam("b_name"),
                    active=sa.bindparam("b_active"),
                ),
                updates,
            )
        if gone:
            connection.execute(
                sa.update(users_t).where(users_t.c.id.in_(gone)).values(active=False)
            )
            outcome.deactivated += len(gone)
        stopped = [u["b_id"] for u in updates if not u["b_active"]] + gone
        if stopped:
            connection.execute(
                sa.delete(web_sessions_t).where(web_sessions_t.c.user_id.in_(stopped))
            )
        outcome.created = len(inserts)
        audit.record(
            session,
            actor,
            "users_provision",
            "users",
            None,
            created=outcome.created,
            updated=outcome.updated,
            deactivated=outcome.deactivated,
            skipped=len(outcome.skipped),
        )
    return outcome


@dataclass(frozen=True)
class IssuedCode:
    """A one-time code handed to a person (shown once: only its hash is kept)."""

    username: str
    name: str
    unit: str | None
    code: str
    expires_at: datetime
    unit_code: str | None = None


def code_sha256(code: str) -> str:
    """The hash a code is kept as: spaces, dashes and case do not matter when typed."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return token_sha256(cleaned)


def _new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def issue_codes(
    session: Session,
    *,
    actor: str,
    scope: Scope,
    unit_code: str | None = None,
    username: str | None = None,
    days: int = CODE_DAYS,
) -> list[IssuedCode]:
    """New one-time codes for the people of a unit (`unit_code`) or for one person
    (`username`: a password reset), within `scope`: a unit or a person outside it is not
    found. A person's earlier codes stop working. Audited (without the codes)."""
    now = utc_now()
    expires = now + timedelta(days=days)
    with writing(session):
        connection = session.connection()
        statement = (
            sa.select(
                users_t.c.id,
                users_t.c.username,
                users_t.c.display_name,
                people_t.c.unit_id,
                units_t.c.code.label("unit"),
                units_t.c.name.label("unit_name"),
            )
            .select_from(
                users_t.join(people_t, people_t.c.id == users_t.c.person_id).outerjoin(
                    units_t, units_t.c.id == people_t.c.unit_id
                )
            )
            .where(users_t.c.active.is_(True))
            .order_by(users_t.c.username)
        )
        if username is not None:
            statement = statement.where(users_t.c.username == normalise_username(username))
            what = Text(f"không có người dùng '{username}'", f"there is no user '{username}'")
        else:
            statement = statement.where(units_t.c.code == (unit_code or "").strip())
            what = Text(f"không có đơn vị mã '{unit_code}'", f"no unit with code '{unit_code}'")
        rows = [row for row in connection.execute(statement) if scope.has_unit(row.unit_id)]
        if not rows:
            raise NotFound(what)
        ids = [row.id for row in rows]
        connection.execute(
            sa.update(one_time_codes_t)
            .where(one_time_codes_t.c.user_id.in_(ids), one_time_codes_t.c.used_at.is_(None))
            .values(used_at=now)
        )
        issued: list[IssuedCode] = []
        inserts: list[tuple[object, ...]] = []
        for row in rows:
            code = _new_code()
            inserts.append((row.id, code_sha256(code), now, actor, expires))
            issued.append(
                IssuedCode(row.username, row.display_name, row.unit_name, code, expires, row.unit)
            )
        bulk_insert(
            connection,
            one_time_codes_t,
            ("user_id", "code_sha256", "created_at", "created_by", "expires_at"),
            inserts,
        )
        audit.record(
            session,
            actor,
            "user_code" if username is not None else "user_codes",
            "users",
            rows[0].id if username is not None else None,
            usernames=[row.username for row in rows][:50],
            count=len(rows),
            unit=unit_code,
        )
    return issued


def first_sign_in(session: Session, username: str, code: str, password: str) -> User:
    """Set one's password with a one-time code (a first sign-in, or after a reset): the code
    must be this user's, unused and not expired; it is then used. The password follows the
    rules (`password_problem`). Every signed-in browser of the user is signed out."""
    name = normalise_username(username)
    _check_password(password, name)
    password_hash = hash_password(password)
    now = utc_now()
    with writing(session):
        user = session.exec(select(User).where(User.username == name)).first()
        record = None
        if user is not None and user.active:
            record = session.exec(
                select(OneTimeCode).where(
                    OneTimeCode.user_id == user.id,
                    OneTimeCode.code_sha256 == code_sha256(code),
                )
            ).first()
        if (
            user is None
            or record is None
            or record.used_at is not None
            or _aware(record.expires_at) <= now
        ):
            raise FieldErrors({"code": _BAD_CODE})
        record.used_at = now
        user.password_hash = password_hash
        session.add(record)
        session.add(user)
        session.exec(delete(WebSession).where(col(WebSession.user_id) == user.id))
        audit.record(session, user.username, "user_first_sign_in", "users", user.id)
    return user


# ---------------------------------------------------------------- what the accounts pages show


@dataclass(frozen=True)
class UnitAccounts:
    """A unit's people and their accounts, counted (the unit's own people, not those below)."""

    unit_id: int
    people: int
    accounts: int  # active accounts of its people
    signed_up: int  # of them, with a password set
    open_codes: int  # of them, with a one-time code still usable


@dataclass(frozen=True)
class PersonAccount:
    """One person of a unit and their account (None when they have none yet)."""

    person_code: str
    name: str
    username: str | None
    role: str | None
    active: bool
    has_password: bool
    code_expires: datetime | None  # the latest usable one-time code's expiry


def _open_codes(now: datetime) -> sa.Subquery:
    return (
        sa.select(
            one_time_codes_t.c.user_id,
            sa.func.max(one_time_codes_t.c.expires_at).label("expires_at"),
        )
        .where(one_time_codes_t.c.used_at.is_(None), one_time_codes_t.c.expires_at > now)
        .group_by(one_time_codes_t.c.user_id)
        .subquery()
    )


def unit_account_counts(session: Session, scope: Scope) -> list[UnitAccounts]:
    """Per unit in `scope` with people, how many have an account, a password, a usable code."""
    codes = _open_codes(utc_now())
    active = sa.and_(users_t.c.id.is_not(None), users_t.c.active.is_(True))
    statement = (
        sa.select(
            people_t.c.unit_id,
            sa.func.count(people_t.c.id),
            sa.func.count(sa.case((active, 1))),
            sa.func.count(sa.case((sa.and_(active, users_t.c.password_hash.is_not(None)), 1))),
            sa.func.count(sa.case((sa.and_(active, codes.c.user_id.is_not(None)), 1))),
        )
        .select_from(
            people_t.outerjoin(users_t, users_t.c.person_id == people_t.c.id).outerjoin(
                codes, codes.c.user_id == users_t.c.id
            )
        )
        .where(people_t.c.unit_id.is_not(None), scope.unit_id_filter(people_t.c.unit_id))
        .group_by(people_t.c.unit_id)
    )
    return [UnitAccounts(*row) for row in session.connection().execute(statement)]


def unit_people_accounts(session: Session, unit_id: int) -> list[PersonAccount]:
    """The people of one unit (the caller has checked it is in scope) and their accounts."""
    codes = _open_codes(utc_now())
    statement = (
        sa.select(
            people_t.c.code,
            people_t.c.name,
            users_t.c.username,
            users_t.c.role,
            users_t.c.active,
            users_t.c.password_hash.is_not(None).label("has_password"),
            codes.c.expires_at,
        )
        .select_from(
            people_t.outerjoin(users_t, users_t.c.person_id == people_t.c.id).outerjoin(
                codes, codes.c.user_id == users_t.c.id
            )
        )
        .where(people_t.c.unit_id == unit_id)
        .order_by(people_t.c.code)
    )
    return [
        PersonAccount(
            row.code,
            row.name or row.code,
            row.username,
            row.role,
            bool(row.active),
            bool(row.username is not None and row.has_password),
            None if row.expires_at is None else _aware(row.expires_at),
        )
        for row in session.connection().execute(statement)
    ]
