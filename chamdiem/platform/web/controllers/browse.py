"""Reading: the dashboard, the unit tree, a unit's people and results, searching people, a
person's history across periods."""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from jinja2 import Environment
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST
from markupsafe import Markup
from sqlmodel import Session

from chamdiem.dsl import syntax
from chamdiem.platform.db.tables import people_t
from chamdiem.platform.expr_words import Glossary, Words
from chamdiem.platform.limits import MAX_SEARCH
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.rules import program_for
from chamdiem.platform.web import charts, queries
from chamdiem.platform.web.access import (
    Action,
    Principal,
    UnitTree,
    can,
    landing_page,
    require,
    unit_visible,
)
from chamdiem.platform.web.auth import request_stamp
from chamdiem.platform.web.pages import page
from chamdiem.platform.web.params import PageQuery
from chamdiem.platform.web.queries import search_too_long
from chamdiem.platform.web.state import web_state
from chamdiem.platform.web.threads import in_thread


@get("/tong-quan", include_in_schema=False)
@in_thread
def dashboard(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    thong_bao: FromQuery[str | None] = None,
    xep: FromQuery[str | None] = None,
    tat_ca: FromQuery[bool] = False,
) -> Template | Redirect:
    tree = web_state(request).units.get(db)
    # A person's own account starts on their own page (a civil servant) or their unit's.
    person_code = None
    if me.person_id is not None and me.role == "civil_servant":
        person_code = (
            db.connection()
            .execute(sa.select(people_t.c.code).where(people_t.c.id == me.person_id))
            .scalar()
        )
    landing = landing_page(me, tree, person_code)
    if landing is not None:
        db.commit()
        return Redirect(path=landing)
    periods = queries.periods(db)
    latest = queries.runs(db, me, limit=8)
    # Per agency (sở, ban, commune: the reader's top units), each department counted in.
    tops = charts.agencies(tree, tree.roots() if me.whole_province else me.root_unit_ids)
    part_of = charts.part_of(tree, tops)
    charts_shown: list[dict[str, Any]] = []
    seen: set[str] = set()
    for run in latest:
        if run.status != "complete" or run.ruleset in seen or len(charts_shown) >= 2:
            continue
        seen.add(run.ruleset)
        rolled = charts.roll_up(queries.grade_distribution(db, me, run.id), part_of)
        charts_shown.append(
            _grade_chart(db, tree, run, rolled, limit=None if tat_ca else AGENCIES, sort=xep)
        )
    versions = queries.rule_versions(db) if can(me, Action.READ_RULES) else []
    db.commit()
    return page(
        "dashboard.html",
        me,
        title="Tổng quan",
        message=thong_bao,
        periods=periods,
        runs=latest,
        charts=charts_shown,
        all_agencies=tat_ca,
        versions=versions[:8],
        units=[tree.code[i] for i in me.root_unit_ids if i in tree.code],
        unit_names={tree.code[i]: tree.name[i] for i in me.root_unit_ids if i in tree.code},
    )


AGENCIES = 20  # bars on the dashboard before "all"


@get("/don-vi", include_in_schema=False)
@in_thread
def units(
    request: Request[Any, Any, Any], db: NamedDependency[Session], me: NamedDependency[Principal]
) -> Template:
    require(me, Action.READ_ORG)
    tree = web_state(request).units.get(db)
    visible = queries.visible_units(tree, me)
    counts = queries.people_counts(db, me)
    db.commit()
    shown = set(visible)
    nodes: dict[int, dict[str, Any]] = {
        unit_id: {
            "code": tree.code[unit_id],
            "name": tree.name[unit_id],
            "people": counts.get(unit_id, 0),  # the unit and every unit below it, below
            "children": [],
        }
        for unit_id in visible
    }
    tops: list[dict[str, Any]] = []
    for unit_id in visible:  # each after its parent
        parent = tree.parent.get(unit_id)
        if parent in shown:
            nodes[parent]["children"].append(nodes[unit_id])
        else:
            tops.append(nodes[unit_id])
    for unit_id in reversed(visible):  # each before its parent: subtree counts
        parent = tree.parent.get(unit_id)
        if parent in shown:
            nodes[parent]["people"] += nodes[unit_id]["people"]
    return page(
        "units.html",
        me,
        title="Đơn vị và người",
        tops=tops,
        open_all=len(tops) == 1,
        people=sum(n["people"] for n in tops),
    )


UNIT_PAGE = 250  # results per page of a unit (a large department has hundreds of people)


