"""Input models: the syntax of every command (CONTRACT.md), checked at the edge.

Business rules are not checked here; they live in the ``ledger`` decide
functions. Each model forbids unknown fields so a misspelt field is an error,
not a silently ignored value.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from ledger.dates import JST, jst_date, start_of_day

Id = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
Text = Field(min_length=1, max_length=2000)
Yen = Field(ge=0, le=100_000_000)


class Command(BaseModel):
    """Fields every command may carry: ``on``/``at`` (effective time) and ``command_id``."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    NAME: ClassVar[str] = ""
    GROUP: ClassVar[str] = ""
    VERB: ClassVar[str] = ""

    command: str
    command_id: str | None = Field(default=None, min_length=1, max_length=128)
    on: date | None = None
    at: datetime | None = None

    @model_validator(mode="after")
    def _on_at_agree(self):
        if self.at is not None and self.on is not None and jst_date(self.at_aware) != self.on:
            raise ValueError(f"on ({self.on}) and at ({self.at.isoformat()}) name different days; give one of them")
        return self

    @property
    def at_aware(self) -> datetime:
        assert self.at is not None
        return self.at if self.at.tzinfo else self.at.replace(tzinfo=JST)

    def effective(self, now: datetime) -> datetime:
        """The command's effective time: ``at``, else the start of ``on`` (Japan time), else now."""
        if self.at is not None:
            return self.at_aware
        if self.on is not None:
            return start_of_day(self.on)
        return now


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=320)
    birth_date: date | None = None
    corporation: StrictBool = False


class RegisterProperty(Command):
    NAME, GROUP, VERB = "register_property", "property", "register"
    command: Literal["register_property"] = "register_property"
    property_id: str = Id
    delivered_on: date
    floors: int = Field(ge=1, le=200)
    builder: str = Field(min_length=1, max_length=200)
    certified: StrictBool


class AnnounceFee(Command):
    NAME, GROUP, VERB = "announce_fee", "fee", "announce"
    command: Literal["announce_fee"] = "announce_fee"
    amount: int = Field(gt=0, le=10_000_000)
    reason: Literal["revision", "tax_rate"] = "revision"


class ApplyMembership(Command):
    NAME, GROUP, VERB = "apply_membership", "member", "apply"
    command: Literal["apply_membership"] = "apply_membership"
    member_id: str = Id
    property_id: str = Id
    acquirer: Literal["primary", "secondary"] = "primary"
    applicant: Person
    points: StrictBool = False
    previous_member_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    transfer_on: date | None = None
    transfer_kind: Literal["sale", "inheritance"] | None = None


class RecordConsent(Command):
    NAME, GROUP, VERB = "record_consent", "member", "consent"
    command: Literal["record_consent"] = "record_consent"
    member_id: str = Id
    kind: Literal["privacy_policy", "operator_provision", "guardian"]


class WithdrawConsent(Command):
    NAME, GROUP, VERB = "withdraw_consent", "member", "withdraw-consent"
    command: Literal["withdraw_consent"] = "withdraw_consent"
    member_id: str = Id
    kind: Literal["privacy_policy", "operator_provision", "guardian"]


class RegisterCard(Command):
    NAME, GROUP, VERB = "register_card", "member", "card"
    command: Literal["register_card"] = "register_card"
    member_id: str = Id
    # A token starts with a letter, so a card number (all digits) can never be
    # stored by mistake (IE-2.1: the ledger keeps only the processor's token).
    card_token: str = Field(min_length=4, max_length=128)

    @field_validator("card_token")
    @classmethod
    def _token_not_number(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_\-]+", v):
            raise ValueError("must be the card processor's token (a letter, then letters, digits, _ or -), never a card number")
        return v


class ExtendRegistrationDeadline(Command):
    NAME, GROUP, VERB = "extend_registration_deadline", "member", "extend-deadline"
    command: Literal["extend_registration_deadline"] = "extend_registration_deadline"
    member_id: str = Id
    until: date


class AcceptRegistration(Command):
    NAME, GROUP, VERB = "accept_registration", "member", "accept"
    command: Literal["accept_registration"] = "accept_registration"
    member_id: str = Id


class RefuseRegistration(Command):
    NAME, GROUP, VERB = "refuse_registration", "member", "refuse"
    command: Literal["refuse_registration"] = "refuse_registration"
    member_id: str = Id
    rule: str = Field(pattern=r"^IE-[0-9A-Za-z.\-]+$")
    reason: str | None = Field(default=None, max_length=2000)
    override_reason: str | None = Field(default=None, max_length=2000)


class RecordPayment(Command):
    NAME, GROUP, VERB = "record_payment", "member", "pay"
    command: Literal["record_payment"] = "record_payment"
    member_id: str = Id
    amount: int = Field(gt=0, le=10_000_000)
    payment_ref: str = Field(min_length=1, max_length=128)


class RecordPaymentFailure(Command):
    NAME, GROUP, VERB = "record_payment_failure", "member", "payment-failed"
    command: Literal["record_payment_failure"] = "record_payment_failure"
    member_id: str = Id
    amount: int = Field(gt=0, le=10_000_000)
    payment_ref: str = Field(min_length=1, max_length=128)


class Retract(Command):
    NAME, GROUP, VERB = "retract", "fact", "retract"
    command: Literal["retract"] = "retract"
    event_id: str = Field(min_length=3, max_length=200, pattern=r"^[a-z_]+:.+#\d+$")
    reason: str = Text
