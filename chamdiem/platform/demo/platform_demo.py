"""The database half of the quick start: what an HR officer does with the demo province —
create the database, load the organisation, publish the rules, import the quarter from the
generated workbook, run it, write the official report."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from chamdiem.platform.db.engine import make_engine, open_session
from chamdiem.platform.db.migrate import upgrade
from chamdiem.platform.db.models import User
from chamdiem.platform.db.tables import people_t, units_t
from chamdiem.platform.excel.report import write_report
from chamdiem.platform.services.accounts import (
    add_user,
    first_sign_in,
    issue_codes,
    person_roles,
    provision_accounts,
    set_password,
)
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.services.organisation import load_organisation
from chamdiem.platform.services.periods import add_period
from chamdiem.platform.services.reports import run_report
from chamdiem.platform.services.rules import publish_rule_version
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope, body_of

DEMO_PERIOD = "2026-Q1"
# Accounts to try the web pages with: (user name, role, units, display name).
DEMO_ACCOUNTS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("quantri", "admin", (), "Quản trị hệ thống (mẫu)"),
    ("tccb.snv", "hr", ("SNV",), "Cán bộ tổ chức Sở Nội vụ (mẫu)"),
    ("thanhtra", "auditor", (), "Thanh tra tỉnh (mẫu)"),
    ("chinhsach", "policy", (), "Chuyên viên chính sách (mẫu)"),
)


@dataclass
class DemoRun:
    database: str
    run_id: int
    subjects: int
    report: Path
    seconds: dict[str, float] = field(default_factory=dict)
    # (user name, role, password) of the demo accounts, for the web pages
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def run_platform_demo(
    database_url: str, workbook: Path, rules: Path, out_dir: Path, actor: str
) -> DemoRun:
    """Each step is a service call, as the CLI and the web make them; each is safe to repeat
    (the same file imported twice changes nothing; a run again is a new run)."""
    seconds: dict[str, float] = {}
    engine = make_engine(database_url)
    try:
        started = time.perf_counter()
        upgrade(engine)
        seconds["db upgrade"] = time.perf_counter() - started
        with open_session(engine) as session:
            started = time.perf_counter()
            load_organisation(session, workbook, actor=actor)
            add_period(session, DEMO_PERIOD, actor=actor)
            publish_rule_version(session, rules, actor=actor)
            seconds["org, period, rules"] = time.perf_counter() - started
            started = time.perf_counter()
            import_period_data(session, workbook, DEMO_PERIOD, actor=actor)
            seconds["import"] = time.perf_counter() - started
            started = time.perf_counter()
            (outcome,) = run_evaluation(session, DEMO_PERIOD, scope=Scope.everything(), actor=actor)
            seconds["run"] = time.perf_counter() - started
            started = time.perf_counter()
            report = out_dir / f"bao_cao_lan_chay_{outcome.run_id}.xlsx"
            write_report(run_report(session, outcome.run_id), report)
            seconds["report"] = time.perf_counter() - started
            accounts = demo_accounts(session, actor)
        return DemoRun(database_url, outcome.run_id, outcome.subjects, report, seconds, accounts)
    finally:
        engine.dispose()


def demo_accounts(session: Session, actor: str) -> list[tuple[str, str, str]]:
    """Create the demo accounts, or give them a new password when they exist: a fresh random
    password on every run of the demo (nothing guessable is left in a database that may
    outlive the demo)."""
    made: list[tuple[str, str, str]] = []
    for username, role, units, name in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(9)
        if session.exec(select(User).where(User.username == username)).first() is None:
            add_user(session, username, password, role, units, name, actor=actor)
        else:
            set_password(session, username, password, actor=actor)
        made.append((username, role, password))
    return made + person_accounts(session, actor)


def person_accounts(session: Session, actor: str) -> list[tuple[str, str, str]]:
    """An account for every person of the organisation (`provision_accounts`), and, with a
    password set through a one-time code as an HR officer would hand it out, one civil
    servant, the manager of their unit and the leader of their body."""
    provision_accounts(session, actor=actor)
    roles = person_roles(session)
    connection = session.connection()
    units = {row.id: row for row in connection.execute(sa.select(units_t))}
    people = {
        row.id: row for row in connection.execute(sa.select(people_t).order_by(people_t.c.code))
    }
    parent = {unit_id: row.parent_id for unit_id, row in units.items()}
    chosen: list[int] = []
    for person_id, person in people.items():
        if roles[person_id] != "civil_servant" or person.unit_id is None:
            continue
        manager = units[person.unit_id].head_id
        body = body_of(parent, person.unit_id)
        leader = units[body].head_id if body is not None else None
        if manager is not None and leader is not None and leader != manager:
            chosen = [person_id, manager, leader]
            break
    made: list[tuple[str, str, str]] = []
    for person_id in chosen:
        username = str(people[person_id].code).lower()
        (issued,) = issue_codes(session, actor=actor, scope=Scope.everything(), username=username)
        password = secrets.token_urlsafe(9)
        first_sign_in(session, username, issued.code, password)
        made.append((username, roles[person_id], password))
    return made
