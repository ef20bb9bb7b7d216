"""The auditors' and dispute handlers' commands: exact output, exit codes, files, and the HTML in a real browser."""
from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess

import pytest
from click.testing import CliRunner

import audit_story as story
import cli
from ledger.store import open_store


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("audit-cli") / "ledger.db")
    app = open_store(path, create=True, test_clock=True)
    story.build(app)
    app.close()
    return path


def invoke(db: str, *args: str):
    env = {"LEDGER_DB": db, "LEDGER_CLOCK": story.NOW, "LEDGER_ACTOR": "auditor", "LANG": ""}
    return CliRunner().invoke(cli.main, list(args), env=env)


def test_every_new_command_has_help_with_an_example():
    for sub in ("snapshot", "diff", "explain", "bundle", "bundle-check"):
        res = CliRunner().invoke(cli.main, [sub, "-h"])
        assert res.exit_code == 0 and "Example" in res.output and f"ledger {sub}" in res.output


def test_snapshot_table_then_totals(db):
    res = invoke(db, "snapshot", "--as-of", "2025-05-20", "--known-at", story.INCIDENT)
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].split() == ["id", "program", "state", "period.start", "period.end", "arrears.amount",
                                "arrears.days_overdue", "annual_fee", "grounds"]
    assert lines[1].split() == ["M-0042", "iesapo", "applied", "0", "0", "5500"]
    assert lines[2].split() == ["M-0043", "iesapo", "active", "2025-04-01", "2026-03-31", "5500", "71", "5500",
                                "IE-13.1.2,IE-14.3.3"]
    assert lines[5:] == [
        "as of 2025-05-20T23:59:59.999999+09:00, as known at 2025-05-20T21:30:00+09:00: 3 rows",
        "  iesapo: active 2, applied 1",
        "  arrears: 1 members owe 5,500 yen",
        "  grounds in force: 1 members (IE-13.1.2 1, IE-14.3.3 1)",
    ]
    assert "replaying" not in res.output  # no progress bar when stderr is not a terminal


def test_snapshot_csv_has_every_flattened_field_and_one_line_per_member(db):
    res = invoke(db, "snapshot", "--as-of", "2025-05-20", "--csv")
    assert res.exit_code == 0
    header, *rows = res.output.splitlines()
    cols = header.split(",")
    assert cols[:4] == ["id", "program", "as_of", "known_at"]
    for key in ("state", "period.number", "period.start", "period.end", "arrears.amount", "arrears.oldest_due_on",
                "arrears.days_overdue", "annual_fee", "liability_cap", "grounds", "because"):
        assert key in cols
    assert "period" not in cols  # only its dotted columns, though M-0042 has no period
    assert len(rows) == 3 and all(len(r.split(",")) >= len(cols) for r in rows)
    m43 = dict(zip(cols, rows[1].split(",")))
    assert (m43["id"], m43["state"], m43["period.number"]) == ("M-0043", "applied", "")


def test_snapshot_json_to_a_file_prints_the_totals(db, tmp_path):
    out = tmp_path / "snap.json"
    res = invoke(db, "snapshot", "--as-of", "2025-05-20", "--json", "--out", str(out))
    assert res.exit_code == 0
    assert res.output.splitlines()[0] == f"wrote 3 rows to {out}"
    doc = json.loads(out.read_text())
    assert doc["known_at"] == story.NOW and doc["totals"]["rows"] == 3
    assert [r["state"] for r in doc["rows"]] == ["active", "applied", "active"]


def test_snapshot_of_a_missing_store_exits_1(tmp_path):
    res = invoke(str(tmp_path / "none.db"), "snapshot")
    assert res.exit_code == 1 and "ledger init" in res.output


def test_diff_text_names_fields_and_facts_with_time_actor_reason(db):
    res = invoke(db, "diff", "--as-of", "2025-05-20", "--known-at", story.INCIDENT)
    assert res.exit_code == 0, res.output
    out = res.output
    assert out.startswith("Status on 2025-05-20T23:59:59.999999+09:00: known at 2025-05-20T21:30:00+09:00 "
                          "vs known at 2025-07-01T09:00:00+09:00\n2 rows differ (0 appeared, 0 disappeared)\n")
    assert "M-0042  changed\n  state                           applied -> active\n" in out
    assert ("    member:M-0042#4 RegistrationAccepted effective 2025-03-10, recorded 2025-05-25T10:00:00+09:00 "
            "by suzuki.m (recorded late)\n") in out
    assert ("    member:M-0043#4 RegistrationAccepted (effective 2025-03-10, recorded 2025-03-10T15:00:00+09:00 by "
            "suzuki.m) retracted by member:M-0043#6 at 2025-06-01T10:00:00+09:00 by takahashi.y: "
            "Accepted by mistake: the photo ID was missing.\n") in out


def test_diff_csv_and_json(db):
    res = invoke(db, "diff", "--as-of", "2025-05-20", "--known-at", story.INCIDENT, "--csv")
    lines = res.output.splitlines()
    assert lines[0] == "id,change,field,then,now,facts"
    assert lines[1] == "M-0042,changed,state,applied,active,member:M-0042#4;member:M-0042#5;member:M-0042#6"
    doc = json.loads(invoke(db, "diff", "--as-of", "2025-05-20", "--known-at", story.INCIDENT, "--json").output)
    assert [m["id"] for m in doc["members"]] == ["M-0042", "M-0043"]


