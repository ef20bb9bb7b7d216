"""Dated member views (issue 11): the one assembly, evaluated once per change, kept in a table.

A member's view on a day (``projections.member_view.assemble`` plus its staff
tasks) is a pure function of the member's facts, the house's inspection facts,
the previous owner's facts (an undecided secondary applicant), the fee schedule
and the day. As now known, it changes only on the days a fact read takes effect
and on the days the view compares the day with: a due date, a period's end,
``after_months`` of a due date, a lease start… So instead of assembling every
member again for every ``--as-of``, the view is assembled once per interval on
which it is constant, and a list for any day reads the interval holding it.

The change days come from the assembly itself, not from a second list of
deadlines that could drift from it: the day is passed as a ``Probe``, a date
that records every date it is compared with. Between two recorded days every
comparison the assembly made gives the same answer, so it takes the same path
and builds the same view. What a comparison cannot capture makes the day a
change day on its own (``daily``): the day's text, its year or month, its hash.
The one value that moves with the day itself, ``days_overdue``, is recomputed
when read (``Stored.on``); any other subtraction of the day is ``daily``.

Two inputs are left out and put in when read, so that a change to them does not
touch every member: the fee schedule (``annual_fee`` and its fact among the
row's ``because``; ``SENTINEL`` marks its place) and the applicant's personal
fields, which stay sealed in the log (read from the application when a list
shows them; IE-19.10: an erasure reaches the list at once).

Where the intervals live and when they are recomputed: ``ledger.readmodel``
(``ledger_rm_days``, and ``ledger_rm_stale``, the members an append touched,
marked in the append's own transaction). ``refresh`` recomputes the stale
members before a list reads the table, so a list never reads an interval older
than the log.
"""
from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ledger import fees, inspection, member, readmodel
from ledger.dates import JST, end_of_day, jst_date
from ledger.errors import LedgerError
from ledger.events import Event
from ledger.facts import visible
from ledger.store import open_store
from projections import member_view
from projections.window import Window

ONE_DAY = timedelta(days=1)
FOREVER = date(9999, 12, 31)  # the end of an interval no known day ends
# The fee schedule's place in a stored view: a tariff no store holds (its id is not an event id).
SENTINEL = fees.Tariff(0, date(1, 1, 1), date(1, 1, 1), "", "fee-schedule#in-force")
KNOWN = datetime(9000, 1, 1, tzinfo=JST)  # "now known": every recorded fact counts
CHUNK = 500  # stale members recomputed per transaction


# --- the probe ----------------------------------------------------------------------------------


class Sink:
    """What one assembly learnt about its day: the days its answer may change on."""

    def __init__(self) -> None:
        self.days: set[date] = set()
        self.daily = False
        self.elapsed: set[date] = set()  # days subtracted from the day (``days_overdue``)


class Probe(date):
    """The day of a view, recording each day it is compared with (shifted by any days added).

    ``d < t`` and ``d >= t`` change on ``t``; ``d <= t`` and ``d > t`` on the day after."""

    sink: Sink
    shift: timedelta

    def __new__(cls, d: date, sink: Sink, shift: timedelta = timedelta(0)) -> "Probe":
        self = date.__new__(cls, d.year, d.month, d.day)
        self.sink, self.shift = sink, shift
        return self

    def _plain(self) -> date:
        return date.fromordinal(self.toordinal())

    def _at(self, other: object, on_the_day: bool) -> None:
        if isinstance(other, date) and not isinstance(other, datetime):
            t = date.fromordinal(other.toordinal()) - self.shift
            self.sink.days.add(t if on_the_day else t + ONE_DAY)
        else:
            self.sink.daily = True

    def __lt__(self, o): self._at(o, True); return date.__lt__(self, o)  # noqa: E704
    def __ge__(self, o): self._at(o, True); return date.__ge__(self, o)  # noqa: E704
    def __le__(self, o): self._at(o, False); return date.__le__(self, o)  # noqa: E704
    def __gt__(self, o): self._at(o, False); return date.__gt__(self, o)  # noqa: E704

    def __eq__(self, o):
        self._at(o, True)
        self._at(o, False)
        return date.__eq__(self, o)

    def __ne__(self, o):
        return not self.__eq__(o)

    def __hash__(self):
        self.sink.daily = True
        return date.__hash__(self)

    def __add__(self, td):
        if not isinstance(td, timedelta):
            return NotImplemented
        return Probe(self._plain() + td, self.sink, self.shift + td)

    __radd__ = __add__

    def __sub__(self, o):
        if isinstance(o, timedelta):
            return Probe(self._plain() - o, self.sink, self.shift - o)
        if isinstance(o, date) and not isinstance(o, datetime) and not self.shift:
            self.sink.elapsed.add(date.fromordinal(o.toordinal()))
            return self._plain() - o
        self.sink.daily = True
        return self._plain() - o

    def __rsub__(self, o):
        self.sink.daily = True
        return o - self._plain()

    def _escape(self, name: str):
        self.sink.daily = True
        return getattr(self._plain(), name)

    # Anything that reads the day's own value makes every day a change day.
    year = property(lambda self: self._escape("year"))
    month = property(lambda self: self._escape("month"))
    day = property(lambda self: self._escape("day"))

    def isoformat(self): return self._escape("isoformat")()  # noqa: E704
    def __str__(self): return self._escape("isoformat")()  # noqa: E704
    def __format__(self, spec): return self._escape("__format__")(spec)  # noqa: E704
    def strftime(self, fmt): return self._escape("strftime")(fmt)  # noqa: E704
    def replace(self, *a, **k): return self._escape("replace")(*a, **k)  # noqa: E704
    def weekday(self): return self._escape("weekday")()  # noqa: E704
    def isoweekday(self): return self._escape("isoweekday")()  # noqa: E704
    def timetuple(self): return self._escape("timetuple")()  # noqa: E704


