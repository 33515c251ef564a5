"""The expression printer: the fewest parentheses that keep the tree (by precedence.py),
flat when a line allows, broken before operators or between arguments when not.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from chamdiem.dsl import syntax as s
from chamdiem.dsl.format.lines import STEP, WIDTH, Line, Writer, quote
from chamdiem.dsl.format.spelling import Spelling
from chamdiem.dsl.precedence import BINARY_LEVELS, COMPARISON, POSTFIX, SUM, level, operand_levels

BLOCKY = (s.ListLit, s.RecordLit, s.Band)


class ExprPrinter:
    """Prints expressions, flat or broken over lines."""

    def __init__(self, spelling: Spelling, comment_starts: Sequence[int]) -> None:
        self.sp = spelling
        self.comment_starts = list(comment_starts)

    # ------------------------------------------------------------ flat

    def flat(self, expr: s.Expr, required: int = 0) -> str | None:
        """One-line text, parenthesised when weaker than `required`; None when the
        expression must take several lines (a band, or a list holding a comment)."""
        text = self._flat(expr)
        if text is None:
            return None
        return f"({text})" if level(expr) < required else text

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
            target = self.flat(e.target, POSTFIX)
            return None if target is None else f"{target}.{sp.name(e.name, e.name_span.start)}"
        if isinstance(e, s.Index):
            target, key = self.flat(e.target, POSTFIX), self.flat(e.key)
            return None if target is None or key is None else f"{target}[{key}]"
        if isinstance(e, s.Unary):
            operand = self.flat(e.operand, 3 if e.op == "not" else 7)
            if operand is None:
                return None
            return f"{sp.at('NOT', e.span.start)} {operand}" if e.op == "not" else f"-{operand}"
        if isinstance(e, s.Binary):
            left_level, right_level = operand_levels(e)
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

    def emit(self, w: Writer, e: s.Expr, required: int, tail: int = 0) -> None:
        """Write `e` at the writer's column: flat when it fits (leaving `tail` characters
        for what follows on the line), else broken over lines."""
        flat = self.flat(e, required)
        if flat is not None and w.col + len(flat) + tail <= WIDTH:
            w.write(flat)
            return
        if level(e) < required:
            w.write("(")
            self._broken(w, e, tail + 1)
            w.write(")")
        else:
            self._broken(w, e, tail)

    def _broken(self, w: Writer, e: s.Expr, tail: int) -> None:
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
            self.emit(w, e.target, POSTFIX, tail + len(name) + 1)
            w.write(f".{name}")
        else:
            w.write(self._flat(e) or "")

    def _chain(self, w: Writer, e: s.Binary, tail: int) -> None:
        """`a + b - c …` broken before operators; continuation lines start at the column
        of the first operand, as many operands on a line as fit."""
        chained = BINARY_LEVELS[e.op]
        links: list[s.Binary] = [e]
        first: s.Expr = e.left
        if chained != COMPARISON:
            while isinstance(first, s.Binary) and BINARY_LEVELS[first.op] == chained:
                links.append(first)
                first = first.left
        links.reverse()
        start = w.col
        half = start + (WIDTH - start) // 2
        self.emit(w, first, operand_levels(e)[0], 0)
        for index, link in enumerate(links):
            op = self.op(link)
            right_level = operand_levels(link)[1]
            right = link.right
            end_tail = tail if index == len(links) - 1 else 0
            piece = self.flat(right, right_level)
            if piece is not None and w.col + len(op) + len(piece) + 2 + end_tail <= WIDTH:
                w.write(f" {op} {piece}")
            elif piece is None or (
                w.col + len(op) + 2 <= half
                and (
                    isinstance(right, s.Call | s.ListLit | s.RecordLit)
                    or level(right) < right_level
                )
            ):
                w.write(f" {op} ")  # a bracket or a band breaks inside, from here
                self.emit(w, right, right_level, end_tail)
            else:
                w.newline(start, link.op_span.start)
                w.write(f"{op} ")
                self.emit(w, right, right_level, end_tail)

    def _call(self, w: Writer, e: s.Call, tail: int) -> None:
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

    def _arg(self, w: Writer, call: s.Call, item: s.Expr | s.Keyword, tail: int) -> None:
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
        w: Writer,
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

    def _conditional(self, w: Writer, e: s.Conditional, tail: int) -> None:
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

    def _band(self, w: Writer, e: s.Band) -> None:
        """`band SUBJECT`, one row per line one step in, `end` under the line's start."""
        base = w.current.indent
        w.write(f"{self.sp.at('_BAND', e.span.start)} ")
        self.emit(w, e.subject, SUM)
        for row in e.rows:
            w.newline(base + STEP, row.span.start)
            if row.op == "..":
                self.emit(w, row.bound, POSTFIX, 2)  # a number, name, attribute or call
                w.write("..")
                if row.upper is not None:
                    self.emit(w, row.upper, SUM, 4)
                w.write(" -> ")
            else:
                w.write(f"{row.op} ")
                self.emit(w, row.bound, SUM, 4)
                w.write(" -> ")
            self.emit(w, row.value, SUM)
        if e.otherwise is not None:
            after = e.rows[-1].span.end if e.rows else e.subject.span.end
            token = self.sp.first_after("_ELSE", after)
            w.newline(base + STEP, token.start if token else e.otherwise.span.start)
            w.write(f"{self.sp.word('_ELSE', token.text if token else None)} -> ")
            self.emit(w, e.otherwise, SUM)
        end = self.sp.ending_at(e.span.end)
        w.start(Line(base, end.start if end else e.span.end, "cont"))
        w.write(self.sp.word("_END", end.text if end else None))


def _call_items(e: s.Call) -> list[s.Expr | s.Keyword]:
    return [*e.args, *e.keywords]
