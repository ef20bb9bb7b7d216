"""``ledger snapshot`` and ``ledger diff``: every member's status on a day, replayed from the global log.

The replay streams the log and keeps only folded state, so memory grows with
the number of members, never with the number of facts:

- pass 1 reads only the retractions (filtered by topic in SQL) and keeps, for
  each retracted fact, the earliest time its retraction was recorded;
- pass 2 reads every fact once, in recorded order, skips streams no programme
  needs before decoding them, and folds each visible fact into its stream's
  state with the programme's incremental fold (``ledger.member.evolve``).

A fact is visible to a window exactly as ``ledger.facts.visible`` says (the one rule,
``ledger.facts.counts``): effective <= as_of, recorded <= known_at, and no retraction
recorded <= known_at names it.
Several windows can be replayed in the same two passes (``diff`` replays two).

The rows are the programmes' own status rows (``projections.member_view.assemble``
for Ie-Sapo members), so ``snapshot`` and ``status`` can never disagree.
"""
from __future__ import annotations

import gc
import heapq
import os
import pickle
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ledger import fees, inspection, member, presence
from ledger.events import Event, FactRetracted, stream_of
from ledger.errors import StoreError
from ledger.facts import NO_RETRACTIONS, Retraction, counts, earliest_retractions, visible
from ledger.store import LedgerApp, decode, open_store
from projections import days, member_view, presence as presence_view
from projections.explain import leaves
from projections.window import Window

RETRACTED = FactRetracted.TYPE


class Context(member_view.Sources):
    """What a row function may read besides its own stream, from the replay itself: the
    window, the fee schedule, the houses' inspection facts and the other members' folded
    state (a secondary applicant's previous owner) - the inputs ``status`` reads."""

    def __init__(self, window: Window, tariffs: list[fees.Tariff], inspections: dict[str, list[Event]] | None = None,
                 members: dict[str, Any] | None = None) -> None:
        super().__init__(lambda _: [], window, tariffs)
        self.window = window
        self.houses = inspections or {}
        self.members = members or {}

    def inspections(self, property_id: str) -> list[Event]:
        return self.houses.get(property_id, [])

    def member(self, member_id: str) -> member.Member | None:
        m = self.members.get(member.stream(member_id))
        return m if m is not None and m.applied_on is not None else None


@dataclass(frozen=True)
class Program:
    """How one programme's streams are replayed: an incremental fold and a row function.

    ``new(id)`` makes the empty state of stream ``<prefix><id>``; ``evolve(state,
    fact)`` folds one visible fact; ``row(state, ctx)`` is the status row (or
    None when the stream has no status yet, e.g. no application visible).
    """

    prefix: str
    program: str
    new: Callable[[str], Any]
    evolve: Callable[[Any, Event], Any]
    row: Callable[[Any, Context], dict | None]

    @classmethod
    def from_fold(cls, prefix: str, program: str, fold: Callable[[str, list[Event]], Any],
                  row: Callable[[Any, Context], dict | None]) -> "Program":
        """A programme whose projection folds a whole list: its visible facts are kept per stream.

        For small streams only (an enrolment holds a handful of facts)."""
        def new(_: str) -> list:
            return []

        def evolve(state: list, e: Event) -> list:
            state.append(e)
            return state

        def list_row(state: list, ctx: Context) -> dict | None:
            ident = state[0].originator_id[len(prefix):] if state else ""
            folded = fold(ident, state)
            return None if folded is None else row(folded, ctx)

        return cls(prefix, program, new, evolve, list_row)


def _member_row(m: member.Member, ctx: Context) -> dict | None:
    if m.applied_on is None:
        return None
    # The one assembly ``status`` uses, with the replay's own inputs (projections.member_view).
    return member_view.assemble(m, ctx).row


MEMBERS = Program(member.PREFIX, "iesapo", member.Member, member.evolve, _member_row)


def _enrolment_row(en: presence.Enrolment, ctx: Context) -> dict | None:
    return presence_view.enrolment_row(en, ctx.window) if en.enrolled is not None else None


