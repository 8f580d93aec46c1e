"""Where the engine's arithmetic of *when* meets itself (issue 19), through the CLI as a user runs it,
on an SOP of the examples with a split, an outside lane, a forward TIDAK and office hours of its own
(`examples/sops/contoh/dinas-contoh/izin-reklame.yaml`): the order of typing never changes history,
an outside step never puts deadlines in the past, the standard is shown as the SOP writes it, and
every screen, letter and report shows the same planned end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, write
from tests.test_report import make_run

EXAMPLES = REPO / "examples" / "sops"
REKLAME = EXAMPLES / "contoh" / "dinas-contoh" / "izin-reklame.yaml"
RUN = "izin-reklame-2026-0001"


@pytest.fixture
def reklame(sop, monkeypatch: pytest.MonkeyPatch):
    """A run of izin-reklame (WITA; office 08.00-12.00, 13.00-16.00 Monday to Friday) started Monday
    30 November 2026 08.00, at its split: steps 4 (the office's site visit, 2 hari) and 5 (the
    applicant's calculation, outside the office, 3 hari) current since 10.30."""
    monkeypatch.setenv("SOP_PATH", str(EXAMPLES))
    monkeypatch.setenv("SOP_USER", "petugas")
    monkeypatch.setenv("SOP_NOW", "2026-11-30T10:30+08:00")
    ok(sop("start", "izin-reklame", "--at", "2026-11-30T08:00"))
    ok(sop("advance", "--at", "2026-11-30T09:00"))
    ok(sop("advance", "--approve", "--at", "2026-11-30T10:00"))
    ok(sop("advance", "--at", "2026-11-30T10:30"))

    def at(now: str) -> None:
        monkeypatch.setenv("SOP_NOW", now)

    return at


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


def status(sop: Any) -> dict[str, Any]:
    return json.loads(ok(sop("status", "--run", RUN, "--json")).stdout)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("order", [
    pytest.param((("5", "2026-12-04T10:00"), ("4", "2026-12-02T15:00")), id="later-branch-typed-first"),
    pytest.param((("4", "2026-12-02T15:00"), ("5", "2026-12-04T10:00")), id="in-order")])
def test_a_join_starts_when_its_last_input_ended_whatever_the_order_of_typing(sop, reklame, order) -> None:
    reklame("2026-12-04T12:00+08:00")
    for step, at in order:
        ok(sop("advance", "--run", RUN, "--step", step, "--at", at))
    view = status(sop)
    assert [c["step"] for c in view["current_steps"]] == [6]
    assert view["current"]["since"].startswith("2026-12-04T10:00")
    early = sop("advance", "--run", RUN, "--step", "6", "--at", "2026-12-02T16:00")
    assert early.exit_code == 2 and "Nothing was recorded" in early.output
    ok(sop("advance", "--run", RUN, "--step", "6", "--at", "2026-12-04T11:00"))
    report = json.loads(ok(sop("report", "--run", RUN, "--format", "json")).stdout)
    joined = next(r for r in report["rows"] if r["step"] == 6)
    assert joined["actual_minutes"] == 60 and not joined["late"]
    assert 6 not in report["summary"]["late_steps"]
    form = ok(sop("report", "--run", RUN, "--monitoring", "--format", "md")).output
    row = next(line for line in form.splitlines() if "Menerbitkan izin" in line)
    assert "Berjalan dengan baik" in row and "Tidak berjalan" not in row


def test_an_outside_step_is_projected_from_now_like_a_late_one(sop, reklame) -> None:
    # the site visit is done on Tuesday; the applicant's calculation (due Thursday 10.30) is not
    # in by the next Monday 10.00: the join is planned from now, not from that Thursday
    reklame("2026-12-07T10:00+08:00")
    ok(sop("advance", "--run", RUN, "--step", "4", "--at", "2026-12-01T10:00"))
    view = status(sop)
    now = moment(view["now"])
    assert [c["step"] for c in view["current_steps"]] == [5] and view["current"]["external"]
    join = next(p for p in view["forecast"] if p["step"] == 6)
    assert join["planned_start"].startswith("2026-12-07T10:00")
    assert join["planned_due"].startswith("2026-12-07T11:00")
    assert view["planned_end"].startswith("2026-12-07T11:00")
    assert all(moment(p["planned_start"]) >= now for p in view["next_steps"])
    screen = ok(sop("status", "--run", RUN)).output
    assert "Senin, 7 Desember 2026 11.00" in screen


def test_waiting_for_the_applicant_on_a_sunday_night_plans_from_the_next_working_morning(sop, monkeypatch) -> None:
    monkeypatch.setenv("SOP_PATH", str(EXAMPLES))
    monkeypatch.setenv("SOP_NOW", "2026-11-30T08:00+08:00")
    ok(sop("start", "izin-reklame"))
    monkeypatch.setenv("SOP_NOW", "2026-12-06T22:00+08:00")  # Sunday night; step 1 (the applicant) still open
    view = status(sop)
    forecast = {p["step"]: p for p in view["forecast"]}
    assert forecast[2]["planned_start"].startswith("2026-12-07T08:00")  # Monday morning, not last Monday
    assert forecast[2]["planned_due"].startswith("2026-12-07T09:00")
    # 3 (30 menit) to 09.30; the branches from there: 4 (2 hari) Wednesday 09.30, 5 (3 hari) Thursday
    # 09.30; the join (1 jam) after the later one
    assert forecast[6]["planned_start"].startswith("2026-12-10T09:30")
    assert view["planned_end"].startswith("2026-12-10T10:30")


def test_diff_against_the_very_file_of_the_run_changes_nothing_not_even_the_end(sop, reklame, tmp_path: Path) -> None:
    reklame("2026-12-01T09:00+08:00")
    planned_end = status(sop)["planned_end"]
    same = json.loads(ok(sop("diff", "--run", RUN, str(REKLAME), "--json")).stdout)
    assert same["end_before"] == same["end_after"] == planned_end
    assert not same["added_ahead"] and not same["removed_ahead"] and not same["time_changes"]
    assert "No difference." in ok(sop("diff", "--run", RUN, str(REKLAME))).output
    # a revision in which the applicant's branch (the later one) is a day shorter ends earlier, not later
    shorter = write(tmp_path / "izin-reklame.yaml", REKLAME.read_text(encoding="utf-8").replace(
        "    waktu: 3 hari\n    output: Perhitungan konstruksi", "    waktu: 2 hari\n    output: Perhitungan konstruksi"))
    revised = json.loads(ok(sop("diff", "--run", RUN, str(shorter), "--json")).stdout)
    assert revised["end_before"] == planned_end
    assert moment(revised["end_after"]) < moment(planned_end)
    assert revised["end_after"].startswith("2026-12-02T11:30")  # 5 due Wednesday 10.30, the join 1 jam after


def test_a_tidak_that_goes_forward_is_a_branch_not_rework(sop, monkeypatch) -> None:
    monkeypatch.setenv("SOP_PATH", str(EXAMPLES))
    monkeypatch.setenv("SOP_NOW", "2026-11-30T10:00+08:00")
    ok(sop("start", "izin-reklame", "--at", "2026-11-30T08:00"))
    ok(sop("advance", "--at", "2026-11-30T09:00"))
    refused = ok(sop("advance", "--reject", "--reason", "Desain reklame tidak dilampirkan", "--at", "2026-11-30T09:30"))
    assert "rework" not in refused.output and "Back to step" not in refused.output
    assert "7" in refused.output
    view = status(sop)
    assert view["rework_loops"] == 0
    assert [c["step"] for c in view["current_steps"]] == [7]
    assert view["progress"]["done"] == 2 and view["progress"]["total"] == 3
    assert "2/3 steps" in ok(sop("status", "--run", RUN)).output
    report = json.loads(ok(sop("report", "--run", RUN, "--format", "json")).stdout)
    assert report["summary"]["rework_loops"] == 0 and report["summary"]["rework_steps"] == []
    ok(sop("advance", "--at", "2026-11-30T10:00"))
    done = status(sop)
    assert done["status"] == "finished" and done["progress"]["done"] == done["progress"]["total"] == 3


def test_the_mutu_baku_is_shown_as_the_sop_writes_it_under_office_hours(sop, reklame) -> None:
    reklame("2026-12-04T12:00+08:00")
    ok(sop("advance", "--run", RUN, "--step", "4", "--at", "2026-12-02T15:00"))
    table = ok(sop("report", "--run", RUN)).output
    visit = next(line for line in table.splitlines() if "Meninjau titik" in line)
    assert "2 hari" in visit and "1 hari" not in visit, visit  # a hari is 7 hours in this office
    planned = next(line for line in table.splitlines() if "Menerbitkan izin" in line)
    assert "1 jam" in planned
    form = ok(sop("report", "--run", RUN, "--monitoring", "--format", "md")).output
    assert "2 hari" in next(line for line in form.splitlines() if "Meninjau titik" in line)


@pytest.mark.slow
def test_an_advance_without_step_credits_only_what_was_current_when_enter_was_pressed(tmp_path: Path) -> None:
    """Three `sop advance` started at the same moment, two of them slow to import (a busy
    machine): only one step is credited; the slow ones see that the run moved since their process
    started and refuse (exit 3)."""
    env = {**os.environ, "SOP_HOME": str(tmp_path / "home"), "SOP_PATH": str(EXAMPLES), "SOP_LANG": "en",
           "SOP_USER": "petugas"}
    for name in ("SOP_NOW", "SOP_STORE", "SOP_DEBUG"):
        env.pop(name, None)
    started = subprocess.run([sys.executable, "-m", "sop_cli", "start", "telaah-izin"], env=env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    time.sleep(1.1)  # the start is recorded in an earlier second than the advances start
    run = "telaah-izin-" + started.stdout.split("telaah-izin-")[1][:4]
    # All three have started (pressed Enter) before the first records; the slow two are then held
    # until the first has recorded its step and ended.
    go = tmp_path / "go"
    slow = ("import os, pathlib, sys, time; sys.argv = ['sop', 'advance', '--run', '" + run + "']\n"
            "import sop_cli.entry as entry\n"
            "pathlib.Path({me}).touch()\n"
            "while not all(os.path.exists(p) for p in {wait_for}): time.sleep(0.01)\n"
            "entry.main()")
    ready = [str(tmp_path / f"ready-{i}") for i in range(3)]
    holds = ([ready[1], ready[2]], [str(go)], [str(go)])
    processes = [subprocess.Popen([sys.executable, "-c", slow.format(me=repr(ready[i]), wait_for=holds[i])], env=env,
                                  cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(3)]
    first = processes[0].wait(timeout=120)
    go.touch()
    codes = [first] + [p.wait(timeout=120) for p in processes[1:]]
    outputs = [p.communicate()[1] for p in processes]
    assert codes == [0, 3, 3], outputs
    assert "moved on after this command started" in outputs[1]
    log = subprocess.run([sys.executable, "-m", "sop_cli", "status", "--run", run, "--json"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    view = json.loads(log.stdout)
    assert [e["kind"] for e in view["events"]] == ["started", "step_completed"]
    assert view["current"]["step"] == 2


def test_status_letters_and_portfolio_show_the_same_planned_end(sop, monkeypatch, tmp_path: Path) -> None:
    run = make_run(sop, monkeypatch, upto=2, now="2027-01-20T10:00")  # weeks behind its standard times
    view = json.loads(ok(sop("status", "--run", run, "--json")).stdout)
    end = moment(view["planned_end"])
    assert end >= moment(view["now"])
    values = write(tmp_path / "nilai.yaml", "surat: {dari: Bupati Nganjuk, nomor: 050/1/2026, tanggal: 2026-11-20}\n")
    letter = ok(sop("render", "disposisi", "--run", run, "--values", values, "--format", "md")).stdout
    from sop_cli.render.indonesian import tanggal

    assert f"| Batas waktu penyelesaian | {tanggal(end)} |" in letter
    portfolio = json.loads(ok(sop("report", "--portfolio", "--year", str(view["year"]), "--format", "json")).stdout)
    unit = next(u for u in portfolio["units"] if u["run"] == run)
    assert moment(unit["forecast_end"]) == end
    report = json.loads(ok(sop("report", "--run", run, "--format", "json")).stdout)
    assert moment(report["summary"]["forecast_end"]) == end


def test_times_are_worded_in_the_offices_own_working_day(sop, reklame) -> None:
    """In this office a hari is 7 jam (420 minutes): a step late by 930 working minutes is late by
    2 hari 1 jam 30 menit there, on every screen and paper, not by a 7.5-hour day's 2 hari 30 menit."""
    reklame("2026-12-04T12:00+08:00")
    view = status(sop)
    late = next(c for c in view["current_steps"] if c["step"] == 4)
    assert (view["day_minutes"], late["late_minutes"]) == (420, 930)
    words = "2 hari 1 jam 30 menit"
    assert f"LATE by {words}" in ok(sop("status", "--run", RUN)).output
    done = ok(sop("advance", "--run", RUN, "--step", "4"))
    assert "late (4 hari 1 jam 30 menit of 2 hari)" in done.output  # 1,770 minutes = 4 × 420 + 90
    table = ok(sop("report", "--run", RUN)).output
    assert "+2 hari 1 jam 30 menit" in next(line for line in table.splitlines() if "Meninjau titik" in line)
    html = ok(sop("report", "--run", RUN, "--format", "html")).output
    assert "2 hari 1 jam 30 menit" in html and "2 hari 30 menit" not in html
    form = ok(sop("report", "--run", RUN, "--monitoring", "--format", "md")).output
    assert "selesai 2 hari 1 jam 30 menit lebih lama" in form
