"""Keyword spellings: each keyword is printed in the language the author wrote it in."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from chamdiem.dsl import keywords
from chamdiem.dsl import syntax as s
from chamdiem.dsl.diagnostics import Language
from chamdiem.dsl.parser import tokens

# ---------------------------------------------------------------- keyword spellings


@dataclass(frozen=True, slots=True)
class Token:
    terminal: str
    text: str
    start: int
    end: int


class Spelling:
    """Where the source's tokens are, and how each keyword is spelled there."""

    def __init__(self, found: Sequence[Token], default: Language) -> None:
        self.tokens = list(found)
        self.starts = [t.start for t in self.tokens]
        self.by_start = {t.start: t for t in self.tokens}
        self.by_end = {t.end: t for t in self.tokens}
        self.by_terminal: dict[str, list[int]] = {}
        for t in self.tokens:
            self.by_terminal.setdefault(t.terminal, []).append(t.start)
        self.default = default

    @staticmethod
    def of(module: s.Module | None, language: Language = "en") -> Spelling:
        if module is None:
            return Spelling((), language)
        return _spelling_of_source(module.source, language)

    def word(self, terminal: str, text: str | None = None) -> str:
        """The canonical spelling of a keyword, in the language of `text` as written (in the
        file's language when there is no text)."""
        keyword = keywords.BY_TERMINAL[terminal]
        if text is None:
            return keyword.english if self.default == "en" else keyword.vietnamese
        return keyword.english if " ".join(text.split()) == keyword.english else keyword.vietnamese

    def at(self, terminal: str, offset: int) -> str:
        """The keyword written at `offset`."""
        token = self.by_start.get(offset)
        return self.word(terminal, token.text if token and token.terminal == terminal else None)

    def after(self, terminal: str, offset: int) -> str:
        """The first such keyword written at or after `offset`."""
        token = self.first_after(terminal, offset)
        return self.word(terminal, token.text if token else None)

    def first_after(self, terminal: str, offset: int) -> Token | None:
        starts = self.by_terminal.get(terminal, [])
        index = bisect.bisect_left(starts, offset)
        return self.by_start[starts[index]] if index < len(starts) else None

    def last_before(self, terminal: str, offset: int) -> Token | None:
        starts = self.by_terminal.get(terminal, [])
        index = bisect.bisect_left(starts, offset)
        return self.by_start[starts[index - 1]] if index > 0 else None

    def ending_at(self, offset: int) -> Token | None:
        return self.by_end.get(offset)

    def name(self, name: str, offset: int) -> str:
        """A name, or a keyword used as a name (`total`/`tổng điểm`, `max`, `unit`…) as
        written at `offset`."""
        token = self.by_start.get(offset)
        if token is not None and token.terminal in keywords.BY_TERMINAL:
            return self.word(token.terminal, token.text)
        return name


@functools.lru_cache(maxsize=16)
def _spelling_of_source(source: str, fallback: Language) -> Spelling:
    """The tokens of a source, lexed once however many expressions of it are printed (the
    diff and the documentation print many)."""
    found = [Token(terminal, text, span.start, span.end) for terminal, text, span in tokens(source)]
    return Spelling(found, _file_language(found, fallback))


def _file_language(found: Sequence[Token], fallback: Language) -> Language:
    """The language of the header keyword, else of most keywords."""
    for token in found:
        if token.terminal == "_RULESET":
            return "en" if token.text == "ruleset" else "vi"
    english = vietnamese = 0
    for token in found:
        keyword = keywords.BY_TERMINAL.get(token.terminal)
        if keyword is None:
            continue
        if " ".join(token.text.split()) == keyword.english:
            english += 1
        else:
            vietnamese += 1
    if english == vietnamese == 0:
        return fallback
    return "en" if english >= vietnamese else "vi"
