"""Event classes: the ledger's storage contract.

Every class here is a fact as stored. Its ``TYPE``, written literally in the
class, is the stored topic and must never change: renaming a class keeps its
``TYPE``; a change of meaning is a new class. Its ``VERSION`` is the version of
its stored shape, written into every stored fact as ``class_version`` (a fact
stored before versions existed reads as version 1). A change of shape bumps
``VERSION`` and adds a static ``upcast_v<n>_v<n+1>(state)`` that turns the
stored state of version n into that of n+1 in place; the store's mapper runs
them in turn when it reads an older fact (the eventsourcing library's upcast
loop). ``tests/golden/event_schemas.json`` pins every shape: regenerate it with
``python tools/golden_events.py`` after bumping. Adding a field with a default
is a change of shape too (its upcaster may be a no-op).

Every event carries the envelope of ``Event``: its stream and position, when it
was true (``effective``), when the ledger learned it (``recorded``), who recorded
it (``actor``), the command it came from, the id of the append it was part of
(``batch``) and the rule ids that produced it.

Resolved values (computed dates and amounts) are stored, so replay never
re-runs a rule.

Personal data lives only in fields of type ``Personal``: the store treats them
as personal information (IE-19.10) and never in any other shape.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from ledger.dates import jst_date

EVENT_TYPES: dict[str, type["Event"]] = {}


class Personal(BaseModel):
    """Personal information of one person (IE-19): stored apart from the facts.

    Stored encrypted under its subject's key (``ledger.keys``). Read back with
    every field None and ``erased`` set once the subject was erased
    (IE-19.10), or ``withheld`` set for a reader without the keys (an auditor).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")
    name: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    birth_date: date | None = None
    erased: bool = False
    withheld: bool = False


class Event(BaseModel):
    """The envelope every stored fact carries.

    Made strictly, read leniently: constructing an event (``Event(**fields)``, a
    ``Draft``) refuses a field the class does not have (``extra="forbid"``), so a
    misspelt field fails where it is written; the store decodes a stored fact with
    ``extra="ignore"`` (``ledger.store.LedgerMapper.decode``), so fields a class no
    longer has never make a replay fail.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1

    originator_id: str
    originator_version: int
    recorded: datetime
    effective: datetime
    actor: str
    command_id: str | None = None
    batch: str = ""
    rules: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        # The topic is written in the class, never derived from its name: a rename
        # must not orphan the facts already stored under the old name.
        if not cls.__dict__.get("TYPE"):
            raise TypeError(f"event class {cls.__name__} must pin its stored TYPE literally: "
                            f'TYPE: ClassVar[str] = "{cls.__name__}"')
        if "VERSION" not in cls.__dict__ or cls.VERSION < 1:
            raise TypeError(f"event class {cls.__name__} must state its VERSION (1 for a new event)")
        missing = [f"upcast_v{n}_v{n + 1}" for n in range(1, cls.VERSION) if not hasattr(cls, f"upcast_v{n}_v{n + 1}")]
        if missing:
            raise TypeError(f"event class {cls.__name__} is at VERSION {cls.VERSION} but lacks {', '.join(missing)}")
        if cls.TYPE in EVENT_TYPES:
            raise TypeError(f"event type {cls.TYPE} registered twice")
        EVENT_TYPES[cls.TYPE] = cls

    @property
    def event_id(self) -> str:
        return f"{self.originator_id}#{self.originator_version}"

    @property
    def stream(self) -> str:
        return self.originator_id

    @property
    def on(self) -> date:
        """The effective date in Japan time."""
        return jst_date(self.effective)


def unknown_fields(cls: type[Event], data: dict) -> None:
    """Refuse a field ``cls`` does not have (a misspelt ``overide_reason`` must not vanish):
    checked when a ``Draft`` is made, so the decision that wrote it fails in its own test."""
    unknown = data.keys() - cls.model_fields.keys()
    if unknown:
        raise TypeError(f"{cls.TYPE} has no field {', '.join(sorted(unknown))}; "
                        f"its fields are {', '.join(cls.model_fields)}")


def upcast(cls: type[Event], state: dict) -> dict:
    """Bring the stored ``state`` of an older version of ``cls`` up to ``cls.VERSION``, in place.

    ``class_version`` is removed; a fact stored without it is version 1."""
    version = state.pop("class_version", 1)
    while version < cls.VERSION:
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    return state


def stream_of(event_id: str) -> tuple[str, int]:
    """Split ``member:M-0042#3`` into its stream and position."""
    stream, _, version = event_id.rpartition("#")
    return stream, int(version)


