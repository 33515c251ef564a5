"""Small helpers for what the command line says, in Vietnamese or English."""

from __future__ import annotations

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
    text = f"{n:,}"
    return text.replace(",", ".") if language == "vi" else text


def seconds_text(seconds: float, language: Language) -> str:
    """1.234 -> '1,2 giây' / '1.2 s'."""
    text = f"{seconds:.1f}"
    return f"{text.replace('.', ',')} giây" if language == "vi" else f"{text} s"


def percent_text(part: int, whole: int, language: Language) -> str:
    value = f"{100 * part / whole:.1f}" if whole else "0.0"
    return f"{value.replace('.', ',')}%" if language == "vi" else f"{value}%"
