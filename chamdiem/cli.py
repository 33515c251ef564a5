"""The `chamdiem` command: check and test rule files, evaluate DATA, run the demo.

Everything it says goes through `Text(vi, en)` (`--lang`, else CHAMDIEM_LANG, else
Vietnamese). Exit codes: 0 ok, 1 a user's problem (bad rules, data or tests), 2 usage, 3 an
unexpected failure, shown as one line (with the traceback only when CHAMDIEM_DEBUG=1).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import time
import traceback
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from chamdiem.dsl.diagnostics import Diagnostic, Language, Text, render_all
from chamdiem.platform.console import (
    LANG_HELP_DEFAULT,
    Console,
    Unreadable,
    add_lang_option,
    read_text,
    rule_files,
    show_file_problems,
    silence_stdout,
)
from chamdiem.platform.i18n import (
    count_text,
    language_in_argv,
    percent_text,
    resolve_language,
    seconds_text,
)

if TYPE_CHECKING:
    from chamdiem.dsl.data import Cohort
    from chamdiem.dsl.graph import GraphError, GraphResults
    from chamdiem.dsl.inputs import EvaluationError
    from chamdiem.dsl.loader import Program
    from chamdiem.dsl.periods import Period
    from chamdiem.dsl.results import Results
    from chamdiem.platform.demo.platform_demo import DemoRun
    from chamdiem.platform.excel.period_reader import PeriodData
    from chamdiem.platform.excel.problems import DataFileError

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_UNEXPECTED = 0, 1, 2, 3
DEMO_RULES = "cong_chuc_quy.rules"
DEMO_PEOPLE = 30000
DEMO_YEAR_PEOPLE = 10000  # a year is 4 quarters of rows (and ~7 products a person each)
DEMO_YEAR = 2026
PROBLEMS_SHOWN = 200  # evaluation problems listed; the rest are counted
DEBUG_HINT = Text(
    "chạy lại với CHAMDIEM_DEBUG=1 để xem chi tiết", "run again with CHAMDIEM_DEBUG=1 for details"
)


class UsageError(Exception):
    """A command line that cannot be run as given (exit 2)."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


# ---------------------------------------------------------------- rule files


@dataclass
class LoadedRules:
    """A rule file after parse, check and compile: `program` is None when it has errors (or
    was only checked)."""

    display: str
    program: Program | None
    source: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if not d.is_error)

    def render(self, language: Language) -> str:
        return render_all(self.diagnostics, self.source, self.display, language)


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
    return LoadedRules(display, None, module.source, diagnostics)


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
    for path in files:
        loaded = check_rules(path)
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
    console.out(f"{tally.passed} passed, {tally.failed} failed")
    return EXIT_USER if tally.failed else EXIT_OK


# ---------------------------------------------------------------- eval


def read_data(path: Path, program: Program, console: Console) -> Cohort | None:
    """The cohort, or None after printing every problem of the file."""
    from chamdiem.platform.excel import DataFileError, read_cohort

    try:
        return read_cohort(path, program.inputs, program.items)
    except DataFileError as exc:
        show_data_problems(exc, console)
        return None


def show_data_problems(exc: DataFileError, console: Console) -> None:
    show_file_problems(
        exc,
        console,
        lambda total: Text(
            f"Dữ liệu có {total} lỗi; chưa đánh giá, không ghi kết quả.",
            f"The data has {total} problem(s); nothing evaluated or written.",
        ),
    )


def evaluate(program: Program, cohort: Cohort, data: str, console: Console) -> Results | None:
    """The results, or None after printing every subject that could not be evaluated."""
    from chamdiem.dsl.inputs import EvaluationError

    try:
        return program.evaluate(cohort)
    except EvaluationError as exc:
        show_evaluation_problems(exc, data, console)
        console.err(
            console.text(
                f"Không đánh giá được: {exc.total} lỗi; không ghi kết quả.",
                f"Evaluation failed: {exc.total} problem(s); nothing written.",
            )
        )
        return None


def show_evaluation_problems(exc: EvaluationError, where: str, console: Console) -> None:
    """The first PROBLEMS_SHOWN subjects that could not be evaluated, and how many more."""
    for problem in exc.problems[:PROBLEMS_SHOWN]:
        console.error(f"{where}: {problem.subject}", _with_name(problem.message, problem.name))
    rest = exc.total - min(len(exc.problems), PROBLEMS_SHOWN)
    if rest > 0:
        console.err(
            console.text(f"… và {rest} lỗi khác không liệt kê", f"… and {rest} more not listed")
        )


def _with_name(message: Text, name: str) -> Text:
    """The message with the name of what it concerns, unless it already says it."""
    if not name or f"`{name}`" in message.vi:
        return message
    return Text(f"{message.vi} ({name})", f"{message.en} ({name})")


def find_subject(results: Results, code: str, console: Console) -> int | None:
    """The index of the subject with this code, or None after naming close codes."""
    wanted = unicodedata.normalize("NFC", code.strip())
    index = results.index_of(wanted)
    if index is not None:
        return index
    listed = close_codes(wanted, results.codes)
    console.error(
        "--explain",
        Text(
            f"không có đối tượng mã '{code}' trong dữ liệu; mã gần giống: {listed}",
            f"no subject with code '{code}' in the data; close codes: {listed}",
        ),
    )
    return None


