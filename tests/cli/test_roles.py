"""PostgreSQL roles: a writer that may only insert and read, an auditor that may only read.

Run through the CLI connected as each role, as staff and auditors would.
"""
import json

import pytest
from click.testing import CliRunner

import cli
from tests.rawdb import Raw

pytestmark = pytest.mark.postgres


def as_role(url: str, role: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://{role}@")


@pytest.fixture
def stores(pg_url, monkeypatch):
    monkeypatch.setenv("LEDGER_ACTOR", "sato.k")
    monkeypatch.setenv("LEDGER_CLOCK", "2025-03-01T09:00:00+09:00")
    monkeypatch.delenv("LANG", raising=False)
    r = CliRunner()
    first = r.invoke(cli.main, ["--db", pg_url, "init", "--test-clock", "--roles"])
    assert first.exit_code == 0, first.output
    again = r.invoke(cli.main, ["--db", pg_url, "init", "--test-clock", "--roles"])  # safe twice
    assert again.exit_code == 0 and again.output == first.output
    assert first.output.splitlines() == [
        "ledger ready: postgres store; facts append-only (triggers), hash-chained, personal data encrypted "
        "(master key: LEDGER_MASTER_KEY)",
        "test clock: this store honours LEDGER_CLOCK and any recorded time (demo and tests only)",
        "roles: ledger_writer may insert and read facts; ledger_auditor may only read (personal fields withheld)",
    ]
    return r, pg_url, as_role(pg_url, "ledger_writer"), as_role(pg_url, "ledger_auditor")


def invoke(r, db, *args, input=None):
    res = r.invoke(cli.main, ["--db", db, *args], input=input)
    assert "Traceback" not in res.output
    return res


def seed(r, db):
    for args in (["fee", "announce", "--amount", "5500", "--on", "2025-01-01"],
                 ["property", "register", "--property-id", "P-1001", "--delivered-on", "2025-03-15", "--floors", "2",
                  "--builder", "company", "--certified", "--on", "2025-03-01"],
                 ["member", "apply", "--member-id", "M-0042", "--property-id", "P-1001", "--applicant-name", "山田 太郎",
                  "--on", "2025-03-01"]):
        res = invoke(r, db, *args)
        assert res.exit_code == 0, res.output


def test_the_writer_writes_and_reads_but_cannot_rewrite(stores):
    r, admin, writer, auditor = stores
    seed(r, writer)
    res = invoke(r, writer, "status", "M-0042", "--json")
    assert res.exit_code == 0 and json.loads(res.output)["applicant"]["name"] == "山田 太郎"
    raw = Raw(writer)
    for sql in ("UPDATE {events} SET topic = 'x'", "DELETE FROM {events}", "DELETE FROM {chain}",
                "TRUNCATE {events}"):
        with pytest.raises(Exception, match="permission denied"):
            raw.run(sql)
    assert invoke(r, writer, "verify").output.splitlines()[0] == "intact"


def test_the_auditor_reads_and_verifies_but_every_write_is_refused_clearly(stores):
    r, admin, writer, auditor = stores
    seed(r, writer)
    res = invoke(r, auditor, "status", "M-0042", "--json")
    assert res.exit_code == 0
    doc = json.loads(res.output)
    assert doc["state"] == "applied" and doc["applicant"]["withheld"] is True and doc["applicant"]["name"] is None
    assert invoke(r, auditor, "history", "M-0042").exit_code == 0
    res = invoke(r, auditor, "verify")
    assert res.exit_code == 0 and res.output.splitlines()[0] == "intact"

    res = invoke(r, auditor, "member", "consent", "--member-id", "M-0042", "--kind", "privacy_policy")
    assert res.exit_code == 1
    assert res.output == (
        "error[forbidden]: This connection may not write to the ledger (permission denied for function ledger_append_lock): "
        "it is read-only (e.g. the auditor role); connect as a writer to record facts.\n")
    res = invoke(r, auditor, "member", "apply", "--member-id", "M-0043", "--property-id", "P-1001",
                 "--applicant-name", "佐藤 花子")
    assert res.exit_code == 1 and res.output.startswith("error[forbidden]: This connection may not use the key table")
    res = invoke(r, auditor, "apply", "-", input='{"command":"record_consent","member_id":"M-0042","kind":"privacy_policy"}\n')
    out = json.loads(res.output)
    assert res.exit_code == 1 and out["ok"] is False and out["error"]["code"] == "forbidden"
    res = invoke(r, auditor, "init")
    assert res.exit_code == 1 and res.output.startswith("error[forbidden]:")
    with pytest.raises(Exception, match="permission denied"):
        Raw(auditor).run("INSERT INTO {events} (originator_id, originator_version, topic, state) VALUES ('x', 1, 'x', '')")
    assert len(Raw(admin).nids()) == 3


def test_roles_are_for_postgresql_only(tmp_path, monkeypatch):
    res = CliRunner().invoke(cli.main, ["--db", str(tmp_path / "l.db"), "init", "--roles"])
    assert res.exit_code == 2 and "--roles applies to PostgreSQL stores only" in res.output
