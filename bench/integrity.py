"""Benchmark (run by hand, not a test): what integrity costs.

(a) Throughput of the concurrency workload on PostgreSQL: 8 processes record
    payments against the same 3 members (every conflict decided again behind
    the gate), against 8 processes on members of their own, and one process.
(b) Per-fact cost of the hash chain and of encrypting personal fields, as the
    ratio of the same single-writer run with and without them
    (stores created with ``open_store(..., chain=False, encryption=False)``: a store's settings are fixed at creation),
    on SQLite and PostgreSQL.
(c) The CPU part alone (no I/O): hashing one fact into the chain, sealing and
    opening one personal field.

    python bench/integrity.py                      # both parts, medians of 3
    python bench/integrity.py --members 200 --repeat 5 --pg postgresql://postgres@127.0.0.1:5432/test

Each run uses a fresh SQLite file or a fresh PostgreSQL schema (dropped after).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from commands.handlers import Context, execute  # noqa: E402
from ledger.dates import JST  # noqa: E402
from ledger.store import open_store  # noqa: E402

T0 = datetime(2025, 1, 1, 9, 0, tzinfo=JST)
os.environ.setdefault("LEDGER_MASTER_KEY", "YmVuY2gtbWFzdGVyLWtleS0wMTIzNDU2Nzg5YWJjZGU=")


@contextmanager
def pg_schema(admin: str):
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{admin}?schema={schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@contextmanager
def sqlite_file():
    with tempfile.TemporaryDirectory() as d:
        yield os.path.join(d, "bench.db")


class Clock:
    """A simulated ledger clock that only moves forward."""

    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t


def seed_members(app, clock: Clock, members: list[str]) -> None:
    run = lambda **c: execute(app, c, Context(now=clock(), actor="bench"))  # noqa: E731
    run(command="announce_fee", amount=5500, on="2025-01-01")
    run(command="register_property", property_id="P-1", delivered_on="2025-03-15", floors=2, builder="company",
        certified=True, on="2025-03-01")
    for m in members:
        run(command="apply_membership", member_id=m, property_id="P-1", applicant={"name": "山田 太郎"}, on="2025-03-01")
        run(command="record_consent", member_id=m, kind="privacy_policy", on="2025-03-01")
        run(command="register_card", member_id=m, card_token="tok_bench1", on="2025-03-02")
        run(command="accept_registration", member_id=m, on="2025-03-10")


# --- (a) concurrency -------------------------------------------------------------------------


def writer(url: str, n: int, members: list[str], each: int, barrier, out) -> None:
    app = open_store(url)

    def now() -> datetime:  # the live clock, as staff would have: clock races happen too
        return datetime.now(JST)

    barrier.wait()
    t = time.perf_counter()
    done = 0
    for i in range(each):
        c = {"command": "record_payment", "member_id": members[(n + i) % len(members)], "amount": 100,
             "payment_ref": f"PAY-{n}-{i}", "command_id": f"pay-{n}-{i}", "on": "2025-04-01"}
        execute(app, c, Context(now=now(), actor=f"w{n}", clock=now))
        done += 1
    out.put((done, time.perf_counter() - t))
    app.close()


def concurrency(url: str, workers: int, each: int, shared: bool) -> tuple[int, float]:
    app = open_store(url, create=True, test_clock=True, **SETTINGS)
    members = [f"M-{i:04d}" for i in range(1, (3 if shared else workers) + 1)]
    seed_members(app, Clock(), members)
    app.close()
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(workers + 1), ctx.Queue()
    procs = []
    for n in range(workers):
        mine = members if shared else [members[n]]
        procs.append(ctx.Process(target=writer, args=(url, n, mine, each, barrier, out)))
    for p in procs:
        p.start()
    barrier.wait()
    t = time.perf_counter()
    results = [out.get(timeout=600) for _ in procs]
    elapsed = time.perf_counter() - t
    for p in procs:
        p.join()
    return sum(r[0] for r in results), elapsed


# --- (b) chain and encryption --------------------------------------------------------------------


def onboarding(url: str, members: int) -> tuple[int, float, float]:
    """Facts written and seconds spent by one writer onboarding ``members`` members
    (8 facts each); also the seconds spent on the applications alone (the facts
    that carry personal data)."""
    app = open_store(url, create=True, test_clock=True, **SETTINGS)
    clock = Clock()
    run = lambda **c: execute(app, c, Context(now=clock(), actor="bench"))  # noqa: E731
    run(command="announce_fee", amount=5500, on="2025-01-01")
    facts, spent, applying = 1, 0.0, 0.0
    for i in range(members):
        m, p = f"M-{i:05d}", f"P-{i:05d}"
        t = time.perf_counter()
        run(command="register_property", property_id=p, delivered_on="2025-03-15", floors=2, builder="company",
            certified=True, on="2025-03-01")
        a = time.perf_counter()
        run(command="apply_membership", member_id=m, property_id=p, on="2025-03-01",
            applicant={"name": "山田 太郎", "address": "東京都世田谷区1-2-3", "phone": "090-1234-5678",
                       "email": "taro@example.jp", "birth_date": "1980-05-05"})
        applying += time.perf_counter() - a
        run(command="record_consent", member_id=m, kind="privacy_policy", on="2025-03-01")
        run(command="register_card", member_id=m, card_token="tok_bench1", on="2025-03-02")
        run(command="accept_registration", member_id=m, on="2025-03-10")
        run(command="record_payment", member_id=m, amount=3000, payment_ref=f"A-{i}", on="2025-03-12")
        run(command="record_payment", member_id=m, amount=2500, payment_ref=f"B-{i}", on="2025-03-20")
        spent += time.perf_counter() - t
        facts += 8
    app.close()
    return facts, spent, applying


# The settings of the stores created next: a store's chain and encryption are fixed when
# it is created (ledger.store.SETTINGS), so the bench makes each store with them.
SETTINGS = {"chain": True, "encryption": True}


@contextmanager
def switches(chain: bool, encryption: bool):
    old = dict(SETTINGS)
    SETTINGS.update(chain=chain, encryption=encryption)
    try:
        yield
    finally:
        SETTINGS.update(old)


def store(backend: str, pg: str):
    return pg_schema(pg) if backend == "postgres" else sqlite_file()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", default=os.environ.get("LEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--members", type=int, default=150, help="members onboarded per run in part (b)")
    ap.add_argument("--each", type=int, default=40, help="payments per writer in part (a)")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    med = statistics.median

    print(f"(a) concurrency on PostgreSQL: {args.workers} writers x {args.each} payments, medians of {args.repeat}")
    print(f"{'workload':<44}{'commands':>9}{'seconds':>9}{'cmd/s':>8}{'facts/s':>9}")
    for label, workers, shared, on in ((f"{args.workers} writers, the same 3 members", args.workers, True, True),
                                       ("  the same, chain and encryption off", args.workers, True, False),
                                       (f"{args.workers} writers, a member each", args.workers, False, True),
                                       ("1 writer", 1, True, True)):
        runs = []
        for _ in range(args.repeat):
            with switches(on, on), pg_schema(args.pg) as url:
                runs.append(concurrency(url, workers, args.each if workers > 1 else args.each * 2, shared))
        n, s = runs[0][0], med(r[1] for r in runs)
        # each payment command stores the payment and its command receipt
        print(f"{label:<44}{n:>9}{s:>9.2f}{n / s:>8.0f}{2 * n / s:>9.0f}")

    print(f"\n(b) one writer onboarding {args.members} members (8 facts each), medians of {args.repeat}")
    print(f"{'backend':<10}{'chain':<7}{'encrypt':<9}{'facts':>7}{'us/fact':>9}{'ratio':>7}"
          f"{'us/application':>16}{'ratio':>7}")
    configs = ((False, False), (True, False), (False, True), (True, True))
    for backend in ("sqlite", "postgres"):
        with switches(True, True), store(backend, args.pg) as url:
            onboarding(url, max(5, args.members // 10))  # warm up: imports, caches, the server
        runs: dict[tuple[bool, bool], list] = {c: [] for c in configs}
        for _ in range(args.repeat):  # interleaved, so drift hits every configuration alike
            for chain, enc in configs:
                with switches(chain, enc), store(backend, args.pg) as url:
                    runs[(chain, enc)].append(onboarding(url, args.members))
        base = None
        for (chain, enc), rs in runs.items():
            facts = rs[0][0]
            per_fact = med(r[1] for r in rs) / facts * 1e6
            per_app = med(r[2] for r in rs) / args.members * 1e6
            if base is None:
                base = (per_fact, per_app)
            print(f"{backend:<10}{'on' if chain else 'off':<7}{'on' if enc else 'off':<9}{facts:>7}{per_fact:>9.0f}"
                  f"{per_fact / base[0]:>7.2f}{per_app:>16.0f}{per_app / base[1]:>7.2f}")
    cpu()


def cpu(n: int = 20000) -> None:
    from ledger import backend, keys

    state = (b'{"originator_id":"member:M-0042","originator_version":1,"recorded":"2025-03-01T10:00:00+09:00",'
             b'"effective":"2025-03-01T00:00:00+09:00","actor":"sato","command_id":null,"batch":"' + b"0" * 32 +
             b'","rules":["IE-2.1","IE-1.4.1"],"member_id":"M-0042","property_id":"P-1","acquirer":"primary",'
             b'"applicant":{"enc":"aes-256-gcm/v1","nonce":"AAAAAAAAAAAAAAAA","ct":"' + b"A" * 200 + b'"}}')
    t = time.perf_counter()
    prev = backend.GENESIS
    for i in range(n):
        prev = backend.link(prev, i + 1, i + 1, 1740787200000000 + i,
                            backend.digest("member:M-0042", 1, "MembershipApplied", state))
    hashing = (time.perf_counter() - t) / n * 1e6
    ring = keys.Keyring(lambda s: (_ for _ in ()).throw(KeyError(s)), os.urandom(32), "bench")
    person = {"name": "山田 太郎", "address": "東京都世田谷区1-2-3", "phone": "090-1234-5678",
              "email": "taro@example.jp", "birth_date": "1980-05-05", "erased": False, "withheld": False}
    aad = keys.field_aad("member:M-0042#1", "applicant")
    t = time.perf_counter()
    for _ in range(n):
        env = ring.seal("member:M-0042", aad, person)
    sealing = (time.perf_counter() - t) / n * 1e6
    t = time.perf_counter()
    for _ in range(n):
        ring.open("member:M-0042", aad, env)
    opening = (time.perf_counter() - t) / n * 1e6
    print(f"\n(c) CPU only, mean of {n}: chain hash of one fact {hashing:.1f} us; seal one personal field "
          f"{sealing:.1f} us; open it {opening:.1f} us ({len(state)}-byte fact)")


if __name__ == "__main__":
    main()
