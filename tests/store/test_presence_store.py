"""The presence check through the command path and the store, on SQLite and PostgreSQL:
status and tasks for any --as-of / --known-at, history, retries, and the PC-2
uniqueness under two concurrent enrolments."""
import threading
from datetime import date, datetime

import pytest

from commands.handlers import Context, execute
from ledger import presence
from ledger.dates import JST
from ledger.errors import NotFound, Refused
from ledger.store import open_store
from projections import presence as presence_view, status
from projections.window import Window

NOW = datetime(2025, 7, 1, 9, 0, tzinfo=JST)
CHECKS = {"intercom": "observed", "meter": "observed", "lights": "not_checkable", "mailbox": "observed"}


def t(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=JST)


def run(app, when: str, **command):
    return execute(app, command, Context(now=t(when), actor="suzuki.m"))


def enrol_command(enrolment_id: str, holder_id: str = "DL-1001", **kw) -> dict:
    return {"command": "enrol_presence_check", "enrolment_id": enrolment_id, "relation_degree": 1,
            "contract_holder": {"id": holder_id, "name": "山田 花子", "address": "東京都世田谷区桜丘2-14-6"},
            "target": {"name": "山田 一郎", "address": "静岡県静岡市葵区呉服町1-8", "phone": "054-255-0101"}, **kw}


def story(app) -> None:
    """Enrolled 04-10; first call 04-11 unanswered; second call 04-14 consented but
    entered only on 04-20; a check on 04-25; a frequent-user flag on 05-01 keyed by
    mistake and retracted on 05-02; the resident asks to stop on 06-01."""
    run(app, "2025-04-10T11:00", **enrol_command("E-1"), at="2025-04-10T11:00")
    run(app, "2025-04-11T10:00", command="record_consent_call", enrolment_id="E-1", attempt=1, outcome="no_answer",
        at="2025-04-11T10:00")
    run(app, "2025-04-20T09:00", command="record_consent_call", enrolment_id="E-1", attempt=2, outcome="consented",
        at="2025-04-14T10:00")
    run(app, "2025-04-25T19:30", command="request_presence_check", enrolment_id="E-1", at="2025-04-25T19:30",
        requester_relation_degree=0)
    run(app, "2025-04-25T20:40", command="record_visit", enrolment_id="E-1", at="2025-04-25T20:40",
        result="at_home", signed=True, checks=CHECKS)
    run(app, "2025-05-01T10:00", command="flag_frequent_user", enrolment_id="E-1", on="2025-05-01")
    run(app, "2025-05-02T10:00", command="retract", event_id="enrolment:E-1#8", reason="flagged the wrong holder")
    run(app, "2025-06-01T10:00", command="request_stop", enrolment_id="E-1", by="resident", on="2025-06-01")


def test_the_enrolment_and_the_holder_claim_are_one_append(app):
    result = run(app, "2025-04-10T11:00", **enrol_command("E-1"))
    assert [e.event_id for e in result.events] == ["enrolment:E-1#1", "holder:DL-1001#1"]
    assert result.events[0].batch == result.events[1].batch
    stored = app.read("enrolment:E-1")[0]
    assert stored.target.phone == "054-255-0101" and stored.holder_id == "DL-1001"


@pytest.mark.parametrize("as_of,known_at,state,calls,frequent", [
    ("2025-04-10", "2025-04-10T12:00", "pending_consent", 0, False),
    ("2025-04-11", None, "pending_consent", 1, False),
    ("2025-04-13", None, "pending_consent", 1, False),             # as true: consent came on 04-14
    ("2025-04-14T09:59", None, "pending_consent", 1, False),       # the instant before the call
    ("2025-04-14", "2025-04-19", "pending_consent", 1, False),     # as then known: the call not yet entered
    ("2025-04-14", "2025-04-20T08:59", "pending_consent", 1, False),
    ("2025-04-14", "2025-04-20T09:00", "active", 2, False),        # the late entry
    ("2025-04-14", None, "active", 2, False),
    ("2025-05-01", "2025-05-01T18:00", "active", 2, True),         # the mistaken flag, as then known
    ("2025-05-01", "2025-05-02T18:00", "active", 2, False),        # after its retraction
    ("2025-05-31", None, "active", 2, False),
    ("2025-06-01", None, "stopped", 2, False),
])
def test_status_as_true_and_as_then_known(app, as_of, known_at, state, calls, frequent):
    story(app)
    doc = status.status(app, "E-1", Window.parse(as_of, known_at, NOW))
    assert doc["program"] == "presence_check" and doc["id"] == "E-1"
    assert (doc["state"], len(doc["consent"]["calls"]), doc["frequent_user"]) == (state, calls, frequent)
    assert doc["frequent_since"] == ("2025-05-01" if frequent else None)


