"""The SQLite run store: one file (stdlib `sqlite3`) holding runs and their event logs.

`$SOP_HOME/sop.db` by default (`SOP_STORE` or a path given by the caller override it);
attachments live beside it in `attachments/<run>/`. It implements `sop_cli.store.interface.Store`
and owns every query and the codec between `Event`s and rows.

Concurrency and crashes:

- WAL journal, `busy_timeout`, and `BEGIN IMMEDIATE` for every write: writers queue instead of
  failing with "database is locked", and a writer re-reads the run *inside* its transaction, so
  the check "is step 3 still current?" and the append are one atomic step.
- A process killed mid-write leaves the last committed state: each command's rows (event plus
  summary) are one transaction. The `events` table is append-only (triggers refuse UPDATE and
  DELETE).
- Schema changes are ordered migrations (`sop_cli.store.migrations`), each frozen once
  released; a store from a newer `sop` is refused untouched. After migrating, summaries that do
  not match their log are rebuilt by today's engine (not by a migration: see `_rebuild_summaries`).

Times are stored as ISO 8601 in UTC (`2026-11-26T02:00:00+00:00`), so text order is time order.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sop_cli.errors import StoreError
from sop_cli.i18n import _
from sop_cli.store.interface import (
    Event,
    KeptFile,
    RunExport,
    RunSummary,
    StoredRun,
    StoreInfo,
    Summarize,
    Unit,
    attachment_refusal,
    damaged,
    newer_store,
)
from sop_cli.store.sql import SqlStore, event_columns, event_from_columns

BUSY_TIMEOUT_MS = 30_000
"""How long a command waits for another one's write before giving up (SQLite busy timeout)."""

_OURS = {"pinned", "runs", "events", "_sop_migrations", "cases", "case_subjects", "run_times", "step_times"}

# The codec: values <-> columns -----------------------------------------------------------------


def iso(moment: datetime) -> str:
    """A moment as stored: ISO 8601 in UTC, whole seconds (`2026-11-26T02:00:00+00:00`)."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def parse_iso(text: str) -> datetime:
    """A stored moment back as an aware datetime (UTC)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def event_from_row(row: sqlite3.Row, location: str = "") -> Event:
    """An `Event` from its row; a damaged row is a StoreError naming the run and event
    (`sql.event_from_columns`)."""
    return event_from_columns(location, row["run_id"], row["seq"], row["kind"], row["at"], row["recorded_at"],
                              row["actor"], row["os_user"], row["step"], row["data"], read_moment=parse_iso)


