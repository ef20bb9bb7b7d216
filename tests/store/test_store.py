"""The store and the command path, run identically on SQLite and PostgreSQL."""
from datetime import datetime

import pytest

from commands.handlers import Context, execute
from ledger.dates import JST
from ledger.errors import BadInput, ClockError, NotFound, Refused
from projections import history, status
from projections.window import Window


def t(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=JST)


def run(app, when: str, actor: str = "sato", **command):
    return execute(app, command, Context(now=t(when), actor=actor))


def onboard(app, mid: str = "M-0042") -> None:
    run(app, "2025-01-01T09:00", command="announce_fee", amount=5500, on="2025-01-01")
    run(app, "2025-03-01T09:00", command="register_property", property_id="P-1", delivered_on="2025-03-15",
        floors=2, builder="company", certified=True, on="2025-03-01")
    run(app, "2025-03-01T10:00", command="apply_membership", member_id=mid, property_id="P-1",
        applicant={"name": "山田 太郎"}, on="2025-03-01")
    run(app, "2025-03-01T10:05", command="record_consent", member_id=mid, kind="privacy_policy", on="2025-03-01")
    run(app, "2025-03-02T10:00", command="register_card", member_id=mid, card_token="tok_4f9a2c", on="2025-03-02")
    run(app, "2025-03-10T15:00", command="accept_registration", member_id=mid, on="2025-03-10")


def count(app) -> int:
    return sum(1 for _ in app.iter_all())


def test_envelope_carries_both_times_actor_command_and_rules(app):
    onboard(app)
    evs = app.read("member:M-0042")
    accepted = evs[3]
    assert accepted.TYPE == "RegistrationAccepted"
    assert accepted.event_id == "member:M-0042#4"
    assert accepted.effective == t("2025-03-10T00:00")
    assert accepted.recorded == t("2025-03-10T15:00")
    assert accepted.actor == "sato"
    assert accepted.rules == ("IE-3.1.1", "IE-3.3.1")
    # One append: the acceptance and its fee share a batch.
    assert evs[4].TYPE == "FeeCharged" and evs[4].batch == accepted.batch != evs[2].batch


def test_a_command_id_makes_a_retry_a_reported_no_op(app):
    onboard(app)
    first = run(app, "2025-03-12T09:00", command="record_payment", member_id="M-0042", amount=5500,
                payment_ref="PAY-1", command_id="pay-1", on="2025-03-12")
    before = count(app)
    again = run(app, "2025-03-12T09:01", command="record_payment", member_id="M-0042", amount=5500,
                payment_ref="PAY-1", command_id="pay-1", on="2025-03-12")
    assert not first.duplicate and len(first.events) == 1
    assert again.duplicate and again.events == []
    assert count(app) == before


def test_a_refused_command_writes_nothing(app):
    onboard(app)
    before = count(app)
    with pytest.raises(Refused) as e:
        run(app, "2025-03-12T09:00", command="accept_registration", member_id="M-0042", on="2025-03-12")
    assert e.value.code == "already_decided"
    with pytest.raises(BadInput) as e:
        run(app, "2025-03-12T09:00", command="record_payment", member_id="M-0042", amount="much", payment_ref="X")
    assert e.value.field == "amount"
    with pytest.raises(NotFound):
        run(app, "2025-03-12T09:00", command="record_payment", member_id="M-9999", amount=1, payment_ref="X")
    with pytest.raises(BadInput) as e:
        run(app, "2025-03-12T09:00", command="apply_membership", member_id="M-7", property_id="P-1",
            applicant={"name": "x"}, on="2025-02-30")
    assert e.value.field == "on"
    assert count(app) == before


def test_a_clock_earlier_than_the_newest_fact_is_refused(app):
    onboard(app)
    before = count(app)
    with pytest.raises(ClockError):
        run(app, "2025-03-10T14:59", command="record_payment", member_id="M-0042", amount=5500,
            payment_ref="PAY-1", on="2025-03-10")
    assert count(app) == before
    # The same instant is not "backwards".
    run(app, "2025-03-10T15:00", command="record_payment", member_id="M-0042", amount=5500,
        payment_ref="PAY-1", on="2025-03-10")


def test_a_write_without_an_actor_is_refused(app):
    with pytest.raises(BadInput) as e:
        run(app, "2025-01-01T09:00", actor="", command="announce_fee", amount=5500)
    assert e.value.field == "actor"
    assert count(app) == 0


