"""Exact decimal text from scaled integers (value = m / 10**k), vectorised."""

from __future__ import annotations

from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, Inexact, InvalidOperation
from itertools import repeat
from typing import Any

import numpy as np

from chamdiem.dsl.numeric.ints import IntArray, is_object, measure


def decimals_from_scaled(scaled: IntArray, places: int | IntArray) -> list[Decimal]:
    """Decimal(scaled[i]) * 10**-places[i], exactly, keeping exactly `places` digits."""
    ints = scaled.tolist()
    digits = len(str(measure(scaled))) + 2
    ctx = Context(
        prec=max(28, digits), Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, Inexact]
    )
    quanta = [Decimal((0, (1,), -k)) for k in range(int(np.max(places, initial=0)) + 1)]
    if isinstance(places, int):
        return list(map(ctx.multiply, map(Decimal, ints), repeat(quanta[places])))
    return list(map(ctx.multiply, map(Decimal, ints), map(quanta.__getitem__, places.tolist())))


def plain_strings(scaled: IntArray, places: int | IntArray) -> list[str]:
    """scaled / 10**places without trailing zeros."""
    shown = np.array(np.broadcast_to(np.asarray(places, dtype=np.int64), scaled.shape))
    for _ in range(int(shown.max(initial=0))):
        can = np.asarray(scaled % 10 == 0, dtype=np.bool_) & (shown > 0)
        if not can.any():
            break
        scaled = np.where(can, scaled // 10, scaled)
        shown -= can
    return format_scaled(scaled, shown)


def format_scaled(scaled: IntArray, places: int | IntArray) -> list[str]:
    """'-12.50'-style strings of scaled / 10**places, vectorised with NumPy string ops; a
    long column (which repeats few values: scores) formats each distinct value once."""
    long = len(scaled) > FORMAT_DISTINCT_FROM
    if long and isinstance(places, int) and not is_object(scaled):
        values, inverse = np.unique(scaled, return_inverse=True)
        texts = format_each(values, places)
        return [texts[i] for i in inverse.tolist()]
    return format_each(scaled, places)


FORMAT_DISTINCT_FROM = 256


def format_each(scaled: IntArray, places: int | IntArray) -> list[str]:
    if len(scaled) == 0:
        return []
    magnitude = np.abs(scaled)
    if is_object(magnitude):
        digits = np.array([str(v) for v in magnitude.tolist()], dtype=np.str_)
    else:
        digits = magnitude.astype(np.str_)
    if isinstance(places, int) and places == 0:
        body = digits
    else:
        padded = np.strings.zfill(digits, places + 1)
        length = np.strings.str_len(padded)
        whole = np.strings.slice(padded, 0, length - places)
        fraction = np.strings.slice(padded, length - places, length)
        point: Any = "." if isinstance(places, int) else np.where(places > 0, ".", "")
        body = np.strings.add(np.strings.add(whole, point), fraction)
    negative = np.asarray(scaled < 0, dtype=np.bool_)
    if negative.any():
        body = np.where(negative, np.strings.add("-", body), body)
    return [str(s) for s in body.tolist()]
