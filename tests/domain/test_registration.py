"""Registration rules (IE-1.3, IE-1.4, IE-2.x, IE-19.1) and the first period (IE-3.1, IE-3.3, IE-5.1):
given facts, when a decision is asked, then these drafts or this refusal."""
from datetime import date

import pytest

from ledger import fees, member, property as prop
from ledger.errors import Refused
from ledger.events import FeeCharged, Personal, PropertyMemberRegistered, RegistrationAccepted
from tests.story import Story

DELIVERED = date(2025, 3, 15)  # base date B = 2025-04-01


def given_house(s: Story, delivered: date = DELIVERED, floors: int = 2, builder: str = "company",
                certified: bool = True) -> prop.Property:
    s.record(fees.decide_announce([], 5500, "revision", date(2024, 1, 1)), date(2024, 1, 1))
    s.record(prop.decide_register(None, "P-1", delivered, floors, builder, certified), date(2025, 1, 10))
    return s.property("P-1")


def apply(s: Story, house: prop.Property, on: date, birth: date | None = date(1980, 5, 5), mid: str = "M-1",
          corporation: bool = False, **kw):
    drafts = member.decide_apply(s.member(mid), house, kw.pop("previous", None), member_id=mid,
                                 acquirer=kw.pop("acquirer", "primary"),
                                 applicant=Personal(name="山田 太郎", birth_date=birth), corporation=corporation,
                                 points=False, on=on, previous_member_id=kw.pop("previous_member_id", None),
                                 transfer_on=kw.pop("transfer_on", None), transfer_kind=kw.pop("transfer_kind", None))
    return s.record(drafts, on)


def complete(s: Story, on: date, mid: str = "M-1", consent: bool = True, card: bool = True) -> None:
    if consent:
        s.record(member.decide_consent(s.member(mid, on), "privacy_policy", True, on), on)
    if card:
        s.record(member.decide_card(s.member(mid, on), "tok_abc1"), on)


def accept(s: Story, house, on: date, mid: str = "M-1"):
    return member.decide_accept(s.member(mid, on), house, s.tariffs(), on)


# --- eligibility ------------------------------------------------------------------


@pytest.mark.parametrize("floors,builder,certified,ok", [
    (3, "company", True, True),
    (4, "company", True, False),
    (2, "group_company", True, True),
    (2, "other builder", True, False),
    (2, "company", False, False),
])
def test_ie_1_3_only_eligible_houses(floors, builder, certified, ok):
    s = Story()
    house = given_house(s, floors=floors, builder=builder, certified=certified)
    if ok:
        assert apply(s, house, date(2025, 3, 1))[0].rules[0] == "IE-2.1"
    else:
        with pytest.raises(Refused) as e:
            apply(s, house, date(2025, 3, 1))
        assert e.value.rule == "IE-1.3"


def test_ie_1_4_a_corporation_cannot_apply():
    s = Story()
    with pytest.raises(Refused) as e:
        apply(s, given_house(s), date(2025, 3, 1), corporation=True)
    assert e.value.rule == "IE-1.4"


def test_ie_1_4_2_a_buyer_from_a_non_member_is_not_a_secondary_acquirer():
    s = Story()
    house = given_house(s)
    with pytest.raises(Refused) as e:
        apply(s, house, date(2026, 6, 1), mid="M-2", acquirer="secondary", previous=None,
              previous_member_id="M-1", transfer_on=date(2026, 5, 20), transfer_kind="sale")
    assert e.value.rule == "IE-1.4.2"


# --- the procedure and acceptance -------------------------------------------------


def test_acceptance_on_time_starts_on_the_base_date_and_charges_the_first_fee():
    s = Story()
    house = given_house(s)
    apply(s, house, date(2025, 3, 1))
    complete(s, date(2025, 3, 15))  # completed on the delivery day itself: on time
    drafts = accept(s, house, date(2025, 3, 20))
    assert [d.type for d in drafts] == [RegistrationAccepted, FeeCharged, PropertyMemberRegistered]
    assert drafts[2].stream == "property:P-1" and drafts[2].data["member_id"] == "M-1"
    assert drafts[0].data == {"procedure_completed_on": date(2025, 3, 15), "start": date(2025, 4, 1),
                              "first_period_end": date(2026, 3, 31)}
    assert drafts[1].data == {"amount": 5500, "due_on": date(2025, 3, 20), "period_number": 1}
    assert drafts[1].rules == ("IE-5.1.first", "IE-5.1")


def test_ie_2_3_1_procedure_completed_the_day_after_delivery_is_refused_without_extension():
    s = Story()
    house = given_house(s)
    apply(s, house, date(2025, 3, 1))
    complete(s, date(2025, 3, 16))
    with pytest.raises(Refused) as e:
        accept(s, house, date(2025, 3, 20))
    assert e.value.rule == "IE-2.3.1"
    assert "2025-03-16" in e.value.en and "2025-03-15" in e.value.en


def test_ie_3_1_1_late_start_under_an_extension_and_a_short_first_period():
    s = Story()
    house = given_house(s)
    apply(s, house, date(2025, 3, 1))
    s.record(member.decide_extend(s.member("M-1"), date(2025, 5, 31)), date(2025, 3, 14))
    complete(s, date(2025, 5, 31))  # on the last day of the extension
    drafts = accept(s, house, date(2025, 6, 2))
    # start: the 1st of the month after completion; end: still B + 1y - 1d (IE-3.3.1).
    assert drafts[0].data["start"] == date(2025, 6, 1)
    assert drafts[0].data["first_period_end"] == date(2026, 3, 31)