def test_late_facts_and_retractions_split_true_from_then_known(app):
    onboard(app)
    # Paid on 04-05, entered only on 06-20; a mistaken payment on 05-10 is retracted on 05-12.
    run(app, "2025-05-10T09:00", command="record_payment", member_id="M-0042", amount=5500,
        payment_ref="WRONG", on="2025-05-10")
    run(app, "2025-05-12T09:00", command="retract", event_id="member:M-0042#6", reason="wrong member")
    run(app, "2025-06-20T09:00", command="record_payment", member_id="M-0042", amount=5500,
        payment_ref="PAY-1", on="2025-04-05")
    rows = {
        # (as_of, known_at): arrears amount
        ("2025-03-10", "2025-06-30"): 0,       # due that day: not yet overdue
        ("2025-03-11", "2025-06-30"): 5500,    # first day in arrears
        ("2025-04-04", "2025-06-30"): 5500,
        ("2025-04-05", "2025-06-30"): 0,       # the late payment, as now known
        ("2025-05-11", "2025-05-11T12:00"): 0,   # the mistaken payment, as then known
        ("2025-05-11", "2025-05-12T12:00"): 5500,  # after its retraction
        ("2025-05-11", "2025-06-30"): 0,
    }
    for (as_of, known_at), amount in rows.items():
        w = Window.parse(as_of, known_at, t("2025-07-01T00:00"))
        assert status.member_status(app, "M-0042", w)["arrears"]["amount"] == amount, (as_of, known_at)
    h = history.rows(app.read("member:M-0042"), Window.parse(None, None, t("2025-07-01T00:00")))
    assert [r["retracted_by"] for r in h if r["event_id"] == "member:M-0042#6"] == ["member:M-0042#7"]


def test_status_states_through_the_first_period(app):
    onboard(app)
    now = t("2025-07-01T00:00")
    for as_of, state in [("2025-03-01", "applied"), ("2025-03-10", "accepted"), ("2025-03-31", "accepted"),
                         ("2025-04-01", "active")]:
        assert status.member_status(app, "M-0042", Window.parse(as_of, None, now))["state"] == state


def test_a_retraction_cannot_be_retracted_and_nothing_is_deleted(app):
    onboard(app)
    run(app, "2025-04-01T09:00", command="retract", event_id="member:M-0042#3", reason="typo")
    with pytest.raises(Refused):
        run(app, "2025-04-01T09:00", command="retract", event_id="member:M-0042#3", reason="again")
    with pytest.raises(Refused):
        run(app, "2025-04-01T09:00", command="retract", event_id="member:M-0042#6", reason="undo")
    assert len(app.read("member:M-0042")) == 6


def test_secondary_acceptance_withdraws_the_previous_member_in_the_same_append(app):
    onboard(app, "M-1")
    run(app, "2025-03-12T09:00", command="record_payment", member_id="M-1", amount=5500, payment_ref="P1",
        on="2025-03-12")
    run(app, "2025-09-01T09:00", command="notify_owner_change", member_id="M-1", kind="sale", change_on="2025-09-10",
        on="2025-09-01")
    run(app, "2025-09-12T09:00", command="apply_membership", member_id="M-2", property_id="P-1", acquirer="secondary",
        previous_member_id="M-1", transfer_on="2025-09-10", transfer_kind="sale", applicant={"name": "鈴木 一郎"},
        on="2025-09-12")
    run(app, "2025-09-12T09:05", command="record_consent", member_id="M-2", kind="privacy_policy", on="2025-09-12")
    run(app, "2025-09-12T09:06", command="register_card", member_id="M-2", card_token="tok_22", on="2025-09-12")
    result = run(app, "2025-09-20T09:00", command="accept_registration", member_id="M-2", on="2025-09-20")
    batch = {e.batch for e in result.events}
    assert len(batch) == 1
    assert [e.event_id for e in result.events] == ["member:M-2#4", "member:M-2#5", "property:P-1#3", "member:M-1#8"]
    now = t("2025-09-21T00:00")
    assert status.member_status(app, "M-1", Window.parse("2025-09-10", None, now))["state"] == "withdrawn"
    assert status.member_status(app, "M-1", Window.parse("2025-09-09", None, now))["state"] == "active"
    assert status.member_status(app, "M-2", Window.parse("2025-10-01", None, now))["state"] == "active"


def test_run_renewals_through_the_command_path_is_idempotent(app):
    onboard(app, "M-1")
    first = run(app, "2027-04-02T09:00", command="run_renewals", through="2027-03-31", command_id="renew-2027")
    assert [e.TYPE for e in first.events] == ["FeeCharged", "MembershipRenewed", "FeeCharged", "MembershipRenewed"]
    again = run(app, "2027-04-02T09:00", command="run_renewals", through="2027-03-31")
    assert again.events == []
    dup = run(app, "2027-04-02T09:00", command="run_renewals", through="2027-03-31", command_id="renew-2027")
    assert dup.duplicate
    row = status.member_status(app, "M-1", Window.parse("2027-04-01", None, t("2027-04-03T00:00")))
    assert row["renewals"] == 2 and row["period"] == {"number": 3, "start": "2027-04-01", "end": "2028-03-31"}
    # As the ledger showed staff on 2026-04-10 (before the late run), the renewal was pending.
    then = status.member_status(app, "M-1", Window.parse("2026-04-10", "2026-04-10", t("2027-04-03T00:00")))
    assert then["renewal_pending"] is True and then["renewals"] == 0


