"""The engine on its own: replaying events into a run's state, deadlines, and the checks of each action."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from sop_cli.definition.loader import load_definition
from sop_cli.errors import ConflictError, StateError, StoreError, UsageError
from sop_cli.run import engine
from sop_cli.worktime import WorkCalendar
from tests.conftest import REPO

WIB = timezone(timedelta(hours=7))
LAMPUNG = REPO / "sops/lampung-tengah/diskominfo/renja.yaml"
NGANJUK = REPO / "sops/nganjuk/kecamatan-ngronggot/renja.yaml"


def wib(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


@pytest.fixture(scope="module")
def lampung():
    return load_definition(LAMPUNG)


@pytest.fixture(scope="module")
def nganjuk():
    return load_definition(NGANJUK)


@pytest.fixture(scope="module")
def calendar():
    return WorkCalendar()


class Log:
    """Builds a run's events the way the service appends them."""

    def __init__(self, started_at: str, assignments: dict[str, str] | None = None) -> None:
        at = wib(started_at)
        data = {"run": "renja-2026", "year": 2026, "title": "Renja 2026", "assignments": assignments or {}}
        self.events = [engine.Event(1, "started", at, at, "planner", "os", None, data)]

    def add(self, kind: str, at: str, step: int | None, actor: str = "someone", **data) -> engine.Event:
        event = engine.Event(len(self.events) + 1, kind, wib(at), wib(at), actor, "os", step, data)
        self.events.append(event)
        return event


def complete(log: Log, sop, calendar, steps: list[int], at: str) -> engine.RunState:
    for no in steps:
        log.add("step_completed", at, no)
    return engine.derive(sop, log.events, calendar)


def test_a_new_run_is_at_step_one_with_a_forecast_of_every_step(lampung, calendar):
    state = engine.derive(lampung, Log("2026-11-26 09:00").events, calendar)

    assert (state.status, state.current_step, state.steps_done, state.steps_total) == ("active", 1, 0, 13)
    assert state.current.became_current_at == wib("2026-11-26 09:00")
    assert state.current.due_at == wib("2026-11-26 09:10")  # 10 Menit
    plan = state.plan(wib("2026-11-26 09:00"))
    assert [p.step for p in plan.steps] == list(range(1, 14))
    assert plan.steps[1].planned_start == wib("2026-11-26 09:10")
    assert plan.steps[1].planned_due == wib("2026-11-26 11:10")  # 2 Jam
    assert plan.steps[2].planned_due == wib("2026-11-26 13:10")  # 1 Jam across the 12.00-13.00 break
    assert plan.end == plan.steps[-1].planned_due


def test_a_4_hari_step_started_on_a_thursday_skips_the_weekend(lampung, calendar):
    log = Log("2026-11-26 08:00")
    state = complete(log, lampung, calendar, [1, 2, 3, 4, 5], "2026-11-26 08:00")
    log.add("step_completed", "2026-11-26 10:00", 6)  # step 7 (4 Hari) becomes current on Thursday
    state = engine.derive(lampung, log.events, calendar)

    assert state.current_step == 7
    assert state.current.due_at == wib("2026-12-02 10:00")  # Fri, Mon, Tue, Wed


def test_a_4_hari_step_started_on_a_thursday_before_the_long_holiday_skips_it(lampung, calendar):
    # Nyepi and Idul Fitri 2026: Wed 18, Thu 19 (Nyepi), Fri 20 March are off, then the weekend,
    # then the cuti bersama of Mon 23 and Tue 24 March.
    log = Log("2026-03-12 08:00")
    complete(log, lampung, calendar, [1, 2, 3, 4, 5], "2026-03-12 08:00")
    log.add("step_completed", "2026-03-12 10:00", 6)
    state = engine.derive(lampung, log.events, calendar)

    assert state.current.due_at == wib("2026-03-25 10:00")  # Fri 13, Mon 16, Tue 17, Wed 25
    step_8 = state.plan(wib("2026-03-12 10:00")).steps[1]
    assert (step_8.step, step_8.planned_start, step_8.planned_due) == (8, wib("2026-03-25 10:00"), wib("2026-03-27 10:00"))


