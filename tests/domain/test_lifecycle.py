"""The Ie-Sapo lifecycle (TERMS.md Arts. 3, 5, 13-19, Appendices 3-4) at its boundary days:
given facts, when a decision is asked, then these drafts or this refusal."""
from datetime import date

import pytest

from ledger import fees, member, property as prop
from ledger.errors import BadInput, Refused
from ledger.events import (
    FeeCharged, MembershipExpired, MembershipRenewed, MembershipWithdrawn, Personal,
)
from tests.story import Story, at

D = date(2025, 3, 15)  # delivered; B = 2025-04-01; periods end 03-31


def accepted(s: Story, mid: str = "M-1", pid: str = "P-1", delivered: date = D, fee: int = 5500,
             points: bool = False, paid: bool = True) -> member.Member:
    if not s.streams[fees.STREAM]:
        s.record(fees.decide_announce([], fee, "revision", date(2024, 1, 1)), date(2024, 1, 1))
    if not s.streams[prop.stream(pid)]:
        s.record(prop.decide_register(None, pid, delivered, 2, "company", True), delivered - (D - date(2025, 1, 10)))
    house = s.property(pid)
    applied = delivered.replace(day=1)
    s.record(member.decide_apply(None, house, None, member_id=mid, acquirer="primary",
                                 applicant=Personal(name="山田 太郎"), corporation=False, points=points, on=applied,
                                 previous_member_id=None, transfer_on=None, transfer_kind=None), applied)
    s.record(member.decide_consent(s.member(mid), "privacy_policy", True, applied), applied)
    s.record(member.decide_consent(s.member(mid), "operator_provision", True, applied), applied)
    s.record(member.decide_card(s.member(mid), "tok_1"), applied)
    s.record(member.decide_accept(s.member(mid), house, s.tariffs(), delivered), delivered)
    if paid:
        s.record(member.decide_payment(s.member(mid), fee, f"PAY-{mid}-1", delivered, False), delivered)
    return s.member(mid)


def pay(s: Story, on: date, amount: int = 5500, ref: str | None = None, mid: str = "M-1"):
    s.record(member.decide_payment(s.member(mid, on), amount, ref or f"PAY-{on}", on, False), on)


def renew(s: Story, through: date, mid: str = "M-1", recorded=None):
    drafts = member.decide_renewals(s.member(mid), s.tariffs(), through)
    return s.record(drafts, through, recorded)


# --- renewals -----------------------------------------------------------------------


def test_renewal_charges_on_the_last_day_and_renews_from_the_next():
    s = Story()
    accepted(s)
    events = renew(s, date(2026, 3, 31))
    charge, renewed = events
    assert isinstance(charge, FeeCharged) and charge.due_on == date(2026, 3, 31) and charge.period_number == 2
    assert charge.effective == at(date(2026, 3, 31), 0)
    assert isinstance(renewed, MembershipRenewed)
    assert (renewed.start, renewed.end) == (date(2026, 4, 1), date(2027, 3, 31))
    assert "IE-5.4.2" in charge.rules and "IE-3.5" in renewed.rules


def test_renewal_run_is_idempotent_and_can_run_late():
    s = Story()
    accepted(s)
    assert renew(s, date(2026, 3, 30)) == []          # the day before the period's last day
    first = renew(s, date(2028, 6, 1))                 # run late: three years at once
    assert [e.period_number for e in first if isinstance(e, MembershipRenewed)] == [2, 3, 4]
    assert renew(s, date(2028, 6, 1)) == []            # again: nothing doubles
    assert s.member("M-1").renewals() == 3


@pytest.mark.parametrize("announced,fee_for_2026_04_01", [
    (date(2026, 1, 31), 6600),  # two months from 02-01 end 03-31: the 04-01 renewal is after them
    (date(2026, 2, 1), 5500),   # two months end 04-01: only renewal dates from 04-02 pay the new fee
])
def test_ie_5_3_fee_revision_and_the_renewal_date(announced, fee_for_2026_04_01):
    s = Story()
    accepted(s)
    s.record(fees.decide_announce(s.tariffs(), 6600, "revision", announced), announced)
    charge = renew(s, date(2026, 3, 31))[0]
    assert charge.amount == fee_for_2026_04_01


