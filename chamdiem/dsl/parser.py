"""Parse a rule file into the syntax tree of syntax.py; every problem becomes a Diagnostic.

This is the only module that imports lark. The steps:

1. Normalise the text (drop a BOM, every line break to LF, Unicode NFC). Spans index into
   this text, so NFC and NFD input give the same tree and the same positions.
2. Lex the whole text once with lark's basic lexer. Comments and unknown characters are
   taken out by lexer callbacks. Words that spell a keyword (keywords.py; multi-word ones
   too) become that keyword's terminal, so keywords are reserved everywhere. Strings,
   numbers and dates are validated here, so their errors are reported even where the parse
   fails.
3. Cut the tokens at the keywords that can only start an item (ruleset, input, let, group,
   …) and parse each piece with the LALR parser, start rule `item`. A piece with a syntax
   error is reported and left out of the Module; inside it the parser resynchronises at
   keywords such as `criterion`, `given`, `expect` or `end` so that later errors in the same
   piece are reported too.
4. Turn each lark tree into the frozen nodes of syntax.py.

`parse` never raises: a failure inside the parser itself is reported as P999.
"""

from __future__ import annotations

import bisect
import difflib
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import resources
from itertools import pairwise
from typing import Any, Literal, cast

import lark.lexer
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedToken
from lark.lexer import LexerThread
from lark.parsers.lalr_analysis import Shift

from chamdiem.dsl import grammar_cache, keywords
from chamdiem.dsl.diagnostics import Diagnostic, Text, error, fold
from chamdiem.dsl.periods import Period, PeriodError
from chamdiem.dsl.syntax import (
    Attribute,
    Band,
    BandOp,
    BandRow,
    Binary,
    BinaryOp,
    Bool,
    Call,
    Comment,
    Conditional,
    Criterion,
    DateLit,
    Declaration,
    Exclusion,
    Expectation,
    Expr,
    Given,
    Grade,
    Grades,
    Group,
    GroupKind,
    HeaderClause,
    HeaderKey,
    Input,
    Items,
    Keyword,
    Let,
    ListLit,
    Module,
    Name,
    NotApplicable,
    Number,
    Param,
    ParamValue,
    Quota,
    RangeSpec,
    RankKey,
    RecordLit,
    Ruleset,
    Span,
    String,
    Test,
    TestSubject,
    Total,
    TypeKind,
    TypeSpec,
    Unary,
    Veto,
)

__all__ = ["grammar_text", "normalise", "parse", "tokens"]

# ---------------------------------------------------------------- public API


def parse(source: str, path: str = "<string>") -> tuple[Module, list[Diagnostic]]:
    """Parse a rule file. Returns the module (with every item that parsed cleanly) and the
    diagnostics, in source order. Never raises."""
    text = normalise(source)
    diagnostics: list[Diagnostic] = []
    comments: list[Comment] = []
    items: list[Ruleset | Declaration] = []
    try:
        found, unknown = _lex(text, comments, diagnostics)
        builder = _Builder(diagnostics)
        pieces = _split_items(found)
        for index, piece in enumerate(pieces):
            follower = pieces[index + 1][0] if index + 1 < len(pieces) else None
            tree = _parse_piece(piece, follower, unknown, text, diagnostics)
            if tree is None:
                continue
            try:
                items.append(builder.item(tree))
            except RecursionError:
                diagnostics.append(_too_deep(tree))
    except Exception as exc:  # a bug here must still give the user a message, not a traceback
        diagnostics.append(
            error(
                "P999",
                _span_at(text, len(text)),
                f"lỗi nội bộ của bộ phân tích cú pháp ({type(exc).__name__}); "
                "xin báo cho nhóm phát triển",
                f"internal parser error ({type(exc).__name__}); please report it",
            )
        )
    ruleset, declarations = _assemble(items, diagnostics)
    module = Module(path, text, ruleset, tuple(declarations), tuple(comments))
    diagnostics.sort(key=lambda d: (d.span.start if d.span else 0, d.code))
    return module, diagnostics


def tokens(source: str) -> list[tuple[str, str, Span]]:
    """The tokens the parser sees, as (terminal, text, span) over the normalised text:
    keywords carry their terminal name from keywords.py (`_AT_MOST` for `tối đa là`),
    comments, blanks and unknown characters are left out. For highlighting and tests."""
    text = normalise(source)
    found, _unknown = _lex(text, [], [])
    return [(token.type, str(token), _token_span(token)) for token in found]


def tokens_with_comments(source: str) -> list[tuple[str, str, Span]]:
    """`tokens(source)` and the comments among them (terminal COMMENT, text with its '#'),
    in the order of the text. For the highlighter of the web pages."""
    text = normalise(source)
    comments: list[Comment] = []
    found, _unknown = _lex(text, comments, [])
    pieces = [(token.type, str(token), _token_span(token)) for token in found]
    pieces.extend(("COMMENT", "#" + comment.text, comment.span) for comment in comments)
    return sorted(pieces, key=lambda piece: piece[2].start)


def normalise(source: str) -> str:
    """Drop a leading BOM, turn every line break into LF (CRLF, CR and the other breaks that
    str.splitlines knows, so that line numbers agree everywhere) and normalise to NFC."""
    text = source[1:] if source.startswith("\ufeff") else source
    text = _LINE_BREAKS.sub("\n", text)
    return unicodedata.normalize("NFC", text)


def grammar_text() -> str:
    """The grammar, read from the package resource grammar.lark."""
    return resources.files("chamdiem.dsl").joinpath("grammar.lark").read_text(encoding="utf-8")


_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

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
        sink.comments.append(Comment(str(token)[1:], _token_span(token)))
    return token


