"""Rule versions: the list, one version's source (highlighted) and test status, the
difference in meaning between two versions, and publishing a rule file (policy staff)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromQuery, MultipartBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST
from markupsafe import Markup
from sqlmodel import Session

from chamdiem.dsl.inputs import EvaluationError
from chamdiem.dsl.semantic_diff import describe, diff_modules
from chamdiem.platform.docs_site import render_index, render_ruleset
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.impact import impact_for_period
from chamdiem.platform.services.rules import program_for, publish_rule_version
from chamdiem.platform.web import queries
from chamdiem.platform.web.access import Action, Principal, impact_scope, require
from chamdiem.platform.web.config import upload_dir
from chamdiem.platform.web.highlight import highlight
from chamdiem.platform.web.importing import new_upload_path
from chamdiem.platform.web.pages import page
from chamdiem.platform.web.params import IdPath, IdQuery
from chamdiem.platform.web.state import discard_upload, web_state
from chamdiem.platform.web.threads import in_thread

MAX_RULE_FILE = 2 * 1024 * 1024


def _list(
    db: Session,
    me: Principal,
    *,
    message: str | None = None,
    error: str | None = None,
    details: list[str] | None = None,
    status: int = 200,
) -> Template:
    versions = queries.rule_versions(db)
    db.commit()
    return page(
        "rules.html",
        me,
        title="Quy tắc chấm điểm",
        message=message,
        status_code=status,
        versions=versions,
        error=error,
        details=details or [],
    )


@get("/quy-tac", include_in_schema=False)
@in_thread
def rules_page(
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    thong_bao: FromQuery[str | None] = None,
) -> Template:
    require(me, Action.READ_RULES)
    return _list(db, me, message=thong_bao)


@get("/quy-tac/{version_id:int}", include_in_schema=False)
@in_thread
def rule_page(
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    version_id: IdPath,
    thong_bao: FromQuery[str | None] = None,
) -> Template:
    require(me, Action.READ_RULES)
    version = queries.rule_version(db, version_id)
    others = [v for v in queries.rule_versions(db) if v.name == version.name and v.id != version.id]
    db.commit()
    outcomes: list[Any] = []
    problem = None
    try:
        program = program_for(version)
        outcomes = program.run_tests()
    except ServiceError as error:
        problem = error.message.vi
    return page(
        "rule.html",
        me,
        title=f"{version.name} — phiên bản #{version.id}",
        message=thong_bao,
        version=version,
        lines=highlight(version.source),
        outcomes=outcomes,
        problem=problem,
        others=others,
    )


@get("/quy-tac/so-sanh", include_in_schema=False)
@in_thread
def compare(
    db: NamedDependency[Session], me: NamedDependency[Principal], a: IdQuery, b: IdQuery
) -> Template:
    require(me, Action.READ_RULES)
    old, new = queries.rule_version(db, a), queries.rule_version(db, b)
    versions = queries.rule_versions(db)
    db.commit()
    try:
        changes = [
            describe(c).vi for c in diff_modules(program_for(old).module, program_for(new).module)
        ]
        problem = None
    except ServiceError as error:
        changes, problem = [], error.message.vi
    return page(
        "rule_diff.html",
        me,
        title=f"So sánh phiên bản #{old.id} và #{new.id}",
        old=old,
        new=new,
        changes=changes,
        problem=problem,
        versions=versions,
    )


@get("/quy-tac/anh-huong", include_in_schema=False)
@in_thread
def impact_page(
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    a: IdQuery,
    b: IdQuery,
    ky: FromQuery[str],
) -> Template:
    """Both versions on a period's stored data, before publishing: who would move. People
    are shown only within the reader's scope (an HR officer sees their units); a reader who
    may not read the organisation (policy staff) sees the province's counts, no one named."""
    require(me, Action.READ_RULES)
    old, new = queries.rule_version(db, a), queries.rule_version(db, b)
    scope, named = impact_scope(me)
    problem = None
    impact = None
    try:
        impact = impact_for_period(db, program_for(old), program_for(new), ky, scope)
        if not named:
            impact = impact.counts_only()
    except ServiceError as error:
        problem = error.message.vi
    except EvaluationError as error:
        if named:
            shown = "; ".join(f"{p.subject}: {p.message.vi}" for p in error.problems[:5])
        else:  # each problem is about a person the reader may not read
            shown = (
                f"{len(error.problems)} lỗi ở dữ liệu của từng người; "
                "cán bộ tổ chức hoặc quản trị viên xem được chi tiết"
            )
        problem = f"Không đánh giá được trên dữ liệu đã lưu: {shown}"
    finally:
        db.commit()
    changed_units = (
        sorted(
            (unit, counts)
            for unit, counts in impact.per_unit.items()
            if any(before != after for before, after in counts)
        )
        if impact is not None
        else []
    )
    return page(
        "rule_impact.html",
        me,
        title=f"Ảnh hưởng của thay đổi: #{old.id} → #{new.id}",
        old=old,
        new=new,
        period=ky,
        impact=impact,
        units=changed_units,
        problem=problem,
        scoped=not scope.is_everything,
    )


