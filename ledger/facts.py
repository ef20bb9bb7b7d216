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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
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


@dataclass(frozen=True)
class Retraction:
    """A retraction as the visibility rule reads it: which facts it withdraws, when it was
    recorded, and by whom and why (for the reports that name it)."""

    event_id: str
    recorded: datetime
    actor: str
    reason: str
    targets: tuple[str, ...]

    @classmethod
    def of(cls, e: FactRetracted) -> "Retraction":
        return cls(e.event_id, e.recorded, e.actor, e.reason, e.targets)


# For a stream with no retracted fact: the rule then never needs a fact's id.
NO_RETRACTIONS: Mapping[str, Retraction] = MappingProxyType({})


def earliest_retractions(events: Iterable[Event], known_at: datetime | None = None) -> dict[str, Retraction]:
    """Every fact named by a retraction recorded <= ``known_at`` (None: no bound) -> the
    earliest such retraction (of two recorded at the same instant, the first read)."""
    out: dict[str, Retraction] = {}
    for e in events:
        if not isinstance(e, FactRetracted) or (known_at is not None and e.recorded > known_at):
            continue
        r = Retraction.of(e)
        for t in e.targets:
            if t not in out or out[t].recorded > r.recorded:
                out[t] = r
    return out


def counts(e: Event, as_of: datetime | None, known_at: datetime | None, gone: Mapping[str, Retraction]) -> bool:
    """Whether the fact ``e`` counts at (as_of, known_at): the rule of this module's docstring,
    written once. None means no bound. ``gone`` maps retracted facts to a retraction of them
    (``earliest_retractions``, bounded by ``known_at`` or by any later time): one recorded
    after ``known_at`` is not yet known and withdraws nothing. A retraction never counts itself."""
    if (known_at is not None and e.recorded > known_at) or (as_of is not None and e.effective > as_of):
        return False
    if isinstance(e, FactRetracted):
        return False
    if not gone:
        return True
    r = gone.get(e.event_id)
    return r is None or (known_at is not None and r.recorded > known_at)


def visible(events: list[Event], as_of: datetime | None = None, known_at: datetime | None = None) -> list[Event]:
    """The facts of ``events`` that count at (as_of, known_at); None means no bound."""
    gone = earliest_retractions(events, known_at)
    return [e for e in events if counts(e, as_of, known_at, gone)]


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
    gone = earliest_retractions(events)
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
