"""Retracting a fact recorded by mistake: a new fact, never an edit (``ledger.facts.decide_retract``)."""
from __future__ import annotations

from datetime import datetime

from commands import models as m
from commands.registry import Unit, handles
from ledger.events import stream_of
from ledger.facts import Draft, decide_retract


@handles(m.Retract)
def retract(u: Unit, c: m.Retract, eff: datetime) -> list[Draft]:
    stream, _ = stream_of(c.event_id)
    return decide_retract(u.read(stream), c.event_id, c.reason)
