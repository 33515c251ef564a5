"""The whole-column fast path gives exactly what converting cell by cell gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chamdiem.dsl.program import InputKind
from chamdiem.platform.excel.cells import CellError, convert_all, converter_for
from tests.platform.builders import spec

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


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["number", "count", "percent", "bool", "text", "enum"]),
    cells=st.lists(CELLS, min_size=1, max_size=6),
    uniform=st.booleans(),
)
def test_fast_path_matches_cell_by_cell(
    kind: InputKind, cells: list[object], uniform: bool
) -> None:
    if uniform:  # columns of one type are the ones the fast path takes
        cells = [c for c in cells if type(c) is type(cells[0])] or cells[:1]
    declared = spec("v", kind, choices=("Đạt", "không") if kind == "enum" else ())
    fast = convert_all(list(cells), declared)
    if fast is None:
        return
    convert = converter_for(declared)
    slow = []
    for cell in cells:
        try:
            slow.append(convert(cell))
        except CellError:  # the fast path must never accept what a cell would reject
            raise AssertionError(f"fast path accepted {cell!r} for {kind}") from None
    assert fast == slow
    assert [type(v) for v in fast] == [type(v) for v in slow]
