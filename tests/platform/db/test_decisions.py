"""Council decisions sit beside the computed result and never change it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from chamdiem.platform.db.models import Result
from chamdiem.platform.services.decisions import latest_decision, record_decision
from chamdiem.platform.services.errors import NotFound, ServiceError
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope
from chamdiem.platform.services.verify import verify_run
from tests.platform.db.helpers import ACTOR, PERIOD, count, prepare


def test_a_decision_is_stored_beside_the_result(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    prepare(session, tmp_path)
    [run] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    first = record_decision(
        session, run.run_id, "K1", "xuat_sac", "Bằng điểm tại ngưỡng; hội đồng chọn K1",
        "15/QĐ-SNV", date(2026, 4, 15), actor="chu_tich_hoi_dong",
    )  # fmt: skip
    second = record_decision(
        session, run.run_id, "K1", "tot", "Xét lại theo khiếu nại", "17/QĐ-SNV",
        date(2026, 4, 20), actor="chu_tich_hoi_dong",
    )  # fmt: skip
    result = session.exec(
        select(Result).where(Result.run_id == run.run_id, Result.subject_code == "K1")
    ).one()
    assert result.grade == "tot"  # the computed grade is untouched
    assert result.id is not None
    latest = latest_decision(session, result.id)
    assert latest is not None and latest.id == second.id
    assert first.final_grade == "xuat_sac" and first.decided_by == "chu_tich_hoi_dong"
    assert count(engine, "council_decisions") == 2
    assert verify_run(session, run.run_id, actor=ACTOR).ok


def test_a_decision_needs_a_known_grade_a_reason_and_a_subject(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    prepare(session, tmp_path)
    [run] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    with pytest.raises(ServiceError) as caught:
        record_decision(
            session, run.run_id, "K1", "gioi", "x", "1/QĐ", date(2026, 4, 1), actor=ACTOR
        )
    assert "xuat_sac, tot, hoan_thanh, khong" in caught.value.message.en
    with pytest.raises(ServiceError):
        record_decision(
            session, run.run_id, "K1", "tot", "  ", "1/QĐ", date(2026, 4, 1), actor=ACTOR
        )
    with pytest.raises(NotFound):
        record_decision(
            session, run.run_id, "ZZ", "tot", "x", "1/QĐ", date(2026, 4, 1), actor=ACTOR
        )
    assert count(engine, "council_decisions") == 0
