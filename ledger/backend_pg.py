"""The PostgreSQL recorder: the library's, plus the chain, the key table, the guards and roles.

Selected by ``APPLICATION_RECORDER_TOPIC`` (see ``ledger.store.store_env``).
An append runs in one transaction: take the write lock (``ledger_append_lock``,
the library's ``LOCK TABLE … IN EXCLUSIVE MODE`` behind the gate), insert the
facts, chain them, commit. The library's pipelined insert is replaced by this plain one because
the chain needs the notification ids back before the commit.
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from ledger import readmodel
from ledger.backend import LEDGER_TABLES, PG_GUARDS, Dialect, PgCur, after_insert, backfill, head_sql
from ledger.errors import BadInput

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        s = datastore.schema

        def q(name: str) -> str:
            return f'"{s}"."{name}"'

        self.dialect = Dialect("postgres", q(events_table_name), q("ledger_chain"), q("ledger_keys"), q("ledger_meta"),
                               schema=f'"{s}"')
        self.insert_returning = self.insert_events_statement + SQL(", originator_id, originator_version")
        self.lock_call = SQL("SELECT {0}.ledger_append_lock(%s)").format(Identifier(s))
        self.backfilled = self.rebuilt = 0

    def create_table(self) -> None:
        """The library's table, then the ledger's tables, triggers and lock function (idempotent)."""
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            cur = PgCur(curs, self.dialect)
            for statement in LEDGER_TABLES + PG_GUARDS:
                cur.run(statement)
            curs.execute(self.lock_call, (True,))
            self.backfilled = backfill(cur, self.dialect)
            self.rebuilt = readmodel.create(cur, self.dialect)  # issue 11: the read model's tables

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:
            return []
        values = [self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
                  for e in stored_events]
        # A writer holding the gate exclusively (``gate()``) must not wait for it again.
        gate = not kwargs.get("ledger_gated", False)
        with self.datastore.get_connection() as conn:
            # Pipelined like the library's insert: the lock, NOTIFY, the newest fact and
            # the insert travel together; the chain rows travel with the COMMIT.
            with conn.pipeline(), conn.transaction():
                # Any error (a conflict, a late clock) leaves through the transaction: rolled back.
                curs = conn.cursor()
                curs.execute(self.lock_table_statements[0])  # SET LOCAL lock_timeout
                curs.execute(self.lock_call, (gate,))
                self._notify_channel(curs)
                head_curs = conn.cursor()
                head_curs.execute(self.dialect.q(head_sql(self.dialect)))
                curs.execute(self.insert_returning, (values,))
                row = head_curs.fetchone()
                head = tuple(row.values()) if row else None
                ids = {(r["originator_id"], r["originator_version"]): r["notification_id"] for r in curs.fetchall()}
                pairs = [(ids[(e.originator_id, e.originator_version)], e) for e in stored_events]
                after_insert(PgCur(curs, self.dialect), self.dialect, pairs, head, kwargs.get("ledger_keys"))
        return [nid for nid, _ in pairs]

    @contextlib.contextmanager
    def gate(self) -> Iterator[None]:
        """Hold the store's gate exclusively: no other append commits until released."""
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (self.dialect.gate_name,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (self.dialect.gate_name,))

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

    The writer also gets the notification-id sequence, ``ledger_append_lock`` and the
    key table (creating keys, erasing them); the auditor reads facts, the chain
    and the settings but not the key table, so it sees personal fields as
    withheld. Roles are created LOGIN without a password: set one with
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
    readmodel_tables = ", ".join(readmodel.table(d, t) for t in (readmodel.MEMBERS, readmodel.MONEY, readmodel.POSITION))
    statements = []
    for role in (writer, auditor):
        statements.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
            f"CREATE ROLE {role} LOGIN; END IF; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
        statements.append(f"GRANT USAGE ON SCHEMA {d.schema} TO {role}")
        statements.append(f"REVOKE ALL ON {d.events}, {d.chain}, {d.keys}, {d.meta} FROM {role}")
    statements += [
        f"GRANT SELECT, INSERT ON {d.events}, {d.chain} TO {writer}",
        f"GRANT SELECT, INSERT, UPDATE ON {d.keys} TO {writer}",
        f"GRANT SELECT ON {d.meta} TO {writer}",
        f"GRANT USAGE ON SEQUENCE {seq} TO {writer}",
        f"GRANT EXECUTE ON FUNCTION {d.schema}.ledger_append_lock(boolean) TO {writer}",
        f"GRANT SELECT ON {d.events}, {d.chain}, {d.meta} TO {auditor}",
        # The read model (issue 11): the writer keeps it in step with its appends.
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {readmodel_tables} TO {writer}",
        f"GRANT SELECT ON {readmodel_tables} TO {auditor}",
        f"REVOKE ALL ON FUNCTION {d.schema}.ledger_append_lock(boolean) FROM {auditor}",
    ]
    with recorder.datastore.transaction(commit=True) as curs:
        for s in statements:
            curs.execute(s)
