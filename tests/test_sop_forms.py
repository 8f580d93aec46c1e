"""The SOP file forms offices write, as users meet them: `sop validate`, `sop start`, `sop status`,
`sop advance`, `sop runs`, `sop report`, and the example SOPs under examples/sops."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.sample import replace

EXAMPLES = REPO / "examples" / "sops"
KELURAHAN = EXAMPLES / "jayapura" / "kelurahan-entrop" / "surat-domisili.yaml"
DINAS = EXAMPLES / "contoh" / "dinas-contoh" / "telaah-izin.yaml"

ORG_LINE = "  alias: [uji]\n"


def user_run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`sop ARGS` as a user runs it: a new process, without SOP_DEBUG."""
    environ = {k: v for k, v in os.environ.items() if k != "SOP_DEBUG"}
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "sop_cli", *map(str, args)], capture_output=True, text=True,
                          env=environ, timeout=60)


def write_sop(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sops" / "uji.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# Validation -----------------------------------------------------------------------------------


NEW_FORMS = replace("    waktu: 1 hari\n", "    waktu: 1-2 Hari\n",
                    replace("    waktu: 1 jam\n", "    waktu: 0,5 jam\n",
                            replace("    waktu: 5 menit\n", "    waktu: 2 jam 30 menit\n")))


@pytest.mark.parametrize("organisasi", [
    "",
    "  hari_libur:\n    - tanggal: \"17-11\"\n      nama: Hari Jadi Kabupaten\n",
    "  hari_libur:\n    - tanggal: 2024-11-17\n      setiap_tahun: true\n      nama: Hari Jadi\n"
    "    - tanggal: 2026-12-28\n      nama: Libur sekali\n",
    "  jam_kerja:\n    jadwal:\n      senin-kamis: 07.30-12.00, 13.00-16.00\n      jumat: 07.30-11.30, 13.00-16.30\n"
    "      sabtu: 08.00-12.00\n    ramadan: asn\n    awal_ramadan: [2027-02-08]\n",
    "  jam_kerja:\n    ramadan:\n      senin-jumat: [08.00-12.00, 12.30-15.00]\n",
])
def test_new_forms_validate(sop, tmp_path: Path, organisasi: str) -> None:
    path = write_sop(tmp_path, replace(ORG_LINE, ORG_LINE + organisasi, NEW_FORMS))
    result = sop("validate", path)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("    waktu: 1 hari\n", "    waktu: 9999 minggu\n", ["uji.yaml:39:", "langkah[1].waktu", "longer than a step can take"]),
    ("    waktu: 1 hari\n", "    waktu: 1.5 jam\n", ["langkah[1].waktu", "decimal with a comma"]),
    ("    waktu: 1 hari\n", "    waktu: 2-1 hari\n", ["langkah[1].waktu", "smaller end first"]),
    ("    waktu: 1 hari\n", "    waktu: 1 hari 2 jam\n", ["langkah[1].waktu", "mixes units"]),
    (ORG_LINE, ORG_LINE + "  hari_libur:\n    - tanggal: \"31-02\"\n      nama: X\n",
     ["organisasi.hari_libur[0].tanggal", "no day 31 in month 2"]),
    (ORG_LINE, ORG_LINE + "  hari_libur:\n    - tanggal: 17/11\n      nama: X\n",
     ["organisasi.hari_libur[0].tanggal", "yearly date (DD-MM"]),
    (ORG_LINE, ORG_LINE + "  jam_kerja:\n    jadwal:\n      senen: 07.30-16.00\n",
     ["organisasi.jam_kerja.jadwal", "'senen' is not a day"]),
    (ORG_LINE, ORG_LINE + "  jam_kerja:\n    jadwal:\n      senin: 07.30-25.00\n",
     ["organisasi.jam_kerja.jadwal", "not a time of day"]),
    (ORG_LINE, ORG_LINE + "  jam_kerja:\n    ramadan: ya\n", ["organisasi.jam_kerja.ramadan"]),
])
def test_bad_forms_are_located_and_explained(sop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, old: str,
                                            new: str, expected: list[str]) -> None:
    monkeypatch.delenv("SOP_DEBUG")  # as users run it: a bug would show as exit 70, not a traceback
    path = write_sop(tmp_path, replace(old, new))
    result = sop("validate", path)
    assert result.exit_code == 1, result.output
    output = result.output
    assert "Traceback" not in output
    for text in expected:
        assert text in output, output


def test_start_refuses_what_validate_refuses(tmp_path: Path) -> None:
    write_sop(tmp_path, replace("    waktu: 1 hari\n", "    waktu: 9999 minggu\n"))
    env = {"SOP_HOME": str(tmp_path / "home"), "SOP_PATH": str(tmp_path / "sops"), "SOP_NOW": "2026-11-26T09:00"}
    validate = user_run("validate", tmp_path / "sops" / "uji.yaml", env=env)
    start = user_run("start", "uji", env=env)
    assert validate.returncode == 1 and start.returncode == 1, start.stdout + start.stderr
    assert "longer than a step can take" in validate.stdout + validate.stderr
    assert "invalid: run `sop validate`" in start.stderr
    assert "Traceback" not in start.stderr


def test_the_schema_carries_the_waktu_pattern_and_the_new_fields(sop) -> None:
    schema = json.loads(sop("schema").output)
    assert "pattern" in schema["$defs"]["Langkah"]["properties"]["waktu"]
    assert "jam_kerja" in schema["$defs"]["Organisasi"]["properties"]
    assert "setiap_tahun" in schema["$defs"]["HariLibur"]["properties"]


# The examples ---------------------------------------------------------------------------------


