"""Issue 10: money and dates exactly as the terms say.

Each item at its boundary days (both sides of every deadline). Store behaviour
runs on SQLite and PostgreSQL (the ``app`` fixture); pure date rules run on the
domain alone.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings, strategies as st

import commands.handlers as handlers
from commands.handlers import Context, execute
from ledger import dates, member
from ledger.dates import JST
from ledger.errors import BadInput, NotFound, Refused
from projections import arrears as arrears_view, explain, history, snapshot, status, tasks
from projections.window import Window
from tests.story import charged_fee_years
from tests.store.test_presence_store import CHECKS, enrol_command


def t(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=JST)


def run(app, when: str, actor: str = "sato", **command):
    return execute(app, command, Context(now=t(when), actor=actor))


def count(app) -> int:
    return sum(1 for _ in app.iter_all())


def row(app, mid: str, as_of: str, now: str = "2040-01-01T00:00") -> dict:
    return status.member_status(app, mid, Window.parse(as_of, None, t(now)))


def onboard(app, mid: str = "M-1", pid: str = "P-1", delivered: str = "2025-03-15", applied: str = "2025-03-01",
            accept: str = "2025-03-10", pay: bool = True, fee: bool = True, acquirer: str = "primary", **secondary):
    if fee:
        run(app, "2020-01-01T09:00", command="announce_fee", amount=5500, on="2020-01-01")
    if not app.exists(f"property:{pid}"):
        run(app, f"{applied}T08:00", command="register_property", property_id=pid, delivered_on=delivered, floors=2,
            builder="company", certified=True, on=applied)
    run(app, f"{applied}T10:00", command="apply_membership", member_id=mid, property_id=pid, acquirer=acquirer,
        applicant={"name": "山田 太郎"}, on=applied, **secondary)
    run(app, f"{applied}T10:05", command="record_consent", member_id=mid, kind="privacy_policy", on=applied)
    run(app, f"{applied}T10:06", command="register_card", member_id=mid, card_token="tok_4f9a2c", on=applied)
    run(app, f"{accept}T15:00", command="accept_registration", member_id=mid, on=accept)
    if pay:
        run(app, f"{accept}T15:30", command="record_payment", member_id=mid, amount=5500, payment_ref=f"PAY-{mid}",
            on=accept)


# --- 1. a run never bills ahead; a timely notice always ends the membership ----------------------------


def test_1_run_renewals_through_after_its_own_day_is_refused(app):
    onboard(app)
    before = count(app)
    with pytest.raises(BadInput) as e:
        run(app, "2026-03-30T09:00", command="run_renewals", through="2026-03-31", on="2026-03-30")
    assert e.value.field == "through" and "2026-03-31 is after the run's own day 2026-03-30" in e.value.en
    assert count(app) == before
    done = run(app, "2026-03-31T09:00", command="run_renewals", through="2026-03-31", on="2026-03-31")
    assert [x.TYPE for x in done.events] == ["FeeCharged", "MembershipRenewed"]


@pytest.mark.parametrize("noticed,withdrawn_from,period_2_charged", [
    ("2026-01-31", "2026-04-01", False),  # the deadline day: in time, ends with period 1
    ("2026-02-01", "2027-04-01", True),   # a day late: the coming renewal stands
])
def test_1_a_timely_notice_recorded_after_the_run_still_ends_the_membership(app, noticed, withdrawn_from,
                                                                             period_2_charged):
    onboard(app)
    run(app, "2026-04-01T07:00", command="run_renewals", through="2026-03-31", on="2026-04-01")
    # the notice was received on `noticed` but entered only after the run had booked period 2
    run(app, "2026-04-05T09:00", command="give_withdrawal_notice", member_id="M-1", on=noticed)
    day_before = (date.fromisoformat(withdrawn_from) - timedelta(days=1)).isoformat()
    assert row(app, "M-1", day_before)["state"] == "active"
    assert row(app, "M-1", withdrawn_from)["state"] == "withdrawn"
    r = row(app, "M-1", "2026-04-10")
    assert r["arrears"]["amount"] == (5500 if period_2_charged else 0)
    # the next run books the withdrawal the notice made true, and nothing more
    later = run(app, "2027-04-01T07:00", command="run_renewals", through="2027-03-31", on="2027-04-01")
    assert [x.TYPE for x in later.events] == ["MembershipWithdrawn"]
    assert later.events[0].effective_on == date.fromisoformat(withdrawn_from)


def test_1_a_notice_while_the_run_lags_two_years_is_judged_on_the_true_period():
    """Periods renew automatically (Art. 3(5)); a run that lags does not move the deadline."""
    from tests.domain.test_lifecycle import accepted
    from tests.story import Story

    s = Story()
    accepted(s)  # period 1 ends 2026-03-31; no run ever recorded
    # true period on 2027-11-30 is period 3 (2027-04-01 .. 2028-03-31): deadline 2028-01-31
    for day, in_time, effective in ((date(2028, 1, 31), True, date(2028, 4, 1)),
                                    (date(2028, 2, 1), False, date(2029, 4, 1))):
        d = member.decide_withdrawal_notice(s.member("M-1", day), day)[0].data
        assert (d["in_time"], d["effective_on"]) == (in_time, effective)


# --- 2. no fee year charged twice across owners (IE-17.1) ----------------------------------------------


def fee_years(app, mids: list[str]) -> list[tuple[str, date]]:
    """(member, first day of the property's membership year each live charge pays for)."""
    from ledger import property as prop

    out = []
    for mid in mids:
        m = member.fold(mid, [e for e in app.read(member.stream(mid))])
        house = prop.fold(app.read(prop.stream(m.property_id)))
        out += [(mid, y) for y in charged_fee_years(m, house, date(2040, 1, 1))]
    return out


@pytest.mark.parametrize("transfer,m1_years,m2_fee_year,m2_period", [
    # the previous owner's true period on the transfer day decides the fee year, whether the run lagged or not
    ("2026-03-31", ["2025-04-01"], "2026-04-01", 1),                 # before the renewal: M-2 pays 2026
    ("2026-04-01", ["2025-04-01"], "2026-04-01", 1),                 # withdrawn on the renewal day itself
    ("2026-04-02", ["2025-04-01", "2026-04-01"], "2027-04-01", 2),   # renewed the day before: M-2 pays 2027
])
def test_2_secondary_acquirer_with_a_lagging_run_is_never_charged_twice(app, transfer, m1_years, m2_fee_year,
                                                                       m2_period):
    onboard(app)
    run(app, "2026-03-01T09:00", command="notify_owner_change", member_id="M-1", kind="sale", change_on=transfer,
        on="2026-03-01")
    onboard(app, "M-2", applied="2026-04-05", accept="2026-04-20", fee=False, pay=False, acquirer="secondary",
            previous_member_id="M-1", transfer_on=transfer, transfer_kind="sale")
    first = [e for e in app.read("member:M-2") if e.TYPE == "FeeCharged"][0]
    assert first.period_number == m2_period
    # the renewal run only now catches up with period 1's end (lagging the transfer)
    run(app, "2026-04-21T07:00", command="run_renewals", through="2026-04-20", on="2026-04-21")
    run(app, "2027-04-01T07:00", command="run_renewals", through="2027-03-31", on="2027-04-01")
    years = fee_years(app, ["M-1", "M-2"])
    assert [str(y) for mid, y in years if mid == "M-1"] == m1_years
    m2 = [str(y) for mid, y in years if mid == "M-2"]
    assert m2[0] == m2_fee_year and len(set(m2)) == len(m2)
    starts = [y for _, y in years]
    assert len(starts) == len(set(starts)), years  # no fee year charged twice across owners


# --- 3. Art. 143(2): IE-14.3.3 at month ends -----------------------------------------------------------


@pytest.mark.parametrize("due,ground_from", [
    (date(2026, 1, 27), date(2026, 2, 28)),
    (date(2026, 1, 28), date(2026, 3, 1)),
    (date(2026, 1, 30), date(2026, 3, 1)),  # the case: not 02-28
    (date(2026, 1, 31), date(2026, 3, 1)),
    (date(2028, 1, 28), date(2028, 2, 29)),  # leap year
    (date(2028, 1, 29), date(2028, 3, 1)),
    (date(2026, 3, 31), date(2026, 5, 1)),
    (date(2026, 9, 30), date(2026, 11, 1)),
])
def test_3_one_month_of_arrears_per_art_143_2(due, ground_from):
    assert dates.after_months(due + dates.ONE_DAY, 1) == ground_from


def test_3_ie_14_3_3_from_03_01_for_a_fee_due_01_30(app):
    onboard(app, delivered="2026-02-15", applied="2026-01-20", accept="2026-01-30", pay=False)
    assert [(g["rule"], g["since"]) for g in row(app, "M-1", "2026-02-28")["grounds"]] == [("IE-13.1.2", "2026-01-31")]
    assert [(g["rule"], g["since"]) for g in row(app, "M-1", "2026-03-01")["grounds"]] == \
        [("IE-13.1.2", "2026-01-31"), ("IE-14.3.3", "2026-03-01")]
    before = count(app)
    with pytest.raises(Refused) as e:
        run(app, "2026-02-28T09:00", command="revoke", member_id="M-1", rule="IE-14.3.3", on="2026-02-28")
    assert e.value.rule == "IE-14.3.3" and "one month overdue only from 2026-03-01" in e.value.en
    assert count(app) == before
    done = run(app, "2026-03-01T09:00", command="revoke", member_id="M-1", rule="IE-14.3.3", on="2026-03-01")
    assert done.events[0].ground_since == date(2026, 3, 1)


def _whole_months_between(act: date, limit: date, n: int) -> bool:
    """N whole months lie strictly between the act's day and day L (Art. 140, 143)."""
    return dates.period_end(act + dates.ONE_DAY, n) <= limit - dates.ONE_DAY


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.dates(date(2020, 1, 1), date(2035, 12, 31)), st.integers(1, 3))
def test_3_every_by_n_months_before_deadline_is_the_last_day_with_n_whole_months_left(limit, n):
    """``by_months_before`` (leases IE-18.1, inspection notices IE-6.dates) and the
    IE-3.5 notice deadline agree with the definition, day by day."""
    last = dates.by_months_before(limit, n)
    assert _whole_months_between(last, limit, n)
    assert not _whole_months_between(last + dates.ONE_DAY, limit, n)
    if limit.day == 1 and n == 2:  # L = E + 1 day for a period ending E
        assert dates.withdrawal_notice_deadline(limit - dates.ONE_DAY) == last


