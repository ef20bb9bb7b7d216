"""The 24-hour emergency service (Art. 8, Appendix 2, IE-13.1, IE-14.6, IE-17.3.1, IE-18,
IE-19.3), decided at the incident instant: given facts, when a request comes, then this decision."""
from datetime import date, datetime, timezone

import pytest

from ledger import emergency, member
from ledger.dates import JST
from ledger.errors import BadInput, Refused
from ledger.events import (
    EmergencyRequested,
    MemberSuspended,
    MembershipRevoked,
    MembershipWithdrawn,
    RentalApplied,
    RentalApproved,
    SuspensionLifted,
)
from ledger.facts import Draft, visible
from tests.story import Story
from tests.domain.test_inspection import primary, secondary


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def member_at(s: Story, mid: str, when: datetime) -> member.Member:
    return member.fold(mid, visible(s.streams[member.stream(mid)], as_of=when))


def active(s: Story | None = None, operator: bool = True) -> Story:
    """M-1 on P-1 (delivered 2025-03-15), active from 2025-04-01, operator provision consented."""
    s = s or Story()
    primary(s)
    if operator:
        s.record(member.decide_consent(s.member("M-1"), "operator_provision", True, date(2025, 3, 2)), date(2025, 3, 2))
    return s


def ask(s: Story, when: datetime, mid: str = "M-1", **kw) -> emergency.Decision:
    req = dict(member_id=mid, property_id="P-1", at=when, category="water", requester="member", id_checked=True)
    req.update(kw)
    return emergency.decide_emergency(member_at(s, mid, when), s.property("P-1"), emergency.Request(**req))


def record(s: Story, when: datetime, override: tuple[str, str] | None = None, mid: str = "M-1", **kw):
    req = dict(member_id=mid, property_id="P-1", at=when, category="water", requester="member", id_checked=True)
    req.update(kw)
    drafts = emergency.decide_request(member_at(s, mid, when), s.property("P-1"), emergency.Request(**req),
                                      *(override or (None, None)))
    return s.record(drafts, when.date())[0]


# --- the night rule of IE-A2-1.3 ------------------------------------------------------------------


@pytest.mark.parametrize("when,outcome,options", [
    ("2026-06-13T08:59:59", "hotel", ("hotel",)),
    ("2026-06-13T09:00:00", "first_response", ("destructive_unlock", "hotel")),
    ("2026-06-13T20:59:59", "first_response", ("destructive_unlock", "hotel")),
    ("2026-06-13T21:00:00", "hotel", ("hotel",)),
    ("2026-06-13T23:40:00", "hotel", ("hotel",)),
])
def test_ie_a2_1_3_a_lost_key_at_night_is_hotel_only(when, outcome, options):
    d = ask(active(), t(when), category="lost_key", key_type="normal")
    assert (d.outcome, d.options, d.hotel_cap_yen, d.rules) == (outcome, options, 10_000, ("IE-A2-1.3",))
    assert d.hotel_only_because == (("night",) if outcome == "hotel" else ())


@pytest.mark.parametrize("utc_time,night", [("11:59", False), ("12:00", True), ("23:59", True), ("00:00", False)])
def test_the_night_rule_is_japan_time_whatever_zone_the_timestamp_has(utc_time, night):
    # 12:00 UTC is 21:00 in Tokyo; 00:00 UTC is 09:00.
    h, m = map(int, utc_time.split(":"))
    assert emergency.is_night(datetime(2026, 6, 13, h, m, tzinfo=timezone.utc)) is night


def test_ie_a2_1_3_a_special_key_is_hotel_only_by_day():
    d = ask(active(), t("2026-06-13T14:00"), category="lost_key", key_type="special")
    assert (d.outcome, d.hotel_only_because) == ("hotel", ("special_key",))


# --- coverage (IE-A2-1.1, IE-A2-1.2) ---------------------------------------------------------------------


@pytest.mark.parametrize("category,key_type,outcome,rules", [
    ("water", None, "first_response", ("IE-8.1", "IE-A2-1.1")),
    ("glass", None, "first_response", ("IE-8.1", "IE-A2-1.1")),
    ("key", "normal", "first_response", ("IE-8.1", "IE-A2-1.1")),
    ("key", "special", "phone_only", ("IE-A2-1.1",)),
    ("electric_gas", None, "phone_only", ("IE-A2-1.1",)),
])
def test_ie_a2_1_1_what_a_category_gets(category, key_type, outcome, rules):
    d = ask(active(), t("2026-06-13T14:00"), category=category, key_type=key_type)
    assert (d.outcome, d.rules, d.hotel_cap_yen) == (outcome, rules, None)


# --- refusal grounds visible in the request (IE-8.8.x) ---------------------------------------------------


