"""Runs and results: the list of runs, one run's results (by unit, searchable), one
subject's result with its explanation and council decisions, and the report download."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST
from sqlmodel import Session

from chamdiem.dsl.display import period_name
from chamdiem.platform.db.models import utc_now
from chamdiem.platform.excel.report import write_report
from chamdiem.platform.excel.result_writers import save_xlsx
from chamdiem.platform.limits import MAX_DECISION_REASON, MAX_DOCUMENT_NUMBER, MAX_SEARCH
from chamdiem.platform.services.decisions import record_decision
from chamdiem.platform.services.errors import FieldErrors, ServiceError
from chamdiem.platform.services.reports import run_report
from chamdiem.platform.services.rules import program_for
from chamdiem.platform.web import charts, queries
from chamdiem.platform.web.access import Action, Principal, can, require, require_unit_code
from chamdiem.platform.web.downloads import xlsx_download
from chamdiem.platform.web.errors import web_words
from chamdiem.platform.web.evaluations import (
    explanation,
    people_explanation,
    person_decision,
    quota_warnings,
)
from chamdiem.platform.web.pages import local_time, page
from chamdiem.platform.web.params import IdPath, PageQuery
from chamdiem.platform.web.state import web_state
from chamdiem.platform.web.threads import in_thread


@get("/lan-chay", include_in_schema=False)
@in_thread
def runs_page(
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    ky: FromQuery[str | None] = None,
    thong_bao: FromQuery[str | None] = None,
) -> Template:
    require(me, Action.READ_ORG)
    periods = queries.periods(db)
    period_id = next((p.id for p in periods if p.code == ky), None) if ky else None
    rows = queries.runs(db, me, period_id=period_id, limit=100)
    db.commit()
    return page(
        "runs.html",
        me,
        title="Các lần đánh giá",
        message=thong_bao,
        runs=rows,
        periods=periods,
        period=ky,
    )


@get("/lan-chay/{run_id:int}", include_in_schema=False)
@in_thread
def run_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    run_id: IdPath,
    don_vi: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    trang: PageQuery = 1,
    xep: FromQuery[str | None] = None,
) -> Template:
    if q and len(q) > MAX_SEARCH:
        raise FieldErrors({"q": queries.search_too_long(q)})
    tree = web_state(request).units.get(db)
    run = queries.run(db, me, run_id)
    page_number = max(1, trang)
    rows, total = queries.run_results(
        db,
        me,
        run_id,
        unit_code=don_vi or None,
        search=q,
        offset=(page_number - 1) * queries.PAGE_SIZE,
    )
    grades = queries.grade_order(db, run.rule_version_id)
    labels = queries.grade_labels(db, run.rule_version_id)
    distribution = queries.grade_distribution(db, me, run_id)
    db.commit()
    tops = charts.agencies(tree, tree.roots() if me.whole_province else me.root_unit_ids)
    rolled = charts.roll_up(distribution, charts.part_of(tree, tops))
    sort = charts.sort_key(xep, grades)
    problems = []
    if run.status == "failed" and run.detail:
        from chamdiem.platform.db.codec import loads

        problems = list(loads(run.detail))
    return page(
        "run.html",
        me,
        title=f"Lần đánh giá #{run.id}: {run.ruleset_title}, {period_name(run.period)}",
        run=run,
        rows=rows,
        total=total,
        page_number=page_number,
        pages=max(1, -(-total // queries.PAGE_SIZE)),
        labels=labels,
        # The chart (after the results, folded): per agency, its departments counted in.
        bars=charts.bars(rolled, grades, labels, tree, limit=None, sort=sort),
        agencies=len(rolled),
        sorts=charts.sorts(grades, labels, sort),
        sorted_by=xep is not None,
        legend=charts.legend(grades, labels),
        overall=charts.totals(distribution),
        units=sorted(c for c in distribution if c),
        unit=don_vi or "",
        q=q or "",
        max_search=MAX_SEARCH,
        problems=problems,
    )


def _result_page(
    db: Session,
    me: Principal,
    run_id: int,
    code: str,
    *,
    message: str | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    field_errors: dict[str, str] | None = None,
    warnings: list[str] | None = None,
    status_code: int = 200,
) -> Template:
    run = queries.run(db, me, run_id)
    row = queries.result(db, me, run_id, code)
    values = queries.result_values(db, row.id)
    decisions = queries.decisions(db, row.id)
    labels = queries.grade_labels(db, run.rule_version_id)
    text = explanation(db, run_id, code)
    people = people_explanation(db, run_id, code, person_decision(decisions))
    db.commit()
    return page(
        "result.html",
        me,
        title=f"Kết quả của {row.name or row.code} ({row.code})",
        message=message,
        status_code=status_code,
        run=run,
        row=row,
        values=values,
        decisions=decisions,
        labels=labels,
        explanation=text,
        people=people,
        may_decide=can(me, Action.DECIDE),
        # The computed grade is preselected: a council confirms it more often than it changes it.
        form=form
        or {
            "final_grade": row.final_grade or row.grade or "",
            "reason": "",
            "document_number": "",
            "document_date": "",
        },
        error=error,
        field_errors=field_errors or {},
        limits={"reason": MAX_DECISION_REASON, "document_number": MAX_DOCUMENT_NUMBER},
        warnings=warnings or [],
    )


@get("/ket-qua/{run_id:int}/{code:str}", include_in_schema=False)
@in_thread
def result_page(
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    run_id: IdPath,
    code: FromPath[str],
    thong_bao: FromQuery[str | None] = None,
) -> Template:
    return _result_page(db, me, run_id, code, message=thong_bao)


_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def typed_date(text: str) -> date | None:
    """A date as a Vietnamese officer types it (31/03/2026, 31-3-2026, 31.03.2026) or as a
    date picker sends it (2026-03-31); None when it is neither."""
    cleaned = text.strip()
    found = _DAY_MONTH_YEAR.fullmatch(cleaned)
    try:
        if found:
            day, month, year = (int(part) for part in found.groups())
            return date(year, month, day)
        return date.fromisoformat(cleaned[:10]) if len(cleaned) >= 10 else None
    except ValueError:
        return None


NOT_RECORDED = "Chưa ghi quyết định: hãy sửa các ô được đánh dấu bên dưới."


@dataclass
class DecisionForm:
    final_grade: str = ""
    reason: str = ""
    document_number: str = ""
    document_date: str = ""
    confirm: str = ""


@post("/ket-qua/{run_id:int}/{code:str}/quyet-dinh", include_in_schema=False)
@in_thread
def decide(
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    run_id: IdPath,
    code: FromPath[str],
    data: URLEncodedBody[DecisionForm],
) -> Response[Any]:
    queries.run(db, me, run_id)
    row = queries.result(db, me, run_id, code)
    require_unit_code(me, row.unit_code, Action.DECIDE)
    db.commit()
    form = {
        "final_grade": data.final_grade,
        "reason": data.reason,
        "document_number": data.document_number,
        "document_date": data.document_date,
    }
    when = typed_date(data.document_date)
    if when is None:
        return _result_page(
            db,
            me,
            run_id,
            code,
            form=form,
            error=NOT_RECORDED,
            field_errors={
                "document_date": "Ngày văn bản không hợp lệ: viết ngày/tháng/năm, ví dụ 31/03/2026."
            },
            status_code=HTTP_400_BAD_REQUEST,
        )
    if data.confirm != "1":
        found = quota_warnings(db, run_id, code, data.final_grade)
        if found:
            label = queries.grade_labels(db, queries.run(db, me, run_id).rule_version_id)
            db.commit()
            texts = [
                f"Mức «{label.get(w.grade, w.grade)}» chỉ được tối đa {w.limit} người trong nhóm "
                f"hạn mức; với quyết định này sẽ có {w.holders} người."
                for w in found
            ]
            return _result_page(db, me, run_id, code, form=form, warnings=texts)
    try:
        record_decision(
            db,
            run_id,
            code,
            data.final_grade,
            data.reason,
            data.document_number,
            when,
            actor=me.username,
        )
    except FieldErrors as failure:
        return _result_page(
            db,
            me,
            run_id,
            code,
            form=form,
            error=NOT_RECORDED,
            field_errors={name: text.vi for name, text in failure.fields.items()},
            status_code=HTTP_400_BAD_REQUEST,
        )
    except ServiceError as failure:
        return _result_page(
            db,
            me,
            run_id,
            code,
            form=form,
            error=web_words(failure.message.vi),
            status_code=HTTP_400_BAD_REQUEST,
        )
    return Redirect(
        path=f"/ket-qua/{run_id}/{quote(code, safe='')}?thong_bao=da-quyet-dinh", status_code=303
    )


@get("/lan-chay/{run_id:int}/bao-cao.xlsx", include_in_schema=False)
@in_thread
def report(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    run_id: IdPath,
    don_vi: FromQuery[str | None] = None,
) -> Response[bytes]:
    """The run's report. Whoever may see every result of the run gets the official report
    (a summary with charts, a sheet per unit, provenance: chamdiem.platform.excel.report);
    otherwise, and for one unit with the units under it, a workbook of the results the user
    may see."""
    run = queries.run(db, me, run_id)
    units: list[str] | None = None
    if don_vi:
        require_unit_code(me, don_vi)
        tree = web_state(request).units.get(db)
        units = [tree.code[u] for u in tree.subtree([tree.by_code[don_vi]])]
    elif run.status == "complete" and queries.hidden_results(db, me, run_id) == 0:
        return _official(db, run)
    rows, _ = queries.run_results(db, me, run_id, unit_codes=units, limit=None)
    version = queries.rule_version(db, run.rule_version_id)
    values = {row.id: queries.result_values(db, row.id) for row in rows}
    db.commit()
    program = program_for(version)
    records = [
        {
            "code": row.code,
            "unit": row.unit_code,
            "total": row.total,
            "score_grade": row.score_grade,
            "grade": row.final_grade or row.grade,
            "values": values[row.id],
            "vetoes": row.vetoes,
            "flags": (
                [*row.flags, f"hội đồng quyết định (theo điểm: {row.grade})"]
                if row.final_grade and row.final_grade != row.grade
                else row.flags
            ),
        }
        for row in rows
    ]
    about: list[tuple[str, object]] = [
        ("Bộ tiêu chí", f"{version.name} — {version.title}"),
        ("Phiên bản quy tắc (sha256)", version.sha256),
        ("Kỳ đánh giá", run.period),
        ("Lần đánh giá", f"#{run.id}, {local_time(run.finished_at)}, do {run.run_by}"),
        ("Phạm vi", don_vi or ("toàn tỉnh" if me.whole_province else "các đơn vị bạn phụ trách")),
        ("Số đối tượng", len(rows)),
        ("Người tải", me.username),
        ("Thời điểm tải", local_time(utc_now())),
    ]
    name = f"ket_qua_{run.ruleset}_{run.period}_lan{run.id}" + (f"_{don_vi}" if don_vi else "")
    return xlsx_download(
        lambda path: save_xlsx(
            path,
            records,
            [row.name for row in rows],
            program.value_names,
            grade_labels={g.name: g.label for g in program.grades},
            about=about,
        ),
        name,
    )


def _official(db: Session, run: queries.RunRow) -> Response[bytes]:
    report = run_report(db, run.id)
    return xlsx_download(
        lambda path: write_report(report, path),
        f"bao_cao_{run.ruleset}_{run.period}_lan{run.id}",
    )
