"""chamdiem.dsl.display: numbers, dates, periods and grades as a person reads them, in
Vietnamese and in English."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from chamdiem.dsl.display import (
    count_text,
    date_text,
    datetime_text,
    fraction_percent_text,
    grade_text,
    number_text,
    percent_text,
    period_name,
    seconds_text,
    share_text,
)
from chamdiem.dsl.periods import Period


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        ("76.78", "76,78", "76.78"),
        (Decimal("80.00"), "80,00", "80.00"),  # the digits given are kept
        (0, "0", "0"),
        ("0.0", "0,0", "0.0"),
        ("-3.5", "-3,5", "-3.5"),
        ("-1234.5", "-1.234,5", "-1,234.5"),
        (30000, "30.000", "30,000"),
        ("1234567.891", "1.234.567,891", "1,234,567.891"),
        (10**21, "1.000.000.000.000.000.000.000", "1,000,000,000,000,000,000,000"),
        (0.1, "0,1", "0.1"),  # a float through its shortest text
        ("1E+3", "1.000", "1,000"),
        (999, "999", "999"),
        (-999, "-999", "-999"),
    ],
)
def test_numbers_in_both_languages(value: object, vi: str, en: str) -> None:
    assert number_text(value, "vi") == vi  # type: ignore[arg-type]
    assert number_text(value, "en") == en  # type: ignore[arg-type]


def test_rounding_is_half_away_from_zero_and_pads() -> None:
    assert number_text("2.675", places=2) == "2,68"  # a float would give 2.67
    assert number_text("-2.675", "en", places=2) == "-2.68"
    assert number_text("2.5", places=0) == "3"
    assert number_text("-2.5", places=0) == "-3"
    assert number_text(7, places=2) == "7,00"
    assert number_text("-0.004", places=2) == "0,00"  # never '-0,00'
    assert number_text("12345.678", "en", places=1) == "12,345.7"


def test_empty_and_not_numbers() -> None:
    assert number_text(None) == "" and number_text(None, empty="—") == "—"
    assert number_text("—") == "—" and number_text("tot") == "tot"
    assert number_text("nan") == "nan" and number_text("Infinity") == "Infinity"
    assert number_text(12345, group=False) == "12345"


def test_counts_percents_shares_seconds() -> None:
    assert count_text(30000) == "30.000" and count_text(30000, "en") == "30,000"
    assert count_text(0) == "0" and count_text(-1500) == "-1.500" and count_text(None) == ""
    assert percent_text(14.5) == "14,5%" and percent_text(14.5, "en") == "14.5%"
    assert percent_text(18.25) == "18,3%"  # half away from zero, not the float's 18.2
    assert percent_text(0) == "0,0%" and percent_text(-2.25, "en") == "-2.3%"
    assert percent_text(12345.67, places=0) == "12.346%"
    assert share_text(29, 200) == "14,5%" and share_text(1, 3, "en", places=2) == "33.33%"
    assert share_text(5, 0) == "0,0%"
    assert fraction_percent_text("0.145") == "14,5%"
    assert fraction_percent_text(Decimal("0.9047619048"), "en") == "90.5%"
    assert seconds_text(1.25) == "1,3 giây" and seconds_text(1.25, "en") == "1.3 s"


def test_dates_and_times() -> None:
    day = date(2026, 3, 31)
    assert date_text(day) == "31/03/2026" and date_text(day, "en") == "2026-03-31"
    assert date_text(None) == "" and date_text(None, empty="—") == "—"
    moment = datetime(2026, 3, 31, 14, 5)
    assert datetime_text(moment) == "31/03/2026 14:05"
    assert datetime_text(moment, "en") == "2026-03-31 14:05"


def test_period_names() -> None:
    assert period_name("2026-Q1") == "Quý I/2026" and period_name("2026-Q4") == "Quý IV/2026"
    assert period_name("2026-Q1", "en") == "Q1 2026"
    assert period_name("2026-07") == "Tháng 7/2026" and period_name("2026-07", "en") == "July 2026"
    assert period_name("2026") == "Năm 2026" and period_name("2026", "en") == "2026"
    assert period_name(Period.parse("2026-q3")) == "Quý III/2026"
    assert period_name("quý một") == "quý một" and period_name(None) == ""


def test_grades_by_their_labels() -> None:
    labels = {"tot": "Hoàn thành tốt nhiệm vụ", "kem": None}
    assert grade_text("tot", labels) == "Hoàn thành tốt nhiệm vụ"
    assert grade_text("kem", labels) == "kem"  # no label: the code
    assert grade_text(None, labels) == "không xếp loại"
    assert grade_text("-", labels, "en") == "not graded"