def test_the_examples_validate(sop) -> None:
    result = sop("validate", EXAMPLES)
    assert result.exit_code == 0, result.output
    assert "9 of 9 SOP file(s) valid." in result.output


def test_show_names_the_office_hours_and_days_off(sop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_PATH", str(EXAMPLES))
    result = sop("show", "surat-domisili")
    assert result.exit_code == 0, result.output
    assert "Mon–Thu 07.30–16.00, Fri 07.30–16.30, Sat 08.00–12.00" in result.output
    assert "07-03 setiap tahun Hari Jadi Kota Jayapura" in result.output
    assert "Jam kerja" not in sop("show", "telaah-izin").output  # the ASN week needs no line


@pytest.fixture
def examples(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOP_PATH", str(EXAMPLES))
    monkeypatch.setenv("SOP_USER", "petugas")

    def at(moment: str) -> None:
        monkeypatch.setenv("SOP_NOW", moment)

    return at


def status(sop, run: str) -> dict:
    result = sop("status", "--run", run, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_kelurahan_run_in_wit_with_a_saturday_counter(sop, examples, tmp_path: Path) -> None:
    examples("2026-11-20T08:00")  # WIB: Friday 20 November 2026 10.00 WIT
    result = sop("start", "surat-domisili", "--json")
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    assert view["office_hours"].startswith("Mon–Thu 07.30–16.00, Fri 07.30–16.30, Sat 08.00–12.00; "
                                           "other hours 19 Feb–20 Mar 2026, 8 Feb–9 Mar 2027")
    forecast = {p["step"]: p for p in view["forecast"]}
    assert forecast[3]["waktu"] == "1-2 hari"
    # step 3 starts Friday 10.15 WIT; two working days are Saturday and Monday, at the upper bound
    assert forecast[3]["planned_start"] == "2026-11-20T10:15:00+09:00"
    assert forecast[3]["planned_due"] == "2026-11-23T10:15:00+09:00"
    assert forecast[7]["planned_start"] == forecast[7]["planned_due"]  # no fixed time: no time planned

    run = view["run"]
    examples("2026-11-24T08:00")  # the steps below are recorded afterwards, with --at
    for step, moment, extra in [(1, "2026-11-20T10:05", ()), (2, "2026-11-20T10:15", ("--approve",)),
                                (3, "2026-11-21T11:00", ()), (4, "2026-11-21T11:45", ()),
                                (5, "2026-11-24T08:00", ()), (6, "2026-11-24T08:20", ())]:
        result = sop("advance", "--run", run, "--step", str(step), "--at", moment, *extra)
        assert result.exit_code == 0, result.output
    visits = {v["step"]: v for v in status(sop, run)["visits"] if v["completed_at"]}
    assert {n: v["late"] for n, v in visits.items()} == {1: False, 2: False, 3: False, 4: False, 5: False, 6: False}
    # "30 menit - 1 jam" took 45 minutes on Saturday: past the lower bound, within the deadline
    assert visits[4]["actual_minutes"] == 45 and visits[4]["due_at"] == "2026-11-21T12:00:00+09:00"

    examples("2027-01-04T08:00")  # six weeks later the applicant has still not come
    current = status(sop, run)["current"]
    assert (current["step"], current["late"], current["untimed"]) == (7, False, True)
    text = sop("status", "--run", run).output
    assert "no fixed time" in text and "LATE" not in text
    runs = sop("runs").output
    assert "sesuai jadwal" in runs and "on time" in runs

    assert sop("advance", "--run", run, "--step", "7").exit_code == 0
    report = json.loads(sop("report", "--run", run, "--format", "json").stdout)
    row = next(r for r in report["rows"] if r["step"] == 7)
    assert row["late"] is False and row["difference_minutes"] is None and row["actual_minutes"] > 0
    assert report["summary"]["late_steps"] == []


def test_a_run_pins_its_office_hours(sop, examples, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples("2026-11-20T08:00")
    copy = tmp_path / "mine" / "jayapura" / "kelurahan-entrop" / "surat-domisili.yaml"
    copy.parent.mkdir(parents=True)
    copy.write_text(KELURAHAN.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("SOP_PATH", str(tmp_path / "mine"))
    run = json.loads(sop("start", "surat-domisili", "--json").stdout)["run"]
    before = status(sop, run)["forecast"]

    # the office closes its Saturday counter; the running request keeps the hours it started with
    copy.write_text(copy.read_text(encoding="utf-8").replace('      sabtu: "08.00-12.00"\n', ""), encoding="utf-8")
    assert sop("validate", copy).exit_code == 0
    assert status(sop, run)["forecast"] == before
    assert "Sat 08.00–12.00" in status(sop, run)["office_hours"]


def test_calendar_days_and_months_in_a_run(sop, examples) -> None:
    examples("2026-11-13T07:00")  # Friday 13 November 2026, 08.00 WITA
    view = json.loads(sop("start", "telaah-izin", "--json").stdout)
    forecast = {p["step"]: p for p in view["forecast"]}
    assert forecast[1]["planned_due"] == "2026-11-13T10:30:00+08:00"  # 2 jam 30 menit
    # 3 hari kalender from Friday 10.30 ends on Monday 16 November at the same office position
    assert forecast[2]["planned_due"] == "2026-11-16T10:30:00+08:00"
    assert forecast[3]["planned_due"] == "2026-11-16T12:00:00+08:00"  # 1,5 jam
    # 1 bulan from Monday 16 November 12.00: 16 December 2026 at the same office position
    assert forecast[4]["planned_due"] == "2026-12-16T12:00:00+08:00"
