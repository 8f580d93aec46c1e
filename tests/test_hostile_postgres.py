"""The PostgreSQL store keeps the promises of the SQLite one: attachments are capped and judged
before they are read, reading commands cannot write, and damaged rows are exit 4 naming the run and
the event, worded as for a file."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile import as_user, invoke


@pytest.fixture
def url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from tests.postgres import fresh_schema, server_url

    as_user(monkeypatch)
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    monkeypatch.delenv("SOP_MAX_ATTACHMENT_MB", raising=False)
    with fresh_schema(server_url()) as location:
        monkeypatch.setenv("SOP_STORE", location)
        yield location


@pytest.fixture
def started(sop, url: str) -> str:
    assert invoke(sop, "start", "renja", "--org", "ngronggot").code == 0
    assert invoke(sop, "advance", "--note", "catatan").code == 0
    return "renja-2027"


def events(sop) -> list[dict[str, object]]:
    return json.loads(invoke(sop, "log", "--json").stdout)


def test_a_file_over_the_cap_is_refused_before_it_is_read(sop, started: str, tmp_path: Path) -> None:
    sparse = tmp_path / "besar.iso"
    with sparse.open("wb") as handle:
        handle.truncate(1 << 30)  # 1 GiB that takes no disk; reading it would take seconds and memory
    began = time.monotonic()
    ran = invoke(sop, "note", "--attach", sparse)
    assert time.monotonic() - began < 5
    assert ran.code == 2, ran.output
    assert ran.first == (f"Error: --attach {sparse}: the file is 1,073.7 MB, more than the 50.0 MB an attachment "
                         "may be (SOP_MAX_ATTACHMENT_MB). Nothing was recorded.")
    assert len(events(sop)) == 2


def test_the_cap_is_a_setting(sop, started: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paper = tmp_path / "notulen.pdf"
    paper.write_bytes(b"x" * 2_000)
    monkeypatch.setenv("SOP_MAX_ATTACHMENT_MB", "0.001")
    ran = invoke(sop, "note", "--attach", paper)
    assert ran.code == 2 and "the file is 0.0 MB, more than the 0.0 MB" in ran.first, ran.output
    monkeypatch.setenv("SOP_MAX_ATTACHMENT_MB", "0.002")
    assert invoke(sop, "note", "--attach", paper).code == 0
    assert [a["size"] for e in events(sop) for a in e.get("attachments", [])] == [2_000]


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_what_is_not_a_regular_file_is_refused_without_blocking(sop, started: str, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "lampiran"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    else:
        path.mkdir()
    began = time.monotonic()
    ran = invoke(sop, "note", "--attach", path)
    assert time.monotonic() - began < 5
    assert ran.code == 2, ran.output
    assert ran.first.startswith(f"Error: --attach {path}: "), ran.output
    assert ran.first.endswith("Nothing was recorded."), ran.output
    assert len(events(sop)) == 2


def test_a_fifo_given_to_the_store_directly_is_refused_without_blocking(started: str, url: str,
                                                                        tmp_path: Path) -> None:
    from sop_cli.errors import UsageError
    from sop_cli.store.postgres import PostgresStore

    fifo = tmp_path / "pipa"
    os.mkfifo(fifo)
    began = time.monotonic()
    with PostgresStore.open(url) as store, store.write(), pytest.raises(UsageError) as raised:
        store.keep_attachment(started, fifo, max_bytes=1_000)
    assert time.monotonic() - began < 5
    assert "not a regular file" in str(raised.value)


def test_a_read_only_store_reads_and_refuses_to_write(started: str, url: str) -> None:
    from sop_cli.errors import StoreError
    from sop_cli.store import open_store

    store = open_store(url, readonly=True)
    assert store is not None
    with store:
        with store.read():
            assert store.run_exists(started)
        with pytest.raises(StoreError, match="opened for reading only"), store.write():
            pass
        # Even a statement sent past the store's own methods cannot write in this session.
        with pytest.raises(StoreError, match="read-only transaction"), store.read():
            store._conn.execute("INSERT INTO pinned (sha256, kind, body) VALUES ('x', 'x', 'x')")


def _insert_event(url: str, data: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO events (run_id, seq, kind, at, recorded_at, actor, os_user, step, data) "
            "VALUES ('renja-2027', 3, 'note', now(), now(), 'x', 'x', NULL, %s)", (data,))


DAMAGE = {
    "data that is not JSON": ("{not json", "its data is not JSON (Expecting property name enclosed in double quotes: "
                                           "line 1 column 2 (char 1))"),
    "data that is a list": ("[1, 2]", "its data is a JSON list, not an object"),
    "a note that is a number": ('{"note": 5}', "its note 5 is not text"),
    "attachments that are not files": ('{"attachments": [{"name": 1}]}',
                                       "its attachment {'name': 1} is not a kept file (name, sha256, path, size)"),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_event_row_is_exit_4_naming_run_and_event(sop, started: str, url: str, case: str) -> None:
    from sop_cli.store.postgres import _redacted

    data, problem = DAMAGE[case]
    _insert_event(url, data)
    for command in (["status"], ["log"], ["advance"]):
        ran = invoke(sop, *command)
        assert ran.code == 4, ran.output
        assert ran.first == (f"Error: The store {_redacted(url)} is damaged: run renja-2027 event 3: {problem}. "
                             "Nothing was changed."), ran.output


def test_a_damaged_summary_is_exit_4_naming_the_run(sop, started: str, url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE runs SET zone = 'GMT' WHERE id = 'renja-2027'")
    ran = invoke(sop, "runs")
    assert ran.code == 4, ran.output
    assert "is damaged: run renja-2027: its summary cannot be read (time zone 'GMT' is not WIB, WITA or WIT)" \
        in ran.first, ran.output
