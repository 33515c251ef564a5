"""The synthetic province's whole year at every level: the unit tree, four quarters of every
civil servant (some joined late, some were away for a quarter or two), the months each
worked, the heads' own quarterly inputs and the units' annual inputs, for the province's
rule sets in rules/ (cong_chuc_quy, lanh_dao_quy, cong_chuc_nam, co_quan_nam,
nguoi_dung_dau_nam).

The tree has three levels: the province (Ủy ban nhân dân tỉnh, not graded itself) → its
departments and communes (Sở, UBND xã/phường, whose leaders belong to them directly) →
their offices (phòng, chi cục, ban). The first person of a unit is its head.

The first quarter is exactly the quarter of `generate_cohort` (same people, same scores);
the later quarters draw new scores from each person's ability, drifting a little. The same
seed always gives the same year. `year_source` hands the graph in-memory cohorts with
NumPy columns (for the benchmark); `generate_year` writes the DATA files of `chamdiem eval`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt

from chamdiem.dsl.data import Cohort, ItemTable, ScaledColumn
from chamdiem.dsl.loader import Program
from chamdiem.dsl.organisation import Organisation
from chamdiem.dsl.periods import Period
from chamdiem.platform.demo.province import (
    DISCIPLINE,
    INPUT_NAMES,
    ITEM_FIELDS,
    ITEMS_NAME,
    BoolArray,
    IntArray,
    Province,
    Quarter,
    Roster,
    build_province,
    decimals,
    make_quarter,
    make_roster,
)
from chamdiem.platform.excel.xlsx import write_workbook

PROVINCE_CODE = "TINH"
PROVINCE_NAME = "Ủy ban nhân dân tỉnh Phú Thọ"
LEADER_INPUTS = ("ty_le_ke_hoach_dung_han", "muc_doan_ket")
ANNUAL_INPUTS = ("so_thang_cong_tac",)
UNIT_INPUTS = (
    "dv_noi_quy",
    "dv_cai_cach",
    "dv_khac_phuc",
    "nv_giao",
    "nv_dung_han",
    "nv_tre_han",
    "co_tthc",
    "tthc_dung_han",
    "tthc_truc_tuyen",
    "tthc_so_hoa",
    "tthc_hai_long",
)
_UNIT_COUNTS = ("nv_giao", "nv_dung_han", "nv_tre_han")
_UNIT_FLAGS = ("co_tthc",)
# Vietnamese headers of the built-in columns of the subjects and units sheets
SUBJECT_HEADERS = ("Mã", "Họ và tên", "Đơn vị", "Nhóm vị trí", "Kỳ")
UNIT_HEADERS = ("Mã", "Tên đơn vị", "Đơn vị cấp trên", "Người đứng đầu", "Kỳ")


@dataclass(frozen=True)
class TreeUnit:
    code: str
    name: str
    parent: str | None
    head: str | None  # the head's person code


@dataclass(frozen=True)
class YearProvince:
    """Everything of the year, as columns. Percentages are in hundredths of one (93 is
    93%); -1 in `unity` means "not given" (the default 100% applies)."""

    year: int
    province: Province
    roster: Roster
    tree: list[TreeUnit]  # the province first, then each agency and its offices
    person_unit: list[str]  # unit code of each person
    quarters: dict[Period, Quarter]
    present: dict[Period, BoolArray]  # who has a row in each quarter
    months: IntArray  # months worked in the year
    plan: dict[Period, IntArray]  # ty_le_ke_hoach_dung_han, every person (read for heads)
    unity: dict[Period, IntArray]  # muc_doan_ket
    unit_inputs: dict[str, IntArray]  # per graded unit (tree[1:]); decimals in hundredths

    @property
    def graded_units(self) -> list[TreeUnit]:
        return self.tree[1:]

    def organisation(self) -> Organisation:
        return Organisation(
            [u.code for u in self.tree],
            {u.code: u.parent for u in self.tree},
            {u.code: u.name for u in self.tree},
            {u.code: u.head for u in self.tree},
        )


def _tree(province: Province, roster: Roster) -> tuple[list[TreeUnit], list[str]]:
    """The units as a tree, and each person's unit code: leaderships are the agencies
    themselves, other units are offices under their agency."""
    first = np.concatenate(([0], np.cumsum(roster.sizes)[:-1])).tolist()
    tree = [TreeUnit(PROVINCE_CODE, PROVINCE_NAME, None, None)]
    codes: list[str] = []
    offices: dict[str, int] = {}
    for index, unit in enumerate(province.units):
        agency = unit.agency
        head = roster.codes[first[index]] if roster.sizes[index] else None
        if unit.kind == "lanh_dao":
            code = agency.code
            tree.append(TreeUnit(code, agency.name, PROVINCE_CODE, head))
        else:
            offices[agency.code] = offices.get(agency.code, 0) + 1
            code = f"{agency.code}.{offices[agency.code]:02d}"
            tree.append(TreeUnit(code, unit.name, agency.code, head))
        codes.append(code)
    # agencies come before their offices in Province.units, so parents precede children
    return tree, [codes[k] for k in roster.unit.tolist()]


def _presence(
    roster: Roster, periods: list[Period], rng: np.random.Generator
) -> tuple[dict[Period, BoolArray], IntArray]:
    """Who worked which quarter, and months worked: ~3% joined during the year (from the
    second, third or fourth quarter, some a month or two into it), ~2% were away one
    quarter, ~0.5% two quarters in a row (maternity leave). Heads worked every quarter."""
    n = len(roster)
    present = np.ones((n, 4), dtype=np.bool_)
    months = np.full(n, 12, dtype=np.int64)
    draw = rng.random(n)
    staff = ~roster.is_head
    late = staff & (draw < 0.03)
    start = rng.integers(1, 4, size=n)  # first quarter worked, 0-based: 1..3
    into = rng.integers(0, 3, size=n)  # months of that quarter before joining
    for q in range(4):
        present[late & (start > q), q] = False
    months = np.where(late, (4 - start) * 3 - into, months)
    away_one = staff & (draw >= 0.03) & (draw < 0.05)
    away_two = staff & (draw >= 0.05) & (draw < 0.055)
    which = rng.integers(0, 4, size=n)
    pair = rng.integers(0, 3, size=n)
    for q in range(4):
        present[away_one & (which == q), q] = False
        present[away_two & ((pair == q) | (pair + 1 == q)), q] = False
    months = np.where(away_one, 9, months)
    months = np.where(away_two, 6, months)
    return {period: present[:, q] for q, period in enumerate(periods)}, months


def _percent(rng: np.random.Generator, mean: float, sd: float, low: float, n: int) -> IntArray:
    return np.rint(np.clip(rng.normal(mean, sd, n), low, 1.0) * 100).astype(np.int64)


def _unit_inputs(
    tree: list[TreeUnit], province: Province, sizes: IntArray, seed: int
) -> dict[str, IntArray]:
    """Council scores (halves of 7..10), tasks from the task-tracking system (more for
    larger units, mostly done on time) and the Bộ chỉ số 766 service ratios of the units
    that handle administrative procedures (agencies, service centres, chi cục)."""
    rng = np.random.default_rng([seed, 4])
    graded = tree[1:]
    n = len(graded)
    out: dict[str, IntArray] = {}
    for name in ("dv_noi_quy", "dv_cai_cach", "dv_khac_phuc"):
        out[name] = (np.rint(np.clip(rng.normal(8.3, 1.0, n), 4, 10) * 2) * 50).astype(np.int64)
    people = np.asarray(sizes, dtype=np.float64)
    giao = np.maximum(5, np.rint(6 + 2.5 * people * rng.uniform(0.7, 1.3, n))).astype(np.int64)
    done = np.clip(rng.normal(0.9, 0.09, n), 0.5, 1.0)
    on_time_share = np.clip(rng.normal(0.9, 0.07, n), 0.5, 1.0)
    finished = np.minimum(giao, np.rint(giao * done)).astype(np.int64)
    on_time = np.rint(finished * on_time_share).astype(np.int64)
    out["nv_giao"] = giao
    out["nv_dung_han"] = on_time
    out["nv_tre_han"] = finished - on_time
    handles = np.array(
        [u.kind in ("lanh_dao", "chi_cuc") or "hành chính công" in u.name for u in province.units],
        dtype=np.bool_,
    )
    out["co_tthc"] = handles.astype(np.int64)
    out["tthc_dung_han"] = np.where(handles, _percent(rng, 0.96, 0.03, 0.7, n), -1)
    out["tthc_truc_tuyen"] = np.where(handles, _percent(rng, 0.82, 0.1, 0.3, n), -1)
    out["tthc_so_hoa"] = np.where(handles, _percent(rng, 0.75, 0.12, 0.2, n), -1)
    out["tthc_hai_long"] = np.where(handles, _percent(rng, 0.93, 0.04, 0.6, n), -1)
    return out


def build_year(people: int = 30000, seed: int = 2026, year: int = 2026) -> YearProvince:
    """The synthetic province's year for `seed`."""
    province = build_province(seed)
    rng = np.random.default_rng([seed, 1])
    roster = make_roster(province, people, rng)
    periods = Period(year, "year", 1).parts("quarter")
    quarters = {periods[0]: make_quarter(roster, roster.ability, len(province.units), rng)}
    ability = roster.ability
    for q, period in enumerate(periods[1:], start=2):
        rng_q = np.random.default_rng([seed, 1, q])
        ability = ability + rng_q.normal(0, 0.25, len(roster))
        quarters[period] = make_quarter(roster, ability, len(province.units), rng_q)
    tree, person_unit = _tree(province, roster)
    present, months = _presence(roster, periods, np.random.default_rng([seed, 2]))
    rng_l = np.random.default_rng([seed, 3])
    plan: dict[Period, IntArray] = {}
    unity: dict[Period, IntArray] = {}
    n = len(roster)
    for period in periods:
        plan[period] = _percent(rng_l, 0.88 + 0.03 * float(np.mean(roster.ability)), 0.08, 0.4, n)
        given = rng_l.random(n) < 0.2
        unity[period] = np.where(given, _percent(rng_l, 0.88, 0.08, 0.6, n), -1)
    return YearProvince(
        year=year,
        province=province,
        roster=roster,
        tree=tree,
        person_unit=person_unit,
        quarters=quarters,
        present=present,
        months=months,
        plan=plan,
        unity=unity,
        unit_inputs=_unit_inputs(tree, province, roster.sizes, seed),
    )


