"""The JSON API for the province's systems (task assignment, documents), under /api.

Systems authenticate with a token (`Authorization: Bearer cdt_…`, made by an administrator on
the accounts page or with `chamdiem user token`); a signed-in browser may read too. Rights are
those of the token's user, decided by `access` exactly as for the pages: a result outside the
user's units is 404, a forbidden action 403. Imports and runs are background jobs: the answer
is 202 with the job, whose state `GET /api/jobs/{id}` gives.

Numbers sent as JSON numbers are read through their shortest decimal text (8.25 is 8.25);
send them as strings ("8.25") to be sure no client library rounds them first.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlmodel import Session

from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.periods import get_period
from chamdiem.platform.web import queries
from chamdiem.platform.web.access import Action, Principal, not_found, require
from chamdiem.platform.web.config import upload_dir
from chamdiem.platform.web.controllers.jobs import cancel_job, job_of
from chamdiem.platform.web.evaluations import explanation
from chamdiem.platform.web.importing import (
    declared_names,
    import_work,
    new_upload_path,
    records_to_folder,
    unknown_names,
)
from chamdiem.platform.web.jobs import Job, JobFailed, Progress
from chamdiem.platform.web.json_numbers import check_record_numbers, exact_records
from chamdiem.platform.web.reading import IsolatedReader, ReadLimits
from chamdiem.platform.web.running import run_scope, start_run
from chamdiem.platform.web.state import web_state
from chamdiem.platform.web.threads import in_thread

MAX_ID = 2_147_483_647
MAX_SUBJECTS = 100_000
RunId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="Số của lần đánh giá")]
Code = Annotated[str, PathParameter(min_length=1, max_length=200, description="Mã đối tượng")]
Scalar = str | int | float | bool | None


def clean(text: str) -> str:
    """A code from a URL: one with control characters (NUL, …) names nothing (and must not
    reach the database, which refuses NUL)."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise not_found()
    return text


# ---------------------------------------------------------------- shapes


class MeOut(msgspec.Struct):
    username: str
    display_name: str
    role: str
    units: list[str]


class PeriodOut(msgspec.Struct):
    code: str
    kind: str
    start_date: date
    end_date: date
    locked: bool


class UnitOut(msgspec.Struct):
    code: str
    name: str
    parent: str | None


class SubjectIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    inputs: dict[str, Scalar] = {}
    items: dict[str, list[dict[str, Scalar]]] = {}


class RecordsIn(msgspec.Struct, forbid_unknown_fields=True):
    subjects: Annotated[list[SubjectIn], msgspec.Meta(min_length=1, max_length=MAX_SUBJECTS)]
    ruleset: str | None = None


class RunIn(msgspec.Struct, forbid_unknown_fields=True):
    period: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    rules: list[str] = []
    units: list[str] = []


class ProblemOut(msgspec.Struct):
    where: str
    message: str
    field: str | None


class JobOut(msgspec.Struct):
    id: str
    kind: str
    status: str
    stage: str
    percent: int
    message: str | None
    problems: list[ProblemOut]
    problems_total: int
    run_ids: list[int]
    import_id: int | None
    status_url: str
    cancel_requested: bool = False  # someone asked it to stop; it stops within moments


class RunOut(msgspec.Struct):
    id: int
    period: str
    ruleset: str
    rule_sha256: str
    status: str
    subjects: int
    run_by: str
    started_at: datetime
    finished_at: datetime
    grades: dict[str, int]


class ResultOut(msgspec.Struct):
    code: str
    name: str | None
    unit: str | None
    total: str | None
    score_grade: str | None
    grade: str | None
    final_grade: str | None
    vetoes: list[str]
    flags: list[str]
    not_graded: list[str]


class ResultDetailOut(msgspec.Struct):
    run_id: int
    result: ResultOut
    values: dict[str, str | int | bool | None]


class ResultsPageOut(msgspec.Struct):
    run_id: int
    total: int
    limit: int
    offset: int
    results: list[ResultOut]


class ExplanationOut(msgspec.Struct):
    run_id: int
    code: str
    text: str


def _job_out(job: Job) -> JobOut:
    run_ids = job.result.get("run_ids")
    import_id = job.result.get("import_id")
    return JobOut(
        id=job.id,
        kind=job.kind,
        status=job.status,
        stage=job.stage,
        percent=job.percent,
        message=job.message,
        problems=[ProblemOut(p.where, p.message, p.field) for p in job.problems],
        problems_total=job.problems_total,
        run_ids=list(run_ids) if isinstance(run_ids, list) else [],
        import_id=import_id if isinstance(import_id, int) else None,
        status_url=f"/api/jobs/{job.id}",
        cancel_requested=job.cancel_requested_by is not None,
    )


