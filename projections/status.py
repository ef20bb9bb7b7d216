"""``ledger status ID``: one member's status on a day, as known at a moment.

Reads one member's stream plus the shared streams it needs (the property and
the fee schedule): never the whole log, so it stays cheap as the store grows.
"""
from __future__ import annotations

from ledger import fees, member, property as prop
from ledger.errors import LedgerError, NotFound
from ledger.events import Event
from ledger.facts import visible
from ledger.store import LedgerApp
from projections.window import Window


def member_row(m: member.Member, tariffs: list[fees.Tariff], w: Window) -> dict:
    """The CONTRACT.md status fields of one folded member on ``w.day``."""
    d = w.day
    state = m.state_on(d)
    because: list[str] = [m.applied_id]
    period = m.period_on(d) if state not in ("applied", "refused") else None
    if m.accepted is not None:
        because.append(m.accepted.event_id)
    if m.refused is not None and state == "refused":
        because.append(m.refused.event_id)
    if period is not None and period.event_id not in because:
        because.append(period.event_id)
    arrears = m.arrears_on(d)
    because.extend(arrears.because)
    try:
        tariff = fees.fee_on(tariffs, d)
        annual_fee = tariff.amount
        because.append(tariff.event_id)
    except LedgerError:
        annual_fee = None
    return {
        "id": m.member_id,
        "program": "iesapo",
        **w.labels(),
        "state": state,
        "property_id": m.property_id,
        "acquirer": m.acquirer,
        # Personal fields as stored: erased (IE-19.10) or withheld (no keys) read as such.
        "applicant": m.applicant.model_dump(mode="json"),
        "period": {"number": period.number, "start": period.start.isoformat(), "end": period.end.isoformat()} if period else None,
        "renewals": max(0, (period.number - 1) if period else 0),
        "renewal_pending": bool(period and period.end < d and state in ("active", "suspended")),
        "withdrawal": None,
        "suspension": None,
        "rental": None,
        "arrears": {
            "amount": arrears.amount,
            "oldest_due_on": arrears.oldest_due_on.isoformat() if arrears.oldest_due_on else None,
            "days_overdue": arrears.days_overdue,
        },
        "balance": arrears.balance,
        "annual_fee": annual_fee,
        "liability_cap": annual_fee,
        "services": None,
        "grounds": [],
        "because": because,
    }


def member_status(app: LedgerApp, member_id: str, w: Window) -> dict:
    events = app.read(member.stream(member_id))
    m = member.fold(member_id, visible(events, w.as_of, w.known_at))
    if m is None:
        if events:
            raise NotFound(
                f"Member {member_id} was not yet in the ledger on {w.day} as known at {w.known_at.isoformat()}.",
                f"会員 {member_id} は {w.known_at.isoformat()} 時点の記録では {w.day} にまだ台帳にありません。",
                field="id",
            )
        raise NotFound(f"There is no member or enrolment {member_id} in the ledger.",
                       f"会員または登録 {member_id} は台帳にありません。", field="id")
    tariffs = fees.fold(visible(app.read(fees.STREAM), known_at=w.known_at))
    return member_row(m, tariffs, w)


def status(app: LedgerApp, ident: str, w: Window) -> dict:
    """The status of a member (or, where one exists, an enrolment) with this id."""
    return member_status(app, ident, w)


def stream_for(app: LedgerApp, ident: str) -> list[Event]:
    """The stream an id names, for ``history``: a member, a property, an enrolment."""
    for name in (member.stream(ident), prop.stream(ident), f"enrolment:{ident}", ident):
        events = app.read(name)
        if events:
            return events
    raise NotFound(f"There is no member, property or enrolment {ident} in the ledger.",
                   f"会員・物件・登録 {ident} は台帳にありません。", field="id")
