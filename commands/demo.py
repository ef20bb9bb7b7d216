"""``ledger demo``: a realistic sample ledger built through the ordinary command path.

Every fact goes through ``execute`` with a simulated ledger clock, so the demo
also exercises the rules: nothing here writes around them. A fixed seed keeps
the story the same from run to run; the last simulated day is today.
"""
from __future__ import annotations

import os
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from commands.handlers import Context, execute
from ledger import clock
from ledger.dates import JST, add_months
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
FOCUS = "M-0001"


def at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour, 0), JST)


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


def build(path: str, members: int, today: date, seed: int = 20251) -> Writer:
    if os.path.exists(path):
        os.remove(path)
    app = open_store(path, create=True)
    rng = random.Random(seed)
    w = Writer(app, rng)
    w(at(date(2021, 1, 1)), command="announce_fee", amount=5500, on="2021-01-01")
    plan = []
    for i in range(1, members + 1):
        delivered = date(2021, 2, 1) + timedelta(days=rng.randrange(0, (today - date(2021, 4, 1)).days))
        plan.append((delivered, i))
    plan.sort()
    # The focus member is delivered early so the story spans years.
    plan.insert(0, (date(2021, 3, 20), 0))
    for delivered, i in plan:
        mid = FOCUS if i == 0 else f"M-{i + 1:04d}"
        pid = f"P-{1000 + i}"
        applied = delivered - timedelta(days=rng.randrange(10, 40))
        name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
        if i == 0:
            name = "山田 花子"
        w(at(applied), command="register_property", property_id=pid, delivered_on=delivered.isoformat(),
          floors=rng.choice([2, 2, 2, 3, 1]), builder=rng.choice(["company", "group_company"]), certified=True,
          on=applied.isoformat())
        w(at(applied), command="apply_membership", member_id=mid, property_id=pid, on=applied.isoformat(),
          points=rng.random() < 0.6,
          applicant={"name": name, "address": f"{rng.choice(CITIES)}{rng.randrange(1, 9)}-{rng.randrange(1, 30)}",
                     "phone": f"090-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                     "birth_date": date(rng.randrange(1955, 1998), rng.randrange(1, 13), rng.randrange(1, 28)).isoformat()})
        w(at(applied, 11), command="record_consent", member_id=mid, kind="privacy_policy", on=applied.isoformat())
        w(at(applied, 11), command="record_consent", member_id=mid, kind="operator_provision", on=applied.isoformat())
        card_day = applied + timedelta(days=rng.randrange(0, 9))
        late = rng.random() < 0.05 and i != 0
        if late:
            card_day = delivered + timedelta(days=rng.randrange(3, 20))
            w(at(card_day), command="extend_registration_deadline", member_id=mid,
              until=(card_day + timedelta(days=5)).isoformat(), on=card_day.isoformat())
        w(at(card_day, 12), command="register_card", member_id=mid, card_token=f"tok_{rng.getrandbits(40):010x}",
          on=card_day.isoformat())
        accept_day = max(card_day, delivered - timedelta(days=rng.randrange(0, 5)))
        if accept_day > today:
            continue
        w(at(accept_day, 15), command="accept_registration", member_id=mid, on=accept_day.isoformat(),
          command_id=f"accept-{mid}")
        fee = 5500
        roll = rng.random()
        pay_day = accept_day + timedelta(days=rng.randrange(1, 20))
        if i == 0:
            continue
        if roll < 0.88 and pay_day <= today:
            w(at(pay_day), command="record_payment", member_id=mid, amount=fee, payment_ref=f"PAY-{i:05d}-1",
              on=pay_day.isoformat())
        elif roll < 0.94 and pay_day <= today:
            w(at(pay_day), command="record_payment_failure", member_id=mid, amount=fee,
              payment_ref=f"DECL-{i:05d}-1", on=pay_day.isoformat())
    story(w, today)
    return w


def story(w: Writer, today: date) -> None:
    """The focus member's disputed payment: recorded late, then a mistaken entry retracted."""
    paid_on = date(2021, 4, 5)
    # The payment arrived on 2021-04-05 but was entered only on 2021-06-20.
    w(at(date(2021, 6, 20)), command="record_payment", member_id=FOCUS, amount=5500,
      payment_ref="PAY-FOCUS-1", on=paid_on.isoformat())
    # A payment keyed against her by mistake on 2021-05-10, retracted on 2021-05-12.
    wrong = w(at(date(2021, 5, 10)), command="record_payment", member_id=FOCUS, amount=5500,
              payment_ref="PAY-WRONG-7", on="2021-05-10")
    w(at(date(2021, 5, 12)), command="retract", event_id=wrong[0].event_id,
      reason="Keyed against the wrong member (the payment was 佐藤's).")


def build_and_show(path: str, members: int, lang: str, emit: Callable) -> None:
    today = clock.now().astimezone(JST).date()
    w = build(path, members, today)
    app = w.app
    now = max(clock.now(), w.last)
    print = __import__("click").echo
    print(f"Built {path}: {members} members, {w.count} facts (SQLite).\n")
    print(f"== {FOCUS} today ({today}) ==")
    emit(status_view.status(app, FOCUS, Window(now, now)), "table")
    incident = at(date(2021, 5, 20), 12)
    print(f"\n== {FOCUS} on {incident.date()} as the ledger showed staff then (known at {incident.isoformat()}) ==")
    emit(status_view.status(app, FOCUS, Window(incident, incident)), "table")
    print(f"\n== {FOCUS} on {incident.date()} as now known (the late payment is in, the mistake is out) ==")
    emit(status_view.status(app, FOCUS, Window(incident, now)), "table")
    print(f"\n== Members in arrears today ==")
    rows = arrears_view.rows(app, Window(now, now))
    emit(rows[:15], "table", ["member_id", "amount", "oldest_due_on", "days_overdue", "grounds"])
    if len(rows) > 15:
        print(f"… and {len(rows) - 15} more (ledger --db {path} arrears)")
    print(f"\nTry: ledger --db {path} history {FOCUS}    ledger --db {path} status {FOCUS} --as-of {incident.date()} --known-at {incident.date()}")
