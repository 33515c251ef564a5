"""Spans of tokens and lark trees in the normalised text."""

from __future__ import annotations

from lark import Token, Tree

from chamdiem.dsl.syntax import (
    Span,
)


def token_span(token: Token) -> Span:
    return Span(
        int_or_zero(token.line),
        int_or_zero(token.column),
        int_or_zero(token.end_line),
        int_or_zero(token.end_column),
        int_or_zero(token.start_pos),
        int_or_zero(token.end_pos),
    )


def sub_span(token: Token, start: int, end: int) -> Span:
    """A part of a one-line token, by offsets within its text."""
    base = int_or_zero(token.start_pos)
    column = int_or_zero(token.column)
    line = int_or_zero(token.line)
    return Span(line, column + start, line, column + end, base + start, base + end)


def tree_span(tree: Tree[Token]) -> Span:
    meta = tree.meta
    return Span(
        meta.line, meta.column, meta.end_line, meta.end_column, meta.start_pos, meta.end_pos
    )


def span_at(text: str, offset: int) -> Span:
    """An empty span at a character offset (for errors not tied to a token)."""
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return Span(line, column, line, column, offset, offset)


def int_or_zero(value: int | None) -> int:
    return value if value is not None else 0
