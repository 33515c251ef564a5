"""`chamdiem impact OLD NEW --period P`: both rule versions on the same stored data, before
anything is published."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from chamdiem.cli import main
from chamdiem.dsl import load_file, load_source
from chamdiem.platform.excel import read_cohort
from chamdiem.platform.services.impact import impact_for_period
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.services.organisation import load_organisation
from chamdiem.platform.services.periods import add_period
from chamdiem.platform.services.rules import publish_rule_version
from chamdiem.platform.services.scope import Scope
from tests.platform.db.helpers import ACTOR, PEOPLE, PERIOD, RULES, P, prepare, workbook

# Phòng Tổng hợp: ten people from 82 to 89 points (70 for tasks + the three general scores);
# nobody reaches 90, so nobody is "xuất sắc" under the current rules. At 85, the three from
# 85 up qualify and 20% of ten ("tốt" or better) lets two keep it: Hà (89) and Khánh (87.5).
# Kế hoạch: five people, one at 86: 20% of five is one, so Long moves up too.
MOVERS = [
    P("T01", "Hà", "SNV-TH", "chuyen_vien", (10, 9, 0)),
    P("T02", "Khánh", "SNV-TH", "chuyen_vien", (9, 8.5, 0)),
    P("T03", "Mai", "SNV-TH", "chuyen_vien", (8, 7, 0)),
    *[P(f"T1{k}", f"Người {k}", "SNV-TH", "chuyen_vien", (6, 6, 0)) for k in range(7)],
    P("K01", "Long", "SNV-KH", "chuyen_vien", (8, 8, 0)),
    *[P(f"K1{k}", f"Người K{k}", "SNV-KH", "chuyen_vien", (7, 7, 0)) for k in range(4)],
]


def prepare_movers(session: Session, folder: Path) -> Path:
    book = workbook(folder / "quy1.xlsx", [PEOPLE[0], *MOVERS])
    load_organisation(session, book, actor=ACTOR)
    add_period(session, PERIOD, actor=ACTOR)
    publish_rule_version(session, RULES, actor=ACTOR)
    import_period_data(session, book, PERIOD, actor=ACTOR)
    return book


OLD_LINE = "khi tổng điểm >= 90"


def lowered_threshold(tmp_path: Path) -> Path:
    source = RULES.read_text(encoding="utf-8")
    assert source.count(OLD_LINE) == 1
    path = tmp_path / "cong_chuc_quy_85.rules"
    path.write_text(source.replace(OLD_LINE, "khi tổng điểm >= 85"), encoding="utf-8")
    return path


def test_lowering_the_excellent_threshold_shows_who_moves_up(
    session: Session, tmp_path: Path
) -> None:
    book = prepare_movers(session, tmp_path)
    old, new = load_file(RULES), load_file(lowered_threshold(tmp_path))
    impact = impact_for_period(session, old, new, PERIOD, Scope.everything())

    # The same comparison computed from the workbook itself, not from the database.
    cohort_old = read_cohort(book, old.inputs, old.items)
    before = old.evaluate(cohort_old)
    after = new.evaluate(read_cohort(book, new.inputs, new.items))
    expected = {
        code: (before.grade[i], after.grade[after.index_of(code)])  # type: ignore[index]
        for i, code in enumerate(before.codes)
        if before.grade[i] != after.grade[after.index_of(code)]  # type: ignore[index]
    }
    assert expected == {
        "T01": ("tot", "xuat_sac"),
        "T02": ("tot", "xuat_sac"),
        "K01": ("tot", "xuat_sac"),
    }
    assert {m.code: (m.old_grade, m.new_grade) for m in impact.moves} == expected
    assert {m.code: m.unit for m in impact.moves} == {
        "T01": "SNV-TH",
        "T02": "SNV-TH",
        "K01": "SNV-KH",
    }
    assert all(m.new_grade == "xuat_sac" for m in impact.moved_up())
    assert impact.totals_changed == 0  # a threshold moves grades, not points
    assert [m.new_total for m in impact.moves] == ["86.00", "89.00", "87.50"]
    # Per unit, the matrices add up to the overall one.
    summed: dict[tuple[str, str], int] = {}
    for counts in impact.per_unit.values():
        for key, value in counts.items():
            summed[key] = summed.get(key, 0) + value
    assert summed == {k: v for k, v in impact.overall.items() if v}
    assert impact.people == len(before.codes)
    # The labels of both versions' grades come with the impact, for the renderers.
    assert impact.labels["xuat_sac"] == "Hoàn thành xuất sắc nhiệm vụ"
    assert set(impact.grades) - {"—"} <= set(impact.labels)


def test_a_layout_change_moves_nobody(session: Session, tmp_path: Path) -> None:
    prepare(session, tmp_path)
    source = RULES.read_text(encoding="utf-8")
    relaid = load_source("\n\n".join(source.split("\n")), "relaid.rules")
    impact = impact_for_period(session, load_file(RULES), relaid, PERIOD, Scope.everything())
    assert impact.moves == [] and impact.totals_changed == 0
    assert sum(impact.overall.values()) == impact.people > 0


def test_impact_command_prints_moves_and_writes_a_workbook(
    session: Session,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prepare_movers(session, tmp_path)
    session.commit()
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", db_url)
    out = tmp_path / "impact.xlsx"
    new = lowered_threshold(tmp_path)
    code = main(["impact", str(RULES), str(new), "--period", PERIOD, "-o", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "Ma trận chuyển mức" in printed.out
    # Grade labels and Vietnamese numbers, not codes and dotted decimals.
    assert "Hoàn thành tốt nhiệm vụ → Hoàn thành xuất sắc nhiệm vụ  (86,00 → 86,00)" in printed.out
    assert "1. Hoàn thành xuất sắc nhiệm vụ" in printed.out
    assert "xuat_sac" not in printed.out and "86.00" not in printed.out
    book = load_workbook(out)
    assert book.sheetnames == ["Tổng hợp", "Theo đơn vị", "Người đổi mức"]
    moved = [row[1] for row in book["Người đổi mức"].iter_rows(min_row=4, values_only=True)]
    assert moved == ["K01", "T01", "T02"]
    # Grade labels and totals as number cells, in the matrix and the list of people.
    first = next(book["Người đổi mức"].iter_rows(min_row=4, max_row=4, values_only=True))
    assert first[4:8] == ("Hoàn thành tốt nhiệm vụ", "Hoàn thành xuất sắc nhiệm vụ", 86, 86)
    assert book["Người đổi mức"]["G4"].number_format == "0.00"
    assert book["Tổng hợp"]["B4"].value == "Hoàn thành xuất sắc nhiệm vụ"
    assert book["Tổng hợp"]["A5"].value == "Hoàn thành xuất sắc nhiệm vụ"
    assert all(code_ in printed.out for code_ in moved)


def test_impact_of_an_unknown_period_is_a_clear_error(
    session: Session,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prepare(session, tmp_path)
    session.commit()
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", db_url)
    out = tmp_path / "impact.xlsx"
    code = main(["impact", str(RULES), str(RULES), "--period", "2031-Q4", "-o", str(out)])
    printed = capsys.readouterr()
    assert code == 1
    assert "2031-Q4" in printed.err and "Traceback" not in printed.err
    assert not out.exists()
