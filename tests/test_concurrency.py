"""Real processes against one store: simultaneous `advance`, and writers killed mid-write.

Each test runs against both stores (tests/conftest.py): the SQLite file in the test's home, and
a PostgreSQL schema of its own when `SOP_TEST_POSTGRES` names a server. The oracle reads the raw
`events` rows with the plain driver, not with sop's store code."""

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
from sop_cli.store import open_store

pytestmark = pytest.mark.slow

NOW = "2026-11-26T09:00"

# Each worker imports everything first, says it is ready, waits for the go file, then runs the real
# CLI entry point: so the eight writes really happen at the same moment. Before it opens the write
# transaction (when it has read the run) it touches its `read` file, so that a race can wait for
# every worker to have seen the run, however slowly a loaded machine runs them.
WORKER = """
import os, sys, time
from pathlib import Path
import sop_cli.cli.root, sop_cli.run.service, sop_cli.store, sop_cli.run.engine, sop_cli.worktime  # the app itself: sop_cli.cli loads it lazily
from sop_cli.store.postgres import PostgresStore
from sop_cli.store.sqlite import SqliteStore
ready, go, read = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])

def noting(write):
    def wrapped(self):
        read.touch()
        return write(self)
    return wrapped

for store in (PostgresStore, SqliteStore):
    store.write = noting(store.write)
ready.write_text("ready")
while not go.exists():
    time.sleep(0.001)
sys.argv = ["sop", *sys.argv[4:]]
sop_cli.cli.main()
"""


def _env(home: Path) -> dict[str, str]:
    # SOP_STORE is the PostgreSQL schema of the test when it runs on that store (else unset: the
    # SQLite file in `home`)
    env = {**os.environ, "SOP_HOME": str(home), "SOP_NOW": NOW, "NO_COLOR": "1"}
    env.pop("SOP_DEBUG", None)  # the processes behave as for a user: errors, not tracebacks
    return env


def _pg_url() -> str | None:
    return os.environ.get("SOP_STORE") or None


class _Raw:
    """The store's tables through the plain driver (sqlite3 or psycopg), without sop's code."""

    def __init__(self, home: Path) -> None:
        self.url = _pg_url()
        if self.url:
            import psycopg

            self.conn = psycopg.connect(self.url, autocommit=True)
        else:
            self.conn = sqlite3.connect(f"file:{home / 'sop.db'}?mode=ro", uri=True)

    def rows(self, sql: str) -> list[tuple]:
        return list(self.conn.execute(sql).fetchall())

    def close(self) -> None:
        self.conn.close()


