"""Handlers of the Ie-Sapo membership commands: load -> decide (ledger.member) -> drafts."""
from __future__ import annotations

from datetime import datetime

from commands import models as m
from commands.handlers import Unit, handles
from ledger import fees, member, property as prop
from ledger.dates import jst_date
from ledger.facts import Draft, visible


def load_member(u: Unit, member_id: str, eff: datetime) -> member.Member:
    return member.require(member.fold(member_id, u.known(member.stream(member_id), eff)), member_id)


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
    return member.decide_accept(mem, house, tariffs, jst_date(eff))


@handles(m.RefuseRegistration)
def refuse_registration(u: Unit, c: m.RefuseRegistration, eff: datetime) -> list[Draft]:
    return member.decide_refuse(load_member(u, c.member_id, eff), c.rule, c.reason, c.override_reason)


@handles(m.RecordPayment)
def record_payment(u: Unit, c: m.RecordPayment, eff: datetime) -> list[Draft]:
    return member.decide_payment(load_member(u, c.member_id, eff), c.amount, c.payment_ref, jst_date(eff), False)


@handles(m.RecordPaymentFailure)
def record_payment_failure(u: Unit, c: m.RecordPaymentFailure, eff: datetime) -> list[Draft]:
    return member.decide_payment(load_member(u, c.member_id, eff), c.amount, c.payment_ref, jst_date(eff), True)
