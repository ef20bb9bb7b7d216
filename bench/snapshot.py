"""Benchmark: `ledger snapshot` over a large store, against a raw SELECT + JSON decode.

    python bench/snapshot.py --members 100000          # full size (generation takes a while; cached)
    python bench/snapshot.py --members 2000            # a quick run
    python bench/snapshot.py --members 20000 --generate-only   # the generator's rate alone, per stretch

Generation goes through the project's own command path, minus the per-command
transaction: every command is validated by ``commands.handlers.parse``, decided
by its registered handler (which calls the pure ``ledger`` decide functions on
the facts as then recorded), stamped by ``commands.handlers.stamp`` (the same
envelope ``execute`` writes), and appended with ``LedgerApp.append`` in batches
of a few thousand facts (one transaction per batch, instead of one per command
as ``execute`` does: that is what makes millions of facts take minutes, not
hours). The simulated ledger clock runs forward through the years 2014-2025;
some payments are recorded weeks after they happened and some mistaken entries
are retracted, so the known-at filters have work to do.

The generated store is cached as ``bench/out/snapshot-<members>.db`` (the
directory is ignored by git); ``--regenerate`` rebuilds it.

Measured, each in a fresh child process so that peak memory (ru_maxrss) is the
run's own:
- ``snapshot``: ``projections.snapshot.run`` (two streamed passes, per-member
  folds, one status row per member) at as-of 2025-12-31, known-at now, plus
  writing the JSON to a file, as ``ledger snapshot --json --out`` does;
- ``snapshot_known_at``: the same at a known-at in the past (2023-06-30);
- ``raw``: ``SELECT topic, state FROM stored_events ORDER BY rowid`` in batches
  and ``json.loads`` of every state — the floor any replay has to pay.
"""
from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, time as dtime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from commands.handlers import REGISTRY, Context, Unit, command_stream, parse, stamp  # noqa: E402
from ledger import member, property as property_  # noqa: E402
from ledger.dates import JST  # noqa: E402
from ledger.errors import LedgerError  # noqa: E402
from ledger.events import Event  # noqa: E402
from ledger.store import open_store  # noqa: E402

OUT = os.path.join(HERE, "out")
START, END = date(2014, 1, 1), date(2025, 12, 31)
STAFF = ["sato.k", "suzuki.m", "takahashi.y", "tanaka.r"]
SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田"]
GIVEN = ["太郎", "花子", "健一", "美咲", "翔太", "陽菜", "大輔", "結衣", "拓也", "さくら"]
CITIES = ["東京都世田谷区", "神奈川県横浜市青葉区", "埼玉県さいたま市浦和区", "千葉県船橋市", "大阪府豊中市"]


