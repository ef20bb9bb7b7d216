"""``ledger history ID``: the facts of one member, property or enrolment in recorded order."""
from __future__ import annotations

from ledger.events import Event, FactRetracted
from projections.window import Window

PAYLOAD_SKIP = {"originator_id", "originator_version", "recorded", "effective", "actor", "command_id", "batch", "rules"}


def rows(events: list[Event], w: Window) -> list[dict]:
    """Every fact recorded by ``known_at`` and effective by ``as_of``, with the
    retraction (known by ``known_at``) that withdrew it, if any."""
    retracted_by: dict[str, str] = {}
    for e in events:
        if isinstance(e, FactRetracted) and e.recorded <= w.known_at:
            for t in e.targets:
                retracted_by.setdefault(t, e.event_id)
    out = []
    for e in events:
        if e.recorded > w.known_at or (e.effective > w.as_of and not isinstance(e, FactRetracted)):
            continue
        out.append({
            "event_id": e.event_id,
            "type": e.TYPE,
            "effective": e.effective.isoformat(),
            "recorded": e.recorded.isoformat(),
            "actor": e.actor,
            "rules": list(e.rules),
            "retracted_by": retracted_by.get(e.event_id),
            "command_id": e.command_id,
            "data": e.model_dump(mode="json", exclude=PAYLOAD_SKIP),
        })
    return out
