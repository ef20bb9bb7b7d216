"""Backup and restore of a SQLite store, and the PostgreSQL schema for ``init``.

A SQLite store is copied with SQLite's online backup API (``sqlite3.Connection.backup``):
a consistent copy page by page, taken while writers may go on. The demo-style master
key file ``<db>.key`` is copied beside the backup as ``<backup>.key`` (mode 0600);
a key from ``LEDGER_MASTER_KEY`` or ``LEDGER_MASTER_KEY_FILE`` is never copied (it
is kept apart from the data on purpose) and the report says where it is.
PostgreSQL stores are backed up with ``pg_dump``/``pg_restore`` (README).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
from urllib.parse import parse_qs, urlparse

from ledger.errors import BadInput, StoreError


def is_postgres(address: str) -> bool:
    return address.startswith(("postgresql://", "postgres://"))


def sqlite_file(address: str) -> str:
    """The file of a SQLite store address (the path, or ``sqlite:///path``)."""
    return address[len("sqlite:///"):] if address.startswith("sqlite:///") else address


def _key_note(db: str) -> tuple[str | None, str]:
    """The key file to copy with ``db`` (or None) and where the master key comes from."""
    if os.environ.get("LEDGER_MASTER_KEY"):
        return None, "LEDGER_MASTER_KEY"
    if os.environ.get("LEDGER_MASTER_KEY_FILE"):
        return None, os.environ["LEDGER_MASTER_KEY_FILE"]
    key = db + ".key"
    return (key if os.path.exists(key) else None), key


def _copy(src: str, dest: str) -> None:
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dest)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _refuse_existing(path: str, field: str) -> None:
    if os.path.exists(path):
        raise BadInput(f"{path} already exists: a backup or restore never writes over a file.",
                       f"{path} は既にあります。バックアップと復元はファイルを上書きしません。", field=field)


def backup(address: str, dest: str) -> tuple[str | None, str]:
    """Copy the SQLite store at ``address`` to ``dest``; returns (key file copied, key source)."""
    if is_postgres(address):
        raise BadInput("`ledger backup` copies a SQLite store; back up PostgreSQL with pg_dump (README, Backup).",
                       "`ledger backup` は SQLite 用です。PostgreSQL は pg_dump でバックアップしてください（README 参照）。",
                       field="db")
    db = sqlite_file(address)
    if not os.path.exists(db):
        raise StoreError(f"There is no ledger at {db}.", f"{db} に台帳がありません。")
    _refuse_existing(dest, "file")
    key, source = _key_note(db)
    if key:
        _refuse_existing(dest + ".key", "file")
    _copy(db, dest)
    if key:
        return _copy_key(key, dest), source
    return None, source


def _copy_key(key: str, beside: str) -> str:
    """The master key file copied to ``<beside>.key``, readable by its owner only."""
    dest = beside + ".key"
    shutil.copyfile(key, dest)
    os.chmod(dest, 0o600)
    return dest


def restore(backup_file: str, address: str) -> tuple[str | None, str]:
    """Restore ``backup_file`` as the SQLite store at ``address`` (which must not exist yet)."""
    if is_postgres(address):
        raise BadInput("`ledger restore` restores a SQLite store; restore PostgreSQL with pg_restore (README, Backup).",
                       "`ledger restore` は SQLite 用です。PostgreSQL は pg_restore で復元してください（README 参照）。",
                       field="db")
    if not os.path.exists(backup_file):
        raise BadInput(f"There is no backup file {backup_file}.", f"バックアップ {backup_file} がありません。",
                       field="file")
    db = sqlite_file(address)
    _refuse_existing(db, "db")
    key = backup_file + ".key"
    own_key = os.path.exists(key) and not (os.environ.get("LEDGER_MASTER_KEY") or os.environ.get("LEDGER_MASTER_KEY_FILE"))
    if own_key:
        _refuse_existing(db + ".key", "db")
    _copy(backup_file, db)
    if own_key:
        copied = _copy_key(key, db)
        return copied, copied
    return None, _key_note(db)[1]


def ensure_pg_schema(address: str) -> str | None:
    """``CREATE SCHEMA IF NOT EXISTS`` for the ``?schema=NAME`` of a PostgreSQL address; the name, or None."""
    if not is_postgres(address):
        return None
    u = urlparse(address)
    schema = parse_qs(u.query).get("schema", [""])[0]
    if not schema:
        return None
    from ledger.store import SCHEMA_NAME, store_env

    if not SCHEMA_NAME.match(schema):
        store_env(address, create=True)  # raises the store's own BadInput naming the schema
    import psycopg

    env = store_env(address, create=True)
    try:
        with psycopg.connect(dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
                             user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"] or None,
                             connect_timeout=5, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
            if exists:
                return None
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    except psycopg.Error as e:
        raise StoreError(f"Could not create schema {schema}: {e}".strip(),
                         f"スキーマ {schema} を作成できませんでした: {e}".strip()) from None
    return schema
