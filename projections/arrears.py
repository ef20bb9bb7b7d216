"""``ledger arrears``: every member owing an overdue fee on a day, as known at a moment.

Each row is taken from the member's one view (``projections.member_view``): the
status row's arrears and grounds, so ``arrears`` and ``status`` cannot disagree.
For a whole day as now known the rows come from the members' dated views
(``projections.days``); for another now-known window (known_at at or after the
newest fact) the materialized read model (``ledger.readmodel``) names the members
who may owe on the day, and only they are read; otherwise every member is read one stream at a time
(``projections.member_view.views``), so memory stays flat either way.
"""
from __future__ import annotations

from ledger import member
from ledger.store import LedgerApp
from projections import days, member_view
from projections.window import Window


def rows(app: LedgerApp, w: Window) -> list[dict]:
    if days.usable(app, w):
        # A whole day as now known: the members' dated views (projections.days).
        found = (member_view.owing_row(member.ident(v.subject), v.row, v.owed) for v in days.on(app, w, "owing"))
    else:
        found = (member_view.arrears_row(v) for v in member_view.owing(app, w))
    out = [r for r in found if r]
    return sorted(out, key=lambda r: (-r["days_overdue"], r["member_id"]))
