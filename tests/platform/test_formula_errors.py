"""Finding the cells that show a formula error in an .xlsx sheet's XML (calamine reads them as
blank)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from chamdiem.platform.excel import formula_errors as scanner
from chamdiem.platform.excel.formula_errors import formula_errors
from tests.platform.builders import xlsx


def test_the_error_cells_of_the_named_sheet(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "d.xlsx",
        {"one": [["a", "b"], [1, 2]], "two": [["a", "b", "c"], [1, 2, 3], [4, 5, 6]]},
        errors={("two", "C3"): "#N/A", ("two", "A2"): "#VALUE!", ("one", "B2"): "#REF!"},
    )
    assert sorted(formula_errors(path, "two")) == [(1, 0, "#VALUE!"), (2, 2, "#N/A")]
    assert formula_errors(path, "one") == [(1, 1, "#REF!")]
    assert formula_errors(path, "three") == []


@pytest.mark.parametrize("chunk", [1, 5, 17, 64, 1 << 22])
def test_cells_cut_by_a_chunk_boundary_are_found_once(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    cells = [
        b'<c r="A%d" s="1" t="e"><f>B%d/0</f><v>#DIV/0!</v></c><c r="B%d"><v>3</v></c>'
        b"<c r='AB%d' t='e'><v>#NAME?</v></c><c r=\"C%d\" t=\"s\"><v>0</v></c>"
        b'<x:c r="D%d" t="e"><x:v>#N/A</x:v></x:c>' % (row, row, row, row, row, row)
        for row in range(1, 40)
    ]
    xml = b'<worksheet><sheetData><row r="1" ht="15">' + b"</row><row>".join(cells) + b"</row>"
    monkeypatch.setattr(scanner, "_CHUNK", chunk)
    found = scanner._scan(io.BytesIO(xml).read)
    expected = [(row - 1, 0, "#DIV/0!") for row in range(1, 40)]
    expected += [(row - 1, 27, "#NAME?") for row in range(1, 40)]
    expected += [(row - 1, 3, "#N/A") for row in range(1, 40)]
    assert sorted(found) == sorted(expected)


def test_not_an_xlsx_package_has_none(tmp_path: Path) -> None:
    text = tmp_path / "d.xlsx"
    text.write_text("code,a\n", encoding="utf-8")
    assert formula_errors(text, "subjects") == []
    empty = tmp_path / "e.xlsx"
    with zipfile.ZipFile(empty, "w"):
        pass
    assert formula_errors(empty, "subjects") == []