# --- shared facts -----------------------------------------------------------


class FactRetracted(Event):
    """Facts recorded by mistake are withdrawn from every view known after this."""

    TYPE: ClassVar[str] = "FactRetracted"
    VERSION: ClassVar[int] = 1

    targets: tuple[str, ...]
    reason: str


class CommandRecorded(Event):
    """A command with this command_id was applied (its receipt, for safe retries)."""

    TYPE: ClassVar[str] = "CommandRecorded"
    VERSION: ClassVar[int] = 1

    command: str
    events: tuple[str, ...] = ()


# --- properties and the fee schedule ----------------------------------------


class PropertyRegistered(Event):
    """A house was delivered and entered in the register (IE-1.3)."""

    TYPE: ClassVar[str] = "PropertyRegistered"
    VERSION: ClassVar[int] = 1

    property_id: str
    delivered_on: date
    floors: int
    builder: str
    certified: bool
    base_date: date


class PropertyMemberRegistered(Event):
    """A membership for this house was accepted (the link a property's history follows across owners, IE-19.5)."""

    TYPE: ClassVar[str] = "PropertyMemberRegistered"
    VERSION: ClassVar[int] = 1

    member_id: str
    acquirer: Literal["primary", "secondary"]
    start: date


class FeeAnnounced(Event):
    """The annual fee (yen, tax included) was announced (IE-5.1, IE-5.3, IE-5.1.tax)."""

    TYPE: ClassVar[str] = "FeeAnnounced"
    VERSION: ClassVar[int] = 1

    amount: int
    reason: Literal["initial", "revision", "tax_rate"]
    applies_from: date


# --- Ie-Sapo membership -----------------------------------------------------


class MembershipApplied(Event):
    """An application form for the Ie-Sapo membership was received (IE-2.1)."""

    TYPE: ClassVar[str] = "MembershipApplied"
    VERSION: ClassVar[int] = 1

    member_id: str
    property_id: str
    acquirer: Literal["primary", "secondary"]
    applicant: Personal
    corporation: bool = False
    minor: bool = False
    points: bool = False
    previous_member_id: str | None = None
    transfer_on: date | None = None
    transfer_kind: Literal["sale", "inheritance"] | None = None


class ConsentRecorded(Event):
    """The member gave a consent (IE-19.1 privacy policy, IE-19.3 operator, IE-2.2 guardian)."""

    TYPE: ClassVar[str] = "ConsentRecorded"
    VERSION: ClassVar[int] = 1

    kind: Literal["privacy_policy", "operator_provision", "guardian"]


class ConsentWithdrawn(Event):
    """The member withdrew a consent (IE-19.3, IE-14.3.10)."""

    TYPE: ClassVar[str] = "ConsentWithdrawn"
    VERSION: ClassVar[int] = 1

    kind: Literal["privacy_policy", "operator_provision", "guardian"]


class CardRegistered(Event):
    """A payment card was registered; only the processor's token is kept (IE-2.1, IE-5.4.3)."""

    TYPE: ClassVar[str] = "CardRegistered"
    VERSION: ClassVar[int] = 1

    card_token: str


class CardSuspensionReported(Event):
    """The card company suspended the card's use or the member's cardholder status (IE-5.4.4, IE-14.3.3)."""

    TYPE: ClassVar[str] = "CardSuspensionReported"
    VERSION: ClassVar[int] = 1

    card_token: str
    # Art. 14(3)(iii) names only the cardholder status (カード会員資格); a
    # suspension of the card's use alone (Art. 5(4)(iv)) is not a revocation ground.
    scope: Literal["cardholder_status", "card_use"] = "cardholder_status"


class RegistrationDeadlineExtended(Event):
    """The company extended (or designated) the registration deadline (IE-2.3.1, IE-2.3.2)."""

    TYPE: ClassVar[str] = "RegistrationDeadlineExtended"
    VERSION: ClassVar[int] = 1

    until: date


class RegistrationAccepted(Event):
    """The company accepted the registration; the membership's first period is fixed (IE-3.1, IE-3.3)."""

    TYPE: ClassVar[str] = "RegistrationAccepted"
    VERSION: ClassVar[int] = 1

    procedure_completed_on: date
    start: date
    first_period_end: date