# ---------------------------------------------------------------- in-memory cohorts


def _scaled(hundredths: IntArray) -> ScaledColumn:
    missing = hundredths < 0
    return ScaledColumn(np.where(missing, 0, hundredths), 2, missing if missing.any() else None)


def _person_columns(data: YearProvince, period: Period) -> dict[str, object]:
    """Every person input of `period` as a column over all people."""
    if period.kind == "year":
        return {"so_thang_cong_tac": data.months}
    q = data.quarters[period]
    return {
        "chinh_tri": _scaled(q.general[:, 0]),
        "chuyen_mon": _scaled(q.general[:, 1]),
        "doi_moi": _scaled(q.general[:, 2]),
        "suy_thoai": q.suy_thoai,
        "ky_luat": np.array(DISCIPLINE, dtype=object)[q.ky_luat],
        "lanh_dao": data.roster.lanh_dao,
        "tham_nhung_don_vi": q.tham_nhung,
        "ty_le_ke_hoach_dung_han": _scaled(data.plan[period]),
        "muc_doan_ket": _scaled(data.unity[period]),
    }


def _take(column: object, rows: npt.NDArray[np.int64]) -> object:
    if isinstance(column, ScaledColumn):
        missing = column.missing[rows] if column.missing is not None else None
        return ScaledColumn(column.units[rows], column.places, missing)
    assert isinstance(column, np.ndarray)
    return column[rows]


