"""Append-only guards, the hash chain and ``verify``, on SQLite and PostgreSQL.

Tamper tests drop the guards and edit, delete, swap and insert rows behind the
ledger's back; ``verify`` must name the first bad position each time.
"""
import json

import pytest

from commands.handlers import Context, execute
from ledger import backend
from ledger.errors import ClockError
from ledger.events import PaymentRecorded
from projections import integrity
from projections.window import Window
from tests.rawdb import Raw
from tests.store.test_store import onboard, run, t

NOW = t("2025-07-01T00:00")


def given_nine_facts(app) -> None:
    # 1 fees#1, 2 property:P-1#1, 3 member#1 applied, 4 #2 consent, 5 #3 card,
    # 6 #4 accepted, 7 #5 fee charged, 8 property:P-1#2 (the acceptance's link), 9 #6 payment
    onboard(app)
    run(app, "2025-03-12T09:00", command="record_payment", member_id="M-0042", amount=5500, payment_ref="PAY-1",
        on="2025-03-12")


def problem(app, anchor=None):
    return integrity.verify(app, Window(NOW, NOW), anchor).problem


def test_every_fact_is_chained_in_order_and_verify_passes(app, store_url):
    given_nine_facts(app)
    chain = Raw(store_url).chain()
    assert [r[0] for r in chain] == list(range(1, 10))
    assert [f"{r[2]}#{r[3]}" for r in chain] == [
        "fees#1", "property:P-1#1", "member:M-0042#1", "member:M-0042#2", "member:M-0042#3", "member:M-0042#4",
        "member:M-0042#5", "property:P-1#2", "member:M-0042#6"]
    assert chain[0][6] == "00" * 32
    assert all(chain[i][6] == chain[i - 1][7] for i in range(1, 9))
    report = integrity.verify(app, Window(NOW, NOW))
    assert report.intact and report.facts == 9 and report.streams == 3
    assert (report.head_position, report.head_hash) == (9, chain[-1][7])
    assert report.checked[-3:] == [("projections rebuilt from the log = read path: status of 1 members, "
                                    "history of 3 streams, arrears"),
                                   "read model rebuilt from the log into a scratch copy = the stored tables (3 rows)",
                                   ("dated views recomputed from the log = the stored ones (0 intervals; 2 members "
                                    "or houses to compute at the next list)")]


def test_the_database_refuses_update_and_delete_of_facts(app, store_url):
    given_nine_facts(app)
    raw = Raw(store_url)
    for sql in ("UPDATE {events} SET topic = 'x'", "DELETE FROM {events}", "UPDATE {chain} SET hash = 'x'",
                "DELETE FROM {chain}", "DELETE FROM {keys}", "UPDATE {keys} SET wrapped = 'AAAA'"):
        with pytest.raises(Exception) as e:
            raw.run(sql)
        assert "ledger:" in str(e.value), sql
    if raw.pg:
        with pytest.raises(Exception, match="append-only"):
            raw.run("TRUNCATE {events}")
    assert len(raw.nids()) == 9 and problem(app) is None


def edit_payment(raw, nids):
    oid, ver, topic, state = raw.fact(nids[8])
    raw.replace(nids[8], oid, ver, topic, state.replace(b'"amount":5500', b'"amount":55'))


def edit_ciphertext(raw, nids):
    oid, ver, topic, state = raw.fact(nids[2])
    doc = json.loads(state)
    doc["applicant"]["ct"] = doc["applicant"]["ct"][::-1]
    raw.replace(nids[2], oid, ver, topic, json.dumps(doc).encode())


def delete_fact(raw, nids):
    raw.run("DELETE FROM {events} WHERE {nid} = ?", (nids[4],))


def delete_fact_and_chain(raw, nids):
    raw.run("DELETE FROM {events} WHERE {nid} = ?", (nids[4],))
    raw.run("DELETE FROM {chain} WHERE position = 5")


def swap(raw, nids):
    a, b = raw.fact(nids[3]), raw.fact(nids[4])
    raw.replace(nids[3], "tmp", 0, "x", b"")
    raw.replace(nids[4], *a)
    raw.replace(nids[3], *b)


def insert_unchained(raw, nids):
    oid, ver, topic, state = raw.fact(nids[8])
    raw.insert(oid, 7, topic, state.replace(b'"originator_version":6', b'"originator_version":7')
               .replace(b"PAY-1", b"PAY-FORGED"))


