"""The annual fee schedule of Ie-Sapo (stream ``fees``): Events are in ledger.events.

Fold: the list of announcements. Decisions: ``decide_announce``. Queries:
``fee_on`` - the amount that applies to a charge or renewal dated ``d``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ledger.dates import ONE_DAY, end_after_act
from ledger.errors import NotFound, Refused
from ledger.events import Event, FeeAnnounced
from ledger.facts import Draft

STREAM = "fees"


@dataclass(frozen=True)
class Tariff:
    amount: int
    applies_from: date
    announced_on: date
    reason: str
    event_id: str


def fold(events: list[Event]) -> list[Tariff]:
    return [
        Tariff(e.amount, e.applies_from, e.on, e.reason, e.event_id)
        for e in events
        if isinstance(e, FeeAnnounced)
    ]


def applies_from(reason: str, announced_on: date, first: bool) -> tuple[date, tuple[str, ...]]:
    """The first charge or renewal date the new amount applies to.

    IE-5.3: a revision applies from the first renewal whose renewal date comes
    after two months have passed since the announcement (first day not
    counted): announced 2026-01-10 -> renewal dates from 2026-03-11 on.
    IE-5.1.tax: a tax-rate change applies to charges on or after its day.
    The first announcement of all applies at once (there is no earlier fee).
    """
    if first:
        return announced_on, ("IE-5.1",)
    if reason == "tax_rate":
        return announced_on, ("IE-5.1.tax",)
    return end_after_act(announced_on, 2) + ONE_DAY, ("IE-5.3",)


def decide_announce(tariffs: list[Tariff], amount: int, reason: str, on: date) -> list[Draft]:
    if amount <= 0:
        raise Refused(
            f"The annual fee must be a positive number of yen, not {amount}.",
            f"年会費は正の円額でなければなりません（{amount}）。",
            rule="IE-5.1",
        )
    first = not tariffs
    start, rules = applies_from(reason, on, first)
    return [
        Draft(
            STREAM,
            FeeAnnounced,
            {"amount": amount, "reason": "initial" if first else reason, "applies_from": start},
            rules,
        )
    ]


def fee_on(tariffs: list[Tariff], d: date) -> Tariff:
    """The tariff for a charge or renewal dated ``d``: the latest announcement
    whose ``applies_from`` is on or before ``d`` (ties: the later announcement)."""
    best: Tariff | None = None
    for t in tariffs:
        if t.applies_from <= d and (best is None or (t.applies_from, t.announced_on) >= (best.applies_from, best.announced_on)):
            best = t
    if best is None:
        raise NotFound(
            f"No annual fee is in force on {d}: announce one first (announce_fee).",
            f"{d} に有効な年会費がありません。先に年会費を告知してください（announce_fee）。",
            rule="IE-5.1",
            code="no_fee",
        )
    return best
