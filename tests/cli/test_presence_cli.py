"""The presence check on the command line: exact output and exit codes (0 ok, 1 refused, 2 bad input)."""
import json

import pytest
from click.testing import CliRunner

import cli


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_DB", str(tmp_path / "ledger.db"))
    monkeypatch.setenv("LEDGER_ACTOR", "takahashi.y")
    monkeypatch.setenv("LEDGER_CLOCK", "2025-04-10T11:00:00+09:00")
    monkeypatch.delenv("LANG", raising=False)
    r = CliRunner()
    assert r.invoke(cli.main, ["init", "--test-clock"]).exit_code == 0
    return r


def invoke(r, *args, clock=None, **kw):
    return r.invoke(cli.main, list(args), env={"LEDGER_CLOCK": clock} if clock else {}, **kw)


ENROL = ["presence", "enrol", "--enrolment-id", "E-0001", "--contract-holder-id", "DL-1001",
         "--contract-holder-name", "山田 花子", "--contract-holder-address", "東京都世田谷区桜丘2-14-6",
         "--target-name", "山田 一郎", "--target-address", "静岡県静岡市葵区呉服町1-8", "--target-phone", "054-255-0101",
         "--relation-degree", "1", "--at", "2025-04-10T11:00"]
VISIT_CHECKS = ["--checks-intercom", "observed", "--checks-meter", "observed", "--checks-lights", "not_checkable",
                "--checks-mailbox", "observed"]


def enrolled(r):
    res = invoke(r, *ENROL)
    assert res.exit_code == 0, res.output
    return res


def active(r):
    enrolled(r)
    assert invoke(r, "presence", "call", "--enrolment-id", "E-0001", "--attempt", "1", "--outcome", "consented",
                  "--at", "2025-04-11T10:00", clock="2025-04-11T10:00+09:00").exit_code == 0


def test_enrol_prints_the_enrolment_and_the_holder_claim(runner):
    res = enrolled(runner)
    assert res.output == ("recorded enrolment:E-0001#1 PresenceCheckEnrolled [PC-1, PC-2, PC-3.1]\n"
                          "recorded holder:DL-1001#1 PresenceHolderClaimed [PC-2]\n")


def test_a_second_target_for_one_holder_is_refused_with_pc_2(runner):
    enrolled(runner)
    second = [a.replace("E-0001", "E-0002").replace("山田 一郎", "山田 二郎") for a in ENROL]
    res = invoke(runner, *second)
    assert res.exit_code == 1
    assert res.output == (
        "error[refused]: [PC-2 Presence check §2] Contract holder DL-1001 already has a target enrolled under "
        "E-0001 (pending_consent): only one target per contract holder. A new enrolment is possible once E-0001 "
        "is stopped or its consent was not obtained.\n")
    res = invoke(runner, "--lang", "ja", *second)
    assert res.exit_code == 1 and res.output.startswith("error[refused]: [PC-2 在宅確認サポート 2.] 契約者 DL-1001 は")


def test_a_third_degree_relative_cannot_be_the_target(runner):
    res = invoke(runner, *[("3" if a == "1" else a) for a in ENROL])
    assert res.exit_code == 1
    assert res.output == (
        "error[refused]: [PC-2 Presence check §2] Enrolment E-0001: the target is a relative of the 3rd degree of "
        "contract holder DL-1001; only family within the second degree (or a spouse) can be the target.\n")
    res = invoke(runner, "history", "E-0001")  # nothing was written
    assert res.exit_code == 2 and "no member, property or enrolment E-0001" in res.output


@pytest.mark.parametrize("args,field", [
    (["presence", "call", "--enrolment-id", "E-0001", "--attempt", "3", "--outcome", "consented"], "attempt"),
    (["presence", "call", "--enrolment-id", "E-0001", "--attempt", "1", "--outcome", "maybe"], "outcome"),
    (["presence", "visit", "--enrolment-id", "E-0001", "--result", "absent", "--checks-intercom", "observed",
      "--checks-meter", "observed", "--checks-lights", "observed"], "checks.mailbox"),
    (["presence", "stop", "--enrolment-id", "E-0001", "--by", "neighbour"], "by"),
    (["presence", "request", "--enrolment-id", "E-0001", "--requester-relation-degree", "-1"],
     "requester_relation_degree"),
])
def test_bad_input_exits_2_and_names_the_field(runner, args, field):
    enrolled(runner)
    res = invoke(runner, *args, clock="2025-04-11T10:00+09:00")
    assert res.exit_code == 2, res.output
    assert f"field '{field}'" in res.output and "Traceback" not in res.output


