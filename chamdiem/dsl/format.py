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

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from chamdiem.dsl import keywords
from chamdiem.dsl import syntax as s
from chamdiem.dsl.diagnostics import Diagnostic, Language, has_errors, render_all
from chamdiem.dsl.parser import parse, tokens

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

WIDTH = 100  # longest line, not counting trailing comments, before lines are broken
STEP = 2  # indentation of one block level


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
    return _ModulePrinter(module).run()


def format_expr(
    expr: s.Expr, module: s.Module | None = None, language: Language = "en", indent: int = 0
) -> str:
    """An expression as source text, on one line when it fits in WIDTH - indent characters
    (bands always take several lines). With `module`, the tree it comes from, keywords are
    spelled as the author wrote them; otherwise in `language`."""
    spelling = _Spelling.of(module, language)
    printer = _ExprPrinter(spelling, ())
    writer = _Writer()
    writer.start(_Line(indent, 0, "cont"))
    printer.emit(writer, expr, 0)
    return "\n".join(" " * line.indent + line.text for line in writer.finish())


def format_node(
    node: s.Ruleset | s.Declaration | s.Criterion | s.Grade | s.Input, module: s.Module
) -> str:
    """One declaration of `module` (or a criterion, a grade row, an items field) as source
    text in the canonical layout, without comments, starting at column 0."""
    printer = _ModulePrinter(module)
    if isinstance(node, s.Criterion):
        printer._criterion(node, True, 0)
    elif isinstance(node, s.Grade):
        printer._grade_row(node, True, 0)
    elif isinstance(node, s.Input) and not _is_top_level(node, module):
        line = printer._inner(node.span.start, True)
        line.cells = printer._field_cells(node)
    else:
        printer._item(node)
    lines = printer.w.finish()
    shift = min(line.indent for line in lines)
    for line in lines:
        line.indent -= shift
    return _Renderer(module.source, _Spelling((), "en"), lines, []).render().rstrip("\n")


def spell_keyword(module: s.Module | None, terminal: str, language: Language = "en") -> str:
    """A keyword (a terminal of keywords.py) in the language of `module` (else `language`)."""
    return _Spelling.of(module, language).word(terminal)


def _is_top_level(node: s.Input, module: s.Module) -> bool:
    return any(decl is node for decl in module.declarations)


def quote(text: str) -> str:
    """A string literal: `"` and `\\` are the only characters escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------- keyword spellings


@dataclass(frozen=True, slots=True)
class _Token:
    terminal: str
    text: str
    start: int
    end: int


class _Spelling:
    """Where the source's tokens are, and how each keyword is spelled there."""

    def __init__(self, found: Sequence[_Token], default: Language) -> None:
        self.tokens = list(found)
        self.starts = [t.start for t in self.tokens]
        self.by_start = {t.start: t for t in self.tokens}
        self.by_end = {t.end: t for t in self.tokens}
        self.by_terminal: dict[str, list[int]] = {}
        for t in self.tokens:
            self.by_terminal.setdefault(t.terminal, []).append(t.start)
        self.default = default

    @staticmethod
    def of(module: s.Module | None, language: Language = "en") -> _Spelling:
        if module is None:
            return _Spelling((), language)
        return _spelling_of_source(module.source, language)

    def word(self, terminal: str, text: str | None = None) -> str:
        """The canonical spelling of a keyword, in the language of `text` as written (in the
        file's language when there is no text)."""
        keyword = keywords.BY_TERMINAL[terminal]
        if text is None:
            return keyword.english if self.default == "en" else keyword.vietnamese
        return keyword.english if " ".join(text.split()) == keyword.english else keyword.vietnamese

    def at(self, terminal: str, offset: int) -> str:
        """The keyword written at `offset`."""
        token = self.by_start.get(offset)
        return self.word(terminal, token.text if token and token.terminal == terminal else None)

    def after(self, terminal: str, offset: int) -> str:
        """The first such keyword written at or after `offset`."""
        token = self.first_after(terminal, offset)
        return self.word(terminal, token.text if token else None)

    def first_after(self, terminal: str, offset: int) -> _Token | None:
        starts = self.by_terminal.get(terminal, [])
        index = bisect.bisect_left(starts, offset)
        return self.by_start[starts[index]] if index < len(starts) else None

    def last_before(self, terminal: str, offset: int) -> _Token | None:
        starts = self.by_terminal.get(terminal, [])
        index = bisect.bisect_left(starts, offset)
        return self.by_start[starts[index - 1]] if index > 0 else None

    def ending_at(self, offset: int) -> _Token | None:
        return self.by_end.get(offset)

    def name(self, name: str, offset: int) -> str:
        """A name, or a keyword used as a name (`total`/`tổng điểm`, `max`, `unit`…) as
        written at `offset`."""
        token = self.by_start.get(offset)
        if token is not None and token.terminal in keywords.BY_TERMINAL:
            return self.word(token.terminal, token.text)
        return name


@functools.lru_cache(maxsize=16)
def _spelling_of_source(source: str, fallback: Language) -> _Spelling:
    """The tokens of a source, lexed once however many expressions of it are printed (the
    diff and the documentation print many)."""
    found = [
        _Token(terminal, text, span.start, span.end) for terminal, text, span in tokens(source)
    ]
    return _Spelling(found, _file_language(found, fallback))


def _file_language(found: Sequence[_Token], fallback: Language) -> Language:
    """The language of the header keyword, else of most keywords."""
    for token in found:
        if token.terminal == "_RULESET":
            return "en" if token.text == "ruleset" else "vi"
    english = vietnamese = 0
    for token in found:
        keyword = keywords.BY_TERMINAL.get(token.terminal)
        if keyword is None:
            continue
        if " ".join(token.text.split()) == keyword.english:
            english += 1
        else:
            vietnamese += 1
    if english == vietnamese == 0:
        return fallback
    return "en" if english >= vietnamese else "vi"


# ---------------------------------------------------------------- output lines

Role = Literal["top", "inner", "end", "cont"]
Blank = Literal["force", "keep", "none"]


