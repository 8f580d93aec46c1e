"""What an action appends: each command's event, built from the run's state after every check
(`sop advance`, `undo`, `cancel`, `note`, starting a sub-SOP), and the refusals when the run has
moved on. Pure: `now` is passed in; the service writes the event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from sop_cli.definition.graph import Step
from sop_cli.errors import ConflictError, StateError, UsageError
from sop_cli.i18n import _
from sop_cli.run.state import RunState
from sop_cli.run.views import kind_word, show_moment, status_word
from sop_cli.store.interface import Event, EventKind, KeptFile, RunStatus


def check_at(at: datetime, now: datetime, floor: datetime, floor_what: str, tz: tzinfo | None = None) -> None:
    """Refuse an event time in the future or before `floor` (UsageError naming both times,
    about the option "at")."""
    def show(moment: datetime) -> str:
        return show_moment(moment, tz) if tz is not None else moment.isoformat()

    if at > now:
        raise UsageError(_("{at} is in the future (now is {now}). Nothing was recorded.").format(
            at=show(at), now=show(now)), option="at")
    if at < floor:
        raise UsageError(
            _("{at} is before {what} ({floor}); events cannot go back in time. Nothing was recorded.").format(
                at=show(at), what=floor_what, floor=show(floor)), option="at",
        )


def _not_active(state: RunState, action: str) -> StateError:
    """The refusal of `action` (a translated phrase: "advancing it") on a finished or cancelled run."""
    if state.status == RunStatus.CANCELLED:
        return StateError(
            _("Run {run} was cancelled ({reason}); {action} is not possible any more.").format(
                run=state.run_id, reason=state.cancel_reason, action=action)
        )
    return StateError(
        _("Run {run} is finished: all {total} steps are done; {action} is not possible.").format(
            run=state.run_id, total=state.steps_total, action=action),
        hint=_("Undoing its last step reopens it."), suggest="undo", details={"run": state.run_id},
    )


def step_event(
    state: RunState,
    *,
    now: datetime,
    at: datetime | None = None,
    expected_step: int | None = None,
    approve: bool = False,
    reject: bool = False,
    reason: str | None = None,
    note: str | None = None,
    attachments: Sequence[KeptFile] = (),
    by: str | None = None,
    fallback_actor: str,
    os_user: str,
    sub_run: RunState | None = None,
) -> Event:
    """The event completing the current step, after every check `sop advance` makes.

    With several current steps (the branches of a split), `expected_step` says which one is done.
    A step done by another SOP (`sub_sop`) is done once its child run `sub_run` has finished.

    Raises:
        StateError: The run is finished or cancelled, or the step's child run is missing or unfinished.
        ConflictError: `expected_step` is not a current step (the run has moved on).
        UsageError: approve/reject/reason do not fit the step, or `at` is out of range (`code`,
            `option` and `details` say which, for the CLI to word).
    """
    if state.current is None:
        raise _not_active(state, _("advancing it"))
    open_visits = {v.step: v for v in state.open_visits}
    if expected_step is None and len(open_visits) > 1:
        listed = "; ".join(f"{v.step} ({v.kegiatan})" for v in open_visits.values())
        raise UsageError(
            _("Several steps are current at the same time: {listed}. Say which one is done. Nothing was recorded.").format(
                listed=listed),
            code="which_step", details={"steps": list(open_visits), "listed": listed},
        )
    current = open_visits.get(expected_step) if expected_step is not None else state.current
    if current is None:
        assert expected_step is not None  # the run has a current step, so only a named one can be missing
        if expected_step not in state.procedure.steps:
            raise UsageError(_("{step}: SOP {sop} has no step {step}.").format(
                step=expected_step, sop=state.procedure.qualified_id), option="step")
        raise moved_on(state, expected_step)
    step = state.procedure.step(current.step)
    data: dict[str, Any] = {}
    if step.sub_sop is not None:
        data.update(_sub_run_done(state, step, sub_run))
    if step.is_decision:
        if approve and reject:
            raise UsageError(_("Give either an approval or a rejection, not both."), code="approve_and_reject")
        if not (approve or reject):
            if step.refusal_ends:
                verdict = _("Step {step} ({kegiatan}) is a decision: approve it to go on to step {ya}, or reject "
                            "it with a reason to end the process (the request is refused or returned). "
                            "Nothing was recorded.")
            elif state.procedure.sends_back(step.no):
                verdict = _("Step {step} ({kegiatan}) is a decision: approve it to go on to step {ya}, or reject "
                            "it with a reason to send the run back to step {tidak}. Nothing was recorded.")
            else:
                verdict = _("Step {step} ({kegiatan}) is a decision: approve it to go on to step {ya}, or reject "
                            "it with a reason to go on to step {tidak} instead. Nothing was recorded.")
            raise UsageError(
                verdict.format(step=step.no, kegiatan=step.kegiatan, ya=step.ya, tidak=step.tidak),
                code="decision_needs_verdict",
                details={"step": step.no, "kegiatan": step.kegiatan, "ya": step.ya, "tidak": step.tidak,
                         "rework": state.procedure.sends_back(step.no)},
            )
        if reject and not (reason and reason.strip()):
            raise UsageError(_("A rejection needs a reason: say what must be corrected. Nothing was recorded."),
                             code="reject_needs_reason")
        if approve and reason:
            raise UsageError(_("A reason goes with a rejection; for a remark on an approval use a note."),
                             code="reason_with_approval")
        kind = EventKind.APPROVED if approve else EventKind.REJECTED
    else:
        if approve or reject:
            verdict = "approve" if approve else "reject"
            if approve:
                refusal = _("step {step} ({kegiatan}) is not a decision step; complete it without approve. "
                            "Nothing was recorded.")
            else:
                refusal = _("step {step} ({kegiatan}) is not a decision step; complete it without reject. "
                            "Nothing was recorded.")
            raise UsageError(
                refusal.format(step=step.no, kegiatan=step.kegiatan),
                code="not_a_decision", details={"option": verdict, "step": step.no, "kegiatan": step.kegiatan},
            )
        if reason:
            raise UsageError(_("A reason goes with a rejection; for a remark use a note."),
                             code="reason_without_decision")
        kind = EventKind.STEP_COMPLETED
    moment = at or now
    check_at(moment, now, current.became_current_at, _("step {step} became current").format(step=step.no),
             state.calendar.tz)
    if note:
        data["note"] = note
    if reason:
        data["reason"] = reason.strip()
    if attachments:
        data["attachments"] = [dict(a) for a in attachments]
    return Event(0, kind, moment, now, by or assigned_person(state, step.no) or fallback_actor, os_user, step.no, data)


def moved_on(state: RunState, expected: int) -> StateError:
    """Why step `expected` cannot be completed now: it is not current yet (what comes first), it
    was completed already (by whom), or the run ended. Nothing is recorded after this error."""
    current = state.current
    details: dict[str, object] = {"run": state.run_id, "step": expected}
    if current is None:
        return _not_active(state, _("completing step {step}").format(step=expected))
    # several steps are current after a split: name them all
    now_open = ", ".join(f"{v.step} ({v.kegiatan})" for v in state.open_visits)
    done = next((v for v in reversed(state.visits) if v.step == expected and v.completed_at is not None), None)
    first = [v for v in state.open_visits if expected in state.procedure.path_from(v.step)]
    if first:  # also in a rework loop: a step done before the rejection is ahead again
        before = ", ".join(f"{v.step} ({v.kegiatan})" for v in first)
        return ConflictError(
            _("Step {step} is not current yet: step {first} comes first. Nothing was recorded.").format(
                step=expected, first=before),
            hint=_("See the run's status."), suggest="status_and_log", details=details,
        )
    if done is not None and done.completed_at is not None:
        tz = state.calendar.tz
        return ConflictError(
            _("Step {step} of run {run} was already completed by {by} ({at}); the current step is {current}. "
              "Nothing was recorded.").format(step=expected, run=state.run_id, by=done.by,
                                              at=show_moment(done.completed_at, tz), current=now_open),
            hint=_("See the run's status and log."), suggest="status_and_log", details=details,
        )
    return ConflictError(
        _("Run {run} has moved on: the current step is {current}, not {step}. Nothing was recorded.").format(
            run=state.run_id, current=now_open, step=expected),
        hint=_("See the run's status and log."), suggest="status_and_log", details=details,
    )


def moved_since(state: RunState, event: Event) -> ConflictError:
    """Why `sop advance` without a step refuses: `event` was recorded on the run after the person
    pressed Enter, so the step they meant may not be the one current now. Nothing is recorded."""
    now_open = ", ".join(f"{v.step} ({v.kegiatan})" for v in state.open_visits) or _("none")
    return ConflictError(
        _("Run {run} moved on after this command started: {actor} recorded step {step} ({at}); the current step "
          "is now {current}. Nothing was recorded.").format(
            run=state.run_id, actor=event.actor, step=event.step, at=show_moment(event.at, state.calendar.tz),
            current=now_open),
        hint=_("See the run's status and log."), suggest="status_and_log",
        details={"run": state.run_id, "step": event.step},
    )


def check_undo_target(state: RunState, target: Event, *, step: int | None, event: int | None) -> None:
    """Refuse (ConflictError) unless `target`, the step event `undo` would reverse, is the one named.

    `step`: the step the person means to reopen; `event`: the event number they saw in the log.
    """
    if (step is None or target.step == step) and (event is None or target.seq == event):
        return
    asked = _("event #{seq}").format(seq=event) if event is not None else _("step {step}").format(step=step)
    raise ConflictError(
        _("The last step event of run {run} is #{seq} (step {step}, {kind} by {actor}), not {asked}; only the last "
          "one can be undone. Nothing was undone.").format(
            run=state.run_id, seq=target.seq, step=target.step, kind=kind_word(target.kind), actor=target.actor,
            asked=asked),
        hint=_("See the run's status and log."), suggest="status_and_log", details={"run": state.run_id},
    )


def undo_moved_on(state: RunState, target: Event) -> ConflictError:
    """The error when the step event the person saw is no longer the last one in effect."""
    return ConflictError(
        _("Run {run} changed while undoing: event #{seq} (step {step}) is no longer the last step event. "
          "Nothing was undone.").format(run=state.run_id, seq=target.seq, step=target.step),
        hint=_("See the run's status and log."), suggest="status_and_log", details={"run": state.run_id},
    )


def _sub_run_done(state: RunState, step: Step, child: RunState | None) -> dict[str, object]:
    """What a step done by a sub-SOP records of its child run; StateError unless it has finished."""
    if child is None:
        raise StateError(
            _("Step {step} ({kegiatan}) is done by SOP {sub_sop}: start a run of it for this step first; the step "
              "is done when that run finishes. Nothing was recorded.").format(
                step=step.no, kegiatan=step.kegiatan, sub_sop=step.sub_sop),
            code="sub_run_missing",
            details={"run": state.run_id, "step": step.no, "sub_sop": step.sub_sop, "kegiatan": step.kegiatan},
        )
    if child.status != RunStatus.FINISHED:
        at = ", ".join(str(n) for n in child.current_steps) or status_word(child.status)
        raise StateError(
            _("Step {step} ({kegiatan}) is done by run {child} of SOP {sub_sop}, which is {status} (at step {at}); "
              "the step is done when that run finishes. Nothing was recorded.").format(
                step=step.no, kegiatan=step.kegiatan, child=child.run_id, sub_sop=step.sub_sop,
                status=status_word(child.status), at=at),
            hint=_("See the child run's status."), suggest="status_and_log", details={"run": child.run_id},
        )
    return {"sub_run": child.run_id, "sub_outcome": child.outcome}


def start_child(parent: RunState, sop_id: str, step: int | None) -> int:
    """The step of `parent` a new run of SOP `sop_id` (its `wilayah/organisasi/id`) is started for:
    `step`, or the one current step done by a sub-SOP naming it.

    Raises:
        StateError: No current step of the parent is done by that SOP, or it has an unfinished
            child run already, or the parent is not active.
    """
    if parent.current is None:
        raise _not_active(parent, _("starting a sub-SOP for it"))
    candidates = [v.step for v in parent.open_visits
                  if (sub := parent.procedure.step(v.step).sub_sop) is not None and _names(sub, sop_id)]
    if step is not None:
        candidates = [n for n in candidates if n == step]
    if not candidates:
        now_open = ", ".join(f"{v.step} ({v.kegiatan})" for v in parent.open_visits)
        raise StateError(
            _("Run {run} has no current step done by SOP {sop} (sub_sop); its current step is {current}. "
              "Nothing was started.").format(run=parent.run_id, sop=sop_id, current=now_open),
            hint=_("See the run's status and log."), suggest="status_and_log", details={"run": parent.run_id},
        )
    return candidates[0]


def _names(written: str, qualified: str) -> bool:
    """Whether a `sub_sop` as written ('rapat', 'org/rapat' or 'wilayah/org/rapat') names the SOP `qualified`."""
    return qualified == written or qualified.endswith("/" + written)


def undo_event(state: RunState, *, now: datetime, reason: str, by: str | None, fallback_actor: str, os_user: str) -> Event:
    """The compensating event reversing the latest step event in effect.

    Raises:
        UsageError: No reason given.
        StateError: The run is cancelled, or no step has been completed.
    """
    if not (reason and reason.strip()):
        raise UsageError(_("Undoing needs a reason: the log keeps why a step was reopened."), code="undo_needs_reason")
    if state.status == RunStatus.CANCELLED:
        raise _not_active(state, _("undoing a step"))
    target = state.last_step_event()
    if target is None:
        raise StateError(
            _("Nothing to undo: no step of run {run} has been completed since it started.").format(run=state.run_id),
            hint=_("To end the run, cancel it with a reason."), suggest="cancel", details={"run": state.run_id},
        )
    data = {"undoes": target.seq, "reason": reason.strip(), "undone_kind": target.kind.value}
    return Event(0, EventKind.UNDONE, now, now, by or fallback_actor, os_user, target.step, data)


def cancel_event(
    state: RunState, *, now: datetime, at: datetime | None = None, reason: str, by: str | None,
    fallback_actor: str, os_user: str,
) -> Event:
    """The event ending an active run.

    Raises:
        UsageError: No reason given, or `at` out of range.
        StateError: The run is already finished or cancelled.
    """
    if not (reason and reason.strip()):
        raise UsageError(_("Cancelling needs a reason: the log keeps why the run was ended."),
                         code="cancel_needs_reason")
    if state.current is None:
        raise _not_active(state, _("cancelling it"))
    moment = at or now
    check_at(moment, now, state.events[-1].at, _("the previous event"), state.calendar.tz)
    return Event(0, EventKind.CANCELLED, moment, now, by or fallback_actor, os_user, state.current_step, {"reason": reason.strip()})


def note_event(
    state: RunState, *, now: datetime, at: datetime | None = None, text: str | None,
    attachments: Sequence[KeptFile] = (), by: str | None, fallback_actor: str, os_user: str,
) -> Event:
    """A `note` (text, perhaps with files) or `attachment` (files only) event on the current step.

    Raises:
        UsageError: Neither text nor files, or `at` out of range.
    """
    if not (text and text.strip()) and not attachments:
        raise UsageError(_("Give the note's text, or files to attach, or both."), code="note_empty")
    moment = at or now
    check_at(moment, now, state.started_at, _("the run started"), state.calendar.tz)
    data: dict[str, Any] = {}
    if text and text.strip():
        data["note"] = text.strip()
    if attachments:
        data["attachments"] = [dict(a) for a in attachments]
    kind = EventKind.NOTE if "note" in data else EventKind.ATTACHMENT
    return Event(0, kind, moment, now, by or fallback_actor, os_user, state.current_step, data)


def assigned_person(state: RunState, step_no: int) -> str | None:
    """The people assigned to the lanes of step `step_no`, in lane order ("A, B" for a step two
    lanes share), or None when nobody is assigned to them."""
    lanes = state.procedure.step(step_no).lanes
    people = dict.fromkeys(state.assignments[lane] for lane in lanes if lane in state.assignments)
    return ", ".join(people) or None
