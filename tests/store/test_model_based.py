"""A model-based property test of the Ie-Sapo money and dates (issue 10).

Hypothesis draws sequences of staff actions on one house over five years - payments,
renewal runs that lag, withdrawal notices, refunds, retractions, late-recorded
facts, transfers to secondary acquirers, unapproved rentals, revocations - and
turns each into the JSON commands ``ledger apply`` accepts, each with the
LEDGER_CLOCK it ran under. They run through the real command path
(``commands.handlers.execute``: parsing, handlers, decide functions) on an
in-memory store, so 2,000 sequences take well under three minutes; the store
itself is tested on SQLite and PostgreSQL elsewhere (and ``ReplayScript`` below is
checked against a real SQLite store through the CLI).

After each sequence, for several days and two knowledge times, the invariants:
- no fee year of the house is charged twice across its owners (IE-17.1);
- a timely withdrawal notice always ends the membership at its period's end
  (Art. 3(5), 14(1)), and nothing is renewed after it;
- arrears and balance = charges - payments - refunds per member, computed here
  independently (IE-5.2, IE-14.3.3);
- every detected ground's ``since`` obeys the Civil Code period rule
  (Art. 140, 143(2)), computed here independently;
- ``status`` = the ``snapshot`` row = the ``arrears`` row for the same member and window.

A failing case prints the replay script (``note``): paste it into a shell with
LEDGER_DB set to a fresh store to see the same facts.
"""
from __future__ import annotations

import calendar
import contextlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from click.testing import CliRunner
from hypothesis import HealthCheck, given, note, settings, strategies as st

import cli
from commands.handlers import Context, execute
from ledger import fees, member, property as prop
from ledger.dates import JST, end_of_day, withdrawal_notice_deadline
from ledger.errors import ClockError, Conflict, LedgerError
from ledger.events import Event
from ledger.facts import visible
from projections import arrears, days as dated_views, member_view, snapshot, status
from projections.window import Window
from tests.story import charged_fee_years

DELIVERED = date(2025, 3, 15)  # base date 2025-04-01: periods end on 03-31
START = datetime(2025, 3, 1, 9, 0, tzinfo=JST)
HORIZON = date(2030, 6, 30)


# --- an in-memory store with the LedgerApp surface the command path and the reads use -----------------


class MemoryApp:
    """Streams in a dict, the global log in a list: appends are all-or-nothing and
    keep the store's two guarantees (no version gaps or clashes, recorded time never
    goes backwards)."""

    backend = "memory"
    can_gate = False

    def __init__(self) -> None:
        self.streams: dict[str, list[Event]] = defaultdict(list)
        self.log: list[Event] = []

    def read(self, stream: str) -> list[Event]:
        return list(self.streams.get(stream, ()))

    def exists(self, stream: str) -> bool:
        return bool(self.streams.get(stream))

    def iter_all(self, batch: int = 2000):
        return enumerate(list(self.log), 1)

    def iter_stored(self, batch: int = 2000):
        """(position, stream, topic, state) of the log, as the store's undecoded scan gives."""
        return ((n, e.originator_id, e.TYPE, b"") for n, e in enumerate(list(self.log), 1))

    def iter_streams(self, prefix: str, batch: int = 5000, *, personal: bool = True):
        """Every stream named ``<prefix>…`` with its facts, in stream-name order (as the store)."""
        for name in sorted(n for n in self.streams if n.startswith(prefix) and self.streams[n]):
            yield name, list(self.streams[name])

    def readmodel_current(self) -> bool:
        return False  # no materialized read model: member lists come from the log

    @contextlib.contextmanager
    def gate(self):
        yield

    def check_clock(self, now: datetime) -> None:
        if self.log and now < self.log[-1].recorded:
            raise ClockError(f"clock {now} before {self.log[-1].recorded}")

    def append(self, events, now: datetime, *, gated: bool = False) -> None:
        self.check_clock(now)
        sizes = {s: len(v) for s, v in self.streams.items()}
        for e in events:
            if e.originator_version != sizes.get(e.originator_id, 0) + 1:
                raise Conflict("version clash")
            sizes[e.originator_id] = e.originator_version
        for e in events:
            self.streams[e.originator_id].append(e)
            self.log.append(e)


# --- the replay script: command lines `ledger apply` accepts, with their LEDGER_CLOCK ---------------------


