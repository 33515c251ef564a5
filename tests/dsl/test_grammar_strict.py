"""The grammar is a clean LALR(1) grammar: lark's strict mode finds no shift/reduce conflict
and no two terminals of one priority that match the same text."""

from __future__ import annotations

import unicodedata

import pytest
from lark import Lark
from lark.exceptions import GrammarError, LexError

from chamdiem.dsl import keywords
from chamdiem.dsl.parser import grammar_text


def build(grammar: str) -> Lark:
    return Lark(grammar, parser="lalr", lexer="basic", start="item", strict=True)


def test_grammar_builds_in_strict_mode() -> None:
    parser = build(grammar_text())
    assert {rule.origin.name for rule in parser.rules} >= {"item", "ruleset", "band", "callee"}


def test_strict_mode_would_catch_a_conflict() -> None:
    """A guard for the test above: an ambiguous rule does fail the strict build."""
    ambiguous = grammar_text().replace(
        "?sum: sum (PLUS | MINUS) product", "?sum: sum (PLUS | MINUS) sum"
    )
    assert ambiguous != grammar_text()
    with pytest.raises(GrammarError, match=r"Shift/Reduce|Reduce/Reduce"):
        build(ambiguous)


def test_strict_mode_would_catch_a_terminal_collision() -> None:
    colliding = grammar_text() + "\nOTHER.1: /[a-z]+/\nitem_other: OTHER\n"
    colliding = colliding.replace("item: ruleset\n", "item: ruleset\n    | item_other\n")
    with pytest.raises(LexError, match="Collision between Terminals"):
        build(colliding)


def test_every_keyword_terminal_is_declared_in_the_grammar() -> None:
    grammar = grammar_text()
    declared = {
        word
        for line in grammar.splitlines()
        if line.startswith("%declare")
        for word in line.split()[1:]
    }
    assert declared == set(keywords.BY_TERMINAL)


def test_grammar_and_keywords_are_nfc() -> None:
    """Source text is normalised to NFC before it is matched, so the patterns must be too."""
    grammar = grammar_text()
    assert unicodedata.normalize("NFC", grammar) == grammar
    for keyword in keywords.KEYWORDS:
        for spelling in keyword.spellings:
            assert unicodedata.normalize("NFC", spelling) == spelling
            assert spelling == spelling.lower()
