"""Presence-check rules (PC-2 … PC-6.6): given facts, when a decision is asked, then these drafts or this refusal.

Enrolled on E = 2025-04-10 (a Thursday) unless a test says otherwise: the first
call is due by E + 3 = 04-13; the second call's window is E + 3 … E + 7 = 04-13 … 04-17.
"""
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from ledger import presence
from ledger.dates import JST
from ledger.errors import BadInput, Refused
from ledger.events import (
    ConsentCallMade,
    Personal,
    PresenceCheckDispatched,
    PresenceCheckEnrolled,
    PresenceCheckRefused,
    PresenceCheckRequested,
    PresenceConfirmedByPhone,
    PresenceConsentNotObtained,
    PresenceHolderClaimed,
    PresenceServiceStarted,
    PresenceStopRequested,
    PresenceVisitRecorded,
    VisitChecks,
)
from ledger.facts import Draft, visible
from tests.story import Story

E = date(2025, 4, 10)
HOLDER = Personal(name="山田 花子", address="東京都世田谷区桜丘2-14-6")
TARGET = Personal(name="山田 一郎", address="静岡県静岡市葵区呉服町1-8", phone="054-255-0101")
CHECKS = VisitChecks(intercom="observed", meter="observed", lights="not_checkable", mailbox="observed")
ASK = {"requester_relation_degree": 0, "wants_unlock": False, "beyond_front_door": False, "phone_confirmed": False}


def t(d: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), JST)


def day(n: int, hour: int = 10) -> datetime:
    """``hour`` o'clock on enrolment day + n."""
    return t(E + timedelta(days=n), hour)


def record(s: Story, drafts: list[Draft], when: datetime) -> list:
    """Record drafts as the store would for a command effective (and recorded) at ``when``."""
    return s.record([replace(d, effective=when) for d in drafts], when.date(), recorded=when)


def enrolment(s: Story, eid: str = "E-1") -> presence.Enrolment | None:
    return presence.fold(eid, visible(s.streams[presence.stream(eid)]))


def claims(s: Story, holder_id: str) -> list[PresenceHolderClaimed]:
    return [e for e in visible(s.streams[presence.holder_stream(holder_id)]) if isinstance(e, PresenceHolderClaimed)]


def enrol(s: Story, eid: str = "E-1", holder_id: str = "DL-1", degree: int = 1, when: datetime | None = None,
          target: Personal = TARGET) -> list[Draft]:
    cl = claims(s, holder_id)
    claimed = {c.enrolment_id: enrolment(s, c.enrolment_id) for c in cl}
    return presence.decide_enrol(enrolment(s, eid), cl, claimed, enrolment_id=eid, holder_id=holder_id, holder=HOLDER,
                                 target=target, relation_degree=degree, at=when or t(E, 11))


def given_enrolled(s: Story, eid: str = "E-1", holder_id: str = "DL-1", when: datetime | None = None) -> None:
    record(s, enrol(s, eid, holder_id, when=when), when or t(E, 11))


def call(s: Story, attempt: int, outcome: str, when: datetime, eid: str = "E-1") -> list[Draft]:
    return presence.decide_call(enrolment(s, eid), attempt, outcome, when)


def given_call(s: Story, attempt: int, outcome: str, when: datetime, eid: str = "E-1") -> None:
    record(s, call(s, attempt, outcome, when, eid), when)


def given_active(s: Story) -> None:
    given_enrolled(s)
    given_call(s, 1, "consented", day(1))


def request(s: Story, when: datetime, eid: str = "E-1", **kw) -> list[Draft]:
    return presence.decide_request(enrolment(s, eid), eid, when, **{**ASK, **kw})


# --- enrolment (PC-1, PC-2, PC-3.1, PC-3.2) ------------------------------------------------