def close_codes(wanted: str, codes: Sequence[str]) -> str:
    """The codes that differ from `wanted` only in case, else those close to it ("—": none)."""
    same = [c for c in codes if c.casefold() == wanted.casefold()]
    close = same or difflib.get_close_matches(wanted, codes, n=5, cutoff=0.5)
    return ", ".join(close) if close else "—"


def write_results(
    path: Path,
    fmt: str,
    program: Program,
    results: Results,
    cohort: Cohort,
    data: str,
    console: Console,
    records: Sequence[dict[str, object]] | None = None,
) -> None:
    """Write `results` to `path` in `fmt` (atomically); `records` when already made."""
    from chamdiem.platform.excel import result_writers as writers

    rows = records if records is not None else results.records()
    if fmt == "jsonl":
        writers.save_jsonl(path, rows)
    elif fmt == "csv":
        writers.save_csv(path, rows, cohort.names, program.value_names)
    else:
        header = program.header
        about: list[tuple[str, object]] = [
            (console.text("Bộ tiêu chí", "Rule set"), f"{header.name}: {header.title}"),
            (console.text("Căn cứ", "Basis"), header.basis or ""),
            (console.text("Hiệu lực từ", "Effective from"), header.effective.isoformat()),
            (console.text("Tệp quy tắc", "Rule file"), program.path),
            (console.text("Tệp dữ liệu", "Data file"), data),
            (console.text("Số đối tượng", "Subjects"), len(results)),
            (
                console.text("Thời điểm tính", "Evaluated at"),
                datetime.now().isoformat(timespec="seconds"),
            ),
        ]
        writers.save_xlsx(
            path,
            rows,
            cohort.names,
            program.value_names,
            grade_labels={grade.name: grade.label for grade in program.grades},
            about=about,
            language=console.language,
        )


def run_eval(args: argparse.Namespace, console: Console) -> int:
    from chamdiem.platform.excel.result_writers import format_for, write_jsonl

    out = Path(args.out) if args.out else None
    fmt = format_for(out, args.format)
    if fmt != "jsonl" and out is None:
        raise UsageError(
            Text(f"--format {fmt} cần --out ĐƯỜNG_DẪN", f"--format {fmt} needs --out PATH")
        )
    if len(args.rules) > 1 or Path(args.rules[0]).is_dir() or args.period is not None:
        return run_eval_graph(args, console, out, fmt)
    loaded = load_rules(Path(args.rules[0]))
    if loaded.program is None:
        show_diagnostics(loaded, console)
        return EXIT_USER
    program = loaded.program
    if program.header.needs:  # linked rule sets: evaluated as a graph
        return run_eval_graph(args, console, out, fmt)
    if loaded.warnings:
        show_warning_count(loaded, console)
    started = time.perf_counter()
    cohort = read_data(Path(args.data), program, console)
    if cohort is None:
        return EXIT_USER
    results = evaluate(program, cohort, args.data, console)
    if results is None:
        return EXIT_USER
    index = None
    if args.explain is not None:
        index = find_subject(results, args.explain, console)
        if index is None:
            return EXIT_USER
    if out is not None:
        try:
            write_results(out, fmt, program, results, cohort, args.data, console)
        except OSError as exc:
            console.error(str(out), Text(f"không ghi được: {exc}", f"cannot write: {exc}"))
            return EXIT_USER
        seconds = seconds_text(time.perf_counter() - started, console.language)
        console.err(
            console.text(
                f"Đã đánh giá {count_text(len(results), 'vi')} đối tượng ({seconds}); "
                f"kết quả ghi vào {out}",
                f"Evaluated {count_text(len(results), 'en')} subject(s) ({seconds}); "
                f"results written to {out}",
            )
        )
    elif index is None:
        write_jsonl(results.records(), sys.stdout)
    if index is not None:
        console.out(program.explain(cohort, results, index, console.language))
    return EXIT_OK


# ---------------------------------------------------------------- eval of linked rule sets


@dataclass
class Stage:
    """What is being done, for saying where a problem arose."""

    ruleset: str = ""
    period: str = ""


def load_programs(arguments: Sequence[str], console: Console) -> list[Program] | None:
    """Every rule file named (folders: every *.rules below), or None after showing each
    file's errors."""
    files, missing = rule_files(arguments, console)
    loaded = [load_rules(path) for path in files]
    failed = False
    for item in loaded:
        if item.program is None:
            show_diagnostics(item, console)
            failed = True
        elif item.warnings:
            show_warning_count(item, console)
    if failed or missing or not loaded:
        return None
    return [item.program for item in loaded if item.program is not None]


def show_graph_error(exc: GraphError, console: Console) -> None:
    """Each problem of the graph, with its rule file's line when it has one."""
    for program, diagnostic in exc.problems:
        if program is None:
            console.error("chamdiem", diagnostic.message)
        else:
            console.err(render_all([diagnostic], program.source, program.path, console.language))


def check_graph(programs: Sequence[Program], console: Console) -> bool:
    """Whether the rule sets can be evaluated together (else their problems are shown)."""
    from chamdiem.dsl.graph import GraphError, check_links, evaluation_order

    try:
        order = evaluation_order(programs)
        problems = check_links(order)
        if problems:
            raise GraphError([(p, d) for p, d in problems])
    except GraphError as exc:
        show_graph_error(exc, console)
        return False
    return True


