"""The folds pick each event's change by its exact class (issue 14): a table lookup.

The lookup is by ``type(e)``, so a subclass of a folded event would be skipped
silently; event classes are final (a change of meaning is a new class), and
these tests say so where it would break.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from ledger import member, presence
from ledger.events import CardRegistered, ConsentRecorded, Event, FeeRefunded, PaymentFailed


def _subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub} | _subclasses(sub)
    return out


def test_every_folded_event_class_is_final_so_the_exact_class_finds_its_change():
    for table in (member.FOLD, presence.FOLD):
        for cls in table:
            assert issubclass(cls, Event), cls
            assert _subclasses(cls) == set(), f"{cls.__name__} has subclasses the fold table would skip"


def test_the_member_and_presence_tables_fold_disjoint_events():
    assert set(member.FOLD) & set(presence.FOLD) == set()


def _at(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 9, tzinfo=timezone.utc)


def _event(cls, n: int, d: date, **data):
    at = _at(d)
    return cls(originator_id="member:M-0042", originator_version=n, effective=at, recorded=at, actor="staff:tanaka",
               command_id=f"c-{n}", rules=(), **data)


def test_the_fold_keeps_named_records_that_still_unpack_as_before():
    m = member.Member("M-0042")
    for e in (_event(ConsentRecorded, 1, date(2026, 3, 2), kind="privacy_policy"),
              _event(CardRegistered, 2, date(2026, 3, 3), card_token="tok_4242"),
              _event(PaymentFailed, 3, date(2026, 4, 1), amount=12000, payment_ref="PAY-7"),
              _event(FeeRefunded, 4, date(2026, 5, 1), charge_id="member:M-0042#9", amount=11000,
                     handling_fee=1000, reason="loan_contingency")):
        member.evolve(m, e)
    assert m.consents["privacy_policy"] == [member.ConsentMark(date(2026, 3, 2), True, "member:M-0042#1")]
    assert m.cards[0].token == "tok_4242" and tuple(m.cards[0]) == (date(2026, 3, 3), "tok_4242", "member:M-0042#2")
    assert m.failures[0].ref == "PAY-7" and m.failures[0].amount == 12000
    assert m.refunds[0].charge_id == "member:M-0042#9" and m.refunds[0].amount == 11000
    assert m.consent_on("privacy_policy", date(2026, 3, 1)) == member.ConsentState(False, None)
    assert m.consent_on("privacy_policy", date(2026, 3, 2)).because == "member:M-0042#1"
    assert m.card_on(date(2026, 3, 3)) == "tok_4242" and m.card_on(date(2026, 3, 2)) is None
