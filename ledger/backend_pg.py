"""The PostgreSQL recorder: the library's, plus the chain, the key table, the guards and roles.

Selected by ``APPLICATION_RECORDER_TOPIC`` (see ``ledger.store.store_env``).
An append is the library's ``insert_events`` (issue 14): one pipelined
transaction in which the ledger's hooks take the write lock
(``ledger_append_lock``: the library's ``LOCK TABLE … IN EXCLUSIVE MODE``
behind the gate), check the clock under it, store any new data key through
``ledger_new_key`` and refuse data sealed for an erased subject (one round
trip for all of that), then the library inserts the facts (the database
chains them and applies an erasure: ``ledger_after_facts``, once per
statement), the read model's rows follow, and the library commits.

A connection lost once the append was sent may have committed or not: that is
reported as *outcome unknown* (re-run with the same ``command_id``), never
retried, because a retry after a commit that did happen would record the
command twice. A lock not granted within ``LEDGER_LOCK_TIMEOUT`` seconds is a
clear ``busy`` error.
"""
from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from ledger import readmodel
from ledger.backend import (
    LEDGER_TABLES,
    PG_GUARDS,
    Dialect,
    PgCur,
    backfill,
    head_of,
    head_sql,
    key_conflict,
    read_meta,
    recorded_us,
    refuse_backwards,
    refuse_erased,
    sealed_subjects,
)
from ledger.errors import BadInput, Busy, OutcomeUnknown

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        s = datastore.schema

        def q(name: str) -> str:
            return f'"{s}"."{name}"'

        self.dialect = Dialect("postgres", q(events_table_name), q("ledger_chain"), q("ledger_keys"), q("ledger_meta"),
                               schema=f'"{s}"')
        self.lock_call = SQL("SELECT {0}.ledger_append_lock(%s)").format(Identifier(s))
        self.gate_call = SQL("SELECT {0}.ledger_gate_lock()").format(Identifier(s))
        self.backfilled = self.rebuilt = 0
        self.chain = True  # the store's setting, read at open (ledger.store)
        # Tests only: called inside the append's transaction just before COMMIT, with the
        # connection (to cut it and see the outcome-unknown path).
        self.before_commit: Any = None
        # The last append this thread sent, with its connection (``_sent_again``).
        self._attempt = threading.local()

    def create_table(self) -> None:
        """The library's table, then the ledger's tables, triggers and lock function (idempotent)."""
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            cur = PgCur(curs, self.dialect)
            for statement in LEDGER_TABLES + PG_GUARDS:
                cur.run(statement)
            curs.execute(self.lock_call, (True,))
            if read_meta(cur, "chain") != "off":
                self.backfilled = backfill(cur, self.dialect)
            self.rebuilt = readmodel.create(cur, self.dialect)  # issue 11: the read model's tables

    # --- the append: the library's ``insert_events`` (its connection, pipeline,
    # transaction, NOTIFY, insert and retry) with the ledger's work on its hooks ---

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        """The library's first hook, in the append's transaction before the insert.

        Takes the write lock (``ledger_append_lock``: the gate in shared mode
        unless this writer holds it, then the library's EXCLUSIVE table lock,
        which a writer role may not take by ``LOCK TABLE`` itself), stores any
        new data key and refuses personal data sealed for a subject erased
        meanwhile, and works out the read model's rows. Everything that may
        refuse runs here, before the insert: an error raised here leaves
        through the transaction, rolled back, whereas the library holds an
        error of its later steps until the transaction has ended (only a
        database error there undoes the facts).
        """
        if not stored_events:
            return
        self._sent_again(stored_events, curs.connection)
        gate = not kwargs.get("ledger_gated", False)  # a writer holding the gate (``gate()``) must not wait for it
        keys: dict[str, str] = kwargs.get("ledger_keys") or {}
        sealed = sealed_subjects(stored_events, keys)
        conn, d = curs.connection, self.dialect
        # Pipelined: the lock and every check after it travel in one round trip (each on its own
        # cursor, so each keeps its result); each check's statement runs once the lock is granted.
        try:
            curs.execute(self.lock_table_statements[0], prepare=True)  # the library's SET LOCAL lock_timeout
            curs.execute(self.lock_call, (gate,), prepare=True)
            head = conn.cursor()
            if self.chain:
                head.execute(d.q(head_sql(d)), prepare=True)
            lost_keys = conn.cursor()
            if keys:
                created = max(recorded_us(e.state) for e in stored_events)
                lost_keys.execute(d.q("SELECT k.subject FROM unnest(?::text[], ?::text[]) AS k(subject, wrapped) "
                                      "WHERE NOT {schema}.ledger_new_key(k.subject, k.wrapped, ?)"),
                                  (list(keys), list(keys.values()), created))
            erased = conn.cursor()
            if sealed:
                erased.execute(d.q("SELECT subject FROM {keys} WHERE wrapped IS NULL AND subject = ANY(?)"), (sealed,))
            curs.fetchall()  # waits for the lock, so a timeout is seen here
            if self.chain:
                # Read under the lock (a statement after it: its snapshot sees every append before ours). The
                # database refuses a recorded time going back too (``ledger_after_facts``); this check gives the
                # clear error before anything is inserted.
                row = head.fetchone()
                refuse_backwards(head_of(tuple(row.values()) if row else None)[2], stored_events)
            if keys and (lost := lost_keys.fetchall()):
                raise key_conflict(lost[0]["subject"])
            refuse_erased([r["subject"] for r in erased.fetchall()] if sealed else [])
        except psycopg.errors.LockNotAvailable:
            raise Busy.lock(self.datastore.lock_timeout) from None
        except psycopg.OperationalError as e:
            raise self._lost(conn, e) from None
        self._attempt.changes = readmodel.pending(stored_events)

    def _lock_table(self, curs: Cursor[DictRow]) -> None:
        """Already done: ``_insert_events`` took the lock through ``ledger_append_lock``."""

    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        """The library's last hook, after the insert: the read model follows the facts
        in this same transaction (issue 11); the database chained them (``ledger_after_facts``)."""
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        # Database writes only: a failure aborts the transaction, so its COMMIT rolls back.
        readmodel.follow_changes(PgCur(curs, self.dialect), self.dialect, self._attempt.changes, max(ids or [0]))
        if self.before_commit is not None:
            self.before_commit(curs.connection)
        return ids

    def _sent_again(self, stored_events: Sequence[StoredEvent], conn: Any) -> None:
        """The library retries an append whose connection failed; this one is refused.

        A connection lost once the append was sent may have committed or not:
        the outcome is unknown (re-run with the same ``command_id``), never
        retried, because a retry after a commit that did happen would record
        the command twice. The library passes the same ``stored_events`` to
        each attempt, so a second attempt is recognised by it.
        """
        last = getattr(self._attempt, "last", None)
        if last is not None and last[0] is stored_events and (last[1].broken or last[1].closed):
            self._attempt.last = None
            raise OutcomeUnknown.lost("the connection was lost while the facts were being stored")
        self._attempt.last = (stored_events, conn)

    def sent_and_lost(self) -> bool:
        """Whether this thread's last append went out on a connection since lost (and forget it).

        Asked by ``LedgerApp.save`` when an append failed: if the server went away after the
        append was sent, the library's retries fail to connect and end in an ordinary
        error, but the first attempt may have committed: the outcome is unknown."""
        last, self._attempt.last = getattr(self._attempt, "last", None), None
        return last is not None and (last[1].broken or last[1].closed)

    @staticmethod
    def _lost(conn: Any, e: Exception) -> Exception:
        return OutcomeUnknown.lost(str(e)) if conn.broken or conn.closed else e

    @contextlib.contextmanager
    def gate(self) -> Iterator[None]:
        """Hold the store's gate exclusively: no other append commits until released.

        The gate is a table lock held by an open transaction on its own
        connection; only ``ledger_gate_lock()`` (SECURITY DEFINER, granted to
        the writer role) can take it.
        """
        try:
            with self.datastore.get_connection() as conn, conn.transaction():
                conn.execute(self.lock_table_statements[0])
                conn.execute(self.gate_call)
                yield
        except OperationalError as e:
            if isinstance(e.__cause__, psycopg.errors.LockNotAvailable):
                raise Busy.lock(self.datastore.lock_timeout) from None
            raise

    def select_streams(self, streams: Sequence[str]) -> list[StoredEvent]:
        """The facts of several streams in one round trip, by stream then version."""
        with self.datastore.get_connection() as conn:
            rows = conn.execute(self.dialect.q("SELECT originator_id, originator_version, topic, state FROM {events} "
                                               "WHERE originator_id = ANY(?) ORDER BY originator_id, originator_version"),
                                (list(streams),)).fetchall()
        return [StoredEvent(originator_id=r["originator_id"], originator_version=r["originator_version"],
                            topic=r["topic"], state=bytes(r["state"])) for r in rows]

    def read_one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        """One row of one query on the ledger's tables, in one round trip (autocommit)."""
        with self.datastore.get_connection() as conn:
            row = conn.execute(self.dialect.q(sql), tuple(params) or None).fetchone()
        return tuple(row.values()) if row else None

    @contextlib.contextmanager
    def cursor(self, *, commit: bool = False) -> Iterator[PgCur]:
        """A transaction on the ledger's own tables (rolled back unless ``commit``)."""
        with self.datastore.transaction(commit=commit) as curs:
            yield PgCur(curs, self.dialect)


