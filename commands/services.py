"""Inspections (Art. 6, 7, 9, 12) and the 24-hour emergency service (Art. 8, Appendix 2):
input models, handlers (load -> decide in ``ledger.inspection`` / ``ledger.emergency``
-> drafts) and the demo story that shows them."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from pydantic import Field, StrictBool, StrictInt, field_validator

from commands.registry import Unit, handles
from commands.membership import load_property
from commands.models import Command, Id
from ledger import emergency, inspection, member
from ledger import property as prop
from ledger.dates import jst_date
from ledger.errors import BadInput
from ledger.facts import Draft, visible

Party = Literal["inspection_company", "housing_party"]


class InspectionCommand(Command):
    property_id: str = Id
    year: StrictInt

    @field_validator("year")
    @classmethod
    def _inspection_year(cls, v: int) -> int:
        if v not in inspection.YEARS:
            raise ValueError(f"must be one of the inspection years {', '.join(map(str, inspection.YEARS))}")
        return v


class SendInspectionNotice(InspectionCommand):
    """Record the year-N inspection notice sent to the member (IE-6.4.1, IE-6.4.2, IE-6.dates)."""

    EXAMPLE = "ledger inspection notice --property-id P-1000 --year 5 --on 2025-11-10"
    NAME, GROUP, VERB = "send_inspection_notice", "inspection", "notice"
    command: Literal["send_inspection_notice"] = "send_inspection_notice"
    by: Party | None = None
    designated_month: date | None = None

    @field_validator("designated_month", mode="before")
    @classmethod
    def _month(cls, v):
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}", v.strip()):
            return f"{v.strip()}-01"
        return v

    @field_validator("designated_month")
    @classmethod
    def _first_day(cls, v: date | None) -> date | None:
        return v.replace(day=1) if v else v


class ScheduleInspection(InspectionCommand):
    """Record the inspection date agreed with the member (IE-6.4.1, IE-6.4.2)."""

    EXAMPLE = "ledger inspection schedule --property-id P-1000 --year 5 --inspection-on 2026-03-07 --on 2026-01-20"
    NAME, GROUP, VERB = "schedule_inspection", "inspection", "schedule"
    command: Literal["schedule_inspection"] = "schedule_inspection"
    by: Party | None = None
    inspection_on: date | None = None


class CompleteInspection(InspectionCommand):
    """Record an inspection done and its report (IE-7; the report is kept per IE-9.1)."""

    EXAMPLE = "ledger inspection complete --property-id P-1000 --year 5 --report-id R-P1000-05 --repairs-needed --on 2026-03-07"
    NAME, GROUP, VERB = "complete_inspection", "inspection", "complete"
    command: Literal["complete_inspection"] = "complete_inspection"
    by: Party | None = None
    report_id: str = Id
    repairs_needed: StrictBool


class RecordInspectionFailure(InspectionCommand):
    """Record an inspection that could not be done: IE-12.4, the member's doing IE-14.3.8, or the member cannot be reached IE-6.6."""

    EXAMPLE = "ledger inspection fail --property-id P-1000 --year 5 --rule IE-14.3.8 --reason 'no reply to 3 calls' --on 2026-03-25"
    NAME, GROUP, VERB = "record_inspection_failure", "inspection", "fail"
    command: Literal["record_inspection_failure"] = "record_inspection_failure"
    by: Party | None = None
    rule: Literal["IE-12.4", "IE-14.3.8", "IE-6.6"]
    reason: str | None = Field(default=None, max_length=2000)


class RequestEstimate(InspectionCommand):
    """Record the member's request for a repair estimate after an inspection (IE-7)."""

    EXAMPLE = "ledger inspection request-estimate --property-id P-1000 --year 5 --on 2026-03-15"
    NAME, GROUP, VERB = "request_estimate", "inspection", "request-estimate"
    command: Literal["request_estimate"] = "request_estimate"


class PresentEstimate(InspectionCommand):
    """Record the repair estimate presented to the member (IE-7)."""

    EXAMPLE = "ledger inspection present-estimate --property-id P-1000 --year 5 --amount 88000 --on 2026-04-02"
    NAME, GROUP, VERB = "present_estimate", "inspection", "present-estimate"
    command: Literal["present_estimate"] = "present_estimate"
    amount: StrictInt = Field(gt=0, le=100_000_000)


