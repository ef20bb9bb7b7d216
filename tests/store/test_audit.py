"""Auditors and dispute handlers: snapshot, diff, explain, bundle — on late-recorded and retracted facts.

The story (tests/audit_story.py) has a late-recorded acceptance (M-0042: applied
as known at the incident, active as now known), a retracted acceptance
(M-0043: active as known then, applied as now known) and a mistaken payment
retracted before the incident (M-0044).
"""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from typing import ClassVar

import pytest

import audit_story as story
from ledger.events import Event
from ledger.facts import visible
from ledger.store import open_store
from projections import bundle, explain, report, snapshot, status
from projections.window import Window


def w(as_of: str, known_at: str) -> Window:
    return Window.parse(as_of, known_at, story.t(story.NOW))


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def told(request, tmp_path_factory):
    """The story, written once per backend for the module's read-only tests."""
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("audit") / "ledger.db")
        drop = None
    else:
        import uuid

        import psycopg

        from conftest import PG_ADMIN, TEST_MASTER_KEY, need_postgres

        need_postgres()
        # A PostgreSQL ledger needs a master key; set only while this module's store is open.
        mp = pytest.MonkeyPatch()
        if not os.environ.get("LEDGER_MASTER_KEY_FILE"):
            mp.setenv("LEDGER_MASTER_KEY", os.environ.get("LEDGER_MASTER_KEY") or TEST_MASTER_KEY)
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"CREATE SCHEMA {schema}")
        url, drop = f"{PG_ADMIN}?schema={schema}", schema
    app = open_store(url, create=True, test_clock=True)
    story.build(app)
    yield app
    app.close()
    if drop:
        mp.undo()
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP SCHEMA IF EXISTS {drop} CASCADE")


# --- snapshot ------------------------------------------------------------------------------------------------

WINDOWS = [
    # (as_of, known_at): the boundary days and instants of the story
    ("2025-03-09", story.NOW),                  # the day before the acceptances take effect
    ("2025-03-10", story.NOW),                  # acceptance day: the first fee falls due, not yet overdue
    ("2025-03-11", story.NOW),                  # the first day in arrears
    ("2025-05-11", "2025-05-11T23:59"),         # the mistaken payment known, not yet retracted
    ("2025-05-11", "2025-05-12T09:00"),         # the instant the retraction is recorded: it counts
    ("2025-05-20", story.INCIDENT),             # what staff saw at the incident
    ("2025-05-20", "2025-05-25T09:59:59"),      # a second before the late acceptance is recorded
    ("2025-05-20", "2025-05-25T10:00"),         # the late acceptance is recorded
    ("2025-05-20", "2025-06-01T10:00"),         # the retraction of M-0043's acceptance
    ("2025-05-20", story.NOW),
]


@pytest.mark.parametrize("as_of,known_at", WINDOWS)
def test_snapshot_rows_are_exactly_the_status_rows(told, as_of, known_at):
    win = w(as_of, known_at)
    snap = snapshot.run(told, win)
    assert [r["id"] for r in snap.rows] == ["M-0042", "M-0043", "M-0044"]
    for row in snap.rows:
        assert row == status.member_status(told, row["id"], win)


def test_snapshot_totals_as_known_then_and_as_now_known(told):
    then = snapshot.run(told, w("2025-05-20", story.INCIDENT))
    assert then.totals == {
        "rows": 3,
        "by_state": {"iesapo": {"active": 2, "applied": 1}},
        "arrears": {"members": 1, "amount": 5500},        # M-0043, whose acceptance stood then
        # its fee due 2025-03-10: overdue from 03-11, one month in arrears from 04-11
        "grounds": {"members": 1, "by_rule": {"IE-13.1.2": 1, "IE-14.3.3": 1}},
    }
    now = snapshot.run(told, w("2025-05-20", story.NOW))
    assert now.totals["by_state"] == {"iesapo": {"active": 2, "applied": 1}}
    assert [r["state"] for r in now.rows] == ["active", "applied", "active"]
    assert [r["state"] for r in then.rows] == ["applied", "active", "active"]
    assert now.totals["arrears"] == {"members": 0, "amount": 0}