def at(d: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(d, dtime(hour, minute), JST)


# --- the simulated world ------------------------------------------------------------


def plan(i: int, seed: int) -> list[tuple[datetime, int, dict]]:
    """Member i's commands as (recorded time, order, command), in recorded order.

    A few payments are recorded 3-12 weeks after they were made (late facts);
    about 1 in 100 members gets a payment keyed by mistake and retracted two
    days later. Every payment carries a command_id (processor files are
    imported with ids for safe retries), so receipts are in the log too.
    """
    rng = random.Random(seed * 1_000_003 + i)
    mid, pid = f"M-{i:06d}", f"P-{i:06d}"
    delivered = date(2014, 2, 1) + timedelta(days=rng.randrange(0, (date(2025, 10, 1) - date(2014, 2, 1)).days))
    applied = delivered - timedelta(days=rng.randrange(10, 40))
    out: list[tuple[datetime, int, dict]] = []

    def add(when: datetime, **cmd) -> None:
        out.append((when, len(out), cmd))

    day = applied.isoformat()
    add(at(applied, 9), command="register_property", property_id=pid, delivered_on=delivered.isoformat(),
        floors=rng.choice([1, 2, 2, 2, 3]), builder=rng.choice(["company", "group_company"]), certified=True, on=day)
    add(at(applied, 10), command="apply_membership", member_id=mid, property_id=pid, on=day, points=rng.random() < 0.6,
        applicant={"name": f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                   "address": f"{rng.choice(CITIES)}{rng.randrange(1, 9)}-{rng.randrange(1, 30)}",
                   "phone": f"090-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                   "birth_date": date(rng.randrange(1950, 1994), rng.randrange(1, 13), rng.randrange(1, 28)).isoformat()})
    add(at(applied, 11), command="record_consent", member_id=mid, kind="privacy_policy", on=day)
    add(at(applied, 11, 5), command="record_consent", member_id=mid, kind="operator_provision", on=day)
    card_day = applied + timedelta(days=rng.randrange(0, 9))
    if rng.random() < 0.03:
        card_day = delivered + timedelta(days=rng.randrange(3, 20))
        add(at(card_day, 9), command="extend_registration_deadline", member_id=mid,
            until=(card_day + timedelta(days=5)).isoformat(), on=card_day.isoformat())
    add(at(card_day, 12), command="register_card", member_id=mid, card_token=f"tok_{rng.getrandbits(40):010x}",
        on=card_day.isoformat())
    accept_day = max(card_day, delivered - timedelta(days=rng.randrange(0, 5)))
    if rng.random() < 0.01:
        add(at(accept_day, 15), command="refuse_registration", member_id=mid, rule="IE-17.2.6",
            reason="The documents could not be confirmed.", on=accept_day.isoformat())
        return sorted(out, key=lambda x: (x[0], x[1]))
    add(at(accept_day, 15), command="accept_registration", member_id=mid, on=accept_day.isoformat(),
        command_id=f"accept-{mid}")
    # The first fee, then one fee payment a year on the anniversary of acceptance.
    due = accept_day
    n = 0
    while due <= END:
        n += 1
        pay_day = due + timedelta(days=rng.randrange(1, 25))
        roll = rng.random()
        if roll < 0.04:
            pass  # never paid: arrears
        else:
            if roll < 0.10:
                add(at(pay_day, 13), command="record_payment_failure", member_id=mid, amount=5500,
                    payment_ref=f"DECL-{i}-{n}", on=pay_day.isoformat())
                pay_day += timedelta(days=rng.randrange(3, 15))
            recorded = at(pay_day, 16)
            if rng.random() < 0.04:  # entered weeks late
                recorded = at(pay_day + timedelta(days=rng.randrange(21, 84)), 16)
            if recorded.date() <= END:
                add(recorded, command="record_payment", member_id=mid, amount=5500, payment_ref=f"PAY-{i}-{n}",
                    on=pay_day.isoformat(), command_id=f"pay-{i}-{n}")
        if n == 1 and rng.random() < 0.01 and pay_day + timedelta(days=30) <= END:
            wrong = pay_day + timedelta(days=28)
            add(at(wrong, 10), command="record_payment", member_id=mid, amount=5500, payment_ref=f"WRONG-{i}",
                on=wrong.isoformat())
            add(at(wrong + timedelta(days=2), 10), command="retract", member_id=mid, payment_ref=f"WRONG-{i}",
                reason="Keyed against the wrong member.")
        if n % 3 == 0 and pay_day <= END:  # a renewed card every three years (IE-5.4.3)
            add(at(pay_day - timedelta(days=7), 11), command="register_card", member_id=mid,
                card_token=f"tok_{rng.getrandbits(40):010x}", on=(pay_day - timedelta(days=7)).isoformat())
        due = due.replace(year=due.year + 1) if not (due.month == 2 and due.day == 29) else date(due.year + 1, 3, 1)
    return sorted(out, key=lambda x: (x[0], x[1]))


def first_time(i: int, seed: int) -> datetime:
    return plan(i, seed)[0][0]


class Writer:
    """The command path with a buffer: parse -> handler (decide) -> stamp -> batched append."""

    def __init__(self, app, flush_every: int = 4000) -> None:
        self.app = app
        self.cache: dict[str, list[Event]] = {}
        self.pending: list[Event] = []
        self.flush_every = flush_every
        self.facts = self.commands = self.refused = 0
        self.appending = self.reading = 0.0  # seconds in LedgerApp.append and in reads of the store
        self.decoded = 0  # facts read back from the store (each read decodes its whole stream)
        self.last = at(START, 0)

    def read(self, stream: str) -> list[Event]:
        if stream not in self.cache:
            t0 = time.perf_counter()
            self.cache[stream] = self.app.read(stream)
            self.reading += time.perf_counter() - t0
            self.decoded += len(self.cache[stream])
        return self.cache[stream]

    def run(self, when: datetime, raw: dict, actor: str) -> list[Event]:
        if raw["command"] == "retract":
            # The bench names the mistaken payment by its ref; find its event id like staff would in `history`.
            stream = f"member:{raw.pop('member_id')}"
            ref = raw.pop("payment_ref")
            target = next(e for e in self.read(stream) if getattr(e, "payment_ref", None) == ref)
            raw["event_id"] = target.event_id
        self.last = max(self.last, when)
        cmd = parse(raw)
        handler = REGISTRY[cmd.NAME].handler
        eff = cmd.effective(self.last)
        unit = Unit(self.app)
        unit.loaded = _CacheView(self)
        try:
            drafts = handler(unit, cmd, eff)
        except LedgerError:
            self.refused += 1
            return []
        events = stamp(drafts, unit, cmd, Context(now=self.last, actor=actor), eff)
        for e in events:
            self.read(e.originator_id).append(e)
        self.pending.extend(events)
        self.facts += len(events)
        self.commands += 1
        if len(self.pending) >= self.flush_every:
            self.flush()
        return events

    def flush(self) -> None:
        if self.pending:
            t0 = time.perf_counter()
            self.app.append(self.pending, self.last)
            self.appending += time.perf_counter() - t0
            self.pending = []
            # The cache holds exactly what this writer appended (it is the store's only writer), so
            # it stays valid across the append: each command re-reading and decoding its member's
            # whole history after every flush is what made the rate fall as the store grew. Only a
            # command's receipt stream (read once, for its command_id) is dropped here, and a
            # member's streams when its plan ends (``finished``): memory holds the active members.
            receipts = command_stream("")
            for stream in [s for s in self.cache if s.startswith(receipts)]:
                del self.cache[stream]

    def finished(self, member_id: str, property_id: str) -> None:
        self.cache.pop(member.stream(member_id), None)
        self.cache.pop(property_.stream(property_id), None)


class _CacheView(dict):
    """Unit.loaded backed by the writer's cache: a stream read is the store's facts plus the unflushed ones."""

    def __init__(self, writer: Writer) -> None:
        super().__init__()
        self.writer = writer

    def __contains__(self, stream) -> bool:  # type: ignore[override]
        return True

    def __getitem__(self, stream):
        return self.writer.read(stream)


def generate(path: str, members: int, seed: int, renewals: bool) -> dict:
    if os.path.exists(path):
        os.remove(path)
    app = open_store(path, create=True, test_clock=True)
    w = Writer(app)
    rng = random.Random(seed)
    t0 = time.perf_counter()
    # The fee schedule: the first fee, and the consumption-tax change of 2019-10-01 (IE-5.1.tax),
    # announced when it happened (it is member 0's "plan" in the heap below).
    fee_plan = [(at(START, 9), 0, {"command": "announce_fee", "amount": 5500, "on": START.isoformat()}),
                (at(date(2019, 10, 1), 0, 1), 1, {"command": "announce_fee", "amount": 5600, "reason": "tax_rate",
                                                  "on": "2019-10-01"})]
    # A heap of (next recorded time, order, member, its remaining plan). Plans are built
    # when a member first comes due, so memory holds only the members already started.
    heap: list = [(fee_plan[0][0], 0, 0, fee_plan, 0)]
    starts = sorted((first_time(i, seed), i) for i in range(1, members + 1))
    si = 0
    month_end = None
    step = max(1, members // 20)
    done_members = 0
    # (time, facts, appending, reading, CPU time) at the previous progress line: each stretch's own rate,
    # also per CPU second (this process's), which a shared machine's load disturbs less than wall time.
    mark = (t0, 0, 0.0, 0.0, time.process_time(), 0)
    while si < len(starts) or heap:
        if si < len(starts) and (not heap or starts[si][0] <= heap[0][0]):
            when, i = starts[si]
            si += 1
            items = plan(i, seed)
            heapq.heappush(heap, (items[0][0], items[0][1], i, items, 0))
            if si % step == 0:
                now = time.perf_counter()
                n = max(w.facts - mark[1], 1)
                rate, recent = w.facts / (now - t0), n / max(now - mark[0], 1e-9)
                print(f"  generating: {si}/{members} members started, {w.facts} facts, {rate:,.0f} facts/s "
                      f"({recent:,.0f} facts/s since the previous line: {(w.appending - mark[2]) / n * 1e6:.0f} µs a fact "
                      f"appending, {(w.reading - mark[3]) / n * 1e6:.0f} µs reading {(w.decoded - mark[5]) / n:.1f} "
                      "facts decoded; "
                      f"{n / max(time.process_time() - mark[4], 1e-9):,.0f} facts per CPU second)", file=sys.stderr, flush=True)
                mark = (now, w.facts, w.appending, w.reading, time.process_time(), w.decoded)
            continue
        when, _, i, items, k = heapq.heappop(heap)
        if renewals and "run_renewals" in REGISTRY:
            me = (when.date().replace(day=1) - timedelta(days=1))
            if month_end is None or me > month_end:
                month_end = me
                w.run(at(when.date(), 0, 1), {"command": "run_renewals", "through": me.isoformat()}, "batch")
        w.run(when, dict(items[k][2]), rng.choice(STAFF))
        if k + 1 < len(items):
            heapq.heappush(heap, (items[k + 1][0], items[k + 1][1], i, items, k + 1))
        else:
            done_members += 1
            if i:
                w.finished(f"M-{i:06d}", f"P-{i:06d}")
    w.flush()
    app.close()
    took = time.perf_counter() - t0
    return {"members": members, "facts": w.facts, "commands": w.commands, "refused": w.refused,
            "seconds": round(took, 1), "facts_per_s": round(w.facts / took), "cpu_s": round(time.process_time(), 1),
            "append_s": round(w.appending, 1), "decoded_per_fact": round(w.decoded / max(w.facts, 1), 1),
            "peak_mb": maxrss_mb(),
            "read_s": round(w.reading, 1)}


# --- measuring (in child processes) ---------------------------------------------------


def child_snapshot(path: str, jobs: int, known_at: str | None) -> dict:
    from projections import report, snapshot
    from projections.window import Window
    from ledger.clock import parse_instant

    app = open_store(path)
    now = at(END, 23, 59)
    w = Window(parse_instant("2025-12-31", field="as_of", end_of_day=True),
               parse_instant(known_at, field="known_at", end_of_day=True) if known_at else now)
    t0 = time.perf_counter()
    result = snapshot.run(app, w, jobs=jobs)
    t1 = time.perf_counter()
    out = os.path.join(OUT, "snapshot-out.json")
    with open(out, "w", encoding="utf-8") as f:
        report.snapshot_json(result, f)
    t2 = time.perf_counter()
    facts = result.stats["facts"]
    return {"facts": facts, "decoded": result.stats.get("decoded"), "rows": len(result.rows),
            "replay_s": round(t1 - t0, 2), "write_s": round(t2 - t1, 2), "total_s": round(t2 - t0, 2),
            "facts_per_s": round(facts / (t2 - t0)), "cpu_s": cpu_s(), "jobs": jobs, "maxrss_mb": maxrss_mb(),
            "worker_maxrss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "totals": {k: v for k, v in result.totals.items() if k != "grounds"}}


def child_raw(path: str) -> dict:
    con = sqlite3.connect(path)
    t0 = time.perf_counter()
    n = 0
    cur = con.execute("SELECT topic, state FROM stored_events ORDER BY rowid")
    while True:
        rows = cur.fetchmany(2000)
        if not rows:
            break
        for topic, state in rows:
            json.loads(state)
            n += 1
    took = time.perf_counter() - t0
    return {"facts": n, "total_s": round(took, 2), "facts_per_s": round(n / took), "cpu_s": cpu_s(),
            "maxrss_mb": maxrss_mb()}


def cpu_s() -> float:
    """CPU seconds of this process and its finished children (the machine may be shared: wall time is noisy)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return round(me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, 2)


def maxrss_mb() -> float:
    """Peak resident memory of this process. Linux's VmHWM starts afresh at exec, unlike
    ru_maxrss, which keeps the peak of the process that forked the child."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def in_child(*args: str) -> dict:
    res = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", *args],
                         check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--members", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--regenerate", action="store_true")
    p.add_argument("--renewals", action="store_true",
                   help="also run `run_renewals` monthly, if that command exists (slower)")
    p.add_argument("--repeat", type=int, default=1, help="measure each thing this many times (best is kept)")
    p.add_argument("--generate-only", action="store_true",
                   help="generate the store (into bench/out/generated-<members>.db) and report its rate only")
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.generate_only:
        os.makedirs(OUT, exist_ok=True)
        path = os.path.join(OUT, f"generated-{a.members}.db")
        print(json.dumps(generate(path, a.members, a.seed, a.renewals)))
        return
    if a.child:
        kind, path, *rest = a.child
        if kind == "snapshot":
            print(json.dumps(child_snapshot(path, int(rest[0]), rest[1] if len(rest) > 1 else None)))
        else:
            print(json.dumps(child_raw(path)))
        return
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"snapshot-{a.members}{'-renewals' if a.renewals else ''}.db")
    gen = None
    if a.regenerate or not os.path.exists(path):
        print(f"generating {path} …", file=sys.stderr)
        gen = generate(path, a.members, a.seed, a.renewals)
        print(f"  {json.dumps(gen)}", file=sys.stderr)
    size_mb = round(os.path.getsize(path) / 2**20, 1)

    def best(*args: str) -> dict:
        runs = [in_child(*args) for _ in range(max(1, a.repeat))]
        return min(runs, key=lambda r: r["total_s"])

    raw = best("raw", path)
    one = best("snapshot", path, "1")
    two = best("snapshot", path, "2")
    past = best("snapshot", path, "1", "2023-06-30T23:59:59+09:00")
    report = {
        "members": a.members, "db_mb": size_mb, "cpus": os.cpu_count(), "python": sys.version.split()[0],
        "generation": gen, "raw_select_json": raw, "snapshot_1_process": one, "snapshot_2_processes": two,
        "snapshot_known_at_2023_06_30": past,
        "ratio_snapshot_to_raw": round(one["total_s"] / raw["total_s"], 2),
        "ratio_snapshot_2_processes_to_raw": round(two["total_s"] / raw["total_s"], 2),
        "cpu_ratio_snapshot_to_raw": round(one["cpu_s"] / raw["cpu_s"], 2),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    with open(os.path.join(OUT, f"report-{a.members}.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
