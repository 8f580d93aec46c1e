"""The SQLite store: schema, migrations from older stores, refusal of newer or foreign files."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from sop_cli.definition.loader import load_definition
from sop_cli.errors import StoreError
from sop_cli.store.migrations import SCHEMA_VERSION
from sop_cli.store.sqlite import SqliteStore
from tests.conftest import REPO

NGANJUK = REPO / "sops/nganjuk/kecamatan-ngronggot/renja.yaml"

V1_SCHEMA = """
CREATE TABLE pinned (sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE runs (
    id TEXT PRIMARY KEY, sop_id TEXT NOT NULL, year INTEGER NOT NULL, title TEXT NOT NULL,
    zone TEXT NOT NULL, definition_sha256 TEXT NOT NULL REFERENCES pinned(sha256),
    calendar_sha256 TEXT NOT NULL REFERENCES pinned(sha256), source_path TEXT, source_sha256 TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE events (
    run_id TEXT NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL, kind TEXT NOT NULL,
    at TEXT NOT NULL, recorded_at TEXT NOT NULL, actor TEXT NOT NULL, os_user TEXT NOT NULL,
    step INTEGER, data TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE _sop_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
INSERT INTO _sop_migrations VALUES (1, 'm001_create_runs_and_events', '2026-01-01T00:00:00+00:00');
PRAGMA user_version = 1;
"""


def test_a_new_store_has_the_whole_schema_and_records_its_migrations(tmp_path):
    with SqliteStore.open(tmp_path / "new" / "sop.db"):
        conn = sqlite3.connect(tmp_path / "new" / "sop.db")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {"pinned", "runs", "events", "_sop_migrations", "cases", "case_subjects", "run_times",
                          "step_times"}
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        assert [r[0] for r in conn.execute("SELECT name FROM _sop_migrations ORDER BY version")] == [
            "m001_create_runs_and_events", "m002_add_run_summary", "m003_index_recent_runs",
            "m004_add_cases_and_times"]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"runs_by_status", "runs_by_due", "runs_by_updated", "runs_by_created"} <= indexes


def _v1_store(path: Path) -> None:
    definition = json.dumps(load_definition(NGANJUK).model_dump(mode="json"), sort_keys=True)
    calendar = json.dumps({"zone": "WIB", "years": [2026], "days_off": {"2026-12-25": "Hari Raya Natal"}})
    d_sha = hashlib.sha256(definition.encode()).hexdigest()
    c_sha = hashlib.sha256(calendar.encode()).hexdigest()
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.execute("INSERT INTO pinned VALUES (?, 'definition', ?)", (d_sha, definition))
    conn.execute("INSERT INTO pinned VALUES (?, 'calendar', ?)", (c_sha, calendar))
    conn.execute(
        "INSERT INTO runs VALUES ('renja-2026', 'nganjuk/kecamatan-ngronggot/renja', 2026, 'Renja lama', 'WIB', ?, ?, NULL, NULL, '2026-11-26T02:00:00+00:00')",
        (d_sha, c_sha),
    )
    started = json.dumps({"run": "renja-2026", "year": 2026, "title": "Renja lama", "assignments": {}})
    conn.execute(
        "INSERT INTO events VALUES ('renja-2026', 1, 'started', '2026-11-26T02:00:00+00:00', '2026-11-26T02:00:00+00:00', 'ani', 'ani', NULL, ?)",
        (started,),
    )
    conn.execute(
        "INSERT INTO events VALUES ('renja-2026', 2, 'step_completed', '2026-11-26T02:05:00+00:00', '2026-11-26T02:05:00+00:00', 'ani', 'ani', 1, '{}')"
    )
    conn.commit()
    conn.close()


def test_a_store_of_schema_1_is_migrated_and_its_runs_summarised(tmp_path, sop, monkeypatch):
    path = tmp_path / "old.db"
    _v1_store(path)
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:30")

    result = sop("runs", "--json", "--store", path)

    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["run"], row["current_step"], row["progress"], row["current_due"]) == (
        "renja-2026", 2, {"done": 1, "total": 14}, "2026-11-26T10:05:00+07:00")
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [r[0] for r in conn.execute("SELECT version FROM _sop_migrations ORDER BY version")] == [1, 2, 3, 4]
    # the migrated run goes on as any other
    assert sop("advance", "--step", "2", "--store", path).exit_code == 0
    assert json.loads(sop("status", "--json", "--store", path).stdout)["current"]["step"] == 3


def test_a_store_from_a_newer_sop_is_refused_and_left_untouched(tmp_path, sop):
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE runs (id TEXT)")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = path.read_bytes()

    result = sop("runs", "--store", path)

    assert result.exit_code == 4
    assert result.stderr.startswith(f"Error: The store {path} was written by a newer version of sop (schema version 99; this sop knows up to {SCHEMA_VERSION}). It was not changed.\nUpgrade sop")
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_a_file_that_is_not_a_store_is_refused(tmp_path, sop):
    garbage = tmp_path / "notes.db"
    garbage.write_text("this is not a database" * 100)
    result = sop("status", "--store", garbage)
    assert result.exit_code == 4 and "is not a readable sop store" in result.stderr

    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="an SQLite file but not an sop store .*customers"):
        SqliteStore.open(foreign)
    assert sqlite3.connect(foreign).execute("PRAGMA user_version").fetchone()[0] == 0


def test_the_event_log_is_append_only(isolated_home, sop, monkeypatch):
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    assert sop("start", "renja", "--org", "ngronggot").exit_code == 0
    conn = sqlite3.connect(isolated_home / "sop.db")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM events")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE events SET actor = 'someone else'")
    conn.close()


def test_reading_commands_do_not_create_a_store(isolated_home, sop):
    result = sop("status")
    assert result.exit_code == 1
    assert "No runs yet" in result.stderr and "sop start" in result.stderr
    assert sop("runs").stdout == "No active runs (`sop runs --all` lists finished ones).\n"
    assert not isolated_home.exists()


def test_store_and_sop_store_choose_the_file(tmp_path, sop, monkeypatch):
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    monkeypatch.setenv("SOP_STORE", str(tmp_path / "env.db"))
    assert sop("start", "renja", "--org", "ngronggot").exit_code == 0
    assert sop("start", "renja", "--org", "lampung-tengah/diskominfo", "--store", tmp_path / "option.db").exit_code == 0
    assert [r["sop"] for r in json.loads(sop("runs", "--json").stdout)] == ["nganjuk/kecamatan-ngronggot/renja"]
    assert [r["sop"] for r in json.loads(sop("runs", "--json", "--store", tmp_path / "option.db").stdout)] == [
        "lampung-tengah/diskominfo/renja"]


def test_an_append_after_another_writer_is_refused_and_writes_nothing(isolated_home, sop, monkeypatch):
    from dataclasses import replace

    from sop_cli.errors import ConflictError
    from sop_cli.run import engine

    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    assert sop("start", "renja", "--org", "ngronggot", "--year", "2026").exit_code == 0
    with SqliteStore.open(isolated_home / "sop.db") as store:
        with store.read():
            stored = store.load_run("renja-2026")
        assert stored is not None and [e.seq for e in stored.events] == [1]
        state = engine.state_of(stored)
        note = replace(stored.events[0], kind="note", step=1, data={"note": "late"})
        with pytest.raises(ConflictError, match="changed while this command ran"), store.write():
            store.append_event("renja-2026", note, after_seq=0, summary=engine.summary(state))
        with store.write():
            appended = store.append_event("renja-2026", note, after_seq=1, summary=engine.summary(state))
        with store.read():
            stored = store.load_run("renja-2026")
    assert appended.seq == 2
    assert stored is not None and [(e.seq, e.kind) for e in stored.events] == [(1, "started"), (2, "note")]
    assert stored.events[1].data == {"note": "late"} and stored.events[1].at == stored.events[0].at
