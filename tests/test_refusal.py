"""A decision whose TIDAK ends the process (`tidak: selesai`): the request is refused or returned,
the run ends as "ditolak", no rework is counted, and the monitoring form does not fault the step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.sample import VALID, replace

EXAMPLES = REPO / "examples" / "sops"
REFUSAL = EXAMPLES / "contoh" / "dinas-contoh" / "izin-keramaian.yaml"


@pytest.fixture
def examples(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOP_PATH", str(EXAMPLES))
    monkeypatch.setenv("SOP_USER", "petugas")
    monkeypatch.setenv("SOP_NOW", "2026-11-24T08:00")


def test_tidak_selesai_validates_and_other_words_are_refused(sop, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(replace("    tidak: 2\n", "    tidak: selesai\n"), encoding="utf-8")
    assert sop("validate", good).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(replace("    tidak: 2\n", "    tidak: tamat\n"), encoding="utf-8")
    result = sop("validate", bad)
    assert result.exit_code == 1
    assert "langkah[2].tidak: 'tamat' is neither a step number nor 'selesai'" in result.output
    assert result.output.count("langkah[2].tidak") == 1


def test_only_a_decision_may_end_the_process_by_tidak(sop, tmp_path: Path) -> None:
    text = replace("    waktu: 1 hari\n", "    waktu: 1 hari\n    tidak: selesai\n", VALID)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = sop("validate", path)
    assert result.exit_code == 1 and "only a keputusan step has tidak" in result.output


def run_to_the_decision(sop) -> str:
    view = json.loads(sop("start", "rekomendasi-keramaian", "--at", "2026-11-24T08:00", "--json").stdout)
    assert sop("advance", "--run", view["run"], "--step", "1", "--at", "2026-11-24T08:05").exit_code == 0
    return view["run"]


def test_a_refusal_ends_the_run_as_ditolak_without_rework(sop, examples) -> None:
    run = run_to_the_decision(sop)
    asked = sop("advance", "--run", run, "--step", "2")
    assert asked.exit_code == 2 and "--reject --reason TEXT to end the process" in asked.output

    result = sop("advance", "--run", run, "--step", "2", "--reject", "--reason", "KTP tidak dilampirkan",
                 "--at", "2026-11-24T08:15")
    assert result.exit_code == 0, result.output
    assert "TIDAK ends the process" in result.output and "is finished (ditolak" in result.output

    view = json.loads(sop("status", "--run", run, "--json").stdout)
    assert (view["status"], view["outcome"], view["rework_loops"], view["current"]) == ("finished", "ditolak", 0, None)
    assert view["progress"] == {"done": 2, "total": 4, "percent": 50}

    report = json.loads(sop("report", "--run", run, "--format", "json").stdout)
    assert report["outcome"] == "ditolak"
    assert report["summary"]["rework_loops"] == 0 and not any(r["rework"] for r in report["rows"])


def test_the_monitoring_form_does_not_fault_a_lawful_refusal(sop, examples, tmp_path: Path) -> None:
    run = run_to_the_decision(sop)
    sop("advance", "--run", run, "--step", "2", "--reject", "--reason", "KTP tidak dilampirkan", "--at", "2026-11-24T08:15")
    out = tmp_path / "monitoring.md"
    result = sop("report", "--run", run, "--monitoring", "--format", "md", "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if "Memeriksa kelengkapan" in line)
    assert "Berjalan dengan baik" in row and "Tidak berjalan dengan baik" not in row
    assert "ditolak/dikembalikan" in row


def test_an_approval_goes_on_as_before(sop, examples) -> None:
    run = run_to_the_decision(sop)
    assert sop("advance", "--run", run, "--step", "2", "--approve", "--at", "2026-11-24T08:15").exit_code == 0
    view = json.loads(sop("status", "--run", run, "--json").stdout)
    assert (view["status"], view["current"]["step"], view["outcome"]) == ("active", 3, None)


def test_the_document_and_the_flowchart_show_the_end_branch(sop, examples, tmp_path: Path) -> None:
    out = tmp_path / "sop.html"
    assert sop("render", "sop", "rekomendasi-keramaian", "--out", out).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "TIDAK: proses selesai (ditolak/dikembalikan)" in html
    assert html.count(">Selesai</text>") == 2  # the end step and the refusal's end capsule

    from sop_cli.definition.loader import load_definition
    from sop_cli.render.flowchart import mermaid

    chart = mermaid(load_definition(REFUSAL))
    assert 's2 -- TIDAK --> s2_selesai(["Selesai (ditolak)"])' in chart and "s2 -- YA --> s3" in chart
