"""Personal data: erasure once retention has ended (IE-19.10)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from commands import models as m
from commands.registry import Unit, handles
from ledger import member, privacy
from ledger.dates import jst_date
from ledger.facts import Draft


class ErasePersonalData(m.Command):
    """Erase a member's personal data once the membership has ended and nothing is owed (IE-19.10)."""

    EXAMPLE = "ledger member erase --member-id M-0042 --on 2027-04-01"
    NAME, GROUP, VERB = "erase_personal_data", "member", "erase"
    command: Literal["erase_personal_data"] = "erase_personal_data"
    member_id: str = m.Id


@handles(ErasePersonalData)
def erase_personal_data(u: Unit, c: ErasePersonalData, eff: datetime) -> list[Draft]:
    mem = member.require_known(member.fold(c.member_id, u.known(member.stream(c.member_id), eff)), c.member_id,
                               u.read(member.stream(c.member_id)))
    return privacy.decide_erase(mem, jst_date(eff), privacy.erased_on(u.read(member.stream(c.member_id))))
