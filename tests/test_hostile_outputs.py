"""Output files written where someone else points: a FIFO, a device or a planted link as `--out`, links
planted under the names `attachments --copy-to` writes in a shared folder; and permissions that must
not widen (SOP_HOME 0700, the store 0600 with its -wal and -shm, copies owner-only)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.hostile import as_user, invoke, run_sop
from tests.test_report import NGANJUK

pytestmark = pytest.mark.skipif(os.name != "posix", reason="links, FIFOs and modes as POSIX has them")


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def started(sop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("SOP_NOW", "2026-11-26T11:00")
    assert invoke(sop, "start", NGANJUK, "--at", "2026-11-26 09:00").code == 0
    return "renja-2027"


# --out: a FIFO, a device, a link ----------------------------------------------------------------

COMMANDS = {
    "render": ("render", "sop", NGANJUK, "--format", "html"),
    "report": ("report", "--format", "csv"),
    "portfolio": ("report", "--portfolio", "--year", "2027", "--format", "csv"),
    "portfolio xlsx": ("report", "--portfolio", "--year", "2027", "--format", "xlsx"),
    "schema": ("schema",),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_out_to_a_fifo_is_refused_at_once(started: str, tmp_path: Path, isolated_home: Path, command: str) -> None:
    fifo = tmp_path / "pipa"
    os.mkfifo(fifo)
    # a new process: a write that opened the FIFO would block until the timeout, and fail the test
    ran = run_sop(*COMMANDS[command], "--out", fifo, env={"SOP_HOME": str(isolated_home), "SOP_LANG": "en"},
                  cwd=tmp_path, timeout=30)
    assert ran.code == 2, ran.output
    assert ran.first == f"Error: {fifo} is not a regular file; give the name of a file to write."
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_out_through_a_planted_link_is_refused_and_the_victim_kept(sop, started: str, tmp_path: Path,
                                                                   command: str) -> None:
    victim = tmp_path / "milik-orang-lain.txt"
    victim.write_text("pekerjaan orang lain\n", encoding="utf-8")
    victim.chmod(0o640)
    suffix = ".xlsx" if "xlsx" in command else ".json" if command == "schema" else ".html" if command == "render" else ".csv"
    link = tmp_path / f"laporan{suffix}"
    link.symlink_to(victim)
    ran = invoke(sop, *COMMANDS[command], "--out", link)
    assert ran.code == 2, ran.output
    assert ran.first == (f"Error: {link} is a symbolic link; sop does not write through links: give the name of "
                         "the file itself, or remove the link.")
    assert victim.read_text(encoding="utf-8") == "pekerjaan orang lain\n" and mode(victim) == 0o640
    assert link.is_symlink() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_out_replaces_a_file_whole_and_keeps_its_permissions(sop, started: str, tmp_path: Path) -> None:
    out = tmp_path / "laporan.csv"
    out.write_text("lama\n", encoding="utf-8")
    out.chmod(0o600)
    assert invoke(sop, "report", "--out", out).code == 0
    assert "lama" not in out.read_text(encoding="utf-8-sig") and mode(out) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    old = os.umask(0o022)
    try:  # a new file gets the usual permissions, not the temporary file's 0600
        assert invoke(sop, "report", "--out", tmp_path / "baru" / "laporan.md").code == 0
    finally:
        os.umask(old)
    assert mode(tmp_path / "baru" / "laporan.md") == 0o644


def test_out_to_a_device_is_refused(started: str, tmp_path: Path, isolated_home: Path) -> None:
    ran = run_sop("report", "--format", "csv", "--out", "/dev/null", env={"SOP_HOME": str(isolated_home),
                                                                          "SOP_LANG": "en"}, cwd=tmp_path)
    assert ran.code == 2 and ran.first == "Error: /dev/null is not a regular file; give the name of a file to write."


# attachments --copy-to into a shared folder ------------------------------------------------------


@pytest.fixture
def attached(sop, started: str, tmp_path: Path) -> Path:
    """A private scan (0600) kept with the run."""
    scan = tmp_path / "in" / "scan.pdf"
    scan.parent.mkdir()
    scan.write_bytes(b"%PDF-1.4 rahasia")
    scan.chmod(0o600)
    assert invoke(sop, "note", "--attach", scan, "--at", "2026-11-26 10:00").code == 0
    return scan


def test_copy_to_never_writes_through_a_link_planted_under_a_temporary_name(sop, attached: Path,
                                                                           tmp_path: Path) -> None:
    shared = tmp_path / "bersama"
    shared.mkdir()
    victim = tmp_path / "korban.txt"
    victim.write_text("milik korban\n", encoding="utf-8")
    # every name sop could guess for its temporary file, pointing at the victim's file
    for guess in (f".scan.pdf.{os.getpid()}.tmp", ".scan.pdf.tmp", "scan.pdf.tmp", ".attach-scan.pdf.tmp"):
        (shared / guess).symlink_to(victim)
    ran = invoke(sop, "attachments", "--copy-to", shared)
    assert ran.code == 0, ran.output
    assert victim.read_text(encoding="utf-8") == "milik korban\n"
    assert (shared / "scan.pdf").read_bytes() == b"%PDF-1.4 rahasia" and not (shared / "scan.pdf").is_symlink()


@pytest.mark.parametrize("target", ["dangling", "identical", "fifo"])
def test_copy_to_refuses_a_link_or_fifo_under_the_attachments_name(sop, attached: Path, tmp_path: Path,
                                                                   target: str) -> None:
    shared = tmp_path / "bersama"
    shared.mkdir()
    planted = shared / "scan.pdf"
    elsewhere = tmp_path / "baru-dibuat.pdf"
    if target == "dangling":
        planted.symlink_to(elsewhere)
    elif target == "identical":
        elsewhere.write_bytes(attached.read_bytes())
        planted.symlink_to(elsewhere)
    else:
        os.mkfifo(planted)
    ran = invoke(sop, "attachments", "--copy-to", shared)
    assert ran.code == 3, ran.output
    assert "Nothing was copied" in ran.stderr and str(planted) in ran.stderr
    if target == "dangling":
        assert not elsewhere.exists()  # nothing written where the link points
    assert planted.is_symlink() if target != "fifo" else stat.S_ISFIFO(os.lstat(planted).st_mode)
    assert [p.name for p in shared.iterdir()] == ["scan.pdf"]  # still only what was planted


# Permissions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("source_mode", [0o600, 0o644])
def test_a_copy_out_is_owner_only_never_wider_than_its_source(sop, started: str, tmp_path: Path,
                                                              source_mode: int) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 isi")
    scan.chmod(source_mode)
    old = os.umask(0o022)
    try:
        assert invoke(sop, "note", "--attach", scan, "--at", "2026-11-26 10:00").code == 0
        assert invoke(sop, "attachments", "--copy-to", tmp_path / "keluar").code == 0
    finally:
        os.umask(old)
    copy = tmp_path / "keluar" / "scan.pdf"
    assert copy.read_bytes() == b"%PDF-1.4 isi"
    assert mode(copy) == 0o600 and mode(copy) & ~source_mode == 0


def test_sop_home_and_the_store_are_owner_only_on_a_umask_of_022(tmp_path: Path) -> None:
    home = tmp_path / "data" / "sop"
    env = {"SOP_HOME": str(home), "SOP_NOW": "2026-11-26T09:00", "SOP_LANG": "en"}
    old = os.umask(0o022)
    try:
        for args in (("org", "use", "ngronggot"), ("start", "renja"), ("advance",),
                     ("render", "sop", "renja", "--format", "md")):
            ran = run_sop(*args, env=env, cwd=tmp_path)
            assert ran.code == 0, ran.output
    finally:
        os.umask(old)
    assert mode(home) == 0o700
    store = home / "sop.db"
    assert mode(store) == 0o600
    # another process using the store at the same time creates its -wal and -shm files: SQLite gives
    # them the store's permissions
    import sqlite3

    old = os.umask(0o022)
    connection = sqlite3.connect(store)
    try:
        connection.execute("PRAGMA journal_mode")
        connection.execute("CREATE TEMP TABLE t(x)")
        connection.execute("SELECT count(*) FROM runs").fetchone()
        assert mode(home / "sop.db-wal") == 0o600 and mode(home / "sop.db-shm") == 0o600
    finally:
        connection.close()
        os.umask(old)
    folders = [p for p in home.rglob("*") if p.is_dir()]
    assert folders and all(mode(folder) == 0o700 for folder in folders), [(f, oct(mode(f))) for f in folders]
