"""Shared fixtures: a real SQLite file and a real PostgreSQL server, never a mock.

Store tests take ``store_url`` and run once per backend. Locally, a PostgreSQL
that is down skips its tests; in CI (``CI`` set) that is a failure, and any
skipped PostgreSQL test makes the run fail (see ``pytest_sessionfinish``).
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_ADMIN = os.environ.get("LEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
# A PostgreSQL ledger needs a master key for personal data (ledger.keys); the
# tests use a fixed one. SQLite stores use the key file made by init instead.
TEST_MASTER_KEY = "bGVkZ2VyLXRlc3QtbWFzdGVyLWtleS0zMi1ieXRlcyE="
_skipped_pg: list[str] = []


def pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except Exception as e:  # any failure to reach the server is reported below
        return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def need_postgres() -> None:
    why = pg_available()
    if why is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI and is unreachable at {PG_ADMIN}: {why}")
    pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN}: {why}")


@pytest.fixture
def pg_url(monkeypatch) -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards."""
    need_postgres()
    import psycopg

    if not os.environ.get("LEDGER_MASTER_KEY_FILE"):
        monkeypatch.setenv("LEDGER_MASTER_KEY", os.environ.get("LEDGER_MASTER_KEY") or TEST_MASTER_KEY)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_ADMIN}?schema={schema}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return str(tmp_path / "ledger.db")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def app(store_url):
    """A store on each backend. Store tests pass fictional times (``Context(now=…)``), so it is a
    test-clock store (``open_store(…, test_clock=True)``; issue 12): a real-clock store refuses
    recorded times ahead of the machine's clock."""
    from ledger.store import open_store

    a = open_store(store_url, create=True, test_clock=True)
    yield a
    a.close()


def pytest_runtest_logreport(report) -> None:
    if report.skipped and "postgres" in report.keywords:
        _skipped_pg.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus) -> None:
    if os.environ.get("CI") and _skipped_pg:
        print(f"\nCI: {len(_skipped_pg)} PostgreSQL test(s) were skipped; that is a failure here.")
        session.exitstatus = 1
