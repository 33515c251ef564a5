"""A background job's page (it reloads itself while the job runs), its state as JSON, and
its cancellation by whoever started it or an administrator."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from chamdiem.platform.web.access import Action, Principal, can, not_found
from chamdiem.platform.web.jobs import Job
from chamdiem.platform.web.pages import page
from chamdiem.platform.web.state import web_state
from chamdiem.platform.web.threads import in_thread


def job_of(request: Request[Any, Any, Any], me: Principal, job_id: str) -> Job:
    state = web_state(request)
    job = state.jobs.get(job_id, me.user_id, any_owner=can(me, Action.MANAGE_USERS))
    if job is None:
        raise not_found()
    return job


def cancel_job(request: Request[Any, Any, Any], me: Principal, job_id: str) -> Job:
    """Ask the job to stop if it has not ended (someone else's is not found, as when read);
    the job as it is now."""
    job = job_of(request, me, job_id)
    if job.active:
        web_state(request).jobs.cancel(job.id, me.username)
        job = job_of(request, me, job_id)
    return job


def job_json(job: Job) -> dict[str, Any]:
    result = {k: v for k, v in job.result.items() if isinstance(v, (str, int, bool, list))}
    return {
        "id": job.id,
        "kind": job.kind,
        "title": job.title,
        "status": job.status,
        "stage": job.stage,
        "percent": job.percent,
        "message": job.message,
        "problems": [
            {"where": p.where, "field": p.field, "message": p.message} for p in job.problems
        ],
        "problems_total": job.problems_total,
        "cancel_requested": job.cancel_requested_by is not None,
        "result": result,
    }


@get("/cong-viec/{job_id:str}", include_in_schema=False)
@in_thread
def job_page(
    request: Request[Any, Any, Any], me: NamedDependency[Principal], job_id: FromPath[str]
) -> Template:
    job = job_of(request, me, job_id)
    pending = None
    if job.kind == "validate" and job.status == "done":
        pending = web_state(request).uploads.peek(str(job.result.get("upload_id")), me.user_id)
    return page("job.html", me, title=job.title, job=job, pending=pending)


@get("/cong-viec/{job_id:str}/trang-thai", include_in_schema=False)
@in_thread
def job_status(
    request: Request[Any, Any, Any], me: NamedDependency[Principal], job_id: FromPath[str]
) -> dict[str, Any]:
    return job_json(job_of(request, me, job_id))


@post("/cong-viec/{job_id:str}/huy", include_in_schema=False)
@in_thread
def job_cancel(
    request: Request[Any, Any, Any], me: NamedDependency[Principal], job_id: FromPath[str]
) -> Redirect:
    cancel_job(request, me, job_id)
    return Redirect(path=f"/cong-viec/{job_id}", status_code=303)
