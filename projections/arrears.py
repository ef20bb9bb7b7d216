"""``ledger arrears``: every member owing an overdue fee on a day, as known at a moment.

Each row is taken from the member's one view (``projections.member_view``): the
status row's arrears and grounds, so ``arrears`` and ``status`` cannot disagree.
The members are read one stream at a time (``projections.member_view.views``),
so memory stays flat however many members and facts the store holds.
"""
from __future__ import annotations

from ledger.store import LedgerApp
from projections import member_view
from projections.window import Window


def rows(app: LedgerApp, w: Window) -> list[dict]:
    out = []
    for v in member_view.views(app, w):
        r = member_view.arrears_row(v)
        if r:
            out.append(r)
    return sorted(out, key=lambda r: (-r["days_overdue"], r["member_id"]))
