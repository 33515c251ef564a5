"""Golden files: broken rule files beside the exact diagnostics a user sees (in Vietnamese).

Each `golden/NAME.rules` is checked and rendered; the text must equal `golden/NAME.expected`.
After a deliberate change of wording, regenerate with `UPDATE_GOLDEN=1 pytest
tests/dsl/test_golden.py` and read the diff before committing it.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from chamdiem.dsl.diagnostics import render_all
from chamdiem.dsl.pipeline import check_source

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.rules"))


def rendered(path: Path) -> str:
    # Bytes, not read_text: the files must reach the parser exactly as stored (NFD, CRLF).
    source = path.read_bytes().decode("utf-8")
    module, diagnostics = check_source(source, path.name)
    text = render_all(diagnostics, module.source, path.name, "vi")
    return text + "\n" if text else ""


def test_there_are_enough_golden_files() -> None:
    assert len(CASES) >= 12
    assert all(path.with_suffix(".expected").exists() for path in CASES)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    expected = path.with_suffix(".expected")
    actual = rendered(path)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected.write_bytes(actual.encode("utf-8"))
        pytest.skip(f"{expected.name} rewritten, not compared (UPDATE_GOLDEN=1)")
    assert actual == expected.read_bytes().decode("utf-8")


def test_the_nfd_golden_file_is_stored_decomposed() -> None:
    """An editor that saves the file as NFC would silently turn the NFD case into an NFC
    one; this keeps the case honest."""
    text = (GOLDEN / "nfd_encoded.rules").read_bytes().decode("utf-8")
    assert unicodedata.normalize("NFD", text) == text
    assert unicodedata.normalize("NFC", text) != text