def _on_bad_char(token: Token) -> Token:
    sink = _SINK.get()
    if sink is not None:
        sink.diagnostics.append(_unknown_character(token))
        sink.unknown.append(_int(token.start_pos))
    return token


def _lark() -> Lark:
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


def _lex(
    text: str, comments: list[Comment], diagnostics: list[Diagnostic]
) -> tuple[list[Token], list[int]]:
    """The tokens the parser sees, and the offsets of the unknown characters left out."""
    sink = _LexSink()
    reset = _SINK.set(sink)
    try:
        thread: Any = LexerThread.from_text(_lark().parser.lexer, text)  # lex() is untyped
        tokens = list(thread.lex(None))
    finally:
        _SINK.reset(reset)
    comments.extend(sink.comments)
    diagnostics.extend(sink.diagnostics)
    tokens = _apply_keywords(tokens, text)
    for token in tokens:
        _check_literal(token, diagnostics)
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
                start = _int(token.start_pos)
                end = _int(last.end_pos)
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
        if not _BLANKS.fullmatch(text, _int(before.end_pos), _int(token.start_pos)):
            return None
    return tokens[index + len(words) - 1]


_NUMBER = re.compile(r"([0-9]+(?:\.[0-9]+)?)(%?)")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_CLOSED_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_ESCAPE = re.compile(r"\\(.)")


def _number_value(text: str) -> Decimal | None:
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    value = Decimal(match.group(1))
    return value.scaleb(-2) if match.group(2) else value  # exact: 25% is 0.25


def _date_value(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _string_value(text: str) -> str:
    body = text[1:-1] if _CLOSED_STRING.fullmatch(text) else text[1:]
    return _ESCAPE.sub(lambda m: m.group(1) if m.group(1) in '"\\' else m.group(0), body)


def _check_literal(token: Token, diagnostics: list[Diagnostic]) -> None:
    """Report badly written strings, numbers and dates, whether or not the parse succeeds."""
    kind = token.type
    if kind not in ("STRING", "NUMBER", "DATE"):
        return
    text = str(token)
    span = _token_span(token)
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
                        _sub_span(token, match.start(), match.end()),
                        f"ký tự thoát không hợp lệ `{match.group(0)}` trong chuỗi",
                        f"invalid escape `{match.group(0)}` in a string",
                        Text(
                            'trong chuỗi chỉ dùng `\\"` (dấu nháy) và `\\\\` (gạch chéo ngược)',
                            'only `\\"` (a quote) and `\\\\` (a backslash) may be escaped',
                        ),
                    )
                )
    elif kind == "NUMBER" and _number_value(text) is None:
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
    elif kind == "DATE" and _date_value(text) is None:
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
        _token_span(token),
        f"ký tự không hợp lệ {shown}",
        f"unknown character {shown}",
        *hints,
    )


def _show_char(ch: str) -> str:
    if ch.isprintable() and not unicodedata.combining(ch):
        return f"`{ch}`"
    return f"U+{ord(ch):04X}"


# ---------------------------------------------------------------- cutting and parsing items

# `total = …` starts an item only right after a token that can end one; elsewhere it is a
# test expectation (`expect total = 96`) or a mistake inside an item (`when total = 90`).
_ITEM_END = frozenset(
    {
        "_END",
        "NAME",
        "NUMBER",
        "STRING",
        "DATE",
        "_RPAR",
        "_RSQB",
        "_RBRACE",
        "TRUE",
        "FALSE",
        "NOT_APPLICABLE",
        "TOTAL",
        "GRADE",
        "NUMBER_TYPE",
        "COUNT_TYPE",
        "PERCENT_TYPE",
        "BOOL_TYPE",
        "TEXT_TYPE",
        "DATE_TYPE",
    }
)

# Tokens at which the parser may pick up again after a syntax error inside an item.
_SYNC = frozenset(
    {
        "_END",
        "_CRITERION",
        "_GIVEN",
        "_EXPECT",
        "_SUBJECT",
        "_PERIOD",
        "_EFFECTIVE",
        "_UNTIL",
        "_BASIS",
        "_PRECISION",
        "_SCALE",
        "_NEEDS",
        "_PER",
        "_RANK_BY",
        "_DEMOTE_TO",
    }
)


def _split_items(tokens: Sequence[Token]) -> list[list[Token]]:
    pieces: list[list[Token]] = []
    for index, token in enumerate(tokens):
        if not pieces or _starts_item(tokens, index):
            pieces.append([token])
        else:
            pieces[-1].append(token)
    return pieces


def _starts_item(tokens: Sequence[Token], index: int) -> bool:
    kind = tokens[index].type
    if kind in keywords.ITEM_START_TERMINALS:
        return True
    if kind == "TOTAL" and index + 1 < len(tokens) and tokens[index + 1].type == "_EQ":
        return index == 0 or tokens[index - 1].type in _ITEM_END
    return False


