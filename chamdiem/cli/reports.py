"""The Excel-out commands:

    chamdiem template RULES -o FILE.xlsx [--units U …] [--period P]
        the input workbook of a rule set (a rule file, or a published rule set's name or
        hash), with the people of the chosen units (default: everyone) pre-filled from the
        database when there is one
    chamdiem report RUN -o FILE.xlsx
        the official workbook of a stored run: summary with charts, one sheet per unit, and
        where the results came from
    chamdiem form PERSON --period P [-o FILE.xlsx] [--rules R] [--run N]
        one person's evaluation form (phiếu đánh giá), by default in DATA_DIR/phieu/

`register(subparsers, language)` adds them to the `chamdiem` parser; each sets
`run(args, console)`, as every command module does. Settings (database, language, user) as for
the database commands. A user's problem (unknown run, person or period, a rule file with
errors, a database not created) is a message and exit code 1, and no file is written.
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
from chamdiem.cli.session import Database, UserError, user_problem
from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.platform.i18n import count_text, language_in_argv, seconds_text

if TYPE_CHECKING:
    from chamdiem.dsl.loader import Program
    from chamdiem.platform.report_data import CurrentData, Prefill

__all__ = ["dispatch", "main", "register"]

FORMS_FOLDER = "phieu"  # `form`'s default output: DATA_DIR/phieu/phieu_danh_gia_CODE_PERIOD.xlsx


# ---------------------------------------------------------------- the parser


def register(subparsers: Any, language: Language | None = None) -> None:
    """Add `template`, `report` and `form` to `chamdiem`'s subparsers."""
    lang = language or language_in_argv(sys.argv[1:])
    t = Console(lang).text

    def command(name: str, vi: str, en: str, target: Callable[..., int]) -> Any:
        parser = subparsers.add_parser(name, help=t(vi, en), description=t(vi, en))
        add_lang_option(parser, lang)
        parser.set_defaults(report_command=target, run=_run_from_cli)
        return parser

    template = command(
        "template",
        "tạo sổ tính mẫu để nhập dữ liệu cho một bộ tiêu chí",
        "write the input workbook of a rule set",
        _template,
    )
    template.add_argument(
        "rules",
        metavar=t("QUY_TẮC", "RULES"),
        help=t(
            "tệp quy tắc, hoặc tên / mã băm của bộ tiêu chí đã công bố",
            "a rule file, or a published rule set's name or hash",
        ),
    )
    template.add_argument(
        "-o",
        "--out",
        required=True,
        metavar=t("TỆP", "FILE"),
        help=t("sổ tính .xlsx sẽ ghi", "the .xlsx workbook to write"),
    )
    template.add_argument(
        "--units",
        nargs="+",
        metavar=t("ĐƠN_VỊ", "UNIT"),
        help=t(
            "điền sẵn người của các đơn vị này và cấp dưới (mặc định: mọi người)",
            "pre-fill the people of these units and those below them (default: everyone)",
        ),
    )
    template.add_argument(
        "--period",
        metavar=t("KỲ", "PERIOD"),
        help=t(
            "kỳ đánh giá (2026, 2026-Q1, 2026-03)", "evaluation period (2026, 2026-Q1, 2026-03)"
        ),
    )
    template.add_argument(
        "--with-data",
        action="store_true",
        help=t(
            "điền cả dữ liệu đang lưu của kỳ (--period) để sửa rồi nhập lại",
            "fill in the period's stored data too (--period), to correct and import again",
        ),
    )

    report = command(
        "report",
        "lập báo cáo Excel kết quả một lần chạy",
        "write the Excel report of a run",
        _report,
    )
    report.add_argument(
        "run_id",
        type=int,
        metavar=t("LẦN_CHẠY", "RUN"),
        help=t("số của lần chạy (xem `chamdiem run`)", "the run's number (see `chamdiem run`)"),
    )
    report.add_argument(
        "-o",
        "--out",
        required=True,
        metavar=t("TỆP", "FILE"),
        help=t("sổ tính .xlsx sẽ ghi", "the .xlsx workbook to write"),
    )
    add_progress_option(report, lang)

    form = command(
        "form",
        "lập phiếu đánh giá, xếp loại của một người",
        "write one person's evaluation form",
        _form,
    )
    form.add_argument(
        "person", metavar=t("MÃ_NGƯỜI", "PERSON"), help=t("mã của người", "the person's code")
    )
    form.add_argument(
        "--period",
        required=True,
        metavar=t("KỲ", "PERIOD"),
        help=t(
            "kỳ đánh giá (2026, 2026-Q1, 2026-03)", "evaluation period (2026, 2026-Q1, 2026-03)"
        ),
    )
    form.add_argument(
        "-o",
        "--out",
        metavar=t("TỆP", "FILE"),
        help=t(
            f"mặc định: THƯ_MỤC_DỮ_LIỆU/{FORMS_FOLDER}/phieu_danh_gia_MÃ_KỲ.xlsx",
            f"default: DATA_DIR/{FORMS_FOLDER}/phieu_danh_gia_CODE_PERIOD.xlsx",
        ),
    )
    form.add_argument(
        "--rules",
        metavar=t("BỘ_TIÊU_CHÍ", "RULESET"),
        help=t(
            "khi người này có kết quả theo nhiều bộ tiêu chí",
            "when the person has results under several rule sets",
        ),
    )
    form.add_argument(
        "--run",
        type=int,
        dest="run_id",
        metavar=t("LẦN_CHẠY", "RUN"),
        help=t("lấy kết quả của lần chạy này", "take the result of this run"),
    )


