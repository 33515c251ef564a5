"""`chamdiem impact` and `chamdiem history`: a rule change tried on a period's stored data,
and a person's grades across periods with the rule version of each.

    chamdiem impact OLD NEW --period P [--units U …] [-o FILE.xlsx]
    chamdiem history PERSON

Their arguments are registered with `fmt`, `diff` and `doc` (chamdiem.cli.versions); OLD and
NEW are read as there (a file, or REV:path from git).
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from chamdiem.cli.console import EXIT_OK, EXIT_USER, Console, Progress, Unreadable
from chamdiem.cli.session import configured_engine, user_problem
from chamdiem.cli.versions import read_version
from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.dsl.display import count_text, grade_text, number_text, period_name

if TYPE_CHECKING:
    from chamdiem.dsl.loader import Program
    from chamdiem.platform.report_data import Impact


def _program(spec: str, out: Console) -> Program | None:
    from chamdiem.dsl.loader import RuleFileError, load_source

    try:
        text, name = read_version(spec)
    except Unreadable as problem:
        out.error(spec, problem.message)
        return None
    try:
        return load_source(text, name)
    except RuleFileError as error:
        out.err(out.rule_errors(error))
        return None


def run_impact(args: argparse.Namespace, out: Console) -> int:
    """`chamdiem impact OLD NEW --period P`: both versions on the period's stored data."""
    from chamdiem.platform.services.impact import impact_for_period
    from chamdiem.platform.services.scope import operator_scope

    old, new = _program(args.old, out), _program(args.new, out)
    if old is None or new is None:
        return EXIT_USER
    working = Text(
        f"Đang đánh giá hai phiên bản trên dữ liệu {period_name(args.period, 'vi')}",
        f"Evaluating both versions on the data of {period_name(args.period, 'en')}",
    )
    with Progress.for_args(args, out).step(working):
        found = _with_session(
            out,
            lambda session: impact_for_period(
                session, old, new, args.period, operator_scope(session, args.units)
            ),
        )
    if found is None:
        return EXIT_USER
    impact = found
    out.out(render_impact(impact, args.old, args.new, out.language))
    if args.out:
        from chamdiem.platform.excel.impact_workbook import write_impact_workbook

        write_impact_workbook(impact, Path(args.out), args.old, args.new)
        out.say(Text(f"Đã ghi {args.out}", f"Wrote {args.out}"))
    return EXIT_OK


def render_impact(impact: Impact, old_name: str, new_name: str, language: Language) -> str:
    """The impact as a person reads it: grade labels, not codes, and numbers written as the
    language writes them (chamdiem.dsl.display)."""
    from chamdiem.platform.services.impact import NOT_GRADED

    vi = language == "vi"

    def grade(code: str) -> str:
        return grade_text(None if code == NOT_GRADED else code, impact.labels, language)

    def count(n: int) -> str:
        return count_text(n, language)

    names = [grade(g) for g in impact.grades]
    lines = [
        (
            f"Ảnh hưởng của thay đổi {old_name} → {new_name}"
            if vi
            else f"Impact of {old_name} → {new_name}"
        ),
        (
            f"{count(impact.people)} người; {count(len(impact.moves))} người đổi mức; "
            f"{count(impact.totals_changed)} người đổi tổng điểm"
            if vi
            else f"{count(impact.people)} people; {count(len(impact.moves))} change grade; "
            f"{count(impact.totals_changed)} change total"
        ),
        "",
        (
            "Ma trận chuyển mức (hàng: mức cũ, cột: mức mới, theo số thứ tự):"
            if vi
            else "Grade transitions (rows: old grade, columns: new grade, by number):"
        ),
        *_matrix_lines(names, impact.grades, impact.overall, language),
    ]
    for unit in sorted(impact.per_unit):
        counts = impact.per_unit[unit]
        if all(before == after for before, after in counts):
            continue
        lines += [
            "",
            (f"Đơn vị {unit}:" if vi else f"Unit {unit}:"),
            *_matrix_lines(names, impact.grades, counts, language),
        ]
    if impact.moves:
        lines += ["", "Những người đổi mức:" if vi else "People whose grade changes:"]
        for move in impact.moves:
            moved = ", ".join(
                f"{c.name} {_value(c.old, language)} → {_value(c.new, language)}"
                for c in move.criteria
            )
            lines.append(
                f"  {move.unit or '-'}  {move.code}  {move.name or ''}  "
                f"{grade(move.old_grade)} → {grade(move.new_grade)}  "
                f"({_value(move.old_total, language)} → {_value(move.new_total, language)})"
                + (f"  [{moved}]" if moved else "")
            )
    return "\n".join(lines)


