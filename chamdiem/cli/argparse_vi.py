"""argparse's own words ("usage:", "options", "the following arguments are required", …) in
the command line's language.

argparse translates its texts with gettext (`_()` and `ngettext()` looked up in the module when
they are needed). No `.mo` file is shipped: `install(language)` hands argparse the gettext
functions of `ArgparseWords`, a `NullTranslations` whose catalogue is the table below, before the
parser is built (the help line of `-h` and the titles of the argument groups are translated when
a parser is made; usage and errors when they are printed). English gets a plain
`NullTranslations`: argparse's own words, as they are.

The msgids are Python 3.11's (`Lib/argparse.py`); a msgid added by a later Python stays English
until it is added here (tests/cli/test_help_language.py walks every help page).
"""

from __future__ import annotations

import argparse
import gettext

from chamdiem.dsl.diagnostics import Language

VIETNAMESE: dict[str, str] = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số theo vị trí",
    "options": "tùy chọn",
    "optional arguments": "tùy chọn",
    "subcommands": "lệnh con",
    "show this help message and exit": "in hướng dẫn này rồi thoát",
    "show program's version number and exit": "in phiên bản rồi thoát",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "không có lệnh %(parser_name)r (chọn một trong: %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
    "unrecognized arguments: %s": "tham số không nhận ra: %s",
    "not allowed with argument %s": "không dùng được cùng tham số %s",
    "ignored explicit argument %r": "tùy chọn này không nhận giá trị (%r)",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "ambiguous option: %(option)s could match %(matches)s": (
        "tùy chọn không rõ: %(option)s có thể là %(matches)s"
    ),
    "unexpected option string: %s": "tùy chọn không mong đợi: %s",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "lựa chọn không hợp lệ: %(value)r (chọn một trong: %(choices)s)"
    ),
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "%r is not callable": "%r không gọi được",
}

PLURALS: dict[str, str] = {
    "expected %s argument": "cần %s giá trị",
    "conflicting option string: %s": "tùy chọn trùng nhau: %s",
}


class ArgparseWords(gettext.NullTranslations):
    """argparse's msgids in Vietnamese, from the tables above (English when a msgid is not
    in them)."""

    def gettext(self, message: str) -> str:
        return VIETNAMESE.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        if msgid1 in PLURALS:
            return PLURALS[msgid1]
        return msgid1 if n == 1 else msgid2


def translations(language: Language) -> gettext.NullTranslations:
    return ArgparseWords() if language == "vi" else gettext.NullTranslations()


def install(language: Language) -> None:
    """argparse speaks `language` from now on in this process (parsers built afterwards, and
    every usage line and error printed afterwards)."""
    chosen = translations(language)
    # argparse calls the module-level names `_` and `ngettext` (typeshed does not list them).
    setattr(argparse, "_", chosen.gettext)  # noqa: B010
    setattr(argparse, "ngettext", chosen.ngettext)  # noqa: B010
