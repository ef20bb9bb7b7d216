"""The CLI: exact output, exit codes (0 ok, 1 refused, 2 bad input), JSON Lines, help."""
import json

import pytest
from click.testing import CliRunner

import cli
from commands.handlers import REGISTRY


@pytest.fixture
def runner(tmp_path, monkeypatch):
    db = tmp_path / "ledger.db"
    monkeypatch.setenv("LEDGER_DB", str(db))
    monkeypatch.setenv("LEDGER_ACTOR", "sato.k")
    monkeypatch.setenv("LEDGER_CLOCK", "2025-03-01T09:00:00+09:00")
    monkeypatch.delenv("LANG", raising=False)
    r = CliRunner()
    assert r.invoke(cli.main, ["init", "--test-clock"]).exit_code == 0
    return r


def invoke(r, *args, clock=None, env=None):
    e = dict(env or {})
    if clock:
        e["LEDGER_CLOCK"] = clock
    return r.invoke(cli.main, list(args), env=e)


def seed(r):
    assert invoke(r, "fee", "announce", "--amount", "5500", "--on", "2025-01-01").exit_code == 0
    assert invoke(r, "property", "register", "--property-id", "P-1001", "--delivered-on", "2025-03-15",
                  "--floors", "2", "--builder", "company", "--certified", "--on", "2025-03-01").exit_code == 0
    res = invoke(r, "member", "apply", "--member-id", "M-0042", "--property-id", "P-1001",
                 "--applicant-name", "山田 太郎", "--on", "2025-03-01")
    assert res.exit_code == 0, res.output
    return res


def test_a_write_prints_each_recorded_fact_with_its_rules(runner):
    res = seed(runner)
    assert res.output == "recorded member:M-0042#1 MembershipApplied [IE-2.1, IE-1.4.1]\n"


def test_a_refusal_names_the_rule_and_article_and_exits_1(runner):
    seed(runner)
    res = invoke(runner, "member", "accept", "--member-id", "M-0042", "--on", "2025-03-10",
                 clock="2025-03-10T09:00:00+09:00")
    assert res.exit_code == 1
    assert res.output.startswith("error[refused]: [IE-19.1 Art. 19(1)] Member M-0042 has not consented")


def test_the_refusal_in_japanese(runner):
    seed(runner)
    res = invoke(runner, "--lang", "ja", "member", "accept", "--member-id", "M-0042", "--on", "2025-03-10",
                 clock="2025-03-10T09:00:00+09:00")
    assert res.exit_code == 1
    assert res.output.startswith("error[refused]: [IE-19.1 第19条第1項] 会員 M-0042 は")


def test_bad_input_exits_2_and_names_the_field(runner):
    seed(runner)
    res = invoke(runner, "member", "pay", "--member-id", "M-0042", "--amount", "lots", "--payment-ref", "P1")
    assert res.exit_code == 2
    assert "field 'amount'" in res.output
    res = invoke(runner, "member", "pay", "--member-id", "M-0042", "--amount", "5500", "--payment-ref", "P1",
                 "--on", "2025-02-30")
    assert res.exit_code == 2 and "field 'on'" in res.output
    res = invoke(runner, "status", "M-0042", "--as-of", "2025-13-01")
    assert res.exit_code == 2 and "as_of" in res.output
    assert "Traceback" not in res.output


def test_a_write_without_actor_is_refused(runner):
    res = invoke(runner, "fee", "announce", "--amount", "5500", env={"LEDGER_ACTOR": ""})
    assert res.exit_code == 2
    assert "actor" in res.output


def test_status_json_has_the_contract_keys(runner):
    seed(runner)
    invoke(runner, "member", "consent", "--member-id", "M-0042", "--kind", "privacy_policy", "--on", "2025-03-01")
    invoke(runner, "member", "card", "--member-id", "M-0042", "--card-token", "tok_1", "--on", "2025-03-01")
    assert invoke(runner, "member", "accept", "--member-id", "M-0042", "--on", "2025-03-10",
                  clock="2025-03-10T10:00+09:00").exit_code == 0
    res = invoke(runner, "status", "M-0042", "--as-of", "2025-04-30", "--json", clock="2025-05-01T09:00+09:00")
    doc = json.loads(res.output)
    for key in ("id", "program", "as_of", "known_at", "state", "period", "renewals", "renewal_pending", "withdrawal",
                "suspension", "rental", "arrears", "annual_fee", "liability_cap", "services", "grounds", "because"):
        assert key in doc
    assert doc["state"] == "active"
    assert doc["period"] == {"number": 1, "start": "2025-04-01", "end": "2026-03-31"}
    assert doc["arrears"] == {"amount": 5500, "oldest_due_on": "2025-03-10", "days_overdue": 51}
    assert doc["liability_cap"] == 5500