def test_3_extended_warranty_default_counts_ten_years_from_the_delivery_day():
    assert dates.period_end(date(2024, 2, 29), 120) == date(2034, 2, 28)  # add_years - 1 day gave 02-27


# --- 4. IE-17.2.2 lapses once the arrears are paid --------------------------------------------------------


def test_4_previous_owner_in_arrears_lapses_when_paid_later_by_anyone(app):
    onboard(app, pay=False)  # M-1 owes the first fee due 2025-03-10
    run(app, "2025-09-01T09:00", command="notify_owner_change", member_id="M-1", kind="sale", change_on="2025-09-10",
        on="2025-09-01")
    run(app, "2025-09-12T09:00", command="apply_membership", member_id="M-2", property_id="P-1", acquirer="secondary",
        previous_member_id="M-1", transfer_on="2025-09-10", transfer_kind="sale", applicant={"name": "鈴木 一郎"},
        on="2025-09-12")
    # the secondary acquirer pays the previous owner's arrears on 2025-09-15 (recorded on M-1's stream)
    run(app, "2025-09-15T09:00", command="record_payment", member_id="M-1", amount=5500, payment_ref="BY-M2",
        on="2025-09-15")
    assert [(g["rule"], g["since"]) for g in row(app, "M-2", "2025-09-14")["grounds"]] == [("IE-17.2.2", "2025-09-10")]
    assert row(app, "M-2", "2025-09-15")["grounds"] == []
    before = count(app)
    with pytest.raises(Refused) as e:
        run(app, "2025-09-16T09:00", command="refuse_registration", member_id="M-2", rule="IE-17.2.2",
            on="2025-09-15")
    assert e.value.code == "no_ground" and count(app) == before
    ok = run(app, "2025-09-16T09:00", command="refuse_registration", member_id="M-2", rule="IE-17.2.2",
             on="2025-09-14")
    assert ok.events[0].TYPE == "RegistrationRefused"


