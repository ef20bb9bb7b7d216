"""A given/when/then harness for domain tests: decisions are pure, so a test
folds the given facts, calls a decide function and looks at the drafts (or the
error). ``Story`` stamps drafts into facts the way the store would."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from ledger import fees, member, property as prop
from ledger.dates import JST
from ledger.events import Event
from ledger.facts import Draft, visible


def at(d: date, hour: int = 9) -> datetime:
    return datetime.combine(d, time(hour), JST)


class Story:
    def __init__(self) -> None:
        self.streams: dict[str, list[Event]] = defaultdict(list)

    def record(self, drafts: list[Draft], on: date, recorded: datetime | None = None) -> list[Event]:
        out = []
        batch = f"b{sum(len(v) for v in self.streams.values())}"
        for d in drafts:
            s = self.streams[d.stream]
            e = d.type(originator_id=d.stream, originator_version=len(s) + 1, recorded=recorded or at(on),
                       effective=d.effective or at(on, 0), actor="test", batch=batch, rules=d.rules, **d.data)
            s.append(e)
            out.append(e)
        return out

    def member(self, member_id: str, on: date | None = None) -> member.Member | None:
        evs = self.streams[member.stream(member_id)]
        return member.fold(member_id, visible(evs, as_of=at(on, 23) if on else None))

    def property(self, property_id: str) -> prop.Property:
        return prop.fold(self.streams[prop.stream(property_id)])

    def tariffs(self) -> list[fees.Tariff]:
        return fees.fold(visible(self.streams[fees.STREAM]))


def charged_fee_years(m: member.Member, house: prop.Property, horizon: date) -> list[date]:
    """The first day of the property's membership year that each live (not void) charge of
    ``m`` pays for: a renewal charge pays for the year from the day after its due day; a
    first charge for its period's start (IE-17.1's prepaid year included). The test
    oracle for "no fee year charged twice across owners"."""
    periods = {p.number: p for p in m.true_periods(horizon)}
    out = []
    for c in m.charges:
        if m.void_charge(c):
            continue
        start = c.due_on + timedelta(days=1) if c.renewal else periods[c.period_number].start
        out.append(house.membership_year(start)[0])
    return out
