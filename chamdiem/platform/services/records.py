"""Between a Cohort and the input records in the database, and the data snapshot of a run.

A record keeps one subject's inputs (`inputs_json`: {input: value}, blanks left out) and items
(`items_json`: {items name: {field: [value per row]}}, a list without rows left out), in the
canonical text of `chamdiem.platform.db.codec`. The snapshot hash of a run is the SHA-256 of
a canonical serialisation of exactly what the evaluator was given: per subject, in code order,
its code, unit, position group, head flag and the two texts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter

import numpy as np

from chamdiem.dsl.data import Cohort, Column, ItemTable, as_list
from chamdiem.dsl.loader import Program
from chamdiem.dsl.program import InputSpec
from chamdiem.platform.db.codec import (
    JsonScalar,
    column_fragments,
    decode_column,
    decode_numbers,
    loads_many,
    member,
    quote,
    scalar_text,
)


@dataclass(frozen=True, slots=True)
class StoredSubject:
    """One subject as a run reads it: the current record joined with the organisation."""

    record_id: int
    person_id: int
    code: str
    name: str | None
    unit_code: str | None
    position_group: str | None
    is_head: bool
    inputs_json: str
    items_json: str


def encode_cohort(program: Program, cohort: Cohort) -> list[tuple[str, str]]:
    """(inputs_json, items_json) for each subject of a cohort read from a DATA file."""
    n = len(cohort)
    # Members in the order of their keys (sorting the quoted keys could differ), each as
    # its `"key":value` text per subject (None where the subject has no value).
    inputs = [
        _members(member(spec.name), column_fragments(spec, as_list(cohort.inputs[spec.name])))
        for spec in sorted(program.inputs, key=lambda spec: spec.name)
        if spec.name in cohort.inputs
    ]
    input_texts = (
        ["{" + ",".join(filter(None, parts)) + "}" for parts in zip(*inputs, strict=True)]
        if inputs
        else ["{}"] * n
    )
    # Each items list: per subject, {field: [value, …]} over the subject's rows (in file
    # order), the rows grouped by a stable sort on their owner.
    item_parts: list[list[str]] = [[] for _ in range(n)]
    for items_spec in sorted(program.items, key=lambda spec: spec.name):
        table = cohort.items.get(items_spec.name)
        if table is None or len(table) == 0:
            continue
        owner = np.asarray(table.owner, dtype=np.int64)
        order = np.argsort(owner, kind="stable")
        in_order = bool((order == np.arange(len(order))).all())
        owners = owner[order]
        cuts = (np.flatnonzero(owners[1:] != owners[:-1]) + 1).tolist()
        starts, ends = [0, *cuts], [*cuts, len(owners)]
        rows = order.tolist()
        slices = [slice(start, end) for start, end in zip(starts, ends, strict=True)]
        # Per field, each subject's `"field":[…]`; then per subject the fields joined.
        fields: list[list[str]] = []
        for spec in sorted(items_spec.fields, key=lambda spec: spec.name):
            texts = [
                "null" if text is None else text
                for text in column_fragments(
                    spec, as_list(table.fields.get(spec.name, [None] * len(table)))
                )
            ]
            if not in_order:
                texts = [texts[k] for k in rows]
            name = member(spec.name)
            fields.append(
                [f"{name}[{values}]" for values in map(",".join, map(texts.__getitem__, slices))]
            )
        start_items = member(items_spec.name)
        bodies = map(",".join, zip(*fields, strict=True)) if fields else repeat("")
        for subject, body in zip(owners[starts].tolist(), bodies, strict=False):
            if 0 <= subject < n:
                item_parts[subject].append(start_items + "{" + body + "}")
    return [(input_texts[i], "{" + ",".join(parts) + "}") for i, parts in enumerate(item_parts)]


def _members(start: str, fragments: Sequence[str | None]) -> list[str | None]:
    return [None if text is None else start + text for text in fragments]


def decode_cohort(program: Program, subjects: Sequence[StoredSubject]) -> Cohort:
    """The cohort a run evaluates. Values are typed by the program's declarations; an input
    the record lacks is None (its default applies, or the evaluation reports it). Number
    columns come back as ScaledColumns (integers over a power of ten), read by the
    evaluator without a conversion per value."""
    stored = loads_many([subject.inputs_json for subject in subjects])
    columns = {
        spec.name: _decode(spec, [values.get(spec.name) for values in stored])
        for spec in program.inputs
    }
    with_items = [i for i, subject in enumerate(subjects) if subject.items_json != "{}"]
    stored_items = loads_many([subjects[i].items_json for i in with_items])
    items: dict[str, ItemTable] = {}
    for items_spec in program.items:
        owned = [
            (i, table)
            for i, lists in zip(with_items, stored_items, strict=True)
            if (table := lists.get(items_spec.name))
        ]
        tables: list[dict[str, list[JsonScalar]]] = [table for _, table in owned]
        names = [f.name for f in items_spec.fields]
        fields = _item_fields(tables, names)
        counts = [max(map(len, table.values()), default=0) for table in tables]
        owner = np.repeat(np.array([i for i, _ in owned], dtype=np.int64), counts)
        items[items_spec.name] = ItemTable(
            owner=owner,
            fields={f.name: _decode(f, fields[f.name]) for f in items_spec.fields},
        )
    return Cohort(
        codes=[s.code for s in subjects],
        inputs=columns,
        items=items,
        units=[s.unit_code for s in subjects],
        position_groups=[s.position_group for s in subjects],
        is_head=[s.is_head for s in subjects],
        names=[s.name for s in subjects],
    )


def _item_fields(
    tables: Sequence[dict[str, list[JsonScalar]]], names: Sequence[str]
) -> dict[str, list[JsonScalar]]:
    """Each field's values over all subjects' rows, in subject order. The usual records
    hold every field with one value per row, and are concatenated at C speed; otherwise a
    missing field is None on each of the subject's rows."""
    try:
        columns = [list(map(itemgetter(name), tables)) for name in names]
        lengths = [list(map(len, column)) for column in columns]
        same_rows = all(length == lengths[0] for length in lengths)
        if same_rows and all(len(table) == len(names) for table in tables):
            return {
                name: list(chain.from_iterable(column))
                for name, column in zip(names, columns, strict=True)
            }
    except (KeyError, TypeError):
        pass
    fields: dict[str, list[JsonScalar]] = {name: [] for name in names}
    for table in tables:
        count = max(map(len, table.values()), default=0)
        for name, values in fields.items():
            values.extend(table.get(name) or repeat(None, count))
    return fields