# --- 5. IE-A3: the inspection company's period, recorded -------------------------------------------------


def warranty_house(app, delivered: str = "2024-02-29"):
    onboard(app, delivered=delivered, applied="2024-02-01", accept="2024-02-20")


@pytest.mark.parametrize("order_on,ok", [("2034-02-28", True), ("2034-03-01", False)])
def test_5_without_a_recorded_period_the_default_is_year_10s_last_day(app, order_on, ok):
    warranty_house(app)
    if ok:
        e = run(app, f"{order_on}T09:00", command="order_maintenance", property_id="P-1", on=order_on).events[0]
        assert e.deadline == date(2034, 2, 28)
    else:
        with pytest.raises(Refused) as err:
            run(app, f"{order_on}T09:00", command="order_maintenance", property_id="P-1", on=order_on)
        assert err.value.rule == "IE-A3" and "2034-02-28" in err.value.en


@pytest.mark.parametrize("order_on,pass_on,refused_rule_at", [
    ("2034-06-30", "2034-08-31", None),
    ("2034-07-01", None, "order"),
    ("2034-06-30", "2034-09-01", "pass"),
])
def test_5_the_period_set_by_the_inspection_company_governs(app, order_on, pass_on, refused_rule_at):
    warranty_house(app)
    set_ = run(app, "2034-01-10T09:00", command="set_warranty_period", property_id="P-1", work_by="2034-06-30",
               inspection_by="2034-08-31", on="2034-01-10").events[0]
    assert (set_.TYPE, set_.work_by, set_.inspection_by) == ("WarrantyPeriodSet", date(2034, 6, 30), date(2034, 8, 31))
    if refused_rule_at == "order":
        with pytest.raises(Refused):
            run(app, f"{order_on}T09:00", command="order_maintenance", property_id="P-1", on=order_on)
        return
    assert run(app, f"{order_on}T09:00", command="order_maintenance", property_id="P-1",
               on=order_on).events[0].deadline == date(2034, 6, 30)
    if refused_rule_at == "pass":
        with pytest.raises(Refused) as err:
            run(app, f"{pass_on}T09:00", command="pass_completion_inspection", property_id="P-1", on=pass_on)
        assert "2034-08-31" in err.value.en
    else:
        assert run(app, f"{pass_on}T09:00", command="pass_completion_inspection", property_id="P-1",
                   on=pass_on).events[0].TYPE == "CompletionInspectionPassed"