def parse_period(text: str | None) -> Period:
    from chamdiem.dsl.periods import Period, PeriodError

    if text is None:
        raise UsageError(
            Text(
                "các bộ tiêu chí liên kết với nhau: cần --period KỲ (ví dụ --period 2026 hoặc "
                "--period 2026-Q2)",
                "the rule sets are linked: --period PERIOD is needed (e.g. --period 2026 or "
                "--period 2026-Q2)",
            )
        )
    try:
        return Period.parse(text)
    except PeriodError:
        raise UsageError(
            Text(
                f"--period '{text}' không hợp lệ: viết 2026, 2026-Q1 hoặc 2026-03",
                f"invalid --period '{text}': write 2026, 2026-Q1 or 2026-03",
            )
        ) from None


def read_period_data(
    path: Path, programs: Sequence[Program], target: Period, console: Console
) -> PeriodData | None:
    """The data of every (rule set, period), or None after printing every problem."""
    from chamdiem.platform.excel import DataFileError
    from chamdiem.platform.excel.period_reader import read_period_data as read

    try:
        return read(path, programs, target)
    except DataFileError as exc:
        show_data_problems(exc, console)
        return None


def evaluate_all(
    programs: Sequence[Program],
    data: PeriodData,
    target: Period,
    console: Console,
    verbose: bool,
    on_stage: Callable[[Program, Period, float], None] | None = None,
) -> GraphResults | None:
    """Every (rule set, period) of `target`, or None after printing what went wrong and
    where."""
    from chamdiem.dsl.graph import GraphError, evaluate_graph
    from chamdiem.dsl.inputs import EvaluationError
    from chamdiem.dsl.links import LinkError

    stage = Stage()
    lang = console.language

    def cohort_for(program: Program, period: Period) -> Cohort | None:
        stage.ruleset, stage.period = program.header.name, period.code
        return data.cohort_for(program, period)

    def stage_done(program: Program, period: Period, seconds: float) -> None:
        if on_stage is not None:
            on_stage(program, period, seconds)
        if verbose:
            results = len(data.cohort_for(program, period) or ())
            spent = f"{seconds:.3f}"
            console.err(
                console.text(
                    f"  {program.header.name:<24} {period.code:<8} "
                    f"{count_text(results, lang):>9} đối tượng  {spent.replace('.', ',')} giây",
                    f"  {program.header.name:<24} {period.code:<8} "
                    f"{count_text(results, lang):>9} subjects  {spent} s",
                )
            )

    where = ""
    try:
        return evaluate_graph(programs, data.organisation, cohort_for, target, stage_done)
    except GraphError as exc:
        show_graph_error(exc, console)
        return None
    except EvaluationError as exc:
        where = f"{stage.ruleset} {stage.period}"
        show_evaluation_problems(exc, where, console)
        total = exc.total
    except LinkError as exc:
        where = f"{stage.ruleset} {stage.period}"
        console.error(where, Text(str(exc), str(exc)))
        total = 1
    console.err(
        console.text(
            f"Không đánh giá được {where}: {total} lỗi; không ghi kết quả.",
            f"Evaluation of {where} failed: {total} problem(s); nothing written.",
        )
    )
    return None


def graph_records(graph: GraphResults) -> Iterator[dict[str, object]]:
    """One JSON object per subject per (rule set, period), in evaluation order."""
    for program, period in graph.order:
        results = graph.get(program.header.name, period)
        if results is None:
            continue
        extra = {"ruleset": program.header.name, "period": period.code}
        for record in results.records():
            yield {**extra, **record}


def stage_cohort(graph: GraphResults, program: Program, period: Period) -> tuple[Results, Cohort]:
    """A stage's results and the cohort they line up with (subject i of both is the same;
    the graph keeps the cohort it was given, which `applies when` may have cut)."""
    results = graph.get(program.header.name, period)
    cohort = graph.cohorts[(program.header.name, period)]
    assert results is not None
    if len(cohort) != len(results):
        position = {code: i for i, code in enumerate(cohort.codes)}
        cohort = cohort.subset([position[code] for code in results.codes])
    return results, cohort


def write_graph_results(
    out: Path,
    fmt: str,
    graph: GraphResults,
    data: str,
    console: Console,
) -> list[Path]:
    """Write every stage's results: one JSON lines file, one CSV file per (rule set,
    period), or one workbook with a sheet per (rule set, period). Returns the files."""
    from chamdiem.platform.excel import result_writers as writers

    if fmt == "jsonl":
        writers.save_jsonl(out, graph_records(graph))
        return [out]
    tables: list[writers.ResultTable] = []
    for program, period in graph.order:
        results, cohort = stage_cohort(graph, program, period)
        tables.append(
            writers.ResultTable(
                f"{program.header.name} {period.code}",
                list(results.records()),
                cohort.names,
                program.value_names,
                {grade.name: grade.label for grade in program.grades},
            )
        )
    if fmt == "csv":
        folder, prefix = (out.parent, f"{out.stem}_") if out.suffix.lower() == ".csv" else (out, "")
        written = []
        for table in tables:
            path = folder / f"{prefix}{table.title.replace(' ', '_')}.csv"
            writers.save_csv(path, table.records, table.names, table.value_names)
            written.append(path)
        return written
    about: list[tuple[str, object]] = [
        (
            console.text("Bộ tiêu chí", "Rule set"),
            "; ".join(f"{p.header.name} ({p.path})" for p in {p: None for p, _ in graph.order}),
        ),
        (console.text("Tệp dữ liệu", "Data file"), data),
        (
            console.text("Thời điểm tính", "Evaluated at"),
            datetime.now().isoformat(timespec="seconds"),
        ),
    ]
    writers.save_xlsx_tables(out, tables, about=about, language=console.language)
    return [out]


