"""The data platform's commands, each a thin call into `chamdiem.platform.services`:

    chamdiem db upgrade
    chamdiem org load FILE [--category cong_chuc]
    chamdiem period add P | chamdiem period lock P
    chamdiem rules publish FILE
    chamdiem import FILE --period P [--rules R]
    chamdiem run --period P [--rules R …] [--units U …]
    chamdiem verify RUN

`register(subparsers)` adds them to the `chamdiem` parser and `dispatch(args)` runs the one
parsed (each subparser also sets `run(args, console)`, as every command module does). Settings
come from CHAMDIEM_* variables or `.env` (chamdiem/platform/settings.py). Messages are in
Vietnamese, or English with `--lang en` / CHAMDIEM_LANG=en. A user's problem is a message
and exit code 1, never a traceback. `python -m chamdiem.cli.database …` runs them alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chamdiem.cli.console import (
    EXIT_OK,
    EXIT_USER,
    Console,
    Progress,
    add_lang_option,
    add_progress_option,
    command_language,
    standalone_main,
)
from chamdiem.cli.session import configured_engine, shown_url, user_problem
from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.dsl.display import period_name
from chamdiem.platform.i18n import count_text, language_in_argv, seconds_text

if TYPE_CHECKING:  # SQLAlchemy is imported when a command needs the database, not to register
    from sqlalchemy import Engine

EXPLAIN_CHOICES = ("flagged", "all", "none")


# ---------------------------------------------------------------- the parser


def register(subparsers: Any, language: Language | None = None) -> None:
    """Add the platform's commands to `chamdiem`'s subparsers (argparse's _SubParsersAction)."""
    lang = language or language_in_argv(sys.argv[1:])
    t = Console(lang).text

    def command(name: str, vi: str, en: str, target: Callable[..., int] | None = None) -> Any:
        parser = subparsers.add_parser(name, help=t(vi, en), description=t(vi, en))
        add_lang_option(parser, lang)
        if target is not None:
            parser.set_defaults(platform_command=target, run=_run_from_cli)
        return parser

    def group(name: str, vi: str, en: str) -> Any:
        """A command made of sub-commands: `db upgrade`, `org load`, `period add`, …"""
        actions = command(name, vi, en).add_subparsers(
            dest=f"{name}_command", metavar=t("LỆNH", "COMMAND")
        )
        actions.required = True
        return actions

    def action(actions: Any, name: str, vi: str, en: str, target: Callable[..., int]) -> Any:
        parser = actions.add_parser(name, help=t(vi, en))
        add_lang_option(parser, lang)
        parser.set_defaults(platform_command=target, run=_run_from_cli)
        return parser

    db = group("db", "quản lý cơ sở dữ liệu", "manage the database")
    action(
        db,
        "upgrade",
        "tạo hoặc nâng cấp cơ sở dữ liệu",
        "create or upgrade the database",
        _db_upgrade,
    )

    org = group("org", "tổ chức: đơn vị và người", "the organisation: units and people")
    load = action(
        org,
        "load",
        "nạp đơn vị và người từ sổ tính (trang subjects, và trang units nếu có)",
        "load units and people from a workbook (sheet subjects, and sheet units if any)",
        _org_load,
    )
    load.add_argument(
        "file",
        metavar=t("TỆP", "FILE"),
        help=t("sổ tính .xlsx của tổ chức", "the organisation's .xlsx workbook"),
    )
    load.add_argument(
        "--category",
        choices=["can_bo", "cong_chuc", "vien_chuc"],
        help=t(
            "loại của những người không ghi ở cột category",
            "the category of people whose category column is blank",
        ),
    )

    period = group("period", "kỳ đánh giá", "evaluation periods")
    period_actions: list[tuple[str, str, str, Callable[..., int]]] = [
        (
            "add",
            "tạo kỳ: 2026, 2026-Q1 hoặc 2026-03",
            "add a period: 2026, 2026-Q1 or 2026-03",
            _period_add,
        ),
        (
            "lock",
            "khóa kỳ: không nhập thêm dữ liệu",
            "lock a period: no more imports",
            _period_lock,
        ),
    ]
    for name, vi, en, target in period_actions:
        action(period, name, vi, en, target).add_argument(
            "period",
            metavar=t("KỲ", "PERIOD"),
            help=t(
                "kỳ đánh giá (2026, 2026-Q1, 2026-03)", "evaluation period (2026, 2026-Q1, 2026-03)"
            ),
        )

    rules = group("rules", "phiên bản quy tắc", "rule versions")
    publish = action(
        rules,
        "publish",
        "công bố tệp quy tắc (từ chối khi có lỗi hoặc kiểm thử không đạt)",
        "publish a rule file (refused when it has errors or a failing test)",
        _rules_publish,
    )
    publish.add_argument("file", metavar=t("TỆP", "FILE"), help=t("tệp quy tắc", "a rule file"))

    data_import = command(
        "import",
        "nhập dữ liệu một kỳ từ sổ tính (tất cả hoặc không có gì)",
        "import a period's data from a workbook (all or nothing)",
        _import,
    )
    data_import.add_argument(
        "file",
        metavar=t("TỆP", "FILE"),
        help=t(
            "sổ tính .xlsx hoặc thư mục .csv của kỳ", "the period's .xlsx workbook or .csv folder"
        ),
    )
    data_import.add_argument(
        "--period",
        required=True,
        metavar=t("KỲ", "PERIOD"),
        help=t(
            "kỳ đánh giá (2026, 2026-Q1, 2026-03)", "evaluation period (2026, 2026-Q1, 2026-03)"
        ),
    )
    add_progress_option(data_import, lang)
    data_import.add_argument(
        "--rules",
        metavar=t("BỘ_TIÊU_CHÍ", "RULESET"),
        help=t(
            "tên bộ tiêu chí, mã băm hoặc tệp đã công bố (mặc định: bộ duy nhất của loại kỳ)",
            "rule set name, hash or published file (default: the only one for the period kind)",
        ),
    )

    run = command(
        "run",
        "đánh giá một kỳ từ cơ sở dữ liệu và lưu kết quả",
        "evaluate a period from the database and store the results",
        _run,
    )
    run.add_argument(
        "--period",
        required=True,
        metavar=t("KỲ", "PERIOD"),
        help=t(
            "kỳ đánh giá (2026, 2026-Q1, 2026-03)", "evaluation period (2026, 2026-Q1, 2026-03)"
        ),
    )
    run.add_argument(
        "--rules",
        nargs="+",
        metavar=t("BỘ_TIÊU_CHÍ", "RULESET"),
        help=t(
            "chỉ các bộ tiêu chí này: tên, mã băm hoặc tệp đã công bố (mặc định: mọi bộ "
            "đánh giá theo loại kỳ này)",
            "only these rule sets: name, hash or published file (default: every rule set "
            "evaluated for this kind of period)",
        ),
    )
    run.add_argument(
        "--units",
        nargs="+",
        metavar=t("ĐƠN_VỊ", "UNIT"),
        help=t("chỉ các đơn vị này và cấp dưới", "only these units and those below them"),
    )
    run.add_argument(
        "--explain",
        choices=EXPLAIN_CHOICES,
        default="flagged",
        help=t(
            "lưu lời giải thích cho ai (mặc định: người bị loại trừ, gắn cờ, không xếp loại)",
            "whose explanation to store (default: vetoed, flagged or not graded subjects)",
        ),
    )
    add_progress_option(run, lang)

    verify = command(
        "verify",
        "tính lại một lần chạy từ quy tắc và dữ liệu đã lưu, đối chiếu kết quả",
        "re-evaluate a run from its stored rules and data and compare the results",
        _verify,
    )
    verify.add_argument(
        "run_id",
        type=int,
        metavar=t("LẦN_CHẠY", "RUN"),
        help=t("số của lần chạy (xem `chamdiem run`)", "the run's number (see `chamdiem run`)"),
    )
    add_progress_option(verify, lang)


def _run_from_cli(args: argparse.Namespace, _console: object) -> int:
    return dispatch(args)


# ---------------------------------------------------------------- running a command


def dispatch(args: argparse.Namespace) -> int:
    """Run the parsed platform command; returns the exit code."""
    from chamdiem.platform.settings import Settings

    settings = Settings()
    out = Console(command_language(args, settings))
    target: Callable[[argparse.Namespace, Console, Engine, str], int] = args.platform_command
    try:
        # `db upgrade` is what brings the schema up to date; every other command needs it so
        with configured_engine(settings.database(), current=target is not _db_upgrade) as engine:
            return target(args, out, engine, settings.user)
    except Exception as error:
        handled = user_problem(error, out)
        if handled is None:
            raise
        return handled


def _session(engine: Engine) -> Any:
    from chamdiem.platform.db.engine import open_session

    return open_session(engine)


# ---------------------------------------------------------------- the commands


def _db_upgrade(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.db.migrate import upgrade

    before, after = upgrade(engine)
    where = shown_url(engine.url)
    if before == after:
        out.out(
            out.text(
                f"Cơ sở dữ liệu {where} đã ở phiên bản mới nhất ({after}).",
                f"The database {where} is up to date ({after}).",
            )
        )
    else:
        was = before or out.text("trống", "empty")
        out.out(
            out.text(
                f"Đã nâng cấp cơ sở dữ liệu {where}: {was} → {after}.",
                f"Upgraded the database {where}: {was} → {after}.",
            )
        )
    return EXIT_OK


def _org_load(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.organisation import load_organisation

    with _session(engine) as session:
        done = load_organisation(
            session, Path(args.file), actor=user, default_category=args.category
        )
    lang = out.language
    out.out(
        out.text(
            f"Đã nạp tổ chức từ {args.file}: {count_text(done.units_created, lang)} đơn vị mới, "
            f"{count_text(done.units_updated, lang)} đơn vị đổi tên; "
            f"{count_text(done.people_created, lang)} người mới, "
            f"{count_text(done.people_updated, lang)} người cập nhật, "
            f"{count_text(done.unchanged, lang)} người không đổi.",
            f"Loaded the organisation from {args.file}: {count_text(done.units_created, lang)} "
            f"new unit(s), {count_text(done.units_updated, lang)} renamed; "
            f"{count_text(done.people_created, lang)} new people, "
            f"{count_text(done.people_updated, lang)} updated, "
            f"{count_text(done.unchanged, lang)} unchanged.",
        )
    )
    return EXIT_OK


def _period_add(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.periods import KIND_TEXT, add_period

    with _session(engine) as session:
        period, created = add_period(session, args.period, actor=user)
    kind = KIND_TEXT[period.kind].in_(out.language)
    span = f"{period.start_date.isoformat()} – {period.end_date.isoformat()}"
    if created:
        out.out(
            out.text(
                f"Đã tạo kỳ {period.code} ({kind}, {span}).",
                f"Added period {period.code} ({kind}, {span}).",
            )
        )
    else:
        out.out(
            out.text(
                f"Kỳ {period.code} đã có ({kind}, {span}); không thay đổi gì.",
                f"Period {period.code} exists already ({kind}, {span}); nothing changed.",
            )
        )
    return EXIT_OK


def _period_lock(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.periods import lock_period

    with _session(engine) as session:
        period, locked = lock_period(session, args.period, actor=user)
    if locked:
        out.out(out.text(f"Đã khóa kỳ {period.code}.", f"Locked period {period.code}."))
    else:
        out.out(
            out.text(
                f"Kỳ {period.code} đã khóa từ trước ({period.locked_by}); không thay đổi gì.",
                f"Period {period.code} was locked already ({period.locked_by}); nothing changed.",
            )
        )
    return EXIT_OK


def _rules_publish(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.rules import publish_rule_version

    with _session(engine) as session:
        published = publish_rule_version(session, Path(args.file), actor=user)
    version = published.version
    git = ""
    if version.git_commit:
        git = f"; git {version.git_commit[:12]} {version.git_path}"
    elif version.git_path:
        git = out.text(
            f"; {version.git_path} có thay đổi chưa commit",
            f"; {version.git_path} has changes not committed",
        )
    if published.created:
        out.out(
            out.text(
                f"Đã công bố {version.name} (phiên bản #{version.id}, sha256 "
                f"{version.sha256[:12]}, {published.tests} kiểm thử đạt{git}).",
                f"Published {version.name} (version #{version.id}, sha256 "
                f"{version.sha256[:12]}, {published.tests} test(s) passed{git}).",
            )
        )
    else:
        out.out(
            out.text(
                f"Nội dung này đã được công bố: {version.name} phiên bản #{version.id} "
                f"(sha256 {version.sha256[:12]}); không thay đổi gì.",
                f"This content is published already: {version.name} version #{version.id} "
                f"(sha256 {version.sha256[:12]}); nothing changed.",
            )
        )
    return EXIT_OK


def _import(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.imports import import_period_data

    started = time.perf_counter()
    working = Text(f"Đang nhập {args.file}", f"Importing {args.file}")
    with Progress.for_args(args, out).step(working), _session(engine) as session:
        done = import_period_data(session, Path(args.file), args.period, args.rules, actor=user)
    lang = out.language
    seconds = seconds_text(time.perf_counter() - started, lang)
    changed = count_text(done.changed, lang)
    period_vi, period_en = period_name(done.period, "vi"), period_name(done.period, "en")
    if not done.created:
        out.out(
            out.text(
                f"Tệp này đã được nhập cho {period_vi} (lần nhập #{done.import_id}); "
                "không thay đổi gì.",
                f"This file was imported for {period_en} already (import "
                f"#{done.import_id}); nothing changed.",
            )
        )
        return EXIT_OK
    out.out(
        out.text(
            f"Đã nhập {args.file} vào {period_vi}, bộ tiêu chí {done.ruleset} "
            f"(lần nhập #{done.import_id}): {count_text(done.subjects, lang)} đối tượng, "
            f"{count_text(done.item_rows, lang)} dòng danh sách, "
            f"{count_text(done.replaced, lang)} bản ghi cũ được thay"
            f"{f', trong đó {changed} có giá trị khác' if done.replaced else ''} ({seconds}).",
            f"Imported {args.file} into {period_en}, rule set {done.ruleset} "
            f"(import #{done.import_id}): {count_text(done.subjects, lang)} subject(s), "
            f"{count_text(done.item_rows, lang)} item row(s), "
            f"{count_text(done.replaced, lang)} earlier record(s) replaced"
            f"{f', {changed} of them with other values' if done.replaced else ''} ({seconds}).",
        )
    )
    return EXIT_OK


def _run(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.runs import run_evaluation
    from chamdiem.platform.services.scope import operator_scope

    started = time.perf_counter()
    working = Text(f"Đang đánh giá kỳ {args.period}", f"Evaluating period {args.period}")
    with Progress.for_args(args, out).step(working), _session(engine) as session:
        outcomes = run_evaluation(
            session,
            args.period,
            args.rules,
            scope=operator_scope(session, args.units),
            actor=user,
            explain=args.explain,
        )
    lang = out.language
    seconds = seconds_text(time.perf_counter() - started, lang)
    failed = 0
    for done in outcomes:
        if done.status == "failed":
            failed += 1
            word = out.text("lỗi", "error")
            for problem in done.problems[:50]:
                out.err(f"{problem.subject}: {word}: {problem.message.in_(lang)} ({problem.name})")
            out.err(
                out.text(
                    f"Lần chạy #{done.run_id} ({done.ruleset}, kỳ {done.period}) không đánh giá "
                    f"được: {count_text(done.problems_total, lang)} lỗi; không có kết quả.",
                    f"Run #{done.run_id} ({done.ruleset}, period {done.period}) failed: "
                    f"{count_text(done.problems_total, lang)} problem(s); no results.",
                )
            )
            continue
        grades = ", ".join(
            f"{label} {count_text(done.grades[name], lang)}"
            for name, label in [*done.grade_names, ("-", out.text("không xếp loại", "not graded"))]
            if done.grades.get(name)
        )
        out.out(
            out.text(
                f"Lần chạy #{done.run_id}: {done.ruleset}, kỳ {done.period}, "
                f"{count_text(done.subjects, lang)} đối tượng ({seconds}); mã dữ liệu "
                f"{done.snapshot_sha256[:12]}; xếp loại: {grades}.",
                f"Run #{done.run_id}: {done.ruleset}, period {done.period}, "
                f"{count_text(done.subjects, lang)} subject(s) ({seconds}); data snapshot "
                f"{done.snapshot_sha256[:12]}; grades: {grades}.",
            )
        )
    return EXIT_USER if failed else EXIT_OK


def _verify(args: argparse.Namespace, out: Console, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.verify import verify_run

    working = Text(f"Đang tính lại lần chạy #{args.run_id}", f"Re-evaluating run #{args.run_id}")
    with Progress.for_args(args, out).step(working), _session(engine) as session:
        report = verify_run(session, args.run_id, actor=user)
    lang = out.language
    if report.note is not None:
        out.err(report.note.in_(lang))
    if report.ok:
        out.out(
            out.text(
                f"Lần chạy #{report.run_id} khớp: tính lại {count_text(report.subjects, lang)} "
                "đối tượng từ quy tắc và dữ liệu đã lưu, mọi kết quả giống hệt.",
                f"Run #{report.run_id} verified: {count_text(report.subjects, lang)} subject(s) "
                "re-evaluated from the stored rules and data, every result identical.",
            )
        )
        return EXIT_OK
    stored_word, again_word = out.text("đã lưu", "stored"), out.text("tính lại", "recomputed")
    for difference in report.differences:
        who = difference.subject or out.text("(cả lần chạy)", "(the run)")
        out.err(
            f"{who}: {difference.field}: {stored_word} {difference.stored!s}, "
            f"{again_word} {difference.recomputed!s}"
        )
    out.err(
        out.text(
            f"Lần chạy #{report.run_id} KHÔNG khớp: {count_text(report.differences_total, lang)} "
            "khác biệt giữa kết quả đã lưu và kết quả tính lại.",
            f"Run #{report.run_id} does NOT verify: {count_text(report.differences_total, lang)} "
            "difference(s) between the stored and the recomputed results.",
        )
    )
    return EXIT_USER


# ---------------------------------------------------------------- standalone


def main(argv: Sequence[str] | None = None) -> int:
    return standalone_main(register, dispatch, argv)


if __name__ == "__main__":
    sys.exit(main())