# --- 6. PC-4.2: an unsigned at-home visit is still at home ------------------------------------------------


def test_6_at_home_without_a_signature_is_recorded_as_at_home_unsigned(app):
    run(app, "2025-04-10T11:00", **enrol_command("E-1"), at="2025-04-10T11:00")
    run(app, "2025-04-11T10:00", command="record_consent_call", enrolment_id="E-1", attempt=1, outcome="consented",
        at="2025-04-11T10:00")
    run(app, "2025-04-25T19:30", command="request_presence_check", enrolment_id="E-1", at="2025-04-25T19:30",
        requester_relation_degree=0)
    e = run(app, "2025-04-25T20:40", command="record_visit", enrolment_id="E-1", at="2025-04-25T20:40",
            result="at_home", signed=False, checks=CHECKS).events[0]
    assert (e.result, e.signed, e.report) == ("at_home", False, "presence_confirmed")
    doc = status.status(app, "E-1", Window.parse("2025-04-26", None, t("2025-04-26T09:00")))
    assert (doc["visits"][0]["result"], doc["visits"][0]["signed"]) == ("at_home", False)


# --- 7. IE-11.2: the member's own fee ------------------------------------------------------------------


def test_7_liability_cap_is_the_members_fee_for_the_period_in_force(app):
    onboard(app)
    run(app, "2025-06-01T09:00", command="announce_fee", amount=6600, on="2025-06-01")  # from renewals after 08-01
    r = row(app, "M-1", "2026-03-31")
    assert (r["annual_fee"], r["liability_cap"]) == (6600, 5500)  # period 1 was charged 5,500
    run(app, "2026-04-01T07:00", command="run_renewals", through="2026-03-31", on="2026-04-01")
    assert row(app, "M-1", "2026-03-31")["liability_cap"] == 5500  # period 1 still in force
    assert row(app, "M-1", "2026-04-01")["liability_cap"] == 6600  # period 2, charged 6,600


