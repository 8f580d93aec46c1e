"""The run store: where runs and their event logs are kept, behind one interface.

`interface.Store` is the contract (typed records in, typed records out; the codec between events
and rows belongs to the store); `sqlite.SqliteStore` is the embedded implementation used today;
`migrations` holds its frozen schema history. Importing this package does not import `sqlite3`:
`open_store` does, when a command really opens a store.
"""

from __future__ import annotations

from pathlib import Path

from sop_cli.store.interface import NewRun, RunRow, RunSummary, Store, StoredRun

__all__ = ["NewRun", "RunRow", "RunSummary", "Store", "StoredRun", "open_store", "store_exists"]


def open_store(path: Path | str | None = None, *, create: bool = True, readonly: bool = False) -> Store | None:
    """Open the store at `path` (default: `SOP_STORE`, else `$SOP_HOME/sop.db`).

    With `create=False` a missing store gives None instead of a new empty file, so read-only
    commands never create folders. With `readonly` (commands that only read), a store this user
    cannot write is opened for reading instead of failing.
    """
    from sop_cli.paths import store_path
    from sop_cli.store.sqlite import SqliteStore

    resolved = store_path(path)
    if not create and not resolved.exists():
        return None
    return SqliteStore.open(resolved, readonly=readonly)


def store_exists(path: Path | str | None = None) -> bool:
    """Whether the store at `path` (as for `open_store`) exists."""
    from sop_cli.paths import store_path

    return store_path(path).exists()
