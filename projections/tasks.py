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
        # A whole day as now known: the members' and houses' dated views with work (projections.days).
        for dated in days.on(app, w, "tasks"):
            out.extend(dated.tasks)
        sources = [s for s in SOURCES if s is not inspections.tasks]
    else:
        for v in member_view.views(app, w, personal=False):  # tasks show no personal field
            out.extend(member_tasks(v))
        sources = SOURCES
    for source in sources:
        out.extend(source(app, w))
    return sorted(out, key=lambda r: (not r["overdue"], r["due_on"], r["id"], r["kind"]))