def test_enrolment_fixes_the_call_windows_and_claims_the_holder_in_the_same_append():
    s = Story()
    drafts = enrol(s)
    assert [(d.stream, d.type) for d in drafts] == [("enrolment:E-1", PresenceCheckEnrolled),
                                                   ("holder:DL-1", PresenceHolderClaimed)]
    assert drafts[0].data["first_call_by"] == date(2025, 4, 13)
    assert drafts[0].data["second_call_from"] == date(2025, 4, 13)
    assert drafts[0].data["second_call_by"] == date(2025, 4, 17)
    assert drafts[0].rules == ("PC-1", "PC-2", "PC-3.1")
    # Personal data only in Personal fields; the ids are plain.
    assert drafts[0].data["holder"] == HOLDER and drafts[0].data["target"] == TARGET
    assert drafts[0].data["holder_id"] == "DL-1"
    assert drafts[1].data == {"holder_id": "DL-1", "enrolment_id": "E-1"}


@pytest.mark.parametrize("degree,ok", [(0, True), (1, True), (2, True), (3, False)])
def test_pc_2_the_target_is_a_spouse_or_family_within_the_second_degree(degree, ok):
    s = Story()
    if ok:
        assert enrol(s, degree=degree)[0].data["relation_degree"] == degree
    else:
        with pytest.raises(Refused) as e:
            enrol(s, degree=degree)
        assert e.value.rule == "PC-2"
        assert "second degree" in e.value.en


def test_pc_2_the_target_needs_name_address_and_phone():
    s = Story()
    with pytest.raises(Refused) as e:
        enrol(s, target=Personal(name="山田 一郎", address="静岡県静岡市"))
    assert e.value.rule == "PC-2" and "phone" in e.value.en


def test_pc_2_one_target_per_contract_holder():
    s = Story()
    given_enrolled(s, "E-1")
    with pytest.raises(Refused) as e:
        enrol(s, "E-2", when=t(E + timedelta(days=30)))
    assert e.value.rule == "PC-2"
    assert "DL-1 already has a target enrolled under E-1 (pending_consent)" in e.value.en
    # Another contract holder is not affected.
    assert enrol(s, "E-3", holder_id="DL-2")[1].stream == "holder:DL-2"


def test_an_enrolment_id_is_used_once():
    s = Story()
    given_enrolled(s, "E-1")
    with pytest.raises(Refused) as e:
        enrol(s, "E-1", holder_id="DL-2")
    assert e.value.code == "already_exists"


@pytest.mark.parametrize("end", ["stopped", "consent_not_obtained"])
def test_pc_2_reading_a_holder_may_enrol_again_once_the_first_enrolment_ended(end):
    s = Story()
    given_enrolled(s, "E-1")
    if end == "consent_not_obtained":
        given_call(s, 1, "declined", day(2))
    else:
        record(s, presence.decide_stop(enrolment(s, "E-1"), "resident", day(2)), day(2))
    # Earlier on the day of the end, the claim still holds ...
    with pytest.raises(Refused) as e:
        enrol(s, "E-2", when=day(2, 9))
    assert e.value.rule == "PC-2"
    # ... after it, the holder may enrol another target.
    drafts = enrol(s, "E-2", when=day(5))
    assert drafts[1].data == {"holder_id": "DL-1", "enrolment_id": "E-2"}


# --- the consent calls (PC-3.1 … PC-3.4) --------------------------------------------------


@pytest.mark.parametrize("n,late", [(0, False), (1, False), (3, False), (4, True)])
def test_pc_3_1_the_first_call_is_due_by_enrolment_plus_3_days(n, late):
    s = Story()
    given_enrolled(s)
    drafts = call(s, 1, "no_answer", day(n, 18))
    assert drafts[0].type is ConsentCallMade and drafts[0].rules == ("PC-3.1",)
    assert drafts[0].data == {"attempt": 1, "outcome": "no_answer", "window_from": E, "window_to": date(2025, 4, 13),
                              "late": late, "early": False}
    assert len(drafts) == 1  # one unanswered call decides nothing yet


