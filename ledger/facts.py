"""What a view sees: the two times and retractions, and the shape of a decision.

A fact counts for a view at (as_of, known_at) when
  its effective time <= as_of, and
  its recorded time <= known_at, and
  no retraction recorded <= known_at names it.
A retraction has no effective time of its own that matters: a fact retracted
was never true, so once the retraction is known it vanishes from every as-of.

Same-day ordering: facts of one stream are folded in recorded order (stream
position); rules that compare dates read the dates stored in the facts, so a
fact recorded late still lands on its own day.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ledger.errors import NotFound, Refused
from ledger.events import Event, FactRetracted, PersonalDataErased, stream_of, unknown_fields


@dataclass(frozen=True)
class Draft:
    """One fact a decision wants recorded: the store adds the envelope."""

    stream: str
    type: type[Event]
    data: dict[str, Any] = field(default_factory=dict)
    rules: tuple[str, ...] = ()
    effective: datetime | None = None

    def __post_init__(self) -> None:
        unknown_fields(self.type, self.data)  # a misspelt field fails in the decision's own test


def retracted_ids(events: list[Event], known_at: datetime | None = None) -> set[str]:
    out: set[str] = set()
    for e in events:
        if isinstance(e, FactRetracted) and (known_at is None or e.recorded <= known_at):
            out.update(e.targets)
    return out


def visible(events: list[Event], as_of: datetime | None = None, known_at: datetime | None = None) -> list[Event]:
    """The facts of ``events`` that count at (as_of, known_at); None means no bound."""
    gone = retracted_ids(events, known_at)
    return [
        e
        for e in events
        if not isinstance(e, FactRetracted)
        and (known_at is None or e.recorded <= known_at)
        and (as_of is None or e.effective <= as_of)
        and e.event_id not in gone
    ]


def decide_retract(events: list[Event], event_id: str, reason: str) -> list[Draft]:
    """Retract one fact, with the facts recorded in the same append on its stream.

    Facts are never edited or deleted: the retraction is a new fact. A fact
    already retracted, or a retraction itself, cannot be retracted again.
    """
    stream, _ = stream_of(event_id)
    target = next((e for e in events if e.event_id == event_id), None)
    if target is None:
        raise NotFound(
            f"There is no fact {event_id} in the ledger: see `ledger history` for event ids.",
            f"台帳に事実 {event_id} はありません。イベントIDは `ledger history` で確認できます。",
            field="event_id",
        )
    if isinstance(target, FactRetracted):
        raise Refused(
            f"{event_id} is itself a retraction; record the fact again instead of retracting the retraction.",
            f"{event_id} は取消しそのものです。取消しを取り消さず、事実を改めて記録してください。",
            code="not_retractable",
        )
    if isinstance(target, PersonalDataErased):
        raise Refused(
            f"{event_id} is an erasure of personal data: the key was destroyed and cannot be restored (IE-19.10).",
            f"{event_id} は個人情報の消去です。鍵は破棄済みで元に戻せません（IE-19.10）。",
            rule="IE-19.10", code="not_retractable",
        )
    gone = retracted_ids(events)
    if event_id in gone:
        raise Refused(
            f"{event_id} has already been retracted.",
            f"{event_id} はすでに取り消されています。",
            code="already_retracted",
        )
    same_append = [
        e.event_id
        for e in events
        if target.batch and e.batch == target.batch and not isinstance(e, FactRetracted) and e.event_id not in gone
    ] or [event_id]
    return [Draft(stream, FactRetracted, {"targets": tuple(same_append), "reason": reason})]
