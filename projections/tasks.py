"""``ledger tasks``: the staff work list for a day - what is due or overdue.

Each row: due_on, kind, id, rule, action, overdue. Sources: the membership
lifecycle (here) and each programme's own ``tasks`` function.
"""
from __future__ import annotations

from projections import days, inspections, member_view, presence
from projections.window import Window

POINTS_WINDOW, LEASE_LOOKAHEAD, member_tasks = member_view.POINTS_WINDOW, member_view.LEASE_LOOKAHEAD, member_view.member_tasks


# Each programme's own work list: tasks(app, window) -> rows of the same shape.
SOURCES = [presence.tasks, inspections.tasks]


def rows(app, w: Window) -> list[dict]:
    out: list[dict] = []
    if days.usable(app, w):
        for dated in days.on(app, w):  # a whole day as now known: the dated views (projections.days)
            out.extend(dated.tasks)
    else:
        for v in member_view.views(app, w, personal=False):  # tasks show no personal field
            out.extend(member_tasks(v))
    for source in SOURCES:
        out.extend(source(app, w))
    return sorted(out, key=lambda r: (not r["overdue"], r["due_on"], r["id"], r["kind"]))
