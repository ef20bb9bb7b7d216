"""The store: the ``eventsourcing`` Application, its mapper, and persistence selection.

Library types stay behind this module, so an upgrade of ``eventsourcing``
touches one place. Store errors are translated into ledger errors here, once.

The storage names are pinned: the Application's ``name`` (on PostgreSQL the
table is ``membershipledger_events``) and each event's ``TYPE`` (its topic).
Streams are named by text ids (``member:M-0042``, ``property:P-1``, ``fees``),
so an event id reads ``member:M-0042#3``.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
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

from ledger.errors import ClockError, Conflict, Forbidden, StoreError
from ledger.events import EVENT_TYPES, Event

APP_NAME = "MembershipLedger"
DEFAULT_DB = "ledger.db"


class LedgerMapper(Mapper):
    """Stores an event as its pydantic JSON; the topic is the event's pinned ``TYPE``.

    The envelope (stream and position included) is inside the stored bytes, so
    ``verify`` can see a row moved behind the ledger's back.
    """

    def to_stored_event(self, domain_event: Event) -> StoredEvent:  # type: ignore[override]
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=domain_event.TYPE,
            state=domain_event.model_dump_json().encode(),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Event:  # type: ignore[override]
        return decode(stored_event.topic, stored_event.state)


def decode(topic: str, state: bytes) -> Event:
    cls = EVENT_TYPES.get(topic)
    if cls is None:
        raise StoreError(
            f"The store holds an event of unknown type '{topic}': this ledger version cannot read it.",
            f"ストアに未知の種類のイベント '{topic}' があります。このバージョンでは読めません。",
        )
    return cls.model_validate_json(state)


class LedgerApp(Application):
    """The ledger's event-sourced application: one store, many streams."""

    name = APP_NAME
    address: str | None = None

    def construct_mapper(self) -> Mapper:
        return LedgerMapper(transcoder=JSONTranscoder())

    # --- reading ------------------------------------------------------------

    def read(self, stream: str) -> list[Event]:
        """Every fact of one stream in recorded order (retractions included)."""
        try:
            return list(self.events.get(stream))  # type: ignore[arg-type]
        except PersistenceError as e:
            raise translate(e) from None

    def exists(self, stream: str) -> bool:
        try:
            return bool(self.recorder.select_events(stream, limit=1))  # type: ignore[arg-type]
        except PersistenceError as e:
            raise translate(e) from None

    def newest_recorded(self) -> datetime | None:
        try:
            last = self.recorder.max_notification_id()
            if not last:
                return None
            rows = self.recorder.select_notifications(start=last, limit=1)
        except PersistenceError as e:
            raise translate(e) from None
        return decode(rows[0].topic, rows[0].state).recorded if rows else None

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
                yield row.id, decode(row.topic, row.state)
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

    def last_position(self) -> int:
        """The position of the newest fact in the global log (0 when empty)."""
        try:
            return self.recorder.max_notification_id() or 0
        except PersistenceError as e:
            raise translate(e) from None

    # --- writing ------------------------------------------------------------

    def append(self, events: Sequence[Event], now: datetime) -> None:
        """Append all ``events`` in one transaction, or none of them.

        Recorded time never goes backwards in a store: a ledger clock earlier
        than the newest recorded fact is refused.
        """
        self.check_clock(now)
        try:
            self.save(*events)
        except IntegrityError:
            raise Conflict(
                "Another writer recorded facts on the same stream first; decide again.",
                "他の書き込みが先に同じストリームへ記録しました。判断をやり直してください。",
            ) from None
        except PersistenceError as e:
            raise translate(e) from None

    def check_clock(self, now: datetime) -> None:
        newest = self.newest_recorded()
        if newest is not None and now < newest:
            raise ClockError(
                f"The ledger clock ({now.isoformat()}) is earlier than the newest recorded fact "
                f"({newest.isoformat()}): recorded time never goes backwards. Fix the clock or LEDGER_CLOCK.",
                f"台帳の時計（{now.isoformat()}）が最新の記録（{newest.isoformat()}）より前です。"
                "記録時刻は後戻りできません。時計または LEDGER_CLOCK を直してください。",
            )


def translate(e: Exception) -> StoreError:
    text = str(e)
    if "permission denied" in text or "readonly" in text.lower() or "read-only" in text:
        return Forbidden(
            f"This connection may not write to the ledger ({text.strip().splitlines()[0]}).",
            f"この接続では台帳に書き込めません（{text.strip().splitlines()[0]}）。",
        )
    if "no such table" in text or "does not exist" in text:
        return StoreError(
            f"The store has no ledger yet: run `ledger init` first ({text.strip().splitlines()[0]}).",
            f"ストアに台帳がありません。先に `ledger init` を実行してください（{text.strip().splitlines()[0]}）。",
        )
    return StoreError(
        f"The store failed: {text.strip().splitlines()[0] if text.strip() else type(e).__name__}.",
        f"ストアの操作に失敗しました: {text.strip().splitlines()[0] if text.strip() else type(e).__name__}。",
    )


def store_env(url: str, *, create: bool) -> dict[str, str]:
    """The ``eventsourcing`` environment for a store address.

    ``postgresql://user[:password]@host[:port]/dbname[?schema=NAME]`` selects
    PostgreSQL through psycopg; a file path or ``sqlite:///path`` selects SQLite.
    """
    env = {"ORIGINATOR_ID_TYPE": "text", "CREATE_TABLE": "y" if create else "n"}
    if url.startswith(("postgresql://", "postgres://")):
        u = urlparse(url)
        query = parse_qs(u.query)
        env.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            POSTGRES_DBNAME=(u.path or "/").lstrip("/") or "postgres",
            POSTGRES_HOST=u.hostname or "127.0.0.1",
            POSTGRES_PORT=str(u.port or 5432),
            POSTGRES_USER=unquote(u.username or "postgres"),
            POSTGRES_PASSWORD=unquote(u.password or ""),
            POSTGRES_SCHEMA=query.get("schema", [""])[0],
            POSTGRES_CONNECT_TIMEOUT="5",
            # Kept off on purpose: the DB functions drop the table lock and let
            # a tailing reader skip events (EVENTSOURCING-NOTES.md).
            POSTGRES_ENABLE_DB_FUNCTIONS="n",
        )
    else:
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else url
        env.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=path, SQLITE_LOCK_TIMEOUT="30")
    return env


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("LEDGER_DB") or DEFAULT_DB


def open_store(url: str | None = None, *, create: bool = False) -> LedgerApp:
    """Open the ledger at ``url`` (or ``LEDGER_DB``, or ``ledger.db``)."""
    address = database_url(url)
    if not address.startswith(("postgresql://", "postgres://")):
        path = address[len("sqlite:///") :] if address.startswith("sqlite:///") else address
        if not create and not os.path.exists(path):
            raise StoreError(
                f"There is no ledger at {path}: run `ledger init` first (or pass --db).",
                f"{path} に台帳がありません。先に `ledger init` を実行してください（または --db を指定）。",
            )
    try:
        app = LedgerApp(env=store_env(address, create=create))
        app.address = address  # so a replay can open more connections to the same store
        return app
    except PersistenceError as e:
        raise translate(e) from None
    except Exception as e:  # psycopg's connection errors arrive unwrapped here
        if type(e).__module__.startswith(("psycopg", "sqlite3", "eventsourcing")):
            raise translate(e) from None
        raise
