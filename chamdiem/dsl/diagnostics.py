"""Diagnostics as data: what is wrong, where, and how to say it in Vietnamese or English.

Passes create `Diagnostic` values; `render` turns them into text of the form
`FILE:LINE:COL: error: message`, followed by the source line with the span underlined and
any hints. Rendering is separate from detection so the web pages can show the same data.
"""

from __future__ import annotations

import difflib
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from chamdiem.dsl.syntax import Span

Severity = Literal["error", "warning"]
Language = Literal["vi", "en"]


def default_language() -> Language:
    """Vietnamese unless CHAMDIEM_LANG says English."""
    return "en" if os.environ.get("CHAMDIEM_LANG", "vi").lower().startswith("en") else "vi"


@dataclass(frozen=True, slots=True)
class Text:
    """A message in both languages."""

    vi: str
    en: str

    def in_(self, language: Language) -> str:
        return self.vi if language == "vi" else self.en


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    code: str  # P… parse, E… check error, W… check warning
    message: Text
    span: Span | None
    hints: tuple[Text, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def error(code: str, span: Span | None, vi: str, en: str, *hints: Text) -> Diagnostic:
    return Diagnostic("error", code, Text(vi, en), span, hints)


def warning(code: str, span: Span | None, vi: str, en: str, *hints: Text) -> Diagnostic:
    return Diagnostic("warning", code, Text(vi, en), span, hints)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_key(diagnostic: Diagnostic) -> tuple[int, int, str]:
    span = diagnostic.span
    return (span.line if span else 0, span.column if span else 0, diagnostic.code)


# ---------------------------------------------------------------- suggestions


def fold(text: str) -> str:
    """Strip diacritics and case: 'Điểm_Thưởng' -> 'diem_thuong'."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d")


def closest_names(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """Known names closest to `name`, exact diacritic-insensitive matches first."""
    pool = sorted(set(candidates))
    folded = fold(name)
    exact = [c for c in pool if fold(c) == folded and c != name]
    by_fold = {fold(c): c for c in pool}
    near = difflib.get_close_matches(folded, list(by_fold), n=limit, cutoff=0.6)
    result = exact + [by_fold[f] for f in near if by_fold[f] not in exact and by_fold[f] != name]
    return result[:limit]


def did_you_mean(name: str, candidates: Iterable[str]) -> tuple[Text, ...]:
    names = closest_names(name, candidates)
    if not names:
        return ()
    listed = ", ".join(f"`{n}`" for n in names)
    return (Text(f"có phải ý bạn là {listed}?", f"did you mean {listed}?"),)


# ---------------------------------------------------------------- rendering


_SEVERITY_VI = {"error": "lỗi", "warning": "cảnh báo"}


def render(
    diagnostic: Diagnostic,
    source: str,
    path: str,
    language: Language | None = None,
    *,
    severity_words: bool = False,
) -> str:
    """`FILE:LINE:COL: error: message`, the source line, a caret underline and hints.

    The severity is the compiler-style `error`/`warning` (as the golden files keep it) unless
    `severity_words`: then it is in the language too (`lỗi`/`cảnh báo`), as the command line
    says it."""
    lang = language or default_language()
    span = diagnostic.span
    line_no, col = (span.line, span.column) if span else (1, 1)
    severity: str = diagnostic.severity
    if severity_words and lang == "vi":
        severity = _SEVERITY_VI[diagnostic.severity]
    head = f"{path}:{line_no}:{col}: {severity}: {diagnostic.message.in_(lang)}"
    out = [head]
    lines = source.splitlines()
    if span and 1 <= span.line <= len(lines):
        text = lines[span.line - 1].replace("\t", " ")
        end_col = span.end_column if span.end_line == span.line else len(text) + 1
        width = max(1, end_col - span.column)
        gutter = str(span.line)
        pad = " " * len(gutter)
        out.append(f" {gutter} | {text}")
        out.append(f" {pad} | {' ' * (span.column - 1)}{'^' * width}")
    hint_word = "gợi ý" if lang == "vi" else "hint"
    for hint in diagnostic.hints:
        out.append(f"   = {hint_word}: {hint.in_(lang)}")
    return "\n".join(out)


def render_all(
    diagnostics: Iterable[Diagnostic],
    source: str,
    path: str,
    language: Language | None = None,
    *,
    severity_words: bool = False,
) -> str:
    ordered = sorted(diagnostics, key=sort_key)
    return "\n".join(
        render(d, source, path, language, severity_words=severity_words) for d in ordered
    )


def summary(diagnostics: Iterable[Diagnostic], language: Language | None = None) -> str:
    items = list(diagnostics)
    errors = sum(1 for d in items if d.is_error)
    warnings = len(items) - errors
    if (language or default_language()) == "vi":
        return f"{errors} {_SEVERITY_VI['error']}, {warnings} {_SEVERITY_VI['warning']}"
    return f"{errors} error(s), {warnings} warning(s)"