def test_ie_3_5_cap_29_renewals_then_expired():
    s = Story()
    accepted(s)
    events = renew(s, date(2060, 1, 1))
    renewals = [e for e in events if isinstance(e, MembershipRenewed)]
    assert len(renewals) == 29
    assert renewals[-1].end == date(2055, 3, 31)  # B + 30 years - 1 day
    expired = [e for e in events if isinstance(e, MembershipExpired)]
    assert len(expired) == 1 and expired[0].last_day == date(2055, 3, 31)
    m = s.member("M-1")
    assert m.state_on(date(2055, 3, 31)) == "active"
    assert m.state_on(date(2055, 4, 1)) == "expired"
    assert renew(s, date(2070, 1, 1)) == []


def test_suspension_does_not_stop_renewals_or_charges():
    s = Story()
    accepted(s)
    s.record(member.decide_suspend(s.member("M-1"), "IE-13.1.1", date(2026, 1, 5), "repeated breach", None),
             date(2026, 1, 5))
    events = renew(s, date(2026, 3, 31))
    assert [type(e) for e in events] == [FeeCharged, MembershipRenewed]
    assert s.member("M-1").state_on(date(2026, 4, 2)) == "suspended"


# --- withdrawal notice ------------------------------------------------------------------


@pytest.mark.parametrize("noticed,effective", [
    (date(2026, 1, 31), date(2026, 4, 1)),   # the last allowed day: ends with this period
    (date(2026, 2, 1), date(2027, 4, 1)),    # a day late: the coming renewal happens
])
def test_ie_3_5_withdrawal_notice_two_months_before_expiry(noticed, effective):
    s = Story()
    accepted(s)
    ev = s.record(member.decide_withdrawal_notice(s.member("M-1", noticed), noticed), noticed)[0]
    assert ev.effective_on == effective and ev.in_time is (effective == date(2026, 4, 1))
    events = renew(s, date(2027, 3, 31))
    withdrawn = [e for e in events if isinstance(e, MembershipWithdrawn)]
    assert len(withdrawn) == 1 and withdrawn[0].effective_on == effective
    m = s.member("M-1")
    assert m.state_on(effective - date.resolution) == "active"
    assert m.state_on(effective) == "withdrawn"


# --- arrears, grounds, suspension and revocation -----------------------------------------


def in_arrears(due: date = date(2026, 3, 31)) -> Story:
    s = Story()
    accepted(s)  # the first fee is paid; the renewal fee due 2026-03-31 is not
    renew(s, due)
    return s


@pytest.mark.parametrize("day,rules", [
    (date(2026, 3, 31), []),
    (date(2026, 4, 1), ["IE-13.1.2"]),
    (date(2026, 4, 30), ["IE-13.1.2"]),
    (date(2026, 5, 1), ["IE-13.1.2", "IE-14.3.3"]),
])
def test_arrears_grounds_arise_on_their_days(day, rules):
    s = in_arrears()
    assert [g.rule for g in member.grounds_on(s.member("M-1", day), day)] == rules


def test_revocation_on_a_detected_ground_before_it_arises_is_refused_with_the_fix():
    s = in_arrears()
    with pytest.raises(Refused) as e:
        member.decide_revoke(s.member("M-1", date(2026, 4, 30)), "IE-14.3.3", date(2026, 4, 30), None, None)
    assert e.value.rule == "IE-14.3.3" and e.value.code == "no_ground"
    assert "the fee due 2026-03-31 is one month overdue only from 2026-05-01" in e.value.en
    # with override_reason it is recorded, as the company's own judgement
    d = member.decide_revoke(s.member("M-1", date(2026, 4, 30)), "IE-14.3.3", date(2026, 4, 30), None, "card fraud")
    assert d[0].data["override_reason"] == "card fraud" and d[0].data["ground_since"] is None


