"""A small organisation and its quarter for rules/cong_chuc_quy.rules, as DATA workbooks, and
shortcuts to set a database up."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session

from chamdiem.platform.db.engine import open_session
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.services.organisation import load_organisation
from chamdiem.platform.services.periods import add_period
from chamdiem.platform.services.rules import publish_rule_version
from tests.platform.builders import Rows, xlsx

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "rules" / "cong_chuc_quy.rules"
PERIOD = "2026-Q1"
ACTOR = "can_bo_to_chuc"

UNITS: list[tuple[str, str, str | None]] = [
    ("SNV", "Sở Nội vụ", None),
    ("SNV-TH", "Phòng Tổng hợp", "SNV"),
    ("SNV-KH", "Phòng Kế hoạch", "SNV"),
    ("STC", "Sở Tài chính", None),
    ("STC-NS", "Phòng Ngân sách", "STC"),
]

SUBJECT_HEADER = [
    "Mã",
    "Họ và tên",
    "Đơn vị",
    "Nhóm vị trí",
    "Người đứng đầu",
    "chinh_tri",
    "chuyen_mon",
    "doi_moi",
    "ky_luat",
]
ITEM_HEADER = ["Mã", "he_so", "hoan_thanh", "loi_nang", "cham_tre"]
ONE_DONE: list[list[object]] = [[1, True, 0, 0]]


@dataclass
class P:
    """One person and their quarter."""

    code: str
    name: str
    unit: str
    group: str
    scores: tuple[object, object, object]
    head: bool = False
    ky_luat: str = "không"
    products: list[list[object]] = field(default_factory=lambda: copy.deepcopy(ONE_DONE))


PEOPLE: list[P] = [
    P("S1", "Trần Văn Sở", "SNV", "lanh_dao", (9, 9, 8.5), head=True),
    # Phòng Tổng hợp: five from 'tốt' up -> one 'xuất sắc' (quota), A1 keeps it.
    P("A1", "Nguyễn Thị An", "SNV-TH", "chuyen_vien", (10, 10, 9)),
    P("A2", "Lê Văn Bình", "SNV-TH", "chuyen_vien", (10, 10, 8)),
    P("A3", "Phạm Thị Chi", "SNV-TH", "chuyen_vien", (5, 5, 5)),
    P("A4", "Hoàng Văn Dũng", "SNV-TH", "chuyen_vien", (4, 3, 3)),
    P("A5", "Vũ Thị Én", "SNV-TH", "chuyen_vien", (2, 2, 1), head=True),
    # Phòng Kế hoạch: K1 and K2 tie at the quota -> both 'tốt', flagged.
    P("K1", "Đặng Văn Khoa", "SNV-KH", "chuyen_vien", (9, 9, 9)),
    P("K2", "Bùi Thị Lan", "SNV-KH", "chuyen_vien", (10, 9, 8)),
    P("K3", "Đỗ Văn Minh", "SNV-KH", "chuyen_vien", (5, 5, 5)),
    P("K4", "Ngô Thị Nga", "SNV-KH", "chuyen_vien", (4, 3, 3)),
    P("K5", "Dương Văn Ơn", "SNV-KH", "chuyen_vien", (2, 2, 1)),
    # Phòng Ngân sách: a veto, partial work, no products at all.
    P(
        "N1",
        "Lý Văn Phúc",
        "STC-NS",
        "chuyen_vien",
        (8.25, 9, 7.5),
        head=True,
        ky_luat="khiển trách",
    ),
    P(
        "N2",
        "Mai Thị Quế",
        "STC-NS",
        "chuyen_vien",
        (9.5, 8.5, 8),
        products=[[1, True, 1, 0], [3, True, 0, 2], [0.5, False, 0, 0]],
    ),
    P("N3", "Tạ Văn Rõ", "STC-NS", "chuyen_vien", (7, 7, 7), products=[]),
]


def subject_rows(people: list[P]) -> list[list[object]]:
    return [[p.code, p.name, p.unit, p.group, p.head, *p.scores, p.ky_luat] for p in people]


def item_rows(people: list[P]) -> list[list[object]]:
    return [[p.code, *product] for p in people for product in p.products]


def sheets(people: list[P] | None = None, *, units: bool = True) -> dict[str, Rows]:
    """The sheets of a DATA workbook (rows from row 1): subjects, san_pham and units."""
    people = PEOPLE if people is None else people
    found: dict[str, Rows] = {
        "subjects": [SUBJECT_HEADER, *subject_rows(people)],
        "san_pham": [ITEM_HEADER, *item_rows(people)],
    }
    if units:
        found["units"] = [["code", "name", "parent"], *[list(u) for u in UNITS]]
    return found


def editable(people: list[P] | None = None) -> dict[str, list[list[object]]]:
    """The sheets as lists a test can change before `save`."""
    return {name: [list(row) for row in rows] for name, rows in sheets(people).items()}


def save(
    path: Path,
    rows: dict[str, list[list[object]]],
    errors: dict[tuple[str, str], str] | None = None,
) -> Path:
    """`errors[(sheet, 'C3')] = '#N/A'`: that cell holds a formula Excel could not compute."""
    typed: dict[str, Rows] = dict(rows)
    return xlsx(path, typed, errors=errors)


def workbook(path: Path, people: list[P] | None = None, *, units: bool = True) -> Path:
    return xlsx(path, sheets(people, units=units))


def people_copy() -> list[P]:
    return copy.deepcopy(PEOPLE)


def prepare(
    session: Session,
    folder: Path,
    *,
    data: bool = True,
    rules: Path = RULES,
    period: str = PERIOD,
) -> Path:
    """Organisation loaded, period added, rules published and (by default) the quarter's data
    imported. Returns the workbook."""
    book = workbook(folder / "quy1.xlsx")
    load_organisation(session, book, actor=ACTOR)
    add_period(session, period, actor=ACTOR)
    publish_rule_version(session, rules, actor=ACTOR)
    if data:
        import_period_data(session, book, period, actor=ACTOR)
    return book


def count(engine: Engine, table: str, where: str = "") -> int:
    with engine.connect() as connection:
        sql = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")
        return int(connection.execute(sa.text(sql)).scalar_one())


TABLES = (
    "units",
    "people",
    "periods",
    "rule_versions",
    "data_imports",
    "input_records",
    "evaluation_runs",
    "results",
    "council_decisions",
    "audit_log",
)


def counts(engine: Engine) -> dict[str, int]:
    return {table: count(engine, table) for table in TABLES}


def session_of(engine: Engine) -> Session:
    return open_session(engine)
