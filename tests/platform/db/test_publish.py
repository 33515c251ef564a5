"""`chamdiem rules publish`: content-addressed rule versions, refused when the file has an
error or a failing test, with the git commit when the file is committed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from chamdiem.dsl.parser import normalise
from chamdiem.platform.db.models import AuditEntry, RuleVersion
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.rules import git_place, publish_rule_version
from tests.platform.db.helpers import ACTOR, RULES, count

MINI = """\
ruleset mini "Bộ tiêu chí thử"
  subject person
  period quarter
  effective 2026-01-01
end

input a : number 0..10 "Điểm A"

group chung "Chung" max 10
  criterion c_a "Nội dung A" max 10 = a
end

grades
  dat "Đạt" when total >= 5
  khong "Không đạt" otherwise
end

test "đủ điểm"
  given a = 9
  expect total = 9, grade = dat
end
"""


def test_publish_stores_the_normalised_source_under_its_sha256(
    session: Session, engine: Engine
) -> None:
    published = publish_rule_version(session, RULES, actor=ACTOR)
    version = published.version
    source = normalise(RULES.read_text(encoding="utf-8-sig"))
    assert published.created and published.tests > 0
    assert version.sha256 == hashlib.sha256(source.encode("utf-8")).hexdigest()
    assert version.source == source
    assert (version.name, version.period_kind, version.published_by) == (
        "cong_chuc_quy",
        "quarter",
        ACTOR,
    )
    again = publish_rule_version(session, RULES, actor="nguoi_khac")
    assert not again.created and again.version.id == version.id
    assert count(engine, "rule_versions") == 1
    entries = session.exec(select(AuditEntry)).all()
    assert [e.action for e in entries] == ["publish"]


def test_the_same_rules_saved_with_crlf_or_nfd_have_the_same_address(
    session: Session, tmp_path: Path
) -> None:
    import unicodedata

    crlf = tmp_path / "mini_crlf.rules"
    crlf.write_bytes(MINI.replace("\n", "\r\n").encode("utf-8"))
    nfd = tmp_path / "mini_nfd.rules"
    nfd.write_text(unicodedata.normalize("NFD", MINI), encoding="utf-8")
    first = publish_rule_version(session, crlf, actor=ACTOR)
    second = publish_rule_version(session, nfd, actor=ACTOR)
    assert first.created and not second.created
    assert first.version.sha256 == second.version.sha256


def test_a_file_with_an_error_is_refused(session: Session, engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "bad.rules"
    bad.write_text(MINI.replace("= a\n", "= a_khong_co\n"), encoding="utf-8")
    with pytest.raises(ServiceError) as caught:
        publish_rule_version(session, bad, actor=ACTOR)
    assert "not published" in caught.value.message.en
    assert "a_khong_co" in caught.value.details[0].en
    assert count(engine, "rule_versions") == 0 and count(engine, "audit_log") == 0


def test_a_file_whose_test_fails_is_refused(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    failing = tmp_path / "failing.rules"
    failing.write_text(MINI.replace("expect total = 9", "expect total = 8"), encoding="utf-8")
    with pytest.raises(ServiceError) as caught:
        publish_rule_version(session, failing, actor=ACTOR)
    assert "1 of 1 test(s) failed" in caught.value.message.en
    assert "đủ điểm" in caught.value.details[0].vi
    assert count(engine, "rule_versions") == 0


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(folder), *args],
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.org",
        },
    )


def test_git_commit_and_path_are_recorded_for_a_committed_file(
    session: Session, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    (repo / "rules").mkdir(parents=True)
    rules = repo / "rules" / "mini.rules"
    rules.write_text(MINI, encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "rules/mini.rules")
    _git(repo, "commit", "-q", "-m", "mini")
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    version = publish_rule_version(session, rules, actor=ACTOR).version
    assert (version.git_commit, version.git_path) == (head, "rules/mini.rules")

    rules.write_text(MINI.replace("Bộ tiêu chí thử", "Bộ tiêu chí thử, sửa"), encoding="utf-8")
    edited = publish_rule_version(session, rules, actor=ACTOR).version
    assert (edited.git_commit, edited.git_path) == (None, "rules/mini.rules")


def test_no_repository_or_no_git_records_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "mini.rules"
    outside.write_text(MINI, encoding="utf-8")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    place = git_place(outside, MINI)
    assert (place.commit, place.path) == (None, None)
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    assert shutil.which("git") is None
    place = git_place(RULES, RULES.read_text(encoding="utf-8"))
    assert (place.commit, place.path) == (None, None)


def test_publish_without_git_still_publishes(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "mini.rules"
    rules.write_text(MINI, encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    version = publish_rule_version(session, rules, actor=ACTOR).version
    assert version.git_commit is None and version.id is not None
    assert session.exec(select(RuleVersion)).one().sha256 == version.sha256
