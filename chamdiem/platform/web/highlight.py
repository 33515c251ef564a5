"""Rule source as HTML with simple highlighting, line by line with line numbers (the
explanations cite rule lines: "dòng 87"). The pieces are the parser's own tokens
(`chamdiem.dsl.parser.tokens_with_comments`): comments, strings, numbers and dates, and the
words the parser reads as keywords; the lines are those of the normalised text, as the
parser counts them."""

from __future__ import annotations

from markupsafe import Markup, escape

from chamdiem.dsl.keywords import BY_TERMINAL
from chamdiem.dsl.parser import normalise, tokens_with_comments

_CLASSES = {"COMMENT": "comment", "STRING": "string", "NUMBER": "number", "DATE": "number"}


def _kind(terminal: str) -> str | None:
    """The CSS class (after 'hl-') of a token, or None for one shown plainly."""
    return _CLASSES.get(terminal) or ("keyword" if terminal in BY_TERMINAL else None)


def highlight(source: str) -> list[tuple[int, Markup]]:
    """(line number, the line as highlighted HTML) for each line of `source`."""
    text = normalise(source)
    lines: list[tuple[int, Markup]] = []
    out: list[str] = []
    position = 0  # of the text written so far

    def plain(end: int) -> None:
        """Write the text up to `end`, closing a line at each line break."""
        nonlocal position
        for part_end in _breaks(text, position, end):
            out.append(escape(text[position:part_end]))
            if part_end < end:  # a line break
                lines.append((len(lines) + 1, Markup("".join(out))))
                out.clear()
                part_end += 1
            position = part_end

    for terminal, shown, span in tokens_with_comments(source):
        kind = _kind(terminal)
        if kind is None or span.start < position:
            continue
        plain(span.start)
        out.append(f'<span class="hl-{kind}">{escape(shown)}</span>')
        position = span.end
    plain(len(text))
    lines.append((len(lines) + 1, Markup("".join(out))))
    return lines


def _breaks(text: str, start: int, end: int) -> list[int]:
    """The offsets of the line breaks between `start` and `end`, then `end`."""
    found = []
    index = text.find("\n", start, end)
    while index != -1:
        found.append(index)
        index = text.find("\n", index + 1, end)
    found.append(end)
    return found