# --- 8. impossible facts refused ----------------------------------------------------------------------


def test_8_json_true_is_no_amount(app):
    onboard(app)
    before = count(app)
    for raw in ({"command": "record_payment", "member_id": "M-1", "amount": True, "payment_ref": "X"},
                {"command": "announce_fee", "amount": True},
                {"command": "award_points", "member_id": "M-1", "points": True, "reason": "start"},
                {"command": "record_payment", "member_id": "M-1", "amount": 5500.0, "payment_ref": "X"}):
        with pytest.raises(BadInput) as e:
            execute(app, raw, Context(now=t("2025-05-01T09:00"), actor="sato"))
        assert e.value.field in ("amount", "points")
    assert count(app) == before


def test_8_a_fact_after_the_ledger_clock_is_refused_but_future_dates_inside_facts_are_not(app):
    onboard(app)
    before = count(app)
    with pytest.raises(BadInput) as e:
        run(app, "2025-05-01T09:00", command="record_payment", member_id="M-1", amount=5500, payment_ref="N",
            on="2026-05-01")
    assert e.value.field == "on" and e.value.code == "future_fact"
    with pytest.raises(BadInput) as e:
        run(app, "2025-05-01T09:00", command="record_payment", member_id="M-1", amount=5500, payment_ref="N",
            at="2025-05-01T09:00:01")
    assert e.value.field == "at"
    assert count(app) == before
    # the clock's own instant and day are fine
    run(app, "2025-05-01T09:00", command="record_payment", member_id="M-1", amount=1, payment_ref="N1",
        at="2025-05-01T09:00")
    run(app, "2025-05-01T09:00", command="record_payment", member_id="M-1", amount=1, payment_ref="N2",
        on="2025-05-01")
    # legitimately future dates inside facts stay allowed
    assert run(app, "2025-05-02T09:00", command="apply_rental", member_id="M-1", lease_start="2026-05-01",
               on="2025-05-02").events
    assert run(app, "2025-05-02T09:01", command="notify_owner_change", member_id="M-1", kind="sale",
               change_on="2026-01-10", on="2025-05-02").events


def test_8_history_and_explain_never_crash_on_a_fact_dated_far_ahead(app, monkeypatch):
    """Facts recorded before issue 10 may carry an effective date after their
    recording (even the calendar's last day): every read still answers."""
    onboard(app)
    monkeypatch.setattr(handlers, "not_after_clock", lambda *a: None)  # what the ledger allowed before
    monkeypatch.setattr(handlers, "in_range", lambda *a: None)  # (issues 10 and 12 refuse both now)
    run(app, "2025-05-01T09:00", command="record_payment", member_id="M-1", amount=100, payment_ref="FAR",
        on="9999-12-31")
    now = t("2025-06-01T09:00")
    w = Window.parse("2025-05-20", None, now)
    assert [r["event_id"] for r in history.rows(app.read("member:M-1"), Window.parse(None, None, now))][-1] \
        == "member:M-1#6"  # not effective yet on the day: hidden from the as-of view
    x = explain.explain("M-1", explain.load(app.read, "M-1"), t("2025-05-20T12:00"), now)
    assert x["timeline"]["to"] == "9999-12-31" and x["differs"] is False
    assert row(app, "M-1", "2025-05-20", "2025-06-01T09:00")["state"] == "active"
    snap = [r for r in snapshot.run(app, w).rows if r["id"] == "M-1"]
    assert snap[0]["state"] == "active"


