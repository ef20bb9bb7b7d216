"""Inspections (IE-6.x, IE-7, IE-9.1, IE-12.4, IE-14.3.8, IE-17.3.2, IE-A1.4):
given facts, when a decision is asked, then these drafts or this refusal."""
from datetime import date

import pytest

from ledger import inspection, member
from ledger.errors import BadInput, Refused
from ledger.events import (
    MemberSuspended,
    MembershipRevoked,
    MembershipWithdrawn,
    RentalApplied,
    RentalApproved,
)
from ledger.facts import Draft, visible
from tests.story import Story, at
from tests.domain.test_registration import accept, apply, complete, given_house

# Delivered 2025-03-15 (test_registration.DELIVERED): M-1 starts 2025-04-01.
# Year 5: 2029-03-15 .. 2030-03-14, designated month 2030-03, notice by 2029-11-30.
# Year 10: 2034-03-15 .. 2035-03-14, designated month 2035-03, notice by 2034-11-30.


def world(s: Story, on: date):
    house = s.property("P-1")
    ins = inspection.fold("P-1", visible(s.streams[inspection.stream("P-1")], as_of=at(on, 23)))
    members = {mid: s.member(mid, on) for mid, *_ in house.members}
    return house, ins, {k: v for k, v in members.items() if v is not None}


def do(s: Story, fn, on: date, **kw):
    house, ins, members = world(s, on)
    return s.record(fn(ins, house, members, on=on, **kw), on)


def primary(s: Story) -> None:
    house = given_house(s)
    apply(s, house, date(2025, 3, 1))
    complete(s, date(2025, 3, 2))
    s.record(accept(s, house, date(2025, 3, 10)), date(2025, 3, 10))


def secondary(s: Story, transfer_on: date, done_on: date, accepted_on: date, mid: str = "M-2") -> None:
    house = s.property("P-1")
    apply(s, house, done_on, mid=mid, acquirer="secondary", previous=s.member("M-1", done_on),
          previous_member_id="M-1", transfer_on=transfer_on, transfer_kind="sale")
    complete(s, done_on, mid=mid)
    s.record(accept(s, house, accepted_on, mid=mid), accepted_on)
    # IE-14.2: the previous member withdraws as of the transfer date (the lifecycle writes this).
    s.record([Draft(member.stream("M-1"), MembershipWithdrawn,
                    {"effective_on": transfer_on, "cause": "transfer", "successor_id": mid}, ("IE-14.2",))], accepted_on)


def year5_done(s: Story, report: str = "R-5", repairs: bool = True, on: date = date(2030, 3, 7)) -> None:
    do(s, inspection.decide_notice, date(2029, 11, 10), year=5, by="inspection_company")
    do(s, inspection.decide_schedule, date(2030, 1, 20), year=5, by="inspection_company", inspection_on=on)
    do(s, inspection.decide_complete, on, year=5, by="inspection_company", report_id=report, repairs_needed=repairs)


def row(s: Story, year: int, on: date) -> dict:
    from projections.inspections import year_row

    house, ins, members = world(s, on)
    return year_row(house, ins, members, year)


# --- the schedule (IE-6.dates) -----------------------------------------------------


@pytest.mark.parametrize("delivered,year,starts,due,month,notice_by", [
    # TERMS.md's own example: delivered 2020-03-15 -> year 5 ends 2025-03-14, notice by 2024-11-30.
    (date(2020, 3, 15), 5, date(2024, 3, 15), date(2025, 3, 14), "2025-03", date(2024, 11, 30)),
    (date(2020, 3, 15), 10, date(2029, 3, 15), date(2030, 3, 14), "2030-03", date(2029, 11, 30)),
    # Delivered on a leap day: years end on 28 February unless the final year has a 29th (Art. 143(2)).
    (date(2024, 2, 29), 5, date(2028, 2, 29), date(2029, 2, 28), "2029-02", date(2028, 10, 31)),
    (date(2024, 2, 29), 10, date(2033, 3, 1), date(2034, 2, 28), "2034-02", date(2033, 10, 31)),
    (date(2024, 2, 29), 20, date(2043, 3, 1), date(2044, 2, 28), "2044-02", date(2043, 10, 31)),
    (date(2024, 2, 29), 30, date(2053, 3, 1), date(2054, 2, 28), "2054-02", date(2053, 10, 31)),
    # Delivered on the 1st: year N is whole years; designated month May -> notice by 31 January.
    (date(2021, 5, 1), 5, date(2025, 5, 1), date(2026, 4, 30), "2026-04", date(2025, 12, 31)),
])
def test_ie_6_dates_year_n_and_the_notice_deadline(delivered, year, starts, due, month, notice_by):
    s = inspection.slot(delivered, year)
    assert (s.starts_on, s.due_on, s.month, s.notice_by) == (starts, due, month, notice_by)


