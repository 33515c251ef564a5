"""A year from the database: `cong_chuc_nam` reads the quarters' stored results
(`periods(cong_chuc_quy)`), records which runs it read, and verifies against exactly those."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session

from chamdiem.platform.db.codec import loads
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.services.periods import add_period
from chamdiem.platform.services.rules import publish_rule_version
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope
from chamdiem.platform.services.verify import verify_run
from tests.platform.db.helpers import ACTOR, PEOPLE, ROOT, P, people_copy, prepare, save, workbook

YEAR_RULES = ROOT / "rules" / "cong_chuc_nam.rules"


def second_quarter() -> list[P]:
    """Everyone's second quarter: other scores, so the year's mean is not the first's."""
    people = people_copy()
    for k, person in enumerate(people):
        first, second, third = (Decimal(str(v)) for v in person.scores)
        lower = Decimal(k % 3) / 4
        person.scores = (max(first - lower, Decimal(0)), second, third)
    return people


def stored(engine: Engine, run_id: int) -> dict[str, tuple[str | None, str | None]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT subject_code, total, grade FROM results WHERE run_id = :r"),
            {"r": run_id},
        )
        return {code: (total, grade) for code, total, grade in rows}


@pytest.fixture
def quarters(session: Session, tmp_path: Path) -> list[int]:
    """Q1 and Q2 of the small organisation imported and run; the year's data imported."""
    prepare(session, tmp_path)
    [q1] = run_evaluation(session, "2026-Q1", scope=Scope.everything(), actor=ACTOR)
    add_period(session, "2026-Q2", actor=ACTOR)
    import_period_data(
        session, workbook(tmp_path / "quy2.xlsx", second_quarter()), "2026-Q2", actor=ACTOR
    )
    [q2] = run_evaluation(session, "2026-Q2", scope=Scope.everything(), actor=ACTOR)
    add_period(session, "2026", actor=ACTOR)
    publish_rule_version(session, YEAR_RULES, actor=ACTOR)
    months = {p.code: 12 for p in PEOPLE} | {"A4": 5}  # A4 worked five months
    year = save(
        tmp_path / "nam.xlsx",
        {"subjects": [["Mã", "so_thang_cong_tac"], *[[c, m] for c, m in months.items()]]},
    )
    import_period_data(session, year, "2026", actor=ACTOR)
    return [q1.run_id, q2.run_id]


def test_a_year_is_the_mean_of_the_stored_quarters(
    session: Session, engine: Engine, quarters: list[int]
) -> None:
    [year] = run_evaluation(
        session, "2026", rules=["cong_chuc_nam"], scope=Scope.everything(), actor=ACTOR
    )
    assert year.status == "complete" and year.subjects == len(PEOPLE)
    q1, q2 = (stored(engine, run_id) for run_id in quarters)
    got = stored(engine, year.run_id)
    for code in got:
        if code == "A4":
            assert got[code] == (None, None)  # under six months: not graded
            continue
        mean = (Decimal(q1[code][0] or 0) + Decimal(q2[code][0] or 0)) / 2
        assert got[code][0] == str(mean.quantize(Decimal("0.01"), ROUND_HALF_UP)), code
    # A quarter graded "không hoàn thành" by a veto caps the year (N1's discipline).
    assert q1["N1"][1] == "khong" and got["N1"][1] == "khong"
    with engine.connect() as connection:
        linked = connection.execute(
            sa.text("SELECT linked_runs_json FROM evaluation_runs WHERE id = :r"),
            {"r": year.run_id},
        ).scalar_one()
    assert sorted(int(k) for k in loads(linked)) == quarters


def test_a_year_verifies_against_the_quarter_runs_it_read(
    session: Session, engine: Engine, quarters: list[int]
) -> None:
    [year] = run_evaluation(
        session, "2026", rules=["cong_chuc_nam"], scope=Scope.everything(), actor=ACTOR
    )
    # A later run of the first quarter does not change what the year read.
    run_evaluation(session, "2026-Q1", scope=Scope.everything(), actor=ACTOR)
    report = verify_run(session, year.run_id, actor="kiem_toan")
    assert report.ok, report.differences
    # A quarter result changed behind the services' back is caught through the year.
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE results SET total = '99.99' WHERE run_id = :r AND subject_code = 'K3'"),
            {"r": quarters[1]},
        )
    report = verify_run(session, year.run_id, actor="kiem_toan")
    assert not report.ok
    assert "K3" in {d.subject for d in report.differences}


def test_a_year_without_any_quarter_run_is_refused_with_a_reason(
    session: Session, tmp_path: Path
) -> None:
    prepare(session, tmp_path, data=False)
    add_period(session, "2026", actor=ACTOR)
    publish_rule_version(session, YEAR_RULES, actor=ACTOR)
    year = save(tmp_path / "nam.xlsx", {"subjects": [["Mã", "so_thang_cong_tac"], ["A1", 12]]})
    import_period_data(session, year, "2026", actor=ACTOR)
    with pytest.raises(ServiceError) as raised:
        run_evaluation(
            session, "2026", rules=["cong_chuc_nam"], scope=Scope.everything(), actor=ACTOR
        )
    assert "chưa có lần đánh giá nào" in raised.value.message.vi
    assert "cong_chuc_quy" in raised.value.message.vi
