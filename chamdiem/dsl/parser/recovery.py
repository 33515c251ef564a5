"""Cutting the tokens into items and parsing each, resynchronising after a syntax error so
that later errors in the same item are reported too.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any, cast

from lark import Token, Tree
from lark.exceptions import UnexpectedToken
from lark.parsers.lalr_analysis import Shift

from chamdiem.dsl import keywords
from chamdiem.dsl.diagnostics import Diagnostic
from chamdiem.dsl.parser.lexer import lark_parser
from chamdiem.dsl.parser.messages import unexpected
from chamdiem.dsl.parser.spans import int_or_zero

# ---------------------------------------------------------------- cutting and parsing items

# `total = …` starts an item only right after a token that can end one; elsewhere it is a
# test expectation (`expect total = 96`) or a mistake inside an item (`when total = 90`).
ITEM_END = frozenset(
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
SYNC = frozenset(
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


def split_items(tokens: Sequence[Token]) -> list[list[Token]]:
    pieces: list[list[Token]] = []
    for index, token in enumerate(tokens):
        if not pieces or (_starts_item(tokens, index) and not _item_let(pieces[-1], token)):
            pieces.append([token])
        else:
            pieces[-1].append(token)
    return pieces


def _item_let(piece: list[Token], token: Token) -> bool:
    """`let` inside an open `items` block is a value per item, not a new declaration."""
    return (
        token.type == "_LET"
        and piece[0].type == "_ITEMS"
        and not any(t.type == "_END" for t in piece)
    )


def _starts_item(tokens: Sequence[Token], index: int) -> bool:
    kind = tokens[index].type
    if kind in keywords.ITEM_START_TERMINALS:
        return True
    if kind == "TOTAL" and index + 1 < len(tokens) and tokens[index + 1].type == "_EQ":
        return index == 0 or tokens[index - 1].type in ITEM_END
    return False


def parse_piece(
    piece: list[Token],
    follower: Token | None,
    unknown: list[int],
    text: str,
    diagnostics: list[Diagnostic],
) -> Tree[Token] | None:
    """Parse one item. Returns its tree, or None after reporting its syntax errors.

    An error right after an unknown character is not reported: the character is (`a @ b`)."""
    interactive = lark_parser().parse_interactive(start="item")
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
            previous_end = (
                int_or_zero(stream[index - 1].end_pos) if index else int_or_zero(culprit.start_pos)
            )
            if index >= quiet_until and not _any_between(
                unknown, previous_end, int_or_zero(culprit.start_pos)
            ):
                expected = _acceptable(before, table, end_state)
                previous = stream[index - 1] if index else None
                diagnostics.append(unexpected(token, follower, expected, text, previous))
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
        if token.type not in SYNC:
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
