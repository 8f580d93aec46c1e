"""Writes that meet the disk: a missing folder, a folder in the way, a full or read-only disk. Each is
one clear error, the old file stays, and no temporary file outlives the command."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from tests.hostile import as_user, invoke, run_sop


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def test_schema_out_to_a_missing_folder_creates_it(sop, tmp_path: Path) -> None:
    out = tmp_path / "baru" / "dalam" / "sop.schema.json"
    ran = invoke(sop, "schema", "--out", out)
    assert ran.code == 0 and ran.stdout == f"Wrote {out}\n"
    assert json.loads(out.read_text(encoding="utf-8"))["additionalProperties"] is False


def test_schema_out_to_a_folder_is_refused(sop, tmp_path: Path) -> None:
    ran = invoke(sop, "schema", "--out", tmp_path)
    assert ran.code == 2
    assert ran.first == f"Error: {tmp_path} is a folder; give the name of a file to write."
    assert not leftovers(tmp_path)


def test_schema_out_to_a_device_is_refused_not_replaced(tmp_path: Path) -> None:
    ran = run_sop("schema", "--out", "/dev/full", env={"SOP_HOME": str(tmp_path / "h")})
    assert ran.code == 2, ran.output
    assert ran.first == "Error: /dev/full is not a regular file; give the name of a file to write."
    assert Path("/dev/full").is_char_device()


@pytest.mark.parametrize(("failing", "code", "words"), [
    ("fsync", errno.ENOSPC, "No space left on device"),
    ("replace", errno.EROFS, "Read-only file system"),
])
def test_schema_out_on_a_full_or_read_only_disk(sop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                failing: str, code: int, words: str) -> None:
    out = tmp_path / "sop.schema.json"
    out.write_text("old\n", encoding="utf-8")

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, failing, fail)
    ran = invoke(sop, "schema", "--out", out)
    assert ran.code == 1, ran.output
    assert ran.first == f"Error: Cannot write {out} ({out}): {words}; nothing was changed."
    assert out.read_text(encoding="utf-8") == "old\n"
    assert not leftovers(tmp_path)


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_org_use_on_a_read_only_sop_home_leaves_nothing_behind(sop, isolated_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                               failing: str) -> None:
    assert invoke(sop, "org", "use", "ngronggot").code == 0
    before = (isolated_home / "settings.json").read_text(encoding="utf-8")

    def fail(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, failing, fail)
    ran = invoke(sop, "org", "use", "-")
    assert ran.code == 1, ran.output
    assert ran.first == (f"Error: Cannot write the settings file ({isolated_home / 'settings.json'}): "
                         "Read-only file system; nothing was changed.")
    assert (isolated_home / "settings.json").read_text(encoding="utf-8") == before
    assert not leftovers(isolated_home)


def test_org_use_where_sop_home_cannot_be_a_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "home"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    ran = run_sop("org", "use", "ngronggot", env={"SOP_HOME": str(blocker)})
    assert ran.code == 1, ran.output
    assert ran.first == (f"Error: {blocker}: the sop data folder (SOP_HOME) is a file, not a folder; "
                         "move it away or set SOP_HOME to a folder")
    assert blocker.read_text(encoding="utf-8") == "a file where the folder should be"


def test_settings_keep_their_permissions(sop, isolated_home: Path) -> None:
    assert invoke(sop, "org", "use", "ngronggot").code == 0
    settings = isolated_home / "settings.json"
    settings.chmod(0o600)
    assert invoke(sop, "org", "use", "-").code == 0
    assert settings.stat().st_mode & 0o777 == 0o600
    assert not leftovers(isolated_home)


def test_a_temporary_file_left_by_a_killed_sop_is_swept(sop, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    old = isolated_home / ".settings.json.abc123.tmp"
    old.write_text("{", encoding="utf-8")
    os.utime(old, (0, 0))
    young = isolated_home / ".settings.json.def456.tmp"
    young.write_text("{", encoding="utf-8")  # perhaps another sop writing right now: kept
    assert invoke(sop, "org", "use", "ngronggot").code == 0
    assert not old.exists() and young.exists()
