"""Fuzzing the DATA readers (issue 11): valid workbooks and CSV files, damaged at random at the
cell, the sheet XML and the archive level, must give a result or a list of problems in
Vietnamese — never another exception, never a stall.

The damaged files stay small and their references within a few thousand rows, so every
reading runs in this process; the references that make a reader allocate by reference (the
workbook gate's business) are read only by `chamdiem eval` in a subprocess with a memory limit.
"""

from __future__ import annotations

import itertools
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chamdiem.dsl import Program, load_file
from chamdiem.dsl.periods import Period
from chamdiem.platform.excel import DataFileError, read_cohort
from chamdiem.platform.excel.period_reader import read_period_data
from tests.multilevel import province
from tests.platform import mutations
from tests.platform.builders import csv_file, items, spec, xlsx
from tests.platform.db import helpers as org
from tests.platform.mutations import DrawChooser, RandomChooser

ROOT = Path(__file__).resolve().parents[2]
YEAR = Period(2026, "year", 1)
SECONDS = 10.0  # one reading of a damaged file of a few KB takes milliseconds
RSS_LIMIT_KB = 1_500_000  # the peak resident size this process may reach

INPUTS = (
    spec("chinh_tri", low="0", high="10", label="Chính trị, đạo đức"),
    spec("chuyen_mon", low="0", high="10"),
    spec("ty_le", "percent", label="Tỷ lệ hoàn thành"),
    spec("ky_luat", "bool", default=False),
    spec("xep_loai", "enum", choices=("tot", "kha"), default="tot"),
    spec("ngay_vao", "date", default=None, has_default=True),
)
SAN_PHAM = items(
    "san_pham",
    spec("he_so", low="0", low_strict=True),
    spec("hoan_thanh", "bool"),
    spec("loi_nang", "count", default=0),
)
SUBJECTS: list[list[object]] = [
    ["Danh sách công chức, quý I/2026"],
    [],
    ["Mã", "Họ và tên", "Đơn vị", "Nhóm vị trí", "Người đứng đầu", "Chính trị, đạo đức",
     "chuyen_mon", "Tỷ lệ hoàn thành", "ky_luat", "xep_loai", "ngay_vao"],
    [1001, "Nguyễn An", "Sở Tài chính", "chuyen_vien", "x", 8.5, "9,25", 0.96, None, "tot",
     "2020-01-15"],
    ["CC02", "Trần Bình", "Sở Tài chính", "lanh_dao", None, 7, 10, "87,5%", "có", "kha", None],
    ["CC03", "Lê Chi", "Sở Nội vụ", "chuyen_vien", "không", 10, 0, 1, "không", None, None],
]  # fmt: skip
ITEMS: list[list[object]] = [
    ["code", "he_so", "hoan_thanh", "loi_nang"],
    [1001, 1, "x", None],
    [1001, 2.5, "không", 1],
    ["CC02", 0.5, True, 0],
    ["CC03", 1, False, 2],
]