ENROLMENTS = Program(presence.PREFIX, "presence_check", presence.Enrolment, presence.evolve, _enrolment_row)


def programs() -> list[Program]:
    """The programmes a snapshot replays: Ie-Sapo members and presence-check enrolments."""
    return [MEMBERS, ENROLMENTS]


SHARED = (fees.STREAM,)
INSPECTIONS = inspection.PREFIX  # read beside the members: a house's inspection facts are few


# --- pass 1: retractions ------------------------------------------------------------------


def retractions(app: LedgerApp, known_at: datetime) -> dict[str, Retraction]:
    """Every fact retracted by a retraction recorded <= ``known_at``, with the earliest such retraction
    (``ledger.facts.earliest_retractions`` over the retractions alone, read by topic)."""
    return earliest_retractions((decode(topic, state) for _, _, topic, state in app.iter_stored(topics=(RETRACTED,))),
                                known_at)


# --- pass 2: the fold -------------------------------------------------------------------------


@dataclass
class Replay:
    """Folded state per stream for each window, fed one stored fact at a time.

    With ``parts`` > 1 this replay folds only the programme streams whose hash
    falls in ``part`` (the fee schedule is folded by every part): the other parts
    skip them before decoding, so the decoding and folding are shared out.
    With ``bounds`` (diff), every fact that counts for one window and not the
    other is kept in ``changers`` under its stream.
    """

    windows: list[Window]
    gone: dict[str, Retraction]
    part: int = 0
    parts: int = 1
    bounds: tuple[datetime, datetime] | None = None
    programs: list[Program] = field(default_factory=programs)
    states: list[dict[str, Any]] = field(default_factory=list)
    shared: list[list[Event]] = field(default_factory=list)
    changers: dict[str, list[dict]] = field(default_factory=dict)
    facts: int = 0
    decoded: int = 0
    folded: int = 0
    # The store's own decoder opens personal fields with the store's keys
    # (withheld for a connection that cannot read them, erased after IE-19.10).
    decoder: Callable[[str, bytes], Event] = decode

    def __post_init__(self) -> None:
        self.states = [{} for _ in self.windows]
        self.shared = [[] for _ in self.windows]
        # Streams with a retracted fact: only their facts need an id lookup.
        self.touched = {stream_of(t)[0] for t in self.gone}
        self.by_prefix = {p.prefix: p for p in self.programs}
        self.simple = len(self.windows) == 1 and self.bounds is None and all(p.endswith(":") for p in self.by_prefix)

    @property
    def stats(self) -> dict[str, int]:
        return {"facts": self.facts, "decoded": self.decoded, "folded": self.folded}

    def program_of(self, stream: str) -> Program | None:
        for p in self.programs:
            if stream.startswith(p.prefix):
                return p
        return None

    def counts(self, e: Event, w: Window, shared: bool) -> bool:
        """Whether ``e`` counts for window ``w`` (``ledger.facts.counts``). The fee schedule counts
        what was announced by known_at, whatever its applies_from (the same filter as ``status``)."""
        return counts(e, None if shared else w.as_of, w.known_at, self.retracted(e.originator_id))

    def retracted(self, stream: str) -> Mapping[str, Retraction]:
        """The retractions the rule must look up for a fact of ``stream``: none for a stream
        with no retracted fact, which spares building each of its facts' ids."""
        return self.gone if stream in self.touched else NO_RETRACTIONS

    def feed(self, stream: str, topic: str, state: bytes) -> None:
        self.facts += 1
        if topic == RETRACTED:
            return
        if self.simple:
            prog = self.by_prefix.get(stream[:stream.find(":") + 1])
        else:
            prog = self.program_of(stream)
        if prog is None:
            if stream not in SHARED and not stream.startswith(INSPECTIONS):
                return
        elif self.parts > 1 and hash(stream) % self.parts != self.part:
            return
        e = self.decoder(topic, state)
        self.decoded += 1
        if self.simple and prog is not None:
            # One window, a programme stream: the common case, kept short (it runs for every fact).
            w = self.windows[0]
            # The one rule (ledger.facts.counts); a stream with no retracted fact passes no retractions.
            if not counts(e, w.as_of, w.known_at, self.retracted(stream)):
                return
            states = self.states[0]
            st = states.get(stream)
            if st is None:
                st = states[stream] = prog.new(stream[len(prog.prefix):])
            prog.evolve(st, e)
            self.folded += 1
            return
        seen = []
        for k, w in enumerate(self.windows):
            ok = self.counts(e, w, stream in SHARED)
            seen.append(ok)
            if not ok:
                continue
            if prog is None:
                self.shared[k].append(e)
                continue
            states = self.states[k]
            st = states.get(stream)
            if st is None:
                st = states[stream] = prog.new(stream[len(prog.prefix):])
            prog.evolve(st, e)
            self.folded += 1
        if self.bounds is not None and len(seen) == 2 and seen[0] != seen[1]:
            self.changers.setdefault(stream, []).append(self.changer(e))

    def changer(self, e: Event) -> dict:
        lo, hi = self.bounds  # type: ignore[misc]
        r = self.gone.get(e.event_id)
        if r is not None and lo < r.recorded <= hi and e.recorded <= lo:
            return fact_summary(e, "retracted", r)
        # Effective by the earlier knowledge time: it rewrote a past the ledger had already shown.
        return fact_summary(e, "recorded_late" if e.effective <= lo else "recorded")

    def rows(self, k: int) -> Iterator[tuple[str, dict]]:
        """(stream, status row) of window ``k`` in stream order; each state is released once used."""
        houses: dict[str, list[Event]] = {}
        for e in self.shared[k]:
            if e.originator_id.startswith(INSPECTIONS):
                houses.setdefault(e.originator_id[len(INSPECTIONS):], []).append(e)
        states = self.states[k]
        # Members stay until the end: a secondary applicant's row reads its previous owner's state.
        ctx = Context(self.windows[k], fees.fold(self.shared[k]), houses, states)
        for stream in sorted(states):
            prog = self.program_of(stream)
            st = states[stream]
            assert prog is not None
            row = prog.row(st, ctx)
            if row is not None:
                yield stream, row
        states.clear()


