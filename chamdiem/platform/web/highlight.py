"""Rule source as HTML with simple highlighting: comments, strings, numbers and the
keywords of the language (both spellings, from `chamdiem.dsl.keywords`), line by line with
line numbers (the explanations cite rule lines: "dòng 87")."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markupsafe import Markup

from chamdiem.dsl.keywords import KEYWORDS


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    spellings = sorted(
        {spelling for keyword in KEYWORDS for spelling in keyword.spellings}, key=len, reverse=True
    )
    words = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in spellings)
    return re.compile(
        r"(?P<comment>#.*$)"
        r'|(?P<string>"(?:[^"\\\n]|\\.)*"?)'
        r"|(?P<number>(?<![\w.])\d+(?:[.,]\d+)?%?(?![\w]))"
        rf"|(?P<keyword>(?<!\w)(?:{words})(?!\w))",
        re.MULTILINE | re.IGNORECASE,
    )


def highlight_line(line: str) -> Markup:
    out: list[str] = []
    position = 0
    for match in _pattern().finditer(line):
        out.append(html.escape(line[position : match.start()]))
        kind = match.lastgroup or ""
        out.append(f'<span class="hl-{kind}">{html.escape(match.group(0))}</span>')
        position = match.end()
    out.append(html.escape(line[position:]))
    return Markup("".join(out))


def highlight(source: str) -> list[tuple[int, Markup]]:
    return [(number, highlight_line(line)) for number, line in enumerate(source.split("\n"), 1)]