def _parse_piece(
    piece: list[Token],
    follower: Token | None,
    unknown: list[int],
    text: str,
    diagnostics: list[Diagnostic],
) -> Tree[Token] | None:
    """Parse one item. Returns its tree, or None after reporting its syntax errors.

    An error right after an unknown character is not reported: the character is (`a @ b`)."""
    interactive = _lark().parse_interactive(start="item")
    state = interactive.parser_state
    table = state.parse_conf.states
    end_state = state.parse_conf.end_state
    last = piece[-1]
    eof = Token(
        "$END",
        "",
        last.end_pos,
        last.end_line,
        last.end_column,
        last.end_line,
        last.end_column,
        last.end_pos,
    )
    stream = [*piece, eof]
    failed = False
    quiet_until = 0  # just after a resynchronisation, errors are usually echoes: keep quiet
    result: object = None
    index = 0
    while index < len(stream):
        token = stream[index]
        before = list(state.state_stack)
        try:
            result = state.feed_token(token, token.type == "$END")
        except UnexpectedToken:
            failed = True
            culprit = follower if token is eof and follower is not None else token
            previous_end = _int(stream[index - 1].end_pos) if index else _int(culprit.start_pos)
            if index >= quiet_until and not _any_between(
                unknown, previous_end, _int(culprit.start_pos)
            ):
                expected = _acceptable(before, table, end_state)
                diagnostics.append(_unexpected(token, follower, expected, text))
            resumed = _resynchronise(state, stream, index, table)
            if resumed is None:
                break
            state, index = resumed
            quiet_until = index + 2
            continue
        index += 1
    if failed or not isinstance(result, Tree):
        return None
    return cast("Tree[Token]", result)


def _any_between(offsets: list[int], start: int, end: int) -> bool:
    """Whether a sorted list of offsets has one in [start, end)."""
    index = bisect.bisect_left(offsets, start)
    return index < len(offsets) and offsets[index] < end


def _resynchronise(
    state: Any, stream: list[Token], index: int, table: dict[Any, dict[str, Any]]
) -> tuple[Any, int] | None:
    """Panic mode: find a later sync token that some enclosing construct accepts, pop the
    parser stack back to that construct and go on from there."""
    for position in range(index, len(stream) - 1):
        token = stream[position]
        if token.type not in _SYNC:
            continue
        candidate = state.copy(deepcopy_values=False)
        while len(candidate.state_stack) > 1 and token.type not in table[candidate.position]:
            candidate.state_stack.pop()
            candidate.value_stack.pop()
        if token.type not in table[candidate.position]:
            continue
        try:
            candidate.feed_token(token)
        except UnexpectedToken:
            continue
        return candidate, position + 1
    return None


def _acceptable(stack: list[Any], table: dict[Any, dict[str, Any]], end_state: Any) -> set[str]:
    """The terminals that the parser in this stack of states would really accept (LALR
    tables may list more, because reductions are decided on merged lookaheads)."""
    accepted = set()
    for terminal in table[stack[-1]]:
        # Terminal names are upper case ("$END" too); rule names are lower case.
        if terminal.isupper() and _would_shift(list(stack), terminal, table, end_state):
            accepted.add(terminal)
    return accepted


def _would_shift(
    stack: list[Any], terminal: str, table: dict[Any, dict[str, Any]], end_state: Any
) -> bool:
    while True:
        action = table[stack[-1]].get(terminal)
        if action is None:
            return False
        kind, argument = action
        if kind is Shift:
            return True
        size = len(argument.expansion)
        if size:
            del stack[-size:]
        stack.append(table[stack[-1]][argument.origin.name][1])
        if terminal == "$END" and stack[-1] == end_state:
            return True


# ---------------------------------------------------------------- syntax error messages

_EXPRESSION_START = frozenset(
    {
        "NAME",
        "NUMBER",
        "STRING",
        "DATE",
        "TRUE",
        "FALSE",
        "NOT_APPLICABLE",
        "TOTAL",
        "GRADE",
        "MAX",
        "COUNT_TYPE",
        "_LPAR",
        "_LSQB",
        "_LBRACE",
        "_BAND",
        "MINUS",
        "NOT",
        "_IF",
    }
)
_OPERATORS = frozenset(
    {
        "PLUS",
        "MINUS",
        "STAR",
        "SLASH",
        "EQEQ",
        "NE",
        "LT",
        "LE",
        "GT",
        "GE",
        "AND",
        "OR",
        "_DOT",
        "_LPAR",
        "WHERE",
    }
)
# Expected tokens are listed as: kinds of token, keywords, punctuation, end of the item.
_ORDER: dict[str, int] = {}
for _name in [
    "NAME",
    "NUMBER",
    "STRING",
    "DATE",
    *(k.terminal for k in keywords.KEYWORDS),
    *keywords.OTHER_TOKENS,
    "$END",
]:
    _ORDER.setdefault(_name, len(_ORDER))


def _unexpected(token: Token, follower: Token | None, expected: set[str], text: str) -> Diagnostic:
    wanted_vi, wanted_en = _describe_expected(expected)
    if token.type == "$END" and follower is None:
        return error(
            "P002",
            _token_span(token),
            f"tệp kết thúc khi khai báo chưa xong; cần {wanted_vi}",
            f"unexpected end of file; expected {wanted_en}",
        )
    if token.type == "$END" and follower is not None:
        token = follower  # the piece ended because the next item began
    shown = _show_token(token)
    hints: list[Text] = []
    if (
        token.type in keywords.BY_TERMINAL
        and "NAME" in expected
        and not _expression_expected(expected)
    ):
        hints.append(
            Text(
                f"{shown} là từ khoá, không dùng làm tên được; hãy chọn tên khác",
                f"{shown} is a keyword and cannot be used as a name; choose another name",
            )
        )
    if token.type == "NAME":
        hints.extend(_misspelt_keyword(token, expected, text))
    if token.type == "_EQ" and "EQEQ" in expected:
        hints.append(Text("so sánh bằng viết là `==`", "equality is written `==`"))
    if token.type == "STRING" and "NAME" in expected and "STRING" not in expected:
        hints.append(
            Text(
                "tên viết không có dấu nháy; dấu nháy dành cho nhãn và chuỗi",
                "names are written without quotes; quotes are for labels and strings",
            )
        )
    return error(
        "P001",
        _token_span(token),
        f"không mong đợi {shown} ở đây; cần {wanted_vi}",
        f"unexpected {shown} here; expected {wanted_en}",
        *hints,
    )


