"""The ledger clock: where recorded (transaction) time comes from.

The system clock, or ``LEDGER_CLOCK=<ISO timestamp>`` as a test clock (as
Stripe's and Kill Bill's test clocks). The clock is read once, at the edge, and
passed inward; nothing in the domain reads it.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timezone

from ledger.dates import JST, start_of_day
from ledger.errors import BadInput

EARLIEST, LATEST = 1900, 2999


def parse_instant(text: str, *, field: str, end_of_day: bool = False) -> datetime:
    """An ISO date or timestamp. A naive timestamp is Japan time; a date is the
    start of that day in Japan time (or its last instant with ``end_of_day``)."""
    from ledger.dates import end_of_day as eod

    value = text.strip()
    shown = value[:60] + ("…" if len(value) > 60 else "")  # never echo a huge value back
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            t = eod(d) if end_of_day else start_of_day(d)
        else:
            t = datetime.fromisoformat(value.replace("Z", "+00:00"))
            t = t if t.tzinfo else t.replace(tzinfo=JST)
    except ValueError:
        raise BadInput(
            f"{field}: '{shown}' is not a valid date (YYYY-MM-DD) or timestamp (YYYY-MM-DDTHH:MM[:SS][+09:00]).",
            f"{field}: '{shown}' は有効な日付（YYYY-MM-DD）または日時ではありません。",
            field=field,
        ) from None
    # Reads add years to it (renewals, inspection years, Japan time): keep far from datetime's limits.
    if not EARLIEST <= t.year <= LATEST:
        raise BadInput(
            f"{field}: '{shown}' is out of range: the ledger handles years {EARLIEST} to {LATEST}.",
            f"{field}: '{shown}' は範囲外です（扱える年は {EARLIEST}〜{LATEST} 年）。",
            field=field,
        )
    return t


def now() -> datetime:
    """The current ledger time, zone-aware."""
    fixed = os.environ.get("LEDGER_CLOCK")
    if fixed:
        return parse_instant(fixed, field="LEDGER_CLOCK")
    return datetime.now(timezone.utc).astimezone(JST)
