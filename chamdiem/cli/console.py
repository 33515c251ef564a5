"""What every command module shares: output in the user's language, the `--lang` option, a
parser of one module's commands, the rule files named on a command line, and a data file's
problems shown.

A user's problem is a message on stderr (`WHERE: lỗi: …` / `WHERE: error: …`) and exit code 1,
never a traceback; what a command produces goes to stdout. The configured database is opened
by `chamdiem.cli.session`.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from chamdiem.cli.argparse_vi import install as install_argparse_words
from chamdiem.dsl.diagnostics import Diagnostic, Language, Text, render_all
from chamdiem.platform.i18n import language_in_argv, resolve_language, seconds_text

if TYPE_CHECKING:
    from chamdiem.platform.excel.problems import DataFileError
    from chamdiem.platform.settings import Settings

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_UNEXPECTED = 0, 1, 2, 3
LANG_HELP = Text("ngôn ngữ thông báo", "language of messages")
LANG_HELP_DEFAULT = Text(
    "ngôn ngữ thông báo (mặc định: CHAMDIEM_LANG, nếu không thì vi)",
    "language of messages (default: CHAMDIEM_LANG, else vi)",
)


class UsageError(Exception):
    """A command line that cannot be run as given (exit 2)."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


# ---------------------------------------------------------------- output and language


class Console:
    """Writes to the current sys.stdout / sys.stderr in the chosen language."""

    def __init__(self, language: Language) -> None:
        self.language = language
        # set by a Progress line on a terminal: wipe it (for good) before a line on stderr
        self.interrupt: Callable[[], None] | None = None

    def text(self, vi: str, en: str) -> str:
        return vi if self.language == "vi" else en

    def say(self, text: Text) -> None:
        """`text` in the chosen language on stdout."""
        self.out(text.in_(self.language))

    def out(self, line: str = "") -> None:
        print(line, file=sys.stdout)

    def err(self, line: str) -> None:
        if self.interrupt is not None:
            self.interrupt()
        print(line, file=sys.stderr)

    def error(self, where: str, message: Text) -> None:
        """`WHERE: lỗi: message` on stderr."""
        word = self.text("lỗi", "error")
        self.err(f"{where}: {word}: {message.in_(self.language)}")

    def diagnostics(self, diagnostics: Iterable[Diagnostic], source: str, path: str) -> str:
        """A rule file's diagnostics as the command line shows them: in Vietnamese the
        severity too (`lỗi:`, `cảnh báo:`), where the golden files keep `error:`."""
        return render_all(diagnostics, source, path, self.language, severity_words=True)

    def rule_errors(self, error: RuleErrors) -> str:
        """A rule file's errors (a RuleFileError or a FormatError), as `diagnostics`."""
        return self.diagnostics(error.diagnostics, error.source, error.path)


class RuleErrors(Protocol):
    """What a RuleFileError and a FormatError have in common."""

    path: str
    source: str
    diagnostics: list[Diagnostic]


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


PROGRESS_HELP = Text(
    "hiện tiến độ trên stderr cả khi stderr không phải màn hình (mặc định: chỉ khi là màn hình)",
    "show progress on stderr even when stderr is not a terminal (default: only on a terminal)",
)


def add_progress_option(parser: argparse.ArgumentParser, language: Language) -> None:
    """`--progress` on a command that may take more than a second or two."""
    parser.add_argument("--progress", action="store_true", help=PROGRESS_HELP.in_(language))


class Progress:
    """What a long command is doing and for how long, on stderr.

    On a terminal one line is redrawn every half second (`Đang đánh giá… 3,5 giây`) and wiped
    when the step ends; with `--progress` and stderr not a terminal (a log file), one line per
    step when it starts. Otherwise (a pipe, a test) nothing: stdout is never touched."""

    TICK = 0.5

    def __init__(self, console: Console, enabled: bool, redraw: bool) -> None:
        self.console = console
        self.enabled = enabled
        self.redraw = redraw
        self._lock = threading.Lock()

    @classmethod
    def for_args(cls, args: argparse.Namespace, console: Console) -> Progress:
        terminal = _stderr_is_terminal()
        asked = bool(getattr(args, "progress", False))
        verbose = bool(getattr(args, "verbose", False))  # says each stage itself
        return cls(console, enabled=(terminal or asked) and not verbose, redraw=terminal)

    @contextmanager
    def step(self, what: Text) -> Iterator[None]:
        """Say `what` is being done while the block runs."""
        if not self.enabled:
            yield
            return
        label = what.in_(self.console.language)
        if not self.redraw:
            self._write(f"{label}…\n")
            yield
            return
        started = time.perf_counter()
        stop = threading.Event()

        def draw() -> None:
            spent = seconds_text(time.perf_counter() - started, self.console.language)
            self._write(f"\r\x1b[K{label}… {spent}")

        def tick() -> None:
            while not stop.wait(self.TICK):
                draw()

        def wipe() -> None:  # for good: the step's own messages follow on stderr
            if not stop.is_set():
                stop.set()
                ticker.join()
                self._write("\r\x1b[K")

        draw()
        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        self.console.interrupt = wipe
        try:
            yield
        finally:
            self.console.interrupt = None
            wipe()

    def _write(self, text: str) -> None:
        with self._lock:
            try:
                sys.stderr.write(text)
                sys.stderr.flush()
            except (OSError, ValueError):
                pass


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def standalone_parser(
    register: Callable[[Any, Language], None], language: Language, *, lang_option: bool = True
) -> argparse.ArgumentParser:
    """A `chamdiem` parser with only one module's commands, for `python -m …`."""
    install_argparse_words(language)
    parser = argparse.ArgumentParser(prog="chamdiem")
    if lang_option:
        add_lang_option(parser, language, help=None)
    subparsers = parser.add_subparsers(
        dest="command", metavar=Console(language).text("LỆNH", "COMMAND")
    )
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


def show_file_problems(
    error: DataFileError, console: Console, summary: Callable[[int], Text]
) -> None:
    """A data file's problems, each with its sheet, row and column, then `summary` of how
    many there are (what was not done because of them)."""
    console.err(error.render(console.language))
    console.err(summary(len(error.problems) + error.omitted).in_(console.language))
