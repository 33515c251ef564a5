"""Keeping what a syntax error left whole, so that one mistake gives one diagnostic.

A piece (one declaration or block) with a syntax error is reported by recovery.py and would
then be left out of the module: every later use of a name it declares (the grades of a
`grades` block, the input on a cut-short line) would be reported as unknown too. Here the
piece is parsed again with its error mended the way the message suggests (`=` read as `==`
where an equality was meant; a number put where a line was cut short after `max`, `0..`).
When the mended piece parses, its tree joins the module so that the checker knows its
names; its diagnostics were reported already, so the file still cannot be used.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from lark import Token, Tree

from chamdiem.dsl.diagnostics import Diagnostic
from chamdiem.dsl.parser.recovery import parse_piece


def salvage(
    piece: list[Token],
    follower: Token | None,
    problems: Sequence[Diagnostic],
    text: str,
) -> Tree[Token] | None:
    """The tree of `piece` with the errors `problems` (its diagnostics) mended, or None."""
    mended = list(piece)
    changed = False
    for problem in problems:
        if problem.span is None or problem.code != "P001":
            return None
        at = problem.span.start
        if problem.span.end == at:
            # Cut short: a number where the line stopped (`max`, `0..`).
            index = next((i for i, t in enumerate(mended) if t.end_pos == at), None)
            if index is None:
                return None
            mended = _mend_cut(mended, index, follower, text)
            changed = True
            continue
        index = next((i for i, t in enumerate(mended) if t.start_pos == at), None)
        if index is None or mended[index].type != "_EQ":
            return None
        mended[index] = _like(mended[index], "EQEQ", "==")
        changed = True
    if not changed:
        return None
    scratch: list[Diagnostic] = []
    return parse_piece(mended, follower, [], text, scratch)


def _mend_cut(tokens: list[Token], index: int, follower: Token | None, text: str) -> list[Token]:
    """The piece cut short after `tokens[index]`, mended: the unfinished end of the line
    left out when what remains parses (`input a : number 0..` read as `input a : number`),
    else a number put in (`max` read as `max N`, N the criteria's maxima added up, so that
    the mended group raises no warning of its own)."""
    line = tokens[index].line
    for drop in range(1, 4):
        start = index + 1 - drop
        if start < 1 or tokens[start].line != line:
            break
        shorter = [*tokens[:start], *tokens[index + 1 :]]
        if parse_piece(shorter, follower, [], text, []) is not None:
            return shorter
    value = "100"
    if tokens[index].type == "MAX":
        maxima = [
            tokens[i + 1]
            for i in range(index + 1, len(tokens) - 1)
            if tokens[i].type == "MAX" and tokens[i + 1].type == "NUMBER"
        ]
        if maxima:
            value = str(sum(Decimal(str(m)) for m in maxima))
    return [
        *tokens[: index + 1],
        _like(tokens[index], "NUMBER", value, after=True),
        *tokens[index + 1 :],
    ]


def _like(token: Token, kind: str, value: str, *, after: bool = False) -> Token:
    """A token of another kind at the place of `token` (or just after it, empty)."""
    if after:
        return Token(
            kind,
            value,
            token.end_pos,
            token.end_line,
            token.end_column,
            token.end_line,
            token.end_column,
            token.end_pos,
        )
    return Token.new_borrow_pos(kind, value, token)