def test_apply_reports_one_result_per_line_and_goes_on(runner):
    seed(runner)
    lines = "\n".join([
        '{"command":"record_consent","member_id":"M-0042","kind":"privacy_policy","on":"2025-03-01"}',
        '{not json',
        '{"command":"fly_to_moon"}',
        '{"command":"register_card","member_id":"M-0042","card_token":"4111111111111111"}',
        '{"command":"register_card","member_id":"M-0042","card_token":"tok_9","command_id":"c-1"}',
        '{"command":"register_card","member_id":"M-0042","card_token":"tok_9","command_id":"c-1"}',
    ])
    res = runner.invoke(cli.main, ["apply", "-"], input=lines)
    out = [json.loads(x) for x in res.output.splitlines()]
    assert res.exit_code == 2
    assert [o["ok"] for o in out] == [True, False, False, False, True, True]
    assert out[1]["error"]["code"] == "bad_input" and out[1]["line"] == 2
    assert out[2]["error"]["code"] == "unknown_command"
    assert out[3]["error"]["field"] == "card_token"
    assert out[4]["duplicate"] is False and out[5]["duplicate"] is True
    hist = json.loads(invoke(runner, "history", "M-0042", "--json").output)
    assert [h["type"] for h in hist] == ["MembershipApplied", "ConsentRecorded", "CardRegistered"]


def test_apply_stop_on_error_stops(runner):
    seed(runner)
    lines = '{"command":"nope"}\n{"command":"record_consent","member_id":"M-0042","kind":"privacy_policy"}\n'
    res = runner.invoke(cli.main, ["apply", "--stop-on-error", "-"], input=lines)
    assert len(res.output.splitlines()) == 1 and res.exit_code == 2


def test_clock_backwards_is_refused_through_the_cli(runner):
    seed(runner)
    res = invoke(runner, "member", "consent", "--member-id", "M-0042", "--kind", "privacy_policy",
                 clock="2025-02-28T09:00+09:00")
    assert res.exit_code == 1
    assert "earlier than the newest recorded fact" in res.output


def test_init_is_idempotent_and_a_missing_store_is_explained(runner, tmp_path):
    assert invoke(runner, "init", "--test-clock").exit_code == 0
    res = invoke(runner, "status", "M-1", env={"LEDGER_DB": str(tmp_path / "none.db")})
    assert res.exit_code == 1 and "ledger init" in res.output


def test_every_command_has_help_with_an_example():
    for name, (model, _) in REGISTRY.items():
        assert model.__doc__ and model.EXAMPLE.startswith("ledger "), f"{name} has no help or example"
        res = CliRunner().invoke(cli.main, [model.GROUP, model.VERB, "-h"])
        assert res.exit_code == 0 and "Example:" in res.output and "ledger " in res.output
    for sub in ("init", "apply", "status", "history", "demo"):
        res = CliRunner().invoke(cli.main, [sub, "-h"])
        assert res.exit_code == 0 and "Example" in res.output


def test_history_csv(runner):
    seed(runner)
    res = invoke(runner, "history", "M-0042", "--csv")
    assert res.output.splitlines()[0] == "event_id,type,effective,recorded,actor,rules,retracted_by"
    assert res.output.splitlines()[1].startswith("member:M-0042#1,MembershipApplied,2025-03-01T00:00:00+09:00,")