_WORDS = re.compile(r"\w+(?:[^\S\n]+\w+){0,3}")


def _misspelt_keyword(token: Token, expected: set[str], text: str) -> tuple[Text, ...]:
    """A hint for a keyword written without its diacritics (`ca nhan`, `tieu chi`) or
    misspelt (`quaterly`), among the keywords expected here."""
    spellings = [
        spelling
        for terminal in sorted(expected, key=lambda t: _ORDER.get(t, len(_ORDER)))
        if terminal in keywords.BY_TERMINAL
        for spelling in keywords.BY_TERMINAL[terminal].spellings
    ]
    if not spellings:
        return ()
    match = _WORDS.match(text, _int(token.start_pos))
    words = match.group(0).split() if match else [str(token)]
    for spelling in spellings:
        count = len(spelling.split())
        if len(words) >= count and fold(" ".join(words[:count])) == _FOLDED[spelling]:
            return (
                Text(
                    f"có phải ý bạn là `{spelling}`? (từ khoá phải viết đủ dấu)",
                    f"did you mean `{spelling}`? (keywords are written with their diacritics)",
                ),
            )
    close = difflib.get_close_matches(fold(str(token)), [_FOLDED[s] for s in spellings], n=1)
    for spelling in spellings:
        if close and _FOLDED[spelling] == close[0]:
            return (Text(f"có phải ý bạn là `{spelling}`?", f"did you mean `{spelling}`?"),)
    return ()


_FOLDED = {spelling: fold(spelling) for k in keywords.KEYWORDS for spelling in k.spellings}


def _show_token(token: Token) -> str:
    text = str(token)
    if len(text) > 30:
        text = text[:29] + "…"
    return f"`{text}`"


def _expression_expected(expected: set[str]) -> bool:
    return {"NAME", "NUMBER", "_LPAR"} <= expected


def _describe_expected(expected: set[str]) -> tuple[str, str]:
    vi: list[str] = []
    en: list[str] = []
    rest = set(expected)
    if _expression_expected(rest):
        rest -= _EXPRESSION_START
        vi.append("một biểu thức")
        en.append("an expression")
    if len(rest & _OPERATORS) >= 4:
        rest -= _OPERATORS
        vi.append("một phép toán (+ - * / == < và …)")
        en.append("an operator (+ - * / == < and …)")
    for terminal in sorted(rest, key=lambda t: (_ORDER.get(t, len(_ORDER)), t)):
        v, e = keywords.describe(terminal)
        vi.append(v)
        en.append(e)
    if not vi:
        return "gì khác", "something else"
    if len(vi) > 8:
        vi, en = [*vi[:8], "…"], [*en[:8], "…"]
    if len(vi) == 1:
        return vi[0], en[0]
    return "một trong: " + ", ".join(vi), "one of: " + ", ".join(en)


def _too_deep(tree: Tree[Token]) -> Diagnostic:
    span = _tree_span(tree)
    return error(
        "P013",
        Span(span.line, span.column, span.line, span.column, span.start, span.start),
        "khai báo này lồng nhau quá sâu (quá nhiều dấu ngoặc hoặc biểu thức lồng nhau)",
        "this declaration is nested too deeply (too many nested parentheses or expressions)",
        Text(
            "hãy tách biểu thức thành nhiều `đặt` (let)",
            "split the expression into several `let` declarations",
        ),
    )


# ---------------------------------------------------------------- spans


def _token_span(token: Token) -> Span:
    return Span(
        _int(token.line),
        _int(token.column),
        _int(token.end_line),
        _int(token.end_column),
        _int(token.start_pos),
        _int(token.end_pos),
    )


def _sub_span(token: Token, start: int, end: int) -> Span:
    """A part of a one-line token, by offsets within its text."""
    base = _int(token.start_pos)
    column = _int(token.column)
    line = _int(token.line)
    return Span(line, column + start, line, column + end, base + start, base + end)


def _tree_span(tree: Tree[Token]) -> Span:
    meta = tree.meta
    return Span(
        meta.line, meta.column, meta.end_line, meta.end_column, meta.start_pos, meta.end_pos
    )


def _span_at(text: str, offset: int) -> Span:
    """An empty span at a character offset (for errors not tied to a token)."""
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return Span(line, column, line, column, offset, offset)


def _int(value: int | None) -> int:
    return value if value is not None else 0


# ---------------------------------------------------------------- assembling the module


def _assemble(
    items: list[Ruleset | Declaration], diagnostics: list[Diagnostic]
) -> tuple[Ruleset | None, list[Declaration]]:
    ruleset: Ruleset | None = None
    declarations: list[Declaration] = []
    for item in items:
        if not isinstance(item, Ruleset):
            declarations.append(item)
        elif ruleset is None:
            ruleset = item
        else:
            diagnostics.append(
                error(
                    "P008",
                    item.name_span,
                    "mỗi tệp chỉ có một khai báo `bộ tiêu chí`",
                    "a file holds exactly one `ruleset` header",
                    Text(
                        f"khai báo đầu tiên là `{ruleset.name}` (dòng {ruleset.span.line})",
                        f"the first one is `{ruleset.name}` (line {ruleset.span.line})",
                    ),
                )
            )
    return ruleset, declarations


# ---------------------------------------------------------------- lark tree -> syntax tree

_Child = Tree[Token] | Token | None


def _children(tree: Tree[Token]) -> list[_Child]:
    return cast("list[_Child]", list(tree.children))


