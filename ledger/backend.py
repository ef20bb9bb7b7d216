"""The ledger's own tables beside the library's events table, on either backend.

Three tables live next to the events table (``stored_events`` on SQLite,
``membershipledger_events`` on PostgreSQL) and are created by ``ledger init``:

- ``ledger_chain``: one row per stored fact, written **in the same transaction**
  as the fact. Row *position* (1, 2, 3, … with no gaps) holds the fact's
  notification id, stream and version, its recorded time, the SHA-256 *digest*
  of its stored bytes, and ``hash = SHA-256(prev_hash ‖ position ‖ notification
  id ‖ recorded ‖ digest)``. Editing, deleting, swapping or inserting a fact
  behind the ledger's back breaks the chain at that position (``ledger verify``).
- ``ledger_keys``: one data key per subject (a stream id, e.g. ``member:M-0042``)
  that encrypts its personal fields, wrapped by the master key. Erasure
  (IE-19.10) replaces the wrapped key by NULL; a key is never replaced or
  deleted, so an erased subject can never be given data again.
- ``ledger_meta``: settings fixed at ``init`` (the master-key check value).

Triggers refuse UPDATE and DELETE on the events, chain and meta tables and
anything but erasure on the key table, so the database itself keeps facts
append-only whoever connects.

The chain is appended while the writer holds the store's write lock (SQLite's
single writer; on PostgreSQL the library's ``LOCK TABLE … IN EXCLUSIVE MODE``,
taken through the ``ledger_append_lock(gate)`` function so that a writer role
needs no UPDATE privilege), so reading the previous hash there is consistent.
The same lock makes the recorded-time check (never backwards, CONTRACT.md)
race-free.

The *gate* (PostgreSQL): every ordinary append passes it in shared mode; a
command that lost a write conflict takes it exclusively for its whole
read -> decide -> append, so no other append can commit in between and its
fresh decision cannot conflict again. Under heavy contention on the same
members, every command is thus decided at most twice (``commands.handlers``).

Whether a store chains its facts, encrypts personal fields and honours a test
clock are *settings* written once into ``ledger_meta`` when the store is
created (``ledger init``; ``bench/`` may create stores with the chain or the
encryption off to measure their cost) and read at every open: no later
command's environment can change them (``ledger.store.SETTINGS``).

On PostgreSQL the database itself chains each fact (the trigger function
``ledger_after_facts``, SECURITY DEFINER), destroys the data key when an erasure
fact is stored, refuses recorded times ahead of its own clock (except on a
test-clock store) and stamps each fact with the login role that wrote it
(``db_role``); a writer role may neither write the chain nor change the key
table directly (issue 12).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from ledger import readmodel
from ledger.errors import ClockError, Conflict, Refused, StoreError
from ledger.keys import SCHEME

GENESIS = bytes(32)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = timedelta(microseconds=1)
ERASURE_TOPIC = "PersonalDataErased"  # ledger.events.PersonalDataErased.TYPE (pinned)
MASTER_CHECK = "master_key_check"


# --- hashing --------------------------------------------------------------------------


def _framed(h: Any, *parts: bytes) -> None:
    for p in parts:
        h.update(len(p).to_bytes(8, "big"))
        h.update(p)


def digest(originator_id: str, originator_version: int, topic: str, state: bytes) -> bytes:
    """The fingerprint of one stored fact: its stream, position, topic and bytes.

    It leaves out where the fact sits in the store, so a fact moved to another
    position is still recognised (``verify`` reports it as reordered).
    """
    h = hashlib.sha256(b"ledger-fact/v1")
    _framed(h, originator_id.encode(), str(originator_version).encode(), topic.encode(), state)
    return h.digest()


def link(prev_hash: bytes, position: int, notification_id: int, recorded_us: int, fact_digest: bytes) -> bytes:
    """The chain hash of position ``position``: it covers everything before it."""
    h = hashlib.sha256(b"ledger-link/v1")
    _framed(h, prev_hash, str(position).encode(), str(notification_id).encode(), str(recorded_us).encode(),
            fact_digest)
    return h.digest()


def to_us(t: datetime) -> int:
    return (t - EPOCH) // _US


def from_us(us: int) -> datetime:
    return EPOCH + us * _US


def as_bytes(value: Any) -> bytes:
    """A stored state as bytes (a column edited by hand may come back as text)."""
    return value if isinstance(value, bytes) else str(value).encode() if isinstance(value, str) else bytes(value)


def recorded_us(state: bytes) -> int:
    """The recorded time inside a stored fact's JSON, in microseconds since 1970."""
    try:
        return to_us(datetime.fromisoformat(json.loads(state)["recorded"]))
    except (ValueError, KeyError, TypeError) as e:
        raise StoreError(f"A fact to be stored has no valid recorded time ({e}).",
                         f"記録しようとした事実に有効な記録時刻がありません（{e}）。") from None


