"""`sop diff`: what a revision of an SOP changed, step by step, and what it would change for a live run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sample import VALID, replace

INSERTED = """\
  - no: 3
    kegiatan: Membahas konsep bersama staf
    pelaksana: [kepala, staf]
    asal_pelaksana: sumber
    kelengkapan: Konsep
    waktu: 1 jam
    output: Notulen
"""


def revised() -> str:
    text = replace("disahkan_oleh:\n", "tanggal_revisi: 2026-07-01\ndisahkan_oleh:\n")
    text = replace("dasar_hukum: [Peraturan Bupati Uji Nomor 1 Tahun 2024]",
                   "dasar_hukum: [Peraturan Bupati Uji Nomor 1 Tahun 2024, Peraturan Bupati Uji Nomor 9 Tahun 2026]", text)
    text = replace("    waktu: 1 hari\n", "    waktu: 2 hari\n", text)
    text = replace("  - no: 3\n", INSERTED + "  - no: 4\n", text)
    text = replace("    ya: 4\n    tidak: 2\n", "    ya: 5\n    tidak: 2\n", text)
    return replace("  - no: 4\n    kegiatan: Mengirim", "  - no: 5\n    kegiatan: Mengirim", text)


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "v1" / "uji.yaml", tmp_path / "v2" / "uji.yaml"
    for path, text in ((old, VALID), (new, revised())):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    return old, new


def test_a_revision_in_the_words_of_the_sop(sop, versions) -> None:
    old, new = versions
    result = sop("diff", old, new, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["header"] == [{"field": "tanggal_revisi", "label": "Tanggal Revisi", "old": None, "new": "2026-07-01"}]
    assert data["lists"] == [{"field": "dasar_hukum", "label": "Dasar Hukum",
                              "added": ["Peraturan Bupati Uji Nomor 9 Tahun 2026"], "removed": []}]
    steps = {(s["old_no"], s["new_no"]): s for s in data["steps"]}
    assert steps[(2, 2)]["fields"] == [{"field": "waktu", "label": "Mutu Baku: Waktu", "old": "1 hari", "new": "2 hari"}]
    added = steps[(None, 3)]
    assert added["change"] == "added" and added["kegiatan"] == "Membahas konsep bersama staf"
    assert {"field": "pelaksana", "label": "Pelaksana", "old": None, "new": "Kepala, Staf"} in added["fields"]
    # renumbered, and the decision's YA follows its step: a new number, not a new flow
    assert [f["field"] for f in steps[(3, 4)]["fields"]] == ["no"]
    assert [f["field"] for f in steps[(4, 5)]["fields"]] == ["no"]
    assert len(data["steps"]) == 4

    text = sop("diff", old, new).output
    assert "Tanggal Revisi: (empty) -> 2026-07-01" in text or "Tanggal Revisi: (kosong) -> 2026-07-01" in text
    assert "Mutu Baku: Waktu: 1 hari -> 2 hari" in text
    assert "Membahas konsep bersama staf" in text and "+ Peraturan Bupati Uji Nomor 9 Tahun 2026" in text


def test_a_removed_step_and_an_unchanged_sop(sop, versions, tmp_path: Path) -> None:
    old, _new = versions
    shorter = tmp_path / "shorter.yaml"
    text = replace("  - no: 2\n    kegiatan: Menyusun konsep\n    pelaksana: [staf]\n    asal_pelaksana: sumber\n"
                   "    kelengkapan: Data\n    waktu: 1 hari\n    output: Konsep\n", "")
    shorter.write_text(replace("    tidak: 2\n", "    tidak: selesai\n", text), encoding="utf-8")
    data = json.loads(sop("diff", old, shorter, "--json").stdout)
    assert {"change": "removed", "old_no": 2, "new_no": None, "kegiatan": "Menyusun konsep", "fields": []} in data["steps"]
    tidak = [f for s in data["steps"] for f in s["fields"] if f["field"] == "tidak"]
    assert tidak == [{"field": "tidak", "label": "TIDAK ke langkah", "old": 2, "new": "selesai"}]
    same = sop("diff", old, old)
    assert same.exit_code == 0 and json.loads(sop("diff", old, old, "--json").stdout)["same"] is True


def test_catalog_ids_and_files_mix(sop, versions, monkeypatch) -> None:
    old, new = versions
    monkeypatch.setenv("SOP_PATH", str(old.parent))
    data = json.loads(sop("diff", "uji", new, "--json").stdout)
    assert data["old"] == "kabupaten-uji/kantor-uji/uji" and not data["same"]


def test_moving_a_live_run_to_the_new_version(sop, versions, monkeypatch) -> None:
    old, new = versions
    monkeypatch.setenv("SOP_PATH", str(old.parent))
    monkeypatch.setenv("SOP_NOW", "2026-11-24T08:10")
    run = json.loads(sop("start", "uji", "--at", "2026-11-24T08:00", "--json").stdout)["run"]
    assert sop("advance", "--run", run, "--step", "1", "--at", "2026-11-24T08:05").exit_code == 0
    result = sop("diff", "--run", run, new, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["current_step"] == 2 and data["current_in_new"] == 2
    assert data["added_ahead"] == [{"no": 3, "kegiatan": "Membahas konsep bersama staf", "waktu": "1 jam"}]
    assert data["removed_ahead"] == []
    assert data["time_changes"] == [{"old_no": 2, "new_no": 2, "kegiatan": "Menyusun konsep",
                                     "old": "1 hari", "new": "2 hari"}]
    # before: step 2 due 25 Nov 08:05, then 1 jam + 15 menit; after: one working day more, then 1 jam more
    assert data["end_before"] == "2026-11-25T09:20:00+07:00"
    assert data["end_after"] == "2026-11-26T10:20:00+07:00"
    text = sop("diff", "--run", run, new).output
    assert "Membahas konsep bersama staf" in text and "2026-11-25 09:20 WIB" in text and "2026-11-26 10:20 WIB" in text


def test_a_finished_run_changes_nothing(sop, versions, monkeypatch) -> None:
    old, new = versions
    monkeypatch.setenv("SOP_PATH", str(old.parent))
    monkeypatch.setenv("SOP_NOW", "2026-11-24T10:00")
    run = json.loads(sop("start", "uji", "--at", "2026-11-24T08:00", "--json").stdout)["run"]
    assert sop("cancel", "--run", run, "--reason", "batal", "--at", "2026-11-24T08:01").exit_code == 0
    data = json.loads(sop("diff", "--run", run, new, "--json").stdout)
    assert data["current_step"] is None and data["end_after"] is None


@pytest.mark.parametrize(("args", "code", "message"), [
    (["only-one.yaml"], 2, "Give two SOPs"),
    (["--run", "x", "a.yaml", "b.yaml"], 2, "With --run, give one SOP"),
    (["missing.yaml", "other.yaml"], 1, "missing.yaml: no such SOP file"),
])
def test_bad_arguments(sop, monkeypatch, args, code, message) -> None:
    monkeypatch.delenv("SOP_DEBUG")
    result = sop("diff", *args)
    assert result.exit_code == code, result.output
    assert message in result.output


def test_a_run_whose_current_step_the_new_version_drops(sop, versions, tmp_path: Path, monkeypatch) -> None:
    old, _new = versions
    monkeypatch.setenv("SOP_PATH", str(old.parent))
    monkeypatch.setenv("SOP_NOW", "2026-11-24T08:10")
    run = json.loads(sop("start", "uji", "--at", "2026-11-24T08:00", "--json").stdout)["run"]
    assert sop("advance", "--run", run, "--step", "1", "--at", "2026-11-24T08:05").exit_code == 0
    shorter = tmp_path / "shorter.yaml"
    text = replace("  - no: 2\n    kegiatan: Menyusun konsep\n    pelaksana: [staf]\n    asal_pelaksana: sumber\n"
                   "    kelengkapan: Data\n    waktu: 1 hari\n    output: Konsep\n", "")
    shorter.write_text(replace("    tidak: 2\n", "    tidak: selesai\n", text), encoding="utf-8")
    data = json.loads(sop("diff", "--run", run, shorter, "--json").stdout)
    assert data["current_step"] == 2 and data["current_in_new"] is None and data["end_after"] is None
    assert "cannot be moved" in sop("diff", "--run", run, shorter).output or \
        "tidak dapat dipindahkan" in sop("diff", "--run", run, shorter).output


def test_status_points_to_the_diff_when_the_file_changed(sop, versions, monkeypatch) -> None:
    old, new = versions
    monkeypatch.setenv("SOP_PATH", str(old.parent))
    monkeypatch.setenv("SOP_NOW", "2026-11-24T08:10")
    run = json.loads(sop("start", "uji", "--at", "2026-11-24T08:00", "--json").stdout)["run"]
    old.write_text(new.read_text(encoding="utf-8"), encoding="utf-8")
    out = sop("status", "--run", run).stdout
    hint = f"sop diff --run {run} {old.resolve()}"
    assert hint in out
    result = sop(*hint.split()[1:])
    assert result.exit_code == 0 and "Membahas konsep bersama staf" in result.output
