"""The engine held to an independent reference model (`tests/oracle.py`) on generated SOPs
(sequences, decisions that send back, go forward or end the process, parallel pairs, outside lanes,
sub-SOPs, two office calendars) and generated logs (completions typed out of order with `--at`,
undo, rejection, cancellation, notes): every pass, the run's status, rework, progress, end and
plan as of a later moment must agree.

The suite runs a bounded number of examples (about two seconds); `SOP_ORACLE_EXAMPLES=2000 pytest
tests/test_oracle.py -m slow -n 0` (the `slow` test, skipped without it) tries as many as it says.
Each rule the oracle checks was seen to fail it when broken on purpose in the engine (the join at
the last branch typed, a forward TIDAK counted as rework, an outside step not projected from now).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_cli.definition.model import SopDefinition
from sop_cli.run import engine
from sop_cli.worktime import WorkCalendar
from tests import oracle

WAKTU = ("10 menit", "30 menit", "1 jam", "2 jam", "1 hari", "2 hari", "sesuai jadwal")
WITA = timezone(timedelta(hours=8), "WITA")
CALENDARS = (
    WorkCalendar(zone_name="WITA", use_national_holidays=False),  # the ASN week
    WorkCalendar(zone_name="WITA", intervals={d: (("08:00", "12:00"), ("13:00", "16:00")) for d in range(5)},
                 use_national_holidays=False, day_minutes=420),
)
BLOCKS = ("step", "outside", "sub_sop", "back", "refusal", "forward", "parallel")


@st.composite
def sops(draw: Any) -> dict[str, Any]:
    """The JSON form of a valid SOP: a `mulai` step, blocks of steps, a `selesai` step, then the
    steps a forward TIDAK goes to (each a `selesai` of its own)."""
    rows: list[dict[str, Any]] = []
    forward: list[dict[str, Any]] = []  # decisions whose TIDAK goes to a step written after the end
    plain: list[int] = []  # steps a TIDAK may go back to (not a branch)

    def add(lanes: list[str], **more: Any) -> dict[str, Any]:
        no = len(rows) + 1
        row = {"no": no, "kegiatan": f"Langkah {no}", "pelaksana": lanes, "asal_pelaksana": "sumber",
               "kelengkapan": "Berkas", "waktu": draw(st.sampled_from(WAKTU)), "output": f"Hasil {no}", **more}
        rows.append(row)
        return row

    add([draw(st.sampled_from(["kantor", "pemohon"]))], simbol="mulai")
    plain.append(1)
    for block in draw(st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=5)):
        if block in ("step", "outside", "sub_sop"):
            lanes = ["pemohon"] if block == "outside" else ["kantor"]
            row = add(lanes, **({"sub_sop": "rapat-koordinasi"} if block == "sub_sop" else {}))
            plain.append(row["no"])
        elif block == "parallel":
            split = add(["kantor"])
            plain.append(split["no"])
            split["paralel"] = [split["no"] + 1, split["no"] + 2]
            add(["kantor"])
            add([draw(st.sampled_from(["kantor", "pemohon"]))])
            plain.append(add(["kantor"])["no"])  # the join
        else:
            decision = add(["kepala"], simbol="keputusan")
            decision["ya"] = decision["no"] + 1
            if block == "back":
                decision["tidak"] = draw(st.sampled_from(plain))
            elif block == "refusal":
                decision["tidak"] = "selesai"
            else:
                forward.append(decision)
            plain.append(add(["kantor"])["no"])  # what YA goes on to
    add(["kantor"], simbol="selesai")
    for decision in forward:
        decision["tidak"] = add(["kantor"], simbol="selesai")["no"]
    data = {
        "id": "uji", "nama": "SOP Uji",
        "organisasi": {"id": "dinas-uji", "wilayah": "uji", "pemerintah": "Pemerintah Kabupaten Uji",
                       "nama": "Dinas Uji", "zona_waktu": "WITA"},
        "disahkan_oleh": {"jabatan": "Kepala Dinas Uji"},
        "dasar_hukum": ["Peraturan Uji"], "kualifikasi_pelaksana": ["Uji"], "keterkaitan": ["-"],
        "peralatan_perlengkapan": ["Komputer"], "peringatan": ["-"], "pencatatan_pendataan": ["Register"],
        "pelaksana": [{"id": "pemohon", "nama": "Pemohon", "eksternal": True}, {"id": "kantor", "nama": "Staf"},
                      {"id": "kepala", "nama": "Kepala Dinas"}],
        "langkah": rows,
    }
    return SopDefinition.model_validate(data).model_dump(mode="json")


def log(draw: Any, sop: dict[str, Any], calendar: WorkCalendar) -> tuple[list[engine.Event], datetime]:
    """A log a user could have typed: completions of whichever current step, each `--at` any time
    after it became current (so parallel branches are typed out of order), approvals and
    rejections, undo, notes and a cancellation; and a `now` after all of it."""
    start = datetime(2026, 11, 30, 8, 0, tzinfo=WITA) + timedelta(minutes=draw(st.integers(0, 5 * 24 * 60)))
    events = [engine.Event(1, "started", start, start, "uji", "os", None, {"run": "uji-2027", "year": 2027})]
    latest = start

    def append(kind: str, at: datetime, step: int | None, data: dict[str, Any] | None = None) -> None:
        nonlocal latest
        latest = max(latest, at)
        events.append(engine.Event(len(events) + 1, kind, at, latest, "uji", "os", step, data or {}))

    for _ in range(draw(st.integers(4, 24))):
        reference = oracle.replay(sop, events, calendar, latest)
        if reference.status != "active":
            break
        action = draw(st.sampled_from(("step",) * 10 + ("undo", "note", "cancel")))
        in_effect = any(p.end is not None for p in reference.passes)
        if action == "undo" and in_effect:
            append("undone", latest, None, {"reason": "salah"})
        elif action == "note":
            append("note", latest, reference.open_steps[0], {"note": "catatan"})
        elif action == "cancel" and draw(st.booleans()):
            append("cancelled", latest, None, {"reason": "batal"})
        else:
            step = draw(st.sampled_from(reference.open_steps))
            since = next(p.start for p in reference.passes if p.step == step and p.end is None)
            at = since + timedelta(minutes=draw(st.integers(0, 4 * 24 * 60)))
            row = next(r for r in sop["langkah"] if r["no"] == step)
            kind = draw(st.sampled_from(("approved", "rejected"))) if row.get("simbol") == "keputusan" else "step_completed"
            append(kind, at, step, {"sub_run": "rapat-koordinasi-2027"} if row.get("sub_sop") else {})
    now = latest + timedelta(minutes=draw(st.integers(0, 10 * 24 * 60)))
    return events, now


def check(data: Any) -> None:
    sop = data.draw(sops(), label="sop")
    calendar = data.draw(st.sampled_from(CALENDARS), label="calendar")
    events, now = log(data.draw, sop, calendar)
    expected = oracle.replay(sop, events, calendar, now)
    state = engine.derive(sop, events, calendar)

    assert [(v.step, v.became_current_at, v.due_at, v.completed_at, v.late) for v in state.visits] == [
        (p.step, p.start, p.due, p.end, p.late) for p in expected.passes]
    assert (state.status, state.outcome, state.finished_at, state.rework_loops) == (
        expected.status, expected.outcome, expected.finished_at, expected.rework)
    assert (state.steps_done, state.steps_total) == (expected.done, expected.total)
    plan = state.plan(now)
    assert [(p.step, p.planned_start, p.planned_due) for p in plan.steps] == expected.plan
    assert plan.end == expected.end
    if plan.end is not None:
        assert plan.end >= now  # nothing planned in the past
    view = engine.run_view(state, now)
    assert view["planned_end"] == (expected.end.astimezone(calendar.tz) if expected.end else None)
    assert view["progress"]["done"] == expected.done


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_the_engine_replays_and_plans_as_the_reference_does(data: Any) -> None:
    check(data)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("SOP_ORACLE_EXAMPLES"), reason="set SOP_ORACLE_EXAMPLES=N to try N examples")
@settings(max_examples=int(os.environ.get("SOP_ORACLE_EXAMPLES") or "1"), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_many_more_examples(data: Any) -> None:
    check(data)