def test_snapshot_sees_a_mistake_until_its_retraction_is_recorded(told):
    before = {r["id"]: r for r in snapshot.run(told, w("2025-05-11", "2025-05-11T23:59")).rows}
    after = {r["id"]: r for r in snapshot.run(told, w("2025-05-11", "2025-05-12T09:00")).rows}
    assert before["M-0044"]["balance"] == -5500      # the wrong payment counted as a credit
    assert after["M-0044"]["balance"] == 0


def test_the_replay_decodes_only_the_streams_it_folds(told):
    snap = snapshot.replay(told, [w("2025-05-20", story.NOW)], jobs=1)
    assert snap.stats["facts"] == sum(1 for _ in told.iter_all())
    # Property facts (3 registrations, 3 acceptance links) and retractions are
    # never decoded in the fold pass.
    assert snap.stats["decoded"] == snap.stats["facts"] - 3 - 3 - 2
    assert snap.stats["folded"] < snap.stats["decoded"]


def test_two_processes_give_the_same_snapshot_and_diff_as_one(told):
    win = w("2025-05-20", story.INCIDENT)
    # One process reads stream by stream (flat memory); two share a replay of the global log.
    one, two = snapshot.run(told, win, jobs=1), snapshot.run(told, win, jobs=2)
    assert two.rows == one.rows and two.totals == one.totals and len(one.rows) == 3
    assert one.stats["streams"] == 3 and one.stats["facts"] == sum(len(told.read(f"member:M-00{k}")) for k in (42, 43, 44))
    assert two.stats["jobs"] == 2 and two.stats["folded"] == snapshot.replay(told, [win], jobs=1).stats["folded"]
    as_of = w("2025-05-20", "").as_of
    assert (snapshot.diff(told, as_of, story.t(story.INCIDENT), story.t(story.NOW), jobs=2)
            == snapshot.diff(told, as_of, story.t(story.INCIDENT), story.t(story.NOW), jobs=1))


def test_snapshot_before_any_application_is_empty(told):
    snap = snapshot.run(told, w("2025-02-28", story.NOW))
    assert snap.rows == [] and snap.totals["rows"] == 0


# --- diff -------------------------------------------------------------------------------------------------------


def test_diff_names_the_restated_members_and_the_facts_that_restated_them(told):
    d = snapshot.diff(told, w("2025-05-20", "").as_of, story.t(story.INCIDENT), story.t(story.NOW))
    assert [m["id"] for m in d["members"]] == ["M-0042", "M-0043"]
    m42, m43 = d["members"]
    assert {"field": "state", "then": "applied", "now": "active"} in m42["fields"]
    assert [(f["event_id"], f["kind"], f["actor"], f["recorded"]) for f in m42["facts"]] == [
        ("member:M-0042#4", "recorded_late", "suzuki.m", "2025-05-25T10:00:00+09:00"),
        ("member:M-0042#5", "recorded_late", "suzuki.m", "2025-05-25T10:00:00+09:00"),
        ("member:M-0042#6", "recorded_late", "sato.k", "2025-05-26T10:00:00+09:00"),
    ]
    assert {"field": "state", "then": "active", "now": "applied"} in m43["fields"]
    assert {"field": "arrears.amount", "then": 5500, "now": 0} in m43["fields"]
    retracted = m43["facts"][0]
    assert retracted["event_id"] == "member:M-0043#4" and retracted["kind"] == "retracted"
    assert retracted["retracted_by"] == "member:M-0043#6"
    assert retracted["retracted_actor"] == "takahashi.y"
    assert retracted["reason"] == "Accepted by mistake: the photo ID was missing."
    assert d["totals"]["changed"] == 2


def test_diff_between_equal_knowledge_is_empty_and_is_symmetric(told):
    as_of = w("2025-05-20", "").as_of
    assert snapshot.diff(told, as_of, story.t(story.NOW), story.t(story.NOW))["members"] == []
    back = snapshot.diff(told, as_of, story.t(story.NOW), story.t(story.INCIDENT))
    m42 = back["members"][0]
    assert {"field": "state", "then": "active", "now": "applied"} in m42["fields"]


def test_diff_shows_a_member_whose_application_was_recorded_late_as_appeared(told):
    # Known at 2025-03-01T09:59 no application was recorded yet.
    d = snapshot.diff(told, w("2025-03-05", "").as_of, story.t("2025-03-01T09:59"), story.t(story.NOW))
    assert [(m["id"], m["change"]) for m in d["members"]] == [("M-0042", "appeared"), ("M-0043", "appeared"),
                                                              ("M-0044", "appeared")]
    assert d["totals"]["appeared"] == 3


