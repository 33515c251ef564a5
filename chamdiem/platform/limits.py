"""Every limit on what a user may type or send, in one place: the services check them (so the
command line and the web refuse alike) and the web's forms show them at the field.

This module imports nothing from the platform, so that any layer (the readers of DATA files,
the services, the web) may use it without an import cycle.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

# ---------------------------------------------------------------- numbers

# A number in a DATA cell or a JSON body: at most this many digits, not counting the zeros
# before the first digit of the whole part ("000123.4500" has 7); a number in a workbook cell
# is below 10**28. Scores, coefficients and counts need a handful; anything longer is a
# mistake or an attack (Python refuses to turn more than 4,300 digits into a number). 28 is
# the precision of Python's decimal arithmetic, so no number read is ever rounded by it.
MAX_NUMBER_DIGITS: Final = 28

# ---------------------------------------------------------------- text (in characters)

MAX_DECISION_REASON: Final = 2000  # a council decision's reason
MAX_DOCUMENT_NUMBER: Final = 100  # a decision's document number ("123/QĐ-SNV")
MAX_PERSON_NAME: Final = 200  # a person's full name in the organisation load
MAX_UNIT_NAME: Final = 300  # a unit's name in the organisation load
MAX_CODE: Final = 200  # a person's or a unit's code
MAX_POSITION: Final = 200  # a person's position (chức vụ) and position group
MAX_SEARCH: Final = 200  # a search term (the people search and a run's results)
MAX_USERNAME: Final = 63  # an account's user name (2 characters at least)
MAX_DISPLAY_NAME: Final = 200  # an account's display name
MAX_PERIOD_CODE: Final = 20  # a period's code (2026, 2026-Q1, 2026-03), as quoted back
FIRST_PERIOD_YEAR: Final = 2000  # the years a period may be in
LAST_PERIOD_YEAR: Final = 2100

# ---------------------------------------------------------------- dates

# A decision's document date lies within its period, give or take: it may be signed a little
# before the period starts (a decision prepared ahead) and some years after it ends (an
# appeal, a late correction), never before 2000 or in a far future.
DECISION_DAYS_BEFORE_PERIOD: Final = 366
DECISION_YEARS_AFTER_PERIOD: Final = 5
EARLIEST_DATE: Final = date(2000, 1, 1)


def decision_date_range(period_start: date, period_end: date) -> tuple[date, date]:
    """The first and last date a decision on a result of this period may carry."""
    first = max(EARLIEST_DATE, period_start - timedelta(days=DECISION_DAYS_BEFORE_PERIOD))
    try:
        last = period_end.replace(year=period_end.year + DECISION_YEARS_AFTER_PERIOD)
    except ValueError:  # 29 February
        last = period_end.replace(year=period_end.year + DECISION_YEARS_AFTER_PERIOD, day=28)
    return first, last