def test_each_year_ends_the_day_before_the_next_begins_for_a_leap_day_delivery():
    d = date(2024, 2, 29)
    for n in range(1, 30):
        assert inspection.slot(d, n + 1).starts_on == inspection.slot(d, n).due_on + (date(2000, 1, 2) - date(2000, 1, 1))


@pytest.mark.parametrize("year,notices,inspects", [
    (5, "inspection_company", ("inspection_company",)),
    (10, "housing_party", ("housing_party", "inspection_company")),
    (15, "inspection_company", ("inspection_company",)),
    (20, "housing_party", ("housing_party", "inspection_company")),
    (25, "inspection_company", ("inspection_company",)),
    (30, "inspection_company", ("inspection_company",)),
])
def test_ie_6_4_who_notices_and_who_inspects(year, notices, inspects):
    s = inspection.slot(date(2025, 3, 15), year)
    assert s.noticed_by == notices and s.inspected_by == inspects


def test_a_designated_month_stated_in_the_notice_moves_the_deadline_and_must_lie_in_year_n():
    s = Story()
    primary(s)
    ev = do(s, inspection.decide_notice, date(2029, 6, 1), year=5, by="inspection_company",
            designated_month=date(2029, 10, 1))
    assert ev[0].designated_month == date(2029, 10, 1) and ev[0].notice_by == date(2029, 6, 30) and ev[0].in_time
    assert row(s, 5, date(2029, 6, 1))["notice_by"] == "2029-06-30"
    s2 = Story()
    primary(s2)
    with pytest.raises(Refused) as e:  # April 2030 is after year 5 ends (2030-03-14)
        do(s2, inspection.decide_notice, date(2029, 6, 1), year=5, by="inspection_company",
           designated_month=date(2030, 4, 1))
    assert e.value.rule == "IE-6.dates"
    # March 2029 overlaps the first days of year 5 (from 2029-03-15): allowed.
    assert do(s2, inspection.decide_notice, date(2028, 11, 1), year=5, by="inspection_company",
              designated_month=date(2029, 3, 1))[0].notice_by == date(2028, 11, 30)


# --- notices --------------------------------------------------------------------------


@pytest.mark.parametrize("on,in_time", [(date(2029, 11, 30), True), (date(2029, 12, 1), False)])
def test_a_notice_after_its_deadline_is_recorded_as_late(on, in_time):
    s = Story()
    primary(s)
    ev = do(s, inspection.decide_notice, on, year=5, by="inspection_company")
    assert ev[0].in_time is in_time and ev[0].member_id == "M-1" and ev[0].rules == ("IE-6.4.1", "IE-6.dates")


def test_ie_6_4_2_the_housing_party_notices_years_10_and_20():
    s = Story()
    primary(s)
    with pytest.raises(Refused) as e:
        do(s, inspection.decide_notice, date(2034, 11, 1), year=10, by="inspection_company")
    assert e.value.rule == "IE-6.4.2" and e.value.field == "by"
    assert do(s, inspection.decide_notice, date(2034, 11, 1), year=10, by="housing_party")[0].rules[0] == "IE-6.4.2"


def test_a_notice_is_sent_once_and_an_unknown_year_is_bad_input():
    s = Story()
    primary(s)
    do(s, inspection.decide_notice, date(2029, 11, 1), year=5, by="inspection_company")
    with pytest.raises(Refused) as e:
        do(s, inspection.decide_notice, date(2029, 11, 2), year=5, by="inspection_company")
    assert e.value.code == "already_noticed"
    with pytest.raises(BadInput):
        do(s, inspection.decide_notice, date(2029, 11, 2), year=6, by="inspection_company")