# --- explain -------------------------------------------------------------------------------------------------------


def report_for(app, member_id: str, at: str = story.INCIDENT, now: str = story.NOW) -> dict:
    return explain.explain(member_id, explain.load(app.read, member_id), story.t(at), story.t(now))


def field(x: dict, name: str) -> dict:
    return next(f for f in x["fields"] if f["field"] == name)


def test_explain_late_acceptance_applied_then_active_now(told):
    x = report_for(told, "M-0042")
    assert x["state"] == {"true": "active", "then": "applied"}
    assert x["views"]["true"] == status.member_status(told, "M-0042", Window(story.t(story.INCIDENT), story.t(story.NOW)))
    assert x["views"]["then"] == status.member_status(told, "M-0042", Window(story.t(story.INCIDENT), story.t(story.INCIDENT)))
    st = field(x, "state")
    assert st["differs"] and st["explained_by"] == ["member:M-0042#4"] and not st["jointly"]
    assert field(x, "period.start") == {**field(x, "period.start"), "true": "2025-04-01", "then": None}
    late = x["later_facts"][0]
    assert (late["event_id"], late["kind"], late["actor"], late["recorded"], late["days_after_effective"],
            late["days_after_incident"]) == ("member:M-0042#4", "recorded_late", "suzuki.m",
                                             "2025-05-25T10:00:00+09:00", 76, 5)
    assert "state" in late["changes"]
    # The arrears agree (the fee and its payment both came late), so they are not a difference.
    assert not field(x, "arrears.amount")["differs"]
    acc = x["decisions"][0]
    assert (acc["event_id"], acc["decision"], acc["known_then"], acc["retracted"]) == (
        "member:M-0042#4", "accepted", False, False)
    assert {"id": "IE-3.1.1", "article_ja": "第3条第1項第1号", "article_en": "Art. 3(1)(i)"}.items() <= acc["rules"][0].items()
    assert acc["rules"][0]["title_ja"].startswith("1次取得者の利用開始日は")


def test_explain_retracted_acceptance_active_then_applied_now(told):
    x = report_for(told, "M-0043")
    assert x["state"] == {"true": "applied", "then": "active"}
    r = x["later_facts"][0]
    assert (r["kind"], r["event_id"], r["actor"], r["recorded"], r["reason"]) == (
        "retraction", "member:M-0043#6", "takahashi.y", "2025-06-01T10:00:00+09:00",
        "Accepted by mistake: the photo ID was missing.")
    assert [t["event_id"] for t in r["retracts"]] == ["member:M-0043#4", "member:M-0043#5"]
    assert field(x, "arrears.amount")["then"] == 5500 and field(x, "arrears.amount")["true"] == 0
    assert field(x, "arrears.amount")["explained_by"] == ["member:M-0043#6"]
    acc = x["decisions"][0]
    assert acc["known_then"] and acc["retracted"] and acc["retracted_by"] == "member:M-0043#6"
    # The liability cap (IE-11.2) is one year's fee OF THE MEMBER, the fee charged then;
    # as now known the acceptance (and the fee it charged) never happened: no cap.
    cap = x["liability_cap"]
    assert (cap["id"], cap["article_ja"], cap["article_en"], cap["true"], cap["then"]) == (
        "IE-11.2", "第11条第2項", "Art. 11(2)", None, 5500)
    assert cap["because"]["true"] == ["member:M-0043#1"]  # no fee charged: rests on the application


def test_explain_agreeing_views_and_the_facts_behind_each_value(told):
    x = report_for(told, "M-0044")
    assert not x["differs"] and x["later_facts"] == []
    assert field(x, "state")["because"]["true"] == ["member:M-0044#4"]
    # The arrears rest on the charge and the payment that covers it.
    assert field(x, "balance")["because"]["true"] == ["member:M-0044#5", "member:M-0044#6"]
    wrong = next(f for f in x["facts"] if f["event_id"] == "member:M-0044#7")
    assert (wrong["known_then"], wrong["true"], wrong["retracted_by"]) == (False, False, "member:M-0044#8")


