"""A tolerance for the monitoring form's verdict is the SOP's (`toleransi:`) or the office's (`sop
org toleransi`), never the tool's: within it an overrun is judged "Berjalan dengan baik" and still
stated in Catatan; without one every overrun is left to the assessor; the form says which."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sample import replace

# Monday 23 November 2026, WIB, the ASN week: (step, completed at, extra options) and the overrun
STEPS = [
    (1, "2026-11-23 08:15", []),              # 5 menit: 15 -> +10
    (2, "2026-11-24 10:00", []),              # 1 hari: from Monday 08.15 -> +105
    (3, "2026-11-24 10:30", ["--approve"]),   # 1 jam: 30 -> on time
    (4, "2026-11-24 10:50", []),              # 15 menit: 20 -> +5
]


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write the SOP `uji` of the Kantor Uji (with `extra` top-level lines) in its own folder."""
    folder = tmp_path / "sops" / "kabupaten-uji" / "kantor-uji"
    folder.mkdir(parents=True)
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "sops"))
    monkeypatch.setenv("SOP_USER", "petugas")
    monkeypatch.setenv("SOP_NOW", "2026-11-25T09:00")

    def write(extra: str = "", *, layanan: bool = False) -> Path:
        text = replace("nama: Prosedur Uji\n", "nama: Prosedur Uji\n" + ("jenis: layanan\n" if layanan else "") + extra)
        path = folder / "uji.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def run_through(sop, untuk: str | None = None, *, again: bool = False) -> str:
    args = (["--untuk", untuk] if untuk else []) + (["--again"] if again else [])
    started = sop("start", "uji", "--at", "2026-11-23 08:00", *args, "--json")
    assert started.exit_code == 0, started.output
    run = json.loads(started.stdout)["run"]
    for step, at, extra in STEPS:
        result = sop("advance", "--run", run, "--step", str(step), "--at", at, *extra)
        assert result.exit_code == 0, result.output
    return run


