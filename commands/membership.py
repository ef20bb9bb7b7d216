"""Handlers of the Ie-Sapo membership commands: load -> decide (ledger.member) -> drafts."""
from __future__ import annotations

from datetime import datetime

from commands import models as m
from commands.registry import Unit, handles
from ledger import fees, inspection, member, property as prop, readmodel
from ledger.dates import jst_date
from ledger.facts import Draft, visible


def load_member(u: Unit, member_id: str, eff: datetime) -> member.Member:
    # The member may exist, only not yet on the command's day: require_known says so.
    return member.require_known(member.fold(member_id, u.known(member.stream(member_id), eff)), member_id,
                                u.read(member.stream(member_id)))


def load_property(u: Unit, property_id: str, eff: datetime) -> prop.Property:
    return prop.require(prop.fold(u.known(prop.stream(property_id), eff)), property_id)


@handles(m.RegisterProperty)
def register_property(u: Unit, c: m.RegisterProperty, eff: datetime) -> list[Draft]:
    existing = prop.fold(visible(u.read(prop.stream(c.property_id))))
    return prop.decide_register(existing, c.property_id, c.delivered_on, c.floors, c.builder, c.certified)


@handles(m.AnnounceFee)
def announce_fee(u: Unit, c: m.AnnounceFee, eff: datetime) -> list[Draft]:
    return fees.decide_announce(fees.fold(visible(u.read(fees.STREAM))), c.amount, c.reason, jst_date(eff))


@handles(m.ApplyMembership)
def apply_membership(u: Unit, c: m.ApplyMembership, eff: datetime) -> list[Draft]:
    existing = member.fold(c.member_id, visible(u.read(member.stream(c.member_id))))
    house = load_property(u, c.property_id, eff)
    previous = None
    if c.acquirer == "secondary" and c.previous_member_id:
        previous = member.fold(c.previous_member_id, u.known(member.stream(c.previous_member_id), eff))
    a = c.applicant
    return member.decide_apply(
        existing, house, previous, member_id=c.member_id, acquirer=c.acquirer,
        applicant=member.Personal(name=a.name, address=a.address, phone=a.phone, email=a.email, birth_date=a.birth_date),
        corporation=a.corporation, points=c.points, on=jst_date(eff), previous_member_id=c.previous_member_id,
        transfer_on=c.transfer_on, transfer_kind=c.transfer_kind,
        current_member=house_member_in_force(u, house, eff) if c.acquirer == "primary" else None,
    )


@handles(m.RecordConsent)
def record_consent(u: Unit, c: m.RecordConsent, eff: datetime) -> list[Draft]:
    return member.decide_consent(load_member(u, c.member_id, eff), c.kind, True, jst_date(eff))


@handles(m.WithdrawConsent)
def withdraw_consent(u: Unit, c: m.WithdrawConsent, eff: datetime) -> list[Draft]:
    return member.decide_consent(load_member(u, c.member_id, eff), c.kind, False, jst_date(eff))


@handles(m.RegisterCard)
def register_card(u: Unit, c: m.RegisterCard, eff: datetime) -> list[Draft]:
    return member.decide_card(load_member(u, c.member_id, eff), c.card_token)


@handles(m.ExtendRegistrationDeadline)
def extend_registration_deadline(u: Unit, c: m.ExtendRegistrationDeadline, eff: datetime) -> list[Draft]:
    return member.decide_extend(load_member(u, c.member_id, eff), c.until)


@handles(m.AcceptRegistration)
def accept_registration(u: Unit, c: m.AcceptRegistration, eff: datetime) -> list[Draft]:
    mem = load_member(u, c.member_id, eff)
    house = load_property(u, mem.property_id, eff)
    tariffs = fees.fold(visible(u.read(fees.STREAM)))
    previous = None
    if mem.acquirer == "secondary" and mem.previous_member_id:
        previous = member.fold(mem.previous_member_id, visible(u.read(member.stream(mem.previous_member_id))))
    current = house_member_in_force(u, house, eff, besides=mem.member_id) if mem.acquirer == "primary" else None
    return member.decide_accept(mem, house, tariffs, jst_date(eff), previous, current_member=current)


