"""The demo province's whole year: its shape, its DATA files read back to the very results
of the in-memory columns, and `chamdiem demo --year` end to end."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from chamdiem.cli import main
from chamdiem.dsl import Program, load_file
from chamdiem.dsl.graph import GraphResults, evaluate_graph
from chamdiem.dsl.periods import Period
from chamdiem.platform.demo.year import YearProvince, build_year, generate_year, year_source
from chamdiem.platform.excel.period_reader import read_period_data

RULES = Path(__file__).resolve().parents[2] / "rules"
YEAR = Period(2026, "year", 1)
PEOPLE = 2500


@pytest.fixture(scope="module")
def programs() -> list[Program]:
    return [load_file(path) for path in sorted(RULES.glob("*.rules"))]


@pytest.fixture(scope="module")
def year() -> YearProvince:
    return build_year(PEOPLE, seed=7)


def test_the_year_has_a_three_level_tree_heads_and_people_who_missed_quarters(
    year: YearProvince,
) -> None:
    organisation = year.organisation()
    depths = Counter(organisation.depth(code) for code in organisation.codes)
    assert depths[0] == 1 and depths[1] == 168 and depths[2] > 500  # tỉnh → sở, xã → phòng
    assert sorted(organisation.subtree("TINH")) == sorted(organisation.codes)
    heads = [u.head for u in year.graded_units]
    assert all(heads) and len(set(heads)) == len(heads)
    quarters = np.stack(list(year.present.values())).sum(axis=0)
    counts = Counter(quarters.tolist())
    assert counts[4] > 0.9 * PEOPLE and counts[1] + counts[2] > 0  # late joiners, leave
    # months worked never exceed three a quarter present, and heads worked all year
    assert (year.months <= 3 * quarters).all()
    assert (quarters[year.roster.is_head] == 4).all()
    assert (year.months < 6).sum() > 0  # some will not be graded for the year


def test_the_data_files_read_back_to_the_same_results(
    tmp_path: Path, programs: list[Program], year: YearProvince
) -> None:
    expected = _outcomes(evaluate_graph(programs, year.organisation(), year_source(year), YEAR))
    assert len(expected) == 11
    for fmt in ("xlsx", "csv"):
        path = generate_year(tmp_path / fmt, people=PEOPLE, seed=7, fmt=fmt)
        data = read_period_data(path, programs, YEAR)
        graph = evaluate_graph(programs, data.organisation, data.cohort_for, YEAR)
        assert _outcomes(graph) == expected, fmt


def _outcomes(graph: GraphResults) -> dict[tuple[str, str], dict[str, tuple[object, ...]]]:
    out: dict[tuple[str, str], dict[str, tuple[object, ...]]] = {}
    for program, period in graph.order:
        results = graph.get(program.header.name, period)
        assert results is not None
        out[(program.header.name, period.code)] = {
            code: (total, grade, unit)
            for code, total, grade, unit in zip(
                results.codes, results.total, results.grade, results.units, strict=True
            )
        }
    return out


def test_demo_year_runs_every_level_and_summarises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHAMDIEM_LANG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHAMDIEM_DATA_DIR", str(tmp_path / "store"))
    assert main(["demo", "--year", "--people", str(PEOPLE)]) == 0
    out = capsys.readouterr().out
    demo = tmp_path / "store" / "demo"
    assert (demo / "phu_tho_2026_2026.xlsx").exists()
    lines = (demo / "ket_qua_2026.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    stages = Counter((r["ruleset"], r["period"]) for r in records)
    assert len(stages) == 11
    assert stages[("cong_chuc_nam", "2026")] == PEOPLE
    assert (demo / "ket_qua_2026.xlsx").exists()
    summary = [line.split() for line in out.splitlines() if line.startswith("  ")]
    rows = {(cells[0], cells[1]): cells for cells in summary if len(cells) > 8}
    for (ruleset, period), count in stages.items():
        assert rows[(ruleset, period)][2] == f"{count:,}".replace(",", ".")
    assert "Ví dụ: người đứng đầu bị giới hạn bởi mức của đơn vị" in out
    assert "unit_result(co_quan_nam).mức" in out
