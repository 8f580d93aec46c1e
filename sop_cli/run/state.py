"""What a run's event log means: `derive` replays the events into a `RunState`.

- `started` (seq 1) names the run, its year, title and lane assignments;
- `step_completed` / `approved` / `rejected` complete a current step (the latter two on a
  *keputusan*: YA goes on; TIDAK goes to the decision's `tidak` step, which is rework when it
  leads back to the decision (`Graph.sends_back`) and a branch when it goes forward, or, with
  `tidak: selesai`, ends the run with outcome "ditolak");
- `undone` reverses the latest step event still in effect (its `data.undoes` is that seq);
- `cancelled` ends the run; `note` and `attachment` add remarks or files without moving it;
- `sub_run_started` records on a parent run that a child run (of the step's `sub_sop`) was started
  for its current step; the child's `started` names its parent (`data.parent`: run and step).

Several steps can be current at once: after a split (`paralel`) every branch is open, each
completed by its own event, and the join opens when the last is done, at the latest end of its
branches (not the order they were typed in). A step done only by lanes outside the office
(`eksternal`) is never late; its time is reported apart (`RunState.external_minutes`).
Undoing a completion reopens the visit as it was, with its original start and due time.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sop_cli.definition.graph import Graph
from sop_cli.errors import StoreError
from sop_cli.i18n import _
from sop_cli.run.plan import Plan, StepVisit, new_visit, planned, procedure, run_calendar
from sop_cli.store.interface import STEP_KINDS, Event, EventKind, RunStatus, RunSummary, RunTimes, StepTime

if TYPE_CHECKING:
    from sop_cli.definition.model import SopDefinition
    from sop_cli.store.interface import StoredRun
    from sop_cli.worktime import WorkCalendar

OUTCOMES = {EventKind.STEP_COMPLETED: "done", EventKind.APPROVED: "approved", EventKind.REJECTED: "rejected"}


@dataclass(eq=False, repr=False)  # compared by identity: no __eq__/__repr__ to generate, 0.3 ms of every `sop status`
class RunState:
    """Everything known about a run, derived from its events (see `derive`).

    Attributes:
        run_id: The short id (`renja-2026`).
        procedure: The pinned definition (light form); `sop` gives the `SopDefinition`.
        calendar: The run's `WorkCalendar` (its zone, office hours and pinned days off).
        year, title: As given at `sop start`.
        assignments: Lane id to the person assigned to it.
        status: A `RunStatus`.
        visits: Every pass through a step, in the order they became current; the open ones (one,
            or several branches of a split) are the current steps while the run is active.
        rework_loops: Rejections in effect that sent the run back (a TIDAK that ends it is none).
        outcome: How a finished run ended: "selesai" (its end step) or "ditolak" (a decision's TIDAK
            ended the process: the request was refused or returned); None unless finished.
        events: The whole log, including undone events and notes.
        parent: The run and step this run does as a sub-SOP ({"run", "step"}), else None.
        sub_runs: Step number to the child run started for it (the latest), from `sub_run_started`.
        undone_by: Seq of an undone step event to the seq of the `undone` event reversing it.
        started_at, finished_at, cancelled_at: Moments of the run's life (None when not yet).
        cancel_reason: Why it was cancelled.
        source_path, source_sha256, definition_sha256: Where the SOP came from and its hashes
            when the run started (file bytes; canonical JSON of the validated definition).
    """

    run_id: str
    procedure: Graph
    calendar: WorkCalendar
    year: int
    title: str
    assignments: dict[str, str]
    status: RunStatus
    visits: list[StepVisit]
    rework_loops: int
    events: list[Event]
    undone_by: dict[int, int]
    started_at: datetime
    finished_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    source_path: str | None = None
    source_sha256: str | None = None
    definition_sha256: str | None = None
    outcome: str | None = None
    parent: dict[str, Any] | None = None
    sub_runs: dict[int, str] = field(default_factory=dict)
    untuk: str | None = None
    """Whom a case of a service SOP is for (kept apart from the log, by the store); None otherwise."""
    case_number: int | None = None

    @functools.cached_property
    def sop(self) -> SopDefinition:
        """The pinned definition as a validated `SopDefinition` (imports pydantic on first use)."""
        from pydantic import ValidationError

        from sop_cli.definition.model import SopDefinition

        try:
            return SopDefinition.model_validate(self.procedure.data)
        except ValidationError as error:
            raise StoreError(
                _("The SOP pinned in run {run} does not validate with this version of sop "
                  "({count} problem(s)); its steps still work, its full definition does not.").format(
                    run=self.run_id, count=error.error_count())
            ) from None

    @property
    def open_visits(self) -> list[StepVisit]:
        """The current steps of an active run: one, or the open branches of a split (written order)."""
        if self.status != RunStatus.ACTIVE:
            return []
        return [v for v in self.visits if v.completed_at is None]

    @property
    def current(self) -> StepVisit | None:
        """The open visit of an active run (the first, when branches of a split are open); None
        when finished or cancelled."""
        visits = self.open_visits
        return visits[0] if visits else None

    @property
    def current_steps(self) -> list[int]:
        """The numbers of the current steps (several after a split; empty unless active)."""
        return [v.step for v in self.open_visits]

    @property
    def external_minutes(self) -> int:
        """Working minutes of completed steps done outside the office ("waktu di luar kantor")."""
        return sum(v.working_minutes or 0 for v in self.visits if v.external)

    @property
    def office_minutes(self) -> int:
        """Working minutes of completed steps done by the office itself."""
        return sum(v.working_minutes or 0 for v in self.visits if not v.external)

    @property
    def current_step(self) -> int | None:
        """The number of the current step (None unless active)."""
        return self.current.step if self.current else None


    @functools.cached_property
    def _progress(self) -> tuple[int, int]:
        """(done, total): the distinct steps completed behind the current ones, and those plus the
        steps ahead of them (YA at every decision ahead). A rejection sent back makes the steps of
        its loop ahead again; a TIDAK that jumps forward leaves out the steps it skips. A run
        refused at a decision (`ditolak`) counts the main path's steps up to that decision of all
        of the main path."""
        path = self.procedure.main_path
        completed = [v for v in self.visits if v.event_seq is not None]
        if self.status == RunStatus.FINISHED and self.outcome == "ditolak":
            last = max(completed, key=lambda v: v.event_seq or 0).step
            return (path.index(last) + 1 if last in path else len(path)), len(path)
        open_steps = [v.step for v in self.visits if v.completed_at is None]
        ahead = {n for step in open_steps for n in self.procedure.path_from(step)}
        behind = {v.step for v in completed} - ahead
        return len(behind), len(behind | ahead)

    @property
    def steps_total(self) -> int:
        """Steps on the way the run goes: those done and those ahead (see `_progress`)."""
        return self._progress[1]

    @property
    def steps_done(self) -> int:
        """Distinct steps done behind the current ones (all when finished; see `_progress`)."""
        return self._progress[0]

    def plan(self, now: datetime) -> Plan:
        """The run's plan as of `now` (empty, with no end, unless active): see `planned`."""
        if self.status != RunStatus.ACTIVE:
            return Plan([], None)
        return planned(self.procedure, self.calendar, self.open_visits, now)

    def end(self, now: datetime) -> datetime | None:
        """When the run ended, or, while active, its planned end as of `now` (None when cancelled)."""
        return self.finished_at if self.status == RunStatus.FINISHED else self.plan(now).end

    def last_step_event(self) -> Event | None:
        """The latest step event still in effect (what `sop undo` reverses)."""
        seqs = [v.event_seq for v in self.visits if v.event_seq is not None]
        return next(e for e in self.events if e.seq == max(seqs)) if seqs else None

    def is_late(self, now: datetime) -> bool:
        """Whether a current step is past its due time at `now` (steps with no fixed time and steps
        done outside the office never are)."""
        return any(v.timed and now > v.due_at for v in self.open_visits)