@dataclass
class Part:
    """What one part of a replay hands back (picklable): rows per window, counts, changers."""

    rows: list[list[tuple[str, dict]]]
    stats: dict[str, int]
    changers: dict[str, list[dict]]


def _work(app: LedgerApp, windows: list[Window], gone: dict[str, Retraction], part: int, parts: int,
          bounds: tuple[datetime, datetime] | None, progress: Callable[[int], None] | None, batch: int = 5000) -> Part:
    r = Replay(windows, gone, part=part, parts=parts, bounds=bounds, decoder=app.ledger_mapper.decode)
    last = 0
    # The fold only ever adds long-lived state and makes no cyclic garbage: the
    # cyclic collector would walk all of it again and again (a third of the run).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for pos, stream, topic, state in app.iter_stored(batch=batch):
            r.feed(stream, topic, state)
            if progress is not None and pos - last >= batch:
                progress(pos - last)
                last = pos
        if progress is not None:
            progress(max(0, app.last_position() - last))
        return Part([list(r.rows(k)) for k in range(len(windows))], r.stats, r.changers)
    finally:
        if was_enabled:
            gc.enable()


def default_jobs(app: LedgerApp) -> int:
    """Two processes on a machine with two or more cores, for a store large enough to be worth it."""
    if not hasattr(os, "fork") or not app.address or (os.cpu_count() or 1) < 2:
        return 1
    return 2 if app.last_position() > 200_000 else 1