def _decode(spec: InputSpec, raws: Sequence[JsonScalar]) -> Column:
    """A stored column as the evaluator reads it fastest: numbers as a ScaledColumn, counts
    and booleans without a blank as NumPy arrays, anything else as typed values."""
    kind = spec.kind
    if kind in ("number", "percent"):
        scaled = decode_numbers(raws)
        if scaled is not None:
            return scaled
    elif kind in ("count", "bool") and raws:
        kinds = set(map(type, raws))
        if kinds == {int} and kind == "count":
            try:
                return np.array(raws, dtype=np.int64)
            except OverflowError:
                pass
        elif kinds == {bool} and kind == "bool":
            return np.array(raws, dtype=np.bool_)
    return decode_column(spec, raws)


def snapshot_sha256(subjects: Iterable[StoredSubject]) -> str:
    """SHA-256 of the canonical serialisation of a run's inputs (subjects in code order):
    per subject the text `dumps([code, unit, position group, is_head])`, its inputs and its
    items, each followed by a line break."""
    subjects = list(subjects)
    texts = {
        value: scalar_text(value)
        for value in {s.unit_code for s in subjects} | {s.position_group for s in subjects}
    }
    flags = {True: "true", False: "false"}
    digest = hashlib.sha256()
    for start in range(0, len(subjects), _SNAPSHOT_CHUNK):
        digest.update(
            "".join(
                [
                    f"[{quote(s.code)},{texts[s.unit_code]},{texts[s.position_group]},"
                    f"{flags.get(s.is_head) or scalar_text(s.is_head)}]\n"
                    f"{s.inputs_json}\n{s.items_json}\n"
                    for s in subjects[start : start + _SNAPSHOT_CHUNK]
                ]
            ).encode()
        )
    return digest.hexdigest()


_SNAPSHOT_CHUNK = 10_000