@handles(m.RefuseRegistration)
def refuse_registration(u: Unit, c: m.RefuseRegistration, eff: datetime) -> list[Draft]:
    mem = load_member(u, c.member_id, eff)
    previous = None
    if mem.acquirer == "secondary" and mem.previous_member_id:
        previous = member.fold(mem.previous_member_id, u.known(member.stream(mem.previous_member_id), eff))
    return member.decide_refuse(mem, c.rule, c.reason, c.override_reason, jst_date(eff), previous)


@handles(m.RecordPayment)
def record_payment(u: Unit, c: m.RecordPayment, eff: datetime) -> list[Draft]:
    return member.decide_payment(load_member(u, c.member_id, eff), c.amount, c.payment_ref, jst_date(eff), False)


@handles(m.RecordPaymentFailure)
def record_payment_failure(u: Unit, c: m.RecordPaymentFailure, eff: datetime) -> list[Draft]:
    return member.decide_payment(load_member(u, c.member_id, eff), c.amount, c.payment_ref, jst_date(eff), True)


# --- the lifecycle ------------------------------------------------------------------


def member_ids(u: Unit) -> list[str]:
    """Every member in the store, in the order their streams began: from the read model
    (``ledger.readmodel``), or, on a store whose read model lags, from a scan of the log."""
    if u.app.readmodel_current():
        return u.app.readmodel(readmodel.member_ids)
    seen: dict[str, None] = {}
    for _, stream, _, _ in u.app.iter_stored():
        if member.is_stream(stream):
            seen.setdefault(member.ident(stream), None)
    return list(seen)


def property_grounds(u: Unit, mem: member.Member, eff: datetime) -> list[member.Ground]:
    """Detected grounds that live on another stream: IE-14.3.8, an inspection
    the member's circumstances prevented (the house's inspection stream)."""
    return inspection.inspection_grounds(u.known(inspection.stream(mem.property_id), eff), mem.member_id, jst_date(eff))


@handles(m.RunRenewals)
def run_renewals(u: Unit, c: m.RunRenewals, eff: datetime) -> list[Draft]:
    member.check_through(c.through, jst_date(eff))
    tariffs = fees.fold(visible(u.read(fees.STREAM)))
    drafts: list[Draft] = []
    for mid in member_ids(u):
        mem = member.fold(mid, visible(u.read(member.stream(mid))))
        if mem is not None:
            drafts.extend(member.decide_renewals(mem, tariffs, c.through))
    return drafts


@handles(m.GiveWithdrawalNotice)
def give_withdrawal_notice(u: Unit, c: m.GiveWithdrawalNotice, eff: datetime) -> list[Draft]:
    return member.decide_withdrawal_notice(load_member(u, c.member_id, eff), jst_date(eff))


@handles(m.NotifyOwnerChange)
def notify_owner_change(u: Unit, c: m.NotifyOwnerChange, eff: datetime) -> list[Draft]:
    return member.decide_owner_change(load_member(u, c.member_id, eff), c.kind, c.change_on, jst_date(eff))


@handles(m.Suspend)
def suspend(u: Unit, c: m.Suspend, eff: datetime) -> list[Draft]:
    mem = load_member(u, c.member_id, eff)
    return member.decide_suspend(mem, c.rule, jst_date(eff), c.reason, c.override_reason,
                                 property_grounds(u, mem, eff))


@handles(m.LiftSuspension)
def lift_suspension(u: Unit, c: m.LiftSuspension, eff: datetime) -> list[Draft]:
    return member.decide_lift(load_member(u, c.member_id, eff), c.rule, jst_date(eff), c.reason or c.override_reason)