def _tok(child: _Child) -> Token:
    if not isinstance(child, Token):
        raise TypeError(f"expected a token, found {child!r}")
    return child


def _tree(child: _Child) -> Tree[Token]:
    if not isinstance(child, Tree):
        raise TypeError(f"expected a tree, found {child!r}")
    return child


def _label(child: _Child) -> str | None:
    return None if child is None else _string_value(str(_tok(child)))


_TYPE_KINDS = {
    terminal: cast(TypeKind, kind)
    for kind, terminal in keywords.TYPE_TERMINALS.items()
    if kind != "enum"  # `one of` is followed by its choices: a rule of its own
}
_GROUP_KINDS: dict[str, GroupKind] = {"GROUP": "group", "BONUS": "bonus", "PENALTY": "penalty"}
_BINARY_OPS: dict[str, BinaryOp] = {
    "PLUS": "+",
    "MINUS": "-",
    "STAR": "*",
    "SLASH": "/",
    "EQEQ": "==",
    "NE": "!=",
    "LT": "<",
    "LE": "<=",
    "GT": ">",
    "GE": ">=",
    "AND": "and",
    "OR": "or",
}
_BAND_OPS: dict[str, BandOp] = {"GE": ">=", "GT": ">", "LE": "<=", "LT": "<"}
# Keywords that also serve as names: `total`, `grade` in expressions, `unit` as a grouping
# key or a test given, `max`/`count` as functions. Their English spelling is the name.
_KEYWORD_NAMES = {
    "TOTAL": "total",
    "GRADE": "grade",
    "UNIT": "unit",
    "MAX": "max",
    "COUNT_TYPE": "count",
}


def _name_of(token: Token) -> str:
    return _KEYWORD_NAMES.get(token.type, str(token))


