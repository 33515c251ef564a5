"""Golden files for sets of rule files: `chamdiem check FOLDER` on each folder of
`golden/sets/`, its output (stderr then stdout, as the user sees it, in Vietnamese) compared
with `golden/sets/NAME.expected`. Regenerate with `UPDATE_GOLDEN=1` and read the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chamdiem.cli import main

SETS = Path(__file__).parent / "golden" / "sets"
CASES = sorted(path for path in SETS.iterdir() if path.is_dir())


@pytest.fixture(autouse=True)
def _vietnamese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAMDIEM_LANG", raising=False)
    monkeypatch.chdir(SETS)


def test_there_are_set_cases() -> None:
    assert {p.name for p in CASES} >= {"cycle_two_files", "period_mismatch", "names_read_across"}


@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
def test_golden_set(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", folder.name])
    out = capsys.readouterr()
    actual = f"{out.err}{out.out}exit {code}\n"
    expected = SETS / f"{folder.name}.expected"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected.write_bytes(actual.encode("utf-8"))
        pytest.skip(f"{expected.name} rewritten, not compared (UPDATE_GOLDEN=1)")
    assert actual == expected.read_bytes().decode("utf-8")


def test_english_period_names_stay_out_of_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "period_mismatch"])
    err = capsys.readouterr().err
    for word in ("quarter", "year", "month", "periods()"):
        assert word not in err.replace("periods(cn_quy)", "")
    main(["--lang", "en", "check", "period_mismatch"])
    err = capsys.readouterr().err
    assert "evaluated by year and `cn_quy` by quarter" in err


def test_a_single_file_is_checked_without_the_rule_sets_it_needs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Alone, a file that needs another is not refused for it (G002 is for sets)."""
    assert main(["check", "names_read_across/nam.rules"]) == 0
    assert "0 lỗi" in capsys.readouterr().out
    # …but checked alone, the let only nam.rules reads is unused.
    assert main(["check", "names_read_across/quy.rules"]) == 0
    assert "`diem_quy`" in capsys.readouterr().err


def test_a_set_missing_a_needed_rule_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nam = (SETS / "names_read_across" / "nam.rules").read_text(encoding="utf-8")
    (tmp_path / "nam.rules").write_text(nam, encoding="utf-8")
    (tmp_path / "khac.rules").write_text(
        (SETS / "period_mismatch" / "cn_quy.rules").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "cần bộ tiêu chí `quy` nhưng không có tệp nào khai báo nó" in err


def test_a_rule_set_declared_in_two_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (SETS / "period_mismatch" / "cn_quy.rules").read_text(encoding="utf-8")
    (tmp_path / "a.rules").write_text(text, encoding="utf-8")
    (tmp_path / "b.rules").write_text(text, encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert (
        f"b.rules:2:13: lỗi: bộ tiêu chí `cn_quy` đã được khai báo trong {tmp_path}/a.rules" in err
    )