# --- the order of things -------------------------------------------------------------------


def test_schedule_needs_a_notice_and_completion_needs_a_schedule():
    s = Story()
    primary(s)
    with pytest.raises(Refused) as e:
        do(s, inspection.decide_schedule, date(2030, 1, 10), year=5, by="inspection_company")
    assert e.value.code == "not_noticed"
    do(s, inspection.decide_notice, date(2029, 11, 1), year=5, by="inspection_company")
    with pytest.raises(Refused) as e:
        do(s, inspection.decide_complete, date(2030, 3, 7), year=5, by="inspection_company", report_id="R-5",
           repairs_needed=False)
    assert e.value.code == "not_scheduled"
    with pytest.raises(BadInput) as e:
        do(s, inspection.decide_schedule, date(2030, 1, 10), year=5, by="inspection_company",
           inspection_on=date(2030, 1, 9))
    assert e.value.field == "inspection_on"


def test_completion_makes_a_report_kept_ten_years_counted_from_its_creation_day():
    s = Story()
    primary(s)
    do(s, inspection.decide_notice, date(2029, 11, 1), year=5, by="inspection_company")
    do(s, inspection.decide_schedule, date(2030, 1, 10), year=5, by="inspection_company")
    ev = do(s, inspection.decide_complete, date(2030, 3, 20), year=5, by="inspection_company", report_id="R-5",
            repairs_needed=False)
    # IE-9.1: made 2030-03-20 (day 1) -> kept through 2040-03-19.
    assert ev[0].kept_until == date(2040, 3, 19) and ev[0].rules == ("IE-6.4.1", "IE-7", "IE-9.1")
    r = row(s, 5, date(2030, 3, 20))
    assert (r["state"], r["done_on"], r["report_id"], r["member_id"], r["report_kept_until"]) == \
        ("done", "2030-03-20", "R-5", "M-1", "2040-03-19")
    with pytest.raises(Refused) as e:
        do(s, inspection.decide_complete, date(2030, 3, 21), year=5, by="inspection_company", report_id="R-6",
           repairs_needed=False)
    assert e.value.code == "already_done"


def test_a_report_id_is_used_once_per_house():
    s = Story()
    primary(s)
    year5_done(s, report="R-1")
    do(s, inspection.decide_notice, date(2034, 11, 1), year=10, by="housing_party")
    do(s, inspection.decide_schedule, date(2035, 1, 5), year=10, by="housing_party")
    with pytest.raises(Refused) as e:
        do(s, inspection.decide_complete, date(2035, 3, 1), year=10, by="housing_party", report_id="R-1",
           repairs_needed=False)
    assert e.value.code == "duplicate_report"


def test_ie_6_4_2_years_10_and_20_are_done_only_when_both_parties_inspected():
    s = Story()
    primary(s)
    do(s, inspection.decide_notice, date(2034, 11, 1), year=10, by="housing_party")
    for by in ("housing_party", "inspection_company"):
        do(s, inspection.decide_schedule, date(2035, 1, 5), year=10, by=by)
    do(s, inspection.decide_complete, date(2035, 3, 2), year=10, by="housing_party", report_id="R-10H",
       repairs_needed=False)
    assert row(s, 10, date(2035, 3, 2))["state"] == "scheduled"
    do(s, inspection.decide_complete, date(2035, 3, 9), year=10, by="inspection_company", report_id="R-10I",
       repairs_needed=True)
    r = row(s, 10, date(2035, 3, 9))
    assert (r["state"], r["done_on"], r["report_id"]) == ("done", "2035-03-09", "R-10H;R-10I")


# --- failures and the IE-14.3.8 ground -----------------------------------------------------------