class RegistrationRefused(Event):
    """The company refused the registration on a ground (IE-17.2, IE-19.8)."""

    TYPE: ClassVar[str] = "RegistrationRefused"
    VERSION: ClassVar[int] = 1

    rule: str
    reason: str | None = None
    override_reason: str | None = None


class FeeCharged(Event):
    """An annual fee fell due and was charged to the registered card (IE-5.1, IE-5.4.2)."""

    TYPE: ClassVar[str] = "FeeCharged"
    VERSION: ClassVar[int] = 1

    amount: int
    due_on: date
    period_number: int


class PaymentRecorded(Event):
    """A payment of the annual fee was confirmed."""

    TYPE: ClassVar[str] = "PaymentRecorded"
    VERSION: ClassVar[int] = 1

    amount: int
    payment_ref: str


class PaymentFailed(Event):
    """A charge to the card was declined."""

    TYPE: ClassVar[str] = "PaymentFailed"
    VERSION: ClassVar[int] = 1

    amount: int
    payment_ref: str


# --- Ie-Sapo lifecycle: renewal, withdrawal, suspension, revocation --------------


class MembershipRenewed(Event):
    """The membership renewed automatically for one year (IE-3.5, IE-3.2, IE-3.4)."""

    TYPE: ClassVar[str] = "MembershipRenewed"
    VERSION: ClassVar[int] = 1

    period_number: int
    start: date
    end: date


class WithdrawalNoticeGiven(Event):
    """The company received the member's notice of withdrawal (IE-3.5, IE-14.1).

    ``effective_on`` is the first day the person is no longer a member: the day
    after the last day of the period the notice ends (resolved at notice time)."""

    TYPE: ClassVar[str] = "WithdrawalNoticeGiven"
    VERSION: ClassVar[int] = 1

    period_end: date
    effective_on: date
    in_time: bool


class MembershipWithdrawn(Event):
    """The member ceased to be a member from ``effective_on`` (IE-14.1 notice, IE-14.2 transfer)."""

    TYPE: ClassVar[str] = "MembershipWithdrawn"
    VERSION: ClassVar[int] = 1

    effective_on: date
    cause: Literal["notice", "transfer"]
    successor_id: str | None = None


class MembershipExpired(Event):
    """The membership reached the renewal cap and ended (IE-3.5.cap)."""

    TYPE: ClassVar[str] = "MembershipExpired"
    VERSION: ClassVar[int] = 1

    last_day: date


class MemberSuspended(Event):
    """The company suspended the member's use of the service on a ground (IE-13.1.x)."""

    TYPE: ClassVar[str] = "MemberSuspended"
    VERSION: ClassVar[int] = 1

    rule: str
    reason: str | None = None
    override_reason: str | None = None
    ground_since: date | None = None


class SuspensionLifted(Event):
    """The company lifted a suspension (IE-13.1)."""

    TYPE: ClassVar[str] = "SuspensionLifted"
    VERSION: ClassVar[int] = 1

    rule: str
    reason: str | None = None


class MembershipRevoked(Event):
    """The company revoked the membership on a ground; the member is deemed withdrawn at once (IE-14.3.x, IE-14.4)."""

    TYPE: ClassVar[str] = "MembershipRevoked"
    VERSION: ClassVar[int] = 1

    rule: str
    reason: str | None = None
    override_reason: str | None = None
    ground_since: date | None = None


class FeeRefunded(Event):
    """A paid fee was refunded for an unavoidable reason, less the handling fee (IE-5.2)."""

    TYPE: ClassVar[str] = "FeeRefunded"
    VERSION: ClassVar[int] = 1

    charge_id: str
    amount: int
    handling_fee: int
    reason: Literal["unavoidable", "loan_contingency"]


class OwnerChangeNotified(Event):
    """The company was told of a change of the property's owner or user (IE-15.1)."""

    TYPE: ClassVar[str] = "OwnerChangeNotified"
    VERSION: ClassVar[int] = 1

    kind: Literal["sale", "inheritance", "user"]
    change_on: date
    deadline: date
    in_time: bool


