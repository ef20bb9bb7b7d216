"""--version, shell completion, ids that name a house or an enrolment, and the import on both backends."""
import importlib.metadata
import json
from pathlib import Path
import importlib.util

import pytest
from click.testing import CliRunner

import cli
from clihelp import init, invoke

spec = importlib.util.spec_from_file_location("bench_import", Path(__file__).parent.parent.parent / "bench" / "import.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_version():
    res = CliRunner().invoke(cli.main, ["--version"], prog_name="ledger")
    assert res.exit_code == 0
    assert res.output == f"ledger {importlib.metadata.version('membership-ledger')}\n"


@pytest.mark.parametrize("shell,marker", [("bash", "complete -o nosort -F _ledger_completion ledger"),
                                          ("zsh", "#compdef ledger"), ("fish", "complete --no-files --command ledger")])
def test_completion_scripts(shell, marker):
    res = CliRunner().invoke(cli.main, ["completion", shell])
    assert res.exit_code == 0 and marker in res.output and "_LEDGER_COMPLETE" in res.output
    assert CliRunner().invoke(cli.main, ["completion", "powershell"]).exit_code == 2


def complete(words: str) -> list[str]:
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)  # a trailing space: a new, empty word
    env = {"_LEDGER_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    res = CliRunner().invoke(cli.main, [], env=env, prog_name="ledger")
    return [ln.split(",", 1)[1] for ln in res.output.splitlines()]


def test_completion_answers_what_the_script_asks():
    assert "member" in complete("ledger mem") and "members" in complete("ledger import mem")
    assert complete("ledger --lang ") == ["en", "ja"]
    assert complete("ledger completion ") == ["bash", "zsh", "fish"]


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_DB", str(tmp_path / "ledger.db"))
    monkeypatch.setenv("LEDGER_ACTOR", "sato.k")
    monkeypatch.setenv("LEDGER_CLOCK", "2025-04-10T11:00:00+09:00")
    r = CliRunner()
    init(r)
    return r


def test_explain_names_the_commands_for_an_enrolment(runner):
    res = invoke(runner, "presence", "enrol", "--enrolment-id", "E-0001", "--contract-holder-id", "DL-1001",
                 "--contract-holder-name", "山田 花子", "--contract-holder-address", "東京都世田谷区桜丘2-14-6",
                 "--target-address", "静岡県静岡市葵区呉服町1-8", "--target-name", "山田 一郎", "--target-phone", "054-255-0101",
                 "--relation-degree", "1")
    assert res.exit_code == 0, res.output
    res = invoke(runner, "explain", "E-0001", "--at", "2025-04-10")
    assert res.exit_code == 2
    assert "for enrolment E-0001 use `ledger status E-0001 --as-of … --known-at …`" in res.output
    assert json.loads(invoke(runner, "status", "E-0001", "--json").output)["state"] == "pending_consent"


def test_the_import_on_both_backends(store_url, monkeypatch, tmp_path):
    monkeypatch.setenv("LEDGER_DB", store_url)
    monkeypatch.setenv("LEDGER_ACTOR", "migration.k")
    monkeypatch.setenv("LEDGER_CLOCK", "2026-11-20T09:00:00+09:00")
    r = CliRunner()
    init(r)
    assert invoke(r, "fee", "announce", "--amount", "5500", "--on", "2020-01-01").exit_code == 0
    data = bench.rows(6)
    data[4]["card_token"] = "4111111111111111"  # a card number, never stored (IE-2.1)
    path = tmp_path / "members.csv"
    bench.write_csv(str(path), data, "cp932")
    res = invoke(r, "import", "members", str(path), "--dry-run")
    assert res.exit_code == 2 and res.output.splitlines()[0].startswith(
        "line 6 (M-000005): error[bad_input]: register_card: field 'card_token'")
    res = invoke(r, "import", "members", str(path))
    assert res.output.splitlines()[-1] == ("imported 5 of 6 rows (49 facts recorded, 0 commands already recorded), "
                                          "1 refused")
    res = invoke(r, "import", "members", str(path))
    assert res.output.splitlines()[-1] == ("imported 5 of 6 rows (0 facts recorded, 39 commands already recorded), "
                                          "1 refused")
    hist = json.loads(invoke(r, "history", "M-000005", "--json").output)
    assert [h["type"] for h in hist] == ["MembershipApplied", "ConsentRecorded", "ConsentRecorded"]
    assert invoke(r, "verify").exit_code == 0