def test_revocation_deems_the_member_withdrawn_at_once_and_arrears_survive():
    s = in_arrears()
    s.record(member.decide_revoke(s.member("M-1", date(2026, 5, 1)), "IE-14.3.3", date(2026, 5, 1), None, None),
             date(2026, 5, 1))
    m = s.member("M-1")
    assert m.state_on(date(2026, 4, 30)) == "active"
    assert m.state_on(date(2026, 5, 1)) == "revoked"
    assert m.arrears_on(date(2026, 6, 1)).amount == 5500       # IE-14.5
    assert renew(s, date(2028, 1, 1)) == []                     # no more renewals
    assert m.blocked_on(date(2026, 5, 1))["emergency"][0] == "IE-14.6"


def test_a_judged_ground_needs_a_reason_and_a_wrong_rule_is_bad_input():
    s = Story()
    accepted(s)
    with pytest.raises(Refused) as e:
        member.decide_suspend(s.member("M-1"), "IE-13.1.3", date(2025, 6, 1), None, None)
    assert e.value.code == "reason_required"
    with pytest.raises(BadInput):
        member.decide_suspend(s.member("M-1"), "IE-14.3.3", date(2025, 6, 1), "x", None)


def test_card_cardholder_status_is_a_revocation_ground_but_card_use_is_not():
    s = Story()
    accepted(s)
    s.record(member.decide_card_suspended(s.member("M-1"), "tok_1", "card_use", date(2025, 6, 1)), date(2025, 6, 1))
    assert member.grounds_on(s.member("M-1"), date(2025, 6, 2)) == []
    s.record(member.decide_card_suspended(s.member("M-1"), "tok_1", "cardholder_status", date(2025, 7, 1)),
             date(2025, 7, 1))
    assert [g.rule for g in member.grounds_on(s.member("M-1"), date(2025, 7, 1))] == ["IE-14.3.3"]


def test_withdrawing_privacy_consent_is_ie_14_3_10_but_operator_provision_only_blocks_the_24h_service():
    s = Story()
    accepted(s)
    s.record(member.decide_consent(s.member("M-1"), "operator_provision", False, date(2025, 6, 1)), date(2025, 6, 1))
    m = s.member("M-1")
    assert member.grounds_on(m, date(2025, 6, 1)) == []
    assert m.blocked_on(date(2025, 6, 1)) == {"inspection": [], "emergency": ["IE-19.3"]}
    s.record(member.decide_consent(s.member("M-1"), "privacy_policy", False, date(2025, 7, 1)), date(2025, 7, 1))
    assert [g.rule for g in member.grounds_on(s.member("M-1"), date(2025, 7, 1))] == ["IE-14.3.10"]


# --- refunds ------------------------------------------------------------------------------


@pytest.mark.parametrize("reason,refunded,fee", [("unavoidable", 4500, 1000), ("loan_contingency", 5500, 0)])
def test_ie_5_2_refund_less_the_handling_fee(reason, refunded, fee):
    s = Story()
    accepted(s, paid=False)
    with pytest.raises(Refused):  # nothing paid yet
        member.decide_refund(s.member("M-1"), reason, date(2025, 3, 20))
    pay(s, date(2025, 3, 20))
    ev = s.record(member.decide_refund(s.member("M-1"), reason, date(2025, 3, 25)), date(2025, 3, 25))[0]
    assert (ev.amount, ev.handling_fee) == (refunded, fee)
    m = s.member("M-1")
    assert m.arrears_on(date(2025, 4, 1)).amount == 0 and m.arrears_on(date(2025, 4, 1)).balance == 0
    with pytest.raises(Refused):  # refunded once only
        member.decide_refund(m, reason, date(2025, 3, 26))


# --- owner change, transfer -----------------------------------------------------------------


