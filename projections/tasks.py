"""``ledger tasks``: the staff work list for a day - what is due or overdue.

Each row: due_on, kind, id, rule, action, overdue. Sources: the membership
lifecycle (here) and each programme's own ``tasks`` function.
"""
from __future__ import annotations

from datetime import timedelta

from ledger import member
from projections import inspections, member_view, presence
from projections.window import Window

POINTS_WINDOW = timedelta(days=14)  # IE-A4.1: "within about 2 weeks"
LEASE_LOOKAHEAD = timedelta(days=31)


def task(due, kind: str, ident: str, rule: str, text: str, d) -> dict:
    return {"due_on": due.isoformat(), "kind": kind, "id": ident, "rule": rule, "action": text, "overdue": due < d}


def member_tasks(v: member_view.MemberView) -> list[dict]:
    """A member's work on the view's day; the ground rows are the view's grounds (as in ``status``)."""
    m, w = v.member, v.window
    d = w.day
    out: list[dict] = []
    state = m.state_on(d)
    mid = m.member_id
    p = m.period_on(d)
    if p is not None and p.end < d and state in ("active", "suspended"):
        out.append(task(p.end, "renewal_run", mid, "IE-3.5",
                        f"Run the renewals through {p.end}: period {p.number} ended and nothing is recorded after it.", d))
    out.extend(member_view.ground_tasks(v))
    if state not in ("withdrawn", "revoked", "expired", "refused"):
        prepaid = member.prepaid_renewal_day(m)
        for reason, trigger in member.points_due(m, d):
            if reason == "renewal" and trigger == prepaid:
                # IE-A4.1: the 2-week timing does not apply; staff decide when.
                out.append(task(trigger, "points_award", mid, "IE-A4.1",
                                f"Award KEIAI points for the first renewal of {trigger}, whose fee the secondary "
                                "acquirer paid at registration (IE-17.1): staff decide the timing.", d))
                continue
            out.append(task(trigger + POINTS_WINDOW, "points_award", mid, "IE-A4.1",
                            f"Award KEIAI points for the {reason} of {trigger} (within about 2 weeks).", d))
    for r in m.rentals:
        if r.state == "applied":
            out.append(task(r.lease_start - timedelta(days=1), "rental_decision", mid, "IE-18.1",
                            f"Decide the rental application for the lease starting {r.lease_start}.", d))
        elif r.state == "approved" and d <= r.lease_start <= d + LEASE_LOOKAHEAD:
            out.append(task(r.lease_start, "lease_starting", mid, "IE-18",
                            f"Approved lease starts {r.lease_start}: services stop for the lease.", d))
    for s in m.card_suspensions:
        if s.on <= d and not any(c.on >= s.on and c.token != s.token for c in m.cards):
            out.append(task(s.on, "register_card", mid, "IE-5.4.4",
                            "The card was suspended: ask the member to register another card; invoice arrears directly.", d))
    if m.acquirer == "secondary" and m.accepted is None and m.refused is None:
        out.append(task(m.applied_on or d, "registration_decision", mid, "IE-17.2",
                        "Decide the secondary acquirer's registration (check the previous owner's notice and arrears).", d))
    return out


# Each programme's own work list: tasks(app, window) -> rows of the same shape.
SOURCES = [presence.tasks, inspections.tasks]


def rows(app, w: Window) -> list[dict]:
    out: list[dict] = []
    for v in member_view.views(app, w, personal=False):  # tasks show no personal field
        out.extend(member_tasks(v))
    for source in SOURCES:
        out.extend(source(app, w))
    return sorted(out, key=lambda r: (not r["overdue"], r["due_on"], r["id"], r["kind"]))
