"""The storage contract of events (issue 14): pinned topics, class versions, upcasters, golden shapes."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import pytest

from ledger.dates import JST
from ledger.events import EVENT_TYPES, Event, Personal
from ledger.store import decode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "tools"))
import golden_events  # noqa: E402

def t(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=JST)


@pytest.fixture
def scratch_types():
    """Event classes a test defines are registered only for that test."""
    before = dict(EVENT_TYPES)
    yield
    EVENT_TYPES.clear()
    EVENT_TYPES.update(before)


def test_every_event_shape_matches_the_golden_file_at_its_version():
    golden = json.loads(golden_events.OUT.read_text(encoding="utf-8"))
    assert golden_events.problems(golden, golden_events.contract()) == []


def test_the_golden_check_fails_an_unversioned_change_and_passes_a_bumped_one():
    golden = golden_events.contract()
    changed = json.loads(json.dumps(golden))
    changed["MemberSuspended"]["schema"]["properties"]["overide_reason"] = {"type": "string"}
    assert golden_events.problems(golden, changed) == [
        "MemberSuspended: its stored shape changed but VERSION is still 1: bump VERSION and add an upcaster, "
        "then regenerate with `python tools/golden_events.py`"]
    changed["MemberSuspended"]["version"] = 2
    assert golden_events.problems(golden, changed) == [
        "MemberSuspended: VERSION 2 is not in the golden file (it says 1): regenerate with "
        "`python tools/golden_events.py`"]
    assert golden_events.problems(changed, changed) == []
    renamed = {("Suspended" if k == "MemberSuspended" else k): v for k, v in golden.items()}
    assert golden_events.problems(golden, renamed) == [
        "MemberSuspended: a stored topic no longer has a class, so its facts cannot be read: keep its TYPE",
        "Suspended: a new event type: regenerate with `python tools/golden_events.py`"]


def test_the_golden_check_sees_a_shape_change_and_ignores_a_docstring(scratch_types):
    class Probe(Event):
        """First wording."""

        TYPE: ClassVar[str] = "Probe"
        VERSION: ClassVar[int] = 1
        note: str

    before = golden_events.shape(Probe)
    del EVENT_TYPES["Probe"]

    class ProbeRenamed(Event):
        """Other wording, same shape."""

        TYPE: ClassVar[str] = "Probe"
        VERSION: ClassVar[int] = 1
        note: str

    assert golden_events.shape(ProbeRenamed) == before
    del EVENT_TYPES["Probe"]

    class ProbeWider(Event):
        """Same wording."""

        TYPE: ClassVar[str] = "Probe"
        VERSION: ClassVar[int] = 1
        note: str
        urgent: bool = False

    assert golden_events.shape(ProbeWider) != before


def test_an_event_class_must_pin_its_type_and_version_and_have_every_upcaster(scratch_types):
    with pytest.raises(TypeError, match="pin its stored TYPE literally"):
        class Unpinned(Event):
            VERSION: ClassVar[int] = 1
    with pytest.raises(TypeError, match="must state its VERSION"):
        class Unversioned(Event):
            TYPE: ClassVar[str] = "Unversioned"
    with pytest.raises(TypeError, match="lacks upcast_v2_v3"):
        class Skips(Event):
            TYPE: ClassVar[str] = "Skips"
            VERSION: ClassVar[int] = 3

            @staticmethod
            def upcast_v1_v2(state: dict) -> None:
                state["x"] = 1
    assert not {"Unpinned", "Unversioned", "Skips"} & set(EVENT_TYPES)
    assert all(cls.__dict__["TYPE"] == topic for topic, cls in EVENT_TYPES.items())


def test_an_upcaster_runs_on_a_stored_older_fact(app, scratch_types):
    """Version 1 is stored, the class moves to version 3 under another class name: the old fact
    reads back upcast (its sealed personal field opened under the name it was stored with),
    a fact stored at version 3 reads back as stored, and each stored state carries its version."""

    class NoteTaken(Event):
        """Version 1: a free text and who said it."""

        TYPE: ClassVar[str] = "ProbeNoteTaken"
        VERSION: ClassVar[int] = 1
        text: str
        who: Personal

    app.append([NoteTaken(originator_id="probe:1", originator_version=1, recorded=t("2025-04-01T09:00"),
                          effective=t("2025-04-01T09:00"), actor="sato", text="water leak",
                          who=Personal(name="山田 太郎"))], t("2025-04-01T09:00"))
    del EVENT_TYPES["ProbeNoteTaken"]

    class NoteRecorded(Event):
        """Version 3: the words, the person, and urgency (unknown before version 3: not urgent)."""

        TYPE: ClassVar[str] = "ProbeNoteTaken"
        VERSION: ClassVar[int] = 3
        words: tuple[str, ...]
        person: Personal
        urgent: bool

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["words"] = state.pop("text").split()
            state["person"] = state.pop("who")

        @staticmethod
        def upcast_v2_v3(state: dict) -> None:
            state["urgent"] = False

    app.append([NoteRecorded(originator_id="probe:1", originator_version=2, recorded=t("2025-04-02T09:00"),
                             effective=t("2025-04-02T09:00"), actor="sato", words=("key",), urgent=True,
                             person=Personal(name="佐藤 花子"))], t("2025-04-02T09:00"))
    old, new = app.read("probe:1")
    assert type(old) is NoteRecorded and type(new) is NoteRecorded
    assert (old.words, old.urgent, old.person.name) == (("water", "leak"), False, "山田 太郎")
    assert (new.words, new.urgent, new.person.name) == (("key",), True, "佐藤 花子")
    stored = [json.loads(state) for _, stream, _, state in app.iter_stored(topics=["ProbeNoteTaken"])]
    assert [s["class_version"] for s in stored] == [1, 3]
    assert "text" in stored[0] and "words" not in stored[0]  # the stored fact itself is never rewritten


def test_a_fact_stored_before_class_versions_reads_as_version_1(scratch_types):
    class Counted(Event):
        TYPE: ClassVar[str] = "ProbeCounted"
        VERSION: ClassVar[int] = 2
        count: int

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["count"] = int(state.pop("tally"))

    envelope = {"originator_id": "probe:2", "originator_version": 1, "recorded": "2025-04-01T09:00:00+09:00",
                "effective": "2025-04-01T09:00:00+09:00", "actor": "sato"}
    unversioned = decode("ProbeCounted", json.dumps({**envelope, "tally": "7"}).encode())
    assert unversioned.count == 7
    current = decode("ProbeCounted", json.dumps({**envelope, "class_version": 2, "count": 8}).encode())
    assert current.count == 8


# --- made strictly, read leniently (issue 14: typos do not vanish) ---------------------------------


def test_a_draft_with_a_misspelt_field_fails_where_it_is_written():
    from ledger.events import MemberSuspended
    from ledger.facts import Draft

    with pytest.raises(TypeError, match=r"MemberSuspended has no field overide_reason; its fields are .*override_reason"):
        Draft("member:M-0042", MemberSuspended, {"rule": "IE-13.1.1", "overide_reason": "card company's call"})
    good = Draft("member:M-0042", MemberSuspended, {"rule": "IE-13.1.1", "override_reason": "card company's call"})
    assert good.data["override_reason"] == "card company's call"


def test_an_event_made_with_an_unknown_field_is_refused_but_a_stored_one_still_reads():
    from pydantic import ValidationError

    from ledger.events import MemberSuspended

    envelope = {"originator_id": "member:M-0042", "originator_version": 3, "actor": "sato",
                "recorded": t("2025-04-01T09:00"), "effective": t("2025-04-01T09:00"), "rule": "IE-13.1.1"}
    with pytest.raises(ValidationError, match="overide_reason"):
        MemberSuspended(**envelope, overide_reason="typo")
    # A stored fact with a field this version does not know (written by a later version, or a
    # field since removed) decodes: a replay never fails on it.
    stored = MemberSuspended(**envelope, override_reason="kept").model_dump(mode="json")
    fact = decode("MemberSuspended", json.dumps({**stored, "overide_reason": "old typo"}).encode())
    assert (fact.override_reason, fact.rule) == ("kept", "IE-13.1.1")
    assert not hasattr(fact, "overide_reason")
