"""The audit log: every import, run, verification, publication, decision and change of the
organisation or of a period is recorded, and the database refuses to change or remove an
entry (triggers on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from chamdiem.platform.db.engine import make_engine, open_session
from chamdiem.platform.db.migrate import upgrade
from chamdiem.platform.db.models import AuditEntry
from chamdiem.platform.services import audit
from chamdiem.platform.services.decisions import record_decision
from chamdiem.platform.services.periods import lock_period
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope
from chamdiem.platform.services.verify import verify_run
from tests.platform.db.conftest import new_database_url
from tests.platform.db.helpers import ACTOR, PERIOD, count, prepare


def test_every_service_writes_an_entry(session: Session, tmp_path: Path) -> None:
    prepare(session, tmp_path)
    [run] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    verify_run(session, run.run_id, actor="kiem_toan")
    record_decision(
        session, run.run_id, "K1", "xuat_sac", "Hội đồng xét", "12/QĐ-SNV", date(2026, 4, 10),
        actor="hoi_dong",
    )  # fmt: skip
    lock_period(session, PERIOD, actor=ACTOR)
    entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    assert [(e.action, e.actor) for e in entries] == [
        ("org_load", ACTOR),
        ("period_add", ACTOR),
        ("publish", ACTOR),
        ("import", ACTOR),
        ("run", ACTOR),
        ("verify", "kiem_toan"),
        ("decision", "hoi_dong"),
        ("period_lock", ACTOR),
    ]
    details = json.loads(entries[3].details_json)
    assert (details["period"], details["ruleset"], details["subjects"]) == (
        PERIOD,
        "cong_chuc_quy",
        14,
    )
    assert len(details["file_sha256"]) == 64
    assert json.loads(entries[4].details_json)["snapshot_sha256"] == run.snapshot_sha256


def test_the_audit_module_can_only_add(session: Session) -> None:
    public = {name for name in vars(audit) if not name.startswith("_")}
    functions = {
        name
        for name in public
        if callable(getattr(audit, name))
        and getattr(getattr(audit, name), "__module__", "") == audit.__name__
    }
    assert functions == {"record"}


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_log SET actor = 'ai_do'", "DELETE FROM audit_log"],
)
def test_the_database_rejects_changing_or_removing_an_entry(
    session: Session, engine: Engine, sql: str
) -> None:
    audit.record(session, ACTOR, "login", "users", None)
    session.commit()
    with engine.connect() as connection, pytest.raises(sa.exc.DatabaseError) as caught:
        connection.execute(sa.text(sql))
    assert "append-only" in str(caught.value)
    assert count(engine, "audit_log") == 1
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT actor FROM audit_log")).scalar_one() == ACTOR


def test_postgresql_also_rejects_truncate(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """PostgreSQL only: SQLite has no TRUNCATE (its DELETE without WHERE is covered above)."""
    engine = make_engine(new_database_url("postgresql", request, tmp_path_factory))
    upgrade(engine)
    with open_session(engine) as session:
        audit.record(session, ACTOR, "login", "users", None)
        session.commit()
    with engine.connect() as connection, pytest.raises(sa.exc.DatabaseError):
        connection.execute(sa.text("TRUNCATE audit_log"))
    assert count(engine, "audit_log") == 1
    engine.dispose()
