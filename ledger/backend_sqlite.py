"""The SQLite recorder: the library's, plus the chain, the key table and the guards.

Selected by ``APPLICATION_RECORDER_TOPIC`` (see ``ledger.store.store_env``).
SQLite has one writer at a time, and the first statement of an append is the
INSERT that takes the write lock, so the chain head read after it is current.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from ledger import readmodel
from ledger.backend import ERASURE_TOPIC, LEDGER_TABLES, SQLITE_GUARDS, Dialect, SqliteCur, after_insert, backfill, read_meta


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self.dialect = Dialect("sqlite", events_table_name, "ledger_chain", "ledger_keys", "ledger_meta")
        self.backfilled = self.rebuilt = 0
        self.chain = True  # the store's setting, read at open (ledger.store)

    def create_table(self) -> None:
        """The library's table, then the ledger's tables and triggers (idempotent)."""
        with self.datastore.transaction(commit=True) as c:
            self._create_table(c)
            cur = SqliteCur(c, self.dialect)
            for statement in LEDGER_TABLES + SQLITE_GUARDS:
                cur.run(statement)
            if read_meta(cur, "chain") != "off":
                self.backfilled = backfill(cur, self.dialect)
            self.rebuilt = readmodel.create(cur, self.dialect)  # issue 11: the read model's tables

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        if any(s.topic == ERASURE_TOPIC for s in stored_events):
            # The erased key's old page images may still sit in the WAL file:
            # fold the WAL into the (secure-deleted) main file and truncate it.
            with contextlib.suppress(Exception), self.datastore.get_connection(commit=True) as conn:
                conn.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return ids

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        # Set explicitly on every write (it is per connection): freed bytes, a destroyed
        # key's above all, are overwritten with zeros rather than left in free space.
        c.execute("PRAGMA secure_delete = ON")
        ids = super()._insert_events(c, stored_events, **kwargs)
        assert ids is not None  # the application recorder returns one rowid per event
        after_insert(SqliteCur(c, self.dialect), self.dialect, zip(ids, stored_events), keys=kwargs.get("ledger_keys"),
                     chain=self.chain)
        return ids

    @contextlib.contextmanager
    def gate(self) -> Iterator[None]:
        """SQLite has no gate: its writers are few and retry (``commands.handlers``)."""
        yield

    def select_streams(self, streams: Sequence[str], chunk: int = 500) -> list[StoredEvent]:
        """The facts of several streams, by stream then version (a few hundred per query)."""
        out: list[StoredEvent] = []
        with self.cursor() as cur:
            for i in range(0, len(streams), chunk):
                part = list(streams[i:i + chunk])
                rows = cur.all(f"SELECT originator_id, originator_version, topic, state FROM {{events}} WHERE originator_id "
                               f"IN ({','.join('?' * len(part))}) ORDER BY originator_id, originator_version", part)
                out += [StoredEvent(originator_id=r[0], originator_version=r[1], topic=r[2], state=bytes(r[3]))
                        for r in rows]
        return out

    def read_one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        """One row of one query on the ledger's tables."""
        with self.cursor() as cur:
            return cur.one(sql, params)

    @contextlib.contextmanager
    def cursor(self, *, commit: bool = False) -> Iterator[SqliteCur]:
        """A transaction on the ledger's own tables (read-only unless ``commit``)."""
        with self.datastore.transaction(commit=commit) as c:
            yield SqliteCur(c, self.dialect)
