"""The store: the ``eventsourcing`` Application, its mapper, and persistence selection.

Library types stay behind this module, so an upgrade of ``eventsourcing``
touches one place. Store errors are translated into ledger errors here, once.

The storage names are pinned: the Application's ``name`` (on PostgreSQL the
table is ``membershipledger_events``) and each event's ``TYPE`` (its topic).
Streams are named by text ids (``member:M-0042``, ``property:P-1``, ``fees``),
so an event id reads ``member:M-0042#3``.

Integrity (issue 6): the recorders of ``ledger.backend_sqlite`` and
``ledger.backend_pg`` chain every fact in the transaction that stores it and
install the append-only guards; the mapper seals ``Personal`` fields with the
subject's data key (``ledger.keys``).
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlparse

from eventsourcing.application import Application
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Mapper,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.sqlite import SQLiteApplicationRecorder

from ledger import keys as keyring_mod, readmodel
from ledger.backend import MASTER_CHECK, as_bytes, db_clock_error, from_us, head_of, head_sql, read_meta, write_meta
from ledger.dates import JST
from ledger.errors import BadInput, ClockError, Conflict, Forbidden, LedgerError, OutcomeUnknown, StoreError
from ledger.events import EVENT_TYPES, Event, Personal, upcast

APP_NAME = "MembershipLedger"
DEFAULT_DB = "ledger.db"
SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
T = TypeVar("T")

# A store's settings, written once into ledger_meta when the store is created and read at
# every open (issue 12): no later command's environment changes them. A store made before
# they existed reads as the defaults (the safe values).
SETTINGS = {"chain": "on", "encryption": "on", "clock": "system", "origin": "ledger"}
# How far a recorded time may run ahead of the machine's clock on a real-clock store
# (clock skew between application hosts and the database server).
MAX_AHEAD = timedelta(minutes=5)


@lru_cache(maxsize=None)
def personal_fields(cls: type[Event]) -> tuple[str, ...]:
    """The fields of an event class that hold a ``Personal`` (or ``Personal | None``)."""
    out = []
    for name, f in cls.model_fields.items():
        ann = f.annotation
        options = getattr(ann, "__args__", None) or (ann,)
        if any(isinstance(a, type) and issubclass(a, Personal) for a in options):
            out.append(name)
    return tuple(out)


class LedgerMapper(Mapper):
    """Stores an event as its pydantic JSON; the topic is the event's pinned ``TYPE``.

    The envelope (stream and position included) is inside the stored bytes, so
    ``verify`` can see a row moved behind the ledger's back. ``Personal`` fields
    are sealed with their subject's data key (``ledger.keys``): the stored JSON
    holds ``{"enc": …, "nonce": …, "ct": …}`` in their place.
    """

    keyring: keyring_mod.Keyring | None = None
    encrypt: bool = True  # the store's setting (SETTINGS), never the environment's

    def to_stored_event(self, domain_event: Event) -> StoredEvent:  # type: ignore[override]
        fields = personal_fields(type(domain_event))
        if not fields or self.keyring is None or not self.encrypt:
            # Every stored fact carries its class version (the storage contract,
            # ``ledger.events``); spliced in front of pydantic's JSON object, which
            # is faster than dumping to a dict and encoding again.
            state = b'{"class_version":%d,' % domain_event.VERSION + domain_event.model_dump_json().encode()[1:]
        else:
            data = {"class_version": domain_event.VERSION, **domain_event.model_dump(mode="json")}
            for name in fields:
                if data.get(name) is not None:
                    data[name] = self.keyring.seal(domain_event.originator_id,
                                                   keyring_mod.field_aad(domain_event.event_id, name), data[name])
            state = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=domain_event.TYPE,
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Event:  # type: ignore[override]
        return self.decode(stored_event.topic, as_bytes(stored_event.state))

    def decode(self, topic: str, state: bytes) -> Event:
        """One stored fact as its event. Sealed personal fields are opened under the names
        they were stored with (their key is bound to that name), then an older version is
        upcast (``ledger.events.upcast``: the library's upcast loop); fields the class no
        longer has are ignored."""
        cls = event_class(topic)
        if cls.VERSION == 1 and not personal_fields(cls):
            return cls.model_validate_json(state, extra="ignore")  # nothing to open or upcast: the fast path
        data = json.loads(state)
        for name, value in data.items():
            if isinstance(value, dict) and "enc" in value:
                if self.keyring is None:
                    data[name] = dict(keyring_mod.WITHHELD)
                else:
                    event_id = f"{data.get('originator_id')}#{data.get('originator_version')}"
                    data[name] = self.keyring.open(str(data.get("originator_id")),
                                                   keyring_mod.field_aad(event_id, name), value)
        return cls.model_validate(upcast(cls, data), extra="ignore")


def event_class(topic: str) -> type[Event]:
    cls = EVENT_TYPES.get(topic)
    if cls is None:
        raise StoreError(
            f"The store holds an event of unknown type '{topic}': this ledger version cannot read it.",
            f"ストアに未知の種類のイベント '{topic}' があります。このバージョンでは読めません。",
        )
    return cls


def decode(topic: str, state: bytes) -> Event:
    """Decode a stored fact without a keyring: personal fields read as withheld."""
    return _SEALED.decode(topic, state)


# One mapper without a keyring for every sealed read (a list decodes millions of facts;
# making a mapper per fact cost more than the decoding).
_SEALED = LedgerMapper(transcoder=JSONTranscoder())


class LedgerApp(Application):
    """The ledger's event-sourced application: one store, many streams."""

    name = APP_NAME
    address: str | None = None

    def __init__(self, env: dict[str, str] | None = None, *, master: bytes | None = None,
                 master_source: str = "none", create: bool = False, settings: dict[str, str] | None = None) -> None:
        super().__init__(env=env)
        try:
            self.settings = self._settings(create, settings or {})
        except PersistenceError as e:
            raise translate(e) from None
        self.recorder.chain = self.settings["chain"] == "on"  # type: ignore[attr-defined]
        self.ledger_mapper.encrypt = self.settings["encryption"] == "on"
        self.ledger_mapper.keyring = self.keyring = self._keyring(master, master_source, create)

    @property
    def test_clock(self) -> bool:
        """A test-clock store (``ledger init --test-clock``): honours LEDGER_CLOCK, any recorded time."""
        return self.settings["clock"] == "test"

    def _settings(self, create: bool, wanted: dict[str, str]) -> dict[str, str]:
        """The store's settings; on create, written once (the wanted ones only into a store with no facts)."""
        with self.cursor(commit=create) as cur:
            stored = {name: read_meta(cur, name) for name in SETTINGS}
            if create and None in stored.values():
                empty = cur.one("SELECT 1 FROM {events} LIMIT 1") is None
                for name, default in SETTINGS.items():
                    if stored[name] is None:
                        stored[name] = wanted.get(name, default) if empty else default
                        write_meta(cur, name, stored[name])
        out = {name: value or SETTINGS[name] for name, value in stored.items()}
        for name, value in wanted.items():
            if out[name] != value:
                raise BadInput(
                    f"This store was created with {name}={out[name]}; a store's settings are fixed when it is created "
                    f"and cannot become {name}={value}. Create a new store for that.",
                    f"このストアは {name}={out[name]} で作成されています。設定は作成時に固定され、{name}={value} には"
                    "変えられません。新しいストアを作成してください。", field=name)
        return out

    def construct_mapper(self) -> Mapper:
        return LedgerMapper(transcoder=JSONTranscoder())

    @property
    def ledger_mapper(self) -> LedgerMapper:
        return self.mapper  # type: ignore[return-value]

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgres``."""
        return self.recorder.dialect.kind  # type: ignore[attr-defined]

    def cursor(self, *, commit: bool = False):
        """A transaction on the ledger's own tables (chain, keys, meta)."""
        return self.recorder.cursor(commit=commit)  # type: ignore[attr-defined]

    def _keyring(self, master: bytes | None, source: str, create: bool) -> keyring_mod.Keyring:
        """Check the master key against the one recorded at init, and probe the key table."""
        readable = True
        try:
            with self.cursor(commit=create) as cur:
                stored = read_meta(cur, MASTER_CHECK)
                if master is not None and stored is None and create:
                    write_meta(cur, MASTER_CHECK, keyring_mod.check_value(master))
                    stored = keyring_mod.check_value(master)
            try:
                with self.cursor() as cur:
                    cur.one("SELECT 1 FROM {keys} LIMIT 1")
            except PersistenceError as e:
                if "permission denied" not in str(e):
                    raise
                readable = False
        except PersistenceError as e:
            raise translate(e) from None
        if master is not None and stored is not None and stored != keyring_mod.check_value(master):
            raise StoreError(
                f"The master key from {source} is not the one this ledger was initialised with: "
                "personal data could not be read or written. Set LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE to the right key.",
                f"{source} のマスター鍵は、この台帳の初期化に使われた鍵ではありません。正しい鍵を "
                "LEDGER_MASTER_KEY または LEDGER_MASTER_KEY_FILE に設定してください。",
            )

        def load(subject: str) -> str | None:
            try:
                row = self.recorder.read_one("SELECT wrapped FROM {keys} WHERE subject = ?", (subject,))  # type: ignore[attr-defined]
            except PersistenceError as e:
                raise translate(e) from None
            if row is None:
                raise KeyError(subject)
            return row[0]

        return keyring_mod.Keyring(load, master, source, readable=readable)

    def save(self, *objs, **kwargs):  # type: ignore[override]
        """The library's save; new data keys sealed into these facts are stored with them."""
        kwargs.setdefault("ledger_keys", self.keyring.pending)
        lost = getattr(self.recorder, "sent_and_lost", None)  # PostgreSQL
        try:
            recordings = super().save(*objs, **kwargs)
        except PersistenceError as e:
            self.keyring.settle(False)
            if lost is not None and lost():
                raise OutcomeUnknown.lost(str(e)) from None
            raise
        except BaseException:
            self.keyring.settle(False)
            raise
        if lost is not None:
            lost()  # a connection closed later says nothing of this append
        self.keyring.settle(True)
        return recordings

    # --- reading ------------------------------------------------------------

    def read(self, stream: str) -> list[Event]:
        """Every fact of one stream in recorded order (retractions included)."""
        try:
            return list(self.events.get(stream))  # type: ignore[arg-type]
        except PersistenceError as e:
            raise translate(e) from None

    def read_many(self, streams: Sequence[str], *, personal: bool = True) -> dict[str, list[Event]]:
        """``read`` (or, with ``personal=False``, ``read_sealed``) of several streams in one query,
        in the order given, a stream without facts as an empty list: a batch's receipts
        (``ledger apply``), the members a list picked from the read model (issue 11)."""
        decoder = self.ledger_mapper.decode if personal else decode
        found: dict[str, list[Event]] = {s: [] for s in streams}
        try:
            for s in self.recorder.select_streams(streams):  # type: ignore[attr-defined]
                found[str(s.originator_id)].append(decoder(s.topic, as_bytes(s.state)))
        except PersistenceError as e:
            raise translate(e) from None
        return found

    def read_sealed(self, stream: str) -> list[Event]:
        """``read`` with personal fields left sealed (withheld): for views that show none."""
        return self.read_many([stream], personal=False)[stream]

    def exists(self, stream: str) -> bool:
        try:
            return bool(self.recorder.select_events(stream, limit=1))  # type: ignore[arg-type]
        except PersistenceError as e:
            raise translate(e) from None

    def newest_recorded(self) -> datetime | None:
        try:
            chain = self.settings["chain"] == "on"
            _, _, us = head_of(self.recorder.read_one(head_sql(self.recorder.dialect, chain=chain)), chain)  # type: ignore[attr-defined]
        except PersistenceError as e:
            raise translate(e) from None
        return None if us is None else from_us(us).astimezone(JST)

    def iter_all(self, batch: int = 2000) -> Iterator[tuple[int, Event]]:
        """The global log in recorded order, streamed in batches (memory stays flat)."""
        start = 1
        while True:
            try:
                rows = self.recorder.select_notifications(start=start, limit=batch)
            except PersistenceError as e:
                raise translate(e) from None
            if not rows:
                return
            for row in rows:
                yield row.id, self.ledger_mapper.decode(row.topic, as_bytes(row.state))
            start = rows[-1].id + 1

    # Added for replays (snapshot, diff): the undecoded rows, so a reader can skip
    # streams it does not need before paying for the decode.
    def iter_stored(self, batch: int = 5000, topics: Sequence[str] = ()) -> Iterator[tuple[int, str, str, bytes]]:
        """The global log as (position, stream, topic, stored JSON), in batches; ``topics`` filters in SQL.

        On SQLite the rows are read with a plain SELECT of the four columns (the
        library's notification objects cost more than the read itself); on
        PostgreSQL through ``select_notifications``.
        """
        if isinstance(self.recorder, SQLiteApplicationRecorder):
            yield from self._iter_sqlite(batch, topics)
            return
        start = 1
        while True:
            try:
                rows = self.recorder.select_notifications(start=start, limit=batch, topics=topics)
            except PersistenceError as e:
                raise translate(e) from None
            if not rows:
                return
            for row in rows:
                yield row.id, row.originator_id, row.topic, row.state  # type: ignore[misc]
            start = rows[-1].id + 1

    def _iter_sqlite(self, batch: int, topics: Sequence[str]) -> Iterator[tuple[int, str, str, bytes]]:
        rec = self.recorder
        where = f" AND topic IN ({','.join('?' * len(topics))})" if topics else ""
        sql = (f"SELECT rowid, originator_id, topic, state FROM {rec.events_table_name} "  # type: ignore[attr-defined]
               f"WHERE rowid >= ?{where} ORDER BY rowid LIMIT ?")
        start = 1
        while True:
            try:
                with rec.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
                    cursor = getattr(c, "sqlite_cursor", c)
                    cursor.row_factory = None  # plain tuples: the library's Row objects cost more than the read
                    cursor.execute(sql, (start, *topics, batch))
                    rows = cursor.fetchall()
            except (PersistenceError, sqlite3.Error) as e:
                raise translate(e) from None
            if not rows:
                return
            yield from rows
            start = rows[-1][0] + 1

    # Added for lists that must replay (issue 11): one stream at a time, so memory
    # holds one batch of rows and one stream's facts, however large the store.
    def iter_streams(self, prefix: str, batch: int = 5000, *, personal: bool = True) -> Iterator[tuple[str, list[Event]]]:
        """Every stream named ``<prefix>…`` with all its facts, in stream-name order.

        Read by the events table's primary key (stream, version) in batches, so
        a stream's facts arrive together and nothing else is held. ``personal=False``
        leaves personal fields sealed (read as withheld): for lists that show none."""
        decoder = self.ledger_mapper.decode if personal else decode
        sql = ("SELECT originator_id, originator_version, topic, state FROM {events} "
               "WHERE originator_id >= ? AND originator_id < ? AND (originator_id > ? OR originator_version > ?) "
               "ORDER BY originator_id, originator_version LIMIT ?")
        hi = prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "\U0010ffff"
        last_stream, last_version = "", 0
        current, events = None, []  # type: ignore[var-annotated]
        while True:
            try:
                with self.cursor() as cur:
                    # The range starts at the last stream read, not at the prefix: the database then seeks
                    # to it instead of stepping over every earlier row again (each batch cost more
                    # than the last: reading a 100,000-member store took 34 s, now 14 s).
                    rows = cur.all(sql, (max(prefix, last_stream), hi, last_stream, last_version, batch))
                    if personal and rows and self.keyring.readable and self.keyring.master is not None:
                        # One query for the batch's keys, not one per stream (issue 11: lists over every member).
                        self.keyring.read_ahead(dict(cur.all("SELECT subject, wrapped FROM {keys} WHERE subject >= ? "
                                                             "AND subject <= ?", (rows[0][0], rows[-1][0]))))
            except PersistenceError as e:
                raise translate(e) from None
            for stream, version, topic, state in rows:
                if stream != current:
                    if current is not None:
                        yield current, events
                        self.release_key(current)
                    current, events = stream, []
                events.append(decoder(topic, as_bytes(state)))
            if len(rows) < batch:
                if current is not None:
                    yield current, events
                    self.release_key(current)
                return
            last_stream, last_version = rows[-1][0], rows[-1][1]

    def release_key(self, subject: str) -> None:
        """A list is done with this stream: drop its cached data key, so a list over every
        member does not keep every member's key in memory (one is fetched again if needed)."""
        if subject not in self.keyring.pending:
            self.keyring.forget(subject)

    def stream_ids(self, prefix: str) -> list[str]:
        """The names of the streams ``<prefix>…`` (no fact is decoded)."""
        hi = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        try:
            with self.cursor() as cur:
                return [r[0] for r in cur.all("SELECT DISTINCT originator_id FROM {events} WHERE originator_id >= ? "
                                              "AND originator_id < ? ORDER BY originator_id", (prefix, hi))]
        except PersistenceError as e:
            raise translate(e) from None

    # --- the materialized read model (ledger.readmodel, issue 11) ---------------

    def readmodel(self, question: Callable[..., T], *args: Any) -> T:
        """Ask ``ledger.readmodel`` a question in one read transaction."""
        try:
            with self.cursor() as cur:
                return question(cur, self.recorder.dialect, *args)  # type: ignore[attr-defined]
        except PersistenceError as e:
            raise translate(e) from None

    def readmodel_write(self, change: Callable[..., T], *args: Any) -> T:
        """Make one change to ``ledger.readmodel``'s tables in one write transaction."""
        try:
            with self.cursor(commit=True) as cur:
                return change(cur, self.recorder.dialect, *args)  # type: ignore[attr-defined]
        except PersistenceError as e:
            raise translate(e) from None

    def read_facts(self, event_ids: Sequence[str], *, personal: bool = True) -> dict[str, Event]:
        """Facts by id (``stream#version``), 500 a query: the applications a list over dated views
        shows the personal fields of (issue 11). Ids with no fact are left out."""
        decoder = self.ledger_mapper.decode if personal else decode
        found: dict[str, Event] = {}
        ids = [(i.rsplit("#", 1)[0], int(i.rsplit("#", 1)[1])) for i in event_ids]
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            pairs = " OR ".join(["(originator_id = ? AND originator_version = ?)"] * len(part))
            try:
                with self.cursor() as cur:
                    rows = cur.all(f"SELECT originator_id, originator_version, topic, state FROM {{events}} WHERE {pairs}",
                                   [x for pair in part for x in pair])
                    if personal and rows and self.keyring.readable and self.keyring.master is not None:
                        marks = ",".join("?" * len(rows))
                        self.keyring.read_ahead(dict(cur.all(f"SELECT subject, wrapped FROM {{keys}} WHERE subject IN ({marks})",
                                                             [r[0] for r in rows])))
            except PersistenceError as e:
                raise translate(e) from None
            for stream, version, topic, state in rows:
                found[f"{stream}#{version}"] = decoder(topic, as_bytes(state))
                self.release_key(stream)
        return found

    def readmodel_current(self) -> bool:
        """Whether the read model has applied every fact in the log (it is kept in the
        append's transaction, so only a store never upgraded by ``ledger init`` lags)."""
        try:
            with self.cursor() as cur:
                d = self.recorder.dialect  # type: ignore[attr-defined]
                row = cur.one(f"SELECT MAX({d.nid}) FROM {{events}}")
                return readmodel.position(cur, d) == ((row[0] if row else 0) or 0)
        except PersistenceError:
            return False  # no read-model tables yet: read the log

    def rebuild_readmodel(self, progress: Callable[[int], None] | None = None) -> int:
        """Recompute the read model from the log in one transaction (``ledger rebuild``)."""
        try:
            with self.cursor(commit=True) as cur:
                return readmodel.rebuild(cur, self.recorder.dialect, progress)  # type: ignore[attr-defined]
        except PersistenceError as e:
            raise translate(e) from None

    def last_position(self) -> int:
        """The position of the newest fact in the global log (0 when empty)."""
        try:
            return self.recorder.max_notification_id() or 0
        except PersistenceError as e:
            raise translate(e) from None

    def db_roles(self, event_ids: Sequence[str]) -> dict[str, str | None]:
        """The database login role that stored each fact, as the database recorded it
        (PostgreSQL; a SQLite file has no roles: empty)."""
        if self.backend != "postgres" or not event_ids:
            return {}
        streams = sorted({eid.rsplit("#", 1)[0] for eid in event_ids})
        marks = ",".join("?" * len(streams))
        try:
            with self.cursor() as cur:
                rows = cur.all(f"SELECT originator_id, originator_version, db_role FROM {{events}} "
                               f"WHERE originator_id IN ({marks})", streams)
        except PersistenceError as e:
            raise translate(e) from None
        return {f"{oid}#{ver}": role for oid, ver, role in rows}

    def maintain(self) -> list[str]:
        """Reclaim what erasures left behind: destroyed keys' old bytes (issue 12, IE-19.10).

        SQLite: VACUUM with secure_delete, then fold the WAL into the file and
        truncate it (not possible while another connection reads: reported).
        PostgreSQL: VACUUM FULL of the key table, which rewrites it without the
        dead row versions that still held erased keys (needs the table's owner).
        """
        try:
            if self.backend == "sqlite":
                with self.recorder.datastore.get_connection(commit=True) as conn:  # type: ignore[attr-defined]
                    c = conn.cursor()
                    c.execute("PRAGMA secure_delete = ON")
                    c.execute("VACUUM")
                    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    busy = c.fetchone()[0]
                if busy:
                    raise StoreError(
                        "VACUUM ran, but another connection is reading the store, so the write-ahead log could not be "
                        "truncated: old page images may remain in it. Run `ledger maintain` again when no one reads.",
                        "VACUUM は実行しましたが、他の接続が読み取り中のため WAL を切り詰められませんでした。"
                        "読み取りがないときにもう一度 `ledger maintain` を実行してください。")
                return ["maintained: VACUUM with secure_delete, write-ahead log checkpointed and truncated"]
            keys = self.recorder.dialect.keys  # type: ignore[attr-defined]
            with self.cursor() as cur:
                owner = cur.one(f"SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class "
                                f"WHERE oid = '{keys}'::regclass")
            if not (owner and owner[0]):
                raise Forbidden(
                    "VACUUM FULL of the key table needs the table's owner: run `ledger maintain` connected as the role "
                    "that ran `ledger init` (not the writer or auditor role).",
                    "鍵表の VACUUM FULL には表の所有者が必要です。`ledger init` を実行したロールで `ledger maintain` を"
                    "実行してください。")
            with self.recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
                conn.execute(f"VACUUM (FULL) {keys}")
            return ["maintained: VACUUM FULL of the key table (dead row versions of erased keys removed)"]
        except PersistenceError as e:
            raise translate(e) from None

    # --- writing ------------------------------------------------------------

    @property
    def can_gate(self) -> bool:
        """Whether ``gate()`` serialises writers (PostgreSQL) or is a no-op (SQLite)."""
        return self.backend == "postgres"

    @contextmanager
    def gate(self) -> Iterator[None]:
        """Hold the store's write gate: no other append commits until it is released.

        For a command that lost a write conflict: its next read -> decide ->
        append runs alone, so it cannot conflict again (``ledger.backend``).
        """
        try:
            with self.recorder.gate():  # type: ignore[attr-defined]
                yield
        except PersistenceError as e:
            raise translate(e) from None

    def refuse_ahead(self, t: datetime) -> None:
        """A real-clock store takes no recorded time ahead of the machine's clock (issue 12)."""
        if self.test_clock:
            return
        limit = datetime.now(timezone.utc) + MAX_AHEAD
        if t > limit:
            raise ClockError(
                f"The ledger clock ({t.isoformat()}) is ahead of this machine's clock ({datetime.now(JST).isoformat()}) "
                f"by more than {int(MAX_AHEAD.total_seconds() // 60)} minutes: this store records real time only "
                "(fix the system clock; LEDGER_CLOCK works only on a store made with `ledger init --test-clock`).",
                f"台帳の時計（{t.isoformat()}）がこの機械の時計より{int(MAX_AHEAD.total_seconds() // 60)}分以上進んでいます。"
                "このストアは実時間だけを記録します（LEDGER_CLOCK は `ledger init --test-clock` で作ったストア専用）。",
            )

    def append(self, events: Sequence[Event], now: datetime, *, gated: bool = False) -> None:
        """Append all ``events`` in one transaction, or none of them.

        Recorded time never goes backwards in a store: a ledger clock earlier
        than the newest recorded fact is refused. ``gated``: the caller holds
        ``gate()``. The recorder checks the clock again under the append lock
        (``ledger.backend.after_insert``), where no other writer can interleave.
        """
        for e in events:
            self.refuse_ahead(e.recorded)
        try:
            self.save(*events, ledger_gated=gated)
        except IntegrityError:
            raise Conflict(
                "Another writer recorded facts on the same stream first; decide again.",
                "他の書き込みが先に同じストリームへ記録しました。判断をやり直してください。",
            ) from None
        except PersistenceError as e:
            raise translate(e) from None
        finally:
            for e in events:
                if e.TYPE == "PersonalDataErased":
                    self.keyring.forget(e.originator_id)

    def check_clock(self, now: datetime) -> None:
        self.refuse_ahead(now)
        newest = self.newest_recorded()
        if newest is not None and now < newest:
            raise ClockError(
                f"The ledger clock ({now.isoformat()}) is earlier than the newest recorded fact "
                f"({newest.isoformat()}): recorded time never goes backwards. Fix the clock or LEDGER_CLOCK.",
                f"台帳の時計（{now.isoformat()}）が最新の記録（{newest.isoformat()}）より前です。"
                "記録時刻は後戻りできません。時計または LEDGER_CLOCK を直してください。",
            )


def translate(e: Exception) -> LedgerError:
    text = str(e)[:2000]
    clock_error = db_clock_error(text)
    if clock_error is not None:
        return clock_error
    if "permission denied" in text or "readonly" in text.lower() or "read-only" in text:
        return Forbidden(
            f"This connection may not write to the ledger ({text.strip().splitlines()[0]}): "
            "it is read-only (e.g. the auditor role); connect as a writer to record facts.",
            f"この接続では台帳に書き込めません（{text.strip().splitlines()[0]}）。読み取り専用の接続"
            "（監査ロールなど）です。記録するには書き込みロールで接続してください。",
        )
    if "no such table" in text or "does not exist" in text:
        return StoreError(
            f"The store has no ledger yet, or one made by an older version: run `ledger init`, which creates or "
            f"upgrades it ({text.strip().splitlines()[0]}).",
            f"ストアに台帳がないか、古い版で作られています。`ledger init` で作成または更新してください"
            f"（{text.strip().splitlines()[0]}）。",
        )
    return StoreError(
        f"The store failed: {text.strip().splitlines()[0] if text.strip() else type(e).__name__}.",
        f"ストアの操作に失敗しました: {text.strip().splitlines()[0] if text.strip() else type(e).__name__}。",
    )


def parse_address(address: str) -> tuple[str, str]:
    """("postgres", url) or ("sqlite", file path) for a ``--db`` value.

    ``postgresql://…`` / ``postgres://…``; ``sqlite:///relative/path`` (three
    slashes) and ``sqlite:////absolute/path`` (four), as SQLAlchemy reads them; a
    plain path. Any other ``scheme://`` is refused rather than taken for a file name.
    """
    if address.startswith(("postgresql://", "postgres://")):
        return "postgres", address
    if address.startswith("sqlite:"):
        path = address[len("sqlite:///"):] if address.startswith("sqlite:///") else ""
        if not path:
            raise BadInput(f"--db '{address[:200]}': a SQLite address is sqlite:///relative/path or "
                           "sqlite:////absolute/path (or just a file path).",
                           f"--db '{address[:200]}': SQLite のアドレスは sqlite:///相対パス か sqlite:////絶対パス"
                           "（またはファイルのパス）です。", field="db")
        return "sqlite", path
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", address)
    if scheme and (address[scheme.end():].startswith("//") or len(scheme.group(1)) > 1):
        raise BadInput(f"--db: unknown store scheme '{scheme.group(1)[:40]}:': use a SQLite file path, "
                       "sqlite:///path or postgresql://user@host:port/db.",
                       f"--db: 未知のストアの形式 '{scheme.group(1)[:40]}:' です。SQLite のファイルパス、sqlite:///パス、"
                       "postgresql://… のいずれかを指定してください。", field="db")
    return "sqlite", address


def store_env(url: str, *, create: bool) -> dict[str, str]:
    """The ``eventsourcing`` environment for a store address.

    ``postgresql://user[:password]@host[:port]/dbname[?schema=NAME]`` selects
    PostgreSQL through psycopg; a file path or ``sqlite:///path`` selects SQLite.
    """
    env = {"ORIGINATOR_ID_TYPE": "text", "CREATE_TABLE": "y" if create else "n"}
    kind, where = parse_address(url)
    if kind == "postgres":
        u = urlparse(url)
        query = parse_qs(u.query)
        schema = query.get("schema", [""])[0]
        if schema and not SCHEMA_NAME.match(schema):
            raise BadInput(f"The store address names schema '{schema[:80]}': use letters, digits and _ only.",
                           f"ストアのアドレスのスキーマ名 '{schema[:80]}' は英数字と _ だけにしてください。", field="db")
        try:
            port = u.port
        except ValueError:
            raise BadInput("--db: the port of the PostgreSQL address is not a number.",
                           "--db: PostgreSQL のアドレスのポートが数値ではありません。", field="db") from None
        env.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            APPLICATION_RECORDER_TOPIC="ledger.backend_pg:LedgerPostgresRecorder",
            POSTGRES_DBNAME=(u.path or "/").lstrip("/") or "postgres",
            POSTGRES_HOST=u.hostname or "127.0.0.1",
            POSTGRES_PORT=str(port or 5432),
            POSTGRES_USER=unquote(u.username or "postgres"),
            POSTGRES_PASSWORD=unquote(u.password or ""),
            POSTGRES_SCHEMA=schema,
            POSTGRES_CONNECT_TIMEOUT="5",
            # A lock not granted in this many seconds fails with error[busy] (issue 12).
            POSTGRES_LOCK_TIMEOUT=lock_timeout(),
            # Kept off on purpose: the DB functions drop the table lock and let
            # a tailing reader skip events (EVENTSOURCING-NOTES.md).
            POSTGRES_ENABLE_DB_FUNCTIONS="n",
        )
    else:
        env.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=where, SQLITE_LOCK_TIMEOUT="30",
                   APPLICATION_RECORDER_TOPIC="ledger.backend_sqlite:LedgerSQLiteRecorder")
    return env


