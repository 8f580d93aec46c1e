"""The definition graph: the flow rules (which step follows which) as every part of sop sees them.

The SOP here has a `berikutnya` that skips a step: step 3 goes on to 5, while step 4 is only the
TIDAK branch of decision 2 (and then falls through to 5). A run, the forecast, the reviewer's
checks and the flowchart must all follow it; dropping any one flow rule breaks one of these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sop_cli.definition.graph import LIST_PAIRS, LISTS, Graph, successors
from tests.conftest import write
from tests.sample import VALID

STEPS = """\
langkah:
  - no: 1
    kegiatan: Memerintahkan penyusunan
    pelaksana: [kepala]
    asal_pelaksana: sumber
    simbol: mulai
    kelengkapan: Disposisi
    waktu: 5 menit
    output: Disposisi
  - no: 2
    kegiatan: Memilih cara
    pelaksana: [kepala]
    asal_pelaksana: sumber
    simbol: keputusan
    ya: 3
    tidak: 4
    kelengkapan: Data
    waktu: 1 jam
    output: Keputusan
  - no: 3
    kegiatan: Menyusun sendiri
    pelaksana: [staf]
    asal_pelaksana: sumber
    kelengkapan: Data
    waktu: 1 hari
    output: Konsep
    berikutnya: 5
  - no: 4
    kegiatan: Meminta bantuan
    pelaksana: [staf]
    asal_pelaksana: sumber
    kelengkapan: Data
    waktu: 2 jam
    output: Konsep
  - no: 5
    kegiatan: Mengirim dokumen
    pelaksana: [staf]
    asal_pelaksana: sumber
    simbol: selesai
    kelengkapan: Dokumen
    waktu: 15 menit
    output: Surat pengantar
"""

SKIPPING = VALID[: VALID.index("langkah:")] + STEPS


@pytest.fixture
def skipping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = write(tmp_path / "mine" / "uji.yaml", SKIPPING)
    monkeypatch.setenv("SOP_PATH", str(path.parent))
    monkeypatch.setenv("SOP_NOW", "2026-11-23T08:00")  # a Monday
    return path


def status(sop) -> dict:
    result = sop("status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_successor_rule() -> None:
    assert successors("keputusan", 3, 4, None, 3) == (3, 4)
    assert successors("selesai", None, None, None, 6) == ()
    assert successors("proses", None, None, 5, 4) == (5,)
    assert successors("mulai", None, None, None, 2) == (2,)
    assert successors("proses", None, None, None, None) == ()


def test_a_run_follows_berikutnya_past_the_step_written_next(sop, skipping) -> None:
    started = sop("start", "uji", "--json")
    assert started.exit_code == 0, started.output
    assert [p["step"] for p in json.loads(started.stdout)["forecast"]] == [1, 2, 3, 5]

    for args in (("--step", "1"), ("--step", "2", "--approve"), ("--step", "3")):
        assert sop("advance", *args).exit_code == 0
    view = status(sop)
    assert view["current"]["step"] == 5
    assert [v["step"] for v in view["visits"]] == [1, 2, 3, 5]


def test_a_rejection_takes_the_tidak_branch_which_then_falls_through(sop, skipping) -> None:
    assert sop("start", "uji").exit_code == 0
    assert sop("advance", "--step", "1").exit_code == 0
    assert sop("advance", "--step", "2", "--reject", "--reason", "minta bantuan").exit_code == 0
    assert status(sop)["current"]["step"] == 4
    assert sop("advance", "--step", "4").exit_code == 0
    view = status(sop)
    assert view["current"]["step"] == 5 and view["rework_loops"] == 0  # a TIDAK forward is a branch, not rework


def test_the_reviewer_follows_berikutnya(sop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOP_DEBUG")
    # 3 goes back to 2, a decision whose both branches lead to 3 or 4: nothing reaches the end.
    stuck = SKIPPING.replace("    berikutnya: 5\n", "    berikutnya: 2\n").replace("tidak: 4", "tidak: 3")
    result = sop("validate", write(tmp_path / "stuck.yaml", stuck))
    assert result.exit_code == 1
    assert "step 2 never leads to the end" in result.output
    assert "step 4 cannot be reached from the start" in result.output

    assert sop("validate", write(tmp_path / "fine.yaml", SKIPPING)).exit_code == 0


def test_the_flowchart_draws_the_berikutnya_arrow(skipping) -> None:
    from sop_cli.definition.loader import load_definition
    from sop_cli.render.flowchart import mermaid

    chart = mermaid(load_definition(skipping))
    assert "s3 --> s5" in chart and "s3 --> s4" not in chart
    assert "s2 -- YA --> s3" in chart and "s2 -- TIDAK --> s4" in chart
    assert "s4 --> s5" in chart


def test_the_graph_of_a_model_and_of_its_json_form_agree(skipping) -> None:
    from sop_cli.definition.loader import load_definition
    from sop_cli.definition.model import plain

    model = load_definition(skipping)
    graph = Graph.from_json(plain(model))
    assert graph == model.graph
    assert graph.main_path == [1, 2, 3, 5]
    assert graph.after(2, "rejected") == 4 and graph.after(2, "approved") == 3
    assert graph.after(5, "done") is None


def test_the_six_lists_have_one_set_of_titles() -> None:
    from sop_cli.definition.model import SopDefinition

    assert [key for key, _ in LISTS] == [
        name for name in SopDefinition.model_fields if name in dict(LISTS)
    ]
    assert [item for pair in LIST_PAIRS for item in pair] == list(LISTS)



def test_the_plan_follows_berikutnya_and_ends_with_its_last_step(skipping) -> None:
    from datetime import datetime, timedelta, timezone

    from sop_cli.definition.loader import load_definition
    from sop_cli.run import engine
    from sop_cli.worktime import WorkCalendar

    at = datetime(2026, 11, 23, 15, 50, tzinfo=timezone(timedelta(hours=7)))  # late on a Monday
    started = engine.Event(1, "started", at, at, "uji", "os", None, {"run": "uji-2026", "year": 2026})
    state = engine.derive(load_definition(skipping), [started], WorkCalendar())
    plan = state.plan(at)
    assert [p.step for p in plan.steps] == [1, 2, 3, 5]
    assert plan.end == plan.steps[-1].planned_due


def test_a_tidak_that_ends_the_process_is_an_end_of_the_graph(skipping) -> None:
    from sop_cli.definition.loader import load_definition
    from sop_cli.definition.model import plain

    data = plain(load_definition(skipping))
    data["langkah"][1]["tidak"] = "selesai"
    data["langkah"][2]["berikutnya"] = 2  # 3 goes back to 2: only a refusal at 2 leaves the loop
    graph = Graph.from_json(data)
    assert successors("keputusan", 3, "selesai", None, 3) == (3,)
    assert graph.successors(2) == (3,) and graph.step(2).refusal_ends
    assert graph.after(2, "rejected") is None and graph.after(2, "approved") == 3
    assert (2, None, "TIDAK") in list(graph.edges()) and (2, 3, "YA") in list(graph.edges())
    assert graph.unreachable() == [4, 5]
    assert graph.never_finishing() == []  # the refusal finishes 2 and 3
    data["langkah"][1]["tidak"] = 3
    assert Graph.from_json(data).never_finishing() == [1, 2, 3]