# CHAMDIEM_FUZZ_EXAMPLES=2000 fuzzes longer, to look for new crashes.
FUZZ = settings(
    max_examples=int(os.environ.get("CHAMDIEM_FUZZ_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LEVELS = ("cells", "xml", "archive")
_names = itertools.count()


# ---------------------------------------------------------------- the valid files


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def programs() -> list[Program]:
    return [load_file(path) for path in sorted((ROOT / "rules").glob("*.rules"))]


def cohort_workbook(path: Path) -> Path:
    return xlsx(
        path,
        {"subjects": SUBJECTS, "san_pham": ITEMS},
        formats={("subjects", "H4"): "0%"},
    )


def cohort_csv(path: Path) -> Path:
    path.mkdir()
    csv_file(path / "subjects.csv", SUBJECTS)
    csv_file(path / "san_pham.csv", ITEMS)
    return path


class Bases(dict[str, bytes]):
    """The valid files by name. Its repr is short: hypothesis shows the arguments of a failing
    example, and a repr of 50 KB is a warning, which this suite makes an error."""

    def __repr__(self) -> str:
        return f"Bases({', '.join(self)})"


@pytest.fixture(scope="module")
def bases(folder: Path) -> Bases:
    """Each valid file (a folder of CSV files as `name/file.csv` entries of a zip)."""
    built = {
        "cohort.xlsx": cohort_workbook(folder / "cohort.xlsx"),
        "period.xlsx": province.workbook(folder / "period.xlsx"),
        "cohort.csv": cohort_csv(folder / "cohort_csv"),
        "period.csv": province.csv_folders(folder / "period_csv"),
    }
    return Bases({name: mutations.pack(path) for name, path in built.items()})


# ---------------------------------------------------------------- what a reading may give


def read_safely(call: Callable[[], object]) -> object:
    """Run one reading: it returns, or raises DataFileError whose problems say in Vietnamese
    what is wrong; in bounded time and memory."""
    started = time.perf_counter()
    try:
        outcome: object = call()
    except DataFileError as exc:
        assert exc.problems, "a refused file must say why"
        for problem in exc.problems:
            assert problem.message.vi.strip(), problem
            assert problem.render("vi")
        outcome = exc
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS, f"reading took {elapsed:.1f} s"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert peak < RSS_LIMIT_KB, f"the process reached {peak // 1024} MB"
    return outcome


def fresh(folder: Path, suffix: str) -> Path:
    """A path no earlier example used (a sheet parsed in the background by an earlier
    reading may still be open)."""
    return folder / f"m{next(_names)}{suffix}"


def damaged_workbook(bases: Bases, name: str, data: st.DataObject, folder: Path) -> Path:
    level = data.draw(st.sampled_from(LEVELS), label="level")
    damaged = mutations.mutate_workbook(bases[name], DrawChooser(data), level)
    path = fresh(folder, data.draw(st.sampled_from((".xlsx", ".xlsx", ".xls")), label="suffix"))
    path.write_bytes(damaged)
    return path


def damaged_csv(bases: Bases, name: str, data: st.DataObject, folder: Path) -> Path:
    chooser = DrawChooser(data)
    entries = mutations.unzip(bases[name])
    index = chooser.integer(0, len(entries) - 1)
    info, payload = entries[index]
    entries[index] = (info, mutations.mutate_csv(payload, chooser))
    return mutations.unpack(mutations.rezip(entries), fresh(folder, ""))


# ---------------------------------------------------------------- the readers


@FUZZ
@given(data=st.data())
def test_damaged_workbooks_for_one_rule_set(
    data: st.DataObject, bases: Bases, folder: Path
) -> None:
    path = damaged_workbook(bases, "cohort.xlsx", data, folder)
    read_safely(lambda: read_cohort(path, INPUTS, (SAN_PHAM,)))


@FUZZ
@given(data=st.data())
def test_damaged_csv_files_for_one_rule_set(
    data: st.DataObject, bases: Bases, folder: Path
) -> None:
    path = damaged_csv(bases, "cohort.csv", data, folder)
    if data.draw(st.booleans(), label="one file"):
        path = path / "subjects.csv"  # DATA given as the subjects file alone
    read_safely(lambda: read_cohort(path, INPUTS, (SAN_PHAM,)))


@FUZZ
@given(data=st.data())
def test_damaged_workbooks_of_several_periods(
    data: st.DataObject, bases: Bases, folder: Path, programs: list[Program]
) -> None:
    path = damaged_workbook(bases, "period.xlsx", data, folder)
    read_safely(lambda: read_period_data(path, programs, YEAR))


@FUZZ
@given(data=st.data())
def test_damaged_csv_folders_of_several_periods(
    data: st.DataObject, bases: Bases, folder: Path, programs: list[Program]
) -> None:
    path = damaged_csv(bases, "period.csv", data, folder)
    read_safely(lambda: read_period_data(path, programs, YEAR))


# ---------------------------------------------------------------- the command, memory-limited


def _limit_memory() -> None:
    limit = 1536 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _cli_cases(base: bytes) -> dict[str, tuple[bytes, tuple[int, ...]]]:
    """File name -> (content, the exit codes a user may see): a hostile file is refused (1);
    a randomly damaged one is refused or, when the damage spared what is read, evaluated."""
    refused: tuple[int, ...] = (1,)
    either: tuple[int, ...] = (0, 1)
    cases = {
        "huge-cell.xlsx": (mutations.with_huge_reference(base, "XFD1048576"), refused),
        "huge-row.xlsx": (mutations.with_huge_reference(base, "A1048576"), refused),
        "huge-dimension.xlsx": (
            mutations.with_huge_reference(base, "XFD1048576", dimension=True),
            refused,
        ),
        "blank-run.xlsx": (mutations.with_blank_run(base, 64), refused),
    }
    for seed, chain in enumerate((("archive",), ("cells", "xml"))):
        damaged = mutations.apply(chain, base, RandomChooser(seed))
        cases[f"random-{seed}.xlsx"] = (damaged, either)
    return cases


def test_chamdiem_eval_refuses_damaged_and_hostile_files_within_limits(tmp_path: Path) -> None:
    """What a user running `chamdiem eval` sees: the data's problems (exit 1), never a
    traceback, a crash or a stall, within 20 s and 1.5 GB each."""
    base = mutations.normalised(org.workbook(tmp_path / "base.xlsx").read_bytes())
    environment = {**os.environ, "CHAMDIEM_LANG": "vi"}
    environment.pop("CHAMDIEM_DEBUG", None)
    failures: list[str] = []
    for name, (payload, expected) in _cli_cases(base).items():
        path = tmp_path / name
        path.write_bytes(payload)
        started = time.perf_counter()
        try:
            run = subprocess.run(
                [sys.executable, "-m", "chamdiem", "eval", str(org.RULES), str(path)],
                capture_output=True,
                text=True,
                timeout=20,
                preexec_fn=_limit_memory,
                env=environment,
                cwd=tmp_path,
            )
        except subprocess.TimeoutExpired:
            failures.append(f"{name}: still running after 20 s")
            continue
        seconds = time.perf_counter() - started
        said = (run.stdout + run.stderr).strip()
        if run.returncode not in expected or "Traceback" in run.stderr:
            failures.append(f"{name}: exit {run.returncode} after {seconds:.1f} s: {said[-600:]}")
        elif run.returncode == 1 and "lỗi" not in run.stderr:
            failures.append(f"{name}: no problem listed in Vietnamese: {said[-600:]}")
    assert not failures, "\n".join(failures)