def test_the_christmas_cuti_bersama_moves_a_2_hari_step(lampung, calendar):
    log = Log("2026-12-23 08:00")
    complete(log, lampung, calendar, [1, 2, 3, 4, 5, 6], "2026-12-23 08:00")
    log.add("step_completed", "2026-12-23 10:00", 7)  # step 8: 2 Hari from Wednesday 23 December
    state = engine.derive(lampung, log.events, calendar)

    assert state.current.due_at == wib("2026-12-29 10:00")  # 24 (cuti), 25 (Natal), weekend skipped


def test_an_organisations_own_day_off_counts(lampung):
    calendar = WorkCalendar(extra_days_off=frozenset({datetime(2026, 11, 27).date()}))
    log = Log("2026-11-26 08:00")
    complete(log, lampung, calendar, [1, 2, 3, 4, 5], "2026-11-26 08:00")
    log.add("step_completed", "2026-11-26 10:00", 6)

    assert engine.derive(lampung, log.events, calendar).current.due_at == wib("2026-12-03 10:00")


def test_a_rejection_goes_back_to_the_branch_target_and_counts_a_loop(nganjuk, calendar):
    log = Log("2026-11-26 08:00")
    complete(log, nganjuk, calendar, list(range(1, 9)), "2026-11-26 08:00")
    log.add("rejected", "2026-11-26 09:00", 9, reason="angka belum cocok")
    state = engine.derive(nganjuk, log.events, calendar)

    assert (state.current_step, state.rework_loops, state.steps_done) == (8, 1, 7)
    assert state.visits[-2].outcome == "rejected" and state.visits[-2].reason == "angka belum cocok"
    assert state.current.became_current_at == wib("2026-11-26 09:00")

    log.add("step_completed", "2026-11-26 10:00", 8)
    log.add("approved", "2026-11-26 10:30", 9)
    state = engine.derive(nganjuk, log.events, calendar)
    assert (state.current_step, state.rework_loops, state.steps_done) == (10, 1, 9)
    assert [v.step for v in state.visits] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 9, 10]


def test_undo_reopens_the_step_as_it_was(nganjuk, calendar):
    log = Log("2026-11-26 08:00")
    complete(log, nganjuk, calendar, [1, 2], "2026-11-26 08:00")
    before = engine.derive(nganjuk, log.events, calendar)
    done = log.add("step_completed", "2026-11-26 11:00", 3)
    undo = log.add("undone", "2026-11-26 11:05", 3, undoes=done.seq, reason="belum")
    state = engine.derive(nganjuk, log.events, calendar)

    assert (state.current_step, state.current.became_current_at, state.current.due_at) == (3, before.current.became_current_at, before.current.due_at)
    assert state.undone_by == {done.seq: undo.seq}
    assert len(state.events) == 5  # nothing is removed from the log

    log.add("undone", "2026-11-26 11:06", 2, undoes=3, reason="juga belum")
    assert engine.derive(nganjuk, log.events, calendar).current_step == 2


def test_the_last_step_finishes_the_run(nganjuk, calendar):
    log = Log("2026-11-26 08:00")
    complete(log, nganjuk, calendar, list(range(1, 9)), "2026-11-26 08:00")
    log.add("approved", "2026-11-26 08:30", 9)
    state = complete(log, nganjuk, calendar, list(range(10, 15)), "2026-11-26 09:00")

    assert (state.status, state.current, state.steps_done, state.plan(state.finished_at).steps) == (
        "finished", None, 14, [])
    assert state.finished_at == wib("2026-11-26 09:00")
    with pytest.raises(StateError, match="finished"):
        engine.step_event(state, now=wib("2026-11-27 09:00"), fallback_actor="x", os_user="x")


