"""Cell values become exact typed values; bad or ambiguous cells say why."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from chamdiem.platform.excel.cells import (
    CellError,
    MaybePercent,
    enum_converter,
    to_bool,
    to_count,
    to_date,
    to_number,
    to_percent,
    to_text,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (8.5, Decimal("8.5")),
        (0.1, Decimal("0.1")),  # shortest repr, not 0.1000000000000000055…
        (9.0, 9),
        (7, 7),
        ("8,5", Decimal("8.5")),
        ("8.5", Decimal("8.5")),
        (" 12 ", 12),
        ("-3,25", Decimal("-3.25")),
        ("0,125", Decimal("0.125")),
        ("1,2345", Decimal("1.2345")),
        # No thousands separators (docs/data-format.md): the one mark is the decimal mark.
        ("2.675", Decimal("2.675")),
        ("2,675", Decimal("2.675")),
        ("1.125", Decimal("1.125")),
        ("12.500", Decimal("12.5")),
    ],
)
def test_numbers_are_exact(cell: object, expected: object) -> None:
    value = to_number(cell)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("1.234.567", "phân cách hàng nghìn"),
        ("1,234.5", "phân cách hàng nghìn"),
        ("1.234,5", "phân cách hàng nghìn"),
        ("abc", "không phải là số"),
        ("8 5", "không phải là số"),
        (True, "ô đúng/sai"),
        (date(2026, 1, 1), "ô ngày"),
    ],
)
def test_ambiguous_or_bad_numbers_are_rejected(cell: object, words: str) -> None:
    with pytest.raises(CellError) as caught:
        to_number(cell)
    assert words in caught.value.message.vi


@pytest.mark.parametrize(
    "cell",
    [
        "1" * 5001,  # beyond Python's own limit on turning digits into a number
        "-" + "9" * 29,
        "1," + "5" * 28,
        "0." + "0" * 4999 + "1",
        "1." + "0" * 5000,
        1e28,
        -1e300,
        10**28,
        10**5000,
    ],
    ids=lambda cell: type(cell).__name__,  # (pytest would quote 5,001 digits)
)
def test_numbers_of_more_than_28_digits_are_refused(cell: object) -> None:
    for convert in (to_number, to_count, to_percent):
        with pytest.raises(CellError) as caught:
            convert(cell)
        assert "có quá nhiều chữ số (một số có tối đa 28 chữ số)" in caught.value.message.vi
        assert len(caught.value.message.vi) < 200  # the cell is quoted, shortened


def test_28_digits_are_still_an_exact_number() -> None:
    assert to_number("9" * 28) == 10**28 - 1
    assert to_number("0" * 100 + "7") == 7  # leading zeros do not count
    assert to_number("-" + "1" * 14 + "," + "2" * 14) == Decimal("-" + "1" * 14 + "." + "2" * 14)
    assert to_number(9.99e27) == int(9.99e27)  # a workbook number just below the limit
    assert to_percent("0," + "5" * 27 + "%") == Decimal("0.00" + "5" * 27)


def test_counts_are_whole_and_not_negative() -> None:
    assert to_count(3.0) == 3
    assert to_count("4") == 4
    for bad in (3.5, -1.0, "2,5", "-2"):
        with pytest.raises(CellError) as caught:
            to_count(bad)
        assert "số nguyên không âm" in caught.value.message.vi


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (0.96, Decimal("0.96")),  # a percent-formatted cell: calamine gives the fraction
        ("96%", Decimal("0.96")),
        ("96,5%", Decimal("0.965")),
        ("96.5 %", Decimal("0.965")),
        ("0,5", Decimal("0.5")),
        (1.0, 1),
    ],
)
def test_percents(cell: object, expected: Decimal) -> None:
    assert to_percent(cell) == expected


def test_a_plain_number_above_one_is_an_ambiguous_percent() -> None:
    with pytest.raises(MaybePercent) as caught:
        to_percent(96.0)
    assert caught.value.value == 96
    assert "96%" in caught.value.message.vi
    with pytest.raises(CellError) as text_case:
        to_percent("96")  # text: no cell format can settle it
    assert not isinstance(text_case.value, MaybePercent)
    assert "96%" in text_case.value.message.vi


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (True, True),
        (False, False),
        ("x", True),
        ("X", True),
        ("có", True),
        ("Có", True),
        ("không", False),
        ("đúng", True),
        ("sai", False),
        ("true", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        (1.0, True),
        (0.0, False),
        ("co\u0301", True),  # NFD "có"
    ],
)
def test_booleans(cell: object, expected: bool) -> None:
    assert to_bool(cell) is expected


def test_bad_booleans() -> None:
    for bad in ("có lẽ", 2.0, "yes please"):
        with pytest.raises(CellError) as caught:
            to_bool(bad)
        assert "cần có/không" in caught.value.message.vi


def test_dates() -> None:
    assert to_date(date(2026, 3, 31)) == date(2026, 3, 31)
    assert to_date(datetime(2026, 3, 31, 0, 0)) == date(2026, 3, 31)
    assert to_date("2026-03-31") == date(2026, 3, 31)
    assert to_date("31/03/2026") == date(2026, 3, 31)
    assert to_date("1/2/2026") == date(2026, 2, 1)  # day first, as written in Vietnam
    with pytest.raises(CellError, match="not a real date"):
        to_date("31/02/2026")
    with pytest.raises(CellError, match="formatted as a date"):
        to_date(46000.0)
    with pytest.raises(CellError, match="expected a date"):
        to_date("03-31-2026")


def test_choices_match_after_nfc_and_case_folding() -> None:
    convert = enum_converter(("Đạt", "Không đạt"))
    assert convert("đạt") == "Đạt"
    assert convert("KHÔNG ĐẠT") == "Không đạt"
    assert convert("Đa\u0323t") == "Đạt"  # NFD
    with pytest.raises(CellError) as caught:
        convert("Tốt")
    assert '"Đạt", "Không đạt"' in caught.value.message.vi


def test_text_is_nfc_and_numbers_read_as_shown() -> None:
    assert to_text(" Nguye\u0302\u0303n ") == "Nguyễn"
    assert to_text(1001.0) == "1001"
    assert to_text(2.5) == "2.5"
    assert to_text(date(2026, 1, 2)) == "2026-01-02"
