"""``ledger snapshot`` and ``ledger diff``: every member's status on a day, replayed from the global log.

The replay streams the log and keeps only folded state, so memory grows with
the number of members, never with the number of facts:

- pass 1 reads only the retractions (filtered by topic in SQL) and keeps, for
  each retracted fact, the earliest time its retraction was recorded;
- pass 2 reads every fact once, in recorded order, skips streams no programme
  needs before decoding them, and folds each visible fact into its stream's
  state with the programme's incremental fold (``ledger.member.evolve``).

A fact is visible to a window exactly as ``ledger.facts.visible`` says: effective
<= as_of, recorded <= known_at, and no retraction recorded <= known_at names it.
Several windows can be replayed in the same two passes (``diff`` replays two).

The rows are the programmes' own status rows (``projections.status.member_row``
for Ie-Sapo members), so ``snapshot`` and ``status`` can never disagree.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ledger import fees, member
from ledger.events import Event, FactRetracted
from ledger.store import LedgerApp, decode
from projections import status
from projections.explain import leaves
from projections.window import Window

RETRACTED = FactRetracted.TYPE


@dataclass(frozen=True)
class Context:
    """What a row function may read besides its own stream: the window and the fee schedule."""

    window: Window
    tariffs: list[fees.Tariff]


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
    return status.member_row(m, ctx.tariffs, ctx.window) if m.applied_on is not None else None


MEMBERS = Program("member:", "iesapo", member.Member, member.evolve, _member_row)


def programs() -> list[Program]:
    """The programmes a snapshot replays.

    Enrolments of the presence-check programme join with one line once
    ``projections.presence`` offers a fold and a row function, e.g.
    ``Program.from_fold("enrolment:", "presence_check", presence.fold, presence.snapshot_row)``
    (or an incremental ``Program(...)`` if it has an ``evolve``).
    """
    out = [MEMBERS]
    try:
        from projections import presence  # type: ignore[attr-defined]  # the presence-check programme, when merged
    except ImportError:
        presence = None
    if presence is not None and hasattr(presence, "SNAPSHOT_PROGRAM"):
        out.append(presence.SNAPSHOT_PROGRAM)
    return out


SHARED = (fees.STREAM,)


# --- pass 1: retractions ------------------------------------------------------------------


@dataclass(frozen=True)
class Retraction:
    event_id: str
    recorded: datetime
    actor: str
    reason: str
    targets: tuple[str, ...]


def retractions(app: LedgerApp, known_at: datetime) -> dict[str, Retraction]:
    """Every fact retracted by a retraction recorded <= ``known_at``, with the earliest such retraction."""
    out: dict[str, Retraction] = {}
    for _, _, topic, state in app.iter_stored(topics=(RETRACTED,)):
        e = decode(topic, state)
        if not isinstance(e, FactRetracted) or e.recorded > known_at:
            continue
        r = Retraction(e.event_id, e.recorded, e.actor, e.reason, e.targets)
        for t in e.targets:
            if t not in out or out[t].recorded > r.recorded:
                out[t] = r
    return out


# --- pass 2: the fold -------------------------------------------------------------------------


@dataclass
class Replay:
    """Folded state per stream for each window, fed one stored fact at a time."""

    windows: list[Window]
    gone: dict[str, Retraction]
    programs: list[Program] = field(default_factory=programs)
    states: list[dict[str, Any]] = field(default_factory=list)
    shared: list[list[Event]] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)
    watch: Callable[[Event, list[bool]], None] | None = None

    def __post_init__(self) -> None:
        self.states = [{} for _ in self.windows]
        self.shared = [[] for _ in self.windows]

    def program_of(self, stream: str) -> Program | None:
        for p in self.programs:
            if stream.startswith(p.prefix):
                return p
        return None

    def visible(self, e: Event, w: Window) -> bool:
        r = self.gone.get(e.event_id)
        return e.recorded <= w.known_at and e.effective <= w.as_of and (r is None or r.recorded > w.known_at)

    def feed(self, stream: str, topic: str, state: bytes) -> None:
        self.stats["facts"] += 1
        if topic == RETRACTED:
            return
        prog = self.program_of(stream)
        if prog is None and stream not in SHARED:
            return
        e = decode(topic, state)
        self.stats["decoded"] += 1
        seen = []
        for k, w in enumerate(self.windows):
            if prog is None:
                # The fee schedule: what was announced by known_at counts, whatever its
                # applies_from (the same filter as ``status``).
                r = self.gone.get(e.event_id)
                ok = e.recorded <= w.known_at and (r is None or r.recorded > w.known_at)
                if ok:
                    self.shared[k].append(e)
                seen.append(ok)
                continue
            ok = self.visible(e, w)
            seen.append(ok)
            if ok:
                states = self.states[k]
                st = states.get(stream)
                if st is None:
                    st = states[stream] = prog.new(stream[len(prog.prefix):])
                prog.evolve(st, e)
                self.stats["folded"] += 1
        if self.watch is not None:
            self.watch(e, seen)

    def rows(self, k: int) -> Iterator[dict]:
        """The status rows of window ``k``, in stream order; each stream's state is released once used."""
        ctx = Context(self.windows[k], fees.fold(self.shared[k]))
        states = self.states[k]
        for stream in sorted(states):
            prog = self.program_of(stream)
            st = states.pop(stream)
            assert prog is not None
            row = prog.row(st, ctx)
            if row is not None:
                yield row


