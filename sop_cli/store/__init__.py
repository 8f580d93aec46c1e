"""The run store: where runs and their event logs are kept, behind one interface.

`interface.Store` is the contract (typed records in, typed records out; the codec between events
and rows belongs to the store); `sqlite.SqliteStore` is the embedded implementation and
`migrations` its frozen schema history; `postgres.PostgresStore` the shared one (its migrations
inside it); `sql.SqlStore` what the two say alike; `admin` the store-level use-cases of
`sop store`. Importing this package does not import `sqlite3`: `open_store` does, when a command
really opens a store.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sop_cli.store.interface import Store, Summarize


def open_store(path: Path | str | None = None, *, create: bool = True, migrate: bool = True,
               readonly: bool = False, summarize: Summarize | None = None) -> Store | None:
    """Open the store at `path` (default: `SOP_STORE`, else `$SOP_HOME/sop.db`): a PostgreSQL
    database when it is a `postgresql://` URL (psycopg is imported only then), else an SQLite file.

    With `create=False` a missing SQLite file gives None instead of a new empty one, so read-only
    commands never create folders. (A PostgreSQL database always exists: the server says.)
    With `migrate=False` an older schema is left as it is (`sop store status` only looks).
    With `readonly` (commands that only read), an SQLite file this user cannot write is opened
    for reading instead of failing, and a PostgreSQL session is read-only.
    `summarize` (the run layer's replay, `engine.stored_summary`) rebuilds the run summaries a
    migration of an SQLite file leaves stale, and gives a PostgreSQL reader the summaries of the
    runs it does not write as their logs say; every opening that may migrate or list passes it.
    """
    from sop_cli.paths import store_location

    location = store_location(path)
    if isinstance(location, str):
        from sop_cli.store.postgres import PostgresStore

        return PostgresStore.open(location, migrate=migrate, readonly=readonly, summarize=summarize)
    from sop_cli.store.sqlite import SqliteStore

    if not create and not location.exists():
        return None
    return SqliteStore.open(location, migrate=migrate, readonly=readonly, summarize=summarize)


def store_exists(path: Path | str | None = None) -> bool:
    """Whether the store at `path` (as for `open_store`) exists (a PostgreSQL URL: yes)."""
    from sop_cli.paths import store_location

    location = store_location(path)
    return isinstance(location, str) or location.exists()
