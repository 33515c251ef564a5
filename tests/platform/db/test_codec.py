"""The stored text is canonical: assembled from value fragments, it is byte for byte what
`dumps` gives for the same data, whatever the letters, quotes or escapes."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

from chamdiem.dsl import Cohort, ItemTable, load_source
from chamdiem.dsl.data import as_list
from chamdiem.platform.db.codec import (
    decimal_text,
    decode_column,
    decode_numbers,
    dumps,
    member,
    object_text,
    scalar_fragments,
    string_list_text,
)
from chamdiem.platform.services.records import (
    StoredSubject,
    decode_cohort,
    encode_cohort,
    snapshot_sha256,
)

RULES = """\
ruleset codec "Mã hóa"
  subject person
  period quarter
  effective 2026-01-01
end

input diem : number 0..100 "Điểm"
input ty_le : percent = 0 "Tỷ lệ"
input lan : count = 0 "Số lần"
input co : bool = false "Có"
input ghi_chu : text = "" "Ghi chú"
input ngay : date = 2026-01-01 "Ngày"
input muc : one of "không", "có \\"ngoặc\\"" = "không" "Mức"

items viec "Việc"
  he_so : number > 0 "Hệ số"
  xong : bool "Xong"
  ten : text = "" "Tên"
end

group g "Nhóm" max 100
  criterion c "Tiêu chí" max 100 = diem
end

grades
  dat "Đạt" when total >= 50
  khong "Không" otherwise
end
"""

AWKWARD = ['dấu "ngoặc"', "gạch \\ chéo", "xuống\ndòng", "tab\t", "ký tự \x01", "∑ 😀"]


def test_records_are_canonical_and_come_back_unchanged() -> None:
    program = load_source(RULES)
    texts = list(AWKWARD)
    n = len(texts)
    cohort = Cohort(
        codes=[f"P{i}" for i in range(n)],
        inputs={
            "diem": [Decimal("8.50"), 9, Decimal("1E+1"), None, Decimal("0.125"), Decimal("-0")],
            "ty_le": [Decimal("0.96"), None, 1, Decimal("0"), None, None],
            "lan": [0, 3, None, 12, 1, 2],
            "co": [True, False, None, True, False, True],
            "ghi_chu": texts,
            "ngay": [date(2026, 3, 31), None, date(2026, 1, 1), None, None, None],
            "muc": ["không", 'có "ngoặc"', None, "không", "không", "không"],
        },
        items={
            "viec": ItemTable(
                owner=[0, 0, 2, 5, 0],
                fields={
                    "he_so": [Decimal("1"), Decimal("2.50"), 3, Decimal("0.1"), 1],
                    "xong": [True, False, True, True, False],
                    "ten": [texts[0], None, texts[2], "", texts[5]],
                },
            )
        },
    )
    encoded = encode_cohort(program, cohort)
    for inputs_text, items_text in encoded:
        assert dumps(json.loads(inputs_text)) == inputs_text
        assert dumps(json.loads(items_text)) == items_text
    assert json.loads(encoded[0][0])["diem"] == "8.5"
    assert json.loads(encoded[2][0])["diem"] == "10"
    assert json.loads(encoded[1][1]) == {}
    assert json.loads(encoded[0][1]) == {
        "viec": {
            "he_so": ["1", "2.5", "1"],
            "xong": [True, False, False],
            "ten": [texts[0], None, texts[5]],
        }
    }
    subjects = [
        StoredSubject(i, i, code, None, None, None, False, inputs, items)
        for i, (code, (inputs, items)) in enumerate(zip(cohort.codes, encoded, strict=True))
    ]
    again = decode_cohort(program, subjects)
    assert encode_cohort(program, again) == encoded
    assert again.inputs["ngay"][0] == date(2026, 3, 31)
    assert again.inputs["ghi_chu"] == texts
    assert list(again.items["viec"].owner) == [0, 0, 0, 2, 5]


def test_result_texts_are_what_dumps_gives() -> None:
    values = ["70.00", None, True, False, "0.8125", 'x"y', "đ\\n"]
    fragments = scalar_fragments(values)
    keys = [f"v{i}" for i in range(len(values))] + ["v!"]
    fragments.append('"x"')
    ordered = sorted(zip(keys, fragments, strict=True))
    pairs = [(member(key), text) for key, text in ordered]
    expected = {f"v{i}": v for i, v in enumerate(values)} | {"v!": "x"}
    assert object_text(pairs) == dumps(expected)
    reasons = ['Bị kỷ luật "khiển trách"', "x"]
    assert string_list_text(reasons) == dumps(reasons)
    assert string_list_text([]) == "[]"


def test_decimal_text_and_decoding() -> None:
    assert [decimal_text(Decimal(t)) for t in ("8.50", "1E+2", "-0.0", "0.000")] == [
        "8.5",
        "100",
        "0",
        "0",
    ]
    program = load_source(RULES)
    diem = next(spec for spec in program.inputs if spec.name == "diem")
    decoded = decode_column(diem, ["8.5", None, "8.5"])
    assert decoded == [Decimal("8.5"), None, Decimal("8.5")] and decoded[0] is decoded[2]


def test_number_columns_decode_to_scaled_integers() -> None:
    scaled = decode_numbers(["8.5", None, "10", "-0.125", "8.5"])
    assert scaled is not None and scaled.places == 3 and scaled.missing is not None
    assert scaled.units.tolist() == [8500, 0, 10000, -125, 8500]
    assert scaled.missing.tolist() == [False, True, False, False, False]
    full = decode_numbers(["1", "2.25"])
    assert full is not None and full.missing is None and full.units.tolist() == [100, 225]
    # Anything else (never written by encode_cohort) goes the Decimal way.
    for odd in (["1e5"], [3], ["0." + "1" * 20], ["9" * 30], [" 1"]):
        assert decode_numbers(odd) is None


def test_snapshot_is_hashed_from_the_canonical_texts() -> None:
    subjects = [
        StoredSubject(1, 1, "A1", "Tên", "SNV", "lanh_dao", True, '{"x":"1"}', "{}"),
        StoredSubject(2, 2, 'B"2', None, None, None, False, "{}", '{"v":{"a":[1]}}'),
    ]
    digest = hashlib.sha256()
    for s in subjects:
        head = dumps([s.code, s.unit_code, s.position_group, s.is_head])
        digest.update(f"{head}\n{s.inputs_json}\n{s.items_json}\n".encode())
    assert snapshot_sha256(subjects) == digest.hexdigest()


def test_stored_items_missing_a_field_decode_with_blanks() -> None:
    program = load_source(RULES)
    inputs = '{"diem":"5"}'
    subjects = [
        StoredSubject(1, 1, "P1", None, None, None, False, inputs, '{"viec":{"he_so":["1","2"]}}'),
        StoredSubject(2, 2, "P2", None, None, None, False, inputs, "{}"),
        StoredSubject(
            3,
            3,
            "P3",
            None,
            None,
            None,
            False,
            inputs,
            '{"viec":{"he_so":["3"],"ten":["x"],"xong":[true]}}',
        ),
    ]
    cohort = decode_cohort(program, subjects)
    table = cohort.items["viec"]
    assert list(table.owner) == [0, 0, 2]
    assert as_list(table.fields["he_so"]) == [Decimal("1"), Decimal("2"), Decimal("3")]
    assert as_list(table.fields["xong"]) == [None, None, True]
    assert as_list(table.fields["ten"]) == [None, None, "x"]
