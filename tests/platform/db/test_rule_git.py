"""A published rule version records the git commit, author and date of its file, so every
stored result can be traced to a commit."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from sqlmodel import Session

from chamdiem.platform.services.rules import publish_rule_version
from tests.platform.db.helpers import ACTOR, RULES


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def repository(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "quy_tac"
    (repo / "rules").mkdir(parents=True)
    rule = repo / "rules" / "cong_chuc_quy.rules"
    shutil.copy(RULES, rule)
    git(repo, "init", "-q")
    git(repo, "add", "rules")
    git(
        repo,
        "-c",
        "user.name=Phòng Công chức",
        "-c",
        "user.email=ccvc@snv.phutho.gov.vn",
        "commit",
        "-q",
        "-m",
        "Bộ tiêu chí quý theo NĐ 335",
        "--date=2026-01-05T08:30:00+07:00",
    )
    return repo, rule


def test_publishing_a_committed_file_records_commit_author_and_date(
    session: Session, tmp_path: Path
) -> None:
    repo, rule = repository(tmp_path)
    version = publish_rule_version(session, rule, actor=ACTOR).version
    assert version.git_commit == git(repo, "rev-parse", "HEAD")
    assert version.git_path == "rules/cong_chuc_quy.rules"
    assert version.git_author == "Phòng Công chức <ccvc@snv.phutho.gov.vn>"
    assert version.git_committed_at is not None
    assert version.git_committed_at.date().isoformat() == "2026-01-05"


def test_an_uncommitted_edit_records_no_commit(session: Session, tmp_path: Path) -> None:
    _, rule = repository(tmp_path)
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# sửa chưa commit\n", encoding="utf-8")
    version = publish_rule_version(session, rule, actor=ACTOR).version
    assert version.git_path == "rules/cong_chuc_quy.rules"
    assert (version.git_commit, version.git_author, version.git_committed_at) == (None, None, None)
