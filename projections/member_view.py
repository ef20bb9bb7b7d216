"""One assembly of an Ie-Sapo member's view on a day, as known at a moment.

Every read that shows a member — ``status``, ``snapshot``, ``arrears``,
``tasks``, ``explain`` and ``verify`` — builds it here, from the same inputs:

- the member's own visible facts, folded with ``ledger.member.fold``;
- the fee schedule (``ledger.fees``), for the annual fee in force;
- the house's inspection facts, for IE-14.3.8 (``ledger.inspection.inspection_grounds``);
- for an undecided secondary application, the previous owner's stream, for
  IE-17.2.1 (no advance notice) and IE-17.2.2 (previous owner in arrears).

So a member cannot show a ground in ``status`` and lack it in ``snapshot`` or
``arrears``: the lists take their rows from this one view (issue 11).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ledger import fees, inspection, member, readmodel
from ledger.errors import LedgerError
from ledger.events import Event
from ledger.facts import visible
from projections.window import Window

Reader = Callable[[str], list[Event]]
PREFIX = member.PREFIX
PICKED_A_QUERY = 500  # members read in one query when the read model picked them

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


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


class Sources:
    """What a member's view reads besides its own stream, for one window.

    ``read(stream)`` gives a stream's facts (``LedgerApp.read``, an in-memory
    log, the streams an explain report loaded); the fee schedule is folded once
    per window and reused for every member of a list.
    """

    def __init__(self, read: Reader, w: Window, tariffs: list[fees.Tariff] | None = None,
                 houses: set[str] | None = None) -> None:
        self.read, self.w = read, w
        self._tariffs = tariffs
        # For lists: the houses that have an inspection stream at all (the others are not read).
        self.houses = houses

    @property
    def tariffs(self) -> list[fees.Tariff]:
        if self._tariffs is None:
            # The schedule counts what was announced by known_at, whatever its applies_from.
            self._tariffs = fees.fold(visible(self.read(fees.STREAM), known_at=self.w.known_at))
        return self._tariffs

    def facts(self, stream: str) -> list[Event]:
        """All the facts of a stream the view reads besides the member's own."""
        return self.read(stream)

    def inspections(self, property_id: str) -> list[Event]:
        """The house's visible inspection facts (IE-14.3.8)."""
        if self.houses is not None and property_id not in self.houses:
            return []
        return visible(self.facts(inspection.stream(property_id)), self.w.as_of, self.w.known_at)

    def member(self, member_id: str) -> member.Member | None:
        """Another member (the previous owner of a secondary applicant's house), folded for the window."""
        return member.fold(member_id, visible(self.facts(member.stream(member_id)), self.w.as_of, self.w.known_at))


def previous_owner(m: member.Member, src: Sources) -> member.Member | None:
    """The previous owner's member, for an undecided secondary application only (IE-17.2.x)."""
    if m.acquirer == "secondary" and m.accepted is None and m.previous_member_id:
        return src.member(m.previous_member_id)
    return None


def grounds(m: member.Member, d: date, src: Sources) -> list[member.Ground]:
    """Every detected ground in force on ``d``: the member's own (``member.grounds_on``,
    with the previous owner for IE-17.2.x) and the house's (IE-14.3.8)."""
    ins = src.inspections(m.property_id) if m.property_id else []
    extra = inspection.inspection_grounds(ins, m.member_id, d) if ins else []
    found = [*member.grounds_on(m, d, previous_owner(m, src)), *extra]
    return sorted(found, key=lambda g: (g.since, g.rule))


@dataclass
class MemberView:
    """A member on ``w.day``: the status row (CONTRACT.md keys) and the pieces the lists reuse."""

    member: member.Member
    window: Window
    row: dict
    arrears: member.Arrears
    grounds: list[member.Ground] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    """One section of the status row (its keys in row order) and the facts it cites, in order."""

    fields: dict
    because: tuple[str | None, ...] = ()


