"""Rule pages for policy staff and auditors: the impact of a new version before it is
published (on stored data, within the reader's scope), and the documentation every
signed-in user may read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import select

from chamdiem.dsl import load_file
from chamdiem.platform.db.engine import open_session
from chamdiem.platform.db.models import RuleVersion
from chamdiem.platform.services.impact import impact_for_period
from chamdiem.platform.services.rules import publish_rule_version
from chamdiem.platform.services.scope import Scope
from tests.platform.db.helpers import PEOPLE, PERIOD, RULES
from tests.web.conftest import PEOPLE_OF, Site

AsUser = Callable[[str], TestClient[Litestar]]


def second_version(site: Site) -> tuple[int, int, Path]:
    """Publish the quarterly rules with the 'tốt' threshold at 80 (so that people move),
    without the tests that pin the old threshold (publishing refuses a failing test)."""
    path = site.folder / "cong_chuc_quy_80.rules"
    source = RULES.read_text(encoding="utf-8").split("# KIỂM THỬ —")[0]
    path.write_text(source.replace("khi tổng điểm >= 70", "khi tổng điểm >= 80"), encoding="utf-8")
    with open_session(site.engine) as session:
        publish_rule_version(session, path, actor="chinhsach")
        ids = sorted(v.id for v in session.exec(select(RuleVersion)).all() if v.id is not None)
    return ids[0], ids[-1], path


def test_policy_staff_see_how_many_move_in_the_province_but_no_one_by_name(
    site: Site, as_user: AsUser
) -> None:
    """The policy role may not read the organisation's people: the impact of a rule change
    is counted over the province (the transition matrix, how many move), no person and no
    unit named (docs/decisions.md)."""
    old, new, path = second_version(site)
    page = as_user("chinhsach").get(f"/quy-tac/anh-huong?a={old}&b={new}&ky={PERIOD}")
    assert page.status_code == 200
    with open_session(site.engine) as session:
        impact = impact_for_period(
            session, load_file(RULES), load_file(path), PERIOD, Scope.everything()
        )
    assert impact.moves, "raising the threshold to 80 must move someone"
    assert f"{impact.people} người; <strong>{len(impact.moves)}</strong> người đổi mức" in page.text
    assert "Ma trận chuyển mức" in page.text
    assert "chỉ có số lượng" in page.text
    for person in PEOPLE:
        assert f"<td>{person.code}</td>" not in page.text
        assert person.name not in page.text
    for unit in ("SNV-TH", "SNV-KH", "STC-NS"):
        assert f"<h3>{unit}</h3>" not in page.text


def test_an_auditor_sees_who_moves_across_the_province(site: Site, as_user: AsUser) -> None:
    old, new, path = second_version(site)
    page = as_user("thanhtra").get(f"/quy-tac/anh-huong?a={old}&b={new}&ky={PERIOD}")
    assert page.status_code == 200
    with open_session(site.engine) as session:
        impact = impact_for_period(
            session, load_file(RULES), load_file(path), PERIOD, Scope.everything()
        )

    def label(code: str) -> str:
        return f'<span class="grade" title="{code}">{impact.labels[code]}</span>'

    for move in impact.moves:
        assert f"<td>{move.code}</td>" in page.text
        # Grade labels (the code only as the span's title) and totals with a decimal comma.
        assert f"{label(move.old_grade)} → {label(move.new_grade)}" in page.text
        assert move.new_total is not None and "." in move.new_total
        assert f"→ {move.new_total.replace('.', ',')}</td>" in page.text
    assert "Quý I/2026" in page.text
    assert f"<th>{label('tot')}</th>" in page.text
    assert "<th>xuat_sac</th>" not in page.text


def test_an_hr_officer_sees_the_impact_on_their_units_only(site: Site, as_user: AsUser) -> None:
    old, new, _ = second_version(site)
    page = as_user("tcstc").get(f"/quy-tac/anh-huong?a={old}&b={new}&ky={PERIOD}")
    assert page.status_code == 200
    for unit in ("SNV", "SNV-TH", "SNV-KH"):
        for code in PEOPLE_OF[unit]:
            assert f"<td>{code}</td>" not in page.text


def test_a_unit_head_may_not_read_rule_impact(site: Site, as_user: AsUser) -> None:
    old, new, _ = second_version(site)
    page = as_user("tpth").get(f"/quy-tac/anh-huong?a={old}&b={new}&ky={PERIOD}")
    assert page.status_code == 403


def test_every_signed_in_user_reads_the_documentation(site: Site, as_user: AsUser) -> None:
    index = as_user("tpth").get("/tai-lieu")
    assert index.status_code == 200
    assert "Đánh giá, xếp loại chất lượng công chức hằng quý" in index.text
    with open_session(site.engine) as session:
        version = session.exec(select(RuleVersion)).first()
        assert version is not None
    page = as_user("tpth").get(f"/tai-lieu/{version.id}")
    assert page.status_code == 200
    assert "Tiêu chí chung" in page.text
    assert site.client().get("/tai-lieu", follow_redirects=False).status_code in (302, 303, 401)
