"""bench/rules/bench12.rules evaluated one subject at a time with fractions.Fraction: a slow,
plain reading of the rule file, written independently of the engine, to check the engine's
digits against.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

GRADES = ("khong", "hoan_thanh", "tot", "xuat_sac")  # worst first, like float_baseline


def round2(x: Fraction) -> Fraction:
    """Half away from zero, to hundredths."""
    hundredths = math.floor(abs(x) * 100 + Fraction(1, 2))
    return Fraction(hundredths if x >= 0 else -hundredths, 100)


def held(x: Fraction, maximum: int) -> Fraction:
    return min(max(x, Fraction(0)), Fraction(maximum))


def criterion(x: Fraction, maximum: int) -> Fraction:
    return held(round2(x), maximum)


def band(x: Fraction, rows: list[tuple[int, int]], otherwise: int) -> Fraction:
    for bound, value in rows:
        if x >= bound:
            return Fraction(value)
    return Fraction(otherwise)


@dataclass
class Outcome:
    criteria: dict[str, Fraction]
    total: Fraction
    grade: str
    tie_at_quota: bool = False


def evaluate_one(v: dict[str, Fraction | int | bool]) -> Outcome:
    def num(name: str) -> Fraction:
        value = v[name]
        assert not isinstance(value, bool)
        return Fraction(value)

    c: dict[str, Fraction] = {}
    c["c01"] = criterion(num("chinh_tri"), 10)
    c["c02"] = criterion(num("chuyen_mon") / 10, 10)
    c["c03"] = criterion(band(num("doi_moi"), [(9, 10), (7, 8), (5, 5)], 0), 10)
    giao, xong = num("giao"), num("xong")
    c["c04"] = criterion(20 * (xong / giao if giao != 0 else Fraction(0)), 20)
    c["c05"] = criterion(min(num("chat_luong"), Fraction(80)) / 4 - Fraction(3, 2) * num("loi"), 20)
    tien_do = band(num("dung_han"), [(98, 20), (90, 18), (80, 15), (60, 10)], 0)
    c["c06"] = criterion(tien_do - 2 * num("cham"), 20)
    c["c07"] = criterion(band(num("hai_long"), [(90, 5), (80, 4), (65, 3)], 1), 5)
    c["c08"] = criterion(5 - Fraction(5, 4) * num("phan_anh"), 5)
    c["c09"] = criterion(Fraction(3, 2) * num("sang_kien"), 4)
    c["c10"] = criterion(Fraction(3 if v["khen"] else 0), 3)
    c["c11"] = criterion(2 * num("vi_pham"), 6)
    c["c12"] = criterion(num("nghi") * 2 / 3, 5)

    chung = held(c["c01"] + c["c02"] + c["c03"], 30)
    nhiem_vu = held(c["c04"] + c["c05"] + c["c06"], 60)
    phuc_vu = held(c["c07"] + c["c08"], 10)
    cong = held(c["c09"] + c["c10"], 5)
    tru = held(c["c11"] + c["c12"], 8)
    total = round2(held(chung + nhiem_vu + phuc_vu + cong - tru, 100))

    if total >= 90 and c["c04"] >= 18:
        level = 3
    elif total >= 70:
        level = 2
    elif total >= 50:
        level = 1
    else:
        level = 0
    if v["ky_luat"]:
        level = min(level, 0)
    if num("nghi") > 5:
        level = min(level, 1)
    return Outcome(c, total, GRADES[level])


def evaluate(subjects: list[dict[str, Fraction | int | bool]], units: list[str]) -> list[Outcome]:
    """All subjects, then the quota: per unit, xuat_sac at most floor(20% of the number
    graded tot or better), by total then c04 (descending); a tie across the cut demotes
    everyone in it to tot with the flag."""
    outcomes = [evaluate_one(v) for v in subjects]
    members: dict[str, list[int]] = defaultdict(list)
    for i, unit in enumerate(units):
        members[unit].append(i)
    for people in members.values():
        eligible = sum(1 for i in people if GRADES.index(outcomes[i].grade) >= 2)
        cap = math.floor(Fraction(20, 100) * eligible)

        def key(i: int) -> tuple[Fraction, Fraction]:
            return (outcomes[i].total, outcomes[i].criteria["c04"])

        ranked = sorted(
            (i for i in people if outcomes[i].grade == "xuat_sac"), key=key, reverse=True
        )
        kept = set(ranked[:cap])
        if 0 < cap < len(ranked) and key(ranked[cap - 1]) == key(ranked[cap]):
            tied = [i for i in ranked if key(i) == key(ranked[cap])]
            kept -= set(tied)
            for i in tied:
                outcomes[i].tie_at_quota = True
        for i in ranked:
            if i not in kept:
                outcomes[i].grade = "tot"
    return outcomes
