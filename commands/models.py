"""Input models: the syntax of every command (CONTRACT.md), checked at the edge.

Business rules are not checked here; they live in the ``ledger`` decide
functions. Each model forbids unknown fields so a misspelt field is an error,
not a silently ignored value.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

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
    EXAMPLE: ClassVar[str] = ""

    @classmethod
    def summary(cls) -> str:
        """The first line of the model's docstring: the command's one-line help."""
        return (cls.__doc__ or cls.NAME).strip().splitlines()[0]

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
    """Register a delivered house (IE-1.3)."""

    EXAMPLE = "ledger property register --property-id P-1001 --delivered-on 2025-03-15 --floors 2 --builder company --certified"
    NAME, GROUP, VERB = "register_property", "property", "register"
    command: Literal["register_property"] = "register_property"
    property_id: str = Id
    delivered_on: date
    floors: StrictInt = Field(ge=1, le=200)
    builder: str = Field(min_length=1, max_length=200)
    certified: StrictBool


class AnnounceFee(Command):
    """Announce the annual fee; a revision applies to renewals 2 months on (IE-5.3), a tax-rate change at once (IE-5.1.tax)."""

    EXAMPLE = "ledger fee announce --amount 5500 --on 2025-01-01"
    NAME, GROUP, VERB = "announce_fee", "fee", "announce"
    command: Literal["announce_fee"] = "announce_fee"
    amount: StrictInt = Field(gt=0, le=10_000_000)
    reason: Literal["revision", "tax_rate"] = "revision"


class ApplyMembership(Command):
    """Record an Ie-Sapo application form (IE-1.4, IE-2.1)."""

    EXAMPLE = "ledger member apply --member-id M-0042 --property-id P-1001 --applicant-name '山田 太郎' --on 2025-03-01"
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
    """Record a consent: privacy_policy (IE-19.1), operator_provision (IE-19.3), guardian (IE-2.2)."""

    EXAMPLE = "ledger member consent --member-id M-0042 --kind privacy_policy --on 2025-03-01"
    NAME, GROUP, VERB = "record_consent", "member", "consent"
    command: Literal["record_consent"] = "record_consent"
    member_id: str = Id
    kind: Literal["privacy_policy", "operator_provision", "guardian"]


class WithdrawConsent(Command):
    """Record that the member withdrew a consent (IE-19.3, IE-14.3.10)."""

    EXAMPLE = "ledger member withdraw-consent --member-id M-0042 --kind operator_provision"
    NAME, GROUP, VERB = "withdraw_consent", "member", "withdraw-consent"
    command: Literal["withdraw_consent"] = "withdraw_consent"
    member_id: str = Id
    kind: Literal["privacy_policy", "operator_provision", "guardian"]


class RegisterCard(Command):
    """Register a payment card by its processor token, never its number (IE-2.1)."""

    EXAMPLE = "ledger member card --member-id M-0042 --card-token tok_4f9a2c --on 2025-03-02"
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
    """Extend (or designate) the registration deadline (IE-2.3.1, IE-2.3.2)."""

    EXAMPLE = "ledger member extend-deadline --member-id M-0042 --until 2025-04-30"
    NAME, GROUP, VERB = "extend_registration_deadline", "member", "extend-deadline"
    command: Literal["extend_registration_deadline"] = "extend_registration_deadline"
    member_id: str = Id
    until: date


class AcceptRegistration(Command):
    """The company accepts the registration: fixes the first period and charges the first fee (IE-3.1, IE-5.1.first)."""

    EXAMPLE = "ledger member accept --member-id M-0042 --on 2025-03-10"
    NAME, GROUP, VERB = "accept_registration", "member", "accept"
    command: Literal["accept_registration"] = "accept_registration"
    member_id: str = Id


class RefuseRegistration(Command):
    """The company refuses the registration, citing the ground's rule id."""

    EXAMPLE = "ledger member refuse --member-id M-0042 --rule IE-17.2.4 --reason 'no photo ID'"
    NAME, GROUP, VERB = "refuse_registration", "member", "refuse"
    command: Literal["refuse_registration"] = "refuse_registration"
    member_id: str = Id
    rule: str = Field(pattern=r"^IE-[0-9A-Za-z.\-]+$")
    reason: str | None = Field(default=None, max_length=2000)
    override_reason: str | None = Field(default=None, max_length=2000)


class RecordPayment(Command):
    """Record a confirmed fee payment."""

    EXAMPLE = "ledger member pay --member-id M-0042 --amount 5500 --payment-ref PAY-9001 --on 2025-03-12"
    NAME, GROUP, VERB = "record_payment", "member", "pay"
    command: Literal["record_payment"] = "record_payment"
    member_id: str = Id
    amount: StrictInt = Field(gt=0, le=10_000_000)
    payment_ref: str = Field(min_length=1, max_length=128)


