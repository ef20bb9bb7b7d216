"""The presence-check support commands (在宅確認サポート): input models, handlers, and the demo story.

Handlers load the enrolment as now known (every fact recorded so far, whatever
its effective time) and let the pure decisions of ``ledger.presence`` compare
effective times, so a fact recorded late still counts at its own time.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from commands.registry import Unit, handles
from commands.models import Command, Id
from ledger import presence
from ledger.events import Personal, PresenceCheckRequested, PresenceHolderClaimed, VisitChecks
from ledger.facts import Draft, visible

Check = Literal["observed", "not_checkable"]


class ContractHolder(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    id: str = Id
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=500)


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=500)
    phone: str = Field(min_length=1, max_length=40)


class Checks(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    intercom: Check
    meter: Check
    lights: Check
    mailbox: Check


class EnrolPresenceCheck(Command):
    """Enrol a contract holder's one target for presence checks (PC-1, PC-2); relation_degree 0 = spouse."""

    EXAMPLE = ("ledger presence enrol --enrolment-id E-0001 --contract-holder-id DL-1001 "
               "--contract-holder-name '山田 花子' --contract-holder-address '東京都世田谷区1-2' "
               "--target-name '山田 一郎' --target-address '静岡県静岡市葵区3-4' --target-phone 054-000-0000 "
               "--relation-degree 1 --on 2025-04-10")
    NAME, GROUP, VERB = "enrol_presence_check", "presence", "enrol"
    command: Literal["enrol_presence_check"] = "enrol_presence_check"
    enrolment_id: str = Id
    contract_holder: ContractHolder
    target: Target
    relation_degree: StrictInt = Field(ge=0, le=20)


class RecordConsentCall(Command):
    """Record a consent call to the target: attempt 1 due by enrolment day + 3 (PC-3.1), attempt 2 in + 3 … + 7 (PC-3.2)."""

    EXAMPLE = "ledger presence call --enrolment-id E-0001 --attempt 1 --outcome consented --at 2025-04-11T10:00+09:00"
    NAME, GROUP, VERB = "record_consent_call", "presence", "call"
    command: Literal["record_consent_call"] = "record_consent_call"
    enrolment_id: str = Id
    attempt: StrictInt = Field(ge=1, le=2)
    outcome: Literal["consented", "declined", "no_answer"]


class FlagFrequentUser(Command):
    """Record that the company judges the contract holder a very frequent user: phone first (PC-5.2)."""

    EXAMPLE = "ledger presence flag-frequent --enrolment-id E-0001 --reason '12 requests in May' --on 2025-06-01"
    NAME, GROUP, VERB = "flag_frequent_user", "presence", "flag-frequent"
    command: Literal["flag_frequent_user"] = "flag_frequent_user"
    enrolment_id: str = Id
    reason: str | None = Field(default=None, max_length=2000)


class RequestPresenceCheck(Command):
    """Record a request for a presence check and the ledger's decision: dispatch, phone_first or refused (PC-4.1, PC-5.2, PC-6.x)."""

    EXAMPLE = ("ledger presence request --enrolment-id E-0001 --at 2025-05-02T19:30+09:00 "
               "--requester-relation-degree 0 --no-wants-unlock --no-beyond-front-door")
    NAME, GROUP, VERB = "request_presence_check", "presence", "request"
    command: Literal["request_presence_check"] = "request_presence_check"
    enrolment_id: str = Id
    # 0 = the contract holder or their spouse; a requester who is no relative: any number above 2.
    requester_relation_degree: StrictInt = Field(ge=0, le=99)
    wants_unlock: StrictBool = False
    beyond_front_door: StrictBool = False
    # PC-5.2: whether the phone call made first to a frequent user's target confirmed presence.
    phone_confirmed: StrictBool = False
    outcome: Literal["dispatch", "phone_first", "refused"] | None = None
    override_reason: str | None = Field(default=None, min_length=1, max_length=2000)


