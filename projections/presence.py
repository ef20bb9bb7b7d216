"""Presence-check views: one enrolment's status, and the consent calls staff owe (tasks).

Both fold the facts with the same pure fold the decisions use
(``ledger.presence``), bounded by the read's window: effective by ``as_of``,
recorded by ``known_at``, retractions known by ``known_at`` applied. Personal
data (names, addresses, phone numbers) is never part of these rows.
"""
from __future__ import annotations

from ledger import presence
from ledger.errors import NotFound
from ledger.facts import visible
from ledger.store import LedgerApp
from projections.window import Window


def enrolment_row(en: presence.Enrolment, w: Window) -> dict:
    """The status of one folded enrolment at ``w.as_of``."""
    t = w.as_of
    state = en.state_on(t)
    assert en.enrolled is not None
    because = [en.enrolled.event_id]
    calls = []
    for c in en.calls:
        calls.append({"attempt": c.attempt, "at": c.at.isoformat(), "outcome": c.outcome,
                      "window": {"from": c.window_from.isoformat(), "to": c.window_to.isoformat()},
                      "late": c.late, "early": c.early, "event_id": c.event_id})
        because.append(c.event_id)
    for mark in (en.started, en.not_obtained):
        if mark is not None:
            because.append(mark.event_id)
    flag = en.frequent_on(t)
    if flag is not None:
        because.append(flag.event_id)
    if en.stop is not None:
        because.append(en.stop.event_id)
    nxt = en.next_call(w.day)
    return {
        "id": en.enrolment_id,
        "program": presence.PROGRAM,
        **w.labels(),
        "state": state,
        "holder_id": en.holder_id,
        "relation_degree": en.relation_degree,
        "enrolled_on": en.enrolled_on.isoformat(),
        "consent": {
            "outcome": en.consent_outcome(t),
            "first_call_by": en.first_call_by.isoformat() if en.first_call_by else None,
            "second_call_window": {"from": en.second_call_from.isoformat() if en.second_call_from else None,
                                   "to": en.second_call_by.isoformat() if en.second_call_by else None},
            "calls": calls,
            "next_call": {"attempt": nxt["attempt"], "from": nxt["from"].isoformat(),
                          "due_on": nxt["due_on"].isoformat(), "rule": nxt["rule"],
                          "overdue": nxt["overdue"]} if nxt else None,
        },
        "frequent_user": flag is not None,
        "frequent_since": flag.on.isoformat() if flag else None,
        "requests": [{
            "request_no": r.no, "at": r.at.isoformat(), "requester_relation_degree": r.requester_relation_degree,
            "decision": r.decision, "ledger_decision": r.ledger_decision, "rules": list(r.rules),
            "grounds": list(r.grounds), "override_reason": r.override_reason, "event_id": r.decision_id or r.event_id,
        } for r in en.requests],
        "visits": [{
            "request_no": v.request_no, "at": v.at.isoformat(), "result": v.result,
            "checks": v.checks.model_dump(), "signed": v.signed, "memo_left": v.memo_left, "report": v.report,
            "event_id": v.event_id,
        } for v in en.visits],
        "stopped": {"on": en.stop.on.isoformat(), "by": en.stop.detail} if en.stop is not None else None,
        "because": because,
    }


def enrolment_status(app: LedgerApp, enrolment_id: str, w: Window) -> dict:
    """``ledger status E-…``: one enrolment's status on a day, as known at a moment."""
    events = app.read(presence.stream(enrolment_id))
    en = presence.fold(enrolment_id, visible(events, w.as_of, w.known_at))
    if en is None:
        if events:
            raise NotFound(
                f"Enrolment {enrolment_id} was not yet in the ledger on {w.day} as known at {w.known_at.isoformat()}.",
                f"在宅確認の登録 {enrolment_id} は {w.known_at.isoformat()} 時点の記録では {w.day} にまだ台帳にありません。",
                field="id",
            )
        raise NotFound(f"There is no member or enrolment {enrolment_id} in the ledger.",
                       f"会員または登録 {enrolment_id} は台帳にありません。", field="id")
    return enrolment_row(en, w)


def task_rows(enrolments: list[presence.Enrolment], w: Window) -> list[dict]:
    """The consent calls owed on ``w.day``: due (inside the window) or overdue."""
    out = []
    for en in enrolments:
        due = en.call_due(w.day)
        if due is None:
            continue
        n = "first" if due["attempt"] == 1 else "second"
        if due["overdue"]:
            action = (f"Phone the target of enrolment {en.enrolment_id} to ask consent ({n} call): overdue, it was "
                      f"due by {due['due_on']}; record it with `ledger presence call` (it will be flagged late).")
        else:
            action = (f"Phone the target of enrolment {en.enrolment_id} to ask consent ({n} call) by "
                      f"{due['due_on']}; record it with `ledger presence call`.")
        out.append({"due_on": due["due_on"].isoformat(), "kind": due["kind"], "id": en.enrolment_id,
                    "rule": due["rule"], "action": action, "overdue": due["overdue"]})
    return sorted(out, key=lambda r: (r["due_on"], r["id"]))


def tasks(app: LedgerApp, w: Window) -> list[dict]:
    """``ledger tasks`` rows of the presence check: consent calls due on ``w.day`` or overdue (PC-3.1, PC-3.2)."""
    folded = (presence.fold(name.split(":", 1)[1], visible(events, w.as_of, w.known_at))
              for name, events in app.iter_streams(presence.PREFIX))
    return task_rows([en for en in folded if en is not None], w)
