"""`fmt`, `diff` and `doc` from the command line: output, files and exit codes."""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

import pytest

from chamdiem.cli.versions import dispatch, main, register
from chamdiem.dsl.format import format_source

ROOT = Path(__file__).resolve().parents[2]
DESIGN = (ROOT / "tests" / "dsl" / "examples" / "design_example.rules").read_text("utf-8")
CANONICAL = format_source(DESIGN, "x.rules")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- fmt


def test_fmt_check_passes_on_formatted_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "a.rules", CANONICAL)
    assert main(["fmt", "--check", str(path)]) == 0
    assert "0 tệp cần định dạng lại, 1 tệp đã đúng mẫu" in capsys.readouterr().out
    assert path.read_text("utf-8") == CANONICAL


def test_fmt_check_lists_files_that_would_change_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messy = write(tmp_path / "messy.rules", DESIGN.replace("  subject", "      subject"))
    write(tmp_path / "ok.rules", CANONICAL)
    assert main(["fmt", "--check", str(tmp_path), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert f"would reformat: {messy}" in out
    assert "ok.rules" not in out
    assert "1 file(s) would be reformatted, 1 already formatted" in out
    assert messy.read_text("utf-8") != CANONICAL


def test_fmt_rewrites_in_place_keeping_permissions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "a.rules", DESIGN)
    path.chmod(0o640)
    assert main(["fmt", str(path)]) == 0
    assert path.read_text("utf-8") == CANONICAL
    assert path.stat().st_mode & 0o777 == 0o640
    assert f"đã định dạng lại: {path}" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["a.rules"]  # no temporary file left
    assert main(["fmt", "--check", str(path)]) == 0


def test_fmt_refuses_a_file_with_syntax_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = DESIGN.replace("let giao      = sum", "let giao = = sum")
    path = write(tmp_path / "a.rules", broken)
    assert main(["fmt", str(path)]) == 1
    assert main(["fmt", "--check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:22:12: lỗi:" in err
    assert "tệp có lỗi cú pháp nên chưa được định dạng" in err
    assert path.read_text("utf-8") == broken


def test_fmt_reports_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", "--check", str(tmp_path / "none.rules")]) == 1
    assert "không tìm thấy tệp hoặc thư mục" in capsys.readouterr().err


# ---------------------------------------------------------------- diff


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Thử",
        "GIT_AUTHOR_EMAIL": "thu@example.invalid",
        "GIT_COMMITTER_NAME": "Thử",
        "GIT_COMMITTER_EMAIL": "thu@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with two commits of rules/r.rules: the threshold 90, then 85."""
    root = tmp_path / "repo"
    (root / "rules").mkdir(parents=True)
    git(root, "init", "-q")
    write(root / "rules" / "r.rules", DESIGN)
    git(root, "add", "rules/r.rules")
    git(root, "commit", "-q", "-m", "first")
    write(root / "rules" / "r.rules", DESIGN.replace("total >= 90", "total >= 85"))
    git(root, "commit", "-q", "-am", "second")
    monkeypatch.chdir(root / "rules")
    return root


def test_diff_reads_both_versions_from_git(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "HEAD~1:rules/r.rules", "HEAD:rules/r.rules"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "HEAD~1:rules/r.rules → HEAD:rules/r.rules",
        "- Ngưỡng xếp loại `xuat_sac`: total >= 90 → total >= 85",
    ]


def test_diff_a_revision_against_the_working_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / "rules" / "r.rules", format_source(DESIGN, "r.rules").replace("90", "85"))
    # `./` reads relative to the current directory, as git does
    assert main(["diff", "HEAD:./r.rules", "r.rules", "--exit-code"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "không thay đổi nội dung"
    assert main(["diff", "HEAD~1:rules/r.rules", "r.rules", "--exit-code", "--lang", "en"]) == 1
    assert "- Grade `xuat_sac` threshold: total >= 90 → total >= 85" in capsys.readouterr().out


def test_diff_names_a_missing_revision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "khong_co:rules/r.rules", "r.rules"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("khong_co:rules/r.rules: lỗi: không đọc được từ git:")
    assert main(["diff", "khong_co_tep.rules", "r.rules"]) == 1
    assert "không tìm thấy tệp" in capsys.readouterr().err


# ---------------------------------------------------------------- doc


def test_doc_writes_the_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = write(tmp_path / "a.rules", DESIGN)
    out = tmp_path / "site"
    assert main(["doc", str(rules), "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["cong_chuc_quy.html", "index.html"]
    assert "Đã tạo 2 trang" in capsys.readouterr().out


def test_doc_refuses_rules_with_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = write(tmp_path / "a.rules", DESIGN.replace("= chinh_tri", "= chinh_trj"))
    assert main(["doc", str(rules), "-o", str(tmp_path / "site")]) == 1
    err = capsys.readouterr().err
    assert "chinh_trj" in err and "chưa tạo trang tài liệu nào" in err
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------- wiring


def test_register_and_dispatch_plug_into_another_parser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=["vi", "en"], default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="chamdiem", parents=[common])
    commands = parser.add_subparsers(dest="command")
    register(commands, parents=[common], language="en")
    path = write(tmp_path / "a.rules", CANONICAL)
    args = parser.parse_args(["fmt", "--check", str(path), "--lang", "en"])
    assert dispatch(args) == 0
    assert args.run(args, None) == 0  # the entry point's `run(args, console)` convention
    assert "0 file(s) would be reformatted" in capsys.readouterr().out