def _items(q: Quarter, rows: npt.NDArray[np.int64], n: int) -> ItemTable:
    """The products of the people at `rows` (renumbered 0..len(rows)-1)."""
    new = np.full(n, -1, dtype=np.int64)
    new[rows] = np.arange(len(rows), dtype=np.int64)
    owner = new[q.item_owner]
    keep = owner >= 0
    fields: dict[str, object] = {
        "he_so": ScaledColumn(q.he_so[keep], 2),
        "hoan_thanh": q.hoan_thanh[keep],
        "loi_nang": q.loi_nang[keep],
        "cham_tre": q.cham_tre[keep],
    }
    # ItemTable's annotations say sequences; NumPy columns are read too (see dsl/data.py)
    return ItemTable(
        owner=cast("Sequence[int]", owner[keep]),
        fields=cast("dict[str, Sequence[object]]", fields),
    )


def year_source(data: YearProvince) -> Callable[[Program, Period], Cohort | None]:
    """`cohort_for` for evaluate_graph: the people with a row in the period (for the year,
    in any quarter), or the graded units; only the people a header's `applies when`
    selects (the heads, for leaders' rule sets)."""

    roster = data.roster
    codes = np.array(roster.codes, dtype=object)
    units = np.array(data.person_unit, dtype=object)
    groups = np.array(roster.position_group, dtype=object)
    names = np.array(roster.names, dtype=object)
    worked = np.zeros(len(roster), dtype=np.bool_)
    for mask in data.present.values():
        worked |= mask

    def unit_cohort(program: Program) -> Cohort:
        graded = data.graded_units
        inputs: dict[str, object] = {}
        for name in UNIT_INPUTS:
            values = data.unit_inputs[name]
            if name in _UNIT_FLAGS:
                inputs[name] = values.astype(np.bool_)
            elif name in _UNIT_COUNTS:
                inputs[name] = values
            else:
                inputs[name] = _scaled(values)
        return Cohort(
            codes=[u.code for u in graded],
            inputs=inputs,  # type: ignore[arg-type]
            units=[u.parent for u in graded],
            names=[u.name for u in graded],
        )

    def cohort_for(program: Program, period: Period) -> Cohort | None:
        if program.header.subject == "unit":
            return unit_cohort(program) if period.kind == "year" else None
        mask = worked if period.kind == "year" else data.present.get(period)
        if mask is None:
            return None
        rows = np.flatnonzero(mask)
        probe = Cohort(
            codes=codes[rows].tolist(),
            inputs={},
            units=units[rows].tolist(),
            position_groups=groups[rows].tolist(),
            is_head=roster.is_head[rows].tolist(),
        )
        chosen = program.applicable(probe, period.start)
        if chosen is not None:
            rows = rows[np.asarray(chosen, dtype=np.int64)]
        columns = _person_columns(data, period)
        wanted = {spec.name for spec in program.inputs}
        items = {}
        if period.kind == "quarter" and any(i.name == ITEMS_NAME for i in program.items):
            items[ITEMS_NAME] = _items(data.quarters[period], rows, len(roster))
        return Cohort(
            codes=codes[rows].tolist(),
            inputs={k: _take(v, rows) for k, v in columns.items() if k in wanted},  # type: ignore[misc]
            items=items,
            units=units[rows].tolist(),
            position_groups=groups[rows].tolist(),
            is_head=roster.is_head[rows].tolist(),
            names=names[rows].tolist(),
        )

    return cohort_for


