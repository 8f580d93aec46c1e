"""Ordered, recorded schema migrations of the run store.

Each migration is a named function applied once, in order; all a store lacks are applied in one
`BEGIN IMMEDIATE` transaction (`SqliteStore._migrate`), which records each in `_sop_migrations`
and sets `PRAGMA user_version` to the number applied, so opening an up-to-date store costs one
pragma read. A store whose `user_version` is higher than `len(MIGRATIONS)` was written by a newer
`sop` and is refused untouched. Never edit a released migration: append a new one. A migration
imports neither the engine nor anything else that changes (the store never imports the engine).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone

Migration = Callable[[sqlite3.Connection], None]


def m001_create_runs_and_events(conn: sqlite3.Connection) -> None:
    """Runs, their append-only event logs, and the pinned documents runs refer to.

    `pinned` holds content-addressed JSON (the validated SOP definition a run started from, and
    the days off of its calendar), shared by every run that pinned the same content.
    """
    for statement in (
        """CREATE TABLE pinned (
            sha256 TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            body TEXT NOT NULL
        )""",
        """CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            sop_id TEXT NOT NULL,
            year INTEGER NOT NULL,
            title TEXT NOT NULL,
            zone TEXT NOT NULL,
            definition_sha256 TEXT NOT NULL REFERENCES pinned(sha256),
            calendar_sha256 TEXT NOT NULL REFERENCES pinned(sha256),
            source_path TEXT,
            source_sha256 TEXT,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE events (
            run_id TEXT NOT NULL REFERENCES runs(id),
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            actor TEXT NOT NULL,
            os_user TEXT NOT NULL,
            step INTEGER,
            data TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID""",
        """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END""",
        """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END""",
    ):
        conn.execute(statement)  # not executescript(): it would commit the migration's transaction


SUMMARY_COLUMNS = (
    ("status", "TEXT NOT NULL DEFAULT 'active'"),
    ("current_step", "INTEGER"),
    ("current_kegiatan", "TEXT"),
    ("current_since", "TEXT"),
    ("current_due", "TEXT"),
    ("steps_done", "INTEGER NOT NULL DEFAULT 0"),
    ("steps_total", "INTEGER NOT NULL DEFAULT 0"),
    ("rework_loops", "INTEGER NOT NULL DEFAULT 0"),
    ("last_seq", "INTEGER NOT NULL DEFAULT 0"),
    ("updated_at", "TEXT"),
)


def m002_add_run_summary(conn: sqlite3.Connection) -> None:
    """A per-run summary kept in step with the log, so listing runs never replays them.

    The columns start empty (`last_seq` 0); the store fills them right after migrating, in the
    same transaction, with the replay the run layer opened it with (`summarize`:
    `SqliteStore._rebuild_summaries`), so this migration stays frozen code.
    """
    for name, declaration in SUMMARY_COLUMNS:
        conn.execute(f"ALTER TABLE runs ADD COLUMN {name} {declaration}")
    conn.execute("CREATE INDEX runs_by_status ON runs(status, created_at)")
    conn.execute("CREATE INDEX runs_by_due ON runs(status, current_due)")


def m003_index_recent_runs(conn: sqlite3.Connection) -> None:
    """Indexes for "the most recently updated run" and "the newest runs", which a store of
    thousands of runs would otherwise answer by scanning them all."""
    conn.execute("CREATE INDEX runs_by_updated ON runs(updated_at, created_at)")
    conn.execute("CREATE INDEX runs_by_created ON runs(created_at)")


def m004_add_cases_and_times(conn: sqlite3.Connection) -> None:
    """Cases of service SOPs and the times period reports aggregate.

    `cases`: a service SOP's case number within the SOP and the year it was received (unique, so
    two counters can never hand out one number). `case_subjects`: whom a case is for, personal
    data kept apart from the append-only log so it can be erased after its retention period
    (`sop cases purge`). `run_times` (one row per run) and `step_times` (one per completed pass
    through a step) are kept by every write; this migration leaves them empty and the store fills
    them right after migrating with today's engine, as it does the summaries.
    """
    for statement in (
        """CREATE TABLE cases (
            run_id TEXT PRIMARY KEY REFERENCES runs(id),
            sop_id TEXT NOT NULL,
            year INTEGER NOT NULL,
            number INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            UNIQUE (sop_id, year, number)
        )""",
        """CREATE TABLE case_subjects (
            run_id TEXT PRIMARY KEY REFERENCES runs(id),
            untuk TEXT,
            untuk_key TEXT,
            erased_at TEXT
        )""",
        "CREATE INDEX case_subjects_by_key ON case_subjects(untuk_key)",
        """CREATE TABLE run_times (
            run_id TEXT PRIMARY KEY REFERENCES runs(id),
            sop_id TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            outcome TEXT,
            office_minutes INTEGER NOT NULL,
            external_minutes INTEGER NOT NULL,
            promised_minutes INTEGER NOT NULL,
            within INTEGER,
            holder TEXT,
            last_seq INTEGER NOT NULL
        )""",
        "CREATE INDEX run_times_by_start ON run_times(sop_id, started_at)",
        "CREATE INDEX run_times_by_end ON run_times(sop_id, ended_at)",
        """CREATE TABLE step_times (
            run_id TEXT NOT NULL REFERENCES runs(id),
            seq INTEGER NOT NULL,
            sop_id TEXT NOT NULL,
            step INTEGER NOT NULL,
            lane TEXT NOT NULL,
            external INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            minutes INTEGER NOT NULL,
            standard_minutes INTEGER NOT NULL,
            late INTEGER NOT NULL,
            PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID""",
        "CREATE INDEX step_times_by_sop ON step_times(sop_id, step, minutes, late)",
        "CREATE INDEX runs_by_year ON runs(year, created_at)",  # a cycle's runs (the portfolio)
    ):
        conn.execute(statement)


MIGRATIONS: list[Migration] = [m001_create_runs_and_events, m002_add_run_summary, m003_index_recent_runs,
                               m004_add_cases_and_times]
"""Every migration, in the order applied. The schema version is the length of this list."""

SCHEMA_VERSION = len(MIGRATIONS)


def apply(conn: sqlite3.Connection, start: int) -> None:
    """Apply the migrations after the first `start` ones (caller holds the write transaction)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _sop_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    for version, migration in enumerate(MIGRATIONS[start:], start=start + 1):
        migration(conn)
        conn.execute(
            "INSERT INTO _sop_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            (version, migration.__name__, datetime.now(timezone.utc).isoformat(timespec="seconds")),
        )
        conn.execute(f"PRAGMA user_version = {int(version)}")