def given_member_failure(s: Story) -> None:
    primary(s)
    do(s, inspection.decide_notice, date(2029, 11, 1), year=5, by="inspection_company")
    do(s, inspection.decide_schedule, date(2030, 1, 10), year=5, by="inspection_company")
    ev = do(s, inspection.decide_failure, date(2030, 3, 25), year=5, by="inspection_company", rule="IE-14.3.8",
            reason="the member declined three proposed dates")
    assert ev[0].ground_from == date(2030, 5, 1) and ev[0].rules == ("IE-14.3.8",)


@pytest.mark.parametrize("day,grounds", [(date(2030, 4, 30), []), (date(2030, 5, 1), [date(2030, 5, 1)])])
def test_ie_14_3_8_arises_once_the_month_after_the_designated_month_has_ended(day, grounds):
    s = Story()
    given_member_failure(s)
    events = visible(s.streams[inspection.stream("P-1")], as_of=at(day, 23))
    found = inspection.inspection_grounds(events, "M-1", day)
    assert [g.since for g in found] == grounds
    assert all(g.rule == "IE-14.3.8" and g.because == ("inspection:P-1#3",) for g in found)
    assert inspection.inspection_grounds(events, "M-2", day) == []
    assert row(s, 5, day)["state"] == "failed"


def test_ie_14_3_8_an_inspection_still_done_by_the_end_of_the_next_month_removes_the_ground():
    s = Story()
    given_member_failure(s)
    do(s, inspection.decide_complete, date(2030, 4, 30), year=5, by="inspection_company", report_id="R-5",
       repairs_needed=False)
    events = visible(s.streams[inspection.stream("P-1")])
    assert inspection.inspection_grounds(events, "M-1", date(2030, 6, 1)) == []
    assert row(s, 5, date(2030, 6, 1))["state"] == "done"


def test_ie_14_3_8_after_the_window_the_inspection_cannot_be_recorded_as_done():
    s = Story()
    given_member_failure(s)
    with pytest.raises(Refused) as e:
        do(s, inspection.decide_complete, date(2030, 5, 1), year=5, by="inspection_company", report_id="R-5",
           repairs_needed=False)
    assert e.value.code == "already_failed" and e.value.rule == "IE-14.3.8"


def test_ie_12_4_a_house_not_inspectable_ends_the_obligation_and_is_no_revocation_ground():
    s = Story()
    primary(s)
    do(s, inspection.decide_notice, date(2029, 11, 1), year=5, by="inspection_company")
    do(s, inspection.decide_schedule, date(2030, 1, 10), year=5, by="inspection_company")
    ev = do(s, inspection.decide_failure, date(2030, 3, 7), year=5, by="inspection_company", rule="IE-12.4")
    assert ev[0].ground_from is None
    with pytest.raises(Refused) as e:
        do(s, inspection.decide_complete, date(2030, 3, 8), year=5, by="inspection_company", report_id="R-5",
           repairs_needed=False)
    assert e.value.rule == "IE-12.4"
    assert inspection.inspection_grounds(visible(s.streams[inspection.stream("P-1")]), "M-1", date(2031, 1, 1)) == []


# --- who is owed (IE-6.6, IE-17.3.2, IE-A1.4, IE-13.1, IE-18) ---------------------------------------


@pytest.mark.parametrize("since,owed", [(date(2030, 3, 1), False), (date(2030, 3, 2), True)])
def test_an_inspection_is_not_owed_during_a_suspension_and_never_the_members_failure(since, owed):
    s = Story()
    primary(s)
    do(s, inspection.decide_notice, date(2029, 11, 1), year=5, by="inspection_company")
    s.record([Draft(member.stream("M-1"), MemberSuspended, {"rule": "IE-13.1.2"}, ("IE-13.1.2",))], since)
    r = row(s, 5, date(2030, 3, 20))
    assert r["state"] == ("noticed" if owed else "not_owed")
    if not owed:
        assert r["rules"] == ["IE-13.1"]
        with pytest.raises(Refused) as e:
            do(s, inspection.decide_failure, date(2030, 3, 20), year=5, by="inspection_company", rule="IE-14.3.8")
        assert e.value.rule == "IE-13.1" and e.value.code == "not_owed"