def lock_timeout() -> str:
    text = os.environ.get("LEDGER_LOCK_TIMEOUT", "10")
    if not text.isdigit() or not 1 <= int(text) <= 3600:
        raise BadInput("LEDGER_LOCK_TIMEOUT must be a whole number of seconds from 1 to 3600.",
                       "LEDGER_LOCK_TIMEOUT は 1〜3600 の整数（秒）にしてください。", field="LEDGER_LOCK_TIMEOUT")
    return text


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("LEDGER_DB") or DEFAULT_DB


def _sqlite_file(path: str, create: bool) -> str:
    """A SQLite store is a file: it must exist (unless created), in a folder that exists, and not be a folder."""
    if not create and not os.path.exists(path):
        raise StoreError(
            f"There is no ledger at {path[:300]}: run `ledger init` first (or pass --db).",
            f"{path[:300]} に台帳がありません。先に `ledger init` を実行してください（または --db を指定）。",
        )
    folder = os.path.dirname(path) or "."
    if create and not os.path.isdir(folder):
        raise BadInput(f"--db: the folder {folder[:300]} does not exist: create it first.",
                       f"--db: フォルダー {folder[:300]} がありません。先に作成してください。", field="db")
    if os.path.isdir(path):
        raise BadInput(f"--db: {path[:300]} is a folder, not a ledger file.",
                       f"--db: {path[:300]} はフォルダーで、台帳ファイルではありません。", field="db")
    return path


