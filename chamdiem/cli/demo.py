"""`chamdiem demo`: a simulated province's quarter (or, with `--year`, every level of its
year) generated, checked, evaluated, written, stored and explained, each step said as it goes.

Where the rules and data are, and which subjects make the examples, is decided in
`chamdiem.platform.demo.walkthrough`; this module prints.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chamdiem.cli.console import EXIT_OK, EXIT_USER, Console, rule_files
from chamdiem.cli.evaluate import (
    check_graph,
    evaluate,
    evaluate_all,
    read_data,
    read_period_data,
    write_graph_results,
    write_results,
)
from chamdiem.cli.rules import LoadedRules, TestTally, load_rules, run_tests, show_diagnostics
from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.i18n import count_text, percent_text, seconds_text

if TYPE_CHECKING:
    from chamdiem.dsl.graph import GraphResults
    from chamdiem.dsl.loader import Program
    from chamdiem.dsl.periods import Period
    from chamdiem.dsl.results import Results
    from chamdiem.platform.demo.platform_demo import DemoRun

DEMO_PEOPLE = 30000
DEMO_YEAR_PEOPLE = 10000  # a year is 4 quarters of rows (and ~7 products a person each)
DEMO_YEAR = 2026


def register(commands: Any, common: argparse.ArgumentParser, t: Callable[[str, str], str]) -> None:
    """Add `demo` to `chamdiem`'s subparsers; `common` holds `--lang`."""
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help=t(
            "tạo dữ liệu mẫu của một tỉnh, đánh giá và tóm tắt kết quả",
            "generate a demo province, evaluate it and summarise the results",
        ),
        description=t(
            "Tạo dữ liệu giả lập của một tỉnh (người, đơn vị, điểm một quý), kiểm tra và "
            "kiểm thử quy tắc trong rules/, đánh giá, ghi kết quả vào THƯ_MỤC_DỮ_LIỆU/demo/, "
            "rồi làm lại quý đó qua cơ sở dữ liệu mẫu riêng THƯ_MỤC_DỮ_LIỆU/demo/chamdiem.db "
            "(mỗi lần chạy tạo mới; cơ sở dữ liệu đã cấu hình không bị động đến) và in tài "
            "khoản mẫu để xem trên web bằng `chamdiem serve --demo`. Với --year: cả năm ở mọi "
            "cấp, không dùng cơ sở dữ liệu.",
            "Generate a simulated province (people, units, a quarter's scores), check and test "
            "the rules in rules/, evaluate, write the results to DATA_DIR/demo/, then run the "
            "quarter again through a demo database of its own, DATA_DIR/demo/chamdiem.db (new "
            "on every run; the configured database is not touched), and print demo accounts "
            "to see it on the web with `chamdiem serve --demo`. With --year: the whole year at "
            "every level, without a database.",
        ),
    )
    demo.add_argument(
        "--people",
        type=int,
        default=None,
        metavar=t("SỐ_NGƯỜI", "N"),
        help=t(
            f"số người ({DEMO_PEOPLE}; với --year: {DEMO_YEAR_PEOPLE})",
            f"people ({DEMO_PEOPLE}; with --year: {DEMO_YEAR_PEOPLE})",
        ),
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=2026,
        metavar=t("SỐ", "N"),
        help=t(
            "hạt giống ngẫu nhiên: cùng số, cùng dữ liệu (mặc định 2026)",
            "random seed: the same number gives the same data (default 2026)",
        ),
    )
    demo.add_argument(
        "--year",
        action="store_true",
        help=t(
            f"cả năm {DEMO_YEAR} ở mọi cấp: 4 quý, lãnh đạo, cơ quan, người đứng đầu, năm",
            f"the whole year {DEMO_YEAR} at every level: 4 quarters, leaders, units, heads, year",
        ),
    )
    demo.set_defaults(run=run_demo)


# ---------------------------------------------------------------- a quarter


def run_demo(args: argparse.Namespace, console: Console) -> int:
    t = console.text
    lang = console.language
    from chamdiem.platform.demo.walkthrough import (
        DEMO_RULES,
        demo_folder,
        example_subject,
        rules_folder,
    )

    folder = rules_folder()
    demo_dir = demo_folder()  # CHAMDIEM_DATA_DIR/demo, default ./data/demo
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
    example = example_subject(records)
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
    from chamdiem.platform.demo.walkthrough import timed

    try:
        return timed(make)
    except ValueError as exc:  # e.g. too few people for the province's units
        console.error(
            "--people", Text(f"không tạo được dữ liệu mẫu: {exc}", f"cannot generate: {exc}")
        )
        return None


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


def _demo_database(workbook: Path, rules: Path, demo_dir: Path, console: Console) -> DemoRun | None:
    """Step 5 of the demo: the same quarter through the demo's own database (made afresh, so
    that a second demo does not mix its people with the first's), as an HR officer runs it."""
    from chamdiem.platform.demo.platform_demo import DEMO_PERIOD, run_platform_demo
    from chamdiem.platform.demo.walkthrough import demo_database, fresh_demo_database
    from chamdiem.platform.settings import Settings

    t = console.text
    settings = Settings()
    url, replaced = fresh_demo_database(demo_dir)
    console.out()
    if replaced:
        console.out(
            t(
                f"Cơ sở dữ liệu mẫu {demo_database(demo_dir)} của lần chạy trước được thay "
                "bằng một cơ sở dữ liệu mới.",
                f"The demo database {demo_database(demo_dir)} of the previous run is replaced "
                "by a new one.",
            )
        )
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
        from chamdiem.cli.session import user_problem

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
            "6. Giao diện web: chạy `.venv/bin/chamdiem serve --demo` rồi mở "
            "http://127.0.0.1:8000 và đăng nhập bằng một tài khoản mẫu (mật khẩu mới sau mỗi "
            "lần chạy demo):",
            "6. Web pages: run `.venv/bin/chamdiem serve --demo`, open http://127.0.0.1:8000 "
            "and sign in with a demo account (new passwords on every demo run):",
        )
    )
    for username, role, password in done.accounts:
        console.out(f"   {username:<10} {password:<14} {t(ROLE_TEXT[role].vi, ROLE_TEXT[role].en)}")


# ---------------------------------------------------------------- a year


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
    from chamdiem.platform.demo.walkthrough import capped_head
    from chamdiem.platform.demo.year import generate_year
    from chamdiem.platform.services.multilevel import stage_cohort

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
    from chamdiem.platform.demo.walkthrough import grade_table

    lang = console.language
    table = grade_table(graph, seconds)
    grades = table.grades
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
    for row in table.rows:
        counts = row.grades
        console.out(
            f"  {row.ruleset:<20} {row.period:<8} {count_text(row.subjects, lang):>12}"
            + "".join(f" {count_text(counts.get(g, 0), lang):>{width}}" for g in grades)
            + f" {count_text(counts.get(None, 0), lang):>14} {seconds_text(row.seconds, lang):>10}"
        )
    legend = "; ".join(f"{name} = {label}" for name, label in table.labels.items())
    console.out(f"  ({legend})")
