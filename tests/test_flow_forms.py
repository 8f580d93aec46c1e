"""Steps done at the same time (`paralel`: AND split and join), lanes outside the office
(`eksternal`) and a step done by another SOP (`sub_sop`): validation, a run end to end through the
CLI, the forecast, the report and the monitoring form, and the pinned format."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sop_cli.definition.graph import Graph
from tests.conftest import REPO

EXAMPLES = REPO / "examples" / "sops"
TEKNIS = EXAMPLES / "contoh" / "dinas-contoh" / "rekomendasi-teknis.yaml"
RUN = "rekomendasi-teknis-2026-0001"


@pytest.fixture
def examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_PATH", str(EXAMPLES))
    monkeypatch.setenv("SOP_USER", "petugas")
    monkeypatch.setenv("SOP_NOW", "2026-12-07T08:00+08:00")


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = TEKNIS.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "teknis.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def status(sop: Any, run: str = RUN) -> dict[str, Any]:
    result = sop("status", "--run", run, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


# Validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "message"), [
    ("    paralel: [3, 4]\n", "    paralel: [3, 5]\n",
     "langkah[1].paralel: step 2: the parallel steps must be the ones written right after it, in order (here [3, 4])"),
    ("    paralel: [3, 4]\n", "    paralel: [3]\n",
     "langkah[1].paralel: step 2: paralel needs two or more different steps done at the same time"),
    ("    paralel: [3, 4]\n", "    paralel: [3, 9]\n", "langkah[1].paralel: step 2: paralel names step 9, which does not exist"),
    ("    tidak: 5\n", "    tidak: 4\n",
     "langkah[5].tidak: step 6: tidak points into the parallel step 4; point to step 2, which starts all of them"),
    ("    waktu: 1 hari\n    output: Berita acara peninjauan\n",
     "    waktu: 1 hari\n    output: Berita acara peninjauan\n    berikutnya: 6\n",
     "langkah[2].berikutnya: step 3 runs in parallel and goes on to the step after the parallel steps"),
    ("    waktu: 2 jam\n    output: Rekomendasi teknis\n",
     "    waktu: 2 jam\n    output: Rekomendasi teknis\n    sub_sop: rapat-koordinasi\n",
     "langkah[5].sub_sop: step 6: only a proses step can be done by another SOP (simbol is keputusan)"),
    ("    sub_sop: rapat-koordinasi\n", "    sub_sop: Rapat Koordinasi\n",
     "'Rapat Koordinasi' does not name an SOP: write its id ('rapat') or 'wilayah/organisasi/id'"),
    ("    eksternal: true\n", "    eksternal: kadang\n", "pelaksana[0].eksternal"),
])
def test_bad_parallel_external_and_sub_sop_fields_are_located(sop, tmp_path: Path, old: str, new: str,
                                                              message: str) -> None:
    result = sop("validate", edited(tmp_path, old, new))
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "teknis.yaml:" in result.output and "Traceback" not in result.output


def test_a_parallel_step_cannot_be_a_decision_and_a_split_needs_a_join(sop, tmp_path: Path) -> None:
    text = TEKNIS.read_text(encoding="utf-8")
    cut = text.index("  - no: 5\n")
    path = tmp_path / "no-join.yaml"
    path.write_text(text[:cut], encoding="utf-8")
    result = sop("validate", path)
    assert result.exit_code == 1
    assert "step 2: no step is written after the parallel steps to wait for them (the join)" in result.output

    branch = edited(tmp_path, "    kegiatan: Meninjau lokasi\n",
                    "    kegiatan: Meninjau lokasi\n    simbol: keputusan\n    ya: 5\n    tidak: 2\n")
    result = sop("validate", branch)
    assert result.exit_code == 1
    assert "step 3 runs in parallel and must be a proses, not keputusan" in result.output


def test_the_graph_splits_and_joins() -> None:
    from sop_cli.definition.loader import load_definition

    graph = load_definition(TEKNIS).graph
    assert isinstance(graph, Graph)
    assert graph.successors(2) == (3, 4) and graph.successors(3) == (5,) and graph.successors(4) == (5,)
    assert graph.step(2).join == 5 and graph.step(3).split == 2 and graph.step(4).join == 5
    assert graph.main_path == [1, 2, 3, 4, 5, 6, 7]
    assert graph.after_all(2, "done") == (3, 4)
    assert {(a, b) for a, b, _ in graph.edges()} >= {(2, 3), (2, 4), (3, 5), (4, 5)}
    assert (graph.step(1).external, graph.step(4).external, graph.step(7).external) == (True, True, False)
    assert graph.step(5).sub_sop == "rapat-koordinasi"
    assert graph.unreachable() == [] and graph.never_finishing() == []


# A run end to end ----------------------------------------------------------------------------------


def start_and_split(sop: Any) -> None:
    ok(sop("start", "rekomendasi-teknis", "--at", "2026-11-30T08:00"))  # Monday, WITA
    ok(sop("advance", "--run", RUN, "--at", "2026-11-30T09:00"))
    ok(sop("advance", "--run", RUN, "--at", "2026-11-30T09:30"))


def test_parallel_steps_are_current_together_and_the_join_waits_for_both(
        sop, examples, monkeypatch: pytest.MonkeyPatch) -> None:
    start_and_split(sop)
    monkeypatch.setenv("SOP_NOW", "2026-11-30T09:45+08:00")
    view = status(sop)
    assert [c["step"] for c in view["current_steps"]] == [3, 4]
    assert view["current"]["step"] == 3
    # the forecast: both branches from the split's end, the join at the later branch end (3 hari, BAPPEDA)
    forecast = {p["step"]: p for p in view["forecast"]}
    assert forecast[3]["planned_start"] == forecast[4]["planned_start"]
    assert forecast[5]["planned_start"] == forecast[4]["planned_due"]
    assert datetime.fromisoformat(forecast[4]["planned_due"]) > datetime.fromisoformat(forecast[3]["planned_due"])
    assert [p["step"] for p in view["next_steps"]] == [5, 6, 7]
    # a week later the site visit (step 3) is late: the join is planned from now, not from its due time
    monkeypatch.setenv("SOP_NOW", "2026-12-07T08:00+08:00")
    late = {p["step"]: p for p in status(sop)["forecast"]}
    assert late[5]["planned_start"].startswith("2026-12-07T08:00")

    which = sop("advance", "--run", RUN)
    assert which.exit_code == 2
    assert "Several steps are current at the same time: 3 (Meninjau lokasi); 4 (" in which.output
    assert "--step N" in which.output and "Traceback" not in which.output
    assert len(status(sop)["events"]) == 3  # nothing recorded

    ok(sop("advance", "--run", RUN, "--step", "3", "--at", "2026-12-01T09:00"))
    view = status(sop)
    assert [c["step"] for c in view["current_steps"]] == [4]  # the join waits for BAPPEDA
    assert view["progress"]["done"] == 3
    moved = sop("advance", "--run", RUN, "--step", "3")
    assert moved.exit_code == 3 and "the current step is 4" in moved.output

    ok(sop("advance", "--run", RUN, "--step", "4", "--at", "2026-12-04T10:00"))
    view = status(sop)
    assert [c["step"] for c in view["current_steps"]] == [5]
    assert view["current"]["since"].startswith("2026-12-04T10:00")

    # undo reverses the latest step event (step 4) and reopens that branch only
    ok(sop("undo", "--run", RUN, "--reason", "salah catat"))
    assert [c["step"] for c in status(sop)["current_steps"]] == [4]


def test_the_guard_rails_name_every_current_step_of_a_split(sop, examples) -> None:
    start_and_split(sop)
    ahead = sop("advance", "--run", RUN, "--step", "5")
    assert ahead.exit_code == 3
    assert "Step 5 is not current yet: step 3 (Meninjau lokasi), 4 (" in ahead.output
    ok(sop("advance", "--run", RUN, "--step", "3", "--at", "2026-12-01T09:00"))
    done = sop("advance", "--run", RUN, "--step", "3")
    assert done.exit_code == 3 and "already completed by" in done.output and "the current step is 4 (" in done.output
    # undo names what it reverses: the last step event is step 3's, not step 4's
    wrong = sop("undo", "--run", RUN, "--step", "4", "--reason", "salah")
    assert wrong.exit_code == 3 and "not step 4" in wrong.output
    ok(sop("undo", "--run", RUN, "--step", "3", "--reason", "salah catat"))
    assert [c["step"] for c in status(sop)["current_steps"]] == [3, 4]
    # the SOP is a service (its first step is the applicant's, `jenis` inferred): a second request
    # is a case of its own, numbered on in the year it was received
    twice = json.loads(ok(sop("start", "rekomendasi-teknis", "--at", "2026-12-01T08:00", "--json")).stdout)
    assert (twice["run"], twice["case_number"], twice["jenis"]) == ("rekomendasi-teknis-2026-0002", 2, "layanan")


def test_an_external_step_is_never_late_and_its_time_is_reported_apart(sop, examples) -> None:
    start_and_split(sop)
    view = status(sop)
    bappeda = next(c for c in view["current_steps"] if c["step"] == 4)
    assert bappeda["external"] and not bappeda["late"]
    # BAPPEDA takes a week (3 hari standard); the office's own site visit is late
    ok(sop("advance", "--run", RUN, "--step", "3", "--at", "2026-12-03T09:00"))
    ok(sop("advance", "--run", RUN, "--step", "4", "--at", "2026-12-07T08:00"))
    view = status(sop)
    visits = {v["step"]: v for v in view["visits"]}
    assert visits[4]["external"] and not visits[4]["late"]
    assert visits[3]["late"] and not visits[3]["external"]
    assert view["external_minutes"] == visits[1]["actual_minutes"] + visits[4]["actual_minutes"]

    report = json.loads(ok(sop("report", "--run", RUN, "--format", "json")).stdout)
    summary = report["summary"]
    assert summary["late_steps"] == [3]
    assert summary["external_minutes"] == view["external_minutes"]
    office = [r for r in report["rows"] if r["actual_minutes"] is not None and not r["external"]]
    assert summary["actual_minutes"] == sum(r["actual_minutes"] for r in office)
    assert summary["within_standard"]["of"] == 2  # steps 2 and 3: the office's own completed passes
    table = ok(sop("report", "--run", RUN)).output
    assert "outside the office" in table and "Outside the office" in table

    form = ok(sop("report", "--run", RUN, "--monitoring", "--format", "md")).output
    row = next(line for line in form.splitlines() if "Memberikan pertimbangan" in line)
    assert "Berjalan dengan baik" in row and "di luar kantor" in row


def test_the_report_as_html_and_xlsx_marks_the_time_outside_the_office(sop, examples, tmp_path: Path) -> None:
    import openpyxl

    start_and_split(sop)
    ok(sop("advance", "--run", RUN, "--step", "3", "--at", "2026-12-03T09:00"))
    ok(sop("advance", "--run", RUN, "--step", "4", "--at", "2026-12-07T08:00"))
    html = ok(sop("report", "--run", RUN, "--format", "html")).output
    assert "Waktu di luar kantor" in html and f"pelaksanaan {RUN}" in html
    out = tmp_path / "laporan.xlsx"
    ok(sop("report", "--run", RUN, "--out", out))
    book = openpyxl.load_workbook(out)
    rows = list(book["Laporan"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "No")
    body = [dict(zip(rows[header], r)) for r in rows[header + 1:]]
    assert [r["Di luar kantor"] for r in body if r["Langkah"] in (3, 4)] == ["tidak", "ya"]
    summary = dict(book["Ringkasan"].iter_rows(values_only=True))
    assert summary["Waktu di luar kantor (menit)"] > 0


def test_a_sub_sop_runs_as_a_child_and_completes_the_parents_step(sop, examples) -> None:
    start_and_split(sop)
    ok(sop("advance", "--run", RUN, "--step", "3", "--at", "2026-12-01T09:00"))
    ok(sop("advance", "--run", RUN, "--step", "4", "--at", "2026-12-02T09:00"))
    assert status(sop)["current"]["sub_sop"] == "rapat-koordinasi"

    early = sop("advance", "--run", RUN)
    assert early.exit_code == 3
    assert "sop start rapat-koordinasi --parent rekomendasi-teknis-2026-0001" in early.output

    wrong = sop("start", "telaah-izin", "--parent", RUN)
    assert wrong.exit_code == 3 and "no current step done by SOP contoh/dinas-contoh/telaah-izin" in wrong.output

    child = json.loads(ok(sop("start", "rapat-koordinasi", "--parent", RUN, "--at", "2026-12-02T09:30",
                              "--json")).stdout)
    assert child["parent"] == {"run": RUN, "step": 5}
    again = sop("start", "rapat-koordinasi", "--parent", RUN)
    assert again.exit_code == 3 and "already has its sub-SOP run rapat-koordinasi-2026" in again.output

    parent = status(sop)
    assert parent["current"]["sub_run"] == "rapat-koordinasi-2026" and parent["sub_runs"] == {"5": "rapat-koordinasi-2026"}
    waiting = sop("advance", "--run", RUN)
    assert waiting.exit_code == 3 and "which is active (at step 1)" in waiting.output

    for at in ("2026-12-02T10:00", "2026-12-02T14:00", "2026-12-02T15:00"):
        last = ok(sop("advance", "--run", "rapat-koordinasi-2026", "--at", at))
    assert "sub-SOP of run rekomendasi-teknis-2026-0001, step 5" in last.output

    parent = status(sop)
    assert parent["current"]["step"] == 6
    done = next(v for v in parent["visits"] if v["step"] == 5)
    assert done["sub_run"] == "rapat-koordinasi-2026" and done["completed_at"].startswith("2026-12-02T15:00")
    log = ok(sop("log", "--run", RUN)).output
    assert "sub-SOP run started" in log and "sub-SOP run rapat-koordinasi-2026" in log
    child_log = ok(sop("log", "--run", "rapat-koordinasi-2026")).output
    assert "sub-SOP of run rekomendasi-teknis-2026-0001, step 5" in child_log

    report = json.loads(ok(sop("report", "--run", "rapat-koordinasi-2026", "--format", "json")).stdout)
    assert report["summary"]["parent"] == {"run": RUN, "step": 5}
    parent_report = json.loads(ok(sop("report", "--run", RUN, "--format", "json")).stdout)
    assert parent_report["summary"]["sub_runs"] == {"5": "rapat-koordinasi-2026"}
    assert next(r for r in parent_report["rows"] if r["step"] == 5)["sub_run"] == "rapat-koordinasi-2026"

    ok(sop("advance", "--run", RUN, "--approve", "--at", "2026-12-03T09:00"))
    ok(sop("advance", "--run", RUN, "--at", "2026-12-03T10:00"))
    assert status(sop)["status"] == "finished"


def test_the_sop_document_and_flowchart_show_the_split_and_join(sop, examples, tmp_path: Path) -> None:
    out = tmp_path / "sop.html"
    ok(sop("render", "sop", "rekomendasi-teknis", "--out", out))
    html = out.read_text(encoding="utf-8")
    assert html.count('stroke-width="3.2"') >= 3  # the fork bar, the join bar and the legend
    assert "Bersamaan: langkah 3 dan 4" in html and "(luar kantor)" in html and "Sub-SOP: rapat-koordinasi" in html
    md = ok(sop("render", "sop", "rekomendasi-teknis", "--format", "md")).output
    assert "s2_fork" in md and "s2_join --> s5" in md
    shown = json.loads(ok(sop("show", "rekomendasi-teknis", "--json")).stdout)
    # the total counts the parallel pair as its longer step (3 hari), not both
    assert shown["waktu_total_menit"] == 15 * 0 + 30 + 3 * 450 + 450 + 120 + 15


def test_a_run_waiting_outside_the_office_is_not_listed_as_late(sop, examples) -> None:
    start_and_split(sop)
    ok(sop("advance", "--run", RUN, "--step", "3", "--at", "2026-11-30T10:00"))
    # a week later only BAPPEDA's step (3 hari, external) is open: the run is waiting, not late
    rows = json.loads(ok(sop("runs", "--json")).stdout)
    row = next(r for r in rows if r["run"] == RUN)
    assert (row["current_step"], row["current_due"], row["late"]) == (4, None, False)
    text = ok(sop("status", "--run", RUN)).output
    assert "outside the office (eksternal)" in text and "LATE" not in text


def test_while_both_branches_are_open_the_listing_names_the_one_that_can_be_late(
        sop, examples, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # BAPPEDA (outside the office) written first: the first current step is external
    text = TEKNIS.read_text(encoding="utf-8")
    text = text.replace("    pelaksana: [tim]\n", "    pelaksana: [X]\n").replace("    pelaksana: [bappeda]\n", "    pelaksana: [tim]\n")
    text = text.replace("    pelaksana: [X]\n", "    pelaksana: [bappeda]\n")
    (tmp_path / "teknis.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("SOP_PATH", str(tmp_path))
    start_and_split(sop)
    view = status(sop)
    assert [(c["step"], c["external"]) for c in view["current_steps"]] == [(3, True), (4, False)]
    rows = json.loads(ok(sop("runs", "--json")).stdout)
    row = next(r for r in rows if r["run"] == RUN)
    assert (row["current_step"], row["late"]) == (4, True)  # the office's own step, overdue; not BAPPEDA's


def test_validate_warns_of_a_sub_sop_the_catalog_lacks(sop, examples, tmp_path: Path) -> None:
    path = edited(tmp_path, "    sub_sop: rapat-koordinasi\n", "    sub_sop: rapat-lain\n")
    # a copy beside the catalog needs its own id: one qualified id names one file
    path.write_text(path.read_text(encoding="utf-8").replace("id: rekomendasi-teknis\n", "id: teknis-salinan\n", 1),
                    encoding="utf-8")
    result = sop("validate", path)
    assert result.exit_code == 0, result.output  # the child SOP may be written later: a warning
    assert "step 5: sub_sop 'rapat-lain' names no SOP of the catalog" in result.output
    assert "warn" not in sop("validate", TEKNIS).output


def pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(str(path)).pages]


def test_a_page_break_of_the_pdf_keeps_a_split_and_its_join_on_one_page(sop, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # a tall first step leaves room on its page for step 2 but not for steps 2 to 5
    long = "Mengajukan permohonan rekomendasi teknis " + "beserta lampiran yang diperlukan " * 28
    path = edited(tmp_path, "kegiatan: Mengajukan permohonan rekomendasi teknis\n", f"kegiatan: {long.strip()}\n")
    monkeypatch.setenv("SOP_PATH", str(path.parent))
    out = tmp_path / "sop.pdf"
    ok(sop("render", "sop", "rekomendasi-teknis", "--out", out))
    pages = pdf_pages(out)
    group = ["Mendaftar berkas", "Meninjau lokasi", "Memberikan pertimbangan", "Membahas hasil peninjauan"]
    with_group = [i for i, page in enumerate(pages) if any(kegiatan in page for kegiatan in group)]
    assert len(with_group) == 1, with_group
    assert all(kegiatan in pages[with_group[0]] for kegiatan in group)
    assert "dari halaman sebelumnya" in pages[with_group[0]] and "lampiran" not in pages[with_group[0]]


def test_a_split_taller_than_a_page_is_broken_inside_with_connectors(sop, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # each branch fits on a page, the two with the steps that split and join them do not
    long = "Meninjau lokasi " + "dan mencatat keadaan lapangan " * 20
    path = edited(tmp_path, "kegiatan: Meninjau lokasi\n", f"kegiatan: {long.strip()}\n")
    text = path.read_text(encoding="utf-8").replace(
        "kegiatan: Memberikan pertimbangan kesesuaian tata ruang\n",
        "kegiatan: Memberikan pertimbangan kesesuaian tata ruang " + "menurut rencana tata ruang wilayah " * 20 + "\n")
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SOP_PATH", str(path.parent))
    out = tmp_path / "sop.pdf"
    ok(sop("render", "sop", "rekomendasi-teknis", "--out", out))
    pages = pdf_pages(out)
    assert all(page.strip() for page in pages)
    flow = [i for i, page in enumerate(pages) if "Kegiatan" in page]
    assert len(flow) >= 2
    for before, after in itertools.pairwise(flow):
        assert "bersambung ke halaman berikutnya" in pages[before] and "dari halaman sebelumnya" in pages[after]
    for kegiatan in ("Mendaftar berkas", "Meninjau lokasi", "Memberikan pertimbangan", "Membahas hasil peninjauan"):
        assert sum(kegiatan in page for page in pages) == 1, kegiatan


def test_sop_diff_names_a_new_split_and_sub_sop(sop, examples, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOP_LANG", "id")
    old = edited(tmp_path, "    paralel: [3, 4]\n", "    berikutnya: 3\n")
    old.write_text(old.read_text(encoding="utf-8").replace("    sub_sop: rapat-koordinasi\n", ""), encoding="utf-8")
    text = ok(sop("diff", str(old), str(TEKNIS))).output
    assert "Langkah bersamaan: (kosong) -> 3, 4" in text and "Sub-SOP: (kosong) -> rapat-koordinasi" in text