# --- the SQL of both dialects -------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    """Table names and placeholder style of one backend."""

    kind: str  # "sqlite" | "postgres"
    events: str
    chain: str
    keys: str
    meta: str
    schema: str = ""

    @property
    def nid(self) -> str:
        """The notification id column of the events table."""
        return "rowid" if self.kind == "sqlite" else "notification_id"

    @property
    def gate_name(self) -> str:
        """The advisory-lock name of this store's gate (PostgreSQL)."""
        return "ledger-gate:" + self.events.replace('"', "").replace("'", "")

    @property
    def gate_table(self) -> str:
        """The table whose lock is the gate (PostgreSQL): only the ledger's functions may lock it."""
        return f'{self.schema}."ledger_gate"' if self.schema else "ledger_gate"

    def q(self, sql: str) -> str:
        """Our SQL is written with ``?`` placeholders and ``{events}``-style names."""
        text = sql.format(events=self.events, chain=self.chain, keys=self.keys, meta=self.meta,
                          schema=self.schema, gate=self.gate_name, gate_table=self.gate_table)
        return text.replace("?", "%s") if self.kind == "postgres" else text


class Cur(Protocol):
    """The little a chain append needs from a cursor of either backend."""

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None: ...
    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]: ...
    def run(self, sql: str, params: Sequence[Any] = ()) -> None: ...
    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def count(self, sql: str, params: Sequence[Any] = ()) -> int: ...


