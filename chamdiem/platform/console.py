"""What every command module shares: output in the user's language, the `--lang` option, the
rule files named on a command line, and the configured database opened or a clear reason why
not.

A user's problem is a message on stderr (`WHERE: lỗi: …` / `WHERE: error: …`) and exit code 1,
never a traceback; what a command produces goes to stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.platform.i18n import language_in_argv, resolve_language

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL
    from sqlmodel import Session

    from chamdiem.platform.excel.problems import DataFileError
    from chamdiem.platform.settings import Settings

EXIT_OK, EXIT_USER, EXIT_USAGE = 0, 1, 2
LANG_HELP = Text("ngôn ngữ thông báo", "language of messages")
LANG_HELP_DEFAULT = Text(
    "ngôn ngữ thông báo (mặc định: CHAMDIEM_LANG, nếu không thì vi)",
    "language of messages (default: CHAMDIEM_LANG, else vi)",
)


# ---------------------------------------------------------------- output and language


class Console:
    """Writes to the current sys.stdout / sys.stderr in the chosen language."""

    def __init__(self, language: Language) -> None:
        self.language = language

    def text(self, vi: str, en: str) -> str:
        return vi if self.language == "vi" else en

    def say(self, text: Text) -> None:
        """`text` in the chosen language on stdout."""
        self.out(text.in_(self.language))

    def out(self, line: str = "") -> None:
        print(line, file=sys.stdout)

    def err(self, line: str) -> None:
        print(line, file=sys.stderr)

    def error(self, where: str, message: Text) -> None:
        """`WHERE: lỗi: message` on stderr."""
        word = self.text("lỗi", "error")
        self.err(f"{where}: {word}: {message.in_(self.language)}")


def command_language(args: argparse.Namespace, settings: Settings | None = None) -> Language:
    """`--lang` when given, else the settings' (CHAMDIEM_LANG or `.env`)."""
    flag = getattr(args, "lang", None)
    if flag:
        return resolve_language(flag)
    if settings is None:
        from chamdiem.platform.settings import Settings

        settings = Settings()
    return settings.lang


def add_lang_option(
    parser: argparse.ArgumentParser, language: Language, help: Text | None = LANG_HELP
) -> None:
    """`--lang vi|en` on a (sub)command's parser; absent from the namespace unless given, so
    that a `--lang` before the command is not overwritten by the subparser's default."""
    parser.add_argument(
        "--lang",
        choices=["vi", "en"],
        default=argparse.SUPPRESS,
        help=help.in_(language) if help is not None else None,
    )


def standalone_parser(
    register: Callable[[Any, Language], None], language: Language, *, lang_option: bool = True
) -> argparse.ArgumentParser:
    """A `chamdiem` parser with only one module's commands, for `python -m …`."""
    parser = argparse.ArgumentParser(prog="chamdiem")
    if lang_option:
        add_lang_option(parser, language, help=None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    register(subparsers, language)
    return parser


def parse_or_exit_code(
    parser: argparse.ArgumentParser, arguments: Sequence[str]
) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code of `--help` or of bad usage (argparse has
    printed why)."""
    try:
        return parser.parse_args(arguments)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE


def silence_stdout() -> None:
    """After the reader of our output went away (`| head`), stop Python from complaining
    about the unflushed rest at exit."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def standalone_main(
    register: Callable[[Any, Language], None],
    dispatch: Callable[[argparse.Namespace], int],
    argv: Sequence[str] | None,
) -> int:
    """`python -m chamdiem.platform.X …`: parse with only that module's commands, run one."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parse_or_exit_code(standalone_parser(register, language_in_argv(arguments)), arguments)
    return args if isinstance(args, int) else dispatch(args)


# ---------------------------------------------------------------- rule files


class Unreadable(Exception):
    """A text file that cannot be read; `code` is the diagnostic code `chamdiem check` gives
    (F001 cannot read, F002 not UTF-8)."""

    def __init__(self, message: Text, code: str = "F001") -> None:
        super().__init__(message.en)
        self.message = message
        self.code = code


def read_text(path: Path) -> str:
    """The file's text (UTF-8, with or without a byte-order mark)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise Unreadable(
            Text(f"không đọc được tệp: {exc.strerror}", f"cannot read the file: {exc.strerror}")
        ) from exc
    return decode_text(raw)


def decode_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise Unreadable(
            Text(
                f"tệp không phải mã UTF-8 (byte lạ ở dòng {line}); hãy lưu lại với mã UTF-8",
                f"the file is not UTF-8 (bad byte on line {line}); save it again as UTF-8",
            ),
            "F002",
        ) from exc


