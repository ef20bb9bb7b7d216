"""Inspections and emergency requests through the command path and the store (SQLite and
PostgreSQL), the views over them, the tasks, the CLI and the demo story."""
import json
from datetime import date, datetime

import pytest

from commands.handlers import Context, execute
from ledger.dates import JST
from ledger.errors import Refused
from projections import emergencies, inspections
from projections.window import Window
from tests.cli.test_cli import invoke, runner, seed  # noqa: F401  (runner is a fixture)
from tests.store.test_store import count, onboard


def t(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=JST)


def run(app, when: str, **command):
    return execute(app, command, Context(now=t(when), actor="tanaka.h"))


def member_with_operator_consent(app) -> None:
    onboard(app)  # M-0042 on P-1, delivered 2025-03-15, active from 2025-04-01
    run(app, "2025-03-10T15:30", command="record_consent", member_id="M-0042", kind="operator_provision",
        on="2025-03-10")


def year5(app, complete_recorded: str = "2030-03-12T17:00") -> None:
    run(app, "2029-11-10T10:00", command="send_inspection_notice", property_id="P-1", year=5, on="2029-11-10")
    run(app, "2030-01-20T10:00", command="schedule_inspection", property_id="P-1", year=5,
        inspection_on="2030-03-07", on="2030-01-20")
    # Done on 2030-03-07; the report was entered only on 2030-03-12.
    run(app, complete_recorded, command="complete_inspection", property_id="P-1", year=5, report_id="R-P1-05",
        repairs_needed=True, on="2030-03-07")


def view(app, as_of: str, known_at: str) -> dict:
    rows = inspections.rows(app, "P-1", Window(t(as_of), t(known_at)))
    return rows[0]


@pytest.mark.parametrize("as_of,known_at,state,done_on", [
    ("2029-11-09T23:59", "2031-01-01T00:00", "upcoming", None),
    ("2029-11-10T00:00", "2031-01-01T00:00", "noticed", None),
    ("2030-01-20T00:00", "2031-01-01T00:00", "scheduled", None),
    ("2030-03-07T23:59", "2030-03-12T16:59", "scheduled", None),  # the report was not yet entered
    ("2030-03-07T23:59", "2030-03-12T17:00", "done", "2030-03-07"),
])
def test_the_inspection_history_as_of_any_day_as_known_at_any_moment(app, as_of, known_at, state, done_on):
    member_with_operator_consent(app)
    year5(app)
    r = view(app, as_of, known_at)
    assert (r["year"], r["due_on"], r["notice_by"], r["state"], r["done_on"], r["member_id"]) == \
        (5, "2030-03-14", "2029-11-30", state, done_on, "M-0042")
    if state == "done":
        assert (r["report_id"], r["report_kept_until"]) == ("R-P1-05", "2040-03-06")


def test_inspection_facts_live_on_the_house_inspection_stream(app):
    member_with_operator_consent(app)
    year5(app)
    evs = app.read("inspection:P-1")
    assert [e.TYPE for e in evs] == ["InspectionNoticeSent", "InspectionScheduled", "InspectionCompleted"]
    assert evs[2].event_id == "inspection:P-1#3" and evs[2].recorded == t("2030-03-12T17:00")
    assert evs[2].effective == t("2030-03-07T00:00") and evs[2].actor == "tanaka.h"


def test_a_refused_inspection_command_writes_nothing(app):
    member_with_operator_consent(app)
    before = count(app)
    with pytest.raises(Refused) as e:
        run(app, "2030-01-20T10:00", command="schedule_inspection", property_id="P-1", year=5, on="2030-01-20")
    assert e.value.code == "not_noticed" and count(app) == before


def test_a_lost_special_key_at_2340_gets_a_hotel_and_the_log_says_why(app):
    member_with_operator_consent(app)
    res = run(app, "2026-06-13T23:48", command="request_emergency", member_id="M-0042", property_id="P-1",
              at="2026-06-13T23:40:00+09:00", category="lost_key", key_type="special", requester="member",
              id_checked=True, command_id="call-20260613-2340")
    e = res.events[0]
    assert (e.TYPE, e.event_id, e.decision, e.hotel_cap_yen) == ("EmergencyRequested", "member:M-0042#7", "hotel", 10_000)
    assert e.effective == t("2026-06-13T23:40") and e.recorded == t("2026-06-13T23:48")
    again = run(app, "2026-06-13T23:49", command="request_emergency", member_id="M-0042", property_id="P-1",
                at="2026-06-13T23:40:00+09:00", category="lost_key", key_type="special", requester="member",
                id_checked=True, command_id="call-20260613-2340")
    assert again.duplicate and len([x for x in app.read("member:M-0042") if x.TYPE == "EmergencyRequested"]) == 1


