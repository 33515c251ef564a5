"""`chamdiem check` and `chamdiem test`: rule files read, checked (and compiled for their
tests), each problem shown with its place.

`check` only parses and checks: it imports neither the compiler, the evaluator nor NumPy.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chamdiem.cli.console import (
    EXIT_OK,
    EXIT_USER,
    Console,
    Unreadable,
    read_text,
    rule_files,
)
from chamdiem.dsl.diagnostics import Diagnostic, Language, render_all

if TYPE_CHECKING:
    from chamdiem.dsl.loader import Program
    from chamdiem.dsl.syntax import Module


def register(commands: Any, common: argparse.ArgumentParser, t: Callable[[str, str], str]) -> None:
    """Add `check` and `test` to `chamdiem`'s subparsers; `common` holds `--lang`."""
    check = commands.add_parser(
        "check",
        parents=[common],
        help=t("kiểm tra tệp quy tắc", "check rule files"),
        description=t(
            "Kiểm tra tệp quy tắc (thư mục: mọi tệp *.rules bên trong); lỗi và cảnh báo in ra "
            "stderr.",
            "Check rule files (a folder: every *.rules below it); errors and warnings go to "
            "stderr.",
        ),
    )
    check.add_argument(
        "files",
        nargs="+",
        metavar=t("TỆP", "FILE"),
        help=t("tệp quy tắc hoặc thư mục chứa chúng", "rule files, or folders holding them"),
    )
    check.set_defaults(run=run_check)

    test = commands.add_parser(
        "test",
        parents=[common],
        help=t("chạy các khối kiểm thử trong tệp quy tắc", "run the test blocks of rule files"),
        description=t(
            "Chạy mọi khối test trong tệp quy tắc (thư mục: mọi tệp *.rules bên trong); in "
            "từng kiểm thử không đạt kèm vị trí, giá trị mong đợi và giá trị tính ra, rồi một "
            "dòng tổng kết “N đạt, M không đạt” (với --lang en: “N passed, M failed”). Mã thoát "
            "1 khi có kiểm thử không đạt.",
            "Run every test block of rule files (a folder: every *.rules below it); print each "
            "failing test with its place, the expected and the computed value, then a closing "
            "line “N passed, M failed”. Exit 1 when a test fails.",
        ),
    )
    test.add_argument(
        "paths",
        nargs="+",
        metavar=t("TỆP", "FILE"),
        help=t("tệp quy tắc hoặc thư mục chứa chúng", "rule files, or folders holding them"),
    )
    test.set_defaults(run=run_test)


# ---------------------------------------------------------------- rule files


@dataclass
class LoadedRules:
    """A rule file after parse, check and compile: `program` is None when it has errors (or
    was only checked)."""

    display: str
    program: Program | None
    source: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    module: Module | None = None  # the syntax tree, when only checked

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if not d.is_error)

    def render(self, language: Language) -> str:
        """The diagnostics as the command line shows them (`lỗi:`/`cảnh báo:` in
        Vietnamese)."""
        return render_all(
            self.diagnostics, self.source, self.display, language, severity_words=True
        )


def load_rules(path: Path) -> LoadedRules:
    """Read and compile one rule file; reading problems become diagnostics too."""
    from chamdiem.dsl.diagnostics import error
    from chamdiem.dsl.loader import RuleFileError, load_source

    display = str(path)
    try:
        source = read_text(path)
    except Unreadable as exc:
        problem = error(exc.code, None, exc.message.vi, exc.message.en)
        return LoadedRules(display, None, "", [problem])
    try:
        program = load_source(source, display)
    except RuleFileError as exc:
        return LoadedRules(display, None, exc.source, list(exc.diagnostics))
    return LoadedRules(display, program, program.source, list(program.warnings))


def check_rules(path: Path) -> LoadedRules:
    """Read, parse and check one rule file, giving the diagnostics `load_rules` gives but no
    program: what `check` needs, without loading the compiler, the evaluator and NumPy."""
    from chamdiem.dsl.diagnostics import error
    from chamdiem.dsl.pipeline import check_source

    display = str(path)
    try:
        source = read_text(path)
    except Unreadable as exc:
        problem = error(exc.code, None, exc.message.vi, exc.message.en)
        return LoadedRules(display, None, "", [problem])
    module, diagnostics = check_source(source, display)
    return LoadedRules(display, None, module.source, diagnostics, module)


def show_diagnostics(loaded: LoadedRules, console: Console) -> None:
    if loaded.diagnostics:
        console.err(loaded.render(console.language))