@pytest.mark.parametrize("n,early,late", [(2, True, False), (3, False, False), (7, False, False), (8, False, True)])
def test_pc_3_2_the_second_call_window_is_enrolment_plus_3_to_7_days(n, early, late):
    s = Story()
    given_enrolled(s)
    given_call(s, 1, "no_answer", day(1))
    drafts = call(s, 2, "no_answer", day(n, 18))
    assert drafts[0].rules == ("PC-3.2",)
    assert drafts[0].data == {"attempt": 2, "outcome": "no_answer", "window_from": date(2025, 4, 13),
                              "window_to": date(2025, 4, 17), "late": late, "early": early}
    # Two calls without consent: the holder is told, the service does not start (PC-3.4).
    assert drafts[1].type is PresenceConsentNotObtained and drafts[1].rules == ("PC-3.4",)
    assert drafts[1].data == {"reason": "no_consent_after_two_calls", "attempt": 2}


@pytest.mark.parametrize("first", ["consented", "declined"])
def test_pc_3_2_no_second_call_after_a_first_call_that_connected(first):
    s = Story()
    given_enrolled(s)
    given_call(s, 1, first, day(1))
    with pytest.raises(Refused) as e:
        call(s, 2, "consented", day(4))
    assert e.value.rule == "PC-3.2" and "connected" in e.value.en


def test_pc_3_2_the_second_call_needs_the_first_before_it():
    s = Story()
    given_enrolled(s)
    with pytest.raises(Refused) as e:
        call(s, 2, "consented", day(4))
    assert e.value.rule == "PC-3.2"
    given_call(s, 1, "no_answer", day(3, 15))
    with pytest.raises(Refused) as e:
        call(s, 2, "consented", day(3, 14))
    assert e.value.rule == "PC-3.2" and "before the first" in e.value.en


def test_a_call_is_recorded_once_and_never_before_the_enrolment():
    s = Story()
    given_enrolled(s)
    with pytest.raises(Refused) as e:
        call(s, 1, "no_answer", t(E, 10))  # enrolled at 11:00
    assert e.value.code == "before_enrolment"
    given_call(s, 1, "no_answer", day(1))
    with pytest.raises(Refused) as e:
        call(s, 1, "consented", day(2))
    assert e.value.code == "already_recorded"


@pytest.mark.parametrize("attempt", [1, 2])
def test_pc_3_3_consent_starts_the_service_and_the_holder_is_sent_the_completion_notice(attempt):
    s = Story()
    given_enrolled(s)
    if attempt == 2:
        given_call(s, 1, "no_answer", day(1))
    drafts = call(s, attempt, "consented", day(3, 14))
    assert [d.type for d in drafts] == [ConsentCallMade, PresenceServiceStarted]
    assert drafts[1].rules == ("PC-3.3",)
    assert drafts[1].data == {"attempt": attempt}
    record(s, drafts, day(3, 14))
    en = enrolment(s)
    assert en.state_on(day(3, 13)) == "pending_consent"
    assert en.state_on(day(3, 14)) == "active"
    assert en.state_on(E + timedelta(days=3)) == "active"  # a day counts whole
    assert en.state_on(E + timedelta(days=2)) == "pending_consent"


def test_pc_3_4_a_target_who_declines_ends_the_enrolment_at_once():
    s = Story()
    given_enrolled(s)
    drafts = call(s, 1, "declined", day(1))
    assert drafts[1].type is PresenceConsentNotObtained
    assert drafts[1].data == {"reason": "declined", "attempt": 1}
    record(s, drafts, day(1))
    assert enrolment(s).state_on(E + timedelta(days=1)) == "consent_not_obtained"
    assert enrolment(s).consent_outcome(E + timedelta(days=1)) == "declined"


def test_no_consent_call_after_a_stop():
    s = Story()
    given_enrolled(s)
    record(s, presence.decide_stop(enrolment(s), "agent", day(1)), day(1))
    with pytest.raises(Refused) as e:
        call(s, 1, "consented", day(2))
    assert e.value.rule == "PC-6.6"


# --- requests: refusals (PC-6.1 … PC-6.6) ----------------------------------------------------


@pytest.mark.parametrize("kw,rule", [
    ({"wants_unlock": True}, "PC-6.1"),
    ({"beyond_front_door": True}, "PC-6.2"),
    ({"requester_relation_degree": 3}, "PC-6.3"),
])
def test_pc_6_1_to_6_3_grounds_in_the_request_itself_refuse_it(kw, rule):
    s = Story()
    given_active(s)
    drafts = request(s, day(10), **kw)
    assert [d.type for d in drafts] == [PresenceCheckRequested, PresenceCheckRefused]
    assert drafts[1].rules == (rule,)
    assert drafts[1].data == {"request_no": 1, "decision": "refused", "ledger_decision": "refused",
                              "grounds": (rule,), "override_reason": None}