@dataclass
class ReplayScript:
    """Commands in order, each with the ledger clock it ran under; ``text()`` groups
    consecutive commands of one clock into one ``ledger apply`` of JSON lines."""

    lines: list[tuple[datetime, dict]] = field(default_factory=list)

    def add(self, clock: datetime, command: dict) -> None:
        self.lines.append((clock, command))

    def blocks(self) -> list[tuple[str, list[str]]]:
        out: list[tuple[str, list[str]]] = []
        for clock, command in self.lines:
            text = json.dumps(command, ensure_ascii=False, sort_keys=True)
            if out and out[-1][0] == clock.isoformat():
                out[-1][1].append(text)
            else:
                out.append((clock.isoformat(), [text]))
        return out

    def text(self) -> str:
        parts = ["# replay into a fresh store: export LEDGER_DB=replay.db LEDGER_ACTOR=model; ledger init --test-clock"]
        for clock, jsonl in self.blocks():
            parts.append(f"LEDGER_CLOCK={clock} ledger apply - <<'JSONL'\n" + "\n".join(jsonl) + "\nJSONL")
        return "\n".join(parts) + "\n"


# --- actions -> commands ---------------------------------------------------------------------------------


ACTIONS = ("wait", "pay", "pay_part", "run", "run_lagging", "notice", "notice_late_recorded", "notice_at_deadline",
           "retract_payment", "retract_run", "retract_notice", "refund", "transfer", "unapproved_rental", "revoke",
           "card_suspended")

# the actions that make the interesting cases (lagging runs, late timely notices, transfers) drawn more often
WEIGHTED = ACTIONS + ("run", "run", "run_lagging", "notice_at_deadline", "transfer", "pay")
action = st.tuples(st.sampled_from(WEIGHTED), st.integers(0, 200), st.integers(0, 120))


