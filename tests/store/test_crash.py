"""Crash safety: a batch ``ledger apply`` killed with SIGKILL at random points, then
re-run on the same file, ends with every fact exactly once and ``verify`` green.

Every line carries a ``command_id``; each command is one transaction holding its
facts, their chain rows and its receipt, so a kill loses only the command in
flight and the re-run skips what was done (``duplicate``).
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

from click.testing import CliRunner

import cli
from ledger.store import open_store
from projections import history
from projections.integrity import verify
from projections.window import Window
from tests.store.test_store import t

CLOCK = "2025-06-01T09:00:00+09:00"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def batch() -> list[dict]:
    lines: list[dict] = [{"command": "announce_fee", "amount": 5500, "on": "2025-01-01"}]
    for i in range(1, 21):
        mid, pid = f"M-{i:04d}", f"P-{i:04d}"
        lines += [
            {"command": "register_property", "property_id": pid, "delivered_on": "2025-03-15", "floors": 2,
             "builder": "company", "certified": True, "on": "2025-02-01"},
            {"command": "apply_membership", "member_id": mid, "property_id": pid, "on": "2025-02-01",
             "applicant": {"name": f"会員 {i}", "phone": f"090-0000-{i:04d}", "email": f"m{i}@example.jp"}},
            {"command": "record_consent", "member_id": mid, "kind": "privacy_policy", "on": "2025-02-01"},
            {"command": "register_card", "member_id": mid, "card_token": f"tok_{i:06d}", "on": "2025-02-02"},
            {"command": "accept_registration", "member_id": mid, "on": "2025-03-01"},
            {"command": "record_payment", "member_id": mid, "amount": 3000, "payment_ref": f"PAY-{i}-1", "on": "2025-03-05"},
            {"command": "record_payment", "member_id": mid, "amount": 2500, "payment_ref": f"PAY-{i}-2", "on": "2025-03-20"},
        ]
    lines.append({"command": "retract", "event_id": "member:M-0007#6", "reason": "keyed against the wrong member"})
    for n, line in enumerate(lines, start=1):
        line["command_id"] = f"batch-2025-06-01-{n}"
    return lines


def env_for(url: str) -> dict:
    env = dict(os.environ, LEDGER_DB=url, LEDGER_ACTOR="batch", LEDGER_CLOCK=CLOCK, PYTHONUNBUFFERED="1")
    env.pop("LANG", None)
    return env


def run_until(url: str, path: str, kill_after: int | None, rng: random.Random) -> tuple[int, list[dict]]:
    """Run ``ledger apply`` in its own process; SIGKILL it once ``kill_after`` lines were answered."""
    p = subprocess.Popen([sys.executable, "-c", "import cli; cli.main()", "apply", path], cwd=ROOT,
                         env=env_for(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out: list[dict] = []
    assert p.stdout is not None
    for raw in p.stdout:
        out.append(json.loads(raw))
        if kill_after is not None and len(out) >= kill_after:
            time.sleep(rng.uniform(0, 0.004))  # land inside the next command's transaction, or not
            p.send_signal(signal.SIGKILL)
            break
    p.wait(timeout=60)
    err = p.stderr.read().decode() if p.stderr else ""
    assert "Traceback" not in err, err
    return p.returncode, out


def all_rows(app, w: Window) -> dict[str, list[dict]]:
    streams: dict[str, list] = {}
    for _, e in app.iter_all():
        streams.setdefault(e.originator_id, []).append(e)
    return {s: history.rows(evs, w) for s, evs in streams.items()}


def test_a_killed_batch_rerun_completes_with_nothing_lost_or_doubled(store_url, tmp_path):
    lines = batch()
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    w = Window(t("2025-07-01T00:00"), t("2025-07-01T00:00"))

    # The reference: the same file applied once, uninterrupted, to a fresh store.
    ref_db = str(tmp_path / "reference.db")
    r = CliRunner(env={"LEDGER_DB": ref_db, "LEDGER_ACTOR": "batch", "LEDGER_CLOCK": CLOCK})
    assert r.invoke(cli.main, ["init", "--test-clock"]).exit_code == 0
    assert r.invoke(cli.main, ["apply", str(path)]).exit_code == 0
    ref = open_store(ref_db)
    expected = all_rows(ref, w)
    total = sum(len(v) for v in expected.values())
    ref.close()

    app = open_store(store_url, create=True, test_clock=True)
    app.close()
    rng = random.Random(20250601)
    counts = []
    for kill_after in sorted(rng.sample(range(5, len(lines) - 20), 3)):
        code, out = run_until(store_url, str(path), kill_after, rng)
        assert code == -signal.SIGKILL
        assert all(o["ok"] for o in out)
        a = open_store(store_url)
        counts.append(sum(1 for _ in a.iter_all()))
        assert verify(a, w).problem is None  # a kill never leaves a half-written command or a broken chain
        a.close()
    assert 0 < counts[0] < total, counts  # the first kill really interrupted the batch

    code, out = run_until(store_url, str(path), None, rng)
    assert code == 0 and len(out) == len(lines) and all(o["ok"] for o in out)
    assert sum(o["duplicate"] for o in out) >= counts[-1] // 3  # the re-run skipped what was done

    app = open_store(store_url)
    try:
        assert all_rows(app, w) == expected  # every fact exactly once, the same as an uninterrupted run
        report = verify(app, w)
        assert report.problem is None and report.facts == total
    finally:
        app.close()
