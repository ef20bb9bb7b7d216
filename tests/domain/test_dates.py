"""Civil Code date rules as TERMS.md states them, at their boundaries."""
from datetime import date

import pytest

from ledger import dates


@pytest.mark.parametrize("start,months,end", [
    (date(2025, 4, 1), 12, date(2026, 3, 31)),
    (date(2028, 2, 29), 120, date(2038, 2, 28)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2026, 3, 1), 1, date(2026, 3, 31)),
])
def test_period_end_is_the_day_before_the_corresponding_day(start, months, end):
    assert dates.period_end(start, months) == end


@pytest.mark.parametrize("lease,months,last_day", [
    (date(2026, 5, 1), 1, date(2026, 3, 31)),
    (date(2026, 4, 15), 1, date(2026, 3, 14)),
])
def test_by_months_before_leaves_whole_months_between(lease, months, last_day):
    assert dates.by_months_before(lease, months) == last_day


@pytest.mark.parametrize("period_end,deadline", [
    (date(2026, 3, 31), date(2026, 1, 31)),
    (date(2026, 9, 30), date(2026, 7, 31)),
    (date(2027, 2, 28), date(2026, 12, 31)),
])
def test_withdrawal_notice_deadline_is_two_months_before_expiry(period_end, deadline):
    assert dates.withdrawal_notice_deadline(period_end) == deadline


def test_revision_lag_does_not_count_the_announcement_day():
    # IE-5.3: announced 2026-01-10 -> renewal dates from 2026-03-11 on.
    assert dates.end_after_act(date(2026, 1, 10), 2) == date(2026, 3, 10)


@pytest.mark.parametrize("birth,on,age", [
    (date(2008, 4, 2), date(2026, 4, 1), 17),
    (date(2008, 4, 2), date(2026, 4, 2), 18),
    (date(2008, 2, 29), date(2026, 2, 28), 17),
    (date(2008, 2, 29), date(2026, 3, 1), 18),
    (date(2004, 2, 29), date(2024, 2, 29), 20),
])
def test_age_changes_on_the_birthday(birth, on, age):
    assert dates.age_on(birth, on) == age


def test_age_of_majority_changed_on_2022_04_01():
    assert dates.adult_age(date(2022, 3, 31)) == 20
    assert dates.adult_age(date(2022, 4, 1)) == 18


def test_first_of_next_month_and_base_date():
    assert dates.first_of_next_month(date(2025, 3, 15)) == date(2025, 4, 1)
    assert dates.first_of_next_month(date(2025, 12, 31)) == date(2026, 1, 1)
