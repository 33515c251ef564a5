"""Evaluation periods: a year (`2026`), a quarter (`2026-Q1`) or a month (`2026-03`), open
for imports until locked."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.engine import writing
from chamdiem.platform.db.models import Period, PeriodCreate, PeriodKind, utc_now
from chamdiem.platform.limits import FIRST_PERIOD_YEAR, LAST_PERIOD_YEAR, MAX_PERIOD_CODE
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import NotFound, ServiceError

_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{2})")

KIND_TEXT: dict[str, Text] = {
    "month": Text("tháng", "month"),
    "quarter": Text("quý", "quarter"),
    "year": Text("năm", "year"),
}


@dataclass(frozen=True)
class PeriodCode:
    code: str
    kind: PeriodKind
    start: date
    end: date


def _shown(text: str) -> str:
    return text if len(text) <= MAX_PERIOD_CODE else text[: MAX_PERIOD_CODE - 1] + "…"


def parse_period_code(text: str) -> PeriodCode:
    """'2026' -> the year 2026; '2026-Q1' (or q1) -> its first quarter; '2026-03' -> March.
    Raises ServiceError for anything else."""
    value = unicodedata.normalize("NFC", text).strip()
    year_match = re.match(r"\d{4}", value)
    if year_match and not FIRST_PERIOD_YEAR <= int(year_match.group()) <= LAST_PERIOD_YEAR:
        raise ServiceError(
            Text(
                f"mã kỳ '{_shown(text)}' không hợp lệ: năm phải từ {FIRST_PERIOD_YEAR} đến "
                f"{LAST_PERIOD_YEAR}",
                f"invalid period code '{_shown(text)}': the year must be from "
                f"{FIRST_PERIOD_YEAR} to {LAST_PERIOD_YEAR}",
            )
        )
    if match := _YEAR.fullmatch(value):
        year = int(match.group(1))
        return PeriodCode(value, "year", date(year, 1, 1), date(year, 12, 31))
    if match := _QUARTER.fullmatch(value):
        year, quarter = int(match.group(1)), int(match.group(2))
        first = 3 * quarter - 2
        last_day = calendar.monthrange(year, first + 2)[1]
        return PeriodCode(
            f"{year}-Q{quarter}", "quarter", date(year, first, 1), date(year, first + 2, last_day)
        )
    if (match := _MONTH.fullmatch(value)) and 1 <= int(match.group(2)) <= 12:
        year, month = int(match.group(1)), int(match.group(2))
        last_day = calendar.monthrange(year, month)[1]
        return PeriodCode(value, "month", date(year, month, 1), date(year, month, last_day))
    raise ServiceError(
        Text(
            f"mã kỳ '{_shown(text)}' không hợp lệ: viết 2026 (năm), 2026-Q1 (quý) hoặc "
            "2026-03 (tháng)",
            f"invalid period code '{_shown(text)}': write 2026 (a year), 2026-Q1 (a quarter) or "
            "2026-03 (a month)",
        )
    )


def get_period(session: Session, code: str, *, for_update: bool = False) -> Period:
    """The period with this code (as parsed, so '2026-q1' finds 2026-Q1)."""
    wanted = parse_period_code(code).code
    # populate_existing: a Period already in the session is refreshed (a lock taken since).
    statement = (
        select(Period).where(Period.code == wanted).execution_options(populate_existing=True)
    )
    if for_update:
        statement = statement.with_for_update()
    period = session.exec(statement).first()
    if period is None:
        raise NotFound(
            Text(
                f"chưa có kỳ {wanted}; tạo bằng `chamdiem period add {wanted}`",
                f"there is no period {wanted}; create it with `chamdiem period add {wanted}`",
            )
        )
    return period


def add_period(session: Session, code: str, *, actor: str) -> tuple[Period, bool]:
    """Create the period (open); returns it and whether it was created now (adding an
    existing period changes nothing)."""
    parsed = parse_period_code(code)
    with writing(session):
        existing = session.exec(select(Period).where(Period.code == parsed.code)).first()
        if existing is not None:
            return existing, False
        fields = PeriodCreate(
            code=parsed.code, kind=parsed.kind, start_date=parsed.start, end_date=parsed.end
        )
        period = Period(**fields.model_dump(), created_by=actor)
        session.add(period)
        session.flush()
        audit.record(
            session,
            actor,
            "period_add",
            "periods",
            period.id,
            code=period.code,
            kind=period.kind,
            start=period.start_date.isoformat(),
            end=period.end_date.isoformat(),
        )
    return period, True


def lock_period(session: Session, code: str, *, actor: str) -> tuple[Period, bool]:
    """Lock the period: no import changes its data afterwards. Returns it and whether it was
    locked now (locking a locked period changes nothing)."""
    with writing(session):
        period = get_period(session, code, for_update=True)
        if period.locked:
            return period, False
        period.locked = True
        period.locked_at = utc_now()
        period.locked_by = actor
        session.add(period)
        audit.record(session, actor, "period_lock", "periods", period.id, code=period.code)
    return period, True


def refuse_if_locked(period: Period) -> None:
    if period.locked:
        who = f" ({period.locked_by})" if period.locked_by else ""
        raise ServiceError(
            Text(
                f"kỳ {period.code} đã khóa{who}: không nhập thêm hay sửa dữ liệu được",
                f"period {period.code} is locked{who}: its data cannot be imported or changed",
            )
        )