def test_the_postgres_recorder_extends_the_librarys_append_through_its_hooks_only():
    """Issue 14: the library's own ``insert_events`` runs (its connection, pipeline, transaction,
    NOTIFY, insert, retry); the ledger's work hangs on the hooks it calls, so an upgrade of
    eventsourcing touches one place. A copy of the library's internals fails here."""
    import inspect

    from eventsourcing.postgres import PostgresApplicationRecorder

    from ledger.backend_pg import LedgerPostgresRecorder

    assert LedgerPostgresRecorder.insert_events is PostgresApplicationRecorder.insert_events
    library = {name for cls in PostgresApplicationRecorder.__mro__ for name, v in vars(cls).items()
               if inspect.isfunction(v)}
    ours = {name for name, v in vars(LedgerPostgresRecorder).items() if inspect.isfunction(v) and name in library}
    hooks = {"_insert_events", "_lock_table", "_fetch_ids_after_insert_events"}
    assert ours == {"__init__", "create_table"} | hooks
    # Each hook is still called by the library's insert_events (a renamed hook would be dead code here).
    source = inspect.getsource(PostgresApplicationRecorder.insert_events) + inspect.getsource(
        PostgresApplicationRecorder._insert_stored_events)
    assert all(f"self.{hook}(" in source for hook in hooks)


def test_no_lookup_of_the_sqlite_append_path_scans_a_table(tmp_path):
    """Issue 11: an append must cost the same in a store of 2,000 or 100,000 members, so each
    lookup it makes (the chain head, the erased-key check, a retraction's rows, the read
    model's position) is an index search, never a scan of a table that grows with the log."""
    import sqlite3

    from ledger import readmodel
    from ledger.backend import HEAD, Dialect
    from ledger.store import open_store

    path = str(tmp_path / "plan.db")
    open_store(path, create=True, test_clock=True).close()
    d = Dialect("sqlite", "stored_events", "ledger_chain", "ledger_keys", "ledger_meta")
    lookups = {
        d.q(HEAD): (),
        d.q("SELECT subject FROM {keys} WHERE wrapped IS NULL AND subject IN (?,?)"): ("member:M-1", "member:M-2"),
        readmodel.sql(d, "DELETE FROM [money] WHERE event_id IN (?,?)"): ("member:M-1#7", "member:M-1#8"),
        readmodel.sql(d, "DELETE FROM [members] WHERE applied_event IN (?,?)"): ("member:M-1#1", "member:M-2#1"),
        readmodel.sql(d, "SELECT position FROM [position] WHERE name = ?"): ("members",),
        "SELECT * FROM stored_events WHERE originator_id = ? ORDER BY originator_version": ("member:M-1",),
    }
    con = sqlite3.connect(path)
    try:
        for statement, params in lookups.items():
            plan = " / ".join(row[-1] for row in con.execute("EXPLAIN QUERY PLAN " + statement, params))
            # A SCAN is allowed only along an index in its order (the head: the last position, LIMIT 1).
            assert "SEARCH" in plan or ("USING INDEX" in plan and "LIMIT 1" in statement), (statement, plan)
    finally:
        con.close()


def test_a_batch_reads_the_receipts_of_its_command_ids_in_one_query(app):
    """Issue 11 (PostgreSQL within 2x of SQLite): ``apply --batch`` looks up every line's
    command_id in one query, not one round trip a line, and still answers a line whose
    command was recorded before (and one repeated inside the batch) as a duplicate."""
    from commands import batch

    onboard(app)
    run(app, "2025-03-11T09:00", command="record_payment", member_id="M-0042", amount=5500, payment_ref="PAY-0",
        on="2025-03-11", command_id="pay-0")
    reads: list[str] = []
    select_events = app.recorder.select_events

    def counted(*args, **kw):
        reads.append(args[0] if args else kw["originator_id"])
        return select_events(*args, **kw)

    app.recorder.select_events = counted
    pays = [{"command": "record_payment", "member_id": "M-0042", "amount": 1000, "payment_ref": f"PAY-{k}",
             "on": "2025-03-12", "command_id": f"pay-{k}"} for k in (0, 1, 2, 3, 2)]
    done: list = []
    assert batch.run(app, ((n, p, Context(now=t("2025-03-12T09:00"), actor="sato")) for n, p in enumerate(pays)),
                     10, done.append) == 0
    assert [x.result.duplicate for x in done] == [True, False, False, False, True]
    assert not [s for s in reads if s.startswith("command:")]
    assert [e.payment_ref for e in app.read("member:M-0042") if e.TYPE == "PaymentRecorded"] == [
        "PAY-0", "PAY-1", "PAY-2", "PAY-3"]
