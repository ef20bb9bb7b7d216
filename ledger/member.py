"""An Ie-Sapo membership: stream ``member:<id>``.

Order: Events (ledger.events) -> Fold (``evolve``) -> Decisions (``decide_*``)
-> Queries (``Member.state_on`` and friends).

The fold keeps dated facts, not a current state: every query takes the date it
is asked for, so the same fold answers "as of any day". Decisions receive the
member folded from the facts as now known and effective by the command's day.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, NamedTuple

from ledger import dates
from ledger.errors import NotFound, Refused
from ledger.events import (
    FeeRefunded,
    MemberSuspended,
    MembershipExpired,
    MembershipRenewed,
    MembershipRevoked,
    MembershipWithdrawn,
    OwnerChangeNotified,
    PointsAwarded,
    RentalApplied,
    RentalApproved,
    RentalEnded,
    RentalRejected,
    SuspensionLifted,
    UnapprovedRentalReported,
    WithdrawalNoticeGiven,
    CardRegistered,
    CardSuspensionReported,
    ConsentRecorded,
    ConsentWithdrawn,
    Event,
    FeeCharged,
    MembershipApplied,
    PaymentFailed,
    PaymentRecorded,
    Personal,
    PropertyMemberRegistered,
    RegistrationAccepted,
    RegistrationDeadlineExtended,
    RegistrationRefused,
)
from ledger.facts import Draft
from ledger.fees import Tariff, fee_on
from ledger.property import Property
from ledger.property import stream as property_stream
from ledger.streams import StreamKind


# The stream prefix is this module's: other modules name a member's stream with
# stream(), test a name with is_stream() and iterate with PREFIX (issue 14).
PREFIX = "member:"

_KIND = StreamKind(PREFIX)
stream, is_stream, ident = _KIND.of, _KIND.holds, _KIND.ident


# Small dated records kept by the fold. NamedTuples, so code that still unpacks
# or indexes them reads the same values; new code reads them by name.


class ConsentMark(NamedTuple):
    """A consent given (True) or withdrawn (False) from ``on`` (IE-19.1, IE-19.3, IE-2.2)."""

    on: date
    given: bool
    event_id: str


class Card(NamedTuple):
    """A payment card registered on ``on``, known by its token only (IE-2.1, IE-5.4.3)."""

    on: date
    token: str
    event_id: str


class CardSuspension(NamedTuple):
    """The card company's suspension of a card reported on ``on`` (IE-5.4.4); its scope is in ``Member.card_scopes``."""

    on: date
    token: str
    event_id: str


class Deadline(NamedTuple):
    """The registration deadline as last extended (IE-2.3.1, IE-2.3.2)."""

    until: date
    event_id: str


class Failure(NamedTuple):
    """A failed collection (IE-5.1): its reference is never recorded again."""

    on: date
    amount: int
    ref: str
    event_id: str


class Refund(NamedTuple):
    """A fee paid back on ``on`` (IE-5.2): the charge refunded and the yen returned."""

    on: date
    charge_id: str
    amount: int
    event_id: str


class UnapprovedRental(NamedTuple):
    """A rental without approval reported on ``on`` (IE-13.1.6)."""

    on: date
    event_id: str


class ConsentState(NamedTuple):
    """Whether a consent is in force on a day, and the fact that says so (None: never given)."""

    given: bool
    because: str | None


class AwardDue(NamedTuple):
    """A KEIAI points award triggered and not yet given (IE-A4.1): ``start`` or ``renewal`` and its day."""

    reason: str
    trigger_on: date


@dataclass(frozen=True)
class Period:
    number: int
    start: date
    end: date
    event_id: str


@dataclass(frozen=True)
class Charge:
    due_on: date
    amount: int
    period_number: int
    event_id: str
    renewal: bool = False  # charged on a period's last day for the next period (IE-5.4.2)


@dataclass(frozen=True)
class Payment:
    on: date
    amount: int
    ref: str
    event_id: str


@dataclass
class Suspension:
    since: date
    rule: str
    event_id: str
    lifted_on: date | None = None
    lifted_id: str | None = None


@dataclass
class Rental:
    lease_start: date
    applied_on: date
    applied_id: str
    in_time: bool
    state: str = "applied"  # applied, approved, rejected, ended
    decided_on: date | None = None
    ended_on: date | None = None
    event_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Ground:
    """A ground in force: the rule, the day it arose and the facts behind it."""

    rule: str
    since: date
    because: tuple[str, ...]


class Owed(NamedTuple):
    """What is left of one charge after the payments on record (IE-14.3.3)."""

    charge: Charge
    left: int


@dataclass(frozen=True)
class Arrears:
    amount: int
    oldest_due_on: date | None
    days_overdue: int
    balance: int
    because: tuple[str, ...]