def test_status_shows_calls_requests_visits_and_the_stop(app):
    story(app)
    doc = status.status(app, "E-1", Window.parse(None, None, NOW))
    assert doc["holder_id"] == "DL-1001" and doc["relation_degree"] == 1 and doc["enrolled_on"] == "2025-04-10"
    assert doc["consent"]["outcome"] == "consented"
    assert [(c["attempt"], c["outcome"], c["late"], c["window"]) for c in doc["consent"]["calls"]] == [
        (1, "no_answer", False, {"from": "2025-04-10", "to": "2025-04-13"}),
        (2, "consented", False, {"from": "2025-04-13", "to": "2025-04-17"}),
    ]
    assert [(r["request_no"], r["decision"], r["rules"]) for r in doc["requests"]] == [(1, "dispatch", ["PC-4.1"])]
    assert doc["visits"][0]["result"] == "at_home" and doc["visits"][0]["checks"] == CHECKS
    assert doc["visits"][0]["report"] == "presence_confirmed"
    assert doc["stopped"] == {"on": "2025-06-01", "by": "resident"}
    assert doc["because"] == ["enrolment:E-1#1", "enrolment:E-1#2", "enrolment:E-1#3", "enrolment:E-1#4",
                              "enrolment:E-1#10"]
    # No personal data in the status.
    assert "山田" not in str(doc) and "054" not in str(doc)


def test_status_before_the_enrolment_and_of_an_unknown_id(app):
    story(app)
    with pytest.raises(NotFound) as e:
        status.status(app, "E-1", Window.parse("2025-04-09", None, NOW))
    assert "not yet in the ledger" in e.value.en
    with pytest.raises(NotFound):
        status.status(app, "E-404", Window.parse(None, None, NOW))


@pytest.mark.parametrize("as_of,known_at,rows", [
    ("2025-04-10", None, [("consent_call_1", "2025-04-13", False)]),
    ("2025-04-12", None, []),  # first call done, second window not open yet
    ("2025-04-13", None, [("consent_call_2", "2025-04-17", False)]),
    ("2025-04-14", "2025-04-19", [("consent_call_2", "2025-04-17", False)]),  # as staff saw it then
    ("2025-04-18", "2025-04-19", [("consent_call_2", "2025-04-17", True)]),
    ("2025-04-18", None, []),  # as now known, the call was made on 04-14
])
def test_tasks_list_the_calls_due_and_overdue(app, as_of, known_at, rows):
    story(app)
    got = presence_view.tasks(app, Window.parse(as_of, known_at, NOW))
    assert [(r["kind"], r["due_on"], r["overdue"]) for r in got] == rows
    for r in got:
        assert r["id"] == "E-1" and r["rule"] in ("PC-3.1", "PC-3.2") and "E-1" in r["action"]


def test_history_of_an_enrolment(app):
    story(app)
    events = status.stream_for(app, "E-1")
    assert [e.TYPE for e in events] == [
        "PresenceCheckEnrolled", "ConsentCallMade", "ConsentCallMade", "PresenceServiceStarted",
        "PresenceCheckRequested", "PresenceCheckDispatched", "PresenceVisitRecorded", "FrequentUserFlagged",
        "FactRetracted", "PresenceStopRequested"]


def test_a_retried_enrolment_is_a_duplicate_and_claims_nothing_more(app):
    first = run(app, "2025-04-10T11:00", **enrol_command("E-1", command_id="enrol-E-1"))
    again = run(app, "2025-04-10T11:01", **enrol_command("E-1", command_id="enrol-E-1"))
    assert not first.duplicate and again.duplicate
    assert len(app.read("holder:DL-1001")) == 1 and len(app.read("enrolment:E-1")) == 1


