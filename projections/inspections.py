"""``ledger inspections PROPERTY_ID``: the schedule and history of a house's inspections,
and the inspection and estimate work for ``ledger tasks``.

One row per inspection year (5, 10, 15, 20, 25, 30). Reads the house's own
streams (property, inspection) and the streams of the members registered for
it, folded with the same pure ``ledger`` folds the decisions use, so the view
and the decisions can never disagree on who is owed what.
"""
from __future__ import annotations

from datetime import date, timedelta

from ledger import inspection, member, property as prop
from ledger.errors import NotFound
from ledger.facts import visible
from ledger.store import LedgerApp
from projections.window import Window

COLUMNS = ["year", "due_on", "notice_by", "state", "done_on", "report_id", "member_id", "report_kept_until"]
# Reading: a notice task shows from 30 days before its deadline; "promptly" (速やかに,
# IE-7) for an estimate is read as 14 days from the request.
NOTICE_TASK_LEAD = timedelta(days=30)
ESTIMATE_DAYS = timedelta(days=14)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def year_row(house: prop.Property, ins: inspection.Inspections, members: dict[str, member.Member], year: int) -> dict:
    """The CONTRACT.md row of one inspection year, with the facts behind it."""
    rec = ins.years.get(year) or inspection.YearRecord(year)
    s = ins.slot(house.delivered_on, year)
    o = inspection.owed(s, house, members, ins=ins)
    failure = rec.failure(s)
    if rec.done(s):
        state = "done"
    elif failure is not None:
        state = "failed"
    elif not o.owed:
        state = "not_owed"
    elif rec.schedules:
        state = "scheduled"
    elif rec.notice is not None:
        state = "noticed"
    else:
        state = "upcoming"
    reports = sorted(rec.completions, key=lambda c: (c.on, c.event_id))
    member_id = (reports[-1].member_id if state == "done" and reports
                 else failure.member_id if state == "failed" and failure
                 else rec.notice.member_id if rec.notice else o.member_id)
    kept_until, holder = (inspection.report_kept_until(reports[-1], house, members) if reports else (None, None))
    est = rec.estimates[-1] if rec.estimates else None
    rules = list(o.rules) if state in ("not_owed", "upcoming", "noticed", "scheduled") else []
    if failure is not None and state == "failed":
        rules = [failure.rule]
    if state == "done":
        rules = [inspection.party_rule(year), "IE-7", "IE-9.1"] + (["IE-19.5"] if holder and holder != member_id else [])
    return {
        "year": year,
        "due_on": _iso(s.due_on),
        "notice_by": _iso(s.notice_by),
        "state": state,
        "done_on": _iso(reports[-1].on) if state == "done" else None,
        "report_id": ";".join(c.report_id for c in reports) or None,
        "member_id": member_id,
        "report_kept_until": _iso(kept_until),
        "year_starts_on": _iso(s.starts_on),
        "designated_month": s.month,
        "noticed_by": s.noticed_by,
        "inspected_by": list(s.inspected_by),
        "noticed_on": _iso(rec.notice.on) if rec.notice else None,
        "notice_in_time": rec.notice.in_time if rec.notice else None,
        "scheduled_for": {sc.by: _iso(sc.inspection_on) for sc in rec.schedules} or None,
        "repairs_needed": any(c.repairs_needed for c in reports) if reports else None,
        "report_held_by": holder,
        "failure": {"rule": failure.rule, "on": _iso(failure.on), "ground_from": _iso(failure.ground_from)} if failure else None,
        "estimate": {"requested_on": _iso(est.requested.on), "presented_on": _iso(est.presented.on) if est.presented else None,
                     "amount": est.presented.amount if est.presented else None} if est else None,
        "rules": rules,
        "because": rec.event_ids() or list(o.because),
    }


def house_rows(house: prop.Property, ins: inspection.Inspections, members: dict[str, member.Member]) -> list[dict]:
    return [year_row(house, ins, members, y) for y in inspection.YEARS]


