"""Dated views (issue 11): the one assembly, evaluated once per change, kept in a table.

A member's view on a day (``projections.member_view.assemble`` plus its staff
tasks) is a pure function of the member's facts, the house's inspection facts,
the previous owner's facts (an undecided secondary applicant), the fee schedule
and the day; a house's inspection work (``projections.inspections.house_tasks``)
of the house's property, inspection and members' facts and the day. As now
known, such a view changes only on the days a fact read takes effect and on the
days the view compares the day with: a due date, a period's end, ``after_months``
of a due date, a notice window… So instead of assembling every member and house
again for every ``--as-of``, each is assembled once per interval on which it is
constant, and a list for any day reads the intervals holding it.

The change days come from the assembly itself, not from a second list of
deadlines that could drift from it: the day is passed as a ``Probe``, a date
that records every date it is compared with. Between two recorded days every
comparison the assembly made gives the same answer, so it takes the same path
and builds the same view. What a comparison cannot capture makes the day a
change day on its own (``daily``, and the subject is then assembled when read:
*live*): the day's text, its year or month, its hash. A C function reading the
day's fields directly is not seen, which is why ``ledger.dates`` builds
``start_of_day``/``end_of_day`` from the fields; the tests compare the intervals
with the assembly day by day. The one value that moves with the day itself,
``days_overdue``, is recomputed when read (``compose``); any other subtraction
of the day is ``daily``.

Two inputs are left out and put in when read, so that a change to them does not
touch every member: the fee schedule (``annual_fee`` and its fact among the
row's ``because``; ``SENTINEL`` marks its place) and the applicant's personal
fields, which stay sealed in the log (``applicant``: opened from the application
when a list shows them; for an export that leaves them out, only whether they are
erased or withheld, as the store would read them).

Where the intervals live and when they are recomputed: ``ledger.readmodel``
(``ledger_rm_days``, and ``ledger_rm_stale``, the subjects an append touched,
marked in the append's own transaction). ``refresh`` recomputes the stale ones
before a list reads the table, so a list never reads an interval older than the
log. Marks, not views, go in the append's transaction: the assembly lives above
the store, and a subject costs 4-7 ms to recompute, which every command would
pay for each member and house it touches; a mark is one statement.
"""
from __future__ import annotations

import gc
import json
import os
import pickle
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from pydantic_core import from_json

from ledger import fees, inspection, member, property as prop, readmodel
from ledger.dates import JST, end_of_day, jst_date
from ledger.errors import LedgerError
from ledger.events import Event, Personal, PersonalDataErased
from ledger.facts import visible
from ledger.keys import ERASED, WITHHELD
from ledger.store import open_store
from projections import inspections, member_view
from projections.window import Window

ONE_DAY = timedelta(days=1)
FOREVER = date(9999, 12, 31)  # the end of an interval no known day ends
# The fee schedule's place in a stored view: a tariff no store holds (its id is not an event id).
SENTINEL = fees.Tariff(0, date(1, 1, 1), date(1, 1, 1), "", "fee-schedule#in-force")
KNOWN = datetime(9000, 1, 1, tzinfo=JST)  # "now known": every recorded fact counts
CHUNK = 500  # stale members recomputed per transaction
T = TypeVar("T")


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
        return date.fromordinal(date.toordinal(self))

    def _at(self, other: object, on_the_day: bool) -> None:
        if isinstance(other, Probe) and other.sink is self.sink:
            return  # the day against itself (shifted): the answer does not depend on the day
        if isinstance(other, date) and not isinstance(other, datetime):
            t = date.fromordinal(date.toordinal(other)) - self.shift
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
            self.sink.elapsed.add(date.fromordinal(date.toordinal(o)))
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
    def toordinal(self): return self._escape("toordinal")()  # noqa: E704
    def isocalendar(self): return self._escape("isocalendar")()  # noqa: E704
    def ctime(self): return self._escape("ctime")()  # noqa: E704
    def __repr__(self): return self._escape("__repr__")()  # noqa: E704


class ProbeWindow(Window):
    """A now-known window whose ``day`` is a probe (the rest as any window's)."""

    def __init__(self, d: date, sink: Sink) -> None:
        super().__init__(end_of_day(d), KNOWN)
        object.__setattr__(self, "probe", Probe(d, sink))

    @property
    def day(self) -> date:
        return self.probe  # type: ignore[attr-defined]