def _value(text: str | None, language: Language) -> str:
    """A criterion's value or a total as stored ('86.00', 'True') as the language writes it."""
    if text is None or text == "":
        return "—"
    if text in ("True", "False"):
        yes = text == "True"
        return ("có" if yes else "không") if language == "vi" else ("yes" if yes else "no")
    return number_text(text, language)


def _matrix_lines(
    names: list[str], grades: list[str], counts: Counter[tuple[str, str]], language: Language
) -> list[str]:
    """Rows 'k. label' (the old grade), columns k (the new grade), counts written as the
    language writes them; every grade has its row, so the rows name the columns too."""
    cells = [[count_text(counts.get((b, a), 0), language) for a in grades] for b in grades]
    width = max(len(str(len(grades))), *(len(c) for row in cells for c in row)) + 2
    heads = [f"{k}. {name[:1].upper()}{name[1:]}" for k, name in enumerate(names, start=1)]
    first = max(len(h) for h in heads) + 2
    lines = [" " * first + "".join(f"{k:>{width}}" for k in range(1, len(grades) + 1))]
    for head, row in zip(heads, cells, strict=True):
        lines.append(f"{head:<{first}}" + "".join(f"{v:>{width}}" for v in row))
    return lines


T = TypeVar("T")


def _with_session(out: Console, work: Callable[[Any], T]) -> T | None:
    """Run `work(session)` on the configured database; a user's problem (no database, an
    unknown period or person, data that cannot be evaluated) is printed and gives None."""
    from chamdiem.dsl.inputs import EvaluationError
    from chamdiem.platform.db.engine import open_session
    from chamdiem.platform.settings import Settings

    try:
        with configured_engine(Settings().database()) as engine, open_session(engine) as session:
            return work(session)
    except EvaluationError as error:
        for problem in error.problems[:20]:
            out.err(f"{problem.subject}: {problem.name}: {problem.message.in_(out.language)}")
        return None
    except Exception as error:
        if user_problem(error, out) is None:
            raise
        return None


def run_history(person: str, out: Console) -> int:
    """`chamdiem history PERSON`."""
    from chamdiem.platform.services.history import person_history

    rows = _with_session(out, lambda session: person_history(session, person))
    if rows is None:
        return EXIT_USER
    vi = out.language == "vi"
    if not rows:
        out.say(Text(f"{person}: chưa có kết quả nào", f"{person}: no results yet"))
        return EXIT_OK
    headers = (
        ["Kỳ", "Bộ tiêu chí", "Tổng điểm", "Mức theo điểm", "Mức", "Quyết định", "Phiên bản", "Git"]
        if vi
        else ["Period", "Rule set", "Total", "Score grade", "Grade", "Decision", "Version", "Git"]
    )
    lang = out.language

    def grade(code: str | None, labels: dict[str, str]) -> str:  # none: not graded
        return grade_text(code, labels, lang)

    table = [
        [
            period_name(r.period, lang),
            r.ruleset_title or r.ruleset,
            number_text(r.total, lang, empty="—"),
            grade(r.score_grade, r.grade_labels),
            grade(r.grade, r.grade_labels),
            (
                f"{grade(r.decision_grade, r.grade_labels)} ({r.decision_document})"
                if r.decision_grade
                else ""
            ),
            r.version_sha256[:12],
            f"{r.git_commit[:10]} {r.git_path}" if r.git_commit else "",
        ]
        for r in rows
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *table, strict=True)]
    for line in [headers, *table]:
        out.out("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
    return EXIT_OK
