"""Small format items of real SOPs: a lane with no step (a warning), a lane several people fill,
and the pengesah signing "a.n." the head, as Tata Naskah Dinas writes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sample import VALID, replace

SEKSI = replace("  - id: staf\n    nama: Staf\n",
                "  - id: staf\n    nama: Kepala Seksi\n    petugas: [Ani, \"Drs. Budi, M.Si\", Citra]\n")


def test_a_lane_with_no_step_is_a_warning(sop, tmp_path: Path) -> None:
    path = tmp_path / "uji.yaml"
    path.write_text(replace("  - id: staf\n", "  - id: bappeda\n    nama: BAPPEDA\n  - id: staf\n"), encoding="utf-8")
    result = sop("validate", path)
    assert result.exit_code == 0, result.output
    assert f"warning: {path}:23:5: pelaksana[1]: lane 'bappeda' (BAPPEDA) has no step" in result.output
    assert "1 of 1 SOP file(s) valid." in result.output
    data = json.loads(sop("validate", path, "--json").stdout)
    assert [w["warning"].split(": ", 2)[1] for w in data["warnings"]] == ["pelaksana[1]"]
    clean = tmp_path / "clean.yaml"
    clean.write_text(VALID, encoding="utf-8")
    assert "warning" not in sop("validate", clean).output


@pytest.fixture
def seksi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "sops"
    folder.mkdir()
    (folder / "uji.yaml").write_text(SEKSI, encoding="utf-8")
    monkeypatch.setenv("SOP_PATH", str(folder))
    monkeypatch.setenv("SOP_NOW", "2026-11-24T08:10")
    return folder


def test_a_lane_filled_by_several_people_names_each(sop, seksi) -> None:
    run = json.loads(sop("start", "uji", "--at", "2026-11-24T08:00", "--json").stdout)["run"]
    assert sop("advance", "--run", run, "--step", "1", "--at", "2026-11-24T08:05").exit_code == 0
    status = json.loads(sop("status", "--run", run, "--json").stdout)
    assert status["assignments"]["staf"] == "Ani; Drs. Budi, M.Si; Citra"
    assert "Ani; Drs. Budi, M.Si; Citra" in sop("status", "--run", run).output
    report = json.loads(sop("report", "--run", run, "--format", "json").stdout)
    assert report["assignments"]["Kepala Seksi"] == "Ani; Drs. Budi, M.Si; Citra"


def test_assign_names_several_people_over_the_file(sop, seksi, monkeypatch) -> None:
    started = sop("start", "uji", "--assign", "staf=Dedi ;  Eka;", "--at", "2026-11-24T08:00", "--json")
    assert json.loads(started.stdout)["assignments"]["staf"] == "Dedi; Eka"
    monkeypatch.delenv("SOP_DEBUG")
    refused = sop("start", "uji", "--assign", "staf=;", "--at", "2026-11-24T08:00")
    assert refused.exit_code == 2 and "name the person" in refused.output


SIGNED = replace("  jabatan: Kepala Kantor Uji\n",
                 "  jabatan: Sekretaris\n  kedudukan: plt\n  atas_nama: Kepala Kantor Uji\n")


def test_the_pengesah_signs_on_behalf_of_the_head(sop, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "sops"
    folder.mkdir()
    (folder / "uji.yaml").write_text(SIGNED, encoding="utf-8")
    monkeypatch.setenv("SOP_PATH", str(folder))
    md = sop("render", "sop", "uji", "--format", "md")
    assert md.exit_code == 0, md.output
    assert "| Disahkan oleh | a.n. KEPALA KANTOR UJI<br>Plt. Sekretaris<br>**BUDI SANTOSO, S.E.**" in md.stdout
    html = sop("render", "sop", "uji", "--format", "html", "--out", tmp_path / "sop.html")
    assert html.exit_code == 0, html.output
    page = (tmp_path / "sop.html").read_text(encoding="utf-8")
    assert "<div>a.n. KEPALA KANTOR UJI</div><div>Plt. Sekretaris</div>" in page


def test_u_b_needs_a_n(sop, tmp_path: Path) -> None:
    path = tmp_path / "uji.yaml"
    path.write_text(replace("  jabatan: Kepala Kantor Uji\n", "  jabatan: Kasubag Umum\n  untuk_beliau: Sekretaris\n"),
                    encoding="utf-8")
    result = sop("validate", path)
    assert result.exit_code == 1 and "give atas_nama (a.n.) too" in result.output
