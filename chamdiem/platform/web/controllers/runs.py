"""Starting a run: choose the period, the rule sets and the units; the run goes to the
background and the job page follows it."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_403_FORBIDDEN
from sqlmodel import Session

from chamdiem.platform.web import queries
from chamdiem.platform.web.access import Action, Principal, require
from chamdiem.platform.web.pages import page
from chamdiem.platform.web.running import NO_UNITS, run_scope, start_run
from chamdiem.platform.web.state import web_state
from chamdiem.platform.web.threads import in_thread


def _form(
    request: Request[Any, Any, Any],
    db: Session,
    me: Principal,
    *,
    period: str = "",
    rules: list[str] | None = None,
    units: list[str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    tree = web_state(request).units.get(db)
    periods = queries.periods(db)
    versions = queries.rule_versions(db)
    db.commit()
    choices = queries.visible_units(tree, me)
    default_units = [tree.code[i] for i in me.root_unit_ids if i in tree.code]
    return page(
        "run_new.html",
        me,
        title="Chạy đánh giá",
        status_code=status,
        periods=periods,
        rulesets=sorted({(v.name, v.title, v.period_kind) for v in versions}),
        units=[(tree.code[i], tree.name[i], len(tree.path(i)) - 1) for i in choices],
        period=period or (periods[0].code if periods else ""),
        chosen_rules=rules or [],
        chosen_units=units if units is not None else default_units,
        error=error or (NO_UNITS if me.scope.is_nothing else None),
    )


@get("/lan-chay/moi", include_in_schema=False)
@in_thread
def run_form(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    ky: FromQuery[str | None] = None,
) -> Template:
    require(me, Action.RUN)
    return _form(request, db, me, period=ky or "")


@post("/lan-chay/moi", include_in_schema=False)
async def start(
    request: Request[Any, Any, Any], db: NamedDependency[Session], me: NamedDependency[Principal]
) -> Template | Redirect:
    require(me, Action.RUN)
    form = await request.form()
    period = str(form.get("period") or "").strip()
    rules = [str(r) for r in form.getall("rules")] if "rules" in form else []
    units = [str(u) for u in form.getall("units")] if "units" in form else []
    state = web_state(request)

    def begin() -> Template | Redirect:
        if not period:
            return _form(
                request,
                db,
                me,
                rules=rules,
                units=units,
                error="Hãy chọn kỳ đánh giá.",
                status=HTTP_400_BAD_REQUEST,
            )
        tree = state.units.get(db)
        db.commit()
        try:
            scope = run_scope(me, tree, units)
        except (NotFoundException, PermissionDeniedException) as refused:
            return _form(
                request,
                db,
                me,
                period=period,
                rules=rules,
                units=units,
                error=str(refused.detail),
                status=(
                    HTTP_400_BAD_REQUEST
                    if isinstance(refused, NotFoundException)
                    else HTTP_403_FORBIDDEN
                ),
            )
        job_id = start_run(state.jobs, state.engine, me, period, rules, scope)
        return Redirect(path=f"/cong-viec/{job_id}", status_code=303)

    return await sync_to_thread(begin)
