"""``ledger verify``, ``ledger erase`` and ``ledger init`` through the CLI: exact output and exit codes."""
import json

from click.testing import CliRunner

import cli
from tests.rawdb import Raw
from tests.cli.test_cli import invoke, runner, seed  # noqa: F401  (fixture)


def test_verify_reports_intact_with_the_head_to_anchor(runner, tmp_path):
    seed(runner)
    res = invoke(runner, "verify")
    head = Raw(str(tmp_path / "ledger.db")).chain()[-1][7]
    assert res.exit_code == 0
    assert res.output == (
        "intact\n"
        "facts     3 in 3 streams (0 erased subjects)\n"
        f"chain     positions 1..3, head 3:{head}\n"
        "checked   chain links and hashes, fact bytes, envelopes, stream versions, decoding\n"
        "checked   projections rebuilt from the log = read path: status of 1 members, history of 3 streams, arrears\n"
        "checked   read model rebuilt from the log into a scratch copy = the stored tables (1 rows)\n"
        "checked   dated views recomputed from the log = the stored ones (0 intervals; 2 members or houses to compute "
        "at the next list)\n")
    assert invoke(runner, "verify", "--anchor", f"3:{head[:16]}").exit_code == 0
    res = invoke(runner, "verify", "--anchor", "3:nothex")
    assert res.exit_code == 2 and "must be POSITION:HASH" in res.output


def test_verify_names_the_first_bad_position_and_exits_1(runner, tmp_path):
    seed(runner)
    raw = Raw(str(tmp_path / "ledger.db"))
    first = raw.chain()[0][7]
    raw.drop_guards()
    oid, ver, topic, state = raw.fact(2)
    raw.replace(2, oid, ver, topic, state.replace(b'"floors":2', b'"floors":3'))
    res = invoke(runner, "verify")
    assert res.exit_code == 1
    assert res.output == (
        "NOT INTACT\n"
        "problem   ALTERED fact at position 2 (property:P-1001#1, notification 2): its stored bytes differ from "
        "those chained when it was recorded.\n"
        f"intact up to position 1, head 1:{first}\n")
    doc = json.loads(invoke(runner, "verify", "--json").output)
    assert doc["intact"] is False and doc["problem"]["kind"] == "altered" and doc["problem"]["position"] == 2
    res = invoke(runner, "--lang", "ja", "verify")
    assert "位置 2（property:P-1001#1、通知 2）の事実が記録時から改ざんされています。" in res.output


def test_erase_through_the_cli(runner):
    seed(runner)
    res = invoke(runner, "erase", "M-0042", clock="2025-03-02T09:00+09:00")
    assert res.exit_code == 1
    assert res.output.startswith("error[refused]: [IE-19.10 Art. 19(10)] Member M-0042 is applied on 2025-03-02:")
    assert invoke(runner, "member", "refuse", "--member-id", "M-0042", "--rule", "IE-17.2.4", "--reason", "no photo ID",
                  clock="2025-03-02T09:00+09:00").exit_code == 0
    res = invoke(runner, "erase", "M-0042", "--command-id", "erase-1", clock="2025-03-02T10:00+09:00")
    assert res.exit_code == 0 and res.output == "recorded member:M-0042#3 PersonalDataErased [IE-19.10]\n"
    res = invoke(runner, "erase", "M-0042", "--command-id", "erase-1", clock="2025-03-02T10:00+09:00")
    assert res.output == "duplicate: command erase-1 was already applied; nothing written\n"
    doc = json.loads(invoke(runner, "status", "M-0042", "--json", clock="2025-03-02T10:00+09:00").output)
    assert doc["applicant"]["erased"] is True and doc["applicant"]["name"] is None
    assert invoke(runner, "verify", clock="2025-03-02T10:00+09:00").output.startswith(
        "intact\nfacts     6 in 4 streams (1 erased subjects)\n")


def test_init_says_what_it_made_and_where_the_key_is(tmp_path, monkeypatch):
    monkeypatch.delenv("LEDGER_MASTER_KEY", raising=False)
    monkeypatch.delenv("LEDGER_MASTER_KEY_FILE", raising=False)
    db = tmp_path / "l.db"
    res = CliRunner().invoke(cli.main, ["--db", str(db), "init"])
    assert res.exit_code == 0
    assert res.output == ("ledger ready: sqlite store; facts append-only (triggers), hash-chained, personal data "
                          f"encrypted (master key: {db}.key)\n")
    assert (tmp_path / "l.db.key").stat().st_mode & 0o777 == 0o600
    assert CliRunner().invoke(cli.main, ["--db", str(db), "init"]).output == res.output


def test_a_postgresql_store_without_a_master_key_is_not_initialised(monkeypatch):
    monkeypatch.delenv("LEDGER_MASTER_KEY", raising=False)
    monkeypatch.delenv("LEDGER_MASTER_KEY_FILE", raising=False)
    res = CliRunner().invoke(cli.main, ["--db", "postgresql://postgres@127.0.0.1:1/none", "init"])
    assert res.exit_code == 1
    assert res.output.startswith("error[store]: A PostgreSQL ledger needs a master key for personal data")
