"""The flow rules of a run, on an SOP that uses every kind of link: `berikutnya`, `ya`, `tidak`.

The shipped SOPs only ever go to the following step or branch at a decision, so a run that
ignored `berikutnya` would pass every other run test (benchmarks/mutate.py showed it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from tests.conftest import write
from tests.sample import replace

# 1 mulai -> 2 -> 3 keputusan: ya 4, tidak 5; 4 berikutnya 6 (past the correction step);
# 5 (correction) berikutnya 3 (back to the review); 6 selesai.
FLOW = replace("""    ya: 4
    tidak: 2
""", """    ya: 4
    tidak: 5
""")
FLOW = replace("""  - no: 4
    kegiatan: Mengirim dokumen
    pelaksana: [staf]
    asal_pelaksana: sumber
    simbol: selesai
""", """  - no: 4
    kegiatan: Menandatangani dokumen
    pelaksana: [kepala]
    asal_pelaksana: sumber
    berikutnya: 6
    kelengkapan: Dokumen
    waktu: 10 menit
    output: Dokumen bertanda tangan
  - no: 5
    kegiatan: Memperbaiki konsep
    pelaksana: [staf]
    asal_pelaksana: sumber
    berikutnya: 3
    kelengkapan: Catatan koreksi
    waktu: 2 jam
    output: Konsep perbaikan
  - no: 6
    kegiatan: Mengirim dokumen
    pelaksana: [staf]
    asal_pelaksana: sumber
    simbol: selesai
""", FLOW)

Sop = Callable[..., Result]


@pytest.fixture
def flow(sop: Sop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sop:
    """`sop` with the FLOW SOP in ./sops and the clock at Monday 23 November 2026 08.00 WIB."""
    write(tmp_path / "sops" / "alur.yaml", FLOW)
    monkeypatch.setenv("SOP_NOW", "2026-11-23T08:00")
    assert sop("start", "kabupaten-uji/kantor-uji/uji").exit_code == 0
    return sop


def view(sop: Sop, *args: str) -> dict:
    result = sop(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def current(sop: Sop) -> int | None:
    state = view(sop, "status")
    return state["current"]["step"] if state["current"] else None


def test_the_forecast_follows_berikutnya_past_the_correction_step(flow: Sop) -> None:
    state = view(flow, "status")
    assert [p["step"] for p in state["forecast"]] == [1, 2, 3, 4, 6]
    assert state["progress"]["total"] == 5


def test_a_run_follows_tidak_then_berikutnya_back_and_past(flow: Sop) -> None:
    for step in (1, 2):
        view(flow, "advance", "--step", str(step))
    view(flow, "advance", "--step", "3", "--reject", "--reason", "kurang data")
    assert current(flow) == 5  # tidak
    view(flow, "advance", "--step", "5")
    assert current(flow) == 3  # berikutnya: back to the review
    view(flow, "advance", "--step", "3", "--approve")
    assert current(flow) == 4  # ya
    view(flow, "advance", "--step", "4")
    assert current(flow) == 6  # berikutnya: past the correction step
    view(flow, "advance", "--step", "6")
    state = view(flow, "status")
    assert state["status"] == "finished" and state["current"] is None
    assert state["rework_loops"] == 1


def test_a_step_done_at_its_due_minute_is_on_time_and_a_minute_later_is_late(flow: Sop,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_NOW", "2026-11-23T08:05")  # step 1 takes 5 menit from 08.00
    done = view(flow, "advance", "--step", "1")
    assert (done["visits"][0]["due_at"], done["visits"][0]["late"]) == ("2026-11-23T08:05:00+07:00", False)
    monkeypatch.setenv("SOP_NOW", "2026-11-24T08:06")  # step 2 takes 1 hari: due Tuesday 08.05
    done = view(flow, "advance", "--step", "2")
    assert (done["visits"][1]["due_at"], done["visits"][1]["late"]) == ("2026-11-24T08:05:00+07:00", True)


def test_validation_follows_berikutnya_when_it_looks_for_unreachable_steps(sop: Sop, tmp_path: Path) -> None:
    # Step 4 jumps over step 5 to the end and nothing else leads to 5.
    skipped = replace("    berikutnya: 3\n", "    berikutnya: 6\n", FLOW)
    skipped = replace("    tidak: 5\n", "    tidak: 2\n", skipped)
    path = write(tmp_path / "lompat.yaml", skipped)
    result = sop("validate", str(path))
    assert result.exit_code == 1
    assert "step 5 cannot be reached from the start (step 1)" in result.output