def derive(sop: SopDefinition | Mapping[str, Any] | str | Graph, events: Sequence[Event],
           calendar: WorkCalendar) -> RunState:
    """Replay a run's events into its state.

    Args:
        sop: The pinned definition: `SopDefinition`, its JSON form, a pinned text, or a `Graph`.
        events: The run's whole log in seq order; the first must be `started`.
        calendar: The run's `WorkCalendar` (see `run_calendar`).

    Raises:
        StoreError: The log does not fit the definition (a damaged store).
    """
    proc = procedure(sop)
    if not events or events[0].kind != EventKind.STARTED:
        raise StoreError(_("The run's log does not begin with a 'started' event; the store is damaged."),
                         details={"problem": _("its log does not begin with a 'started' event")})
    started = events[0]
    info = started.data
    effective: list[Event] = []
    undone_by: dict[int, int] = {}
    cancelled: Event | None = None
    sub_runs: dict[int, str] = {}
    for event in events[1:]:
        if event.kind == EventKind.SUB_RUN_STARTED and event.step is not None:
            sub_runs[event.step] = str(event.data.get("sub_run", ""))
        if event.kind in STEP_KINDS:
            effective.append(event)
        elif event.kind == EventKind.UNDONE:
            if not effective:
                problem = _("event {seq} undoes a step event that does not exist").format(seq=event.seq)
                raise StoreError(_("Event {seq} undoes a step event that does not exist; the store is damaged.").format(
                    seq=event.seq), details={"problem": problem})
            undone_by[effective.pop().seq] = event.seq
        elif event.kind == EventKind.CANCELLED:
            cancelled = event

    first = new_visit(proc, calendar, proc.first, started.at)
    visits: list[StepVisit] = [first]
    open_visits: dict[int, StepVisit] = {first.step: first}  # the current steps, in the order they opened
    waiting: dict[int, set[int]] = {}  # a split in progress: its branches not yet done
    ended: dict[int, datetime] = {}  # a split in progress: when its branches done so far ended, the latest
    loops = 0
    finished_at: datetime | None = None
    ending: str | None = None
    for event in effective:
        visit = open_visits.pop(event.step, None) if event.step is not None else None
        if visit is None:
            now_open = ", ".join(str(n) for n in open_visits) or _("none")
            values = {"seq": event.seq, "step": event.step, "open": now_open}
            raise StoreError(
                _("Event {seq} completes step {step}, but the current step(s) were {open}; "
                  "the store is damaged.").format(**values),
                details={"problem": _("event {seq} completes step {step}, but the current step(s) were {open}").format(
                    **values)},
            )
        outcome = OUTCOMES[event.kind]
        visit.completed_at = event.at
        visit.by = event.actor
        visit.outcome = outcome
        visit.note = event.data.get("note")
        visit.reason = event.data.get("reason")
        visit.attachments = list(event.data.get("attachments") or [])
        visit.working_minutes = calendar.working_minutes_between(visit.became_current_at, event.at)
        visit.event_seq = event.seq
        visit.sub_run = event.data.get("sub_run")
        step = proc.step(visit.step)
        refused = outcome == "rejected" and step.refusal_ends
        loops += outcome == "rejected" and proc.sends_back(step.no)
        following: tuple[int, ...]
        since = event.at
        if step.split is not None:
            # AND join: the join opens when the last open branch of its split is done, at the
            # latest end of its branches (which need not be the last one typed: `--at`)
            left = waiting.get(step.split, set())
            left.discard(step.no)
            since = ended[step.split] = max(ended.get(step.split, event.at), event.at)
            following = (step.join,) if not left and step.join is not None else ()
        else:
            following = proc.after_all(step.no, outcome)
            if step.is_split:
                waiting[step.no] = set(step.branches)
                ended.pop(step.no, None)
        for no in following:
            opened = new_visit(proc, calendar, no, since)
            visits.append(opened)
            open_visits[no] = opened
        if not open_visits:
            finished_at = since
            ending = "ditolak" if refused else "selesai"

    status = RunStatus.CANCELLED if cancelled else RunStatus.FINISHED if not open_visits else RunStatus.ACTIVE
    return RunState(
        run_id=str(info.get("run", "")),
        procedure=proc,
        calendar=calendar,
        year=int(info.get("year", started.at.year)),
        title=str(info.get("title", "")),
        assignments=dict(info.get("assignments") or {}),
        status=status,
        visits=visits,
        rework_loops=loops,
        events=list(events),
        undone_by=undone_by,
        started_at=started.at,
        finished_at=finished_at if status == RunStatus.FINISHED else None,
        cancelled_at=cancelled.at if cancelled else None,
        cancel_reason=cancelled.data.get("reason") if cancelled else None,
        source_path=info.get("source_path"),
        source_sha256=info.get("source_sha256"),
        definition_sha256=info.get("definition_sha256"),
        outcome=ending if status == RunStatus.FINISHED else None,
        parent=dict(info["parent"]) if isinstance(info.get("parent"), Mapping) else None,
        sub_runs=sub_runs,
    )