@pytest.mark.parametrize("lease_start,owed", [(date(2030, 3, 1), False), (date(2030, 3, 2), True)])
def test_an_inspection_is_not_owed_from_the_lease_start_day_of_an_approved_rental(lease_start, owed):
    s = Story()
    primary(s)
    s.record([Draft(member.stream("M-1"), RentalApplied,
                    {"lease_start": lease_start, "deadline": date(2030, 1, 31), "in_time": True}, ("IE-18.1",))],
             date(2029, 12, 1))
    s.record([Draft(member.stream("M-1"), RentalApproved, {"lease_start": lease_start}, ("IE-18.1",))],
             date(2029, 12, 10))
    if owed:
        assert do(s, inspection.decide_notice, date(2029, 12, 11), year=5,
                  by="inspection_company")[0].member_id == "M-1"
    else:
        with pytest.raises(Refused) as e:
            do(s, inspection.decide_notice, date(2029, 12, 11), year=5, by="inspection_company")
        assert e.value.rule == "IE-18"
        assert row(s, 5, date(2029, 12, 11))["state"] == "not_owed"


def test_ie_6_6_a_member_who_withdraws_while_the_date_is_arranged_is_owed_nothing_more():
    s = Story()
    primary(s)
    do(s, inspection.decide_notice, date(2029, 11, 1), year=5, by="inspection_company")
    assert row(s, 5, date(2030, 3, 9))["state"] == "noticed"
    # Revoked (deemed withdrawn at once, IE-14.4) in the designated month, before the inspection.
    s.record([Draft(member.stream("M-1"), MembershipRevoked, {"rule": "IE-14.3.6", "reason": "antisocial"},
                    ("IE-14.3.6",))], date(2030, 3, 10))
    r = row(s, 5, date(2030, 3, 10))
    assert (r["state"], r["member_id"], r["rules"]) == ("not_owed", "M-1", ["IE-6.6", "IE-A1.4"])
    with pytest.raises(Refused) as e:
        do(s, inspection.decide_schedule, date(2030, 3, 11), year=5, by="inspection_company")
    assert e.value.rule == "IE-6.6"


def test_ie_14_6_a_member_revoked_before_the_designated_month_is_not_owed_it():
    s = Story()
    primary(s)
    do(s, inspection.decide_notice, date(2029, 11, 1), year=5, by="inspection_company")
    s.record([Draft(member.stream("M-1"), MembershipRevoked, {"rule": "IE-14.3.6", "reason": "antisocial"},
                    ("IE-14.3.6",))], date(2030, 2, 10))
    r = row(s, 5, date(2030, 2, 10))
    assert (r["state"], r["member_id"], r["rules"]) == ("not_owed", "M-1", ["IE-14.6"])


def test_a_house_transferred_between_two_inspections_owes_each_to_its_own_member():
    s = Story()
    primary(s)
    year5_done(s, report="R-5")
    secondary(s, transfer_on=date(2031, 7, 20), done_on=date(2031, 7, 2), accepted_on=date(2031, 7, 25))
    ev = do(s, inspection.decide_notice, date(2034, 11, 1), year=10, by="housing_party")
    assert ev[0].member_id == "M-2" and "IE-17.3.2" in ev[0].rules
    r5, r10 = row(s, 5, date(2034, 11, 1)), row(s, 10, date(2034, 11, 1))
    assert (r5["state"], r5["member_id"], r5["report_held_by"]) == ("done", "M-1", "M-2")
    assert r10["member_id"] == "M-2" and r10["state"] == "noticed"


@pytest.mark.parametrize("procedure_done_on,owed_to", [
    # Transfer 2030-02-20, procedure done 2030-02-25: M-2 starts 2030-03-01, the designated month.
    (date(2030, 2, 25), "M-2"),
    # Procedure done 2030-03-01: M-2 starts 2030-04-01, after the designated month (IE-17.3.2);
    # M-1 withdrew as of the transfer (IE-14.2), so nobody is owed year 5.
    (date(2030, 3, 1), None),
])
def test_ie_17_3_2_the_day_before_and_on_a_secondary_acquirers_start(procedure_done_on, owed_to):
    s = Story()
    primary(s)
    secondary(s, transfer_on=date(2030, 2, 20), done_on=procedure_done_on, accepted_on=date(2030, 3, 3))
    r = row(s, 5, date(2030, 3, 3))
    if owed_to:
        assert (r["state"], r["member_id"]) == ("upcoming", "M-2")
    else:
        assert r["state"] == "not_owed" and r["rules"] == ["IE-14.6", "IE-17.3.2"]


