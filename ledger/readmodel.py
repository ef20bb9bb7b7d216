"""The materialized read model (issue 11): rows kept beside the facts, in the same transaction.

Two tables per store, written by ``follow`` inside the append's transaction
(after the chain, under the append lock), so they are never behind the facts
they follow, and ``ledger_rm_position`` records the newest log position applied:

- ``ledger_rm_members``: one row per member with a visible application
  (member id, property, acquirer, previous owner), the list ``run_renewals``
  and the lists read instead of decoding the log;
- ``ledger_rm_money``: every charge (by due day), payment and refund (by its
  day) of every member, as now known.

A row is a pure function of one fact, and a retraction deletes the rows of the
facts it names, so the tables are what folding the now-known log gives
(``rebuild`` recomputes them in log order; ``verify`` compares a rebuild with
them). Only member streams feed them: a shared stream (the fee schedule, a
property, inspections) changes no row, because the rows hold only what a
member's own facts say; the views that need the shared streams read them
beside the rows (``projections.member_view``).

The rows answer *which members to look at* for a day (e.g. those whose charges
due before it exceed what they paid before it); what each member's row says is
always the one assembly of ``projections.member_view``.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from ledger.dates import jst_date
from ledger.events import EVENT_TYPES, upcast
from ledger.inspection import PREFIX as INSPECTIONS
from ledger.property import PREFIX as HOUSES
from ledger.member import PREFIX

MEMBERS, MONEY, POSITION = "ledger_rm_members", "ledger_rm_money", "ledger_rm_position"
DAYS, STALE = "ledger_rm_days", "ledger_rm_stale"
TABLES = (MEMBERS, MONEY, POSITION, DAYS, STALE)
NAME = "members"  # the row of ledger_rm_position this model keeps
TOPICS = ("MembershipApplied", "FeeCharged", "PaymentRecorded", "FeeRefunded", "FactRetracted")


def table(d: Any, name: str) -> str:
    return f"{d.schema}.{name}" if d.schema else name


def sql(d: Any, text: str, scratch: bool = False) -> str:
    """Our table names into ``text`` (``[members]``, ``[money]``, ``[position]``); ``scratch``:
    the temporary copies ``verify`` rebuilds into."""
    if scratch:
        prefix = "temp." if d.kind == "sqlite" else ""
        return (text.replace("[members]", f"{prefix}{SCRATCH_MEMBERS}").replace("[money]", f"{prefix}{SCRATCH_MONEY}"))
    return (text.replace("[members]", table(d, MEMBERS)).replace("[money]", table(d, MONEY))
            .replace("[position]", table(d, POSITION)).replace("[narrow]", table(d, "ledger_rm_money_member"))
            .replace("[days]", table(d, DAYS)).replace("[stale]", table(d, STALE))
            .replace("{blob}", "BLOB" if d.kind == "sqlite" else "BYTEA"))


SCRATCH_MEMBERS, SCRATCH_MONEY = "ledger_scratch_members", "ledger_scratch_money"


SCHEMA = [
    "CREATE TABLE IF NOT EXISTS [members] (member_id TEXT PRIMARY KEY, property_id TEXT NOT NULL, "
    "acquirer TEXT NOT NULL, previous_member_id TEXT, applied_event TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS [money] (event_id TEXT PRIMARY KEY, member_id TEXT NOT NULL, kind TEXT NOT NULL, "
    "day TEXT NOT NULL, amount BIGINT NOT NULL)",
    # Covering (amount too): the owing list sums a member's money from the index alone,
    # 0.75 s -> 0.13 s over 720,000 rows. Stores made with the narrower index lose it.
    "DROP INDEX IF EXISTS [narrow]",
    "CREATE INDEX IF NOT EXISTS ledger_rm_money_owing ON [money] (member_id, kind, day, amount)",
    # A retraction deletes the member row its fact made, by that fact's id: without this index
    # each retraction scanned every member (issue 11: appends slowed as the store grew).
    "CREATE INDEX IF NOT EXISTS ledger_rm_members_applied ON [members] (applied_event)",
    "CREATE TABLE IF NOT EXISTS [position] (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
    # The dated views (projections.days): one row per subject (a member's or a house's stream)
    # and interval on which its view is the same, as now known; a list for a day reads the
    # intervals holding it, picking by the arrears amount and the tasks kept in their own columns.
    "CREATE TABLE IF NOT EXISTS [days] (subject TEXT NOT NULL, start_day TEXT NOT NULL, until_day TEXT NOT NULL, "
    "live SMALLINT NOT NULL, owed BIGINT NOT NULL, tasks TEXT NOT NULL, view {blob} NOT NULL, "
    "PRIMARY KEY (subject, start_day))",
    "CREATE INDEX IF NOT EXISTS ledger_rm_days_on ON [days] (until_day, start_day)",
    # The two lists that want a few of the intervals holding a day read them by partial indexes
    # (on 100,000 members, the owing pick 1.07 s -> 0.08 s): their WHERE is PICKS' word for word.
    "CREATE INDEX IF NOT EXISTS ledger_rm_days_owing ON [days] (until_day, start_day) WHERE owed > 0 OR live = 1",
    "CREATE INDEX IF NOT EXISTS ledger_rm_days_work ON [days] (until_day, start_day) WHERE tasks <> '' OR live = 1",
    # The subjects whose dated views an append made stale, marked in the append's transaction
    # with its newest position; a refresh clears a mark only if no later append moved it.
    "CREATE TABLE IF NOT EXISTS [stale] (subject TEXT PRIMARY KEY, mark BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ledger_rm_members_previous ON [members] (previous_member_id)",
    "CREATE INDEX IF NOT EXISTS ledger_rm_members_property ON [members] (property_id)",
]


# --- one fact -> row changes (pure) -------------------------------------------------------------


Change = tuple[str, tuple]  # ("members+" | "money+" | "retract", values)


def changes(stream: str, version: int, topic: str, data: dict) -> list[Change]:
    """The row changes one member fact makes (none for any other fact)."""
    if not stream.startswith(PREFIX) or topic not in TOPICS:
        return []
    event_id = f"{stream}#{version}"
    member_id = stream[len(PREFIX):]
    if topic == "MembershipApplied":
        return [("members+", (member_id, data["property_id"], data["acquirer"], data.get("previous_member_id"),
                              event_id))]
    if topic == "FactRetracted":
        return [("retract", tuple(data["targets"]))]
    if topic == "FeeCharged":
        return [("money+", (event_id, member_id, "charge", str(data["due_on"]), int(data["amount"])))]
    day = jst_date(datetime.fromisoformat(str(data["effective"]))).isoformat()
    kind = "payment" if topic == "PaymentRecorded" else "refund"
    return [("money+", (event_id, member_id, kind, day, int(data["amount"])))]


def touched(stream: str) -> list[Change]:
    """The dated views a fact on ``stream`` makes stale (``projections.days``): its own subject's
    (a member, a house), and those that read it - a member's: the secondary applicants naming
    it as previous owner (IE-17.2.x) and its house (whose inspection work reads its members);
    a house's inspections: the house and its members (IE-14.3.8)."""
    if stream.startswith(PREFIX):
        member_id = stream[len(PREFIX):]
        return [("stale", (stream,)), ("stale-next", (member_id,)), ("stale-house-of", (member_id,))]
    if stream.startswith(INSPECTIONS):
        property_id = stream[len(INSPECTIONS):]
        return [("stale", (HOUSES + property_id,)), ("stale-house", (property_id,))]
    if stream.startswith(HOUSES):
        return [("stale", (stream,))]
    return []