def explain_everywhere(graph: GraphResults, code: str, console: Console) -> bool:
    """Print the explanation of subject `code` in every (rule set, period) it has a result
    in; False (after naming close codes) when it has none."""
    wanted = unicodedata.normalize("NFC", code.strip())
    shown = 0
    for program, period in graph.order:
        results, cohort = stage_cohort(graph, program, period)
        index = results.index_of(wanted)
        if index is None:
            continue
        if shown:
            console.out()
        title = f"== {program.header.name} ({program.header.title}) — {period.code} =="
        console.out(title)
        console.out(program.explain(cohort, results, index, console.language))
        shown += 1
    if shown:
        return True
    codes = sorted({c for _, by in graph.results.items() for r in by.values() for c in r.codes})
    listed = close_codes(wanted, codes)
    console.error(
        "--explain",
        Text(
            f"không có đối tượng mã '{code}' trong kết quả nào; mã gần giống: {listed}",
            f"no subject with code '{code}' in any result; close codes: {listed}",
        ),
    )
    return False


def run_eval_graph(args: argparse.Namespace, console: Console, out: Path | None, fmt: str) -> int:
    """`eval RULES… DATA --period P`: every rule set and period needed for P."""
    from chamdiem.dsl.periods import longer
    from chamdiem.platform.excel.result_writers import write_jsonl

    lang = console.language
    started = time.perf_counter()
    programs = load_programs(args.rules, console)
    if programs is None:
        return EXIT_USER
    if not check_graph(programs, console):
        return EXIT_USER
    target = parse_period(args.period)
    if not any(not longer(p.header.period, target.kind) for p in programs):
        kinds = ", ".join(sorted({p.header.period for p in programs}))
        raise UsageError(
            Text(
                f"không bộ tiêu chí nào đánh giá theo kỳ {target} (các bộ tiêu chí chấm theo: "
                f"{kinds}); hãy chọn --period dài hơn",
                f"no rule set is evaluated for the period {target} (the rule sets' periods: "
                f"{kinds}); choose a longer --period",
            )
        )
    loaded_at = time.perf_counter()
    data = read_period_data(Path(args.data), programs, target, console)
    if data is None:
        return EXIT_USER
    read_at = time.perf_counter()
    if args.verbose:
        console.err(
            console.text(
                f"Đọc quy tắc {seconds_text(loaded_at - started, lang)}, dữ liệu "
                f"{seconds_text(read_at - loaded_at, lang)}; đánh giá:",
                f"Read the rules in {seconds_text(loaded_at - started, lang)}, the data in "
                f"{seconds_text(read_at - loaded_at, lang)}; evaluating:",
            )
        )
    graph = evaluate_all(programs, data, target, console, args.verbose)
    if graph is None:
        return EXIT_USER
    evaluated_at = time.perf_counter()
    if not graph.order:
        console.error(
            args.data,
            Text(
                f"không có đối tượng nào thuộc kỳ {target} trong dữ liệu",
                f"no subject of period {target} in the data",
            ),
        )
        return EXIT_USER
    if args.verbose:
        console.err(
            console.text(
                f"Đánh giá {len(graph.order)} bước trong "
                f"{seconds_text(evaluated_at - read_at, lang)}",
                f"Evaluated {len(graph.order)} stage(s) in "
                f"{seconds_text(evaluated_at - read_at, lang)}",
            )
        )
    if out is not None:
        try:
            written = write_graph_results(out, fmt, graph, args.data, console)
        except OSError as exc:
            console.error(str(out), Text(f"không ghi được: {exc}", f"cannot write: {exc}"))
            return EXIT_USER
        results = sum(len(r) for by in graph.results.values() for r in by.values())
        seconds = seconds_text(time.perf_counter() - started, lang)
        files = ", ".join(str(path) for path in written)
        console.err(
            console.text(
                f"Đã đánh giá {len(graph.order)} bộ tiêu chí × kỳ, "
                f"{count_text(results, 'vi')} kết quả ({seconds}); ghi vào {files}",
                f"Evaluated {len(graph.order)} (rule set, period) stage(s), "
                f"{count_text(results, 'en')} results ({seconds}); written to {files}",
            )
        )
    elif args.explain is None:
        write_jsonl(graph_records(graph), sys.stdout)
    if args.explain is not None and not explain_everywhere(graph, args.explain, console):
        return EXIT_USER
    return EXIT_OK


# ---------------------------------------------------------------- demo


def rules_folder() -> Path:
    """./rules when run from a checkout (or a project with its own rules), else the rules
    folder shipped beside the package."""
    local = Path("rules")
    if local.is_dir():
        return local
    return Path(__file__).resolve().parent.parent / "rules"


