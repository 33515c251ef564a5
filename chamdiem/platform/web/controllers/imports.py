"""Importing a period's data: upload a DATA file → it is checked in the background → the
user reads the report (every problem with its sheet, row and column, or what the file holds)
→ confirms → it is stored in the background. A refused file is deleted; nothing is stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, MultipartBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST
from sqlmodel import Session

from chamdiem.platform.excel.template import TemplateError, write_template
from chamdiem.platform.report_data import PeriodInfo
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.periods import parse_period_code
from chamdiem.platform.services.templates import (
    check_period_kind,
    current_data,
    published_program,
    template_prefill,
)
from chamdiem.platform.web import queries
from chamdiem.platform.web.access import Action, Principal, not_found, require
from chamdiem.platform.web.config import upload_dir
from chamdiem.platform.web.downloads import xlsx_download
from chamdiem.platform.web.importing import (
    ALLOWED_SUFFIXES,
    check_work,
    import_work,
    new_upload_path,
)
from chamdiem.platform.web.jobs import Progress, TooManyJobs
from chamdiem.platform.web.pages import page
from chamdiem.platform.web.reading import IsolatedReader, ReadLimits
from chamdiem.platform.web.state import PendingUpload, discard_upload, web_state
from chamdiem.platform.web.threads import in_thread

CHUNK = 1 << 20


def _form(
    db: Session,
    me: Principal,
    *,
    error: str | None = None,
    status: int = 200,
    period: str = "",
    rules: str = "",
) -> Template:
    periods = [p for p in queries.periods(db) if not p.locked]
    versions = queries.rule_versions(db)
    names = sorted({v.name for v in versions})
    titles: dict[str, str] = {}
    for v in versions:  # newest first within a name: the newest version's title
        titles.setdefault(v.name, v.title)
    recent = queries.imports(db, me)
    db.commit()
    return page(
        "import.html",
        me,
        title="Nhập dữ liệu kỳ đánh giá",
        status_code=status,
        periods=periods,
        rulesets=names,
        ruleset_titles=titles,
        recent=recent,
        error=error,
        period=period,
        rules=rules,
    )


@get("/nhap-du-lieu", include_in_schema=False)
@in_thread
def import_form(db: NamedDependency[Session], me: NamedDependency[Principal]) -> Template:
    require(me, Action.IMPORT)
    return _form(db, me)


@get("/nhap-du-lieu/mau.xlsx", include_in_schema=False)
@in_thread
def template_download(
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    ky: FromQuery[str],
    bo: FromQuery[str],
    du_lieu: FromQuery[bool] = False,
) -> Response[bytes]:
    """The input workbook of a rule set for a period, with the people of the user's units
    pre-filled (the whole province for those who cover it), and with `du_lieu` the data
    stored for them in the period, to correct and upload again."""
    require(me, Action.IMPORT)
    code = parse_period_code(ky)
    period = PeriodInfo(code.code, code.kind, code.start)
    program = published_program(db, bo, period)
    check_period_kind(program, period)
    prefill, described = template_prefill(db, program.header.subject, me.scope)
    data = current_data(db, program, period.code, prefill, me.scope) if du_lieu else None
    db.commit()
    try:
        return xlsx_download(
            lambda path: write_template(program, path, prefill, period, described, data),
            f"{'du_lieu' if du_lieu else 'mau_nhap'}_{program.header.name}_{period.code}",
        )
    except TemplateError as error:
        raise ServiceError(error.message) from None


@dataclass
class UploadForm:
    period: str = ""
    rules: str = ""
    file: UploadFile | None = None


@post("/nhap-du-lieu", include_in_schema=False)
@in_thread
def upload(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    data: MultipartBody[UploadForm],
) -> Template | Redirect:
    require(me, Action.IMPORT)
    state = web_state(request)
    state.jobs.check_room(me.user_id)  # before the file is stored
    if not data.period.strip():
        return _form(db, me, error="Hãy chọn kỳ đánh giá.", status=HTTP_400_BAD_REQUEST)
    file = data.file
    if file is None or not file.filename:
        return _form(
            db,
            me,
            error="Hãy chọn tệp dữ liệu (.xlsx hoặc .csv).",
            status=HTTP_400_BAD_REQUEST,
            period=data.period,
            rules=data.rules,
        )
    name = file.filename
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        return _form(
            db,
            me,
            error=f"Tệp '{name}': chỉ nhận sổ tính Excel (.xlsx) hoặc tệp .csv.",
            status=HTTP_400_BAD_REQUEST,
            period=data.period,
            rules=data.rules,
        )
    path = new_upload_path(upload_dir(state.settings), name)
    with path.open("wb") as target:
        file.file.seek(0)
        while block := file.file.read(CHUNK):
            target.write(block)
    tree = state.units.get(db)
    db.commit()
    period, rules = data.period.strip(), data.rules.strip() or None
    upload_id = secrets.token_hex(12)
    limits = ReadLimits.of(state.settings)

    def work(progress: Progress) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        try:
            progress.stage("Đang đọc và kiểm tra tệp", 0, 1)
            read = IsolatedReader(limits, progress.stop_reason)
            checked = check_work(state.engine, me, tree, path, period, rules, read=read)
        except BaseException:
            discard_upload(path)
            raise
        state.uploads.add(
            PendingUpload(
                upload_id, me.user_id, path, name, checked.period, rules, checked.subjects
            )
        )
        return {"upload_id": upload_id, "checked": checked, "file_name": name}, []

    try:
        job = state.jobs.start("validate", me.user_id, f"Kiểm tra tệp {name}", work)
    except TooManyJobs:
        discard_upload(path)
        raise
    return Redirect(path=f"/cong-viec/{job.id}", status_code=303)


@post("/nhap-du-lieu/{upload_id:str}/xac-nhan", include_in_schema=False)
@in_thread
def confirm(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    upload_id: FromPath[str],
) -> Redirect:
    require(me, Action.IMPORT)
    state = web_state(request)
    state.jobs.check_room(me.user_id)  # before the upload is taken
    pending = state.uploads.take(upload_id, me.user_id)
    if pending is None:
        raise not_found()
    tree = state.units.get(db)
    db.commit()
    limits = ReadLimits.of(state.settings)

    def work(progress: Progress) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        try:
            read = IsolatedReader(limits, progress.stop_reason)
            return import_work(
                state.engine,
                me,
                tree,
                pending.path,
                pending.period,
                pending.rules,
                progress,
                read=read,
            )
        finally:
            discard_upload(pending.path)

    try:
        job = state.jobs.start("import", me.user_id, f"Nhập tệp {pending.file_name}", work)
    except TooManyJobs:
        state.uploads.add(pending)  # still there to confirm once the other job is over
        raise
    return Redirect(path=f"/cong-viec/{job.id}", status_code=303)


@post("/nhap-du-lieu/{upload_id:str}/huy", include_in_schema=False)
@in_thread
def cancel(
    request: Request[Any, Any, Any], me: NamedDependency[Principal], upload_id: FromPath[str]
) -> Redirect:
    require(me, Action.IMPORT)
    pending = web_state(request).uploads.take(upload_id, me.user_id)
    if pending is None:
        raise not_found()
    discard_upload(pending.path)
    return Redirect(path="/nhap-du-lieu", status_code=303)
