"""What the tables show: column headers, status labels, list items and task actions, in the current language.

The projections produce stable keys (column names, states, kinds) and English
task actions; this module turns them into display text at the CLI edge, through
the message catalogue (``ui.i18n``). JSON and CSV stay keyed and in English:
they are for programs.
"""
from __future__ import annotations

import json
import re
from typing import Any

from projections import rows
from ui.i18n import N_, _, f_, language, pattern

# Column headers and status-field names (each segment of "consent.next_call.due_on").
COLUMNS = [
    N_("id"), N_("program"), N_("as_of"), N_("known_at"), N_("state"), N_("property_id"), N_("acquirer"),
    N_("applicant"), N_("name"), N_("address"), N_("phone"), N_("email"), N_("birth_date"), N_("erased"),
    N_("withheld"), N_("corporation"), N_("period"), N_("number"), N_("start"), N_("end"), N_("renewals"),
    N_("renewal_pending"), N_("withdrawal"), N_("suspension"), N_("rental"), N_("arrears"), N_("amount"),
    N_("oldest_due_on"), N_("days_overdue"), N_("balance"), N_("annual_fee"), N_("liability_cap"),
    N_("services"), N_("available"), N_("blocked_by"), N_("grounds"), N_("because"), N_("holder_id"),
    N_("relation_degree"), N_("enrolled_on"), N_("consent"), N_("outcome"), N_("first_call_by"),
    N_("second_call_window"), N_("from"), N_("to"), N_("calls"), N_("next_call"), N_("attempt"),
    N_("due_on"), N_("rule"), N_("overdue"), N_("frequent_user"), N_("frequent_since"), N_("requests"),
    N_("visits"), N_("stopped"), N_("event_id"), N_("type"), N_("effective"), N_("recorded"), N_("actor"),
    N_("rules"), N_("retracted_by"), N_("member_id"), N_("kind"), N_("action"), N_("year"), N_("notice_by"),
    N_("done_on"), N_("report_id"), N_("report_kept_until"), N_("at"), N_("category"), N_("requester"),
    N_("member_state"), N_("decision"), N_("decision_as_known"), N_("on"), N_("by"), N_("emergency"),
    N_("inspection"), N_("points"), N_("presence_check"), N_("iesapo"), N_("notice_on"), N_("effective_on"),
    N_("in_time"), N_("since"), N_("until"), N_("reason"), N_("lease_start"), N_("approved"), N_("applied_on"),
    N_("accepted_on"), N_("started_on"), N_("card"), N_("token"), N_("deadline"), N_("registration"),
    N_("consents"), N_("privacy_policy"), N_("operator_provision"), N_("guardian"), N_("points_registered"),
    N_("previous_member_id"), N_("transfer_on"), N_("paid_through"), N_("charged"), N_("paid"), N_("total"),
    N_("noticed_on"), N_("cause"), N_("designated_month"), N_("noticed_by"), N_("inspected_by"),
    N_("report_held_by"), N_("scheduled_for"), N_("repairs_needed"), N_("failure"), N_("estimate"),
    N_("notice_in_time"), N_("status"),
]

# Values shown in tables as labels (states, kinds, outcomes, decisions, …).
VALUES = [
    N_("applied"), N_("accepted"), N_("active"), N_("suspended"), N_("withdrawn"), N_("revoked"), N_("expired"),
    N_("refused"), N_("pending_consent"), N_("consent_not_obtained"), N_("upcoming"), N_("noticed"),
    N_("scheduled"), N_("done"), N_("failed"), N_("not_owed"), N_("primary"), N_("secondary"),
    N_("renewal_run"), N_("ground"), N_("points_award"), N_("rental_decision"), N_("lease_starting"),
    N_("register_card"), N_("registration_decision"), N_("consent_call_1"), N_("consent_call_2"),
    N_("inspection_notice"), N_("repair_estimate"), N_("consented"), N_("declined"), N_("no_answer"),
    N_("dispatch"), N_("phone_first"), N_("first_response"), N_("phone_only"), N_("hotel"), N_("at_home"),
    N_("absent"), N_("water"), N_("key"), N_("glass"), N_("electric_gas"), N_("lost_key"), N_("member"),
    N_("relative"), N_("other"), N_("resident"), N_("agent"), N_("inspection_company"), N_("housing_party"),
    N_("iesapo"), N_("presence_check"), N_("start"), N_("first"), N_("second"), N_("may suspend"),
    N_("may revoke"), N_("may refuse the registration"), N_("may refuse the registration or revoke"),
    N_("may act"), N_("presence_confirmed"), N_("presence_not_confirmed"), N_("sale"), N_("inheritance"),
    N_("user"), N_("renewal"), N_("ok"), N_("changed"), N_("missing"), N_("unlisted"),
]
LABELLED = {"state", "kind", "program", "outcome", "decision", "decision_as_known", "member_state", "result",
            "category", "requester", "acquirer", "by", "action", "report", "ledger_decision", "reason", "status"}