def admission(m: member.Member, d: date, state: str) -> Section:
    """The period in force and the renewals (IE-3.5), citing the acceptance (IE-2.1), a refusal
    in force and the period; none before acceptance or after a refusal."""
    period = m.period_on(d) if state not in ("applied", "refused") else None
    accepted = m.accepted.event_id if m.accepted is not None else None
    refused = m.refused.event_id if m.refused is not None and state == "refused" else None
    return Section({
        "period": {"number": period.number, "start": iso(period.start), "end": iso(period.end)} if period else None,
        "renewals": m.renewals() if state not in ("applied", "refused") else 0,
        # The period in force has ended and no renewal is visible yet (IE-3.5).
        "renewal_pending": bool(period and period.end < d and state in ("active", "suspended")),
    }, (accepted, refused, period.event_id if period else None))


def dues(m: member.Member, d: date, arrears: member.Arrears, src: Sources) -> Section:
    """Fees overdue on ``d`` (IE-14.3.3: from the day after the due date; IE-14.5: they survive
    withdrawal) and the annual fee on the published schedule (IE-5.1), citing both."""
    try:
        tariff = fees.fee_on(src.tariffs, d)
        annual_fee, tariff_id = tariff.amount, tariff.event_id
    except LedgerError:  # no fee announced for the day: the row says so rather than failing
        annual_fee, tariff_id = None, None
    return Section({
        "arrears": {
            "amount": arrears.amount,
            "oldest_due_on": iso(arrears.oldest_due_on),
            "days_overdue": arrears.days_overdue,
        },
        "balance": arrears.balance,
        "annual_fee": annual_fee,
    }, (*arrears.because, tariff_id))


def standing(m: member.Member, d: date, state: str) -> Section:
    """How the membership stands on ``d`` besides its state: a withdrawal (IE-14.2 transfer,
    IE-3.5 notice), a suspension in force (IE-13.1) and an approved rental (IE-18), citing
    each and a revocation in force."""
    withdrawal, withdrawal_id = None, None
    if m.withdrawn is not None:
        withdrawal = {"noticed_on": iso(m.notice.on) if m.notice else None,
                      "effective_on": iso(m.withdrawn.effective_on), "cause": m.withdrawn.cause}
        withdrawal_id = m.withdrawn.event_id
    elif m.notice is not None:
        withdrawal = {"noticed_on": iso(m.notice.on), "effective_on": iso(m.notice.effective_on), "cause": "notice"}
        withdrawal_id = m.notice.event_id
    revoked = m.revoked.event_id if state == "revoked" and m.revoked is not None else None
    sp = m.suspension_on(d) if state == "suspended" else None
    rental = m.rental_on(d)
    return Section({
        "withdrawal": withdrawal,
        "suspension": {"since": iso(sp.since), "rule": sp.rule} if sp else None,
        "rental": {"state": rental.state, "lease_start": iso(rental.lease_start)} if rental else None,
    }, (withdrawal_id, revoked, sp.event_id if sp else None, *(rental.event_ids if rental else ())))


def cap(m: member.Member, d: date, state: str) -> Section:
    """IE-11.2: the cap is one year's fee of THIS member - the fee charged for the period in
    force - not the published schedule on the day; none before acceptance."""
    own_fee = m.fee_in_force(d) if state not in ("applied", "refused") else None
    return Section({"liability_cap": own_fee.amount if own_fee is not None else None},
                   (own_fee.event_id if own_fee is not None else None,))


def services(m: member.Member, d: date) -> Section:
    """Each service available or not, with the rules that stop it (``Member.blocked_on``:
    IE-14.6, IE-13.1, IE-18, IE-3.1.1 …)."""
    return Section({"services": {k: {"available": not v, "blocked_by": v} for k, v in m.blocked_on(d).items()}})


def ground_rows(found: list[member.Ground]) -> Section:
    """The grounds in force (``grounds``) with what each lets staff do - the ledger never acts
    on a ground itself - citing the facts behind each."""
    return Section({"grounds": [{"rule": g.rule, "since": iso(g.since), "action": action(g.rule)} for g in found]},
                   tuple(i for g in found for i in g.because))


