"""The materialized read model (ledger.readmodel, issue 11) on SQLite and PostgreSQL:
kept in the append's transaction with a tracked position, rebuilt by `ledger rebuild`,
checked by `ledger verify` against a scratch rebuild, and the arrears list read from it."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from ledger import readmodel
from ledger.dates import JST
from ledger.errors import Conflict
from ledger.events import PaymentRecorded
from ledger.store import open_store
from projections import arrears, integrity, member_view
from projections.window import Window
from tests.rawdb import Raw
from tests.store.test_member_view import NOW, run, story, t


def money(app) -> dict[str, tuple]:
    return app.readmodel(readmodel.stored).money


def table(url: str, name: str) -> str:
    if url.startswith("postgresql://"):
        return f'"{parse_qs(urlparse(url).query)["schema"][0]}".{name}'
    return name


def test_rows_follow_every_append_with_the_position(app):
    story(app)
    kept = app.readmodel(readmodel.stored)
    diff, last, rows = app.readmodel(readmodel.scratch_difference)
    assert diff is None and rows == len(kept.members) + len(kept.money) == 6
    assert app.readmodel(readmodel.position) == last == app.last_position()
    assert app.readmodel(readmodel.member_ids) == ["M-0042", "M-0043", "M-0050"]
    assert kept.members["M-0050"][1:4] == ("P-1", "secondary", "M-0042")
    # M-0042's first fee (due on the acceptance day) and M-0043's fee and payment.
    assert sorted(r[1:] for r in kept.money.values()) == [
        ("M-0042", "charge", "2025-03-10", 5500),
        ("M-0043", "charge", "2025-03-10", 5500),
        ("M-0043", "payment", "2025-03-12", 5500),
    ]


def test_a_retraction_removes_the_rows_of_the_facts_it_names(app):
    story(app)
    paid = run(app, "2030-07-02T10:00", command="record_payment", member_id="M-0042", amount=5500,
               payment_ref="WRONG", on="2030-07-01").events[0]
    assert money(app)[paid.event_id][1:] == ("M-0042", "payment", "2030-07-01", 5500)
    run(app, "2030-07-03T10:00", command="retract", event_id=paid.event_id, reason="keyed by mistake")
    assert paid.event_id not in money(app)
    assert app.readmodel(readmodel.position) == app.last_position()


def test_a_failed_append_leaves_the_rows_and_the_position_as_they_were(app):
    story(app)
    before, pos = money(app), app.readmodel(readmodel.position)
    n = len(app.read("member:M-0042"))
    when = t("2030-07-02T10:00")

    def pay(version: int, ref: str) -> PaymentRecorded:
        return PaymentRecorded(originator_id="member:M-0042", originator_version=version, recorded=when,
                               effective=when, actor="x", amount=5500, payment_ref=ref)

    # The first fact is new, the second takes a version already stored: the whole append fails.
    with pytest.raises(Conflict):
        app.append([pay(n + 1, "NEW"), pay(n, "DUP")], when)
    assert money(app) == before and app.readmodel(readmodel.position) == pos


@pytest.mark.parametrize("day,owing", [
    (date(2025, 3, 10), []),                    # due that day: not yet overdue
    (date(2025, 3, 11), ["M-0042", "M-0043"]),  # the first day in arrears for both
    (date(2025, 3, 12), ["M-0042"]),            # M-0043 paid on 03-12: a payment of the day counts
    (date(2030, 6, 10), ["M-0042"]),
])
def test_arrears_from_the_read_model_equal_the_full_replay_on_boundary_days(app, day, owing):
    story(app)
    w = Window.parse(day.isoformat(), None, t(NOW))
    assert member_view.now_known(app, w)
    listed = arrears.rows(app, w)
    assert [r["member_id"] for r in listed] == owing
    replayed = [member_view.arrears_row(v) for v in member_view.views(app, w)]
    assert listed == sorted([r for r in replayed if r], key=lambda r: (-r["days_overdue"], r["member_id"]))
    # The candidates are a superset (a payment of the day itself is not counted there).
    assert set(owing) <= set(app.readmodel(readmodel.owing_candidates, day))


def test_an_earlier_known_at_replays_the_log_instead(app):
    story(app)
    w = Window.parse("2025-03-11", "2025-03-10T23:00", t(NOW))
    assert not member_view.now_known(app, w)
    assert [r["member_id"] for r in arrears.rows(app, w)] == ["M-0042"]  # M-0043 was entered on 03-11


def test_verify_finds_a_changed_row_and_rebuild_repairs_it(app, store_url):
    story(app)
    w = Window.parse(None, None, t(NOW))
    assert integrity.verify(app, w).problem is None
    Raw(store_url).run(f"UPDATE {table(store_url, readmodel.MONEY)} SET amount = 0 WHERE kind = 'payment'")
    problem = integrity.verify(app, w).problem
    assert problem is not None and problem.kind == "projection"
    assert "read model" in problem.en and "ledger rebuild" in problem.en and "member:M-0043#" in problem.en
    assert app.rebuild_readmodel() == app.last_position()
    assert integrity.verify(app, w).problem is None


def test_init_builds_the_read_model_of_a_store_made_before_it(store_url):
    app = open_store(store_url, create=True, test_clock=True)
    story(app)
    want = app.readmodel(readmodel.stored)
    app.close()
    raw = Raw(store_url)
    for name in (readmodel.MONEY, readmodel.MEMBERS, readmodel.POSITION):
        raw.run(f"DROP TABLE {table(store_url, name)}")
    app = open_store(store_url)
    try:
        assert not app.readmodel_current()  # the lists read the log meanwhile
        assert [r["member_id"] for r in arrears.rows(app, Window.parse("2030-06-10", None, t(NOW)))] == ["M-0042"]
    finally:
        app.close()
    app = open_store(store_url, create=True, test_clock=True)
    try:
        assert app.recorder.rebuilt == app.last_position()
        got = app.readmodel(readmodel.stored)
        assert (got.members, got.money) == (want.members, want.money) and app.readmodel_current()
    finally:
        app.close()


def test_cli_rebuild(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import cli

    monkeypatch.setenv("LEDGER_DB", str(tmp_path / "l.db"))
    monkeypatch.setenv("LEDGER_ACTOR", "sato.k")
    monkeypatch.setenv("LEDGER_CLOCK", "2025-03-01T09:00:00+09:00")
    r = CliRunner()
    assert r.invoke(cli.main, ["init", "--test-clock"]).exit_code == 0
    assert r.invoke(cli.main, ["fee", "announce", "--amount", "5500", "--on", "2025-01-01"]).exit_code == 0
    res = r.invoke(cli.main, ["rebuild"])
    assert res.exit_code == 0 and res.output == "read model rebuilt from 1 facts\n"


@pytest.mark.parametrize("personal", [True, False])
def test_many_streams_read_at_once_are_the_streams_read_one_by_one(app, personal):
    """read_many (a batch's receipts, the owing list's members) = read / read_sealed per
    stream, in the order asked, a stream without facts as an empty list."""
    story(app)
    names = ["member:M-0050", "member:M-9999", "member:M-0042", "member:M-0043"]
    got = app.read_many(names, personal=personal)
    assert list(got) == names
    for name, facts in got.items():
        one = app.read(name) if personal else app.read_sealed(name)
        assert [e.model_dump() for e in facts] == [e.model_dump() for e in one]
    assert got["member:M-9999"] == [] and len(got["member:M-0042"]) >= 3
    applicant = next(e.applicant for e in got["member:M-0042"] if e.TYPE == "MembershipApplied")
    assert applicant.withheld is (not personal)


def test_init_swaps_the_narrow_money_index_for_the_covering_one(store_url):
    """A store made when the money index lacked ``amount`` gets the covering index from
    ``ledger init`` (the owing list sums from it) and loses the narrow one."""
    def indexes() -> set[str]:
        if store_url.startswith("postgresql://"):
            schema = parse_qs(urlparse(store_url).query)["schema"][0]
            rows = raw.run("SELECT indexname FROM pg_indexes WHERE schemaname = ?", (schema,))
        else:
            rows = raw.run("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {r[0] for r in rows if r[0].startswith("ledger_rm_money") and not r[0].endswith("_pkey")}

    open_store(store_url, create=True, test_clock=True).close()
    raw = Raw(store_url)
    assert indexes() == {"ledger_rm_money_owing"}
    raw.run("DROP INDEX " + table(store_url, "ledger_rm_money_owing"))
    raw.run(f"CREATE INDEX ledger_rm_money_member ON {table(store_url, readmodel.MONEY)} (member_id, kind, day)")
    assert indexes() == {"ledger_rm_money_member"}
    open_store(store_url, create=True, test_clock=True).close()
    assert indexes() == {"ledger_rm_money_owing"}


@pytest.mark.parametrize("batch", [1, 2, 3, 7, 5000])
def test_streams_read_in_batches_are_every_stream_whole_in_order(app, batch):
    """iter_streams pages by (stream, version) from the last stream read: whatever the batch
    size, each stream of the prefix arrives once, whole and in order, and no other."""
    story(app)
    want = {name: [e.event_id for e in app.read(name)] for name in app.stream_ids("member:")}
    assert len(want) == 3 and max(map(len, want.values())) > 3
    got = [(name, [e.event_id for e in facts]) for name, facts in app.iter_streams("member:", batch=batch)]
    assert got == sorted(want.items())
    houses = [name for name, _ in app.iter_streams("property:", batch=batch)]
    assert houses == ["property:P-1", "property:P-2"]