@dataclass
class _Line:
    """One output line. `key` is the source offset of the first token printed on it; since
    the formatter keeps the order of tokens, keys increase and say which line holds a token.
    `cells`, when set, are the parts that runs of similar lines align in columns."""

    indent: int
    key: int
    role: Role
    text: str = ""
    first_in_block: bool = False
    kind: str = ""  # for the first line of a top-level declaration
    block: bool = False  # that declaration ends with `end`
    cells: list[str] | None = None
    align: object = None
    leading: list[s.Comment] = field(default_factory=list)
    trailing: list[s.Comment] = field(default_factory=list)


class _Writer:
    """Collects lines; expressions are written into the current one."""

    def __init__(self) -> None:
        self.lines: list[_Line] = []

    def start(self, line: _Line) -> _Line:
        self.lines.append(line)
        return line

    @property
    def current(self) -> _Line:
        return self.lines[-1]

    @property
    def col(self) -> int:
        return self.current.indent + len(self.current.text)

    def write(self, text: str) -> None:
        self.current.text += text

    def newline(self, indent: int, key: int, role: Role = "cont") -> None:
        self.start(_Line(indent, key, role))

    def finish(self) -> list[_Line]:
        return self.lines


# ---------------------------------------------------------------- expressions

_LEVEL: dict[str, int] = {
    "or": 1,
    "and": 2,
    "==": 4,
    "!=": 4,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
}
_COMPARISON = 4
_SUM = 5  # the level of band subjects, bounds and values
_POSTFIX = 8
_BLOCKY = (s.ListLit, s.RecordLit, s.Band)


def _level(expr: s.Expr) -> int:
    """Binding strength, as in grammar.lark: if-then-else 0, or 1, and 2, not 3, comparison 4,
    + - 5, * / 6, unary minus 7, call and attribute 8, atoms 9."""
    if isinstance(expr, s.Conditional):
        return 0
    if isinstance(expr, s.Binary):
        return _LEVEL[expr.op]
    if isinstance(expr, s.Unary):
        return 3 if expr.op == "not" else 7
    if isinstance(expr, s.Attribute | s.Call):
        return _POSTFIX
    return 9


def _operand_levels(expr: s.Binary) -> tuple[int, int]:
    """The least level of the left and right operand that needs no parentheses."""
    level = _LEVEL[expr.op]
    if level == _COMPARISON:  # non-associative, operands are sums
        return _SUM, _SUM
    return level, level + 1