class ProbeWindow(Window):
    """A now-known window whose ``day`` is a probe (the rest as any window's)."""

    def __init__(self, d: date, sink: Sink) -> None:
        super().__init__(end_of_day(d), KNOWN)
        object.__setattr__(self, "probe", Probe(d, sink))

    @property
    def day(self) -> date:
        return self.probe  # type: ignore[attr-defined]


class Recording(member_view.Sources):
    """The sources of a build. The streams a view reads besides the member's own (the house's
    inspections, a previous owner) are read once per build and their facts' days are change
    days too; the fee schedule is the sentinel (put in when read)."""

    def __init__(self, read: Callable[[str], list[Event]], houses: set[str] | None) -> None:
        super().__init__(read, Window(KNOWN, KNOWN), [SENTINEL], houses)
        self.seen: set[date] = set()
        self.cache: dict[str, list[Event]] = {}

    def _read(self, stream: str) -> list[Event]:
        facts = self.cache.get(stream)
        if facts is None:
            facts = self.cache[stream] = self.read(stream)
        self.seen.update(jst_date(e.effective) for e in facts)
        return facts

    def inspections(self, property_id: str) -> list[Event]:
        if self.houses is not None and property_id not in self.houses:
            return []
        return visible(self._read(inspection.stream(property_id)), self.w.as_of, self.w.known_at)

    def member(self, member_id: str) -> member.Member | None:
        return member.fold(member_id, visible(self._read(member.stream(member_id)), self.w.as_of, self.w.known_at))


# --- one member's intervals -----------------------------------------------------------------------


@dataclass
class Interval:
    """The stored view from ``start`` until the day before ``until``; ``view`` None: live (the
    assembly read the day in a way no interval can hold: such a member is assembled when read)."""

    start: date
    until: date
    view: dict | None


LIVE = object()
MAX_EVALUATIONS = 2000  # a member whose view changes more often than this is assembled when read


def evaluate(member_id: str, facts: list[Event], d: date, src: "Recording") -> tuple[dict | None, Sink]:
    """The stored form of the view on ``d`` (None: no application visible), and what the day was compared with."""
    sink = Sink()
    w = ProbeWindow(d, sink)
    src.w = w
    m = member.fold(member_id, visible(facts, w.as_of, w.known_at))
    if m is None or m.applied_on is None:
        return None, sink
    v = member_view.assemble(m, src)
    row = dict(v.row)
    # Put in when read (``Stored.on``): the window, the personal fields, the day's own count, the fee schedule.
    row["as_of"] = row["known_at"] = None
    row["applicant"] = None
    row["arrears"] = {**row["arrears"], "days_overdue": None}
    row["annual_fee"] = None
    view = {"row": row, "tasks": member_view.member_tasks(v), "owed": list(v.arrears.because)}
    if sink.elapsed - {v.arrears.oldest_due_on}:
        sink.daily = True  # a subtraction of the day other than days_overdue
    return view, sink