def test_a_refused_request_is_recorded_with_its_grounds(app):
    story(app)
    result = run(app, "2025-06-02T10:00", command="request_presence_check", enrolment_id="E-1",
                 requester_relation_degree=1, wants_unlock=True, at="2025-06-02T10:00")
    assert [(e.TYPE, e.rules) for e in result.events] == [
        ("PresenceCheckRequested", ("PC-4.1",)), ("PresenceCheckRefused", ("PC-6.1", "PC-6.6"))]
    with pytest.raises(Refused) as e:
        run(app, "2025-06-02T10:00", command="request_presence_check", enrolment_id="E-9",
            requester_relation_degree=0)
    assert e.value.rule == "PC-6.4"


def test_a_holder_can_enrol_again_after_the_first_enrolment_ended(app):
    story(app)  # E-1 stopped on 06-01
    result = run(app, "2025-06-10T10:00", **enrol_command("E-2"), on="2025-06-10")
    assert [e.event_id for e in result.events] == ["enrolment:E-2#1", "holder:DL-1001#2"]


@pytest.mark.parametrize("interleave", [False, True], ids=["released-together", "both-decide-first"])
def test_pc_2_two_concurrent_enrolments_for_one_holder(store_url, app, monkeypatch, interleave):
    """Two writers, each with its own connection, released at the same moment.

    With ``both-decide-first`` each writer also waits, after deciding on the
    still-empty holder stream, until the other has decided too: both then
    append ``holder:DL-1001#1``, the store lets exactly one through, and the
    other is decided again and refused with PC-2.
    """
    decide = presence.decide_enrol
    decided = threading.Barrier(2, timeout=30)
    calls: list[str] = []
    mine = threading.local()

    def deciding(*args, **kwargs):
        calls.append(kwargs["enrolment_id"])
        drafts = decide(*args, **kwargs)
        if interleave and not getattr(mine, "waited", False):
            mine.waited = True
            decided.wait()
        return drafts

    monkeypatch.setattr(presence, "decide_enrol", deciding)
    start = threading.Barrier(2, timeout=30)
    outcome: dict[str, object] = {}

    def writer(enrolment_id: str) -> None:
        own = open_store(store_url)
        try:
            start.wait()
            result = execute(own, enrol_command(enrolment_id, on="2025-04-10"),
                             Context(now=t("2025-04-10T11:00"), actor=f"staff-{enrolment_id}"))
            outcome[enrolment_id] = result
        except Refused as e:
            outcome[enrolment_id] = e
        finally:
            own.close()

    threads = [threading.Thread(target=writer, args=(eid,)) for eid in ("E-A", "E-B")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    refused = [v for v in outcome.values() if isinstance(v, Refused)]
    applied = [v for v in outcome.values() if not isinstance(v, Refused)]
    assert len(applied) == 1 and len(refused) == 1, outcome
    assert refused[0].rule == "PC-2" and "already has a target enrolled" in refused[0].en
    claims = app.read("holder:DL-1001")
    assert len(claims) == 1
    enrolled = [eid for eid in ("E-A", "E-B") if app.read(f"enrolment:{eid}")]
    assert enrolled == [claims[0].enrolment_id]
    if interleave:
        # Both decided on the empty stream; the loser decided a second time after its conflict.
        assert sorted(calls) == sorted(["E-A", "E-B", next(k for k, v in outcome.items() if isinstance(v, Refused))])


def test_the_demo_story_runs_end_to_end(tmp_path):
    import random

    from demo import Writer, presence_story

    app = open_store(str(tmp_path / "demo.db"), create=True, test_clock=True)
    w = Writer(app, random.Random(1))
    eid = presence_story(w, date(2025, 6, 30))
    doc = status.status(app, eid, Window.parse("2025-06-30", None, NOW))
    assert doc["state"] == "active" and doc["consent"]["outcome"] == "consented"
    assert [c["outcome"] for c in doc["consent"]["calls"]] == ["no_answer", "consented"]
    assert [(r["decision"], r["rules"]) for r in doc["requests"]] == [("dispatch", ["PC-4.1"]),
                                                                     ("refused", ["PC-6.1"])]
    assert doc["visits"][0]["result"] == "at_home" and doc["visits"][0]["signed"] is True
    app.close()


def test_a_retracted_enrolment_frees_the_holder_but_not_its_id_while_facts_remain(app):
    run(app, "2025-04-10T11:00", **enrol_command("E-1"), on="2025-04-10")
    run(app, "2025-04-11T10:00", command="record_consent_call", enrolment_id="E-1", attempt=1, outcome="no_answer",
        on="2025-04-11")
    run(app, "2025-04-11T11:00", command="retract", event_id="enrolment:E-1#1", reason="enrolled the wrong holder")
    with pytest.raises(Refused) as e:
        run(app, "2025-04-11T11:05", **enrol_command("E-1"), on="2025-04-11")
    assert e.value.code == "already_exists" and "retracted" in e.value.en
    result = run(app, "2025-04-11T11:05", **enrol_command("E-2"), on="2025-04-11")
    assert [ev.event_id for ev in result.events] == ["enrolment:E-2#1", "holder:DL-1001#2"]


@pytest.mark.parametrize("when,command", [
    ("2025-04-11T10:00", {"command": "record_consent_call", "enrolment_id": "E-1", "attempt": 1,
                          "outcome": "consented", "at": "2025-04-11T10:00"}),
    ("2025-04-12T10:00", {"command": "flag_frequent_user", "enrolment_id": "E-1", "reason": "daily calls"}),
    ("2025-04-12T10:00", {"command": "request_presence_check", "enrolment_id": "E-1", "requester_relation_degree": 0}),
    ("2025-04-12T10:00", {"command": "request_stop", "enrolment_id": "E-1", "by": "agent"}),
])
def test_a_retried_presence_command_writes_once(app, when, command):
    run(app, "2025-04-10T11:00", **enrol_command("E-1"), at="2025-04-10T11:00")
    if command["command"] != "record_consent_call":
        run(app, "2025-04-11T10:00", command="record_consent_call", enrolment_id="E-1", attempt=1,
            outcome="consented", at="2025-04-11T10:00")
    before = len(app.read("enrolment:E-1"))
    first = run(app, when, **command, command_id="retry-1")
    again = run(app, when, **command, command_id="retry-1")
    assert first.events and not first.duplicate and again.duplicate and again.events == []
    assert len(app.read("enrolment:E-1")) == before + len(first.events)


def test_a_retried_visit_writes_once(app):
    run(app, "2025-04-10T11:00", **enrol_command("E-1"), at="2025-04-10T11:00")
    run(app, "2025-04-11T10:00", command="record_consent_call", enrolment_id="E-1", attempt=1, outcome="consented",
        at="2025-04-11T10:00")
    run(app, "2025-05-20T10:00", command="request_presence_check", enrolment_id="E-1", requester_relation_degree=0,
        at="2025-05-20T10:00")
    visit = {"command": "record_visit", "enrolment_id": "E-1", "at": "2025-05-20T11:00", "result": "absent",
             "checks": CHECKS, "command_id": "visit-1"}
    assert run(app, "2025-05-20T11:00", **visit).events[0].TYPE == "PresenceVisitRecorded"
    assert run(app, "2025-05-20T11:01", **visit).duplicate
    assert [e.TYPE for e in app.read("enrolment:E-1")].count("PresenceVisitRecorded") == 1


def test_a_request_number_is_never_reused_after_a_retraction(app):
    run(app, "2025-04-10T11:00", **enrol_command("E-1"), at="2025-04-10T11:00")
    run(app, "2025-04-11T10:00", command="record_consent_call", enrolment_id="E-1", attempt=1, outcome="consented",
        at="2025-04-11T10:00")
    first = run(app, "2025-04-20T10:00", command="request_presence_check", enrolment_id="E-1",
                requester_relation_degree=0, at="2025-04-20T10:00")
    run(app, "2025-04-20T10:05", command="retract", event_id=first.events[0].event_id, reason="test call")
    again = run(app, "2025-04-20T10:10", command="request_presence_check", enrolment_id="E-1",
                requester_relation_degree=0, at="2025-04-20T10:10")
    assert again.events[0].request_no == again.events[1].request_no == 2
    doc = status.status(app, "E-1", Window.parse(None, None, NOW))
    assert [(r["request_no"], r["decision"]) for r in doc["requests"]] == [(2, "dispatch")]
