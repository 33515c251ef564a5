"""The Excel-out commands:

    chamdiem template RULES -o FILE.xlsx [--units U …] [--period P]
        the input workbook of a rule set (a rule file, or a published rule set's name or
        hash), with the people of the chosen units (default: everyone) pre-filled from the
        database when there is one
    chamdiem report RUN -o FILE.xlsx
        the official workbook of a stored run: summary with charts, one sheet per unit, and
        where the results came from
    chamdiem form PERSON --period P [-o FILE.xlsx] [--rules R] [--run N]
        one person's evaluation form (phiếu đánh giá)

`register(subparsers, language)` adds them to the `chamdiem` parser; each sets
`run(args, console)` as cli.py's commands do. Settings (database, language, user) as for the
other platform commands. A user's problem (unknown run, person or period, a rule file with
errors, a database not created) is a message and exit code 1, and no file is written.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.platform.i18n import count_text, language_in_argv, resolve_language, seconds_text

if TYPE_CHECKING:
    from chamdiem.dsl.loader import Program
    from chamdiem.platform.excel.template import PeriodInfo, Prefill

EXIT_OK, EXIT_USER = 0, 1

__all__ = ["dispatch", "main", "register"]


class _Out:
    def __init__(self, language: Language) -> None:
        self.language = language

    def t(self, vi: str, en: str) -> str:
        return vi if self.language == "vi" else en

    def out(self, line: str) -> None:
        print(line, file=sys.stdout)

    def err(self, line: str) -> None:
        print(line, file=sys.stderr)

    def error(self, message: Text, where: str = "chamdiem") -> None:
        self.err(f"{where}: {self.t('lỗi', 'error')}: {message.in_(self.language)}")


class _UserError(Exception):
    def __init__(self, message: Text, details: Sequence[str] = ()) -> None:
        super().__init__(message.en)
        self.message = message
        self.details = list(details)


# ---------------------------------------------------------------- the parser


def register(subparsers: Any, language: Language | None = None) -> None:
    """Add `template`, `report` and `form` to `chamdiem`'s subparsers."""
    lang = language or language_in_argv(sys.argv[1:])

    def t(vi: str, en: str) -> str:
        return vi if lang == "vi" else en

    def command(name: str, vi: str, en: str, target: Callable[..., int]) -> Any:
        parser = subparsers.add_parser(name, help=t(vi, en), description=t(vi, en))
        parser.add_argument(
            "--lang",
            choices=["vi", "en"],
            default=argparse.SUPPRESS,
            help=t("ngôn ngữ thông báo", "language of messages"),
        )
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
    template.add_argument("-o", "--out", required=True, metavar=t("TỆP", "FILE"))
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
        "--period", metavar=t("KỲ", "PERIOD"), help=t("kỳ đánh giá", "evaluation period")
    )

    report = command(
        "report",
        "lập báo cáo Excel kết quả một lần chạy",
        "write the Excel report of a run",
        _report,
    )
    report.add_argument("run_id", type=int, metavar=t("LẦN_CHẠY", "RUN"))
    report.add_argument("-o", "--out", required=True, metavar=t("TỆP", "FILE"))

    form = command(
        "form",
        "lập phiếu đánh giá, xếp loại của một người",
        "write one person's evaluation form",
        _form,
    )
    form.add_argument("person", metavar=t("MÃ_NGƯỜI", "PERSON"))
    form.add_argument("--period", required=True, metavar=t("KỲ", "PERIOD"))
    form.add_argument(
        "-o",
        "--out",
        metavar=t("TỆP", "FILE"),
        help=t("mặc định: phieu_danh_gia_MÃ_KỲ.xlsx", "default: phieu_danh_gia_CODE_PERIOD.xlsx"),
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
    flag = getattr(args, "lang", None)
    out = _Out(resolve_language(flag) if flag else settings.lang)
    target: Callable[[argparse.Namespace, _Out, _Database], int] = args.report_command
    database = _Database(settings.database())
    try:
        return target(args, out, database)
    except _UserError as error:
        out.error(error.message)
        for line in error.details:
            out.err(line)
        return EXIT_USER
    except Exception as error:
        handled = _user_problem(error, out)
        if handled is None:
            raise
        return handled
    finally:
        database.dispose()


def _user_problem(error: Exception, out: _Out) -> int | None:
    """Print a user's problem and return its exit code; None for a bug (re-raised)."""
    from sqlalchemy.exc import OperationalError

    from chamdiem.platform.services.errors import ServiceError

    if isinstance(error, ServiceError):
        out.error(error.message)
        for line in error.details:
            out.err(line.in_(out.language))
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
    if isinstance(error, OSError):
        where = error.filename or ""
        out.error(
            Text(
                f"không ghi được tệp {where}: {error.strerror or error}",
                f"cannot write the file {where}: {error.strerror or error}",
            )
        )
        return EXIT_USER
    return None


@dataclass
class _Database:
    """The configured database, opened on first use."""

    url: str
    engine: Engine | None = None

    def shown(self) -> str:
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except Exception:  # an unparsable URL is reported by `open`
            return self.url

    def exists(self) -> bool:
        """False for a SQLite file not created yet (and then nothing is created)."""
        try:
            parsed = make_url(self.url)
        except Exception:
            return True  # let `open` report it
        if parsed.get_backend_name() != "sqlite":
            return True
        database = parsed.database
        return not database or database == ":memory:" or Path(database).exists()

    def open(self) -> Engine:
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        from chamdiem.platform.db.engine import make_engine
        from chamdiem.platform.db.migrate import current_revision, head_revision

        if self.engine is not None:
            return self.engine
        missing = Text(
            f"cơ sở dữ liệu {self.shown()} chưa tạo: chạy `chamdiem db upgrade` trước",
            f"the database {self.shown()} is not created: run `chamdiem db upgrade` first",
        )
        if not self.exists():
            raise _UserError(missing)
        try:
            engine = make_engine(self.url)
        except (ArgumentError, NoSuchModuleError, ValueError) as error:
            raise _UserError(
                Text(
                    f"CHAMDIEM_DATABASE_URL không hợp lệ ({error})",
                    f"invalid CHAMDIEM_DATABASE_URL ({error})",
                )
            ) from None
        self.engine = engine
        current = current_revision(engine)
        if current is None:
            raise _UserError(missing)
        if current != head_revision():
            raise _UserError(
                Text(
                    f"cơ sở dữ liệu {self.shown()} cũ: chạy `chamdiem db upgrade` trước",
                    f"the database {self.shown()} is out of date: run `chamdiem db upgrade` first",
                )
            )
        return engine

    def session(self) -> Session:
        from chamdiem.platform.db.engine import open_session

        return open_session(self.open())

    def dispose(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


# ---------------------------------------------------------------- template


def _template(args: argparse.Namespace, out: _Out, database: _Database) -> int:
    from chamdiem.platform.excel.template import PeriodInfo, write_template
    from chamdiem.platform.services.periods import parse_period_code

    started = time.perf_counter()
    period = None
    if args.period:
        parsed = parse_period_code(args.period)
        period = PeriodInfo(parsed.code, parsed.kind, parsed.start)
    path = Path(args.rules)
    is_file = path.is_file() or path.suffix == ".rules"
    program = _rule_file(path, out) if is_file else None
    if program is not None:
        _check_period_kind(program, period)
    prefill: list[Prefill] = []
    scope: str | None = None
    no_people: Text | None = None  # why no one is pre-filled
    if is_file and not args.units and not database.exists():
        no_people = Text("chưa có cơ sở dữ liệu", "there is no database yet")
    else:
        try:
            with database.session() as session:
                if program is None:
                    program = _published(session, args.rules, period)
                    _check_period_kind(program, period)
                prefill, scope = template_prefill(session, program.header.subject, args.units)
                session.commit()
        except _UserError as error:
            if not is_file or args.units:
                raise
            no_people = error.message  # a rule file needs no database
    assert program is not None
    header = program.header
    done = write_template(program, Path(args.out), prefill, period, scope)
    lang = out.language
    seconds = seconds_text(time.perf_counter() - started, lang)
    who = out.t("đơn vị", "unit(s)") if header.subject == "unit" else out.t("người", "people")
    sheets = ", ".join(done.item_sheets) or "—"
    out.out(
        out.t(
            f"Đã ghi mẫu nhập liệu {done.path}: bộ tiêu chí {header.name}, "
            f"{count_text(done.subjects, lang)} {who} điền sẵn, {done.inputs} cột dữ liệu, "
            f"trang danh sách: {sheets} ({seconds}).",
            f"Wrote the input template {done.path}: rule set {header.name}, "
            f"{count_text(done.subjects, lang)} {who} pre-filled, {done.inputs} input column(s), "
            f"item sheets: {sheets} ({seconds}).",
        )
    )
    if no_people is not None:
        out.err(out.t(f"Không điền sẵn ai: {no_people.vi}.", f"No one pre-filled: {no_people.en}."))
    elif not done.subjects:
        out.err(
            out.t(
                "Không điền sẵn ai: cơ sở dữ liệu chưa có người của các đơn vị đã chọn "
                "(nạp tổ chức bằng `chamdiem org load`).",
                "No one pre-filled: the database has no people in the chosen units "
                "(load the organisation with `chamdiem org load`).",
            )
        )
    return EXIT_OK


def _check_period_kind(program: Program, period: PeriodInfo | None) -> None:
    from chamdiem.platform.services.periods import KIND_TEXT

    header = program.header
    if period is not None and header.period != period.kind:
        rules_kind, period_kind = KIND_TEXT[header.period], KIND_TEXT[period.kind]
        raise _UserError(
            Text(
                f"bộ tiêu chí {header.name} đánh giá theo {rules_kind.vi}, còn kỳ {period.code} "
                f"là một {period_kind.vi}",
                f"rule set {header.name} is for {rules_kind.en} periods, but {period.code} is "
                f"a {period_kind.en}",
            )
        )


def _rule_file(path: Path, out: _Out) -> Program:
    from chamdiem.dsl.loader import RuleFileError, load_source

    try:
        raw = path.read_bytes()
    except OSError as error:
        raise _UserError(
            Text(
                f"{path}: không đọc được tệp quy tắc: {error.strerror}",
                f"{path}: cannot read the rule file: {error.strerror}",
            )
        ) from None
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _UserError(
            Text(f"{path}: tệp quy tắc không phải mã UTF-8", f"{path}: the rule file is not UTF-8")
        ) from None
    try:
        return load_source(source, str(path))
    except RuleFileError as error:
        raise _UserError(
            Text(
                f"{path}: tệp quy tắc có lỗi, không tạo mẫu",
                f"{path}: the rule file has errors; no template written",
            ),
            [error.render(out.language)],
        ) from None


def _published(session: Session, reference: str, period: PeriodInfo | None) -> Program:
    """A published rule set by name (the version in force at the period's start, else the
    latest) or by SHA-256 prefix (6 hex digits or more)."""
    from chamdiem.platform.db.models import RuleVersion
    from chamdiem.platform.services.rules import program_for

    versions = session.exec(
        select(RuleVersion)
        .where(RuleVersion.name == reference)
        .order_by(col(RuleVersion.effective_from).desc(), col(RuleVersion.id).desc())
    ).all()
    if period is not None:
        start = period.start
        in_force = [
            v
            for v in versions
            if v.effective_from <= start
            and (v.effective_until is None or v.effective_until >= start)
        ]
        versions = in_force or list(versions)
    lowered = reference.lower()
    if not versions and len(lowered) >= 6 and all(c in "0123456789abcdef" for c in lowered):
        versions = session.exec(
            select(RuleVersion).where(col(RuleVersion.sha256).startswith(lowered))
        ).all()
        if len(versions) > 1:
            raise _UserError(
                Text(
                    f"'{reference}' khớp với {len(versions)} phiên bản quy tắc; hãy viết dài hơn",
                    f"'{reference}' matches {len(versions)} rule versions; give more digits",
                )
            )
    if not versions:
        raise _UserError(
            Text(
                f"không có tệp quy tắc hay bộ tiêu chí đã công bố '{reference}'",
                f"no rule file or published rule set '{reference}'",
            )
        )
    return program_for(versions[0])


def template_prefill(
    session: Session, subject: str, wanted: Sequence[str] | None
) -> tuple[list[Prefill], str | None]:
    """The rows to pre-fill: the people of the units named and the units below them
    (everyone when none are named), or the units themselves for a rule set about units; and
    the names of the units asked for."""
    from chamdiem.platform.excel.template import Prefill
    from chamdiem.platform.report_queries import load_units, people_of, units_below

    units = load_units(session)
    codes = units_below(units, wanted) if wanted else None
    scope = None
    if wanted:
        named = [units[w].name if w in units else w for w in wanted]
        scope = ", ".join(named)
    if subject == "unit":
        chosen = sorted(code for code in units if codes is None or code in codes)
        return [Prefill(code, units[code].name, units[code].parent_code) for code in chosen], scope
    people = people_of(session, codes)
    return [
        Prefill(p.code, p.name, p.unit_code, p.unit_name, p.position, p.position_group, p.is_head)
        for p in people
    ], scope


# ---------------------------------------------------------------- report and form


def _report(args: argparse.Namespace, out: _Out, database: _Database) -> int:
    from chamdiem.platform.excel.report import write_report

    started = time.perf_counter()
    with database.session() as session:
        done = write_report(session, args.run_id, Path(args.out))
    lang = out.language
    seconds = seconds_text(time.perf_counter() - started, lang)
    out.out(
        out.t(
            f"Đã ghi báo cáo lần chạy #{done.run_id} vào {done.path}: "
            f"{count_text(done.subjects, lang)} người, {count_text(done.units, lang)} đơn vị "
            f"({seconds}).",
            f"Wrote the report of run #{done.run_id} to {done.path}: "
            f"{count_text(done.subjects, lang)} people, {count_text(done.units, lang)} unit(s) "
            f"({seconds}).",
        )
    )
    return EXIT_OK


def _form(args: argparse.Namespace, out: _Out, database: _Database) -> int:
    from chamdiem.platform.excel.form import write_form

    with database.session() as session:
        done = write_form(
            session,
            args.person,
            args.period,
            Path(args.out) if args.out else None,
            rules=args.rules,
            run_id=args.run_id,
        )
    out.out(
        out.t(
            f"Đã ghi phiếu đánh giá của {done.code} (kỳ {done.period}, bộ tiêu chí "
            f"{done.ruleset}, lần chạy #{done.run_id}) vào {done.path}.",
            f"Wrote the evaluation form of {done.code} (period {done.period}, rule set "
            f"{done.ruleset}, run #{done.run_id}) to {done.path}.",
        )
    )
    return EXIT_OK


# ---------------------------------------------------------------- standalone


def build_parser(language: Language) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chamdiem")
    parser.add_argument("--lang", choices=["vi", "en"], default=argparse.SUPPRESS)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    register(subparsers, language)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m chamdiem.platform.report_commands template|report|form …`."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser(language_in_argv(arguments)).parse_args(arguments)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    return dispatch(args)


if __name__ == "__main__":
    sys.exit(main())