# Fact types (the history's type column): translated in tables, identifiers everywhere else.
EVENT_TYPES = [
    N_("CardRegistered"), N_("CardSuspensionReported"), N_("CommandRecorded"), N_("CompletionInspectionPassed"),
    N_("ConsentCallMade"), N_("ConsentRecorded"), N_("ConsentWithdrawn"), N_("EmergencyRequested"),
    N_("ExtendedWarrantyGranted"), N_("FactRetracted"), N_("FeeAnnounced"), N_("FeeCharged"), N_("FeeRefunded"),
    N_("FrequentUserFlagged"), N_("InspectionCompleted"), N_("InspectionFailed"), N_("InspectionNoticeSent"),
    N_("InspectionScheduled"), N_("MaintenanceOrdered"), N_("MemberSuspended"), N_("MembershipApplied"),
    N_("MembershipExpired"), N_("MembershipRenewed"), N_("MembershipRevoked"), N_("MembershipWithdrawn"),
    N_("OwnerChangeNotified"), N_("PaymentFailed"), N_("PaymentRecorded"), N_("PersonalDataErased"),
    N_("PointsAwarded"), N_("PresenceCheckDispatched"), N_("PresenceCheckEnrolled"), N_("PresenceCheckRefused"),
    N_("PresenceCheckRequested"), N_("PresenceConfirmedByPhone"), N_("PresenceConsentNotObtained"),
    N_("PresenceHolderClaimed"), N_("PresenceServiceStarted"), N_("PresenceStopRequested"),
    N_("PresenceVisitRecorded"), N_("PropertyMemberRegistered"), N_("PropertyRegistered"),
    N_("RegistrationAccepted"), N_("RegistrationDeadlineExtended"), N_("RegistrationRefused"), N_("RentalApplied"),
    N_("RentalApproved"), N_("RentalEnded"), N_("RentalRejected"), N_("RepairEstimatePresented"),
    N_("RepairEstimateRequested"), N_("SuspensionLifted"), N_("UnapprovedRentalReported"),
    N_("WarrantyPeriodSet"), N_("WithdrawalNoticeGiven"),
]
_VALUES = set(VALUES)
_TYPES = set(EVENT_TYPES)
_GROUND_RE = re.compile(r"(?P<rule>[A-Z]+-[0-9A-Za-z.\-]+) since (?P<since>\d{4}-\d{2}-\d{2})")


def header(key: str) -> str:
    """A column or field name: "consent.next_call.due_on" -> its segments, each translated."""
    if language() == "en":
        return key
    return ".".join(_(seg) for seg in key.split("."))


