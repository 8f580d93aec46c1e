"""The run engine: what a run's event log means. Pure: no I/O, no clock (`now` is passed in).

A run is an append-only list of `Event`s; its state is derived by replaying them:

- `started` (seq 1) names the run, its year, title and lane assignments;
- `step_completed` / `approved` / `rejected` complete the current step (the latter two on a
  *keputusan*: YA goes on, TIDAK goes back to the branch's target step and counts a rework loop,
  or, with `tidak: selesai`, ends the run with outcome "ditolak", which is no rework);
- `undone` reverses the latest step event still in effect (its `data.undoes` is that seq);
- `cancelled` ends the run; `note` and `attachment` add remarks or files without moving it;
- `sub_run_started` records on a parent run that a child run (of the step's `sub_sop`) was started
  for its current step; the child's `started` names its parent (`data.parent`: run and step).

Several steps can be current at once: after a split (`paralel`) every branch is open, each
completed by its own event (`sop advance --step N`), and the join opens when the last is done.
A step done only by lanes outside the office (`eksternal`) is never late; its time is reported
apart (`RunState.external_minutes`: "waktu di luar kantor").

Each pass through a step is a `StepVisit`: it becomes current when the previous step event
happens (or the run starts), is due its Mutu Baku *waktu* of working time later (the run's
`WorkCalendar`), and is completed by the next step event. Undoing a completion reopens the visit
as it was, with its original start and due time.

The definition a run follows is its pinned form (`sop_cli.definition.pinned`, upgraded from any
older format) read into the definition graph (`sop_cli.definition.graph`, which owns the flow rules),
without pydantic, so the commands typed all day stay fast; `RunState.sop` builds the full
`SopDefinition` on first use.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from sop_cli.definition.duration import Duration
from sop_cli.definition.graph import Graph, Step
from sop_cli.definition.pinned import CALENDAR_FORMAT, read_pinned, upgrade_calendar
from sop_cli.errors import ConflictError, StateError, StoreError, UsageError
from sop_cli.i18n import N_, _

if TYPE_CHECKING:
    from sop_cli.definition.model import SopDefinition
    from sop_cli.run.calendar import WorkCalendar
    from sop_cli.store.interface import StoredRun

STEP_KINDS = ("step_completed", "approved", "rejected")
"""Event kinds that complete the current step."""

OUTCOMES = {"step_completed": "done", "approved": "approved", "rejected": "rejected"}

STATUS_WORDS = {"active": N_("active"), "finished": N_("finished"), "cancelled": N_("cancelled")}
"""A run's status in words (translated at use: `status_word`)."""

KIND_WORDS = {"step_completed": N_("step completed"), "approved": N_("approved"), "rejected": N_("rejected")}
"""A step event's kind in words (translated at use: `kind_word`)."""


def status_word(status: str) -> str:
    """A run's status ("active", "finished", "cancelled") in the interface language."""
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def kind_word(kind: str) -> str:
    """A step event's kind in the interface language ("step completed" for `step_completed`)."""
    return _(KIND_WORDS[kind]) if kind in KIND_WORDS else kind.replace("_", " ")

_ZERO = Duration(0, "menit")


# The definition, as a run needs it ------------------------------------------------------------

Procedure = Graph
"""A run's definition: the definition graph (the name the run code has always used)."""


@functools.lru_cache(maxsize=32)
def _graph_from_pinned(text: str) -> Graph:
    return Graph.from_json(read_pinned(text))


def procedure(sop: SopDefinition | Mapping[str, Any] | str | Graph) -> Graph:
    """The definition graph of a `SopDefinition`, its JSON form (dict), a pinned text (any format:
    see `sop_cli.definition.pinned`), or a `Graph`."""
    if isinstance(sop, Graph):
        return sop
    if isinstance(sop, str):
        return _graph_from_pinned(sop)
    if isinstance(sop, Mapping):
        return Graph.from_json(sop)
    return sop.graph


