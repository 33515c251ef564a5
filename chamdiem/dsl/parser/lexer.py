"""The lark parser, built once (or loaded from grammar_cache.py), and lexing: comments and
unknown characters taken out, keywords recognised (also multi-word ones), literals checked.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import lark.lexer
from lark import Lark, Token
from lark.lexer import LexerThread

from chamdiem.dsl import grammar_cache, keywords
from chamdiem.dsl.diagnostics import Diagnostic, Text, error
from chamdiem.dsl.parser.spans import int_or_zero, sub_span, token_span
from chamdiem.dsl.syntax import (
    Comment,
)


def grammar_text() -> str:
    """The grammar, read from the package resource grammar.lark."""
    return resources.files("chamdiem.dsl").joinpath("grammar.lark").read_text(encoding="utf-8")


LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

# ---------------------------------------------------------------- the lark parser, built once

_BUILD_LOCK = threading.Lock()
_LARK: Lark | None = None
# What the parser's tables are built from, besides the grammar (and so part of the cache key).
_BUILD_OPTIONS: dict[str, object] = {
    "parser": "lalr",
    "lexer": "basic",
    "start": "item",
    "propagate_positions": True,
    "maybe_placeholders": True,
}


@dataclass
class _LexSink:
    """Where the lexer callbacks of the parse in progress put what they find."""

    comments: list[Comment] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)  # offsets of unknown characters


_SINK: ContextVar[_LexSink | None] = ContextVar("chamdiem_lex_sink", default=None)


def _on_comment(token: Token) -> Token:
    sink = _SINK.get()
    if sink is not None:
        sink.comments.append(Comment(str(token)[1:], token_span(token)))
    return token


def _on_bad_char(token: Token) -> Token:
    sink = _SINK.get()
    if sink is not None:
        sink.diagnostics.append(_unknown_character(token))
        sink.unknown.append(int_or_zero(token.start_pos))
    return token


def lark_parser() -> Lark:
    global _LARK
    if _LARK is None:
        with _BUILD_LOCK:
            if _LARK is None:
                # lark checks terminal regexes for collisions with interegular when it is
                # installed; that costs seconds per process and finds nothing that the strict
                # build in tests/dsl/test_grammar_strict.py has not already ruled out.
                saved = lark.lexer.has_interegular
                lark.lexer.has_interegular = False
                try:
                    # Loaded from the cache when it holds tables built from this very text
                    # (grammar_cache.py), else built and saved there.
                    grammar = grammar_text()
                    cache = grammar_cache.cache_file(grammar, _BUILD_OPTIONS, lark.__version__)
                    _LARK = Lark(
                        grammar,
                        cache=False if cache is None else str(cache),
                        lexer_callbacks={"COMMENT": _on_comment, "BAD_CHAR": _on_bad_char},
                        **_BUILD_OPTIONS,
                    )
                finally:
                    lark.lexer.has_interegular = saved
    return _LARK


# ---------------------------------------------------------------- lexing


def lex(
    text: str, comments: list[Comment], diagnostics: list[Diagnostic]
) -> tuple[list[Token], list[int]]:
    """The tokens the parser sees, and the offsets of the unknown characters left out."""
    sink = _LexSink()
    reset = _SINK.set(sink)
    try:
        thread: Any = LexerThread.from_text(lark_parser().parser.lexer, text)  # lex() is untyped
        tokens = list(thread.lex(None))
    finally:
        _SINK.reset(reset)
    comments.extend(sink.comments)
    diagnostics.extend(sink.diagnostics)
    tokens = _apply_keywords(tokens, text)
    for token in tokens:
        check_literal(token, diagnostics)
    return tokens, sink.unknown


_BLANKS = re.compile(r"[^\S\n]+")  # between the words of a multi-word keyword


def _apply_keywords(tokens: list[Token], text: str) -> list[Token]:
    """Turn each NAME, or run of NAMEs on one line separated only by spaces or tabs, that
    spells a keyword into the keyword's terminal (longest spelling first)."""
    result: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type != "NAME":
            result.append(token)
            index += 1
            continue
        word = str(token)
        for words, terminal in keywords.MULTI_WORD.get(word, ()):
            last = _follows(tokens, index, words, text)
            if last is not None:
                start = int_or_zero(token.start_pos)
                end = int_or_zero(last.end_pos)
                result.append(
                    Token(
                        terminal,
                        text[start:end],
                        start,
                        token.line,
                        token.column,
                        last.end_line,
                        last.end_column,
                        end,
                    )
                )
                index += len(words)
                break
        else:
            single = keywords.SINGLE_WORD.get(word)
            result.append(token if single is None else Token.new_borrow_pos(single, word, token))
            index += 1
    return result


