"""Reading whole columns with NumPy (excel/columnar.py) and writing results per column
(result_writers.jsonl_chunks, result_columns): the same values, problems and bytes as the
cell-by-cell reading and the record-by-record writing."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from chamdiem.cli.rules import load_rules
from chamdiem.dsl.data import ScaledColumn, as_list
from chamdiem.dsl.program import InputSpec
from chamdiem.dsl.results import Results
from chamdiem.platform.excel import DataFileError, read_cohort
from chamdiem.platform.excel.result_writers import (
    save_csv,
    save_jsonl,
    save_xlsx,
    write_jsonl,
)
from tests.platform.builders import csv_file, spec, xlsx

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = [HealthCheck.function_scoped_fixture]

INPUTS: list[InputSpec] = [
    spec("diem", "number", low="0", high="100"),
    spec("so_lan", "count", default=0),
    spec("ty_le", "percent"),
    spec("co", "bool", default=False),
    spec("am", "number", default=0),
]
NUMBER = st.one_of(
    st.from_regex(r"(0|[1-9][0-9]{0,2})([.,][0-9]{1,3})?", fullmatch=True),
    st.sampled_from(
        ["100", "101", "1.234", "2,675", "1,5", "007", " 5", "", "x", "-1", "12.5000", "1.234,5"]
    ),
)
COUNT = st.one_of(
    st.from_regex(r"[0-9]{1,6}", fullmatch=True),
    st.sampled_from(["", "-1", "2.0", "1,5", "9" * 19, "٣"]),
)
PERCENT = st.one_of(
    st.from_regex(r"0([.,][0-9]{1,4})?", fullmatch=True),
    st.from_regex(r"[0-9]{1,3}([.,][0-9]{1,2})?%", fullmatch=True),
    st.sampled_from(["1", "1.5", "-0.25", "95 %", "", "50%%"]),
)
BOOL = st.sampled_from(["TRUE", "FALSE", "x", "có", "không", "0", "1", "", "Yes", "Có "])
SIGNED = st.one_of(
    st.from_regex(r"-?[0-9]{1,9}([.,][0-9]{1,6})?", fullmatch=True),
    st.sampled_from(["", "−5", "-", "1e3", "123456789012345678901"]),
)
ROWS = st.lists(st.tuples(NUMBER, COUNT, PERCENT, BOOL, SIGNED), min_size=1, max_size=12)


def _read(path: Path, columnar: bool) -> tuple[object, object]:
    """The cohort's inputs as Python values (or the problems) and the raw columns."""
    try:
        cohort = read_cohort(path, INPUTS, [], columnar=columnar)
    except DataFileError as exc:
        return ("problems", [str(p) for p in exc.problems]), None
    values = {name: [_plain(v) for v in as_list(column)] for name, column in cohort.inputs.items()}
    return ("values", cohort.codes, values), cohort.inputs