# --- reports across owners (IE-9.1, IE-19.5) -----------------------------------------------------------


def test_a_report_passes_to_the_secondary_acquirer_and_is_kept_ten_years():
    s = Story()
    primary(s)
    year5_done(s, on=date(2030, 3, 7))
    secondary(s, transfer_on=date(2031, 7, 20), done_on=date(2031, 7, 2), accepted_on=date(2031, 7, 25))
    r = row(s, 5, date(2032, 1, 1))
    assert (r["report_kept_until"], r["report_held_by"]) == ("2040-03-06", "M-2")
    assert "IE-19.5" in r["rules"]


def test_a_report_is_kept_only_until_a_plain_withdrawal():
    s = Story()
    primary(s)
    year5_done(s, on=date(2030, 3, 7))
    s.record([Draft(member.stream("M-1"), MembershipWithdrawn, {"effective_on": date(2031, 4, 1), "cause": "notice"},
                    ("IE-14.1",))], date(2031, 3, 31))
    assert row(s, 5, date(2031, 3, 30))["report_kept_until"] == "2040-03-06"  # withdrawal not yet known
    assert row(s, 5, date(2031, 3, 31))["report_kept_until"] == "2031-03-31"
    r10 = row(s, 10, date(2031, 4, 1))
    assert r10["state"] == "not_owed" and r10["rules"] == ["IE-14.6"]


# --- estimates (IE-7) -------------------------------------------------------------------------------------


def test_ie_7_an_estimate_needs_repairs_found_and_is_presented_once_requested():
    s = Story()
    primary(s)
    year5_done(s, repairs=False)
    with pytest.raises(Refused) as e:
        do(s, inspection.decide_request_estimate, date(2030, 3, 10), year=5)
    assert e.value.rule == "IE-7" and e.value.code == "no_repairs"

    s = Story()
    primary(s)
    year5_done(s, repairs=True)
    house, ins, _ = world(s, date(2030, 3, 10))
    with pytest.raises(Refused) as e:
        inspection.decide_present_estimate(ins, year=5, amount=50000)
    assert e.value.code == "no_request"
    ev = do(s, inspection.decide_request_estimate, date(2030, 3, 10), year=5)
    assert ev[0].member_id == "M-1" and ev[0].rules == ("IE-7",)
    with pytest.raises(Refused) as e:
        do(s, inspection.decide_request_estimate, date(2030, 3, 11), year=5)
    assert e.value.code == "estimate_open"
    _, ins, _ = world(s, date(2030, 3, 20))
    s.record(inspection.decide_present_estimate(ins, year=5, amount=88000), date(2030, 3, 20))
    r = row(s, 5, date(2030, 3, 20))
    assert r["estimate"] == {"requested_on": "2030-03-10", "presented_on": "2030-03-20", "amount": 88000}


def test_ie_7_no_repair_consulting_while_suspended():
    s = Story()
    primary(s)
    year5_done(s, repairs=True)
    s.record([Draft(member.stream("M-1"), MemberSuspended, {"rule": "IE-13.1.2"}, ("IE-13.1.2",))], date(2030, 3, 9))
    with pytest.raises(Refused) as e:
        do(s, inspection.decide_request_estimate, date(2030, 3, 10), year=5)
    assert e.value.rule == "IE-13.1"


def test_a_retracted_acceptance_leaves_nobody_owed():
    from ledger.facts import decide_retract

    s = Story()
    primary(s)
    accepted = next(e for e in s.streams[member.stream("M-1")] if e.TYPE == "RegistrationAccepted")
    s.record(decide_retract(s.streams[member.stream("M-1")], accepted.event_id, "entered in error"), date(2025, 3, 11))
    r = row(s, 5, date(2029, 11, 1))
    assert (r["state"], r["member_id"], r["rules"]) == ("not_owed", None, ["IE-2.1"])