def test_ie_2_3_1_completion_after_the_extended_deadline_is_refused():
    s = Story()
    house = given_house(s)
    apply(s, house, date(2025, 3, 1))
    s.record(member.decide_extend(s.member("M-1"), date(2025, 5, 31)), date(2025, 3, 14))
    complete(s, date(2025, 6, 1))
    with pytest.raises(Refused) as e:
        accept(s, house, date(2025, 6, 2))
    assert e.value.rule == "IE-2.3.1"


def test_ie_3_3_1_reading_a_start_after_the_first_membership_year_ends_with_its_own_year():
    s = Story()
    house = given_house(s)
    apply(s, house, date(2025, 3, 1))
    s.record(member.decide_extend(s.member("M-1"), date(2026, 5, 1)), date(2025, 3, 14))
    complete(s, date(2026, 4, 10))
    drafts = accept(s, house, date(2026, 4, 12))
    assert drafts[0].data["start"] == date(2026, 5, 1)
    assert drafts[0].data["first_period_end"] == date(2027, 3, 31)


def test_ie_19_1_no_acceptance_without_privacy_consent():
    s = Story()
    house = given_house(s)
    apply(s, house, date(2025, 3, 1))
    complete(s, date(2025, 3, 2), consent=False)
    with pytest.raises(Refused) as e:
        accept(s, house, date(2025, 3, 20))
    assert e.value.rule == "IE-19.1"


def test_ie_2_1_no_acceptance_without_a_card():
    s = Story()
    house = given_house(s)
    apply(s, house, date(2025, 3, 1))
    complete(s, date(2025, 3, 2), card=False)
    with pytest.raises(Refused) as e:
        accept(s, house, date(2025, 3, 20))
    assert e.value.rule == "IE-2.1"


@pytest.mark.parametrize("birth,needs_guardian", [
    (date(2007, 3, 2), False),  # 18 on 2025-03-02, the application day
    (date(2007, 3, 3), True),   # 18 only the next day
])
def test_ie_2_2_a_minor_on_the_application_date_needs_a_guardian(birth, needs_guardian):
    s = Story()
    house = given_house(s)
    applied = apply(s, house, date(2025, 3, 2), birth=birth)
    assert applied[0].minor is needs_guardian
    complete(s, date(2025, 3, 3))
    if needs_guardian:
        with pytest.raises(Refused) as e:
            accept(s, house, date(2025, 3, 10))
        assert e.value.rule == "IE-2.2"
        s.record(member.decide_consent(s.member("M-1"), "guardian", True, date(2025, 3, 5)), date(2025, 3, 5))
    assert accept(s, house, date(2025, 3, 10))[0].type is RegistrationAccepted


def test_a_registration_is_decided_only_once():
    s = Story()
    house = given_house(s)
    apply(s, house, date(2025, 3, 1))
    complete(s, date(2025, 3, 2))
    s.record(accept(s, house, date(2025, 3, 10)), date(2025, 3, 10))
    with pytest.raises(Refused) as e:
        accept(s, house, date(2025, 3, 11))
    assert e.value.code == "already_decided"


def test_a_secondary_acquirer_starts_the_month_after_the_later_of_completion_and_transfer():
    s = Story()
    house = given_house(s)
    apply(s, house, date(2025, 3, 1))
    complete(s, date(2025, 3, 2))
    s.record(accept(s, house, date(2025, 3, 10)), date(2025, 3, 10))
    apply(s, house, date(2026, 7, 1), mid="M-2", acquirer="secondary", previous=s.member("M-1"),
          previous_member_id="M-1", transfer_on=date(2026, 7, 20), transfer_kind="sale")
    complete(s, date(2026, 7, 2), mid="M-2")
    drafts = accept(s, house, date(2026, 7, 25), mid="M-2")
    assert drafts[0].data["start"] == date(2026, 8, 1)
    assert drafts[0].data["first_period_end"] == date(2027, 3, 31)
    assert "IE-3.1.2" in drafts[0].rules


# --- the fee schedule ---------------------------------------------------------------


def test_ie_5_3_a_revision_applies_from_renewal_dates_after_two_months():
    s = Story()
    s.record(fees.decide_announce([], 5500, "revision", date(2025, 1, 1)), date(2025, 1, 1))
    s.record(fees.decide_announce(s.tariffs(), 6600, "revision", date(2026, 1, 10)), date(2026, 1, 10))
    assert fees.fee_on(s.tariffs(), date(2026, 3, 10)).amount == 5500
    assert fees.fee_on(s.tariffs(), date(2026, 3, 11)).amount == 6600


def test_ie_5_1_tax_a_tax_rate_change_applies_on_its_day():
    s = Story()
    s.record(fees.decide_announce([], 5500, "revision", date(2025, 1, 1)), date(2025, 1, 1))
    s.record(fees.decide_announce(s.tariffs(), 5600, "tax_rate", date(2026, 10, 1)), date(2026, 10, 1))
    assert fees.fee_on(s.tariffs(), date(2026, 9, 30)).amount == 5500
    assert fees.fee_on(s.tariffs(), date(2026, 10, 1)).amount == 5600


def test_ie_2_1_a_late_consent_does_not_move_the_procedure_completion_date():
    # Art. 2(1): the procedure is the form and the card; consent is a precondition.
    s = Story()
    house = given_house(s)
    apply(s, house, date(2025, 3, 1))
    complete(s, date(2025, 3, 10), consent=False)
    s.record(member.decide_consent(s.member("M-1"), "privacy_policy", True, date(2025, 3, 20)), date(2025, 3, 20))
    drafts = accept(s, house, date(2025, 3, 20))
    assert drafts[0].data["procedure_completed_on"] == date(2025, 3, 10)
    assert drafts[0].data["start"] == date(2025, 4, 1)