class RentalApplied(Event):
    """Member and tenant applied to keep the membership while the house is let (IE-18.1)."""

    TYPE: ClassVar[str] = "RentalApplied"
    VERSION: ClassVar[int] = 1

    lease_start: date
    deadline: date
    in_time: bool
    override_reason: str | None = None


class RentalApproved(Event):
    """The company approved the rental (IE-18.1); services stop during the lease (IE-18)."""

    TYPE: ClassVar[str] = "RentalApproved"
    VERSION: ClassVar[int] = 1

    lease_start: date


class RentalRejected(Event):
    """The company did not approve the rental (IE-18.1)."""

    TYPE: ClassVar[str] = "RentalRejected"
    VERSION: ClassVar[int] = 1

    lease_start: date
    reason: str | None = None


class RentalEnded(Event):
    """The approved lease ended; services resume (IE-18)."""

    TYPE: ClassVar[str] = "RentalEnded"
    VERSION: ClassVar[int] = 1

    lease_start: date


class UnapprovedRentalReported(Event):
    """The house was found let without the approval of Art. 18 (IE-13.1.6)."""

    TYPE: ClassVar[str] = "UnapprovedRentalReported"
    VERSION: ClassVar[int] = 1

    note: str | None = None


class PointsAwarded(Event):
    """KEIAI points were awarded for a start or a renewal (IE-A4.1)."""

    TYPE: ClassVar[str] = "PointsAwarded"
    VERSION: ClassVar[int] = 1

    points: int
    reason: Literal["start", "renewal"]
    trigger_on: date


class MaintenanceOrdered(Event):
    """The owner ordered the maintenance work the extended warranty requires (IE-A3)."""

    TYPE: ClassVar[str] = "MaintenanceOrdered"
    VERSION: ClassVar[int] = 1

    property_id: str
    deadline: date


class WarrantyPeriodSet(Event):
    """The inspection company set the period within which the required maintenance
    work must be done and its completion inspection passed (IE-A3, Appendix 3
    Art. 3(2): 点検担当会社が定めた期間内). A later fact replaces an earlier one from
    its own day."""

    TYPE: ClassVar[str] = "WarrantyPeriodSet"
    VERSION: ClassVar[int] = 1

    property_id: str
    work_by: date
    inspection_by: date


class CompletionInspectionPassed(Event):
    """The inspection company passed the maintenance work's completion inspection (IE-A3)."""

    TYPE: ClassVar[str] = "CompletionInspectionPassed"
    VERSION: ClassVar[int] = 1

    property_id: str


class ExtendedWarrantyGranted(Event):
    """The insured extended warranty was granted as a member benefit (IE-A3)."""

    TYPE: ClassVar[str] = "ExtendedWarrantyGranted"
    VERSION: ClassVar[int] = 1

    property_id: str
    member_id: str

# --- presence check (在宅確認サポート, program presence_check) --------------------
# Stream ``enrolment:<enrolment_id>``; the one-target-per-holder claim lives on
# ``holder:<contract_holder_id>`` (PC-2). Names, addresses and phone numbers of
# the contract holder and the target are only ever in ``Personal`` fields.


class PresenceCheckEnrolled(Event):
    """A contract holder enrolled one target person for presence checks (PC-1, PC-2).

    The consent-call windows are resolved at enrolment and stored (PC-3.1, PC-3.2).
    """

    TYPE: ClassVar[str] = "PresenceCheckEnrolled"
    VERSION: ClassVar[int] = 1

    enrolment_id: str
    holder_id: str
    holder: Personal
    target: Personal
    relation_degree: int
    first_call_by: date
    second_call_from: date
    second_call_by: date


class PresenceHolderClaimed(Event):
    """The contract holder's one target slot was taken by this enrolment (PC-2)."""

    TYPE: ClassVar[str] = "PresenceHolderClaimed"
    VERSION: ClassVar[int] = 1

    holder_id: str
    enrolment_id: str


class ConsentCallMade(Event):
    """The company phoned the target to ask consent (PC-3.1 attempt 1, PC-3.2 attempt 2).

    ``window_from``..``window_to`` is the promised window; a call after it is
    ``late``, a second call before it ``early``: both are still facts.
    """

    TYPE: ClassVar[str] = "ConsentCallMade"
    VERSION: ClassVar[int] = 1

    attempt: Literal[1, 2]
    outcome: Literal["consented", "declined", "no_answer"]
    window_from: date
    window_to: date
    late: bool
    early: bool = False