def timeline(member_id: str, facts: list[Event], src: "Recording") -> list[Interval]:
    """The member's views, one per interval on which the view is the same, as now known."""
    src.seen = {jst_date(e.effective) for e in facts}
    if not src.seen:
        return []
    starts: list[tuple[date, dict | None]] = []
    d: date | None = min(src.seen)
    for _ in range(MAX_EVALUATIONS):
        if d is None:
            break
        view, sink = evaluate(member_id, facts, d, src)
        if sink.daily:
            return [Interval(date(1, 1, 1), FOREVER, None)]
        if not starts or starts[-1][1] != view:
            starts.append((d, view))
        d = min((x for x in src.seen | sink.days if x > d), default=None)
    else:
        return [Interval(date(1, 1, 1), FOREVER, None)]
    ends = [s for s, _ in starts[1:]] + [FOREVER]
    return [Interval(s, e, v) for (s, v), e in zip(starts, ends) if v is not None]


# --- reading a stored view for a day -------------------------------------------------------------


def tariff_on(tariffs: list[fees.Tariff], d: date) -> fees.Tariff | None:
    """The fee in force on ``d``, None when none is announced (as ``member_view.dues`` reads it)."""
    try:
        return fees.fee_on(tariffs, d)
    except LedgerError:
        return None


def compose(view: dict, w: Window, tariffs: list[fees.Tariff], applicant: dict | None = None) -> dict:
    """The status row on ``w.day`` from a stored view: what ``member_view.assemble`` gives that day."""
    d = w.day
    row = dict(view["row"])
    row.update(w.labels())
    row["applicant"] = applicant
    oldest = row["arrears"]["oldest_due_on"]
    row["arrears"] = {**row["arrears"], "days_overdue": (d - date.fromisoformat(oldest)).days if oldest else 0}
    t = tariff_on(tariffs, d)
    row["annual_fee"] = t.amount if t is not None else None
    row["because"] = [t.event_id if x == SENTINEL.event_id else x for x in row["because"]
                      if x != SENTINEL.event_id or t is not None]
    return row


# --- storing and refreshing ----------------------------------------------------------------------


def encode(view: dict | None) -> bytes:
    """A view as stored: compressed JSON (a live member: empty)."""
    if view is None:
        return b""
    return zlib.compress(json.dumps(view, separators=(",", ":"), ensure_ascii=False).encode(), 1)


def decode(data: bytes) -> dict | None:
    return json.loads(zlib.decompress(data)) if data else None


def houses_of(app) -> set[str]:
    """The houses with an inspection stream (the others are not read)."""
    prefix = inspection.stream("")
    return {name[len(prefix):] for name in app.stream_ids(prefix)}


def build(app, stale: list[tuple[str, int]], houses: set[str]) -> list[tuple[str, int, list[tuple[str, str, bytes]]]]:
    """The dated views of the ``stale`` members (member, mark), from the log as now known."""
    streams = app.read_many([member.stream(mid) for mid, _ in stale], personal=False)
    src = Recording(app.read_sealed, houses)
    out = []
    for mid, mark in stale:
        ivs = timeline(mid, streams[member.stream(mid)], src)
        out.append((mid, mark, [(i.start.isoformat(), i.until.isoformat(), encode(i.view)) for i in ivs]))
    return out