def monitoring(sop, run: str) -> dict:
    result = sop("report", "--run", run, "--monitoring", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_sops_tolerance_judges_a_small_overrun_good_and_says_so(sop, office) -> None:
    office("toleransi: 15 menit\n")
    run = run_through(sop)
    data = monitoring(sop, run)
    rows = {r["step"]: r for r in data["rows"]}
    assert data["toleransi"] == {"text": "15 menit", "percent": None, "source": "sop"}
    # +10 and +5 are within 15 menit: good, the overrun still in Catatan; +105 is the assessor's
    assert rows[1]["penilaian"] == "Berjalan dengan baik" and rows[1]["tindakan"] == "-"
    assert rows[1]["catatan"] == "Melewati mutu baku 5 menit: selesai 10 menit lebih lama, masih dalam toleransi 15 menit."
    assert rows[4]["baik"] is True and "5 menit lebih lama, masih dalam toleransi" in rows[4]["catatan"]
    assert rows[2]["penilaian"] is None and rows[2]["tindakan"] == "" and "toleransi" not in rows[2]["catatan"]
    assert rows[3]["catatan"] == "Selesai dalam mutu baku 1 jam."
    html = sop("report", "--run", run, "--monitoring", "--format", "html").stdout
    assert ("toleransi 15 menit (ditetapkan dalam SOP): langkah yang melewati mutu baku tidak lebih dari toleransi "
            "dinilai berjalan dengan baik dan kelebihannya dicatat") in html
    assert "Toleransi: 15 menit (ditetapkan dalam SOP)" in sop("report", "--run", run, "--monitoring").stdout
    md = sop("report", "--run", run, "--monitoring", "--format", "md").stdout
    assert "- Metode: catatan pelaksanaan langkah" in md and "toleransi 15 menit (ditetapkan dalam SOP)" in md
    # the report's own count of steps within Mutu Baku stays strict
    report = json.loads(sop("report", "--run", run, "--format", "json").stdout)
    assert report["summary"]["late_steps"] == [1, 2, 4]


def test_the_offices_tolerance_applies_where_the_sop_sets_none_and_the_sops_wins(sop, office) -> None:
    path = office()
    run = run_through(sop)
    rows = {r["step"]: r for r in monitoring(sop, run)["rows"]}
    assert [rows[n]["baik"] for n in (1, 2, 3, 4)] == [None, None, True, None]  # no tolerance: as before
    html = sop("report", "--run", run, "--monitoring", "--format", "html").stdout
    assert "tanpa toleransi: langkah yang melewati mutu baku dinilai oleh penilai" in html

    told = sop("org", "toleransi", "uji", "50%")
    assert told.exit_code == 0, told.output
    assert "50%" in sop("org", "show", "uji").stdout
    data = monitoring(sop, run)
    assert data["toleransi"] == {"text": "50%", "percent": 50, "source": "organisasi"}
    rows = {r["step"]: r for r in data["rows"]}
    # 50% of 5 menit is 2.5: +10 is not within; of 1 hari (450) 225: +105 is; of 15 menit 7.5: +5 is
    assert [rows[n]["baik"] for n in (1, 2, 3, 4)] == [None, True, True, True]
    html = sop("report", "--run", run, "--monitoring", "--format", "html").stdout
    assert "toleransi 50% dari mutu baku setiap langkah (ditetapkan oleh unit kerja)" in html

    # a run pins its SOP: the SOP's tolerance counts for runs started from it, and wins
    path.write_text(path.read_text(encoding="utf-8").replace("langkah:\n", "toleransi: 15 menit\nlangkah:\n", 1),
                    encoding="utf-8")
    later = run_through(sop, again=True)
    data = monitoring(sop, later)
    assert data["toleransi"]["source"] == "sop" and data["rows"][0]["baik"] is True
    assert monitoring(sop, run)["toleransi"]["source"] == "organisasi"

    assert sop("org", "toleransi", "uji", "").exit_code == 0
    assert monitoring(sop, run)["toleransi"] is None


@pytest.mark.parametrize(("value", "problem"), [
    ("15 mnit", "'15 mnit' is not a tolerance"),
    ("150%", "a whole percentage from 1 to 100"),
    ("1-2 hari", "is not a tolerance"),
    ("sesuai jadwal", "is not a tolerance"),
])
def test_a_tolerance_that_is_none_is_refused_where_it_is_written(sop, office, value: str, problem: str) -> None:
    path = office(f"toleransi: {value}\n")
    result = sop("validate", path)
    assert result.exit_code == 1
    assert "uji.yaml:3:" in result.output and "toleransi" in result.output and problem in result.output
    office()
    told = sop("org", "toleransi", "uji", value)
    assert told.exit_code == 2 and problem in told.output
    assert not (path.parent / "organisasi.yaml").exists()


def test_an_organisation_file_with_a_bad_tolerance_is_refused_with_its_line(sop, office) -> None:
    path = office()
    (path.parent / "organisasi.yaml").write_text("pejabat: {}\ntoleransi: sebentar\n", encoding="utf-8")
    run = run_through(sop)
    result = sop("report", "--run", run, "--monitoring", "--format", "json")
    assert result.exit_code != 0
    assert "organisasi.yaml:2:" in result.output and "toleransi: 'sebentar' is not a tolerance" in result.output


def test_the_period_form_uses_the_same_tolerance(sop, office) -> None:
    office(layanan=True)
    for name in ("Pemohon Satu", "Pemohon Dua"):
        run_through(sop, untuk=name)
    args = ("report", "--sop", "uji", "--bulan", "2026-11", "--monitoring")
    steps = json.loads(sop(*args, "--format", "json").stdout)["steps"]
    assert [s["baik"] for s in steps] == [False, False, True, False]  # nine of ten within Mutu Baku: none
    assert sop("org", "toleransi", "uji", "15 menit").exit_code == 0
    data = json.loads(sop(*args, "--format", "json").stdout)
    assert data["toleransi"] == {"text": "15 menit", "percent": None, "source": "organisasi"}
    assert [s["baik"] for s in data["steps"]] == [True, False, True, True]
    table = sop(*args).stdout
    assert "Toleransi: 15 menit (ditetapkan oleh unit kerja)" in table
    assert "melewati mutu baku, masih dalam toleransi 15 menit" in table
    html = sop(*args, "--format", "html").stdout
    assert ("sesuai mutu baku atau melewatinya tidak lebih dari toleransi 15 menit (ditetapkan oleh unit kerja)"
            in html)
    assert html.count("masih dalam toleransi 15 menit") == 2