@pytest.mark.parametrize("kind,noticed,in_time", [
    ("sale", date(2026, 3, 9), True),
    ("sale", date(2026, 3, 10), False),          # on the change day: not in advance
    ("inheritance", date(2026, 4, 10), True),    # within one month, first day not counted
    ("inheritance", date(2026, 4, 11), False),
])
def test_ie_15_1_owner_change_notice_deadline(kind, noticed, in_time):
    s = Story()
    accepted(s)
    ev = s.record(member.decide_owner_change(s.member("M-1"), kind, date(2026, 3, 10), noticed), noticed)[0]
    assert ev.in_time is in_time
    rules = [g.rule for g in member.grounds_on(s.member("M-1"), noticed)]
    assert rules == ([] if in_time else ["IE-14.3.2"])


def secondary(s: Story, transfer_on: date, applied: date, accepted_on: date):
    house = s.property("P-1")
    prev = s.member("M-1")
    s.record(member.decide_owner_change(prev, "sale", transfer_on, transfer_on - date.resolution * 10),
             transfer_on - date.resolution * 10)
    s.record(member.decide_apply(None, house, s.member("M-1", transfer_on), member_id="M-2", acquirer="secondary",
                                 applicant=Personal(name="鈴木 一郎"), corporation=False, points=False, on=applied,
                                 previous_member_id="M-1", transfer_on=transfer_on, transfer_kind="sale"), applied)
    s.record(member.decide_consent(s.member("M-2"), "privacy_policy", True, applied), applied)
    s.record(member.decide_card(s.member("M-2"), "tok_2"), applied)
    return member.decide_accept(s.member("M-2", accepted_on), house, s.tariffs(), accepted_on, s.member("M-1"))


def test_ie_17_1_secondary_fee_covers_the_first_renewal_when_the_start_is_inside_the_year():
    s = Story()
    accepted(s)
    drafts = secondary(s, date(2025, 9, 10), date(2025, 9, 12), date(2025, 9, 20))
    acc, charge, link, withdrawn = drafts
    assert acc.data["start"] == date(2025, 10, 1) and acc.data["first_period_end"] == date(2026, 3, 31)
    assert charge.data == {"amount": 5500, "due_on": date(2025, 9, 20), "period_number": 2}
    assert charge.rules[0] == "IE-17.1"
    # the previous member is withdrawn as of the transfer date, in the same append
    assert withdrawn.stream == "member:M-1" and withdrawn.data["effective_on"] == date(2025, 9, 10)
    s.record(drafts, date(2025, 9, 20))
    events = renew(s, date(2026, 3, 31), mid="M-2")
    assert [type(e) for e in events] == [MembershipRenewed]  # period 2 was paid at registration
    assert s.member("M-1").state_on(date(2025, 9, 10)) == "withdrawn"


def test_ie_17_1_secondary_starting_after_the_previous_year_end_pays_its_first_period():
    s = Story()
    accepted(s)
    drafts = secondary(s, date(2026, 3, 20), date(2026, 3, 25), date(2026, 4, 10))
    acc, charge = drafts[0], drafts[1]
    assert acc.data["start"] == date(2026, 4, 1)
    assert charge.data["period_number"] == 1


def test_ie_14_2_void_renewals_after_a_transfer_recorded_late():
    s = Story()
    accepted(s)
    renew(s, date(2026, 3, 31), recorded=at(date(2026, 3, 31)))  # renewed as then known
    m1 = s.member("M-1")
    assert m1.renewals() == 1 and m1.arrears_on(date(2026, 4, 10)).amount == 5500
    drafts = secondary(s, date(2026, 3, 20), date(2026, 3, 25), date(2026, 4, 10))
    s.record(drafts, date(2026, 4, 10), at(date(2026, 4, 10)))
    m1 = s.member("M-1")
    assert m1.renewals() == 0                                  # void as now known
    assert m1.arrears_on(date(2026, 4, 11)).amount == 0        # the renewal fee never existed
    assert m1.state_on(date(2026, 3, 20)) == "withdrawn"


# --- rental -------------------------------------------------------------------------------


