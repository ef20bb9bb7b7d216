"""The probe day of the dated views (projections.days): the change days it records are exactly
the days on which each comparison's answer flips, and anything else it cannot follow makes the
view live (assembled when read)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from ledger import dates
from projections.days import Probe, Sink

T = date(2025, 3, 10)
DAY = timedelta(days=1)


def probe(d: date = date(2025, 1, 1)) -> tuple[Probe, Sink]:
    sink = Sink()
    return Probe(d, sink), sink


@pytest.mark.parametrize("compare", [
    lambda d: d < T, lambda d: d <= T, lambda d: d > T, lambda d: d >= T, lambda d: d == T, lambda d: d != T,
    lambda d: T < d, lambda d: T <= d, lambda d: T > d, lambda d: T >= d,
    lambda d: d + timedelta(days=14) <= T, lambda d: T - timedelta(days=30) <= d - timedelta(days=2),
    lambda d: min(d, T) == d, lambda d: dates.after_months(T, 1) <= d,
])
def test_each_recorded_day_is_where_the_answer_flips_and_nothing_flips_between(compare):
    """For every day of a year the answer equals the answer on the last recorded day before it."""
    d0 = T - timedelta(days=200)
    p, sink = probe(d0)
    compare(p)
    changes = sorted(x for x in sink.days if x > d0)
    assert changes and not sink.daily
    for k in range(400):
        day = d0 + timedelta(days=k)
        last = max([d0] + [c for c in changes if c <= day])
        assert compare(day) == compare(last), (day, last)
    # and each recorded day does flip it (none is recorded for nothing)
    for c in changes:
        if c - DAY >= d0:
            assert compare(c) != compare(c - DAY), c


@pytest.mark.parametrize("escape", [
    lambda d: d.year, lambda d: d.month, lambda d: d.day, lambda d: d.isoformat(), lambda d: str(d),
    lambda d: f"{d}", lambda d: hash(d), lambda d: {d: 1}, lambda d: d.replace(day=1), lambda d: d.weekday(),
    lambda d: d.toordinal(), lambda d: repr(d), lambda d: dates.end_of_day(d), lambda d: dates.start_of_day(d),
    lambda d: dates.add_months(d, 1), lambda d: d - T + T - (d + DAY),
])
def test_what_reads_the_day_itself_makes_the_view_live(escape):
    p, sink = probe()
    escape(p)
    assert sink.daily


def test_the_days_counted_from_a_day_are_noted_for_days_overdue():
    p, sink = probe(date(2025, 4, 1))
    assert (p - T).days == 22 and sink.elapsed == {T} and not sink.daily


def test_arithmetic_keeps_following_the_day():
    p, sink = probe(date(2025, 3, 1))
    later = p + timedelta(days=14)
    assert isinstance(later, Probe) and later == date(2025, 3, 15)
    sink.days.clear()
    assert later < T + timedelta(days=20)
    assert sink.days == {T + timedelta(days=6)}  # d + 14 < T + 20  <=>  d < T + 6