@pytest.mark.parametrize("at,known_then_state", [
    ("2025-05-25T09:59:59.999999+09:00", "applied"),    # an instant before the acceptance was recorded
    ("2025-05-25T10:00:00+09:00", "active"),            # recorded at exactly that instant: known then
])
def test_explain_knowledge_boundary_is_inclusive(told, at, known_then_state):
    x = report_for(told, "M-0042", at=at)
    assert x["state"] == {"true": "active", "then": known_then_state}


def test_explain_of_an_unknown_member_or_a_day_before_its_application(told):
    from ledger.errors import NotFound

    with pytest.raises(NotFound):
        report_for(told, "M-9999")
    with pytest.raises(NotFound) as e:
        report_for(told, "M-0042", at="2025-02-28T12:00")
    assert e.value.field == "at"


class ServiceDecidedForTest(Event):
    """A fact of another programme carrying a decision: explain must show it with its rules."""

    TYPE: ClassVar[str] = "ServiceDecidedForTest"
    VERSION: ClassVar[int] = 1
    member_id: str
    decision: dict


def test_explain_shows_any_fact_carrying_a_decision_with_its_articles(told):
    streams = explain.load(told.read, "M-0044")
    incident = story.t(story.INCIDENT)
    streams["member:M-0044"] = streams["member:M-0044"] + [ServiceDecidedForTest(
        originator_id="member:M-0044", originator_version=99, recorded=incident + timedelta(minutes=4),
        effective=incident, actor="operator", rules=("IE-A2-1.3",), member_id="M-0044",
        decision={"dispatch": "hotel_only", "rule": "IE-A2-1.3"})]
    x = explain.explain("M-0044", streams, incident, story.t(story.NOW))
    d = next(d for d in x["decisions"] if d["type"] == "ServiceDecidedForTest")
    assert d["on_incident_day"] and not d["known_then"]
    assert d["decision"] == {"dispatch": "hotel_only", "rule": "IE-A2-1.3"}
    assert [(r["id"], r["article_ja"], r["article_en"]) for r in d["rules"]] == [("IE-A2-1.3", "別紙2 第1条第3項", "Appendix 2 Art. 1(3)")]
    assert "IE-A2-1.3" in [r["id"] for r in x["rules"]]


def test_explain_timeline_has_both_lanes_the_incident_and_flags(told):
    x = report_for(told, "M-0042")
    tl = x["timeline"]
    assert set(tl["lanes"]) == {"true", "then"} and tl["incident_day"] == "2025-05-20"
    spans = [(s["kind"], s["start"], s["end"]) for s in tl["lanes"]["true"]["spans"]]
    # Due 03-10, paid 03-12: in arrears on 03-11 only.
    assert spans == [("period", "2025-04-01", "2026-03-31"), ("arrears", "2025-03-11", "2025-03-11")]
    assert tl["lanes"]["then"]["spans"] == []                          # applied only, as known then
    then_markers = {m["event_id"] for m in tl["lanes"]["then"]["markers"]}
    assert "member:M-0042#4" not in then_markers
    late = [m["event_id"] for m in tl["lanes"]["true"]["markers"] if m["late"]]
    # the late acceptance's append also linked the member on its property's stream
    assert late == ["member:M-0042#4", "member:M-0042#5", "property:P-1#2", "member:M-0042#6"]
    x43 = report_for(told, "M-0043")
    then43 = x43["timeline"]["lanes"]["then"]
    assert [m["event_id"] for m in then43["markers"] if m["retracted_later"]] == ["member:M-0043#4", "member:M-0043#5"]
    assert [s["kind"] for s in then43["spans"]] == ["period", "arrears"] and then43["spans"][1].get("open")
    # The retraction itself is drawn on the day it was recorded, in the view that knows it.
    assert [(m["event_id"], m["on"]) for m in x43["timeline"]["lanes"]["true"]["markers"] if m["kind"] == "retraction"] \
        == [("member:M-0043#6", "2025-06-01")]
    assert not [m for m in then43["markers"] if m["kind"] == "retraction"]


def test_arrears_spans_end_the_day_before_the_payment_that_covers_them(told):
    x = report_for(told, "M-0044")
    spans = [s for s in x["timeline"]["lanes"]["true"]["spans"] if s["kind"] == "arrears"]
    assert [(s["start"], s["end"]) for s in spans] == [("2025-03-11", "2025-03-19")]


# --- renderers -----------------------------------------------------------------------------------------------------