@dataclass
class World:
    """The interpreter of drawn actions: it owns the clock and who holds the house."""

    app: MemoryApp = field(default_factory=MemoryApp)
    script: ReplayScript = field(default_factory=ReplayScript)
    clock: datetime = START
    owner: str = "M-1"
    members: list[str] = field(default_factory=lambda: ["M-1"])
    refs: int = 0
    clocks: list[datetime] = field(default_factory=list)

    def do(self, command: dict, on: date | None = None) -> list[Event]:
        if on is not None:
            command = {**command, "on": on.isoformat()}
        self.script.add(self.clock, command)
        try:
            return execute(self.app, command, Context(now=self.clock, actor="model")).events
        except LedgerError:
            return []  # refused or bad input: nothing written (checked by the store tests)

    def tick(self, days: int, minutes: int = 7) -> None:
        self.clock = min(self.clock + timedelta(days=days, minutes=minutes),
                         datetime.combine(HORIZON, time(18), JST))
        self.clocks.append(self.clock)

    @property
    def day(self) -> date:
        return self.clock.astimezone(JST).date()

    def back(self, lag: int) -> date:
        return max(self.day - timedelta(days=lag), date(2025, 3, 1))

    def ids(self, mid: str, type_: str) -> list[str]:
        gone = {t for e in self.app.read(member.stream(mid)) if e.TYPE == "FactRetracted" for t in e.targets}
        return [e.event_id for e in self.app.read(member.stream(mid)) if e.TYPE == type_ and e.event_id not in gone]

    def setup(self) -> None:
        self.do({"command": "announce_fee", "amount": 5500}, date(2025, 1, 1))
        self.do({"command": "register_property", "property_id": "P-1", "delivered_on": DELIVERED.isoformat(),
                 "floors": 2, "builder": "company", "certified": True}, date(2025, 3, 1))
        self.onboard("M-1", date(2025, 3, 1), date(2025, 3, 10))

    def onboard(self, mid: str, applied: date, accept: date, **secondary) -> None:
        self.do({"command": "apply_membership", "member_id": mid, "property_id": "P-1",
                 "applicant": {"name": f"会員 {mid}"}, "points": True, **secondary}, applied)
        self.do({"command": "record_consent", "member_id": mid, "kind": "privacy_policy"}, applied)
        self.do({"command": "register_card", "member_id": mid, "card_token": f"tok_{mid.replace('-', '')}"}, applied)
        if accept > self.day:
            self.tick((accept - self.day).days)
        self.do({"command": "accept_registration", "member_id": mid}, accept)

    def act(self, kind: str, a: int, b: int) -> None:
        self.tick(a % 120)
        m = self.owner
        if kind == "wait":
            self.tick(a)
        elif kind in ("pay", "pay_part"):
            self.refs += 1
            amount = 5500 if kind == "pay" else (1000, 2750, 4500)[b % 3]
            self.do({"command": "record_payment", "member_id": self.members[b % len(self.members)],
                     "amount": amount, "payment_ref": f"PAY-{self.refs}"}, self.back(b % 60))
        elif kind == "run":
            self.do({"command": "run_renewals", "through": self.day.isoformat()}, self.day)
        elif kind == "run_lagging":  # a run for an earlier day, recorded now
            through = self.back(b)
            self.do({"command": "run_renewals", "through": through.isoformat()}, through)
        elif kind == "notice":
            self.do({"command": "give_withdrawal_notice", "member_id": m}, self.day)
        elif kind == "notice_late_recorded":  # received on an earlier day, entered now
            self.do({"command": "give_withdrawal_notice", "member_id": m}, self.back(b))
        elif kind == "notice_at_deadline":
            # received around the IE-3.5 deadline of a period ending 03-31 (01-30, 01-31, 02-01),
            # entered now - often after a run has already booked the next period
            year = self.day.year if self.day >= date(self.day.year, 2, 2) else self.day.year - 1
            booked = member.fold(m, visible(self.app.read(member.stream(m))))
            if a % 2 and booked is not None and len(booked.periods) > 1:
                year = max(p.start for p in booked.periods).year  # the deadline before the last booked renewal
            on = date(year, 1, 31) + timedelta(days=b % 3 - 1)
            if on >= date(2025, 3, 1):
                self.do({"command": "give_withdrawal_notice", "member_id": m}, on)
        elif kind in ("retract_payment", "retract_run", "retract_notice"):
            type_ = {"retract_payment": "PaymentRecorded", "retract_run": "MembershipRenewed",
                     "retract_notice": "WithdrawalNoticeGiven"}[kind]
            target = self.members[b % len(self.members)]
            found = self.ids(target, type_)
            if found:
                self.do({"command": "retract", "event_id": found[a % len(found)], "reason": "model: keyed by mistake"})
        elif kind == "refund":
            self.do({"command": "refund", "member_id": self.members[b % len(self.members)],
                     "reason": ("unavoidable", "loan_contingency")[a % 2]}, self.day)
        elif kind == "transfer" and len(self.members) < 3:
            transfer = self.day + timedelta(days=1 + b % 40)
            if a % 2:  # around the next renewal day: 03-31, 04-01, 04-02
                year = self.day.year if self.day < date(self.day.year, 3, 30) else self.day.year + 1
                transfer = date(year, 3, 31) + timedelta(days=b % 3)
            self.do({"command": "notify_owner_change", "member_id": m, "kind": "sale",
                     "change_on": transfer.isoformat()}, self.day)
            self.tick((transfer - self.day).days + a % 20)
            new = f"M-{len(self.members) + 1}"
            self.onboard(new, self.day, self.day, acquirer="secondary", previous_member_id=m,
                         transfer_on=transfer.isoformat(), transfer_kind="sale")
            if member.fold(new, visible(self.app.read(member.stream(new)))) is not None:
                self.members.append(new)
                if self.ids(new, "RegistrationAccepted"):
                    self.owner = new
        elif kind == "unapproved_rental":
            self.do({"command": "report_unapproved_rental", "member_id": m}, self.back(b % 30))
        elif kind == "revoke":
            self.do({"command": "revoke", "member_id": m, "rule": "IE-14.3.3",
                     "override_reason": "model: the company's own judgement"}, self.day)
        elif kind == "card_suspended":
            self.do({"command": "report_card_suspended", "member_id": m,
                     "card_token": f"tok_{m.replace('-', '')}"}, self.back(b % 30))


# --- invariants, each computed here without the code under test where it can be ----------------------------


def civil_after_one_month(first_counted: date) -> date:
    """The day after one month counted from S (Art. 143(2)): S's day in the next
    month; where that month has no such day, the 1st of the month after it."""
    y, mth = (first_counted.year + 1, 1) if first_counted.month == 12 else (first_counted.year, first_counted.month + 1)
    if first_counted.day <= calendar.monthrange(y, mth)[1]:
        return date(y, mth, first_counted.day)
    return date(y + 1, 1, 1) if mth == 12 else date(y, mth + 1, 1)


def fold(app: MemoryApp, mid: str, day: date, known_at: datetime) -> member.Member | None:
    return member.fold(mid, visible(app.read(member.stream(mid)), end_of_day(day), known_at))


def fee_years(app: MemoryApp, mids: list[str], known_at: datetime) -> list[tuple[str, date]]:
    house = prop.fold(visible(app.read(prop.stream("P-1")), known_at=known_at))
    out = []
    for mid in mids:
        m = fold(app, mid, HORIZON, known_at)
        if m is None:
            continue
        out += [(mid, y) for y in charged_fee_years(m, house, HORIZON)]
    return out