def _run_from_cli(args: argparse.Namespace, _console: object) -> int:
    return dispatch(args)


# ---------------------------------------------------------------- running a command


def dispatch(args: argparse.Namespace) -> int:
    from chamdiem.platform.settings import Settings

    settings = Settings()
    out = Console(command_language(args, settings))
    target: Callable[[argparse.Namespace, Console, Database], int] = args.report_command
    database = Database(settings.database())
    try:
        return target(args, out, database)
    except Exception as error:
        handled = user_problem(error, out)
        if handled is None and isinstance(error, OSError):
            handled = _cannot_write(error, out)
        if handled is None:
            raise
        return handled
    finally:
        database.dispose()


def _cannot_write(error: OSError, out: Console) -> int:
    where = error.filename or ""
    out.error(
        "chamdiem",
        Text(
            f"không ghi được tệp {where}: {error.strerror or error}",
            f"cannot write the file {where}: {error.strerror or error}",
        ),
    )
    return EXIT_USER


# ---------------------------------------------------------------- template


def _template(args: argparse.Namespace, out: Console, database: Database) -> int:
    from chamdiem.platform.excel.template import TemplateError, write_template
    from chamdiem.platform.report_data import PeriodInfo
    from chamdiem.platform.services.periods import parse_period_code
    from chamdiem.platform.services.scope import operator_scope
    from chamdiem.platform.services.templates import (
        check_period_kind,
        current_data,
        published_program,
        template_prefill,
    )

    started = time.perf_counter()
    if args.with_data and not args.period:
        raise UserError(
            Text(
                "--with-data cần --period: dữ liệu của kỳ nào?",
                "--with-data needs --period: the data of which period?",
            )
        )
    period = None
    if args.period:
        parsed = parse_period_code(args.period)
        period = PeriodInfo(parsed.code, parsed.kind, parsed.start)
    path = Path(args.rules)
    is_file = path.is_file() or path.suffix == ".rules"
    program = _rule_file(path, out) if is_file else None
    if program is not None:
        check_period_kind(program, period)
    prefill: list[Prefill] = []
    scope: str | None = None
    data: CurrentData | None = None
    no_people: Text | None = None  # why no one is pre-filled
    if is_file and not args.units and not database.exists():
        no_people = Text("chưa có cơ sở dữ liệu", "there is no database yet")
    else:
        try:
            with database.session() as session:
                if program is None:
                    program = published_program(session, args.rules, period)
                    check_period_kind(program, period)
                chosen = operator_scope(session, args.units)
                prefill, scope = template_prefill(session, program.header.subject, chosen)
                if args.with_data:
                    data = current_data(session, program, args.period, prefill, chosen)
                session.commit()
        except UserError as error:
            if not is_file or args.units or args.with_data:
                raise
            no_people = error.message  # a rule file needs no database
    assert program is not None
    header = program.header
    try:
        done = write_template(program, Path(args.out), prefill, period, scope, data)
    except TemplateError as error:
        raise UserError(error.message) from None
    lang = out.language
    seconds = seconds_text(time.perf_counter() - started, lang)
    who = out.text("đơn vị", "unit(s)") if header.subject == "unit" else out.text("người", "people")
    sheets = ", ".join(done.item_sheets) or "—"
    out.out(
        out.text(
            f"Đã ghi mẫu nhập liệu {done.path}: bộ tiêu chí {header.name}, "
            f"{count_text(done.subjects, lang)} {who} điền sẵn, {done.inputs} cột dữ liệu, "
            f"trang danh sách: {sheets} ({seconds}).",
            f"Wrote the input template {done.path}: rule set {header.name}, "
            f"{count_text(done.subjects, lang)} {who} pre-filled, {done.inputs} input column(s), "
            f"item sheets: {sheets} ({seconds}).",
        )
    )
    if data is not None:
        out.out(
            out.text(
                f"Đã điền dữ liệu đang lưu của kỳ {data.period} cho "
                f"{count_text(done.with_data, lang)} {who}; sửa rồi nhập lại bằng "
                f"`chamdiem import {done.path} --period {data.period}`.",
                f"Filled in the stored data of period {data.period} for "
                f"{count_text(done.with_data, lang)} {who}; correct it and import it again with "
                f"`chamdiem import {done.path} --period {data.period}`.",
            )
        )
    if no_people is not None:
        out.err(
            out.text(f"Không điền sẵn ai: {no_people.vi}.", f"No one pre-filled: {no_people.en}.")
        )
    elif not done.subjects:
        out.err(
            out.text(
                "Không điền sẵn ai: cơ sở dữ liệu chưa có người của các đơn vị đã chọn "
                "(nạp tổ chức bằng `chamdiem org load`).",
                "No one pre-filled: the database has no people in the chosen units "
                "(load the organisation with `chamdiem org load`).",
            )
        )
    return EXIT_OK