def run_demo(args: argparse.Namespace, console: Console) -> int:
    t = console.text
    lang = console.language
    folder = rules_folder()
    from chamdiem.platform.settings import Settings

    demo_dir = Settings().data_dir / "demo"  # CHAMDIEM_DATA_DIR, default ./data
    if args.year:
        return run_demo_year(args, console, folder, demo_dir)
    people = args.people if args.people is not None else DEMO_PEOPLE
    console.out(
        t(
            "Chấm điểm mẫu: công chức của một tỉnh giả lập, đánh giá quý",
            "Demo: the civil servants of a simulated province, quarterly grading",
        )
    )
    loaded = check_and_test_rules(folder, console)
    if loaded is None:
        return EXIT_USER
    rules = next((item for item in loaded if Path(item.display).name == DEMO_RULES), None)
    if rules is None or rules.program is None:
        console.error(str(folder / DEMO_RULES), Text("không tìm thấy tệp", "file not found"))
        return EXIT_USER
    program = rules.program

    from chamdiem.platform.demo.province import generate_province

    made = _generate(lambda: generate_province(demo_dir, people=people, seed=args.seed), console)
    if made is None:
        return EXIT_USER
    workbook, generated = made
    console.out(
        t(
            f"3. Tạo dữ liệu mẫu: {workbook} ({seconds_text(generated, lang)})",
            f"3. Generated demo data: {workbook} ({seconds_text(generated, lang)})",
        )
    )

    started = time.perf_counter()
    cohort = read_data(workbook, program, console)
    if cohort is None:
        return EXIT_USER
    read_at = time.perf_counter()
    results = evaluate(program, cohort, str(workbook), console)
    if results is None:
        return EXIT_USER
    evaluated_at = time.perf_counter()
    stem = f"ket_qua_{program.header.name}"
    jsonl, xlsx = demo_dir / f"{stem}.jsonl", demo_dir / f"{stem}.xlsx"
    records = list(results.records())
    write_results(jsonl, "jsonl", program, results, cohort, str(workbook), console, records)
    write_results(xlsx, "xlsx", program, results, cohort, str(workbook), console, records)
    written_at = time.perf_counter()
    console.out(
        t(
            f"4. Đọc dữ liệu {seconds_text(read_at - started, lang)}, đánh giá "
            f"{seconds_text(evaluated_at - read_at, lang)}, ghi kết quả "
            f"{seconds_text(written_at - evaluated_at, lang)}",
            f"4. Read the data in {seconds_text(read_at - started, lang)}, evaluated in "
            f"{seconds_text(evaluated_at - read_at, lang)}, wrote results in "
            f"{seconds_text(written_at - evaluated_at, lang)}",
        )
    )
    _grade_summary(program, results, console)
    console.out()
    _written_to([jsonl, xlsx], console)
    stored = _demo_database(workbook, folder / DEMO_RULES, demo_dir, console)
    if stored is None:
        return EXIT_USER
    example = _example_subject(records)
    name = results.names[example] if example < len(results.names) else None
    console.out()
    who = f"{results.codes[example]}" + (f" ({name})" if name else "")
    console.out(t(f"Ví dụ giải thích cho {who}:", f"Example explanation for {who}:"))
    console.out(program.explain(cohort, results, example, lang))
    _demo_web_hint(stored, console)
    return EXIT_OK


def _generate(make: Callable[[], Path], console: Console) -> tuple[Path, float] | None:
    """Step 3 of the demo: the generated workbook and the seconds it took, or None after
    saying why not."""
    started = time.perf_counter()
    try:
        workbook = make()
    except ValueError as exc:  # e.g. too few people for the province's units
        console.error(
            "--people", Text(f"không tạo được dữ liệu mẫu: {exc}", f"cannot generate: {exc}")
        )
        return None
    return workbook, time.perf_counter() - started


def _written_to(paths: Sequence[Path], console: Console) -> None:
    console.out(console.text("Kết quả đã ghi vào:", "Results written to:"))
    for path in paths:
        console.out(f"  {path}")


def check_and_test_rules(folder: Path, console: Console) -> list[LoadedRules] | None:
    """Steps 1 and 2 of the demo: check every rule file of `folder` and run their tests;
    None (after saying why) when a file has errors or a test fails."""
    t = console.text
    files, missing = rule_files([str(folder)], console)
    loaded = [load_rules(path) for path in files]
    errors = sum(item.errors for item in loaded)
    warnings = sum(item.warnings for item in loaded)
    console.out(
        t(
            f"1. Kiểm tra quy tắc trong {folder}/: {len(files)} tệp, {errors} lỗi, "
            f"{warnings} cảnh báo",
            f"1. Checked the rules in {folder}/: {len(files)} file(s), {errors} error(s), "
            f"{warnings} warning(s)",
        )
    )
    if errors or missing:
        for item in loaded:
            if item.errors:
                show_diagnostics(item, console)
        return None
    tally = TestTally()
    _quietly_test(loaded, console, tally)
    console.out(
        t(
            f"2. Kiểm thử quy tắc: {tally.passed} đạt, {tally.failed} không đạt",
            f"2. Rule tests: {tally.passed} passed, {tally.failed} failed",
        )
    )
    return None if tally.failed else loaded


