"""Real processes against one store: simultaneous `advance`, and writers killed mid-write."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sop_cli.run import engine
from sop_cli.store import RunSummary
from sop_cli.store.sqlite import SqliteStore

pytestmark = pytest.mark.slow

NOW = "2026-11-26T09:00"

# Each worker imports everything first, says it is ready, waits for the go file, then runs the real
# CLI entry point: so the eight writes really happen at the same moment.
WORKER = """
import os, sys, time
from pathlib import Path
import sop_cli.cli, sop_cli.run.service, sop_cli.store, sop_cli.run.engine, sop_cli.run.calendar
ready, go = Path(sys.argv[1]), Path(sys.argv[2])
ready.write_text("ready")
while not go.exists():
    time.sleep(0.001)
sys.argv = ["sop", *sys.argv[3:]]
sop_cli.cli.main()
"""


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "SOP_HOME": str(home), "SOP_NOW": NOW, "NO_COLOR": "1"}
    env.pop("SOP_DEBUG", None)  # the processes behave as for a user: errors, not tracebacks
    env.pop("SOP_STORE", None)
    return env


def _sop(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sop_cli", *args], env=_env(home), capture_output=True,
                          text=True, timeout=60)


def _race(tmp_path: Path, home: Path, args: list[str], n: int = 8) -> list[subprocess.CompletedProcess[str]]:
    go = tmp_path / "go"
    workers = []
    for i in range(n):
        ready = tmp_path / f"ready-{i}"
        command = [sys.executable, "-c", WORKER, str(ready), str(go), *args, "--by", f"worker {i}"]
        workers.append((ready, subprocess.Popen(command, env=_env(home), stdout=subprocess.PIPE,
                                                stderr=subprocess.PIPE, text=True)))
    deadline = time.monotonic() + 30
    while not all(ready.exists() for ready, _ in workers):
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.01)
    go.write_text("go")
    results = []
    for _, process in workers:
        out, err = process.communicate(timeout=60)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    result = _sop(home, "start", "renja", "--org", "ngronggot")
    assert result.returncode == 0, result.stderr
    return home


def _log(home: Path) -> list[dict]:
    result = _sop(home, "log", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_eight_simultaneous_advance_step_1_give_exactly_one_winner(tmp_path, home):
    results = _race(tmp_path, home, ["advance", "--step", "1"])

    winners = [r for r in results if r.returncode == 0]
    losers = [r for r in results if r.returncode != 0]
    assert len(winners) == 1, [r.stderr for r in results]
    for loser in losers:
        assert loser.returncode == 3
        assert loser.stderr.startswith("Error: Run renja-2026 has moved on: the current step is 2 ("), loser.stderr
        assert "locked" not in loser.stderr and "Traceback" not in loser.stderr
    events = _log(home)
    assert [e["kind"] for e in events] == ["started", "step_completed"]
    assert events[1]["actor"] in winners[0].stdout


def test_eight_simultaneous_advance_lose_no_update(tmp_path, home):
    results = _race(tmp_path, home, ["advance"])

    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    events = _log(home)
    assert [e["step"] for e in events[1:]] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert sorted(e["actor"] for e in events[1:]) == [f"worker {i}" for i in range(8)]
    assert json.loads(_sop(home, "status", "--json").stdout)["current"]["step"] == 9


# Kill a writer at random moments and check the store after each kill ---------------------------

WRITER = """
import sys
from pathlib import Path
from sop_cli.cli.parse import actor, now, os_user
from sop_cli.run import service
paper = Path(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    i += 1
    state = service.load_run("renja-2026")
    step = state.current_step
    if state.status == "finished" or i % 5 == 0:
        service.undo("renja-2026", reason=f"kill test {i}", now=now(), actor=actor(), os_user=os_user())
    elif step == 9:
        service.advance("renja-2026", step=9, reject=i % 2 == 0, approve=i % 2 == 1, reason="ulang" if i % 2 == 0 else None,
                        now=now(), actor=actor(), os_user=os_user())
    elif i % 7 == 0:
        service.add_note("renja-2026", text=f"catatan {i}", attach=[paper], now=now(), actor=actor(), os_user=os_user())
    else:
        service.advance("renja-2026", step=step, note=f"write {i}", attach=[paper] if i % 3 == 0 else [],
                        now=now(), actor=actor(), os_user=os_user())
"""


def _check_consistent(home: Path) -> int:
    """The store is intact, the log replays, the summary matches it, attachments exist. Returns #events."""
    path = home / "sop.db"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with SqliteStore.open(path) as store, store.read():
        stored = store.load_run("renja-2026")
        assert stored is not None
        state = engine.state_of(stored)
        rows = stored.events
        assert [e.seq for e in rows] == list(range(1, len(rows) + 1))
        [listed] = [r for r in store.summaries(include_all=True) if r.id == "renja-2026"]
        assert listed.summary == RunSummary.of(state)
        for event in state.events:
            for kept in event.data.get("attachments", []):
                copy = home / kept["path"]
                assert copy.exists(), kept
                assert hashlib.sha256(copy.read_bytes()).hexdigest() == kept["sha256"]
    status = _sop(home, "status", "--run", "renja-2026", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["status"] == state.status
    return len(rows)


def test_a_writer_killed_at_any_moment_leaves_the_store_consistent(tmp_path, home):
    paper = tmp_path / "notulen.txt"
    paper.write_bytes(os.urandom(200_000))  # big enough that copying takes a moment
    rng = random.Random(20261126)
    counts = []
    for _ in range(10):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(paper)], env=_env(home),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.02, 0.4))
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL, "the writer ended before it was killed"
        counts.append(_check_consistent(home))
    assert counts == sorted(counts) and counts[-1] > counts[0]  # it kept writing between kills
