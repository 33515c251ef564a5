"""Mutated rule files never make the parser or the checker raise, and every position they
report is real.

10,000 seeded mutations (tokens deleted, duplicated, swapped; keywords, punctuation and
Unicode junk inserted; files cut short) of pieces of the fixture files are parsed. For each:
no exception and no internal error (P999), the module's source is the normalised input,
and every span, of diagnostics and of syntax nodes, lies within the source with a line and
column that agree with its character offsets.
"""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

from chamdiem.dsl import keywords
from chamdiem.dsl.parser import normalise
from chamdiem.dsl.pipeline import check_source
from chamdiem.dsl.syntax import Span

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = [
    (FIXTURES / name).read_text(encoding="utf-8")
    for name in ("example_en.rules", "example_vi.rules", "kitchen_sink.rules")
]
CASES = 10_000

SPELLINGS = [spelling for k in keywords.KEYWORDS for spelling in k.spellings]
JUNK = [
    "@",
    '"',
    "\\",
    "%",
    "!",
    "'",
    "“",
    "”",
    "#",
    ";",
    "$",
    "&",
    "|",
    "^",
    "~",
    "`",
    "?",
    "..",
    "->",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "=",
    "==",
    "<",
    ">=",
    ".",
    "-",
    "*",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\x0c",
    "\x85",
    "\u2028",
    "\ufeff",
    "\x00",
    "\u00a0",
    "\u200b",
    "\u0301",
    "\u0323",
    "e\u0301",
    "ộ",
    "Đ",
    "ꙮ",
    "😀",
    "\ud800",
    "٣",
    "½",
    "9",
    "0",
    "2026-02-30",
    "2026-1-1",
    "9999-99-99",
    "1.2.3",
    "12abc",
    "25%",
    "1e5",
    '"unterminated',
    '"bad \\q escape"',
    "không",
    "tổng",
    "_",
]
PIECES = re.compile(r'"[^"\n]*"?|\w+|\s+|.', re.S)


def windows(source: str) -> list[str]:
    """Pieces of a seed to mutate: single lines, a few lines, whole declarations, all."""
    lines = source.split("\n")
    found = ["\n".join(lines[i : i + size]) for size in (1, 2, 3) for i in range(len(lines))]
    found += re.split(r"\n(?=\S)", source)
    return [w for w in found if w.strip()]


def mutate(rng: random.Random, source: str) -> str:
    parts = PIECES.findall(source)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(parts) + 1)
        operation = rng.randrange(8)
        if operation == 0 and at < len(parts):
            del parts[at]
        elif operation == 1 and at < len(parts):
            parts.insert(at, parts[at])
        elif operation == 2 and len(parts) > 1:
            other = rng.randrange(len(parts))
            at = min(at, len(parts) - 1)
            parts[at], parts[other] = parts[other], parts[at]
        elif operation == 3:
            parts.insert(at, rng.choice(["", " "]) + rng.choice(SPELLINGS) + " ")
        elif operation == 4:
            parts.insert(at, rng.choice(JUNK))
        elif operation == 5:
            parts = parts[:at]
        elif operation == 6:
            junk = "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randint(1, 4)))
            parts.insert(at, junk)
        else:
            parts.insert(at, rng.choice(parts) if parts else "")
    return "".join(parts)


def position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def check_span(text: str, span: Span, what: object) -> None:
    assert 0 <= span.start <= span.end <= len(text), (what, span)
    assert (span.line, span.column) == position(text, span.start), (what, span)
    assert (span.end_line, span.end_column) == position(text, span.end), (what, span)


FIELDS: dict[type, tuple[str, ...]] = {}


def check_nodes(text: str, node: object) -> None:
    if isinstance(node, Span):
        check_span(text, node, "node")
    elif isinstance(node, tuple):
        for item in node:
            check_nodes(text, item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        names = FIELDS.get(type(node))
        if names is None:
            names = tuple(f.name for f in dataclasses.fields(node))
            FIELDS[type(node)] = names
        for name in names:
            if name not in ("source", "path"):
                check_nodes(text, getattr(node, name))


def test_mutated_rule_files_never_break_the_parser_or_the_checker() -> None:
    rng = random.Random(20260101)
    pieces = [piece for seed in SEEDS for piece in windows(seed)]
    codes: set[str] = set()
    for case in range(CASES):
        base = rng.choice(SEEDS) if case % 1000 == 0 else rng.choice(pieces)
        source = mutate(rng, base)
        module, diagnostics = check_source(source, "fuzz.rules")
        assert module.source == normalise(source)
        for diagnostic in diagnostics:
            assert diagnostic.code != "P999", (source, diagnostic)
            assert diagnostic.span is not None, (source, diagnostic)
            assert diagnostic.message.vi and diagnostic.message.en
            check_span(module.source, diagnostic.span, (source, diagnostic))
            codes.add(diagnostic.code)
        check_nodes(module.source, module)
    # The mutations reach the error paths they are meant to exercise.
    assert {"P001", "P002", "P003", "P004", "P005", "P006", "P007"} <= codes
