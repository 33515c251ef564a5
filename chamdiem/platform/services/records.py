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

from chamdiem.dsl.data import Cohort, ItemTable, as_list
from chamdiem.dsl.loader import Program
from chamdiem.platform.db.codec import (
    JsonScalar,
    column_fragments,
    decode_column,
    dumps,
    list_text,
    loads,
    member,
    object_text,
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
    # Members in the order of their keys (sorting the quoted keys could differ).
    inputs = [
        (member(spec.name), column_fragments(spec, as_list(cohort.inputs[spec.name])))
        for spec in sorted(program.inputs, key=lambda spec: spec.name)
        if spec.name in cohort.inputs
    ]
    input_texts = [object_text([(name, column[i]) for name, column in inputs]) for i in range(n)]
    # Each items list: per subject, {field: [value, …]} over the subject's rows.
    item_parts: list[list[tuple[str, str]]] = [[] for _ in range(n)]
    for items_spec in sorted(program.items, key=lambda spec: spec.name):
        table = cohort.items.get(items_spec.name)
        if table is None or len(table) == 0:
            continue
        rows_of: dict[int, list[int]] = {}
        for k, owner in enumerate(table.owner):
            rows_of.setdefault(int(owner), []).append(k)
        fields = [
            (
                member(spec.name),
                [
                    "null" if text is None else text
                    for text in column_fragments(
                        spec, as_list(table.fields.get(spec.name, [None] * len(table)))
                    )
                ],
            )
            for spec in sorted(items_spec.fields, key=lambda spec: spec.name)
        ]
        for owner, rows in rows_of.items():
            if 0 <= owner < n:
                text = object_text(
                    [(name, list_text([column[k] for k in rows])) for name, column in fields]
                )
                item_parts[owner].append((member(items_spec.name), text))
    return [(input_texts[i], object_text(item_parts[i])) for i in range(n)]


def decode_cohort(program: Program, subjects: Sequence[StoredSubject]) -> Cohort:
    """The cohort a run evaluates. Values are typed by the program's declarations; an input
    the record lacks is None (its default applies, or the evaluation reports it)."""
    stored = [loads(subject.inputs_json) for subject in subjects]
    columns = {
        spec.name: decode_column(spec, [values.get(spec.name) for values in stored])
        for spec in program.inputs
    }
    owners: dict[str, list[int]] = {spec.name: [] for spec in program.items}
    raw_fields: dict[str, dict[str, list[JsonScalar]]] = {
        spec.name: {f.name: [] for f in spec.fields} for spec in program.items
    }
    for i, subject in enumerate(subjects):
        if subject.items_json == "{}":
            continue
        stored_items = loads(subject.items_json)
        for items_spec in program.items:
            table = stored_items.get(items_spec.name)
            if not table:
                continue
            count = max((len(values) for values in table.values()), default=0)
            owners[items_spec.name].extend([i] * count)
            fields = raw_fields[items_spec.name]
            for spec in items_spec.fields:
                fields[spec.name].extend(table.get(spec.name) or [None] * count)
    return Cohort(
        codes=[s.code for s in subjects],
        inputs=columns,
        items={
            spec.name: ItemTable(
                owner=owners[spec.name],
                fields={
                    f.name: decode_column(f, raw_fields[spec.name][f.name]) for f in spec.fields
                },
            )
            for spec in program.items
        },
        units=[s.unit_code for s in subjects],
        position_groups=[s.position_group for s in subjects],
        is_head=[s.is_head for s in subjects],
        names=[s.name for s in subjects],
    )


def snapshot_sha256(subjects: Iterable[StoredSubject]) -> str:
    """SHA-256 of the canonical serialisation of a run's inputs (subjects in code order)."""
    digest = hashlib.sha256()
    for s in subjects:
        head = dumps([s.code, s.unit_code, s.position_group, s.is_head])
        digest.update(f"{head}\n{s.inputs_json}\n{s.items_json}\n".encode())
    return digest.hexdigest()