def show_warning_count(loaded: LoadedRules, console: Console) -> None:
    console.err(
        console.text(
            f"{loaded.display}: {loaded.warnings} cảnh báo (xem `chamdiem check`)",
            f"{loaded.display}: {loaded.warnings} warning(s) (see `chamdiem check`)",
        )
    )


# ---------------------------------------------------------------- check


def run_check(args: argparse.Namespace, console: Console) -> int:
    files, missing = rule_files(args.files, console)
    errors = warnings = 0
    checked = [check_rules(path) for path in files]
    errors += check_across(checked, console)
    for loaded in checked:
        show_diagnostics(loaded, console)
        errors += loaded.errors
        warnings += loaded.warnings
    console.out(
        console.text(
            f"Đã kiểm tra {len(files)} tệp: {errors} lỗi, {warnings} cảnh báo.",
            f"Checked {len(files)} file(s): {errors} error(s), {warnings} warning(s).",
        )
    )
    return EXIT_USER if errors or missing else EXIT_OK


def check_across(checked: Sequence[LoadedRules], console: Console) -> int:
    """The files as one set (what `eval` would refuse about them, codes G001–G008): each
    problem joins its file's diagnostics; a problem of the whole set (a cycle) is shown
    here, and counted in the result. A name another file reads is not "unused".

    A single file is checked alone: the rule sets it needs are not missing then."""
    from chamdiem.dsl.across import check_set, checked_rule_set, names_read_by_others
    from chamdiem.dsl.diagnostics import sort_key
    from chamdiem.dsl.syntax import Let

    members = {}
    for loaded in checked:
        if loaded.module is not None:
            rule_set = checked_rule_set(loaded.module, loaded.display)
            if rule_set is not None:
                members[id(rule_set)] = (rule_set, loaded)
    rule_sets = [rule_set for rule_set, _ in members.values()]
    whole = 0
    for rule_set, diagnostic in check_set(rule_sets):
        if diagnostic.code == "G002" and len(checked) == 1:
            continue
        if rule_set is None:
            console.error("chamdiem", diagnostic.message)
            whole += 1
        else:
            loaded = members[id(rule_set)][1]
            loaded.diagnostics = sorted([*loaded.diagnostics, diagnostic], key=sort_key)
    read = names_read_by_others(rule_sets)
    for rule_set, loaded in members.values():
        names = read.get(rule_set.header.name, set())
        spans = {
            d.name_span
            for d in rule_set.module.declarations
            if isinstance(d, Let) and d.name in names
        }
        loaded.diagnostics = [
            d for d in loaded.diagnostics if not (d.code == "W006" and d.span in spans)
        ]
    return whole


# ---------------------------------------------------------------- test


@dataclass
class TestTally:
    passed: int = 0
    failed: int = 0


def test_files(files: Sequence[Path], console: Console, tally: TestTally) -> None:
    """Run every test block of each file, reporting each failure with its place."""
    fail = console.text("KHÔNG ĐẠT", "FAIL")
    for path in files:
        loaded = load_rules(path)
        if loaded.program is None:
            show_diagnostics(loaded, console)
            tally.failed += 1
            console.out(
                console.text(
                    f"{fail} {loaded.display}: tệp có lỗi nên không chạy được kiểm thử",
                    f"{fail} {loaded.display}: the file has errors, its tests cannot run",
                )
            )
            continue
        passed, failed = run_tests(loaded.program, console)
        tally.passed += passed
        tally.failed += failed
        console.out(
            console.text(
                f"{loaded.display}: {passed} đạt, {failed} không đạt",
                f"{loaded.display}: {passed} passed, {failed} failed",
            )
        )


def run_tests(program: Program, console: Console) -> tuple[int, int]:
    """Run the program's test blocks, printing each failure with its place; how many passed
    and how many failed."""
    fail = console.text("KHÔNG ĐẠT", "FAIL")
    passed = failed = 0
    for outcome in program.run_tests():
        if outcome.passed:
            passed += 1
            continue
        failed += 1
        console.out(f"{fail} {outcome.path}:{outcome.line}: {outcome.name}")
        for failure in outcome.failures:
            console.out(f"    {failure.in_(console.language)}")
    return passed, failed


def run_test(args: argparse.Namespace, console: Console) -> int:
    files, missing = rule_files(args.paths, console)
    tally = TestTally()
    test_files(files, console, tally)
    tally.failed += missing
    console.out(
        console.text(
            f"{tally.passed} đạt, {tally.failed} không đạt",
            f"{tally.passed} passed, {tally.failed} failed",
        )
    )
    return EXIT_USER if tally.failed else EXIT_OK
