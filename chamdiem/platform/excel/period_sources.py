"""Where the sheets of a several-period DATA come from.

DATA is an .xlsx workbook (every sheet may carry a `period` column), one .csv file (the
subjects), or a folder of .csv files. A folder may also hold one sub-folder per period,
named by the period (`2026-Q1/`, `2026/`): its files hold that period's rows, as if they had a
period column saying so. Files at the top of the folder (`units.csv` typically) hold rows of
no particular period, or say theirs in a period column.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.periods import Period
from chamdiem.platform.excel.cells import CellError
from chamdiem.platform.excel.period_cells import PERIOD_HELP, parse_period_text
from chamdiem.platform.excel.problems import DataFileError, DataProblem, ProblemLog
from chamdiem.platform.excel.tables import CsvSource, DataSource, Table, open_data
from chamdiem.platform.excel.workbook_gate import DataLimits


@dataclass(frozen=True)
class Part:
    """One source of sheets; `period` is the period of a per-period folder (None: the rows
    say their period themselves, or have none)."""

    source: DataSource
    period: Period | None


@dataclass(frozen=True)
class Found:
    """A sheet found in one part."""

    table: Table
    period: Period | None


def _csv_files(folder: Path) -> dict[str, Path]:
    return {
        unicodedata.normalize("NFC", child.stem): child
        for child in sorted(folder.iterdir())
        if child.is_file() and child.suffix.lower() == ".csv"
    }


def open_parts(path: Path, log: ProblemLog, limits: DataLimits | None = None) -> list[Part]:
    """The parts of DATA. Raises DataFileError when DATA cannot be opened at all, or is
    beyond the `limits`; a sub-folder that is not named like a period is a problem in `log`."""
    if not path.is_dir():
        return [Part(open_data(path, limits), None)]
    display = str(path)
    parts: list[Part] = []
    top = _csv_files(path)
    if top:
        parts.append(Part(CsvSource(display, top, limits), None))
    for child in sorted(path.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue
        files = _csv_files(child)
        if not files:
            continue
        try:
            period = parse_period_text(child.name)
        except CellError:
            log.add(
                DataProblem(
                    str(child),
                    None,
                    None,
                    None,
                    None,
                    Text(
                        f"thư mục con '{child.name}' không mang tên một kỳ ({PERIOD_HELP.vi}); "
                        f"các tệp trong đó không được đọc",
                        f"the sub-folder '{child.name}' is not named by a period "
                        f"({PERIOD_HELP.en}); its files are not read",
                    ),
                )
            )
            continue
        parts.append(Part(CsvSource(str(child), files, limits), period))
    if not parts:
        raise DataFileError(
            [
                DataProblem(
                    display,
                    None,
                    None,
                    None,
                    None,
                    Text(
                        "thư mục không có tệp .csv nào (cần ít nhất subjects.csv, hoặc các thư "
                        "mục con theo kỳ như 2026-Q1/subjects.csv)",
                        "the folder has no .csv files (subjects.csv is needed, or one "
                        "sub-folder per period such as 2026-Q1/subjects.csv)",
                    ),
                )
            ]
        )
    return parts


def find_sheets(parts: Sequence[Part], names: Sequence[str], log: ProblemLog) -> list[Found]:
    """The sheet with any of `names` in every part that has one (a damaged sheet is a problem
    in `log`)."""
    found: list[Found] = []
    for part in parts:
        try:
            table = part.source.table(names)
        except DataFileError as exc:
            for problem in exc.problems:
                log.add(problem)
            continue
        if table is not None:
            found.append(Found(table, part.period))
    return found


def missing_sheet(parts: Sequence[Part], names: Sequence[str], about: Text) -> DataProblem:
    """The problem of a sheet found in no part; `about` says what it would hold."""
    first = parts[0].source
    listed = ", ".join(
        f"'{part.source.where(name)}'" for part in parts for name in part.source.sheet_names()
    )
    wanted = first.where(names[0])
    what = first.what
    return DataProblem(
        first.display,
        None,
        None,
        None,
        None,
        Text(
            f"không có {what.vi} {wanted} ({about.vi}); các {what.vi} có: {listed or '—'}",
            f"no {what.en} {wanted} ({about.en}); the {what.en}s found: {listed or '—'}",
        ),
    )
