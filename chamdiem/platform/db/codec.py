"""Values as the database keeps them: canonical JSON text.

Numbers are decimal strings exactly as read ("8.5", "0.96"), never JSON floats, so nothing
between the file and the evaluator can turn 0.1 into 0.1000000000000000055; whole numbers
(counts) are JSON integers; booleans are JSON booleans; dates are ISO strings. The text is
canonical — what `dumps` gives: sorted keys, no spaces, letters as they are — so equal data
gives equal bytes on SQLite and PostgreSQL and a run's data snapshot can be hashed from it.

A province has a hundred thousand records, so columns are encoded once into JSON fragments
(the text of each value, computed once per distinct value) and records are assembled from
them (`object_text`); `dumps` of the parsed text gives the same bytes (tested).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from chamdiem.dsl.data import ScaledColumn
from chamdiem.dsl.program import InputSpec

JsonScalar = str | int | bool | None
Fragment = str | None  # the JSON text of one value; None for no value

_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)
_DECODER = json.JSONDecoder()
quote: Callable[[str], str] = json.encoder.encode_basestring


def dumps(value: object) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 letters as they are, no NaN."""
    return _ENCODER.encode(value)


def loads(text: str) -> Any:
    return _DECODER.decode(text)


def loads_many(texts: Sequence[str]) -> list[Any]:
    """Each of many JSON texts, parsed in one call (a call per text costs more than its
    parsing). The texts must be JSON values, as every stored text is."""
    return list(_DECODER.decode("[" + ",".join(texts) + "]")) if texts else []


def decimal_text(value: Decimal | int) -> str:
    """The canonical text of a number: plain digits, no exponent, no trailing zeros after the
    point (Decimal('8.50') -> '8.5', Decimal('1E+1') -> '10'), so equal values are equal text."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _number(value: object) -> str:
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        if exact * value.denominator != value.numerator:
            raise TypeError(f"{value} has no exact decimal form to store")
        return decimal_text(exact)
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return decimal_text(value)
    raise TypeError(f"cannot store {value!r} as a number")


def encode_value(spec: InputSpec, value: object) -> JsonScalar:
    """A typed input value (chamdiem/dsl/data.py) as the JSON scalar stored for its kind:
    number and percent as decimal text, count as an integer, date as ISO text."""
    if value is None:
        return None
    kind = spec.kind
    if kind in ("number", "percent"):
        return _number(value)
    if kind == "count" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "date" and isinstance(value, date):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if kind in ("text", "enum") and isinstance(value, str):
        return value
    raise TypeError(f"cannot store {value!r} as a {kind} ({spec.name})")


def scalar_text(value: JsonScalar) -> str:
    """The JSON text of one scalar, as `dumps` writes it."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    return quote(value)


def column_fragments(spec: InputSpec, values: Sequence[object]) -> list[Fragment]:
    """The JSON text of each value of a typed column (None where there is no value)."""
    distinct = set(values)
    kinds = set(map(type, distinct))
    if bool not in kinds or kinds <= {bool, type(None)}:
        # Equal values of one kind have equal texts: one text per distinct value, looked
        # up at C speed. (True == 1: a boolean among numbers must not hide behind 1.)
        texts: dict[object, Fragment] = {
            value: None if value is None else scalar_text(encode_value(spec, value))
            for value in distinct
        }
        return list(map(texts.__getitem__, values))
    cache: dict[object, str] = {}
    out: list[Fragment] = []
    append = out.append
    bool_kind = spec.kind == "bool"
    for value in values:
        if value is None:
            append(None)
            continue
        # Booleans skip the cache: True == 1 would share the text of the integer 1.
        if value is True or value is False:
            append(
                ("true" if value else "false")
                if bool_kind
                else scalar_text(encode_value(spec, value))
            )
            continue
        text = cache.get(value)
        if text is None:
            text = cache[value] = scalar_text(encode_value(spec, value))
        append(text)
    return out


