"""Attachments keep their privacy, refuse what is not a regular file, are capped in size, fit any run id
or file name, and leave no temporary file behind."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.hostile import as_user, invoke, run_sop


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    monkeypatch.delenv("SOP_MAX_ATTACHMENT_MB", raising=False)


@pytest.fixture
def started(sop) -> str:
    assert invoke(sop, "start", "renja", "--org", "ngronggot").code == 0
    return "renja-2027"


def kept(sop, isolated_home: Path) -> list[Path]:
    events = json.loads(invoke(sop, "log", "--json").stdout)
    return [isolated_home / a["path"] for e in events for a in e.get("attachments", [])]


def leftovers(isolated_home: Path) -> list[Path]:
    folder = isolated_home / "attachments"
    return sorted(p for p in folder.rglob("*") if p.name.endswith(".tmp")) if folder.exists() else []


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("source", "copy"), [(0o600, 0o600), (0o400, 0o600), (0o640, 0o640), (0o644, 0o644),
                                              (0o666, 0o644), (0o604, 0o604), (0o000, 0o600)])
def test_a_copy_is_never_more_open_than_its_source(sop, started: str, tmp_path: Path, isolated_home: Path,
                                                   source: int, copy: int) -> None:
    if source == 0 and os.geteuid() != 0:
        pytest.skip("only root can read a file with mode 000")
    old = os.umask(0o022)
    try:
        paper = tmp_path / "rahasia.txt"
        paper.write_text("gaji pegawai\n", encoding="utf-8")
        paper.chmod(source)
        ran = invoke(sop, "note", "lampiran", "--attach", paper)
    finally:
        os.umask(old)
    assert ran.code == 0, ran.output
    [copied] = kept(sop, isolated_home)
    assert mode(copied) == copy
    assert copied.read_text(encoding="utf-8") == "gaji pegawai\n"


def test_a_link_is_followed_and_the_copy_keeps_the_target_private(sop, started: str, tmp_path: Path,
                                                                  isolated_home: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$hash:19000::::::\n", encoding="utf-8")
    secret.chmod(0o600)
    link = tmp_path / "notulen.txt"
    link.symlink_to(secret)
    ran = invoke(sop, "note", "--attach", link)
    assert ran.code == 0, ran.output
    [copied] = kept(sop, isolated_home)
    assert not copied.is_symlink() and mode(copied) == 0o600
    assert json.loads(invoke(sop, "log", "--json").stdout)[-1]["attachments"][0]["name"] == "notulen.txt"


def test_the_umask_narrows_a_copy_further(sop, started: str, tmp_path: Path, isolated_home: Path) -> None:
    paper = tmp_path / "umum.txt"
    paper.write_text("pengumuman\n", encoding="utf-8")
    paper.chmod(0o644)
    old = os.umask(0o077)
    try:
        assert invoke(sop, "note", "--attach", paper).code == 0
    finally:
        os.umask(old)
    [copied] = kept(sop, isolated_home)
    assert mode(copied) == 0o600


@pytest.mark.parametrize("kind", ["fifo", "device", "dangling link", "link to a folder", "folder", "missing"])
def test_what_is_not_a_regular_file_is_refused_by_name(sop, started: str, tmp_path: Path, isolated_home: Path,
                                                       kind: str) -> None:
    path = tmp_path / "lampiran"
    expected = {
        "fifo": "not a regular file (a FIFO, device or socket); attach a file. Nothing was recorded.",
        "device": "not a regular file (a FIFO, device or socket); attach a file. Nothing was recorded.",
        "dangling link": "the file is a link to a file that does not exist. Nothing was recorded.",
        "link to a folder": "the file is a folder, not a file. Nothing was recorded.",
        "folder": "the file is a folder, not a file. Nothing was recorded.",
        "missing": "the file does not exist. Nothing was recorded.",
    }[kind]
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    elif kind == "dangling link":
        path.symlink_to(tmp_path / "hilang")
    elif kind == "link to a folder":
        path.symlink_to(tmp_path)
    elif kind == "folder":
        path.mkdir()
    for command in (["note", "--attach", path], ["advance", "--attach", path]):
        ran = invoke(sop, *command)
        assert ran.code == 2, ran.output
        assert ran.first == f"Error: --attach {path}: {expected}"
    assert len(json.loads(invoke(sop, "log", "--json").stdout)) == 1
    assert not (isolated_home / "attachments").exists()


def test_a_fifo_swapped_in_after_the_check_is_refused_without_blocking(sop, started: str, tmp_path: Path,
                                                                       isolated_home: Path) -> None:
    from sop_cli.errors import UsageError
    from sop_cli.store.sqlite import SqliteStore

    fifo = tmp_path / "pipa"
    os.mkfifo(fifo)
    began = time.monotonic()
    with SqliteStore.open(isolated_home / "sop.db") as store, pytest.raises(UsageError) as raised:
        store.keep_attachment(started, fifo)
    assert time.monotonic() - began < 5
    assert "not a regular file" in str(raised.value)


def test_a_file_over_the_cap_is_refused_before_it_is_read(sop, started: str, tmp_path: Path,
                                                          isolated_home: Path) -> None:
    sparse = tmp_path / "besar.iso"
    with sparse.open("wb") as handle:
        handle.truncate(1 << 30)  # 1 GiB that takes no disk
    began = time.monotonic()
    ran = invoke(sop, "note", "--attach", sparse)
    assert time.monotonic() - began < 5
    assert ran.code == 2, ran.output
    assert ran.first == (f"Error: --attach {sparse}: the file is 1,073.7 MB, more than the 50.0 MB an attachment "
                         "may be (SOP_MAX_ATTACHMENT_MB). Nothing was recorded.")
    assert not leftovers(isolated_home) and not any((isolated_home / "attachments").rglob("*besar*"))


def test_the_cap_is_a_setting(sop, started: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paper = tmp_path / "notulen.pdf"
    paper.write_bytes(b"x" * 2_000)
    monkeypatch.setenv("SOP_MAX_ATTACHMENT_MB", "0.001")
    ran = invoke(sop, "note", "--attach", paper)
    assert ran.code == 2 and "the file is 0.0 MB, more than the 0.0 MB" in ran.first, ran.output
    monkeypatch.setenv("SOP_MAX_ATTACHMENT_MB", "0.002")
    assert invoke(sop, "note", "--attach", paper).code == 0


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf"])
def test_a_cap_that_is_not_a_size_is_refused(sop, started: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             value: str) -> None:
    paper = tmp_path / "notulen.pdf"
    paper.write_bytes(b"x")
    monkeypatch.setenv("SOP_MAX_ATTACHMENT_MB", value)
    ran = invoke(sop, "note", "--attach", paper)
    assert ran.code == 2, ran.output
    assert ran.first == (f"Error: SOP_MAX_ATTACHMENT_MB={value!r} is not a size; give a positive number of MB, e.g. 50.")


def test_a_long_sop_id_and_file_name_fit_the_file_system(tmp_path: Path) -> None:
    sop_id = "a" * 300
    folder = tmp_path / "sops"
    folder.mkdir()
    from tests.sample import VALID

    (folder / "panjang.yaml").write_text(VALID.replace("id: uji", f"id: {sop_id}", 1), encoding="utf-8")
    home = tmp_path / "home"
    env = {"SOP_HOME": str(home), "SOP_PATH": str(folder), "SOP_NOW": "2026-11-26T09:00"}
    assert run_sop("start", sop_id, env=env).code == 0
    paper = tmp_path / ("lampiran-" + "b" * 240 + ".pdf")
    paper.write_bytes(b"%PDF-1.4\n")
    ran = run_sop("note", "--attach", paper, env=env)
    assert ran.code == 0, ran.output
    [event] = json.loads(run_sop("log", "--json", env=env).stdout)[1:]
    [item] = event["attachments"]
    assert item["name"] == paper.name
    copy = home / item["path"]
    assert copy.read_bytes() == b"%PDF-1.4\n" and copy.suffix == ".pdf"
    assert all(len(part.encode()) <= 130 for part in Path(item["path"]).parts)
    # ... and is found again where it was kept, to be copied out
    out = tmp_path / "keluar"
    ran = run_sop("attachments", "--copy-to", out, env=env)
    assert ran.code == 0, ran.output
    assert (out / paper.name).read_bytes() == b"%PDF-1.4\n"


@pytest.mark.parametrize("failing", ["fsync", "fchmod"])
def test_an_interrupted_copy_leaves_no_temporary_file(sop, started: str, tmp_path: Path, isolated_home: Path,
                                                      monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    from sop_cli.run import service

    paper = tmp_path / "notulen.txt"
    paper.write_bytes(os.urandom(100_000))

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C in the middle of the copy

    monkeypatch.setattr(os, failing, interrupt)
    with pytest.raises(KeyboardInterrupt):
        service.add_note(service.Session(datetime(2026, 11, 26, 9, tzinfo=timezone.utc), actor="a", os_user="a"),
                         started, attach=[paper])
    monkeypatch.undo()
    assert (isolated_home / "attachments").exists()
    assert not leftovers(isolated_home)
    assert not [p for p in (isolated_home / "attachments").rglob("*") if p.is_file()]


def test_temporary_copies_left_by_a_killed_sop_are_swept(sop, started: str, tmp_path: Path, isolated_home: Path) -> None:
    paper = tmp_path / "notulen.txt"
    paper.write_text("isi\n", encoding="utf-8")
    assert invoke(sop, "note", "--attach", paper).code == 0
    [copied] = kept(sop, isolated_home)
    stale = copied.parent / ".attach-killed.tmp"
    fresh = copied.parent / ".attach-running.tmp"
    for path in (stale, fresh):
        path.write_bytes(b"half")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    assert invoke(sop, "note", "--attach", paper).code == 0
    assert not stale.exists()
    assert fresh.exists()  # perhaps another sop copying right now