class Recording(member_view.Sources):
    """The sources of a build. The streams a view reads besides its subject's own (the house's
    inspections, its members, a previous owner) are read once per build and their facts' days
    are change days too; the fee schedule is the sentinel (put in when read)."""

    def __init__(self, read: Callable[[str], list[Event]], houses: set[str] | None) -> None:
        super().__init__(read, Window(KNOWN, KNOWN), [SENTINEL], houses)
        self.seen: set[date] = set()
        self.cache: dict[str, list[Event]] = {}

    def facts(self, stream: str) -> list[Event]:
        """The stream's facts, read once per build; their days are change days."""
        facts = self.cache.get(stream)
        if facts is None:
            facts = self.cache[stream] = self.read(stream)
        self.seen.update(jst_date(e.effective) for e in facts)
        return facts


# --- one subject's intervals -----------------------------------------------------------------------


Evaluation = tuple["dict | None", Sink]


def member_on(member_id: str, facts: list[Event], d: date, src: Recording) -> Evaluation:
    """A member's stored view on ``d``: the status row with what is put in when read left out,
    its tasks and the charges it owes; None before an application is visible."""
    sink = Sink()
    w = ProbeWindow(d, sink)
    src.w = w
    m = member.fold(member_id, visible(facts, w.as_of, w.known_at))
    if m is None or m.applied_on is None:
        return None, sink
    v = member_view.assemble(m, src)
    row = dict(v.row)
    # Put in when read (``compose``): the window, the personal fields, the day's own count, the fee schedule.
    row["as_of"] = row["known_at"] = None
    row["applicant"] = None
    row["arrears"] = {**row["arrears"], "days_overdue": None}
    row["annual_fee"] = None
    view = {"row": row, "tasks": member_view.member_tasks(v), "owed": list(v.arrears.because),
            # The application's personal fields as read sealed (withheld) or plain, and whether erased.
            "applicant": v.row["applicant"], "erased": any(e.TYPE == PersonalDataErased.TYPE for e in facts)}
    if sink.elapsed - {v.arrears.oldest_due_on}:
        sink.daily = True  # a subtraction of the day other than days_overdue
    return view, sink


def house_on(property_id: str, facts: list[Event], d: date, src: Recording) -> Evaluation:
    """A house's stored view on ``d``: its inspection work (``inspections.house_tasks``)."""
    sink = Sink()
    w = ProbeWindow(d, sink)
    src.w = w
    house = prop.fold(visible(facts, w.as_of, w.known_at))
    if house is None:
        return None, sink
    ins = inspection.fold(house.property_id, src.inspections(house.property_id))
    members = inspections.members_of(house, src.facts, w)
    return {"tasks": inspections.house_tasks(house, ins, members, w.day)}, sink


KINDS: dict[str, Callable[[str, list[Event], date, Recording], Evaluation]] = {
    member.PREFIX: member_on,
    prop.PREFIX: house_on,
}


@dataclass
class Interval:
    """The stored view from ``start`` until the day before ``until``; ``view`` None: live (the
    assembly read the day in a way no interval can hold: the subject is assembled when read)."""

    start: date
    until: date
    view: dict | None


MAX_EVALUATIONS = 2000  # a subject whose view changes more often than this is assembled when read
ALWAYS = [Interval(date(1, 1, 1), FOREVER, None)]


def timeline(subject: str, facts: list[Event], src: Recording) -> list[Interval]:
    """The subject's views, one per interval on which the view is the same, as now known."""
    prefix = subject[:subject.index(":") + 1]
    on, ident = KINDS[prefix], subject[len(prefix):]
    src.seen = {jst_date(e.effective) for e in facts}
    if not src.seen:
        return []
    starts: list[tuple[date, dict | None]] = []
    d: date | None = min(src.seen)
    for _ in range(MAX_EVALUATIONS):
        if d is None:
            break
        view, sink = on(ident, facts, d, src)
        if sink.daily:
            return list(ALWAYS)
        if not starts or starts[-1][1] != view:
            starts.append((d, view))
        d = min((x for x in src.seen | sink.days if x > d), default=None)
    else:
        return list(ALWAYS)
    ends = [s for s, _ in starts[1:]] + [FOREVER]
    return [Interval(s, e, v) for (s, v), e in zip(starts, ends) if v is not None]


