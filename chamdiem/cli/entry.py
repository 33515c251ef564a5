"""The `chamdiem` command: its parser, made of every command group's `register`, and `main`.

Everything it says goes through `Text(vi, en)` (`--lang`, else CHAMDIEM_LANG, else
Vietnamese), argparse's own words too (chamdiem.cli.argparse_vi): the language is read from the
command line before the parser is built. Exit codes: 0 ok, 1 a user's problem (bad rules, data
or tests), 2 usage, 3 an unexpected failure, shown as one line (with the traceback only when
CHAMDIEM_DEBUG=1).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import Any, NoReturn

from chamdiem.cli.argparse_vi import install as install_argparse_words
from chamdiem.cli.console import (
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    EXIT_USER,
    LANG_HELP_DEFAULT,
    Console,
    UsageError,
    add_lang_option,
    silence_stdout,
)
from chamdiem.dsl.catalogs import register_reader
from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.platform.i18n import language_in_argv, resolve_language

DEBUG_HINT = Text(
    "chạy lại với CHAMDIEM_DEBUG=1 để xem chi tiết", "run again with CHAMDIEM_DEBUG=1 for details"
)


class _Parser(argparse.ArgumentParser):
    """argparse with our exit code and a line in the user's language on bad usage."""

    language: Language = "vi"

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        word = "lỗi cách dùng" if self.language == "vi" else "usage error"
        self.exit(EXIT_USAGE, f"{self.prog}: {word}: {message}\n")


def build_parser(language: Language) -> argparse.ArgumentParser:
    """`chamdiem` and every command, in the order `--help` lists them."""
    from chamdiem.cli import database, demo, evaluate, national, reports, rules, versions, web

    install_argparse_words(language)
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
    commands: Any = parser.add_subparsers(
        dest="command", metavar=t("LỆNH", "COMMAND"), parser_class=_Parser
    )
    commands.required = True
    rules.register(commands, common, t)
    evaluate.register(commands, common, t, language)
    demo.register(commands, common, t)
    database.register(commands, language)
    national.register(commands, language)
    reports.register(commands, language)
    versions.register(commands, language=language)
    web.register(commands, language)
    return parser


# ---------------------------------------------------------------- entry point


def _xlsx_rows(path: Path) -> list[list[str]]:
    """Catalogue rows files in Excel, read by the platform (imported only when one is)."""
    from chamdiem.platform.excel.catalog_rows import read_xlsx_rows

    return read_xlsx_rows(path)


def main(argv: list[str] | None = None) -> int:
    register_reader(".xlsx", _xlsx_rows)
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