class _ExprPrinter:
    """Prints expressions, flat or broken over lines."""

    def __init__(self, spelling: _Spelling, comment_starts: Sequence[int]) -> None:
        self.sp = spelling
        self.comment_starts = list(comment_starts)

    # ------------------------------------------------------------ flat

    def flat(self, expr: s.Expr, required: int = 0) -> str | None:
        """One-line text, parenthesised when weaker than `required`; None when the
        expression must take several lines (a band, or a list holding a comment)."""
        text = self._flat(expr)
        if text is None:
            return None
        return f"({text})" if _level(expr) < required else text

    def _flat(self, e: s.Expr) -> str | None:
        sp = self.sp
        if isinstance(e, s.Number):
            return e.text
        if isinstance(e, s.String):
            return quote(e.value)
        if isinstance(e, s.DateLit):
            return e.value.isoformat()
        if isinstance(e, s.Bool):
            return sp.at("TRUE" if e.value else "FALSE", e.span.start)
        if isinstance(e, s.NotApplicable):
            return sp.at("NOT_APPLICABLE", e.span.start)
        if isinstance(e, s.Name):
            return sp.name(e.name, e.span.start)
        if isinstance(e, s.Attribute):
            target = self.flat(e.target, _POSTFIX)
            return None if target is None else f"{target}.{sp.name(e.name, e.name_span.start)}"
        if isinstance(e, s.Unary):
            operand = self.flat(e.operand, 3 if e.op == "not" else 7)
            if operand is None:
                return None
            return f"{sp.at('NOT', e.span.start)} {operand}" if e.op == "not" else f"-{operand}"
        if isinstance(e, s.Binary):
            left_level, right_level = _operand_levels(e)
            left = self.flat(e.left, left_level)
            right = self.flat(e.right, right_level)
            if left is None or right is None:
                return None
            return f"{left} {self.op(e)} {right}"
        if isinstance(e, s.Conditional):
            parts = [self.flat(e.condition), self.flat(e.then), self.flat(e.otherwise)]
            if any(p is None for p in parts):
                return None
            if_, then, else_ = self._conditional_words(e)
            return f"{if_} {parts[0]} {then} {parts[1]} {else_} {parts[2]}"
        if isinstance(e, s.Call):
            items = [self._flat_arg(e, item) for item in _call_items(e)]
            if any(item is None for item in items):
                return None
            return f"{self.function(e)}({', '.join(item or '' for item in items)})"
        if isinstance(e, s.ListLit):
            if self._holds_comment(e.span):
                return None
            elements = [self.flat(item) for item in e.items]
            if any(x is None for x in elements):
                return None
            return "[" + ", ".join(x or "" for x in elements) + "]"
        if isinstance(e, s.RecordLit):
            if self._holds_comment(e.span):
                return None
            fields = [self._flat_keyword(f) for f in e.fields]
            if any(x is None for x in fields):
                return None
            return "{" + ", ".join(x or "" for x in fields) + "}"
        return None  # a band

    def _flat_keyword(self, keyword: s.Keyword) -> str | None:
        value = self.flat(keyword.value)
        return None if value is None else f"{keyword.name}: {value}"

    def _flat_arg(self, call: s.Call, item: s.Expr | s.Keyword) -> str | None:
        if isinstance(item, s.Keyword):
            return self._flat_keyword(item)
        value = self.flat(item)
        if value is None:
            return None
        if call.where is not None and item is call.args[-1]:
            condition = self.flat(call.where)
            if condition is None:
                return None
            return f"{value} {self.where_word(call)} {condition}"
        return value

    def _holds_comment(self, span: s.Span) -> bool:
        return self._comment_between(span.start, span.end)

    def _comment_between(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self.comment_starts, start)
        return index < len(self.comment_starts) and self.comment_starts[index] < end

    # ------------------------------------------------------------ words

    def op(self, e: s.Binary) -> str:
        if e.op == "and":
            return self.sp.at("AND", e.op_span.start)
        if e.op == "or":
            return self.sp.at("OR", e.op_span.start)
        return e.op

    def function(self, e: s.Call) -> str:
        return self.sp.name(e.function, e.function_span.start)

    def where_word(self, e: s.Call) -> str:
        anchor = e.args[-1].span.end if e.args else e.span.start
        return self.sp.after("WHERE", anchor)

    def _conditional_words(self, e: s.Conditional) -> tuple[str, str, str]:
        return (
            self.sp.at("_IF", e.span.start),
            self.sp.after("_THEN", e.condition.span.end),
            self.sp.after("_ELSE", e.then.span.end),
        )

    # ------------------------------------------------------------ broken over lines

    def emit(self, w: _Writer, e: s.Expr, required: int, tail: int = 0) -> None:
        """Write `e` at the writer's column: flat when it fits (leaving `tail` characters
        for what follows on the line), else broken over lines."""
        flat = self.flat(e, required)
        if flat is not None and w.col + len(flat) + tail <= WIDTH:
            w.write(flat)
            return
        if _level(e) < required:
            w.write("(")
            self._broken(w, e, tail + 1)
            w.write(")")
        else:
            self._broken(w, e, tail)

    def _broken(self, w: _Writer, e: s.Expr, tail: int) -> None:
        if isinstance(e, s.Binary):
            self._chain(w, e, tail)
        elif isinstance(e, s.Band):
            self._band(w, e)
        elif isinstance(e, s.Call):
            self._call(w, e, tail)
        elif isinstance(e, s.ListLit):
            self._block(w, "[", "]", e.items, e.span, tail)
        elif isinstance(e, s.RecordLit):
            self._block(w, "{", "}", e.fields, e.span, tail)
        elif isinstance(e, s.Conditional):
            self._conditional(w, e, tail)
        elif isinstance(e, s.Unary):
            w.write(f"{self.sp.at('NOT', e.span.start)} " if e.op == "not" else "-")
            self.emit(w, e.operand, 3 if e.op == "not" else 7, tail)
        elif isinstance(e, s.Attribute):
            name = self.sp.name(e.name, e.name_span.start)
            self.emit(w, e.target, _POSTFIX, tail + len(name) + 1)
            w.write(f".{name}")
        else:
            w.write(self._flat(e) or "")

    def _chain(self, w: _Writer, e: s.Binary, tail: int) -> None:
        """`a + b - c …` broken before operators; continuation lines start at the column
        of the first operand, as many operands on a line as fit."""
        level = _LEVEL[e.op]
        links: list[s.Binary] = [e]
        first: s.Expr = e.left
        if level != _COMPARISON:
            while isinstance(first, s.Binary) and _LEVEL[first.op] == level:
                links.append(first)
                first = first.left
        links.reverse()
        start = w.col
        half = start + (WIDTH - start) // 2
        self.emit(w, first, _operand_levels(e)[0], 0)
        for index, link in enumerate(links):
            op = self.op(link)
            right_level = _operand_levels(link)[1]
            right = link.right
            end_tail = tail if index == len(links) - 1 else 0
            piece = self.flat(right, right_level)
            if piece is not None and w.col + len(op) + len(piece) + 2 + end_tail <= WIDTH:
                w.write(f" {op} {piece}")
            elif piece is None or (
                w.col + len(op) + 2 <= half
                and (
                    isinstance(right, s.Call | s.ListLit | s.RecordLit)
                    or _level(right) < right_level
                )
            ):
                w.write(f" {op} ")  # a bracket or a band breaks inside, from here
                self.emit(w, right, right_level, end_tail)
            else:
                w.newline(start, link.op_span.start)
                w.write(f"{op} ")
                self.emit(w, right, right_level, end_tail)

    def _call(self, w: _Writer, e: s.Call, tail: int) -> None:
        w.write(f"{self.function(e)}(")
        column = w.col
        items = _call_items(e)
        for index, item in enumerate(items):
            last = index == len(items) - 1
            end_tail = 1 + tail if last else 1
            if index:
                w.write(",")
                text = self._flat_arg(e, item)
                if text is not None and w.col + 1 + len(text) + end_tail <= WIDTH:
                    w.write(" " + text)
                    continue
                w.newline(column, item.span.start)
            self._arg(w, e, item, end_tail)
        w.write(")")

    def _arg(self, w: _Writer, call: s.Call, item: s.Expr | s.Keyword, tail: int) -> None:
        if isinstance(item, s.Keyword):
            w.write(f"{item.name}: ")
            self.emit(w, item.value, 0, tail)
            return
        if call.where is None or item is not call.args[-1]:
            self.emit(w, item, 0, tail)
            return
        column = w.col
        self.emit(w, item, 0, 0)
        word = self.where_word(call)
        condition = self.flat(call.where)
        if condition is not None and w.col + len(word) + len(condition) + 2 + tail <= WIDTH:
            w.write(f" {word} {condition}")
            return
        token = self.sp.first_after("WHERE", item.span.end)
        w.newline(column, token.start if token else call.where.span.start)
        w.write(f"{word} ")
        self.emit(w, call.where, 0, tail)

    def _block(
        self,
        w: _Writer,
        opener: str,
        closer: str,
        elements: Sequence[s.Expr | s.Keyword],
        span: s.Span,
        tail: int,
    ) -> None:
        """A list or record over several lines: elements one step in, as many on a line as
        fit, the closing bracket on its own line under the start of the opening line."""
        base = w.current.indent
        w.write(opener)
        if not elements:
            w.write(closer)
            return
        fresh = True  # the next element starts a line
        previous_end = span.start
        for index, element in enumerate(elements):
            if self._comment_between(previous_end, element.span.start):
                fresh = True  # a comment stays next to the element it was written by
            previous_end = element.span.end
            comma = "," if index < len(elements) - 1 else ""
            if isinstance(element, s.Keyword):
                text = self._flat_keyword(element)
            else:
                text = self.flat(element)
            if not fresh and text is not None and w.col + 1 + len(text + comma) <= WIDTH:
                w.write(f" {text}{comma}")
                continue
            w.newline(base + STEP, element.span.start)
            line = w.current
            if isinstance(element, s.Keyword):
                w.write(f"{element.name}: ")
                self.emit(w, element.value, 0, len(comma))
            else:
                self.emit(w, element, 0, len(comma))
            w.write(comma)
            fresh = w.current is not line  # after an element that broke, a new line
        token = self.sp.ending_at(span.end)
        w.newline(base, token.start if token else span.end)
        w.write(closer)

    def _conditional(self, w: _Writer, e: s.Conditional, tail: int) -> None:
        if_, then, else_ = self._conditional_words(e)
        column = w.col
        w.write(f"{if_} ")
        self.emit(w, e.condition, 0)
        then_text = self.flat(e.then)
        if then_text is not None and w.col + len(then) + len(then_text) + 2 <= WIDTH:
            w.write(f" {then} {then_text}")
        else:
            token = self.sp.first_after("_THEN", e.condition.span.end)
            w.newline(column, token.start if token else e.then.span.start)
            w.write(f"{then} ")
            self.emit(w, e.then, 0)
        token = self.sp.first_after("_ELSE", e.then.span.end)
        w.newline(column, token.start if token else e.otherwise.span.start)
        w.write(f"{else_} ")
        self.emit(w, e.otherwise, 0, tail)

    def _band(self, w: _Writer, e: s.Band) -> None:
        """`band SUBJECT`, one row per line one step in, `end` under the line's start."""
        base = w.current.indent
        w.write(f"{self.sp.at('_BAND', e.span.start)} ")
        self.emit(w, e.subject, _SUM)
        for row in e.rows:
            w.newline(base + STEP, row.span.start)
            if row.op == "..":
                self.emit(w, row.bound, _POSTFIX, 2)  # a number, name, attribute or call
                w.write("..")
                if row.upper is not None:
                    self.emit(w, row.upper, _SUM, 4)
                w.write(" -> ")
            else:
                w.write(f"{row.op} ")
                self.emit(w, row.bound, _SUM, 4)
                w.write(" -> ")
            self.emit(w, row.value, _SUM)
        if e.otherwise is not None:
            after = e.rows[-1].span.end if e.rows else e.subject.span.end
            token = self.sp.first_after("_ELSE", after)
            w.newline(base + STEP, token.start if token else e.otherwise.span.start)
            w.write(f"{self.sp.word('_ELSE', token.text if token else None)} -> ")
            self.emit(w, e.otherwise, _SUM)
        end = self.sp.ending_at(e.span.end)
        w.start(_Line(base, end.start if end else e.span.end, "cont"))
        w.write(self.sp.word("_END", end.text if end else None))


