"""``ledger demo``: a realistic sample ledger built through the ordinary command path.

It sits beside the CLI, above commands and projections (it writes through the
one and shows through the other), and holds every programme's demo story, so
no command module carries one (issue 14).

Every fact goes through ``execute`` with a simulated ledger clock, so the demo
also exercises the rules: nothing here writes around them. The simulation is a
timeline of actions run in time order; a fixed seed keeps the story the same
from run to run, and the last simulated day is today.
"""
from __future__ import annotations

import heapq
import itertools
import os
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from commands.handlers import Context, execute
from ledger import clock
from ledger.dates import JST, add_months, jst_date, last_of_month
from ledger.errors import LedgerError
from ledger.store import open_store
from projections import arrears as arrears_view, status as status_view
from projections.window import Window

SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
            "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本"]
GIVEN = ["太郎", "花子", "健一", "美咲", "翔太", "陽菜", "大輔", "結衣", "拓也", "さくら", "直樹", "葵",
         "誠", "由美", "亮", "恵子", "浩二", "真由美", "隆", "愛"]
CITIES = ["東京都世田谷区", "神奈川県横浜市青葉区", "埼玉県さいたま市浦和区", "千葉県船橋市", "大阪府豊中市",
          "兵庫県西宮市", "愛知県名古屋市千種区", "福岡県福岡市早良区"]
STAFF = ["sato.k", "suzuki.m", "takahashi.y"]
FOCUS = "M-0001"          # the disputed late payment and a retraction
LATE = "M-0002"           # pays a renewal two months late: grounds arise
REVOKED = "M-0003"        # never pays a renewal: revoked on IE-14.3.3
SELLER, BUYER = "M-0004", "M-2004"  # house sold: a secondary acquirer
LANDLORD = "M-0005"       # lets the house with approval (IE-18)
LEAVER = "M-0006"         # gives notice of withdrawal
SPECIAL = {FOCUS, LATE, REVOKED, SELLER, LANDLORD, LEAVER}


def at(d: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), JST)


class Writer:
    """Runs commands through ``execute`` with a simulated clock that never goes back."""

    def __init__(self, app, rng: random.Random) -> None:
        self.app, self.rng, self.last = app, rng, at(date(2020, 1, 1))
        self.count = 0

    def __call__(self, when: datetime, **command) -> list:
        self.last = max(self.last, when)
        result = execute(self.app, command, Context(now=self.last, actor=self.rng.choice(STAFF)))
        self.count += len(result.events)
        return result.events


class Timeline:
    """A queue of (time, action) run in time order; actions may schedule more."""

    def __init__(self) -> None:
        self.queue: list = []
        self.seq = itertools.count()

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.queue, (when, next(self.seq), action))

    def run(self, until: datetime) -> None:
        while self.queue and self.queue[0][0] <= until:
            _, _, action = heapq.heappop(self.queue)
            action()


def build(path: str, members: int, today: date, seed: int = 20251, until: datetime | None = None) -> Writer:
    """Build the sample ledger; nothing is recorded after ``until`` (default
    18:00 on ``today``), so staff can write to it at once without the clock
    check refusing them."""
    # The old store's journal files and key file go with it: a stale -wal beside a new
    # file, or an old key file, would be read by the new store.
    for old in (path, f"{path}-wal", f"{path}-shm", f"{path}-journal", f"{path}.key"):
        if os.path.lexists(old):
            os.remove(old)
    app = open_store(path, create=True, test_clock=True, origin="demo")
    rng = random.Random(seed)
    w = Writer(app, rng)
    tl = Timeline()
    end = min(at(today, 18), until) if until is not None else at(today, 18)
    tl.at(at(date(2021, 1, 4)), lambda: w(at(date(2021, 1, 4)), command="announce_fee", amount=5500, on="2021-01-04"))
    # A revision announced 2024-06-10 applies to renewal dates from 2024-08-11 (IE-5.3).
    tl.at(at(date(2024, 6, 10)), lambda: w(at(date(2024, 6, 10)), command="announce_fee", amount=6600,
                                           on="2024-06-10"))
    houses = sorted(date(2021, 2, 1) + timedelta(days=rng.randrange(0, (today - date(2021, 4, 1)).days))
                    for _ in range(members))
    houses[:6] = [date(2021, 3, 20), date(2021, 5, 12), date(2021, 6, 3), date(2021, 7, 8), date(2021, 9, 15),
                  date(2021, 10, 2)]
    for i, delivered in enumerate(houses, start=1):
        onboard(tl, w, rng, f"M-{i:04d}", f"P-{999 + i}", delivered, today, "山田 花子" if i == 1 else None)
    month = date(2021, 4, 30)
    while month <= today:
        run_day = month + timedelta(days=1)
        tl.at(at(run_day, 7), renewal_run(tl, w, rng, month, today))
        month = last_of_month(add_months(month, 1))
    stories(tl, w, today)
    # Other programmes' stories write through the same timeline, each fact at its own time.
    def later(when: datetime, **command) -> list:
        tl.at(when, lambda: w(when, **command))
        return []

    presence_story(later, today)
    services_story(later, today)
    tl.run(end)
    return w


