"""The two times of a read: ``--as-of`` (valid time) and ``--known-at`` (recorded time)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ledger.clock import parse_instant
from ledger.dates import jst_date


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