@pytest.mark.parametrize("applied,ok", [(date(2026, 3, 31), True), (date(2026, 4, 1), False)])
def test_ie_18_1_rental_application_by_one_month_before_the_lease(applied, ok):
    s = Story()
    accepted(s)
    if ok:
        assert member.decide_rental_apply(s.member("M-1"), date(2026, 5, 1), applied, None)[0].data["in_time"]
    else:
        with pytest.raises(Refused) as e:
            member.decide_rental_apply(s.member("M-1"), date(2026, 5, 1), applied, None)
        assert e.value.rule == "IE-18.1" and "2026-03-31" in e.value.en
        late = member.decide_rental_apply(s.member("M-1"), date(2026, 5, 1), applied, "company accepted")
        assert late[0].data["in_time"] is False


def test_ie_18_services_stop_from_the_lease_start_day_and_resume_after_it_ends():
    s = Story()
    accepted(s)
    s.record(member.decide_rental_apply(s.member("M-1"), date(2026, 5, 1), date(2026, 3, 1), None), date(2026, 3, 1))
    s.record(member.decide_rental(s.member("M-1"), "approve", date(2026, 3, 10)), date(2026, 3, 10))
    s.record(member.decide_rental(s.member("M-1"), "end", date(2027, 5, 1)), date(2027, 5, 1))
    m = s.member("M-1")
    assert m.blocked_on(date(2026, 4, 30))["inspection"] == []
    assert m.blocked_on(date(2026, 5, 1))["inspection"] == ["IE-18"]
    assert m.blocked_on(date(2027, 4, 30))["emergency"] == ["IE-18"]
    assert m.blocked_on(date(2027, 5, 1))["emergency"] == []


def test_ie_13_1_6_an_unapproved_rental_is_a_suspension_ground():
    s = Story()
    accepted(s)
    s.record(member.decide_unapproved_rental(s.member("M-1"), date(2025, 8, 1), "tenant at the door"), date(2025, 8, 1))
    # also IE-14.3.2: letting the house is a change of user without notice (issue 10)
    assert [g.rule for g in member.grounds_on(s.member("M-1"), date(2025, 8, 1))] == ["IE-13.1.6", "IE-14.3.2"]
    assert member.decide_suspend(s.member("M-1"), "IE-13.1.6", date(2025, 8, 2), None, None)[0].data["ground_since"] \
        == date(2025, 8, 1)


# --- benefits -----------------------------------------------------------------------------


def test_ie_a4_1_points_for_the_start_and_never_to_a_withdrawn_member():
    s = Story()
    accepted(s, points=True)
    assert member.points_due(s.member("M-1"), date(2025, 3, 31)) == []
    assert member.points_due(s.member("M-1"), date(2025, 4, 1)) == [("start", date(2025, 4, 1))]
    s.record(member.decide_points(s.member("M-1"), 500, "start", date(2025, 4, 10)), date(2025, 4, 10))
    assert member.points_due(s.member("M-1"), date(2025, 4, 10)) == []
    s.record(member.decide_revoke(s.member("M-1"), "IE-14.3.6", date(2025, 5, 1), "police report", None),
             date(2025, 5, 1))
    with pytest.raises(Refused) as e:
        member.decide_points(s.member("M-1"), 500, "renewal", date(2025, 5, 2))
    assert e.value.rule == "IE-14.6"


def test_ie_a3_extended_warranty_deadline_and_member_benefit():
    s = Story()
    accepted(s)
    house = s.property("P-1")
    last = date(2035, 3, 14)  # delivered 2025-03-15: year 10 ends 2035-03-14
    with pytest.raises(Refused):
        prop.decide_warranty_step(house, "order", last + date.resolution)
    s.record(prop.decide_warranty_step(house, "order", last), last)
    s.record(prop.decide_warranty_step(s.property("P-1"), "pass", last), last)
    with pytest.raises(Refused) as e:
        prop.decide_warranty_step(s.property("P-1"), "grant", last, "M-1", "withdrawn")
    assert e.value.rule == "IE-14.6"
    assert prop.decide_warranty_step(s.property("P-1"), "grant", last, "M-1", "active")[0].data["member_id"] == "M-1"
