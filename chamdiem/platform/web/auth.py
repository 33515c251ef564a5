"""Who is asking: a signed-in browser (the session cookie) or a system (an API token in
`Authorization: Bearer …`). The answer is a `Principal` for `access` to decide on.

Pages use the session only (a token sent to a page is ignored); the API, under /api, takes a
token, and the session too for reading (a request that changes something through the API
must carry a token: it is not protected by the forms' CSRF check, and a token cannot be sent
by another site's page).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from sqlmodel import Session

from chamdiem.platform.db.engine import open_session
from chamdiem.platform.db.models import User
from chamdiem.platform.services.accounts import (
    unit_ids_of,
    user_for_session,
    user_for_token,
)
from chamdiem.platform.web.access import FROM_ORGANISATION, Principal, organisation_roots
from chamdiem.platform.web.principals import cache_key
from chamdiem.platform.web.queries import data_stamp
from chamdiem.platform.web.state import web_state

SESSION_COOKIE = "chamdiem_phien"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIGN_IN_NEEDED = "Bạn cần đăng nhập để xem trang này."
BAD_TOKEN = "Mã truy cập API không hợp lệ, đã bị thu hồi, hoặc tài khoản đã bị khóa."
TOKEN_NEEDED = "Thao tác ghi qua API cần mã truy cập (Authorization: Bearer …)."


def provide_db(request: Request[Any, Any, Any]) -> Iterator[Session]:
    """A database session for one request, closed after the response."""
    session = open_session(web_state(request).engine)
    try:
        yield session
    finally:
        session.close()


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def _bearer(request: Request[Any, Any, Any]) -> str | None:
    """The API token of a request under /api. Elsewhere (the pages) a token is ignored: a
    page is read with a session only, so a token copied into a browser signs nobody in."""
    header = request.headers.get("authorization")
    if header is None or not is_api(request.url.path):
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException(BAD_TOKEN)
    return token.strip()


def principal_for(
    user: User, session: Session, request: Request[Any, Any, Any], *, via_token: bool
) -> Principal:
    assert user.id is not None
    tree = web_state(request).units.get(session)
    roots = (
        organisation_roots(session, user.role, user.person_id, tree)
        if user.role in FROM_ORGANISATION
        else unit_ids_of(session, user.id)
    )
    return Principal.of(
        user.id,
        user.username,
        user.display_name,
        user.role,
        roots,
        tree,
        via_token=via_token,
        person_id=user.person_id,
    )


def signed_in(request: Request[Any, Any, Any], session: Session) -> Principal | None:
    """The principal of the request, or None when nobody is signed in. Ends the read
    transaction it used, so that a service called next starts its own."""
    cache = web_state(request).principals
    token = _bearer(request)
    cookie = None if token is not None else request.cookies.get(SESSION_COOKIE)
    if token is None and not cookie:
        return None
    key = cache_key("t", token) if token is not None else cache_key("s", cookie or "")
    try:
        stamp = request_stamp(request, session)
        principal = cache.get(key, stamp)
        if principal is None:
            user = (
                user_for_token(session, token)
                if token is not None
                else user_for_session(session, cookie or "")
            )
            if user is None:
                if token is not None:
                    raise NotAuthorizedException(BAD_TOKEN)
                return None
            principal = principal_for(user, session, request, via_token=token is not None)
            cache.put(key, principal, stamp)
    finally:
        session.commit()
    if token is None and is_api(request.url.path) and request.method not in SAFE_METHODS:
        raise NotAuthorizedException(TOKEN_NEEDED)
    return principal


STAMP_KEY = "chamdiem_stamp"


def request_stamp(request: Request[Any, Any, Any], session: Session) -> int:
    """The data stamp (queries.data_stamp), read once per request: the principal and the
    page caches of one request are checked against the same one."""
    stamp = request.state.get(STAMP_KEY)
    if stamp is None:
        stamp = data_stamp(session)
        request.state[STAMP_KEY] = stamp
    return int(stamp)


def provide_principal(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Principal:
    """The signed-in user; 401 (a page redirects to the sign-in form) when there is none."""
    principal = signed_in(request, db)
    if principal is None:
        raise NotAuthorizedException(SIGN_IN_NEEDED)
    return principal
