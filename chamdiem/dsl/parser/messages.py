"""Syntax error messages: what was found, what was expected, the keyword probably meant."""

from __future__ import annotations

import difflib
import re

from lark import Token, Tree

from chamdiem.dsl import keywords
from chamdiem.dsl.diagnostics import Diagnostic, Text, error, fold
from chamdiem.dsl.parser.spans import int_or_zero, token_span, tree_span
from chamdiem.dsl.syntax import (
    Span,
)

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
        "_LSQB",
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


def unexpected(
    token: Token,
    follower: Token | None,
    expected: set[str],
    text: str,
    previous: Token | None = None,
) -> Diagnostic:
    wanted_vi, wanted_en = _describe_expected(expected)
    if token.type == "$END" and follower is None:
        return error(
            "P002",
            token_span(token),
            f"tệp kết thúc khi khai báo chưa xong; cần {wanted_vi}",
            f"unexpected end of file; expected {wanted_en}",
        )
    if token.type == "$END" and follower is not None:
        token = follower  # the piece ended because the next item began
    if previous is not None and "_END" not in expected and _cut_short(previous, token):
        # Where the missing piece belongs: at the end of the line left unfinished, not at
        # the first word of the next construct.
        shown_previous = _show_token(previous)
        end = int_or_zero(previous.end_pos)
        return error(
            "P001",
            Span(
                int_or_zero(previous.end_line),
                int_or_zero(previous.end_column),
                int_or_zero(previous.end_line),
                int_or_zero(previous.end_column),
                end,
                end,
            ),
            f"chưa viết xong: sau {shown_previous} cần {wanted_vi}",
            f"unfinished: after {shown_previous} expected {wanted_en}",
        )
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
        token_span(token),
        f"không mong đợi {shown} ở đây; cần {wanted_vi}",
        f"unexpected {shown} here; expected {wanted_en}",
        *hints,
    )


def _cut_short(previous: Token, token: Token) -> bool:
    """Whether a construct stopped short at the end of a line: the next line begins a new
    construct (a declaration, `criterion`, `end`…) while the line before ends with a word
    that cannot end one (`max`, `0..`, `=`, `+`)."""
    from chamdiem.dsl.parser.recovery import ITEM_END, SYNC

    if int_or_zero(token.line) <= int_or_zero(previous.end_line):
        return False
    if previous.type in ITEM_END:
        return False
    return token.type in SYNC or token.type in keywords.ITEM_START_TERMINALS


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
    match = _WORDS.match(text, int_or_zero(token.start_pos))
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


def too_deep(tree: Tree[Token]) -> Diagnostic:
    span = tree_span(tree)
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