def test_entitled_at_2340_as_then_known_versus_as_now_known(app):
    member_with_operator_consent(app)
    run(app, "2026-06-13T23:48", command="request_emergency", member_id="M-0042", property_id="P-1",
        at="2026-06-13T23:40:00+09:00", category="lost_key", key_type="normal", requester="member", id_checked=True)
    # A week later staff learn the member had stopped the provision to the operator that morning.
    run(app, "2026-06-20T10:00", command="withdraw_consent", member_id="M-0042", kind="operator_provision",
        on="2026-06-13")
    then = emergencies.rows(app, "M-0042", Window(t("2026-06-13T23:59"), t("2026-06-13T23:59")))[0]
    now = emergencies.rows(app, "M-0042", Window(t("2026-07-01T00:00"), t("2026-07-01T00:00")))[0]
    assert (then["decision"], then["decision_as_known"]) == ("hotel", "hotel")
    assert (now["decision"], now["decision_as_known"], now["rules_as_known"]) == ("hotel", "refused", ["IE-19.3"])
    assert now["because"] == then["because"]


def test_a_fact_effective_after_the_incident_instant_does_not_decide_it(app):
    member_with_operator_consent(app)
    run(app, "2026-06-13T23:50", command="withdraw_consent", member_id="M-0042", kind="operator_provision",
        at="2026-06-13T23:50:00+09:00")
    early = run(app, "2026-06-13T23:55", command="request_emergency", member_id="M-0042", property_id="P-1",
                at="2026-06-13T23:40:00+09:00", category="water", requester="member", id_checked=True)
    late = run(app, "2026-06-13T23:56", command="request_emergency", member_id="M-0042", property_id="P-1",
               at="2026-06-13T23:51:00+09:00", category="water", requester="member", id_checked=True)
    assert early.events[0].decision == "first_response"
    assert (late.events[0].decision, late.events[0].blocked_by) == ("refused", ("IE-19.3",))


@pytest.mark.parametrize("as_of,tasks", [
    ("2029-10-30", []),
    ("2029-10-31", [("2029-11-30", "inspection_notice", "IE-6.4.1", False)]),
    ("2029-12-01", [("2029-11-30", "inspection_notice", "IE-6.4.1", True)]),
])
def test_tasks_list_inspection_notices_due_or_overdue(app, as_of, tasks):
    member_with_operator_consent(app)
    w = Window(t(f"{as_of}T23:59"), t(f"{as_of}T23:59"))
    got = [(x["due_on"], x["kind"], x["rule"], x["overdue"]) for x in inspections.tasks(app, w) if x["id"] == "P-1"]
    assert got == tasks


def test_tasks_list_estimates_requested_and_not_presented(app):
    member_with_operator_consent(app)
    year5(app)
    w = lambda d: Window(t(f"{d}T23:59"), t(f"{d}T23:59"))  # noqa: E731
    assert inspections.tasks(app, w("2030-03-14")) == []  # the notice is sent: no notice task
    run(app, "2030-03-15T10:00", command="request_estimate", property_id="P-1", year=5, on="2030-03-15")
    due = inspections.tasks(app, w("2030-03-29"))
    assert due == [{"due_on": "2030-03-29", "kind": "repair_estimate", "id": "P-1", "rule": "IE-7",
                    "action": "present the year-5 repair estimate requested on 2030-03-15 to M-0042", "overdue": False}]
    assert inspections.tasks(app, w("2030-03-30"))[0]["overdue"] is True
    run(app, "2030-04-02T10:00", command="present_estimate", property_id="P-1", year=5, amount=88000, on="2030-04-02")
    assert inspections.tasks(app, w("2030-04-02")) == []


# --- the CLI ----------------------------------------------------------------------------------------------