def member_in_arrears(r):
    seed(r)
    invoke(r, "member", "consent", "--member-id", "M-0042", "--kind", "privacy_policy", "--on", "2025-03-01")
    invoke(r, "member", "card", "--member-id", "M-0042", "--card-token", "tok_1", "--on", "2025-03-01")
    invoke(r, "member", "accept", "--member-id", "M-0042", "--on", "2025-03-15", clock="2025-03-15T10:00+09:00")
    invoke(r, "member", "pay", "--member-id", "M-0042", "--amount", "5500", "--payment-ref", "P1", "--on",
           "2025-03-16", clock="2025-03-16T10:00+09:00")
    res = invoke(r, "renewals", "run", "--through", "2026-03-31", "--verbose", clock="2026-04-01T07:00+09:00")
    assert res.output.splitlines() == [
        "recorded member:M-0042#7 FeeCharged [IE-5.4.2, IE-5.3]",
        "recorded member:M-0042#8 MembershipRenewed [IE-3.5, IE-3.2, IE-3.4]",
    ]


def test_revoking_before_the_ground_arises_is_refused_as_the_readme_shows(runner):
    member_in_arrears(runner)
    res = invoke(runner, "member", "revoke", "--member-id", "M-0042", "--rule", "IE-14.3.3", "--on", "2026-04-30",
                 clock="2026-05-01T09:00+09:00")
    assert res.exit_code == 1
    assert res.output == (
        "error[no_ground]: [IE-14.3.3 Art. 14(3)(iii)] Member M-0042 has no ground IE-14.3.3 in force on 2026-04-30: "
        "the fee due 2026-03-31 is one month overdue only from 2026-05-01. "
        "Add override_reason to act on the company's own judgement.\n")
    res = invoke(runner, "member", "revoke", "--member-id", "M-0042", "--rule", "IE-14.3.3", "--on", "2026-05-01",
                 clock="2026-05-01T09:00+09:00")
    assert res.exit_code == 0 and "MembershipRevoked [IE-14.3.3, IE-14.4, IE-14.5]" in res.output


def test_arrears_and_tasks_lists(runner):
    member_in_arrears(runner)
    res = invoke(runner, "arrears", "--as-of", "2026-05-01", "--csv", clock="2026-05-02T09:00+09:00")
    assert res.output.splitlines() == [
        "member_id,amount,oldest_due_on,days_overdue,grounds",
        "M-0042,5500,2026-03-31,31,IE-13.1.2 since 2026-04-01; IE-14.3.3 since 2026-05-01",
    ]
    res = invoke(runner, "tasks", "--as-of", "2026-05-01", "--json", clock="2026-05-02T09:00+09:00")
    kinds = [(t["kind"], t["rule"], t["due_on"], t["overdue"]) for t in json.loads(res.output)]
    assert ("ground", "IE-14.3.3", "2026-05-01", False) in kinds
    assert ("ground", "IE-13.1.2", "2026-04-01", True) in kinds


def test_the_cli_on_both_backends(store_url, monkeypatch):
    monkeypatch.setenv("LEDGER_DB", store_url)
    monkeypatch.setenv("LEDGER_ACTOR", "sato.k")
    monkeypatch.setenv("LEDGER_CLOCK", "2025-03-01T09:00:00+09:00")
    r = CliRunner()
    first, second = invoke(r, "init", "--test-clock"), invoke(r, "init", "--test-clock")
    assert first.exit_code == 0 and second.exit_code == 0
    assert first.output == second.output
    seed(r)
    res = invoke(r, "status", "M-0042", "--json")
    assert json.loads(res.output)["state"] == "applied"
    res = invoke(r, "member", "accept", "--member-id", "M-0042")
    assert res.exit_code == 1 and "[IE-19.1 Art. 19(1)]" in res.output
    assert [h["type"] for h in json.loads(invoke(r, "history", "M-0042", "--json").output)] == ["MembershipApplied"]


def test_staff_can_write_to_the_demo_ledger_right_after_building_it(tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_CLOCK", "2026-11-20T09:30:00+09:00")
    monkeypatch.setenv("LEDGER_ACTOR", "sato.k")
    db = str(tmp_path / "demo.db")
    r = CliRunner()
    assert r.invoke(cli.main, ["demo", "--out", db, "--members", "5"]).exit_code == 0
    res = r.invoke(cli.main, ["--db", db, "member", "pay", "--member-id", "M-0002", "--amount", "5500",
                              "--payment-ref", "PAY-NOW-1"])
    assert "earlier than the newest recorded fact" not in res.output
    assert res.exit_code == 0 and res.output.startswith("recorded member:M-0002#")
