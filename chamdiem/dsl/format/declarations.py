"""The module printer: the header, each declaration and test block in the canonical layout,
with the blank lines and comments the author kept.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from chamdiem.dsl import keywords
from chamdiem.dsl import syntax as s
from chamdiem.dsl.format.expressions import BLOCKY, ExprPrinter
from chamdiem.dsl.format.lines import STEP, WIDTH, Line, Renderer, Writer, quote
from chamdiem.dsl.format.spelling import Spelling, Token

# ---------------------------------------------------------------- declarations


_BLOCK_KINDS = frozenset({"ruleset", "items", "catalog", "group", "grades", "quota", "test"})


def _kind(item: s.Ruleset | s.Declaration) -> str:
    if isinstance(item, s.Ruleset):
        return "ruleset"
    if isinstance(item, s.Group):
        return "group"
    return type(item).__name__.lower()


class ModulePrinter:
    def __init__(self, module: s.Module) -> None:
        self.module = module
        self.source = module.source
        self.sp = Spelling.of(module)
        self.comments = sorted(module.comments, key=lambda c: c.span.start)
        self.ex = ExprPrinter(self.sp, [c.span.start for c in self.comments])
        self.w = Writer()
        self._blocks = 0  # numbers the blocks, so that each aligns its own columns
        self.verbatim: list[s.Span] = []  # declarations copied as written, comments included

    # ------------------------------------------------------------ driver

    def node(self, node: s.Ruleset | s.Declaration | s.Criterion | s.Grade | s.Input) -> str:
        """One declaration (or a criterion, a grade row, an items field) alone, without
        comments, starting at column 0 (`format_node`)."""
        if isinstance(node, s.Criterion):
            self._criterion(node, True, 0)
        elif isinstance(node, s.Grade):
            self._grade_row(node, True, 0)
        elif isinstance(node, s.Input) and not _is_top_level(node, self.module):
            line = self._inner(node.span.start, True)
            line.cells = self._field_cells(node)
        else:
            self._item(node)
        lines = self.w.finish()
        shift = min(line.indent for line in lines)
        for line in lines:
            line.indent -= shift
        return Renderer(self.source, Spelling((), "en"), lines, []).render().rstrip("\n")

    def run(self) -> str:
        items: list[s.Ruleset | s.Declaration] = list(self.module.declarations)
        if self.module.ruleset is not None:
            items.append(self.module.ruleset)
        items.sort(key=lambda item: item.span.start)
        for item in items:
            self._item(item)
        lines = self.w.finish()
        tail = self._attach_comments(lines)
        return Renderer(self.source, self.sp, lines, tail).render()

    def _item(self, item: s.Ruleset | s.Declaration) -> None:
        kind = _kind(item)
        line = self.w.start(Line(0, item.span.start, "top", kind=kind, block=kind in _BLOCK_KINDS))
        self._blocks += 1
        if isinstance(item, s.Ruleset):
            self._ruleset(item)
        elif isinstance(item, s.Input):
            self._input(line, item)
        elif isinstance(item, s.Items):
            self._items(item)
        elif isinstance(item, s.Catalog):
            self._catalog(item)
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
            self.w.start(Line(max(0, indent - base), offset + indent, "cont"))
            self.w.write(line.strip())
            offset += len(line) + 1
        self.verbatim.append(item.span)

    def _inner(self, key: int, first: bool, indent: int = STEP) -> Line:
        return self.w.start(Line(indent, key, "inner", first_in_block=first))

    def _end(self, span: s.Span, indent: int = 0) -> None:
        token = self.sp.ending_at(span.end)
        line = self.w.start(Line(indent, token.start if token else span.end, "end"))
        line.text = self.sp.word("_END", token.text if token else None)

    def _fits(self, line: Line, *parts: str) -> bool:
        return line.indent + len(" ".join(p for p in parts if p)) <= WIDTH

    def _tail_expr(self, line: Line, e: s.Expr, sep: str = " ") -> None:
        """`e` after the text already on the current line: there when it fits or opens a
        block, else on the next line one step in."""
        w = self.w
        flat = self.ex.flat(e)
        if flat is not None and w.col + len(sep) + len(flat) <= WIDTH:
            w.write(sep + flat)
        elif flat is None or isinstance(e, BLOCKY):
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
        type_word = self.sp.at(keywords.TYPE_TERMINALS[kind.kind], kind.span.start)
        typed = f": {type_word}"
        if kind.kind == "enum":
            typed += " " + ", ".join(quote(choice) for choice in kind.choices)
        if kind.kind == "key":
            typed += f" {kind.catalog}"
        if f.range is not None:
            typed += " " + _range_text(f.range)
        if f.default is not None:
            typed += f" = {self.ex.flat(f.default) or ''}"
        return [f.name, typed, quote(f.label) if f.label is not None else ""]

    def _input(self, line: Line, f: s.Input) -> None:
        cells = self._field_cells(f)
        cells[0] = f"{self.sp.at('_INPUT', f.span.start)} {f.name}"
        line.cells, line.align = cells, "input"

    def _items(self, items: s.Items) -> None:
        label = f" {quote(items.label)}" if items.label is not None else ""
        self.w.write(f"{self.sp.at('_ITEMS', items.span.start)} {items.name}{label}")
        for index, f in enumerate(items.fields):
            line = self._inner(f.span.start, index == 0)
            line.cells, line.align = self._field_cells(f), ("field", self._blocks)
        for let in items.lets:
            line = self._inner(let.span.start, False)
            self._assignment(line, f"{self.sp.at('_LET', let.span.start)} {let.name}", let.expr)
            line.align = ("item_let", self._blocks)
        self._end(items.span)

    def _catalog(self, c: s.Catalog) -> None:
        label = f" {quote(c.label)}" if c.label is not None else ""
        key_word = self._before("_KEY", c.key_span.start)
        self.w.write(f"{self.sp.at('_CATALOG', c.span.start)} {c.name}{label} {key_word} {c.key}")
        for index, f in enumerate(c.fields):
            line = self._inner(f.span.start, index == 0)
            line.cells, line.align = self._field_cells(f), ("field", self._blocks)
        if c.files:
            start = c.files[0].span.start
            rows_word = self._before("_ROWS", start)
            from_word = self._before("_FROM", start)
            parts = []
            for file in c.files:
                text = quote(file.path)
                if file.since is not None:
                    since_word = self.sp.after("_FROM", file.span.start + len(quote(file.path)))
                    text += f" {since_word} {file.since.isoformat()}"
                parts.append(text)
            line = self._inner(start, not c.fields)
            line.text = f"{rows_word} {from_word} " + ", ".join(parts)
        elif c.rows is not None:
            first = c.rows[0].span.start if c.rows else c.span.end
            line = self._inner(first, not c.fields)
            line.text = self._before("_ROWS", first)
            for row in c.rows:
                inner = self._inner(row.span.start, False, 2 * STEP)
                inner.text = f"{quote(row.key)} -> {self.ex.flat(row.record) or ''}"
            token = self.sp.ending_at(c.span.end)
            inner_end = self.sp.last_before("_END", token.start) if token is not None else None
            end_line = self.w.start(Line(STEP, inner_end.start if inner_end else c.span.end, "end"))
            end_line.text = self.sp.word("_END", inner_end.text if inner_end else None)
        self._end(c.span)

    def _before(self, terminal: str, offset: int) -> str:
        """The keyword written last before `offset`, as spelled there."""
        token = self.sp.last_before(terminal, offset)
        return self.sp.word(terminal, token.text if token else None)

    def _param(self, line: Line, p: s.Param) -> None:
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

    def _assignment(self, line: Line, head: str, e: s.Expr) -> None:
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
        last: Token | None = None
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
        last: Token | None = None
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
        line: Line,
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

    def _entry_broken(self, line: Line, entry: s.Given | s.Expectation) -> None:
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

    def _attach_comments(self, lines: list[Line]) -> list[s.Comment]:
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


def _range_text(r: s.RangeSpec) -> str:
    low = r.low.text if isinstance(r.low, s.Number) else ""
    high = r.high.text if isinstance(r.high, s.Number) else ""
    if r.low is not None and r.high is not None and not (r.low_strict or r.high_strict):
        return f"{low}..{high}"
    if r.low is not None:
        return f"{'>' if r.low_strict else '>='} {low}"
    return f"{'<' if r.high_strict else '<='} {high}"


def _is_top_level(node: s.Input, module: s.Module) -> bool:
    return any(decl is node for decl in module.declarations)