# --- reading a stored view for a day -------------------------------------------------------------


def tariff_on(tariffs: list[fees.Tariff], d: date) -> fees.Tariff | None:
    """The fee in force on ``d``, None when none is announced (as ``member_view.dues`` reads it)."""
    try:
        return fees.fee_on(tariffs, d)
    except LedgerError:
        return None


def compose(view: dict, w: Window, tariff: fees.Tariff | None, applicant: dict | None,
            labels: tuple[str, str] | None = None) -> dict:
    """The status row on ``w.day`` from a member's stored view: what ``member_view.assemble``
    gives that day, with ``tariff`` the fee in force that day and the applicant as read
    (``labels``: the window's two times as text, made once for a whole list)."""
    row = dict(view["row"])
    row["as_of"], row["known_at"] = labels or (w.as_of.isoformat(), w.known_at.isoformat())
    row["applicant"] = applicant
    oldest = row["arrears"]["oldest_due_on"]
    row["arrears"] = {**row["arrears"], "days_overdue": (w.day - date.fromisoformat(oldest)).days if oldest else 0}
    row["annual_fee"] = tariff.amount if tariff is not None else None
    row["because"] = [tariff.event_id if x == SENTINEL.event_id else x for x in row["because"]
                      if x != SENTINEL.event_id or tariff is not None]
    return row


# --- storing and refreshing ----------------------------------------------------------------------


Stored = tuple[str, str, int, int, str, bytes]  # start, until, live, owed, tasks (JSON or ''), view


def encode(i: Interval) -> Stored:
    """An interval as stored: the arrears amount and the tasks in their own columns (the lists
    pick by them), the rest as compressed JSON; a live subject's row is empty."""
    start, until = i.start.isoformat(), i.until.isoformat()
    if i.view is None:
        return start, until, 1, 0, "", b""
    tasks = json.dumps(i.view["tasks"], separators=(",", ":"), ensure_ascii=False) if i.view["tasks"] else ""
    rest = {k: v for k, v in i.view.items() if k != "tasks"}
    owed = rest["row"]["arrears"]["amount"] if "row" in rest else 0
    data = zlib.compress(json.dumps(rest, separators=(",", ":"), ensure_ascii=False).encode(), 1) if rest else b""
    return start, until, 0, owed, tasks, data


def decode(data: bytes | None) -> dict:
    return from_json(zlib.decompress(data)) if data else {}


def houses_of(app) -> set[str]:
    """The houses with an inspection stream (the others are not read)."""
    prefix = inspection.stream("")
    return {name[len(prefix):] for name in app.stream_ids(prefix)}


def stored(subject: str, facts: list[Event], src: Recording) -> list[Stored]:
    """A subject's intervals as stored: a member's all (``snapshot`` reads every member), a
    house's only those with work (its view is its work: no row means none that day)."""
    src.cache.clear()
    return [encode(i) for i in timeline(subject, facts, src) if i.view is None or "row" in i.view or i.view["tasks"]]


def build(app, stale: list[tuple[str, int]], houses: set[str]) -> list[tuple[str, int, list[Stored]]]:
    """The dated views of the ``stale`` subjects (stream, mark), from the log as now known."""
    streams = app.read_many([s for s, _ in stale], personal=False)
    src = Recording(app.read_sealed, houses)
    return [(s, mark, stored(s, streams[s], src)) for s, mark in stale]