@pytest.mark.parametrize("degree", [0, 1, 2])
def test_pc_6_3_the_holder_a_spouse_or_a_relative_within_two_degrees_may_ask(degree):
    s = Story()
    given_active(s)
    assert request(s, day(10), requester_relation_degree=degree)[1].type is PresenceCheckDispatched


def test_pc_6_4_a_request_without_a_registered_target_is_refused():
    s = Story()
    with pytest.raises(Refused) as e:
        request(s, day(10), eid="E-404")
    assert e.value.rule == "PC-6.4" and "E-404" in e.value.en
    # A target whose details were erased (or never complete) is not registered either.
    erased = Draft("enrolment:E-1", PresenceCheckEnrolled, {
        "enrolment_id": "E-1", "holder_id": "DL-1", "holder": HOLDER, "target": Personal(erased=True),
        "relation_degree": 1, "first_call_by": date(2025, 4, 13), "second_call_from": date(2025, 4, 13),
        "second_call_by": date(2025, 4, 17)})
    record(s, [erased], t(E, 11))
    given_call(s, 1, "consented", day(1))
    drafts = request(s, day(10))
    assert drafts[1].type is PresenceCheckRefused and drafts[1].rules == ("PC-6.4",)


def test_pc_6_4_a_request_before_the_enrolment_is_refused():
    s = Story()
    given_enrolled(s)
    with pytest.raises(Refused) as e:
        request(s, t(E, 10))
    assert e.value.rule == "PC-6.4" and e.value.code == "before_enrolment"


def test_pc_6_5_no_check_before_consent_or_after_consent_was_not_obtained():
    s = Story()
    given_enrolled(s)
    assert request(s, day(1))[1].rules == ("PC-6.5",)
    given_call(s, 1, "no_answer", day(1))
    given_call(s, 2, "no_answer", day(4))
    refused = request(s, day(5))[1]
    assert refused.type is PresenceCheckRefused and refused.rules == ("PC-6.5",)


def test_pc_6_5_consent_counts_from_the_instant_of_the_call():
    s = Story()
    given_enrolled(s)
    given_call(s, 1, "consented", day(2, 15))
    assert request(s, day(2, 14))[1].rules == ("PC-6.5",)
    assert request(s, day(2, 15))[1].type is PresenceCheckDispatched


def test_pc_6_6_a_stop_by_the_resident_or_an_agent_refuses_later_requests():
    s = Story()
    given_active(s)
    drafts = presence.decide_stop(enrolment(s), "agent", day(20))
    assert drafts[0].type is PresenceStopRequested and drafts[0].rules == ("PC-6.6",)
    record(s, drafts, day(20))
    assert request(s, day(19))[1].type is PresenceCheckDispatched
    assert request(s, day(20))[1].rules == ("PC-6.6",)
    assert enrolment(s).state_on(E + timedelta(days=20)) == "stopped"
    assert enrolment(s).state_on(E + timedelta(days=19)) == "active"
    with pytest.raises(Refused) as e:
        presence.decide_stop(enrolment(s), "resident", day(21))
    assert e.value.code == "no_change" and e.value.rule == "PC-6.6"


def test_every_ground_in_force_is_listed_in_rule_order():
    s = Story()
    given_enrolled(s)
    drafts = request(s, day(1), wants_unlock=True, beyond_front_door=True, requester_relation_degree=4)
    assert drafts[1].rules == ("PC-6.1", "PC-6.2", "PC-6.3", "PC-6.5")


# --- requests: dispatch and the frequent-user rule (PC-4.1, PC-5.2) ----------------------------


def test_pc_4_1_an_ordinary_request_sends_staff():
    s = Story()
    given_active(s)
    drafts = request(s, day(10), phone_confirmed=True)
    assert drafts[0].rules == ("PC-4.1",) and drafts[0].data["request_no"] == 1
    assert drafts[1].type is PresenceCheckDispatched and drafts[1].rules == ("PC-4.1",)