def test_8_birth_date_after_the_application_is_refused(app):
    onboard(app)
    run(app, "2025-03-11T08:00", command="register_property", property_id="P-2", delivered_on="2025-03-15", floors=2,
        builder="company", certified=True, on="2025-03-11")
    before = count(app)
    with pytest.raises(BadInput) as e:
        run(app, "2025-03-12T10:00", command="apply_membership", member_id="M-9", property_id="P-2",
            applicant={"name": "X", "birth_date": "2025-03-13"}, on="2025-03-12")
    assert e.value.field == "applicant.birth_date" and count(app) == before
    # born on the application day itself: possible (a newborn's guardian applies; IE-2.2 then needs consent)
    assert run(app, "2025-03-12T10:00", command="apply_membership", member_id="M-9", property_id="P-2",
               applicant={"name": "X", "birth_date": "2025-03-12"}, on="2025-03-12").events[0].minor is True


@pytest.mark.parametrize("actor", ["", "   ", "\t"])
def test_8_a_blank_actor_is_refused(app, actor):
    onboard(app)
    before = count(app)
    with pytest.raises(BadInput) as e:
        run(app, "2025-05-01T09:00", actor=actor, command="record_payment", member_id="M-1", amount=100,
            payment_ref="B")
    assert e.value.field == "actor" and count(app) == before


def test_8_a_second_primary_membership_for_a_house_with_a_current_member_is_refused(app):
    onboard(app)
    before = count(app)
    with pytest.raises(Refused) as e:
        run(app, "2025-06-01T09:00", command="apply_membership", member_id="M-2", property_id="P-1",
            applicant={"name": "佐藤 花子"}, on="2025-06-01")
    assert e.value.rule == "IE-1.4" and "secondary acquirer" in e.value.en and count(app) == before
    # once the member's timely notice has ended the membership (2026-04-01), a new primary application is possible
    run(app, "2025-06-02T09:00", command="give_withdrawal_notice", member_id="M-1", on="2025-06-02")
    with pytest.raises(Refused):
        run(app, "2026-03-31T09:00", command="apply_membership", member_id="M-2", property_id="P-1",
            applicant={"name": "佐藤 花子"}, on="2026-03-31")
    assert run(app, "2026-04-01T09:00", command="apply_membership", member_id="M-2", property_id="P-1",
               applicant={"name": "佐藤 花子"}, on="2026-04-01").events


def test_8_two_pending_primary_applications_cannot_both_be_accepted(app):
    run(app, "2020-01-01T09:00", command="announce_fee", amount=5500, on="2020-01-01")
    run(app, "2025-03-01T08:00", command="register_property", property_id="P-1", delivered_on="2025-03-15", floors=2,
        builder="company", certified=True, on="2025-03-01")
    for h, mid in ((10, "M-1"), (11, "M-3")):  # both apply before either is accepted: no current member yet
        run(app, f"2025-03-01T{h}:00", command="apply_membership", member_id=mid, property_id="P-1",
            applicant={"name": mid}, on="2025-03-01")
        run(app, f"2025-03-01T{h}:05", command="record_consent", member_id=mid, kind="privacy_policy", on="2025-03-01")
        run(app, f"2025-03-01T{h}:06", command="register_card", member_id=mid, card_token="tok_1", on="2025-03-01")
    run(app, "2025-03-10T15:00", command="accept_registration", member_id="M-1", on="2025-03-10")
    before = count(app)
    with pytest.raises(Refused) as e:
        run(app, "2025-03-10T15:10", command="accept_registration", member_id="M-3", on="2025-03-10")
    assert e.value.rule == "IE-1.4" and "M-1" in e.value.en and count(app) == before