def test_working_minutes_of_a_visit_count_office_time_only(nganjuk, calendar):
    log = Log("2026-11-26 15:00")
    log.add("step_completed", "2026-11-27 08:00", 1)  # 1 h on Thursday + 30 min on Friday
    state = engine.derive(nganjuk, log.events, calendar)

    assert state.visits[0].working_minutes == 90
    assert state.visits[0].late and state.visits[0].standard_minutes == 5


def test_cancel_ends_the_run(nganjuk, calendar):
    log = Log("2026-11-26 08:00")
    log.add("cancelled", "2026-11-26 09:00", 1, reason="anggaran dipotong")
    state = engine.derive(nganjuk, log.events, calendar)

    assert (state.status, state.current, state.cancel_reason) == ("cancelled", None, "anggaran dipotong")
    with pytest.raises(StateError, match="cancelled"):
        engine.undo_event(state, now=wib("2026-11-26 10:00"), reason="x", by=None, fallback_actor="x", os_user="x")


def test_notes_do_not_move_the_run(nganjuk, calendar):
    log = Log("2026-11-26 08:00")
    log.add("note", "2026-11-26 08:01", 1, note="menunggu disposisi")
    state = engine.derive(nganjuk, log.events, calendar)

    assert state.current_step == 1 and len(state.events) == 2


# The checks of each action ------------------------------------------------------------------


@pytest.fixture
def at_decision(nganjuk, calendar):
    log = Log("2026-11-26 08:00", {"sekretaris": "Sri", "kasubag-perencanaan": "Budi"})
    return complete(log, nganjuk, calendar, list(range(1, 9)), "2026-11-26 08:30")


def step(state, **options):
    options.setdefault("now", wib("2026-11-26 10:00"))
    return engine.step_event(state, fallback_actor="os-user", os_user="os-user", **options)


def test_a_step_event_completes_the_current_step_by_its_assigned_person(nganjuk, calendar):
    state = engine.derive(nganjuk, Log("2026-11-26 08:00", {"camat": "Pak Camat"}).events, calendar)
    event = step(state, note="ok", expected_step=1)

    assert (event.kind, event.step, event.actor, event.at, event.data) == (
        "step_completed", 1, "Pak Camat", wib("2026-11-26 10:00"), {"note": "ok"})
    assert step(state, by="Ani").actor == "Ani"


def test_the_expected_step_must_be_current(at_decision):
    with pytest.raises(ConflictError, match=r"^Step 8 of run .* was already completed by .*; the current step is 9 "):
        step(at_decision, expected_step=8, approve=True)
    with pytest.raises(ConflictError, match=r"^Step 11 is not current yet: step 9 \(Mengoreksi .*\) comes first\."):
        step(at_decision, expected_step=11, approve=True)
    with pytest.raises(UsageError, match="^step 99: SOP .* has no step 99") as raised:
        step(at_decision, expected_step=99)
    assert raised.value.option == "step"


@pytest.mark.parametrize(
    ("options", "code", "message"),
    [
        ({}, "decision_needs_verdict",
         "is a decision: approve it to go on to step 10, or reject it with a reason to send the run back to step 8"),
        ({"reject": True}, "reject_needs_reason", "A rejection needs a reason"),
        ({"approve": True, "reject": True, "reason": "x"}, "approve_and_reject", "either an approval or a rejection"),
        ({"approve": True, "reason": "x"}, "reason_with_approval", "A reason goes with a rejection"),
    ],
)
def test_a_decision_needs_approve_or_reject_with_a_reason(at_decision, options, code, message):
    with pytest.raises(UsageError, match=message) as raised:
        step(at_decision, **options)
    assert raised.value.code == code
    assert "--" not in str(raised.value)  # the core names no flags; the CLI words them


def test_a_decision_event(at_decision):
    assert step(at_decision, approve=True).kind == "approved"
    rejected = step(at_decision, reject=True, reason=" revisi ")
    assert (rejected.kind, rejected.actor, rejected.data) == ("rejected", "Sri", {"reason": "revisi"})


