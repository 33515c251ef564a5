"""The command line speaks one language: `chamdiem --help` and every sub-command's `--help`
entirely in Vietnamese by default (argparse's own words too) and entirely in English with
`--lang en`; every option and positional explained; usage errors in the same language."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

from chamdiem.cli import main
from chamdiem.cli.argparse_vi import install
from chamdiem.cli.entry import build_parser
from chamdiem.dsl.diagnostics import Language

# argparse's English, as it prints it; none of it may show in Vietnamese.
ARGPARSE_ENGLISH = (
    "usage:",
    "positional arguments",
    "options:",
    "optional arguments",
    "show this help message and exit",
    "the following arguments are required",
    "invalid choice",
    "expected one argument",
    "unrecognized arguments",
    "error:",
    "COMMAND",
)
# Vietnamese letters (with their marks, and đ): none may show in English.
VIETNAMESE_LETTER = re.compile(r"[À-ÃÈ-ÊÌÍÒ-ÕÙÚÝà-ãè-êìíò-õùúýĂăĐđĨĩŨũƠơƯưẠ-ỹ]")
# Placeholders that are the same in both languages (names of things, not words).
SAME_IN_BOTH = {"N"}


def commands(language: Language) -> Iterator[tuple[list[str], argparse.ArgumentParser]]:
    """Every parser of `chamdiem`, with the words that reach it."""
    stack: list[tuple[list[str], argparse.ArgumentParser]] = [([], build_parser(language))]
    while stack:
        path, parser = stack.pop()
        yield path, parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    stack.append(([*path, name], sub))


def help_pages(language: Language) -> dict[str, str]:
    pages = {}
    for path, parser in commands(language):
        install(language)
        pages[" ".join(["chamdiem", *path])] = parser.format_help()
    return pages


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("CHAMDIEM_LANG", raising=False)
    yield
    install("vi")


def test_there_are_many_help_pages() -> None:
    pages = help_pages("vi")
    assert len(pages) >= 25
    assert {"chamdiem", "chamdiem test", "chamdiem db upgrade", "chamdiem user add"} <= set(pages)


def test_vietnamese_help_has_no_english_argparse_words() -> None:
    for name, page in help_pages("vi").items():
        found = [word for word in ARGPARSE_ENGLISH if word in page]
        assert found == [], f"{name}: {found}\n{page}"
        assert page.startswith("cách dùng: "), name
        assert "tùy chọn:" in page and "in hướng dẫn này rồi thoát" in page, name


def test_english_help_has_no_vietnamese() -> None:
    for name, page in help_pages("en").items():
        letters = sorted(set(VIETNAMESE_LETTER.findall(page)))
        assert letters == [], f"{name}: {letters}\n{page}"
        assert page.startswith("usage: "), name


def test_every_option_and_positional_has_help_and_placeholders_follow_the_language() -> None:
    english = {tuple(path): parser for path, parser in commands("en")}
    for path, parser in commands("vi"):
        name = " ".join(["chamdiem", *path])
        twin = english[tuple(path)]
        for action, other in zip(parser._actions, twin._actions, strict=True):
            if isinstance(action, argparse._SubParsersAction):
                assert (action.metavar, other.metavar) == ("LỆNH", "COMMAND"), name
                continue
            assert action.help and other.help, f"{name}: {action.dest} has no help"
            if action.metavar is not None or other.metavar is not None:
                vi, en = str(action.metavar), str(other.metavar)
                assert vi != en or vi in SAME_IN_BOTH, f"{name}: {action.dest}: {vi}"
            elif action.nargs != 0 and action.choices is None:
                # argparse would show the English dest in capitals as the placeholder
                raise AssertionError(f"{name}: {action.dest} has no placeholder of its own")


def test_test_and_demo_have_descriptions() -> None:
    pages = help_pages("vi")
    parsers = {" ".join(["chamdiem", *path]): parser for path, parser in commands("vi")}
    for name in ("chamdiem test", "chamdiem demo"):
        assert parsers[name].description, name
    assert "N đạt, M không đạt" in pages["chamdiem test"]


def test_usage_errors_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cách dùng: chamdiem eval")
    assert "lỗi cách dùng: thiếu tham số bắt buộc: QUY_TẮC, DỮ_LIỆU" in err
    assert main(["eval", "--format", "pdf", "a", "b"]) == 2
    assert "lựa chọn không hợp lệ: 'pdf'" in capsys.readouterr().err
    assert main(["eval", "a", "b", "--out"]) == 2
    assert "tham số --out: cần một giá trị" in capsys.readouterr().err
    assert main(["check", "a", "--bogus"]) == 2
    assert "tham số không nhận ra: --bogus" in capsys.readouterr().err
    assert main(["nope"]) == 2
    assert "lựa chọn không hợp lệ: 'nope'" in capsys.readouterr().err


def test_usage_errors_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: chamdiem eval")
    assert "usage error: the following arguments are required: RULES, DATA" in err
    assert not VIETNAMESE_LETTER.search(err)


def test_help_through_main_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--help"]) == 0
    vi = capsys.readouterr().out
    assert vi.startswith("cách dùng: chamdiem run") and "--period KỲ" in vi
    assert main(["--lang", "en", "run", "--help"]) == 0
    en = capsys.readouterr().out
    assert en.startswith("usage: chamdiem run") and "--period PERIOD" in en
    assert not VIETNAMESE_LETTER.search(en)