def stored_changes(stream: str, version: int, topic: str, state: bytes) -> list[Change]:
    if not stream.startswith(PREFIX) or topic not in TOPICS:
        return touched(stream)  # decoded only when it matters
    # Read raw for speed, so upcast here as the store's mapper does (the storage contract).
    return changes(stream, version, topic, upcast(EVENT_TYPES[topic], json.loads(state))) + touched(stream)


class Rows:
    """The tables read into memory (for tests and small stores)."""

    def __init__(self) -> None:
        self.members: dict[str, tuple] = {}
        self.money: dict[str, tuple] = {}


# --- the tables --------------------------------------------------------------------------------


def create(cur: Any, d: Any) -> int:
    """Create the tables (idempotent); fill them from the log if they are behind it (an upgrade)."""
    for s in SCHEMA:
        cur.run(sql(d, s))
    newest = cur.one(f"SELECT MAX({d.nid}) FROM {{events}}")
    newest = (newest[0] if newest else None) or 0
    if position(cur, d) < newest:
        return rebuild(cur, d)
    if (cur.one(sql(d, "SELECT 1 FROM [members] LIMIT 1")) and not cur.one(sql(d, "SELECT 1 FROM [days] LIMIT 1"))
            and not cur.one(sql(d, "SELECT 1 FROM [stale] LIMIT 1"))):
        stale_all(cur, d, newest)  # a store made before the dated views: every member is to be computed
    return 0