def cited(*sections: Section, first: str) -> list[str]:
    """The facts behind the row: ``first`` (the application), then each section's, once each, in order."""
    out = [first]
    for s in sections:
        for i in s.because:
            if i and i not in out:
                out.append(i)
    return out


def assemble(m: member.Member, src: Sources) -> MemberView:
    """The view of one folded member (its visible facts for ``src.w``), section by section."""
    w = src.w
    d = w.day
    state = m.state_on(d)
    arrears = m.arrears_on(d)
    found = grounds(m, d, src)
    adm, money, stand, limit = admission(m, d, state), dues(m, d, arrears, src), standing(m, d, state), cap(m, d, state)
    serv, held = services(m, d), ground_rows(found)
    row = {
        "id": m.member_id,
        "program": "iesapo",
        **w.labels(),
        "state": state,
        "property_id": m.property_id,
        "acquirer": m.acquirer,
        # Personal fields as stored: erased (IE-19.10) or withheld (no keys) read as such.
        "applicant": m.applicant.model_dump(mode="json"),
        **adm.fields,
        **stand.fields,
        **money.fields,
        **limit.fields,
        **serv.fields,
        **held.fields,
        # Every output prints these ids in this order (the application first, the grounds last): kept as is.
        "because": cited(adm, money, stand, limit, held, first=m.applied_id),
    }
    return MemberView(m, w, row, arrears, found)


def of_facts(member_id: str, facts: list[Event], src: Sources) -> MemberView | None:
    """The view of a member from its stream's facts (all of them: the window is applied here);
    None when no application is visible."""
    m = member.fold(member_id, visible(facts, src.w.as_of, src.w.known_at))
    return None if m is None or m.applied_on is None else assemble(m, src)


# --- the lists' rows, all taken from the view ---------------------------------------------------


def arrears_row(v: MemberView) -> dict | None:
    """The ``ledger arrears`` row of a view."""
    return owing_row(v.member.member_id, v.row, v.arrears.because)


def owing_row(member_id: str, row: dict, owed: Sequence[str]) -> dict | None:
    """The ``ledger arrears`` row: the status row's arrears and grounds, plus the charges
    behind them (``owed``); None when nothing is overdue."""
    a = row["arrears"]
    if a["amount"] <= 0:
        return None
    return {
        "member_id": member_id,
        "amount": a["amount"],
        "oldest_due_on": a["oldest_due_on"],
        "days_overdue": a["days_overdue"],
        "grounds": [f"{g['rule']} since {g['since']}" for g in row["grounds"]],
        "because": list(owed),
    }


def ground_tasks(v: MemberView) -> list[dict]:
    """The ``ledger tasks`` rows for the grounds in force: exactly the status row's grounds."""
    d = v.window.day
    out = []
    for g in v.row["grounds"]:
        since = date.fromisoformat(g["since"])
        out.append({"due_on": g["since"], "kind": "ground", "id": v.member.member_id, "rule": g["rule"],
                    "action": f"Ground {g['rule']} in force since {g['since']}: staff {g['action']}.",
                    "overdue": since < d})
    return out


POINTS_WINDOW = timedelta(days=14)  # IE-A4.1: "within about 2 weeks"
LEASE_LOOKAHEAD = timedelta(days=31)


def task(due, kind: str, ident: str, rule: str, text: str, d) -> dict:
    return {"due_on": due.isoformat(), "kind": kind, "id": ident, "rule": rule, "action": text, "overdue": due < d}


