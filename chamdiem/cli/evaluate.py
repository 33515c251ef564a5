"""`chamdiem eval`: DATA evaluated by one rule set, or by linked rule sets for a period
(`--period`: every level of it, through `chamdiem.platform.services.multilevel`), the results
written as JSON lines, CSV or a workbook, or one subject explained.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chamdiem.cli.console import (
    EXIT_OK,
    EXIT_USER,
    Console,
    Progress,
    UsageError,
    add_progress_option,
    rule_files,
    show_file_problems,
)
from chamdiem.cli.rules import load_rules, show_diagnostics, show_warning_count
from chamdiem.dsl.diagnostics import Diagnostic, Language, Text
from chamdiem.platform.i18n import count_text, seconds_text

if TYPE_CHECKING:
    from chamdiem.dsl.data import Cohort
    from chamdiem.dsl.graph import GraphResults
    from chamdiem.dsl.inputs import EvaluationError
    from chamdiem.dsl.loader import Program
    from chamdiem.dsl.periods import Period
    from chamdiem.dsl.results import Results
    from chamdiem.platform.excel.period_reader import PeriodData
    from chamdiem.platform.excel.problems import DataFileError

PROBLEMS_SHOWN = 200  # evaluation problems listed; the rest are counted
READING = Text("Đang đọc dữ liệu", "Reading the data")
EVALUATING = Text("Đang đánh giá", "Evaluating")
WRITING = Text("Đang ghi kết quả", "Writing the results")


def register(
    commands: Any,
    common: argparse.ArgumentParser,
    t: Callable[[str, str], str],
    language: Language,
) -> None:
    """Add `eval` to `chamdiem`'s subparsers; `common` holds `--lang`."""
    evaluate = commands.add_parser(
        "eval",
        parents=[common],
        help=t("đánh giá dữ liệu theo tệp quy tắc", "evaluate data by a rule file"),
        description=t(
            "Đánh giá DỮ_LIỆU (sổ tính .xlsx hoặc thư mục .csv) theo QUY_TẮC. Mặc định in "
            "kết quả dạng JSON lines ra stdout; với --explain MÃ (và không có --out) chỉ in lời "
            "giải thích. QUY_TẮC là một tệp, nhiều tệp hoặc một thư mục .rules; với nhiều bộ "
            "tiêu chí liên kết (needs), --period chọn kỳ (xem docs/data-format.md).",
            "Evaluate DATA (an .xlsx workbook or a folder of .csv files) by RULES. By default "
            "prints JSON lines to stdout; with --explain CODE (and no --out) only the "
            "explanation. RULES is one file, several files or a folder of .rules; for linked "
            "rule sets (needs), --period selects the period (see docs/data-format.md).",
        ),
    )
    evaluate.add_argument(
        "rules",
        metavar=t("QUY_TẮC", "RULES"),
        nargs="+",
        help=t(
            "tệp quy tắc, nhiều tệp hoặc thư mục chứa chúng",
            "a rule file, several, or a folder holding them",
        ),
    )
    evaluate.add_argument(
        "data",
        metavar=t("DỮ_LIỆU", "DATA"),
        help=t(
            "sổ tính .xlsx hoặc thư mục các tệp .csv", "an .xlsx workbook or a folder of .csv files"
        ),
    )
    evaluate.add_argument(
        "--period",
        metavar=t("KỲ", "PERIOD"),
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
        "--out",
        metavar=t("ĐƯỜNG_DẪN", "PATH"),
        help=t("tệp ghi kết quả", "file to write the results to"),
    )
    evaluate.add_argument(
        "--explain",
        metavar=t("MÃ", "CODE"),
        help=t(
            "giải thích kết quả của đối tượng có mã này",
            "explain the result of the subject with this code",
        ),
    )
    add_progress_option(evaluate, language)
    evaluate.set_defaults(run=run_eval)


# ---------------------------------------------------------------- one rule set


