"""The whole-column fast path gives exactly what converting cell by cell gives, and it is
taken for the columns it is for (a fast path that always declined would pass the agreement
test alone: the readers fall back to cell by cell)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chamdiem.dsl.program import InputKind, InputSpec
from chamdiem.platform.excel.cells import (
    BOOL_SPELLINGS,
    CellError,
    convert_all,
    converter_for,
)
from chamdiem.platform.limits import MAX_NUMBER_DIGITS
from tests.platform.builders import spec

CHOICES = ("Đạt", "không")
NUMBER_TEXT = st.from_regex(r"-?\d{1,5}([.,]\d{1,5})?", fullmatch=True)
CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-2, max_value=2),
    st.integers(min_value=0, max_value=20).map(float),
    NUMBER_TEXT,
    st.from_regex(r"-?0{0,3}\d{26,30}([.,]\d{1,3})?", fullmatch=True),  # around the limit
    st.sampled_from([1e27, 9.99e27, 1e28, 1e29, -1e28, 1e300]),
    st.sampled_from(
        ["TRUE", "false", "x", "có", "không", "Đạt", "đạt", " a ", "", "Tr\u00e2\u0300n"]
    ),
    st.booleans(),
)
POINT_DECIMAL = r"-?[0-9]{1,10}\.[0-9]{1,8}"  # `2.675` too: numbers have no thousands separators
LIMIT = float(10**MAX_NUMBER_DIGITS)
FINITE = st.floats(min_value=-LIMIT, max_value=LIMIT, exclude_min=True, exclude_max=True)


def _columns(kind: InputKind, cell: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.tuples(st.just(kind), st.lists(cell, min_size=1, max_size=8))


# Columns of one valid shape: the fast path must take each of them.
TAKEN = st.one_of(
    _columns("number", FINITE),
    _columns("number", st.from_regex(r"-?[0-9]{1,20}", fullmatch=True)),
    _columns("number", st.from_regex(POINT_DECIMAL, fullmatch=True)),
    _columns("percent", st.floats(min_value=-1, max_value=1)),
    _columns("count", st.integers(min_value=0, max_value=10**15).map(float)),
    _columns("count", st.from_regex(r"[0-9]{1,20}", fullmatch=True)),
    _columns("bool", st.booleans()),
    _columns("bool", st.sampled_from(sorted(BOOL_SPELLINGS))),
    _columns("text", st.text(min_size=1).filter(lambda t: t.strip() != "")),
    _columns("enum", st.sampled_from(CHOICES)),
)


def _declined(kind: InputKind, valid: list[object], odd: object) -> tuple[InputKind, list[object]]:
    return kind, [*valid, odd]


# Columns with one cell off the common shape: the fast path must leave them to the cells.
DECLINED = st.one_of(
    st.builds(
        _declined, st.just("number"), st.lists(FINITE, min_size=1), st.sampled_from(["1", True])
    ),
    st.builds(
        _declined,
        st.just("number"),
        st.lists(FINITE, min_size=1),
        # NaN after a number: min() and max() pass it by ([0.0, nan] once took the fast path)
        st.sampled_from([float("nan"), float("inf"), -float("inf"), LIMIT, -LIMIT, 1e300]),
    ),
    st.builds(
        _declined,
        st.just("number"),
        st.lists(st.from_regex(r"[0-9]{1,5}", fullmatch=True), min_size=1),
        st.sampled_from(["1.234.567", "1,5", " 2", "", "x", "1" * (MAX_NUMBER_DIGITS + 1)]),
    ),
    st.builds(
        _declined,
        st.just("count"),
        st.lists(st.integers(0, 100).map(float), min_size=1),
        st.sampled_from([-1.0, 0.5, 2.25]),
    ),
    st.builds(
        _declined,
        st.just("percent"),
        st.lists(st.floats(-1, 1), min_size=1),
        st.sampled_from([1.5, -2.0]),
    ),
    st.builds(
        _declined,
        st.sampled_from(["number", "count", "percent", "text", "enum"]),
        st.lists(st.booleans(), min_size=1, max_size=5),
        st.booleans(),
    ),
    st.builds(
        _declined,
        st.just("bool"),
        st.lists(st.sampled_from(sorted(BOOL_SPELLINGS)), min_size=1),
        st.sampled_from(["yes", "Có ", "2", 1.0]),
    ),
    st.builds(
        _declined, st.just("text"), st.lists(st.just("a"), min_size=1), st.sampled_from(["", "  "])
    ),
    st.builds(
        _declined, st.just("enum"), st.lists(st.sampled_from(CHOICES), min_size=1), st.just("đạt")
    ),
)


def _declared(kind: InputKind) -> InputSpec:
    return spec("v", kind, choices=CHOICES if kind == "enum" else ())


def _cell_by_cell(kind: InputKind, cells: list[object]) -> list[object]:
    convert = converter_for(_declared(kind))
    out = []
    for cell in cells:
        try:
            out.append(convert(cell))
        except CellError:  # the fast path must never accept what a cell would reject
            raise AssertionError(f"fast path accepted {cell!r} for {kind}") from None
    return out


def _agree(fast: list[object], slow: list[object]) -> None:
    assert fast == slow
    assert [type(v) for v in fast] == [type(v) for v in slow]


@settings(max_examples=150, deadline=None)
@given(column=TAKEN)
def test_fast_path_takes_columns_of_one_valid_shape(column: tuple[InputKind, list[object]]) -> None:
    kind, cells = column
    fast = convert_all(list(cells), _declared(kind))
    assert fast is not None, f"fast path declined a {kind} column {cells!r}"
    _agree(fast, _cell_by_cell(kind, cells))


@settings(max_examples=150, deadline=None)
@given(column=DECLINED)
def test_fast_path_declines_a_column_with_an_odd_cell(
    column: tuple[InputKind, list[object]],
) -> None:
    kind, cells = column
    assert convert_all(list(cells), _declared(kind)) is None


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["number", "count", "percent", "bool", "text", "enum"]),
    cells=st.lists(CELLS, min_size=1, max_size=6),
    uniform=st.booleans(),
)
def test_fast_path_matches_cell_by_cell(
    kind: InputKind, cells: list[object], uniform: bool
) -> None:
    """Any column: where the fast path answers, it answers what the cells do."""
    if uniform:  # columns of one type are the ones the fast path takes
        cells = [c for c in cells if type(c) is type(cells[0])] or cells[:1]
    fast = convert_all(list(cells), _declared(kind))
    if fast is not None:
        _agree(fast, _cell_by_cell(kind, cells))
