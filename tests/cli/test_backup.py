"""`ledger backup` / `ledger restore` (SQLite online backup), and `init` creating a PostgreSQL schema."""
import json
import os
import stat

import pytest
from click.testing import CliRunner

from clihelp import init, invoke, member_in_arrears

NOW = "2026-05-02T09:00+09:00"


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_DB", str(tmp_path / "ledger.db"))
    monkeypatch.setenv("LEDGER_ACTOR", "sato.k")
    monkeypatch.setenv("LEDGER_CLOCK", "2025-03-01T09:00:00+09:00")
    for var in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "LEDGER_MASTER_KEY", "LEDGER_MASTER_KEY_FILE"):
        monkeypatch.delenv(var, raising=False)
    r = CliRunner()
    init(r)
    member_in_arrears(r)
    return r


def test_backup_restore_and_verify_the_restored_copy(runner, tmp_path):
    copy, restored = str(tmp_path / "backup" / "ledger-2026-05-02.db"), str(tmp_path / "restored.db")
    os.makedirs(os.path.dirname(copy))
    res = invoke(runner, "backup", copy, clock=NOW)
    assert res.exit_code == 0, res.output
    assert res.output == f"backed up to {copy}\nmaster key copied to {copy}.key\n"
    assert stat.S_IMODE(os.stat(copy + ".key").st_mode) == 0o600
    res = invoke(runner, "--db", restored, "restore", copy, clock=NOW)
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0] == f"restored {copy} to {restored}; run `ledger verify` on it"
    res = invoke(runner, "--db", restored, "verify", "--json", clock=NOW)
    assert res.exit_code == 0 and json.loads(res.output)["intact"] is True
    original = json.loads(invoke(runner, "verify", "--json", clock=NOW).output)
    assert json.loads(res.output)["head"] == original["head"]  # the same chain, fact for fact
    a = json.loads(invoke(runner, "status", "M-0042", "--json", clock=NOW).output)
    b = json.loads(invoke(runner, "--db", restored, "status", "M-0042", "--json", clock=NOW).output)
    assert a == b and b["applicant"]["name"] == "山田 太郎"  # personal data readable with the copied key
    # the restored store takes writes like the original
    res = invoke(runner, "--db", restored, "member", "pay", "--member-id", "M-0042", "--amount", "5500",
                 "--payment-ref", "P2", clock=NOW)
    assert res.exit_code == 0 and res.output.startswith("recorded member:M-0042#9 PaymentRecorded")


def test_backup_and_restore_never_write_over_a_file(runner, tmp_path):
    copy = str(tmp_path / "b.db")
    assert invoke(runner, "backup", copy, clock=NOW).exit_code == 0
    res = invoke(runner, "backup", copy, clock=NOW)
    assert res.exit_code == 2 and "already exists" in res.output
    res = invoke(runner, "restore", copy, clock=NOW)  # onto the live store
    assert res.exit_code == 2 and "already exists" in res.output
    res = invoke(runner, "--lang", "ja", "--db", str(tmp_path / "x.db"), "restore", str(tmp_path / "none.db"))
    assert res.exit_code == 2 and "バックアップ" in res.output and "がありません" in res.output


def test_a_master_key_kept_elsewhere_is_not_copied_and_its_place_is_said(runner, tmp_path, monkeypatch):
    keyfile = tmp_path / "ledger.db.key"
    monkeypatch.setenv("LEDGER_MASTER_KEY_FILE", str(keyfile))
    copy = str(tmp_path / "b.db")
    res = invoke(runner, "backup", copy, clock=NOW)
    assert res.output.splitlines()[1] == (f"master key not copied: it is {keyfile}; keep it safe apart from the backup")
    assert not os.path.exists(copy + ".key")
    res = invoke(runner, "--db", str(tmp_path / "r.db"), "restore", copy, clock=NOW)
    assert res.exit_code == 0
    assert invoke(runner, "--db", str(tmp_path / "r.db"), "verify", clock=NOW).exit_code == 0


@pytest.mark.postgres
def test_postgres_backup_points_to_pg_dump(pg_url, monkeypatch, tmp_path):
    monkeypatch.setenv("LEDGER_DB", pg_url)
    monkeypatch.setenv("LEDGER_CLOCK", "2025-03-01T09:00:00+09:00")
    r = CliRunner()
    init(r)
    res = invoke(r, "backup", str(tmp_path / "b.db"))
    assert res.exit_code == 2 and "pg_dump" in res.output and not os.path.exists(tmp_path / "b.db")


@pytest.mark.postgres
def test_init_creates_a_missing_postgres_schema(pg_url, monkeypatch):
    import psycopg

    from conftest import PG_ADMIN

    fresh = pg_url.split("?schema=")[1] + "_made_by_init"
    url = f"{PG_ADMIN}?schema={fresh}"
    monkeypatch.setenv("LEDGER_CLOCK", "2025-03-01T09:00:00+09:00")
    monkeypatch.setenv("LEDGER_ACTOR", "sato.k")
    r = CliRunner()
    try:
        res = init(r, db=url)
        assert res.output.splitlines()[0] == f"created schema {fresh}"
        res = init(r, db=url)  # the second time there is nothing to create
        assert not res.output.startswith("created schema")
        res = invoke(r, "--db", url, "fee", "announce", "--amount", "5500", "--on", "2025-01-01")
        assert res.exit_code == 0 and res.output == "recorded fees#1 FeeAnnounced [IE-5.1]\n"
        assert invoke(r, "--db", url, "verify").exit_code == 0
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP SCHEMA IF EXISTS {fresh} CASCADE")