def _result_out(row: queries.ResultRow) -> ResultOut:
    return ResultOut(
        code=row.code,
        name=row.name,
        unit=row.unit_code,
        total=row.total,
        score_grade=row.score_grade,
        grade=row.grade,
        final_grade=row.final_grade,
        vetoes=row.vetoes,
        flags=row.flags,
        not_graded=row.not_graded,
    )


# ---------------------------------------------------------------- the endpoints


class ApiController(Controller):
    path = "/api"
    tags = ["API"]  # noqa: RUF012  (litestar reads these as instance attributes)
    security = [{"BearerToken": []}]  # noqa: RUF012

    @get("/me", summary="Người dùng của mã truy cập")
    @in_thread
    def me_(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        me: NamedDependency[Principal],
    ) -> MeOut:
        tree = web_state(request).units.get(db)
        db.commit()
        return MeOut(
            me.username,
            me.display_name,
            me.role,
            [tree.code[i] for i in me.root_unit_ids if i in tree.code],
        )

    @get("/periods", summary="Các kỳ đánh giá")
    @in_thread
    def periods(
        self, db: NamedDependency[Session], me: NamedDependency[Principal]
    ) -> list[PeriodOut]:
        rows = queries.periods(db)
        db.commit()
        return [PeriodOut(p.code, p.kind, p.start_date, p.end_date, bool(p.locked)) for p in rows]

    @get("/units", summary="Các đơn vị trong phạm vi của người dùng")
    @in_thread
    def units(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        me: NamedDependency[Principal],
    ) -> list[UnitOut]:
        require(me, Action.READ_ORG)
        tree = web_state(request).units.get(db)
        db.commit()
        found = []
        for unit_id in queries.visible_units(tree, me):
            parent = tree.parent.get(unit_id)
            found.append(
                UnitOut(
                    tree.code[unit_id],
                    tree.name[unit_id],
                    tree.code.get(parent) if parent else None,
                )
            )
        return found

    @post(
        "/periods/{period:str}/records",
        status_code=HTTP_202_ACCEPTED,
        summary="Gửi dữ liệu đầu vào và danh sách sản phẩm của một kỳ (nhập trong nền)",
        before_request=check_record_numbers,
    )
    @in_thread
    def push_records(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        me: NamedDependency[Principal],
        period: Annotated[
            str,
            PathParameter(min_length=1, max_length=20, description="Mã kỳ: 2026, 2026-Q1, 2026-03"),
        ],
        data: JSONBody[RecordsIn],
    ) -> JobOut:
        require(me, Action.IMPORT)
        state = web_state(request)
        code = get_period(db, clean(period)).code
        tree = state.units.get(db)
        db.commit()
        subjects = exact_records(request, [msgspec.to_builtins(s) for s in data.subjects])
        ruleset = data.ruleset
        folder = upload_dir(state.settings)
        limits = ReadLimits.of(state.settings)

        def work(progress: Progress) -> tuple[dict[str, Any], list[tuple[str, str]]]:
            progress.stage("Đang kiểm tra dữ liệu", 0, 2)
            inputs, items = declared_names(state.engine, code, ruleset)
            problems = unknown_names(inputs, items, subjects)
            if problems:
                raise JobFailed(
                    f"Dữ liệu có {len(problems)} tên không có trong bộ tiêu chí; không lưu gì.",
                    problems[:200],
                    len(problems),
                )
            target = new_upload_path(folder, "api").parent / "du_lieu_api"
            try:
                where = records_to_folder(target, inputs, items, subjects)
                read = IsolatedReader(limits, progress.stop_reason)
                return import_work(
                    state.engine, me, tree, target, code, ruleset, progress, where, read
                )
            finally:
                shutil.rmtree(target.parent, ignore_errors=True)

        job = state.jobs.start("import", me.user_id, f"Nhận dữ liệu kỳ {code} qua API", work)
        return _job_out(job)

    @post(
        "/runs", status_code=HTTP_202_ACCEPTED, summary="Bắt đầu một lần đánh giá (chạy trong nền)"
    )
    @in_thread
    def start_run(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        me: NamedDependency[Principal],
        data: JSONBody[RunIn],
    ) -> JobOut:
        require(me, Action.RUN)
        state = web_state(request)
        code = get_period(db, clean(data.period)).code
        tree = state.units.get(db)
        db.commit()
        scope = run_scope(me, tree, [clean(u) for u in data.units])
        job_id = start_run(
            state.jobs, state.engine, me, code, [clean(r) for r in data.rules], scope
        )
        return _job_out(job_of(request, me, job_id))

    @get("/jobs/{job_id:str}", summary="Trạng thái một công việc nền")
    @in_thread
    def job(
        self, request: Request[Any, Any, Any], me: NamedDependency[Principal], job_id: FromPath[str]
    ) -> JobOut:
        return _job_out(job_of(request, me, job_id))

    @post(
        "/jobs/{job_id:str}/cancel",
        status_code=HTTP_202_ACCEPTED,
        summary="Hủy một công việc nền (người bắt đầu nó hoặc quản trị)",
        description="Công việc đang chờ kết thúc ngay; công việc đang chạy dừng trong giây lát "
        "(hoặc khi xong bước đang làm) với trạng thái `failed`. Công việc đã xong không đổi.",
    )
    @in_thread
    def job_cancel(
        self, request: Request[Any, Any, Any], me: NamedDependency[Principal], job_id: FromPath[str]
    ) -> JobOut:
        return _job_out(cancel_job(request, me, job_id))

    @get("/runs", summary="Các lần đánh giá (trong phạm vi của người dùng)")
    @in_thread
    def runs(
        self,
        db: NamedDependency[Session],
        me: NamedDependency[Principal],
        period: Annotated[str | None, QueryParameter(max_length=20)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_ID)] = 0,
    ) -> list[RunOut]:
        require(me, Action.READ_ORG)
        period_id = None
        if period:
            found = [p for p in queries.periods(db) if p.code == period]
            if not found:
                db.commit()
                return []
            period_id = found[0].id
        rows = queries.runs(db, me, period_id=period_id, limit=limit, offset=offset)
        out = [self._run_out(db, me, row) for row in rows]
        db.commit()
        return out

    @staticmethod
    def _run_out(db: Session, me: Principal, row: queries.RunRow) -> RunOut:
        grades: dict[str, int] = {}
        for counts in queries.grade_distribution(db, me, row.id).values():
            for grade, n in counts.items():
                grades[grade] = grades.get(grade, 0) + n
        return RunOut(
            row.id,
            row.period,
            row.ruleset,
            row.rule_sha256,
            row.status,
            row.subjects,
            row.run_by,
            row.started_at,
            row.finished_at,
            grades,
        )

    @get("/runs/{run_id:int}", summary="Một lần đánh giá: trạng thái và xếp loại")
    @in_thread
    def run(
        self, db: NamedDependency[Session], me: NamedDependency[Principal], run_id: RunId
    ) -> RunOut:
        row = queries.run(db, me, run_id)
        out = self._run_out(db, me, row)
        db.commit()
        return out

    @get(
        "/runs/{run_id:int}/results",
        summary="Kết quả của một lần đánh giá",
        description=(
            "Kết quả trong phạm vi của người dùng, theo thứ tự mã, từng trang (`limit`, "
            "`offset`; `total` là tổng số). Với `unit=MÃ`: chỉ những người thuộc đơn vị đó "
            "và các đơn vị trực thuộc nó (mọi cấp bên dưới); một mã không có hoặc ngoài "
            "phạm vi cho danh sách rỗng."
        ),
    )
    @in_thread
    def results(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        me: NamedDependency[Principal],
        run_id: RunId,
        unit: Annotated[
            str | None,
            QueryParameter(
                max_length=200,
                description="Mã đơn vị: kết quả của đơn vị này và các đơn vị bên dưới nó",
            ),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=5000)] = 500,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_ID)] = 0,
    ) -> ResultsPageOut:
        queries.run(db, me, run_id)
        units = None
        if unit:  # the unit and every unit below it
            tree = web_state(request).units.get(db)
            root = tree.by_code.get(clean(unit))
            units = [] if root is None else [tree.code[i] for i in tree.subtree([root])]
        rows, total = queries.run_results(
            db, me, run_id, unit_codes=units, limit=limit, offset=offset
        )
        db.commit()
        return ResultsPageOut(run_id, total, limit, offset, [_result_out(r) for r in rows])

    @get("/runs/{run_id:int}/results/{code:str}", summary="Kết quả của một đối tượng")
    @in_thread
    def result(
        self,
        db: NamedDependency[Session],
        me: NamedDependency[Principal],
        run_id: RunId,
        code: Code,
    ) -> ResultDetailOut:
        queries.run(db, me, run_id)
        row = queries.result(db, me, run_id, clean(code))
        values = queries.result_values(db, row.id)
        db.commit()
        return ResultDetailOut(run_id, _result_out(row), values)

    @get(
        "/runs/{run_id:int}/results/{code:str}/explanation",
        summary="Lời giải thích: điểm từng tiêu chí, đầu vào, dòng quy tắc, loại trừ, hạn mức",
    )
    @in_thread
    def explain(
        self,
        db: NamedDependency[Session],
        me: NamedDependency[Principal],
        run_id: RunId,
        code: Code,
    ) -> ExplanationOut:
        queries.run(db, me, run_id)
        queries.result(db, me, run_id, clean(code))
        db.commit()
        try:
            text = explanation(db, run_id, code)
        except ServiceError:
            raise
        return ExplanationOut(run_id, code, text)