class PresenceServiceStarted(Event):
    """The target consented: the service started and the completion notice went to the contract holder (PC-3.3)."""

    TYPE: ClassVar[str] = "PresenceServiceStarted"
    VERSION: ClassVar[int] = 1

    attempt: int
    notice: Literal["registration_complete"] = "registration_complete"


class PresenceConsentNotObtained(Event):
    """The target declined, or two calls gave no consent: the contract holder was told, the service does not start (PC-3.4)."""

    TYPE: ClassVar[str] = "PresenceConsentNotObtained"
    VERSION: ClassVar[int] = 1

    reason: Literal["declined", "no_consent_after_two_calls"]
    attempt: int
    notice: Literal["consent_not_obtained"] = "consent_not_obtained"


class FrequentUserFlagged(Event):
    """The company judged the contract holder a very frequent user: phone first from now on (PC-5.2)."""

    TYPE: ClassVar[str] = "FrequentUserFlagged"
    VERSION: ClassVar[int] = 1

    reason: str | None = None


class PresenceCheckRequested(Event):
    """A presence check was requested by phone (PC-4.1); the decision follows in the same append."""

    TYPE: ClassVar[str] = "PresenceCheckRequested"
    VERSION: ClassVar[int] = 1

    request_no: int
    requester_relation_degree: int
    wants_unlock: bool
    beyond_front_door: bool
    phone_confirmed: bool


class PresenceCheckDecision(BaseModel):
    """Fields shared by the three decisions on a request: a mixin, not an event."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    request_no: int
    decision: Literal["dispatch", "phone_first", "refused"]
    ledger_decision: Literal["dispatch", "phone_first", "refused"]
    grounds: tuple[str, ...] = ()
    override_reason: str | None = None


class PresenceCheckDispatched(Event, PresenceCheckDecision):
    """Staff who can arrive soonest were sent to the target's home (PC-4.1; after an unconfirming call, PC-5.2)."""

    TYPE: ClassVar[str] = "PresenceCheckDispatched"
    VERSION: ClassVar[int] = 1


class PresenceConfirmedByPhone(Event, PresenceCheckDecision):
    """A frequent user's request: the target was phoned first and presence was confirmed, no staff sent (PC-5.2)."""

    TYPE: ClassVar[str] = "PresenceConfirmedByPhone"
    VERSION: ClassVar[int] = 1


class PresenceCheckRefused(Event, PresenceCheckDecision):
    """The request was refused on the grounds listed (PC-6.1 … PC-6.6)."""

    TYPE: ClassVar[str] = "PresenceCheckRefused"
    VERSION: ClassVar[int] = 1