def scalar_fragments(values: Sequence[JsonScalar]) -> list[str]:
    """The JSON text of each of a column of JSON scalars (results' values)."""
    distinct = set(values)
    if not any(type(value) is int for value in distinct):
        # Without integers, True and False cannot meet 1 and 0 in a dict: one text per
        # distinct value, looked up at C speed.
        texts = {value: scalar_text(value) for value in distinct}
        return list(map(texts.__getitem__, values))
    cache: dict[object, str] = {}
    out: list[str] = []
    append = out.append
    for value in values:
        if value is None or value is True or value is False:
            append(scalar_text(value))
            continue
        text = cache.get(value)
        if text is None:
            text = cache[value] = scalar_text(value)
        append(text)
    return out


def member(key: str) -> str:
    """The start of an object member, `"key":`, to be written once per column."""
    return quote(key) + ":"


def object_text(members: Sequence[tuple[str, Fragment]]) -> str:
    """A JSON object from (member(key), value text) pairs given in sorted key order; pairs
    whose value is None are left out."""
    return "{" + ",".join(start + text for start, text in members if text is not None) + "}"


def list_text(texts: Sequence[str]) -> str:
    return "[" + ",".join(texts) + "]"


def string_list_text(values: Sequence[str]) -> str:
    return "[]" if not values else list_text([quote(value) for value in values])


# ---------------------------------------------------------------- back to typed values


def decode_column(spec: InputSpec, raws: Sequence[JsonScalar]) -> list[object]:
    """Stored JSON scalars back to the typed values the spec expects. Equal decimal strings
    share one Decimal (a province has few distinct scores)."""
    kind = spec.kind
    if kind in ("number", "percent"):
        decimals: dict[str, Decimal] = {}
        out: list[object] = []
        append = out.append
        for raw in raws:
            if isinstance(raw, str):
                found = decimals.get(raw)
                if found is None:
                    found = decimals[raw] = Decimal(raw)
                append(found)
            else:
                append(raw)
        return out
    if kind == "date":
        days: dict[str, date] = {}
        dated: list[object] = []
        for raw in raws:
            if raw is None:
                dated.append(None)
                continue
            text = str(raw)
            day = days.get(text)
            if day is None:
                day = days[text] = date.fromisoformat(text)
            dated.append(day)
        return dated
    return list(raws)  # counts, booleans and text are stored as they are


_DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.([0-9]+))?")
_SCALED_PLACES = 12  # beyond this, and for huge values, the Decimal path is taken
_SCALED_LIMIT = 2**62


def decode_numbers(raws: Sequence[JsonScalar]) -> ScaledColumn | None:
    """A stored number column (decimal strings, None for no value) as integers over one
    power of ten, which the evaluator reads without a conversion per value; each distinct
    text is parsed once. None when a value is not a plain decimal string of moderate size
    (then `decode_column` gives Decimals)."""
    distinct = set(raws)
    units: dict[JsonScalar, int] = {}
    places = 0
    for raw in distinct:
        if raw is None:
            continue
        match = _DECIMAL_TEXT.fullmatch(raw) if isinstance(raw, str) else None
        if match is None:
            return None
        places = max(places, len(match.group(1) or ""))
    if places > _SCALED_PLACES:
        return None
    for raw in distinct:
        if raw is None:
            units[None] = 0
            continue
        assert isinstance(raw, str)
        whole, _, fraction = raw.partition(".")
        value = int(whole + fraction.ljust(places, "0"))
        if not -_SCALED_LIMIT < value < _SCALED_LIMIT:
            return None
        units[raw] = value
    column = np.fromiter(map(units.__getitem__, raws), dtype=np.int64, count=len(raws))
    missing = None
    if None in units:
        missing = np.fromiter((raw is None for raw in raws), dtype=np.bool_, count=len(raws))
    return ScaledColumn(column, places, missing)
