"""`ledger import members`: spreadsheets through the ordinary commands, dry run, re-runs, Excel's encodings."""
import importlib.util
import json
from pathlib import Path

import pytest

import clihelp
from clihelp import invoke
from commands import importer

CLOCK = "2026-11-20T09:00:00+09:00"
spec = importlib.util.spec_from_file_location("bench_import", Path(__file__).parent.parent.parent / "bench" / "import.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


@pytest.fixture
def runner(tmp_path, monkeypatch):
    r = clihelp.runner(tmp_path, monkeypatch, clock=CLOCK, actor="migration.k")
    assert invoke(r, "fee", "announce", "--amount", "5500", "--on", "2020-01-01").exit_code == 0
    return r


def facts(r) -> int:
    return json.loads(invoke(r, "verify", "--json").output)["facts"]


def test_two_hundred_rows_dry_run_then_import_then_an_idempotent_rerun(runner, tmp_path):
    path = tmp_path / "members.csv"
    bench.write_csv(str(path), bench.rows(200))  # UTF-8 with BOM, CRLF: as Excel saves "CSV UTF-8"
    before = facts(runner)
    res = invoke(runner, "import", "members", str(path), "--dry-run")
    assert res.exit_code == 0, res.output
    assert res.output == "dry run: 200 of 200 rows would be imported, 0 refused; nothing written\n"
    assert facts(runner) == before  # the dry run wrote nothing
    res = invoke(runner, "import", "members", str(path))
    assert res.output == "imported 200 of 200 rows (1800 facts recorded, 0 commands already recorded), 0 refused\n"
    assert facts(runner) == before + 1800 + 1400  # 9 facts a row, and one command receipt per command
    res = invoke(runner, "import", "members", str(path))
    assert res.output == "imported 200 of 200 rows (0 facts recorded, 1400 commands already recorded), 0 refused\n"
    assert facts(runner) == before + 3200
    assert invoke(runner, "verify").exit_code == 0


def test_original_dates_are_kept_and_the_facts_are_marked_migrated(runner, tmp_path):
    path = tmp_path / "members.csv"
    bench.write_csv(str(path), bench.rows(2))
    assert invoke(runner, "import", "members", str(path)).exit_code == 0
    hist = json.loads(invoke(runner, "history", "M-000002", "--json").output)
    assert [(h["type"], h["effective"][:10], h["command_id"]) for h in hist] == [
        ("MembershipApplied", "2024-03-19", "migrated:M-000002:apply"),
        ("ConsentRecorded", "2024-03-19", "migrated:M-000002:consent-privacy"),
        ("ConsentRecorded", "2024-03-19", "migrated:M-000002:consent-operator"),
        ("CardRegistered", "2024-03-19", "migrated:M-000002:card"),
        ("RegistrationAccepted", "2024-04-02", "migrated:M-000002:accept"),
        ("FeeCharged", "2024-04-02", "migrated:M-000002:accept"),
        ("PaymentRecorded", "2024-04-03", "migrated:M-000002:payment"),
    ]
    assert all(h["recorded"] == CLOCK and h["actor"] == "migration.k" for h in hist)
    status = json.loads(invoke(runner, "status", "M-000002", "--as-of", "2024-06-01", "--json").output)
    assert status["state"] == "active" and status["period"]["start"] == "2024-05-01"
    assert status["applicant"]["name"] == "佐藤 太郎" and status["arrears"]["amount"] == 0


def test_a_bad_row_is_reported_by_line_and_field_and_the_others_go_on(runner, tmp_path):
    data = bench.rows(4)
    data[1]["applicant_birth_date"] = "1970-02-30"  # a field error (pydantic)
    data[2]["privacy_consent_on"] = ""  # a rule: no privacy consent before acceptance (IE-19.1)
    path = tmp_path / "members.csv"
    bench.write_csv(str(path), data)
    res = invoke(runner, "import", "members", str(path), "--dry-run")
    assert res.exit_code == 2
    lines = res.output.splitlines()
    assert lines[0].startswith("line 3 (M-000002): error[bad_input]: apply_membership: field 'applicant.birth_date': ")
    assert lines[1].startswith("line 4 (M-000003): error[refused]: [IE-19.1 Art. 19(1)] Member M-000003 has not "
                               "consented to the privacy policy")
    assert lines[2] == "dry run: 2 of 4 rows would be imported, 2 refused; nothing written"
    res = invoke(runner, "--lang", "ja", "import", "members", str(path), "--dry-run")
    assert res.output.splitlines()[0].startswith("3 行目（M-000002）: error[bad_input]: apply_membership: 欄 "
                                                 "'applicant.birth_date' が不正です: 正しい日付")
    res = invoke(runner, "import", "members", str(path), "--json")
    doc = json.loads(res.output)
    assert (doc["rows"], doc["imported"]) == (4, 2)
    assert [(e["line"], e["code"], e["field"] if "field" in e else e["rule"]) for e in doc["errors"]] == [
        (3, "bad_input", "applicant.birth_date"), (4, "refused", "IE-19.1")]
    # fix the file and run it again: only what is missing is recorded
    data[1]["applicant_birth_date"], data[2]["privacy_consent_on"] = "1970-02-28", data[2]["applied_on"]
    bench.write_csv(str(path), data)
    res = invoke(runner, "import", "members", str(path))
    assert res.exit_code == 0 and res.output.startswith("imported 4 of 4 rows")
    assert json.loads(invoke(runner, "status", "M-000003", "--json").output)["state"] == "active"


@pytest.mark.parametrize("encoding", ["cp932", "utf-8", "utf-8-sig"])
def test_shift_jis_and_utf8_with_or_without_bom(runner, tmp_path, encoding):
    path = tmp_path / f"members-{encoding}.csv"
    bench.write_csv(str(path), bench.rows(3), encoding)
    res = invoke(runner, "import", "members", str(path))
    assert res.exit_code == 0, res.output
    assert json.loads(invoke(runner, "status", "M-000003", "--json").output)["applicant"]["name"] == "鈴木 太郎"


def test_xlsx(runner, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(bench.COLUMNS)
    for row in bench.rows(3):
        values = [row[c] for c in bench.COLUMNS]
        ws.append(values)
    from datetime import date
    ws["B2"] = date(2024, 4, 1)  # a real Excel date cell, not text
    path = tmp_path / "members.xlsx"
    wb.save(path)
    res = invoke(runner, "import", "members", str(path))
    assert res.output == "imported 3 of 3 rows (27 facts recorded, 0 commands already recorded), 0 refused\n"


def test_a_file_that_is_not_the_import_format_is_refused_with_the_columns(runner, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("会員番号,氏名\nM-1,山田\n", encoding="utf-8")
    res = invoke(runner, "import", "members", str(path))
    assert res.exit_code == 2
    assert "missing property_id, member_id, applicant_name, applied_on; unknown 会員番号, 氏名" in res.output
    path.write_bytes(b"member_id\n\x81\x20\n")  # neither UTF-8 nor cp932
    res = invoke(runner, "import", "members", str(path))
    assert res.exit_code == 2 and "neither UTF-8 nor Shift_JIS" in res.output and "Traceback" not in res.output


def test_the_progress_callback_counts_every_row(runner, tmp_path):
    from commands import handlers
    from ledger import clock
    from ledger.store import open_store

    path = tmp_path / "members.csv"
    bench.write_csv(str(path), bench.rows(5))
    header, rows = importer.read_rows(str(path))
    ticks = []
    rep = importer.run(open_store(), header, rows, handlers.Context(now=clock.now(), actor="t"), ticks.append)
    assert ticks == [1] * 5 and rep.imported == 5