def _follows(tokens: list[Token], index: int, words: tuple[str, ...], text: str) -> Token | None:
    """The last token of `words` spelled from tokens[index] on, or None."""
    if index + len(words) > len(tokens):
        return None
    for offset in range(1, len(words)):
        before, token = tokens[index + offset - 1], tokens[index + offset]
        if token.type != "NAME" or str(token) != words[offset]:
            return None
        if not _BLANKS.fullmatch(text, int_or_zero(before.end_pos), int_or_zero(token.start_pos)):
            return None
    return tokens[index + len(words) - 1]


_NUMBER = re.compile(r"([0-9]+(?:\.[0-9]+)?)(%?)")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_CLOSED_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_ESCAPE = re.compile(r"\\(.)")


def number_value(text: str) -> Decimal | None:
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    value = Decimal(match.group(1))
    return value.scaleb(-2) if match.group(2) else value  # exact: 25% is 0.25


def date_value(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def string_value(text: str) -> str:
    body = text[1:-1] if _CLOSED_STRING.fullmatch(text) else text[1:]
    return _ESCAPE.sub(lambda m: m.group(1) if m.group(1) in '"\\' else m.group(0), body)


def check_literal(token: Token, diagnostics: list[Diagnostic]) -> None:
    """Report badly written strings, numbers and dates, whether or not the parse succeeds."""
    kind = token.type
    if kind not in ("STRING", "NUMBER", "DATE"):
        return
    text = str(token)
    span = token_span(token)
    if kind == "STRING":
        if not _CLOSED_STRING.fullmatch(text):
            diagnostics.append(
                error(
                    "P003",
                    span,
                    'chuỗi chưa được đóng: thiếu dấu `"` trước cuối dòng',
                    'unterminated string: missing `"` before the end of the line',
                    Text(
                        "một chuỗi phải nằm trên một dòng",
                        "a string must fit on one line",
                    ),
                )
            )
        for match in _ESCAPE.finditer(text):
            if match.group(1) not in '"\\':
                diagnostics.append(
                    error(
                        "P007",
                        sub_span(token, match.start(), match.end()),
                        f"ký tự thoát không hợp lệ `{match.group(0)}` trong chuỗi",
                        f"invalid escape `{match.group(0)}` in a string",
                        Text(
                            'trong chuỗi chỉ dùng `\\"` (dấu nháy) và `\\\\` (gạch chéo ngược)',
                            'only `\\"` (a quote) and `\\\\` (a backslash) may be escaped',
                        ),
                    )
                )
    elif kind == "NUMBER" and number_value(text) is None:
        diagnostics.append(
            error(
                "P006",
                span,
                f"số không hợp lệ `{text}`",
                f"invalid number `{text}`",
                Text(
                    "viết số với dấu chấm thập phân (`0.5`), hoặc phần trăm (`25%`)",
                    "write a number with a decimal point (`0.5`), or a percent (`25%`)",
                ),
            )
        )
    elif kind == "DATE" and date_value(text) is None:
        if _DATE.fullmatch(text):
            vi, en = "không có ngày này trong lịch", "no such day in the calendar"
        else:
            vi, en = "viết ngày theo dạng YYYY-MM-DD", "write dates as YYYY-MM-DD"
        diagnostics.append(
            error(
                "P005",
                span,
                f"ngày không hợp lệ `{text}`: {vi}",
                f"invalid date `{text}`: {en}",
            )
        )


def _unknown_character(token: Token) -> Diagnostic:
    text = str(token)
    shown = ", ".join(_show_char(ch) for ch in text[:5]) + ("…" if len(text) > 5 else "")
    hints: list[Text] = []
    if any(ch in "“”„‟'‘’«»" for ch in text):
        hints.append(
            Text(
                "chuỗi viết giữa hai dấu nháy kép thẳng \"…\" (không dùng “…” hay '…')",
                "strings are written between straight double quotes \"…\" (not “…” or '…')",
            )
        )
    if "%" in text:
        hints.append(
            Text(
                "dấu `%` phải viết liền sau số: `25%`",
                "`%` must directly follow a number: `25%`",
            )
        )
    if "!" in text:
        hints.append(Text("khác nhau viết là `!=`", "not-equal is written `!=`"))
    return error(
        "P004",
        token_span(token),
        f"ký tự không hợp lệ {shown}",
        f"unknown character {shown}",
        *hints,
    )


def _show_char(ch: str) -> str:
    if ch.isprintable() and not unicodedata.combining(ch):
        return f"`{ch}`"
    return f"U+{ord(ch):04X}"