MEMBER_UPSERT = ("INSERT INTO [members] (member_id, property_id, acquirer, previous_member_id, applied_event) "
                 "VALUES (?,?,?,?,?) ON CONFLICT (member_id) DO UPDATE SET property_id = excluded.property_id, "
                 "acquirer = excluded.acquirer, previous_member_id = excluded.previous_member_id, "
                 "applied_event = excluded.applied_event")
MONEY_INSERT = "INSERT INTO [money] (event_id, member_id, kind, day, amount) VALUES (?,?,?,?,?) ON CONFLICT (event_id) DO NOTHING"


STALE_MARK = " ON CONFLICT (subject) DO UPDATE SET mark = excluded.mark"
MARKS = {
    "stale": "INSERT INTO [stale] (subject, mark) VALUES (?, ?)" + STALE_MARK,
    "stale-next": f"INSERT INTO [stale] (subject, mark) SELECT '{PREFIX}' || member_id, ? FROM [members] "
                  "WHERE previous_member_id = ?" + STALE_MARK,
    "stale-house-of": f"INSERT INTO [stale] (subject, mark) SELECT '{HOUSES}' || property_id, ? FROM [members] "
                      "WHERE member_id = ?" + STALE_MARK,
    "stale-house": f"INSERT INTO [stale] (subject, mark) SELECT '{PREFIX}' || member_id, ? FROM [members] "
                   "WHERE property_id = ?" + STALE_MARK,
}


def write(cur: Any, d: Any, cs: Iterable[Change], scratch: bool = False, mark: int | None = None) -> None:
    """Apply row changes in order; consecutive inserts of one table go as one ``executemany``
    (an append of thousands of facts is a few statements, not one round trip per row).
    ``mark``: the append's newest position, set on the members it made stale (None: no marks,
    as in a rebuild, which marks every member at its end)."""
    cs = list(cs)
    run: list[tuple] = []
    run_kind = ""
    stale: set[tuple[str, str]] = {(kind, values[0]) for kind, values in cs if kind in MARKS}
    if mark is not None and not scratch and any(kind == "retract" for kind, _ in cs):
        # A retraction may delete the member row that names a house or a previous owner: those
        # are found before the rows change too.
        mark_stale(cur, d, stale, mark)

    def flush() -> None:
        if run:
            cur.many(sql(d, MEMBER_UPSERT if run_kind == "members+" else MONEY_INSERT, scratch), run)
            run.clear()

    for kind, values in cs:
        if kind in MARKS:
            continue
        if kind != run_kind:
            flush()
            run_kind = kind
        if kind in ("members+", "money+"):
            run.append(values)
            continue
        # A retraction deletes rows inserted before it, so the inserts queued so far go first.
        marks = ",".join("?" * len(values))
        cur.run(sql(d, f"DELETE FROM [money] WHERE event_id IN ({marks})", scratch), values)
        cur.run(sql(d, f"DELETE FROM [members] WHERE applied_event IN ({marks})", scratch), values)
    flush()
    if mark is not None and not scratch:
        # After the rows: a house's or previous owner's members are found by the rows just written.
        mark_stale(cur, d, stale, mark)


def mark_stale(cur: Any, d: Any, stale: set[tuple[str, str]], mark: int) -> None:
    """Mark the subjects named (``stale``) or found through the member rows, with ``mark``."""
    for kind in MARKS:
        ids = sorted(i for k, i in stale if k == kind)
        if ids:
            cur.many(sql(d, MARKS[kind]), [(i, mark) if kind == "stale" else (mark, i) for i in ids])


def set_position(cur: Any, d: Any, pos: int) -> None:
    cur.run(sql(d, "INSERT INTO [position] (name, position) VALUES (?, ?) ON CONFLICT (name) "
                   "DO UPDATE SET position = excluded.position"), (NAME, pos))


def position(cur: Any, d: Any) -> int:
    row = cur.one(sql(d, "SELECT position FROM [position] WHERE name = ?"), (NAME,))
    return int(row[0]) if row else 0


def follow(cur: Any, d: Any, rows: Iterable[tuple[int, Any]]) -> None:
    """The hook of the append path: apply the facts just inserted (notification id, stored
    event), in the same transaction, and move the position."""
    rows = list(rows)
    follow_changes(cur, d, pending(s for _, s in rows), max((nid for nid, _ in rows), default=0))


def pending(stored: Iterable[Any]) -> list[Change]:
    """The row changes of facts about to be stored, in order (pure: it may refuse before anything is written)."""
    return [c for s in stored for c in stored_changes(str(s.originator_id), s.originator_version, s.topic,
                                                        bytes(s.state))]


