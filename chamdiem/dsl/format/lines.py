"""Output lines and how they become text: indentation, blank lines, aligned columns and
comments. Every printer writes `Line`s through a `Writer`; `Renderer` turns them into the file.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from chamdiem.dsl import syntax as s
from chamdiem.dsl.format.spelling import Spelling

WIDTH = 100  # longest line, not counting trailing comments, before lines are broken
STEP = 2  # indentation of one block level


def quote(text: str) -> str:
    """A string literal: `"` and `\\` are the only characters escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------- output lines

Role = Literal["top", "inner", "end", "cont"]
Blank = Literal["force", "keep", "none"]


@dataclass
class Line:
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


class Writer:
    """Collects lines; expressions are written into the current one."""

    def __init__(self) -> None:
        self.lines: list[Line] = []

    def start(self, line: Line) -> Line:
        self.lines.append(line)
        return line

    @property
    def current(self) -> Line:
        return self.lines[-1]

    @property
    def col(self) -> int:
        return self.current.indent + len(self.current.text)

    def write(self, text: str) -> None:
        self.current.text += text

    def newline(self, indent: int, key: int, role: Role = "cont") -> None:
        self.start(Line(indent, key, role))

    def finish(self) -> list[Line]:
        return self.lines


# ---------------------------------------------------------------- rendering


class Renderer:
    """Turns lines and their comments into text: blank lines, aligned columns, trailing
    comments."""

    def __init__(
        self, source: str, spelling: Spelling, lines: list[Line], at_end: list[s.Comment]
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
        previous: Line | None = None
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
        self, index: int, line: Line, previous: Line | None
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
