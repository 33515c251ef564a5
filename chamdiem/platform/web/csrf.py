"""CSRF tokens bound to the session: a form's token is an HMAC (with the secret key) of the
session cookie of the browser it was given to, so a token taken from another session, or
from before signing in, is refused. Before signing in (the sign-in form), the token is bound
to a random visitor cookie instead.

Litestar's own middleware (double submit: any token it signed matches its cookie) would
accept a token read from one browser in any other browser carrying a cookie of its choice.
This one keeps its configuration (`CSRFConfig`: cookie name, exclusions, the field
`_csrf_token` or the header) and the message of a refusal (`errors.py` turns it into
Vietnamese), and fills the same `csrf_input` of the templates.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from chamdiem.platform.web.auth import SESSION_COOKIE

REFUSED = "CSRF token verification failed"


def csrf_token(secret: str, session: str | None, visitor: str | None) -> str | None:
    """The token of forms for a browser with this session cookie (else visitor cookie)."""
    if session:
        binding = "session:" + hashlib.sha256(session.encode()).hexdigest()
    elif visitor:
        binding = "visitor:" + visitor
    else:
        return None
    return hmac.new(secret.encode(), binding.encode(), hashlib.sha256).hexdigest()


class SessionCsrfMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or should_bypass_middleware(
            scope=scope,
            scopes=self.scopes,
            exclude_opt_key=self.config.exclude_from_csrf_key,
            exclude_path_pattern=self.exclude,
        ):
            await self.app(scope, receive, send)
            return
        request: Any = scope["litestar_app"].request_class(scope=scope, receive=receive)
        session = request.cookies.get(SESSION_COOKIE) or None
        visitor = request.cookies.get(self.config.cookie_name) or None
        state = ScopeState.from_scope(scope)
        if request.method in self.config.safe_methods:
            new_visitor = None
            if session is None and visitor is None:
                new_visitor = visitor = secrets.token_urlsafe(32)
            state.csrf_token = csrf_token(self.config.secret, session, visitor) or ""
            if new_visitor is None:
                await self.app(scope, receive, send)
            else:  # the visitor cookie goes with the page
                wrapped = self.create_send_wrapper(send=send, token=new_visitor, csrf_cookie=None)
                await self.app(scope, receive, wrapped)
            return
        sent = request.headers.get(self.config.header_name)
        content_type, _ = request.content_type
        if not sent and content_type in {
            RequestEncodingType.URL_ENCODED,
            RequestEncodingType.MULTI_PART,
        }:
            form = await request.form()
            sent = form.get("_csrf_token", None)
        expected = csrf_token(self.config.secret, session, visitor)
        if (
            not isinstance(sent, str)
            or not sent.isascii()
            or expected is None
            or not hmac.compare_digest(sent, expected)
        ):
            raise PermissionDeniedException(REFUSED)
        state.csrf_token = sent
        await self.app(scope, receive, send)