def _demo_database(workbook: Path, rules: Path, demo_dir: Path, console: Console) -> DemoRun | None:
    """Step 5 of the demo: the same quarter through the database, as an HR officer runs it."""
    from chamdiem.platform.demo.platform_demo import DEMO_PERIOD, run_platform_demo
    from chamdiem.platform.settings import Settings

    t = console.text
    settings = Settings()
    url = settings.database()
    console.out()
    console.out(
        t(
            f"5. Cơ sở dữ liệu: tạo/nâng cấp, nạp tổ chức, công bố quy tắc, nhập kỳ "
            f"{DEMO_PERIOD}, đánh giá, lập báo cáo",
            f"5. Database: create/upgrade, load the organisation, publish the rules, import "
            f"{DEMO_PERIOD}, run, report",
        )
    )
    try:
        done = run_platform_demo(url, workbook, rules, demo_dir, settings.user)
    except Exception as error:
        from chamdiem.platform.console import user_problem

        if user_problem(error, console) is None:
            raise
        return None
    steps = ", ".join(
        f"{name} {seconds_text(s, console.language)}" for name, s in done.seconds.items()
    )
    console.out(f"   {steps}")
    console.out(t(f"   Cơ sở dữ liệu: {done.database}", f"   Database: {done.database}"))
    console.out(
        t(
            f"   Lần chạy số {done.run_id}: {done.subjects} người; kiểm tra lại bằng "
            f"`chamdiem verify {done.run_id}`",
            f"   Run {done.run_id}: {done.subjects} people; check it with "
            f"`chamdiem verify {done.run_id}`",
        )
    )
    console.out(t(f"   Báo cáo: {done.report}", f"   Report: {done.report}"))
    return done


def _demo_web_hint(done: DemoRun, console: Console) -> None:
    """The last lines of the demo: how to see it all in a browser."""
    from chamdiem.platform.services.accounts import ROLE_TEXT

    t = console.text
    console.out()
    console.out(
        t(
            "6. Giao diện web: chạy `.venv/bin/chamdiem serve` rồi mở http://127.0.0.1:8000 "
            "và đăng nhập bằng một tài khoản mẫu (mật khẩu mới sau mỗi lần chạy demo):",
            "6. Web pages: run `.venv/bin/chamdiem serve`, open http://127.0.0.1:8000 and sign "
            "in with a demo account (new passwords on every demo run):",
        )
    )
    for username, role, password in done.accounts:
        console.out(f"   {username:<10} {password:<14} {t(ROLE_TEXT[role].vi, ROLE_TEXT[role].en)}")


def run_demo_year(args: argparse.Namespace, console: Console, folder: Path, demo_dir: Path) -> int:
    """`demo --year`: the simulated province's whole year, every level, from DATA files."""
    t = console.text
    lang = console.language
    people = args.people if args.people is not None else DEMO_YEAR_PEOPLE
    console.out(
        t(
            "Chấm điểm mẫu cả năm: công chức, lãnh đạo, cơ quan và người đứng đầu của một tỉnh "
            "giả lập",
            "Demo of a whole year: the civil servants, leaders, units and heads of a simulated "
            "province",
        )
    )
    loaded = check_and_test_rules(folder, console)
    if loaded is None:
        return EXIT_USER
    programs = [item.program for item in loaded if item.program is not None]
    if not check_graph(programs, console):
        return EXIT_USER

    from chamdiem.dsl.periods import Period
    from chamdiem.platform.demo.year import generate_year

    target = Period(DEMO_YEAR, "year", 1)
    made = _generate(
        lambda: generate_year(demo_dir, people=people, seed=args.seed, year=DEMO_YEAR), console
    )
    if made is None:
        return EXIT_USER
    workbook, generated = made
    console.out(
        t(
            f"3. Tạo dữ liệu mẫu (cây đơn vị, 4 quý, dữ liệu năm, đơn vị, lãnh đạo): {workbook} "
            f"({seconds_text(generated, lang)})",
            f"3. Generated demo data (unit tree, 4 quarters, annual rows, units, leaders): "
            f"{workbook} ({seconds_text(generated, lang)})",
        )
    )
    started = time.perf_counter()
    data = read_period_data(workbook, programs, target, console)
    if data is None:
        return EXIT_USER
    read_at = time.perf_counter()
    seconds: dict[tuple[str, Period], float] = {}

    def on_stage(program: Program, period: Period, spent: float) -> None:
        seconds[(program.header.name, period)] = spent

    graph = evaluate_all(programs, data, target, console, verbose=False, on_stage=on_stage)
    if graph is None:
        return EXIT_USER
    evaluated_at = time.perf_counter()
    jsonl, xlsx = demo_dir / f"ket_qua_{DEMO_YEAR}.jsonl", demo_dir / f"ket_qua_{DEMO_YEAR}.xlsx"
    write_graph_results(jsonl, "jsonl", graph, str(workbook), console)
    write_graph_results(xlsx, "xlsx", graph, str(workbook), console)
    written_at = time.perf_counter()
    console.out(
        t(
            f"4. Đọc dữ liệu {seconds_text(read_at - started, lang)}, đánh giá "
            f"{len(graph.order)} bước {seconds_text(evaluated_at - read_at, lang)}, ghi kết quả "
            f"{seconds_text(written_at - evaluated_at, lang)}",
            f"4. Read the data in {seconds_text(read_at - started, lang)}, evaluated "
            f"{len(graph.order)} stages in {seconds_text(evaluated_at - read_at, lang)}, wrote "
            f"the results in {seconds_text(written_at - evaluated_at, lang)}",
        )
    )
    console.out()
    stage_summary(graph, seconds, console)
    console.out()
    _written_to([jsonl, xlsx], console)
    example = capped_head(graph)
    if example is not None:
        program, period, index = example
        results, cohort = stage_cohort(graph, program, period)
        code = results.codes[index]
        console.out()
        console.out(
            t(
                f"Ví dụ: người đứng đầu bị giới hạn bởi mức của đơn vị ({code}); xem mọi "
                f"cấp của người này: chamdiem eval {folder} {workbook} --period {DEMO_YEAR} "
                f"--explain {code}",
                f"Example: a head capped by his unit's grade ({code}); to see every level of "
                f"this person: chamdiem eval {folder} {workbook} --period {DEMO_YEAR} "
                f"--explain {code}",
            )
        )
        console.out(program.explain(cohort, results, index, lang))
    return EXIT_OK