def follow_changes(cur: Any, d: Any, cs: list[Change], last: int) -> None:
    """Write the changes of an append whose newest fact is at ``last``, and move the position there."""
    write(cur, d, cs, mark=last)
    if last:
        set_position(cur, d, last)


def log(cur: Any, d: Any, batch: int = 5000) -> Iterator[tuple[int, str, int, str, bytes]]:
    """The log in position order, read through ``cur`` (inside its transaction)."""
    start = 0
    while True:
        rows = cur.all(f"SELECT {d.nid}, originator_id, originator_version, topic, state FROM {{events}} "
                       f"WHERE {d.nid} > ? ORDER BY {d.nid} LIMIT ?", (start, batch))
        if not rows:
            return
        yield from rows
        start = rows[-1][0]


def rebuild(cur: Any, d: Any, progress: Callable[[int], None] | None = None, batch: int = 5000) -> int:
    """Empty the tables and apply the whole log again, in one transaction. Returns the facts read."""
    cur.run(sql(d, "DELETE FROM [money]"))
    cur.run(sql(d, "DELETE FROM [members]"))
    n = last = 0
    for nid, stream, version, topic, state in log(cur, d, batch):
        write(cur, d, stored_changes(stream, version, topic, bytes(state)))
        n += 1
        last = nid
        if progress is not None and n % batch == 0:
            progress(batch)
    if progress is not None:
        progress(n % batch)
    set_position(cur, d, last)
    stale_all(cur, d, last)
    return n


def stale_all(cur: Any, d: Any, mark: int) -> None:
    """Every member's and house's dated views are to be recomputed (a rebuild, an upgraded store)."""
    cur.run(sql(d, "DELETE FROM [days]"))
    cur.run(sql(d, "DELETE FROM [stale]"))
    for prefix in (HOUSES, PREFIX):
        hi = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        cur.run(sql(d, "INSERT INTO [stale] (subject, mark) SELECT DISTINCT originator_id, ? FROM {events} "
                       "WHERE originator_id >= ? AND originator_id < ?"), (mark, prefix, hi))


MEMBER_COLUMNS = "member_id, property_id, acquirer, previous_member_id, applied_event"
MONEY_COLUMNS = "event_id, member_id, kind, day, amount"


def scratch_difference(cur: Any, d: Any, batch: int = 5000) -> tuple[str | None, int, int]:
    """Rebuild the tables from the log into temporary scratch copies (inside ``cur``'s
    transaction, which the caller rolls back) and compare them with the stored ones in SQL.

    Returns (the first differing row described, or None; the position rebuilt up to; rows kept)."""
    for name, text in ((SCRATCH_MEMBERS, SCHEMA[0]), (SCRATCH_MONEY, SCHEMA[1])):
        cur.run(sql(d, text.replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE IF NOT EXISTS")
                    .replace("[members]" if name == SCRATCH_MEMBERS else "[money]",
                             name if name == SCRATCH_MEMBERS else name)))
        cur.run(f"DELETE FROM {name}")
    last = 0
    for nid, stream, version, topic, state in log(cur, d, batch):
        write(cur, d, stored_changes(stream, version, topic, bytes(state)), scratch=True)
        last = nid
    for what, cols, kept, rebuilt in (("members", MEMBER_COLUMNS, "[members]", SCRATCH_MEMBERS),
                                      ("money", MONEY_COLUMNS, "[money]", SCRATCH_MONEY)):
        for a, b, label in ((rebuilt, kept, "rebuilt, not kept"), (kept, rebuilt, "kept, not rebuilt")):
            row = cur.one(sql(d, f"SELECT {cols} FROM {a} EXCEPT SELECT {cols} FROM {b} ORDER BY 1 LIMIT 1"))
            if row is not None:
                return f"row {row[0]} of {what} ({label}: {tuple(row)!r})", last, 0
    n = cur.one(sql(d, "SELECT (SELECT COUNT(*) FROM [members]) + (SELECT COUNT(*) FROM [money])"))
    return None, last, int(n[0]) if n else 0


def stored(cur: Any, d: Any) -> Rows:
    rows = Rows()
    for r in cur.all(sql(d, f"SELECT {MEMBER_COLUMNS} FROM [members]")):
        rows.members[r[0]] = tuple(r)
    for r in cur.all(sql(d, f"SELECT {MONEY_COLUMNS} FROM [money]")):
        rows.money[r[0]] = (r[0], r[1], r[2], r[3], int(r[4]))
    return rows


