"""The header pass: `ruleset … end`, its clauses, and `applies when`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeGuard

from chamdiem.dsl import syntax as s
from chamdiem.dsl.check.expressions import Checker
from chamdiem.dsl.check.scope import Ctx
from chamdiem.dsl.diagnostics import Diagnostic, error
from chamdiem.dsl.names import (
    MAX_PRECISION,
)


def check_header(c: Checker) -> None:
    ruleset = c.module.ruleset
    if ruleset is None:
        c.diagnostics.append(missing_header(c.module))
        return
    seen: dict[str, s.HeaderClause] = {}
    for clause in ruleset.clauses:
        # A repeated clause is reported by the parser; the first one counts.
        if clause.key not in seen:
            seen[clause.key] = clause
            check_clause(c, clause)
    for key, vi in (("subject", "đối tượng"), ("period", "kỳ"), ("effective", "hiệu lực")):
        if key not in seen:
            c.error(
                "E002",
                ruleset.name_span,
                f"phần đầu thiếu mục bắt buộc `{key}` ({vi})",
                f"the header lacks the required clause `{key}`",
            )
    effective, until = seen.get("effective"), seen.get("until")
    if (
        effective is not None
        and until is not None
        and isinstance(effective.value, date)
        and isinstance(until.value, date)
        and until.value <= effective.value
    ):
        c.error(
            "E003",
            until.span,
            f"ngày hết hiệu lực {until.value.isoformat()} phải sau ngày hiệu lực "
            f"{effective.value.isoformat()}",
            f"the end date {until.value.isoformat()} must be after the effective date "
            f"{effective.value.isoformat()}",
        )


def check_clause(c: Checker, clause: s.HeaderClause) -> None:
    value = clause.value
    if clause.key == "subject" and value not in ("person", "unit"):
        c.error(
            "E003",
            clause.span,
            "đối tượng phải là `person` (cá nhân) hoặc `unit` (tập thể)",
            "subject must be `person` or `unit`",
        )
    elif clause.key == "period" and value not in ("month", "quarter", "year"):
        c.error(
            "E003",
            clause.span,
            "kỳ đánh giá phải là `month`, `quarter` hoặc `year` (tháng, quý, năm)",
            "period must be `month`, `quarter` or `year`",
        )
    elif clause.key in ("effective", "until") and not isinstance(value, date):
        c.error(
            "E003",
            clause.span,
            "cần một ngày dạng NNNN-TT-NN, ví dụ 2026-01-01",
            "a date like 2026-01-01 is needed",
        )
    elif clause.key == "precision":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_PRECISION:
            c.error(
                "E003",
                clause.span,
                f"số chữ số làm tròn phải là số nguyên từ 0 đến {MAX_PRECISION}",
                f"precision must be a whole number from 0 to {MAX_PRECISION}",
            )
        else:
            c.precision = value
    elif clause.key == "scale":
        if not isinstance(value, Decimal | int) or isinstance(value, bool) or value <= 0:
            c.error(
                "E003",
                clause.span,
                "thang điểm (scale) phải là một số lớn hơn 0",
                "scale must be a number greater than 0",
            )
        else:
            c.scale_clause = clause
            c.scale_value = Decimal(value)
    elif clause.key == "needs" and isinstance(value, tuple):
        c.needs = tuple(str(v) for v in value)


def check_applies(c: Checker) -> None:
    """`applies when COND` in the header: which subjects the rule set grades."""
    clause = c.module.ruleset.get("applies") if c.module.ruleset else None
    if clause is not None and _is_expr(clause.value):
        c.condition(clause.value, Ctx(set()), "applies when")


def _is_expr(value: object) -> TypeGuard[s.Expr]:
    return isinstance(
        value,
        s.Number
        | s.Bool
        | s.String
        | s.DateLit
        | s.NotApplicable
        | s.Name
        | s.Attribute
        | s.Unary
        | s.Binary
        | s.Conditional
        | s.Call
        | s.Band
        | s.ListLit
        | s.RecordLit,
    )


def missing_header(module: s.Module | None = None) -> Diagnostic:
    """Positioned at the first declaration (where the header should have come before), or
    at the start of the file."""
    first = module.declarations[0].span if module is not None and module.declarations else None
    if first is not None:
        span = s.Span(
            first.line, first.column, first.line, first.column + 1, first.start, first.start + 1
        )
    else:
        span = s.Span(1, 1, 1, 1, 0, 0)
    return error(
        "E001",
        span,
        "tệp thiếu phần đầu `ruleset … end` (bộ tiêu chí)",
        "the file has no `ruleset … end` header",
    )