def test_text_report_names_the_difference_the_fact_and_both_article_languages(told):
    text = report.explain_text(report_for(told, "M-0043"))
    assert ("The two views DIFFER on state, period.number, period.start, period.end, arrears.amount, "
            "arrears.oldest_due_on, arrears.days_overdue, balance, liability_cap, services.inspection.available, "
            "services.inspection.blocked_by, services.emergency.blocked_by, grounds. "
            "State: applied as now known, active as known then.") in text
    assert "  member:M-0043#6 retraction, recorded 2025-06-01T10:00:00+09:00 by takahashi.y: Accepted by mistake" in text
    assert "IE-11.2 第11条第2項 / Art. 11(2)" in text
    assert "IE-3.1.1 第3条第1項第1号 / Art. 3(1)(i)" in text


def test_html_report_is_self_contained(told):
    page = report.explain_html(report_for(told, "M-0042"))
    assert page.startswith("<!DOCTYPE html>") and '<svg id="timeline"' in page
    for needle in ("http://", "https://", "<script", "<link", "@import", "url(http"):
        if needle == "http://":
            assert page.count("http://") == page.count('xmlns="http://www.w3.org/2000/svg"')
        else:
            assert needle not in page
    assert 'class="lane lane-true"' in page and 'class="lane lane-then"' in page and 'class="incident"' in page


# --- bundle --------------------------------------------------------------------------------------------------------


def make_bundle(app, tmp_path, member_id="M-0043"):
    at, now = story.t(story.INCIDENT), story.t(story.NOW)
    streams = explain.load(app.read, member_id)
    x = explain.explain(member_id, streams, at, now)
    out = tmp_path / f"bundle-{member_id}"
    return out, bundle.write(str(out), x, streams, at, now)


def test_bundle_holds_the_report_the_facts_then_and_now_the_rules_and_a_manifest(told, tmp_path):
    import json

    out, content = make_bundle(told, tmp_path)
    assert sorted(content) == ["facts-known-now.jsonl", "facts-known-then.jsonl", "manifest.json", "report.html",
                               "report.json", "report.txt", "rules.json"]
    then = [json.loads(line) for line in content["facts-known-then.jsonl"].decode().splitlines()]
    now = [json.loads(line) for line in content["facts-known-now.jsonl"].decode().splitlines()]
    assert all(f["recorded"] <= "2025-05-20T21:30:00+09:00" for f in then)
    assert [f["event_id"] for f in now if f["event_id"] not in {g["event_id"] for g in then}] == ["member:M-0043#6"]
    rules = json.loads(content["rules.json"])
    cap = next(r for r in rules if r["id"] == "IE-11.2")
    assert cap["article_ja"] == "第11条第2項" and cap["text_ja"]
    manifest = json.loads(content["manifest.json"])
    assert manifest["member_id"] == "M-0043" and manifest["views_differ"] is True
    assert {f["name"] for f in manifest["files"]} == set(content) - {"manifest.json"}
    assert all(r["status"] == "ok" for r in bundle.check(str(out)))


def test_bundle_check_finds_a_changed_a_missing_and_an_added_file(told, tmp_path):
    out, _ = make_bundle(told, tmp_path)
    (out / "report.txt").write_text("nothing happened\n")
    (out / "rules.json").unlink()
    (out / "notes.txt").write_text("added later\n")
    status_of = {r["name"]: r["status"] for r in bundle.check(str(out))}
    assert status_of["report.txt"] == "changed"
    assert status_of["rules.json"] == "missing"
    assert status_of["notes.txt"] == "unlisted"
    assert status_of["report.html"] == "ok"


def test_a_bundle_is_reproducible_from_the_same_ledger_and_clock(told, tmp_path):
    _, a = make_bundle(told, tmp_path / "a")
    _, b = make_bundle(told, tmp_path / "b")
    assert a == b


def test_explain_of_a_member_the_ledger_did_not_know_yet_at_the_incident(told):
    # Applied with effect from 2025-03-01 00:00, but recorded at 10:00 that day.
    x = report_for(told, "M-0042", at="2025-03-01T09:59")
    assert x["views"]["then"] is None and x["state"] == {"true": "applied", "then": None}
    assert field(x, "state")["explained_by"] == ["member:M-0042#1"]
    assert "as known then, the ledger has no record of this member at that instant" in report.explain_text(x)