def _plain(value: object) -> object:
    """Numbers compared by value (the cells give 12 or Decimal('12.0'), a column 12.00)."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return ("number", Decimal(value))
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return value


def _agree(path: Path) -> object:
    slow, _ = _read(path, columnar=False)
    fast, columns = _read(path, columnar=True)
    assert fast == slow
    return columns


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS)
def test_columnar_csv_reads_as_the_cells_do(tmp_path: Path, rows: list[tuple[str, ...]]) -> None:
    header = ["code", "diem", "so_lan", "ty_le", "co", "am"]
    body = [[f"S{k}", *row] for k, row in enumerate(rows)]
    _agree(csv_file(tmp_path / "data.csv", [header, *body]))


CELL = st.one_of(
    st.floats(min_value=-1e9, max_value=1e9),
    st.integers(0, 10**6).map(float),
    st.integers(0, 10**4).map(lambda k: k / 100),
    st.sampled_from([None, True, 0.5, 1.5, float("nan"), 1e20, 0.1 + 0.2]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(CELL, CELL, CELL, CELL, CELL), min_size=1, max_size=10))
def test_columnar_xlsx_reads_as_the_cells_do(
    tmp_path: Path, rows: list[tuple[object, ...]]
) -> None:
    header = ["code", "diem", "so_lan", "ty_le", "co", "am"]
    body = [[f"S{k}", *row] for k, row in enumerate(rows)]
    _agree(xlsx(tmp_path / "data.xlsx", {"subjects": [header, *body]}))


def test_columnar_takes_the_usual_columns(tmp_path: Path) -> None:
    """A file of the usual shapes is read without a Python value per cell: the fast path
    is taken (a fast path that always declined would pass the agreement tests alone)."""
    header = ["code", "diem", "so_lan", "ty_le", "co", "am"]
    rows = [
        ["A", "72.45", "3", "96,5%", "TRUE", "-12.1255"],
        ["B", "8,5", "0", "0.5", "không", ""],
        ["C", "100", "12", "50%", "x", "7"],
    ]
    columns = _agree(csv_file(tmp_path / "data.csv", [header, *rows]))
    assert isinstance(columns, dict)
    for name in ("diem", "so_lan", "ty_le", "am"):
        assert isinstance(columns[name], ScaledColumn), name
    assert columns["am"].missing is not None and columns["am"].missing.tolist() == [
        False,
        True,
        False,
    ]
    assert isinstance(columns["co"], np.ndarray)
    floats = [[f"S{k}", k * 1.25, float(k), k / 200, k % 2 == 0, -k / 3] for k in range(50)]
    columns = _agree(xlsx(tmp_path / "data.xlsx", {"subjects": [header, *floats]}))
    assert isinstance(columns, dict)
    for name in ("diem", "so_lan", "ty_le"):
        assert isinstance(columns[name], ScaledColumn), name
    assert isinstance(columns["co"], np.ndarray)
    assert not isinstance(columns["am"], ScaledColumn)  # -1/3 has 16 decimals: cell by cell


def test_columnar_keeps_each_problem(tmp_path: Path) -> None:
    """Blank cells of a required input are problems at their rows, as cell by cell."""
    header = ["code", "diem", "so_lan", "ty_le", "co", "am"]
    rows = [["A", "", "1", "0.5", "x", "1"], ["B", "2", "1", "", "x", "1"]]
    path = csv_file(tmp_path / "data.csv", [header, *rows])
    _agree(path)
    with pytest.raises(DataFileError) as caught:
        read_cohort(path, INPUTS, [], columnar=True)
    places = [(p.row, p.column, p.field) for p in caught.value.problems]
    assert places == [(2, "B", "diem"), (3, "D", "ty_le")]
    assert "thiếu giá trị bắt buộc" in str(caught.value.problems[0])


# ---------------------------------------------------------------- writing per column


@pytest.fixture(scope="module")
def results() -> Results:
    """The demo province's quarter: vetoes, criteria that do not apply, Vietnamese units
    and names."""
    from chamdiem.platform.demo.province import generate_cohort

    program = load_rules(ROOT / "rules" / "cong_chuc_quy.rules").program
    assert program is not None
    evaluated = program.evaluate(generate_cohort(people=2000))
    assert any(evaluated.vetoes(i) for i in range(len(evaluated)))
    return evaluated


def test_jsonl_per_column_is_byte_identical(results: Results, tmp_path: Path) -> None:
    expected = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results.records())
    stream = io.StringIO()
    write_jsonl(results, stream)
    assert stream.getvalue() == expected
    save_jsonl(tmp_path / "new.jsonl", results)
    save_jsonl(tmp_path / "old.jsonl", results.records())
    assert (tmp_path / "new.jsonl").read_bytes() == (tmp_path / "old.jsonl").read_bytes()


def test_csv_and_xlsx_per_column_are_byte_identical(results: Results, tmp_path: Path) -> None:
    cohort = results.cohort
    assert cohort is not None
    names = cohort.names
    value_names = [*results.value_kinds, "not_a_value"]
    save_csv(tmp_path / "new.csv", results, names, value_names)
    save_csv(tmp_path / "old.csv", results.records(), names, value_names)
    assert (tmp_path / "new.csv").read_bytes() == (tmp_path / "old.csv").read_bytes()
    rows = list(csv.reader(io.StringIO((tmp_path / "new.csv").read_text("utf-8-sig"))))
    assert len(rows) == len(results) + 1
    save_xlsx(tmp_path / "new.xlsx", results, names, value_names)
    save_xlsx(tmp_path / "old.xlsx", results.records(), names, value_names)
    sheets = [
        CalamineWorkbook.from_path(tmp_path / f"{which}.xlsx").get_sheet_by_index(0).to_python()
        for which in ("new", "old")
    ]
    assert sheets[0] == sheets[1]
