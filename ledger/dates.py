"""Date arithmetic of the Civil Code (Arts. 138-143) as TERMS.md restates it.

Every function is pure and states its boundary exactly. Business dates are
calendar dates in Japan time; incident times are zone-aware timestamps.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
ONE_DAY = timedelta(days=1)


def add_months(d: date, months: int) -> date:
    """The day corresponding to ``d`` ``months`` later; clamped to the month's
    last day when that month is shorter (Art. 143(2))."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last))


def add_years(d: date, years: int) -> date:
    return add_months(d, 12 * years)


def first_of_next_month(d: date) -> date:
    """The 1st of the month following ``d``'s month."""
    return add_months(d.replace(day=1), 1)


def last_of_month(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def period_end(first_counted: date, months: int) -> date:
    """Last day of a period of ``months`` months whose first counted day is S.

    The day before the day corresponding to S in the final month; if the final
    month has no such day, that month's last day (Art. 143(2)).
    S=2025-04-01, 12 -> 2026-03-31; S=2028-02-29, 120 -> 2038-02-28;
    S=2026-01-31, 1 -> 2026-02-28.
    """
    y, m = divmod(first_counted.month - 1 + months, 12)
    year, month = first_counted.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    if first_counted.day > last:
        return date(year, month, last)
    return date(year, month, first_counted.day) - ONE_DAY


def after_months(first_counted: date, months: int) -> date:
    """The first day after a period of ``months`` months whose first counted day
    is S: the day a "once N months have passed" ground arises (Art. 143(2)).
    S=2026-01-31, 1 -> 2026-03-01 (the month ends 02-28); S=2026-04-01, 1 -> 2026-05-01.
    Every "N months" computation of the ledger goes through ``period_end``."""
    return period_end(first_counted, months) + ONE_DAY


def end_after_act(act_day: date, months: int) -> date:
    """Last day of a period of ``months`` that runs from an act during a day:
    the first day is not counted (初日不算入, Art. 140), so S = act_day + 1."""
    return period_end(act_day + ONE_DAY, months)


def by_months_before(limit_day: date, months: int) -> date:
    """Last allowed day for an act due "by N months before day L".

    The N whole months before L must lie between the act and L, counted
    backwards: the last allowed day is the day before (L - N months), with
    month-end clamping. Lease 2026-05-01, 1 month -> 2026-03-31.
    """
    return add_months(limit_day, -months) - ONE_DAY


def withdrawal_notice_deadline(period_last_day: date) -> date:
    """IE-3.5: notice received by this day stops the coming renewal.

    Expiry is at the end of E, so L = E + 1 day and two whole months must lie
    between: the last day of the month two months before E's month
    (E=2026-03-31 -> 2026-01-31; E=2026-09-30 -> 2026-07-31; E=2027-02-28 ->
    2026-12-31).
    """
    return last_of_month(add_months(period_last_day.replace(day=1), -2))


def age_on(birth: date, on: date) -> int:
    """Age in whole years during the day ``on``.

    A person reaches each age at the end of the day before the birthday
    (年齢計算ニ関スル法律 with Civil Code Art. 143), so throughout the birthday
    itself they have the new age and on the day before still the old one. Born
    on 29 February: the day before the "birthday" in a common year is 28
    February, so the new age holds from 1 March.
    """
    years = on.year - birth.year
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(on.year):
        birthday = date(on.year, 3, 1)
    else:
        birthday = birth.replace(year=on.year)
    return years if on >= birthday else years - 1


def adult_age(on: date) -> int:
    """IE-2.2: the age of majority on a date (18 from 2022-04-01, 20 before)."""
    return 18 if on >= date(2022, 4, 1) else 20


# Built from the day's fields, not by datetime.combine (which reads them in C): a dated view's
# probe day (projections.days.Probe) sees that these depend on the day itself.
def start_of_day(d: date) -> datetime:
    """00:00 Japan time on ``d``: the instant a date-only fact takes effect."""
    return datetime(d.year, d.month, d.day, tzinfo=JST)


def end_of_day(d: date) -> datetime:
    """The last instant of ``d`` in Japan time: an as-of date includes the whole day."""
    return datetime(d.year, d.month, d.day, 23, 59, 59, 999999, tzinfo=JST)


def jst_date(t: datetime) -> date:
    return t.astimezone(JST).date()


def utc(t: datetime) -> datetime:
    return t.astimezone(timezone.utc)