class RequestEmergency(Command):
    """Record a 24-hour emergency request and the ledger's decision at the incident time (Art. 8, Appendix 2)."""

    EXAMPLE = ("ledger emergency request --member-id M-0001 --property-id P-1000 --at 2026-10-03T23:40+09:00 "
               "--category lost_key --key-type special --requester member --id-checked")
    NAME, GROUP, VERB = "request_emergency", "emergency", "request"
    command: Literal["request_emergency"] = "request_emergency"
    member_id: str = Id
    property_id: str = Id
    at: datetime
    category: Literal["water", "key", "glass", "electric_gas", "lost_key"]
    requester: Literal["member", "relative", "other"]
    id_checked: StrictBool
    cause: Literal["normal", "disaster", "structural", "neighbour", "manufacturer", "special_work",
                   "deliberate"] = "normal"
    key_type: Literal["normal", "special"] | None = None
    id_shown: StrictBool = Field(default=True, description="The requester showed identity documents (IE-8.8.4).")
    attended: StrictBool = Field(default=True, description="The requester attends the work (IE-8.8.4).")
    override_outcome: Literal["first_response", "phone_only", "hotel", "refused", "estimate_first",
                              "normal_price"] | None = None
    override_reason: str | None = Field(default=None, min_length=1, max_length=2000)


# --- handlers -----------------------------------------------------------------------------


def load(u: Unit, property_id: str, eff: datetime):
    """The house, its inspection history and the members registered for it, as now known
    and effective by the end of the command's day."""
    house = load_property(u, property_id, eff)
    ins = inspection.fold(property_id, u.known(inspection.stream(property_id), eff))
    members = {}
    for mid in (h.member_id for h in house.members):
        m = member.fold(mid, u.known(member.stream(mid), eff))
        if m is not None:
            members[mid] = m
    return house, ins, members


def party(c: InspectionCommand, by: str | None, notice: bool) -> str:
    """The party acting: the notice's sender is fixed by the year; in years 10 and 20
    both parties inspect, so the command must say which."""
    if by is not None:
        return by
    s = inspection.slot(date(2000, 1, 1), c.year)
    if notice:
        return s.noticed_by
    if len(s.inspected_by) > 1:
        raise BadInput(
            f"In year {c.year} both the housing_party and the inspection_company inspect: give by.",
            f"{c.year}年目は住宅事業当事会社と点検担当会社の両方が点検します。by を指定してください。",
            field="by",
        )
    return s.inspected_by[0]


@handles(SendInspectionNotice)
def send_inspection_notice(u: Unit, c: SendInspectionNotice, eff: datetime) -> list[Draft]:
    house, ins, members = load(u, c.property_id, eff)
    return inspection.decide_notice(ins, house, members, year=c.year, by=party(c, c.by, True), on=jst_date(eff),
                                    designated_month=c.designated_month)


@handles(ScheduleInspection)
def schedule_inspection(u: Unit, c: ScheduleInspection, eff: datetime) -> list[Draft]:
    house, ins, members = load(u, c.property_id, eff)
    return inspection.decide_schedule(ins, house, members, year=c.year, by=party(c, c.by, False), on=jst_date(eff),
                                      inspection_on=c.inspection_on)


@handles(CompleteInspection)
def complete_inspection(u: Unit, c: CompleteInspection, eff: datetime) -> list[Draft]:
    house, ins, members = load(u, c.property_id, eff)
    return inspection.decide_complete(ins, house, members, year=c.year, by=party(c, c.by, False), on=jst_date(eff),
                                      report_id=c.report_id, repairs_needed=c.repairs_needed)


@handles(RecordInspectionFailure)
def record_inspection_failure(u: Unit, c: RecordInspectionFailure, eff: datetime) -> list[Draft]:
    house, ins, members = load(u, c.property_id, eff)
    return inspection.decide_failure(ins, house, members, year=c.year, by=party(c, c.by, False), on=jst_date(eff),
                                     rule=c.rule, reason=c.reason)


@handles(RequestEstimate)
def request_estimate(u: Unit, c: RequestEstimate, eff: datetime) -> list[Draft]:
    house, ins, members = load(u, c.property_id, eff)
    return inspection.decide_request_estimate(ins, house, members, year=c.year, on=jst_date(eff))


@handles(PresentEstimate)
def present_estimate(u: Unit, c: PresentEstimate, eff: datetime) -> list[Draft]:
    house = load_property(u, c.property_id, eff)
    ins = inspection.fold(house.property_id, u.known(inspection.stream(c.property_id), eff))
    return inspection.decide_present_estimate(ins, year=c.year, amount=c.amount)


@handles(RequestEmergency)
def request_emergency(u: Unit, c: RequestEmergency, eff: datetime) -> list[Draft]:
    # The member as the ledger knows it now, with the facts effective by the
    # incident instant (not the end of its day): a fact taking effect at 23:50
    # does not decide a request made at 23:40.
    m = member.require_known(member.fold(c.member_id, visible(u.read(member.stream(c.member_id)), as_of=eff)),
                             c.member_id, u.read(member.stream(c.member_id)))
    house = prop.fold(visible(u.read(prop.stream(m.property_id)), as_of=eff))
    req = emergency.Request(
        member_id=c.member_id, property_id=c.property_id, at=eff, category=c.category, requester=c.requester,
        id_checked=c.id_checked, cause=c.cause, key_type=c.key_type, id_shown=c.id_shown, attended=c.attended,
    )
    return emergency.decide_request(m, house, req, c.override_outcome, c.override_reason)