class SqliteStore(SqlStore):
    """An open SQLite store (implements `sop_cli.store.interface.Store`)."""

    _mark = "?"

    def __init__(self, path: Path, conn: sqlite3.Connection, summarize: Summarize | None = None) -> None:
        self.path = path
        self.location = str(path)
        self._conn = conn
        self._summarize = summarize

    # Opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, migrate: bool = True, readonly: bool = False,
             summarize: Summarize | None = None) -> SqliteStore:
        """Open (creating it and its folder if needed) and migrate the store at `path` (with
        `migrate=False` an older schema is left as it is, for looking only). `summarize` replays a
        run for the summaries a migration leaves stale (every opening that may migrate passes it).

        With `readonly` (reading commands), a store whose file or folder this user cannot write is
        opened read-only, so `sop status` on a shared, read-only store reads it instead of failing
        on a write it never meant to make.

        Raises:
            StoreError: Not an SQLite file, not an sop store, written by a newer sop, or unusable.
        """
        from sop_cli.store.migrations import SCHEMA_VERSION

        try:
            kind = stat.S_IFMT(path.stat().st_mode)
        except OSError:
            kind = stat.S_IFREG  # missing (created below) or unreadable (sqlite says why)
        if kind != stat.S_IFREG:
            what = (_("The store {store} is a folder, not a store file. Nothing was changed.") if kind == stat.S_IFDIR
                    else _("The store {store} is a FIFO, device or socket, not a store file. Nothing was changed."))
            raise StoreError(what.format(store=path), suggest="store_unreadable")
        read_only = readonly and path.exists() and not _writable(path)
        try:
            if read_only:
                conn = sqlite3.connect(_read_only_uri(path), uri=True, isolation_level=None,
                                       timeout=BUSY_TIMEOUT_MS / 1000)
            else:
                from sop_cli.fs import private_file

                private_file(path)  # owner-only, and so its -wal and -shm files
                conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(_("Cannot open the store {store}: {error}.").format(store=path, error=error)) from None
        conn.row_factory = sqlite3.Row
        store = cls(path, conn, summarize)
        try:
            with _translated(path):
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise newer_store(str(path), version, SCHEMA_VERSION, suggest="store_newer")
                if read_only:
                    if version < SCHEMA_VERSION and migrate:
                        raise StoreError(
                            _("The store {store} is read-only for you and was written by an older version of sop; "
                              "it needs a one-time upgrade, which writes. It was not changed.").format(store=path),
                            hint=_("Run any sop command on it once as a user who can write it."),
                        )
                    return store
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA foreign_keys = ON")
                if version < SCHEMA_VERSION and migrate:
                    store._migrate()
        except BaseException:
            conn.close()
            raise
        return store

    def _migrate(self) -> None:
        from sop_cli.store.migrations import SCHEMA_VERSION, apply

        with self.write():
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                return  # another process migrated while we waited for the lock
            if version == 0:
                tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if tables - _OURS:
                    raise StoreError(
                        _("{path} is an SQLite file but not an sop store (it has tables {tables}); it was not changed.").format(
                            path=self.path, tables=", ".join(sorted(tables - _OURS)))
                    )
            apply(self._conn, version)
            self._rebuild_summaries()

    def _rebuild_summaries(self) -> None:
        """Recompute the summary of every run whose `last_seq` is not its log's last seq.

        Migrations are frozen code and must not call today's engine; a migration that adds or
        changes summary columns leaves them stale (`last_seq` 0), and this step, which is current
        code, brings them in line in the same transaction, with the replay the store was opened
        with (`summarize`; the store does not know the engine).
        """
        if self._summarize is None:
            return
        stale = [r[0] for r in self._conn.execute(
            "SELECT id FROM runs WHERE last_seq IS NOT "
            "(SELECT MAX(seq) FROM events WHERE events.run_id = runs.id) "
            "OR last_seq IS NOT (SELECT last_seq FROM run_times WHERE run_times.run_id = runs.id)"
        )]
        for stored, summary in self._replay_each(stale, self._summarize):
            self._set_summary(stored.id, summary)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    # Transactions --------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[SqliteStore]:
        """A read transaction: every query inside sees the same snapshot."""
        with _translated(self.path):
            self._conn.execute("BEGIN")
            try:
                yield self
            finally:
                self._conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[SqliteStore]:
        """A write transaction (`BEGIN IMMEDIATE`): committed on success, rolled back on error."""
        with _translated(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._check_before_writing()
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _check_before_writing(self) -> None:
        """Refuse to write into a store whose pages fail SQLite's `quick_check`.

        Writing into a damaged file can spread the damage to pages that are still good; reading
        commands go on where the pages they need can be read. The check reads the whole file, about
        1 ms per MB, once per command that writes.
        """
        found = [line.strip() for r in self._conn.execute("PRAGMA quick_check(3)") for line in str(r[0]).splitlines()
                 if line.strip() and not line.startswith("***")]  # "*** in database main ***" heads the list
        if found != ["ok"]:
            raise StoreError(
                _("The store {store} is damaged: SQLite's quick_check found {found}. It is refused for writing so "
                  "the damage does not spread; nothing was changed.").format(store=self.path, found="; ".join(found)),
                hint=_("Reading commands still work where they can. Restore the store from a backup, "
                       "or ask whoever manages it."),
            )

    # Runs ----------------------------------------------------------------------------------

    def latest_run_id(self) -> str | None:
        """The run updated last."""
        row = self._conn.execute("SELECT id FROM runs ORDER BY updated_at DESC, created_at DESC LIMIT 1").fetchone()
        return str(row[0]) if row else None

    def new_run_id(self, base: str) -> str:
        """`base` when free, else the first free `base-2`, `base-3`, ..."""
        rows = self._conn.execute("SELECT id FROM runs WHERE id = ? OR id LIKE ?", (base, base + "-%"))
        taken = {r[0] for r in rows}
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    def pin(self, kind: str, body: str) -> str:
        """Keep `body` (JSON text) content-addressed; return its SHA-256 (inside `write()`)."""
        import hashlib  # here: OpenSSL costs ~2.5 ms, and `sop runs` never hashes

        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        self._conn.execute(
            "INSERT OR IGNORE INTO pinned (sha256, kind, body) VALUES (?, ?, ?)", (digest, kind, body)
        )
        return digest

    # What the shared queries (`sql.SqlStore`) run on ----------------------------------------

    def _query(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    def _many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self._conn.executemany(sql, rows)

    def _moment(self, moment: datetime) -> str:
        return iso(moment)

    def _read_moment(self, value: str) -> datetime:
        return parse_iso(value)

    def _append(self, run_id: str, event: Event) -> Event:
        self._insert("events", {"run_id": run_id, **event_columns(event, iso)})
        return event

    def load_run(self, run_id: str) -> StoredRun | None:
        """The pinned definition and calendar texts and the log of a run, or None."""
        found = self.load_runs([run_id])
        return found[0] if found else None

    def load_runs(self, run_ids: Sequence[str]) -> list[StoredRun]:
        """The pinned texts and logs of many runs (and a case's number and whom it is for), in
        `run_ids` order (missing ones left out)."""
        found: list[StoredRun] = []
        for start in range(0, len(run_ids), 500):  # SQLite's limit on bound parameters
            chunk = list(run_ids[start:start + 500])
            marks = self._marks(len(chunk))
            heads = {r["id"]: r for r in self._conn.execute(
                "SELECT runs.id AS id, d.body AS definition, c.body AS calendar, "
                "(SELECT number FROM cases WHERE cases.run_id = runs.id) AS number, "
                "(SELECT untuk FROM case_subjects WHERE case_subjects.run_id = runs.id) AS untuk FROM runs "
                "LEFT JOIN pinned AS d ON d.sha256 = runs.definition_sha256 "
                f"LEFT JOIN pinned AS c ON c.sha256 = runs.calendar_sha256 WHERE runs.id IN ({marks})", chunk)}
            events: dict[str, list[Event]] = {}
            for row in self._conn.execute(f"SELECT * FROM events WHERE run_id IN ({marks}) ORDER BY run_id, seq", chunk):
                events.setdefault(row["run_id"], []).append(event_from_row(row, self.location))
            for run_id in chunk:
                head = heads.get(run_id)
                if head is None:
                    continue
                if not head["definition"] or not head["calendar"]:
                    raise damaged(self.location, run_id, _("its pinned SOP definition or calendar is missing"))
                found.append(StoredRun(run_id, head["definition"], head["calendar"], events.get(run_id, []),
                                       head["untuk"], head["number"]))
        return found

    def keep_attachment(self, run_id: str, source: Path, *, max_bytes: int | None = None) -> KeptFile:
        """Copy `source` into `attachments/<run>/` beside the store, named by its SHA-256.

        The copy is synced and renamed into place (`sop_cli.fs.copy_atomically`), so a killed
        process leaves either no copy or a whole one; it is owner-only unless the source lets
        others read it (`sop_cli.fs.copy_mode`). A link is followed and the file it points to must
        be a regular file of at most `max_bytes`. Folder and file names longer than a file system
        takes are shortened with a hash (`attachment_name`).

        Raises:
            UsageError: The file is not a regular file, is too large, or cannot be read or copied
                (option "attach").
        """
        from sop_cli.fs import copy_atomically

        folder = self.path.parent / "attachments" / attachment_name(run_id)
        kept = attachment_name(source.name)
        try:
            final, sha, size = copy_atomically(source, folder, lambda sha: f"{sha[:12]}-{kept}", max_bytes=max_bytes)
        except OSError as error:
            raise attachment_refusal(source, error) from None
        return {"name": source.name, "sha256": sha, "size": size, "path": final.relative_to(self.path.parent).as_posix()}

    # Whole runs and the store itself (`sop store copy`, `sop store status`) -------------------

    def export_run(self, run_id: str) -> RunExport | None:
        """The whole run, with the bytes of the attachments kept beside the store.

        Raises:
            StoreError: An attachment its log names is missing or unreadable.
        """
        run, stored = self._identity(run_id), self.load_run(run_id)
        if run is None or stored is None:
            return None
        files: dict[str, bytes] = {}
        for event in stored.events:
            for item in event.data.get("attachments") or ():
                if "sha256" not in item or item["sha256"] in files:
                    continue
                # read_attachment refuses a recorded path outside the run's folder: a crafted log
                # must not carry another file of this machine into a shared store.
                files[item["sha256"]] = self.read_attachment(run_id, item)
        return RunExport(run, stored.definition, stored.calendar, stored.events, files)

    def import_run(self, run: RunExport, summary: RunSummary) -> None:
        """Add a run from another store as it was (inside `write()`); attachments are written to
        the paths its events record. The database user of each event is not kept (SQLite has
        none)."""
        import hashlib

        from sop_cli.fs import write_atomically

        self.pin("definition", run.definition)
        self.pin("calendar", run.calendar)
        r = run.run
        self._insert("runs", self._run_record(r, summary))
        for event in run.events:
            self._append(r.id, event)
        self._set_times(r.id, summary)
        for event in run.events:
            for item in event.data.get("attachments") or ():
                body = run.attachments.get(item.get("sha256", ""))
                if body is None:
                    continue
                # The export is data from another store: its bytes must be what the log says they are.
                target = self._kept_path(r.id, item.get("path"))
                if target is None or hashlib.sha256(body).hexdigest() != item.get("sha256"):
                    raise StoreError(
                        _("Run {run} cannot be copied: its attachment {name!r} is recorded at {path!r}, not in the "
                          "run's attachment folder, or its bytes do not match its SHA-256. Nothing was copied.").format(
                            run=r.id, name=item.get("name"), path=item.get("path"))
                    )
                if not target.exists():
                    write_atomically(target, body, sync=True)

    def units(self) -> list[Unit]:
        """None: an SQLite file belongs to one unit."""
        return []

    def info(self) -> StoreInfo:
        """Kind, schema version and counts."""
        from sop_cli.store.migrations import SCHEMA_VERSION

        version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        runs = int(self._conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]) if "runs" in tables else 0
        events = int(self._conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]) if "events" in tables else 0
        return StoreInfo("sqlite", self.location, version, SCHEMA_VERSION, runs, events, None, [], [])

    def _kept_path(self, run_id: str, recorded: object) -> Path | None:
        """The file a log's recorded attachment path names, or None unless it lies in the run's
        attachment folder: a damaged, hand-edited or copied log must not name another file."""
        path = (self.path.parent / str(recorded)).resolve() if recorded else None
        folder = (self.path.parent / "attachments" / attachment_name(run_id)).resolve()  # as keep_attachment names it
        return path if path is not None and path.parent == folder else None

    def read_attachment(self, run_id: str, item: KeptFile) -> bytes:
        """The bytes of the file `keep_attachment` put in `attachments/<run>/` beside the store.

        Raises:
            StoreError: No such file there (a recorded path outside that folder counts as none).
        """
        recorded = item.get("path")
        path = self._kept_path(run_id, recorded)
        if path is None:
            raise StoreError(_("The store has no file for attachment {name!r} of run {run!r} (recorded path {path!r} "
                               "is not in {folder}).").format(name=item.get("name"), run=run_id, path=recorded,
                                                               folder=(self.path.parent / "attachments" / run_id).resolve()))
        try:
            return path.read_bytes()
        except OSError as error:
            raise StoreError(_("The attachment {name!r} of run {run!r} cannot be read from {path} ({reason}).").format(
                name=item.get("name"), run=run_id, path=path, reason=error.strerror or error)) from None