def test_a_late_first_call_is_recorded_and_flagged(runner):
    enrolled(runner)
    res = invoke(runner, "presence", "call", "--enrolment-id", "E-0001", "--attempt", "1", "--outcome", "no_answer",
                 "--at", "2025-04-14T10:00", "--json", clock="2025-04-14T10:00+09:00")
    assert res.exit_code == 0
    assert json.loads(res.output)["events"] == [
        {"event_id": "enrolment:E-0001#2", "type": "ConsentCallMade", "rules": ["PC-3.1"]}]
    doc = json.loads(invoke(runner, "status", "E-0001", "--json", clock="2025-04-14T10:00+09:00").output)
    assert doc["consent"]["calls"][0]["late"] is True
    assert doc["consent"]["next_call"] == {"attempt": 2, "from": "2025-04-13", "due_on": "2025-04-17", "rule": "PC-3.2",
                                          "overdue": False}


def test_a_refused_request_is_recorded_exit_0_with_its_rules(runner):
    active(runner)
    res = invoke(runner, "presence", "request", "--enrolment-id", "E-0001", "--requester-relation-degree", "0",
                 "--wants-unlock", "--at", "2025-04-20T08:15", clock="2025-04-20T08:15+09:00")
    assert res.exit_code == 0
    assert res.output == ("recorded enrolment:E-0001#4 PresenceCheckRequested [PC-4.1]\n"
                          "recorded enrolment:E-0001#5 PresenceCheckRefused [PC-6.1]\n")


def test_a_request_for_an_unknown_enrolment_is_refused_and_writes_nothing(runner):
    res = invoke(runner, "presence", "request", "--enrolment-id", "E-0404", "--requester-relation-degree", "0")
    assert res.exit_code == 1
    assert res.output.startswith("error[refused]: [PC-6.4 Presence check §6(4)] No target is registered under "
                                 "enrolment E-0404")


def test_an_override_needs_a_reason(runner):
    active(runner)
    args = ["presence", "request", "--enrolment-id", "E-0001", "--requester-relation-degree", "0", "--wants-unlock",
            "--outcome", "dispatch", "--at", "2025-04-20T08:15"]
    res = invoke(runner, *args, clock="2025-04-20T08:15+09:00")
    assert res.exit_code == 1 and "error[override_needed]: [PC-6.1" in res.output
    res = invoke(runner, *args, "--override-reason", "the caller withdrew the unlock request",
                 clock="2025-04-20T08:16+09:00")
    assert res.exit_code == 0
    assert res.output.splitlines()[1] == "recorded enrolment:E-0001#5 PresenceCheckDispatched [PC-4.1]"


def test_visit_then_status_table(runner):
    active(runner)
    assert invoke(runner, "presence", "request", "--enrolment-id", "E-0001", "--requester-relation-degree", "0",
                  "--at", "2025-04-20T19:30", clock="2025-04-20T19:30+09:00").exit_code == 0
    res = invoke(runner, "presence", "visit", "--enrolment-id", "E-0001", "--at", "2025-04-20T20:40", "--result",
                 "at_home", "--signed", *VISIT_CHECKS, clock="2025-04-20T20:40+09:00")
    assert res.output == "recorded enrolment:E-0001#6 PresenceVisitRecorded [PC-4.1, PC-4.2]\n"
    res = invoke(runner, "status", "E-0001", "--as-of", "2025-04-20", clock="2025-04-21T09:00+09:00")
    lines = res.output.splitlines()
    assert res.exit_code == 0
    assert f"{'state':<31} active" in lines  # keys padded to the longest (consent.second_call_window.from)
    assert f"{'program':<31} presence_check" in lines
    assert f"{'consent.outcome':<31} consented" in lines
    assert f"{'because':<31} enrolment:E-0001#1; enrolment:E-0001#2; enrolment:E-0001#3" in lines


