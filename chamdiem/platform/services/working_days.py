"""Working days: Vietnam's public holidays, weekends, compensatory days off, and the province's
own days off and make-up working days.

Deadlines counted in working days use it: an appeal (kiến nghị) is answered within 7 working
days of receipt (NĐ 335/2025 Art 22), results are pushed to the National Database within 5
days of their approval (Art 26.1.d; counted here as working days, docs/national-export.md).

The national calendar (Bộ luật Lao động 2019, Art 111–112):

- fixed days: 1/1, 30/4, 1/5, 2/9 and one day next to it (the day before or after, which the
  Government picks each year), and 24/11, Vietnam Culture Day (Ngày Văn hóa Việt Nam, a paid
  day off from 2026 per Nghị quyết 80-NQ/TW);
- lunar days: Tết (5 days, the eve included, on the days the Government announces each year)
  and the Hùng Kings' day (10/3 lunar). Their solar dates are kept here per year (`YEARS`) for
  the known years, not computed from the lunar calendar;
- a fixed day or the Hùng Kings' day on a Saturday or Sunday gives a compensatory day off on
  the next working day (Art 111.3). Tết's days are kept as announced, compensation included;
- days the Government swaps for civil servants (a weekday off, a Saturday worked) per year.

The province's own days (`calendar_days`: a local day off, a make-up working day) override the
national calendar date by date; the administrator sets them with `chamdiem calendar set`.

Only the years in `YEARS` know their lunar days and swaps: `missing_years` names the years a
count passed through without them (their fixed days and weekends still count), so that a
deadline there is shown with a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from sqlmodel import Session, col, select

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.engine import writing
from chamdiem.platform.db.models.national import CalendarDay
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import FieldErrors

MAX_NOTE = 200
# A count of working days beyond this is a mistake, not a deadline.
MAX_WORKING_DAYS = 3660


@dataclass(frozen=True)
class YearData:
    """One year's days that depend on the lunar calendar or on the Government's choice.

    `tet`: Tết's days off as announced (weekdays; the compensation for a Tết day on a
    weekend is included in the list). `hung_kings`: 10/3 lunar. `national_day_pair`: the
    day beside 2/9. `swaps`: (weekday off, Saturday worked instead) for civil servants.
    `verified`: checked against the Government's published announcement; False means the
    dates are the Labour Code's rule applied to the lunar calendar and must be checked
    against the announcement when it comes (docs/national-export.md, the calendar's data).
    """

    tet: tuple[date, ...]
    hung_kings: date
    national_day_pair: date
    swaps: tuple[tuple[date, date], ...] = ()
    source: str = ""
    verified: bool = False


def _days(year: int, month: int, first: int, last: int) -> tuple[date, ...]:
    return tuple(date(year, month, day) for day in range(first, last + 1))


YEARS: dict[int, YearData] = {
    2025: YearData(
        tet=_days(2025, 1, 27, 31),
        hung_kings=date(2025, 4, 7),
        national_day_pair=date(2025, 9, 1),
        swaps=((date(2025, 5, 2), date(2025, 4, 26)),),
        source="Thông báo 6150/TB-BLĐTBXH (Tết Ất Tỵ); Công văn của VPCP hoán đổi 2/5/2025",
        verified=False,
    ),
    2026: YearData(
        # Tết Bính Ngọ: the eve 16/2 and 17–20/2; with the weekends, 14–22/02/2026 off.
        tet=_days(2026, 2, 16, 20),
        hung_kings=date(2026, 4, 26),  # a Sunday: Monday 27/4 off instead
        national_day_pair=date(2026, 9, 1),
        swaps=((date(2026, 8, 31), date(2026, 8, 22)),),
        source="thông báo nghỉ Tết Âm lịch, Quốc khánh 2026 của Chính phủ / Bộ Nội vụ",
        verified=False,
    ),
    2027: YearData(
        # Tết Đinh Mùi: the eve 5/2, 6/2 (a Saturday) to 9/2; two weekend days compensated.
        tet=(date(2027, 2, 4), date(2027, 2, 5), *_days(2027, 2, 8, 10)),
        hung_kings=date(2027, 4, 16),
        national_day_pair=date(2027, 9, 3),
    ),
    2028: YearData(
        # Tết Mậu Thân: 24/1 (29 Tết, for 29/1 a Saturday), the eve 25/1, 26–28/1.
        tet=_days(2028, 1, 24, 28),
        hung_kings=date(2028, 4, 4),
        national_day_pair=date(2028, 9, 1),
    ),
    2029: YearData(
        tet=_days(2029, 2, 12, 16),
        hung_kings=date(2029, 4, 23),
        national_day_pair=date(2029, 9, 3),
    ),
    2030: YearData(
        # Tết Canh Tuất: mùng 1 is Saturday 2/2; 31/1, the eve 1/2, 4/2–6/2.
        tet=(date(2030, 1, 31), date(2030, 2, 1), *_days(2030, 2, 4, 6)),
        hung_kings=date(2030, 4, 12),
        national_day_pair=date(2030, 9, 3),
    ),
}
FIRST_KNOWN_YEAR, LAST_KNOWN_YEAR = min(YEARS), max(YEARS)

NEW_YEAR = Text("Tết Dương lịch", "New Year's Day")
TET = Text("Tết Nguyên đán", "Lunar New Year (Tết)")
HUNG_KINGS = Text("Giỗ Tổ Hùng Vương (10/3 âm lịch)", "Hùng Kings' Commemoration Day")
REUNIFICATION = Text("Ngày Chiến thắng (30/4)", "Reunification Day (30 April)")
LABOUR = Text("Ngày Quốc tế Lao động (1/5)", "International Labour Day (1 May)")
NATIONAL_DAY = Text("Quốc khánh (2/9)", "National Day (2 September)")
CULTURE_DAY = Text("Ngày Văn hóa Việt Nam (24/11)", "Vietnam Culture Day (24 November)")
COMPENSATION = Text("nghỉ bù", "compensatory day off")
SWAP_OFF = Text("nghỉ hoán đổi", "day off (swapped)")
SWAP_WORK = Text("làm bù", "make-up working day")
PROVINCE = Text("của tỉnh", "the province's")


def _is_weekend(day: date) -> bool:
    return day.weekday() >= 5


@cache
def national_days(year: int) -> Mapping[date, tuple[Text, bool]]:
    """The national calendar's exceptions in `year`: date → (what, working). A working day
    here is a Saturday worked in exchange; every other entry is a day off."""
    days: dict[date, tuple[Text, bool]] = {}
    data = YEARS.get(year)
    fixed: list[tuple[date, Text]] = [
        (date(year, 1, 1), NEW_YEAR),
        (date(year, 4, 30), REUNIFICATION),
        (date(year, 5, 1), LABOUR),
        (date(year, 9, 2), NATIONAL_DAY),
    ]
    if year >= 2026:
        fixed.append((date(year, 11, 24), CULTURE_DAY))
    if data is not None:
        fixed.extend([(data.hung_kings, HUNG_KINGS), (data.national_day_pair, NATIONAL_DAY)])
        for day in data.tet:
            days[day] = (TET, False)
    for day, what in fixed:
        days[day] = (what, False)
    # A holiday on a weekend: the next working day is off instead (Art 111.3), in date order
    # so that two such days give two days.
    for day, what in sorted(fixed, key=lambda pair: pair[0]):
        if not _is_weekend(day):
            continue
        later = day + timedelta(days=1)
        while _is_weekend(later) or later in days:
            later += timedelta(days=1)
        days[later] = (Text(f"{COMPENSATION.vi} {what.vi}", f"{COMPENSATION.en}: {what.en}"), False)
    if data is not None:
        for off, worked in data.swaps:
            days[off] = (SWAP_OFF, False)
            days[worked] = (SWAP_WORK, True)
    return days


@dataclass(frozen=True)
class Calendar:
    """The national calendar with the province's own days (date → working, note)."""

    province: Mapping[date, tuple[bool, str]] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        own = self.province.get(day)
        if own is not None:
            return own[0]
        national = national_days(day.year).get(day)
        if national is not None:
            return national[1]
        return not _is_weekend(day)

    def why(self, day: date) -> Text | None:
        """What makes `day` other than an ordinary weekday or weekend; None for nothing."""
        own = self.province.get(day)
        if own is not None:
            kind = SWAP_WORK if own[0] else Text("ngày nghỉ", "day off")
            note = f": {own[1]}" if own[1] else ""
            return Text(f"{kind.vi} {PROVINCE.vi}{note}", f"{PROVINCE.en} {kind.en}{note}")
        national = national_days(day.year).get(day)
        return national[0] if national is not None else None

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (`start` itself not counted): what is due
        "within n working days" of `start` is due by the end of that day. n = 0 gives
        `start`."""
        if not 0 <= n <= MAX_WORKING_DAYS:
            raise ValueError(f"n must be from 0 to {MAX_WORKING_DAYS}, not {n}")
        day = start
        left = n
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """The working days after `start` up to and including `end` (negative when `end` is
        before `start`): `working_days_between(a, add_working_days(a, n)) == n`."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            self.is_working_day(start + timedelta(days=offset))
            for offset in range(1, (end - start).days + 1)
        )

    def days_off(self, year: int) -> list[tuple[date, bool, Text]]:
        """The year's exceptions to "weekdays work, weekends rest", in date order."""
        found: dict[date, tuple[bool, Text]] = {}
        for day, (what, working) in national_days(year).items():
            if day.year == year:
                found[day] = (working, what)
        for day in self.province:
            if day.year == year:
                why = self.why(day)
                assert why is not None
                found[day] = (self.province[day][0], why)
        return [(day, working, what) for day, (working, what) in sorted(found.items())]