def rule_files(arguments: Sequence[str], console: Console) -> tuple[list[Path], int]:
    """The rule files named (a folder means every *.rules below it) and how many of the
    arguments named nothing usable (each reported)."""
    files: list[Path] = []
    missing = 0
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found = sorted(path.rglob("*.rules"))
            if not found:
                missing += 1
                console.error(
                    argument,
                    Text("thư mục không có tệp .rules nào", "the folder has no .rules files"),
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            missing += 1
            console.error(
                argument, Text("không tìm thấy tệp hoặc thư mục", "no such file or folder")
            )
    return files, missing


# ---------------------------------------------------------------- the database


class UserError(Exception):
    """A user's problem found by a command itself; `details` are extra lines for stderr."""

    def __init__(self, message: Text, details: Sequence[str] = ()) -> None:
        super().__init__(message.en)
        self.message = message
        self.details = list(details)


def shown_url(url: str | URL) -> str:
    """The database URL as said to the user: the password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def open_engine(url: str) -> Engine:
    """An engine for the configured URL, or a UserError saying why not."""
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


def not_created(where: str) -> UserError:
    from chamdiem.platform.db.migrate import not_created as not_created_text

    return UserError(not_created_text(where))


def require_current_schema(engine: Engine, where: str) -> None:
    """A UserError unless `chamdiem db upgrade` has brought the database up to date; `where`
    names the database in the message."""
    from chamdiem.platform.db.migrate import schema_problem

    problem = schema_problem(engine, where)
    if problem is not None:
        raise UserError(problem)


@contextmanager
def configured_engine(url: str, *, current: bool = True) -> Iterator[Engine]:
    """The configured database's engine (up to date unless `current` is False), disposed of
    afterwards; a UserError when it cannot be used."""
    engine = open_engine(url)
    try:
        if current:
            require_current_schema(engine, shown_url(engine.url))
        yield engine
    finally:
        engine.dispose()


@dataclass
class Database:
    """The configured database, opened on first use and never created on the way (a SQLite
    file that does not exist is reported, not made)."""

    url: str
    engine: Engine | None = None

    def shown(self) -> str:
        try:
            return shown_url(self.url)
        except Exception:  # an unparsable URL is reported by `open`
            return self.url

    def exists(self) -> bool:
        """False for a SQLite file not created yet (and then nothing is created)."""
        from sqlalchemy.engine import make_url

        try:
            parsed = make_url(self.url)
        except Exception:
            return True  # let `open` report it
        if parsed.get_backend_name() != "sqlite":
            return True
        database = parsed.database
        return not database or database == ":memory:" or Path(database).exists()

    def open(self) -> Engine:
        if self.engine is not None:
            return self.engine
        if not self.exists():
            raise not_created(self.shown())
        self.engine = open_engine(self.url)
        require_current_schema(self.engine, self.shown())
        return self.engine

    def session(self) -> Session:
        from chamdiem.platform.db.engine import open_session

        return open_session(self.open())

    def dispose(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def show_file_problems(
    error: DataFileError, console: Console, summary: Callable[[int], Text]
) -> None:
    """A data file's problems, each with its sheet, row and column, then `summary` of how
    many there are (what was not done because of them)."""
    console.err(error.render(console.language))
    console.err(summary(len(error.problems) + error.omitted).in_(console.language))


def user_problem(error: Exception, console: Console) -> int | None:
    """Print a user's problem and return its exit code; None for a bug (to be re-raised)."""
    from sqlalchemy.exc import OperationalError

    from chamdiem.platform.excel.problems import DataFileError
    from chamdiem.platform.services.errors import ServiceError

    if isinstance(error, UserError):
        console.error("chamdiem", error.message)
        for line in error.details:
            console.err(line)
        return EXIT_USER
    if isinstance(error, ServiceError):
        console.error("chamdiem", error.message)
        for text in error.details:
            console.err(text.in_(console.language))
        return EXIT_USER
    if isinstance(error, DataFileError):
        show_file_problems(
            error,
            console,
            lambda total: Text(
                f"Tệp có {total} lỗi; không lưu gì vào cơ sở dữ liệu.",
                f"The file has {total} problem(s); nothing was stored.",
            ),
        )
        return EXIT_USER
    if isinstance(error, OperationalError):
        detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        console.error(
            "chamdiem",
            Text(
                f"lỗi cơ sở dữ liệu (không kết nối được, bị khóa hoặc thiếu quyền?): {detail}",
                f"database error (cannot connect, locked, or no permission?): {detail}",
            ),
        )
        return EXIT_USER
    return None