def onboard(tl: Timeline, w: Writer, rng: random.Random, mid: str, pid: str, delivered: date, today: date,
            name: str | None) -> None:
    applied = delivered - timedelta(days=rng.randrange(10, 40))
    card_day = applied + timedelta(days=rng.randrange(0, 9))
    late = rng.random() < 0.05 and mid not in SPECIAL
    if late:
        card_day = delivered + timedelta(days=rng.randrange(3, 20))
    accept_day = max(card_day, delivered - timedelta(days=rng.randrange(0, 5)))
    name = name or f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
    points = rng.random() < 0.6 or mid == FOCUS

    def start() -> None:
        w(at(applied), command="register_property", property_id=pid, delivered_on=delivered.isoformat(),
          floors=rng.choice([2, 2, 2, 3, 1]), builder=rng.choice(["company", "group_company"]), certified=True,
          on=applied.isoformat())
        w(at(applied, 10, 30), command="apply_membership", member_id=mid, property_id=pid, on=applied.isoformat(),
          points=points,
          applicant={"name": name, "address": f"{rng.choice(CITIES)}{rng.randrange(1, 9)}-{rng.randrange(1, 30)}",
                     "phone": f"090-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                     "birth_date": date(rng.randrange(1955, 1998), rng.randrange(1, 13), rng.randrange(1, 28)).isoformat()})
        w(at(applied, 11), command="record_consent", member_id=mid, kind="privacy_policy", on=applied.isoformat())
        w(at(applied, 11), command="record_consent", member_id=mid, kind="operator_provision", on=applied.isoformat())

    def card() -> None:
        if late:
            w(at(card_day, 9), command="extend_registration_deadline", member_id=mid,
              until=(card_day + timedelta(days=5)).isoformat(), on=card_day.isoformat())
        w(at(card_day, 12), command="register_card", member_id=mid, card_token=f"tok_{rng.getrandbits(40):010x}",
          on=card_day.isoformat())

    def accept() -> None:
        events = w(at(accept_day, 15), command="accept_registration", member_id=mid, on=accept_day.isoformat(),
                   command_id=f"accept-{mid}")
        charge = next(e for e in events if e.TYPE == "FeeCharged")
        if mid != FOCUS:
            schedule_payment(tl, w, rng, mid, charge.amount, charge.due_on, today)

    tl.at(at(applied), start)
    tl.at(at(card_day, 12), card)
    if accept_day <= today:
        tl.at(at(accept_day, 15), accept)
        if points:
            start_day = (accept_day.replace(day=1) + timedelta(days=32)).replace(day=1)
            award = start_day + timedelta(days=rng.randrange(3, 12))
            if award < today and rng.random() < 0.85:
                tl.at(at(award, 16), lambda: award_points(w, mid, award, "start"))


def award_points(w: Writer, mid: str, on: date, reason: str) -> None:
    try:
        w(at(on, 16), command="award_points", member_id=mid, points=500, reason=reason, on=on.isoformat())
    except LedgerError:
        pass  # not registered for points, or nothing outstanding: the ledger said no, as it should


def schedule_payment(tl: Timeline, w: Writer, rng: random.Random, mid: str, amount: int, due: date,
                     today: date) -> None:
    roll = rng.random()
    if mid == REVOKED and due.year >= 2022:
        return  # never pays the renewal
    delay = 63 if (mid == LATE and due.year == 2022) else rng.randrange(0, 12)
    pay_day = due + timedelta(days=delay)
    if pay_day > today or (roll > 0.95 and mid not in SPECIAL):
        return
    ref = f"PAY-{mid}-{due.isoformat()}"
    tl.at(at(pay_day, 13), lambda: w(at(pay_day, 13), command="record_payment", member_id=mid, amount=amount,
                                     payment_ref=ref, on=pay_day.isoformat()))
    award = pay_day + timedelta(days=rng.randrange(2, 12))
    if award < today and rng.random() < 0.9:
        tl.at(at(award, 16), lambda: award_points(w, mid, award, "renewal"))


def renewal_run(tl: Timeline, w: Writer, rng: random.Random, through: date, today: date) -> Callable[[], None]:
    def run() -> None:
        events = w(at(through + timedelta(days=1), 7), command="run_renewals", through=through.isoformat(),
                   on=(through + timedelta(days=1)).isoformat(), command_id=f"renewals-{through.isoformat()}")
        for e in events:
            if e.TYPE == "FeeCharged":
                mid = e.originator_id.split(":", 1)[1]
                schedule_payment(tl, w, rng, mid, e.amount, e.due_on, today)
    return run


def stories(tl: Timeline, w: Writer, today: date) -> None:
    # FOCUS: the first fee arrived on 2021-04-05 but was entered only on 2021-06-20;
    # a payment keyed against her by mistake on 2021-05-10 was retracted on 2021-05-12.
    tl.at(at(date(2021, 6, 20)), lambda: w(at(date(2021, 6, 20)), command="record_payment", member_id=FOCUS,
                                           amount=5500, payment_ref="PAY-FOCUS-1", on="2021-04-05"))

    def wrong() -> None:
        ev = w(at(date(2021, 5, 10)), command="record_payment", member_id=FOCUS, amount=5500,
               payment_ref="PAY-WRONG-7", on="2021-05-10")
        tl.at(at(date(2021, 5, 12)), lambda: w(at(date(2021, 5, 12)), command="retract", event_id=ev[0].event_id,
                                               reason="Keyed against the wrong member (the payment was 佐藤's)."))
    tl.at(at(date(2021, 5, 10)), wrong)
    # REVOKED: the renewal fee due 2022-06-30 stays unpaid; one month later the
    # ground IE-14.3.3 arises and staff revoke (arrears survive, IE-14.5).
    tl.at(at(date(2022, 7, 20)), lambda: w(at(date(2022, 7, 20)), command="suspend", member_id=REVOKED,
                                           rule="IE-13.1.2", on="2022-07-20"))
    tl.at(at(date(2022, 8, 2)), lambda: w(at(date(2022, 8, 2)), command="revoke", member_id=REVOKED,
                                          rule="IE-14.3.3", on="2022-08-02"))
    # SELLER sells the house; the buyer registers as a secondary acquirer.
    tl.at(at(date(2023, 1, 10)), lambda: w(at(date(2023, 1, 10)), command="notify_owner_change", member_id=SELLER,
                                           kind="sale", change_on="2023-02-01", on="2023-01-10"))

    def buyer() -> None:
        w(at(date(2023, 2, 3)), command="apply_membership", member_id=BUYER, property_id="P-1003",
          acquirer="secondary", previous_member_id=SELLER, transfer_on="2023-02-01", transfer_kind="sale",
          applicant={"name": "中村 誠", "address": "兵庫県西宮市3-7"}, points=True, on="2023-02-03")
        w(at(date(2023, 2, 3), 11), command="record_consent", member_id=BUYER, kind="privacy_policy", on="2023-02-03")
        w(at(date(2023, 2, 3), 11), command="record_consent", member_id=BUYER, kind="operator_provision",
          on="2023-02-03")
        w(at(date(2023, 2, 4)), command="register_card", member_id=BUYER, card_token="tok_buyer2004", on="2023-02-04")
        events = w(at(date(2023, 2, 10)), command="accept_registration", member_id=BUYER, on="2023-02-10")
        charge = next(e for e in events if e.TYPE == "FeeCharged")
        schedule_payment(tl, w, random.Random(7), BUYER, charge.amount, charge.due_on, today)
    tl.at(at(date(2023, 2, 3)), buyer)
    # LANDLORD lets the house from 2024-04-01 with approval; services stop (IE-18).
    tl.at(at(date(2024, 2, 20)), lambda: w(at(date(2024, 2, 20)), command="apply_rental", member_id=LANDLORD,
                                           lease_start="2024-04-01", on="2024-02-20"))
    tl.at(at(date(2024, 2, 27)), lambda: w(at(date(2024, 2, 27)), command="approve_rental", member_id=LANDLORD,
                                           on="2024-02-27"))
    # LEAVER gives notice in time for the period ending 2025-10-31 (by 2025-08-31).
    tl.at(at(date(2025, 8, 29)), lambda: w(at(date(2025, 8, 29)), command="give_withdrawal_notice",
                                           member_id=LEAVER, on="2025-08-29"))


def build_and_show(path: str, members: int, lang: str, emit: Callable, echo: Callable | None = None) -> None:
    """Build the demo and show it; ``echo`` prints a line (the CLI passes one that translates)."""
    started = clock.now()
    today = started.astimezone(JST).date()
    w = build(path, members, today, until=started)
    app = w.app
    now = max(clock.now(), w.last)
    echo = echo or __import__("click").echo
    echo(f"Built {path}: {members + 1} members, {w.count} facts (SQLite), {today} is today.\n")
    echo(f"== {FOCUS} today ({today}) ==")
    emit(brief(status_view.status(app, FOCUS, Window(now, now))), "table")
    incident = at(date(2021, 5, 20), 12)
    echo(f"\n== {FOCUS} on {incident.date()} as the ledger showed staff then (known at {incident.isoformat()}) ==")
    emit(brief(status_view.status(app, FOCUS, Window(incident, incident))), "table")
    echo(f"\n== {FOCUS} on {incident.date()} as now known (the late-entered payment counts, the mistake is gone) ==")
    emit(brief(status_view.status(app, FOCUS, Window(incident, now))), "table")
    echo("\n== Members in arrears today ==")
    rows = arrears_view.rows(app, Window(now, now))
    emit(rows[:10], "table", ["member_id", "amount", "oldest_due_on", "days_overdue", "grounds"])
    if len(rows) > 10:
        echo(f"… and {len(rows) - 10} more (ledger --db {path} arrears)")
    echo("\nMore stories in this ledger:")
    for mid, what, day in [(LATE, "renewal fee paid two months late: grounds IE-13.1.2 then IE-14.3.3", "2022-07-15"),
                           (REVOKED, "revoked on IE-14.3.3; arrears survive (IE-14.5)", None),
                           (SELLER, "house sold: withdrawn as of the transfer (IE-14.2)", None),
                           (BUYER, "the secondary acquirer (IE-17.1)", None),
                           (LANDLORD, "approved rental: services stop (IE-18)", None),
                           (LEAVER, "withdrawal notice in time (IE-3.5)", None),
                           (None, "the focus member's house: year-5 inspection, report and estimate", "inspections P-1000"),
                           (None, "a lost special key at 23:40 (hotel), a caller who is not a relative at 02:15 "
                                  "(refused), a daytime leak", "emergencies M-0001"),
                           (PRESENCE_ID, "a presence-check enrolment: consent on the second call, a visit, "
                                      "an unlock request refused (PC-6.1)", None)]:
        if mid is None:
            echo(f"  ledger --db {path} {day}    # {what}")
        else:
            echo(f"  ledger --db {path} status {mid}{' --as-of ' + day if day else ''}    # {what}")
    echo(f"  ledger --db {path} history {FOCUS}    ledger --db {path} tasks")


def brief(row: dict) -> dict:
    keep = ("id", "state", "period", "renewals", "arrears", "annual_fee", "grounds", "services", "known_at")
    out = {k: row[k] for k in keep if k in row}
    return {"id": out.pop("id"), "name": row["applicant"]["name"], **out}


# --- the presence-check story (moved here from commands/presence.py, issue 14) ----------

PRESENCE_ID = "E-0001"


def presence_story(writer, today: date) -> str:
    """One presence-check enrolment end to end, through the ordinary command path.

    ``writer(when, command=..., ...)`` is ``Writer``. Enrolled 40
    days before ``today``: the first call finds nobody, the second (day 3, inside
    its window) gets consent, a request by the contract holder is dispatched and
    the visit finds the target at home; a later request to unlock the door is
    refused (PC-6.1). Returns the enrolment id.
    """
    e = today - timedelta(days=40)
    writer(at(e, 11), command="enrol_presence_check", enrolment_id=PRESENCE_ID, relation_degree=1,
           contract_holder={"id": "DL-0001", "name": "山田 花子", "address": "東京都世田谷区桜丘2-14-6"},
           target={"name": "山田 一郎", "address": "静岡県静岡市葵区呉服町1-8", "phone": "054-255-0101"},
           at=at(e, 11).isoformat())
    writer(at(e + timedelta(days=1), 10), command="record_consent_call", enrolment_id=PRESENCE_ID, attempt=1,
           outcome="no_answer", at=at(e + timedelta(days=1), 10).isoformat())
    writer(at(e + timedelta(days=3), 14), command="record_consent_call", enrolment_id=PRESENCE_ID, attempt=2,
           outcome="consented", at=at(e + timedelta(days=3), 14).isoformat())
    asked = e + timedelta(days=20)
    writer(at(asked, 19, 30), command="request_presence_check", enrolment_id=PRESENCE_ID, requester_relation_degree=0,
           wants_unlock=False, beyond_front_door=False, at=at(asked, 19, 30).isoformat())
    writer(at(asked, 20, 40), command="record_visit", enrolment_id=PRESENCE_ID, result="at_home", signed=True,
           checks={"intercom": "observed", "meter": "observed", "lights": "observed", "mailbox": "not_checkable"},
           at=at(asked, 20, 40).isoformat())
    again = e + timedelta(days=30)
    writer(at(again, 8, 15), command="request_presence_check", enrolment_id=PRESENCE_ID, requester_relation_degree=1,
           wants_unlock=True, beyond_front_door=False, at=at(again, 8, 15).isoformat())
    return PRESENCE_ID


# --- the inspections and emergencies story (moved here from commands/services.py, issue 14) ---


def services_story(writer, today: date, member_id: str = "M-0001", property_id: str = "P-1000") -> dict:
    """Add to the focus member's house (delivered 2021-03-20) its year-5 inspection
    history and three emergency requests, each at its own moment, through the
    ordinary command path. Facts dated after ``today`` are left out.

    Returns the event ids created, by kind."""
    def t(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=JST)

    steps = [
        ("inspections", at(date(2025, 11, 10)), dict(
            command="send_inspection_notice", property_id=property_id, year=5, on="2025-11-10")),
        ("inspections", at(date(2026, 1, 20)), dict(
            command="schedule_inspection", property_id=property_id, year=5, inspection_on="2026-03-07",
            on="2026-01-20")),
        ("inspections", at(date(2026, 3, 7), 16), dict(
            command="complete_inspection", property_id=property_id, year=5, report_id="R-P1000-05",
            repairs_needed=True, on="2026-03-07")),
        ("inspections", at(date(2026, 3, 15)), dict(
            command="request_estimate", property_id=property_id, year=5, on="2026-03-15")),
        ("inspections", at(date(2026, 4, 2)), dict(
            command="present_estimate", property_id=property_id, year=5, amount=88000, on="2026-04-02")),
        # A lost special key at 23:40: hotel only, the stay paid up to 10,000 yen (IE-A2-1.3).
        ("emergencies", t("2026-06-13T23:48"), dict(
            command="request_emergency", member_id=member_id, property_id=property_id, at="2026-06-13T23:40:00+09:00",
            category="lost_key", key_type="special", requester="member", id_checked=True)),
        # A caller who is neither the member nor a relative at 02:15: refused (IE-8.8.1).
        ("emergencies", t("2026-08-02T02:20"), dict(
            command="request_emergency", member_id=member_id, property_id=property_id, at="2026-08-02T02:15:00+09:00",
            category="water", requester="other", id_checked=False)),
        # A leak in the daytime: a first response (IE-8.1, IE-A2-1.1).
        ("emergencies", t("2026-09-21T14:05"), dict(
            command="request_emergency", member_id=member_id, property_id=property_id, at="2026-09-21T14:00:00+09:00",
            category="water", requester="relative", id_checked=True)),
    ]
    out: dict[str, list[str]] = {"inspections": [], "emergencies": []}
    for kind, when, command in steps:
        if jst_date(when) > today:
            continue
        out[kind].extend(e.event_id for e in writer(when, **command))
    return out
