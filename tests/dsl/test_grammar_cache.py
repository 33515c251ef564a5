"""The parser's tables are cached between processes (chamdiem/dsl/grammar_cache.py): the cache
is used, it can never serve tables built from another grammar text, and a cache that cannot
be made or written changes nothing but the time."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lark
import pytest

from chamdiem.dsl import grammar_cache, parser
from chamdiem.dsl.parser import lexer

ROOT = Path(__file__).resolve().parents[2]
SOURCE = (ROOT / "rules" / "cong_chuc_quy.rules").read_text(encoding="utf-8")
# A terminal that the grammar does not have; being %ignore'd, lark keeps it in its tables.
EXTRA = '\nZZ_EXTRA: "@@@"\n%ignore ZZ_EXTRA\n'


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the times lark builds the tables (instead of loading them from the cache)."""
    counted: list[int] = []
    build: Callable[..., Any] = lark.Lark._build_parser

    def counting(self: lark.Lark, *args: Any, **kwargs: Any) -> Any:
        counted.append(1)
        return build(self, *args, **kwargs)

    monkeypatch.setattr(lark.Lark, "_build_parser", counting)
    return counted


def fresh(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The parser's lark instance as a new process would make it (the old one is put back
    after the test)."""
    monkeypatch.setattr(lexer, "_LARK", None)
    return lexer.lark_parser()


def cache_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("grammar-*.lark-cache"))


def test_the_key_is_the_grammar_text_options_and_versions() -> None:
    grammar = parser.grammar_text()
    options = lexer._BUILD_OPTIONS
    key = grammar_cache.cache_key(grammar, options, "1.3.1")
    assert key == grammar_cache.cache_key(grammar, dict(options), "1.3.1")
    assert key != grammar_cache.cache_key(grammar + EXTRA, options, "1.3.1")
    assert key != grammar_cache.cache_key(grammar.replace("\n", "\n ", 1), options, "1.3.1")
    assert key != grammar_cache.cache_key(grammar, {**options, "start": "module"}, "1.3.1")
    assert key != grammar_cache.cache_key(grammar, options, "1.3.2")


def test_the_second_start_loads_the_tables_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builds: list[int]
) -> None:
    monkeypatch.setenv(grammar_cache.CACHE_ENV, str(tmp_path))
    built = fresh(monkeypatch)
    assert len(builds) == 1
    assert len(cache_files(tmp_path)) == 1
    expected = parser.parse(SOURCE, "x.rules")

    loaded = fresh(monkeypatch)
    assert len(builds) == 1  # not built again
    assert loaded is not built
    assert parser.parse(SOURCE, "x.rules") == expected
    assert not expected[1]  # the file parses without a diagnostic


def test_a_changed_grammar_is_never_served_from_an_older_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builds: list[int]
) -> None:
    monkeypatch.setenv(grammar_cache.CACHE_ENV, str(tmp_path))
    original = parser.grammar_text()
    fresh(monkeypatch)
    [old_file] = cache_files(tmp_path)

    changed = original + EXTRA
    monkeypatch.setattr(lexer, "grammar_text", lambda: changed)
    new_parser = fresh(monkeypatch)
    assert len(builds) == 2
    assert "ZZ_EXTRA" in {t.name for t in new_parser.terminals}
    assert len(cache_files(tmp_path)) == 2  # its own file, beside the original grammar's

    # Even the old grammar's file put where the new one's belongs is not used: lark checks
    # the hash stored inside it too.
    new_file = next(f for f in cache_files(tmp_path) if f != old_file)
    new_file.write_bytes(old_file.read_bytes())
    again = fresh(monkeypatch)
    assert len(builds) == 3
    assert "ZZ_EXTRA" in {t.name for t in again.terminals}

    monkeypatch.setattr(lexer, "grammar_text", lambda: original)
    back = fresh(monkeypatch)
    assert len(builds) == 3  # the original grammar's file is still good
    assert "ZZ_EXTRA" not in {t.name for t in back.terminals}


def test_a_damaged_cache_file_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builds: list[int]
) -> None:
    monkeypatch.setenv(grammar_cache.CACHE_ENV, str(tmp_path))
    fresh(monkeypatch)
    [cached] = cache_files(tmp_path)
    cached.write_bytes(cached.read_bytes()[:1000])
    fresh(monkeypatch)
    assert len(builds) == 2
    assert parser.parse(SOURCE, "x.rules")[1] == []
    fresh(monkeypatch)
    assert len(builds) == 2  # written again, whole


def test_no_cache_directory_to_be_had_means_building_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builds: list[int]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(grammar_cache.CACHE_ENV, str(blocker / "cache"))
    assert grammar_cache.cache_dir() is None
    fresh(monkeypatch)
    fresh(monkeypatch)
    assert len(builds) == 2
    assert parser.parse(SOURCE, "x.rules")[1] == []


def test_a_cache_file_that_cannot_be_written_or_read_means_building_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builds: list[int]
) -> None:
    # A directory where the file should be: opening it fails for reading and for writing,
    # even for root (for whom a read-only directory is writable).
    monkeypatch.setenv(grammar_cache.CACHE_ENV, str(tmp_path))
    path = grammar_cache.cache_file(parser.grammar_text(), lexer._BUILD_OPTIONS, lark.__version__)
    assert path is not None
    path.mkdir()
    fresh(monkeypatch)
    fresh(monkeypatch)
    assert len(builds) == 2
    assert parser.parse(SOURCE, "x.rules")[1] == []


def test_the_default_directory_is_private_under_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(grammar_cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    directory = grammar_cache.cache_dir()
    assert directory == tmp_path / "xdg" / "chamdiem"
    assert directory.is_dir()
    assert os.stat(directory).st_mode & 0o077 == 0
