"""Event classes: the ledger's storage contract.

Every class here is a fact as stored. Its ``TYPE`` is the stored topic and must
never change: renaming a class keeps its ``TYPE``; a change of meaning is a new
class. Fields are only ever added, with defaults (old stored events decode
without them). Every event carries the envelope of ``Event``: its stream and
position, when it was true (``effective``), when the ledger learned it
(``recorded``), who recorded it (``actor``), the command it came from, the id of
the append it was part of (``batch``) and the rule ids that produced it.

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
    """The envelope every stored fact carries."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    TYPE: ClassVar[str] = ""

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
        if "TYPE" not in cls.__dict__ or not cls.__dict__["TYPE"]:
            cls.TYPE = cls.__name__
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


def stream_of(event_id: str) -> tuple[str, int]:
    """Split ``member:M-0042#3`` into its stream and position."""
    stream, _, version = event_id.rpartition("#")
    return stream, int(version)


# --- shared facts -----------------------------------------------------------


class FactRetracted(Event):
    """Facts recorded by mistake are withdrawn from every view known after this."""

    targets: tuple[str, ...]
    reason: str


class CommandRecorded(Event):
    """A command with this command_id was applied (its receipt, for safe retries)."""

    command: str
    events: tuple[str, ...] = ()


# --- properties and the fee schedule ----------------------------------------


class PropertyRegistered(Event):
    """A house was delivered and entered in the register (IE-1.3)."""

    property_id: str
    delivered_on: date
    floors: int
    builder: str
    certified: bool
    base_date: date


class FeeAnnounced(Event):
    """The annual fee (yen, tax included) was announced (IE-5.1, IE-5.3, IE-5.1.tax)."""

    amount: int
    reason: Literal["initial", "revision", "tax_rate"]
    applies_from: date


# --- Ie-Sapo membership -----------------------------------------------------


class MembershipApplied(Event):
    """An application form for the Ie-Sapo membership was received (IE-2.1)."""

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

    kind: Literal["privacy_policy", "operator_provision", "guardian"]


class ConsentWithdrawn(Event):
    """The member withdrew a consent (IE-19.3, IE-14.3.10)."""

    kind: Literal["privacy_policy", "operator_provision", "guardian"]


class CardRegistered(Event):
    """A payment card was registered; only the processor's token is kept (IE-2.1, IE-5.4.3)."""

    card_token: str


class CardSuspensionReported(Event):
    """The card company suspended the card or the cardholder status (IE-5.4.4, IE-14.3.3)."""

    card_token: str


class RegistrationDeadlineExtended(Event):
    """The company extended (or designated) the registration deadline (IE-2.3.1, IE-2.3.2)."""

    until: date


class RegistrationAccepted(Event):
    """The company accepted the registration; the membership's first period is fixed (IE-3.1, IE-3.3)."""

    procedure_completed_on: date
    start: date
    first_period_end: date


class RegistrationRefused(Event):
    """The company refused the registration on a ground (IE-17.2, IE-19.8)."""

    rule: str
    reason: str | None = None
    override_reason: str | None = None


class FeeCharged(Event):
    """An annual fee fell due and was charged to the registered card (IE-5.1, IE-5.4.2)."""

    amount: int
    due_on: date
    period_number: int


class PaymentRecorded(Event):
    """A payment of the annual fee was confirmed."""

    amount: int
    payment_ref: str


class PaymentFailed(Event):
    """A charge to the card was declined."""

    amount: int
    payment_ref: str


# --- integrity and personal data (issue 6) ------------------------------------------------


class PersonalDataErased(Event):
    """The personal data of this stream's subject was erased: its data key is destroyed (IE-19.10).

    Storing this fact destroys the key in the same transaction (``ledger.backend``);
    the facts, dates and amounts stay, and every ``Personal`` field of the
    stream reads as erased from then on.
    """

    subject: str
    state: str
    balance: int