def accepted(r) -> None:
    seed(r)  # P-1001 delivered 2025-03-15; M-0042 applied 2025-03-01
    for args in (["member", "consent", "--member-id", "M-0042", "--kind", "privacy_policy", "--on", "2025-03-01"],
                 ["member", "consent", "--member-id", "M-0042", "--kind", "operator_provision", "--on", "2025-03-01"],
                 ["member", "card", "--member-id", "M-0042", "--card-token", "tok_1", "--on", "2025-03-01"]):
        assert invoke(r, *args).exit_code == 0
    assert invoke(r, "member", "accept", "--member-id", "M-0042", "--on", "2025-03-10",
                  clock="2025-03-10T10:00+09:00").exit_code == 0


def test_cli_inspection_commands_exit_codes_and_the_table(runner):  # noqa: F811
    accepted(runner)
    res = invoke(runner, "inspection", "schedule", "--property-id", "P-1001", "--year", "5", "--on", "2030-01-10",
                 clock="2030-01-10T10:00+09:00")
    assert res.exit_code == 1
    assert res.output.startswith("error[not_noticed]: [IE-6.4.1 Art. 6(4)(i)] Property P-1001: no notice of the year-5 "
                                 "inspection is recorded")
    res = invoke(runner, "inspection", "notice", "--property-id", "P-1001", "--year", "6", "--on", "2029-11-10",
                 clock="2030-01-10T10:00+09:00")
    assert res.exit_code == 2 and "field 'year'" in res.output
    res = invoke(runner, "inspection", "notice", "--property-id", "P-1001", "--year", "5", "--on", "2029-11-10",
                 clock="2030-01-10T10:00+09:00")
    assert res.output == "recorded inspection:P-1001#1 InspectionNoticeSent [IE-6.4.1, IE-6.dates]\n"
    res = invoke(runner, "inspection", "notice", "--property-id", "P-1001", "--year", "10", "--on", "2030-01-10",
                 "--by", "inspection_company", clock="2030-01-10T10:00+09:00")
    assert res.exit_code == 1 and "[IE-6.4.2 Art. 6(4)(ii)]" in res.output
    res = invoke(runner, "inspections", "P-1001", "--as-of", "2030-01-10", clock="2030-01-10T10:00+09:00")
    assert res.exit_code == 0
    assert res.output.splitlines()[:3] == [
        "year  due_on      notice_by   state     done_on  report_id  member_id  report_kept_until",
        "5     2030-03-14  2029-11-30  noticed                       M-0042",
        "10    2035-03-14  2034-11-30  upcoming                      M-0042",
    ]
    res = invoke(runner, "inspections", "P-1001", "--csv", clock="2030-01-10T10:00+09:00")
    assert res.output.splitlines()[0] == "year,due_on,notice_by,state,done_on,report_id,member_id,report_kept_until"
    res = invoke(runner, "inspections", "P-9999", "--json", clock="2030-01-10T10:00+09:00")
    assert res.exit_code == 2 and json.loads(res.output)["error"]["code"] == "not_found"


def test_cli_emergency_request_and_the_view(runner):  # noqa: F811
    accepted(runner)
    res = invoke(runner, "emergency", "request", "--member-id", "M-0042", "--property-id", "P-1001",
                 "--at", "2026-06-13T23:40+09:00", "--category", "lost_key", "--key-type", "special",
                 "--requester", "member", "--id-checked", clock="2026-06-13T23:48+09:00")
    assert res.exit_code == 0 and res.output == "recorded member:M-0042#7 EmergencyRequested [IE-A2-1.3]\n"
    res = invoke(runner, "emergency", "request", "--member-id", "M-0042", "--property-id", "P-1001",
                 "--at", "2026-06-14T02:15+09:00", "--category", "water", "--requester", "other",
                 "--no-id-checked", clock="2026-06-14T02:20+09:00")
    assert res.output == "recorded member:M-0042#8 EmergencyRequested [IE-8.8.1, IE-8.8.3]\n"
    res = invoke(runner, "emergency", "request", "--member-id", "M-0042", "--property-id", "P-1001",
                 "--at", "2026-06-14T09:00+09:00", "--category", "lost_key", "--requester", "member",
                 "--id-checked", clock="2026-06-14T09:05+09:00")
    assert res.exit_code == 2 and "key_type" in res.output
    rows = json.loads(invoke(runner, "emergencies", "M-0042", "--json", clock="2026-06-15T09:00+09:00").output)
    assert [(r["at"], r["decision"], r["grounds"]) for r in rows] == [
        ("2026-06-13T23:40:00+09:00", "hotel", []),
        ("2026-06-14T02:15:00+09:00", "refused", ["IE-8.8.1", "IE-8.8.3"]),
    ]
    res = invoke(runner, "emergencies", "M-0042", clock="2026-06-15T09:00+09:00")
    assert res.output.splitlines()[0].split() == ["at", "category", "requester", "member_state", "decision", "rules",
                                                  "decision_as_known", "recorded"]