@dataclass
class Member:
    member_id: str
    property_id: str = ""
    acquirer: str = "primary"
    applicant: Personal = field(default_factory=Personal)
    corporation: bool = False
    minor: bool = False
    points: bool = False
    previous_member_id: str | None = None
    transfer_on: date | None = None
    transfer_kind: str | None = None
    applied_on: date | None = None
    applied_id: str = ""
    consents: dict[str, list[ConsentMark]] = field(default_factory=dict)
    cards: list[Card] = field(default_factory=list)
    card_suspensions: list[CardSuspension] = field(default_factory=list)
    card_scopes: dict[str, str] = field(default_factory=dict)
    deadline: Deadline | None = None
    accepted: RegistrationAccepted | None = None
    refused: RegistrationRefused | None = None
    periods: list[Period] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    notice: WithdrawalNoticeGiven | None = None
    withdrawn: MembershipWithdrawn | None = None
    expired: MembershipExpired | None = None
    revoked: MembershipRevoked | None = None
    suspensions: list[Suspension] = field(default_factory=list)
    rentals: list[Rental] = field(default_factory=list)
    unapproved_rentals: list[UnapprovedRental] = field(default_factory=list)
    owner_changes: list[OwnerChangeNotified] = field(default_factory=list)
    points_awards: list[PointsAwarded] = field(default_factory=list)

    # --- queries ----------------------------------------------------------

    def consent_on(self, kind: str, d: date) -> ConsentState:
        """Whether consent ``kind`` is in force on ``d``, and the fact that says so."""
        state, because = False, None
        for c in sorted(self.consents.get(kind, []), key=lambda c: c.on):
            if c.on <= d:
                state, because = c.given, c.event_id
        return ConsentState(state, because)

    def procedure_completed_on(self) -> date | None:
        """IE-2.1: the day the registration procedure (会員登録手続) was completed.

        The Japanese text (Art. 2(1)) makes the procedure the application form and
        the card registration; agreeing to the terms and the privacy policy is a
        precondition (同意したうえ), checked at acceptance (IE-19.1) but not a
        step that moves this date. TERMS.md counts the consents as steps; the
        Japanese wins. The date is the later of the two steps' effective days.
        """
        if self.applied_on is None or not self.cards:
            return None
        return max(self.applied_on, min(c.on for c in self.cards))

    def card_on(self, d: date) -> str | None:
        tokens = [c for c in self.cards if c.on <= d]
        return tokens[-1].token if tokens else None

    def period_on(self, d: date) -> Period | None:
        """The period containing ``d``; past the last one, the last one."""
        last = None
        for p in sorted(self.periods, key=lambda p: p.number):
            if p.start <= d and not self.void_period(p):
                last = p
        return last

    def ceased_on(self) -> date | None:
        """The first day this person is no longer a member: withdrawal (IE-14.1,
        IE-14.2) or revocation (deemed withdrawn at once, IE-14.4).

        A withdrawal notice on record ends the membership on its effective day
        whether or not a renewal run has recorded the withdrawal yet (Art. 3(5),
        14(1)): the notice is the fact, the run only books it. So a renewal booked
        before a late-recorded but timely notice is void (IE-14.2.void)."""
        days = []
        if self.withdrawn is not None:
            days.append(self.withdrawn.effective_on)
        if self.notice is not None:
            days.append(self.notice.effective_on)
        if self.revoked is not None:
            days.append(self.revoked.on)
        return min(days) if days else None

    def void_period(self, p: Period) -> bool:
        """IE-14.2.void: a renewal for a period starting on or after the day the
        member is deemed withdrawn never happened (as known once that is known)."""
        ceased = self.ceased_on()
        return p.number > 1 and ceased is not None and p.start >= ceased

    def void_charge(self, c: Charge) -> bool:
        """IE-14.2.void: a renewal charge for a period starting on or after the
        day the member is deemed withdrawn is void; fees charged at acceptance
        and arrears before it stay owed (IE-5.2, IE-14.5)."""
        ceased = self.ceased_on()
        if ceased is None:
            return False
        if c.renewal:
            return c.due_on + dates.ONE_DAY >= ceased
        if c.period_number > 1:
            # A secondary acquirer's fee paid at registration for their first
            # renewal (IE-17.1) is void when that renewal never comes: the member
            # ceased (a timely notice, a revocation) before the period starts.
            first = next((p for p in self.periods if p.number == 1), None)
            return first is not None and first.end + dates.ONE_DAY >= ceased
        return False

    def true_periods(self, through: date, ceases: date | None = None) -> list[Period]:
        """The periods that are true up to the one containing ``through``: the
        recorded ones (not void), continued by automatic renewal (IE-3.5, IE-3.2,
        IE-3.4) where no run has recorded them yet, up to the day the member
        ceased (or ``ceases``, a withdrawal about to be recorded: IE-14.2) and
        the 29th renewal (IE-3.5.cap). Fee years are decided by these, never by
        how far a renewal run has got (IE-17.1)."""
        ceased = min((x for x in (self.ceased_on(), ceases) if x is not None), default=None)
        out = sorted((p for p in self.periods if not self.void_period(p)
                      and not (p.number > 1 and ceased is not None and p.start >= ceased)), key=lambda p: p.number)
        if not out:
            return out
        p = out[-1]
        while p.end < through and p.number < 30 and self.expired is None:
            start = p.end + dates.ONE_DAY
            if ceased is not None and ceased <= start:
                break
            p = Period(p.number + 1, start, dates.period_end(start, 12), "")
            out.append(p)
        return out

    def true_period_on(self, d: date, ceases: date | None = None) -> Period | None:
        """The true period containing ``d`` (past the last one, the last one)."""
        last = None
        for p in self.true_periods(d, ceases):
            if p.start <= d:
                last = p
        return last

    def fee_in_force(self, d: date) -> Charge | None:
        """IE-11.2: the member's own annual fee for the period in force on ``d``:
        the charge for that period, else (a period paid as part of another fee
        year, IE-17.1) the latest fee charged on or before ``d``."""
        p = self.period_on(d)
        live = [c for c in self.charges if not self.void_charge(c) and c.due_on <= d]
        if p is not None:
            own = [c for c in live if c.period_number == p.number]
            if own:
                return own[-1]
        return max(live, key=lambda c: (c.due_on, c.event_id)) if live else None

    def renewals(self) -> int:
        return sum(1 for p in self.periods if p.number > 1 and not self.void_period(p))

    def suspension_on(self, d: date) -> Suspension | None:
        for sp in self.suspensions:
            if sp.since <= d and (sp.lifted_on is None or d < sp.lifted_on):
                return sp
        return None

    def rental_on(self, d: date) -> Rental | None:
        """The rental that matters on ``d``: an approved lease running, else the latest application."""
        running = [r for r in self.rentals if r.state in ("approved", "ended") and r.lease_start <= d
                   and (r.ended_on is None or d < r.ended_on) and r.decided_on is not None and r.decided_on <= d]
        if running:
            return running[-1]
        pending = [r for r in self.rentals if r.applied_on <= d]
        return pending[-1] if pending else None

    def in_approved_lease(self, d: date) -> bool:
        r = self.rental_on(d)
        return bool(r and r.state in ("approved", "ended") and r.lease_start <= d and (r.ended_on is None or d < r.ended_on))

    def state_because(self, d: date) -> list[str]:
        """The facts behind the state on ``d`` beyond the acceptance: a
        revocation, withdrawal or expiry in force, a suspension, an approved
        lease (for a decision's ``because``)."""
        out: list[str] = []
        if self.revoked is not None and self.revoked.on <= d:
            out.append(self.revoked.event_id)
        if self.withdrawn is not None and self.withdrawn.effective_on <= d:
            out.append(self.withdrawn.event_id)
        elif self.notice is not None and self.notice.effective_on <= d:
            out.append(self.notice.event_id)
        if self.expired is not None and self.expired.last_day < d:
            out.append(self.expired.event_id)
        sp = self.suspension_on(d)
        if sp is not None:
            out.append(sp.event_id)
        if self.in_approved_lease(d):
            r = self.rental_on(d)
            if r is not None:
                out.extend(r.event_ids)
        return out

    def blocked_on(self, d: date) -> dict[str, list[str]]:
        """Rule ids that stop each service on ``d`` (empty = available).

        IE-14.6 withdrawn or revoked; IE-13.1 suspended; IE-18 approved lease;
        IE-17.3.1 a secondary acquirer before the start date (any member before
        the start has no service yet: IE-3.1.x); IE-19.3 no operator consent
        (24-hour service only)."""
        state = self.state_on(d)
        common: list[str] = []
        if state in ("withdrawn", "revoked", "expired"):
            common.append("IE-14.6" if state != "expired" else "IE-3.5.cap")
        elif state in ("applied", "refused"):
            common.append("IE-2.1")
        elif state == "accepted":
            common.append("IE-17.3.1" if self.acquirer == "secondary" else "IE-3.1.1")
        if state == "suspended":
            common.append("IE-13.1")
        if state not in ("withdrawn", "revoked", "expired", "applied", "refused") and self.in_approved_lease(d):
            common.append("IE-18")
        emergency = list(common)
        if not self.consent_on("operator_provision", d).given:
            emergency.append("IE-19.3")
        return {"inspection": common, "emergency": emergency}

    def arrears_on(self, d: date, due_before: date | None = None) -> Arrears:
        """Fees overdue on ``d``: charges due strictly before ``d`` that payments
        on or before ``d`` do not cover, oldest first (IE-14.3.3: arrears start
        the day after the due date). ``balance`` also counts charges due on ``d``."""
        refunded = {r.charge_id: r.amount for r in self.refunds if r.on <= d}
        # A refunded fee (IE-5.2) is no longer owed but for the handling fee the
        # company keeps; the money paid back leaves the payments the same way.
        paid = sum(p.amount for p in self.payments if p.on <= d) - sum(refunded.values())
        charges = sorted((c for c in self.charges if c.due_on <= d and not self.void_charge(c)),
                         key=lambda c: (c.due_on, c.event_id))
        outstanding: list[Owed] = []
        for c in charges:
            c = Charge(c.due_on, c.amount - refunded.get(c.event_id, 0), c.period_number, c.event_id, c.renewal)
            covered = min(paid, c.amount)
            paid -= covered
            if c.amount - covered:
                outstanding.append(Owed(c, c.amount - covered))
        limit = d if due_before is None else min(d, due_before)
        overdue = [o for o in outstanding if o.charge.due_on < limit]
        oldest = overdue[0].charge.due_on if overdue else None
        return Arrears(
            amount=sum(o.left for o in overdue),
            oldest_due_on=oldest,
            days_overdue=(d - oldest).days if oldest else 0,
            balance=sum(o.left for o in outstanding) - paid,
            because=tuple(o.charge.event_id for o in overdue),
        )

    def state_on(self, d: date) -> str:
        if self.refused is not None and self.refused.on <= d:
            return "refused"
        if self.accepted is None:
            return "applied"
        if self.revoked is not None and self.revoked.on <= d:
            return "revoked"
        if self.withdrawn is not None and self.withdrawn.effective_on <= d:
            return "withdrawn"
        if self.notice is not None and self.notice.effective_on <= d:
            return "withdrawn"  # the notice ends it, booked by a run or not (Art. 3(5), 14(1))
        if self.expired is not None and self.expired.last_day < d:
            return "expired"
        if d < self.accepted.start:
            return "accepted"
        if self.suspension_on(d) is not None:
            return "suspended"
        return "active"


# --- fold: one function per event, chosen by a table -------------------------------
#
# evolve runs for every fact of every replay, so the event's class picks its
# change with one dict lookup instead of a chain of isinstance tests. Event
# classes are final (a change of meaning is a new class, STYLE.md), so the
# exact class is the key; an event this aggregate does not fold is skipped.


