"""Small helpers for what the command line says, in Vietnamese or English; numbers, dates
and periods are formatted by `chamdiem.dsl.display`, shared with the web and Excel."""

from __future__ import annotations

from chamdiem.dsl import display
from chamdiem.dsl.diagnostics import Language, default_language


def resolve_language(flag: str | None) -> Language:
    """`--lang` when given, else CHAMDIEM_LANG, else Vietnamese."""
    if flag:
        return "en" if flag.lower().startswith("en") else "vi"
    return default_language()


def language_in_argv(argv: list[str]) -> Language:
    """The language asked for on a command line not parsed yet (for help texts)."""
    for index, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return resolve_language(arg.split("=", 1)[1])
        if arg == "--lang" and index + 1 < len(argv):
            return resolve_language(argv[index + 1])
    return default_language()


def count_text(n: int, language: Language) -> str:
    """30000 -> '30.000' in Vietnamese, '30,000' in English."""
    return display.count_text(n, language)


def seconds_text(seconds: float, language: Language) -> str:
    """1.234 -> '1,2 giây' / '1.2 s'."""
    return display.seconds_text(seconds, language)


def percent_text(part: int, whole: int, language: Language) -> str:
    """`part` of `whole`: (29, 200) -> '14,5%' / '14.5%'."""
    return display.share_text(part, whole, language)
