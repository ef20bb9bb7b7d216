"""Erasure of a member's personal data once retention has ended (IE-19.10).

IE-19.10 keeps personal information only until the withdrawal or revocation
procedure is complete. **Reading** (TERMS.md): complete = the member is
withdrawn or revoked and owes nothing (IE-14.5). Besides those, a registration
that was refused never became a membership, and an expired membership (after
the 29th renewal, IE-3.5.cap) has ended the same way; both are erasable once
nothing is owed. Anything else is refused, citing IE-19.10.

Erasure is a fact (``PersonalDataErased``); storing it destroys the member's
data key in the same transaction, so it cannot be undone or retracted.
"""
from __future__ import annotations

from datetime import date

from ledger.errors import Refused
from ledger.events import Event, PersonalDataErased
from ledger.facts import Draft
from ledger.member import Member, stream

ENDED = ("withdrawn", "revoked", "expired", "refused")


def erased_on(events: list[Event]) -> date | None:
    """When the subject of these facts was erased (retractions cannot undo it)."""
    return next((e.on for e in events if isinstance(e, PersonalDataErased)), None)


def decide_erase(m: Member, on: date, already: date | None) -> list[Draft]:
    """IE-19.10: erase once the membership has ended and nothing is owed on ``on``."""
    mid = m.member_id
    if already is not None:
        raise Refused(f"Member {mid}'s personal data was already erased on {already}.",
                      f"会員 {mid} の個人情報は {already} に消去済みです。", rule="IE-19.10", code="no_change")
    state = m.state_on(on)
    if state not in ENDED:
        raise Refused(
            f"Member {mid} is {state} on {on}: personal data is kept until the withdrawal or revocation is complete, "
            "so it cannot be erased yet.",
            f"会員 {mid} は {on} 時点で {state} です。個人情報は退会または資格取消しの手続完了まで保持するため、まだ消去できません。",
            rule="IE-19.10",
        )
    balance = m.arrears_on(on).balance
    if balance > 0:
        raise Refused(
            f"Member {mid} still owes {balance} yen on {on}: the procedure is complete only when nothing is owed "
            "(IE-14.5), so personal data cannot be erased yet.",
            f"会員 {mid} は {on} 時点で {balance} 円が未払いです。未払いがなくなるまで手続は完了しないため、まだ消去できません。",
            rule="IE-19.10",
        )
    return [Draft(stream(mid), PersonalDataErased, {"subject": stream(mid), "state": state, "balance": balance},
                  ("IE-19.10",))]