# --- questions the rows answer -----------------------------------------------------------------


def member_ids(cur: Any, d: Any) -> list[str]:
    """Every member, in the order their streams began in the log (as a scan of the log finds them)."""
    return [r[0] for r in cur.all(sql(d, f"SELECT m.member_id FROM [members] m JOIN {{events}} e "
                                         f"ON e.originator_id = '{PREFIX}' || m.member_id AND e.originator_version = 1 "
                                         f"ORDER BY e.{d.nid}"))]


def owing_candidates(cur: Any, d: Any, day: date) -> list[str]:
    """Members who may owe an overdue fee on ``day``: the charges due before it (void ones
    too) and the refunds by it exceed the payments made before it. A superset of those
    ``Member.arrears_on(day)`` finds owing, whatever the view's time of day (a payment
    of that very day is not counted here)."""
    q = sql(d, "SELECT member_id FROM [money] GROUP BY member_id HAVING "
               "SUM(CASE WHEN kind = 'charge' AND day < ? THEN amount WHEN kind = 'refund' AND day <= ? THEN amount "
               "WHEN kind = 'payment' AND day < ? THEN -amount ELSE 0 END) > 0 ORDER BY member_id")
    iso = day.isoformat()
    return [r[0] for r in cur.all(q, (iso, iso, iso))]


# --- the dated views (projections.days computes them; these only store and find them) ----------


def stale_subjects(cur: Any, d: Any, limit: int) -> list[tuple[str, int]]:
    """Up to ``limit`` subjects whose dated views are stale, with their marks, in order."""
    return [(r[0], int(r[1])) for r in cur.all(sql(d, "SELECT subject, mark FROM [stale] ORDER BY subject LIMIT ?"),
                                              (limit,))]


def stale_count(cur: Any, d: Any) -> int:
    row = cur.one(sql(d, "SELECT COUNT(*) FROM [stale]"))
    return int(row[0]) if row else 0


DAY_COLUMNS = "start_day, until_day, live, owed, tasks, view"


def save_days(cur: Any, d: Any, built: list[tuple[str, int, list[tuple]]]) -> int:
    """Replace each subject's dated views with ``built`` (subject, mark, [(start, until, live, owed,
    tasks, view)]) and clear its stale mark unless a later append moved it. Returns the marks cleared."""
    cleared = 0
    for subject, mark, rows in built:
        cur.run(sql(d, "DELETE FROM [days] WHERE subject = ?"), (subject,))
        if rows:
            cur.many(sql(d, f"INSERT INTO [days] (subject, {DAY_COLUMNS}) VALUES (?,?,?,?,?,?,?)"),
                     [(subject, *r) for r in rows])
        cleared += cur.count(sql(d, "DELETE FROM [stale] WHERE subject = ? AND mark = ?"), (subject, mark))
    return cleared


PICKS = {
    # By the text, not a range of the key: a range makes SQLite walk every member's intervals by the
    # key (1.1 s on 100,000 members) instead of the index on the days (0.6 s).
    "members": f"substr(subject, 1, {len(PREFIX)}) = '{PREFIX}'",
    "owing": "(owed > 0 OR live = 1)",  # (a live house is left out by the caller)
    "tasks": "(tasks <> '' OR live = 1)",
}


def days_on(cur: Any, d: Any, day: date, want: str) -> list[tuple[str, int, str, bytes]]:
    """The dated views holding ``day`` (subject, live, tasks, view) that ``want`` picks
    (``PICKS``), in subject order; each list reads only the columns it shows."""
    iso = day.isoformat()
    tasks = "tasks" if want == "tasks" else "''"
    view = "''" if want == "tasks" else "view"
    # Sorted here: an ORDER BY would let SQLite prefer walking the key to the day's index.
    rows = cur.all(sql(d, f"SELECT subject, live, {tasks}, {view} FROM [days] WHERE until_day > ? AND start_day <= ? "
                          f"AND {PICKS[want]}"), (iso, iso))
    rows.sort(key=itemgetter(0))
    return rows


def days_of(cur: Any, d: Any, subject: str) -> list[tuple]:
    """One subject's stored dated views, in order (``verify`` compares them with a recomputation)."""
    return [(r[0], r[1], int(r[2]), int(r[3]), r[4], bytes(r[5])) for r in cur.all(
        sql(d, f"SELECT {DAY_COLUMNS} FROM [days] WHERE subject = ? ORDER BY start_day"), (subject,))]