def _applied(m: Member, e: MembershipApplied) -> None:
    """IE-2.1: the application form fixes who applies, for which house, and how (IE-1.4.x)."""
    m.property_id, m.acquirer, m.applicant = e.property_id, e.acquirer, e.applicant
    m.corporation, m.minor, m.points = e.corporation, e.minor, e.points
    m.previous_member_id, m.transfer_on, m.transfer_kind = e.previous_member_id, e.transfer_on, e.transfer_kind
    m.applied_on, m.applied_id = e.on, e.event_id


def _consent_recorded(m: Member, e: ConsentRecorded) -> None:
    """IE-19.1, IE-19.3, IE-2.2: a consent given from its day on."""
    m.consents.setdefault(e.kind, []).append(ConsentMark(e.on, True, e.event_id))


def _consent_withdrawn(m: Member, e: ConsentWithdrawn) -> None:
    """IE-19.8, IE-14.3.10: a consent withdrawn from its day on."""
    m.consents.setdefault(e.kind, []).append(ConsentMark(e.on, False, e.event_id))


def _card_registered(m: Member, e: CardRegistered) -> None:
    """IE-2.1, IE-5.4.3: a payment card, known by its token only."""
    m.cards.append(Card(e.on, e.card_token, e.event_id))


def _card_suspension_reported(m: Member, e: CardSuspensionReported) -> None:
    """IE-5.4.4: the card company suspended a card's use or the cardholder status (IE-14.3.3)."""
    m.card_suspensions.append(CardSuspension(e.on, e.card_token, e.event_id))
    m.card_scopes[e.event_id] = e.scope


def _deadline_extended(m: Member, e: RegistrationDeadlineExtended) -> None:
    """IE-2.3.1, IE-2.3.2: the latest extension of the registration deadline wins."""
    m.deadline = Deadline(e.until, e.event_id)


def _accepted(m: Member, e: RegistrationAccepted) -> None:
    """IE-2.1, IE-3.1.x, IE-3.3.x: the acceptance opens the first period."""
    m.accepted = e
    m.periods.append(Period(1, e.start, e.first_period_end, e.event_id))


def _refused(m: Member, e: RegistrationRefused) -> None:
    """IE-17.2.x, IE-19.8: the registration refused."""
    m.refused = e


def _fee_charged(m: Member, e: FeeCharged) -> None:
    """IE-5.1, IE-5.4.2: a fee owed from its due day; a renewal charge cites IE-5.4.2."""
    m.charges.append(Charge(e.due_on, e.amount, e.period_number, e.event_id, "IE-5.4.2" in e.rules))


def _payment_recorded(m: Member, e: PaymentRecorded) -> None:
    """IE-5.1: money received."""
    m.payments.append(Payment(e.on, e.amount, e.payment_ref, e.event_id))


def _payment_failed(m: Member, e: PaymentFailed) -> None:
    """IE-5.1: a collection that failed; its reference is never reused."""
    m.failures.append(Failure(e.on, e.amount, e.payment_ref, e.event_id))


def _renewed(m: Member, e: MembershipRenewed) -> None:
    """IE-3.5, IE-3.2, IE-3.4: the next period, as a renewal run booked it."""
    m.periods.append(Period(e.period_number, e.start, e.end, e.event_id))


def _fee_refunded(m: Member, e: FeeRefunded) -> None:
    """IE-5.2: a fee paid back, less the handling fee."""
    m.refunds.append(Refund(e.on, e.charge_id, e.amount, e.event_id))


def _notice_given(m: Member, e: WithdrawalNoticeGiven) -> None:
    """IE-14.1, IE-3.5: the withdrawal notice and the day it takes effect."""
    m.notice = e


def _withdrawn(m: Member, e: MembershipWithdrawn) -> None:
    """IE-14.1, IE-14.2: the earliest withdrawal on record is the one in force."""
    if m.withdrawn is None or e.effective_on < m.withdrawn.effective_on:
        m.withdrawn = e


def _expired(m: Member, e: MembershipExpired) -> None:
    """IE-3.5.cap: the membership ends after the 29th renewal."""
    m.expired = e


def _revoked(m: Member, e: MembershipRevoked) -> None:
    """IE-14.3.x, IE-14.4: the first revocation is the one in force."""
    m.revoked = m.revoked or e


def _suspended(m: Member, e: MemberSuspended) -> None:
    """IE-13.1.x: a suspension on one ground, until lifted."""
    m.suspensions.append(Suspension(e.on, e.rule, e.event_id))


def _suspension_lifted(m: Member, e: SuspensionLifted) -> None:
    """IE-13.1: lifting a ground ends every open suspension on that ground."""
    for sp in m.suspensions:
        if sp.rule == e.rule and sp.lifted_on is None:
            sp.lifted_on, sp.lifted_id = e.on, e.event_id


def _rental_applied(m: Member, e: RentalApplied) -> None:
    """IE-18.1: a rental application for one lease start."""
    m.rentals.append(Rental(e.lease_start, e.on, e.event_id, e.in_time, event_ids=[e.event_id]))


def _rental_decided(m: Member, e: RentalApproved | RentalRejected) -> None:
    """IE-18.1: the company approves or rejects the rental for that lease start."""
    state = "approved" if isinstance(e, RentalApproved) else "rejected"
    for r in m.rentals:
        if r.lease_start == e.lease_start:
            r.event_ids.append(e.event_id)
            r.state, r.decided_on = state, e.on


def _rental_ended(m: Member, e: RentalEnded) -> None:
    """IE-18: the approved lease for that start ended."""
    for r in m.rentals:
        if r.lease_start == e.lease_start:
            r.event_ids.append(e.event_id)
            r.state, r.ended_on = "ended", e.on


def _unapproved_rental(m: Member, e: UnapprovedRentalReported) -> None:
    """IE-13.1.6, IE-14.3.2: a rental without approval reported."""
    m.unapproved_rentals.append(UnapprovedRental(e.on, e.event_id))


def _owner_change(m: Member, e: OwnerChangeNotified) -> None:
    """IE-15.1: a change of owner or user notified (late: IE-14.3.2)."""
    m.owner_changes.append(e)


def _points_awarded(m: Member, e: PointsAwarded) -> None:
    """IE-A4.1: KEIAI points given."""
    m.points_awards.append(e)


FOLD: dict[type[Event], Callable[[Member, Any], None]] = {
    MembershipApplied: _applied,
    ConsentRecorded: _consent_recorded,
    ConsentWithdrawn: _consent_withdrawn,
    CardRegistered: _card_registered,
    CardSuspensionReported: _card_suspension_reported,
    RegistrationDeadlineExtended: _deadline_extended,
    RegistrationAccepted: _accepted,
    RegistrationRefused: _refused,
    FeeCharged: _fee_charged,
    PaymentRecorded: _payment_recorded,
    PaymentFailed: _payment_failed,
    MembershipRenewed: _renewed,
    FeeRefunded: _fee_refunded,
    WithdrawalNoticeGiven: _notice_given,
    MembershipWithdrawn: _withdrawn,
    MembershipExpired: _expired,
    MembershipRevoked: _revoked,
    MemberSuspended: _suspended,
    SuspensionLifted: _suspension_lifted,
    RentalApplied: _rental_applied,
    RentalApproved: _rental_decided,
    RentalRejected: _rental_decided,
    RentalEnded: _rental_ended,
    UnapprovedRentalReported: _unapproved_rental,
    OwnerChangeNotified: _owner_change,
    PointsAwarded: _points_awarded,
}


def evolve(m: Member, e: Event) -> Member:
    """Apply one fact. Never raises for a known event, never reads the clock."""
    change = FOLD.get(type(e))
    if change is not None:
        change(m, e)
    return m


def fold(member_id: str, events: list[Event]) -> Member | None:
    m = Member(member_id)
    for e in events:
        evolve(m, e)
    return m if m.applied_on is not None else None


