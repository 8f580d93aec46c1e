"""A damaged or read-only store: every damaged row is exit 4 naming the run and the event, a store that
fails SQLite's quick_check is refused for writes, and reading a read-only store does not write."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
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


EVENT = "Error: The store {db} is damaged: run renja-2026 event {seq}: {problem}. Nothing was changed."
RUN = "Error: The store {db} is damaged: run renja-2026: {problem}"

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
                                            "event 2 completes step 99, but step 1 was current. Nothing was changed."),
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
    assert invoke(sop, "start", "renja", "--org", "ngronggot", "--title", "Kedua").code == 0
    damage(store, "UPDATE events SET data = '{not json' WHERE run_id = 'renja-2026' AND seq = 2")
    assert invoke(sop, "status", "--run", "renja-2026-2").code == 0
    assert invoke(sop, "advance", "--run", "renja-2026-2").code == 0
    assert invoke(sop, "status", "--run", "renja-2026").code == 4


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
    ran = invoke(sop, "status", "--run", "renja-2026")  # reading still works where it can
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
        assert "renja-2026" in ran.stdout
    ran = run_unprivileged(shared, "advance")
    assert ran.code == 4, ran.output
    assert ran.first.startswith(f"Error: The store {db} is read-only for you (the file or its folder cannot be written)")
    assert ran.first.endswith("Nothing was changed."), ran.first
    assert db.read_bytes() == before
