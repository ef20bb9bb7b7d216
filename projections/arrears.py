"""``ledger arrears``: every member owing an overdue fee on a day, as known at a moment.

Streams the global log once, keeping only member facts, and folds each member
with the same pure fold decisions use (ledger.member).
"""
from __future__ import annotations

from ledger import member
from ledger.store import LedgerApp
from projections.window import Window, fold_every


def members(app: LedgerApp, w: Window) -> list[member.Member]:
    """Every member folded at (as_of, known_at)."""
    return fold_every(app, w, "member:", member.fold)


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