def test_8_a_command_dated_before_the_application_names_the_application_day(app):
    onboard(app)
    with pytest.raises(NotFound) as e:
        run(app, "2025-05-01T09:00", command="record_consent", member_id="M-1", kind="operator_provision",
            on="2025-02-28")
    assert "before the application on 2025-03-01" in e.value.en and e.value.code == "before_application"
    with pytest.raises(NotFound) as e:  # the 24-hour service reads the member at the incident instant
        run(app, "2025-05-01T09:00", command="request_emergency", member_id="M-1", property_id="P-1",
            at="2025-02-28T23:40", category="water", requester="member", id_checked=True)
    assert "before the application on 2025-03-01" in e.value.en
    # on the application day itself the member exists
    assert run(app, "2025-05-01T09:00", command="record_consent", member_id="M-1", kind="operator_provision",
               on="2025-03-01").events
    with pytest.raises(NotFound) as e:
        run(app, "2025-05-01T09:00", command="record_consent", member_id="M-404", kind="operator_provision")
    assert "not in the ledger" in e.value.en


# --- 9. smaller gaps ------------------------------------------------------------------------------------


def test_9_an_unapproved_rental_is_also_the_ie_14_3_2_ground(app):
    onboard(app)
    run(app, "2025-08-01T09:00", command="report_unapproved_rental", member_id="M-1", on="2025-08-01")
    assert row(app, "M-1", "2025-07-31")["grounds"] == []
    assert [(g["rule"], g["since"]) for g in row(app, "M-1", "2025-08-01")["grounds"]] == \
        [("IE-13.1.6", "2025-08-01"), ("IE-14.3.2", "2025-08-01")]
    done = run(app, "2025-08-02T09:00", command="revoke", member_id="M-1", rule="IE-14.3.2", on="2025-08-01")
    assert done.events[0].ground_since == date(2025, 8, 1)


def test_9_ie_6_6_unreachable_ends_the_inspection_duty(app):
    from projections import inspections

    onboard(app)
    run(app, "2029-11-10T10:00", command="send_inspection_notice", property_id="P-1", year=5, on="2029-11-10")
    e = run(app, "2030-02-10T10:00", command="record_inspection_failure", property_id="P-1", year=5, rule="IE-6.6",
            reason="no answer to letters and calls", on="2030-02-10").events[0]
    assert e.rule == "IE-6.6" and e.member_id == "M-1"
    rows = {r["year"]: r for r in inspections.rows(app, "P-1", Window.parse("2034-01-01", None, t("2034-01-01T09:00")))}
    assert rows[5]["state"] == "failed" and rows[10]["state"] == "not_owed" and rows[10]["rules"] == ["IE-6.6"]
    with pytest.raises(Refused) as err:
        run(app, "2034-11-10T10:00", command="send_inspection_notice", property_id="P-1", year=10, on="2034-11-10")
    assert err.value.rule == "IE-6.6"


def test_9_emergency_ie_8_8_4_and_ie_a2_3_outcomes(app):
    onboard(app)
    run(app, "2025-03-10T15:40", command="record_consent", member_id="M-1", kind="operator_provision", on="2025-03-10")
    base = dict(command="request_emergency", member_id="M-1", property_id="P-1", category="water",
                requester="member", id_checked=True)
    ok = run(app, "2025-04-30T10:10", **base, at="2025-04-30T10:00").events[0]  # ID shown, attends
    assert (ok.decision, ok.grounds, ok.id_shown, ok.attended) == ("first_response", (), True, True)
    a = run(app, "2025-05-01T10:10", **base, at="2025-05-01T10:00", attended=False).events[0]
    assert (a.decision, a.grounds, a.rules) == ("refused", ("IE-8.8.4",), ("IE-8.8.4",))
    a2 = run(app, "2025-05-01T10:20", **base, at="2025-05-01T10:15", id_shown=False).events[0]
    assert (a2.decision, a2.grounds) == ("refused", ("IE-8.8.4",))
    b = run(app, "2025-05-02T10:10", **base, at="2025-05-02T10:00", cause="deliberate").events[0]
    assert (b.decision, b.rules) == ("normal_price", ("IE-A2-3",))
    c = run(app, "2025-05-03T10:10", **base, at="2025-05-03T10:00", cause="special_work",
            override_outcome="estimate_first", override_reason="paid repair, estimate given first").events[0]
    assert (c.proposed, c.decision, c.rules[0]) == ("refused", "estimate_first", "IE-A2-3")


