"""`chamdiem history PERSON`: a person's grades across periods, each traced to the rule
version (and git commit) that produced it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from chamdiem.cli import main
from chamdiem.platform.services.decisions import record_decision
from chamdiem.platform.services.errors import NotFound
from chamdiem.platform.services.history import person_history
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.services.periods import add_period
from chamdiem.platform.services.rules import source_sha256
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope
from tests.platform.db.helpers import ACTOR, PERIOD, RULES, prepare


def two_quarters(session: Session, folder: Path) -> None:
    book = prepare(session, folder)
    run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    add_period(session, "2026-Q2", actor=ACTOR)
    import_period_data(session, book, "2026-Q2", actor=ACTOR)
    (outcome,) = run_evaluation(session, "2026-Q2", scope=Scope.everything(), actor=ACTOR)
    record_decision(
        session,
        outcome.run_id,
        "A2",
        "xuat_sac",
        "Thành tích đột xuất",
        "15/QĐ-SNV",
        date(2026, 7, 10),
        actor=ACTOR,
    )


def test_history_lists_every_period_with_its_rule_version(session: Session, tmp_path: Path) -> None:
    two_quarters(session, tmp_path)
    rows = person_history(session, "A2")
    assert [r.period for r in rows] == ["2026-Q1", "2026-Q2"]
    sha = source_sha256(RULES.read_text(encoding="utf-8"))
    assert {r.version_sha256 for r in rows} == {sha}
    assert rows[0].grade == rows[1].grade and rows[0].total == rows[1].total
    assert rows[0].decision_grade is None
    # The rule version's grade labels come with each row, for the renderers.
    assert rows[0].grade_labels["tot"] == "Hoàn thành tốt nhiệm vụ"
    assert rows[0].ruleset_title.startswith("Đánh giá")
    assert (rows[1].decision_grade, rows[1].decision_document) == ("xuat_sac", "15/QĐ-SNV")
    # Inside a git checkout, the version names its commit and path.
    assert rows[0].git_path == "rules/cong_chuc_quy.rules"
    assert rows[0].git_commit is None or len(rows[0].git_commit) == 40


def test_history_of_an_unknown_person_is_an_error(session: Session, tmp_path: Path) -> None:
    prepare(session, tmp_path)
    with pytest.raises(NotFound):
        person_history(session, "KHONG-CO")


def test_history_command(
    session: Session,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    two_quarters(session, tmp_path)
    session.commit()
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", db_url)
    assert main(["history", "A2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["Kỳ", "Bộ"]
    # Period names, the rule set's title, a decimal comma and grade labels, not codes.
    assert lines[1].startswith("Quý I/2026   Đánh giá, xếp loại")
    total = person_history(session, "A2")[0].total
    assert total is not None and f"  {total.replace('.', ',')}  " in lines[1]
    assert "Hoàn thành tốt nhiệm vụ" in lines[1]
    assert lines[2].startswith("Quý II/2026")
    assert "Hoàn thành xuất sắc nhiệm vụ (15/QĐ-SNV)" in lines[2]
    assert not any(f" {code} " in line for line in lines for code in ("tot", "xuat_sac"))
    assert main(["--lang", "en", "history", "A2"]) == 0
    english = capsys.readouterr().out.splitlines()
    assert english[1].startswith("Q1 2026") and f"  {total}  " in english[1]
    assert main(["history", "KHONG-CO"]) == 1
    assert "KHONG-CO" in capsys.readouterr().err


def test_import_names_the_period_as_a_person_reads_it(
    session: Session,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`import` (the summary the history starts from) says 'Quý I/2026', not '2026-Q1'."""
    book = prepare(session, tmp_path)
    session.commit()
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", db_url)
    assert main(["import", str(book), "--period", PERIOD]) == 0
    assert "Tệp này đã được nhập cho Quý I/2026 (lần nhập #" in capsys.readouterr().out
    assert main(["--lang", "en", "import", str(book), "--period", PERIOD]) == 0
    assert "was imported for Q1 2026 already" in capsys.readouterr().out