def insert_forged_chain_row(raw, nids):
    # A forger who also writes a well-formed chain row, but whose fact claims another stream inside.
    oid, _, topic, state = raw.fact(nids[8])
    nid = raw.insert(oid, 7, topic, state.replace(b"PAY-1", b"PAY-FORGED"))
    last = raw.chain()[-1]
    forged = raw.fact(nid)
    us = last[4]
    fd = backend.digest(*forged)
    h = backend.link(bytes.fromhex(last[7]), 10, nid, us, fd)
    raw.run("INSERT INTO {chain} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (10, nid, oid, 7, us, fd.hex(), last[7], h.hex()))


def edit_chain(raw, nids):
    raw.run("UPDATE {chain} SET hash = ? WHERE position = 4", ("ab" * 32,))


def relink_chain(raw, nids):
    raw.run("UPDATE {chain} SET prev_hash = ? WHERE position = 5", ("ab" * 32,))


def move_recorded_time(raw, nids):
    raw.run("UPDATE {chain} SET recorded_us = recorded_us - 1 WHERE position = 6")


@pytest.mark.parametrize("tamper, kind, position, says", [
    (edit_payment, "altered", 9, "ALTERED fact at position 9 (member:M-0042#6"),
    (edit_ciphertext, "altered", 3, "ALTERED fact at position 3 (member:M-0042#1"),
    (delete_fact, "missing", 5, "MISSING fact at position 5 (member:M-0042#3"),
    (delete_fact_and_chain, "missing", 5, "MISSING position 5 in the chain (the next is 6)"),
    (swap, "reordered", 4, "REORDERED fact at position 4"),
    (insert_unchained, "unchained", 10, "UNCHAINED fact at notification"),
    (insert_forged_chain_row, "envelope", 10, "Position 10: the row says member:M-0042#7 but the fact inside says member:M-0042#6"),
    (edit_chain, "broken", 4, "BROKEN chain at position 4 (member:M-0042#2): its hash does not recompute"),
    (relink_chain, "broken", 5, "BROKEN chain at position 5 (member:M-0042#3): it does not link to position 4"),
    (move_recorded_time, "broken", 6, "BROKEN chain at position 6 (member:M-0042#4): its hash does not recompute"),
])
def test_tampering_behind_the_ledgers_back_is_caught_at_its_position(app, store_url, tamper, kind, position, says):
    given_nine_facts(app)
    raw = Raw(store_url)
    assert problem(app) is None
    raw.drop_guards()
    tamper(raw, raw.nids())
    p = problem(app)
    assert p is not None, "tampering went unnoticed"
    assert (p.kind, p.position) == (kind, position)
    assert p.en.startswith(says), p.en


def test_a_swap_names_where_the_fact_came_from(app, store_url):
    given_nine_facts(app)
    raw = Raw(store_url)
    raw.drop_guards()
    swap(raw, raw.nids())
    assert problem(app).en.endswith(
        "it holds member:M-0042#3, which was chained at position 5; position 4 was member:M-0042#2.")


def test_a_cut_off_tail_needs_the_anchor_from_an_earlier_verify(app, store_url):
    given_nine_facts(app)
    head = integrity.verify(app, Window(NOW, NOW))
    anchor = (head.head_position, head.head_hash[:16])
    raw = Raw(store_url)
    raw.drop_guards()
    raw.run("DELETE FROM {events} WHERE {nid} = ?", (raw.nids()[-1],))
    raw.run("DELETE FROM {chain} WHERE position = 9")
    # The read model still remembers position 9 (issue 11)...
    cut = problem(app)
    assert cut.kind == "projection" and "rebuilt up to 8, kept up to 9" in cut.en
    # ...but once it is rebuilt too, a clean cut at the end is indistinguishable from a shorter ledger.
    app.rebuild_readmodel()
    assert problem(app) is None
    p = problem(app, anchor)
    assert (p.kind, p.position) == ("anchor", 9)
    assert p.en.startswith("The chain ends at position 8, before the anchored position 9")


def test_a_rewritten_prefix_fails_its_anchor(app, store_url):
    given_nine_facts(app)
    p = problem(app, (4, "0123456789abcdef"))
    assert (p.kind, p.position) == ("anchor", 4)


def test_projections_rebuilt_from_the_log_must_match_the_read_path(app, monkeypatch):
    given_nine_facts(app)
    real, scan = app.read, app.iter_streams
    # A read path that loses the newest fact of a stream (a broken index, say): the status
    # it gives differs from the one assembled from the stream's facts.
    monkeypatch.setattr(app, "read", lambda s: real(s)[:-1] if s == "member:M-0042" else real(s))
    p = problem(app)
    assert p.kind == "projection"
    assert p.en == ("PROJECTION status of M-0042 differs between a rebuild from the log and the read path: "
                    "arrears.amount: rebuilt 0, read path 5500.")
    # A per-stream scan that loses it: the stream no longer matches the global log.
    monkeypatch.setattr(app, "read", real)
    monkeypatch.setattr(app, "iter_streams", lambda prefix, *a, **k: (
        (name, facts[:-1] if name == "member:M-0042" else facts) for name, facts in scan(prefix, *a, **k)))
    p = problem(app)
    assert p.en == ("PROJECTION history of member:M-0042 differs between the global log (6 facts) and the "
                    "per-stream read (5 facts, or other facts).")
    # A per-stream scan that loses a whole stream.
    monkeypatch.setattr(app, "iter_streams", lambda prefix, *a, **k: (
        (name, facts) for name, facts in scan(prefix, *a, **k) if name != "property:P-1"))
    assert problem(app).en == "PROJECTION the per-stream read lists 2 streams, the global log 3."


def test_a_late_clock_is_refused_inside_the_append_lock(app):
    """The recorder itself refuses a recorded time earlier than the newest chained one,
    so two writers racing past the early clock check cannot reverse recorded time."""
    given_nine_facts(app)
    late = PaymentRecorded(originator_id="member:M-0042", originator_version=7, recorded=t("2025-03-12T08:59"),
                           effective=t("2025-03-12T00:00"), actor="x", amount=1, payment_ref="LATE")
    with pytest.raises(ClockError, match="recorded time never goes backwards"):
        app.save(late)
    assert len(app.read("member:M-0042")) == 6


def test_a_command_that_loses_the_clock_race_reads_the_clock_again(app):
    given_nine_facts(app)
    real_append = app.append
    raced = []

    def append(events, now, **kw):
        if not raced:  # another writer records a later fact just before our append
            raced.append(True)
            execute(app, {"command": "record_payment", "member_id": "M-0042", "amount": 1, "payment_ref": "OTHER",
                          "on": "2025-03-12"}, Context(now=t("2025-03-13T10:00"), actor="suzuki"))
        return real_append(events, now, **kw)

    app.append = append
    ticks = iter([t("2025-03-13T10:00:01")])
    result = execute(app, {"command": "record_payment", "member_id": "M-0042", "amount": 2, "payment_ref": "MINE",
                           "on": "2025-03-12"}, Context(now=t("2025-03-13T09:00"), actor="sato", clock=lambda: next(ticks)))
    assert result.events[0].recorded == t("2025-03-13T10:00:01")
    assert [e.payment_ref for e in app.read("member:M-0042")[-2:]] == ["OTHER", "MINE"]
    assert problem(app) is None


def test_a_fixed_clock_behind_a_racing_writer_is_refused_not_rewritten(app):
    given_nine_facts(app)
    real_append = app.append

    def append(events, now, **kw):
        app.append = real_append
        execute(app, {"command": "record_payment", "member_id": "M-0042", "amount": 1, "payment_ref": "OTHER",
                      "on": "2025-03-12"}, Context(now=t("2025-03-13T10:00"), actor="suzuki"))
        return real_append(events, now, **kw)

    app.append = append
    with pytest.raises(ClockError):
        execute(app, {"command": "record_payment", "member_id": "M-0042", "amount": 2, "payment_ref": "MINE",
                      "on": "2025-03-12"}, Context(now=t("2025-03-13T09:00"), actor="sato"))
    assert [e.payment_ref for e in app.read("member:M-0042")[-1:]] == ["OTHER"]


def test_init_chains_a_store_made_before_the_chain_existed(store_url):
    from ledger.store import open_store

    app = open_store(store_url, create=True, test_clock=True)
    given_nine_facts(app)
    app.close()
    raw = Raw(store_url)
    raw.drop_guards()
    raw.run("DELETE FROM {chain}")
    app = open_store(store_url, create=True, test_clock=True)
    try:
        assert app.recorder.backfilled == 9
        assert problem(app) is None
        again = open_store(store_url, create=True, test_clock=True)  # safe twice: nothing more to chain
        assert again.recorder.backfilled == 0
        again.close()
    finally:
        app.close()


def test_a_hand_edit_in_the_sqlite_shell_is_caught_not_crashed_on(sqlite_url):
    """sqlite3's replace() turns the BLOB into TEXT: verify still reads it and names the position."""
    from ledger.store import open_store

    app = open_store(sqlite_url, create=True, test_clock=True)
    given_nine_facts(app)
    raw = Raw(sqlite_url)
    raw.drop_guards()
    raw.run("UPDATE {events} SET state = replace(state, '\"floors\":2', '\"floors\":3') WHERE {nid} = 2")
    assert raw.run("SELECT typeof(state) FROM {events} WHERE rowid = 2") == [("text",)]
    p = problem(app)
    assert (p.kind, p.position) == ("altered", 2)
    app.close()
