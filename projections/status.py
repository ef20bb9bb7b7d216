"""``ledger status ID``: one member's status on a day, as known at a moment.

Reads one member's stream plus the shared streams it needs (the property, the
fee schedule, and for a secondary applicant the previous owner's stream):
never the whole log, so it stays cheap as the store grows.
"""
from __future__ import annotations

from ledger import fees, inspection, member, presence, property as prop
from ledger.errors import LedgerError, NotFound
from ledger.events import Event
from ledger.facts import visible
from ledger.store import LedgerApp
from projections import presence as presence_view
from projections.window import Window

# What each ground lets staff do (TERMS.md: the ledger never acts on a ground itself).
ACTIONS = {
    "IE-13.1": ("may suspend", "利用停止できる"),
    "IE-14.3": ("may revoke", "会員資格を取り消せる"),
    "IE-17.2": ("may refuse the registration", "登録を謝絶できる"),
    "IE-19.8": ("may refuse the registration or revoke", "登録の謝絶または取消しができる"),
}


def action(rule: str) -> str:
    for prefix, (en, _) in ACTIONS.items():
        if rule.startswith(prefix):
            return en
    return "may act"


def iso(d) -> str | None:
    return d.isoformat() if d else None


def member_row(m: member.Member, tariffs: list[fees.Tariff], w: Window,
               extra_grounds: list[member.Ground] = (), previous: member.Member | None = None) -> dict:
    """The CONTRACT.md status fields of one folded member on ``w.day``."""
    d = w.day
    state = m.state_on(d)
    because: list[str] = [m.applied_id]

    def cite(*ids: str | None) -> None:
        for i in ids:
            if i and i not in because:
                because.append(i)

    period = m.period_on(d) if state not in ("applied", "refused") else None
    if m.accepted is not None:
        cite(m.accepted.event_id)
    if m.refused is not None and state == "refused":
        cite(m.refused.event_id)
    if period is not None:
        cite(period.event_id)
    arrears = m.arrears_on(d)
    cite(*arrears.because)
    try:
        tariff = fees.fee_on(tariffs, d)
        annual_fee = tariff.amount
        cite(tariff.event_id)
    except LedgerError:
        annual_fee = None
    withdrawal = None
    if m.withdrawn is not None:
        withdrawal = {"noticed_on": iso(m.notice.on) if m.notice else None,
                      "effective_on": iso(m.withdrawn.effective_on), "cause": m.withdrawn.cause}
        cite(m.withdrawn.event_id)
    elif m.notice is not None:
        withdrawal = {"noticed_on": iso(m.notice.on), "effective_on": iso(m.notice.effective_on), "cause": "notice"}
        cite(m.notice.event_id)
    if state == "revoked" and m.revoked is not None:
        cite(m.revoked.event_id)
    sp = m.suspension_on(d) if state == "suspended" else None
    if sp is not None:
        cite(sp.event_id)
    rental = m.rental_on(d)
    if rental is not None:
        cite(*rental.event_ids)
    # IE-11.2: the cap is one year's fee of THIS member - the fee charged for the
    # period in force - not the published schedule on the day.
    own_fee = m.fee_in_force(d) if state not in ("applied", "refused") else None
    if own_fee is not None:
        cite(own_fee.event_id)
    blocked = m.blocked_on(d)
    grounds = sorted([*member.grounds_on(m, d, previous), *extra_grounds], key=lambda g: (g.since, g.rule))
    for g in grounds:
        cite(*g.because)
    renewal_pending = bool(period and period.end < d and state in ("active", "suspended"))
    return {
        "id": m.member_id,
        "program": "iesapo",
        **w.labels(),
        "state": state,
        "property_id": m.property_id,
        "acquirer": m.acquirer,
        # Personal fields as stored: erased (IE-19.10) or withheld (no keys) read as such.
        "applicant": m.applicant.model_dump(mode="json"),
        "period": {"number": period.number, "start": iso(period.start), "end": iso(period.end)} if period else None,
        "renewals": m.renewals() if state not in ("applied", "refused") else 0,
        "renewal_pending": renewal_pending,
        "withdrawal": withdrawal,
        "suspension": {"since": iso(sp.since), "rule": sp.rule} if sp else None,
        "rental": {"state": rental.state, "lease_start": iso(rental.lease_start)} if rental else None,
        "arrears": {
            "amount": arrears.amount,
            "oldest_due_on": iso(arrears.oldest_due_on),
            "days_overdue": arrears.days_overdue,
        },
        "balance": arrears.balance,
        "annual_fee": annual_fee,
        "liability_cap": own_fee.amount if own_fee is not None else None,
        "services": {k: {"available": not v, "blocked_by": v} for k, v in blocked.items()},
        "grounds": [{"rule": g.rule, "since": iso(g.since), "action": action(g.rule)} for g in grounds],
        "because": because,
    }


def load_member(app: LedgerApp, member_id: str, w: Window) -> member.Member:
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
    return m


def member_status(app: LedgerApp, member_id: str, w: Window) -> dict:
    m = load_member(app, member_id, w)
    tariffs = fees.fold(visible(app.read(fees.STREAM), known_at=w.known_at))
    previous = None
    if m.acquirer == "secondary" and m.accepted is None and m.previous_member_id:
        previous = member.fold(m.previous_member_id,
                               visible(app.read(member.stream(m.previous_member_id)), w.as_of, w.known_at))
    extra = inspection.inspection_grounds(
        visible(app.read(inspection.stream(m.property_id)), w.as_of, w.known_at), m.member_id, w.day)
    return member_row(m, tariffs, w, extra, previous)


def status(app: LedgerApp, ident: str, w: Window) -> dict:
    """The status of a member (or, where one exists, an enrolment) with this id."""
    if not app.exists(member.stream(ident)) and app.exists(presence.stream(ident)):
        return presence_view.enrolment_status(app, ident, w)
    return member_status(app, ident, w)


def stream_for(app: LedgerApp, ident: str) -> list[Event]:
    """The stream an id names, for ``history``: a member, a property, an enrolment."""
    for name in (member.stream(ident), prop.stream(ident), f"enrolment:{ident}", ident):
        events = app.read(name)
        if events:
            return events
    raise NotFound(f"There is no member, property or enrolment {ident} in the ledger.",
                   f"会員・物件・登録 {ident} は台帳にありません。", field="id")