@pytest.mark.parametrize("confirmed,kind,rules", [
    (True, PresenceConfirmedByPhone, ("PC-5.2",)),
    (False, PresenceCheckDispatched, ("PC-5.2", "PC-4.1")),
])
def test_pc_5_2_a_frequent_users_target_is_phoned_first(confirmed, kind, rules):
    s = Story()
    given_active(s)
    flag = presence.decide_flag(enrolment(s), "14 requests in a month", day(9))
    assert flag[0].rules == ("PC-5.2",)
    record(s, flag, day(9))
    drafts = request(s, day(10), phone_confirmed=confirmed)
    assert drafts[1].type is kind and drafts[1].rules == rules
    # Before the flag took effect, the same request was an ordinary one.
    assert request(s, day(8), phone_confirmed=confirmed)[1].rules == ("PC-4.1",)


def test_pc_5_2_a_frequent_user_is_flagged_once():
    s = Story()
    given_active(s)
    record(s, presence.decide_flag(enrolment(s), None, day(9)), day(9))
    with pytest.raises(Refused) as e:
        presence.decide_flag(enrolment(s), None, day(12))
    assert e.value.code == "no_change"


def test_requests_are_numbered_and_unlimited():
    s = Story()
    given_active(s)
    for n in range(1, 4):
        drafts = request(s, day(10 + n))
        assert drafts[0].data["request_no"] == n == drafts[1].data["request_no"]
        record(s, drafts, day(10 + n))
    assert [r.decision for r in enrolment(s).requests] == ["dispatch"] * 3


def test_staff_may_record_a_different_outcome_with_an_override_reason():
    s = Story()
    given_active(s)
    with pytest.raises(Refused) as e:
        request(s, day(10), wants_unlock=True, outcome="dispatch")
    assert e.value.code == "override_needed" and e.value.rule == "PC-6.1"
    drafts = request(s, day(10), wants_unlock=True, outcome="dispatch",
                     override_reason="Caller withdrew the unlock request on the phone.")
    assert drafts[1].type is PresenceCheckDispatched
    assert drafts[1].data["ledger_decision"] == "refused" and drafts[1].data["grounds"] == ("PC-6.1",)
    assert drafts[1].data["override_reason"] == "Caller withdrew the unlock request on the phone."
    with pytest.raises(BadInput) as e:
        request(s, day(10), override_reason="no outcome given")
    assert e.value.field == "outcome"
    # Naming the ledger's own outcome needs no reason and records none.
    assert request(s, day(10), outcome="dispatch")[1].data["override_reason"] is None


# --- visits (PC-4.1 … PC-4.3) --------------------------------------------------------------------


def given_dispatched(s: Story, when: datetime) -> None:
    given_active(s)
    record(s, request(s, when), when)


def test_pc_4_2_at_home_the_target_signs_and_the_holder_is_told():
    s = Story()
    given_dispatched(s, day(10, 19))
    drafts = presence.decide_visit(enrolment(s), day(10, 20), "at_home", CHECKS, True)
    assert drafts[0].type is PresenceVisitRecorded and drafts[0].rules == ("PC-4.1", "PC-4.2")
    assert drafts[0].data == {"request_no": 1, "result": "at_home", "checks": CHECKS, "signed": True,
                              "memo_left": False, "report": "presence_confirmed"}
    # The signature is procedure, not a condition of the result (issue 10): an
    # unsigned at-home visit is still at home, flagged signed: false.
    unsigned = presence.decide_visit(enrolment(s), day(10, 20), "at_home", CHECKS, False)
    assert unsigned[0].data["result"] == "at_home" and unsigned[0].data["signed"] is False
    assert unsigned[0].data["report"] == "presence_confirmed" and unsigned[0].rules == ("PC-4.1", "PC-4.2")