def missing_years(start: date, end: date) -> list[int]:
    """The years from `start` to `end` whose Tết and Hùng Kings' days are not known here."""
    first, last = sorted((start.year, end.year))
    return [year for year in range(first, last + 1) if year not in YEARS]


def missing_years_note(years: Iterable[int]) -> Text | None:
    listed = ", ".join(str(year) for year in years)
    if not listed:
        return None
    return Text(
        f"chưa có ngày Tết và Giỗ Tổ của năm {listed} trong lịch (chỉ có {FIRST_KNOWN_YEAR}–"
        f"{LAST_KNOWN_YEAR}): hạn tính theo ngày lễ cố định và cuối tuần; thêm ngày nghỉ bằng "
        "`chamdiem calendar set`",
        f"the calendar does not know Tết and the Hùng Kings' day in {listed} (only "
        f"{FIRST_KNOWN_YEAR}–{LAST_KNOWN_YEAR}): the deadline counts fixed holidays and weekends; "
        "add the days off with `chamdiem calendar set`",
    )


# ---------------------------------------------------------------- the province's days


def load_calendar(session: Session) -> Calendar:
    rows = session.exec(select(CalendarDay)).all()
    return Calendar({row.day: (row.working, row.note) for row in rows})


def province_days(session: Session, year: int | None = None) -> list[CalendarDay]:
    statement = select(CalendarDay).order_by(col(CalendarDay.day))
    if year is not None:
        statement = statement.where(
            col(CalendarDay.day) >= date(year, 1, 1), col(CalendarDay.day) <= date(year, 12, 31)
        )
    return list(session.exec(statement).all())