@get("/don-vi/{code:str}", include_in_schema=False)
@in_thread
def unit_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    code: FromPath[str],
    ky: FromQuery[str | None] = None,
    trang: PageQuery = 1,
    xep: FromQuery[str | None] = None,
) -> Template:
    state = web_state(request)
    tree = state.units.get(db)
    unit_id = queries.unit_by_code(tree, me, code)  # 404 outside the reader's scope
    number = max(1, trang)
    # The body shows only what the reader's scope lets them see, so the scope is in the key;
    # the tree (read again within seconds of a change) by identity.
    key = ("unit", request_stamp(request, db), id(tree), me.scope, code, ky, number, xep)
    body = state.fragments.get(key)
    if body is None:
        body = _unit_body(state.templates, db, me, tree, unit_id, code, ky, number, xep)
        state.fragments.put(key, body)
    db.commit()
    name = tree.name[unit_id]
    title = name if name == code else f"{name} ({code})"  # a department's code is its name
    return page("unit.html", me, title=title, body=body)


def _unit_body(
    templates: Environment | None,
    db: Session,
    me: Principal,
    tree: UnitTree,
    unit_id: int,
    code: str,
    ky: str | None,
    number: int,
    sort: str | None = None,
) -> Markup:
    assert templates is not None, "the app sets the templates"
    periods = queries.periods(db)
    period_id = next((p.id for p in periods if p.code == ky), None) if ky else None
    people = queries.people_of_unit(db, me, unit_id)
    runs = queries.latest_runs_for_unit(db, me, code, period_id)
    sections = []
    evaluated: set[str] = set()
    for run in runs:
        rows, total = queries.run_results(
            db, me, run.id, unit_code=code, limit=UNIT_PAGE, offset=(number - 1) * UNIT_PAGE
        )
        evaluated |= queries.result_codes(db, me, run.id, code)
        sections.append(
            {
                "run": run,
                "rows": rows,
                "total": total,
                "pages": max(1, -(-total // UNIT_PAGE)),
                "labels": queries.grade_labels(db, run.rule_version_id),
                **_unit_chart(db, me, tree, run, code),
            }
        )
    children = [c for c in tree.children.get(unit_id, []) if unit_visible(me, c)]
    parent = tree.parent.get(unit_id)
    summaries = (
        _subtree_summaries(db, me, tree, unit_id, children, period_id, sort) if children else []
    )
    html = templates.get_template("unit_body.html").render(
        unit_code=code,
        unit_name=tree.name[unit_id],
        parent=(
            (tree.code[parent], tree.name[parent])
            if parent is not None and unit_visible(me, parent)
            else None
        ),
        children=[(tree.code[c], tree.name[c]) for c in children],
        people_count=len(people),
        # The people the shown runs did not evaluate (the others are in the results).
        people=[p for p in people if p.code not in evaluated],
        sections=sections,
        summaries=summaries,
        periods=periods,
        period=ky,
        page_number=number,
    )
    return Markup(html)


def _unit_chart(
    db: Session, me: Principal, tree: UnitTree, run: queries.RunRow, code: str
) -> dict[str, Any]:
    """A unit's own grades in a run: one bar for the unit and one per position group (a
    quota counts per unit and position group), and per quota of the rules, where the unit
    stands: who holds the grade, who reached it by points but was placed lower by the
    quota, who ties at the limit."""
    counts = queries.unit_grade_counts(db, me, run.id, code)
    grades = queries.grade_order(db, run.rule_version_id)
    labels = queries.grade_labels(db, run.rule_version_id)
    whole: Counter[str] = Counter()
    by_group: dict[str | None, Counter[str]] = {}
    for c in counts:
        whole[c.grade or charts.NOT_GRADED] += c.count
        by_group.setdefault(c.position_group or "", Counter())[c.grade or charts.NOT_GRADED] += (
            c.count
        )
    groups = {g or "": (g or "không ghi nhóm vị trí") for g in by_group}
    names = {code: tree.name.get(tree.by_code.get(code, -1), code), **groups}
    bars = charts.bars({code: whole}, grades, labels, tree, limit=None, names=names)
    if len(by_group) > 1:
        bars += charts.bars(
            by_group, grades, labels, tree, limit=None, sort=charts.BY_SIZE, names=names
        )
    quotas = []
    version = queries.rule_version(db, run.rule_version_id)
    try:
        program = program_for(version)
    except ServiceError:
        program = None
    if program is not None:
        words = Words(Glossary.of(program.module))
        for q in program.module.declarations:
            if not isinstance(q, syntax.Quota):
                continue
            grade = q.grade.name
            per = ", ".join(words(key) for key in q.per)
            quotas.append(
                {
                    "label": labels.get(grade, grade),
                    "rule": f"tối đa {words(q.share)} của {words(q.count)}"
                    + (f", tính riêng theo {per}" if per else ""),
                    "holders": sum(c.count for c in counts if c.grade == grade),
                    "lowered": sum(
                        c.count
                        for c in counts
                        if c.score_grade == grade and c.grade != grade and not c.vetoed
                    ),
                    "ties": sum(c.count for c in counts if c.tie_at_quota),
                }
            )
    return {
        "chart": bars,
        "legend": charts.legend(grades, labels),
        "quotas": quotas,
    }


def _subtree_summaries(
    db: Session,
    me: Principal,
    tree: UnitTree,
    unit_id: int,
    children: list[int],
    period_id: int | None,
    sort: str | None = None,
) -> list[dict[str, Any]]:
    """For a unit with units under it (an agency, a commune): per rule set, the latest run's
    grades in each unit directly under it, that unit's own units counted in. A head reads
    their whole agency here; its people are in the units below."""
    part_of = {tree.code[unit_id]: tree.code[unit_id]}
    for child in children:
        for below in tree.subtree([child]):
            part_of[tree.code[below]] = tree.code[child]
    summaries = []
    for run in queries.latest_runs_for_units(db, me, list(part_of), period_id):
        rolled: dict[str | None, Counter[str]] = {}
        for code, counts in queries.grade_distribution(db, me, run.id).items():
            part = part_of.get(code or "")
            if part is not None:
                rolled.setdefault(part, Counter()).update(counts)
        summaries.append(_grade_chart(db, tree, run, rolled, limit=None, sort=sort))
    return summaries


def _grade_chart(
    db: Session,
    tree: UnitTree,
    run: queries.RunRow,
    distribution: dict[str | None, Counter[str]],
    limit: int | None,
    sort: str | None = None,
) -> dict[str, Any]:
    """What a chart card shows of a run: a bar per unit of `distribution` (sorted as asked:
    by size unless a link asks for a grade's share or the name), the legend, the sort links,
    the counts of each grade in all."""
    grades = queries.grade_order(db, run.rule_version_id)
    labels = queries.grade_labels(db, run.rule_version_id)
    chosen = charts.sort_key(sort, grades)
    return {
        "run": run,
        "bars": charts.bars(distribution, grades, labels, tree, limit=limit, sort=chosen),
        "legend": charts.legend(grades, labels),
        "sorts": charts.sorts(grades, labels, chosen),
        "sort": chosen,
        "units": sum(1 for counts in distribution.values() if sum(counts.values())),
        "totals": charts.totals(distribution),
        "labels": labels,
    }


@get("/tim-kiem", include_in_schema=False)
@in_thread
def search(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    q: FromQuery[str] = "",
) -> Template:
    require(me, Action.READ_ORG)
    if len(q) > MAX_SEARCH:
        return page(
            "search.html",
            me,
            title="Tìm người",
            status_code=HTTP_400_BAD_REQUEST,
            q=q[:MAX_SEARCH],
            found=[],
            total=0,
            max_search=MAX_SEARCH,
            field_error=search_too_long(q).vi,
        )
    tree = web_state(request).units.get(db)
    rows, total = queries.search_people(db, me, q)
    db.commit()
    found = [
        {
            "code": row.code,
            "name": row.name,
            "position": row.position,
            "unit_code": tree.code.get(row.unit_id, "") if row.unit_id else "",
            "unit_name": tree.name.get(row.unit_id, "") if row.unit_id else "",
        }
        for row in rows
    ]
    return page(
        "search.html",
        me,
        title="Tìm người",
        q=q,
        found=found,
        total=total,
        max_search=MAX_SEARCH,
        field_error=None,
    )


@get("/nguoi/{code:str}", include_in_schema=False)
@in_thread
def person_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    me: NamedDependency[Principal],
    code: FromPath[str],
) -> Template:
    tree = web_state(request).units.get(db)
    person = queries.person_by_code(db, me, code)
    history = queries.person_history(db, me, person.id)
    labels = {h.rule_version_id: queries.grade_labels(db, h.rule_version_id) for h in history}
    db.commit()
    unit_id = person.unit_id
    return page(
        "person.html",
        me,
        title=f"{person.name or person.code} ({person.code})",
        person=person,
        unit=(tree.code[unit_id], tree.name[unit_id]) if unit_id in tree.code else None,
        history=history,
        labels=labels,
    )
