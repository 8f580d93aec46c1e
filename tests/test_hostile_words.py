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


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_a_table_given_as_one_value_is_blamed_on_the_value(sop, started: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"pengantar.{fmt}"
    ran = invoke(sop, "render", "pengantar", "--format", fmt, "--set", "nomor=1", "--set", "kiriman=HACK", "--out", out)
    assert ran.code == 2, ran.output
    assert ran.first == ("Error: kiriman: 'HACK' is not a table; kiriman is a list of rows, each with jenis, "
                         "banyaknya, keterangan, as a YAML values file gives it.")
    assert "template" not in ran.output and not out.exists()


def test_a_row_without_its_columns_is_blamed_on_the_row(sop, started: str, tmp_path: Path) -> None:
    values = tmp_path / "nilai.yaml"
    values.write_text('nomor: "1"\nkiriman:\n  - {jenis: Renja, banyaknya: 1 eksemplar, keterangan: -}\n  - {jenis: a}\n',
                      encoding="utf-8")
    ran = invoke(sop, "render", "pengantar", "--values", values, "--out", tmp_path / "p.html")
    assert ran.code == 2, ran.output
    assert ran.first == "Error: kiriman: row 2 has no banyaknya, keterangan; each row needs jenis, banyaknya, keterangan."


def test_a_whole_table_from_a_values_file_renders(sop, started: str, tmp_path: Path) -> None:
    values = tmp_path / "nilai.yaml"
    values.write_text('nomor: "1"\nkiriman:\n  - {jenis: Renja 2027, banyaknya: 2 eksemplar, keterangan: asli}\n',
                      encoding="utf-8")
    out = tmp_path / "p.md"
    ran = invoke(sop, "render", "pengantar", "--format", "md", "--values", values, "--out", out)
    assert ran.code == 0, ran.output
    assert "Renja 2027" in out.read_text(encoding="utf-8")


def test_a_group_given_as_one_value_names_its_parts(sop, started: str, tmp_path: Path) -> None:
    ran = invoke(sop, "render", "undangan", "--set", "nomor=1", "--set", "kepada=Kasi", "--set", "rapat=HACK",
                 "--out", tmp_path / "u.html")
    assert ran.code == 2, ran.output
    assert ran.first == ("Error: rapat: 'HACK' is one value, but rapat is a group of values (rapat.tanggal, "
                         "rapat.waktu, rapat.tempat, rapat.acara); give each part by its own dotted key.")


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