def require(m: Member | None, member_id: str, applied_later: date | None = None) -> Member:
    if m is None and applied_later is not None:
        raise NotFound(
            f"Member {member_id}: the command's day is before the application on {applied_later}; "
            "nothing can be recorded for the member before it.",
            f"会員 {member_id}: コマンドの日付は申込日 {applied_later} より前です。申込み前の事実は記録できません。",
            field="on",
            code="before_application",
        )
    if m is None:
        raise NotFound(
            f"Member {member_id} is not in the ledger: check the id, or record the application first (apply_membership).",
            f"会員 {member_id} は台帳にありません。IDを確認するか、先に申込みを記録してください（apply_membership）。",
            field="member_id",
        )
    return m


def require_known(found: Member | None, member_id: str, stream_events: list[Event]) -> Member:
    """``require`` for a member folded up to a command's day: when the member
    exists but applied later, say "before the application on <date>"."""
    if found is None:
        from ledger.facts import visible

        later = fold(member_id, visible(stream_events))
        require(None, member_id, later.applied_on if later else None)
    return require(found, member_id)


# --- decisions ----------------------------------------------------------------


def _new_member(existing: Member | None, member_id: str) -> None:
    """A member id names one membership for ever: a second application under it is refused."""
    if existing is not None:
        raise Refused(
            f"Member {member_id} already exists (applied {existing.applied_on}); use a new member id.",
            f"会員 {member_id} はすでに存在します（申込日 {existing.applied_on}）。新しい会員IDを使ってください。",
            code="already_exists",
        )


def _applicant_can_apply(member_id: str, applicant: Personal, corporation: bool, on: date) -> None:
    """IE-1.4: only an individual can be a member; a birth date after the application is bad input."""
    if corporation:
        raise Refused(
            f"Member {member_id}: a corporation cannot be an Ie-Sapo member; only an individual can.",
            f"会員 {member_id}: 法人は家サポ会員になれません。個人に限ります。",
            rule="IE-1.4",
        )
    if applicant.birth_date is not None and applicant.birth_date > on:
        from ledger.errors import BadInput

        raise BadInput(f"applicant.birth_date {applicant.birth_date} is after the application on {on}.",
                       f"applicant.birth_date {applicant.birth_date} が申込日 {on} より後です。",
                       field="applicant.birth_date")


def _house_can_take(member_id: str, prop: Property, acquirer: str, current_member: str | None, on: date) -> None:
    """IE-1.4, IE-16, Art. 17: one membership per house at a time (a new owner applies as a
    secondary acquirer); IE-1.3: the house must be eligible."""
    if acquirer == "primary" and current_member is not None:
        raise Refused(
            f"Member {member_id}: property {prop.property_id} already has a current member ({current_member}) "
            f"on {on}; a house has one membership at a time. A new owner applies as a secondary acquirer "
            "(acquirer=secondary, Art. 17); membership itself cannot be passed on (IE-16).",
            f"会員 {member_id}: 物件 {prop.property_id} には {on} 時点で会員 {current_member} がいます。"
            "物件の会員資格は同時に一つです。新しい所有者は二次取得者として申し込みます（第17条）。",
            rule="IE-1.4",
        )
    why = prop.ineligibility()
    if why:
        raise Refused(
            f"Property {prop.property_id} {why.en}: it is not eligible for Ie-Sapo.",
            f"物件 {prop.property_id} {why.ja}。家サポの対象外です。",
            rule="IE-1.3",
        )


def _secondary_acquirer(member_id: str, prop: Property, previous: Member | None, previous_member_id: str | None,
                        transfer_on: date | None, transfer_kind: str | None) -> None:
    """IE-1.4.2: a secondary acquirer names the transfer, and bought from someone who was a
    member for this house on the transfer day."""
    if previous_member_id is None or transfer_on is None or transfer_kind is None:
        raise Refused(
            f"Member {member_id}: a secondary acquirer's application needs previous_member_id, transfer_on and transfer_kind.",
            f"会員 {member_id}: 二次取得者の申込みには previous_member_id、transfer_on、transfer_kind が必要です。",
            rule="IE-1.4.2",
            code="bad_input",
        )
    if previous is None or previous.property_id != prop.property_id or previous.accepted is None \
            or previous.state_on(transfer_on) not in ("active", "accepted", "suspended"):
        raise Refused(
            f"Member {member_id}: {previous_member_id} was not a member for property {prop.property_id} "
            f"on the transfer date {transfer_on}; a buyer from a non-member is not a secondary acquirer.",
            f"会員 {member_id}: {previous_member_id} は譲渡日 {transfer_on} に物件 {prop.property_id} の会員ではありません。"
            "非会員から取得した方は二次取得者ではありません。",
            rule="IE-1.4.2",
        )


def decide_apply(existing: Member | None, prop: Property, previous: Member | None, *, member_id: str,
                 acquirer: str, applicant: Personal, corporation: bool, points: bool, on: date,
                 previous_member_id: str | None, transfer_on: date | None, transfer_kind: str | None,
                 current_member: str | None = None) -> list[Draft]:
    """Record an application form (IE-2.1), refusing what can never become a
    membership: a corporation (IE-1.4), an ineligible house (IE-1.3), a
    secondary acquirer whose seller was not a member at the transfer (IE-1.4.2),
    a birth date after the application, and a second primary membership for a
    house that has a current member (``current_member``): a house has one
    membership at a time, and a new owner registers anew as a secondary acquirer
    (IE-1.4, IE-16, Art. 17). An applicant under the adult age is recorded as a
    minor (IE-2.2)."""
    _new_member(existing, member_id)
    _applicant_can_apply(member_id, applicant, corporation, on)
    _house_can_take(member_id, prop, acquirer, current_member, on)
    secondary = acquirer == "secondary"
    if secondary:
        _secondary_acquirer(member_id, prop, previous, previous_member_id, transfer_on, transfer_kind)
    minor = applicant.birth_date is not None and dates.age_on(applicant.birth_date, on) < dates.adult_age(on)
    rules = ("IE-2.1", "IE-1.4.1" if acquirer == "primary" else "IE-1.4.2", *(("IE-2.2",) if minor else ()))
    return [Draft(stream(member_id), MembershipApplied, {
        "member_id": member_id, "property_id": prop.property_id, "acquirer": acquirer, "applicant": applicant,
        "corporation": corporation, "minor": minor, "points": points,
        "previous_member_id": previous_member_id if secondary else None,
        "transfer_on": transfer_on if secondary else None,
        "transfer_kind": transfer_kind if secondary else None,
    }, rules)]


def _ground_check_refusal(m: "Member", rule: str, d: date, reason: str | None, override_reason: str | None,
                          previous: "Member | None") -> None:
    extra = grounds_on(m, d, previous)
    if rule == "IE-19.8" and not m.consent_on("privacy_policy", d).given:
        extra.append(Ground("IE-19.8", d, (m.applied_id,)))
    _ground_check(m, rule, d, reason, override_reason, extra)


def _undecided(m: Member, action_en: str, action_ja: str) -> None:
    if m.accepted is not None or m.refused is not None:
        outcome = "accepted" if m.accepted is not None else "refused"
        outcome_ja = "承諾" if m.accepted is not None else "謝絶"
        raise Refused(
            f"Member {m.member_id}'s registration was already {outcome}; it cannot be {action_en}.",
            f"会員 {m.member_id} の登録はすでに{outcome_ja}されています。{action_ja}できません。",
            code="already_decided",
        )


def _ready_for_acceptance(m: Member, prop: Property, on: date, current_member: str | None) -> None:
    """Refuse an acceptance the facts do not allow yet: no privacy consent (IE-19.1), no card
    (IE-2.1), no guardian's consent for a minor (IE-2.2), a house with a current member (IE-1.4)."""
    mid = m.member_id
    if not m.consent_on("privacy_policy", on).given:
        raise Refused(
            f"Member {mid} has not consented to the privacy policy by {on}: record the consent first (record_consent kind=privacy_policy).",
            f"会員 {mid} は {on} までに個人情報の取扱いに同意していません。先に同意を記録してください。",
            rule="IE-19.1",
        )
    if not m.cards:
        raise Refused(
            f"Member {mid} has no payment card registered by {on}: the registration procedure is not complete (register_card).",
            f"会員 {mid} は {on} までにクレジットカードを登録していません。会員登録手続が完了していません。",
            rule="IE-2.1",
        )
    if m.minor and not m.consent_on("guardian", on).given:
        raise Refused(
            f"Member {mid} was a minor on the application date: a legal representative's consent must be recorded before acceptance (record_consent kind=guardian).",
            f"会員 {mid} は申込日に未成年でした。承諾の前に法定代理人の同意を記録してください。",
            rule="IE-2.2",
        )
    if m.acquirer == "primary" and current_member is not None:
        raise Refused(
            f"Member {mid}: property {prop.property_id} already has a current member ({current_member}) on {on}; "
            "a house has one membership at a time, so a second primary membership cannot be accepted "
            "(a new owner registers as a secondary acquirer, Art. 17, IE-16).",
            f"会員 {mid}: 物件 {prop.property_id} には {on} 時点で会員 {current_member} がいます。"
            "二つ目の一次取得者会員は承諾できません（新しい所有者は二次取得者として登録します）。",
            rule="IE-1.4",
        )


