"""Problems found in a DATA file, each with the place a user can find it again.

A reader collects every problem of the file before giving up, so that one run shows them all;
`DataFileError` carries the first `PROBLEM_LIMIT` (in file order) and the count of the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chamdiem.dsl.diagnostics import Language, Text, default_language

PROBLEM_LIMIT = 200


@dataclass(frozen=True, slots=True)
class DataProblem:
    """One thing wrong in a DATA file. `row` is 1-based, `column` a letter ('A', 'AB');
    `field` is the input (or `items.field`) the cell was meant for."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    field: str | None
    message: Text

    def location(self) -> str:
        """`FILE:SHEET:ROW:COL`, leaving out the parts that do not apply."""
        parts = [self.file]
        if self.sheet is not None:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(str(self.row))
        if self.column is not None:
            parts.append(self.column)
        return ":".join(parts)

    def render(self, language: Language | None = None) -> str:
        """`FILE:SHEET:ROW:COL: lỗi: message (field)` on one line."""
        lang = language or default_language()
        word = "lỗi" if lang == "vi" else "error"
        tail = f" ({self.field})" if self.field else ""
        return f"{self.location()}: {word}: {self.message.in_(lang)}{tail}"


def column_index(letter: str) -> int:
    """'A' -> 0, 'AB' -> 27 (for ordering problems)."""
    index = 0
    for ch in letter:
        index = index * 26 + (ord(ch) - ord("A") + 1)
    return index - 1


class DataFileError(Exception):
    """The DATA file cannot be used; `problems` lists what is wrong, `omitted` how many more
    problems were found but not listed."""

    def __init__(self, problems: list[DataProblem], omitted: int = 0) -> None:
        self.problems = problems
        self.omitted = omitted
        first = problems[0].render("en") if problems else "no problems"
        more = len(problems) - 1 + omitted
        super().__init__(first + (f" (and {more} more)" if more else ""))

    def render(self, language: Language | None = None) -> str:
        """Every listed problem on its own line, then a line counting the rest."""
        lang = language or default_language()
        lines = [problem.render(lang) for problem in self.problems]
        if self.omitted:
            lines.append(
                Text(
                    f"… và {self.omitted} lỗi khác không liệt kê",
                    f"… and {self.omitted} more problems not listed",
                ).in_(lang)
            )
        return "\n".join(lines)


class ProblemLog:
    """Collects problems sheet by sheet and keeps the first `limit` of them in file order.

    Per column only the first `limit` are kept (a column that is wrong throughout would
    otherwise make a hundred thousand objects); that is enough to know the first `limit`
    overall, because a sheet's problems are ordered by row and then column.

    A cell gets one problem, the first reported: a cell showing a formula error reads as blank,
    and "missing required value" would only repeat the formula error at the same place."""

    def __init__(self, limit: int = PROBLEM_LIMIT) -> None:
        self.limit = limit
        self.total = 0
        self._kept: list[tuple[int, int, int, DataProblem]] = []
        self._sheet_order: dict[tuple[str, str | None], int] = {}
        self._cells: set[tuple[str, str | None, int, str]] = set()

    def __len__(self) -> int:
        return self.total

    def add(self, problem: DataProblem) -> None:
        if self._repeats_a_cell(problem):
            return
        self.total += 1
        self._keep(problem)

    def add_counted(self, problems: Iterable[DataProblem], count: int) -> None:
        """Add a column's kept problems plus how many it had in all."""
        kept = repeated = 0
        for problem in problems:
            if self._repeats_a_cell(problem):
                repeated += 1
                continue
            self._keep(problem)
            kept += 1
        self.total += max(count - repeated, kept)

    def _repeats_a_cell(self, problem: DataProblem) -> bool:
        if problem.row is None or problem.column is None:
            return False
        cell = (problem.file, problem.sheet, problem.row, problem.column)
        if cell in self._cells:
            return True
        self._cells.add(cell)
        return False

    def _keep(self, problem: DataProblem) -> None:
        key = (problem.file, problem.sheet)
        order = self._sheet_order.setdefault(key, len(self._sheet_order))
        row = problem.row or 0
        col = column_index(problem.column) if problem.column else -1
        self._kept.append((order, row, col, problem))

    def problems(self) -> list[DataProblem]:
        ordered = sorted(self._kept, key=lambda entry: entry[:3])
        return [entry[3] for entry in ordered[: self.limit]]

    def raise_if_any(self) -> None:
        if self.total:
            listed = self.problems()
            raise DataFileError(listed, self.total - len(listed))