def _creation_settings(test_clock: bool | None, chain: bool | None, encryption: bool | None,
                       origin: str | None) -> dict[str, str]:
    """The settings a new store fixes at creation (only those given; the rest keep their defaults)."""
    wanted: dict[str, str] = {}
    for name, value in (("clock", None if test_clock is None else ("test" if test_clock else "system")),
                        ("chain", None if chain is None else ("on" if chain else "off")),
                        ("encryption", None if encryption is None else ("on" if encryption else "off")),
                        ("origin", origin)):
        if value is not None:
            wanted[name] = value
    return wanted


def _connect(address: str, *, create: bool, master: bytes | None, source: str, wanted: dict[str, str]) -> LedgerApp:
    """The Application on ``address``; store errors become ledger errors here, once."""
    try:
        app = LedgerApp(env=store_env(address, create=create), master=master, master_source=source, create=create,
                        settings=wanted)
        app.address = address  # so a replay can open more connections to the same store
    except PersistenceError as e:
        raise translate(e) from None
    except LedgerError:
        raise
    except Exception as e:  # psycopg's connection errors arrive unwrapped here
        if type(e).__module__.startswith(("psycopg", "sqlite3", "eventsourcing")):
            raise translate(e) from None
        raise
    return app


def open_store(url: str | None = None, *, create: bool = False, test_clock: bool | None = None,
               chain: bool | None = None, encryption: bool | None = None, origin: str | None = None) -> LedgerApp:
    """Open the ledger at ``url`` (or ``LEDGER_DB``, or ``ledger.db``).

    With ``create`` the schema is made (or upgraded) and a new store's settings
    are fixed: ``test_clock`` (honour LEDGER_CLOCK and any recorded time: the
    demo and tests), ``chain`` / ``encryption`` (off only for bench/). They are
    never read from the environment. Opening a store that is not a test-clock
    store while LEDGER_CLOCK is set is refused (error[clock]).
    """
    address = database_url(url)
    kind, path = parse_address(address)
    sqlite_path = _sqlite_file(path, create) if kind == "sqlite" else None
    wanted = _creation_settings(test_clock, chain, encryption, origin) if create else {}
    master, source = keyring_mod.master_key(sqlite_path, create=create)
    if create and master is None:
        raise StoreError(
            "A PostgreSQL ledger needs a master key for personal data: set LEDGER_MASTER_KEY (32 bytes, base64 or hex, "
            "e.g. from `openssl rand -base64 32`) or LEDGER_MASTER_KEY_FILE, then run `ledger init` again.",
            "PostgreSQL の台帳には個人情報用のマスター鍵が必要です。LEDGER_MASTER_KEY（32バイト、base64 か16進）"
            "または LEDGER_MASTER_KEY_FILE を設定して、もう一度 `ledger init` を実行してください。",
        )
    app = _connect(address, create=create, master=master, source=source, wanted=wanted)
    if not create and os.environ.get("LEDGER_CLOCK") and not app.test_clock:
        app.close()
        raise ClockError(
            "LEDGER_CLOCK is set, but this store records real time: a test clock works only on a store created with "
            "`ledger init --test-clock` (the demo is one). Unset LEDGER_CLOCK.",
            "LEDGER_CLOCK が設定されていますが、このストアは実時間で記録します。テスト用の時計は "
            "`ledger init --test-clock` で作ったストア（デモなど）でだけ使えます。LEDGER_CLOCK を外してください。",
        )
    return app


