"""The canonical layout of rule files (`chamdiem fmt`), so that a git diff shows only real changes.

The layout is a function of the syntax tree, the comments and a few choices that belong to the
author, which the formatter keeps:

- **Keyword language, per token.** Every keyword is printed in the language in which the author
  wrote that very keyword (`tối đa` stays Vietnamese, `max` stays English, also in a file that
  mixes both). Spellings are canonical within a language: the variant `kì` becomes `kỳ`, and the
  words of a multi-word keyword are separated by one space. A keyword the author did not write
  has no token to follow; none is ever added, except that a split `given`/`expect` line repeats
  the line's own keyword.
- **Number text as written** (`25%`, `0.50`), optional words as written (`desc`, `round down`),
  and the grouping of `given` and `expect` items on lines (a line too long is split).
- **Blank lines**: at most one where the author had one or more; always one between top-level
  declarations of different kinds and around blocks (declarations that end with `end`); none
  right after a block's opening line, before its `end`, or inside a statement.
- **Comments, all of them**: a comment alone on its line stays before the line that holds the
  next token; a comment after code stays at the end of the line that holds the token before it
  (a second one there moves to its own line below). Trailing comments of neighbouring lines are
  aligned.

Everything else is canonical: two spaces of indentation per block level, `end` aligned with its
opener, one declaration (criterion, field, grade, band row) per line, one space around binary
operators, the fewest parentheses that keep the tree, columns aligned in runs of similar lines
(inputs, fields, lets, params, criteria, grades, cohort members), and lines broken before binary
operators (or between call arguments, list items) when longer than 100 characters. Strings and
comments are never broken, so a line with a long label may stay longer.

`format_source(format_source(x)) == format_source(x)`, and `parse(format_source(x))` equals
`parse(x)` except for spans, the source text and the position of comments.
"""

from __future__ import annotations

from chamdiem.dsl import syntax as s
from chamdiem.dsl.diagnostics import Diagnostic, Language, has_errors, render_all
from chamdiem.dsl.format.declarations import ModulePrinter
from chamdiem.dsl.format.expressions import ExprPrinter
from chamdiem.dsl.format.lines import WIDTH, Line, Writer, quote
from chamdiem.dsl.format.spelling import Spelling
from chamdiem.dsl.parser import parse

__all__ = [
    "WIDTH",
    "FormatError",
    "format_expr",
    "format_module",
    "format_node",
    "format_source",
    "quote",
    "spell_keyword",
]


class FormatError(Exception):
    """A file with syntax errors is not formatted; `diagnostics` says why."""

    def __init__(self, path: str, source: str, diagnostics: list[Diagnostic]) -> None:
        self.path = path
        self.source = source
        self.diagnostics = diagnostics
        super().__init__(f"{path}: {len(diagnostics)} syntax error(s)")

    def render(self, language: Language | None = None) -> str:
        return render_all(self.diagnostics, self.source, self.path, language)


def format_source(source: str, path: str = "<string>") -> str:
    """The canonical layout of a rule file. Raises FormatError when it has syntax errors."""
    module, diagnostics = parse(source, path)
    if has_errors(diagnostics):
        raise FormatError(path, module.source, [d for d in diagnostics if d.is_error])
    return format_module(module)


def format_module(module: s.Module) -> str:
    """The canonical layout of a module parsed without errors (its source gives the keyword
    spellings, blank lines and comments)."""
    return ModulePrinter(module).run()


def format_expr(
    expr: s.Expr, module: s.Module | None = None, language: Language = "en", indent: int = 0
) -> str:
    """An expression as source text, on one line when it fits in WIDTH - indent characters
    (bands always take several lines). With `module`, the tree it comes from, keywords are
    spelled as the author wrote them; otherwise in `language`."""
    spelling = Spelling.of(module, language)
    printer = ExprPrinter(spelling, ())
    writer = Writer()
    writer.start(Line(indent, 0, "cont"))
    printer.emit(writer, expr, 0)
    return "\n".join(" " * line.indent + line.text for line in writer.finish())


def format_node(
    node: s.Ruleset | s.Declaration | s.Criterion | s.Grade | s.Input, module: s.Module
) -> str:
    """One declaration of `module` (or a criterion, a grade row, an items field) as source
    text in the canonical layout, without comments, starting at column 0."""
    return ModulePrinter(module).node(node)


def spell_keyword(module: s.Module | None, terminal: str, language: Language = "en") -> str:
    """A keyword (a terminal of keywords.py) in the language of `module` (else `language`)."""
    return Spelling.of(module, language).word(terminal)
