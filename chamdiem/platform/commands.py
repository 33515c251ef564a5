"""The data platform's commands, each a thin call into `chamdiem.platform.services`:

    chamdiem db upgrade
    chamdiem org load FILE [--category cong_chuc]
    chamdiem period add P | chamdiem period lock P
    chamdiem rules publish FILE
    chamdiem import FILE --period P [--rules R]
    chamdiem run --period P [--rules R …] [--units U …]
    chamdiem verify RUN

`register(subparsers)` adds them to the `chamdiem` parser and `dispatch(args)` runs the one
parsed (each subparser also sets `run(args, console)` as cli.py's own commands do). Settings
come from CHAMDIEM_* variables or `.env` (chamdiem/platform/settings.py). Messages are in
Vietnamese, or English with `--lang en` / CHAMDIEM_LANG=en. A user's problem is a message
and exit code 1, never a traceback. `python -m chamdiem.platform.commands …` runs them alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.platform.i18n import count_text, language_in_argv, resolve_language, seconds_text

EXIT_OK, EXIT_USER = 0, 1
EXPLAIN_CHOICES = ("flagged", "all", "none")


class _Out:
    """What a command prints, in the chosen language."""

    def __init__(self, language: Language) -> None:
        self.language = language

    def t(self, vi: str, en: str) -> str:
        return vi if self.language == "vi" else en

    def out(self, line: str = "") -> None:
        print(line, file=sys.stdout)

    def err(self, line: str) -> None:
        print(line, file=sys.stderr)

    def error(self, message: Text, where: str = "chamdiem") -> None:
        self.err(f"{where}: {self.t('lỗi', 'error')}: {message.in_(self.language)}")


# ---------------------------------------------------------------- the parser


def register(subparsers: Any, language: Language | None = None) -> None:
    """Add the platform's commands to `chamdiem`'s subparsers (argparse's _SubParsersAction)."""
    lang = language or language_in_argv(sys.argv[1:])

    def t(vi: str, en: str) -> str:
        return vi if lang == "vi" else en

    def command(name: str, vi: str, en: str, target: Callable[..., int] | None = None) -> Any:
        parser = subparsers.add_parser(name, help=t(vi, en), description=t(vi, en))
        _lang_option(parser, t)
        if target is not None:
            parser.set_defaults(platform_command=target, run=_run_from_cli)
        return parser

    db = command("db", "quản lý cơ sở dữ liệu", "manage the database")
    db_commands = db.add_subparsers(dest="db_command", metavar="COMMAND")
    db_commands.required = True
    upgrade = db_commands.add_parser(
        "upgrade",
        help=t("tạo hoặc nâng cấp cơ sở dữ liệu", "create or upgrade the database"),
    )
    _lang_option(upgrade, t)
    upgrade.set_defaults(platform_command=_db_upgrade, run=_run_from_cli)

    org = command("org", "tổ chức: đơn vị và người", "the organisation: units and people")
    org_commands = org.add_subparsers(dest="org_command", metavar="COMMAND")
    org_commands.required = True
    load = org_commands.add_parser(
        "load",
        help=t(
            "nạp đơn vị và người từ sổ tính (trang subjects, và trang units nếu có)",
            "load units and people from a workbook (sheet subjects, and sheet units if any)",
        ),
    )
    _lang_option(load, t)
    load.add_argument("file", metavar=t("TỆP", "FILE"))
    load.add_argument(
        "--category",
        choices=["can_bo", "cong_chuc", "vien_chuc"],
        help=t(
            "loại của những người không ghi ở cột category",
            "the category of people whose category column is blank",
        ),
    )
    load.set_defaults(platform_command=_org_load, run=_run_from_cli)

    period = command("period", "kỳ đánh giá", "evaluation periods")
    period_commands = period.add_subparsers(dest="period_command", metavar="COMMAND")
    period_commands.required = True
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
        sub = period_commands.add_parser(name, help=t(vi, en))
        _lang_option(sub, t)
        sub.add_argument("period", metavar=t("KỲ", "PERIOD"))
        sub.set_defaults(platform_command=target, run=_run_from_cli)

    rules = command("rules", "phiên bản quy tắc", "rule versions")
    rules_commands = rules.add_subparsers(dest="rules_command", metavar="COMMAND")
    rules_commands.required = True
    publish = rules_commands.add_parser(
        "publish",
        help=t(
            "công bố tệp quy tắc (từ chối khi có lỗi hoặc kiểm thử không đạt)",
            "publish a rule file (refused when it has errors or a failing test)",
        ),
    )
    _lang_option(publish, t)
    publish.add_argument("file", metavar=t("TỆP", "FILE"))
    publish.set_defaults(platform_command=_rules_publish, run=_run_from_cli)

    data_import = command(
        "import",
        "nhập dữ liệu một kỳ từ sổ tính (tất cả hoặc không có gì)",
        "import a period's data from a workbook (all or nothing)",
        _import,
    )
    data_import.add_argument("file", metavar=t("TỆP", "FILE"))
    data_import.add_argument("--period", required=True, metavar=t("KỲ", "PERIOD"))
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
    run.add_argument("--period", required=True, metavar=t("KỲ", "PERIOD"))
    run.add_argument("--rules", nargs="+", metavar=t("BỘ_TIÊU_CHÍ", "RULESET"))
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

    verify = command(
        "verify",
        "tính lại một lần chạy từ quy tắc và dữ liệu đã lưu, đối chiếu kết quả",
        "re-evaluate a run from its stored rules and data and compare the results",
        _verify,
    )
    verify.add_argument("run_id", type=int, metavar=t("LẦN_CHẠY", "RUN"))


def _lang_option(parser: argparse.ArgumentParser, t: Callable[[str, str], str]) -> None:
    parser.add_argument(
        "--lang",
        choices=["vi", "en"],
        default=argparse.SUPPRESS,
        help=t("ngôn ngữ thông báo", "language of messages"),
    )


def _run_from_cli(args: argparse.Namespace, _console: object) -> int:
    return dispatch(args)


# ---------------------------------------------------------------- running a command


def dispatch(args: argparse.Namespace) -> int:
    """Run the parsed platform command; returns the exit code."""
    from chamdiem.platform.settings import Settings

    settings = Settings()
    flag = getattr(args, "lang", None)
    out = _Out(resolve_language(flag) if flag else settings.lang)
    target: Callable[[argparse.Namespace, _Out, Engine, str], int] = args.platform_command
    try:
        engine = _engine(settings.database())
    except UserError as error:
        out.error(error.message)
        return EXIT_USER
    try:
        if target is not _db_upgrade:
            _require_current_schema(engine)
        return target(args, out, engine, settings.user)
    except UserError as error:
        out.error(error.message)
        return EXIT_USER
    except Exception as error:
        handled = _user_problem(error, out)
        if handled is None:
            raise
        return handled
    finally:
        engine.dispose()


class UserError(Exception):
    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


def _engine(url: str) -> Engine:
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from chamdiem.platform.db.engine import make_engine

    try:
        return make_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise UserError(
            Text(
                f"CHAMDIEM_DATABASE_URL không hợp lệ ({error})",
                f"invalid CHAMDIEM_DATABASE_URL ({error})",
            )
        ) from None
    except OSError as error:
        raise UserError(
            Text(
                f"không tạo được thư mục dữ liệu: {error}",
                f"cannot create the data folder: {error}",
            )
        ) from None


def _shown_url(engine: Engine) -> str:
    return make_url(engine.url).render_as_string(hide_password=True)


def _require_current_schema(engine: Engine) -> None:
    from chamdiem.platform.db.migrate import current_revision, head_revision

    current = current_revision(engine)
    if current != head_revision():
        state = Text("chưa tạo", "not created") if current is None else Text("cũ", "out of date")
        where = _shown_url(engine)
        raise UserError(
            Text(
                f"cơ sở dữ liệu {where} {state.vi}: chạy `chamdiem db upgrade` trước",
                f"the database {where} is {state.en}: run `chamdiem db upgrade` first",
            )
        )


def _user_problem(error: Exception, out: _Out) -> int | None:
    """Print a user's problem and return its exit code; None for a bug (re-raised)."""
    from chamdiem.platform.excel.problems import DataFileError
    from chamdiem.platform.services.errors import ServiceError

    if isinstance(error, ServiceError):
        out.error(error.message)
        for line in error.details:
            out.err(line.in_(out.language))
        return EXIT_USER
    if isinstance(error, DataFileError):
        out.err(error.render(out.language))
        total = len(error.problems) + error.omitted
        out.err(
            out.t(
                f"Tệp có {total} lỗi; không lưu gì vào cơ sở dữ liệu.",
                f"The file has {total} problem(s); nothing was stored.",
            )
        )
        return EXIT_USER
    if isinstance(error, OperationalError):
        detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        out.error(
            Text(
                f"lỗi cơ sở dữ liệu (không kết nối được, bị khóa hoặc thiếu quyền?): {detail}",
                f"database error (cannot connect, locked, or no permission?): {detail}",
            )
        )
        return EXIT_USER
    return None


def _session(engine: Engine) -> Any:
    from chamdiem.platform.db.engine import open_session

    return open_session(engine)


# ---------------------------------------------------------------- the commands


def _db_upgrade(args: argparse.Namespace, out: _Out, engine: Engine, user: str) -> int:
    from chamdiem.platform.db.migrate import upgrade

    before, after = upgrade(engine)
    where = _shown_url(engine)
    if before == after:
        out.out(
            out.t(
                f"Cơ sở dữ liệu {where} đã ở phiên bản mới nhất ({after}).",
                f"The database {where} is up to date ({after}).",
            )
        )
    else:
        was = before or out.t("trống", "empty")
        out.out(
            out.t(
                f"Đã nâng cấp cơ sở dữ liệu {where}: {was} → {after}.",
                f"Upgraded the database {where}: {was} → {after}.",
            )
        )
    return EXIT_OK


def _org_load(args: argparse.Namespace, out: _Out, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.organisation import load_organisation

    with _session(engine) as session:
        done = load_organisation(
            session, Path(args.file), actor=user, default_category=args.category
        )
    lang = out.language
    out.out(
        out.t(
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


def _period_add(args: argparse.Namespace, out: _Out, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.periods import KIND_TEXT, add_period

    with _session(engine) as session:
        period, created = add_period(session, args.period, actor=user)
    kind = KIND_TEXT[period.kind].in_(out.language)
    span = f"{period.start_date.isoformat()} – {period.end_date.isoformat()}"
    if created:
        out.out(
            out.t(
                f"Đã tạo kỳ {period.code} ({kind}, {span}).",
                f"Added period {period.code} ({kind}, {span}).",
            )
        )
    else:
        out.out(
            out.t(
                f"Kỳ {period.code} đã có ({kind}, {span}); không thay đổi gì.",
                f"Period {period.code} exists already ({kind}, {span}); nothing changed.",
            )
        )
    return EXIT_OK


def _period_lock(args: argparse.Namespace, out: _Out, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.periods import lock_period

    with _session(engine) as session:
        period, locked = lock_period(session, args.period, actor=user)
    if locked:
        out.out(out.t(f"Đã khóa kỳ {period.code}.", f"Locked period {period.code}."))
    else:
        out.out(
            out.t(
                f"Kỳ {period.code} đã khóa từ trước ({period.locked_by}); không thay đổi gì.",
                f"Period {period.code} was locked already ({period.locked_by}); nothing changed.",
            )
        )
    return EXIT_OK


def _rules_publish(args: argparse.Namespace, out: _Out, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.rules import publish_rule_version

    with _session(engine) as session:
        published = publish_rule_version(session, Path(args.file), actor=user)
    version = published.version
    git = ""
    if version.git_commit:
        git = f"; git {version.git_commit[:12]} {version.git_path}"
    elif version.git_path:
        git = out.t(
            f"; {version.git_path} có thay đổi chưa commit",
            f"; {version.git_path} has changes not committed",
        )
    if published.created:
        out.out(
            out.t(
                f"Đã công bố {version.name} (phiên bản #{version.id}, sha256 "
                f"{version.sha256[:12]}, {published.tests} kiểm thử đạt{git}).",
                f"Published {version.name} (version #{version.id}, sha256 "
                f"{version.sha256[:12]}, {published.tests} test(s) passed{git}).",
            )
        )
    else:
        out.out(
            out.t(
                f"Nội dung này đã được công bố: {version.name} phiên bản #{version.id} "
                f"(sha256 {version.sha256[:12]}); không thay đổi gì.",
                f"This content is published already: {version.name} version #{version.id} "
                f"(sha256 {version.sha256[:12]}); nothing changed.",
            )
        )
    return EXIT_OK


def _import(args: argparse.Namespace, out: _Out, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.imports import import_period_data

    started = time.perf_counter()
    with _session(engine) as session:
        done = import_period_data(session, Path(args.file), args.period, args.rules, actor=user)
    lang = out.language
    seconds = seconds_text(time.perf_counter() - started, lang)
    if not done.created:
        out.out(
            out.t(
                f"Tệp này đã được nhập cho kỳ {done.period} (lần nhập #{done.import_id}); "
                "không thay đổi gì.",
                f"This file was imported for period {done.period} already (import "
                f"#{done.import_id}); nothing changed.",
            )
        )
        return EXIT_OK
    out.out(
        out.t(
            f"Đã nhập {args.file} vào kỳ {done.period}, bộ tiêu chí {done.ruleset} "
            f"(lần nhập #{done.import_id}): {count_text(done.subjects, lang)} đối tượng, "
            f"{count_text(done.item_rows, lang)} dòng danh sách, "
            f"{count_text(done.replaced, lang)} bản ghi cũ được thay ({seconds}).",
            f"Imported {args.file} into period {done.period}, rule set {done.ruleset} "
            f"(import #{done.import_id}): {count_text(done.subjects, lang)} subject(s), "
            f"{count_text(done.item_rows, lang)} item row(s), "
            f"{count_text(done.replaced, lang)} earlier record(s) replaced ({seconds}).",
        )
    )
    return EXIT_OK


def _run(args: argparse.Namespace, out: _Out, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.runs import run_evaluation

    started = time.perf_counter()
    with _session(engine) as session:
        outcomes = run_evaluation(
            session, args.period, args.rules, args.units, actor=user, explain=args.explain
        )
    lang = out.language
    seconds = seconds_text(time.perf_counter() - started, lang)
    failed = 0
    for done in outcomes:
        if done.status == "failed":
            failed += 1
            word = out.t("lỗi", "error")
            for problem in done.problems[:50]:
                out.err(f"{problem.subject}: {word}: {problem.message.in_(lang)} ({problem.name})")
            out.err(
                out.t(
                    f"Lần chạy #{done.run_id} ({done.ruleset}, kỳ {done.period}) không đánh giá "
                    f"được: {count_text(done.problems_total, lang)} lỗi; không có kết quả.",
                    f"Run #{done.run_id} ({done.ruleset}, period {done.period}) failed: "
                    f"{count_text(done.problems_total, lang)} problem(s); no results.",
                )
            )
            continue
        grades = ", ".join(
            f"{grade} {count_text(n, lang)}" for grade, n in sorted(done.grades.items())
        )
        out.out(
            out.t(
                f"Lần chạy #{done.run_id}: {done.ruleset}, kỳ {done.period}, "
                f"{count_text(done.subjects, lang)} đối tượng ({seconds}); mã dữ liệu "
                f"{done.snapshot_sha256[:12]}; xếp loại: {grades}.",
                f"Run #{done.run_id}: {done.ruleset}, period {done.period}, "
                f"{count_text(done.subjects, lang)} subject(s) ({seconds}); data snapshot "
                f"{done.snapshot_sha256[:12]}; grades: {grades}.",
            )
        )
    return EXIT_USER if failed else EXIT_OK


def _verify(args: argparse.Namespace, out: _Out, engine: Engine, user: str) -> int:
    from chamdiem.platform.services.verify import verify_run

    with _session(engine) as session:
        report = verify_run(session, args.run_id, actor=user)
    lang = out.language
    if report.note is not None:
        out.err(report.note.in_(lang))
    if report.ok:
        out.out(
            out.t(
                f"Lần chạy #{report.run_id} khớp: tính lại {count_text(report.subjects, lang)} "
                "đối tượng từ quy tắc và dữ liệu đã lưu, mọi kết quả giống hệt.",
                f"Run #{report.run_id} verified: {count_text(report.subjects, lang)} subject(s) "
                "re-evaluated from the stored rules and data, every result identical.",
            )
        )
        return EXIT_OK
    stored_word, again_word = out.t("đã lưu", "stored"), out.t("tính lại", "recomputed")
    for difference in report.differences:
        who = difference.subject or out.t("(cả lần chạy)", "(the run)")
        out.err(
            f"{who}: {difference.field}: {stored_word} {difference.stored!s}, "
            f"{again_word} {difference.recomputed!s}"
        )
    out.err(
        out.t(
            f"Lần chạy #{report.run_id} KHÔNG khớp: {count_text(report.differences_total, lang)} "
            "khác biệt giữa kết quả đã lưu và kết quả tính lại.",
            f"Run #{report.run_id} does NOT verify: {count_text(report.differences_total, lang)} "
            "difference(s) between the stored and the recomputed results.",
        )
    )
    return EXIT_USER


# ---------------------------------------------------------------- standalone


def build_parser(language: Language) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chamdiem")
    parser.add_argument("--lang", choices=["vi", "en"], default=argparse.SUPPRESS)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    register(subparsers, language)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser(language_in_argv(arguments)).parse_args(arguments)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    return dispatch(args)


if __name__ == "__main__":
    sys.exit(main())
