"""What a service says when it refuses: a message for the user in both languages.

A refusal leaves the database as it was (the service rolls back before raising). Problems in
a DATA file are raised as `chamdiem.platform.excel.DataFileError` instead, which carries a
sheet, row and column for each problem.
"""

from __future__ import annotations

from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.display import count_text


class ServiceError(Exception):
    """A request that cannot be carried out as asked (unknown period, locked period, a rule
    file with errors, ...). `details` are extra lines (e.g. failing rule tests)."""

    def __init__(self, message: Text, details: list[Text] | None = None) -> None:
        super().__init__(message.en)
        self.message = message
        self.details = details or []


class NotFound(ServiceError):
    """Something named (a period, a rule set, a run) does not exist."""


class Busy(ServiceError):
    """Another writer held the database longer than a writer waits; nothing was stored and
    the same command can simply be run again."""


class FieldErrors(ServiceError):
    """Values a user typed that cannot be accepted, each with the field it belongs to (a form
    field's name, a JSON key): a page shows each message at its field, the API answers 400
    naming the fields."""

    def __init__(self, fields: dict[str, Text]) -> None:
        super().__init__(
            Text(
                "; ".join(text.vi for text in fields.values()),
                "; ".join(text.en for text in fields.values()),
            )
        )
        self.fields = fields


def too_long(what: Text, text: str, limit: int) -> Text | None:
    """The message for a text longer than `limit` characters, or None when it fits."""
    if len(text) <= limit:
        return None
    length = len(text)
    return Text(
        f"{what.vi} dài {count_text(length, 'vi')} ký tự; tối đa {count_text(limit, 'vi')} ký tự",
        f"{what.en} is {count_text(length, 'en')} characters long; "
        f"at most {count_text(limit, 'en')}",
    )
