"""`chamdiem verify RUN`: an honest run verifies; a result, an input or the rules changed
behind the services' back is caught, naming the subject and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from chamdiem.platform.db.models import AuditEntry
from chamdiem.platform.services.errors import NotFound
from chamdiem.platform.services.runs import RunOutcome, run_evaluation
from chamdiem.platform.services.scope import Scope
from chamdiem.platform.services.verify import Difference, verify_run
from tests.platform.db.helpers import ACTOR, PERIOD, prepare


@pytest.fixture
def run(session: Session, tmp_path: Path) -> RunOutcome:
    prepare(session, tmp_path)
    [outcome] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    return outcome


def tamper(engine: Engine, sql: str) -> None:
    with engine.begin() as connection:
        assert connection.execute(sa.text(sql)).rowcount == 1


def test_an_honest_run_verifies(session: Session, run: RunOutcome) -> None:
    report = verify_run(session, run.run_id, actor="kiem_toan")
    assert report.ok and report.subjects == 14 and report.differences == []
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "verify")).one()
    assert (entry.actor, entry.entity_id) == ("kiem_toan", str(run.run_id))


def test_a_tampered_total_is_caught(session: Session, engine: Engine, run: RunOutcome) -> None:
    tamper(
        engine,
        f"UPDATE results SET total = '99.99' WHERE run_id = {run.run_id} AND subject_code = 'A3'",
    )
    report = verify_run(session, run.run_id, actor=ACTOR)
    assert not report.ok
    assert report.differences == [Difference("A3", "total", "99.99", "85.00")]


def test_a_tampered_grade_and_value_are_caught(
    session: Session, engine: Engine, run: RunOutcome
) -> None:
    tamper(
        engine,
        f"UPDATE results SET grade = 'xuat_sac', "
        f'values_json = replace(values_json, \'"ket_qua":"70.00"\', \'"ket_qua":"69.00"\') '
        f"WHERE run_id = {run.run_id} AND subject_code = 'K1'",
    )
    report = verify_run(session, run.run_id, actor=ACTOR)
    assert report.differences == [
        Difference("K1", "grade", "xuat_sac", "tot"),
        Difference("K1", "values.ket_qua", "69.00", "70.00"),
    ]


def test_a_tampered_veto_list_is_caught(session: Session, engine: Engine, run: RunOutcome) -> None:
    tamper(
        engine,
        f"UPDATE results SET vetoes_json = '[]' "
        f"WHERE run_id = {run.run_id} AND subject_code = 'N1'",
    )
    [difference] = verify_run(session, run.run_id, actor=ACTOR).differences
    assert (difference.subject, difference.field, difference.stored) == ("N1", "vetoes", "[]")
    assert difference.recomputed is not None and "khiển trách" in difference.recomputed


def test_a_stored_text_spelled_differently_is_caught_too(
    session: Session, engine: Engine, run: RunOutcome
) -> None:
    # The same list, not in the canonical spelling the run writes: a difference of text.
    tamper(
        engine,
        f"UPDATE results SET flags_json = '[ ]' "
        f"WHERE run_id = {run.run_id} AND subject_code = 'A2'",
    )
    report = verify_run(session, run.run_id, actor=ACTOR)
    assert report.differences == [Difference("A2", "flags_json", "[ ]", "[]")]


def test_a_changed_input_record_is_caught_by_the_snapshot(
    session: Session, engine: Engine, run: RunOutcome
) -> None:
    tamper(
        engine,
        'UPDATE input_records SET inputs_json = replace(inputs_json, \'"doi_moi":"5"\', '
        "'\"doi_moi\":\"6\"') WHERE person_id = (SELECT id FROM people WHERE code = 'A3')",
    )
    report = verify_run(session, run.run_id, actor=ACTOR)
    fields = [(d.subject, d.field) for d in report.differences]
    assert fields[0] == (None, "snapshot_sha256")
    assert ("A3", "total") in fields and ("A3", "values.c_doi_moi") in fields


def test_a_changed_subject_attribute_is_caught(
    session: Session, engine: Engine, run: RunOutcome
) -> None:
    tamper(
        engine,
        f"UPDATE results SET is_head = true WHERE run_id = {run.run_id} AND subject_code = 'A1'",
    )
    fields = [
        (d.subject, d.field) for d in verify_run(session, run.run_id, actor=ACTOR).differences
    ]
    assert fields[0] == (None, "snapshot_sha256")


def test_changed_rules_are_caught(session: Session, engine: Engine, run: RunOutcome) -> None:
    tamper(engine, "UPDATE rule_versions SET source = replace(source, '>= 90', '>= 80')")
    report = verify_run(session, run.run_id, actor=ACTOR)
    assert [d.field for d in report.differences] == ["rule_version.sha256"]


def test_a_deleted_result_is_caught(session: Session, engine: Engine, run: RunOutcome) -> None:
    tamper(engine, f"DELETE FROM results WHERE run_id = {run.run_id} AND subject_code = 'A5'")
    fields = [
        (d.subject, d.field) for d in verify_run(session, run.run_id, actor=ACTOR).differences
    ]
    assert fields[:2] == [(None, "subjects"), (None, "snapshot_sha256")]


def test_a_stored_explanation_is_checked_too(
    session: Session, engine: Engine, run: RunOutcome
) -> None:
    tamper(
        engine,
        f"UPDATE results SET explanation = replace(explanation, 'khiển trách', 'cảnh cáo') "
        f"WHERE run_id = {run.run_id} AND subject_code = 'N1'",
    )
    [difference] = verify_run(session, run.run_id, actor=ACTOR).differences
    assert (difference.subject, difference.field) == ("N1", "explanation")


def test_verifying_an_unknown_run(session: Session, run: RunOutcome) -> None:
    with pytest.raises(NotFound):
        verify_run(session, run.run_id + 100, actor=ACTOR)