def snapshot_row(app: MemoryApp, mid: str, w: Window) -> dict | None:
    """The snapshot's own programme (incremental fold + row) over the member's visible facts."""
    state = snapshot.MEMBERS.new(mid)
    for e in visible(app.read(member.stream(mid)), w.as_of, w.known_at):
        state = snapshot.MEMBERS.evolve(state, e)
    tariffs = fees.fold(visible(app.read(fees.STREAM), known_at=w.known_at))
    return snapshot.MEMBERS.row(state, snapshot.Context(w, tariffs))


def check(world: World) -> None:
    app = world.app
    final = world.clock
    knowns = sorted({final, *world.clocks[len(world.clocks) // 2: len(world.clocks) // 2 + 1]})
    for known_at in knowns:
        years = fee_years(app, world.members, known_at)
        starts = [y for _, y in years]
        assert len(starts) == len(set(starts)), f"a fee year charged twice as known at {known_at}: {years}"
    # every 73 days, and the boundary days of each charge (due, overdue, one month on) and notice
    days = {date(2025, 3, 10) + timedelta(days=k) for k in range(0, (HORIZON - date(2025, 3, 10)).days, 73)}
    for mid in world.members:
        full = fold(app, mid, HORIZON, final)
        if full is None:
            continue
        for c in full.charges:
            one_month = civil_after_one_month(c.due_on + timedelta(days=1))
            days |= {c.due_on, c.due_on + timedelta(days=1), one_month - timedelta(days=1), one_month}
        if full.notice is not None:
            days |= {full.notice.effective_on - timedelta(days=1), full.notice.effective_on}
    # Each member's dated views (projections.days) as now known, computed once for all the days.
    dated = {mid: dated_views.timeline(member.stream(mid), app.read(member.stream(mid)),
                                       dated_views.Recording(app.read, None)) for mid in world.members}
    for day in sorted(d for d in days if d <= HORIZON):
        for known_at in knowns:
            w = Window(end_of_day(day), known_at)
            arrears_rows = arrears.rows(app, w)
            for mid in world.members:
                check_member(app, mid, day, known_at, arrears_rows)
                if known_at == final:
                    check_dated(app, mid, w, dated[mid])


def check_dated(app: MemoryApp, mid: str, w: Window, intervals: list) -> None:
    """The dated view holding the day, read back, is the status row and the member's tasks that day."""
    src = member_view.Sources(app.read, w)
    v = member_view.of_facts(mid, app.read(member.stream(mid)), src)
    held = [i for i in intervals if i.start <= w.day < i.until]
    if v is None:
        assert held == [], (mid, w.day)
        return
    assert len(held) == 1, (mid, w.day, [(i.start, i.until) for i in intervals])
    if held[0].view is None:
        return  # live: assembled from the log when read
    row = dated_views.compose(held[0].view, w, dated_views.tariff_on(src.tariffs, w.day), v.row["applicant"])
    assert row == v.row, (mid, w.day)
    assert held[0].view["tasks"] == member_view.member_tasks(v), (mid, w.day)


def check_member(app: MemoryApp, mid: str, day: date, known_at: datetime, arrears_rows: list[dict]) -> None:
    w = Window(end_of_day(day), known_at)
    m = fold(app, mid, day, known_at)
    if m is None:
        return
    # a timely notice ends the membership at its period's end; nothing renews after it
    n = m.notice
    if n is not None and n.in_time:
        true_p = m.true_period_on(n.on) or min(m.periods, key=lambda p: p.number)  # before the start: period 1
        assert n.on <= withdrawal_notice_deadline(n.period_end) and n.effective_on == n.period_end + timedelta(days=1)
        assert true_p is not None and true_p.end == n.period_end, (mid, n, true_p)
        if day >= n.effective_on and m.revoked is None:
            assert m.state_on(day) == "withdrawn", (mid, day, m.state_on(day))
        assert all(p.start < n.effective_on for p in m.periods if not m.void_period(p))
    # arrears = charges - payments - refunds, oldest first (IE-14.3.3: from the day after the due date)
    refunded = {cid: amt for on, cid, amt, _ in m.refunds if on <= day}
    live = [c for c in m.charges if not m.void_charge(c) and c.due_on <= day]
    owed_before = sum(c.amount - refunded.get(c.event_id, 0) for c in live if c.due_on < day)
    owed_all = sum(c.amount - refunded.get(c.event_id, 0) for c in live)
    paid = sum(p.amount for p in m.payments if p.on <= day) - sum(refunded.values())
    a = m.arrears_on(day)
    assert a.amount == max(0, owed_before - paid), (mid, day, a, owed_before, paid)
    assert a.balance == owed_all - paid, (mid, day, a.balance, owed_all, paid)
    # every detected ground's since obeys the period rule
    for g in member.grounds_on(m, day):
        assert g.since <= day, g
        if g.rule == "IE-13.1.2":
            assert g.since == a.oldest_due_on + timedelta(days=1)
        if g.rule == "IE-14.3.3" and a.oldest_due_on is not None and g.because == a.because:
            assert g.since == civil_after_one_month(a.oldest_due_on + timedelta(days=1)), (g, a.oldest_due_on)
    if a.amount > 0 and m.state_on(day) in member.MEMBER_STATES:
        in_force = civil_after_one_month(a.oldest_due_on + timedelta(days=1)) <= day
        assert in_force == any(g.rule == "IE-14.3.3" and g.because == a.because for g in member.grounds_on(m, day))
    # status = the snapshot row = the arrears row
    st_row = status.member_status(app, mid, w)
    assert st_row == snapshot_row(app, mid, w), (mid, day, known_at)
    ar = [r for r in arrears_rows if r["member_id"] == mid]
    if st_row["arrears"]["amount"] > 0:
        assert len(ar) == 1
        assert (ar[0]["amount"], ar[0]["oldest_due_on"], ar[0]["days_overdue"]) == \
            (st_row["arrears"]["amount"], st_row["arrears"]["oldest_due_on"], st_row["arrears"]["days_overdue"])
        assert ar[0]["grounds"] == [f"{g['rule']} since {g['since']}" for g in st_row["grounds"]]
    else:
        assert ar == []


def play(actions: list[tuple[str, int, int]]) -> World:
    world = World()
    world.setup()
    for kind, a, b in actions:
        world.act(kind, a, b)
    world.tick(400)
    world.do({"command": "run_renewals", "through": world.day.isoformat()}, world.day)
    return world


@settings(max_examples=2000, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(action, min_size=1, max_size=14))
def test_model_invariants_hold_for_random_command_sequences(actions):
    world = play(actions)
    note(world.script.text())  # printed with the failing example: the replay script
    check(world)


# --- the replay script itself ----------------------------------------------------------------------


FIXED = [("pay", 3, 0), ("pay_part", 5, 1), ("retract_payment", 0, 1), ("transfer", 20, 10), ("wait", 200, 0),
         ("notice_late_recorded", 0, 20), ("run_lagging", 60, 1), ("wait", 80, 0), ("run_lagging", 0, 10),
         ("refund", 0, 1)]


def test_the_replay_script_replays_the_same_facts_through_the_cli(tmp_path, monkeypatch):
    """Each block of the script, applied by `ledger apply` with its LEDGER_CLOCK to a real
    SQLite store, records exactly the facts the in-memory run recorded."""
    world = play(FIXED)
    text = world.script.text()
    assert text.startswith("# replay into a fresh store") and "LEDGER_CLOCK=2025-03-01T09:00:00+09:00 ledger apply -" in text
    blocks = world.script.blocks()
    assert sum(len(lines) for _, lines in blocks) == len(world.script.lines)
    db = tmp_path / "replay.db"
    monkeypatch.setenv("LEDGER_DB", str(db))
    monkeypatch.setenv("LEDGER_ACTOR", "model")
    r = CliRunner()
    assert r.invoke(cli.main, ["init", "--test-clock"]).exit_code == 0
    for clock, lines in blocks:
        res = r.invoke(cli.main, ["apply", "-"], input="\n".join(lines) + "\n", env={"LEDGER_CLOCK": clock})
        assert res.exit_code in (0, 1, 2) and "Traceback" not in res.output, res.output
        assert len(res.output.splitlines()) == len(lines)
    from ledger.store import open_store

    real = open_store(str(db))
    try:
        def shape(events):
            return [(e.originator_id, e.originator_version, e.TYPE, e.effective, e.recorded,
                     getattr(e, "amount", None), getattr(e, "period_number", None)) for e in events]

        got = shape(e for _, e in real.iter_all())
        want = shape(world.app.log)
        assert got == want and len(want) >= 20
        assert {e.TYPE for e in world.app.log} >= {"FactRetracted", "MembershipWithdrawn", "PaymentRecorded",
                                                  "WithdrawalNoticeGiven", "RegistrationAccepted"}
    finally:
        real.close()