# Events and state -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One entry of a run's log.

    Attributes:
        seq: Position in the log, from 1 (0 for an event not yet appended).
        kind: `started`, one of `STEP_KINDS`, `undone`, `cancelled`, `note` or `attachment`.
        at: When it happened (perhaps back-dated), aware.
        recorded_at: When it was written to the store, aware.
        actor: Who did it (named by the user, else the assigned person, else the acting user).
        os_user: The operating-system user who typed the command.
        step: The step it is about (completed, undone, or current at a note); None otherwise.
        data: Kind-specific details: `note`, `reason`, `attachments` ([{name, sha256, size,
            path}]), `undoes` (seq), and for `started` the run's identity (`run`, `sop`, `year`,
            `title`, `assignments`, `source_path`, `source_sha256`, `definition_sha256`).
        db_user: The database user who wrote it, in a shared (PostgreSQL) store; None in an
            SQLite file, where only `os_user` says who typed the command.
    """

    seq: int
    kind: str
    at: datetime
    recorded_at: datetime
    actor: str
    os_user: str
    step: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    db_user: str | None = None


@dataclass
class StepVisit:
    """One pass through a step: from becoming current to being completed (or still open).

    `outcome` is "done", "approved" or "rejected" once completed, None while open.
    `working_minutes` is the actual working time taken (None while open); `standard_minutes`
    the Mutu Baku time; `late` whether it was (or, for a still open visit, is not yet known to
    be) completed after `due_at` (open visits: see `RunState.is_late(now)`).
    """

    step: int
    kegiatan: str
    lanes: tuple[str, ...]
    waktu: str
    standard_minutes: int
    became_current_at: datetime
    due_at: datetime
    completed_at: datetime | None = None
    by: str | None = None
    outcome: str | None = None
    note: str | None = None
    reason: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    working_minutes: int | None = None
    event_seq: int | None = None
    untimed: bool = False
    external: bool = False
    sub_run: str | None = None

    @property
    def timed(self) -> bool:
        """Whether the office can be late on it: it has a fixed time and is done inside the office."""
        return not (self.untimed or self.external)

    @property
    def late(self) -> bool:
        """Completed after its due time (never for a step with no fixed time, "sesuai jadwal", nor
        for one done outside the office, `eksternal`: waiting for them pauses the office's clock)."""
        return self.timed and self.completed_at is not None and self.completed_at > self.due_at


@dataclass(frozen=True)
class PlannedStep:
    """A forecast entry: when a step is expected to start and be due (main path, no rework)."""

    step: int
    kegiatan: str
    lanes: tuple[str, ...]
    waktu: str
    planned_start: datetime
    planned_due: datetime


@dataclass
class RunState:
    """Everything known about a run, derived from its events (see `derive`).

    Attributes:
        run_id: The short id (`renja-2026`).
        procedure: The pinned definition (light form); `sop` gives the `SopDefinition`.
        calendar: The run's `WorkCalendar` (its zone, office hours and pinned days off).
        year, title: As given at `sop start`.
        assignments: Lane id to the person assigned to it.
        status: "active", "finished" or "cancelled".
        visits: Every pass through a step, in the order they became current; the open ones (one,
            or several branches of a split) are the current steps while the run is active.
        rework_loops: Rejections in effect that sent the run back (a TIDAK that ends it is none).
        outcome: How a finished run ended: "selesai" (its end step) or "ditolak" (a decision's TIDAK
            ended the process: the request was refused or returned); None unless finished.
        events: The whole log, including undone events and notes.
        parent: The run and step this run does as a sub-SOP ({"run", "step"}), else None.
        sub_runs: Step number to the child run started for it (the latest), from `sub_run_started`.
        undone_by: Seq of an undone step event to the seq of the `undone` event reversing it.
        forecast: The current step and every later one on the main path, planned from the
            current step's due time (empty unless active).
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
    status: str
    visits: list[StepVisit]
    rework_loops: int
    events: list[Event]
    undone_by: dict[int, int]
    forecast: list[PlannedStep]
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
        if self.status != "active":
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

    @property
    def current_since(self) -> datetime | None:
        """When the current step became current."""
        return self.current.became_current_at if self.current else None

    @property
    def current_due(self) -> datetime | None:
        """When the current step is due."""
        return self.current.due_at if self.current else None

    @property
    def steps_total(self) -> int:
        """Steps on the main path (start to end, YA at every decision)."""
        return len(self.procedure.main_path)

    @property
    def steps_done(self) -> int:
        """Main-path steps behind the current one (all when finished); a rejection moves it back.
        A run refused at a decision (`ditolak`) counts the steps up to and including that decision."""
        if self.status == "finished" and self.outcome == "ditolak":
            path = self.procedure.main_path
            last = max((v for v in self.visits if v.event_seq is not None), key=lambda v: v.event_seq or 0).step
            return path.index(last) + 1 if last in path else len(path)
        if self.status == "finished":
            return self.steps_total
        open_steps = [v.step for v in self.visits if v.completed_at is None]
        if not open_steps:
            return 0
        ahead = {n for step in open_steps for n in self.procedure.path_from(step)}
        return sum(1 for n in self.procedure.main_path if n not in ahead)

    @property
    def planned_end(self) -> datetime | None:
        """The forecast end of the run (due time of the last step), None unless active."""
        return self.forecast[-1].planned_due if self.forecast else None

    def last_step_event(self) -> Event | None:
        """The latest step event still in effect (what `sop undo` reverses)."""
        seqs = [v.event_seq for v in self.visits if v.event_seq is not None]
        return next(e for e in self.events if e.seq == max(seqs)) if seqs else None

    def is_late(self, now: datetime) -> bool:
        """Whether a current step is past its due time at `now` (steps with no fixed time and steps
        done outside the office never are)."""
        return any(v.timed and now > v.due_at for v in self.open_visits)

    def forecast_at(self, now: datetime) -> list[PlannedStep]:
        """The forecast as of `now`: if a current step is late, the steps after it start from `now`."""
        if not self.forecast or not self.is_late(now):
            return self.forecast
        return _plan(self.procedure, self.calendar, self.forecast[:len(self.open_visits)], self.open_visits, now)


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
    if not events or events[0].kind != "started":
        raise StoreError(_("The run's log does not begin with a 'started' event; the store is damaged."),
                         details={"problem": _("its log does not begin with a 'started' event")})
    started = events[0]
    info = started.data
    effective: list[Event] = []
    undone_by: dict[int, int] = {}
    cancelled: Event | None = None
    sub_runs: dict[int, str] = {}
    for event in events[1:]:
        if event.kind == "sub_run_started" and event.step is not None:
            sub_runs[event.step] = str(event.data.get("sub_run", ""))
        if event.kind in STEP_KINDS:
            effective.append(event)
        elif event.kind == "undone":
            if not effective:
                problem = _("event {seq} undoes a step event that does not exist").format(seq=event.seq)
                raise StoreError(_("Event {seq} undoes a step event that does not exist; the store is damaged.").format(
                    seq=event.seq), details={"problem": problem})
            undone_by[effective.pop().seq] = event.seq
        elif event.kind == "cancelled":
            cancelled = event

    first = _visit(proc, calendar, proc.first, started.at)
    visits: list[StepVisit] = [first]
    open_visits: dict[int, StepVisit] = {first.step: first}  # the current steps, in the order they opened
    waiting: dict[int, set[int]] = {}  # a split in progress: its branches not yet done
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
        loops += outcome == "rejected" and not refused
        following: tuple[int, ...]
        if step.split is not None:
            # AND join: the join opens when the last open branch of its split is done
            left = waiting.get(step.split, set())
            left.discard(step.no)
            following = (step.join,) if not left and step.join is not None else ()
        else:
            following = proc.after_all(step.no, outcome)
            if step.is_split:
                waiting[step.no] = set(step.branches)
        for no in following:
            opened = _visit(proc, calendar, no, event.at)
            visits.append(opened)
            open_visits[no] = opened
        if not open_visits:
            finished_at = event.at
            ending = "ditolak" if refused else "selesai"

    status = "cancelled" if cancelled else "finished" if not open_visits else "active"
    forecast: list[PlannedStep] = []
    if status == "active":
        current = list(open_visits.values())
        firsts = [PlannedStep(v.step, v.kegiatan, v.lanes, v.waktu, v.became_current_at, v.due_at) for v in current]
        forecast = _plan(proc, calendar, firsts, current, None)
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
        forecast=forecast,
        started_at=started.at,
        finished_at=finished_at if status == "finished" else None,
        cancelled_at=cancelled.at if cancelled else None,
        cancel_reason=cancelled.data.get("reason") if cancelled else None,
        source_path=info.get("source_path"),
        source_sha256=info.get("source_sha256"),
        definition_sha256=info.get("definition_sha256"),
        outcome=ending if status == "finished" else None,
        parent=dict(info["parent"]) if isinstance(info.get("parent"), Mapping) else None,
        sub_runs=sub_runs,
    )


def _visit(proc: Graph, calendar: WorkCalendar, no: int, since: datetime) -> StepVisit:
    from sop_cli.run.calendar import duration_minutes

    step = proc.step(no)
    return StepVisit(
        step=no,
        kegiatan=step.kegiatan,
        lanes=step.lanes,
        waktu=step.waktu,
        standard_minutes=duration_minutes(step.durasi, calendar.day_minutes),
        became_current_at=since,
        due_at=calendar.add(since, step.durasi),
        untimed=step.durasi.untimed,
        external=step.external,
    )


def _plan(proc: Graph, calendar: WorkCalendar, firsts: Sequence[PlannedStep], current: Sequence[StepVisit],
          now: datetime | None) -> list[PlannedStep]:
    """`firsts` (the current steps), then the rest of the main path: after the join when they are
    branches of a split, else after the (one) current step. As of `now`, a current step past its
    due time ends no earlier than `now`, so the steps after it move."""
    due = {p.step: p.planned_due for p in firsts}
    if now is not None:
        due.update({v.step: max(v.due_at, now) for v in current if v.timed and now > v.due_at})
    head = proc.step(firsts[0].step)
    if head.split is not None:
        rest = proc.path_from(head.join) if head.join is not None else []
    else:
        rest = proc.path_from(head.no)[1:]
    return [*firsts, *chain(proc, calendar, rest, max(due.values()), due)]


def chain(proc: Graph, calendar: WorkCalendar, steps: Sequence[int], moment: datetime,
          due: Mapping[int, datetime] | None = None) -> list[PlannedStep]:
    """The forecast rule: `steps` one after the other from `moment`, each starting at the next
    working moment after the previous one is due and taking its Mutu Baku *waktu*; the branches of
    a split all start when the split is due, and the join starts when the last branch is due.

    `due` gives the due times of steps already planned (the current ones).

    The chain stops at the calendar's horizon (`MAX_DAYS` after `moment`): `validate` refuses
    SOPs whose steps add up to more, but a run pinned before that rule keeps a bounded forecast
    (shorter than its path) instead of taking seconds or running past year 9999."""
    from sop_cli.run.calendar import MAX_DAYS

    planned: list[PlannedStep] = []
    dues = dict(due or {})
    horizon = moment + timedelta(days=MAX_DAYS)
    for no in steps:
        if moment > horizon:
            break
        step = proc.step(no)
        ready = moment
        if step.split is not None and step.split in dues:
            ready = dues[step.split]
        else:
            branches = [dues[b] for s in proc.steps.values() if s.is_split and s.join == no
                        for b in s.branches if b in dues]
            if branches:
                ready = max(branches)
        start = calendar.add(ready, _ZERO)
        moment = dues[no] = calendar.add(start, step.durasi)
        planned.append(PlannedStep(no, step.kegiatan, step.lanes, step.waktu, start, moment))
    return planned


def target_end(state: RunState) -> datetime:
    """When the run would end had every step on the main path taken its Mutu Baku from the start."""
    planned = chain(state.procedure, state.calendar, state.procedure.main_path, state.started_at)
    return max(p.planned_due for p in planned) if planned else state.started_at


# The run's calendar ---------------------------------------------------------------------------


def pinned_calendar(zone: str, days_off: Mapping[date, str], years: Sequence[int], source: str,
                    calendar: WorkCalendar | None = None) -> dict[str, Any]:
    """The JSON a run pins for its calendar (format `CALENDAR_FORMAT`: see `sop_cli.definition.pinned`):
    zone and every day off of `years` with its name, plus the office hours, periods (Ramadan) and
    yearly days off of `calendar` (the ASN week and none of either when it is None)."""
    from sop_cli.run.calendar import WorkCalendar, pin_fields

    return {
        "pinned_format": CALENDAR_FORMAT,
        "zone": zone,
        "years": list(years),
        "days_off": {d.isoformat(): name for d, name in sorted(days_off.items())},
        "source": source,
        **pin_fields(calendar or WorkCalendar(zone_name=zone, use_national_holidays=False)),
    }


def run_calendar(pinned: Mapping[str, Any]) -> WorkCalendar:
    """The run's `WorkCalendar` from its pinned JSON, any format (no `holidays` import: the days are pinned)."""
    return _calendar_from_json(json.dumps(upgrade_calendar(pinned), sort_keys=True))


@functools.lru_cache(maxsize=32)
def _calendar_from_json(text: str) -> WorkCalendar:
    from sop_cli.run.calendar import from_pinned

    return from_pinned(json.loads(text))


def state_of(stored: StoredRun) -> RunState:
    """The state of a run as a store keeps it (pinned definition and calendar, and its log)."""
    calendar = run_calendar(json.loads(stored.calendar))
    state = derive(procedure(stored.definition), stored.events, calendar)
    if not state.run_id:
        state.run_id = stored.id
    state.untuk, state.case_number = stored.untuk, stored.case_number  # a case's, kept apart from the log
    return state


# Decisions: which event an action appends ----------------------------------------------------


def show_moment(moment: datetime, tz: Any) -> str:
    """A moment for a message, in zone `tz`: `2026-11-26 09:30 WIB`."""
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def check_at(at: datetime, now: datetime, floor: datetime, floor_what: str, tz: Any = None) -> None:
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
    if state.status == "cancelled":
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
    attachments: Sequence[Mapping[str, Any]] = (),
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
            else:
                verdict = _("Step {step} ({kegiatan}) is a decision: approve it to go on to step {ya}, or reject "
                            "it with a reason to send the run back to step {tidak}. Nothing was recorded.")
            raise UsageError(
                verdict.format(step=step.no, kegiatan=step.kegiatan, ya=step.ya, tidak=step.tidak),
                code="decision_needs_verdict",
                details={"step": step.no, "kegiatan": step.kegiatan, "ya": step.ya, "tidak": step.tidak},
            )
        if reject and not (reason and reason.strip()):
            raise UsageError(_("A rejection needs a reason: say what must be corrected. Nothing was recorded."),
                             code="reject_needs_reason")
        if approve and reason:
            raise UsageError(_("A reason goes with a rejection; for a remark on an approval use a note."),
                             code="reason_with_approval")
        kind = "approved" if approve else "rejected"
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
        kind = "step_completed"
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


def _sub_run_done(state: RunState, step: Step, child: RunState | None) -> dict[str, Any]:
    """What a step done by a sub-SOP records of its child run; StateError unless it has finished."""
    if child is None:
        raise StateError(
            _("Step {step} ({kegiatan}) is done by SOP {sub_sop}: start a run of it for this step first; the step "
              "is done when that run finishes. Nothing was recorded.").format(
                step=step.no, kegiatan=step.kegiatan, sub_sop=step.sub_sop),
            code="sub_run_missing",
            details={"run": state.run_id, "step": step.no, "sub_sop": step.sub_sop, "kegiatan": step.kegiatan},
        )
    if child.status != "finished":
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
    if state.status == "cancelled":
        raise _not_active(state, _("undoing a step"))
    target = state.last_step_event()
    if target is None:
        raise StateError(
            _("Nothing to undo: no step of run {run} has been completed since it started.").format(run=state.run_id),
            hint=_("To end the run, cancel it with a reason."), suggest="cancel", details={"run": state.run_id},
        )
    data = {"undoes": target.seq, "reason": reason.strip(), "undone_kind": target.kind}
    return Event(0, "undone", now, now, by or fallback_actor, os_user, target.step, data)


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
    return Event(0, "cancelled", moment, now, by or fallback_actor, os_user, state.current_step, {"reason": reason.strip()})


def note_event(
    state: RunState, *, now: datetime, at: datetime | None = None, text: str | None,
    attachments: Sequence[Mapping[str, Any]] = (), by: str | None, fallback_actor: str, os_user: str,
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
    kind = "note" if "note" in data else "attachment"
    return Event(0, kind, moment, now, by or fallback_actor, os_user, state.current_step, data)


def assigned_person(state: RunState, step_no: int) -> str | None:
    """The people assigned to the lanes of step `step_no`, in lane order ("A, B" for a step two
    lanes share), or None when nobody is assigned to them."""
    lanes = state.procedure.step(step_no).lanes
    people = dict.fromkeys(state.assignments[lane] for lane in lanes if lane in state.assignments)
    return ", ".join(people) or None


def with_event(state: RunState, event: Event) -> RunState:
    """The state after appending `event` (given its final seq)."""
    return derive(state.procedure, [*state.events, event], state.calendar)


# Views ----------------------------------------------------------------------------------------
#
# Typed, JSON-shaped views with real datetimes (aware, in the organisation's zone). They are
# turned into JSON once, at the CLI's `--json` boundary (`sop_cli.cli.output.to_json`), and into
# words by the CLI's printers and the templates.


class SopHeading(TypedDict):
    """The SOP a run follows, as every view names it."""

    id: str
    nama: str
    organisasi: str | None
    pemerintah: str | None
    zona_waktu: str


class SopIdentity(SopHeading):
    """`SopHeading` plus where the pinned definition came from."""

    source_path: str | None
    source_sha256: str | None
    definition_sha256: str | None


class _RunFields(TypedDict):
    run: str
    title: str
    year: int
    status: str
    outcome: str | None
    now: datetime
    started_at: datetime
    finished_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None


class RunHeading(_RunFields):
    """What names a run in every view of it (`run_heading`)."""

    sop: SopHeading


class LaneView(TypedDict):
    """A lane of a step with the person assigned to it (None: nobody)."""

    id: str
    nama: str
    person: str | None


class CurrentView(TypedDict):
    """The current step of an active run as of `now`."""

    step: int
    kegiatan: str
    waktu: str
    lanes: list[LaneView]
    since: datetime
    due: datetime
    late: bool
    late_minutes: int
    remaining_minutes: int
    untimed: bool
    external: bool
    sub_sop: str | None
    sub_run: str | None


class Progress(TypedDict):
    """Main-path steps done of the total."""

    done: int
    total: int


class ProgressPercent(Progress):
    """`Progress` with its rounded percentage."""

    percent: int


class VisitView(TypedDict):
    """One pass through a step."""

    step: int
    kegiatan: str
    waktu: str
    lanes: list[LaneView]
    became_current_at: datetime
    due_at: datetime
    completed_at: datetime | None
    by: str | None
    outcome: str | None
    note: str | None
    reason: str | None
    attachments: list[dict[str, Any]]
    standard_minutes: int
    actual_minutes: int | None
    late: bool
    external: bool
    sub_run: str | None


class PlannedView(TypedDict):
    """A forecast entry."""

    step: int
    kegiatan: str
    waktu: str
    lanes: list[LaneView]
    planned_start: datetime
    planned_due: datetime


class _EventFields(TypedDict):
    seq: int
    kind: str
    at: datetime
    recorded_at: datetime
    actor: str
    os_user: str
    step: int | None
    kegiatan: str | None
    undone_by: int | None


class EventView(_EventFields, total=False):
    """One log entry; the optional keys appear when the event has them (`details`: `started`;
    `db_user`: written to a shared store)."""

    db_user: str
    note: str
    reason: str
    attachments: list[dict[str, Any]]
    undoes: int
    sub_run: str
    details: dict[str, Any]


class SourceFile(TypedDict):
    """Whether the SOP file a run started from is unchanged, changed, missing or unknown."""

    path: str | None
    state: str


class _RunViewFields(_RunFields):
    sop: SopIdentity
    jenis: str
    untuk: str | None
    case_number: int | None
    assignments: dict[str, str]
    lanes: dict[str, str]
    office_hours: str
    current: CurrentView | None
    current_steps: list[CurrentView]
    parent: dict[str, Any] | None
    sub_runs: dict[str, str]
    office_minutes: int
    external_minutes: int
    progress: ProgressPercent
    rework_loops: int
    visits: list[VisitView]
    forecast: list[PlannedView]
    next_steps: list[PlannedView]
    planned_end: datetime | None
    events: list[EventView]


class TakenId(TypedDict):
    """The run holding the plain id `<sop id>-<year>` a new run could not have."""

    run: str
    sop: str
    year: int


class RunView(_RunViewFields, total=False):
    """A whole run (`run_view`); `recorded` (the event a write appended), `sop_file` (status) and
    `id_taken` (start, when the plain id was taken) are added by the service."""

    recorded: EventView
    sop_file: SourceFile
    id_taken: TakenId


class RunListRow(TypedDict):
    """One run in `sop runs`, from the stored summary (no replay)."""

    run: str
    sop: str
    year: int
    title: str
    status: str
    current_step: int | None
    current_kegiatan: str | None
    current_since: datetime | None
    current_due: datetime | None
    late: bool
    progress: Progress
    rework_loops: int
    started_at: datetime | None
    untuk: str | None
    case_number: int | None
    holder: str | None


def _local(moment: datetime | None, tz: Any) -> datetime | None:
    return moment.astimezone(tz) if moment else None


def run_heading(state: RunState, now: datetime) -> RunHeading:
    """What names a run in every view of it (datetimes in the organisation's zone); `outcome` is
    "selesai" or "ditolak" (a decision's TIDAK ended the process) for a finished run, else None."""
    tz = state.calendar.tz
    proc = state.procedure
    org = proc.data["organisasi"]
    return {
        "run": state.run_id,
        "title": state.title,
        "year": state.year,
        "status": state.status,
        "outcome": state.outcome,
        "now": now.astimezone(tz),
        "sop": {"id": proc.qualified_id, "nama": proc.nama, "organisasi": org.get("nama"),
                "pemerintah": org.get("pemerintah"), "zona_waktu": proc.zone},
        "started_at": state.started_at.astimezone(tz),
        "finished_at": _local(state.finished_at, tz),
        "cancelled_at": _local(state.cancelled_at, tz),
        "cancel_reason": state.cancel_reason,
    }


def run_view(state: RunState, now: datetime) -> RunView:
    """A run as a typed view (datetimes in the organisation's zone); stable keys.

    Top level: `run`, `title`, `year`, `status` ("active"/"finished"/"cancelled"), `now`,
    `sop` {id, nama, organisasi, pemerintah, zona_waktu, source_path, source_sha256,
    definition_sha256}, `assignments` {lane: person}, `lanes` {lane: name},
    `started_at`, `finished_at`, `cancelled_at`, `cancel_reason`,
    `outcome` ("selesai" or "ditolak" when finished, else None), `office_hours` (in short words),
    `current` (None unless active) {step, kegiatan, waktu, lanes [{id, nama, person}], since, due,
    late, late_minutes, remaining_minutes, untimed (no fixed time: never late), external (done
    outside the office: never late), sub_sop, sub_run (the child run doing it)},
    `current_steps` (every current step, several after a split: [CurrentView]), `parent` ({run,
    step} when this run does a parent's step), `sub_runs` {step: child run}, `office_minutes` and
    `external_minutes` (working time of completed steps inside / outside the office),
    `progress` {done, total, percent}, `rework_loops`,
    `visits` [{step, kegiatan, waktu, lanes, became_current_at, due_at, completed_at, by, outcome,
    note, reason, attachments, standard_minutes, actual_minutes, late, external, sub_run}],
    `forecast` [{step, kegiatan, waktu, lanes, planned_start, planned_due}] (as of `now`: a late
    current step pushes the later ones), `next_steps` (the forecast after the current step),
    `planned_end`, and `events` [{seq, kind, at, recorded_at, actor, os_user, step, kegiatan,
    undone_by, note, reason, attachments, undoes}].
    """
    tz = state.calendar.tz
    cal = state.calendar
    proc = state.procedure

    def t(moment: datetime) -> datetime:
        return moment.astimezone(tz)

    def lanes(ids: Sequence[str]) -> list[LaneView]:
        return [{"id": i, "nama": proc.lanes.get(i, i), "person": state.assignments.get(i)} for i in ids]

    def current_view(visit: StepVisit) -> CurrentView:
        late = visit.timed and now > visit.due_at
        return {
            "step": visit.step,
            "kegiatan": visit.kegiatan,
            "waktu": visit.waktu,
            "lanes": lanes(visit.lanes),
            "since": t(visit.became_current_at),
            "due": t(visit.due_at),
            "late": late,
            "late_minutes": cal.working_minutes_between(visit.due_at, now) if late else 0,
            "remaining_minutes": 0 if late or not visit.timed else cal.working_minutes_between(now, visit.due_at),
            "untimed": visit.untimed,
            "external": visit.external,
            "sub_sop": proc.step(visit.step).sub_sop,
            "sub_run": state.sub_runs.get(visit.step),
        }

    current_steps = [current_view(v) for v in state.open_visits]
    current: CurrentView | None = current_steps[0] if current_steps else None
    forecast: list[PlannedView] = [
        {"step": p.step, "kegiatan": p.kegiatan, "waktu": p.waktu, "lanes": lanes(p.lanes),
         "planned_start": t(p.planned_start), "planned_due": t(p.planned_due)}
        for p in state.forecast_at(now)
    ]
    total = state.steps_total
    heading = run_heading(state, now)
    sop: SopIdentity = {**heading["sop"], "source_path": state.source_path,
                        "source_sha256": state.source_sha256, "definition_sha256": state.definition_sha256}
    return {
        "run": heading["run"],
        "title": heading["title"],
        "year": heading["year"],
        "status": heading["status"],
        "outcome": heading["outcome"],
        "now": heading["now"],
        "sop": sop,
        "jenis": proc.jenis,
        "untuk": state.untuk,
        "case_number": state.case_number,
        "started_at": heading["started_at"],
        "finished_at": heading["finished_at"],
        "cancelled_at": heading["cancelled_at"],
        "cancel_reason": heading["cancel_reason"],
        "assignments": dict(state.assignments),
        "lanes": dict(proc.lanes),
        "office_hours": cal.hours_text(),
        "current": current,
        "current_steps": current_steps,
        "parent": state.parent,
        "sub_runs": {str(no): run for no, run in state.sub_runs.items()},
        "office_minutes": state.office_minutes,
        "external_minutes": state.external_minutes,
        "progress": {"done": state.steps_done, "total": total,
                     "percent": round(100 * state.steps_done / total) if total else 100},
        "rework_loops": state.rework_loops,
        "visits": [
            {
                "step": v.step, "kegiatan": v.kegiatan, "waktu": v.waktu, "lanes": lanes(v.lanes),
                "became_current_at": t(v.became_current_at), "due_at": t(v.due_at),
                "completed_at": _local(v.completed_at, tz), "by": v.by, "outcome": v.outcome, "note": v.note,
                "reason": v.reason, "attachments": v.attachments, "standard_minutes": v.standard_minutes,
                "actual_minutes": v.working_minutes, "late": v.late, "external": v.external,
                "sub_run": v.sub_run,
            }
            for v in state.visits
        ],
        "forecast": forecast,
        "next_steps": forecast[len(current_steps) or 1:],
        # A late last step is due "now" at the earliest: a forecast end never lies in the past.
        "planned_end": max(forecast[-1]["planned_due"], t(now)) if forecast else None,
        "events": [event_view(state, e) for e in state.events],
    }


def event_view(state: RunState, event: Event) -> EventView:
    """One log entry as a typed view (times in the organisation's zone)."""
    tz = state.calendar.tz
    step = state.procedure.steps.get(event.step) if event.step is not None else None
    data = dict(event.data)
    view: EventView = {
        "seq": event.seq,
        "kind": event.kind,
        "at": event.at.astimezone(tz),
        "recorded_at": event.recorded_at.astimezone(tz),
        "actor": event.actor,
        "os_user": event.os_user,
        "step": event.step,
        "kegiatan": step.kegiatan if step else None,
        "undone_by": state.undone_by.get(event.seq),
    }
    if event.db_user:
        view["db_user"] = event.db_user
    if "note" in data:
        view["note"] = data["note"]
    if "reason" in data:
        view["reason"] = data["reason"]
    if "attachments" in data:
        view["attachments"] = data["attachments"]
    if "undoes" in data:
        view["undoes"] = data["undoes"]
    if "sub_run" in data:
        view["sub_run"] = str(data["sub_run"])
    if event.kind in ("started", "erased"):
        view["details"] = {k: v for k, v in data.items() if k not in view}
    return view
