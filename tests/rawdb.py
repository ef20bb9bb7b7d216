"""Raw SQL on a store, behind the ledger's back: what a tamperer (or a DBA) can do.

Used by the integrity tests to drop the guards and edit, delete, swap and
insert rows, on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse


class Raw:
    def __init__(self, url: str) -> None:
        self.url = url
        self.pg = url.startswith("postgresql://")
        if self.pg:
            s = parse_qs(urlparse(url).query)["schema"][0]
            self.t = {"events": f'"{s}".membershipledger_events', "chain": f'"{s}".ledger_chain',
                      "keys": f'"{s}".ledger_keys', "nid": "notification_id"}
        else:
            self.t = {"events": "stored_events", "chain": "ledger_chain", "keys": "ledger_keys", "nid": "rowid"}

    def run(self, sql: str, params: tuple = ()) -> list[tuple]:
        sql = sql.format(**self.t)
        if self.pg:
            import psycopg

            with psycopg.connect(self.url.split("?")[0], autocommit=True) as c:
                cur = c.execute(sql.replace("?", "%s"), params)
                return cur.fetchall() if cur.description else []
        import sqlite3

        c = sqlite3.connect(self.url)
        try:
            cur = c.execute(sql, params)
            rows = cur.fetchall()
            c.commit()
            return rows
        finally:
            c.close()

    def drop_guards(self) -> None:
        if self.pg:
            # The database also chains every insert itself (issue 12): a tamperer drops that trigger too.
            for name, table in (("ledger_events_append_only", self.t["events"]), ("ledger_events_chain", self.t["events"]),
                                ("ledger_chain_append_only", self.t["chain"]), ("ledger_keys_erase_only", self.t["keys"])):
                self.run(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            for name in ("ledger_events_append_only_u", "ledger_events_append_only_d", "ledger_chain_append_only_u",
                         "ledger_chain_append_only_d", "ledger_keys_erase_only_u", "ledger_keys_erase_only_d"):
                self.run(f"DROP TRIGGER IF EXISTS {name}")

    def fact(self, nid: int) -> tuple[str, int, str, bytes]:
        (row,) = self.run("SELECT originator_id, originator_version, topic, state FROM {events} WHERE {nid} = ?", (nid,))
        return row[0], row[1], row[2], bytes(row[3])

    def nids(self) -> list[int]:
        return [r[0] for r in self.run("SELECT {nid} FROM {events} ORDER BY {nid}")]

    def replace(self, nid: int, originator_id: str, version: int, topic: str, state: bytes) -> None:
        self.run("UPDATE {events} SET originator_id = ?, originator_version = ?, topic = ?, state = ? "
                 "WHERE {nid} = ?", (originator_id, version, topic, state, nid))

    def insert(self, originator_id: str, version: int, topic: str, state: bytes) -> int:
        self.run("INSERT INTO {events} (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
                 (originator_id, version, topic, state))
        return self.nids()[-1]

    def chain(self) -> list[tuple[Any, ...]]:
        return self.run("SELECT position, notification_id, originator_id, originator_version, recorded_us, digest, "
                        "prev_hash, hash FROM {chain} ORDER BY position")
