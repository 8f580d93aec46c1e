"""A damaged or read-only store: every damaged row is exit 4 naming the run and the event, a store that
fails SQLite's quick_check is refused for writes, and reading a read-only store does not write."""

from __future__ import annotations

import functools
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.hostile import Ran, as_user, invoke


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")


@pytest.fixture
def store(sop, isolated_home: Path) -> Path:
    assert invoke(sop, "start", "renja", "--org", "ngronggot").code == 0
    assert invoke(sop, "advance", "--note", "catatan").code == 0
    return isolated_home / "sop.db"


def damage(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")  # the damage comes from outside sop
    conn.execute(sql)
    conn.commit()
    conn.close()


EVENT = "Error: The store {db} is damaged: run renja-2027 event {seq}: {problem}. Nothing was changed."
RUN = "Error: The store {db} is damaged: run renja-2027: {problem}"

ROWS = {
    "data that is not JSON": ("UPDATE events SET data = '{not json' WHERE seq = 2", 2,
                              "its data is not JSON (Expecting property name enclosed in double quotes: "
                              "line 1 column 2 (char 1))"),
    "data that is a list": ("UPDATE events SET data = '[1, 2]' WHERE seq = 2", 2, "its data is a JSON list, not an object"),
    "a garbage time": ("UPDATE events SET at = 'kemarin' WHERE seq = 2", 2, "its time 'kemarin' is not a date and time"),
    "an impossible time": ("UPDATE events SET recorded_at = '2026-13-45T00:00:00+00:00' WHERE seq = 1", 1,
                           "its recording time '2026-13-45T00:00:00+00:00' is not a date and time"),
    "a time at the end of time": ("UPDATE events SET at = '9999-12-31T23:59:00-12:00' WHERE seq = 2", 2,
                                  "its time '9999-12-31T23:59:00-12:00' is not a date and time"),
    "a number as time": ("UPDATE events SET at = 12345 WHERE seq = 2", 2, "its time '12345' is not a date and time"),
    "a kind sop does not write": ("UPDATE events SET kind = 'dihapus' WHERE seq = 2", 2,
                                  "its kind 'dihapus' is not one sop writes"),
    "a step that is text": ("UPDATE events SET step = 'x' WHERE seq = 2", 2, "its step 'x' is not a step number"),
    "a year that is text": ("UPDATE events SET data = '{\"year\": \"abc\"}' WHERE seq = 1", 1,
                            "its year 'abc' is not a whole number"),
    "a note that is a number": ("UPDATE events SET data = '{\"note\": 5}' WHERE seq = 2", 2, "its note 5 is not text"),
    "attachments that are not files": ("UPDATE events SET data = '{\"attachments\": [{\"name\": 1}]}' WHERE seq = 2", 2,
                                       "its attachment {'name': 1} is not a kept file (name, sha256, path, size)"),
}


@pytest.mark.parametrize("case", sorted(ROWS))
def test_a_damaged_event_row_is_exit_4_naming_run_and_event(sop, store: Path, case: str) -> None:
    sql, seq, problem = ROWS[case]
    damage(store, sql)
    for command in (["status"], ["advance"]):
        ran = invoke(sop, *command)
        assert ran.code == 4, ran.output
        assert ran.first == EVENT.format(db=store, seq=seq, problem=problem)


@pytest.mark.parametrize("command", [["log"], ["log", "--json"], ["undo", "--reason", "x"], ["cancel", "--reason", "x"],
                                     ["note", "x"], ["report"], ["report", "--format", "md"]])
def test_every_run_command_names_the_damage(sop, store: Path, command: list[str]) -> None:
    damage(store, "UPDATE events SET at = 'kemarin' WHERE seq = 2")
    ran = invoke(sop, *command)
    assert ran.code == 4, ran.output
    assert ran.first == EVENT.format(db=store, seq=2, problem="its time 'kemarin' is not a date and time")


PINNED = {
    "a definition that is a list": ("UPDATE pinned SET body = '[1]' WHERE kind = 'definition'",
                                    "its pinned SOP definition is not a JSON object. Nothing was changed."),
    "a definition that is not JSON": ("UPDATE pinned SET body = '{{' WHERE kind = 'definition'",
                                      "its pinned SOP definition is not JSON. Nothing was changed."),
    "a definition without its fields": (
        "UPDATE pinned SET body = '{\"pinned_format\": 2, \"definition\": {\"id\": \"x\"}}' WHERE kind = 'definition'",
        "its pinned definition, calendar or log cannot be read (KeyError: 'organisasi')"),
    "a calendar that is a string": ("UPDATE pinned SET body = '\"x\"' WHERE kind = 'calendar'",
                                    "its pinned definition, calendar or log cannot be read (AttributeError:"),
    "a calendar in an unknown zone": ("UPDATE pinned SET body = replace(body, '\"WIB\"', '\"XYZ\"') WHERE kind = 'calendar'",
                                      "its pinned definition, calendar or log cannot be read (CalendarError: Unknown time zone 'XYZ'."),
    "a calendar with an impossible day": (
        "UPDATE pinned SET body = replace(body, '2026-12-25', '2026-12-99') WHERE kind = 'calendar'",
        "its pinned definition, calendar or log cannot be read (ValueError:"),
    "a step the definition does not have": ("UPDATE events SET step = 99 WHERE seq = 2",
                                            "event 2 completes step 99, but the current step(s) were 1. Nothing was changed."),
}


@pytest.mark.parametrize("case", sorted(PINNED))
def test_a_damaged_pinned_form_is_exit_4_naming_the_run(sop, store: Path, case: str) -> None:
    sql, problem = PINNED[case]
    damage(store, sql)
    for command in (["status"], ["advance"]):
        ran = invoke(sop, *command)
        assert ran.code == 4, ran.output
        assert ran.first.startswith(RUN.format(db=store, problem=problem)), ran.first


@pytest.mark.parametrize(("sql", "problem"), [
    ("UPDATE runs SET zone = 'Mars/Olympus'", "time zone 'Mars/Olympus' is not WIB, WITA or WIT"),
    ("UPDATE runs SET current_due = 'segera'", "Invalid isoformat string: 'segera'"),
    ("UPDATE runs SET created_at = 'x'", "Invalid isoformat string: 'x'"),
])
def test_a_damaged_summary_is_exit_4_naming_the_run(sop, store: Path, sql: str, problem: str) -> None:
    damage(store, sql)
    ran = invoke(sop, "runs")
    assert ran.code == 4, ran.output
    assert ran.first == RUN.format(db=store, problem=f"its summary cannot be read ({problem}). Nothing was changed.")


def test_other_runs_still_work_when_one_is_damaged(sop, store: Path) -> None:
    assert invoke(sop, "start", "renja", "--org", "ngronggot", "--title", "Kedua", "--again").code == 0
    damage(store, "UPDATE events SET data = '{not json' WHERE run_id = 'renja-2027' AND seq = 2")
    assert invoke(sop, "status", "--run", "renja-2027-2").code == 0
    assert invoke(sop, "advance", "--run", "renja-2027-2").code == 0
    assert invoke(sop, "status", "--run", "renja-2027").code == 4


def _corrupt_an_index_page(db: Path) -> None:
    """Overwrite the header of an index page the run commands do not read: quick_check fails."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'runs_by_due'").fetchone()[0]
    conn.close()
    with db.open("r+b") as handle:
        handle.seek((root - 1) * page_size + 3)
        handle.write(b"\xff\xff")  # the page claims 65,535 cells


def test_a_store_failing_quick_check_is_refused_for_writes(sop, store: Path) -> None:
    _corrupt_an_index_page(store)
    before = store.read_bytes()
    for command in (["advance"], ["note", "catatan"], ["start", "renja", "--org", "ngronggot"]):
        ran = invoke(sop, *command)
        assert ran.code == 4, ran.output
        assert ran.first.startswith(f"Error: The store {store} is damaged: SQLite's quick_check found "), ran.first
        assert "refused for writing so the damage does not spread; nothing was changed." in ran.first
    assert store.read_bytes() == before
    ran = invoke(sop, "status", "--run", "renja-2027")  # reading still works where it can
    assert ran.code == 0, ran.output


# A read-only store ---------------------------------------------------------------------------------


@pytest.fixture
def shared(sop, isolated_home: Path, store: Path) -> Iterator[Path]:
    """A copy of the store in a folder another user can read (for the unprivileged run below)."""
    folder = Path(tempfile.mkdtemp(prefix="sop-ro-"))
    try:
        os.chmod(folder, 0o755)
        home = folder / "home"
        shutil.copytree(isolated_home, home)
        for path in [home, *home.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IRGRP | stat.S_IROTH | (stat.S_IXGRP | stat.S_IXOTH if path.is_dir() else 0))
        yield home
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def run_unprivileged(home: Path, *args: str) -> Ran:
    """`sop ARGS` as a user who cannot write `home` (root cannot be kept out by modes: drop to nobody)."""
    env = {k: v for k, v in os.environ.items() if k != "SOP_DEBUG"}
    env.update(SOP_HOME=str(home), PYTHONPATH=str(REPO), HOME=str(home.parent))
    command = [sys.executable, "-m", "sop_cli", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot become a user the modes apply to")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    process = subprocess.run(command, capture_output=True, env=env, cwd=home.parent, timeout=60)
    return Ran(process.returncode, process.stdout.decode(), process.stderr.decode())


@pytest.mark.parametrize("what", ["folder", "file"])
def test_reading_a_read_only_store_works_and_writing_says_read_only(shared: Path, what: str) -> None:
    db = shared / "sop.db"
    db.chmod(0o444)
    if what == "folder":
        shared.chmod(0o555)
    else:
        shared.chmod(0o777)  # the folder is writable, the file is not
    before = db.read_bytes()
    for command in (["status"], ["log"], ["runs"], ["status", "--json"]):
        ran = run_unprivileged(shared, *command)
        assert ran.code == 0, (command, ran.output)
        assert "renja-2027" in ran.stdout
    ran = run_unprivileged(shared, "advance")
    assert ran.code == 4, ran.output
    assert ran.first.startswith(f"Error: The store {db} is read-only for you (the file or its folder cannot be written)")
    assert ran.first.endswith("Nothing was changed."), ran.first
    assert db.read_bytes() == before


# Whatever a row holds, only StoreError comes out -------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=8)
DATA_KEYS = st.sampled_from(["note", "reason", "title", "year", "undoes", "assignments", "attachments", "run", "x"])
CELL = st.one_of(st.none(), st.integers(min_value=-2**63, max_value=2**63 - 1), st.text(max_size=30),
                 st.sampled_from(["2026-11-26T02:00:00+00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
                                  "2026-02-30T00:00:00", "{}", "[]", "null", '{"note": 1}']))


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(at=CELL, recorded=CELL, step=CELL, kind=CELL, seq=CELL,
       data=st.one_of(CELL, st.dictionaries(DATA_KEYS, JSON, max_size=4).map(lambda d: json.dumps(d))))
def test_any_event_row_decodes_or_is_a_store_error(at, recorded, step, kind, seq, data) -> None:
    from sop_cli.errors import StoreError
    from sop_cli.store.sqlite import event_from_row

    row = {"run_id": "r", "seq": seq, "kind": kind, "at": at, "recorded_at": recorded, "actor": "a",
           "os_user": "u", "step": step, "data": data}
    try:
        event = event_from_row(row, "sop.db")  # type: ignore[arg-type]
    except StoreError as error:
        assert error.message.startswith("The store sop.db is damaged: run r")
        return
    assert isinstance(event.data, dict) and isinstance(event.seq, int)
    event.at.astimezone(timezone.utc)  # any decoded time can change zone


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(DATA_KEYS, JSON, max_size=4), step=st.one_of(st.none(), st.integers(-5, 20)),
       kind=st.sampled_from(["started", "step_completed", "approved", "rejected", "undone", "cancelled", "note"]))
def test_any_decodable_log_replays_or_is_a_store_error(data, step, kind) -> None:
    from sop_cli.errors import StoreError
    from sop_cli.run import engine, service
    from sop_cli.store.interface import StoredRun, data_problem

    if data_problem(data):
        return  # the codec refuses it (above)
    at = datetime(2026, 11, 26, 2, tzinfo=timezone.utc)
    started = engine.Event(1, "started", at, at, "a", "u", None, {"run": "r"})
    odd = engine.Event(2, kind, at, at, "a", "u", step, data)
    definition, calendar = _pinned_texts()
    stored = StoredRun("r", definition, calendar, [started, odd])
    try:
        service.engine.run_view(service.replay(stored, "sop.db"), at)
    except StoreError as error:
        assert error.message.startswith("The store sop.db is damaged: run r")


@functools.lru_cache(maxsize=1)
def _pinned_texts() -> tuple[str, str]:
    from sop_cli.definition.catalog import load_catalog
    from sop_cli.definition.pinned import pin_text
    from sop_cli.run import engine
    from sop_cli.worktime import WorkCalendar

    definition = load_catalog().resolve("renja", "ngronggot").data
    days = dict(WorkCalendar().holidays_in(2026))
    calendar = engine.pinned_calendar("WIB", days, [2026], source="test")
    return pin_text(definition), json.dumps(calendar, sort_keys=True)

