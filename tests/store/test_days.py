"""The dated member views (projections.days, issue 11) on SQLite and PostgreSQL.

The lists for a whole day as now known read them; every test here compares what
they give with the assembly from the log (``days.usable`` switched off), on the
boundary days of the story's deadlines and on every ninth day between, and
checks what keeps them from going stale: the marks an append makes in its own
transaction (the member, the buyer naming it as previous owner, the members of a
house whose inspections change), a mark moved while a refresh ran, an upgraded
store, a connection that cannot write them, and ``verify``.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from ledger import readmodel
from ledger.errors import Forbidden
from ledger.store import open_store
from projections import arrears, days, integrity, snapshot, tasks
from projections.window import Window
from tests.rawdb import Raw
from tests.store.test_member_view import NOW, run, story, t
from tests.store.test_store import onboard
from tests.store.test_readmodel import table

# The story's deadlines and the days either side: the first fee due (2025-03-10) and overdue,
# IE-14.3.3 one month on (2025-04-11), the inspection ground (2030-05-01), the transfer and
# the buyer's application (2030-06-01, 06-05), the first period's end (2026-03-09/10).
BOUNDARIES = [date(2025, 3, 9), date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 12), date(2025, 4, 10),
              date(2025, 4, 11), date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11), date(2030, 4, 30),
              date(2030, 5, 1), date(2030, 5, 31), date(2030, 6, 1), date(2030, 6, 4), date(2030, 6, 5),
              date(2030, 6, 6)]


LATER = "2031-12-31T00:00"  # known_at: after every append of these tests


def lists(app, day: date, *, dated: bool, monkeypatch) -> tuple[list, list, list]:
    """snapshot, arrears and tasks for ``day`` as now known, from the dated views or from the log."""
    w = Window.parse(day.isoformat(), None, t(LATER))
    with monkeypatch.context() as m:
        if not dated:
            m.setattr(days, "usable", lambda app, w: False)
        else:
            assert days.usable(app, w)
        return list(snapshot.stream_rows(app, w)), arrears.rows(app, w), tasks.rows(app, w)


def assert_same(app, day_list, monkeypatch) -> None:
    for day in day_list:
        got, want = lists(app, day, dated=True, monkeypatch=monkeypatch), lists(app, day, dated=False,
                                                                                monkeypatch=monkeypatch)
        for name, a, b in zip(("snapshot", "arrears", "tasks"), got, want):
            assert a == b, (name, day)


def stale(app) -> set[str]:
    return {s for s, _ in app.readmodel(readmodel.stale_subjects, 1000)}


def test_the_lists_from_dated_views_equal_the_assembly_on_every_boundary_and_every_ninth_day(app, monkeypatch):
    story(app)
    every_ninth = [date(2025, 3, 1) + timedelta(days=k) for k in range(0, 5 * 366 + 130, 9)]
    assert_same(app, BOUNDARIES + every_ninth + [date(2030, 7, 1), date(2031, 3, 10)], monkeypatch)
    # The grounds the story is about, read from the table: IE-14.3.8 from 2030-05-01, and the
    # buyer's IE-17.2.1 / IE-17.2.2 (read from the seller's stream) from the application.
    rows, owing, _ = lists(app, date(2030, 6, 5), dated=True, monkeypatch=monkeypatch)
    grounds = {r["id"]: [g["rule"] for g in r["grounds"]] for r in rows}
    assert "IE-14.3.8" in grounds["M-0042"] and sorted(grounds["M-0050"]) == ["IE-17.2.1", "IE-17.2.2"]
    assert [r["member_id"] for r in owing] == ["M-0042"]
    assert len(app.readmodel(readmodel.days_of, "member:M-0042")) > 3  # intervals, not one row per day


def test_an_append_marks_the_member_the_buyer_and_the_house_stale_in_its_transaction(app, monkeypatch):
    story(app)
    assert days.refresh(app) and stale(app) == set()
    run(app, "2030-07-01T09:30", command="record_payment", member_id="M-0043", amount=5500, payment_ref="P43-2",
        on="2030-07-01")
    assert stale(app) == {"member:M-0043", "property:P-2"}  # the member and its house's inspection work
    assert days.refresh(app) and stale(app) == set()
    # The seller pays: the buyer's IE-17.2.2 (read from the seller's stream) may end, so both are stale.
    run(app, "2030-07-01T09:40", command="record_payment", member_id="M-0042", amount=5500, payment_ref="P42",
        on="2030-07-01")
    assert stale(app) == {"member:M-0042", "member:M-0050", "property:P-1"}
    assert_same(app, [date(2030, 6, 30), date(2030, 7, 1), date(2030, 7, 2)], monkeypatch)
    # A fact on the house's inspection stream: both members of P-1, not M-0043 on P-2.
    assert days.refresh(app)
    failure = next(e.event_id for e in app.read("inspection:P-1") if e.TYPE == "InspectionFailed")
    run(app, "2030-07-01T09:50", command="retract", event_id=failure, reason="the member did reply")
    assert stale(app) == {"member:M-0042", "member:M-0050", "property:P-1"}
    assert_same(app, [date(2030, 5, 1), date(2030, 7, 1)], monkeypatch)
    rows = lists(app, date(2030, 6, 5), dated=True, monkeypatch=monkeypatch)[0]
    assert "IE-14.3.8" not in [g["rule"] for r in rows if r["id"] == "M-0042" for g in r["grounds"]]


def test_a_retracted_application_still_marks_the_house_that_listed_its_member(app, monkeypatch):
    story(app)
    assert days.refresh(app)
    applied = app.read("member:M-0050")[0].event_id
    run(app, "2030-07-01T09:30", command="retract", event_id=applied, reason="entered for the wrong house")
    assert stale(app) == {"member:M-0050", "property:P-1"}
    assert_same(app, [date(2030, 6, 5), date(2030, 7, 1)], monkeypatch)


def test_a_refresh_keeps_a_mark_an_append_moved_while_it_ran(app):
    story(app)
    assert days.refresh(app)
    run(app, "2030-07-01T09:30", command="record_payment", member_id="M-0043", amount=100, payment_ref="A",
        on="2030-07-01")
    marked = app.readmodel(readmodel.stale_subjects, 10)
    built = days.build(app, marked, days.houses_of(app))  # computed from the log before the next append
    run(app, "2030-07-01T09:40", command="record_payment", member_id="M-0043", amount=200, payment_ref="B",
        on="2030-07-01")
    assert app.readmodel_write(readmodel.save_days, built) == 0  # the mark moved: it stays
    assert stale(app) == {"member:M-0043", "property:P-2"}
    assert days.refresh(app) and stale(app) == set()
    row = next(r for r in lists(app, date(2030, 7, 1), dated=True, monkeypatch=pytest.MonkeyPatch())[0]
               if r["id"] == "M-0043")
    assert row["balance"] < 0  # both payments counted (5500 + 100 + 200 paid against fees)


def test_a_connection_that_cannot_write_them_reads_the_log(app, monkeypatch):
    story(app)
    run(app, "2030-07-01T09:30", command="record_payment", member_id="M-0043", amount=100, payment_ref="A",
        on="2030-07-01")

    def refused(*_a, **_k):
        raise Forbidden("permission denied for table ledger_rm_days", "権限がありません")

    monkeypatch.setattr(app, "readmodel_write", refused)
    w = Window.parse("2030-07-01", None, t(LATER))
    assert not days.usable(app, w)
    assert [r["member_id"] for r in arrears.rows(app, w)] == ["M-0042"]


def test_a_window_that_is_not_a_whole_day_as_now_known_reads_the_log(app):
    story(app)
    assert not days.usable(app, Window.parse("2030-06-05T09:00", None, t(NOW)))
    assert not days.usable(app, Window.parse("2030-06-05", "2030-06-05T09:59", t(NOW)))
    assert days.usable(app, Window.parse("2030-06-05", None, t(NOW)))


def test_a_store_made_before_the_dated_views_computes_them_all(store_url, monkeypatch):
    app = open_store(store_url, create=True, test_clock=True)
    story(app)
    app.close()
    raw = Raw(store_url)
    for name in (readmodel.DAYS, readmodel.STALE):
        raw.run(f"DROP TABLE {table(store_url, name)}")
    app = open_store(store_url, create=True, test_clock=True)
    try:
        assert stale(app) == {"member:M-0042", "member:M-0043", "member:M-0050", "property:P-1", "property:P-2"}
        assert_same(app, [date(2025, 4, 11), date(2030, 6, 5)], monkeypatch)
    finally:
        app.close()


def test_verify_finds_a_changed_dated_view_and_rebuild_repairs_it(app, store_url):
    story(app)
    assert days.refresh(app)
    w = Window.parse(None, None, t(NOW))
    report = integrity.verify(app, w)
    assert report.problem is None and any("dated views" in c and "(0 intervals" not in c for c in report.checked)
    forged = days.encode(days.Interval(date(2025, 3, 1), days.FOREVER, {"row": {"arrears": {"amount": 0}},
                                                                         "tasks": [], "owed": []}))[-1]
    Raw(store_url).run(f"UPDATE {table(store_url, readmodel.DAYS)} SET view = ? WHERE subject = 'member:M-0042'",
                       (forged,))
    problem = integrity.verify(app, w).problem
    assert problem is not None and problem.kind == "projection" and "M-0042" in problem.en
    found, _, _ = days.difference(app, jobs=2)  # as on a large store: the share of either process
    assert found is not None and found.startswith("member:M-0042")
    app.rebuild_readmodel()
    assert days.refresh(app)
    assert integrity.verify(app, w).problem is None


def test_a_large_refresh_shared_between_two_processes_leaves_nothing_stale(app, store_url, monkeypatch):
    story(app)
    app.readmodel_write(readmodel.stale_all, app.last_position())
    assert len(stale(app)) == 5
    assert days.refresh(app, jobs=2)
    assert stale(app) == set()
    assert days.difference(app)[::2] == (None, 0)
    assert days.difference(app, jobs=2) == days.difference(app, jobs=1)


def test_an_export_without_personal_fields_reads_as_the_redacted_log_even_after_an_erasure(app, monkeypatch):
    from projections.personal import redact

    from tests.store import test_personal as personal

    onboard(app)
    personal.apply(app)   # M-0050, with every personal field, refused and erased (IE-19.10)
    personal.apply(app, "M-0051", "2025-03-11T09:05")  # its personal fields kept
    personal.refuse(app)
    personal.erase(app)
    w = Window.parse("2025-03-05", None, t(LATER))
    with monkeypatch.context() as m:
        m.setattr(days, "usable", lambda app, w: False)
        logged = list(snapshot.run(app, w).rows)
    assert days.usable(app, w)
    got = [redact(r) for r in snapshot.run(app, w, personal=False).rows]
    assert got == [redact(r) for r in logged]
    applicants = {r["id"]: r["applicant"] for r in got if r["program"] == "iesapo"}
    assert applicants["M-0050"]["erased"] and not applicants["M-0051"]["erased"]
    assert applicants["M-0051"]["omitted"] and applicants["M-0051"]["name"] is None
    # With the personal fields: opened from each application, as the log reads them.
    opened = list(snapshot.run(app, w).rows)
    assert opened == logged
    names = {r["id"]: r["applicant"]["name"] for r in opened if r["program"] == "iesapo"}
    assert names == {"M-0042": names["M-0042"], "M-0050": None, "M-0051": personal.APPLICANT["name"]}


def test_the_demo_ledger_reads_the_same_from_dated_views_and_from_the_log(tmp_path, monkeypatch):
    """60 members and their houses over five years (late entries, retractions, a sale, a rental,
    renewals, inspections, estimates, an enrolment): snapshot, arrears and tasks on many days."""
    from demo import build

    w = build(str(tmp_path / "demo.db"), 60, date(2025, 11, 20))
    app = w.app
    monkeypatch.setattr("tests.store.test_days.LATER", "2025-11-20T18:00")
    try:
        assert days.refresh(app)
        kinds = set()
        for day in (date(2021, 4, 5), date(2022, 3, 31), date(2023, 2, 3), date(2024, 4, 1), date(2025, 3, 1),
                    date(2025, 10, 31), date(2025, 11, 20)):
            got, want = lists(app, day, dated=True, monkeypatch=monkeypatch), lists(app, day, dated=False,
                                                                                    monkeypatch=monkeypatch)
            assert got == want, day
            kinds |= {r["kind"] for r in got[2]}
        # House work (inspection notices, estimates) and member work both came from the table.
        assert {"inspection_notice", "ground"} <= kinds
    finally:
        app.close()