class Start(NamedTuple):
    """The membership's start day and the rules that fixed it (IE-3.1.x, IE-3.3.x, IE-2.3.1)."""

    day: date
    rules: tuple[str, ...]


def _primary_start(m: Member, prop: Property, done: date) -> Start:
    """IE-3.1.1, IE-3.3.1: a procedure completed by the initial delivery starts on the base
    date; one completed by an extended deadline (IE-2.3.1) on the first of the next month;
    a later one is refused until the deadline is extended."""
    extension = m.deadline.until if m.deadline else None
    if done <= prop.delivered_on:
        return Start(prop.base_date, ("IE-3.1.1", "IE-3.3.1"))
    if extension is not None and done <= extension:
        return Start(dates.first_of_next_month(done), ("IE-3.1.1", "IE-3.3.1", "IE-2.3.1"))
    limit = f"the extended deadline {extension}" if extension else f"the initial delivery date {prop.delivered_on}"
    limit_ja = f"延長された期限 {extension}" if extension else f"初回引渡日 {prop.delivered_on}"
    raise Refused(
        f"Member {m.member_id} completed the registration procedure on {done}, after {limit}: "
        "acceptance needs the deadline extended first (extend_registration_deadline).",
        f"会員 {m.member_id} の会員登録手続完了日は {done} で、{limit_ja} より後です。先に期限の延長を記録してください。",
        rule="IE-2.3.1",
    )


def _secondary_start(m: Member, done: date) -> Start:
    """IE-3.1.2, IE-3.3.2: a secondary acquirer starts on the first of the month after the
    later of the completed procedure and the transfer; past a designated deadline, refused (IE-2.3.2)."""
    extension = m.deadline.until if m.deadline else None
    if extension is not None and done > extension:
        raise Refused(
            f"Member {m.member_id} completed the registration procedure on {done}, after the designated deadline {extension}.",
            f"会員 {m.member_id} の会員登録手続完了日 {done} は、指定期限 {extension} より後です。",
            rule="IE-2.3.2",
        )
    assert m.transfer_on is not None  # a secondary application always records its transfer (decide_apply)
    return Start(dates.first_of_next_month(max(done, m.transfer_on)), ("IE-3.1.2", "IE-3.3.2"))


class FirstFee(NamedTuple):
    """The fee charged at acceptance: for which period, at which tariff, under which rules."""

    period_number: int
    tariff: Tariff
    rules: tuple[str, ...]


def _first_fee(m: Member, previous: Member | None, tariffs: list[Tariff], on: date, start: date) -> FirstFee:
    """IE-5.1.first: the first period's fee at the tariff of the acceptance day. IE-17.1: a
    secondary acquirer pays for the fee year that begins the day after the previous owner's
    current period ends, which is the first renewal's fee when that year starts before ``start``."""
    if m.acquirer != "secondary" or previous is None or m.transfer_on is None:
        return FirstFee(1, fee_on(tariffs, on), ("IE-5.1.first", "IE-5.1"))
    # The previous owner's TRUE period on the transfer day (automatic renewal,
    # IE-3.5), not the last one a renewal run happened to record.
    # The previous member is deemed withdrawn as of the transfer (IE-14.2, in
    # this same append): a renewal on or after that day is not theirs.
    # Before the previous member's start, their first period is the one in force.
    prev_period = previous.true_period_on(m.transfer_on, ceases=m.transfer_on) \
        or next((p for p in previous.periods if p.number == 1), None)
    if prev_period is None:
        return FirstFee(1, fee_on(tariffs, on), ("IE-5.1.first", "IE-5.1"))
    fee_year = prev_period.end + dates.ONE_DAY
    return FirstFee(1 if start >= fee_year else 2, fee_on(tariffs, fee_year), ("IE-17.1", "IE-5.1"))


def _previous_withdrawn(m: Member, previous: Member | None) -> list[Draft]:
    """IE-14.2: the previous member is withdrawn as of the transfer day, in the same append,
    unless they had already ceased by then."""
    if m.acquirer != "secondary" or previous is None or m.transfer_on is None:
        return []
    ceased = previous.ceased_on()
    if ceased is not None and ceased <= m.transfer_on:
        return []
    return [Draft(stream(previous.member_id), MembershipWithdrawn,
                  {"effective_on": m.transfer_on, "cause": "transfer", "successor_id": m.member_id},
                  ("IE-14.2",), dates.start_of_day(m.transfer_on))]


def decide_accept(m: Member, prop: Property, tariffs: list[Tariff], on: date,
                  previous: Member | None = None, current_member: str | None = None) -> list[Draft]:
    """The company accepts the registration (IE-2.1) on ``on``.

    Refused without the privacy consent (IE-19.1), a card (IE-2.1), a guardian's
    consent for a minor (IE-2.2), or a procedure completed after the deadline
    (IE-2.3.1, IE-2.3.2). Fixes the start (IE-3.1.x) and the end of the first
    period (IE-3.3.x) and charges the first fee, due that day (IE-5.1.first).

    A secondary acquirer (IE-17.1) pays the fee for the fee year that begins the
    day after the previous owner's current period ends; if that year is not the
    acquirer's own first period, the payment is the first renewal's fee and that
    renewal is not charged again. The previous member is withdrawn as of the
    transfer date in the same append (IE-14.2).
    """
    _undecided(m, "accepted", "承諾")
    _ready_for_acceptance(m, prop, on, current_member)
    done = m.procedure_completed_on()
    assert done is not None  # guaranteed by the consent and card checks above
    start = _primary_start(m, prop, done) if m.acquirer == "primary" else _secondary_start(m, done)
    _, first_end = prop.membership_year(start.day)
    fee = _first_fee(m, previous, tariffs, on, start.day)
    mid = m.member_id
    return [
        Draft(stream(mid), RegistrationAccepted,
              {"procedure_completed_on": done, "start": start.day, "first_period_end": first_end}, start.rules),
        Draft(stream(mid), FeeCharged, {"amount": fee.tariff.amount, "due_on": on, "period_number": fee.period_number},
              fee.rules),
        Draft(property_stream(prop.property_id), PropertyMemberRegistered,
              {"member_id": mid, "acquirer": m.acquirer, "start": start.day}, start.rules[:1]),
        *_previous_withdrawn(m, previous),
    ]


def decide_refuse(m: Member, rule: str, reason: str | None, override_reason: str | None,
                  d: date | None = None, previous: "Member | None" = None) -> list[Draft]:
    """The company refuses the registration, citing its ground (IE-17.2.x, IE-19.8).

    A detected ground (IE-17.2.1 no advance notice, IE-17.2.2 previous owner in
    arrears, IE-19.8 consent withdrawn) must be in force unless overridden; a
    judged one needs a reason."""
    _undecided(m, "refused", "謝絶")
    if d is not None:
        _ground_check_refusal(m, rule, d, reason, override_reason, previous)
    return [Draft(stream(m.member_id), RegistrationRefused,
                  {"rule": rule, "reason": reason, "override_reason": override_reason}, (rule,))]


def decide_consent(m: Member, kind: str, given: bool, on: date) -> list[Draft]:
    in_force, _ = m.consent_on(kind, on)
    if in_force == given:
        word, word_ja = ("already given", "すでに同意済み") if given else ("not in force", "同意されていません")
        raise Refused(
            f"Member {m.member_id}: consent '{kind}' is {word} on {on}.",
            f"会員 {m.member_id}: 同意「{kind}」は {on} 時点で{word_ja}です。",
            code="no_change",
        )
    rule = {"privacy_policy": "IE-19.1", "operator_provision": "IE-19.3", "guardian": "IE-2.2"}[kind]
    return [Draft(stream(m.member_id), ConsentRecorded if given else ConsentWithdrawn, {"kind": kind}, (rule,))]