def refresh(app, progress: Callable[[int], None] | None = None, jobs: int | None = None) -> bool:
    """Recompute the stale subjects' dated views, ``CHUNK`` a transaction. True once none is stale;
    False if appends kept marking them faster than this caught up (the caller reads the log).

    Many stale subjects (a rebuild, a store just upgraded, a large import) are shared out
    between this process and ``jobs - 1`` forked ones (POSIX; two on a machine with two cores),
    each saving its own share; whatever a process left stale is done here afterwards."""
    left = app.readmodel(readmodel.stale_count)
    if not left:
        return True
    houses = houses_of(app)
    jobs = default_jobs(app, left >= 5 * CHUNK) if jobs is None else jobs
    if jobs > 1:
        shared(app, app.readmodel(readmodel.stale_subjects, left), houses, jobs, progress)
        left = app.readmodel(readmodel.stale_count)
    for _ in range(left // CHUNK + 5):
        stale = app.readmodel(readmodel.stale_subjects, CHUNK)
        if not stale:
            return True
        save(app, stale, houses, progress)
    return not app.readmodel(readmodel.stale_count)


def save(app, stale: list[tuple[str, int]], houses: set[str], progress: Callable[[int], None] | None) -> None:
    app.readmodel_write(readmodel.save_days, build(app, stale, houses))
    if progress is not None:
        progress(len(stale))


def default_jobs(app, large: bool) -> int:
    """Two processes for a large job on a machine with two cores (POSIX, a store another
    process can open), else one."""
    if not large or not hasattr(os, "fork") or not getattr(app, "address", None) or (os.cpu_count() or 1) < 2:
        return 1
    return 2


def in_parts(app, jobs: int, work: Callable[[Any, int], T], failed: Callable[[int, str], T]) -> list[T]:
    """``work(store, part)`` for each part 0..jobs-1: part 0 here, the others in forked processes,
    each through its own connection, its answer sent back pickled; a part that fails (or dies
    without an answer) gives ``failed(part, why)``."""
    children = []
    for part in range(1, jobs):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its share, the answer through the pipe, then leave without any cleanup
            os.close(rfd)
            try:
                data = pickle.dumps(work(open_store(app.address), part))
            except BaseException as e:  # noqa: BLE001 - the parent decides what a failed part means
                data = pickle.dumps(failed(part, f"{type(e).__name__}: {e}"))
            with os.fdopen(wfd, "wb") as f:
                f.write(data)
            os._exit(0)
        os.close(wfd)
        children.append((part, pid, rfd))
    found = [work(app, 0)]
    for part, pid, rfd in children:
        with os.fdopen(rfd, "rb") as f:
            data = f.read()
        os.waitpid(pid, 0)
        found.append(pickle.loads(data) if data else failed(part, "the process ended without an answer"))
    return found


def shared(app, stale: list[tuple[str, int]], houses: set[str], jobs: int,
           progress: Callable[[int], None] | None) -> None:
    """Each process saves every ``jobs``-th stale subject; a part that fails leaves its subjects
    stale (done afterwards by the caller), so it is not reported here."""
    def work(store, part: int) -> None:
        share = stale[part::jobs]
        for start in range(0, len(share), CHUNK):
            save(store, share[start:start + CHUNK], houses, progress if part == 0 else None)

    in_parts(app, jobs, work, lambda part, why: None)
    if progress is not None:
        progress(len(stale) - len(stale[0::jobs]))  # the other parts' share, once they are done


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


def difference(app, jobs: int | None = None) -> tuple[str | None, int, int]:
    """Every subject's stored dated views against a recomputation from the log (``verify``);
    subjects still marked stale are left to their refresh. Returns (the first difference,
    views checked, subjects stale). A large store is shared out between this process and a
    forked one on a machine with two cores, as ``refresh`` does (each reads its own share)."""
    stale = {s for s, _ in app.readmodel(readmodel.stale_subjects, 10**9)}
    jobs = default_jobs(app, app.last_position() > 200_000) if jobs is None else jobs
    found = in_parts(app, jobs, lambda store, part: checked_part(store, stale, part, jobs),
                     lambda part, why: (f"the check of part {part} failed: {why}", 0))
    diffs = sorted(d for d, _ in found if d is not None)
    return (diffs[0] if diffs else None), sum(n for _, n in found), len(stale)


def checked_part(app, stale: set[str], part: int, parts: int) -> tuple[str | None, int]:
    """``difference`` for the subjects of one share (by a stable hash of the stream name)."""
    src = Recording(app.read_sealed, houses_of(app))
    checked = 0
    for prefix in KINDS:
        for stream, facts in app.iter_streams(prefix, personal=False):
            if stream in stale or zlib.crc32(stream.encode()) % parts != part:
                continue
            want = [readable(r) for r in stored(stream, facts, src)]
            kept = [readable(r) for r in app.readmodel(readmodel.days_of, stream)]
            if kept != want:
                first = next((k[0] for k, x in zip(kept, want) if k != x), (kept or want)[0][0])
                return (f"{stream}: {len(kept)} dated views kept, {len(want)} recomputed; the first differing "
                        f"starts {first}"), checked
            checked += len(kept)
    return None, checked


def readable(r: Stored) -> tuple:
    return (*r[:5], decode(r[5]))


# --- the lists' rows from the dated views ---------------------------------------------------------


@dataclass
class Dated:
    """A subject's view on a list's day: a member's status row (None for a house), its tasks
    and the charges it owes."""

    subject: str
    row: dict | None
    tasks: list[dict]
    owed: list[str]


def opens(app) -> bool:
    """Whether this connection opens sealed personal fields (else they read as withheld)."""
    kr = app.ledger_mapper.keyring
    return kr is not None and kr.readable and kr.master is not None


def on(app, w: Window, want: str, personal: bool = False, batch: int = 500) -> Iterator[Dated]:
    """The views holding ``w.day`` (``usable`` said yes), in stream order: ``want`` is
    ``members`` (every member), ``owing`` (members owing on the day) or ``tasks`` (members and
    houses with work). ``personal``: the applicant's fields are opened from the application;
    else they are left out, as erased or withheld where the store would read them so."""
    tariff = tariff_on(fees.fold(visible(app.read(fees.STREAM), known_at=w.known_at)), w.day)
    src = member_view.Sources(app.read, w, None, houses_of(app))  # (a live member: exactly as the log reads)
    placeholder = Personal.model_validate(WITHHELD if not opens(app) else {}).model_dump(mode="json")
    erased = Personal.model_validate(ERASED).model_dump(mode="json") if opens(app) else placeholder
    labels = (w.as_of.isoformat(), w.known_at.isoformat())
    # The rows and views are many small, acyclic objects and the list holds them all: the cyclic
    # collector would walk them again and again (half the time of a 100,000-member snapshot).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        found = app.readmodel(readmodel.days_on, w.day, want)
        for start in range(0, len(found), batch):
            part = [(s, live, tasks, decode(data)) for s, live, tasks, data in found[start:start + batch]]
            opened = {}
            if personal:
                opened = app.read_facts([v["row"]["because"][0] for _, live, _, v in part
                                         if not live and v.get("applicant", {}).get("withheld")])
            for subject, live, tasks, view in part:
                if want == "owing" and not subject.startswith(member.PREFIX):
                    continue  # a live house (the owing pick leaves its subjects to this)
                if live:
                    yield from assembled(app, subject, w, src)
                elif "row" not in view:  # a house: its work only
                    yield Dated(subject, None, from_json(tasks) if tasks else [], [])
                else:
                    row = compose(view, w, tariff, applicant_of(view, opened, personal, placeholder, erased), labels)
                    yield Dated(subject, row, from_json(tasks) if tasks else [], view["owed"])
    finally:
        if was_enabled:
            gc.enable()


def applicant_of(view: dict, opened: dict[str, Event], personal: bool, placeholder: dict, erased: dict) -> dict | None:
    """The applicant of a member's row: stored plain (a store without encryption) as the log reads
    it; opened from the application when asked; else only erased or the reader's placeholder."""
    stored = view["applicant"]
    if not stored.get("withheld"):
        return stored
    if personal:
        fact = opened.get(view["row"]["because"][0])
        return fact.applicant.model_dump(mode="json") if fact is not None else None
    return erased if view["erased"] else placeholder


def assembled(app, subject: str, w: Window, src: member_view.Sources) -> Iterator[Dated]:
    """A subject no interval can hold, assembled from the log for the day."""
    if subject.startswith(prop.PREFIX):
        house = prop.fold(visible(app.read_sealed(subject), w.as_of, w.known_at))
        if house is not None:
            ins = inspection.fold(house.property_id, src.inspections(house.property_id))
            members = inspections.members_of(house, app.read_sealed, w)
            yield Dated(subject, None, inspections.house_tasks(house, ins, members, w.day), [])
        return
    v = member_view.of_facts(member.ident(subject), src.read(subject), src)
    if v is not None:
        yield Dated(subject, v.row, member_view.member_tasks(v), list(v.arrears.because))
