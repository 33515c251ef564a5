"""Periods: codes for a year, a quarter, a month; open until locked; every change audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from chamdiem.platform.db.models import AuditEntry
from chamdiem.platform.services.errors import NotFound, ServiceError
from chamdiem.platform.services.periods import (
    add_period,
    get_period,
    lock_period,
    parse_period_code,
)
from tests.platform.db.helpers import ACTOR


@pytest.mark.parametrize(
    ("code", "canonical", "kind", "start", "end"),
    [
        ("2026", "2026", "year", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-Q1", "2026-Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31)),
        (" 2028-q4 ", "2028-Q4", "quarter", date(2028, 10, 1), date(2028, 12, 31)),
        ("2028-02", "2028-02", "month", date(2028, 2, 1), date(2028, 2, 29)),
    ],
)
def test_period_codes(code: str, canonical: str, kind: str, start: date, end: date) -> None:
    parsed = parse_period_code(code)
    assert (parsed.code, parsed.kind, parsed.start, parsed.end) == (canonical, kind, start, end)


@pytest.mark.parametrize("code", ["2026-Q5", "2026-13", "2026-00", "Q1/2026", "26", ""])
def test_bad_period_codes_say_how_to_write_one(code: str) -> None:
    with pytest.raises(ServiceError) as caught:
        parse_period_code(code)
    assert "2026-Q1" in caught.value.message.en and "2026-Q1" in caught.value.message.vi


@pytest.mark.parametrize("code", ["0000", "9999", "1999-Q4", "2101-01"])
def test_a_period_outside_2000_to_2100_is_refused(code: str) -> None:
    """Year 0 once ended in an unexpected error; 9999 was accepted."""
    with pytest.raises(ServiceError) as caught:
        parse_period_code(code)
    assert caught.value.message.vi == f"mã kỳ '{code}' không hợp lệ: năm phải từ 2000 đến 2100"


def test_a_long_period_code_is_quoted_shortened() -> None:
    with pytest.raises(ServiceError) as caught:
        parse_period_code("2026-Q1" + "x" * 100_000)
    assert len(caught.value.message.vi) < 150 and "2026-Q1xxxxxxxxxxxx…'" in caught.value.message.vi


def test_add_lock_and_audit(session: Session) -> None:
    period, created = add_period(session, "2026-q2", actor=ACTOR)
    assert created and (period.code, period.locked) == ("2026-Q2", False)
    again, created_again = add_period(session, "2026-Q2", actor="nguoi_khac")
    assert not created_again and again.id == period.id
    locked, now = lock_period(session, "2026-Q2", actor=ACTOR)
    assert now and locked.locked and locked.locked_by == ACTOR
    _, now_again = lock_period(session, "2026-Q2", actor=ACTOR)
    assert not now_again
    assert get_period(session, "2026-q2").locked
    actions = [
        e.action for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    ]
    assert actions == ["period_add", "period_lock"]


def test_an_unknown_period_says_how_to_add_it(session: Session) -> None:
    with pytest.raises(NotFound) as caught:
        lock_period(session, "2030-Q1", actor=ACTOR)
    assert "chamdiem period add 2030-Q1" in caught.value.message.en
