"""``ledger emergencies MEMBER_ID``: a member's 24-hour emergency requests and their decisions.

Each row is one ``EmergencyRequested`` fact: what was decided, and on which
member facts (``because``), as the ledger knew them when the request was
recorded. ``decision_as_known`` asks the same rules again on the member's facts
effective by the incident instant *as known at the view's* ``known_at``: the two
differ when a fact about that instant was recorded (or retracted) later. With
``--known-at`` at the incident, it answers "was this member entitled then, as
the ledger knew it then?"; with the default (now), "as now known".
"""
from __future__ import annotations

from ledger import emergency, member, property as prop
from ledger.errors import NotFound
from ledger.events import EmergencyRequested
from ledger.facts import visible
from ledger.store import LedgerApp
from projections.window import Window

COLUMNS = ["at", "category", "requester", "member_state", "decision", "rules", "decision_as_known", "recorded"]


def rows(app: LedgerApp, member_id: str, w: Window) -> list[dict]:
    events = app.read(member.stream(member_id))
    if not events:
        raise NotFound(f"There is no member {member_id} in the ledger.", f"会員 {member_id} は台帳にありません。", field="id")
    out = []
    for e in visible(events, w.as_of, w.known_at):
        if not isinstance(e, EmergencyRequested):
            continue
        now = member.fold(member_id, [x for x in visible(events, e.effective, w.known_at)
                                      if not isinstance(x, EmergencyRequested)])
        again = None
        if now is not None:
            house = prop.fold(visible(app.read(prop.stream(now.property_id)), e.effective, w.known_at))
            again = emergency.decide_emergency(now, house, emergency.Request(
                member_id=member_id, property_id=e.property_id, at=e.effective, category=e.category,
                requester=e.requester, id_checked=e.id_checked, cause=e.cause, key_type=e.key_type,
                id_shown=e.id_shown, attended=e.attended))
        out.append({
            "event_id": e.event_id,
            "at": e.effective.isoformat(),
            "recorded": e.recorded.isoformat(),
            "actor": e.actor,
            "property_id": e.property_id,
            "category": e.category,
            "requester": e.requester,
            "id_checked": e.id_checked,
            "cause": e.cause,
            "key_type": e.key_type,
            "night": e.night,
            "member_state": e.member_state,
            "blocked_by": list(e.blocked_by),
            "grounds": list(e.grounds),
            "proposed": e.proposed,
            "decision": e.decision,
            "override_reason": e.override_reason,
            "options": list(e.options),
            "hotel_cap_yen": e.hotel_cap_yen,
            "rules": list(e.rules),
            "because": list(e.because),
            "decision_as_known": again.outcome if again else None,
            "rules_as_known": list(again.rules) if again else [],
            "member_state_as_known": again.member_state if again else None,
        })
    return out