def stage_summary(
    graph: GraphResults, seconds: dict[tuple[str, Period], float], console: Console
) -> None:
    """One line per (rule set, period): subjects, how many got each grade, how many were
    not graded, and the evaluation time."""
    lang = console.language
    grades: list[str] = []
    labels: dict[str, str] = {}
    for program, _ in graph.order:
        for grade in program.grades:
            if grade.name not in grades:
                grades.append(grade.name)
                labels[grade.name] = grade.label or grade.name
    ungraded = console.text("không xếp loại", "not graded")
    time_word = console.text("thời gian", "time")
    width = max([len(g) for g in grades] + [8])
    header = (
        f"  {console.text('bộ tiêu chí', 'rule set'):<20} {console.text('kỳ', 'period'):<8}"
        f" {console.text('số đối tượng', 'subjects'):>12}"
        + "".join(f" {g:>{width}}" for g in grades)
        + f" {ungraded:>14} {time_word:>10}"
    )
    console.out(console.text("Kết quả theo bộ tiêu chí và kỳ:", "Results by rule set and period:"))
    console.out(header)
    for program, period in graph.order:
        results = graph.get(program.header.name, period)
        if results is None:
            continue
        counts = Counter(results.grade)
        spent = seconds.get((program.header.name, period), 0.0)
        console.out(
            f"  {program.header.name:<20} {period.code:<8} {count_text(len(results), lang):>12}"
            + "".join(f" {count_text(counts.get(g, 0), lang):>{width}}" for g in grades)
            + f" {count_text(counts.get(None, 0), lang):>14} {seconds_text(spent, lang):>10}"
        )
    legend = "; ".join(f"{name} = {label}" for name, label in labels.items())
    console.out(f"  ({legend})")


def capped_head(graph: GraphResults) -> tuple[Program, Period, int] | None:
    """A subject whose grade a unit's result lowered (a veto reading unit_result), for the
    demo's example explanation."""
    kinds = {program.header.name: program.header.subject for program, _ in graph.order}
    for program, period in reversed(graph.order):
        results = graph.get(program.header.name, period)
        reads_units = any(kinds.get(need) == "unit" for need in program.header.needs)
        if results is None or program.header.subject != "person" or not reads_units:
            continue
        for i in range(len(results)):
            if results.vetoes(i) and results.grade[i] != results.score_grade[i]:
                return program, period, i
    return None


def _quietly_test(loaded: Sequence[LoadedRules], console: Console, tally: TestTally) -> None:
    """Run the tests of already loaded files, printing only failures."""
    for item in loaded:
        if item.program is not None:
            passed, failed = run_tests(item.program, console)
            tally.passed += passed
            tally.failed += failed


def _grade_summary(program: Program, results: Results, console: Console) -> None:
    lang = console.language
    counts = Counter(results.grade)
    total = len(results)
    console.out()
    console.out(
        console.text(
            f"Kết quả xếp loại ({count_text(total, lang)} người):",
            f"Grades ({count_text(total, lang)} people):",
        )
    )
    width = max((len(g.label or g.name) for g in program.grades), default=10)
    for grade in program.grades:
        n = counts.get(grade.name, 0)
        label = grade.label or grade.name
        console.out(
            f"  {label:<{width}}  {count_text(n, lang):>8}  {percent_text(n, total, lang):>6}"
        )


def _example_subject(records: Sequence[dict[str, object]]) -> int:
    """A subject worth explaining: one with a veto, else one a quota moved, else the first."""
    moved = None
    for i, record in enumerate(records):
        if record["vetoes"]:
            return i
        if moved is None and record["grade"] != record["score_grade"]:
            moved = i
    return moved if moved is not None else 0


# ---------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """argparse with our exit code and a line in the user's language on bad usage."""

    language: Language = "vi"

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        word = "lỗi cách dùng" if self.language == "vi" else "usage error"
        self.exit(EXIT_USAGE, f"{self.prog}: {word}: {message}\n")


