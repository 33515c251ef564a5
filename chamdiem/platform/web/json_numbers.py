"""Numbers in pushed records, read from the JSON text itself.

A JSON decoder turns `0.1` into a float (so 1.10000000000000000001 silently becomes 1.1),
refuses more than 4,300 digits with an English message about "Integer value out of range"
and no field name, and reads `1e-400` as 0. Before the body is decoded into its shape, the
records endpoint reads each input and item field value as raw JSON text: a number with more
digits than a number may have (chamdiem.platform.limits.MAX_NUMBER_DIGITS), however written,
is a 400 naming its path in the body; every other number is kept as its exact decimal text,
which the DATA reader then reads like a CSV cell.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

from chamdiem.platform.limits import MAX_NUMBER_DIGITS

STATE_KEY = "exact_numbers"
_NUMBER = re.compile(rb"-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?")
_THREE_PLACES = re.compile(r"-?\d{1,3}\.\d{3}")


class _Subject(msgspec.Struct):
    inputs: dict[str, msgspec.Raw] = {}
    items: dict[str, list[dict[str, msgspec.Raw]]] = {}


class _Records(msgspec.Struct):
    subjects: list[_Subject] = []


def number_text(raw: bytes) -> str | None:
    """A JSON number as plain decimal text ('1.5e-7' -> '0.00000015'); None when it has too
    many digits (not counting the zeros before the whole part's first digit)."""
    match = _NUMBER.fullmatch(raw)
    if match is None:  # not a JSON number: the decoder will say so
        return raw.decode("utf-8", "replace")
    whole, fraction, exponent = match.groups()
    if exponent is None:
        digits = len(whole.lstrip(b"0")) + len(fraction or b"")
        if digits > MAX_NUMBER_DIGITS:
            return None
        text = raw.decode("ascii")
    else:
        if len(exponent.lstrip(b"+-0")) > 4:  # 1e999999: too many digits whatever the rest
            return None
        value = Decimal(raw.decode("ascii"))
        places = max(0, -int(value.as_tuple().exponent))
        if max(0, value.adjusted() + 1) + places > MAX_NUMBER_DIGITS:
            return None
        text = format(value, "f")
    # In a cell "1.234" is ambiguous (a decimal point or a thousands separator?); a JSON
    # number never is, so it is written "1.2340".
    return text + "0" if _THREE_PLACES.fullmatch(text) else text


def _message(raw: bytes) -> str:
    text = raw.decode("ascii")
    quoted = text if len(text) <= 40 else text[:39] + "…"
    return f"số '{quoted}' có quá nhiều chữ số (một số có tối đa {MAX_NUMBER_DIGITS} chữ số)"


def read_numbers(body: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The exact text of every number among the records' values, by its path in the body,
    and a problem (path and Vietnamese message) for each number with too many digits. A body
    of another shape gives nothing: decoding it into its declared shape will say what is
    wrong."""
    try:
        records = msgspec.json.decode(body, type=_Records)
    except msgspec.DecodeError:
        return {}, []
    exact: dict[str, str] = {}
    problems: list[dict[str, str]] = []

    def look(path: str, raw: msgspec.Raw) -> None:
        data = bytes(raw)
        if not data or data[0] not in b"-0123456789":
            return
        text = number_text(data)
        if text is None:
            problems.append({"key": path, "message": _message(data)})
        else:
            exact[path] = text

    for i, subject in enumerate(records.subjects):
        for name, raw in subject.inputs.items():
            look(f"subjects[{i}].inputs.{name}", raw)
        for list_name, rows in subject.items.items():
            for k, row in enumerate(rows):
                for name, raw in row.items():
                    look(f"subjects[{i}].items.{list_name}[{k}].{name}", raw)
    return exact, problems


async def check_record_numbers(request: Request[Any, Any, Any]) -> None:
    """A before-request hook: refuses a body with a number of too many digits (400, with the
    path of each) and keeps the exact text of the others for `exact_records`."""
    exact, problems = read_numbers(await request.body())
    if problems:
        raise ValidationException(
            "số quá dài", extra=[{"key": p["key"], "message": p["message"]} for p in problems]
        )
    request.state[STATE_KEY] = exact


def exact_records(
    request: Request[Any, Any, Any], subjects: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The decoded subjects with every number replaced by its exact text from the body."""
    exact: dict[str, str] = request.state.get(STATE_KEY) or {}
    if not exact:
        return subjects

    def put(values: dict[str, Any], path: str) -> dict[str, Any]:
        return {
            name: exact.get(f"{path}.{name}", value)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else value
            for name, value in values.items()
        }

    return [
        {
            **subject,
            "inputs": put(subject.get("inputs") or {}, f"subjects[{i}].inputs"),
            "items": {
                list_name: [
                    put(row, f"subjects[{i}].items.{list_name}[{k}]")
                    for k, row in enumerate(rows or [])
                ]
                for list_name, rows in (subject.get("items") or {}).items()
            },
        }
        for i, subject in enumerate(subjects)
    ]
