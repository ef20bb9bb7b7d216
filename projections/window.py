"""The two times of a read: ``--as-of`` (valid time) and ``--known-at`` (recorded time)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from ledger.clock import parse_instant
from ledger.dates import jst_date
from ledger.facts import visible

T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """A read's bounds. ``as_of`` is inclusive: a date means the whole day (Japan time)."""

    as_of: datetime
    known_at: datetime

    @property
    def day(self) -> date:
        """The business date the view is asked for."""
        return jst_date(self.as_of)

    @classmethod
    def parse(cls, as_of: str | None, known_at: str | None, now: datetime) -> "Window":
        a = parse_instant(as_of, field="as_of", end_of_day=True) if as_of else now
        k = parse_instant(known_at, field="known_at", end_of_day=True) if known_at else now
        return cls(a, k)

    def labels(self) -> dict[str, str]:
        return {"as_of": self.as_of.isoformat(), "known_at": self.known_at.isoformat()}


def fold_every(app, w: Window, prefix: str, fold: Callable[[str, list], T | None]) -> list[T]:
    """Every stream named ``<prefix><id>`` folded at (as_of, known_at), from one
    pass over the global log (for lists over all members or all enrolments)."""
    streams: dict[str, list] = defaultdict(list)
    for _, e in app.iter_all():
        if e.originator_id.startswith(prefix) and e.recorded <= w.known_at:
            streams[e.originator_id].append(e)
    out = []
    for stream, events in streams.items():
        folded = fold(stream[len(prefix):], visible(events, w.as_of, w.known_at))
        if folded is not None:
            out.append(folded)
    return out