@get("/tai-lieu", include_in_schema=False)
@in_thread
def documentation_index(db: NamedDependency[Session], me: NamedDependency[Principal]) -> Template:
    """How the people being scored are scored: the latest published version of each rule
    set, in words (every signed-in user may read it), inside the app's frame and menu."""
    latest: dict[str, int] = {}
    for row in queries.rule_versions(db):
        latest[row.name] = max(row.id, latest.get(row.name, 0))
    versions = [queries.rule_version(db, latest[name]) for name in sorted(latest)]
    db.commit()
    entries = []
    for version in versions:
        try:
            entries.append((program_for(version).module, f"/tai-lieu/{version.id}"))
        except ServiceError:
            continue
    body = Markup(render_index(entries, embedded=True))
    return page("docs.html", me, title="Các bộ tiêu chí đánh giá, xếp loại", body=body)


@get("/tai-lieu/{version_id:int}", include_in_schema=False)
@in_thread
def documentation_page(
    db: NamedDependency[Session], me: NamedDependency[Principal], version_id: IdPath
) -> Template:
    version = queries.rule_version(db, version_id)
    db.commit()
    module = program_for(version).module
    body = Markup(render_ruleset(module, embedded=True, index_href="/tai-lieu"))
    title = (module.ruleset.title or module.ruleset.name) if module.ruleset else version.name
    return page("docs.html", me, title=title, body=body)


@dataclass
class RuleUpload:
    file: UploadFile | None = None


@post("/quy-tac", include_in_schema=False)
@in_thread
def publish(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    data: MultipartBody[RuleUpload],
) -> Template | Redirect:
    require(me, Action.PUBLISH_RULES)
    file = data.file
    if file is None or not file.filename or not file.filename.endswith(".rules"):
        return _list(
            db, me, error="Hãy chọn một tệp quy tắc (đuôi .rules).", status=HTTP_400_BAD_REQUEST
        )
    content = file.file.read(MAX_RULE_FILE + 1)
    if len(content) > MAX_RULE_FILE:
        return _list(
            db, me, error="Tệp quy tắc quá lớn (tối đa 2 MB).", status=HTTP_400_BAD_REQUEST
        )
    path = new_upload_path(upload_dir(web_state(request).settings), file.filename)
    path.write_bytes(content)
    try:
        published = publish_rule_version(db, path, actor=me.username)
    except ServiceError as error:
        return _list(
            db,
            me,
            error=error.message.vi.replace(str(path), file.filename),
            details=[d.vi.replace(str(path), file.filename) for d in error.details],
            status=HTTP_400_BAD_REQUEST,
        )
    finally:
        discard_upload(path)
    note = "da-cong-bo" if published.created else "da-cong-bo-truoc"
    return Redirect(path=f"/quy-tac/{published.version.id}?thong_bao={note}", status_code=303)