def summary(state: RunState) -> RunSummary:
    """The summary the store keeps beside a run's log (`current_due` None for a step with no fixed
    time or done outside the office: it is never late, so listings and the overdue query skip it).
    With several current steps (parallel), the one due first that can be late stands for the run."""
    timed = sorted((v for v in state.open_visits if v.timed), key=lambda v: v.due_at)
    current = timed[0] if timed else state.current
    return RunSummary(
        status=state.status,
        current_step=current.step if current else None,
        current_kegiatan=current.kegiatan if current else None,
        current_since=current.became_current_at if current else None,
        current_due=current.due_at if current and current.timed else None,
        steps_done=state.steps_done,
        steps_total=state.steps_total,
        rework_loops=state.rework_loops,
        last_seq=state.events[-1].seq if state.events else 0,
        updated_at=state.events[-1].recorded_at if state.events else None,
        times=run_times(state, current),
    )


def run_times(state: RunState, current: StepVisit | None) -> RunTimes:
    """The run's times as the rows the store keeps (`run_times`, `step_times`; undone passes are
    not in the visits); `current` is the step that stands for the run (its lane: who has it)."""
    from sop_cli.worktime import duration_minutes

    proc = state.procedure
    promised = sum(duration_minutes(proc.step(no).durasi, state.calendar.day_minutes)
                   for no in proc.main_path if not proc.step(no).external and not proc.step(no).durasi.untimed)
    steps = tuple(
        StepTime(v.event_seq or 0, v.step, v.lanes[0] if v.lanes else "", v.external, v.became_current_at,
                 v.completed_at, v.working_minutes or 0, v.standard_minutes, v.late)
        for v in state.visits if v.completed_at is not None and v.event_seq is not None
    )
    if state.status == RunStatus.FINISHED:
        ended, outcome = state.finished_at, state.outcome or "selesai"
    elif state.status == RunStatus.CANCELLED:
        ended, outcome = state.cancelled_at, "dibatalkan"
    else:
        ended, outcome = None, None
    office = state.office_minutes
    within = office <= promised if outcome in ("selesai", "ditolak") else None
    holder = None
    if current is not None and current.lanes:
        lane = current.lanes[0]
        person = state.assignments.get(lane)
        holder = f"{proc.lanes.get(lane, lane)}: {person}" if person else proc.lanes.get(lane, lane)
    return RunTimes(state.started_at, ended, outcome, office, state.external_minutes, promised, within, steps, holder)


def stored_summary(stored: StoredRun) -> RunSummary:
    """The summary of a stored run, replayed by today's engine (what a store rebuilds stale
    summaries with after a migration, and what a copied run is listed by)."""
    return summary(state_of(stored))


def state_of(stored: StoredRun) -> RunState:
    """The state of a run as a store keeps it (pinned definition and calendar, and its log)."""
    calendar = run_calendar(json.loads(stored.calendar))
    state = derive(procedure(stored.definition), stored.events, calendar)
    if not state.run_id:
        state.run_id = stored.id
    state.untuk, state.case_number = stored.untuk, stored.case_number  # a case's, kept apart from the log
    return state


def with_event(state: RunState, event: Event) -> RunState:
    """The state after appending `event` (given its final seq)."""
    after = derive(state.procedure, [*state.events, event], state.calendar)
    after.untuk, after.case_number = state.untuk, state.case_number
    return after
