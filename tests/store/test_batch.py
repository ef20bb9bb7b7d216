"""`ledger apply` in batches (issue 11): many commands per transaction, each still whole
or not at all, decided on the facts of the earlier lines; on SQLite and PostgreSQL."""
from __future__ import annotations

import json

from click.testing import CliRunner

import cli
from commands import batch
from commands.handlers import Context
from ledger.store import open_store
from projections import history
from projections.window import Window
from tests.store.test_store import t

CLOCK = "2025-03-20T09:00:00+09:00"


def lines() -> list[dict]:
    out: list[dict] = [{"command": "announce_fee", "amount": 5500, "on": "2025-01-01"}]
    for i in (1, 2):
        mid, pid = f"M-{i:04d}", f"P-{i:04d}"
        out += [
            {"command": "register_property", "property_id": pid, "delivered_on": "2025-03-15", "floors": 2,
             "builder": "company", "certified": True, "on": "2025-02-01"},
            {"command": "apply_membership", "member_id": mid, "property_id": pid, "on": "2025-02-01",
             "applicant": {"name": f"会員 {i}"}},
            {"command": "record_consent", "member_id": mid, "kind": "privacy_policy", "on": "2025-02-01"},
            {"command": "register_card", "member_id": mid, "card_token": f"tok_{i:06d}", "on": "2025-02-02"},
            {"command": "accept_registration", "member_id": mid, "on": "2025-03-01"},
            {"command": "record_payment", "member_id": mid, "amount": 5500, "payment_ref": f"PAY-{i}",
             "on": "2025-03-05", "command_id": f"pay-{i}"},
        ]
    return out


def apply(db: str, text: str, *args: str):
    r = CliRunner(env={"LEDGER_DB": db, "LEDGER_ACTOR": "batch", "LEDGER_CLOCK": CLOCK})
    assert r.invoke(cli.main, ["init", "--test-clock"]).exit_code == 0
    return r.invoke(cli.main, ["apply", "-", *args], input=text)


def facts(db: str) -> dict[str, list[dict]]:
    app = open_store(db)
    try:
        w = Window(t("2025-04-01T00:00"), t("2025-04-01T00:00"))
        streams: dict[str, list] = {}
        for _, e in app.iter_all():
            streams.setdefault(e.originator_id, []).append(e)
        return {s: history.rows(evs, w) for s, evs in streams.items()}
    finally:
        app.close()


def test_a_batch_writes_what_one_transaction_per_command_writes(tmp_path):
    text = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines()) + "\n"
    one, many = str(tmp_path / "one.db"), str(tmp_path / "many.db")
    r1, r2 = apply(one, text, "--batch", "1"), apply(many, text, "--batch", "50")
    assert r1.exit_code == r2.exit_code == 0
    assert r1.output == r2.output  # the same answers, line by line
    assert facts(one) == facts(many)
    # Later lines were decided on the facts of earlier lines of the same transaction.
    accepted = [json.loads(x) for x in r2.output.splitlines() if '"accept_registration"' in x]
    assert [a["events"][0]["type"] for a in accepted] == ["RegistrationAccepted"] * 2


def test_a_refused_line_writes_nothing_and_the_others_commit_in_order(tmp_path):
    ls = lines()
    ls.insert(6, {"command": "accept_registration", "member_id": "M-0099", "on": "2025-03-01"})  # no such member
    ls.insert(8, {"command": "record_payment", "member_id": "M-0001", "amount": 5500, "payment_ref": "PAY-1",
                  "on": "2025-03-05", "command_id": "pay-1"})  # the same id again in the same batch
    db = str(tmp_path / "l.db")
    res = apply(db, "\n".join(json.dumps(x, ensure_ascii=False) for x in ls) + "\n")
    out = [json.loads(x) for x in res.output.splitlines()]
    assert res.exit_code == 2 and [o["line"] for o in out] == list(range(1, len(ls) + 1))
    assert out[6]["ok"] is False and out[6]["error"]["field"] == "member_id"
    assert [o["duplicate"] for o in out if o.get("command_id") == "pay-1"] == [False, True]
    assert not any(s == "member:M-0099" for s in facts(db))
    assert sum(1 for r in facts(db)["member:M-0001"] if r["type"] == "PaymentRecorded") == 1


def test_stop_on_error_commits_the_lines_before_and_nothing_after(tmp_path):
    ls = lines()[:4] + [{"command": "accept_registration", "member_id": "M-0099", "on": "2025-03-01"}] + lines()[4:]
    db = str(tmp_path / "l.db")
    res = apply(db, "\n".join(json.dumps(x, ensure_ascii=False) for x in ls) + "\n", "--stop-on-error")
    out = [json.loads(x) for x in res.output.splitlines()]
    assert res.exit_code == 2 and len(out) == 5 and out[-1]["ok"] is False
    assert sorted(facts(db)) == ["fees", "member:M-0001", "property:P-0001"]
    assert [r["type"] for r in facts(db)["member:M-0001"]] == ["MembershipApplied", "ConsentRecorded"]


def test_a_batch_that_loses_a_race_is_applied_line_by_line_on_fresh_facts(store_url):
    app = open_store(store_url, create=True, test_clock=True)
    other = open_store(store_url)
    try:
        ctx = Context(now=t("2025-03-20T09:00"), actor="batch")
        b = batch.Batch(app)
        for n, raw in enumerate(lines(), start=1):
            b.add(batch.Line(n, raw, ctx))
        assert b.commit()[-1].result is not None
        pay = {"command": "record_payment", "member_id": "M-0001", "amount": 1000, "payment_ref": "X", "on": "2025-03-06"}
        b.add(batch.Line(1, dict(pay), Context(now=t("2025-03-20T10:00"), actor="batch")))
        # Meanwhile another writer records on the same stream, taking the version the batch stamped.
        from commands.handlers import execute

        execute(other, dict(pay, payment_ref="Y"), Context(now=t("2025-03-20T10:00"), actor="other"))
        (line,) = b.commit()
        assert line.error is None and line.result.events[0].originator_version == 8
        refs = [e.payment_ref for e in app.read("member:M-0001") if e.TYPE == "PaymentRecorded"]
        assert refs == ["PAY-1", "Y", "X"]
    finally:
        other.close()
        app.close()
