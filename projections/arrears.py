"""``ledger arrears``: every member owing an overdue fee on a day, as known at a moment.

Streams the global log once, keeping only member facts, and folds each member
with the same pure fold decisions use (ledger.member).
"""
from __future__ import annotations

from collections import defaultdict

from ledger import member
from ledger.events import Event
from ledger.facts import visible
from ledger.store import LedgerApp
from projections.window import Window


def member_streams(app: LedgerApp, w: Window) -> dict[str, list[Event]]:
    """Every member's facts recorded by ``known_at``, from one pass over the log."""
    streams: dict[str, list[Event]] = defaultdict(list)
    for _, e in app.iter_all():
        if e.originator_id.startswith("member:") and e.recorded <= w.known_at:
            streams[e.originator_id].append(e)
    return streams


def members(app: LedgerApp, w: Window) -> list[member.Member]:
    """Every member folded at (as_of, known_at)."""
    out = []
    for stream, events in member_streams(app, w).items():
        m = member.fold(stream.split(":", 1)[1], visible(events, w.as_of, w.known_at))
        if m is not None:
            out.append(m)
    return out


def row(m: member.Member, w: Window) -> dict | None:
    a = m.arrears_on(w.day)
    if a.amount <= 0:
        return None
    return {
        "member_id": m.member_id,
        "amount": a.amount,
        "oldest_due_on": a.oldest_due_on.isoformat() if a.oldest_due_on else None,
        "days_overdue": a.days_overdue,
        "grounds": [f"{g.rule} since {g.since}" for g in grounds(m, w)],
        "because": list(a.because),
    }


def grounds(m: member.Member, w: Window) -> list[member.Ground]:
    """Detected grounds in force on the day (IE-13.1.2, IE-14.3.3, …)."""
    return member.grounds_on(m, w.day)


def rows(app: LedgerApp, w: Window) -> list[dict]:
    out = []
    for m in members(app, w):
        r = row(m, w)
        if r:
            out.append(r)
    return sorted(out, key=lambda r: (-r["days_overdue"], r["member_id"]))