class RecordPaymentFailure(Command):
    """Record a declined card charge."""

    EXAMPLE = "ledger member payment-failed --member-id M-0042 --amount 5500 --payment-ref PAY-9002"
    NAME, GROUP, VERB = "record_payment_failure", "member", "payment-failed"
    command: Literal["record_payment_failure"] = "record_payment_failure"
    member_id: str = Id
    amount: StrictInt = Field(gt=0, le=10_000_000)
    payment_ref: str = Field(min_length=1, max_length=128)


class Retract(Command):
    """Retract a fact recorded by mistake (with the facts recorded in the same append on its stream)."""

    EXAMPLE = "ledger fact retract --event-id member:M-0042#5 --reason 'entered for the wrong member'"
    NAME, GROUP, VERB = "retract", "fact", "retract"
    command: Literal["retract"] = "retract"
    event_id: str = Field(min_length=3, max_length=200, pattern=r"^[a-z_]+:.+#\d+$")
    reason: str = Text


# --- the lifecycle (issue 3) --------------------------------------------------------

Rule = Field(pattern=r"^IE-[0-9A-Za-z.\-]+$", max_length=40)
Reason = Field(default=None, min_length=1, max_length=2000)


class RunRenewals(Command):
    """Renew every membership whose period ends by THROUGH: charge, renew, withdraw or expire (IE-3.5, IE-5.4.2)."""

    EXAMPLE = "ledger renewals run --through 2026-03-31"
    NAME, GROUP, VERB = "run_renewals", "renewals", "run"
    command: Literal["run_renewals"] = "run_renewals"
    through: date


class GiveWithdrawalNotice(Command):
    """Record the member's notice of withdrawal; it takes effect at a period end (IE-3.5, IE-14.1)."""

    EXAMPLE = "ledger member withdraw --member-id M-0042 --on 2026-01-31"
    NAME, GROUP, VERB = "give_withdrawal_notice", "member", "withdraw"
    command: Literal["give_withdrawal_notice"] = "give_withdrawal_notice"
    member_id: str = Id


class NotifyOwnerChange(Command):
    """Record notice of a change of owner or user; due in advance, inheritance within 1 month (IE-15.1)."""

    EXAMPLE = "ledger member owner-change --member-id M-0042 --kind sale --change-on 2026-07-20 --on 2026-07-01"
    NAME, GROUP, VERB = "notify_owner_change", "member", "owner-change"
    command: Literal["notify_owner_change"] = "notify_owner_change"
    member_id: str = Id
    kind: Literal["sale", "inheritance", "user"]
    change_on: date


class Suspend(Command):
    """Suspend a member on a ground of IE-13.1.x (detected grounds must be in force unless overridden)."""

    EXAMPLE = "ledger member suspend --member-id M-0042 --rule IE-13.1.2 --on 2026-04-10"
    NAME, GROUP, VERB = "suspend", "member", "suspend"
    command: Literal["suspend"] = "suspend"
    member_id: str = Id
    rule: str = Rule
    reason: str | None = Reason
    override_reason: str | None = Reason


class LiftSuspension(Command):
    """Lift a suspension (IE-13.1)."""

    EXAMPLE = "ledger member lift-suspension --member-id M-0042 --rule IE-13.1.2 --on 2026-04-20"
    NAME, GROUP, VERB = "lift_suspension", "member", "lift-suspension"
    command: Literal["lift_suspension"] = "lift_suspension"
    member_id: str = Id
    rule: str = Rule
    reason: str | None = Reason
    override_reason: str | None = Reason  # accepted for symmetry with suspend; recorded as the reason


class Revoke(Command):
    """Revoke a membership on a ground of IE-14.3.x; deemed withdrawn at once, arrears survive (IE-14.4, IE-14.5)."""

    EXAMPLE = "ledger member revoke --member-id M-0042 --rule IE-14.3.3 --on 2026-05-01"
    NAME, GROUP, VERB = "revoke", "member", "revoke"
    command: Literal["revoke"] = "revoke"
    member_id: str = Id
    rule: str = Rule
    reason: str | None = Reason
    override_reason: str | None = Reason


class Refund(Command):
    """Refund the latest paid fee for an unavoidable reason, less the handling fee (IE-5.2)."""

    EXAMPLE = "ledger member refund --member-id M-0042 --reason loan_contingency"
    NAME, GROUP, VERB = "refund", "member", "refund"
    command: Literal["refund"] = "refund"
    member_id: str = Id
    reason: Literal["unavoidable", "loan_contingency"]