def decide_card(m: Member, token: str) -> list[Draft]:
    """IE-2.1, IE-5.4.3: register a card by its token only."""
    if any(c.token == token for c in m.cards):
        raise Refused(
            f"Member {m.member_id}: card token {token} is already registered.",
            f"会員 {m.member_id}: カードトークン {token} はすでに登録されています。",
            code="no_change",
        )
    return [Draft(stream(m.member_id), CardRegistered, {"card_token": token}, ("IE-2.1", "IE-5.4.3"))]


def decide_extend(m: Member, until: date) -> list[Draft]:
    _undecided(m, "given a new deadline", "期限を変更")
    rule = "IE-2.3.1" if m.acquirer == "primary" else "IE-2.3.2"
    return [Draft(stream(m.member_id), RegistrationDeadlineExtended, {"until": until}, (rule,))]


def decide_payment(m: Member, amount: int, ref: str, on: date, failed: bool) -> list[Draft]:
    if amount <= 0:
        raise Refused(f"amount must be a positive number of yen, not {amount}.", f"金額は正の円額です（{amount}）。",
                      field="amount", code="bad_input")
    known = [p.ref for p in m.payments] + [f.ref for f in m.failures]
    if ref in known:
        raise Refused(
            f"Member {m.member_id}: payment reference {ref} is already recorded; a payment is never recorded twice.",
            f"会員 {m.member_id}: 決済番号 {ref} はすでに記録されています。",
            code="duplicate_payment",
        )
    if not m.charges:
        raise Refused(
            f"Member {m.member_id} has never been charged a fee: there is nothing to pay yet.",
            f"会員 {m.member_id} には請求された年会費がありません。",
            rule="IE-5.1",
        )
    return [Draft(stream(m.member_id), PaymentFailed if failed else PaymentRecorded,
                  {"amount": amount, "payment_ref": ref}, ("IE-5.1",))]


# --- grounds (detected) -----------------------------------------------------------


def grounds_on(m: Member, d: date, previous: Member | None = None) -> list[Ground]:
    """The detected grounds in force on ``d``, each with the day it arose.

    IE-13.1.2 any fee overdue (from the day after its due date);
    IE-14.3.3 a fee one month in arrears - from (due + 1 day) + 1 month, e.g. due
    2026-03-31 -> 2026-05-01 - or the cardholder status suspended by the card
    company (not a mere suspension of the card's use, Art. 14(3)(iii));
    IE-13.1.6 a rental without approval reported; IE-14.3.10 the privacy-policy
    consent withdrawn (stopping provision to the 24-hour operator alone is not
    this ground: IE-19.3 keeps the membership and the fee running);
    IE-14.3.2 a change of owner or user notified late (IE-15.1);
    for an undecided secondary application, IE-17.2.1 no advance notice from the
    previous owner and IE-17.2.2 the previous owner in arrears at the transfer.
    """
    out: list[Ground] = []
    state = m.state_on(d)
    if state in ("refused", "withdrawn", "revoked", "expired"):
        return out  # nothing left to suspend or revoke; arrears survive on their own (IE-14.5)
    a = m.arrears_on(d)
    if a.amount > 0 and a.oldest_due_on is not None:
        out.append(Ground("IE-13.1.2", a.oldest_due_on + dates.ONE_DAY, a.because))
        month_late = dates.after_months(a.oldest_due_on + dates.ONE_DAY, 1)
        if month_late <= d:
            out.append(Ground("IE-14.3.3", month_late, a.because))
    for on, token, event_id in m.card_suspensions:
        replaced = any(c.on >= on and c.token != token for c in m.cards if c.on <= d)
        if on <= d and not replaced and m.card_scopes.get(event_id, "cardholder_status") == "cardholder_status":
            if not any(g.rule == "IE-14.3.3" for g in out):
                out.append(Ground("IE-14.3.3", on, (event_id,)))
    for on, event_id in m.unapproved_rentals:
        approved_after = any(r.state in ("approved", "ended") and r.decided_on and on <= r.decided_on <= d for r in m.rentals)
        if on <= d and not approved_after:
            out.append(Ground("IE-13.1.6", on, (event_id,)))
            # Letting without notice is a change of user without the notice of
            # Art. 15: also the revocation ground IE-14.3.2.
            out.append(Ground("IE-14.3.2", on, (event_id,)))
            break
    privacy, because = m.consent_on("privacy_policy", d)
    ever_given = any(c.given and c.on <= d for c in m.consents.get("privacy_policy", []))
    if ever_given and not privacy and because:
        withdrawn_on = next(c.on for c in m.consents["privacy_policy"] if c.event_id == because)
        out.append(Ground("IE-14.3.10", withdrawn_on, (because,)))
    for n in m.owner_changes:
        if not n.in_time and n.on <= d and not any(g.rule == "IE-14.3.2" for g in out):
            out.append(Ground("IE-14.3.2", n.on, (n.event_id,)))
            break
    if m.acquirer == "secondary" and m.accepted is None and previous is not None and m.transfer_on:
        notified = [n for n in previous.owner_changes if n.in_time and n.kind in ("sale", "inheritance") and n.on <= d]
        if not notified:
            out.append(Ground("IE-17.2.1", m.applied_on or d, (m.applied_id,)))
        # IE-17.2.2: the previous owner's arrears at the transfer, as long as they
        # stay unpaid - a payment on the previous member's stream on any later
        # day, whoever made it, ends the ground (但し…支払った場合を除きます).
        prev_arrears = previous.arrears_on(d, due_before=m.transfer_on)
        if previous.arrears_on(m.transfer_on).amount > 0 and prev_arrears.amount > 0:
            out.append(Ground("IE-17.2.2", m.transfer_on, prev_arrears.because))
    return sorted(out, key=lambda g: (g.since, g.rule))


# --- lifecycle decisions ----------------------------------------------------------

MEMBER_STATES = ("accepted", "active", "suspended")


def _require_member(m: Member, d: date, what_en: str, what_ja: str, rule: str | None = None) -> str:
    state = m.state_on(d)
    if state not in MEMBER_STATES:
        raise Refused(
            f"Member {m.member_id} is {state} on {d}: {what_en} is not possible.",
            f"会員 {m.member_id} は {d} 時点で {state} です。{what_ja}はできません。",
            rule=rule or ("IE-14.6" if state in ("withdrawn", "revoked") else None),
            code="not_a_member",
        )
    return state


def _ground_check(m: Member, rule: str, d: date, reason: str | None, override_reason: str | None,
                  extra: list[Ground] = ()) -> date | None:
    """A detected ground must be in force on ``d`` unless overridden (recorded);
    a judged ground needs a reason text. Returns the day the ground arose."""
    from ledger.rules import RULES

    info = RULES.get(rule)
    if info is not None and info.ground == "detected":
        found = next((g for g in [*grounds_on(m, d), *extra] if g.rule == rule), None)
        if found is not None:
            return found.since
        if override_reason:
            return None
        raise Refused(
            f"Member {m.member_id} has no ground {rule} in force on {d}: "
            + _ground_hint(m, rule, d) + " Add override_reason to act on the company's own judgement.",
            f"会員 {m.member_id} には {d} 時点で {rule} の事由がありません。"
            "当社の判断で行う場合は override_reason を記録してください。",
            rule=rule,
            code="no_ground",
        )
    if not (reason or override_reason):
        raise Refused(
            f"{rule} is a ground only people can judge: record the reason (reason).",
            f"{rule} は人が判断する事由です。理由（reason）を記録してください。",
            rule=rule,
            code="reason_required",
        )
    return None


def _ground_hint(m: Member, rule: str, d: date) -> str:
    if rule in ("IE-14.3.3", "IE-13.1.2"):
        a = m.arrears_on(d)
        if a.oldest_due_on is None:
            return "no fee is overdue."
        if rule == "IE-14.3.3":
            since = dates.after_months(a.oldest_due_on + dates.ONE_DAY, 1)
            return f"the fee due {a.oldest_due_on} is one month overdue only from {since}."
    return "the facts on record do not show it."