def test_cli_new_queries_have_help_with_an_example():
    from click.testing import CliRunner

    import cli

    for sub in ("inspections", "emergencies"):
        res = CliRunner().invoke(cli.main, [sub, "-h"])
        assert res.exit_code == 0 and "Example" in res.output


# --- the demo ---------------------------------------------------------------------------------------------


def test_the_demo_story_adds_an_inspection_history_and_a_refused_night_request(tmp_path):
    from demo import build

    w = build(str(tmp_path / "demo.db"), 2, date(2026, 11, 20))  # the services story is part of the demo
    now = Window(t("2026-11-20T12:00"), t("2026-11-20T12:00"))
    r5 = inspections.rows(w.app, "P-1000", now)[0]
    assert (r5["state"], r5["report_id"], r5["member_id"]) == ("done", "R-P1000-05", "M-0001")
    decided = [(r["at"][11:16], r["decision"], r["night"]) for r in emergencies.rows(w.app, "M-0001", now)]
    assert decided == [("23:40", "hotel", True), ("02:15", "refused", True), ("14:00", "first_response", False)]
    early = build(str(tmp_path / "early.db"), 2, date(2026, 3, 1))  # steps after "today" are left out
    assert [e.TYPE for e in early.app.read("inspection:P-1000")] == ["InspectionNoticeSent", "InspectionScheduled"]


def test_an_inspection_command_retried_with_its_command_id_is_applied_once(app):
    member_with_operator_consent(app)
    year5(app)
    args = dict(command="request_estimate", property_id="P-1", year=5, on="2030-03-15", command_id="est-P-1-5")
    first = run(app, "2030-03-15T10:00", **args)
    again = run(app, "2030-03-15T10:01", **args)
    assert len(first.events) == 1 and again.duplicate and again.events == []
    assert [e.TYPE for e in app.read("inspection:P-1")].count("RepairEstimateRequested") == 1


def test_cli_an_inspection_refusal_in_japanese(runner):  # noqa: F811
    accepted(runner)
    res = invoke(runner, "--lang", "ja", "inspection", "schedule", "--property-id", "P-1001", "--year", "5",
                 "--on", "2030-01-10", clock="2030-01-10T10:00+09:00")
    assert res.exit_code == 1
    assert res.output.startswith("error[not_noticed]: [IE-6.4.1 第6条第4項第1号] 物件 P-1001: 5年目の家サポ点検の通知が記録されていません。")


def test_ie_14_3_8_reaches_status_revoke_and_the_snapshot_alike(app):
    from projections import snapshot, status as status_view

    member_with_operator_consent(app)
    run(app, "2029-11-10T10:00", command="send_inspection_notice", property_id="P-1", year=5, on="2029-11-10")
    run(app, "2030-03-25T10:00", command="record_inspection_failure", property_id="P-1", year=5, rule="IE-14.3.8",
        reason="no reply to three calls", on="2030-03-25")
    now = t("2030-06-01T09:00")
    w = Window.parse("2030-05-01", None, now)
    row = status_view.member_status(app, "M-0042", w)
    assert "IE-14.3.8" in [g["rule"] for g in row["grounds"]]
    assert [r for r in snapshot.run(app, w).rows if r["id"] == "M-0042"] == [row]
    revoked = run(app, "2030-06-01T09:00", command="revoke", member_id="M-0042", rule="IE-14.3.8", on="2030-05-01")
    assert revoked.events[0].ground_since is not None