def value(key: str, v: Any) -> str:
    """One cell: booleans as yes/no, labelled values (states, kinds, …) translated, None empty."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return (_("yes") if v else _("no")) if language() == "ja" else str(v)
    text = str(v)
    if language() == "ja" and key.rsplit(".", 1)[-1] in LABELLED and text in _VALUES:
        return _(text)
    if language() == "ja" and key == "type" and text in _TYPES:
        return _(text)
    if language() == "ja" and key == "grounds":  # arrears: "IE-13.1.2 since 2026-04-01; …" already joined
        return _GROUND_RE.sub(lambda m: f_(N_("{rule} since {since}"), rule=m["rule"], since=m["since"]), text)
    return text


def item(x: Any, key: str = "") -> str:
    """One list item in a cell, readable (never a JSON blob): a ground, a call, a request, a visit."""
    if not isinstance(x, dict):
        return value(key, x)
    if "rule" in x and "since" in x:  # a ground in force
        act = f_(N_(" ({action})"), action=value("action", x["action"])) if x.get("action") else ""
        return f_(N_("{rule} since {since}"), rule=x["rule"], since=x["since"]) + act
    if "attempt" in x and "outcome" in x:  # a consent call
        flag = _(N_(" (late)")) if x.get("late") else _(N_(" (early)")) if x.get("early") else ""
        return f_(N_("call {attempt} {at} {outcome}"), attempt=x["attempt"], at=x["at"],
                  outcome=value("outcome", x["outcome"])) + flag
    if "request_no" in x and "decision" in x:  # a presence-check request
        return f_(N_("request {no} {at} {decision} [{rules}]"), no=x["request_no"], at=x["at"],
                  decision=value("decision", x["decision"]), rules=", ".join(x.get("rules") or []))
    if "request_no" in x and "result" in x:  # a visit
        return f_(N_("visit for request {no} {at} {result}"), no=x["request_no"], at=x["at"],
                  result=value("result", x["result"]))
    parts = [f"{header(k)}: {value(k, v) if not isinstance(v, (dict, list)) else json.dumps(v, ensure_ascii=False)}"
             for k, v in x.items() if v not in (None, False, "", [], {}) and k != "event_id"]
    return ", ".join(parts)


def flatten(row: dict, prefix: str = "") -> dict[str, str]:
    """A row as one level of "a.b" keys with display text: lists joined by "; ", None empty
    (``projections.rows.flatten`` with this module's labels)."""
    return rows.flatten(row, prefix, item=item, scalar=value)


# --- task actions: the projections' English sentences, translated by template -----------

TASKS = [
    N_("Run the renewals through {end}: period {number} ended and nothing is recorded after it."),
    N_("Ground {rule} in force since {since}: staff {action}."),
    N_("Award KEIAI points for the {reason} of {trigger} (within about 2 weeks)."),
    N_("Decide the rental application for the lease starting {start}."),
    N_("Approved lease starts {start}: services stop for the lease."),
    N_("The card was suspended: ask the member to register another card; invoice arrears directly."),
    N_("Decide the secondary acquirer's registration (check the previous owner's notice and arrears)."),
    N_("{party} sends the year-{year} inspection notice to {member} (designated month {month})"),
    N_("present the year-{year} repair estimate requested on {on} to {member}"),
    N_("Phone the target of enrolment {id} to ask consent ({n} call): overdue, it was due by {due}; "
       "record it with `ledger presence call` (it will be flagged late)."),
    N_("Phone the target of enrolment {id} to ask consent ({n} call) by {due}; record it with `ledger presence call`."),
]
_TASK_RE = [(t, pattern(t)) for t in TASKS]


def task_action(text: str) -> str:
    """A task's action in the current language; its values (dates, ids) kept, labels translated."""
    if language() == "en":
        return text
    for template, pat in _TASK_RE:
        m = pat.match(text)
        if m:
            return f_(template, **{k: (_(v) if v in _VALUES else v) for k, v in m.groupdict().items()})
    return _(text)


# --- report lines made in English by ledger/ and projections/, translated by template ----------

LINES = [
    N_("ledger ready: {backend} store; facts append-only (triggers), hash-chained, personal data encrypted "
       "(master key: {source})"),
    N_("chained {n} facts recorded before the chain existed"),
    N_("roles: {writer} may insert and read facts; {auditor} may only read (personal fields withheld)"),
    N_("chain links and hashes, fact bytes, envelopes, stream versions, decoding"),
    N_("projections rebuilt from the log = read path: status of {members} members, history of {streams} streams, "
       "arrears"),
    N_("read model rebuilt from the log into a scratch copy = the stored tables ({rows} rows)"),
    N_("dated views recomputed from the log = the stored ones ({views} intervals; {stale} members or houses to "
       "compute at the next list)"),
    # the demo's story (demo.py)
    N_("Built {path}: {n} members, {facts} facts (SQLite), {today} is today.\n"),
    N_("== {member} today ({today}) =="),
    N_("\n== {member} on {day} as the ledger showed staff then (known at {known}) =="),
    N_("\n== {member} on {day} as now known (the late-entered payment counts, the mistake is gone) =="),
    N_("\n== Members in arrears today =="),
    N_("… and {n} more (ledger --db {path} arrears)"),
    N_("\nMore stories in this ledger:"),
    N_("  {command}    # {what}"),
    N_("renewal fee paid two months late: grounds IE-13.1.2 then IE-14.3.3"),
    N_("revoked on IE-14.3.3; arrears survive (IE-14.5)"),
    N_("house sold: withdrawn as of the transfer (IE-14.2)"),
    N_("the secondary acquirer (IE-17.1)"),
    N_("approved rental: services stop (IE-18)"),
    N_("withdrawal notice in time (IE-3.5)"),
    N_("the focus member's house: year-5 inspection, report and estimate"),
    N_("a lost special key at 23:40 (hotel), a caller who is not a relative at 02:15 (refused), a daytime leak"),
    N_("a presence-check enrolment: consent on the second call, a visit, an unlock request refused (PC-6.1)"),
]
_LINE_RE = [(t, pattern(t)) for t in LINES]


def line(text: str) -> str:
    """A line another layer wrote in English, in the current language (by its template)."""
    if language() == "en":
        return text
    for template, pat in _LINE_RE:
        m = pat.match(text)
        if m:
            return f_(template, **{k: line(v) if k == "what" else v for k, v in m.groupdict().items()})
    return text if text.startswith("  ledger ") else _(text)  # a command line is kept as it is