@pytest.mark.parametrize("fields,grounds,outcome", [
    ({"requester": "other"}, ("IE-8.8.1",), "refused"),
    ({"requester": "relative"}, (), "first_response"),
    ({"property_id": "P-9"}, ("IE-8.8.2",), "refused"),
    ({"id_checked": False}, ("IE-8.8.3",), "refused"),
    ({"cause": "disaster"}, ("IE-8.8.5",), "refused"),
    ({"cause": "structural"}, ("IE-8.8.6",), "refused"),
    ({"cause": "structural", "category": "electric_gas"}, ("IE-8.8.6",), "phone_only"),
    ({"cause": "neighbour"}, ("IE-8.8.7",), "refused"),
    ({"cause": "manufacturer"}, ("IE-8.8.8",), "refused"),
    ({"requester": "other", "id_checked": False}, ("IE-8.8.1", "IE-8.8.3"), "refused"),
])
def test_ie_8_8_grounds_in_the_fields(fields, grounds, outcome):
    d = ask(active(), t("2026-06-13T14:00"), **fields)
    assert (d.grounds, d.outcome, d.blocked_by) == (grounds, outcome, ())
    if outcome == "refused":
        assert d.rules == grounds


def test_ie_8_8_9_special_work_is_refused_and_never_a_first_response():
    s = active()
    d = ask(s, t("2026-06-13T14:00"), cause="special_work")
    assert (d.outcome, d.rules) == ("refused", ("IE-8.8.9", "IE-A2-1.2"))
    with pytest.raises(Refused) as e:
        record(s, t("2026-06-13T14:00"), ("first_response", "the operator judged it a 20-minute job"),
               cause="special_work")
    assert e.value.rule == "IE-A2-1.2"


# --- membership state at the instant (IE-13.1, IE-14.6, IE-17.3.1, IE-18, IE-19.3) -----------------------


def test_ie_19_3_no_operator_provision_consent_no_24_hour_service():
    s = active(operator=False)
    d = ask(s, t("2026-06-13T14:00"))
    assert (d.outcome, d.blocked_by, d.member_state) == ("refused", ("IE-19.3",), "active")
    s.record(member.decide_consent(s.member("M-1"), "operator_provision", True, date(2026, 6, 14)), date(2026, 6, 14))
    assert ask(s, t("2026-06-13T23:59")).outcome == "refused"
    assert ask(s, t("2026-06-14T00:00")).outcome == "first_response"


@pytest.mark.parametrize("when,outcome", [
    ("2026-06-09T23:59", "first_response"),  # the day before the suspension
    ("2026-06-10T00:00", "refused"),  # its first day
    ("2026-06-19T23:59", "refused"),
    ("2026-06-20T00:00", "first_response"),  # lifted
])
def test_ie_13_1_no_service_while_suspended(when, outcome):
    s = active()
    sus = s.record([Draft(member.stream("M-1"), MemberSuspended, {"rule": "IE-13.1.2"}, ("IE-13.1.2",))],
                   date(2026, 6, 10))
    s.record([Draft(member.stream("M-1"), SuspensionLifted, {"rule": "IE-13.1.2"}, ("IE-13.1",))], date(2026, 6, 20))
    d = ask(s, t(when))
    assert d.outcome == outcome
    if outcome == "refused":
        assert d.blocked_by == ("IE-13.1",) and d.member_state == "suspended" and sus[0].event_id in d.because


@pytest.mark.parametrize("when,outcome", [("2027-04-30T23:59", "first_response"), ("2027-05-01T00:00", "refused")])
def test_ie_18_no_service_from_the_lease_start_day_of_an_approved_rental(when, outcome):
    s = active()
    s.record([Draft(member.stream("M-1"), RentalApplied,
                    {"lease_start": date(2027, 5, 1), "deadline": date(2027, 3, 31), "in_time": True}, ("IE-18.1",))],
             date(2027, 3, 1))
    ok = s.record([Draft(member.stream("M-1"), RentalApproved, {"lease_start": date(2027, 5, 1)}, ("IE-18.1",))],
                  date(2027, 3, 10))
    d = ask(s, t(when))
    assert d.outcome == outcome
    if outcome == "refused":
        assert d.blocked_by == ("IE-18",) and ok[0].event_id in d.because


@pytest.mark.parametrize("when,outcome", [("2031-07-31T23:59", "refused"), ("2031-08-01T00:00", "first_response")])
def test_ie_17_3_1_a_secondary_acquirer_has_no_24_hour_service_before_the_start(when, outcome):
    s = active()
    secondary(s, transfer_on=date(2031, 7, 20), done_on=date(2031, 7, 2), accepted_on=date(2031, 7, 25))
    s.record(member.decide_consent(s.member("M-2"), "operator_provision", True, date(2031, 7, 2)), date(2031, 7, 25))
    d = ask(s, t(when), mid="M-2")
    assert d.outcome == outcome
    if outcome == "refused":
        assert (d.blocked_by, d.member_state) == (("IE-17.3.1",), "accepted")
    # The previous member withdrew as of the transfer (IE-14.2): no service to M-1 now.
    assert ask(s, t(when)).blocked_by == ("IE-14.6",)


