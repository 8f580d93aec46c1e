"""Misleading words: a value of the wrong shape is blamed on the value, not on the template; a store path
that is a folder or a device says so."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile import as_user, invoke


@pytest.fixture(autouse=True)
def _as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    as_user(monkeypatch)
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")


@pytest.fixture
def started(sop) -> str:
    assert invoke(sop, "start", "renja", "--org", "ngronggot").code == 0
    return "renja-2026"


# Values of the wrong shape (a table or group given as one value) are checked by the document
# manifests of issue 11 (`render.doctypes.check_value`) and tested with them.


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
@pytest.mark.parametrize("command", [["status"], ["runs"], ["start", "renja", "--org", "ngronggot"]])
def test_a_store_that_is_not_a_file_says_what_it_is(sop, tmp_path: Path, kind: str, command: list[str]) -> None:
    path = {"folder": tmp_path / "toko", "fifo": tmp_path / "pipa", "device": Path("/dev/zero")}[kind]
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    what = "a folder" if kind == "folder" else "a FIFO, device or socket"
    ran = invoke(sop, *command, "--store", path)
    assert ran.code == 4, ran.output
    assert ran.first == f"Error: The store {path} is {what}, not a store file. Nothing was changed."
