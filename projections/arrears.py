"""``ledger arrears``: every member owing an overdue fee on a day, as known at a moment.

Each row is taken from the member's one view (``projections.member_view``): the
status row's arrears and grounds, so ``arrears`` and ``status`` cannot disagree.
For a now-known window (known_at at or after the newest fact) the materialized
read model (``ledger.readmodel``) names the members who may owe on the day, and
only they are read; otherwise every member is read one stream at a time
(``projections.member_view.views``), so memory stays flat either way.
"""
from __future__ import annotations

from ledger.store import LedgerApp
from projections import member_view
from projections.window import Window


def rows(app: LedgerApp, w: Window) -> list[dict]:
    out = []
    for v in member_view.owing(app, w):
        r = member_view.arrears_row(v)
        if r:
            out.append(r)
    return sorted(out, key=lambda r: (-r["days_overdue"], r["member_id"]))