def _rule_in(rule: str, prefix: str, field: str = "rule") -> None:
    from ledger.rules import RULES

    if not rule.startswith(prefix) or rule not in RULES or rule == prefix.rstrip("."):
        from ledger.errors import BadInput

        raise BadInput(f"rule must be one of the grounds {prefix}x of TERMS.md, not {rule!r}.",
                       f"rule には {prefix}x の事由を指定してください（{rule!r}）。", field=field)


def decide_suspend(m: Member, rule: str, d: date, reason: str | None, override_reason: str | None,
                   extra: list[Ground] = ()) -> list[Draft]:
    """Suspend on a ground of IE-13.1.x (may: staff decide; fees and renewals go on)."""
    _rule_in(rule, "IE-13.1.")
    _require_member(m, d, "suspension", "利用停止")
    sp = m.suspension_on(d)
    if sp is not None and sp.rule == rule:
        raise Refused(f"Member {m.member_id} is already suspended on {rule} since {sp.since}.",
                      f"会員 {m.member_id} は {sp.since} から {rule} で利用停止中です。", rule=rule, code="no_change")
    since = _ground_check(m, rule, d, reason, override_reason, list(extra))
    return [Draft(stream(m.member_id), MemberSuspended,
                  {"rule": rule, "reason": reason, "override_reason": override_reason, "ground_since": since}, (rule,))]


def decide_lift(m: Member, rule: str, d: date, reason: str | None) -> list[Draft]:
    sp = m.suspension_on(d)
    if sp is None or sp.rule != rule:
        raise Refused(f"Member {m.member_id} is not suspended on {rule} on {d}.",
                      f"会員 {m.member_id} は {d} 時点で {rule} による利用停止中ではありません。", rule=rule,
                      code="no_change")
    return [Draft(stream(m.member_id), SuspensionLifted, {"rule": rule, "reason": reason}, (rule,))]


def decide_revoke(m: Member, rule: str, d: date, reason: str | None, override_reason: str | None,
                  extra: list[Ground] = ()) -> list[Draft]:
    """Revoke on a ground of IE-14.3.x; the member is deemed withdrawn at once
    (IE-14.4) and unpaid fees stay owed (IE-14.5)."""
    _rule_in(rule, "IE-14.3.")
    _require_member(m, d, "revocation", "会員資格の取消し")
    since = _ground_check(m, rule, d, reason, override_reason, list(extra))
    return [Draft(stream(m.member_id), MembershipRevoked,
                  {"rule": rule, "reason": reason, "override_reason": override_reason, "ground_since": since},
                  (rule, "IE-14.4", "IE-14.5"))]


def decide_withdrawal_notice(m: Member, d: date) -> list[Draft]:
    """IE-3.5, IE-14.1: a notice received by the last day of the month two months
    before the period's last month ends the membership with that period; a later
    notice does not stop the coming renewal and takes effect at the end of the
    following period (our reading)."""
    _require_member(m, d, "a withdrawal notice", "退会の届出")
    if m.notice is not None:
        raise Refused(f"Member {m.member_id} already gave notice on {m.notice.on}: withdrawal on {m.notice.effective_on}.",
                      f"会員 {m.member_id} は {m.notice.on} に退会を届け出ています（退会日 {m.notice.effective_on}）。",
                      rule="IE-14.1", code="no_change")
    # The true period on d, renewed automatically whether or not a run has booked it.
    p = m.true_period_on(d) or (m.periods[0] if m.periods else None)
    assert p is not None  # accepted members always have a first period
    deadline = dates.withdrawal_notice_deadline(p.end)
    in_time = d <= deadline
    end = p.end if in_time else dates.period_end(p.end + dates.ONE_DAY, 12)
    return [Draft(stream(m.member_id), WithdrawalNoticeGiven,
                  {"period_end": end, "effective_on": end + dates.ONE_DAY, "in_time": in_time},
                  ("IE-3.5", "IE-14.1"))]


def decide_owner_change(m: Member, kind: str, change_on: date, d: date) -> list[Draft]:
    """IE-15.1: notice of a change of owner or user is due in advance (before the
    change day); for an inheritance, within one month of its opening (first day
    not counted). A late notice is a revocation ground (IE-14.3.2)."""
    if m.accepted is None:
        raise Refused(f"Member {m.member_id} has no accepted membership to notify a change for.",
                      f"会員 {m.member_id} には承諾済みの会員資格がありません。", code="not_a_member")
    deadline = dates.end_after_act(change_on, 1) if kind == "inheritance" else change_on - dates.ONE_DAY
    in_time = d <= deadline
    rules = ("IE-15.1",) if in_time else ("IE-15.1", "IE-14.3.2")
    return [Draft(stream(m.member_id), OwnerChangeNotified,
                  {"kind": kind, "change_on": change_on, "deadline": deadline, "in_time": in_time}, rules)]


HANDLING_FEES = ((date(2000, 1, 1), 1000),)  # IE-5.2: a dated parameter (yen)


def handling_fee_on(d: date) -> int:
    return [fee for since, fee in HANDLING_FEES if since <= d][-1]


def decide_refund(m: Member, reason: str, d: date) -> list[Draft]:
    """IE-5.2: fees are not refunded, except for unavoidable reasons: the most
    recent fully paid fee, less the handling fee (waived under a housing-loan
    contingency clause)."""
    refunded = {r.charge_id for r in m.refunds}
    paid = sum(p.amount for p in m.payments if p.on <= d)
    covered: list[Charge] = []
    for c in sorted((c for c in m.charges if c.due_on <= d and not m.void_charge(c)), key=lambda c: c.due_on):
        if paid >= c.amount:
            paid -= c.amount
            covered.append(c)
        else:
            break
    candidates = [c for c in covered if c.event_id not in refunded]
    if not candidates:
        raise Refused(f"Member {m.member_id} has no paid, unrefunded fee on {d} to refund.",
                      f"会員 {m.member_id} には {d} 時点で返金できる支払済みの年会費がありません。", rule="IE-5.2")
    c = candidates[-1]
    fee = 0 if reason == "loan_contingency" else min(handling_fee_on(d), c.amount)
    return [Draft(stream(m.member_id), FeeRefunded,
                  {"charge_id": c.event_id, "amount": c.amount - fee, "handling_fee": fee, "reason": reason},
                  ("IE-5.2",))]


def decide_rental_apply(m: Member, lease_start: date, d: date, override_reason: str | None) -> list[Draft]:
    """IE-18.1: member and tenant apply by 1 month before the lease starts (lease
    2026-05-01 -> by 2026-03-31); a later application needs override_reason."""
    _require_member(m, d, "a rental application", "賃貸の申込み")
    if any(r.lease_start == lease_start and r.state in ("applied", "approved") for r in m.rentals):
        raise Refused(f"Member {m.member_id} already has a rental for the lease starting {lease_start}.",
                      f"会員 {m.member_id} には {lease_start} 開始の賃貸がすでにあります。", rule="IE-18.1",
                      code="no_change")
    deadline = dates.by_months_before(lease_start, 1)
    in_time = d <= deadline
    if not in_time and not override_reason:
        raise Refused(
            f"Member {m.member_id}: the application for a lease starting {lease_start} was due by {deadline} "
            f"(1 month before); received {d}. Add override_reason if the company accepts it anyway.",
            f"会員 {m.member_id}: {lease_start} 開始の賃貸の申込期限は {deadline}（1か月前）でしたが、{d} に受け付けました。"
            "当社が受け付ける場合は override_reason を記録してください。",
            rule="IE-18.1",
        )
    return [Draft(stream(m.member_id), RentalApplied,
                  {"lease_start": lease_start, "deadline": deadline, "in_time": in_time,
                   "override_reason": override_reason}, ("IE-18.1",))]


