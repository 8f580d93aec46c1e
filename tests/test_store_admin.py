"""`sop store init | migrate | status | grant | copy`, run as users run them (no SOP_DEBUG), on an
SQLite file and on a real PostgreSQL server (SOP_TEST_POSTGRES, one schema per test)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.postgres import fresh_schema, server_url

NGANJUK = "nganjuk/kecamatan-ngronggot/renja"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    monkeypatch.setenv("SOP_USER", "planner")
    monkeypatch.delenv("SOP_DEBUG")


@pytest.fixture
def pg_url():
    with fresh_schema(server_url()) as url:
        yield url


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def a_history(sop, store: str, tmp_path: Path) -> None:
    """Two runs: one with a rejection (and rework), a note with an attachment and an undo; one cancelled."""
    letter = tmp_path / "surat.pdf"
    letter.write_bytes(b"%PDF-1.4 surat undangan\x00\x01")
    ok(sop("start", NGANJUK, "--store", store, "--year", "2026", "--assign", "camat=Drs. Budi", "--at", "2026-11-02 08:00"))
    for step in range(1, 9):
        ok(sop("advance", "--store", store, "--step", str(step), "--at", f"2026-11-{2 + step:02d} 10:00"))
    ok(sop("advance", "--store", store, "--reject", "--reason", "kurang data", "--at", "2026-11-12 10:00"))
    ok(sop("note", "rapat ditunda", "--attach", str(letter), "--store", store))
    ok(sop("undo", "--reason", "salah langkah", "--store", store))
    ok(sop("start", NGANJUK, "--store", store, "--year", "2027"))
    ok(sop("cancel", "--run", "renja-2027", "--reason", "uji", "--store", store))


def test_status_of_a_missing_sqlite_store_says_so_and_creates_nothing(sop, clock, tmp_path):
    missing = tmp_path / "nowhere" / "sop.db"
    result = sop("store", "status", "--store", str(missing))
    assert result.exit_code == 1
    assert f"There is no store {missing}" in result.stderr
    assert "Create it with `sop store init`, or name another one." in result.stderr
    assert not missing.parent.exists()


def test_init_then_status_then_migrate_on_sqlite(sop, clock, tmp_path):
    path = str(tmp_path / "unit.db")
    assert "is ready (schema version" in ok(sop("store", "init", "--store", path)).stdout
    info = json.loads(ok(sop("store", "status", "--store", path, "--json")).stdout)
    assert info["kind"] == "sqlite" and info["schema_version"] == info["known_version"] and info["runs"] == 0
    assert "is up to date" in ok(sop("store", "migrate", "--store", path)).stdout


def test_migrate_brings_an_old_sqlite_store_up_and_says_from_what(sop, clock, tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    from sop_cli.store.migrations import MIGRATIONS

    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    status = json.loads(ok(sop("store", "status", "--store", str(path), "--json")).stdout)
    assert status["schema_version"] == 1  # status only looks
    result = ok(sop("store", "migrate", "--store", str(path)))
    assert "migrated from schema version 1 to" in result.stdout


def test_grant_on_an_sqlite_store_is_refused_clearly(sop, clock, tmp_path):
    result = sop("store", "grant", "--unit", "ngronggot", "--user", "camat", "--store", str(tmp_path / "x.db"))
    assert result.exit_code in (1, 2)
    assert "SQLite file" in result.stderr and "Traceback" not in result.stderr


def test_grant_needs_exactly_one_of_unit_and_bappeda(sop, clock, tmp_path):
    store = str(tmp_path / "x.db")
    assert sop("store", "grant", "--store", store).exit_code == 2
    assert sop("store", "grant", "--unit", "ngronggot", "--bappeda", "--store", store).exit_code == 2


@pytest.mark.postgres
def test_init_and_status_on_postgresql(sop, clock, pg_url):
    before = json.loads(ok(sop("store", "status", "--store", pg_url, "--json")).stdout)
    assert before["schema_version"] == 0 and before["kind"] == "postgresql"
    ok(sop("store", "init", "--store", pg_url))
    after = json.loads(ok(sop("store", "status", "--store", pg_url, "--json")).stdout)
    assert after["schema_version"] == after["known_version"] > 0
    assert after["db_user"]


@pytest.mark.postgres
def test_copy_sqlite_to_postgresql_and_back_keeps_every_line(sop, clock, pg_url, tmp_path):
    unit = str(tmp_path / "unit" / "sop.db")
    a_history(sop, unit, tmp_path)
    copied = json.loads(ok(sop("store", "copy", unit, pg_url, "--json")).stdout)
    assert [(r["run"], r["skipped"]) for r in copied["runs"]] == [("renja-2026", False), ("renja-2027", False)]
    back_path = tmp_path / "back" / "sop.db"
    back = json.loads(ok(sop("store", "copy", pg_url, str(back_path), "--json")).stdout)
    assert [r["sha256"] for r in back["runs"]] == [r["sha256"] for r in copied["runs"]]

    # The three stores tell the same story, event for event (the shared one adds who logged in).
    for run in ("renja-2026", "renja-2027"):
        logs = [json.loads(ok(sop("log", "--run", run, "--json", "--store", s)).stdout) for s in (unit, pg_url, str(back_path))]
        for event in logs[1]:
            event.pop("db_user", None)
        assert logs[0] == logs[1] == logs[2]
        status = [json.loads(ok(sop("status", "--run", run, "--json", "--store", s)).stdout) for s in (unit, pg_url)]
        assert status[0]["current"] == status[1]["current"] and status[0]["progress"] == status[1]["progress"]
    # The attachment came along, byte for byte, to where its event says it is.
    log = json.loads(ok(sop("log", "--run", "renja-2026", "--json", "--store", str(back_path))).stdout)
    note = next(e for e in log if e.get("attachments"))
    item = note["attachments"][0]
    assert (back_path.parent / item["path"]).read_bytes() == b"%PDF-1.4 surat undangan\x00\x01"


@pytest.mark.postgres
def test_copy_again_skips_identical_runs_and_refuses_a_different_one(sop, clock, pg_url, tmp_path):
    unit = str(tmp_path / "unit.db")
    a_history(sop, unit, tmp_path)
    ok(sop("store", "copy", unit, pg_url))
    again = ok(sop("store", "copy", unit, pg_url)).stdout
    assert "Nothing to copy" in again
    # The unit goes on alone: its renja-2026 now differs from the copy.
    ok(sop("note", "lanjut", "--run", "renja-2026", "--store", unit))
    ok(sop("start", NGANJUK, "--store", unit, "--year", "2028"))
    result = sop("store", "copy", unit, pg_url)
    assert result.exit_code == 3
    assert "renja-2026" in result.stderr and "nothing was copied" in result.stderr
    runs = json.loads(ok(sop("runs", "--all", "--json", "--store", pg_url)).stdout)
    assert {r["run"] for r in runs} == {"renja-2026", "renja-2027"}  # renja-2028 was not copied either
    assert "renja-2028" in ok(sop("store", "copy", unit, pg_url, "--run", "renja-2028")).stdout


def test_copy_into_itself_is_refused(sop, clock, tmp_path):
    path = str(tmp_path / "a.db")
    ok(sop("start", NGANJUK, "--store", path))
    result = sop("store", "copy", path, path)
    assert result.exit_code == 2 and "both the source and the target" in result.stderr


def test_copy_never_writes_an_attachment_outside_the_runs_folder(sop, clock, tmp_path):
    # A crafted source store (its append-only trigger dropped by hand) records an attachment at a
    # path that climbs out of the attachment folder: the copy is refused and nothing is written.
    source, target = tmp_path / "a" / "sop.db", tmp_path / "b" / "sop.db"
    letter = tmp_path / "surat.pdf"
    letter.write_bytes(b"%PDF-1.4 surat")
    ok(sop("start", NGANJUK, "--store", str(source)))
    ok(sop("note", "surat", "--attach", str(letter), "--store", str(source)))
    with sqlite3.connect(source) as conn:
        conn.execute("DROP TRIGGER events_no_update")
        (data,) = conn.execute("SELECT data FROM events WHERE data LIKE ?", ('%"attachments"%',)).fetchone()
        crafted = json.loads(data)
        crafted["attachments"][0]["path"] = "../../evil.pdf"
        conn.execute("UPDATE events SET data = ? WHERE data = ?", (json.dumps(crafted), data))
    result = sop("store", "copy", str(source), str(target))
    assert result.exit_code == 4, result.output
    assert "is not in" in result.stderr and "evil.pdf" in result.stderr
    assert not (tmp_path / "evil.pdf").exists()
    assert not list(tmp_path.rglob("evil.pdf"))
