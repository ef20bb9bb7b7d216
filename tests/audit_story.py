"""The auditors' and dispute handlers' story, written through the ordinary command path.

Three members of two houses and a third, with an incident on 2025-05-20 at 21:30:

- M-0042 (late acceptance): applied 03-01, card 03-02; the company accepted on
  03-10 but staff entered the acceptance only on 05-25, and the payment made on
  03-12 only on 05-26. At the incident the ledger showed an *applied* member;
  as now known she was *active* and owed nothing.
- M-0043 (retracted acceptance): accepted on 03-10 and entered that day; on
  06-01 the acceptance (with the fee it charged) was retracted as a mistake.
  At the incident the ledger showed an *active* member in arrears; as now known
  she was only *applied*.
- M-0044 (on time): accepted 03-10, a payment keyed on 05-10 by mistake and
  retracted on 05-12 (before the incident), and the real payment on 03-20.
"""
from __future__ import annotations

from datetime import datetime

from commands.handlers import Context, execute
from ledger.dates import JST

INCIDENT = "2025-05-20T21:30:00+09:00"
NOW = "2025-07-01T09:00:00+09:00"


def t(s: str) -> datetime:
    d = datetime.fromisoformat(s)
    return d if d.tzinfo else d.replace(tzinfo=JST)


def run(app, when: str, actor: str = "sato.k", **command):
    return execute(app, command, Context(now=t(when), actor=actor))


def build(app) -> None:
    run(app, "2025-01-01T09:00", command="announce_fee", amount=5500, on="2025-01-01")
    for pid in ("P-1", "P-2", "P-3"):
        run(app, "2025-03-01T09:00", command="register_property", property_id=pid, delivered_on="2025-03-15",
            floors=2, builder="company", certified=True, on="2025-03-01")
    members = (("M-0042", "P-1", "山田 花子"), ("M-0043", "P-2", "佐藤 健一"), ("M-0044", "P-3", "鈴木 美咲"))
    for k, (mid, pid, name) in enumerate(members):
        run(app, f"2025-03-01T10:{2 * k:02d}", command="apply_membership", member_id=mid, property_id=pid,
            applicant={"name": name}, on="2025-03-01")
        run(app, f"2025-03-01T10:{2 * k + 1:02d}", command="record_consent", member_id=mid, kind="privacy_policy",
            on="2025-03-01")
    for k, (mid, _, _) in enumerate(members):
        run(app, f"2025-03-02T10:{k:02d}", command="register_card", member_id=mid, card_token=f"tok_{mid[-2:]}aa",
            on="2025-03-02")
    run(app, "2025-03-10T15:00", "suzuki.m", command="accept_registration", member_id="M-0043", on="2025-03-10")
    run(app, "2025-03-10T15:05", "suzuki.m", command="accept_registration", member_id="M-0044", on="2025-03-10")
    run(app, "2025-03-20T11:00", command="record_payment", member_id="M-0044", amount=5500, payment_ref="PAY-44-1",
        on="2025-03-20")
    run(app, "2025-05-10T09:00", command="record_payment", member_id="M-0044", amount=5500, payment_ref="PAY-WRONG",
        on="2025-05-10")
    run(app, "2025-05-12T09:00", "takahashi.y", command="retract", event_id="member:M-0044#7",
        reason="Keyed against the wrong member.")
    # After the incident: the late entries and the retraction.
    run(app, "2025-05-25T10:00", "suzuki.m", command="accept_registration", member_id="M-0042", on="2025-03-10")
    run(app, "2025-05-26T10:00", command="record_payment", member_id="M-0042", amount=5500, payment_ref="PAY-42-1",
        on="2025-03-12")
    run(app, "2025-06-01T10:00", "takahashi.y", command="retract", event_id="member:M-0043#4",
        reason="Accepted by mistake: the photo ID was missing.")
