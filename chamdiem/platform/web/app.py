"""The web application: `create_app(settings)` builds it on the same settings, database and
services as the command line (`chamdiem serve` runs it on uvicorn)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from litestar import Litestar, Response
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy import Engine

from chamdiem.platform.db.engine import make_engine, open_session
from chamdiem.platform.db.migrate import schema_problem
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.settings import Settings
from chamdiem.platform.web.auth import provide_db, provide_principal
from chamdiem.platform.web.config import WebSettings, secret_key
from chamdiem.platform.web.controllers import (
    accounts,
    admin,
    browse,
    imports,
    jobs,
    results,
    rules,
    runs,
    sign_in,
)
from chamdiem.platform.web.controllers.api import ApiController
from chamdiem.platform.web.csrf import SessionCsrfMiddleware
from chamdiem.platform.web.errors import EXCEPTION_HANDLERS
from chamdiem.platform.web.fragments import FragmentCache
from chamdiem.platform.web.jobs import JobRegistry
from chamdiem.platform.web.openapi import openapi_config
from chamdiem.platform.web.pages import make_environment
from chamdiem.platform.web.principals import PrincipalCache
from chamdiem.platform.web.queries import warm_grades
from chamdiem.platform.web.state import STATE_KEY, Uploads, WebState
from chamdiem.platform.web.threads import in_thread, set_threads
from chamdiem.platform.web.throttle import LoginThrottle

LOG = logging.getLogger("chamdiem.web")
STATIC = Path(__file__).parent / "static"
CSRF_COOKIE = "chamdiem_csrf"
SECURITY_HEADERS = {
    # Every script and stylesheet is ours and served from /static: nothing else may run.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

ROUTES: list[Any] = [
    sign_in.front_door,
    sign_in.login_form,
    sign_in.login,
    sign_in.logout,
    sign_in.first_sign_in_form,
    sign_in.first_sign_in_submit,
    browse.dashboard,
    browse.units,
    browse.unit_page,
    browse.search,
    browse.person_page,
    results.runs_page,
    results.run_page,
    results.result_page,
    results.decide,
    results.report,
    runs.run_form,
    runs.start,
    imports.import_form,
    imports.template_download,
    imports.upload,
    imports.confirm,
    imports.cancel,
    jobs.job_page,
    jobs.job_status,
    jobs.job_cancel,
    rules.rules_page,
    rules.rule_page,
    rules.compare,
    rules.impact_page,
    rules.documentation_index,
    rules.documentation_page,
    rules.publish,
    admin.periods_page,
    admin.period_add,
    admin.period_lock,
    admin.audit_page,
    admin.users_page,
    admin.user_add,
    admin.token_add,
    admin.token_revoke,
    admin.password_set,
    admin.active_set,
    admin.provision,
    accounts.unit_accounts,
    accounts.unit_codes,
    accounts.reset_password,
    ApiController,
]


def require_current_schema(engine: Engine) -> None:
    """Refuse to serve a database that `chamdiem db upgrade` has not brought up to date."""
    problem = schema_problem(engine)
    if problem is not None:
        raise ServiceError(problem)


def prepare_service(settings: Settings | None = None, web: WebSettings | None = None) -> None:
    """What `chamdiem serve` does once, before it starts the processes that serve: refuse
    a database that is not up to date, make the secret key if there is none, and mark failed
    the jobs that this machine's processes left unfinished when the service last stopped."""
    settings = settings or Settings()
    web = web or WebSettings()
    engine = make_engine(settings.database())
    try:
        require_current_schema(engine)
        secret_key(settings, web)
        JobRegistry(engine).fail_abandoned(every=True)
    finally:
        engine.dispose()


async def _security_headers(response: Response[Any]) -> Response[Any]:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(
    settings: Settings | None = None,
    web: WebSettings | None = None,
    *,
    engine: Engine | None = None,
) -> Litestar:
    """The app on `settings` (default: from the environment). An `engine` given is used as
    is (tests share theirs); otherwise one is made from the settings and disposed of at
    shutdown. The database must be at the latest migration."""
    settings = settings or Settings()
    web = web or WebSettings()
    owns_engine = engine is None
    engine = engine or make_engine(settings.database())
    require_current_schema(engine)
    set_threads(web.web_threads)
    templates = make_environment()
    state = WebState(
        settings=settings,
        web=web,
        engine=engine,
        jobs=JobRegistry(
            engine,
            web.job_workers,
            time_limit=settings.job_time_limit_seconds,
            per_account=settings.jobs_per_account,
        ),
        throttle=LoginThrottle(
            engine,
            free=web.sign_in_free_failures,
            first_delay=web.sign_in_first_delay_seconds,
            max_delay=web.sign_in_max_delay_seconds,
            per_address=web.sign_in_address_failures,
        ),
        uploads=Uploads(engine),
        owns_engine=owns_engine,
        principals=PrincipalCache(web.principal_cache_seconds),
        templates=templates,
        fragments=FragmentCache(web.fragment_cache_entries),
    )

    def startup() -> None:
        state.jobs.fail_abandoned()
        try:
            with open_session(engine) as session:
                warm_grades(session)
        except Exception:  # a page compiles on demand anyway: never refuse to start for it
            LOG.warning("rule versions not compiled ahead", exc_info=True)

    def shutdown() -> None:
        state.jobs.shutdown()
        if state.owns_engine:
            state.engine.dispose()

    return Litestar(
        route_handlers=[
            *ROUTES,
            create_static_files_router(path="/static", directories=[STATIC], name="static"),
        ],
        dependencies={
            "db": Provide(provide_db),
            "me": Provide(in_thread(provide_principal)),
        },
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(templates)),
        middleware=[
            DefineMiddleware(
                # Forms' tokens bound to the session (csrf.py).
                SessionCsrfMiddleware,
                config=CSRFConfig(
                    secret=secret_key(settings, web),
                    cookie_name=CSRF_COOKIE,
                    cookie_secure=web.cookie_secure,
                    cookie_httponly=True,
                    cookie_samesite="lax",
                    # The API takes no cookie for a change (a token is needed), so no form
                    # can forge one.
                    exclude=["/api"],
                ),
            )
        ],
        openapi_config=openapi_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        after_request=_security_headers,
        on_startup=[startup],
        on_shutdown=[shutdown],
        state=State({STATE_KEY: state}),
        request_max_body_size=web.max_upload_mb * 1024 * 1024,
        debug=False,
    )
