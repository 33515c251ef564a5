"""Evaluation periods as a type: a month, a quarter or a year, written 2026-03, 2026-Q1, 2026."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["month", "quarter", "year"]
_ORDER: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}  # months in one period
_PATTERNS = (
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "month"),
    (re.compile(r"^(\d{4})$"), "year"),
)


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: PeriodKind
    index: int  # month 1–12, quarter 1–4, 1 for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        cleaned = text.strip()
        for pattern, kind in _PATTERNS:
            match = pattern.match(cleaned)
            if match:
                index = int(match.group(2)) if kind != "year" else 1
                return cls(int(match.group(1)), kind, index)  # type: ignore[arg-type]
        raise PeriodError(
            f"kỳ không hợp lệ: {text!r} (viết 2026, 2026-Q1 hoặc 2026-03) / "
            f"invalid period {text!r} (write 2026, 2026-Q1 or 2026-03)"
        )

    @property
    def code(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.index}"
        return f"{self.year}-{self.index:02d}"

    def __str__(self) -> str:
        return self.code

    @property
    def months(self) -> int:
        return _ORDER[self.kind]

    @property
    def start(self) -> date:
        first_month = (self.index - 1) * self.months + 1
        return date(self.year, first_month, 1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        last_month = self.index * self.months
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1) - timedelta(days=1)

    def is_longer_than(self, kind: PeriodKind) -> bool:
        return self.months > _ORDER[kind]

    def parts(self, kind: PeriodKind) -> list[Period]:
        """The periods of `kind` within this one (a year's quarters, a quarter's months)."""
        size = _ORDER[kind]
        if size > self.months:
            raise PeriodError(f"{kind} is longer than {self.code}")
        first = (self.start.month - 1) // size + 1
        count = self.months // size
        return [Period(self.year, kind, first + k) for k in range(count)]

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end


def longer(kind: PeriodKind, than: PeriodKind) -> bool:
    return _ORDER[kind] > _ORDER[than]
