"""Parse a rule file into the syntax tree of syntax.py; every problem becomes a Diagnostic.

This package is the only one that imports lark. The steps:

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

import contextlib
import unicodedata

from chamdiem.dsl.diagnostics import Diagnostic, error
from chamdiem.dsl.parser.lexer import LINE_BREAKS, grammar_text, lex
from chamdiem.dsl.parser.messages import too_deep
from chamdiem.dsl.parser.recovery import parse_piece, split_items
from chamdiem.dsl.parser.salvage import salvage
from chamdiem.dsl.parser.spans import span_at, token_span
from chamdiem.dsl.parser.tree import Builder, assemble
from chamdiem.dsl.syntax import Comment, Declaration, Module, Ruleset, Span

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
        found, unknown = lex(text, comments, diagnostics)
        builder = Builder(diagnostics)
        pieces = split_items(found)
        for index, piece in enumerate(pieces):
            follower = pieces[index + 1][0] if index + 1 < len(pieces) else None
            reported = len(diagnostics)
            tree = parse_piece(piece, follower, unknown, text, diagnostics)
            if tree is None:
                # Keep what the error left whole (salvage.py); its problems are reported.
                mended = salvage(piece, follower, diagnostics[reported:], text)
                if mended is not None:
                    with contextlib.suppress(Exception):
                        items.append(Builder([]).item(mended))
                continue
            try:
                items.append(builder.item(tree))
            except RecursionError:
                diagnostics.append(too_deep(tree))
    except Exception as exc:  # a bug here must still give the user a message, not a traceback
        diagnostics.append(
            error(
                "P999",
                span_at(text, len(text)),
                f"lỗi nội bộ của bộ phân tích cú pháp ({type(exc).__name__}); "
                "xin báo cho nhóm phát triển",
                f"internal parser error ({type(exc).__name__}); please report it",
            )
        )
    ruleset, declarations = assemble(items, diagnostics)
    module = Module(path, text, ruleset, tuple(declarations), tuple(comments))
    diagnostics.sort(key=lambda d: (d.span.start if d.span else 0, d.code))
    return module, diagnostics


def tokens(source: str) -> list[tuple[str, str, Span]]:
    """The tokens the parser sees, as (terminal, text, span) over the normalised text:
    keywords carry their terminal name from keywords.py (`_AT_MOST` for `tối đa là`),
    comments, blanks and unknown characters are left out. For highlighting and tests."""
    text = normalise(source)
    found, _unknown = lex(text, [], [])
    return [(token.type, str(token), token_span(token)) for token in found]


def tokens_with_comments(source: str) -> list[tuple[str, str, Span]]:
    """`tokens(source)` and the comments among them (terminal COMMENT, text with its '#'),
    in the order of the text. For the highlighter of the web pages."""
    text = normalise(source)
    comments: list[Comment] = []
    found, _unknown = lex(text, comments, [])
    pieces = [(token.type, str(token), token_span(token)) for token in found]
    pieces.extend(("COMMENT", "#" + comment.text, comment.span) for comment in comments)
    return sorted(pieces, key=lambda piece: piece[2].start)


def normalise(source: str) -> str:
    """Drop a leading BOM, turn every line break into LF (CRLF, CR and the other breaks that
    str.splitlines knows, so that line numbers agree everywhere) and normalise to NFC."""
    text = source[1:] if source.startswith("\ufeff") else source
    text = LINE_BREAKS.sub("\n", text)
    return unicodedata.normalize("NFC", text)