def decide_rental(m: Member, action: str, d: date, reason: str | None = None) -> list[Draft]:
    """Approve, reject or end the open rental (IE-18.1, IE-18)."""
    wanted = {"approve": "applied", "reject": "applied", "end": "approved"}[action]
    open_ = [r for r in m.rentals if r.state == wanted]
    if not open_:
        word = {"approve": "no rental application awaiting a decision",
                "reject": "no rental application awaiting a decision", "end": "no approved rental"}[action]
        raise Refused(f"Member {m.member_id} has {word} on {d}.", f"会員 {m.member_id} には {d} 時点で対象の賃貸がありません。",
                      rule="IE-18.1", code="no_change")
    r = open_[-1]
    cls = {"approve": RentalApproved, "reject": RentalRejected, "end": RentalEnded}[action]
    data = {"lease_start": r.lease_start}
    if action == "reject":
        data["reason"] = reason
    return [Draft(stream(m.member_id), cls, data, ("IE-18.1",) if action != "end" else ("IE-18",))]


def decide_unapproved_rental(m: Member, d: date, note: str | None) -> list[Draft]:
    _require_member(m, d, "a rental report", "賃貸の報告")
    return [Draft(stream(m.member_id), UnapprovedRentalReported, {"note": note}, ("IE-13.1.6",))]


def decide_card_suspended(m: Member, token: str, scope: str, d: date) -> list[Draft]:
    """IE-5.4.4: the card company suspended the card's use or the cardholder
    status; the member must register another card. Only the cardholder status
    is a revocation ground (IE-14.3.3, Art. 14(3)(iii))."""
    if not any(c.token == token for c in m.cards):
        raise Refused(f"Member {m.member_id} has no card with token {token}.",
                      f"会員 {m.member_id} にトークン {token} のカードはありません。", rule="IE-5.4.4", code="no_card")
    rules = ("IE-5.4.4", "IE-14.3.3") if scope == "cardholder_status" else ("IE-5.4.4",)
    return [Draft(stream(m.member_id), CardSuspensionReported, {"card_token": token, "scope": scope}, rules)]


def decide_points(m: Member, points: int, reason: str, d: date) -> list[Draft]:
    """IE-A4.1: points for the start (new membership) or a confirmed renewal
    payment; never to a withdrawn member (IE-14.6)."""
    state = m.state_on(d)
    if state in ("withdrawn", "revoked", "expired", "refused", "applied"):
        raise Refused(f"Member {m.member_id} is {state} on {d}: no benefit can be given.",
                      f"会員 {m.member_id} は {d} 時点で {state} のため、特典は付与できません。", rule="IE-14.6")
    if not m.points:
        raise Refused(f"Member {m.member_id} did not register for KEIAI points.",
                      f"会員 {m.member_id} はKEIAIポイントに登録していません。", rule="IE-A4.1")
    due = points_due(m, d)
    match = next((t for t in due if t.reason == reason), None)
    if match is None:
        raise Refused(f"Member {m.member_id} has no {reason} award outstanding on {d}.",
                      f"会員 {m.member_id} には {d} 時点で未付与の{reason}ポイントがありません。", rule="IE-A4.1",
                      code="no_change")
    return [Draft(stream(m.member_id), PointsAwarded, {"points": points, "reason": reason, "trigger_on": match.trigger_on},
                  ("IE-A4.1",))]


def points_due(m: Member, d: date) -> list[AwardDue]:
    """IE-A4.1 awards triggered by ``d`` and not yet given: ("start", start date)
    and ("renewal", payment confirmation day) for each renewal fee paid."""
    if not m.points or m.accepted is None:
        return []
    out: list[AwardDue] = []
    awarded = [a for a in m.points_awards if a.on <= d]
    if m.accepted.start <= d and not any(a.reason == "start" for a in awarded):
        out.append(AwardDue("start", m.accepted.start))
    paid = sum(p.amount for p in m.payments if p.on <= d)
    payments = sorted(m.payments, key=lambda p: p.on)
    renewal_paid_days = []
    prepaid = prepaid_renewal_day(m)
    for c in sorted((c for c in m.charges if not m.void_charge(c)), key=lambda c: c.due_on):
        if paid < c.amount:
            break
        paid -= c.amount
        if not c.renewal and prepaid is not None and c.period_number > 1 and prepaid <= d:
            # IE-A4.1: a secondary acquirer's first renewal whose fee was paid at
            # registration (IE-17.1): due once that renewal happens; staff decide
            # the timing (no 2-week rule), the ledger lists it.
            renewal_paid_days.append(prepaid)
        elif c.renewal:
            # the day the running total of payments first covered this charge
            need = sum(x.amount for x in m.charges if not m.void_charge(x) and x.due_on <= c.due_on)
            run = 0
            for p in payments:
                run += p.amount
                if run >= need:
                    renewal_paid_days.append(max(p.on, c.due_on))
                    break
    given = sum(1 for a in awarded if a.reason == "renewal")
    out.extend(AwardDue("renewal", day) for day in renewal_paid_days[given:])
    return out


def check_through(through: date, day: date) -> None:
    """A renewal run books only what is due by its own day: a period whose last
    day is after the run's effective day is not billed yet (IE-5.4.2 charges on
    the last day itself), so ``through`` may not lie after that day."""
    if through > day:
        from ledger.errors import BadInput

        raise BadInput(
            f"run_renewals: field 'through': {through} is after the run's own day {day}; a run never bills a "
            "period whose last day has not come (IE-5.4.2). Run it on or after that day.",
            f"run_renewals: 欄 'through': {through} は実行日 {day} より後です。末日が来ていない期間は請求しません（IE-5.4.2）。",
            field="through", rule="IE-5.4.2")


def prepaid_renewal_day(m: Member) -> date | None:
    """IE-17.1, IE-A4.1: the renewal date of a secondary acquirer's first renewal
    whose fee was paid at registration (the first fee charged for period 2), or None."""
    if m.acquirer != "secondary" or m.accepted is None:
        return None
    if not any(not c.renewal and c.period_number == 2 and not m.void_charge(c) for c in m.charges):
        return None
    first = next((p for p in m.periods if p.number == 1), None)
    return first.end + dates.ONE_DAY if first is not None else None


def decide_renewals(m: Member, tariffs: list[Tariff], through: date) -> list[Draft]:
    """The renewal run for one membership, for every period whose last day is on
    or before ``through``: charge the next year's fee on that last day at the fee
    for the renewal date (IE-5.4.2, IE-5.3) and renew from the next day (IE-3.5,
    IE-3.2, IE-3.4); or apply the withdrawal due (IE-14.1); or expire after the
    29th renewal (IE-3.5.cap). Suspension does not stop renewals. Idempotent: it
    starts from the periods already recorded, and a fee already charged for a
    period (a secondary acquirer's fee paid at registration, IE-17.1) is not
    charged again.
    """
    if m.accepted is None or m.refused is not None:
        return []
    periods = sorted((p for p in m.periods if not m.void_period(p)), key=lambda p: p.number)
    p = periods[-1]
    drafts: list[Draft] = []
    charged = {c.period_number for c in m.charges if not m.void_charge(c)}
    while p.end <= through:
        renewal_day = p.end + dates.ONE_DAY
        if m.notice is not None and m.notice.effective_on <= renewal_day \
                and m.withdrawn is None and m.revoked is None:
            # book the withdrawal the notice already made true (IE-14.1, IE-3.5)
            drafts.append(Draft(stream(m.member_id), MembershipWithdrawn,
                                {"effective_on": renewal_day, "cause": "notice"}, ("IE-14.1", "IE-3.5"),
                                dates.start_of_day(renewal_day)))
            break
        ceased = m.ceased_on()
        if ceased is not None and ceased <= renewal_day or m.expired is not None:
            break
        if p.number >= 30:
            drafts.append(Draft(stream(m.member_id), MembershipExpired, {"last_day": p.end}, ("IE-3.5.cap",),
                                dates.start_of_day(renewal_day)))
            break
        n = p.number + 1
        if n not in charged:
            tariff = fee_on(tariffs, renewal_day)
            drafts.append(Draft(stream(m.member_id), FeeCharged,
                                {"amount": tariff.amount, "due_on": p.end, "period_number": n},
                                ("IE-5.4.2", "IE-5.3"), dates.start_of_day(p.end)))
        end = dates.period_end(renewal_day, 12)
        drafts.append(Draft(stream(m.member_id), MembershipRenewed,
                            {"period_number": n, "start": renewal_day, "end": end}, ("IE-3.5", "IE-3.2", "IE-3.4"),
                            dates.start_of_day(renewal_day)))
        p = Period(n, renewal_day, end, "")
    return drafts
