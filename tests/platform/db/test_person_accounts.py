"""Accounts for every person, from the organisation load: roles from the tree, idempotent
provisioning, a leaver deactivated; one-time codes for the first sign-in (wrong, expired,
used twice, out of the HR officer's scope) and the password rules."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from chamdiem.platform.db.models import OneTimeCode, User
from chamdiem.platform.db.tables import people_t
from chamdiem.platform.services.accounts import (
    authenticate,
    first_sign_in,
    issue_codes,
    password_problem,
    provision_accounts,
)
from chamdiem.platform.services.errors import FieldErrors, NotFound
from chamdiem.platform.services.organisation import load_organisation
from chamdiem.platform.services.scope import Scope, units_named
from tests.platform.db.helpers import workbook


@pytest.fixture
def org(session: Session, tmp_path: Path) -> Session:
    load_organisation(session, workbook(tmp_path / "org.xlsx"), actor="test")
    return session


def accounts(session: Session) -> dict[str, User]:
    return {u.username: u for u in session.exec(select(User)).all()}


def test_every_person_gets_an_account_with_the_role_of_their_place(org: Session) -> None:
    done = provision_accounts(org, actor="hr")
    found = accounts(org)
    assert done.created == len(found) == 14
    assert found["s1"].role == "leader"  # head of Sở Nội vụ, a body
    assert found["a5"].role == "manager"  # head of Phòng Tổng hợp
    assert found["n1"].role == "manager"
    assert {found[c].role for c in ("a1", "k1", "n2")} == {"civil_servant"}
    assert all(u.password_hash is None and u.person_id is not None for u in found.values())


def test_provisioning_twice_changes_nothing(org: Session) -> None:
    provision_accounts(org, actor="hr")
    before = {u.username: (u.id, u.role, u.active) for u in accounts(org).values()}
    again = provision_accounts(org, actor="hr")
    assert (again.created, again.updated, again.deactivated) == (0, 0, 0)
    assert again.unchanged == 14
    org.expire_all()
    assert {u.username: (u.id, u.role, u.active) for u in accounts(org).values()} == before


def test_a_person_who_left_is_deactivated_not_deleted(org: Session) -> None:
    provision_accounts(org, actor="hr")
    org.connection().execute(
        sa.update(people_t).where(people_t.c.code == "K5").values(unit_id=None)
    )
    org.commit()
    done = provision_accounts(org, actor="hr")
    assert done.deactivated == 1
    org.expire_all()
    assert accounts(org)["k5"].active is False


def test_provisioning_in_an_hr_officers_scope_touches_only_their_people(org: Session) -> None:
    done = provision_accounts(org, actor="hr", scope=units_named(org, ["STC"]))
    assert done.created == 3
    assert set(accounts(org)) == {"n1", "n2", "n3"}


def test_a_one_time_code_sets_the_password_once(org: Session) -> None:
    provision_accounts(org, actor="hr")
    issued = issue_codes(org, actor="hr", scope=units_named(org, ["SNV"]), unit_code="SNV-TH")
    assert sorted(c.username for c in issued) == ["a1", "a2", "a3", "a4", "a5"]
    code = next(c.code for c in issued if c.username == "a1")
    with pytest.raises(FieldErrors):
        first_sign_in(org, "a1", "WRONG-CODE1", "mat-khau-moi")
    with pytest.raises(FieldErrors):  # another person's code
        first_sign_in(org, "a2", code, "mat-khau-moi")
    first_sign_in(org, "a1", code.lower().replace("-", " "), "mat-khau-moi")
    assert authenticate(org, "a1", "mat-khau-moi") is not None
    with pytest.raises(FieldErrors):  # used twice
        first_sign_in(org, "a1", code, "mat-khau-khac")
    stored = org.exec(select(OneTimeCode)).all()
    assert code not in {c.code_sha256 for c in stored}  # kept hashed only


def test_an_expired_code_is_refused(org: Session) -> None:
    provision_accounts(org, actor="hr")
    (issued,) = issue_codes(org, actor="hr", scope=Scope.everything(), username="k1")
    for record in org.exec(select(OneTimeCode)).all():
        record.expires_at = record.created_at - timedelta(seconds=1)
        org.add(record)
    org.commit()
    with pytest.raises(FieldErrors):
        first_sign_in(org, "k1", issued.code, "mat-khau-moi")


def test_a_reset_makes_the_earlier_code_useless(org: Session) -> None:
    provision_accounts(org, actor="hr")
    (first,) = issue_codes(org, actor="hr", scope=Scope.everything(), username="k2")
    (second,) = issue_codes(org, actor="hr", scope=Scope.everything(), username="k2")
    with pytest.raises(FieldErrors):
        first_sign_in(org, "k2", first.code, "mat-khau-moi")
    first_sign_in(org, "k2", second.code, "mat-khau-moi")


def test_codes_outside_the_hr_officers_scope_are_not_found(org: Session) -> None:
    provision_accounts(org, actor="hr")
    mine = units_named(org, ["STC"])
    with pytest.raises(NotFound):
        issue_codes(org, actor="hr", scope=mine, unit_code="SNV-TH")
    with pytest.raises(NotFound):
        issue_codes(org, actor="hr", scope=mine, username="a1")
    with pytest.raises(NotFound):
        issue_codes(org, actor="hr", scope=Scope.nothing(), unit_code="STC-NS")


@pytest.mark.parametrize(
    ("password", "ok"),
    [("ngan", False), ("12345678901", False), ("a1", False), ("mat-khau-moi", True)],
)
def test_the_password_rules(password: str, ok: bool) -> None:
    assert (password_problem(password, "a1") is None) is ok
    assert password_problem("A1B2C3D4", "a1b2c3d4") is not None  # the user name
