"""The run store: one SQLite file (stdlib `sqlite3`) holding runs and their event logs.

`$SOP_HOME/sop.db` by default (`--store PATH` / `SOP_STORE` override it); attachments live beside
it in `attachments/<run>/`. The store is dumb on purpose: it keeps rows and transactions, while
`sop_cli.run.engine` decides what the rows mean.

Concurrency and crashes:

- WAL journal, `busy_timeout`, and `BEGIN IMMEDIATE` for every write: writers queue instead of
  failing with "database is locked", and a writer re-reads the run *inside* its transaction, so
  the check "is step 3 still current?" and the append are one atomic step.
- A process killed mid-write leaves the last committed state: each command's rows (event plus
  summary) are one transaction. The `events` table is append-only (triggers refuse UPDATE and
  DELETE).
- Schema changes are ordered migrations (`sop_cli.store.migrations`); a store from a newer `sop`
  is refused untouched.

Times are stored as ISO 8601 in UTC (`2026-11-26T02:00:00+00:00`), so text order is time order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sop_cli.errors import StoreError

BUSY_TIMEOUT_MS = 30_000
"""How long a command waits for another one's write before giving up (SQLite busy timeout)."""

_OURS = {"pinned", "runs", "events", "_sop_migrations"}


class Store:
    """An open store. Use `read()` / `write()` around the queries of one command."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    # Opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating it and its folder if needed) and migrate the store at `path`.

        Raises:
            StoreError: Not an SQLite file, not an sop store, written by a newer sop, or unusable.
        """
        from sop_cli.store.migrations import SCHEMA_VERSION

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"Cannot open the store {path}: {error}.") from None
        conn.row_factory = sqlite3.Row
        store = cls(path, conn)
        try:
            with _translated(path):
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"The store {path} was written by a newer version of sop (schema version "
                        f"{version}; this sop knows up to {SCHEMA_VERSION}). It was not changed.",
                        hint="Upgrade sop to use it, or point --store / SOP_STORE at another file.",
                    )
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA foreign_keys = ON")
                if version < SCHEMA_VERSION:
                    store._migrate()
        except BaseException:
            conn.close()
            raise
        return store

    def _migrate(self) -> None:
        from sop_cli.store.migrations import SCHEMA_VERSION, apply

        with self.write():
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                return  # another process migrated while we waited for the lock
            if version == 0:
                tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if tables - _OURS:
                    raise StoreError(
                        f"{self.path} is an SQLite file but not an sop store (it has tables "
                        f"{', '.join(sorted(tables - _OURS))}); it was not changed."
                    )
            apply(self.conn, version)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Transactions --------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Store]:
        """A read transaction: every query inside sees the same snapshot."""
        with _translated(self.path):
            self.conn.execute("BEGIN")
            try:
                yield self
            finally:
                self.conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[Store]:
        """A write transaction (`BEGIN IMMEDIATE`): committed on success, rolled back on error."""
        with _translated(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # Queries -------------------------------------------------------------------------------

    def run_ids(self) -> list[str]:
        """Every run id, oldest first."""
        return [r[0] for r in self.conn.execute("SELECT id FROM runs ORDER BY created_at, id")]

    def active_run_ids(self) -> list[str]:
        """Ids of the runs neither finished nor cancelled, oldest first."""
        rows = self.conn.execute("SELECT id FROM runs WHERE status = 'active' ORDER BY created_at, id")
        return [r[0] for r in rows]

    def run_record(self, run_id: str) -> dict[str, Any] | None:
        """The `runs` row of `run_id` plus its pinned `definition` and `calendar` JSON, or None."""
        row = self.conn.execute(
            "SELECT runs.*, d.body AS definition, c.body AS calendar FROM runs "
            "JOIN pinned AS d ON d.sha256 = runs.definition_sha256 "
            "JOIN pinned AS c ON c.sha256 = runs.calendar_sha256 WHERE runs.id = ?",
            (run_id,),
        ).fetchone()
        return dict(row) if row else None

    def pin(self, kind: str, body: str) -> str:
        """Keep `body` (JSON text) content-addressed; return its SHA-256 (inside `write()`)."""
        import hashlib

        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        self.conn.execute(
            "INSERT OR IGNORE INTO pinned (sha256, kind, body) VALUES (?, ?, ?)", (digest, kind, body)
        )
        return digest

    def events(self, run_id: str) -> list[dict[str, Any]]:
        """The run's event rows in log order (`seq` 1, 2, ...)."""
        rows = self.conn.execute("SELECT * FROM events WHERE run_id = ? ORDER BY seq", (run_id,))
        return [dict(r) for r in rows]

    def summaries(self, include_all: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
        """The summary columns of the active runs (of every run with `include_all`), oldest first;
        with `limit`, only the `limit` most recently started ones."""
        where = "" if include_all else " WHERE status = 'active'"
        limited = f" ORDER BY created_at DESC, id DESC LIMIT {int(limit)}" if limit is not None else ""
        rows = self.conn.execute(
            "SELECT * FROM (SELECT id, sop_id, year, title, zone, created_at, status, current_step, "
            "current_kegiatan, current_since, current_due, steps_done, steps_total, rework_loops, last_seq, "
            f"updated_at FROM runs{where}{limited}) ORDER BY created_at, id"
        )
        return [dict(r) for r in rows]

    def count_runs(self, include_all: bool = False) -> int:
        """How many runs are active (exist, with `include_all`)."""
        where = "" if include_all else " WHERE status = 'active'"
        return int(self.conn.execute(f"SELECT COUNT(*) FROM runs{where}").fetchone()[0])

    def insert_run(self, record: dict[str, Any]) -> None:
        """Add a `runs` row (inside `write()`)."""
        columns = ", ".join(record)
        marks = ", ".join("?" for _ in record)
        self.conn.execute(f"INSERT INTO runs ({columns}) VALUES ({marks})", tuple(record.values()))

    def append_event(self, run_id: str, event: dict[str, Any]) -> int:
        """Append an event row with the next `seq` of the run (inside `write()`); return the seq."""
        last = self.conn.execute("SELECT MAX(seq) FROM events WHERE run_id = ?", (run_id,)).fetchone()[0]
        seq = (last or 0) + 1
        row = {"run_id": run_id, "seq": seq, **event}
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.conn.execute(f"INSERT INTO events ({columns}) VALUES ({marks})", tuple(row.values()))
        return seq

    def update_summary(self, run_id: str, values: dict[str, Any]) -> None:
        """Set the summary columns of a run (inside the `write()` that appended its events)."""
        assignments = ", ".join(f"{name} = ?" for name in values)
        self.conn.execute(f"UPDATE runs SET {assignments} WHERE id = ?", (*values.values(), run_id))

    def attachments_dir(self, run_id: str) -> Path:
        """Where copies of a run's attachments are kept: `attachments/<run>/` beside the store."""
        return self.path.parent / "attachments" / run_id


def open_store(path: Path | str | None = None, *, create: bool = True) -> Store | None:
    """Open the store at `path` (default: `--store` / `SOP_STORE` / `$SOP_HOME/sop.db`).

    With `create=False` a missing store gives None instead of a new empty file, so read-only
    commands never create folders.
    """
    from sop_cli.paths import store_path

    resolved = store_path(path)
    if not create and not resolved.exists():
        return None
    return Store.open(resolved)


def summary_values(state: Any) -> dict[str, Any]:
    """The denormalised `runs` columns for a `RunState` (written with each event)."""
    from sop_cli.run.engine import iso

    current = state.current
    return {
        "status": state.status,
        "current_step": current.step if current else None,
        "current_kegiatan": current.kegiatan if current else None,
        "current_since": iso(current.became_current_at) if current else None,
        "current_due": iso(current.due_at) if current and not current.untimed else None,
        "steps_done": state.steps_done,
        "steps_total": state.steps_total,
        "rework_loops": state.rework_loops,
        "last_seq": state.events[-1].seq if state.events else 0,
        "updated_at": iso(state.events[-1].recorded_at) if state.events else None,
    }


@contextmanager
def _translated(path: Path) -> Iterator[None]:
    """Turn sqlite3 failures into StoreErrors a user can act on."""
    try:
        yield
    except sqlite3.OperationalError as error:
        text = str(error)
        if "locked" in text or "busy" in text:
            raise StoreError(
                f"The store {path} is busy: another sop command kept it locked for over "
                f"{BUSY_TIMEOUT_MS // 1000} s. Nothing was changed; try again."
            ) from None
        raise StoreError(f"The store {path} cannot be used: {text}.") from None
    except sqlite3.IntegrityError:
        raise  # a bug in sop, not a damaged store
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"The store {path} is not a readable sop store ({error}). Nothing was changed.",
            hint="Point --store / SOP_STORE at another file, or move this one away.",
        ) from None