class RecordVisit(Command):
    """Record the visit for a dispatched request: at_home (signed, PC-4.2) or absent (memo left, PC-4.3)."""

    EXAMPLE = ("ledger presence visit --enrolment-id E-0001 --at 2025-05-02T20:40+09:00 --result at_home --signed "
               "--checks-intercom observed --checks-meter observed --checks-lights observed "
               "--checks-mailbox not_checkable")
    NAME, GROUP, VERB = "record_visit", "presence", "visit"
    command: Literal["record_visit"] = "record_visit"
    enrolment_id: str = Id
    result: Literal["at_home", "absent"]
    checks: Checks
    signed: StrictBool = False


class RequestStop(Command):
    """Record that the resident, or their agent, asked to stop the service (PC-6.6)."""

    EXAMPLE = "ledger presence stop --enrolment-id E-0001 --by resident --on 2025-09-01"
    NAME, GROUP, VERB = "request_stop", "presence", "stop"
    command: Literal["request_stop"] = "request_stop"
    enrolment_id: str = Id
    by: Literal["resident", "agent"]


MODELS: tuple[type[Command], ...] = (EnrolPresenceCheck, RecordConsentCall, FlagFrequentUser, RequestPresenceCheck,
                                     RecordVisit, RequestStop)


# --- handlers ---------------------------------------------------------------------------


def now_known(u: Unit, enrolment_id: str) -> presence.Enrolment | None:
    """The enrolment folded from every fact now known, whatever its effective time."""
    return presence.fold(enrolment_id, visible(u.read(presence.stream(enrolment_id))))


def load(u: Unit, enrolment_id: str) -> presence.Enrolment:
    return presence.require(now_known(u, enrolment_id), enrolment_id)


@handles(EnrolPresenceCheck)
def enrol_presence_check(u: Unit, c: EnrolPresenceCheck, eff: datetime) -> list[Draft]:
    h, t = c.contract_holder, c.target
    claims = [e for e in visible(u.read(presence.holder_stream(h.id))) if isinstance(e, PresenceHolderClaimed)]
    claimed = {cl.enrolment_id: now_known(u, cl.enrolment_id) for cl in claims if cl.enrolment_id != c.enrolment_id}
    own = visible(u.read(presence.stream(c.enrolment_id)))
    return presence.decide_enrol(
        presence.fold(c.enrolment_id, own), claims, claimed, enrolment_id=c.enrolment_id, holder_id=h.id,
        holder=Personal(name=h.name, address=h.address), target=Personal(name=t.name, address=t.address, phone=t.phone),
        relation_degree=c.relation_degree, at=eff, leftovers=len(own),
    )


@handles(RecordConsentCall)
def record_consent_call(u: Unit, c: RecordConsentCall, eff: datetime) -> list[Draft]:
    return presence.decide_call(load(u, c.enrolment_id), c.attempt, c.outcome, eff)


@handles(FlagFrequentUser)
def flag_frequent_user(u: Unit, c: FlagFrequentUser, eff: datetime) -> list[Draft]:
    return presence.decide_flag(load(u, c.enrolment_id), c.reason, eff)


@handles(RequestPresenceCheck)
def request_presence_check(u: Unit, c: RequestPresenceCheck, eff: datetime) -> list[Draft]:
    return presence.decide_request(
        now_known(u, c.enrolment_id), c.enrolment_id, eff, requester_relation_degree=c.requester_relation_degree,
        wants_unlock=c.wants_unlock, beyond_front_door=c.beyond_front_door, phone_confirmed=c.phone_confirmed,
        outcome=c.outcome, override_reason=c.override_reason,
        request_no=1 + sum(isinstance(e, PresenceCheckRequested) for e in u.read(presence.stream(c.enrolment_id))),
    )


@handles(RecordVisit)
def record_visit(u: Unit, c: RecordVisit, eff: datetime) -> list[Draft]:
    checks = VisitChecks(**c.checks.model_dump())
    return presence.decide_visit(load(u, c.enrolment_id), eff, c.result, checks, c.signed)


@handles(RequestStop)
def request_stop(u: Unit, c: RequestStop, eff: datetime) -> list[Draft]:
    return presence.decide_stop(load(u, c.enrolment_id), c.by, eff)