def test_stop_then_state_stopped(runner):
    active(runner)
    res = invoke(runner, "presence", "stop", "--enrolment-id", "E-0001", "--by", "resident", "--on", "2025-05-01",
                 clock="2025-05-01T10:00+09:00")
    assert res.output == "recorded enrolment:E-0001#4 PresenceStopRequested [PC-6.6]\n"
    doc = json.loads(invoke(runner, "status", "E-0001", "--json", clock="2025-05-01T10:00+09:00").output)
    assert doc["state"] == "stopped" and doc["stopped"] == {"on": "2025-05-01", "by": "resident"}
    res = invoke(runner, "presence", "stop", "--enrolment-id", "E-0001", "--by", "agent",
                 clock="2025-05-02T10:00+09:00")
    assert res.exit_code == 1 and "error[no_change]" in res.output


def test_tasks_table_csv_and_json(runner):
    enrolled(runner)
    res = invoke(runner, "tasks", "--as-of", "2025-04-14", clock="2025-04-14T09:00+09:00")
    assert res.exit_code == 0
    assert res.output.splitlines() == [
        "due_on      overdue  kind            id      rule    action",
        "2025-04-13  True     consent_call_1  E-0001  PC-3.1  Phone the target of enrolment E-0001 to ask consent "
        "(first call): overdue, it was due by 2025-04-13; record it with `ledger presence call` (it will be "
        "flagged late).",
    ]
    res = invoke(runner, "tasks", "--as-of", "2025-04-13", "--csv", clock="2025-04-14T09:00+09:00")
    assert res.output.splitlines()[0] == "due_on,overdue,kind,id,rule,action"
    assert res.output.splitlines()[1].startswith("2025-04-13,False,consent_call_1,E-0001,PC-3.1,")
    rows = json.loads(invoke(runner, "tasks", "--as-of", "2025-04-09", "--json", clock="2025-04-14T09:00+09:00").output)
    assert rows == []
    assert invoke(runner, "tasks", "--as-of", "2025-04-09", clock="2025-04-14T09:00+09:00").output == "(none)\n"


def test_history_of_an_enrolment(runner):
    active(runner)
    res = invoke(runner, "history", "E-0001", "--csv", clock="2025-04-12T09:00+09:00")
    assert res.exit_code == 0
    assert [line.split(",")[1] for line in res.output.splitlines()] == [
        "type", "PresenceCheckEnrolled", "ConsentCallMade", "PresenceServiceStarted"]


def test_presence_commands_through_json_lines(runner):
    enrolled(runner)
    lines = "\n".join([
        '{"command":"record_consent_call","enrolment_id":"E-0001","attempt":1,"outcome":"no_answer","at":"2025-04-11T10:00+09:00"}',
        '{"command":"record_consent_call","enrolment_id":"E-0001","attempt":2,"outcome":"no_answer","at":"2025-04-12T10:00+09:00"}',
        '{"command":"request_presence_check","enrolment_id":"E-0001","requester_relation_degree":0}',
    ])
    res = runner.invoke(cli.main, ["apply", "-"], input=lines, env={"LEDGER_CLOCK": "2025-04-12T11:00+09:00"})
    out = [json.loads(x) for x in res.output.splitlines()]
    assert res.exit_code == 0
    assert [[e["type"] for e in o["events"]] for o in out] == [
        ["ConsentCallMade"], ["ConsentCallMade", "PresenceConsentNotObtained"],
        ["PresenceCheckRequested", "PresenceCheckRefused"]]
    assert out[2]["events"][1]["rules"] == ["PC-6.5"]
    doc = json.loads(invoke(runner, "status", "E-0001", "--json", clock="2025-04-12T11:00+09:00").output)
    assert doc["state"] == "consent_not_obtained"
    assert doc["consent"]["calls"][1]["early"] is True  # E + 2: before the second call's window


def test_presence_and_tasks_help_have_examples():
    for verb in ("enrol", "call", "flag-frequent", "request", "visit", "stop"):
        res = CliRunner().invoke(cli.main, ["presence", verb, "-h"])
        assert res.exit_code == 0 and "Example:" in res.output and "ledger presence " + verb in res.output
    res = CliRunner().invoke(cli.main, ["tasks", "-h"])
    assert res.exit_code == 0 and "ledger tasks --as-of" in res.output