def replay(app: LedgerApp, windows: list[Window], progress: Callable[[int], None] | None = None,
           bounds: tuple[datetime, datetime] | None = None, jobs: int | None = None) -> Part:
    """Both passes over the store for ``windows``; ``progress(n)`` is told each batch of n positions read.

    With ``jobs`` > 1 (POSIX only) the fold is shared out between this process
    and ``jobs - 1`` forked ones, each reading the log through its own connection
    and decoding only its share of the streams; each sends its rows back through
    a pipe and leaves with ``os._exit`` (it never touches the parent's connection).
    """
    gone = retractions(app, max(w.known_at for w in windows))
    jobs = default_jobs(app) if jobs is None else jobs
    if jobs > 1 and (not hasattr(os, "fork") or not app.address):
        jobs = 1
    if jobs <= 1:
        return _work(app, windows, gone, 0, 1, bounds, progress)
    children = []
    for part in range(1, jobs):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: fold its share, send it, leave without running any cleanup
            os.close(rfd)
            code = 0
            try:
                mine = open_store(app.address)
                data = pickle.dumps(_work(mine, windows, gone, part, jobs, bounds, None), pickle.HIGHEST_PROTOCOL)
            except BaseException as e:  # reported to the parent, which raises it as a store error
                data, code = pickle.dumps(("failed", f"{type(e).__name__}: {e}")), 1
            with os.fdopen(wfd, "wb") as f:
                f.write(data)
            os._exit(code)
        os.close(wfd)
        children.append((pid, rfd))
    parts = [_work(app, windows, gone, 0, jobs, bounds, progress)]
    failures = []
    for pid, rfd in children:
        with os.fdopen(rfd, "rb") as f:
            data = f.read()
        os.waitpid(pid, 0)
        got = pickle.loads(data) if data else ("failed", "the replay process ended without an answer")
        if isinstance(got, Part):
            parts.append(got)
        else:
            failures.append(got[1])
    if failures:
        raise StoreError(f"A replay process failed: {failures[0]}.", f"再生処理が失敗しました: {failures[0]}。")
    return Part(
        rows=[list(heapq.merge(*(p.rows[k] for p in parts), key=lambda sr: sr[0])) for k in range(len(windows))],
        stats={"facts": parts[0].stats["facts"], "decoded": sum(p.stats["decoded"] for p in parts),
               "folded": sum(p.stats["folded"] for p in parts), "jobs": jobs},
        changers={s: c for i, p in enumerate(parts) for s, c in p.changers.items() if i == 0 or s not in SHARED},
    )


# --- snapshot -----------------------------------------------------------------------------------


@dataclass
class Snapshot:
    window: Window
    rows: "list[dict] | Spool"
    totals: dict
    stats: dict


