"""`chamdiem run --period P`: evaluates from the database and stores the run and all its
results in one transaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

import chamdiem
from chamdiem.dsl import load_file
from chamdiem.platform.db.models import EvaluationRun, Result
from chamdiem.platform.excel import read_cohort
from chamdiem.platform.services.errors import NotFound, ServiceError
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.services.periods import add_period
from chamdiem.platform.services.rules import publish_rule_version
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope, units_named
from chamdiem.platform.services.verify import explain_result
from tests.platform.db.helpers import ACTOR, PERIOD, RULES, count, counts, prepare, workbook

MINI = """\
ruleset mini "Bộ tiêu chí thử"
  subject person
  period quarter
  effective 2026-01-01
end

input chinh_tri : number 0..10 "Điểm"
{extra}
group chung "Chung" max 10
  criterion c "Nội dung" max 10 = chinh_tri
end

grades
  dat "Đạt" when total >= 5
  khong "Không đạt" otherwise
end
"""


def stored_results(engine: Engine, run_id: int) -> dict[str, dict[str, object]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT subject_code, unit_code, total, score_grade, grade, values_json, "
                "vetoes_json, flags_json, not_graded_json, explanation FROM results "
                "WHERE run_id = :run"
            ),
            {"run": run_id},
        ).all()
    return {row.subject_code: dict(row._mapping) for row in rows}


def test_a_run_stores_what_evaluating_the_file_gives(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    book = prepare(session, tmp_path)
    [outcome] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    assert outcome.status == "complete" and outcome.subjects == 14
    program = load_file(RULES)
    expected = program.evaluate(read_cohort(book, program.inputs, program.items))
    stored = stored_results(engine, outcome.run_id)
    assert set(stored) == set(expected.codes)
    for i, code in enumerate(expected.codes):
        record = expected.record(i)
        row = stored[code]
        assert row["total"] == record["total"]
        assert (row["score_grade"], row["grade"]) == (record["score_grade"], record["grade"])
        assert json.loads(str(row["values_json"])) == record["values"]
        assert json.loads(str(row["vetoes_json"])) == record["vetoes"]
        assert json.loads(str(row["flags_json"])) == record["flags"]
    run = session.get(EvaluationRun, outcome.run_id)
    assert run is not None
    assert (run.engine_version, run.run_by, run.subjects) == (chamdiem.__version__, ACTOR, 14)
    assert len(run.snapshot_sha256) == 64 and run.snapshot_sha256 == outcome.snapshot_sha256
    # What the quarter looks like: a quota, a tie, a veto.
    assert (stored["A1"]["grade"], stored["A2"]["grade"]) == ("xuat_sac", "tot")
    assert json.loads(str(stored["K1"]["flags_json"])) == ["tie_at_quota"]
    assert stored["N1"]["grade"] == "khong" and stored["N1"]["total"] == "94.75"


def test_explanations_are_stored_for_flagged_subjects_or_everyone(
    session: Session, tmp_path: Path, engine: Engine
) -> None:
    prepare(session, tmp_path)
    [flagged] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    stored = stored_results(engine, flagged.run_id)
    explained = {code for code, row in stored.items() if row["explanation"] is not None}
    assert explained == {"K1", "K2", "N1"}  # tied at the quota, vetoed
    assert "STC-NS" in str(stored["N1"]["explanation"])
    [everyone] = run_evaluation(
        session, PERIOD, scope=Scope.everything(), actor=ACTOR, explain="all"
    )
    assert all(row["explanation"] for row in stored_results(engine, everyone.run_id).values())
    # An explanation not stored is rebuilt from the run's own rules and data.
    rebuilt = explain_result(session, flagged.run_id, "A3", "vi")
    assert rebuilt == stored_results(engine, everyone.run_id)["A3"]["explanation"]
    assert "Total" in explain_result(session, flagged.run_id, "A3", "en")


def test_running_again_makes_a_new_run_with_the_same_results(
    session: Session, tmp_path: Path, engine: Engine
) -> None:
    prepare(session, tmp_path)
    [first] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    [second] = run_evaluation(
        session, PERIOD, ["cong_chuc_quy"], scope=Scope.everything(), actor=ACTOR
    )
    assert second.run_id != first.run_id
    assert second.snapshot_sha256 == first.snapshot_sha256
    one, two = stored_results(engine, first.run_id), stored_results(engine, second.run_id)
    assert one == two
    assert count(engine, "evaluation_runs") == 2 and count(engine, "results") == 28


def test_a_corrected_import_changes_the_next_run_not_the_last(
    session: Session, tmp_path: Path, engine: Engine
) -> None:
    from tests.platform.db.helpers import people_copy

    prepare(session, tmp_path)
    [before] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    fix = [p for p in people_copy() if p.code == "A3"]
    fix[0].scores = (10, 10, 10)
    import_period_data(session, workbook(tmp_path / "sua.xlsx", fix), PERIOD, actor=ACTOR)
    [after] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    assert after.snapshot_sha256 != before.snapshot_sha256
    assert stored_results(engine, before.run_id)["A3"]["total"] == "85.00"
    assert stored_results(engine, after.run_id)["A3"]["total"] == "100.00"


def test_units_restrict_the_run_to_them_and_the_units_below(
    session: Session, tmp_path: Path, engine: Engine
) -> None:
    prepare(session, tmp_path)
    [whole_department] = run_evaluation(
        session, PERIOD, scope=units_named(session, ["SNV"]), actor=ACTOR
    )
    assert set(stored_results(engine, whole_department.run_id)) == {
        "S1", "A1", "A2", "A3", "A4", "A5", "K1", "K2", "K3", "K4", "K5"
    }  # fmt: skip
    [by_name] = run_evaluation(
        session, PERIOD, scope=units_named(session, ["Phòng Ngân sách"]), actor=ACTOR
    )
    assert set(stored_results(engine, by_name.run_id)) == {"N1", "N2", "N3"}
    run = session.get(EvaluationRun, by_name.run_id)
    assert run is not None and json.loads(run.scope_json) == ["STC-NS"]
    with pytest.raises(NotFound):
        run_evaluation(session, PERIOD, scope=units_named(session, ["Phòng Không Có"]), actor=ACTOR)


def test_nothing_to_run(session: Session, tmp_path: Path, engine: Engine) -> None:
    prepare(session, tmp_path, data=False)
    with pytest.raises(ServiceError) as caught:
        run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    assert "has no data yet" in caught.value.message.en
    add_period(session, "2026-Q2", actor=ACTOR)
    with pytest.raises(ServiceError) as caught:
        run_evaluation(session, "2026-Q2", ["cong_chuc_quy"], scope=Scope.everything(), actor=ACTOR)
    assert "has no data for rule set cong_chuc_quy" in caught.value.message.en
    assert count(engine, "evaluation_runs") == 0


def test_an_evaluation_that_fails_is_recorded_as_a_failed_run_without_results(
    session: Session, tmp_path: Path, engine: Engine
) -> None:
    """Data imported under one version, run with a later one that needs an input the data
    lacks: the run fails, names the subjects, and stores no results."""
    prepare(session, tmp_path, data=False)
    first = tmp_path / "mini.rules"
    first.write_text(MINI.format(extra=""), encoding="utf-8")
    publish_rule_version(session, first, actor=ACTOR)
    import_period_data(session, workbook(tmp_path / "d.xlsx"), PERIOD, "mini", actor=ACTOR)
    second = tmp_path / "mini2.rules"
    second.write_text(MINI.format(extra='input moi : number 0..10 "Mới"'), encoding="utf-8")
    newer = publish_rule_version(session, second, actor=ACTOR).version
    [outcome] = run_evaluation(
        session, PERIOD, [newer.sha256[:10]], scope=Scope.everything(), actor=ACTOR
    )
    assert outcome.status == "failed" and outcome.problems_total == 14
    assert outcome.problems[0].name == "moi"
    run = session.get(EvaluationRun, outcome.run_id)
    assert run is not None and run.status == "failed" and run.detail is not None
    assert count(engine, "results") == 0
    assert session.exec(select(Result)).first() is None


def test_identical_digits_on_sqlite_and_postgresql(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    """The same organisation, rules and data give byte-identical stored results and the
    same snapshot hash on both databases."""
    from chamdiem.platform.db.engine import make_engine, open_session
    from chamdiem.platform.db.migrate import upgrade
    from tests.platform.db.conftest import new_database_url

    found: dict[str, tuple[str, list[tuple[object, ...]], list[tuple[object, ...]]]] = {}
    for backend in ("sqlite", "postgresql"):
        engine = make_engine(new_database_url(backend, request, tmp_path_factory))
        try:
            upgrade(engine)
            folder = tmp_path / backend
            folder.mkdir()
            with open_session(engine) as session:
                prepare(session, folder)
                [outcome] = run_evaluation(
                    session, PERIOD, scope=Scope.everything(), actor=ACTOR, explain="all"
                )
            with engine.connect() as connection:
                results = connection.execute(
                    sa.text(
                        "SELECT subject_code, unit_code, position_group, is_head, total, "
                        "score_grade, grade, values_json, vetoes_json, flags_json, "
                        "not_graded_json, explanation FROM results ORDER BY id"
                    )
                ).all()
                inputs = connection.execute(
                    sa.text("SELECT inputs_json, items_json FROM input_records ORDER BY id")
                ).all()
            found[backend] = (
                outcome.snapshot_sha256,
                [tuple(r) for r in results],
                [tuple(r) for r in inputs],
            )
        finally:
            engine.dispose()
    assert found["sqlite"] == found["postgresql"]
    totals = {row[0]: row[4] for row in found["sqlite"][1]}
    assert totals["N2"] == "79.15" and totals["A1"] == "99.00"


def test_counts_after_a_full_quarter(session: Session, tmp_path: Path, engine: Engine) -> None:
    prepare(session, tmp_path)
    run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    assert counts(engine) == {
        "units": 5,
        "people": 14,
        "periods": 1,
        "rule_versions": 1,
        "data_imports": 1,
        "input_records": 14,
        "evaluation_runs": 1,
        "results": 14,
        "council_decisions": 0,
        "audit_log": 5,
    }