def test_approve_on_a_step_that_is_no_decision_is_refused(nganjuk, calendar):
    state = engine.derive(nganjuk, Log("2026-11-26 08:00").events, calendar)
    with pytest.raises(UsageError, match="step 1 .* is not a decision step; complete it without approve") as raised:
        step(state, approve=True)
    assert (raised.value.code, raised.value.details["option"]) == ("not_a_decision", "approve")
    with pytest.raises(UsageError, match="A reason goes with a rejection"):
        step(state, reason="x")


def test_an_event_may_not_be_in_the_future_nor_before_the_step_became_current(at_decision):
    with pytest.raises(UsageError, match="^at 2026-11-26 10:01 WIB is in the future") as raised:
        step(at_decision, approve=True, at=wib("2026-11-26 10:01"))
    assert raised.value.option == "at"
    with pytest.raises(UsageError, match="before step 9 became current"):
        step(at_decision, approve=True, at=wib("2026-11-26 08:29"))
    assert step(at_decision, approve=True, at=wib("2026-11-26 08:30")).at == wib("2026-11-26 08:30")


def test_undo_needs_a_reason_and_a_step_to_undo(nganjuk, calendar, at_decision):
    fresh = engine.derive(nganjuk, Log("2026-11-26 08:00").events, calendar)
    options = {"now": wib("2026-11-26 10:00"), "by": None, "fallback_actor": "x", "os_user": "x"}
    with pytest.raises(StateError, match="Nothing to undo"):
        engine.undo_event(fresh, reason="x", **options)
    with pytest.raises(UsageError, match="Undoing needs a reason"):
        engine.undo_event(at_decision, reason=" ", **options)
    event = engine.undo_event(at_decision, reason="salah", **options)
    assert (event.kind, event.step, event.data["undoes"]) == ("undone", 8, at_decision.events[-1].seq)


def test_a_log_that_does_not_fit_the_definition_is_reported_as_damage(nganjuk, calendar):
    log = Log("2026-11-26 08:00")
    log.add("step_completed", "2026-11-26 09:00", 5)
    with pytest.raises(StoreError, match=r"current step\(s\) were 1;"):
        engine.derive(nganjuk, log.events, calendar)
    with pytest.raises(StoreError, match="started"):
        engine.derive(nganjuk, log.events[1:], calendar)


# Views ----------------------------------------------------------------------------------------


def test_run_view_has_real_datetimes_and_says_when_the_current_step_is_late(at_decision):
    on_time = engine.run_view(at_decision, wib("2026-11-26 09:00"))
    late = engine.run_view(at_decision, wib("2026-11-26 13:30"))

    assert on_time["current"] is not None and late["current"] is not None
    assert on_time["current"]["step"] == 9 and on_time["current"]["due"] == wib("2026-11-26 09:30")
    assert on_time["current"]["due"].utcoffset() == timedelta(hours=7)  # in the organisation's zone
    assert (on_time["current"]["late"], on_time["current"]["remaining_minutes"]) == (False, 30)
    assert (late["current"]["late"], late["current"]["late_minutes"]) == (True, 180)  # 09.30-12.00, 13.00-13.30
    assert late["current"]["lanes"] == [{"id": "sekretaris", "nama": "Sekretaris", "person": "Sri"}]
    assert late["progress"] == {"done": 8, "total": 14, "percent": 57}
    # a late current step pushes the forecast of the later steps
    assert on_time["next_steps"][0]["planned_start"] == wib("2026-11-26 09:30")
    assert late["next_steps"][0]["planned_start"] == wib("2026-11-26 13:30")
    assert [e["seq"] for e in late["events"]] == list(range(1, 10))


def test_the_state_gives_the_full_definition_when_asked(at_decision):
    assert at_decision.sop.qualified_id == "nganjuk/kecamatan-ngronggot/renja"
    assert at_decision.sop.step(9).simbol == "keputusan"
