"""Shared by the CLI tests of issue 13: the one place a test store is initialised.

When ``ledger init --test-clock`` exists (issue 12), a test that sets
LEDGER_CLOCK must create its store with it: add the flag to INIT here.
"""
from __future__ import annotations

from click.testing import CliRunner

import cli

INIT = ["init", "--test-clock"]


def init(r: CliRunner, db: str | None = None, env: dict | None = None):
    """``ledger [--db DB] init`` in the runner; asserts it worked."""
    args = (["--db", db] if db else []) + INIT
    res = r.invoke(cli.main, args, env=env or {})
    assert res.exit_code == 0, res.output
    return res


def runner(tmp_path, monkeypatch, clock: str = "2025-03-01T09:00:00+09:00", actor: str = "sato.k") -> CliRunner:
    """A runner on a fresh test-clock store in ``tmp_path`` (actor sato.k unless given), the language
    from no environment variable (each test says --lang or LANG itself)."""
    monkeypatch.setenv("LEDGER_DB", str(tmp_path / "ledger.db"))
    monkeypatch.setenv("LEDGER_ACTOR", actor)
    monkeypatch.setenv("LEDGER_CLOCK", clock)
    for var in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    r = CliRunner()
    init(r)
    return r


def invoke(r: CliRunner, *args: str, clock: str | None = None, env: dict | None = None, **kw):
    e = dict(env or {})
    if clock:
        e["LEDGER_CLOCK"] = clock
    return r.invoke(cli.main, list(args), env=e, **kw)


def member_in_arrears(r: CliRunner) -> None:
    """M-0042 of house P-1001, accepted 2025-03-15, first fee paid, renewed 2026-04-01 and not paid since."""
    steps = [
        ("2025-03-01T09:00+09:00", ["fee", "announce", "--amount", "5500", "--on", "2025-01-01"]),
        ("2025-03-01T09:00+09:00", ["property", "register", "--property-id", "P-1001", "--delivered-on", "2025-03-15",
                                    "--floors", "2", "--builder", "company", "--certified", "--on", "2025-03-01"]),
        ("2025-03-01T09:00+09:00", ["member", "apply", "--member-id", "M-0042", "--property-id", "P-1001",
                                    "--applicant-name", "山田 太郎", "--on", "2025-03-01"]),
        ("2025-03-01T09:00+09:00", ["member", "consent", "--member-id", "M-0042", "--kind", "privacy_policy",
                                    "--on", "2025-03-01"]),
        ("2025-03-01T09:00+09:00", ["member", "card", "--member-id", "M-0042", "--card-token", "tok_1",
                                    "--on", "2025-03-01"]),
        ("2025-03-15T10:00+09:00", ["member", "accept", "--member-id", "M-0042", "--on", "2025-03-15"]),
        ("2025-03-16T10:00+09:00", ["member", "pay", "--member-id", "M-0042", "--amount", "5500", "--payment-ref", "P1",
                                    "--on", "2025-03-16"]),
        ("2026-04-01T07:00+09:00", ["renewals", "run", "--through", "2026-03-31"]),
    ]
    for clock, args in steps:
        res = invoke(r, *args, clock=clock)
        assert res.exit_code == 0, res.output