def member_tasks(v: MemberView) -> list[dict]:
    """A member's work on the view's day; the ground rows are the view's grounds (as in ``status``)."""
    m, w = v.member, v.window
    d = w.day
    out: list[dict] = []
    state = m.state_on(d)
    mid = m.member_id
    p = m.period_on(d)
    if p is not None and p.end < d and state in ("active", "suspended"):
        out.append(task(p.end, "renewal_run", mid, "IE-3.5",
                        f"Run the renewals through {p.end}: period {p.number} ended and nothing is recorded after it.", d))
    out.extend(ground_tasks(v))
    if state not in ("withdrawn", "revoked", "expired", "refused"):
        prepaid = member.prepaid_renewal_day(m)
        for reason, trigger in member.points_due(m, d):
            if reason == "renewal" and trigger == prepaid:
                # IE-A4.1: the 2-week timing does not apply; staff decide when.
                out.append(task(trigger, "points_award", mid, "IE-A4.1",
                                f"Award KEIAI points for the first renewal of {trigger}, whose fee the secondary "
                                "acquirer paid at registration (IE-17.1): staff decide the timing.", d))
                continue
            out.append(task(trigger + POINTS_WINDOW, "points_award", mid, "IE-A4.1",
                            f"Award KEIAI points for the {reason} of {trigger} (within about 2 weeks).", d))
    for r in m.rentals:
        if r.state == "applied":
            out.append(task(r.lease_start - timedelta(days=1), "rental_decision", mid, "IE-18.1",
                            f"Decide the rental application for the lease starting {r.lease_start}.", d))
        elif r.state == "approved" and d <= r.lease_start <= d + LEASE_LOOKAHEAD:
            out.append(task(r.lease_start, "lease_starting", mid, "IE-18",
                            f"Approved lease starts {r.lease_start}: services stop for the lease.", d))
    for s in m.card_suspensions:
        if s.on <= d and not any(c.on >= s.on and c.token != s.token for c in m.cards):
            out.append(task(s.on, "register_card", mid, "IE-5.4.4",
                            "The card was suspended: ask the member to register another card; invoice arrears directly.", d))
    if m.acquirer == "secondary" and m.accepted is None and m.refused is None:
        out.append(task(m.applied_on or d, "registration_decision", mid, "IE-17.2",
                        "Decide the secondary acquirer's registration (check the previous owner's notice and arrears).", d))
    return out


def list_sources(app, w: Window) -> Sources:
    """The sources of a list over many members: the houses with inspections are known up front."""
    houses = None
    if hasattr(app, "stream_ids"):
        prefix = inspection.stream("")
        houses = {name[len(prefix):] for name in app.stream_ids(prefix)}
    return Sources(app.read, w, houses=houses)


def views(app, w: Window, src: Sources | None = None, *, personal: bool = True) -> Iterator[MemberView]:
    """Every member's view for the window, one member at a time in id order.

    Only one member's facts are held at a time. ``personal=False``
    for lists that show no personal field (their ``applicant`` reads as withheld)."""
    src = src or list_sources(app, w)
    streams = app.iter_streams(PREFIX) if personal else app.iter_streams(PREFIX, personal=False)
    for stream, facts in streams:
        v = of_facts(member.ident(stream), facts, src)
        if v is not None:
            yield v


def now_known(app, w: Window) -> bool:
    """Whether the window sees every recorded fact (known_at at or after the newest one) and
    the store's read model is current: then the materialized rows may pick the members."""
    if not hasattr(app, "readmodel_current") or not app.readmodel_current():
        return False
    newest = app.newest_recorded()
    return newest is None or w.known_at >= newest


def owing(app, w: Window) -> Iterator[MemberView]:
    """The views of the members who may owe on ``w.day``: from the read model when the window
    is now-known (a superset, each then assembled here), else every member, streamed."""
    if not now_known(app, w):
        yield from views(app, w, personal=False)  # (arrears rows show no personal field)
        return
    src = list_sources(app, w)
    picked = [member.stream(mid) for mid in app.readmodel(readmodel.owing_candidates, w.day)]
    for start in range(0, len(picked), PICKED_A_QUERY):
        for stream, facts in app.read_many(picked[start:start + PICKED_A_QUERY], personal=False).items():
            v = of_facts(member.ident(stream), facts, src)
            if v is not None:
                yield v