class ReportCardSuspended(Command):
    """Record that the card company suspended the card or the cardholder status (IE-5.4.4, IE-14.3.3)."""

    EXAMPLE = "ledger member card-suspended --member-id M-0042 --card-token tok_4f9a2c"
    NAME, GROUP, VERB = "report_card_suspended", "member", "card-suspended"
    command: Literal["report_card_suspended"] = "report_card_suspended"
    member_id: str = Id
    card_token: str = Field(min_length=1, max_length=128)
    scope: Literal["cardholder_status", "card_use"] = "cardholder_status"


class ApplyRental(Command):
    """Record a rental application, due 1 month before the lease starts (IE-18.1)."""

    EXAMPLE = "ledger member rental-apply --member-id M-0042 --lease-start 2026-05-01 --on 2026-03-31"
    NAME, GROUP, VERB = "apply_rental", "member", "rental-apply"
    command: Literal["apply_rental"] = "apply_rental"
    member_id: str = Id
    lease_start: date
    override_reason: str | None = Reason


class ApproveRental(Command):
    """Approve the pending rental application (IE-18.1); services stop during the lease (IE-18)."""

    EXAMPLE = "ledger member rental-approve --member-id M-0042 --on 2026-04-05"
    NAME, GROUP, VERB = "approve_rental", "member", "rental-approve"
    command: Literal["approve_rental"] = "approve_rental"
    member_id: str = Id


class RejectRental(Command):
    """Reject the pending rental application (IE-18.1)."""

    EXAMPLE = "ledger member rental-reject --member-id M-0042 --reason 'tenant refused to co-sign'"
    NAME, GROUP, VERB = "reject_rental", "member", "rental-reject"
    command: Literal["reject_rental"] = "reject_rental"
    member_id: str = Id
    reason: str | None = Reason


class EndRental(Command):
    """Record the end of the approved lease; services resume (IE-18)."""

    EXAMPLE = "ledger member rental-end --member-id M-0042 --on 2027-04-30"
    NAME, GROUP, VERB = "end_rental", "member", "rental-end"
    command: Literal["end_rental"] = "end_rental"
    member_id: str = Id


class ReportUnapprovedRental(Command):
    """Record that the house is let without approval: a suspension ground (IE-13.1.6)."""

    EXAMPLE = "ledger member rental-unapproved --member-id M-0042 --note 'tenant answered the door'"
    NAME, GROUP, VERB = "report_unapproved_rental", "member", "rental-unapproved"
    command: Literal["report_unapproved_rental"] = "report_unapproved_rental"
    member_id: str = Id
    note: str | None = Reason


class AwardPoints(Command):
    """Record KEIAI points awarded for a start or a renewal payment (IE-A4.1)."""

    EXAMPLE = "ledger benefit points --member-id M-0042 --points 500 --reason start"
    NAME, GROUP, VERB = "award_points", "benefit", "points"
    command: Literal["award_points"] = "award_points"
    member_id: str = Id
    points: StrictInt = Field(gt=0, le=1_000_000)
    reason: Literal["start", "renewal"]


class OrderMaintenance(Command):
    """Record the owner's order of the maintenance work the extended warranty needs (IE-A3)."""

    EXAMPLE = "ledger benefit order-maintenance --property-id P-1001 --on 2034-10-01"
    NAME, GROUP, VERB = "order_maintenance", "benefit", "order-maintenance"
    command: Literal["order_maintenance"] = "order_maintenance"
    property_id: str = Id


class SetWarrantyPeriod(Command):
    """Record the period the inspection company set for the warranty's maintenance work and completion inspection (IE-A3)."""

    EXAMPLE = ("ledger benefit warranty-period --property-id P-1001 --work-by 2034-12-31 --inspection-by 2035-02-28 "
               "--on 2034-06-01")
    NAME, GROUP, VERB = "set_warranty_period", "benefit", "warranty-period"
    command: Literal["set_warranty_period"] = "set_warranty_period"
    property_id: str = Id
    work_by: date = Field(description="Last day for the required maintenance work, as the inspection company set it.")
    inspection_by: date = Field(description="Last day for its completion inspection, as the inspection company set it.")


class PassCompletionInspection(Command):
    """Record that the maintenance work passed its completion inspection (IE-A3)."""

    EXAMPLE = "ledger benefit pass-inspection --property-id P-1001 --on 2034-12-01"
    NAME, GROUP, VERB = "pass_completion_inspection", "benefit", "pass-inspection"
    command: Literal["pass_completion_inspection"] = "pass_completion_inspection"
    property_id: str = Id


class GrantExtendedWarranty(Command):
    """Grant the insured extended warranty to the property's current member (IE-A3, IE-14.6)."""

    EXAMPLE = "ledger benefit grant-warranty --property-id P-1001 --on 2035-01-10"
    NAME, GROUP, VERB = "grant_extended_warranty", "benefit", "grant-warranty"
    command: Literal["grant_extended_warranty"] = "grant_extended_warranty"
    property_id: str = Id