def _hold_write_lock(home: Path):
    """Take what a writer of run renja-2026 must wait for: SQLite's write lock, or the run's row
    lock on PostgreSQL (readers are not blocked by either)."""
    url = _pg_url()
    if url:
        import psycopg

        conn = psycopg.connect(url)
        conn.execute("SELECT 1 FROM runs WHERE id = 'renja-2026' FOR UPDATE")
        return conn
    conn = sqlite3.connect(home / "sop.db", isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def _sop(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`sop ARGS` in this process, with the workers' environment: the set-up and the checks need no
    process of their own (the racing workers and the writers do)."""
    from sop_cli.cli import app
    from tests.conftest import Runner

    result = Runner().invoke(app, list(args), env=_env(home))
    return subprocess.CompletedProcess(["sop", *args], result.exit_code, result.stdout, result.stderr)


def _race(tmp_path: Path, home: Path, args: list[str], n: int = 8,
          hold: bool = False) -> list[subprocess.CompletedProcess[str]]:
    """Run `n` workers at once. `hold`: the test keeps the run's write lock after "go" until every
    worker has read the run and is about to write, so each has seen the same state before any of
    them can write (synchronised on what the workers did, not on a time)."""
    go = tmp_path / "go"
    workers = []
    for i in range(n):
        ready, read = tmp_path / f"ready-{i}", tmp_path / f"read-{i}"
        command = [sys.executable, "-c", WORKER, str(ready), str(go), str(read), *args, "--by", f"worker {i}"]
        workers.append((ready, read, subprocess.Popen(command, env=_env(home), stdout=subprocess.PIPE,
                                                      stderr=subprocess.PIPE, text=True)))
    deadline = time.monotonic() + 60
    while not all(ready.exists() for ready, _, _ in workers):
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.01)
    lock = _hold_write_lock(home) if hold else None
    go.write_text("go")
    if lock is not None:
        deadline = time.monotonic() + 60
        while not all(read.exists() for _, read, _ in workers):
            assert time.monotonic() < deadline, "workers did not read the run"
            assert all(process.poll() is None for _, _, process in workers), "a worker ended before writing"
            time.sleep(0.01)
        lock.rollback()
        lock.close()
    results = []
    for _, _, process in workers:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    result = _sop(home, "start", "renja", "--org", "ngronggot", "--year", "2026")
    assert result.returncode == 0, result.stderr
    assert (home / "sop.db").exists() != bool(_pg_url()), "the run is in the store under test, only there"
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
        assert loser.stderr.startswith("Error: Step 1 of run renja-2026 was already completed by worker "), loser.stderr
        assert "the current step is 2 (" in loser.stderr
        assert "locked" not in loser.stderr and "Traceback" not in loser.stderr
    events = _log(home)
    assert [e["kind"] for e in events] == ["started", "step_completed"]
    assert events[1]["actor"] in winners[0].stdout


def test_three_simultaneous_advance_without_step_complete_only_the_step_they_saw(tmp_path, home):
    # Step 4 is current when the three press Enter; all three read the run before any can write.
    for _ in range(3):
        assert _sop(home, "advance", "--by", "earlier").returncode == 0
    results = _race(tmp_path, home, ["advance"], n=3, hold=True)

    winners = [i for i, r in enumerate(results) if r.returncode == 0]
    assert len(winners) == 1, [r.stderr for r in results]
    for i, result in enumerate(results):
        if i != winners[0]:
            assert result.returncode == 3, result.stderr
            assert result.stderr.startswith(f"Error: Step 4 of run renja-2026 was already completed by worker {winners[0]} ")
            assert "Traceback" not in result.stderr
    events = _log(home)
    assert [(e["step"], e["actor"]) for e in events[4:]] == [(4, f"worker {winners[0]}")]
    assert json.loads(_sop(home, "status", "--json").stdout)["current"]["step"] == 5


# Acknowledged writes against an oracle that does not use sop's engine or store code ------------------
#
# A "forker" process imports sop once and forks writers on demand (a fresh Python per writer would
# cost 0.3 s each; a fork costs a few ms, so a hundred kills fit in seconds). Each writer appends
# events through the service, the code every command runs, and only after a call has returned
# prints "<seq> <token>" to its acknowledgement file: the write is acknowledged, as a command
# that exited 0. The oracle reads the raw `events` table with plain sqlite3 and json.

FORKER = r"""
import json, os, random, signal, sys
from pathlib import Path
from sop_cli.errors import SopError
from sop_cli.run import service
from datetime import datetime, timezone

RUN, paper = "renja-2026", Path(sys.argv[1])
WHO = service.Session(datetime(2026, 11, 26, 2, tzinfo=timezone.utc), actor="w", os_user="w")

def write(ack_path, seconds, seed):
    rng = random.Random(seed)
    ack = os.open(ack_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    import time
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        i += 1
        token = f"{os.getpid()}-{i}"
        began = time.monotonic()
        try:
            roll = rng.random()
            if roll < 0.15:
                view = service.undo(WHO, RUN, reason=token)
            elif roll < 0.55:
                try:
                    view = service.advance(WHO, RUN, note=token)
                except SopError as error:
                    if error.code != "decision_needs_verdict":
                        raise
                    view = service.advance(WHO, RUN, note=token, approve=True)
            else:
                attach = [paper] if roll > 0.9 else []
                view = service.add_note(WHO, RUN, text=token, attach=attach)
        except SopError:
            continue  # refused (nothing to undo, not a decision step...): not acknowledged
        os.write(ack, f"{view['recorded']['seq']} {token} {time.monotonic() - began:.4f}\n".encode())

import time
service.load_run(RUN)  # import now what every write needs, so a forked writer starts writing at once
took = []
for n in range(5):
    began = time.monotonic()
    service.add_note(WHO, RUN, text=f"warm-up {n}", attach=[paper] if n == 0 else [])
    took.append(time.monotonic() - began)
print("ready", sorted(took)[2], flush=True)
for line in sys.stdin:
    seconds, count, name = line.split()
    pids = []
    for n in range(int(count)):
        pid = os.fork()
        if pid == 0:
            try:
                write(f"{name}-{n}.ack", float(seconds), os.getpid())
            finally:
                os._exit(0)
        pids.append(pid)
    print(" ".join(map(str, pids)), flush=True)
    statuses = [os.waitpid(pid, 0)[1] for pid in pids]
    print(" ".join(map(str, statuses)), flush=True)
"""


class Forker:
    """The forker process: `spawn(seconds, count)` forks writers and returns their pids."""

    def __init__(self, home: Path, folder: Path) -> None:
        paper = folder / "notulen.bin"
        paper.write_bytes(os.urandom(50_000))
        self.folder = folder
        self.rounds = 0
        self.process = subprocess.Popen([sys.executable, "-c", FORKER, str(paper)], env=_env(home), cwd=folder,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        said, seconds = self.process.stdout.readline().split()
        assert said == "ready"
        self.warm_up_write = float(seconds)
        """Seconds one write took in the forker before any writer started (the median of five)."""

    def spawn(self, seconds: float, count: int = 1) -> list[int]:
        self.rounds += 1
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{seconds} {count} round{self.rounds}\n")
        self.process.stdin.flush()
        return [int(pid) for pid in self.process.stdout.readline().split()]

    def reap(self) -> list[int]:
        """The wait statuses of the last round's writers (after they ended or were killed)."""
        assert self.process.stdout is not None
        return [int(status) for status in self.process.stdout.readline().split()]

    def acknowledged(self) -> list[tuple[int, str]]:
        return [(seq, token) for seq, token, _seconds in self._acks()]

    def write_seconds(self) -> float:
        """How long one write takes now: the median of the last 20 acknowledged writes (the
        warm-up's before any), which follows the machine's load as the test goes."""
        recent = [seconds for _seq, _token, seconds in self._acks()][-20:] or [self.warm_up_write]
        return sorted(recent)[len(recent) // 2]

    def _acks(self) -> list[tuple[int, str, float]]:
        acks = []
        for path in sorted(self.folder.glob("round*.ack"), key=lambda p: int(p.stem[5:].split("-")[0])):
            for line in path.read_text(encoding="utf-8").splitlines():
                seq, token, seconds = line.split()
                acks.append((int(seq), token, float(seconds)))
        return acks

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


def _oracle(home: Path, acknowledged: list[tuple[int, str]]) -> int:
    """Check the raw log with the plain driver: seqs 1..N without a gap, every acknowledged write
    there exactly once under its seq, no token twice. Returns N."""
    raw = _Raw(home)
    try:
        rows = raw.rows("SELECT seq, data FROM events WHERE run_id = 'renja-2026' ORDER BY seq")
    finally:
        raw.close()
    seqs = [seq for seq, _ in rows]
    assert seqs == list(range(1, len(rows) + 1)), "a gap or a repeat in the log"
    tokens = {}
    for seq, data in rows:
        values = json.loads(data) if isinstance(data, str) else data
        token = values.get("note") or values.get("reason")
        if token:
            assert token not in tokens, f"write {token} stored twice (seq {tokens[token]} and {seq})"
            tokens[token] = seq
    for seq, token in acknowledged:
        assert tokens.get(token) == seq, f"acknowledged write {token} (seq {seq}) is not in the log as seq {seq}"
    return len(rows)


def _kinds(home: Path) -> set[str]:
    raw = _Raw(home)
    try:
        return {kind for (kind,) in raw.rows("SELECT DISTINCT kind FROM events")}
    finally:
        raw.close()


def _check_consistent(home: Path) -> None:
    """The store is intact, the log replays, the summary matches it, attachments are whole."""
    location = _pg_url() or home / "sop.db"
    if not _pg_url():
        conn = sqlite3.connect(location)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    store = open_store(location, create=False)
    assert store is not None
    with store, store.read():
        stored = store.load_run("renja-2026")
        assert stored is not None
        state = engine.state_of(stored)
        [listed] = [r for r in store.summaries(include_all=True) if r.id == "renja-2026"]
        assert listed.summary == engine.summary(state)._replace(times=None)  # the times are rows of their own
        for event in state.events:
            for kept in event.data.get("attachments", []):
                body = store.read_attachment("renja-2026", kept)
                assert hashlib.sha256(body).hexdigest() == kept["sha256"]
    status = _sop(home, "status", "--run", "renja-2026", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["status"] == state.status


KILLS = int(os.environ.get("SOP_KILLS", "40"))
"""SIGKILLs per store (`SOP_KILLS=N` for a longer trial): each lands 1 to 9 writes' time into a
writer's life (10-100 ms on an idle machine), before, during or after a commit."""


def test_writers_killed_at_random_moments_lose_no_acknowledged_write(tmp_path, home):
    forker = Forker(home, tmp_path)
    rng = random.Random(20261126)
    kills = 0
    counts = []
    lives = []
    try:
        began = time.monotonic()
        while kills < KILLS:
            # The kill's moment is measured in writes, not in seconds: on a loaded machine a write
            # takes longer, and a writer still lives long enough to commit some and die in others.
            write = max(forker.write_seconds(), 0.01)
            [pid] = forker.spawn(seconds=max(5, 20 * write))
            lives.append(rng.uniform(1, 9) * write)
            time.sleep(lives[-1])
            os.kill(pid, signal.SIGKILL)
            [status] = forker.reap()
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, "the writer ended before the kill"
            kills += 1
            counts.append(_oracle(home, forker.acknowledged()))
        elapsed = time.monotonic() - began
    finally:
        forker.close()
    acknowledged = forker.acknowledged()
    print(f"{kills} kills in {elapsed:.1f} s (writers lived {sum(lives):.1f} s; a write took "
          f"{forker.warm_up_write * 1000:.0f} ms at first, {forker.write_seconds() * 1000:.0f} ms at the end), "
          f"{len(acknowledged)} acknowledged writes, {counts[-1]} events")
    assert len(acknowledged) >= KILLS // 3, f"only {len(acknowledged)} writes acknowledged in {kills} kills"
    assert counts == sorted(counts) and counts[-1] > counts[0] + KILLS // 3
    assert elapsed < 60 + 2 * sum(lives), "forking and reaping a writer took longer than its life"
    kinds = _kinds(home)
    assert {"note", "step_completed", "undone", "approved"} <= kinds, kinds
    _check_consistent(home)


def test_twenty_concurrent_writers_lose_and_double_no_acknowledged_write(tmp_path, home):
    forker = Forker(home, tmp_path)
    try:
        pids = forker.spawn(seconds=1.5, count=20)
        assert len(pids) == 20
        statuses = forker.reap()
    finally:
        forker.close()
    assert all(os.WIFEXITED(s) and os.WEXITSTATUS(s) == 0 for s in statuses)
    acknowledged = forker.acknowledged()
    writers = {token.split("-")[0] for _, token in acknowledged}
    print(f"20 writers: {len(acknowledged)} acknowledged writes from {len(writers)} of them")
    # SQLite's busy handler is not fair, so a writer may wait out the whole run; most get through
    assert len(writers) >= 10, f"only {len(writers)} of 20 writers got a write through"
    assert len(acknowledged) >= 30
    assert _oracle(home, acknowledged) >= len(acknowledged)
    _check_consistent(home)


def test_eight_counters_starting_cases_at_once_get_eight_numbers(tmp_path, home, monkeypatch):
    monkeypatch.setenv("SOP_PATH", str(Path(__file__).resolve().parent.parent / "examples" / "sops"))
    assert _sop(home, "list").returncode == 0  # a counter's catalog is read already: the race is for numbers
    results = _race(tmp_path, home, ["start", "sktm", "--untuk", "Pemohon", "--again", "--json"])
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    ids = sorted(json.loads(r.stdout)["run"] for r in results)
    assert ids == [f"sktm-2026-{n:04d}" for n in range(1, 9)]
    raw = _Raw(home)
    try:
        numbers = sorted(r[0] for r in raw.rows("SELECT number FROM cases"))
    finally:
        raw.close()
    assert numbers == list(range(1, 9))