def replay(app: LedgerApp, windows: list[Window], progress: Callable[[int], None] | None = None,
           watch: Callable[[Event, list[bool]], None] | None = None, batch: int = 5000) -> Replay:
    """Both passes over the store for ``windows``; ``progress(n)`` is told each batch of n positions read."""
    gone = retractions(app, max(w.known_at for w in windows))
    r = Replay(windows, gone, watch=watch)
    last = 0
    for pos, stream, topic, state in app.iter_stored(batch=batch):
        r.feed(stream, topic, state)
        if progress is not None and pos - last >= batch:
            progress(pos - last)
            last = pos
    if progress is not None:
        progress(max(0, app.last_position() - last))
    return r


# --- snapshot -----------------------------------------------------------------------------------


@dataclass
class Snapshot:
    window: Window
    rows: list[dict]
    totals: dict
    stats: dict


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


def run(app: LedgerApp, w: Window, progress: Callable[[int], None] | None = None) -> Snapshot:
    r = replay(app, [w], progress)
    rows = list(r.rows(0))
    return Snapshot(w, rows, totals(rows), dict(r.stats))


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
         progress: Callable[[int], None] | None = None) -> dict:
    """Which rows at ``as_of`` differ between what was known at ``t1`` and at ``t2``, and the facts that did it.

    The facts are those of the member's stream (or the fee schedule) that count
    for one window and not the other: recorded between the two times (late
    records, back-dated facts) or retracted between them.
    """
    lo, hi = min(t1, t2), max(t1, t2)
    w1, w2 = Window(as_of, t1), Window(as_of, t2)
    changers: dict[str, list[dict]] = defaultdict(list)
    gone_box: dict[str, dict[str, Retraction]] = {}

    def watch(e: Event, seen: list[bool]) -> None:
        if seen[0] == seen[1]:
            return
        r = gone_box["gone"].get(e.event_id)
        if r is not None and lo < r.recorded <= hi and e.recorded <= lo:
            changers[e.originator_id].append(fact_summary(e, "retracted", r))
        else:
            # Effective by the earlier knowledge time: it rewrote a past the ledger had already shown.
            changers[e.originator_id].append(fact_summary(e, "recorded_late" if e.effective <= lo else "recorded"))

    gone = retractions(app, hi)
    gone_box["gone"] = gone
    r = Replay([w1, w2], gone, watch=watch)
    last = 0
    for pos, stream, topic, state in app.iter_stored():
        r.feed(stream, topic, state)
        if progress is not None and pos - last >= 5000:
            progress(pos - last)
            last = pos
    if progress is not None:
        progress(max(0, app.last_position() - last))
    rows1 = {row["id"]: row for row in r.rows(0)}
    fee_change = [changers.pop(s) for s in SHARED if s in changers]
    members = []
    for row2 in r.rows(1):
        ident = row2["id"]
        row1 = rows1.pop(ident, None)
        fields = changed_fields(row1, row2)
        if fields:
            members.append(_changed(ident, row1, row2, fields, changers, r))
    for ident, row1 in rows1.items():
        members.append(_changed(ident, row1, None, changed_fields(row1, None), changers, r))
    members.sort(key=lambda m: m["id"])
    shared = [f for fs in fee_change for f in fs]
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


def _changed(ident: str, row1: dict | None, row2: dict | None, fields: list[dict],
             changers: dict[str, list[dict]], r: Replay) -> dict:
    some = row2 or row1 or {}
    prefix = next((p.prefix for p in r.programs if p.program == some.get("program")), "member:")
    return {
        "id": ident,
        "program": some.get("program"),
        "change": "appeared" if row1 is None else "disappeared" if row2 is None else "changed",
        "fields": fields,
        "facts": sorted(changers.get(prefix + ident, []), key=lambda f: (f["recorded"], f["event_id"])),
    }
