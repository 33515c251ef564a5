"""What a compiled rule set tells its users about itself: inputs (to read and validate
data), grades, and value names. The evaluator itself lives in runtime.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

InputKind = Literal["number", "count", "percent", "bool", "text", "date", "enum"]


@dataclass(frozen=True)
class InputSpec:
    """A declared input or item field, with what a reader needs to validate a value."""

    name: str
    label: str | None
    kind: InputKind
    choices: tuple[str, ...]
    low: Decimal | None
    low_strict: bool
    high: Decimal | None
    high_strict: bool
    has_default: bool
    default: object  # Decimal | int | bool | str | date | None
    line: int
    # `key of C`: the value is text and must be a key of the catalogue C in force for the
    # period (Program.catalog_keys); readers report an unknown key at its cell.
    catalog: str | None = None

    def range_text(self) -> str:
        """The declared range as written, e.g. '0..10' or '> 0' ('' when none)."""
        if (
            self.low is not None
            and self.high is not None
            and not (self.low_strict or self.high_strict)
        ):
            return f"{self.low}..{self.high}"
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_strict else '>='} {self.low}")
        if self.high is not None:
            parts.append(f"{'<' if self.high_strict else '<='} {self.high}")
        return ", ".join(parts)

    def in_range(self, value: Decimal | int) -> bool:
        if self.kind == "count" and value < 0:
            return False
        if self.low is not None and (value <= self.low if self.low_strict else value < self.low):
            return False
        return not (
            self.high is not None
            and (value >= self.high if self.high_strict else value > self.high)
        )


@dataclass(frozen=True)
class ItemsSpec:
    name: str
    label: str | None
    fields: tuple[InputSpec, ...]
    line: int


@dataclass(frozen=True)
class GradeSpec:
    name: str
    label: str | None
    line: int


@dataclass(frozen=True)
class HeaderInfo:
    name: str
    title: str
    subject: Literal["person", "unit"]
    period: Literal["month", "quarter", "year"]
    effective: date
    until: date | None
    basis: str | None
    precision: int
    scale: Decimal
    needs: tuple[str, ...]