class Spool:
    """The rows of a snapshot spooled to a temporary file (pickled one by one), so a list of
    100,000 members never sits in memory; iterable any number of times, in order."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()
        self.n = 0

    def append(self, row: dict) -> None:
        pickle.dump(row, self.file, pickle.HIGHEST_PROTOCOL)
        self.n += 1

    def __iter__(self) -> Iterator[dict]:
        self.file.flush()
        self.file.seek(0)
        for _ in range(self.n):
            yield pickle.load(self.file)

    def __len__(self) -> int:
        return self.n

    def mapped(self, fn: Callable[[dict], dict]) -> "Spool":
        """A new spool of ``fn(row)`` for every row (e.g. personal fields left out)."""
        out = Spool()
        for row in self:
            out.append(fn(row))
        return out

    def __bool__(self) -> bool:
        return self.n > 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (list, Spool)) and len(other) == self.n and list(self) == list(other)


def totals(rows: Iterable[dict]) -> dict:
    """Members (and enrolments) by state, arrears total and count, grounds in force by rule."""
    by_state: dict[str, Counter] = defaultdict(Counter)
    arrears_amount = arrears_members = grounded = n = 0
    grounds: Counter = Counter()
    for r in rows:
        n += 1
        by_state[r.get("program", "?")][r.get("state", "?")] += 1
        a = r.get("arrears") or {}
        if a.get("amount"):
            arrears_amount += a["amount"]
            arrears_members += 1
        gs = r.get("grounds") or []
        if gs:
            grounded += 1
        for g in gs:
            grounds[g["rule"] if isinstance(g, dict) else str(g)] += 1
    return {
        "rows": n,
        "by_state": {p: dict(sorted(c.items())) for p, c in sorted(by_state.items())},
        "arrears": {"members": arrears_members, "amount": arrears_amount},
        "grounds": {"members": grounded, "by_rule": dict(sorted(grounds.items()))},
    }


def run(app: LedgerApp, w: Window, progress: Callable[[int], None] | None = None, jobs: int | None = None,
        personal: bool = True) -> Snapshot:
    """Every member's and enrolment's status row for the window.

    By default one stream at a time (``stream_rows``): memory holds one stream's
    facts and the rows go to a spool file, so it stays flat however large the
    store. ``jobs`` > 1 shares a replay of the global log between processes
    instead (``replay``: faster on two cores, but it holds every stream's folded state)."""
    if jobs is not None and jobs > 1 and not days.usable(app, w):  # (the dated views beat any replay)
        part = replay(app, [w], progress, jobs=jobs)
        rows = [row for _, row in part.rows[0]]
        return Snapshot(w, rows, totals(rows), part.stats)
    spool, stats = Spool(), {"streams": 0, "facts": 0, "jobs": 1}

    def spooled() -> Iterator[dict]:  # the totals are counted as the rows are spooled: one pass
        for row in stream_rows(app, w, progress, stats, personal):
            spool.append(row)
            yield row

    counted = totals(spooled())
    return Snapshot(w, spool, counted, stats)


def stream_rows(app: LedgerApp, w: Window, progress: Callable[[int], None] | None = None,
                stats: dict | None = None, personal: bool = True) -> Iterator[dict]:
    """The status rows in stream order (enrolments, then members), reading one stream at a time:
    each member through the one assembly (``projections.member_view``), or for a whole day as
    now known its dated view (``projections.days``). ``personal=False``: the caller leaves the
    personal fields out (``projections.personal.redact``), so they need not be opened."""
    stats = stats if stats is not None else {}
    read = 0

    def count(facts: list[Event]) -> None:
        nonlocal read
        read += len(facts)
        stats["streams"] = stats.get("streams", 0) + 1
        stats["facts"] = read
        if progress is not None:
            progress(len(facts))

    for name, facts in app.iter_streams(presence.stream("")):
        count(facts)
        en = presence.fold(name.split(":", 1)[1], visible(facts, w.as_of, w.known_at))
        if en is not None and en.enrolled is not None:
            yield presence_view.enrolment_row(en, w)
    if days.usable(app, w):
        # A whole day as now known: each member's dated view holding the day (projections.days).
        for dated in days.on(app, w, "members", personal=personal):
            stats["streams"] = stats.get("streams", 0) + 1
            yield dated.row
    else:
        src = member_view.list_sources(app, w)
        for name, facts in app.iter_streams(member_view.PREFIX):
            count(facts)
            v = member_view.of_facts(name[len(member_view.PREFIX):], facts, src)
            if v is not None:
                yield v.row
    if progress is not None:
        progress(max(0, app.last_position() - read))


# --- diff ------------------------------------------------------------------------------------------

def changed_fields(then: dict | None, now: dict | None) -> list[dict]:
    return [{"field": f, "then": a, "now": b} for f, a, b in leaves(then, now) if a != b]


def fact_summary(e: Event, kind: str, retraction: Retraction | None = None) -> dict:
    out = {
        "event_id": e.event_id,
        "type": e.TYPE,
        "kind": kind,
        "effective": e.effective.isoformat(),
        "recorded": e.recorded.isoformat(),
        "actor": e.actor,
        "rules": list(e.rules),
    }
    for name in ("reason", "override_reason"):
        v = getattr(e, name, None)
        if v:
            out[name] = v
    if retraction is not None:
        out.update(retracted_by=retraction.event_id, retracted_recorded=retraction.recorded.isoformat(),
                   retracted_actor=retraction.actor, reason=retraction.reason)
    return out


def diff(app: LedgerApp, as_of: datetime, t1: datetime, t2: datetime,
         progress: Callable[[int], None] | None = None, jobs: int | None = None) -> dict:
    """Which rows at ``as_of`` differ between what was known at ``t1`` and at ``t2``, and the facts that did it.

    The facts are those of the member's stream (or the fee schedule) that count
    for one window and not the other: recorded between the two times (late
    records, back-dated facts) or retracted between them.
    """
    windows, bounds = [Window(as_of, t1), Window(as_of, t2)], (min(t1, t2), max(t1, t2))
    members = []
    if jobs is not None and jobs > 1:
        part = replay(app, windows, progress, bounds=bounds, jobs=jobs)
        changers = part.changers
        rows1 = {stream: row for stream, row in part.rows[0]}
        for stream, row2 in part.rows[1]:
            row1 = rows1.pop(stream, None)
            fields = changed_fields(row1, row2)
            if fields:
                members.append(_changed(stream, row1, row2, fields, changers))
        for stream, row1 in rows1.items():
            members.append(_changed(stream, row1, None, changed_fields(row1, None), changers))
        shared = [f for s in SHARED for f in changers.get(s, [])]
    else:
        # One stream at a time (flat memory): both windows' rows, and the stream's own facts
        # that count for one window and not the other (the same test as the replay's).
        for stream, row1, row2, changers in stream_pairs(app, windows, bounds, progress):
            fields = changed_fields(row1, row2)
            if fields:
                members.append(_changed(stream, row1, row2, fields, changers))
        shared = _changers(app.read(fees.STREAM), windows, bounds, shared=True).get(fees.STREAM, [])
    members.sort(key=lambda m: (m["program"] or "", m["id"]))
    return {
        "as_of": as_of.isoformat(),
        "known_at": t1.isoformat(),
        "vs_known_at": t2.isoformat(),
        "members": members,
        "shared_facts": shared,
        "totals": {
            "changed": len(members),
            "appeared": sum(1 for m in members if m["change"] == "appeared"),
            "disappeared": sum(1 for m in members if m["change"] == "disappeared"),
            "by_field": dict(sorted(Counter(f["field"].split(".")[0] for m in members for f in m["fields"]).items())),
        },
    }


def _changers(facts: list[Event], windows: list[Window], bounds: tuple[datetime, datetime],
              shared: bool = False) -> dict[str, list[dict]]:
    """The facts of one stream that count for one window and not the other (``Replay.feed``'s
    test, with the stream's own retractions: a retraction names facts of its own stream)."""
    r = Replay(windows, earliest_retractions(facts), bounds=bounds, programs=[])
    out: dict[str, list[dict]] = {}
    for e in facts:
        if isinstance(e, FactRetracted):
            continue
        seen = [r.counts(e, w, shared) for w in windows]
        if seen[0] != seen[1]:
            out.setdefault(e.originator_id, []).append(r.changer(e))
    return out


def stream_pairs(app: LedgerApp, windows: list[Window], bounds: tuple[datetime, datetime],
                 progress: Callable[[int], None] | None = None) -> Iterator[tuple[str, dict | None, dict | None, dict]]:
    """(stream, row in window 1, row in window 2, its changers) for every enrolment and member."""
    read = 0
    srcs = [member_view.list_sources(app, w) for w in windows]
    for prefix in (presence.stream(""), member_view.PREFIX):
        for name, facts in app.iter_streams(prefix):
            read += len(facts)
            if progress is not None:
                progress(len(facts))
            ident = name[len(prefix):]
            rows: list[dict | None] = []
            for w, src in zip(windows, srcs):
                if prefix == member_view.PREFIX:
                    v = member_view.of_facts(ident, facts, src)
                    rows.append(v.row if v is not None else None)
                else:
                    en = presence.fold(ident, visible(facts, w.as_of, w.known_at))
                    rows.append(presence_view.enrolment_row(en, w) if en is not None and en.enrolled is not None else None)
            if rows[0] is not None or rows[1] is not None:
                yield name, rows[0], rows[1], _changers(facts, windows, bounds)
    if progress is not None:
        progress(max(0, app.last_position() - read))


def _changed(stream: str, row1: dict | None, row2: dict | None, fields: list[dict],
             changers: dict[str, list[dict]]) -> dict:
    some = row2 or row1 or {}
    return {
        "id": some.get("id"),
        "program": some.get("program"),
        "change": "appeared" if row1 is None else "disappeared" if row2 is None else "changed",
        "fields": fields,
        "facts": sorted(changers.get(stream, []), key=lambda f: (f["recorded"], f["event_id"])),
    }