def test_9_secondary_acquirers_prepaid_first_renewal_points_task(app):
    onboard(app)
    run(app, "2025-09-01T09:00", command="notify_owner_change", member_id="M-1", kind="sale", change_on="2025-09-10",
        on="2025-09-01")
    run(app, "2025-09-12T10:00", command="apply_membership", member_id="M-2", property_id="P-1", acquirer="secondary",
        previous_member_id="M-1", transfer_on="2025-09-10", transfer_kind="sale", applicant={"name": "鈴木"},
        points=True, on="2025-09-12")
    run(app, "2025-09-12T10:05", command="record_consent", member_id="M-2", kind="privacy_policy", on="2025-09-12")
    run(app, "2025-09-12T10:06", command="register_card", member_id="M-2", card_token="tok_m2", on="2025-09-12")
    acc = run(app, "2025-09-20T09:00", command="accept_registration", member_id="M-2", on="2025-09-20")
    assert [e.period_number for e in acc.events if e.TYPE == "FeeCharged"] == [2]  # IE-17.1: pays 2026-04-01's year
    run(app, "2025-09-20T09:30", command="record_payment", member_id="M-2", amount=5500, payment_ref="M2", on="2025-09-20")

    def points_rows(as_of):
        return [r for r in tasks.rows(app, Window.parse(as_of, None, t("2026-06-01T09:00")))
                if r["kind"] == "points_award" and r["id"] == "M-2"]

    assert [r["due_on"] for r in points_rows("2026-03-31")] == ["2025-10-15"]  # the start (10-01) + 2 weeks
    rows = points_rows("2026-04-01")
    assert [r["due_on"] for r in rows] == ["2025-10-15", "2026-04-01"]
    assert "staff decide" in rows[1]["action"]
    done = run(app, "2026-04-02T09:00", command="award_points", member_id="M-2", points=500, reason="renewal",
               on="2026-04-02").events[0]
    assert done.trigger_on == date(2026, 4, 1)


@pytest.mark.parametrize("as_of,known_at,state,owed", [
    ("2026-04-01", "2026-04-02T08:00", "active", 2750 + 5500),  # as shown before the late notice and retraction
    ("2026-04-01", "2026-06-01T09:00", "withdrawn", 5500),      # as now known: period 2's charge is void
    ("2026-03-31", "2026-06-01T09:00", "active", 5500),
    ("2025-05-01", "2025-05-01T12:00", "active", 2750),
])
def test_status_equals_the_snapshot_row_and_the_arrears_row(app, as_of, known_at, state, owed):
    """The same member and window give the same answer in status, snapshot and arrears,
    through late-recorded facts, a retraction and a lagging run."""
    onboard(app, pay=False)
    run(app, "2025-04-10T09:00", command="record_payment", member_id="M-1", amount=2750, payment_ref="HALF",
        on="2025-04-10")
    run(app, "2026-04-02T07:00", command="run_renewals", through="2026-03-31", on="2026-03-31")  # a lagging run
    run(app, "2026-04-20T09:00", command="give_withdrawal_notice", member_id="M-1", on="2026-01-30")  # late entry
    run(app, "2026-04-21T09:00", command="retract", event_id="member:M-1#6", reason="payment keyed twice")
    w = Window.parse(as_of, known_at, t("2026-06-01T09:00"))
    st_row = status.member_status(app, "M-1", w)
    snap = [r for r in snapshot.run(app, w).rows if r["id"] == "M-1"][0]
    assert st_row == snap
    assert (st_row["state"], st_row["arrears"]["amount"]) == (state, owed)
    ar = [r for r in arrears_view.rows(app, w) if r["member_id"] == "M-1"]
    assert [(r["amount"], r["oldest_due_on"], r["days_overdue"]) for r in ar] == \
        ([(st_row["arrears"]["amount"], st_row["arrears"]["oldest_due_on"], st_row["arrears"]["days_overdue"])]
         if st_row["arrears"]["amount"] else [])
