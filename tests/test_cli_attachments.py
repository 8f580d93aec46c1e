"""`sop attachments`: listing a run's kept files and copying them out, checked byte for byte."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest


@pytest.fixture
def run_with_files(sop, monkeypatch, tmp_path: Path) -> dict[str, bytes]:
    """A Nganjuk run with a scan kept at step 1 (by Budi) and the same name kept again, different,
    by a note (by Siti)."""
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    assert sop("start", "renja", "--org", "ngronggot").exit_code == 0
    monkeypatch.setenv("SOP_NOW", "2026-11-26T11:00")
    first, second = b"%PDF-1.4 scan pertama", b"%PDF-1.4 scan kedua, diperbaiki"
    scan = tmp_path / "in" / "surat bupati.pdf"
    scan.parent.mkdir()
    scan.write_bytes(first)
    assert sop("advance", "--attach", scan, "--by", "Budi", "--at", "2026-11-26 10:30").exit_code == 0
    scan.write_bytes(second)
    assert sop("note", "--attach", scan, "--by", "Siti").exit_code == 0
    return {"first": first, "second": second}


def listing(sop, *args: str) -> dict:
    result = sop("attachments", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_lists_each_file_with_its_event_size_hash_and_person(sop, run_with_files):
    view = listing(sop)
    rows = view["attachments"]
    assert view["run"] == "renja-2026"
    assert [(r["name"], r["size"], r["sha256"], r["by"], r["kind"], r["step"]) for r in rows] == [
        ("surat bupati.pdf", len(run_with_files["first"]), hashlib.sha256(run_with_files["first"]).hexdigest(),
         "Budi", "step_completed", 1),
        ("surat bupati.pdf", len(run_with_files["second"]), hashlib.sha256(run_with_files["second"]).hexdigest(),
         "Siti", "attachment", 2),
    ]
    assert rows[0]["at"] == "2026-11-26T10:30:00+07:00"
    # two different files share a name: each gets its own name when copied out
    assert len({r["file_name"] for r in rows}) == 2
    text = sop("attachments").stdout
    assert "surat bupati" in text and hashlib.sha256(run_with_files["first"]).hexdigest() in text and "Budi" in text


def test_copies_every_file_byte_for_byte_and_a_second_copy_changes_nothing(sop, run_with_files, tmp_path):
    out = tmp_path / "keluar"
    result = sop("attachments", "--copy-to", out)
    assert result.exit_code == 0, result.output
    copied = sorted(p.read_bytes() for p in out.iterdir())
    assert copied == sorted(run_with_files.values())
    again = sop("attachments", "--copy-to", out)
    assert again.exit_code == 0 and "Already there, identical" in again.stdout
    assert sorted(p.read_bytes() for p in out.iterdir()) == copied


def test_never_overwrites_a_different_file(sop, run_with_files, tmp_path, monkeypatch):
    monkeypatch.delenv("SOP_DEBUG")
    out = tmp_path / "keluar"
    sop("attachments", "--copy-to", out)
    victim = next(out.iterdir())
    victim.write_bytes(b"someone's own work")
    other = next(p for p in out.iterdir() if p != victim)
    other.unlink()
    result = sop("attachments", "--copy-to", out)
    assert result.exit_code == 3
    assert "Error: " in result.stderr and "Nothing was copied" in result.stderr and victim.name in result.stderr
    assert victim.read_bytes() == b"someone's own work"
    assert not other.exists()  # refused before anything was written


def test_a_kept_copy_changed_behind_sops_back_is_refused(sop, run_with_files, tmp_path, isolated_home, monkeypatch):
    monkeypatch.delenv("SOP_DEBUG")
    kept = next((isolated_home / "attachments" / "renja-2026").iterdir())
    kept.write_bytes(b"tampered")
    result = sop("attachments", "--copy-to", tmp_path / "keluar")
    assert result.exit_code == 4
    assert "no longer matches the SHA-256" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "keluar").exists() or not any((tmp_path / "keluar").iterdir())


def test_a_missing_kept_copy_and_a_file_as_folder_are_explained(sop, run_with_files, tmp_path, isolated_home, monkeypatch):
    monkeypatch.delenv("SOP_DEBUG")
    not_a_folder = tmp_path / "x.txt"
    not_a_folder.write_text("x")
    result = sop("attachments", "--copy-to", not_a_folder)
    assert result.exit_code == 2 and f"--copy-to {not_a_folder} is not a folder" in result.stderr
    for kept in (isolated_home / "attachments" / "renja-2026").iterdir():
        kept.unlink()
    result = sop("attachments", "--copy-to", tmp_path / "keluar")
    assert result.exit_code == 4 and "cannot be read" in result.stderr


def test_a_run_without_attachments_and_an_unknown_run(sop, monkeypatch, tmp_path):
    monkeypatch.delenv("SOP_DEBUG")
    monkeypatch.setenv("SOP_NOW", "2026-11-26T09:00")
    sop("start", "renja", "--org", "ngronggot")
    assert "has no attachments" in sop("attachments").stdout
    result = sop("attachments", "--run", "nope")
    assert result.exit_code == 1 and "No run 'nope'" in result.stderr


def test_reads_attachments_through_the_store_only_inside_the_runs_folder(tmp_path):
    from sop_cli.errors import StoreError
    from sop_cli.store.sqlite import SqliteStore

    secret = tmp_path / "secret.txt"
    secret.write_text("not an attachment")
    store = SqliteStore.open(tmp_path / "sop.db")
    with pytest.raises(StoreError):
        store.read_attachment("renja-2026", {"name": "secret.txt", "path": "../secret.txt"})
