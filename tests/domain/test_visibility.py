"""The as-of/known-at visibility rule (issue 14): ``ledger.facts.visible``, the snapshot's
replay (its one-window fast path and its several-window path) and the diff's changers all
agree with the rule as the module states it, written here once more in plain words.

A fact counts at (as_of, known_at) when its effective time <= as_of, its recorded time
<= known_at, and no retraction recorded <= known_at names it. The facts sit on the
boundaries: recorded exactly at known_at, effective exactly at as_of, one microsecond
either side, retracted before / at / after known_at, and retracted twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import combinations

import pytest

from ledger import fees
from ledger.dates import JST
from ledger.events import ConsentRecorded, Event, FactRetracted, FeeAnnounced
from ledger.facts import Retraction, earliest_retractions, visible
from projections.snapshot import Program, Replay, _changers
from projections.window import Window

US = timedelta(microseconds=1)
AS_OF = datetime(2026, 3, 31, 23, 59, 59, 999999, tzinfo=JST)
KNOWN = datetime(2026, 4, 10, 9, 0, tzinfo=JST)
STREAM = "member:M-0042"


def consent(version: int, effective: datetime, recorded: datetime) -> ConsentRecorded:
    return ConsentRecorded(originator_id=STREAM, originator_version=version, recorded=recorded, effective=effective,
                           actor="tanaka.h", kind="privacy_policy")


def retraction(version: int, recorded: datetime, *targets: int) -> FactRetracted:
    return FactRetracted(originator_id=STREAM, originator_version=version, recorded=recorded, effective=recorded,
                         actor="suzuki.k", targets=tuple(f"{STREAM}#{t}" for t in targets), reason="keyed twice")


def fee(version: int, applies_from: datetime, recorded: datetime) -> FeeAnnounced:
    return FeeAnnounced(originator_id=fees.STREAM, originator_version=version, recorded=recorded,
                        effective=applies_from, actor="kato.m", amount=6600, reason="revision",
                        applies_from=applies_from.date())


EARLY = datetime(2026, 3, 1, 10, 0, tzinfo=JST)
FACTS: list[Event] = [
    consent(1, AS_OF, KNOWN),                  # both boundaries exactly: counts
    consent(2, AS_OF + US, EARLY),             # effective just after as_of
    consent(3, EARLY, KNOWN + US),             # recorded just after known_at
    consent(4, EARLY, EARLY),                  # retracted before known_at (#9)
    consent(5, EARLY, EARLY),                  # retracted at known_at exactly (#10)
    consent(6, EARLY, EARLY),                  # retracted after known_at (#11)
    consent(7, EARLY, EARLY),                  # retracted twice: after known_at (#12), then before it (#13)
    consent(8, EARLY, EARLY),                  # retracted twice, both after known_at (#11, #12)
    retraction(9, KNOWN - timedelta(days=3), 4),
    retraction(10, KNOWN, 5),
    retraction(11, KNOWN + US, 6, 8),
    retraction(12, KNOWN + timedelta(days=2), 7, 8),
    # Recorded later than #12 but earlier in time: the earliest retraction of #7 is this one.
    retraction(13, KNOWN - timedelta(days=1), 7),
]
SHARED = [fee(1, AS_OF + timedelta(days=30), KNOWN), fee(2, EARLY, KNOWN + US)]

# Every boundary the facts above sit on, each side of it.
AS_OFS = [EARLY - US, EARLY, AS_OF, AS_OF + US]
KNOWN_ATS = sorted({t + d for e in FACTS + SHARED for t in (e.recorded,) for d in (-US, timedelta(0), US)})
WINDOWS = [Window(a, k) for a in AS_OFS for k in KNOWN_ATS]


def plain_rule(e: Event, facts: list[Event], as_of: datetime | None, known_at: datetime) -> bool:
    """The rule as ``ledger.facts`` states it, written without any of its code."""
    if isinstance(e, FactRetracted):
        return False
    if e.recorded > known_at:
        return False
    if as_of is not None and e.effective > as_of:
        return False
    for r in facts:
        if isinstance(r, FactRetracted) and r.recorded <= known_at and e.event_id in r.targets:
            return False
    return True


def expected(w: Window) -> list[str]:
    return [e.event_id for e in FACTS if plain_rule(e, FACTS, w.as_of, w.known_at)]


def expected_shared(w: Window) -> list[str]:
    # The fee schedule counts what was announced by known_at, whatever its applies_from.
    return [e.event_id for e in SHARED if plain_rule(e, SHARED, None, w.known_at)]


def collect() -> Program:
    """A programme that keeps the facts it is given, in order."""
    return Program("member:", "test", lambda _: [], lambda st, e: st.append(e) or st, lambda st, ctx: None)


def replay(windows: list[Window], bounds: tuple[datetime, datetime] | None = None) -> Replay:
    # Like the snapshot: the retractions of pass 1 are bounded by the latest known_at.
    gone = earliest_retractions(FACTS + SHARED, max(w.known_at for w in windows))
    r = Replay(windows, gone, bounds=bounds, programs=[collect()], decoder=lambda topic, e: e)
    for e in FACTS + SHARED:
        r.feed(e.originator_id, e.TYPE, e)
    return r


def folded(r: Replay, k: int) -> list[str]:
    return [e.event_id for e in r.states[k].get(STREAM, [])]


def test_the_boundary_cases_say_what_the_rule_says():
    w = Window(AS_OF, KNOWN)
    assert expected(w) == [f"{STREAM}#{n}" for n in (1, 6, 8)]
    assert expected(Window(AS_OF, KNOWN - US)) == [f"{STREAM}#{n}" for n in (5, 6, 8)]
    assert expected(Window(AS_OF, KNOWN + timedelta(days=3))) == [f"{STREAM}#{n}" for n in (1, 3)]
    assert expected_shared(w) == ["fees#1"]


@pytest.mark.parametrize("w", WINDOWS, ids=lambda w: f"{w.as_of.isoformat()}|{w.known_at.isoformat()}")
def test_visible_agrees_with_the_plain_rule(w):
    assert [e.event_id for e in visible(FACTS, w.as_of, w.known_at)] == expected(w)
    assert [e.event_id for e in visible(SHARED, known_at=w.known_at)] == expected_shared(w)


@pytest.mark.parametrize("w", WINDOWS, ids=lambda w: f"{w.as_of.isoformat()}|{w.known_at.isoformat()}")
def test_the_one_window_replay_agrees_with_the_plain_rule(w):
    r = replay([w])
    assert r.simple  # the fast path that runs for every fact of a snapshot
    assert folded(r, 0) == expected(w)
    assert [e.event_id for e in r.shared[0]] == expected_shared(w)


def test_the_several_window_replay_and_the_diff_agree_with_the_plain_rule():
    pairs = [(a, b) for a, b in combinations(WINDOWS, 2) if a.as_of == b.as_of][::7]
    assert len(pairs) > 40
    for a, b in pairs:
        bounds = (min(a.known_at, b.known_at), max(a.known_at, b.known_at))
        r = replay([a, b], bounds=bounds)
        assert not r.simple
        assert (folded(r, 0), folded(r, 1)) == (expected(a), expected(b))
        assert ([e.event_id for e in r.shared[0]], [e.event_id for e in r.shared[1]]) == (
            expected_shared(a), expected_shared(b))
        # The diff lists exactly the facts that count for one window and not the other.
        differ = sorted(set(expected(a)) ^ set(expected(b)))
        assert sorted(c["event_id"] for c in r.changers.get(STREAM, [])) == differ
        per_stream = _changers(FACTS, [a, b], bounds).get(STREAM, [])
        assert sorted(c["event_id"] for c in per_stream) == differ


def test_the_earliest_retraction_of_a_fact_retracted_twice_is_the_one_kept():
    gone = earliest_retractions(FACTS)
    assert gone[f"{STREAM}#7"] == Retraction.of(FACTS[12])
    assert gone[f"{STREAM}#8"] == Retraction.of(FACTS[10])
    # Bounded by known_at, a retraction not yet recorded is not there at all.
    assert f"{STREAM}#6" not in earliest_retractions(FACTS, KNOWN)
    assert earliest_retractions(FACTS, KNOWN)[f"{STREAM}#5"].event_id == f"{STREAM}#10"
