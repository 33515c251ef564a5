"""Starting an evaluation from the web (the run page and the API): the user's units decide
what may be run, and the run itself is a background job."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar.exceptions import PermissionDeniedException
from sqlalchemy import Engine

from chamdiem.platform.db.engine import open_session
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope
from chamdiem.platform.web.access import Principal, UnitTree, units_in_scope
from chamdiem.platform.web.jobs import JobFailed, JobProblem, JobRegistry, Progress

PROBLEMS_SHOWN = 50


NO_UNITS = (
    "Tài khoản của bạn chưa được giao đơn vị nào, nên không có ai để đánh giá. "
    "Hãy đề nghị quản trị viên gắn đơn vị cho tài khoản."
)


def run_scope(principal: Principal, tree: UnitTree, units: Sequence[str]) -> Scope:
    """The people to evaluate: those of the units asked for and the units below them (each
    must be in the user's scope), else the user's scope; refused (403) when that is empty."""
    chosen = units_in_scope(principal, tree, units)
    if chosen:
        ids = tree.subtree(tree.by_code[code] for code in chosen)
        return Scope.of(ids, (tree.code[i] for i in ids), chosen)
    if principal.scope.is_nothing:
        raise PermissionDeniedException(NO_UNITS)
    return principal.scope


def start_run(
    jobs: JobRegistry,
    engine: Engine,
    principal: Principal,
    period: str,
    rules: Sequence[str],
    scope: Scope,
) -> str:
    names = [r for r in (r.strip() for r in rules) if r]
    where = " (toàn tỉnh)" if scope.is_everything else f" ({', '.join(scope.named)})"
    title = f"Đánh giá kỳ {period}{where}"

    def work(progress: Progress) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        steps: list[list[str] | None] = [[name] for name in names] if names else [None]
        run_ids: list[int] = []
        failed: list[JobProblem] = []
        failed_total = 0
        links: list[tuple[str, str]] = []
        for k, step in enumerate(steps):
            label = step[0] if step else "mọi bộ tiêu chí có dữ liệu"
            progress.stage(f"Đang đánh giá: {label}", k, len(steps))
            with open_session(engine) as session:
                try:
                    outcomes = run_evaluation(
                        session, period, step, scope=scope, actor=principal.username
                    )
                except ServiceError as error:
                    raise JobFailed(
                        error.message, [JobProblem("", d.vi) for d in error.details]
                    ) from None
            for outcome in outcomes:
                run_ids.append(outcome.run_id)
                links.append(
                    (
                        f"Kết quả lần đánh giá #{outcome.run_id} ({outcome.ruleset})",
                        f"/lan-chay/{outcome.run_id}",
                    )
                )
                if outcome.status == "failed":
                    failed_total += outcome.problems_total
                    failed.extend(
                        JobProblem(f"{p.subject}", p.message.vi, p.name)
                        for p in outcome.problems[:PROBLEMS_SHOWN]
                    )
        if failed:
            raise JobFailed(
                f"Có {failed_total} lỗi khi đánh giá; lần đánh giá lỗi không có kết quả "
                f"(đã ghi lại: {', '.join(f'#{i}' for i in run_ids)}).",
                failed,
                failed_total,
            )
        return {"run_ids": run_ids, "period": period}, links

    return jobs.start("run", principal.user_id, title, work).id
