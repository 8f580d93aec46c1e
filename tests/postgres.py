"""A PostgreSQL server for the tests: `SOP_TEST_POSTGRES` (a URL), one schema per test.

Without `SOP_TEST_POSTGRES` the PostgreSQL tests are skipped with the reason; with
`SOP_REQUIRE_POSTGRES=1` (set by `.ci/run`) a missing or unreachable server fails them instead,
so CI always tests the real server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest


def server_url() -> str:
    """The server the tests may use, or skip/fail as the environment says."""
    url = os.environ.get("SOP_TEST_POSTGRES", "").strip()
    required = os.environ.get("SOP_REQUIRE_POSTGRES") == "1"
    if not url:
        if required:
            pytest.fail("SOP_REQUIRE_POSTGRES=1 but SOP_TEST_POSTGRES names no server")
        pytest.skip("no PostgreSQL server: set SOP_TEST_POSTGRES=postgresql://... to run these tests")
    try:
        import psycopg
    except ImportError:
        if required:
            pytest.fail("SOP_REQUIRE_POSTGRES=1 but psycopg is not installed")
        pytest.skip("psycopg is not installed (pip install 'sop-cli[postgres]')")
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.Error as error:
        if required:
            pytest.fail(f"SOP_REQUIRE_POSTGRES=1 but {url} cannot be reached: {error}")
        pytest.skip(f"PostgreSQL at {url} cannot be reached: {error}")
    return url


def with_schema(url: str, schema: str) -> str:
    """`url` whose connections use `schema` first (libpq `options`).

    Its sessions also commit without waiting for the WAL to reach the disk
    (`synchronous_commit=off`): a commit is still atomic and the tests kill clients, not the
    server, so nothing they check changes; they just stop waiting on fsync.
    """
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema} -csynchronous_commit=off')}"


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A new empty schema for one test, dropped (with everything in it) afterwards; yields the
    URL that uses it."""
    import psycopg

    schema = f"sop_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_schema(url, schema)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def login_role(name: str) -> str:
    """A new LOGIN role of the server for one test (`drop_roles` removes it)."""
    import psycopg

    role = f"sop_t_{name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
    return role


def drop_roles(url: str, logins: list[str]) -> None:
    """Drop `logins` and every role the store at `url` granted (`sop_units`)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        granted = []
        if conn.execute("SELECT to_regclass('sop_units') IS NOT NULL").fetchone()[0]:
            granted = [r[0] for r in conn.execute("SELECT role_name FROM sop_units")]
        for role in [*logins, *granted]:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(f'DROP OWNED BY "{role}"')
                conn.execute(f'DROP ROLE "{role}"')
