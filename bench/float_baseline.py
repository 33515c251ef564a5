"""bench/rules/bench12.rules written by hand in NumPy float64: what a careful developer
would write without an exact engine. It is the benchmark's yardstick for speed, and its
disagreements with the exact engine show where binary floats go wrong.

Written to be honest and idiomatic: vectorised throughout, rounding half away from zero the
usual way (floor(|x| * 100 + 0.5) / 100), grades with np.select, the per-unit quota with
np.lexsort, ties at the quota's cut detected like the rule file says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
I = npt.NDArray[np.int64]  # noqa: E741

# Grade levels, best last (like the engine): khong, hoan_thanh, tot, xuat_sac.
GRADES = ("khong", "hoan_thanh", "tot", "xuat_sac")
KHONG, HOAN_THANH, TOT, XUAT_SAC = 0, 1, 2, 3


def round_half_away(x: F, places: int = 2) -> F:
    scale = 10.0**places
    return np.sign(x) * np.floor(np.abs(x) * scale + 0.5) / scale


def criterion(x: F, maximum: float) -> F:
    """A criterion's points: rounded to 2 places, held within 0..maximum."""
    return np.clip(round_half_away(x), 0.0, maximum)


@dataclass
class FloatResults:
    criteria: dict[str, F]
    total: F
    grade: I  # level, see GRADES
    tie_at_quota: B


def evaluate(v: dict[str, npt.NDArray[np.float64] | B], unit: I) -> FloatResults:
    """Evaluate bench12 for all subjects; `v` holds float64 columns (bools for bool inputs)
    and `unit` each subject's unit index."""
    c: dict[str, F] = {}
    c["c01"] = criterion(v["chinh_tri"], 10)
    c["c02"] = criterion(v["chuyen_mon"] / 10, 10)
    doi_moi = v["doi_moi"]
    c["c03"] = criterion(
        np.select([doi_moi >= 9, doi_moi >= 7, doi_moi >= 5], [10.0, 8.0, 5.0], 0.0), 10
    )
    giao, xong = v["giao"], v["xong"]
    ratio = np.divide(xong, giao, out=np.zeros_like(xong), where=giao != 0)
    c["c04"] = criterion(20 * ratio, 20)
    c["c05"] = criterion(np.minimum(v["chat_luong"], 80) / 4 - 1.5 * v["loi"], 20)
    dung_han = v["dung_han"]
    tien_do_goc = np.select(
        [dung_han >= 98, dung_han >= 90, dung_han >= 80, dung_han >= 60],
        [20.0, 18.0, 15.0, 10.0],
        0.0,
    )
    c["c06"] = criterion(tien_do_goc - 2 * v["cham"], 20)
    hai_long = v["hai_long"]
    c["c07"] = criterion(
        np.select([hai_long >= 90, hai_long >= 80, hai_long >= 65], [5.0, 4.0, 3.0], 1.0), 5
    )
    c["c08"] = criterion(5 - 1.25 * v["phan_anh"], 5)
    c["c09"] = criterion(1.5 * v["sang_kien"], 4)
    c["c10"] = criterion(np.where(v["khen"], 3.0, 0.0), 3)
    c["c11"] = criterion(2 * v["vi_pham"], 6)
    nghi = v["nghi"]
    c["c12"] = criterion(nghi * 2 / 3, 5)

    chung = np.clip(c["c01"] + c["c02"] + c["c03"], 0, 30)
    nhiem_vu = np.clip(c["c04"] + c["c05"] + c["c06"], 0, 60)
    phuc_vu = np.clip(c["c07"] + c["c08"], 0, 10)
    diem_cong = np.clip(c["c09"] + c["c10"], 0, 5)
    diem_tru = np.clip(c["c11"] + c["c12"], 0, 8)
    total = round_half_away(np.clip(chung + nhiem_vu + phuc_vu + diem_cong - diem_tru, 0, 100))

    grade = np.select(
        [(total >= 90) & (c["c04"] >= 18), total >= 70, total >= 50],
        [XUAT_SAC, TOT, HOAN_THANH],
        KHONG,
    ).astype(np.int64)
    grade = np.where(v["ky_luat"], np.minimum(grade, KHONG), grade)
    grade = np.where(nghi > 5, np.minimum(grade, HOAN_THANH), grade)

    grade, tie = _quota(grade, total, c["c04"], unit)
    return FloatResults(c, total, grade, tie)


def _quota(grade: I, total: F, c04: F, unit: I) -> tuple[I, B]:
    """xuat_sac at most 20% of count(grade >= tot) per unit, ranked by total then c04
    (both descending); subjects tied at the cut are all demoted to tot and flagged."""
    n_units = int(unit.max(initial=0)) + 1
    eligible = np.bincount(unit, weights=(grade >= TOT), minlength=n_units)
    cap = np.floor(eligible * 0.20).astype(np.int64)

    cand = np.flatnonzero(grade == XUAT_SAC)
    order = cand[np.lexsort((-c04[cand], -total[cand], unit[cand]))]
    u, t, k = unit[order], total[order], c04[order]
    m = len(order)
    idx = np.arange(m)
    new_unit = np.ones(m, dtype=np.bool_)
    new_unit[1:] = u[1:] != u[:-1]
    pos = idx - np.maximum.accumulate(np.where(new_unit, idx, 0))  # rank within the unit

    new_tie = new_unit.copy()
    new_tie[1:] |= (t[1:] != t[:-1]) | (k[1:] != k[:-1])
    tie_id = np.cumsum(new_tie) - 1
    first_pos = pos[new_tie]  # rank of each tie group's first and last member
    last_pos = np.maximum.reduceat(pos, np.flatnonzero(new_tie)) if m else pos
    group_cap = cap[u[new_tie]]
    straddles = (first_pos < group_cap) & (last_pos >= group_cap)

    keep = (pos < cap[u]) & ~straddles[tie_id]
    out = grade.copy()
    out[order[~keep]] = TOT
    tie = np.zeros(len(grade), dtype=np.bool_)
    tie[order[straddles[tie_id]]] = True
    return out, tie