def test_diff_needs_its_times(db):
    res = invoke(db, "diff", "--as-of", "2025-05-20")
    assert res.exit_code == 2 and "--known-at" in res.output
    res = invoke(db, "diff", "--as-of", "2025-05-20", "--known-at", "yesterday")
    assert res.exit_code == 2 and "known_at" in res.output


def test_explain_text_json_and_errors(db):
    res = invoke(db, "explain", "M-0042", "--at", story.INCIDENT)
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0] == "Dispute report 紛争対応報告 — member M-0042 (iesapo) at 2025-05-20T21:30:00+09:00"
    assert ("The two views DIFFER on state, period.number, period.start, period.end, liability_cap, "
            "services.inspection.available, "
            "services.inspection.blocked_by, services.emergency.blocked_by. "
            "State: active as now known, applied as known then.") in res.output
    assert re.search(r"  state +active +applied +<- member:M-0042#4\n", res.output)
    doc = json.loads(invoke(db, "explain", "M-0042", "--at", story.INCIDENT, "--json").output)
    assert doc["state"] == {"true": "active", "then": "applied"}
    res = invoke(db, "explain", "M-9999", "--at", story.INCIDENT)
    assert res.exit_code == 2 and "M-9999" in res.output
    res = invoke(db, "explain", "M-0042", "--at", "2025-02-30")
    assert res.exit_code == 2 and "at:" in res.output


def test_explain_known_at_replays_an_earlier_now(db):
    doc = json.loads(invoke(db, "explain", "M-0043", "--at", story.INCIDENT, "--known-at", "2025-05-31", "--json").output)
    assert doc["state"] == {"true": "active", "then": "active"} and not doc["differs"]


def test_bundle_then_check_then_tamper(db, tmp_path):
    out = tmp_path / "evidence"
    res = invoke(db, "bundle", "M-0043", "--at", story.INCIDENT, "--out", str(out))
    assert res.exit_code == 0, res.output
    names = [line.split()[1] for line in res.output.splitlines()]
    assert names == ["facts-known-now.jsonl", "facts-known-then.jsonl", "manifest.json", "report.html", "report.json",
                     "report.txt", "rules.json"]
    assert res.output.splitlines()[2].endswith("manifest.json  (keep this hash)")
    ok = invoke(db, "bundle-check", str(out))
    assert ok.exit_code == 0 and ok.output.splitlines()[-1] == "bundle intact: 6 of 6 files match"
    (out / "facts-known-then.jsonl").write_text("{}\n")
    bad = invoke(db, "bundle-check", str(out))
    assert bad.exit_code == 1
    assert "changed  facts-known-then.jsonl" in bad.output and "bundle FAILS: 5 of 6 files match" in bad.output
    again = invoke(db, "bundle", "M-0043", "--at", story.INCIDENT, "--out", str(out))
    assert again.exit_code == 2 and "not an empty directory" in again.output
    none = invoke(db, "bundle-check", str(tmp_path))
    assert none.exit_code == 2 and "manifest" in none.output


# --- the HTML page in a real headless Chromium ---------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def need_chromium() -> str:
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail("chromium is required in CI (Debian package 'chromium', installed by .ci/run)")
    pytest.skip("chromium is not installed")


def png_size(path) -> tuple[int, int]:
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_html_report_renders_in_headless_chromium_with_its_timeline(db, tmp_path):
    browser = need_chromium()
    page = tmp_path / "M-0043.html"
    res = invoke(db, "explain", "M-0043", "--at", story.INCIDENT, "--format", "html", "--out", str(page))
    assert res.exit_code == 0
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
             "--window-size=1200,900"]
    shot = tmp_path / "M-0043.png"
    run = subprocess.run([*flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=90)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    assert shot.exists() and png_size(shot) == (1200, 900)
    assert shot.stat().st_size > 20_000  # a blank page compresses to a few kB
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, timeout=90, text=True)
    assert dom.returncode == 0
    html = dom.stdout
    assert '<svg id="timeline"' in html
    assert 'class="lane lane-true"' in html and 'class="lane lane-then"' in html
    assert 'class="incident"' in html and "incident 2025-05-20T21:30:00+09:00" in html
    # Both acceptances' facts drawn; the retracted ones crossed in the then-lane only.
    assert html.count('class="marker kind-registration retracted"') == 1
    assert html.count('class="span kind-arrears"') == 1                 # in arrears as known then only
    assert 'id="views"' in html and 'id="decisions"' in html and "第11条第2項" in html


def test_a_progress_bar_only_on_a_terminal(db, monkeypatch):
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    app = open_store(db)
    plain = io.StringIO()
    monkeypatch.setattr("sys.stderr", plain)
    with cli.Progress(app, "replaying") as progress:
        assert progress is None
    tty = Terminal()
    monkeypatch.setattr("sys.stderr", tty)
    with cli.Progress(app, "replaying") as progress:
        progress(app.last_position())
    assert plain.getvalue() == "" and "replaying" in tty.getvalue() and "100%" in tty.getvalue()