def refresh(app, progress: Callable[[int], None] | None = None, jobs: int | None = None) -> bool:
    """Recompute the stale members' dated views, ``CHUNK`` a transaction. True once none is stale;
    False if appends kept marking members faster than this caught up (the caller reads the log).

    Many stale members (a rebuild, a store just upgraded, a large import) are shared out
    between this process and ``jobs - 1`` forked ones (POSIX; two on a machine with two cores),
    each saving its own share; whatever a process left stale is done here afterwards."""
    left = app.readmodel(readmodel.stale_count)
    if not left:
        return True
    houses = houses_of(app)
    jobs = default_jobs(app, left) if jobs is None else jobs
    if jobs > 1:
        shared(app, app.readmodel(readmodel.stale_members, left), houses, jobs, progress)
        left = app.readmodel(readmodel.stale_count)
    for _ in range(left // CHUNK + 5):
        stale = app.readmodel(readmodel.stale_members, CHUNK)
        if not stale:
            return True
        save(app, stale, houses, progress)
    return not app.readmodel(readmodel.stale_count)


def save(app, stale: list[tuple[str, int]], houses: set[str], progress: Callable[[int], None] | None) -> None:
    app.readmodel_write(readmodel.save_days, build(app, stale, houses))
    if progress is not None:
        progress(len(stale))


def default_jobs(app, stale: int) -> int:
    if not hasattr(os, "fork") or not getattr(app, "address", None) or (os.cpu_count() or 1) < 2:
        return 1
    return 2 if stale >= 5 * CHUNK else 1


def shared(app, stale: list[tuple[str, int]], houses: set[str], jobs: int,
           progress: Callable[[int], None] | None) -> None:
    """Each process saves every ``jobs``-th stale member; a child's failure leaves its members
    stale (done afterwards by the caller), so it is not reported here."""
    children = []
    for part in range(1, jobs):
        pid = os.fork()
        if pid == 0:  # the child: its own connection, its share, then leave without any cleanup
            code = 0
            try:
                mine = open_store(app.address)
                share = stale[part::jobs]
                for start in range(0, len(share), CHUNK):
                    save(mine, share[start:start + CHUNK], houses, None)
            except BaseException:  # noqa: BLE001 - the parent recomputes what is left stale
                code = 1
            os._exit(code)
        children.append(pid)
    share = stale[0::jobs]
    for start in range(0, len(share), CHUNK):
        save(app, share[start:start + CHUNK], houses, progress)
    for pid in children:
        os.waitpid(pid, 0)
        if progress is not None:
            progress(len(stale) // jobs)


def usable(app, w: Window) -> bool:
    """Whether a list for ``w`` may read the dated views: a whole day (a date ``--as-of``), as
    now known, on a store whose read model is current and whose stale views could be refreshed
    (an auditor's connection cannot write them: it reads the log)."""
    if not hasattr(app, "readmodel_write") or w.as_of != end_of_day(w.day):
        return False
    if not member_view.now_known(app, w):
        return False
    try:
        return refresh(app)
    except LedgerError:
        return False


# --- the lists' rows from the dated views ---------------------------------------------------------


@dataclass
class Dated:
    """A member's view on a list's day: the stored view, or (live) the assembly from the log."""

    member_id: str
    row: dict
    tasks: list[dict]
    owed: list[str]


def on(app, w: Window, personal: bool = False, batch: int = 500) -> Iterator[Dated]:
    """Every member's view on ``w.day`` (``usable`` said yes), in member order. ``personal``: the
    applicant's fields are read from the application (else left as a list that shows none has them)."""
    tariffs = fees.fold(visible(app.read(fees.STREAM), known_at=w.known_at))
    found = app.readmodel(readmodel.days_on, w.day)
    src = member_view.Sources(app.read if personal else app.read_sealed, w, tariffs, houses_of(app))
    for start in range(0, len(found), batch):
        part = [(mid, decode(data)) for mid, data in found[start:start + batch]]
        applications = {}
        if personal:
            applications = app.read_facts([v["row"]["because"][0] for _, v in part if v is not None])
        for mid, view in part:
            if view is None:
                yield from live(app, mid, src, personal)
                continue
            fact = applications.get(view["row"]["because"][0])
            applicant = fact.applicant.model_dump(mode="json") if fact is not None else None
            row = compose(view, w, tariffs, applicant)
            yield Dated(mid, row, view["tasks"], view["owed"])


def live(app, member_id: str, src: member_view.Sources, personal: bool) -> Iterator[Dated]:
    """A member no interval can hold, assembled from the log for the day."""
    stream = member.stream(member_id)
    facts = app.read(stream) if personal else app.read_sealed(stream)
    v = member_view.of_facts(member_id, facts, src)
    if v is not None:
        yield Dated(member_id, v.row, member_view.member_tasks(v), list(v.arrears.because))


def difference(app) -> tuple[str | None, int]:
    """Every member's stored dated views against a recomputation from the log (``verify``);
    members still marked stale are left to their refresh. Returns (the first difference, views checked)."""
    stale = {mid for mid, _ in app.readmodel(readmodel.stale_members, 10**9)}
    houses = houses_of(app)
    src = Recording(app.read_sealed, houses)
    checked = 0
    for stream, facts in app.iter_streams(member.PREFIX, personal=False):
        mid = member.ident(stream)
        if mid in stale:
            continue
        src.cache.clear()
        want = [(i.start.isoformat(), i.until.isoformat(), i.view) for i in timeline(mid, facts, src)]
        kept = [(a, b, decode(v)) for a, b, v in app.readmodel(readmodel.days_of, mid)]
        if kept != want:
            first = next((k for k, w in zip(kept, want) if k != w), (kept or want)[0] if (kept or want) else None)
            return (f"member {mid}: {len(kept)} dated views kept, {len(want)} recomputed; first differing "
                    f"from {first[0] if first else '?'}"), checked
        checked += len(kept)
    return None, checked