@pytest.mark.parametrize("fact", ["withdrawn", "revoked"])
def test_ie_14_6_a_withdrawn_or_revoked_member_is_refused_from_the_first_day(fact):
    s = active()
    if fact == "withdrawn":
        ev = s.record([Draft(member.stream("M-1"), MembershipWithdrawn, {"effective_on": date(2027, 4, 1), "cause": "notice"},
                             ("IE-14.1",))], date(2027, 3, 31))
    else:
        ev = s.record([Draft(member.stream("M-1"), MembershipRevoked, {"rule": "IE-14.3.7", "reason": "violent demands"},
                             ("IE-14.3.7",))], date(2027, 4, 1))
    assert ask(s, t("2027-03-31T23:59")).outcome == "first_response"
    d = ask(s, t("2027-04-01T00:00"))
    assert (d.outcome, d.blocked_by, d.member_state) == ("refused", ("IE-14.6",), fact)
    assert ev[0].event_id in d.because


def test_a_must_block_comes_first_and_the_grounds_are_still_recorded():
    s = active(operator=False)
    d = ask(s, t("2026-06-13T23:40"), requester="other", category="lost_key", key_type="special")
    assert (d.outcome, d.rules, d.grounds) == ("refused", ("IE-19.3",), ("IE-8.8.1",))


# --- the recorded fact and overrides ---------------------------------------------------------------------


def test_the_fact_records_request_decision_rules_and_the_facts_behind_it():
    s = active()
    e = record(s, t("2026-06-13T23:40"), category="lost_key", key_type="special")
    assert isinstance(e, EmergencyRequested)
    assert e.effective == t("2026-06-13T23:40") and e.stream == "member:M-1"
    assert (e.decision, e.proposed, e.hotel_cap_yen, e.night, e.member_state) == ("hotel", "hotel", 10_000, True, "active")
    assert e.rules == ("IE-A2-1.3",) and e.hotel_only_because == ("special_key", "night")
    accepted = next(x for x in s.streams["member:M-1"] if x.TYPE == "RegistrationAccepted")
    consent = next(x for x in s.streams["member:M-1"] if x.TYPE == "ConsentRecorded" and x.kind == "operator_provision")
    assert {accepted.event_id, consent.event_id, "property:P-1#1"} <= set(e.because)


def test_staff_may_record_the_members_choice_of_hotel_by_day():
    e = record(active(), t("2026-06-13T14:00"), ("hotel", "the member chose the hotel"),
               category="lost_key", key_type="normal")
    assert (e.proposed, e.decision, e.override_reason, e.hotel_cap_yen) == ("first_response", "hotel",
                                                                            "the member chose the hotel", 10_000)


def test_staff_may_waive_a_may_ground_and_the_waived_ground_is_cited():
    e = record(active(), t("2026-06-13T14:00"), ("first_response", "the caller is the member's tenant-sitter; member confirmed by phone"),
               requester="other")
    assert (e.proposed, e.decision, e.rules) == ("refused", "first_response", ("IE-8.1", "IE-A2-1.1", "IE-8.8.1"))


def test_staff_refusing_without_a_visible_ground_cite_ie_8_8_10():
    e = record(active(), t("2026-06-13T14:00"), ("refused", "the area is cut off by a landslide"))
    assert (e.proposed, e.decision, e.rules) == ("first_response", "refused", ("IE-8.8.10",))


@pytest.mark.parametrize("override,fields,rule", [
    (("first_response", "x"), {"category": "electric_gas"}, "IE-A2-1.1"),
    (("hotel", "x"), {"category": "water"}, "IE-A2-1.3"),
])
def test_an_override_cannot_give_what_the_appendix_never_covers(override, fields, rule):
    with pytest.raises(Refused) as e:
        record(active(), t("2026-06-13T14:00"), override, **fields)
    assert e.value.rule == rule


def test_an_override_cannot_serve_a_member_a_must_rule_blocks():
    s = active()
    s.record([Draft(member.stream("M-1"), MemberSuspended, {"rule": "IE-13.1.2"}, ("IE-13.1.2",))], date(2026, 6, 10))
    with pytest.raises(Refused) as e:
        record(s, t("2026-06-13T23:40"), ("hotel", "she insisted"), category="lost_key", key_type="normal")
    assert e.value.rule == "IE-13.1" and "retract" in e.value.en


@pytest.mark.parametrize("override,fields,field", [
    (("first_response", None), {}, "override_reason"),
    ((None, "why"), {}, "override_outcome"),
    (("first_response", "same"), {}, "override_outcome"),
    ((None, None), {"category": "lost_key"}, "key_type"),
    ((None, None), {"category": "water", "key_type": "special"}, "key_type"),
])
def test_malformed_requests_are_bad_input(override, fields, field):
    with pytest.raises(BadInput) as e:
        record(active(), t("2026-06-13T14:00"), override, **fields)
    assert e.value.field == field
