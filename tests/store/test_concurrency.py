"""Concurrency on PostgreSQL: 8 processes issue commands against the same 3 members at once.

Write conflicts are decided again on fresh facts (or refused by the rule that
then applies), never lost and never doubled: afterwards every fact is counted.
"""
from __future__ import annotations

import multiprocessing as mp
import os
from collections import Counter

import pytest

from commands.handlers import Context, execute
from ledger import clock
from ledger.errors import Conflict, LedgerError
from ledger.store import open_store
from projections.integrity import verify
from projections.window import Window
from tests.store.test_store import run

pytestmark = pytest.mark.postgres

WORKERS, EACH, SHARED = 8, 16, 6
MEMBERS = ["M-0001", "M-0002", "M-0003"]


def worker(url: str, n: int, barrier, results) -> None:
    try:
        work(url, n, barrier, results)
    except BaseException as e:  # report, so the test fails at once instead of waiting
        results.put({"worker": n, "applied": [], "duplicates": [], "conflicts": 0,
                     "errors": [f"worker crashed: {type(e).__name__}: {e}"]})
        raise


def work(url: str, n: int, barrier, results) -> None:
    """Run this worker's commands as soon as every worker is ready; report what happened."""
    os.environ.pop("LEDGER_CLOCK", None)
    app = open_store(url)
    conflicts = 0
    real_append = app.append

    def counting_append(events, now, **kw):
        nonlocal conflicts
        try:
            return real_append(events, now, **kw)
        except Conflict:
            conflicts += 1
            raise

    app.append = counting_append
    commands = []
    for i in range(EACH):
        commands.append({"command": "record_payment", "member_id": MEMBERS[(n + i) % 3], "amount": 100 + i,
                         "payment_ref": f"PAY-{n}-{i}", "command_id": f"pay-{n}-{i}", "on": "2025-04-01"})
        if i % 3 == 0 and i // 3 < SHARED:
            k = (i // 3 + n) % SHARED  # every worker sends every shared command, in a different order
            commands.append({"command": "record_payment", "member_id": MEMBERS[k % 3], "amount": 1000 + k,
                             "payment_ref": f"SHARED-{k}", "command_id": f"shared-{k}", "on": "2025-04-01"})
    for k in range(SHARED):  # make sure each shared command was sent by this worker too
        commands.append({"command": "record_payment", "member_id": MEMBERS[k % 3], "amount": 1000 + k,
                         "payment_ref": f"SHARED-{k}", "command_id": f"shared-{k}", "on": "2025-04-01"})
    applied, duplicates, errors = [], [], []
    barrier.wait()
    for c in commands:
        try:
            r = execute(app, c, Context(now=clock.now(), actor=f"clerk-{n}", clock=clock.now))
        except LedgerError as e:
            errors.append(f"{c['command_id']}: {e.code}: {e.en}")
            continue
        (duplicates if r.duplicate else applied).append(c["command_id"])
    app.close()
    results.put({"worker": n, "applied": applied, "duplicates": duplicates, "errors": errors, "conflicts": conflicts})


def test_eight_writers_on_the_same_members_lose_nothing_and_double_nothing(pg_url):
    app = open_store(pg_url, create=True, test_clock=True)
    run(app, "2025-01-01T09:00", command="announce_fee", amount=5500, on="2025-01-01")
    for n, mid in enumerate(MEMBERS):  # a house has one membership at a time: one house each
        run(app, "2025-03-01T09:00", command="register_property", property_id=f"P-{n + 1}", delivered_on="2025-03-15",
            floors=2, builder="company", certified=True, on="2025-03-01")
    for n, mid in enumerate(MEMBERS):
        run(app, "2025-03-01T10:00", command="apply_membership", member_id=mid, property_id=f"P-{n + 1}",
            applicant={"name": "山田 太郎"}, on="2025-03-01")
    for mid in MEMBERS:
        run(app, "2025-03-01T10:05", command="record_consent", member_id=mid, kind="privacy_policy", on="2025-03-01")
    for mid in MEMBERS:
        run(app, "2025-03-02T10:00", command="register_card", member_id=mid, card_token="tok_4f9a2c", on="2025-03-02")
    for mid in MEMBERS:
        run(app, "2025-03-10T15:00", command="accept_registration", member_id=mid, on="2025-03-10")
    before = sum(1 for _ in app.iter_all())
    app.close()  # no pooled connection may be shared with the forked workers

    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(pg_url, n, barrier, results)) for n in range(WORKERS)]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0

    assert [e for g in got for e in g["errors"]] == []
    applied = Counter(cid for g in got for cid in g["applied"])
    own = {f"pay-{n}-{i}" for n in range(WORKERS) for i in range(EACH)}
    shared = {f"shared-{k}" for k in range(SHARED)}
    assert set(applied) == own | shared and max(applied.values()) == 1  # each command applied exactly once
    # Every worker sent every shared command twice: all sends but the first were duplicates.
    assert sum(len(g["duplicates"]) for g in got) == WORKERS * 2 * SHARED - SHARED

    # Count every fact in the store.
    app = open_store(pg_url)
    facts = [e for _, e in app.iter_all()]
    payments = Counter(e.payment_ref for e in facts if e.TYPE == "PaymentRecorded")
    receipts = Counter(e.command_id for e in facts if e.TYPE == "CommandRecorded")
    assert len(facts) == before + 2 * (len(own) + len(shared))
    assert set(payments) == {f"PAY-{n}-{i}" for n in range(WORKERS) for i in range(EACH)} | {
        f"SHARED-{k}" for k in range(SHARED)} and max(payments.values()) == 1
    assert set(receipts) == own | shared and max(receipts.values()) == 1
    for mid in MEMBERS:  # each member's stream is gap-free and holds exactly its payments
        stream = app.read(f"member:{mid}")
        assert [e.originator_version for e in stream] == list(range(1, len(stream) + 1))
    w = Window(clock.now(), clock.now())
    assert verify(app, w).problem is None
    # The retry path really ran: writers collided and decided again.
    assert sum(g["conflicts"] for g in got) > 0
    app.close()