def test_pc_4_3_absent_a_memo_is_left_and_the_holder_is_told():
    s = Story()
    given_dispatched(s, day(10, 19))
    drafts = presence.decide_visit(enrolment(s), day(10, 20), "absent", CHECKS, False)
    assert drafts[0].rules == ("PC-4.1", "PC-4.3")
    assert drafts[0].data["memo_left"] is True and drafts[0].data["report"] == "presence_not_confirmed"
    with pytest.raises(BadInput) as e:
        presence.decide_visit(enrolment(s), day(10, 20), "absent", CHECKS, True)
    assert e.value.field == "signed"


def test_pc_4_1_a_visit_answers_one_dispatched_request_made_before_it():
    s = Story()
    given_active(s)
    with pytest.raises(Refused) as e:
        presence.decide_visit(enrolment(s), day(10, 20), "absent", CHECKS, False)
    assert e.value.rule == "PC-4.1" and e.value.code == "no_dispatch"
    record(s, request(s, day(10, 19)), day(10, 19))
    with pytest.raises(Refused):
        presence.decide_visit(enrolment(s), day(10, 18), "absent", CHECKS, False)  # before the request
    record(s, presence.decide_visit(enrolment(s), day(10, 20), "absent", CHECKS, False), day(10, 20))
    with pytest.raises(Refused):  # that request has its visit already
        presence.decide_visit(enrolment(s), day(10, 21), "absent", CHECKS, False)


def test_pc_5_2_no_visit_when_presence_was_confirmed_by_phone_nor_after_a_refusal():
    s = Story()
    given_active(s)
    record(s, presence.decide_flag(enrolment(s), None, day(9)), day(9))
    record(s, request(s, day(10), phone_confirmed=True), day(10))
    record(s, request(s, day(11), wants_unlock=True), day(11))
    assert [r.decision for r in enrolment(s).requests] == ["phone_first", "refused"]
    with pytest.raises(Refused) as e:
        presence.decide_visit(enrolment(s), day(12), "absent", CHECKS, False)
    assert e.value.code == "no_dispatch"


# --- the fold and the calls owed ------------------------------------------------------------------


def test_nothing_is_an_enrolment_without_its_enrolment_fact():
    assert presence.fold("E-1", []) is None


@pytest.mark.parametrize("n,due", [
    (0, ("consent_call_1", "2025-04-13", False)),
    (3, ("consent_call_1", "2025-04-13", False)),
    (4, ("consent_call_1", "2025-04-13", True)),
])
def test_the_first_call_is_owed_from_enrolment_and_overdue_after_day_3(n, due):
    s = Story()
    given_enrolled(s)
    got = enrolment(s).call_due(E + timedelta(days=n))
    assert (got["kind"], got["due_on"].isoformat(), got["overdue"]) == due


@pytest.mark.parametrize("n,due", [
    (2, None),  # the second window is not open yet
    (3, ("consent_call_2", "2025-04-17", False)),
    (7, ("consent_call_2", "2025-04-17", False)),
    (8, ("consent_call_2", "2025-04-17", True)),
])
def test_the_second_call_is_owed_from_day_3_and_overdue_after_day_7(n, due):
    s = Story()
    given_enrolled(s)
    given_call(s, 1, "no_answer", day(1))
    got = enrolment(s).call_due(E + timedelta(days=n))
    assert (got and (got["kind"], got["due_on"].isoformat(), got["overdue"])) == due


def test_the_next_call_is_shown_before_its_window_opens():
    s = Story()
    given_enrolled(s)
    given_call(s, 1, "no_answer", day(1))
    expected = enrolment(s).next_call(E + timedelta(days=2))
    assert (expected["attempt"], expected["from"], expected["due_on"], expected["open"]) == (
        2, date(2025, 4, 13), date(2025, 4, 17), False)


def test_no_call_is_owed_once_consent_is_decided_or_the_service_stopped():
    s = Story()
    given_enrolled(s)
    given_call(s, 1, "consented", day(1))
    assert enrolment(s).call_due(E + timedelta(days=1)) is None
    assert enrolment(s).call_due(E) is not None  # the day before, as true then, the call was still owed
    s2 = Story()
    given_enrolled(s2)
    record(s2, presence.decide_stop(enrolment(s2), "resident", day(1)), day(1))
    assert enrolment(s2).call_due(E + timedelta(days=5)) is None