# ---------------------------------------------------------------- DATA files


def _cell(value: object) -> object:
    return "" if value is None else value


def _subject_rows(data: YearProvince, with_period: bool) -> Iterator[tuple[str, list[object]]]:
    """(period code, row) of every quarter row and every annual row, columns as in
    `_subject_header`."""
    roster = data.roster
    for period, q in data.quarters.items():
        present = data.present[period].tolist()
        general = [decimals(q.general[:, k]) for k in range(3)]
        plan = decimals(data.plan[period])
        unity = data.unity[period]
        unity_d = decimals(np.maximum(unity, 0))
        heads = roster.is_head.tolist()
        lanh_dao = roster.lanh_dao.tolist()
        suy = q.suy_thoai.tolist()
        ky = q.ky_luat.tolist()
        tn = q.tham_nhung.tolist()
        for i in range(len(roster)):
            if not present[i]:
                continue
            leader = [plan[i], unity_d[i] if unity[i] >= 0 else ""] if heads[i] else ["", ""]
            row: list[object] = [
                roster.codes[i],
                roster.names[i],
                data.person_unit[i],
                roster.position_group[i],
                *([period.code] if with_period else []),
                general[0][i],
                general[1][i],
                general[2][i],
                suy[i],
                DISCIPLINE[ky[i]],
                lanh_dao[i],
                tn[i],
                *leader,
                "",
            ]
            yield period.code, row
    year = str(data.year)
    blanks = [""] * (len(INPUT_NAMES) + len(LEADER_INPUTS))
    for i, months in enumerate(data.months.tolist()):
        # an annual row says only what is annual: unit and group come from the quarters
        row = [roster.codes[i], "", "", "", *([year] if with_period else []), *blanks, months]
        yield year, row


def _subject_header(with_period: bool) -> list[object]:
    fixed = list(SUBJECT_HEADERS) if with_period else list(SUBJECT_HEADERS[:-1])
    return [*fixed, *INPUT_NAMES, *LEADER_INPUTS, *ANNUAL_INPUTS]