def _call_items(e: s.Call) -> list[s.Expr | s.Keyword]:
    return [*e.args, *e.keywords]


# ---------------------------------------------------------------- declarations


_BLOCK_KINDS = frozenset({"ruleset", "items", "group", "grades", "quota", "test"})


def _kind(item: s.Ruleset | s.Declaration) -> str:
    if isinstance(item, s.Ruleset):
        return "ruleset"
    if isinstance(item, s.Group):
        return "group"
    return type(item).__name__.lower()


class _ModulePrinter:
    def __init__(self, module: s.Module) -> None:
        self.module = module
        self.source = module.source
        self.sp = _Spelling.of(module)
        self.comments = sorted(module.comments, key=lambda c: c.span.start)
        self.ex = _ExprPrinter(self.sp, [c.span.start for c in self.comments])
        self.w = _Writer()
        self._blocks = 0  # numbers the blocks, so that each aligns its own columns
        self.verbatim: list[s.Span] = []  # declarations copied as written, comments included

    # ------------------------------------------------------------ driver

    def run(self) -> str:
        items: list[s.Ruleset | s.Declaration] = list(self.module.declarations)
        if self.module.ruleset is not None:
            items.append(self.module.ruleset)
        items.sort(key=lambda item: item.span.start)
        for item in items:
            self._item(item)
        lines = self.w.finish()
        tail = self._attach_comments(lines)
        return _Renderer(self.source, self.sp, lines, tail).render()

    def _item(self, item: s.Ruleset | s.Declaration) -> None:
        kind = _kind(item)
        line = self.w.start(_Line(0, item.span.start, "top", kind=kind, block=kind in _BLOCK_KINDS))
        self._blocks += 1
        if isinstance(item, s.Ruleset):
            self._ruleset(item)
        elif isinstance(item, s.Input):
            self._input(line, item)
        elif isinstance(item, s.Items):
            self._items(item)
        elif isinstance(item, s.Param):
            self._param(line, item)
        elif isinstance(item, s.Let):
            self._assignment(line, f"{self.sp.at('_LET', item.span.start)} {item.name}", item.expr)
            line.align = "let"
        elif isinstance(item, s.Group):
            self._group(item)
        elif isinstance(item, s.Total):
            self._assignment(line, self.sp.at("TOTAL", item.span.start), item.expr)
        elif isinstance(item, s.Grades):
            self._grades(item)
        elif isinstance(item, s.Veto):
            self._veto(item)
        elif isinstance(item, s.Exclusion):
            self._exclusion(item)
        elif isinstance(item, s.Quota):
            self._quota(item)
        elif isinstance(item, s.Test):
            self._test(item)
        else:  # a declaration newer than this printer: kept exactly as written
            self._verbatim(item)

    def _verbatim(self, item: s.Declaration) -> None:
        text = self.source[item.span.start : item.span.end]
        first, *rest = text.split("\n")
        self.w.write(first.rstrip())
        base = item.span.column - 1
        offset = item.span.start + len(first) + 1
        for line in rest:
            indent = len(line) - len(line.lstrip(" "))
            self.w.start(_Line(max(0, indent - base), offset + indent, "cont"))
            self.w.write(line.strip())
            offset += len(line) + 1
        self.verbatim.append(item.span)

    def _inner(self, key: int, first: bool, indent: int = STEP) -> _Line:
        return self.w.start(_Line(indent, key, "inner", first_in_block=first))

    def _end(self, span: s.Span, indent: int = 0) -> None:
        token = self.sp.ending_at(span.end)
        line = self.w.start(_Line(indent, token.start if token else span.end, "end"))
        line.text = self.sp.word("_END", token.text if token else None)

    def _fits(self, line: _Line, *parts: str) -> bool:
        return line.indent + len(" ".join(p for p in parts if p)) <= WIDTH

    def _tail_expr(self, line: _Line, e: s.Expr, sep: str = " ") -> None:
        """`e` after the text already on the current line: there when it fits or opens a
        block, else on the next line one step in."""
        w = self.w
        flat = self.ex.flat(e)
        if flat is not None and w.col + len(sep) + len(flat) <= WIDTH:
            w.write(sep + flat)
        elif flat is None or isinstance(e, _BLOCKY):
            w.write(sep)
            self.ex.emit(w, e, 0)
        else:
            w.newline(line.indent + STEP, e.span.start)
            self.ex.emit(w, e, 0)

    # ------------------------------------------------------------ header

    def _ruleset(self, r: s.Ruleset) -> None:
        self.w.write(f"{self.sp.at('_RULESET', r.span.start)} {r.name} {quote(r.title)}")
        for index, clause in enumerate(r.clauses):
            line = self._inner(clause.span.start, index == 0)
            line.text = self._clause(clause)
        self._end(r.span)

    def _clause(self, clause: s.HeaderClause) -> str:
        inside = [
            t
            for t in self.sp.tokens[bisect.bisect_left(self.sp.starts, clause.span.start) :]
            if t.end <= clause.span.end
        ]
        if not inside:  # no tokens (cannot happen for a parsed file)
            return f"{clause.key} {clause.value}"
        words = [self.sp.word(inside[0].terminal, inside[0].text)]
        values: list[str] = []
        for token in inside[1:]:
            if token.terminal in keywords.BY_TERMINAL:
                values.append(self.sp.word(token.terminal, token.text))
            elif token.terminal != "_COMMA":
                values.append(token.text)
        separator = ", " if clause.key == "needs" else " "
        return f"{words[0]} {separator.join(values)}"

    # ------------------------------------------------------------ inputs, items, params

    def _field_cells(self, f: s.Input) -> list[str]:
        kind = f.type
        type_word = self.sp.at(_TYPE_TERMINALS[kind.kind], kind.span.start)
        typed = f": {type_word}"
        if kind.kind == "enum":
            typed += " " + ", ".join(quote(choice) for choice in kind.choices)
        if f.range is not None:
            typed += " " + _range_text(f.range)
        if f.default is not None:
            typed += f" = {self.ex.flat(f.default) or ''}"
        return [f.name, typed, quote(f.label) if f.label is not None else ""]

    def _input(self, line: _Line, f: s.Input) -> None:
        cells = self._field_cells(f)
        cells[0] = f"{self.sp.at('_INPUT', f.span.start)} {f.name}"
        line.cells, line.align = cells, "input"

    def _items(self, items: s.Items) -> None:
        label = f" {quote(items.label)}" if items.label is not None else ""
        self.w.write(f"{self.sp.at('_ITEMS', items.span.start)} {items.name}{label}")
        for index, f in enumerate(items.fields):
            line = self._inner(f.span.start, index == 0)
            line.cells, line.align = self._field_cells(f), ("field", self._blocks)
        self._end(items.span)

    def _param(self, line: _Line, p: s.Param) -> None:
        values: list[str] = []
        for value in p.values:
            text = self.ex.flat(value.value) or ""
            if value.since is not None:
                text += f" {self.sp.after('_FROM', value.value.span.end)} {value.since.isoformat()}"
            values.append(text)
        line.cells = [
            f"{self.sp.at('_PARAM', p.span.start)} {p.name}",
            "= " + ", ".join(values),
            quote(p.label) if p.label is not None else "",
        ]
        line.align = "param"

    def _assignment(self, line: _Line, head: str, e: s.Expr) -> None:
        flat = self.ex.flat(e)
        if flat is not None and self._fits(line, head, "=", flat):
            line.cells = [head, f"= {flat}"]
            return
        self.w.write(f"{head} =")
        self._tail_expr(line, e)

    # ------------------------------------------------------------ groups

    def _group(self, g: s.Group) -> None:
        sp = self.sp
        kind = sp.at(
            {"group": "GROUP", "bonus": "BONUS", "penalty": "PENALTY"}[g.kind], g.span.start
        )
        label = f" {quote(g.label)}" if g.label is not None else ""
        text = f"{kind} {g.name}{label} {sp.after('MAX', g.name_span.end)} {g.max.text}"
        if g.rescale:
            text += f" {sp.after('RESCALE', g.max.span.end)}"
        self.w.write(text)
        block = self._blocks
        for index, c in enumerate(g.criteria):
            self._criterion(c, index == 0, block)
        self._end(g.span)

    def _criterion(self, c: s.Criterion, first: bool, block: int) -> None:
        sp, ex = self.sp, self.ex
        line = self._inner(c.span.start, first)
        head = f"{sp.at('_CRITERION', c.span.start)} {c.name}"
        label = quote(c.label) if c.label is not None else ""
        rest = f"{sp.after('MAX', c.name_span.end)} {c.max.text}"
        applies_word = sp.after("_APPLIES_WHEN", c.max.span.end)
        condition = ex.flat(c.applies_when) if c.applies_when is not None else ""
        formula = ex.flat(c.expr)
        if condition is not None and formula is not None:
            whole = f"{rest} {applies_word} {condition}" if c.applies_when is not None else rest
            whole += f" = {formula}"
            if self._fits(line, head, label, whole):
                line.cells, line.align = [head, label, whole], ("criterion", block)
                return
        self.w.write(" ".join(p for p in (head, label, rest) if p))
        if c.applies_when is not None:
            self.w.write(f" {applies_word} ")
            self.ex.emit(self.w, c.applies_when, 0, 2)
        self.w.write(" =")
        self._tail_expr(line, c.expr)

    # ------------------------------------------------------------ grades, vetoes, quotas

    def _grades(self, g: s.Grades) -> None:
        self.w.write(self.sp.at("_GRADES", g.span.start))
        block = self._blocks
        for index, grade in enumerate(g.grades):
            self._grade_row(grade, index == 0, block)
        self._end(g.span)

    def _grade_row(self, grade: s.Grade, first: bool, block: int) -> None:
        sp = self.sp
        line = self._inner(grade.span.start, first)
        label = quote(grade.label) if grade.label is not None else ""
        if grade.when is None:
            line.cells = [grade.name, label, sp.after("_OTHERWISE", grade.name_span.end)]
            line.align = ("grade", block)
            return
        when = sp.after("_WHEN", grade.name_span.end)
        condition = self.ex.flat(grade.when)
        if condition is not None and self._fits(line, grade.name, label, when, condition):
            line.cells = [grade.name, label, f"{when} {condition}"]
            line.align = ("grade", block)
            return
        self.w.write(" ".join(p for p in (grade.name, label, when) if p))
        self._tail_expr(line, grade.when)

    def _veto(self, v: s.Veto) -> None:
        sp, ex, w = self.sp, self.ex, self.w
        line = w.current
        when_token = sp.first_after("_WHEN", v.span.start)
        when = sp.word("_WHEN", when_token.text if when_token else None)
        grade = sp.after("GRADE", v.when.span.end)
        at_most = sp.after("_AT_MOST", v.when.span.end)
        head = f"{sp.at('_VETO', v.span.start)} {quote(v.reason)}"
        condition, cap = ex.flat(v.when), ex.flat(v.cap)
        ending = f": {grade} {at_most} "
        if (
            condition is not None
            and cap is not None
            and self._fits(line, head, when, condition + ending + cap)
        ):
            w.write(f"{head} {when} {condition}{ending}{cap}")
            return
        w.write(head)
        w.newline(STEP, when_token.start if when_token else v.when.span.start)
        w.write(f"{when} ")
        ex.emit(w, v.when, 0, len(ending))
        w.write(ending)
        ex.emit(w, v.cap, 0)

    def _exclusion(self, x: s.Exclusion) -> None:
        """`exclude "reason" when COND`, the condition on the next line when too long."""
        sp, w = self.sp, self.w
        line = w.current
        when_token = sp.first_after("_WHEN", x.span.start)
        when = sp.word("_WHEN", when_token.text if when_token else None)
        head = f"{sp.at('_EXCLUDE', x.span.start)} {quote(x.reason)}"
        condition = self.ex.flat(x.when)
        if condition is not None and self._fits(line, head, when, condition):
            w.write(f"{head} {when} {condition}")
            return
        w.write(head)
        w.newline(STEP, when_token.start if when_token else x.when.span.start)
        w.write(f"{when} ")
        self.ex.emit(w, x.when, 0)

    def _quota(self, q: s.Quota) -> None:
        sp, ex, w = self.sp, self.ex, self.w
        line = w.current
        w.write(
            f"{sp.at('_QUOTA', q.span.start)} {q.grade.name} "
            f"{sp.after('_AT_MOST', q.grade.span.end)} "
        )
        ex.emit(w, q.share, 0)
        w.write(f" {sp.after('_OF', q.share.span.end)} ")
        ex.emit(w, q.count, 0)
        if q.per:
            per_token = sp.first_after("_PER", q.count.span.end)
            per = f"{sp.word('_PER', per_token.text if per_token else None)} " + ", ".join(
                sp.name(key.name, key.span.start) for key in q.per
            )
            if w.col + 1 + len(per) <= WIDTH or w.current is not line:
                w.write(f" {per}")
            else:
                w.newline(STEP, per_token.start if per_token else q.per[0].span.start)
                w.write(per)
        first = True
        if q.rank:
            rank_token = sp.first_after("_RANK_BY", q.count.span.end)
            rank_line = self._inner(rank_token.start if rank_token else q.rank[0].span.start, True)
            first = False
            self.w.write(f"{sp.word('_RANK_BY', rank_token.text if rank_token else None)} ")
            for index, key in enumerate(q.rank):
                order = self._rank_order(key)
                if index:
                    text = ex.flat(key.expr)
                    if text is not None and w.col + len(text) + len(order) + 2 <= WIDTH:
                        w.write(f", {text}{order}")
                        continue
                    w.write(",")
                    w.newline(rank_line.indent + STEP, key.span.start)
                ex.emit(w, key.expr, 0, len(order))
                w.write(order)
        after = (
            q.rank[-1].span.end if q.rank else (q.per[-1].span.end if q.per else q.count.span.end)
        )
        demote = sp.first_after("_DEMOTE_TO", after)
        line = self._inner(demote.start if demote else q.demote_to.span.start, first)
        line.text = f"{sp.word('_DEMOTE_TO', demote.text if demote else None)} {q.demote_to.name}"
        rounding = None
        for terminal in ("ROUND_DOWN", "ROUND_NEAREST"):
            token = sp.first_after(terminal, q.demote_to.span.end)
            if token is not None and token.end <= q.span.end:
                rounding = token
        if rounding is not None:
            line = self._inner(rounding.start, False)
            line.text = sp.word(rounding.terminal, rounding.text)
        elif q.rounding == "nearest":
            line = self._inner(q.demote_to.span.end, False)
            line.text = sp.word("ROUND_NEAREST")
        self._end(q.span)

    def _rank_order(self, key: s.RankKey) -> str:
        token = self.sp.ending_at(key.span.end)
        if token is not None and token.terminal in ("DESC", "ASC"):
            return " " + self.sp.word(token.terminal, token.text)
        return ""

    # ------------------------------------------------------------ tests

    def _test(self, t: s.Test) -> None:
        self.w.write(f"{self.sp.at('_TEST', t.span.start)} {quote(t.name)}")
        first = True
        if t.period is not None and t.period_span is not None:
            token = self.sp.last_before("_PERIOD", t.period_span.start)
            line = self._inner(token.start if token else t.period_span.start, first)
            line.text = f"{self.sp.word('_PERIOD', token.text if token else None)} {t.period}"
            first = False
        for word, key, givens in self._given_lines(t.givens):
            self._items_line(self._inner(key, first), word, givens)
            first = False
        block = self._blocks
        for subject in t.subjects:
            line = self._inner(subject.span.start, first)
            first = False
            head = f"{self.sp.at('_SUBJECT', subject.span.start)} {subject.name}"
            lines = self._given_lines(subject.givens)
            if not lines:
                line.text = head
                continue
            word, _key, givens = lines[0]
            texts = [self._given_text(g) for g in givens]
            if all(texts) and self._fits(line, head, word, ", ".join(t or "" for t in texts)):
                line.cells = [head, f"{word} " + ", ".join(t or "" for t in texts)]
                line.align = ("subject", block)
            else:
                self.w.write(head + " ")
                self._items_line(line, word, givens, STEP * 2)
            for word, key, givens in lines[1:]:
                self._items_line(self._inner(key, False, STEP * 2), word, givens)
        for word, key, expects in self._expect_lines(t.expects):
            self._items_line(self._inner(key, first), word, expects)
            first = False
        self._end(t.span)

    def _given_lines(self, givens: Sequence[s.Given]) -> list[tuple[str, int, list[s.Given]]]:
        """Givens grouped as the author wrote them on `given` lines: (keyword, its offset,
        givens)."""
        lines: list[tuple[str, int, list[s.Given]]] = []
        last: _Token | None = None
        for given in givens:
            token = self.sp.last_before("_GIVEN", given.span.start)
            if lines and token == last:
                lines[-1][2].append(given)
                continue
            last = token
            word = self.sp.word("_GIVEN", token.text if token else None)
            lines.append((word, token.start if token else given.span.start, [given]))
        return lines

    def _expect_lines(
        self, expects: Sequence[s.Expectation]
    ) -> list[tuple[str, int, list[s.Expectation]]]:
        lines: list[tuple[str, int, list[s.Expectation]]] = []
        last: _Token | None = None
        for expect in expects:
            token = self.sp.last_before("_EXPECT", expect.span.start)
            if lines and token == last:
                lines[-1][2].append(expect)
                continue
            last = token
            word = self.sp.word("_EXPECT", token.text if token else None)
            if expect.subject is not None:
                word += f" {expect.subject}:"
            lines.append((word, token.start if token else expect.span.start, [expect]))
        return lines

    def _given_text(self, given: s.Given) -> str | None:
        value = self.ex.flat(given.value)
        if value is None:
            return None
        return f"{self.sp.name(given.name, given.name_span.start)} = {value}"

    def _expect_text(self, expect: s.Expectation) -> str | None:
        if expect.is_flag:
            return f"{self.sp.at('_FLAG', expect.span.start)} {expect.name}"
        assert expect.value is not None
        value = self.ex.flat(expect.value)
        if value is None:
            return None
        within = self._within_text(expect)
        if within is None:
            return None
        return f"{self._expect_target(expect)} = {value}{within}"

    def _expect_target(self, expect: s.Expectation) -> str:
        """The name an expectation reads, or `round(NAME, N)`."""
        name = self.sp.name(expect.name, expect.name_span.start)
        return name if expect.round_places is None else f"round({name}, {expect.round_places})"

    def _within_text(self, expect: s.Expectation) -> str | None:
        """` within E` (` sai số E`) after an expected value, '' without a tolerance."""
        if expect.within is None or expect.value is None:
            return ""
        tolerance = self.ex.flat(expect.within)
        if tolerance is None:
            return None
        return f" {self.sp.after('_WITHIN', expect.value.span.end)} {tolerance}"

    def _items_line(
        self,
        line: _Line,
        word: str,
        entries: Sequence[s.Given] | Sequence[s.Expectation],
        indent: int | None = None,
    ) -> None:
        """`given a = 1, b = 2` (or `expect …`): entries on one line while they fit; a line
        too long goes on as another line with the same keyword. `indent` is that of the
        further lines (default: the line's own)."""
        w = self.w
        again = line.indent if indent is None else indent
        w.write(f"{word} ")
        fresh = True
        for entry in entries:
            text = self._entry_text(entry)
            if not fresh:
                if text is not None and w.col + 2 + len(text) <= WIDTH and w.current is line:
                    w.write(f", {text}")
                    continue
                line = self._inner(entry.span.start, False, again)
                w.write(f"{word} ")
            fresh = False
            if text is not None and w.col + len(text) <= WIDTH:
                w.write(text)
                continue
            self._entry_broken(line, entry)

    def _entry_text(self, entry: s.Given | s.Expectation) -> str | None:
        return self._given_text(entry) if isinstance(entry, s.Given) else self._expect_text(entry)

    def _entry_broken(self, line: _Line, entry: s.Given | s.Expectation) -> None:
        """A given or expectation too long for one line: its value breaks."""
        if entry.value is not None:
            target = (
                self._expect_target(entry)
                if isinstance(entry, s.Expectation)
                else self.sp.name(entry.name, entry.name_span.start)
            )
            self.w.write(f"{target} =")
            self._tail_expr(line, entry.value)
            if isinstance(entry, s.Expectation) and entry.within is not None:
                self.w.write(f" {self.sp.after('_WITHIN', entry.value.span.end)}")
                self._tail_expr(line, entry.within)
        else:
            self.w.write(self._expect_text(entry) or "")

    # ------------------------------------------------------------ comments

    def _attach_comments(self, lines: list[_Line]) -> list[s.Comment]:
        """Give each comment to a line (see the module docstring); returns the comments after
        the last token, which end the file."""
        keys = [line.key for line in lines]
        starts = self.sp.starts
        at_end: list[s.Comment] = []
        for comment in self.comments:
            if any(span.start < comment.span.start < span.end for span in self.verbatim):
                continue
            index = bisect.bisect_left(starts, comment.span.start)
            line_start = self.source.rfind("\n", 0, comment.span.start) + 1
            alone = not self.source[line_start : comment.span.start].strip()
            if not alone and index > 0:
                holder = max(0, bisect.bisect_right(keys, starts[index - 1]) - 1)
                lines[holder].trailing.append(comment)
            elif index < len(starts):
                # A comma is printed at the end of the line before: a comment written before
                # one belongs with what follows it.
                while index + 1 < len(starts) and self.sp.tokens[index].terminal == "_COMMA":
                    index += 1
                holder = max(0, bisect.bisect_right(keys, starts[index]) - 1)
                lines[holder].leading.append(comment)
            else:
                at_end.append(comment)
        for index, line in enumerate(lines):
            if len(line.trailing) > 1:  # only one fits at the end of a line
                extra, line.trailing = line.trailing[1:], line.trailing[:1]
                if index + 1 < len(lines):
                    lines[index + 1].leading[:0] = extra
                else:
                    at_end[:0] = extra
        return at_end