def init_store(app: LedgerApp, *, roles: bool = False, writer: str = "ledger_writer",
               auditor: str = "ledger_auditor") -> list[str]:
    """What ``ledger init`` reports, after ``open_store(create=True)`` made the schema.

    With ``roles`` (PostgreSQL only) also creates the writer and auditor roles.
    """
    lines = [f"ledger ready: {app.backend} store; facts append-only (triggers), hash-chained, "
             f"personal data encrypted (master key: {app.keyring.source})"]
    off = [f"{n}={app.settings[n]}" for n in ("chain", "encryption") if app.settings[n] != "on"]
    if off:  # only bench/ makes such stores
        lines[0] = (f"ledger ready: {app.backend} store; facts append-only (triggers); {', '.join(off)} "
                    f"(fixed at creation); master key: {app.keyring.source}")
    if app.test_clock:
        lines.append("test clock: this store honours LEDGER_CLOCK and any recorded time (demo and tests only)")
    backfilled = getattr(app.recorder, "backfilled", 0)
    if backfilled:
        lines.append(f"chained {backfilled} facts recorded before the chain existed")
    rebuilt = getattr(app.recorder, "rebuilt", 0)
    if rebuilt:
        lines.append(f"read model built from {rebuilt} facts recorded before it existed")
    if roles:
        if app.backend != "postgres":
            raise BadInput("--roles applies to PostgreSQL stores only: a SQLite file is protected by file permissions.",
                           "--roles は PostgreSQL のストア専用です。SQLite ファイルはファイルの権限で保護してください。",
                           field="roles")
        from ledger.backend_pg import create_roles

        try:
            create_roles(app.recorder, writer, auditor)  # type: ignore[arg-type]
        except PersistenceError as e:
            raise translate(e) from None
        lines.append(f"roles: {writer} may insert and read facts; {auditor} may only read (personal fields withheld)")
    return lines


def is_demo_store(path: str) -> bool:
    """Whether ``path`` is a SQLite store made by ``ledger demo`` (so the demo may replace it)."""
    if os.path.islink(path) or not os.path.isfile(path):
        return False
    try:
        c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = c.execute("SELECT value FROM ledger_meta WHERE name = 'origin'").fetchone()
        finally:
            c.close()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == "demo"