def create_roles(recorder: LedgerPostgresRecorder, writer: str, auditor: str) -> None:
    """A writer role (INSERT and SELECT only) and a read-only auditor role for this store.

    The writer also gets the notification-id sequence and the functions
    ``ledger_append_lock``, ``ledger_gate_lock`` and ``ledger_new_key``; it may
    read the key table but neither insert nor update it (keys are created by
    ``ledger_new_key``, erased by storing the erasure fact), nor write the chain
    (the database writes it). The auditor reads facts, the chain and the
    settings but not the key table, so it sees personal fields as withheld, and
    it has no privilege on the gate table, so it cannot hold up writers. Roles are created LOGIN without a password: set one with
    ``ALTER ROLE … PASSWORD`` where the server's pg_hba.conf asks for it.
    """
    for name, opt in ((writer, "--writer-role"), (auditor, "--auditor-role")):
        if not ROLE_NAME.match(name):
            raise BadInput(f"{opt}: '{name}' is not a plain role name (lower-case letters, digits, _).",
                           f"{opt}: '{name}' は使えるロール名ではありません（英小文字・数字・_）。", field=opt.lstrip("-"))
    if writer == auditor:
        raise BadInput("The writer and auditor roles must differ.", "書き込みロールと監査ロールは別にしてください。",
                       field="auditor-role")
    d = recorder.dialect
    seq = f'{d.schema}."{recorder.events_table_name}_notification_id_seq"'
    readmodel_tables = ", ".join(readmodel.table(d, t) for t in readmodel.TABLES)
    statements = []
    for role in (writer, auditor):
        statements.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
            f"CREATE ROLE {role} LOGIN; END IF; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
        statements.append(f"GRANT USAGE ON SCHEMA {d.schema} TO {role}")
        statements.append(f"REVOKE ALL ON {d.events}, {d.chain}, {d.keys}, {d.meta}, {d.gate_table} FROM {role}")
    functions = [f"{d.schema}.ledger_append_lock(boolean)", f"{d.schema}.ledger_gate_lock()",
                 f"{d.schema}.ledger_new_key(text, text, bigint)"]
    statements += [
        f"GRANT SELECT, INSERT ON {d.events} TO {writer}",
        f"GRANT SELECT ON {d.chain}, {d.keys}, {d.meta} TO {writer}",
        f"GRANT USAGE ON SEQUENCE {seq} TO {writer}",
        *(f"GRANT EXECUTE ON FUNCTION {f} TO {writer}" for f in functions),
        f"GRANT SELECT ON {d.events}, {d.chain}, {d.meta} TO {auditor}",
        *(f"REVOKE ALL ON FUNCTION {f} FROM {auditor}" for f in functions),
        # The read model (issue 11): the writer keeps it in step with its appends.
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {readmodel_tables} TO {writer}",
        f"GRANT SELECT ON {readmodel_tables} TO {auditor}",
    ]
    with recorder.datastore.transaction(commit=True) as curs:
        for s in statements:
            curs.execute(s)