class _Builder:
    """Builds syntax nodes from the lark tree of one item. Reports what the grammar cannot
    say (argument order, whole-number precision, repeated header clauses)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        self._expressions: dict[str, Callable[[Tree[Token]], Expr]] = {
            "conditional": self._conditional,
            "binary": self._binary,
            "unary": self._unary,
            "attribute": self._attribute,
            "call": self._call,
            "number": self._number_atom,
            "string": self._string_atom,
            "date": self._date_atom,
            "boolean": self._boolean,
            "not_applicable": lambda t: NotApplicable(_tree_span(t)),
            "name": self._name_atom,
            "list": self._list,
            "record": self._record,
            "band": self._band,
        }

    def report(self, code: str, span: Span, vi: str, en: str, *hints: Text) -> None:
        self.diagnostics.append(error(code, span, vi, en, *hints))

    # ------------------------------------------------------------ items

    def item(self, tree: Tree[Token]) -> Ruleset | Declaration:
        (node,) = _children(tree)
        node = _tree(node)
        builders: dict[str, Callable[[Tree[Token]], Ruleset | Declaration]] = {
            "ruleset": self._ruleset,
            "input_decl": self._input_decl,
            "items_decl": self._items_decl,
            "param_decl": self._param_decl,
            "let_decl": self._let_decl,
            "group_decl": self._group_decl,
            "total_decl": self._total_decl,
            "grades_decl": self._grades_decl,
            "veto_decl": self._veto_decl,
            "exclude_decl": self._exclude_decl,
            "quota_decl": self._quota_decl,
            "test_decl": self._test_decl,
        }
        return builders[str(node.data)](node)

    def _ruleset(self, tree: Tree[Token]) -> Ruleset:
        name, title, *clause_trees = _children(tree)
        clauses: list[HeaderClause] = []
        seen: dict[HeaderKey, HeaderClause] = {}
        for child in clause_trees:
            clause = self._clause(_tree(child))
            earlier = seen.get(clause.key)
            if earlier is not None:
                self.report(
                    "P009",
                    clause.span,
                    f"mục `{clause.key}` của bộ tiêu chí đã khai báo ở dòng {earlier.span.line}",
                    f"the ruleset's `{clause.key}` is already given on line {earlier.span.line}",
                )
            seen[clause.key] = clause
            clauses.append(clause)
        name_token = _tok(name)
        return Ruleset(
            str(name_token),
            _string_value(str(_tok(title))),
            tuple(clauses),
            _tree_span(tree),
            _token_span(name_token),
        )

    def _clause(self, tree: Tree[Token]) -> HeaderClause:
        kind = str(tree.data)
        kids = _children(tree)
        span = _tree_span(tree)
        if kind == "clause_subject":
            return HeaderClause("subject", str(_tok(kids[0]).type).lower(), span)
        if kind == "clause_period":
            return HeaderClause("period", str(_tok(kids[0]).type).lower(), span)
        if kind in ("clause_effective", "clause_until"):
            key: HeaderKey = "effective" if kind == "clause_effective" else "until"
            return HeaderClause(key, self._date(_tok(kids[0])), span)
        if kind == "clause_basis":
            return HeaderClause("basis", _string_value(str(_tok(kids[0]))), span)
        if kind == "clause_precision":
            token = _tok(kids[0])
            if not str(token).isdigit():
                self.report(
                    "P010",
                    _token_span(token),
                    f"`làm tròn` cần một số nguyên chữ số thập phân, không phải `{token}`",
                    f"`precision` needs a whole number of decimal places, not `{token}`",
                )
                return HeaderClause("precision", 2, span)
            return HeaderClause("precision", int(str(token)), span)
        if kind == "clause_scale":
            return HeaderClause("scale", self._number(_tok(kids[0])).value, span)
        if kind == "clause_applies":
            return HeaderClause("applies", self.expr(kids[0]), span)
        names = tuple(str(_tok(child)) for child in kids)
        return HeaderClause("needs", names, span)

    def _input_decl(self, tree: Tree[Token]) -> Input:
        (field_tree,) = _children(tree)
        return self._field(_tree(field_tree), _tree_span(tree))

    def _field(self, tree: Tree[Token], span: Span | None = None) -> Input:
        name, type_tree, range_tree, default, label = _children(tree)
        name_token = _tok(name)
        return Input(
            str(name_token),
            self._type(_tree(type_tree)),
            None if range_tree is None else self._range(_tree(range_tree)),
            None if default is None else self.expr(default),
            _label(label),
            span or _tree_span(tree),
            _token_span(name_token),
        )

    def _type(self, tree: Tree[Token]) -> TypeSpec:
        kids = _children(tree)
        if tree.data == "enum_type":
            choices = tuple(_string_value(str(_tok(child))) for child in kids)
            return TypeSpec("enum", choices, _tree_span(tree))
        return TypeSpec(_TYPE_KINDS[_tok(kids[0]).type], (), _tree_span(tree))

    def _range(self, tree: Tree[Token]) -> RangeSpec:
        kids = _children(tree)
        span = _tree_span(tree)
        if tree.data == "range_between":
            low = self._signed_number(_tree(kids[0]))
            high = self._signed_number(_tree(kids[1]))
            return RangeSpec(low, False, high, False, span)
        op = _tok(kids[0]).type
        bound = self._signed_number(_tree(kids[1]))
        if op in ("GT", "GE"):
            return RangeSpec(bound, op == "GT", None, False, span)
        return RangeSpec(None, False, bound, op == "LT", span)

    def _signed_number(self, tree: Tree[Token]) -> Number:
        minus, number = _children(tree)
        literal = self._number(_tok(number))
        if minus is None:
            return literal
        return Number(-literal.value, "-" + literal.text, literal.percent, _tree_span(tree))

    def _items_decl(self, tree: Tree[Token]) -> Items:
        name, label, *fields = _children(tree)
        name_token = _tok(name)
        return Items(
            str(name_token),
            _label(label),
            tuple(self._field(_tree(child)) for child in fields),
            _tree_span(tree),
            _token_span(name_token),
        )

    def _param_decl(self, tree: Tree[Token]) -> Param:
        name, *value_trees, label = _children(tree)
        name_token = _tok(name)
        values: list[ParamValue] = []
        for child in value_trees:
            value_tree = _tree(child)
            expr, since = _children(value_tree)
            values.append(
                ParamValue(
                    self.expr(expr),
                    None if since is None else self._date(_tok(since)),
                    _tree_span(value_tree),
                )
            )
        if len(values) > 1:
            for value in values:
                if value.since is None:
                    self.report(
                        "P012",
                        value.span,
                        "tham số có nhiều giá trị: mỗi giá trị cần `từ NGÀY`",
                        "a param with several values needs `from DATE` after each value",
                    )
        return Param(
            str(name_token),
            tuple(values),
            _label(label),
            _tree_span(tree),
            _token_span(name_token),
        )

    def _let_decl(self, tree: Tree[Token]) -> Let:
        name, expr = _children(tree)
        name_token = _tok(name)
        return Let(str(name_token), self.expr(expr), _tree_span(tree), _token_span(name_token))

    def _group_decl(self, tree: Tree[Token]) -> Group:
        kind, name, label, _max, maximum, rescale, *criteria = _children(tree)
        name_token = _tok(name)
        return Group(
            _GROUP_KINDS[_tok(kind).type],
            str(name_token),
            _label(label),
            self._number(_tok(maximum)),
            rescale is not None,
            tuple(self._criterion(_tree(child)) for child in criteria),
            _tree_span(tree),
            _token_span(name_token),
        )

    def _criterion(self, tree: Tree[Token]) -> Criterion:
        name, label, _max, maximum, applies, expr = _children(tree)
        name_token = _tok(name)
        return Criterion(
            str(name_token),
            _label(label),
            self._number(_tok(maximum)),
            None if applies is None else self.expr(applies),
            self.expr(expr),
            _tree_span(tree),
            _token_span(name_token),
        )

    def _total_decl(self, tree: Tree[Token]) -> Total:
        _total, expr = _children(tree)
        return Total(self.expr(expr), _tree_span(tree))

    def _grades_decl(self, tree: Tree[Token]) -> Grades:
        grades: list[Grade] = []
        for child in _children(tree):
            row = _tree(child)
            kids = _children(row)
            name_token = _tok(kids[0])
            when = self.expr(kids[2]) if row.data == "grade_when" else None
            grades.append(
                Grade(
                    str(name_token),
                    _label(kids[1]),
                    when,
                    _tree_span(row),
                    _token_span(name_token),
                )
            )
        return Grades(tuple(grades), _tree_span(tree))

    def _veto_decl(self, tree: Tree[Token]) -> Veto:
        reason, when, _grade, cap = _children(tree)
        return Veto(
            _string_value(str(_tok(reason))),
            self.expr(when),
            self.expr(cap),
            _tree_span(tree),
        )

    def _exclude_decl(self, tree: Tree[Token]) -> Exclusion:
        reason, when = _children(tree)
        return Exclusion(_string_value(str(_tok(reason))), self.expr(when), _tree_span(tree))

    def _quota_decl(self, tree: Tree[Token]) -> Quota:
        grade, share, count, per, rank, demote, rounding = _children(tree)
        keys: tuple[Name, ...] = ()
        if per is not None:
            keys = tuple(
                self._name_token(_tok(_children(_tree(key))[0])) for key in _children(_tree(per))
            )
        ranks: list[RankKey] = []
        if rank is not None:
            for child in _children(_tree(rank)):
                key_tree = _tree(child)
                expr, order = _children(key_tree)
                descending = order is None or _tok(order).type == "DESC"
                ranks.append(RankKey(self.expr(expr), descending, _tree_span(key_tree)))
        mode: Literal["down", "nearest"] = "down"
        if rounding is not None and _tok(_children(_tree(rounding))[0]).type == "ROUND_NEAREST":
            mode = "nearest"
        return Quota(
            self._name_token(_tok(grade)),
            self.expr(share),
            self.expr(count),
            keys,
            tuple(ranks),
            self._name_token(_tok(demote)),
            mode,
            _tree_span(tree),
        )

    def _test_decl(self, tree: Tree[Token]) -> Test:
        name, *parts = _children(tree)
        givens: list[Given] = []
        subjects: list[TestSubject] = []
        expects: list[Expectation] = []
        period: str | None = None
        period_span: Span | None = None
        for child in parts:
            if child is None:  # no `period` line
                continue
            part = _tree(child)
            if part.data == "test_period":
                period, period_span = self._test_period(part)
            elif part.data == "given_line":
                givens.extend(self._given_line(part))
            elif part.data == "test_subject":
                subject_name, *lines = _children(part)
                subject_token = _tok(subject_name)
                subject_givens = [g for line in lines for g in self._given_line(_tree(line))]
                subjects.append(
                    TestSubject(
                        str(subject_token),
                        tuple(subject_givens),
                        _tree_span(part),
                        _token_span(subject_token),
                    )
                )
            else:
                expects.extend(self._expect_line(part))
        return Test(
            _string_value(str(_tok(name))),
            tuple(givens),
            tuple(subjects),
            tuple(expects),
            _tree_span(tree),
            period,
            period_span,
        )

    def _test_period(self, tree: Tree[Token]) -> tuple[str | None, Span]:
        """`period 2026-07` (`kỳ 2026-Q3`, `kỳ 2026`): the period's code, or None after
        reporting a period written wrongly."""
        tokens = [_tok(child) for child in _children(tree) if child is not None]
        span = _token_span(tokens[0]).to(_token_span(tokens[-1]))
        text = "".join(str(token) for token in tokens)
        apart = any(_int(a.end_pos) != _int(b.start_pos) for a, b in pairwise(tokens))
        if not apart:
            try:
                return Period.parse(text).code, span
            except PeriodError:
                pass
        self.report(
            "P014",
            span,
            f"kỳ không hợp lệ: `{text}`; viết năm (2026), quý (2026-Q3) hoặc tháng (2026-07), "
            "không có dấu cách",
            f"invalid period `{text}`; write a year (2026), a quarter (2026-Q3) or a month "
            "(2026-07), without spaces",
        )
        return None, span

    def _given_line(self, tree: Tree[Token]) -> list[Given]:
        givens: list[Given] = []
        for child in _children(tree):
            given = _tree(child)
            if given.data == "given_link":
                # `given subordinates(cong_chuc_quy) = [...]`: stand-in results of a rule set
                # this one needs, so that its tests run without the other rule set's data.
                function, ruleset, value = _children(given)
                function_token, ruleset_token = _tok(function), _tok(ruleset)
                givens.append(
                    Given(
                        f"{function_token}({ruleset_token})",
                        self.expr(value),
                        _tree_span(given),
                        _token_span(function_token).to(_token_span(ruleset_token)),
                    )
                )
                continue
            name, value = _children(given)
            name_token = _tok(name)
            givens.append(
                Given(
                    _name_of(name_token),
                    self.expr(value),
                    _tree_span(given),
                    _token_span(name_token),
                )
            )
        return givens

    def _expect_line(self, tree: Tree[Token]) -> list[Expectation]:
        subject, *items = _children(tree)
        who = None if subject is None else str(_tok(subject))
        expectations: list[Expectation] = []
        for child in items:
            item = _tree(child)
            kids = _children(item)
            name_token = _tok(kids[0])
            span = _tree_span(item)
            if item.data == "expect_flag":
                expectations.append(
                    Expectation(who, str(name_token), None, True, span, _token_span(name_token))
                )
            elif item.data == "expect_rounded":
                # `expect round(r, 2) = 0.83`: the value rounded as the author's sheet does
                _, target, places, value, within = kids
                target_token, places_token = _tok(target), _tok(places)
                if str(name_token) != "round" or not str(places_token).isdigit():
                    self.report(
                        "P015",
                        span,
                        "trong `kỳ vọng` chỉ viết được một tên hoặc `round(TÊN, N)` "
                        "(N là số chữ số thập phân)",
                        "`expect` takes a name or `round(NAME, N)` (N decimal places)",
                    )
                expectations.append(
                    Expectation(
                        who,
                        _name_of(target_token),
                        self.expr(value),
                        False,
                        span,
                        _token_span(target_token),
                        None if within is None else self.expr(within),
                        int(str(places_token)) if str(places_token).isdigit() else 0,
                    )
                )
            else:
                within = kids[2] if len(kids) > 2 else None
                expectations.append(
                    Expectation(
                        who,
                        _name_of(name_token),
                        self.expr(kids[1]),
                        False,
                        span,
                        _token_span(name_token),
                        None if within is None else self.expr(within),
                    )
                )
        return expectations

    # ------------------------------------------------------------ expressions

    def expr(self, child: _Child) -> Expr:
        if isinstance(child, Tree):
            return self._expressions[str(child.data)](child)
        raise TypeError(f"expected an expression, found {child!r}")

    def _conditional(self, tree: Tree[Token]) -> Expr:
        condition, then, otherwise = _children(tree)
        return Conditional(
            self.expr(condition), self.expr(then), self.expr(otherwise), _tree_span(tree)
        )

    def _binary(self, tree: Tree[Token]) -> Expr:
        # Operators associate to the left, so `a + b + … + z` nests down the left side:
        # walk that spine in a loop, so that a long sum does not exhaust Python's stack.
        spine = [tree]
        while True:
            left = _children(spine[-1])[0]
            if not (isinstance(left, Tree) and left.data == "binary"):
                break
            spine.append(left)
        result = self.expr(left)
        for node in reversed(spine):
            _left, op, right = _children(node)
            op_token = _tok(op)
            result = Binary(
                _BINARY_OPS[op_token.type],
                result,
                self.expr(right),
                _tree_span(node),
                _token_span(op_token),
            )
        return result

    def _unary(self, tree: Tree[Token]) -> Expr:
        op, operand = _children(tree)
        return Unary(
            "-" if _tok(op).type == "MINUS" else "not", self.expr(operand), _tree_span(tree)
        )

    def _attribute(self, tree: Tree[Token]) -> Expr:
        target, attr = _children(tree)
        (name,) = _children(_tree(attr))
        name_token = _tok(name)
        return Attribute(
            self.expr(target), _name_of(name_token), _tree_span(tree), _token_span(name_token)
        )

    def _call(self, tree: Tree[Token]) -> Expr:
        callee, arg_list = _children(tree)
        (function,) = _children(_tree(callee))
        function_token = _tok(function)
        args: list[Expr] = []
        named: list[Keyword] = []
        where: Expr | None = None
        arg_nodes = [] if arg_list is None else _children(_tree(arg_list))
        for node in arg_nodes:
            arg = _tree(node)
            if arg.data == "keyword_arg":
                named.append(self._keyword(arg))
                continue
            if named:
                self.report(
                    "P011",
                    _tree_span(arg),
                    "đối số theo vị trí phải đứng trước các đối số có tên (`tên: giá trị`)",
                    "positional arguments come before named ones (`name: value`)",
                )
            if where is not None:
                self.report(
                    "P011",
                    _tree_span(arg),
                    "`với` (where) phải đứng sau đối số theo vị trí cuối cùng",
                    "`where` must follow the last positional argument",
                )
            if arg.data == "where_arg":
                value, _where, condition = _children(arg)
                args.append(self.expr(value))
                where = self.expr(condition)
            else:
                args.append(self.expr(arg))
        return Call(
            _name_of(function_token),
            tuple(args),
            tuple(named),
            where,
            _tree_span(tree),
            _token_span(function_token),
        )

    def _keyword(self, tree: Tree[Token]) -> Keyword:
        name, value = _children(tree)
        return Keyword(str(_tok(name)), self.expr(value), _tree_span(tree))

    def _number_atom(self, tree: Tree[Token]) -> Expr:
        (token,) = _children(tree)
        return self._number(_tok(token))

    def _string_atom(self, tree: Tree[Token]) -> Expr:
        (token,) = _children(tree)
        return String(_string_value(str(_tok(token))), _tree_span(tree))

    def _date_atom(self, tree: Tree[Token]) -> Expr:
        (token,) = _children(tree)
        return DateLit(self._date(_tok(token)), _tree_span(tree))

    def _boolean(self, tree: Tree[Token]) -> Expr:
        (token,) = _children(tree)
        return Bool(_tok(token).type == "TRUE", _tree_span(tree))

    def _name_atom(self, tree: Tree[Token]) -> Expr:
        (token,) = _children(tree)
        return self._name_token(_tok(token))

    def _list(self, tree: Tree[Token]) -> Expr:
        items = [self.expr(child) for child in _children(tree) if child is not None]
        return ListLit(tuple(items), _tree_span(tree))

    def _record(self, tree: Tree[Token]) -> Expr:
        fields = []
        for child in _children(tree):
            if child is None:
                continue
            attr, value = _children(_tree(child))
            (name,) = _children(_tree(attr))
            fields.append(Keyword(_name_of(_tok(name)), self.expr(value), _tree_span(_tree(child))))
        return RecordLit(tuple(fields), _tree_span(tree))

    def _band(self, tree: Tree[Token]) -> Expr:
        subject, *rows, otherwise = _children(tree)
        band_rows: list[BandRow] = []
        for child in rows:
            row = _tree(child)
            kids = _children(row)
            if row.data == "band_compare":
                op, bound, value = kids
                band_rows.append(
                    BandRow(
                        _BAND_OPS[_tok(op).type],
                        self.expr(bound),
                        None,
                        self.expr(value),
                        _tree_span(row),
                    )
                )
            else:
                low, high, value = kids
                band_rows.append(
                    BandRow(
                        "..",
                        self.expr(low),
                        self.expr(high),
                        self.expr(value),
                        _tree_span(row),
                    )
                )
        default = None
        if otherwise is not None:
            (value,) = _children(_tree(otherwise))
            default = self.expr(value)
        return Band(self.expr(subject), tuple(band_rows), default, _tree_span(tree))

    # ------------------------------------------------------------ literals

    def _name_token(self, token: Token) -> Name:
        return Name(_name_of(token), _token_span(token))

    def _number(self, token: Token) -> Number:
        text = str(token)
        value = _number_value(text)  # None was reported by _check_literal (P006)
        return Number(
            value if value is not None else Decimal(0),
            text,
            text.endswith("%"),
            _token_span(token),
        )

    def _date(self, token: Token) -> date:
        value = _date_value(str(token))  # None was reported by _check_literal (P005)
        return value if value is not None else date.min