def set_province_day(
    session: Session, day: date, *, working: bool, note: str, actor: str
) -> CalendarDay:
    """Make `day` a day off (working False) or a working day for the province, with a note
    saying why (a decision's number, the occasion). Setting a date again replaces it."""
    note = " ".join(note.split())
    if not note:
        raise FieldErrors({"note": Text("ghi chú không được để trống", "the note is required")})
    if len(note) > MAX_NOTE:
        raise FieldErrors(
            {
                "note": Text(
                    f"ghi chú dài quá {MAX_NOTE} ký tự", f"the note is over {MAX_NOTE} characters"
                )
            }
        )
    with writing(session):
        row = session.exec(select(CalendarDay).where(CalendarDay.day == day)).first()
        if row is None:
            row = CalendarDay(day=day, working=working, note=note, set_by=actor)
        else:
            row.working, row.note, row.set_by = working, note, actor
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "calendar_set",
            "calendar_days",
            row.id,
            day=day.isoformat(),
            working=working,
            note=note,
        )
    return row


def unset_province_day(session: Session, day: date, *, actor: str) -> bool:
    """Give `day` back to the national calendar; False when the province had not set it."""
    with writing(session):
        row = session.exec(select(CalendarDay).where(CalendarDay.day == day)).first()
        if row is None:
            return False
        session.delete(row)
        audit.record(session, actor, "calendar_unset", "calendar_days", row.id, day=day.isoformat())
    return True