def read_data(path: Path, program: Program, console: Console) -> Cohort | None:
    """The cohort, or None after printing every problem of the file."""
    from chamdiem.platform.excel import DataFileError, read_cohort
    from chamdiem.platform.excel.catalog_keys import keyed_specs

    inputs, items = keyed_specs(program)
    try:
        return read_cohort(path, inputs, items, columnar=True)
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

    rows = records if records is not None else results  # a Results: written per column
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
    progress = Progress.for_args(args, console)
    with progress.step(READING):
        cohort = read_data(Path(args.data), program, console)
    if cohort is None:
        return EXIT_USER
    with progress.step(EVALUATING):
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
            with progress.step(WRITING):
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
        write_jsonl(results, sys.stdout)
    if index is not None:
        from chamdiem.dsl.explain import explain_for_people, render_text

        console.out(
            render_text(explain_for_people(program, cohort, results, index, console.language))
        )
    return EXIT_OK


# ---------------------------------------------------------------- linked rule sets


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


def show_link_problems(
    problems: Sequence[tuple[Program | None, Diagnostic]], console: Console
) -> None:
    """Each problem of the graph, with its rule file's line when it has one."""
    for program, diagnostic in problems:
        if program is None:
            console.error("chamdiem", diagnostic.message)
        else:
            console.err(console.diagnostics([diagnostic], program.source, program.path))


def check_graph(programs: Sequence[Program], console: Console) -> bool:
    """Whether the rule sets can be evaluated together (else their problems are shown)."""
    from chamdiem.platform.services.multilevel import link_problems

    problems = link_problems(programs)
    if problems:
        show_link_problems(problems, console)
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
    from chamdiem.platform.services.multilevel import read_data as read

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
    from chamdiem.dsl.graph import GraphError
    from chamdiem.dsl.inputs import EvaluationError
    from chamdiem.platform.services.multilevel import StageFailed, evaluate_period

    lang = console.language

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

    try:
        return evaluate_period(programs, data, target, stage_done)
    except GraphError as exc:
        show_link_problems(exc.problems, console)
        return None
    except StageFailed as failed:
        where = failed.where
        if isinstance(failed.error, EvaluationError):
            show_evaluation_problems(failed.error, where, console)
            total = failed.error.total
        else:
            console.error(where, Text(str(failed.error), str(failed.error)))
            total = 1
    console.err(
        console.text(
            f"Không đánh giá được {where}: {total} lỗi; không ghi kết quả.",
            f"Evaluation of {where} failed: {total} problem(s); nothing written.",
        )
    )
    return None


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
    from chamdiem.platform.services.multilevel import graph_records, stage_cohort

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
    from chamdiem.platform.services.multilevel import find_everywhere, result_codes

    found = find_everywhere(graph, code)
    for shown, stage in enumerate(found):
        if shown:
            console.out()
        header = stage.program.header
        console.out(f"== {header.name} ({header.title}) — {stage.period.code} ==")
        console.out(stage.explain(console.language))
    if found:
        return True
    wanted = unicodedata.normalize("NFC", code.strip())
    listed = close_codes(wanted, result_codes(graph))
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
    from chamdiem.platform.excel.result_writers import write_jsonl
    from chamdiem.platform.services.multilevel import evaluated_for, graph_records, result_count

    lang = console.language
    started = time.perf_counter()
    programs = load_programs(args.rules, console)
    if programs is None:
        return EXIT_USER
    if not check_graph(programs, console):
        return EXIT_USER
    target = parse_period(args.period)
    if not evaluated_for(programs, target):
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
    progress = Progress.for_args(args, console)
    with progress.step(READING):
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
    with progress.step(EVALUATING):
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
            with progress.step(WRITING):
                written = write_graph_results(out, fmt, graph, args.data, console)
        except OSError as exc:
            console.error(str(out), Text(f"không ghi được: {exc}", f"cannot write: {exc}"))
            return EXIT_USER
        results = result_count(graph)
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