_TYPE_TERMINALS: dict[str, str] = {
    "number": "NUMBER_TYPE",
    "count": "COUNT_TYPE",
    "percent": "PERCENT_TYPE",
    "bool": "BOOL_TYPE",
    "text": "TEXT_TYPE",
    "date": "DATE_TYPE",
    "enum": "_ONE_OF",
}


def _range_text(r: s.RangeSpec) -> str:
    low = r.low.text if isinstance(r.low, s.Number) else ""
    high = r.high.text if isinstance(r.high, s.Number) else ""
    if r.low is not None and r.high is not None and not (r.low_strict or r.high_strict):
        return f"{low}..{high}"
    if r.low is not None:
        return f"{'>' if r.low_strict else '>='} {low}"
    return f"{'<' if r.high_strict else '<='} {high}"


# ---------------------------------------------------------------- rendering


class _Renderer:
    """Turns lines and their comments into text: blank lines, aligned columns, trailing
    comments."""

    def __init__(
        self, source: str, spelling: _Spelling, lines: list[_Line], at_end: list[s.Comment]
    ) -> None:
        self.source = source
        self.lines = lines
        self.at_end = at_end
        atoms = [(t.start, t.end) for t in spelling.tokens]
        atoms += [(c.span.start, c.span.end) for c in at_end]
        for line in lines:
            atoms += [(c.span.start, c.span.end) for c in (*line.leading, *line.trailing)]
        atoms.sort()
        self.atom_starts = [a[0] for a in atoms]
        self.atom_ends = [a[1] for a in atoms]

    def blank_in_source(self, offset: int) -> bool:
        """Whether the author left an empty line right before what starts at `offset`."""
        index = bisect.bisect_left(self.atom_starts, offset)
        if index == 0:
            return False
        return self.source.count("\n", self.atom_ends[index - 1], offset) >= 2

    def decide(self, policy: Blank, offset: int) -> bool:
        if policy == "force":
            return True
        return policy == "keep" and self.blank_in_source(offset)

    def render(self) -> str:
        # 1. Blank lines before each leading comment and each code line.
        comment_blanks: list[list[bool]] = []
        code_blanks: list[bool] = []
        previous: _Line | None = None
        for index, line in enumerate(self.lines):
            first, others, code, lone = self._policies(index, line, previous)
            comment_blanks.append(
                [
                    self.decide(first if k == 0 else others, comment.span.start)
                    for k, comment in enumerate(line.leading)
                ]
            )
            code_blanks.append(self.decide(code if line.leading else lone, line.key))
            if line.role == "top":
                previous = line
        # 2. Code text, with the columns of aligned runs.
        texts = self._code_texts(code_blanks)
        # 3. Out, with trailing comments aligned over runs of neighbouring lines.
        out: list[str] = []
        trailing: dict[int, s.Comment] = {}
        run: list[int] = []

        def close_run() -> None:
            if run:
                column = max(len(out[i]) for i in run) + 2
                for i in run:
                    out[i] = out[i].ljust(column) + _comment(trailing[i])
                run.clear()

        def put(blank: bool, text: str) -> None:
            if blank and out:
                close_run()
                out.append("")
            out.append(text)

        for index, line in enumerate(self.lines):
            indent = line.indent + (STEP if line.role == "end" else 0)
            for comment, blank in zip(line.leading, comment_blanks[index], strict=True):
                close_run()
                put(blank, " " * indent + _comment(comment))
            put(code_blanks[index], " " * line.indent + texts[index])
            if line.trailing:
                trailing[len(out) - 1] = line.trailing[0]
                run.append(len(out) - 1)
            else:
                close_run()
        close_run()
        for comment in self.at_end:
            put(self.blank_in_source(comment.span.start), _comment(comment))
        return "\n".join(out) + "\n" if out else ""

    def _policies(
        self, index: int, line: _Line, previous: _Line | None
    ) -> tuple[Blank, Blank, Blank, Blank]:
        """Blank-line policies: before the first leading comment, before the other leading
        comments, before the code line after comments, before a code line without comments."""
        if index == 0:
            return "none", "keep", "keep", "none"
        if line.role == "top":
            separate = (
                previous is None or line.kind != previous.kind or line.block or previous.block
            )
            start: Blank = "force" if separate else "keep"
            return start, "keep", "keep", start
        if line.role == "inner":
            start = "none" if line.first_in_block else "keep"
            return start, "keep", "keep", start
        if line.role == "end":
            return "keep", "keep", "none", "none"
        return "none", "none", "none", "none"

    def _code_texts(self, blanks: Sequence[bool]) -> list[str]:
        """The text of each code line, with the columns of aligned runs padded. A run is a
        sequence of neighbouring lines of one kind, with no blank line or comment between."""
        texts = [
            line.text if line.cells is None else " ".join(c for c in line.cells if c)
            for line in self.lines
        ]
        run: list[int] = []

        def close_run() -> None:
            if len(run) > 1:
                cells = [self.lines[i].cells or [] for i in run]
                widths = [0] * max(len(c) for c in cells)
                for row in cells:
                    for k, cell in enumerate(row):
                        widths[k] = max(widths[k], len(cell))
                aligned = [_aligned(row, widths) for row in cells]
                # Padding may not push a line that fitted over the limit.
                if all(
                    self.lines[i].indent + len(text) <= WIDTH
                    or self.lines[i].indent + len(texts[i]) > WIDTH
                    for i, text in zip(run, aligned, strict=True)
                ):
                    for i, text in zip(run, aligned, strict=True):
                        texts[i] = text
            run.clear()

        for index, line in enumerate(self.lines):
            # A line with a very wide cell before the last (a long `one of` type) would push
            # its neighbours far right: it is left out of runs.
            if (
                line.cells is None
                or line.align is None
                or len(" ".join(line.cells[:-1])) > WIDTH * 3 // 4
            ):
                close_run()
                continue
            joins = (
                run
                and run[-1] == index - 1
                and self.lines[run[-1]].align == line.align
                and not line.leading
                and not blanks[index]
            )
            if not joins:
                close_run()
            run.append(index)
        close_run()
        return texts


def _aligned(cells: Sequence[str], widths: Sequence[int]) -> str:
    parts = []
    for k, cell in enumerate(cells):
        if k == len(cells) - 1:
            parts.append(cell)
        elif widths[k]:
            parts.append(cell.ljust(widths[k]))
    return " ".join(parts).rstrip()


def _comment(comment: s.Comment) -> str:
    return "#" + comment.text.rstrip()