class VisitChecks(BaseModel):
    """What staff could check at the door (PC-4.1): each item observed or not checkable."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    intercom: Literal["observed", "not_checkable"]
    meter: Literal["observed", "not_checkable"]
    lights: Literal["observed", "not_checkable"]
    mailbox: Literal["observed", "not_checkable"]


class PresenceVisitRecorded(Event):
    """Staff visited for a dispatched request and reported the result to the contract holder (PC-4.1 … PC-4.3)."""

    TYPE: ClassVar[str] = "PresenceVisitRecorded"
    VERSION: ClassVar[int] = 1

    request_no: int
    result: Literal["at_home", "absent"]
    checks: VisitChecks
    signed: bool
    memo_left: bool
    report: Literal["presence_confirmed", "presence_not_confirmed"]


class PresenceStopRequested(Event):
    """The resident of the registered address, or their representative, asked to stop the service (PC-6.6)."""

    TYPE: ClassVar[str] = "PresenceStopRequested"
    VERSION: ClassVar[int] = 1

    by: Literal["resident", "agent"]


# --- Ie-Sapo inspections and the 24-hour emergency service (issue 4) -----------
# Inspection facts live on the stream ``inspection:<property_id>``: the history
# belongs to the house and follows it across owners (IE-19.5). Each fact records
# the member the inspection was owed to when it was decided (resolved, never
# re-derived on replay). Emergency requests live on the member's stream.


class InspectionNoticeSent(Event):
    """The year-N inspection notice was sent to the member (IE-6.4.1, IE-6.4.2, IE-6.dates).

    ``designated_month`` is the first day of the designated month (点検指定月)
    stated in the notice; ``notice_by`` the deadline it was measured against."""

    TYPE: ClassVar[str] = "InspectionNoticeSent"
    VERSION: ClassVar[int] = 1

    property_id: str
    year: int
    by: Literal["inspection_company", "housing_party"]
    member_id: str
    designated_month: date
    due_on: date
    notice_by: date
    in_time: bool


class InspectionScheduled(Event):
    """The inspection date was agreed with the member (IE-6.4.1, IE-6.4.2)."""

    TYPE: ClassVar[str] = "InspectionScheduled"
    VERSION: ClassVar[int] = 1

    property_id: str
    year: int
    by: Literal["inspection_company", "housing_party"]
    member_id: str
    inspection_on: date | None = None


class InspectionCompleted(Event):
    """The inspection was carried out and its report made (IE-7); the report is kept
    ``retention_years`` counted from its creation day, through ``kept_until`` (IE-9.1)."""

    TYPE: ClassVar[str] = "InspectionCompleted"
    VERSION: ClassVar[int] = 1

    property_id: str
    year: int
    by: Literal["inspection_company", "housing_party"]
    member_id: str
    report_id: str
    repairs_needed: bool
    retention_years: int
    kept_until: date


class InspectionFailed(Event):
    """The inspection could not be done: IE-12.4 (house not inspectable: no further
    obligation) or IE-14.3.8 (the member's doing: a revocation ground from ``ground_from``)."""

    TYPE: ClassVar[str] = "InspectionFailed"
    VERSION: ClassVar[int] = 1

    property_id: str
    year: int
    by: Literal["inspection_company", "housing_party"]
    member_id: str
    rule: Literal["IE-12.4", "IE-14.3.8", "IE-6.6"]
    reason: str | None = None
    ground_from: date | None = None


class RepairEstimateRequested(Event):
    """After an inspection that found repairs needed, the member asked for an estimate (IE-7)."""

    TYPE: ClassVar[str] = "RepairEstimateRequested"
    VERSION: ClassVar[int] = 1

    property_id: str
    year: int
    member_id: str


class RepairEstimatePresented(Event):
    """The repair estimate was made and presented to the member (IE-7)."""

    TYPE: ClassVar[str] = "RepairEstimatePresented"
    VERSION: ClassVar[int] = 1

    property_id: str
    year: int
    member_id: str
    amount: int


class EmergencyRequested(Event):
    """A 24-hour emergency request and the ledger's decision at the incident time (Art. 8, Appendix 2).

    ``effective`` is the incident instant. ``proposed`` is what the rules gave
    on the member's facts as known when recorded (``because``); ``decision`` is
    the outcome recorded, which differs only with ``override_reason``."""

    TYPE: ClassVar[str] = "EmergencyRequested"
    VERSION: ClassVar[int] = 1

    member_id: str
    property_id: str
    category: Literal["water", "key", "glass", "electric_gas", "lost_key"]
    requester: Literal["member", "relative", "other"]
    id_checked: bool
    cause: Literal["normal", "disaster", "structural", "neighbour", "manufacturer", "special_work", "deliberate"]
    key_type: Literal["normal", "special"] | None = None
    id_shown: bool = True  # IE-8.8.4 (issue 10; older facts: shown)
    attended: bool = True  # IE-8.8.4: the requester attends the work
    night: bool
    member_state: str
    blocked_by: tuple[str, ...] = ()
    grounds: tuple[str, ...] = ()
    proposed: Literal["first_response", "phone_only", "hotel", "refused", "estimate_first", "normal_price"]
    decision: Literal["first_response", "phone_only", "hotel", "refused", "estimate_first", "normal_price"]
    options: tuple[str, ...] = ()
    hotel_only_because: tuple[str, ...] = ()
    hotel_cap_yen: int | None = None
    override_reason: str | None = None
    because: tuple[str, ...] = ()

# --- integrity and personal data (issue 6) ------------------------------------------------


class PersonalDataErased(Event):
    """The personal data of this stream's subject was erased: its data key is destroyed (IE-19.10).

    Storing this fact destroys the key in the same transaction (``ledger.backend``);
    the facts, dates and amounts stay, and every ``Personal`` field of the
    stream reads as erased from then on.
    """

    TYPE: ClassVar[str] = "PersonalDataErased"
    VERSION: ClassVar[int] = 1

    subject: str
    state: str
    balance: int