_SAFE_NAME = re.compile(r"\w[\w.,()+ -]*")
_NAME_BYTES = 120
"""Folder and file names of attachments stay well under the 255 bytes file systems allow."""


def attachment_name(name: str) -> str:
    """`name` as a folder or file name beside the store: itself when short and plain, else a
    shortened, hashed form (`<first part>-<sha256 16>[.ext]`), so a 300-character run id or file
    name never meets "File name too long" and no name can be a path (`..`, `/`)."""
    if _SAFE_NAME.fullmatch(name) and len(name.encode("utf-8")) <= _NAME_BYTES:
        return name
    import hashlib

    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    stem, dot, extension = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,10}", extension):
        stem, extension = name, ""
    head = re.sub(r"[^A-Za-z0-9._-]+", "_", stem)[:60].lstrip("._-") or "file"
    return f"{head}-{digest}" + (f".{extension}" if extension else "")


def _writable(path: Path) -> bool:
    """Whether this user can write the store file and create its journal files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _read_only_uri(path: Path) -> str:
    """The URI that opens `path` for reading only.

    A WAL store needs its `-shm` file; in a folder nobody can write, no other process can write
    the store either (it could not create its journal), so it is opened as immutable.
    """
    from urllib.parse import quote

    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    if not os.access(path.parent, os.W_OK) and not wal.exists():
        uri += "&immutable=1"
    return uri


@contextmanager
def _translated(path: Path) -> Iterator[None]:
    """Turn sqlite3 failures into StoreErrors a user can act on."""
    try:
        yield
    except sqlite3.OperationalError as error:
        text = str(error)
        if "readonly" in text or "read-only" in text:
            raise StoreError(
                _("The store {store} is read-only for you (the file or its folder cannot be written): {error}. "
                  "Nothing was changed.").format(store=path, error=text),
                hint=_("Ask whoever manages the store for write access, or use another store."),
            ) from None
        if "locked" in text or "busy" in text:
            raise StoreError(
                _("The store {store} is busy: another sop command kept it locked for over {seconds} s. "
                  "Nothing was changed; try again.").format(store=path, seconds=BUSY_TIMEOUT_MS // 1000)
            ) from None
        raise StoreError(_("The store {store} cannot be used: {error}.").format(store=path, error=text)) from None
    except sqlite3.IntegrityError:
        raise  # a bug in sop, not a damaged store
    except sqlite3.DatabaseError as error:
        raise StoreError(
            _("The store {store} is not a readable sop store ({error}). Nothing was changed.").format(
                store=path, error=error),
            hint=_("Move this file away, or use another store."), suggest="store_unreadable",
        ) from None