@handles(m.Revoke)
def revoke(u: Unit, c: m.Revoke, eff: datetime) -> list[Draft]:
    mem = load_member(u, c.member_id, eff)
    return member.decide_revoke(mem, c.rule, jst_date(eff), c.reason, c.override_reason,
                                property_grounds(u, mem, eff))


@handles(m.Refund)
def refund(u: Unit, c: m.Refund, eff: datetime) -> list[Draft]:
    return member.decide_refund(load_member(u, c.member_id, eff), c.reason, jst_date(eff))


@handles(m.ReportCardSuspended)
def report_card_suspended(u: Unit, c: m.ReportCardSuspended, eff: datetime) -> list[Draft]:
    return member.decide_card_suspended(load_member(u, c.member_id, eff), c.card_token, c.scope, jst_date(eff))


@handles(m.ApplyRental)
def apply_rental(u: Unit, c: m.ApplyRental, eff: datetime) -> list[Draft]:
    return member.decide_rental_apply(load_member(u, c.member_id, eff), c.lease_start, jst_date(eff), c.override_reason)


@handles(m.ApproveRental)
def approve_rental(u: Unit, c: m.ApproveRental, eff: datetime) -> list[Draft]:
    return member.decide_rental(load_member(u, c.member_id, eff), "approve", jst_date(eff))


@handles(m.RejectRental)
def reject_rental(u: Unit, c: m.RejectRental, eff: datetime) -> list[Draft]:
    return member.decide_rental(load_member(u, c.member_id, eff), "reject", jst_date(eff), c.reason)


@handles(m.EndRental)
def end_rental(u: Unit, c: m.EndRental, eff: datetime) -> list[Draft]:
    return member.decide_rental(load_member(u, c.member_id, eff), "end", jst_date(eff))


@handles(m.ReportUnapprovedRental)
def report_unapproved_rental(u: Unit, c: m.ReportUnapprovedRental, eff: datetime) -> list[Draft]:
    return member.decide_unapproved_rental(load_member(u, c.member_id, eff), jst_date(eff), c.note)


@handles(m.AwardPoints)
def award_points(u: Unit, c: m.AwardPoints, eff: datetime) -> list[Draft]:
    return member.decide_points(load_member(u, c.member_id, eff), c.points, c.reason, jst_date(eff))


def current_member(u: Unit, house: prop.Property, eff: datetime) -> tuple[str | None, str | None]:
    """The property's member on the command's day (the latest accepted one still a member)."""
    d = jst_date(eff)
    for mid in (h.member_id for h in reversed(house.members)):
        mem = member.fold(mid, u.known(member.stream(mid), eff))
        if mem is not None and mem.accepted is not None:
            return mid, mem.state_on(d)
    return None, None


def house_member_in_force(u: Unit, house: prop.Property, eff: datetime, besides: str | None = None) -> str | None:
    """The member of the house who is still a member (accepted, active or
    suspended) on the command's day, if any: a house has one membership at a time."""
    d = jst_date(eff)
    for mid in (h.member_id for h in reversed(house.members)):
        if mid == besides:
            continue
        mem = member.fold(mid, u.known(member.stream(mid), eff))
        if mem is not None and mem.accepted is not None and mem.state_on(d) in member.MEMBER_STATES:
            return mid
    return None


def _warranty(step: str):
    def handler(u: Unit, c, eff: datetime) -> list[Draft]:
        house = load_property(u, c.property_id, eff)
        mid, state = current_member(u, house, eff) if step == "grant" else (None, None)
        return prop.decide_warranty_step(house, step, jst_date(eff), mid, state)

    return handler


@handles(m.SetWarrantyPeriod)
def set_warranty_period(u: Unit, c: m.SetWarrantyPeriod, eff: datetime) -> list[Draft]:
    return prop.decide_warranty_period(load_property(u, c.property_id, eff), c.work_by, c.inspection_by, jst_date(eff))


handles(m.OrderMaintenance)(_warranty("order"))
handles(m.PassCompletionInspection)(_warranty("pass"))
handles(m.GrantExtendedWarranty)(_warranty("grant"))
