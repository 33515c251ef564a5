"""Building DATA files and input declarations for the reader's tests."""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from chamdiem.dsl.program import InputKind, InputSpec, ItemsSpec

Rows = Sequence[Sequence[object]]


def spec(
    name: str,
    kind: InputKind = "number",
    *,
    label: str | None = None,
    low: str | None = None,
    high: str | None = None,
    low_strict: bool = False,
    default: object = None,
    has_default: bool = False,
    choices: tuple[str, ...] = (),
) -> InputSpec:
    return InputSpec(
        name=name,
        label=label,
        kind=kind,
        choices=choices,
        low=None if low is None else Decimal(low),
        low_strict=low_strict,
        high=None if high is None else Decimal(high),
        high_strict=False,
        has_default=has_default or default is not None,
        default=default,
        line=1,
    )


def items(name: str, *fields: InputSpec, label: str | None = None) -> ItemsSpec:
    return ItemsSpec(name=name, label=label, fields=tuple(fields), line=1)


def xlsx(
    path: Path,
    sheets: dict[str, Rows],
    formats: dict[tuple[str, str], str] | None = None,
    errors: dict[tuple[str, str], str] | None = None,
) -> Path:
    """A workbook with these sheets (rows from row 1); `formats[(sheet, 'C3')]` sets a number
    format; `errors[(sheet, 'C3')] = '#DIV/0!'` makes the cell a formula that failed, saved as
    Excel saves it (openpyxl writes no computed values)."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    for (title, ref), number_format in (formats or {}).items():
        workbook[title][ref].number_format = number_format
    for title, ref in errors or {}:
        workbook[title][ref].value = 0  # a placeholder, replaced below
    workbook.save(path)
    if errors:
        _put_formula_errors(path, list(sheets), errors)
    return path


def _put_formula_errors(path: Path, titles: list[str], errors: dict[tuple[str, str], str]) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for (title, ref), code in errors.items():
        part = f"xl/worksheets/sheet{titles.index(title) + 1}.xml"
        cell = re.compile(rf'<c r="{ref}"[^>]*>.*?</c>'.encode())
        failed = f'<c r="{ref}" t="e"><f>1/0</f><v>{code}</v></c>'.encode()
        parts[part], found = cell.subn(failed, parts[part], count=1)
        assert found == 1, (title, ref)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def csv_file(path: Path, rows: Rows, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        csv.writer(stream, delimiter=delimiter).writerows(rows)
    return path