class SqliteCur:
    def __init__(self, c: Any, d: Dialect) -> None:
        self.c, self.d = c, d

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        self.c.execute(self.d.q(sql), tuple(params))
        r = self.c.fetchone()
        return tuple(r) if r is not None else None

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        self.c.execute(self.d.q(sql), tuple(params))
        return [tuple(r) for r in self.c.fetchall()]

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        if params:
            self.c.execute(self.d.q(sql), tuple(params))
        else:  # no placeholders: DDL may hold a literal % (plpgsql RAISE)
            self.c.execute(self.d.q(sql))

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.c.executemany(self.d.q(sql), [tuple(r) for r in rows])

    def count(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a change and say how many rows it changed."""
        self.c.execute(self.d.q(sql), tuple(params))
        return int(getattr(self.c, "sqlite_cursor", self.c).rowcount)  # (the library wraps SQLite's cursor)


class PgCur(SqliteCur):
    """psycopg cursors with dict rows (the library's row factory)."""

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        self.c.execute(self.d.q(sql), tuple(params))
        r = self.c.fetchone()
        return tuple(r.values()) if r is not None else None

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        self.c.execute(self.d.q(sql), tuple(params))
        return [tuple(r.values()) for r in self.c.fetchall()]


# --- appending the chain (inside the events' transaction, under the write lock) ---------------


HEAD = "SELECT position, hash, recorded_us FROM {chain} ORDER BY position DESC LIMIT 1"
SEALED = b'"enc":"' + SCHEME.encode() + b'"'  # how a sealed personal field looks in stored JSON
_READ = object()


def head_sql(d: Dialect, *, before: bool = False, chain: bool = True) -> str:
    """The newest chain row; with the chain off, the newest fact (its recorded time only)."""
    if chain:
        return HEAD
    where = f"WHERE {d.nid} < ? " if before else ""
    return f"SELECT state FROM {{events}} {where}ORDER BY {d.nid} DESC LIMIT 1"


def head_of(row: tuple | None, chain: bool = True) -> tuple[int, bytes, int | None]:
    """(position, hash, recorded µs) of a ``head_sql`` row."""
    if row is None:
        return 0, GENESIS, None
    if chain:
        return row[0], bytes.fromhex(row[1]), row[2]
    return 0, GENESIS, recorded_us(as_bytes(row[0]))


def after_insert(cur: Cur, d: Dialect, rows: Iterable[tuple[int, Any]], head: Any = _READ,
                 keys: dict[str, str] | None = None, *, chain: bool = True) -> None:
    """Chain the facts just inserted, under the append lock, and apply any erasure among them.

    ``rows`` pairs each notification id with its stored event; ``head`` is a
    ``head_sql`` row the caller already read under the lock. Refuses (and so
    rolls back the whole append):
    - a recorded time earlier than the newest one in the store (another writer
      got in between this command reading the clock and appending);
    - personal data sealed for a subject erased meanwhile (a stale key cache);
    - a new data key (``keys``: subject -> wrapped key, stored here with the
      first facts sealed with it) when another writer stored one first.
    """
    ordered = sorted(rows, key=lambda r: r[0])
    if head is _READ:
        head = cur.one(head_sql(d, before=True, chain=chain), () if chain else (ordered[0][0],))
    position, prev, last_us = head_of(head, chain)
    refuse_backwards(last_us, [s for _, s in ordered])
    out = []
    for nid, s in ordered:
        us = recorded_us(s.state)
        fd = digest(str(s.originator_id), s.originator_version, s.topic, s.state)
        position += 1
        h = link(prev, position, nid, us, fd)
        out.append((position, nid, str(s.originator_id), s.originator_version, us, fd.hex(), prev.hex(), h.hex()))
        prev, last_us = h, us
    if chain:
        cur.many("INSERT INTO {chain} (position, notification_id, originator_id, originator_version, recorded_us, "
                 "digest, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)", out)
    keys = keys or {}
    for subject, wrapped in keys.items():
        # One round trip: the row comes back only if this writer's key is the one stored.
        if cur.one("INSERT INTO {keys} (subject, wrapped, created_us) VALUES (?, ?, ?) ON CONFLICT (subject) "
                   "DO NOTHING RETURNING subject", (subject, wrapped, last_us or 0)) is None:
            raise key_conflict(subject)
    refuse_if_erased(cur, [s for _, s in ordered], keys)
    for _, s in ordered:
        if s.topic == ERASURE_TOPIC:
            erase_key(cur, str(s.originator_id), recorded_us(s.state))
    # The materialized read model follows the facts in this same transaction (issue 11).
    readmodel.follow(cur, d, ordered)


def refuse_backwards(last_us: int | None, stored: Sequence[Any]) -> None:
    """Refuse facts whose recorded times go back (behind ``last_us``, the newest one read
    under the append lock, or behind the fact before them in this append)."""
    for s in stored:
        us = recorded_us(s.state)
        if last_us is not None and us < last_us:
            raise ClockError(
                f"The ledger clock ({from_us(us).isoformat()}) is earlier than the newest recorded fact "
                f"({from_us(last_us).isoformat()}), found under the append lock (another writer may just have "
                "recorded it): recorded time never goes backwards.",
                f"台帳の時計（{from_us(us).isoformat()}）が、追記ロック下で見た最新の記録（{from_us(last_us).isoformat()}）"
                "より前です（直前に他の書き込みがあった可能性があります）。記録時刻は後戻りできません。",
            )
        last_us = us


def db_clock_error(text: str) -> ClockError | None:
    """The ledger error for a recorded time refused by the database trigger (PostgreSQL)."""
    if "ledger-clock-" not in text:
        return None
    kind, _, detail = text.split("ledger-clock-", 1)[1].splitlines()[0][:300].partition(": ")
    if kind == "behind":
        return ClockError(
            f"The ledger clock is earlier than the newest recorded fact, found under the append lock ({detail}): "
            "recorded time never goes backwards.",
            f"台帳の時計が、追記ロック下で見た最新の記録より前です（{detail}）。記録時刻は後戻りできません。")
    return ClockError(
        f"The database refused a recorded time ahead of its clock ({detail}): this store records real time only "
        "(LEDGER_CLOCK works only on a store made with `ledger init --test-clock`).",
        f"データベースが時計より先の記録時刻を拒否しました（{detail}）。このストアは実時間だけを記録します。")


def refuse_if_erased(cur: Cur, stored: Sequence[Any], keys: dict[str, str]) -> None:
    """Subjects sealed with a key loaded earlier: was it destroyed meanwhile? (A new key
    was stored only because no row, tombstone included, existed.)"""
    sealed = sealed_subjects(stored, keys)
    if sealed:
        marks = ",".join("?" * len(sealed))
        refuse_erased([r[0] for r in cur.all(f"SELECT subject FROM {{keys}} WHERE wrapped IS NULL AND subject IN ({marks})",
                                              sealed)])


def sealed_subjects(stored: Sequence[Any], keys: dict[str, str]) -> list[str]:
    """The subjects whose personal data these facts seal with a key loaded earlier (not one new here)."""
    return sorted({str(s.originator_id) for s in stored if SEALED in s.state} - set(keys))


def refuse_erased(gone: Sequence[str]) -> None:
    if gone:
        raise Refused(
            f"The personal data of {gone[0]} was erased (IE-19.10) while this command was decided: "
            "no new personal data can be recorded for it.",
            f"このコマンドの判断中に {gone[0]} の個人情報が消去されました（IE-19.10）。新たに個人情報を記録できません。",
            rule="IE-19.10", code="erased",
        )


def key_conflict(subject: str) -> Conflict:
    return Conflict(f"Another writer created the data key of {subject} first; decide again.",
                    f"他の書き込みが先に {subject} のデータ鍵を作りました。判断をやり直してください。")


def backfill(cur: Cur, d: Dialect, batch: int = 5000) -> int:
    """Chain the facts of a store created before the chain existed (``init`` upgrade).

    Runs only when the chain is empty, under the write lock; later unchained
    rows are never adopted (they are what ``verify`` must report).
    """
    if cur.one("SELECT 1 FROM {chain} LIMIT 1") is not None:
        return 0
    nid_col = d.nid
    position, prev, start = 0, GENESIS, 0
    while True:
        rows = cur.all(f"SELECT {nid_col}, originator_id, originator_version, topic, state FROM {{events}} "
                       f"WHERE {nid_col} > ? ORDER BY {nid_col} LIMIT ?", (start, batch))
        if not rows:
            return position
        out = []
        for nid, oid, ver, topic, state in rows:
            state = as_bytes(state)
            us = recorded_us(state)
            fd = digest(oid, ver, topic, state)
            position += 1
            h = link(prev, position, nid, us, fd)
            out.append((position, nid, oid, ver, us, fd.hex(), prev.hex(), h.hex()))
            prev = h
        cur.many("INSERT INTO {chain} (position, notification_id, originator_id, originator_version, recorded_us, "
                 "digest, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)", out)
        start = rows[-1][0]


# --- the key table ----------------------------------------------------------------------------


def erase_key(cur: Cur, subject: str, at_us: int) -> None:
    """Destroy a subject's data key (IE-19.10), leaving a tombstone so it is never re-created."""
    cur.run("INSERT INTO {keys} (subject, wrapped, created_us, erased_us) VALUES (?, NULL, ?, ?) "
            "ON CONFLICT (subject) DO UPDATE SET wrapped = NULL, erased_us = excluded.erased_us",
            (subject, at_us, at_us))


# --- schema -------------------------------------------------------------------------------------

LEDGER_TABLES = [
    "CREATE TABLE IF NOT EXISTS {chain} ("
    " position BIGINT PRIMARY KEY,"
    " notification_id BIGINT NOT NULL UNIQUE,"
    " originator_id TEXT NOT NULL,"
    " originator_version BIGINT NOT NULL,"
    " recorded_us BIGINT NOT NULL,"
    " digest TEXT NOT NULL,"
    " prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ledger_chain_stream_idx ON {chain} (originator_id, originator_version)",
    "CREATE TABLE IF NOT EXISTS {keys} ("
    " subject TEXT PRIMARY KEY,"
    " wrapped TEXT,"
    " created_us BIGINT NOT NULL,"
    " erased_us BIGINT)",
    "CREATE TABLE IF NOT EXISTS {meta} (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
]

# (trigger name, table, what it refuses) — names are pinned: tests drop them to tamper.
GUARDS = [
    ("ledger_events_append_only", "events"),
    ("ledger_chain_append_only", "chain"),
    ("ledger_meta_append_only", "meta"),
    ("ledger_keys_erase_only", "keys"),
]

SQLITE_GUARDS = [
    "CREATE TRIGGER IF NOT EXISTS ledger_events_append_only_u BEFORE UPDATE ON {events} "
    "BEGIN SELECT RAISE(ABORT, 'ledger: stored facts are append-only (UPDATE refused)'); END",
    "CREATE TRIGGER IF NOT EXISTS ledger_events_append_only_d BEFORE DELETE ON {events} "
    "BEGIN SELECT RAISE(ABORT, 'ledger: stored facts are append-only (DELETE refused)'); END",
    "CREATE TRIGGER IF NOT EXISTS ledger_chain_append_only_u BEFORE UPDATE ON {chain} "
    "BEGIN SELECT RAISE(ABORT, 'ledger: the hash chain is append-only (UPDATE refused)'); END",
    "CREATE TRIGGER IF NOT EXISTS ledger_chain_append_only_d BEFORE DELETE ON {chain} "
    "BEGIN SELECT RAISE(ABORT, 'ledger: the hash chain is append-only (DELETE refused)'); END",
    "CREATE TRIGGER IF NOT EXISTS ledger_meta_append_only_u BEFORE UPDATE ON {meta} "
    "BEGIN SELECT RAISE(ABORT, 'ledger: ledger settings are append-only (UPDATE refused)'); END",
    "CREATE TRIGGER IF NOT EXISTS ledger_meta_append_only_d BEFORE DELETE ON {meta} "
    "BEGIN SELECT RAISE(ABORT, 'ledger: ledger settings are append-only (DELETE refused)'); END",
    "CREATE TRIGGER IF NOT EXISTS ledger_keys_erase_only_u BEFORE UPDATE ON {keys} "
    "WHEN NEW.wrapped IS NOT NULL OR NEW.subject IS NOT OLD.subject "
    "BEGIN SELECT RAISE(ABORT, 'ledger: a data key can only be erased, never replaced'); END",
    "CREATE TRIGGER IF NOT EXISTS ledger_keys_erase_only_d BEFORE DELETE ON {keys} "
    "BEGIN SELECT RAISE(ABORT, 'ledger: a data key is erased by a tombstone, never deleted'); END",
]

def _framed_sql(expr: str) -> str:
    """``_framed`` in SQL, written out: ``ledger_framed`` is not inlined (its fixed search_path),
    and calling it ten times a fact was most of the cost of chaining in the database."""
    return f"int8send(length({expr})::bigint) || {expr}"


PG_GUARDS = [
    "CREATE OR REPLACE FUNCTION {schema}.ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'ledger: % on %.% refused: the ledger is append-only', "
    "TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE OR REPLACE FUNCTION {schema}.ledger_keys_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'DELETE' OR NEW.wrapped IS NOT NULL OR NEW.subject IS DISTINCT FROM OLD.subject THEN "
    "RAISE EXCEPTION 'ledger: a data key can only be erased (wrapped set to NULL), never replaced or deleted' "
    "USING ERRCODE = 'insufficient_privilege'; END IF; "
    "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
    "CREATE OR REPLACE TRIGGER ledger_events_append_only BEFORE UPDATE OR DELETE ON {events} "
    "FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_refuse_change()",
    "CREATE OR REPLACE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON {events} "
    "FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_refuse_change()",
    "CREATE OR REPLACE TRIGGER ledger_chain_append_only BEFORE UPDATE OR DELETE ON {chain} "
    "FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_refuse_change()",
    "CREATE OR REPLACE TRIGGER ledger_chain_no_truncate BEFORE TRUNCATE ON {chain} "
    "FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_refuse_change()",
    "CREATE OR REPLACE TRIGGER ledger_meta_append_only BEFORE UPDATE OR DELETE ON {meta} "
    "FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_refuse_change()",
    "CREATE OR REPLACE TRIGGER ledger_keys_erase_only BEFORE UPDATE OR DELETE ON {keys} "
    "FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_keys_guard()",
    "CREATE OR REPLACE TRIGGER ledger_keys_no_truncate BEFORE TRUNCATE ON {keys} "
    "FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_refuse_change()",
    # The library locks the events table IN EXCLUSIVE MODE to keep notification
    # ids in commit order; PostgreSQL lets only UPDATE/DELETE/TRUNCATE holders
    # take that lock. This owner-run function takes it for a writer role that
    # may only INSERT and SELECT (SECURITY DEFINER, fixed search_path), after
    # passing the gate in shared mode unless the caller holds it exclusively.
    # The gate is a lock on the table ledger_gate, on which no role but the
    # owner has any privilege: only these functions can take it (an advisory
    # lock could be taken by any session, the auditor's included: issue 12).
    "CREATE TABLE IF NOT EXISTS {gate_table} (note TEXT)",
    "REVOKE ALL ON {gate_table} FROM PUBLIC",
    "CREATE OR REPLACE FUNCTION {schema}.ledger_append_lock(gate boolean) RETURNS void LANGUAGE plpgsql "
    "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ BEGIN "
    "IF gate THEN LOCK TABLE {gate_table} IN SHARE MODE; END IF; "
    "LOCK TABLE {events} IN EXCLUSIVE MODE; END $$",
    "CREATE OR REPLACE FUNCTION {schema}.ledger_gate_lock() RETURNS void LANGUAGE plpgsql "
    "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ BEGIN "
    "LOCK TABLE {gate_table} IN EXCLUSIVE MODE; END $$",
    "REVOKE ALL ON FUNCTION {schema}.ledger_gate_lock() FROM PUBLIC",
    "REVOKE ALL ON FUNCTION {schema}.ledger_append_lock(boolean) FROM PUBLIC",
] + [
    # The database records which login role stored each fact; the client cannot choose it.
    "ALTER TABLE {events} ADD COLUMN IF NOT EXISTS db_role TEXT",
    "CREATE OR REPLACE FUNCTION {schema}.ledger_stamp_role() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN NEW.db_role := session_user; RETURN NEW; END $$",
    "CREATE OR REPLACE TRIGGER ledger_events_stamp_role BEFORE INSERT ON {events} "
    "FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_stamp_role()",
    "CREATE OR REPLACE FUNCTION {schema}.ledger_framed(p bytea) RETURNS bytea LANGUAGE sql IMMUTABLE "
    "SET search_path = pg_catalog, pg_temp AS $$ SELECT int8send(length(p)::bigint) || p $$",
    # Each stored fact, however it was inserted, is chained by the database (the same
    # digest and link as ``digest``/``link`` above), its recorded time checked against
    # the newest one and against the database clock, and an erasure fact destroys the
    # subject's key: a writer can neither forge chain rows nor erase without a fact.
    # One call per INSERT statement (its rows in a transition table, in notification
    # order): the settings and the chain head are read once and the chain rows written
    # by one INSERT, not once per fact (issue 11: an append of thousands of facts).
    # The per-row function of older stores, ``ledger_after_fact``, is left in place
    # until ``ledger init`` replaces the trigger.
    "CREATE OR REPLACE FUNCTION {schema}.ledger_after_facts() RETURNS trigger LANGUAGE plpgsql "
    "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ "
    "DECLARE r record; rec timestamptz; us bigint; pos bigint := 0; prev bytea := decode(repeat('00', 32), 'hex'); "
    "last_us bigint; fd bytea; h bytea; real_clock boolean; chained boolean; "
    "ps bigint[] := '{{}}'; ns bigint[] := '{{}}'; os text[] := '{{}}'; vs bigint[] := '{{}}'; uss bigint[] := '{{}}'; "
    "fds text[] := '{{}}'; prevs text[] := '{{}}'; hs text[] := '{{}}'; "
    "BEGIN "
    "real_clock := NOT EXISTS (SELECT 1 FROM {meta} WHERE name = 'clock' AND value = 'test'); "
    "chained := NOT EXISTS (SELECT 1 FROM {meta} WHERE name = 'chain' AND value = 'off'); "
    "IF chained THEN "
    "SELECT c.position, decode(c.hash, 'hex'), c.recorded_us INTO pos, prev, last_us "
    "FROM {chain} c ORDER BY c.position DESC LIMIT 1; "
    "IF NOT FOUND THEN pos := 0; prev := decode(repeat('00', 32), 'hex'); last_us := NULL; END IF; "
    "END IF; "
    "FOR r IN SELECT f.notification_id, f.originator_id::text AS oid, f.originator_version, f.topic, f.state "
    "FROM new_facts f ORDER BY f.notification_id LOOP "
    "rec := (convert_from(r.state, 'UTF8')::jsonb ->> 'recorded')::timestamptz; "
    "us := (extract(epoch FROM rec) * 1000000)::bigint; "
    "IF real_clock AND rec > clock_timestamp() + interval '" + "5 minutes" + "' THEN "
    "RAISE EXCEPTION 'ledger-clock-ahead: recorded % is ahead of the database clock %', rec, clock_timestamp(); "
    "END IF; "
    "IF chained THEN "
    "IF last_us IS NOT NULL AND us < last_us THEN "
    "RAISE EXCEPTION 'ledger-clock-behind: recorded % is earlier than the newest recorded fact %', rec, "
    "to_timestamp(last_us / 1000000.0); END IF; "
    "fd := sha256('ledger-fact/v1'::bytea || " + _framed_sql("convert_to(r.oid, 'UTF8')") + " || "
    + _framed_sql("convert_to(r.originator_version::text, 'UTF8')") + " || " + _framed_sql("convert_to(r.topic, 'UTF8')")
    + " || " + _framed_sql("r.state") + "); "
    "pos := pos + 1; "
    "h := sha256('ledger-link/v1'::bytea || " + _framed_sql("prev") + " || " + _framed_sql("convert_to(pos::text, 'UTF8')")
    + " || " + _framed_sql("convert_to(r.notification_id::text, 'UTF8')") + " || "
    + _framed_sql("convert_to(us::text, 'UTF8')") + " || " + _framed_sql("fd") + "); "
    "ps := ps || pos; ns := ns || r.notification_id; os := os || r.oid; vs := vs || r.originator_version; "
    "uss := uss || us; fds := fds || encode(fd, 'hex'); prevs := prevs || encode(prev, 'hex'); "
    "hs := hs || encode(h, 'hex'); "
    "prev := h; last_us := us; "
    "END IF; "
    "IF r.topic = '" + ERASURE_TOPIC + "' THEN "
    "INSERT INTO {keys} (subject, wrapped, created_us, erased_us) VALUES (r.oid, NULL, us, us) "
    "ON CONFLICT (subject) DO UPDATE SET wrapped = NULL, erased_us = excluded.erased_us; END IF; "
    "END LOOP; "
    "IF chained THEN "
    "INSERT INTO {chain} (position, notification_id, originator_id, originator_version, recorded_us, digest, "
    "prev_hash, hash) SELECT * FROM unnest(ps, ns, os, vs, uss, fds, prevs, hs); "
    "END IF; "
    "RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER ledger_events_chain AFTER INSERT ON {events} REFERENCING NEW TABLE AS new_facts "
    "FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_after_facts()",
    # A new data key, only through this function: never a NULL (an erasure is a fact, above).
    "CREATE OR REPLACE FUNCTION {schema}.ledger_new_key(p_subject text, p_wrapped text, p_created_us bigint) "
    "RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ BEGIN "
    "IF p_wrapped IS NULL OR length(p_wrapped) < 40 THEN "
    "RAISE EXCEPTION 'ledger: a new data key must be a wrapped key; keys are erased only by recording the "
    "erasure fact' USING ERRCODE = 'insufficient_privilege'; END IF; "
    "INSERT INTO {keys} (subject, wrapped, created_us) VALUES (p_subject, p_wrapped, p_created_us) "
    "ON CONFLICT (subject) DO NOTHING; RETURN FOUND; END $$",
    "REVOKE ALL ON FUNCTION {schema}.ledger_new_key(text, text, bigint) FROM PUBLIC",
]


def read_meta(cur: Cur, name: str) -> str | None:
    row = cur.one("SELECT value FROM {meta} WHERE name = ?", (name,))
    return row[0] if row else None


def write_meta(cur: Cur, name: str, value: str) -> None:
    cur.run("INSERT INTO {meta} (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", (name, value))


# --- reading the chain (verify) -----------------------------------------------------------------


@dataclass(frozen=True)
class ChainRow:
    position: int
    notification_id: int
    originator_id: str
    originator_version: int
    recorded_us: int
    digest: str
    prev_hash: str
    hash: str

    @property
    def event_id(self) -> str:
        return f"{self.originator_id}#{self.originator_version}"


def chain_rows(cur_factory: Any, batch: int = 5000) -> Iterator[ChainRow]:
    """Every chain row by position, read in batches (memory stays flat)."""
    after = -1
    while True:
        with cur_factory() as cur:
            rows = cur.all("SELECT position, notification_id, originator_id, originator_version, recorded_us, digest, "
                           "prev_hash, hash FROM {chain} WHERE position > ? ORDER BY position LIMIT ?", (after, batch))
        if not rows:
            return
        for r in rows:
            yield ChainRow(*r)
        after = rows[-1][0]
