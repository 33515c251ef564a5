"""The working-day calendar on known 2026 dates (Tết Bính Ngọ 14–22/02/2026 off, as the
Government announced; the Hùng Kings' day on a Sunday; the 2/9 pair and the swap of 31/8)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chamdiem.platform.services.working_days import (
    YEARS,
    Calendar,
    missing_years,
    national_days,
)

NATIONAL = Calendar()


def test_tet_2026_is_off_from_14_to_22_february() -> None:
    for day in range(14, 23):
        assert not NATIONAL.is_working_day(date(2026, 2, day)), day
    assert NATIONAL.is_working_day(date(2026, 2, 13))  # Friday before
    assert NATIONAL.is_working_day(date(2026, 2, 23))  # Monday after


def test_an_appeal_received_before_tet_2026_is_due_after_it() -> None:
    # Received Thursday 12/02: Friday 13/02 is day 1, then Tết, then 23–27/02 and 02/03.
    assert NATIONAL.add_working_days(date(2026, 2, 12), 7) == date(2026, 3, 2)
    assert NATIONAL.working_days_between(date(2026, 2, 12), date(2026, 3, 2)) == 7


def test_hung_kings_day_on_a_sunday_gives_monday_off() -> None:
    assert date(2026, 4, 26).weekday() == 6
    assert not NATIONAL.is_working_day(date(2026, 4, 27))
    assert NATIONAL.is_working_day(date(2026, 4, 28))
    assert not NATIONAL.is_working_day(date(2026, 4, 30))
    assert not NATIONAL.is_working_day(date(2026, 5, 1))
    # Received Friday 24/04: 28, 29/04, then 04–08/05.
    assert NATIONAL.add_working_days(date(2026, 4, 24), 7) == date(2026, 5, 8)


def test_national_day_2026_and_the_swapped_days() -> None:
    assert not NATIONAL.is_working_day(date(2026, 9, 1))
    assert not NATIONAL.is_working_day(date(2026, 9, 2))
    assert not NATIONAL.is_working_day(date(2026, 8, 31))  # swapped off
    assert NATIONAL.is_working_day(date(2026, 8, 22))  # a Saturday worked instead
    assert not NATIONAL.is_working_day(date(2026, 11, 24))  # Vietnam Culture Day
    assert not NATIONAL.is_working_day(date(2026, 1, 1))


def test_compensatory_days_for_holidays_on_a_weekend() -> None:
    # 2027: 1/5 is a Saturday -> Monday 3/5 off.
    assert not Calendar().is_working_day(date(2027, 5, 3))
    # 2028: 30/4 on Sunday, 1/5 on Monday -> Tuesday 2/5 off; 2/9 Saturday, 1/9 Friday -> 4/9.
    assert not Calendar().is_working_day(date(2028, 5, 2))
    assert Calendar().is_working_day(date(2028, 5, 3))
    assert not Calendar().is_working_day(date(2028, 9, 4))
    # 2028: 1/1 is a Saturday -> Monday 3/1.
    assert not Calendar().is_working_day(date(2028, 1, 3))


def test_the_province_overrides_the_national_calendar() -> None:
    province = Calendar(
        {
            date(2026, 3, 10): (False, "ngày truyền thống của tỉnh"),
            date(2026, 2, 21): (True, "làm bù"),
        }
    )
    assert not province.is_working_day(date(2026, 3, 10))
    assert province.is_working_day(date(2026, 2, 21))
    # 12/02 + 7: 13/02, 21/02 (worked), 23–27/02
    assert province.add_working_days(date(2026, 2, 12), 7) == date(2026, 2, 27)
    why = province.why(date(2026, 3, 10))
    assert why is not None and "ngày truyền thống" in why.vi
    listed = {day for day, _, _ in province.days_off(2026)}
    assert {date(2026, 3, 10), date(2026, 2, 21), date(2026, 2, 16)} <= listed


def test_every_known_year_has_five_weekdays_of_tet_and_its_pair_of_national_day() -> None:
    for year, data in YEARS.items():
        assert len(data.tet) == 5, year
        assert all(day.weekday() < 5 for day in data.tet), year
        assert abs((data.national_day_pair - date(year, 9, 2)).days) == 1
        assert data.hung_kings.month == 4
        assert 1 <= data.tet[0].month <= 2
        days = national_days(year)
        assert sum(1 for _, working in days.values() if not working) >= 11


def test_a_year_without_data_counts_fixed_days_and_weekends() -> None:
    assert missing_years(date(2030, 12, 20), date(2031, 1, 15)) == [2031]
    assert missing_years(date(2026, 1, 1), date(2026, 12, 31)) == []
    assert not Calendar().is_working_day(date(2031, 1, 1))
    assert Calendar().is_working_day(date(2031, 1, 2))


def test_zero_days_and_a_limit() -> None:
    assert NATIONAL.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 14)
    with pytest.raises(ValueError):
        NATIONAL.add_working_days(date(2026, 2, 14), -1)
    assert NATIONAL.working_days_between(date(2026, 3, 2), date(2026, 2, 12)) == -7


@given(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 6, 30)),
    st.integers(min_value=0, max_value=40),
)
def test_adding_and_counting_agree(start: date, n: int) -> None:
    end = NATIONAL.add_working_days(start, n)
    assert NATIONAL.working_days_between(start, end) == n
    assert n == 0 or NATIONAL.is_working_day(end)
    if n:
        assert NATIONAL.working_days_between(start, end - timedelta(days=1)) == n - 1