def _item_rows(data: YearProvince, with_period: bool) -> Iterator[tuple[str, list[object]]]:
    codes = data.roster.codes
    for period, q in data.quarters.items():
        present = data.present[period]
        keep = present[q.item_owner]
        owners = [codes[k] for k in q.item_owner[keep].tolist()]
        he_so = decimals(q.he_so[keep])
        columns = (
            q.hoan_thanh[keep].tolist(),
            q.loi_nang[keep].tolist(),
            q.cham_tre[keep].tolist(),
        )
        stamp = [period.code] if with_period else []
        for row in zip(owners, he_so, *columns, strict=True):
            yield period.code, [row[0], *stamp, *row[1:]]


def _item_header(with_period: bool) -> list[object]:
    return ["Mã", *(["Kỳ"] if with_period else []), *ITEM_FIELDS]


def _unit_rows(data: YearProvince) -> Iterator[list[object]]:
    yield [*UNIT_HEADERS, *UNIT_INPUTS]
    root = data.tree[0]
    yield [root.code, root.name, "", "", "", *[""] * len(UNIT_INPUTS)]
    inputs = data.unit_inputs
    shown: dict[str, list[object]] = {}
    for name in UNIT_INPUTS:
        values = inputs[name]
        if name in _UNIT_FLAGS:
            shown[name] = ["có" if v else "không" for v in values.tolist()]
        elif name in _UNIT_COUNTS:
            shown[name] = values.tolist()
        else:
            present = values >= 0
            dec = decimals(np.maximum(values, 0))
            shown[name] = [d if ok else "" for d, ok in zip(dec, present.tolist(), strict=True)]
    for k, unit in enumerate(data.graded_units):
        yield [
            unit.code,
            unit.name,
            _cell(unit.parent),
            _cell(unit.head),
            str(data.year),
            *(shown[name][k] for name in UNIT_INPUTS),
        ]


def _write_csv(path: Path, rows: Iterator[Sequence[object]] | list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(["TRUE" if v is True else "FALSE" if v is False else v for v in row])


def generate_year(
    out: Path, people: int = 30000, seed: int = 2026, fmt: str = "xlsx", year: int = 2026
) -> Path:
    """Write the year in the DATA format of `chamdiem eval RULES_DIR DATA --period YEAR`.

    fmt="xlsx": one workbook with sheets `units`, `subjects` and `san_pham`, each with a
    `Kỳ` (period) column; `out` is the workbook, or a folder to put
    `phu_tho_<year>_<seed>.xlsx` in. fmt="csv": `out` is a folder that receives units.csv
    and one folder per period (2026-Q1/subjects.csv, 2026-Q1/san_pham.csv, …,
    2026/subjects.csv), without period columns. Returns the path written."""
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"unknown format {fmt!r} (xlsx or csv)")
    data = build_year(people, seed, year)
    if fmt == "csv":
        out.mkdir(parents=True, exist_ok=True)
        _write_csv(out / "units.csv", _unit_rows(data))
        by_period: dict[str, list[list[object]]] = {}
        for code, row in _subject_rows(data, with_period=False):
            by_period.setdefault(code, [_subject_header(False)]).append(row)
        for code, rows in by_period.items():
            _write_csv(out / code / "subjects.csv", rows)
        items: dict[str, list[list[object]]] = {}
        for code, row in _item_rows(data, with_period=False):
            items.setdefault(code, [_item_header(False)]).append(row)
        for code, rows in items.items():
            _write_csv(out / code / f"{ITEMS_NAME}.csv", rows)
        return out
    if out.suffix.lower() != ".xlsx":
        out.mkdir(parents=True, exist_ok=True)
        out = out / f"phu_tho_{year}_{seed}.xlsx"
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
    subjects = (row for _, row in _subject_rows(data, with_period=True))
    item_rows = (row for _, row in _item_rows(data, with_period=True))
    write_workbook(
        out,
        [
            ("units", _unit_rows(data)),
            ("subjects", _prepend(_subject_header(True), subjects)),
            (ITEMS_NAME, _prepend(_item_header(True), item_rows)),
        ],
        shared_strings=True,
    )
    return out


def _prepend(first: list[object], rest: Iterator[list[object]]) -> Iterator[list[object]]:
    yield first
    yield from rest