def members_of(house: prop.Property, read, w: Window) -> dict[str, member.Member]:
    out = {}
    for mid in (h.member_id for h in house.members):
        m = member.fold(mid, visible(read(member.stream(mid)), w.as_of, w.known_at))
        if m is not None:
            out[mid] = m
    return out


def rows(app: LedgerApp, property_id: str, w: Window) -> list[dict]:
    """One row per inspection year of the house, on ``w.day`` as known at ``w.known_at``."""
    events = app.read(prop.stream(property_id))
    house = prop.fold(visible(events, w.as_of, w.known_at))
    if house is None:
        if events:
            raise NotFound(
                f"Property {property_id} was not yet registered on {w.day} as known at {w.known_at.isoformat()}.",
                f"物件 {property_id} は {w.known_at.isoformat()} 時点の記録では {w.day} にまだ登録されていません。",
                field="property_id",
            )
        raise NotFound(f"There is no property {property_id} in the ledger.",
                       f"物件 {property_id} は台帳にありません。", field="property_id")
    ins = inspection.fold(property_id, visible(app.read(inspection.stream(property_id)), w.as_of, w.known_at))
    return house_rows(house, ins, members_of(house, app.read, w))


def tasks(app: LedgerApp, w: Window) -> list[dict]:
    """Inspection work due on ``w.day`` (``house_tasks``), read from the log one house at a time
    (its property stream, then, when it may have work, its inspection and members' streams),
    so memory stays flat. A whole day as now known reads the houses' dated views instead
    (``projections.days``, through ``projections.tasks``)."""
    out: list[dict] = []
    day = w.day
    prefix = inspection.stream("")
    # Houses with inspection facts; a house without any is only read further when one of
    # its notice windows (the same slots house_rows computes) covers the day.
    inspected = {n[len(prefix):] for n in app.stream_ids(prefix)} if hasattr(app, "stream_ids") else None
    for _, events in app.iter_streams(prop.PREFIX):
        house = prop.fold(visible(events, w.as_of, w.known_at))
        if house is None:
            continue
        pid = house.property_id
        facts = app.read(inspection.stream(pid)) if inspected is None or pid in inspected else []
        ins = inspection.fold(pid, visible(facts, w.as_of, w.known_at))
        if not facts and not any(s.notice_by - NOTICE_TASK_LEAD <= day <= s.due_on
                                 for s in (ins.slot(house.delivered_on, y) for y in inspection.YEARS)):
            continue  # no notice window today and no estimate: nothing to do for this house
        out.extend(house_tasks(house, ins, members_of(house, app.read, w), day))
    return sorted(out, key=lambda t: (t["due_on"], t["id"], t["kind"]))


def house_tasks(house: prop.Property, ins: inspection.Inspections, members: dict[str, member.Member],
                day: date) -> list[dict]:
    """One house's inspection work on ``day``: notices due (from 30 days before the deadline)
    or overdue, until the inspection year ends; repair estimates requested and not yet
    presented (IE-7)."""
    out: list[dict] = []
    pid = house.property_id
    for year in inspection.YEARS:
        s = ins.slot(house.delivered_on, year)
        if not s.notice_by - NOTICE_TASK_LEAD <= day <= s.due_on:
            continue  # outside the year's notice window: no row needed (year_row's dates are the slot's)
        r = year_row(house, ins, members, year)
        if r["state"] == "upcoming":
            out.append({
                "due_on": r["notice_by"], "kind": "inspection_notice", "id": pid,
                "rule": inspection.party_rule(r["year"]),
                "action": f"{r['noticed_by']} sends the year-{r['year']} inspection notice to {r['member_id']} "
                          f"(designated month {r['designated_month']})",
                "overdue": day > s.notice_by,
            })
    for year, rec in sorted(ins.years.items()):
        est = rec.open_estimate()
        if est is None:
            continue
        due = est.requested.on + ESTIMATE_DAYS
        out.append({
            "due_on": due.isoformat(), "kind": "repair_estimate", "id": pid, "rule": "IE-7",
            "action": f"present the year-{year} repair estimate requested on {est.requested.on} "
                      f"to {est.requested.member_id}",
            "overdue": day > due,
        })
    return out
