"""Synthetic subjects for bench/rules/bench12.rules, shared by the benchmark and the tests.

Values are generated as integers (hundredths for decimal inputs), which both engines then
read in their own way: the exact engine as Decimals, the float baseline as float64 (k / 100
is the double nearest to the decimal, which is what parsing "72.45" from a file gives).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy.typing as npt

from chamdiem.dsl.data import Cohort, ScaledColumn

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Inputs of bench12.rules by kind. Decimal inputs are held in hundredths.
DECIMAL_INPUTS = ("chinh_tri", "chuyen_mon", "doi_moi", "chat_luong", "dung_han", "hai_long")
COUNT_INPUTS = ("giao", "xong", "loi", "cham", "phan_anh", "sang_kien", "vi_pham", "nghi")
BOOL_INPUTS = ("khen", "ky_luat")
UNITS = 3000


class BenchData:
    """n subjects: `values[name]` an int64 (hundredths or count) or bool array; `unit` the
    unit index of each subject."""

    def __init__(self, values: dict[str, npt.NDArray[np.int64] | BoolArray], unit: IntArray):
        self.values = values
        self.unit = unit

    def __len__(self) -> int:
        return len(self.unit)

    def unit_names(self) -> list[str]:
        names = [f"U{k:04d}" for k in range(int(self.unit.max(initial=0)) + 1)]
        return [names[k] for k in self.unit.tolist()]

    def to_cohort(self) -> Cohort:
        """The subjects as the exact engine takes them: Decimals for decimal inputs (one
        shared Decimal object per distinct value), ints and bools."""
        inputs: dict[str, list[object]] = {}
        for name in DECIMAL_INPUTS:
            k = self.values[name]
            table = np.array([Decimal(v) / 100 for v in range(int(k.max()) + 1)], dtype=object)
            inputs[name] = table[k].tolist()
        for name in COUNT_INPUTS + BOOL_INPUTS:
            inputs[name] = self.values[name].tolist()
        codes = [f"S{i:07d}" for i in range(len(self))]
        return Cohort(codes=codes, inputs=inputs, units=self.unit_names())

    def to_columns(self) -> Cohort:
        """The subjects as the database hands them to the exact engine: decimal inputs as
        integer hundredths (ScaledColumn), counts as int64 and flags as bool arrays."""
        inputs: dict[str, object] = {}
        for name in DECIMAL_INPUTS:
            inputs[name] = ScaledColumn(self.values[name].astype(np.int64), 2)
        for name in COUNT_INPUTS:
            inputs[name] = self.values[name].astype(np.int64)
        for name in BOOL_INPUTS:
            inputs[name] = self.values[name].astype(np.bool_)
        codes = [f"S{i:07d}" for i in range(len(self))]
        return Cohort(codes=codes, inputs=inputs, units=self.unit_names())  # type: ignore[arg-type]

    def to_float(self) -> dict[str, npt.NDArray[np.float64] | BoolArray]:
        """The subjects as a NumPy program reads them from a file: float64 columns."""
        out: dict[str, npt.NDArray[np.float64] | BoolArray] = {}
        for name in DECIMAL_INPUTS:
            out[name] = self.values[name] / 100.0
        for name in COUNT_INPUTS:
            out[name] = self.values[name].astype(np.float64)
        for name in BOOL_INPUTS:
            out[name] = self.values[name].astype(np.bool_)
        return out


def _hundredths(rng: np.random.Generator, mean: float, sd: float, high: float, n: int) -> IntArray:
    """Scores with two decimal places, half of them on whole or half points (as people
    score), clipped to 0..high."""
    x = np.clip(rng.normal(mean, sd, n), 0, high)
    coarse = np.rint(x * 2) * 50
    fine = np.rint(x * 100)
    return np.where(rng.random(n) < 0.5, coarse, fine).astype(np.int64)


def generate(n: int, seed: int = 2026, units: int = UNITS) -> BenchData:
    """n subjects in about `units` units (fewer when n is small), deterministic for a seed."""
    rng = np.random.default_rng(seed)
    giao = rng.integers(3, 31, n)
    heavy = rng.random(n) < 0.01  # a few people with many days of unexcused absence
    values: dict[str, IntArray | BoolArray] = {
        "chinh_tri": _hundredths(rng, 8.4, 0.9, 10, n),
        "chuyen_mon": _hundredths(rng, 82, 9, 100, n),
        "doi_moi": _hundredths(rng, 7.6, 1.3, 10, n),
        "giao": giao,
        "xong": giao - rng.binomial(giao, 0.08),
        "chat_luong": _hundredths(rng, 86, 9, 100, n),
        "loi": rng.poisson(0.2, n),
        "dung_han": _hundredths(rng, 90, 8, 100, n),
        "cham": rng.poisson(0.3, n),
        "hai_long": _hundredths(rng, 85, 8, 100, n),
        "phan_anh": rng.poisson(0.1, n),
        "sang_kien": rng.poisson(0.15, n),
        "khen": rng.random(n) < 0.03,
        "vi_pham": rng.poisson(0.05, n),
        "nghi": np.where(heavy, rng.poisson(6.0, n), rng.poisson(0.3, n)),
        "ky_luat": rng.random(n) < 0.005,
    }
    values = {k: v if v.dtype == np.bool_ else v.astype(np.int64) for k, v in values.items()}
    unit = rng.integers(0, max(1, min(units, n // 10)), n).astype(np.int64)
    return BenchData(values, unit)