def build_parser(language: Language) -> argparse.ArgumentParser:
    t = Console(language).text
    _Parser.language = language
    common = _Parser(add_help=False)
    add_lang_option(common, language, LANG_HELP_DEFAULT)
    parser = _Parser(
        prog="chamdiem",
        parents=[common],
        description=t(
            "Chấm điểm, xếp loại cán bộ, công chức theo tệp quy tắc.",
            "Score and grade civil servants by rule files.",
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

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
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(run=run_check)

    test = commands.add_parser(
        "test",
        parents=[common],
        help=t("chạy các khối kiểm thử trong tệp quy tắc", "run the test blocks of rule files"),
    )
    test.add_argument("paths", nargs="+", metavar="FILE|DIR")
    test.set_defaults(run=run_test)

    evaluate = commands.add_parser(
        "eval",
        parents=[common],
        help=t("đánh giá dữ liệu theo tệp quy tắc", "evaluate data by a rule file"),
        description=t(
            "Đánh giá DATA (sổ tính .xlsx hoặc thư mục .csv) theo RULES. Mặc định in JSON "
            "lines ra stdout; với --explain MÃ (và không có --out) chỉ in lời giải thích. "
            "RULES là một tệp, nhiều tệp hoặc một thư mục .rules; với nhiều bộ tiêu chí "
            "liên kết (needs), --period chọn kỳ (xem docs/data-format.md).",
            "Evaluate DATA (an .xlsx workbook or a folder of .csv files) by RULES. By default "
            "prints JSON lines to stdout; with --explain CODE (and no --out) only the "
            "explanation. RULES is one file, several files or a folder of .rules; for linked "
            "rule sets (needs), --period selects the period (see docs/data-format.md).",
        ),
    )
    evaluate.add_argument("rules", metavar="RULES", nargs="+")
    evaluate.add_argument("data", metavar="DATA")
    evaluate.add_argument(
        "--period",
        metavar="KỲ" if language == "vi" else "PERIOD",
        help=t(
            "kỳ đánh giá (2026, 2026-Q2, 2026-03): đánh giá mọi bộ tiêu chí và mọi kỳ cần "
            "cho kỳ này, theo thứ tự phụ thuộc",
            "the period to evaluate (2026, 2026-Q2, 2026-03): every rule set and period it "
            "needs, in dependency order",
        ),
    )
    evaluate.add_argument(
        "--verbose",
        action="store_true",
        help=t("in thời gian từng bước ra stderr", "print the time of each stage to stderr"),
    )
    evaluate.add_argument(
        "--format",
        choices=["jsonl", "csv", "xlsx"],
        help=t(
            "định dạng kết quả (mặc định theo đuôi --out, nếu không thì jsonl)",
            "result format (default: from the --out suffix, else jsonl)",
        ),
    )
    evaluate.add_argument(
        "--out", metavar="PATH", help=t("tệp ghi kết quả", "file to write the results to")
    )
    evaluate.add_argument(
        "--explain",
        metavar="CODE",
        help=t("giải thích kết quả của một đối tượng", "explain one subject's result"),
    )
    evaluate.set_defaults(run=run_eval)

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help=t(
            "tạo dữ liệu mẫu của một tỉnh, đánh giá và tóm tắt kết quả",
            "generate a demo province, evaluate it and summarise the results",
        ),
    )
    demo.add_argument(
        "--people",
        type=int,
        default=None,
        help=t(
            f"số người ({DEMO_PEOPLE}; với --year: {DEMO_YEAR_PEOPLE})",
            f"people ({DEMO_PEOPLE}; with --year: {DEMO_YEAR_PEOPLE})",
        ),
    )
    demo.add_argument("--seed", type=int, default=2026, help=t("hạt giống ngẫu nhiên", "seed"))
    demo.add_argument(
        "--year",
        action="store_true",
        help=t(
            f"cả năm {DEMO_YEAR} ở mọi cấp: 4 quý, lãnh đạo, cơ quan, người đứng đầu, năm",
            f"the whole year {DEMO_YEAR} at every level: 4 quarters, leaders, units, heads, year",
        ),
    )
    demo.set_defaults(run=run_demo)
    _register_platform_commands(commands, language)
    return parser


def _register_platform_commands(commands: Any, language: Language) -> None:
    """The database-backed commands (db, org, period, rules, import, run, verify), the Excel
    ones (template, report, form) and the rule-version ones (fmt, diff, doc, impact, history)
    live in chamdiem/platform."""
    from chamdiem.platform import commands as platform
    from chamdiem.platform import report_commands, rule_commands, web_commands

    platform.register(commands, language)
    report_commands.register(commands, language)
    rule_commands.register(commands, language=language)
    web_commands.register(commands, language)


# ---------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    language = language_in_argv(arguments)
    console = Console(language)
    try:
        try:
            args = build_parser(language).parse_args(arguments)
        except SystemExit as exc:  # --help, or bad usage (argparse has printed why)
            return exc.code if isinstance(exc.code, int) else EXIT_USAGE
        console.language = resolve_language(getattr(args, "lang", None))
        code: int = args.run(args, console)
        return code
    except UsageError as exc:
        console.error("chamdiem", exc.message)
        return EXIT_USAGE
    except KeyboardInterrupt:
        console.err(console.text("đã dừng theo yêu cầu", "interrupted"))
        return 130
    except BrokenPipeError:
        silence_stdout()
        return EXIT_USER
    except Exception as exc:
        if os.environ.get("CHAMDIEM_DEBUG") == "1":
            traceback.print_exc()
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0]
        console.err(
            console.text(
                f"chamdiem: lỗi không mong đợi ({detail}); {DEBUG_HINT.vi}",
                f"chamdiem: unexpected error ({detail}); {DEBUG_HINT.en}",
            )
        )
        return EXIT_UNEXPECTED