def _rule_file(path: Path, out: Console) -> Program:
    from chamdiem.dsl.loader import RuleFileError, load_source

    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UserError(
            Text(
                f"{path}: không đọc được tệp quy tắc: {error.strerror}",
                f"{path}: cannot read the rule file: {error.strerror}",
            )
        ) from None
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(
            Text(f"{path}: tệp quy tắc không phải mã UTF-8", f"{path}: the rule file is not UTF-8")
        ) from None
    try:
        return load_source(source, str(path))
    except RuleFileError as error:
        raise UserError(
            Text(
                f"{path}: tệp quy tắc có lỗi, không tạo mẫu",
                f"{path}: the rule file has errors; no template written",
            ),
            [out.rule_errors(error)],
        ) from None


# ---------------------------------------------------------------- report and form


def _report(args: argparse.Namespace, out: Console, database: Database) -> int:
    from chamdiem.platform.excel.report import write_report
    from chamdiem.platform.services.reports import run_report

    started = time.perf_counter()
    working = Text(
        f"Đang lập báo cáo lần chạy #{args.run_id}", f"Writing the report of run #{args.run_id}"
    )
    with Progress.for_args(args, out).step(working), database.session() as session:
        done = write_report(run_report(session, args.run_id), Path(args.out))
    lang = out.language
    seconds = seconds_text(time.perf_counter() - started, lang)
    out.out(
        out.text(
            f"Đã ghi báo cáo lần chạy #{done.run_id} vào {done.path}: "
            f"{count_text(done.subjects, lang)} người, {count_text(done.units, lang)} đơn vị "
            f"({seconds}).",
            f"Wrote the report of run #{done.run_id} to {done.path}: "
            f"{count_text(done.subjects, lang)} people, {count_text(done.units, lang)} unit(s) "
            f"({seconds}).",
        )
    )
    return EXIT_OK


def _form(args: argparse.Namespace, out: Console, database: Database) -> int:
    from chamdiem.platform.excel.form import write_form
    from chamdiem.platform.services.reports import person_form
    from chamdiem.platform.settings import Settings

    with database.session() as session:
        form = person_form(session, args.person, args.period, rules=args.rules, run_id=args.run_id)
        done = write_form(
            form,
            Path(args.out) if args.out else None,
            folder=Settings().data_dir / FORMS_FOLDER,
        )
    out.out(
        out.text(
            f"Đã ghi phiếu đánh giá của {done.code} (kỳ {done.period}, bộ tiêu chí "
            f"{done.ruleset}, lần chạy #{done.run_id}) vào {done.path}.",
            f"Wrote the evaluation form of {done.code} (period {done.period}, rule set "
            f"{done.ruleset}, run #{done.run_id}) to {done.path}.",
        )
    )
    return EXIT_OK


# ---------------------------------------------------------------- standalone


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m chamdiem.cli.reports template|report|form …`."""
    return standalone_main(register, dispatch, argv)


if __name__ == "__main__":
    sys.exit(main())
